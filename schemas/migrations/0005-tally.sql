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
) STRICT, WITHOUT ROWID;

-- per commune and field: its points, applicable max and percentage
CREATE TABLE tally_field (
    commune_code   TEXT NOT NULL,
    field_id       TEXT NOT NULL,
    points         REAL NOT NULL,
    max            REAL NOT NULL,       -- 0 when every leaf of the field is not applicable
    pct            REAL,                -- NULL when max is 0
    pct_published  TEXT,
    PRIMARY KEY (commune_code, field_id)
) STRICT, WITHOUT ROWID;

-- per commune and respondent group: forms against the group's quota
CREATE TABLE tally_group (
    commune_code TEXT NOT NULL,
    group_id     TEXT NOT NULL,
    forms        INTEGER NOT NULL,
    min_forms    INTEGER NOT NULL,
    PRIMARY KEY (commune_code, group_id)
) STRICT, WITHOUT ROWID;

-- The detail behind each commune's points, one row per commune with two JSON arrays (a
-- row per commune and criterion or question would be a million rows for a national tally;
-- this keeps it within seconds). Read it through the views below, which give it as rows.
--   criteria:  [id, kind, assessed, points, max, self_score, appraised_score, source] for
--              every criterion and sub-criterion in definition order; kind 'criterion' or
--              'subcriterion'; max is the applicable max (0 when not applicable); the last
--              three only for self-assessed leaves (source: 'appraised', 'self',
--              'not-applicable' or 'none'), else null
--   questions: [id, criterion_id, n_valid, score, groups_used, flag, groups] for every
--              scored question: score is q after aggregation (0 when no group asked gave a
--              valid answer), n_valid over all groups asked, groups_used the groups with
--              valid answers, flag '', 'group-without-answers' or 'no-answers'; groups is
--              {"G1": [n_valid, n_excluded, score, {"option code": n, ...}], ...} for every
--              group asked (counts over every option of the scale, zeros included; score
--              null when n_valid is 0)
-- Numbers in the arrays carry 9 decimals.
CREATE TABLE tally_detail (
    commune_code TEXT PRIMARY KEY,
    criteria     TEXT NOT NULL,
    questions    TEXT NOT NULL
) STRICT;

CREATE VIEW tally_criterion AS
    SELECT d.commune_code,
           json_extract(c.value, '$[0]') AS criterion_id,
           json_extract(c.value, '$[1]') AS kind,
           json_extract(c.value, '$[2]') AS assessed,
           json_extract(c.value, '$[3]') AS points,
           json_extract(c.value, '$[4]') AS max,
           json_extract(c.value, '$[5]') AS self_score,
           json_extract(c.value, '$[6]') AS appraised_score,
           json_extract(c.value, '$[7]') AS source,
           c.key AS seq
    FROM tally_detail d, json_each(d.criteria) c;

CREATE VIEW tally_question AS
    SELECT d.commune_code,
           json_extract(q.value, '$[0]') AS question_id,
           json_extract(q.value, '$[1]') AS criterion_id,
           json_extract(q.value, '$[2]') AS n_valid,
           json_extract(q.value, '$[3]') AS score,
           json_extract(q.value, '$[4]') AS groups_used,
           json_extract(q.value, '$[5]') AS flag,
           q.key AS seq
    FROM tally_detail d, json_each(d.questions) q;

-- per commune, scored question and group asked
CREATE VIEW tally_question_group AS
    SELECT d.commune_code,
           json_extract(q.value, '$[0]') AS question_id,
           g.key AS group_id,
           json_extract(g.value, '$[0]') AS n_valid,
           json_extract(g.value, '$[1]') AS n_excluded,
           json_extract(g.value, '$[2]') AS score,
           json_extract(g.value, '$[3]') AS counts
    FROM tally_detail d, json_each(d.questions) q, json_each(q.value, '$[6]') g;

-- per commune, scored question, group asked and option of the scale: how many chose it
CREATE VIEW tally_count AS
    SELECT d.commune_code,
           json_extract(q.value, '$[0]') AS question_id,
           g.key AS group_id,
           o.key AS option_code,
           o.value AS n
    FROM tally_detail d, json_each(d.questions) q, json_each(q.value, '$[6]') g,
         json_each(g.value, '$[3]') o;
