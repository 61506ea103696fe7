-- Survey data for tests/data/definitions/mini.xml, inserted as capture would store it (the
-- same case as the unit test's communes, worked out by hand there and in t3001):
--   90001: A 3 forms, B 2 forms.  qa A: a a b, B: c x; qb A: a b x; qc B: b b
--   90002: A 1 form (qa a, qb x); B none
--   90003: no form at all
-- plus one edited submission (only the edit counts) and one of another definition's form.
INSERT INTO form (id, version, def_id, def_version, group_id, sha256, content, generated_at)
VALUES ('mini-A', '1', 'mini', '1', 'A', 'x', X'78', '2026-01-01T00:00:00Z'),
       ('mini-B', '1', 'mini', '1', 'B', 'x', X'78', '2026-01-01T00:00:00Z');
INSERT INTO batch (id, file_name, sha256, size, entries, started_at, finished_at, accepted,
                   duplicates, edits, rejected, ignored)
VALUES (1, 'test.zip', 'x', 0, 0, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 0, 0, 0, 0, 0);
INSERT INTO submission (id, instance_id, form_id, form_version, group_id, commune_code, surveyor,
                        answers, sha256, batch_id, superseded_by)
VALUES
 (1, 'uuid:1', 'mini-A', '1', 'A', '90001', 's', '{"sex":"1","qa":"a","qb":"a"}', 'x', 1, NULL),
 (2, 'uuid:2', 'mini-A', '1', 'A', '90001', 's', '{"sex":"2","qa":"a","qb":"b"}', 'x', 1, NULL),
 (3, 'uuid:3', 'mini-A', '1', 'A', '90001', 's', '{"qa":"c","qb":"c"}', 'x', 1, NULL),
 (4, 'uuid:4', 'mini-B', '1', 'B', '90001', 's', '{"sex":"1","qa":"c","qc":"b"}', 'x', 1, NULL),
 (5, 'uuid:5', 'mini-B', '1', 'B', '90001', 's', '{"qa":"x","qc":"b"}', 'x', 1, NULL),
 (6, 'uuid:6', 'mini-A', '1', 'A', '90002', 's', '{"qa":"a","qb":"x"}', 'x', 1, NULL);
-- submission 3 was edited: its replacement answers qa b, qb x
INSERT INTO submission (id, instance_id, form_id, form_version, group_id, commune_code, surveyor,
                        answers, sha256, batch_id, replaces)
VALUES (7, 'uuid:7', 'mini-A', '1', 'A', '90001', 's', '{"qa":"b","qb":"x"}', 'x', 1, 3);
UPDATE submission SET superseded_by = 7 WHERE id = 3;
