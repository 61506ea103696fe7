-- A tally of tests/data/definitions/mini.xml written by hand, for the report tests: six
-- communes (communes.csv), every class, a tie, an unranked commune, an under-quota one.
-- Scale s3: a = 1, b = 0.5, c = 0, x excluded. Group mean. Max 10 = field 1 (6: 1.1 self 3 =
-- 1.1.1 (1) + 1.1.2 (2); 1.2 survey 3) + field 2 (4: 2.1 self 2; 2.2 survey 2).
-- 1.2 = 3 * (qa + qb) / 2 with qa = (qa_A + qa_B) / 2, qb = qb_A; 2.2 = 2 * qc_B.
--
-- 00001 Đông Phong: qa_A 3a = 1, qa_B a b = .75, qa = .875; qb_A 2a b = 2.5/3; 1.2 = 2.5625;
--   qc_B 2a = 1, 2.2 = 2. Self 1 + 2 + 1.5 (2.1 self 2 appraised 1.5) = 4.5.
--   9.0625 -> 90.63; fields 5.5625/6 = 92.71, 3.5/4 = 87.50: excellent, rank 1.
-- 00002 Lai Cách: qa_A a b = .75, qa_B 2a = 1, qa = .875; qb_A a b = .75; 1.2 = 2.4375;
--   qc_B a b = .75, 2.2 = 1.5. Self 1 + 1.5 (1.1.2 self 2 appraised 1.5) + 2 (self only) = 4.5.
--   8.4375 -> 84.38; fields 4.9375/6 = 82.29, 3.5/4 = 87.50: good, rank 2.
-- 00003 Cẩm Hưng: qa_A 2b = .5, qa_B a b = .75, qa = .625; qb_A 2a = 1; 1.2 = 2.4375;
--   qc_B 2a = 1, 2.2 = 2. Self 1 + 1 (1.1.2 self 2 appraised 1) + 2 = 4.
--   8.4375 -> 84.38, tied with 00002; fields 4.4375/6 = 73.96, 4/4 = 100.00: good, rank 2.
-- 00004 Ngọc Liên (group A: 1 form, under quota): qa_A c = 0, qa_B b x = .5 (x excluded),
--   qa = .25; qb_A x: no valid answer, q = 0; 1.2 = .375; qc_B b c = .25, 2.2 = .5.
--   Self 0 (1.1.1 self 1 appraised 0) + 1 + 1 (2.1 self 1.5 appraised 1) = 2.
--   2.875 -> 28.75; fields 1.375/6 = 22.92, 1.5/4 = 37.50: not completed, rank 5.
-- 00005 Tân Bình: every a but qc_B b c = .25; 1.2 = 3, 2.2 = .5. Self 1 + 2 + 1.5 = 4.5.
--   8 -> 80.00 but field 2 = 2/4 = 50.00 < 70: completed (the field floor), rank 4.
-- 00006 Cẩm Vũ: every answer a: survey 5; no self-assessment scores: 50.00, not ranked.
-- District means over the five ranked communes: field 1 (92.7083 + 82.2917 + 73.9583 + 100 +
-- 22.9167) / 5 = 74.375 -> 74.38; field 2 (87.5 + 87.5 + 100 + 50 + 37.5) / 5 = 72.50.

INSERT INTO tally_run VALUES (1, 'mini', '1', '2026-01-15T08:00:00Z', 'group-mean', 'flag', 2, 6,
                              24, 0);

INSERT INTO tally_commune VALUES
  ('00001', 5, 4.5, 4.5625, 9.0625, 10, 90.625, '90.63', 'excellent', 1, 0, 0, ''),
  ('00002', 4, 4.5, 3.9375, 8.4375, 10, 84.375, '84.38', 'good', 2, 0, 0, ''),
  ('00003', 4, 4.0, 4.4375, 8.4375, 10, 84.375, '84.38', 'good', 2, 0, 0, ''),
  ('00004', 3, 2.0, 0.875, 2.875, 10, 28.75, '28.75', 'not-completed', 5, 1, 0,
   'under-quota no-answers'),
  ('00005', 4, 4.5, 3.5, 8.0, 10, 80.0, '80.00', 'completed', 4, 0, 0, ''),
  ('00006', 4, 0.0, 5.0, 5.0, 10, 50.0, '50.00', 'not-completed', NULL, 0, 1, 'no-scores');

INSERT INTO tally_field VALUES
  ('00001', '1', 5.5625, 6, 5.5625 / 6 * 100, '92.71'), ('00001', '2', 3.5, 4, 87.5, '87.50'),
  ('00002', '1', 4.9375, 6, 4.9375 / 6 * 100, '82.29'), ('00002', '2', 3.5, 4, 87.5, '87.50'),
  ('00003', '1', 4.4375, 6, 4.4375 / 6 * 100, '73.96'), ('00003', '2', 4.0, 4, 100.0, '100.00'),
  ('00004', '1', 1.375, 6, 1.375 / 6 * 100, '22.92'), ('00004', '2', 1.5, 4, 37.5, '37.50'),
  ('00005', '1', 6.0, 6, 100.0, '100.00'), ('00005', '2', 2.0, 4, 50.0, '50.00'),
  ('00006', '1', 3.0, 6, 50.0, '50.00'), ('00006', '2', 2.0, 4, 50.0, '50.00');

