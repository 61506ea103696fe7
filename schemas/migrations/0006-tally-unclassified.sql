-- 0006: a commune can be "chưa xếp loại" (not classified). REFERENCE.md §4: a commune without
-- appraised scores or without survey answers is computed and shown, but never ranked, never
-- counted in a class and never published as failing. tally_commune.tier_id becomes nullable:
-- NULL means not classified, and flags say why (no-scores, no-survey). The table holds one
-- tally run that the next run replaces, so it is rebuilt with its rows copied.
CREATE TABLE tally_commune_0006 (
    commune_code     TEXT PRIMARY KEY,
    forms            INTEGER NOT NULL,  -- current submissions of the commune
    self_points      REAL NOT NULL,     -- appraised (else self) points of applicable leaves
    survey_points    REAL NOT NULL,
    points           REAL NOT NULL,     -- self_points + survey_points
    max              REAL NOT NULL,     -- applicable maximum: not-applicable leaves left out
    index_value      REAL NOT NULL,     -- points / max * 100, full precision
    index_published  TEXT NOT NULL,     -- rounded half-up, as printed ("89.77")
    tier_id          TEXT,              -- the classification tier; NULL: chưa xếp loại
    rank             INTEGER,           -- NULL: not ranked (see flags)
    under_quota      INTEGER NOT NULL,  -- fewer forms than min-forms, or a group under its min
    no_scores        INTEGER NOT NULL,  -- no self-assessment scores imported
    flags            TEXT NOT NULL      -- space-separated: under-quota no-scores no-survey no-answers
) STRICT, WITHOUT ROWID;
INSERT INTO tally_commune_0006 SELECT * FROM tally_commune;
DROP TABLE tally_commune;
ALTER TABLE tally_commune_0006 RENAME TO tally_commune;
