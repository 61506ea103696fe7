-- Read after mini-tally.sql: the tally as 'parindex tally' writes it since migration 0006 when
-- a commune lacks data. 00006 Cẩm Vũ has no self-assessment scores: "chưa xếp loại" (tier
-- NULL), not ranked, flag no-scores; 00004 Ngọc Liên gets no survey answers counted: also not
-- classified, flag no-survey, so the ranks of the others are 1, 2, 2, 4.
-- One scores file imported before the tally, whose scores are current, for the footer (named
-- there without its folder); and one imported after it, which the footer must not name.
UPDATE tally_commune SET tier_id = NULL, rank = NULL, flags = 'no-scores'
  WHERE commune_code = '00006';
UPDATE tally_commune SET tier_id = NULL, rank = NULL, flags = 'under-quota no-survey'
  WHERE commune_code = '00004';
INSERT INTO score_import VALUES
  (1, '/home/noivu/Tải về/diem-tham-dinh-2024.csv', 'aa', 'csv', 'mini', '1', '2026-01-14T09:30:00Z', 5, 15),
  (2, 'diem-bo-sung.xlsx', 'bb', 'xlsx', 'mini', '1', '2026-01-16T09:30:00Z', 1, 3);
INSERT INTO score (import_id, row, commune_code, criterion_id, self_score, appraised_score,
                   not_applicable, note, superseded_by)
  VALUES (1, 2, '00001', '1.1.1', 1, 1, 0, '', NULL),
         (2, 2, '00002', '1.1.1', 1, 1, 0, '', NULL);