-- The rows below are the tally's results as the views of migration 0005 show them
-- (tally_criterion, tally_question, tally_question_group); the last statement stores them the
-- way 'parindex tally' does.

-- every criterion and sub-criterion, in definition order
CREATE TEMP TABLE fx_criterion (commune_code, criterion_id, kind, assessed, points, max,
                                self_score, appraised_score, source);
INSERT INTO fx_criterion VALUES
  ('00001', '1.1', 'criterion', 'self', 3, 3, NULL, NULL, NULL),
  ('00001', '1.1.1', 'subcriterion', 'self', 1, 1, 1, 1, 'appraised'),
  ('00001', '1.1.2', 'subcriterion', 'self', 2, 2, 2, 2, 'appraised'),
  ('00001', '1.2', 'criterion', 'survey', 2.5625, 3, NULL, NULL, NULL),
  ('00001', '2.1', 'criterion', 'self', 1.5, 2, 2, 1.5, 'appraised'),
  ('00001', '2.2', 'criterion', 'survey', 2, 2, NULL, NULL, NULL),
  ('00002', '1.1', 'criterion', 'self', 2.5, 3, NULL, NULL, NULL),
  ('00002', '1.1.1', 'subcriterion', 'self', 1, 1, 1, 1, 'appraised'),
  ('00002', '1.1.2', 'subcriterion', 'self', 1.5, 2, 2, 1.5, 'appraised'),
  ('00002', '1.2', 'criterion', 'survey', 2.4375, 3, NULL, NULL, NULL),
  ('00002', '2.1', 'criterion', 'self', 2, 2, 2, NULL, 'self'),
  ('00002', '2.2', 'criterion', 'survey', 1.5, 2, NULL, NULL, NULL),
  ('00003', '1.1', 'criterion', 'self', 2, 3, NULL, NULL, NULL),
  ('00003', '1.1.1', 'subcriterion', 'self', 1, 1, 1, 1, 'appraised'),
  ('00003', '1.1.2', 'subcriterion', 'self', 1, 2, 2, 1, 'appraised'),
  ('00003', '1.2', 'criterion', 'survey', 2.4375, 3, NULL, NULL, NULL),
  ('00003', '2.1', 'criterion', 'self', 2, 2, 2, 2, 'appraised'),
  ('00003', '2.2', 'criterion', 'survey', 2, 2, NULL, NULL, NULL),
  ('00004', '1.1', 'criterion', 'self', 1, 3, NULL, NULL, NULL),
  ('00004', '1.1.1', 'subcriterion', 'self', 0, 1, 1, 0, 'appraised'),
  ('00004', '1.1.2', 'subcriterion', 'self', 1, 2, 1, 1, 'appraised'),
  ('00004', '1.2', 'criterion', 'survey', 0.375, 3, NULL, NULL, NULL),
  ('00004', '2.1', 'criterion', 'self', 1, 2, 1.5, 1, 'appraised'),
  ('00004', '2.2', 'criterion', 'survey', 0.5, 2, NULL, NULL, NULL),
  ('00005', '1.1', 'criterion', 'self', 3, 3, NULL, NULL, NULL),
  ('00005', '1.1.1', 'subcriterion', 'self', 1, 1, 1, 1, 'appraised'),
  ('00005', '1.1.2', 'subcriterion', 'self', 2, 2, 2, 2, 'appraised'),
  ('00005', '1.2', 'criterion', 'survey', 3, 3, NULL, NULL, NULL),
  ('00005', '2.1', 'criterion', 'self', 1.5, 2, 2, 1.5, 'appraised'),
  ('00005', '2.2', 'criterion', 'survey', 0.5, 2, NULL, NULL, NULL),
  ('00006', '1.1', 'criterion', 'self', 0, 3, NULL, NULL, NULL),
  ('00006', '1.1.1', 'subcriterion', 'self', 0, 1, NULL, NULL, 'none'),
  ('00006', '1.1.2', 'subcriterion', 'self', 0, 2, NULL, NULL, 'none'),
  ('00006', '1.2', 'criterion', 'survey', 3, 3, NULL, NULL, NULL),
  ('00006', '2.1', 'criterion', 'self', 0, 2, NULL, NULL, 'none'),
  ('00006', '2.2', 'criterion', 'survey', 2, 2, NULL, NULL, NULL);

INSERT INTO tally_group VALUES
  ('00001', 'A', 3, 2), ('00001', 'B', 2, 2), ('00002', 'A', 2, 2), ('00002', 'B', 2, 2),
  ('00003', 'A', 2, 2), ('00003', 'B', 2, 2), ('00004', 'A', 1, 2), ('00004', 'B', 2, 2),
  ('00005', 'A', 2, 2), ('00005', 'B', 2, 2), ('00006', 'A', 2, 2), ('00006', 'B', 2, 2);

