-- 0005: self-assessment scores and the results of the tally.
--
-- Scores. A score import is one file read by 'parindex scores import'. Each of its rows gives,
-- for one commune and one self-assessed leaf (a sub-criterion, or a criterion without any),
-- the self score, the council's appraised score (final where given) or the not-applicable
-- flag. Scores are never updated in place: a new import for a commune marks that commune's
-- earlier rows superseded (superseded_by = the new import), so history stays.
--
-- Tally. 'parindex tally' replaces every tally_* row in one transaction, so the tables always
-- hold one complete, consistent run (tally_run has exactly one row after the first run).
-- Values are at full precision except the *_published columns, which are rounded half-up at
-- the definition's decimals: the numbers printed, classified and ranked on.

CREATE TABLE score_import (
    id          INTEGER PRIMARY KEY,
    file_name   TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    format      TEXT NOT NULL CHECK (format IN ('csv', 'xlsx')),
    def_id      TEXT NOT NULL,     -- the definition whose criterion ids the file uses
    def_version TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    communes    INTEGER NOT NULL,  -- communes whose scores this import replaced
    rows        INTEGER NOT NULL,
    FOREIGN KEY (def_id, def_version) REFERENCES definition (id, version)
) STRICT;

CREATE TABLE score (
    id              INTEGER PRIMARY KEY,
    import_id       INTEGER NOT NULL REFERENCES score_import (id),
    row             INTEGER NOT NULL,  -- the row of the file it came from
    commune_code    TEXT NOT NULL REFERENCES commune (code),
    criterion_id    TEXT NOT NULL,     -- a self-assessed leaf of the import's definition
    self_score      REAL,              -- NULL when left blank or not applicable
    appraised_score REAL,              -- NULL when the council gave none
    not_applicable  INTEGER NOT NULL CHECK (not_applicable IN (0, 1)),
    note            TEXT NOT NULL,
    superseded_by   INTEGER REFERENCES score_import (id)
) STRICT;
CREATE INDEX score_commune ON score (commune_code, superseded_by);

-- the scores that count
CREATE VIEW current_score AS
    SELECT s.*, i.def_id, i.def_version
    FROM score s JOIN score_import i ON i.id = s.import_id
    WHERE s.superseded_by IS NULL;

-- one row: when, with which definition and method, and from how much data
CREATE TABLE tally_run (
    id              INTEGER PRIMARY KEY,
    def_id          TEXT NOT NULL,
    def_version     TEXT NOT NULL,
    computed_at     TEXT NOT NULL,
    aggregation     TEXT NOT NULL CHECK (aggregation IN ('group-mean', 'pooled')),
    under_quota     TEXT NOT NULL CHECK (under_quota IN ('flag', 'exclude')),
    decimals        INTEGER NOT NULL,
    communes        INTEGER NOT NULL,
    submissions     INTEGER NOT NULL,  -- current submissions counted
    ignored_answers INTEGER NOT NULL   -- answers to no scored question of the form's group,
                                       -- or with an option code the scale lacks
) STRICT;

-- one row per commune of the register
CREATE TABLE tally_commune (
    commune_code     TEXT PRIMARY KEY,
    forms            INTEGER NOT NULL,  -- current submissions of the commune
    self_points      REAL NOT NULL,     -- appraised (else self) points of applicable leaves
    survey_points    REAL NOT NULL,
    points           REAL NOT NULL,     -- self_points + survey_points
    max              REAL NOT NULL,     -- applicable maximum: not-applicable leaves left out
    index_value      REAL NOT NULL,     -- points / max * 100, full precision
    index_published  TEXT NOT NULL,     -- rounded half-up, as printed ("89.77")
    tier_id          TEXT NOT NULL,     -- the classification tier
    rank             INTEGER,           -- NULL: not ranked (see flags)
    under_quota      INTEGER NOT NULL,  -- fewer forms than min-forms, or a group under its min
    no_scores        INTEGER NOT NULL,  -- no self-assessment scores imported
    flags            TEXT NOT NULL      -- space-separated: under-quota no-scores no-answers
) STRICT;

-- per commune and field: its points, applicable max and percentage
CREATE TABLE tally_field (
    commune_code   TEXT NOT NULL,
    field_id       TEXT NOT NULL,
    points         REAL NOT NULL,
    max            REAL NOT NULL,       -- 0 when every leaf of the field is not applicable
    pct            REAL,                -- NULL when max is 0
    pct_published  TEXT,
    PRIMARY KEY (commune_code, field_id)
) STRICT;

-- per commune and criterion or sub-criterion (kind as in table criterion)
CREATE TABLE tally_criterion (
    commune_code    TEXT NOT NULL,
    criterion_id    TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('criterion', 'subcriterion')),
    assessed        TEXT NOT NULL CHECK (assessed IN ('self', 'survey')),
    points          REAL NOT NULL,
    max             REAL NOT NULL,      -- applicable max (0 when not applicable)
    -- leaves of self-assessment only: the scores and which one counted
    self_score      REAL,
    appraised_score REAL,
    source          TEXT CHECK (source IN ('appraised', 'self', 'not-applicable', 'none')),
    PRIMARY KEY (commune_code, criterion_id)
) STRICT;

-- per commune and respondent group: forms against the group's quota
CREATE TABLE tally_group (
    commune_code TEXT NOT NULL,
    group_id     TEXT NOT NULL,
    forms        INTEGER NOT NULL,
    min_forms    INTEGER NOT NULL,
    PRIMARY KEY (commune_code, group_id)
) STRICT;

-- per commune and scored question: the score q (0..1) after aggregation over groups
CREATE TABLE tally_question (
    commune_code TEXT NOT NULL,
    question_id  TEXT NOT NULL,
    criterion_id TEXT NOT NULL,
    n_valid      INTEGER NOT NULL,      -- valid answers over all groups asked
    score        REAL NOT NULL,         -- q; 0 when no group asked gave a valid answer
    groups_used  INTEGER NOT NULL,      -- groups in the group mean (all asked, for pooled)
    flag         TEXT NOT NULL,         -- '', 'group-without-answers' or 'no-answers'
    PRIMARY KEY (commune_code, question_id)
) STRICT;

-- per commune, group asked and scored question: the option counts. counts is a JSON object
-- {"option code": n} over every option of the scale (zeros included); n_valid leaves out the
-- excluded options; score is that group's q (NULL when n_valid is 0).
CREATE TABLE tally_count (
    commune_code TEXT NOT NULL,
    group_id     TEXT NOT NULL,
    question_id  TEXT NOT NULL,
    counts       TEXT NOT NULL,
    n_valid      INTEGER NOT NULL,
    n_excluded   INTEGER NOT NULL,
    score        REAL,
    PRIMARY KEY (commune_code, group_id, question_id)
) STRICT;
