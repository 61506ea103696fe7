-- 0011: survey quality (issue 14). The office leaves a submission out of the tally explicitly
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

-- the submissions the tally counts: current (not replaced by an edit) and not excluded
CREATE VIEW counted_submission AS
    SELECT * FROM current_submission s
    WHERE NOT EXISTS (SELECT 1 FROM exclusion e
                      WHERE e.instance_id = s.instance_id AND e.included_at IS NULL);

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