-- every scored question, in definition order; groups: per group asked, [valid answers,
-- excluded answers, the group's q (null without valid answers), {option: count}]
CREATE TEMP TABLE fx_question (commune_code, question_id, criterion_id, n_valid, score,
                               groups_used, flag, groups);
INSERT INTO fx_question VALUES
  ('00001', 'qa', '1.2', 5, 0.875, 2, '',
   '{"A": [3, 0, 1.0, {"a":3,"b":0,"c":0,"x":0}], "B": [2, 0, 0.75, {"a":1,"b":1,"c":0,"x":0}]}'),
  ('00001', 'qb', '1.2', 3, 2.5 / 3, 1, '',
   '{"A": [3, 0, 0.8333333333333334, {"a":2,"b":1,"c":0,"x":0}]}'),
  ('00001', 'qc', '2.2', 2, 1.0, 1, '',
   '{"B": [2, 0, 1.0, {"a":2,"b":0,"c":0,"x":0}]}'),
  ('00002', 'qa', '1.2', 4, 0.875, 2, '',
   '{"A": [2, 0, 0.75, {"a":1,"b":1,"c":0,"x":0}], "B": [2, 0, 1.0, {"a":2,"b":0,"c":0,"x":0}]}'),
  ('00002', 'qb', '1.2', 2, 0.75, 1, '',
   '{"A": [2, 0, 0.75, {"a":1,"b":1,"c":0,"x":0}]}'),
  ('00002', 'qc', '2.2', 2, 0.75, 1, '',
   '{"B": [2, 0, 0.75, {"a":1,"b":1,"c":0,"x":0}]}'),
  ('00003', 'qa', '1.2', 4, 0.625, 2, '',
   '{"A": [2, 0, 0.5, {"a":0,"b":2,"c":0,"x":0}], "B": [2, 0, 0.75, {"a":1,"b":1,"c":0,"x":0}]}'),
  ('00003', 'qb', '1.2', 2, 1.0, 1, '',
   '{"A": [2, 0, 1.0, {"a":2,"b":0,"c":0,"x":0}]}'),
  ('00003', 'qc', '2.2', 2, 1.0, 1, '',
   '{"B": [2, 0, 1.0, {"a":2,"b":0,"c":0,"x":0}]}'),
  ('00004', 'qa', '1.2', 2, 0.25, 2, '',
   '{"A": [1, 0, 0.0, {"a":0,"b":0,"c":1,"x":0}], "B": [1, 1, 0.5, {"a":0,"b":1,"c":0,"x":1}]}'),
  ('00004', 'qb', '1.2', 0, 0.0, 0, 'no-answers',
   '{"A": [0, 1, null, {"a":0,"b":0,"c":0,"x":1}]}'),
  ('00004', 'qc', '2.2', 2, 0.25, 1, '',
   '{"B": [2, 0, 0.25, {"a":0,"b":1,"c":1,"x":0}]}'),
  ('00005', 'qa', '1.2', 4, 1.0, 2, '',
   '{"A": [2, 0, 1.0, {"a":2,"b":0,"c":0,"x":0}], "B": [2, 0, 1.0, {"a":2,"b":0,"c":0,"x":0}]}'),
  ('00005', 'qb', '1.2', 2, 1.0, 1, '',
   '{"A": [2, 0, 1.0, {"a":2,"b":0,"c":0,"x":0}]}'),
  ('00005', 'qc', '2.2', 2, 0.25, 1, '',
   '{"B": [2, 0, 0.25, {"a":0,"b":1,"c":1,"x":0}]}'),
  ('00006', 'qa', '1.2', 4, 1.0, 2, '',
   '{"A": [2, 0, 1.0, {"a":2,"b":0,"c":0,"x":0}], "B": [2, 0, 1.0, {"a":2,"b":0,"c":0,"x":0}]}'),
  ('00006', 'qb', '1.2', 2, 1.0, 1, '',
   '{"A": [2, 0, 1.0, {"a":2,"b":0,"c":0,"x":0}]}'),
  ('00006', 'qc', '2.2', 2, 1.0, 1, '',
   '{"B": [2, 0, 1.0, {"a":2,"b":0,"c":0,"x":0}]}');

INSERT INTO tally_detail
    SELECT t.commune_code,
           (SELECT json_group_array(json(j)) FROM (
                SELECT json_array(criterion_id, kind, assessed, points, max, self_score,
                                  appraised_score, source) AS j
                FROM fx_criterion c WHERE c.commune_code = t.commune_code ORDER BY c.rowid)),
           (SELECT json_group_array(json(j)) FROM (
                SELECT json_array(question_id, criterion_id, n_valid, score, groups_used, flag,
                                  json(groups)) AS j
                FROM fx_question q WHERE q.commune_code = t.commune_code ORDER BY q.rowid))
    FROM tally_commune t;
