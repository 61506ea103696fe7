-- A tally of the shipped definition (8 fields) for the 25 communes of communes-25.csv, for the
-- print layout of the ranking (t4006): indexes 87.50 down by 0.50, every field at 80 %; every
-- ninth commune without scores, "chưa xếp loại" (tier NULL, no rank).
INSERT INTO tally_run VALUES (1, 'hai-duong-commune-par', '2021.1', '2026-01-15T08:00:00Z',
                              'group-mean', 'flag', 2, 25, 1750, 0);
INSERT INTO tally_commune
  SELECT code, 70, 58, 30, 88 - rowid * 0.5, 100, 88 - rowid * 0.5, printf('%.2f', 88 - rowid * 0.5),
         CASE WHEN rowid % 9 = 0 THEN NULL WHEN rowid < 10 THEN 'excellent' ELSE 'good' END,
         CASE WHEN rowid % 9 = 0 THEN NULL ELSE rowid END, 0, rowid % 9 = 0,
         CASE WHEN rowid % 9 = 0 THEN 'no-scores' ELSE '' END
  FROM commune;
INSERT INTO tally_field
  SELECT c.code, f.id, f.max * 0.8, f.max, 80.0, '80.00'
  FROM commune c, criterion f WHERE f.kind = 'field';
INSERT INTO tally_group
  SELECT c.code, g.id, 14, g.min_forms FROM commune c, respondent_group g;
