-- Survey data for tests/data/definitions/province.xml, inserted as capture would store it:
-- group CB (quota 3, reserve 3; a form answering dp = 1 is a reserve form), question q1:
--   10001 a a a    10002 a a b    10003 a a a    20001 a a a    20002 a b c    30001 a a a
--   20003 two forms a a, then three reserve forms received in this order: c, a, c; only the
--         first (c) is counted, to fill the quota of 3: a a c
-- One more reserve form of 10001 (a group at its quota): received, not counted.
INSERT INTO form (id, version, def_id, def_version, group_id, sha256, content, generated_at)
VALUES ('province-test-CB', '1', 'province-test', '1', 'CB', 'x', X'78', '2026-01-01T00:00:00Z');
INSERT INTO batch (id, file_name, sha256, size, entries, started_at, finished_at, accepted,
                   duplicates, edits, rejected, ignored)
VALUES (1, 'test.zip', 'x', 0, 0, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 0, 0, 0, 0, 0);
INSERT INTO submission (id, instance_id, form_id, form_version, group_id, commune_code, surveyor,
                        answers, sha256, batch_id)
VALUES
 (1, 'uuid:1', 'province-test-CB', '1', 'CB', '10001', 's', '{"dp":"0","q1":"a"}', 'x', 1),
 (2, 'uuid:2', 'province-test-CB', '1', 'CB', '10001', 's', '{"dp":"0","q1":"a"}', 'x', 1),
 (3, 'uuid:3', 'province-test-CB', '1', 'CB', '10001', 's', '{"q1":"a"}', 'x', 1),
 (4, 'uuid:4', 'province-test-CB', '1', 'CB', '10002', 's', '{"dp":"0","q1":"a"}', 'x', 1),
 (5, 'uuid:5', 'province-test-CB', '1', 'CB', '10002', 's', '{"dp":"0","q1":"a"}', 'x', 1),
 (6, 'uuid:6', 'province-test-CB', '1', 'CB', '10002', 's', '{"dp":"0","q1":"b"}', 'x', 1),
 (7, 'uuid:7', 'province-test-CB', '1', 'CB', '10003', 's', '{"q1":"a"}', 'x', 1),
 (8, 'uuid:8', 'province-test-CB', '1', 'CB', '10003', 's', '{"q1":"a"}', 'x', 1),
 (9, 'uuid:9', 'province-test-CB', '1', 'CB', '10003', 's', '{"q1":"a"}', 'x', 1),
 (10, 'uuid:10', 'province-test-CB', '1', 'CB', '20001', 's', '{"q1":"a"}', 'x', 1),
 (11, 'uuid:11', 'province-test-CB', '1', 'CB', '20001', 's', '{"q1":"a"}', 'x', 1),
 (12, 'uuid:12', 'province-test-CB', '1', 'CB', '20001', 's', '{"q1":"a"}', 'x', 1),
 (13, 'uuid:13', 'province-test-CB', '1', 'CB', '20002', 's', '{"q1":"a"}', 'x', 1),
 (14, 'uuid:14', 'province-test-CB', '1', 'CB', '20002', 's', '{"q1":"b"}', 'x', 1),
 (15, 'uuid:15', 'province-test-CB', '1', 'CB', '20002', 's', '{"q1":"c"}', 'x', 1),
 (16, 'uuid:16', 'province-test-CB', '1', 'CB', '20003', 's', '{"dp":"1","q1":"c"}', 'x', 1),
 (17, 'uuid:17', 'province-test-CB', '1', 'CB', '20003', 's', '{"dp":"0","q1":"a"}', 'x', 1),
 (18, 'uuid:18', 'province-test-CB', '1', 'CB', '20003', 's', '{"dp":"1","q1":"a"}', 'x', 1),
 (19, 'uuid:19', 'province-test-CB', '1', 'CB', '20003', 's', '{"dp":"0","q1":"a"}', 'x', 1),
 (20, 'uuid:20', 'province-test-CB', '1', 'CB', '20003', 's', '{"dp":"1","q1":"c"}', 'x', 1),
 (21, 'uuid:21', 'province-test-CB', '1', 'CB', '30001', 's', '{"q1":"a"}', 'x', 1),
 (22, 'uuid:22', 'province-test-CB', '1', 'CB', '30001', 's', '{"q1":"a"}', 'x', 1),
 (23, 'uuid:23', 'province-test-CB', '1', 'CB', '30001', 's', '{"q1":"a"}', 'x', 1),
 (24, 'uuid:24', 'province-test-CB', '1', 'CB', '10001', 's', '{"dp":"1","q1":"c"}', 'x', 1);
