-- 0009: survey quality (issue 14). The office leaves a submission out of the tally explicitly
-- ('parindex capture exclude'); 'capture include' takes the exclusion back. An exclusion names
-- the instance (meta/instanceID), not the row, so that undoing and importing a batch again does
-- not lose it; its row is kept after an include (included_at set), so the history stays.
CREATE TABLE exclusion (
    id          INTEGER PRIMARY KEY,
    instance_id TEXT NOT NULL,
    reason      TEXT NOT NULL,
    excluded_by TEXT NOT NULL,
    excluded_at TEXT NOT NULL,
    included_by TEXT,
    included_at TEXT             -- set by 'capture include'; the exclusion no longer holds
) STRICT;
-- at most one exclusion in effect per instance
CREATE UNIQUE INDEX exclusion_in_effect ON exclusion (instance_id) WHERE included_at IS NULL;

-- The tally counts the submissions as if the excluded ones had never been stored. Where a
-- current submission is an excluded edit, the one it replaced counts instead (or, when that
-- one is excluded too, the one before it, and so on): excluded_submission walks back along
-- replaces (the primary key) from the exclusions' current rows, and holds the excluded rows
-- the tally leaves out; counted_submission is what it counts.
CREATE VIEW excluded_submission AS
    WITH RECURSIVE left_out (id, replaces) AS (
        SELECT s.id, s.replaces FROM exclusion e JOIN submission s
        ON s.instance_id = e.instance_id
        WHERE e.included_at IS NULL AND s.superseded_by IS NULL
        UNION ALL
        SELECT p.id, p.replaces FROM left_out l JOIN submission p ON p.id = l.replaces
        WHERE p.instance_id IN (SELECT instance_id FROM exclusion WHERE included_at IS NULL)
    )
    SELECT s.* FROM left_out l JOIN submission s ON s.id = l.id;

-- (NOT IN: the excluded ids are read once, not looked up per row; instance_id is NOT NULL)
CREATE VIEW counted_submission AS
    SELECT * FROM current_submission
    WHERE instance_id NOT IN (SELECT instance_id FROM exclusion WHERE included_at IS NULL)
    UNION ALL
    SELECT p.* FROM excluded_submission x JOIN submission p ON p.id = x.replaces
    WHERE p.instance_id NOT IN (SELECT instance_id FROM exclusion WHERE included_at IS NULL);

-- the flags of the last 'parindex quality' run, one row per submission and check: replaced
-- whole by each run (flags are advice, never a change to the tally)
CREATE TABLE quality_run (
    id          INTEGER PRIMARY KEY,
    computed_at TEXT NOT NULL,
    def_id      TEXT NOT NULL,
    def_version TEXT NOT NULL,
    submissions INTEGER NOT NULL,   -- current submissions checked
    flagged     INTEGER NOT NULL    -- of them with at least one flag
) STRICT;
CREATE TABLE quality_flag (
    instance_id TEXT NOT NULL,
    check_code  TEXT NOT NULL CHECK (check_code IN ('too-short', 'impossible-time',
                    'straight-lining', 'burst', 'near-duplicate', 'outside-assignment',
                    'dont-know')),
    detail      TEXT NOT NULL,
    PRIMARY KEY (instance_id, check_code)
) STRICT;
