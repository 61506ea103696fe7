-- 0003: captured survey data. A batch is one imported zip; every entry of it gets a status.
-- A submission is one filled questionnaire; its answers are a JSON object
-- {"question id": "option code", ...} (profile and scored questions), read in SQL through the
-- view `answer`. Submissions are never updated in place: an edit adds a new row and marks the
-- one it replaces as superseded, so history stays; undoing a batch deletes what it added and
-- clears what it superseded.

CREATE TABLE batch (
    id          INTEGER PRIMARY KEY,
    file_name   TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    entries     INTEGER NOT NULL,
    source      TEXT,
    operator    TEXT,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    accepted    INTEGER NOT NULL,
    duplicates  INTEGER NOT NULL,
    edits       INTEGER NOT NULL,
    rejected    INTEGER NOT NULL,
    ignored     INTEGER NOT NULL,
    undone_at   TEXT               -- set by 'capture undo'; the batch's data is gone then
) STRICT;
CREATE INDEX batch_sha256 ON batch (sha256);

CREATE TABLE batch_entry (
    batch_id     INTEGER NOT NULL REFERENCES batch (id),
    seq          INTEGER NOT NULL,
    path         TEXT NOT NULL,
    instance_id  TEXT,
    form_id      TEXT,
    commune_code TEXT,
    status       TEXT NOT NULL CHECK (status IN ('accepted', 'duplicate', 'edit', 'rejected', 'ignored')),
    reason       TEXT NOT NULL,    -- a reason code such as ok, unknown-form, doctype
    message      TEXT NOT NULL,
    PRIMARY KEY (batch_id, seq)
) STRICT;

CREATE TABLE submission (
    id            INTEGER PRIMARY KEY,
    instance_id   TEXT NOT NULL UNIQUE,
    form_id       TEXT NOT NULL,
    form_version  TEXT NOT NULL,
    group_id      TEXT NOT NULL,
    commune_code  TEXT NOT NULL REFERENCES commune (code),
    surveyor      TEXT NOT NULL,
    started       TEXT,
    ended         TEXT,
    device_id     TEXT,
    comment       TEXT,
    answers       TEXT NOT NULL,   -- JSON object: question id -> option code
    sha256        TEXT NOT NULL,   -- of the instance's bytes as received
    batch_id      INTEGER NOT NULL REFERENCES batch (id),
    replaces      INTEGER REFERENCES submission (id),    -- set on an edit
    superseded_by INTEGER REFERENCES submission (id),    -- set on the row an edit replaced
    FOREIGN KEY (form_id, form_version) REFERENCES form (id, version)
) STRICT;
CREATE INDEX submission_batch ON submission (batch_id);
CREATE INDEX submission_commune ON submission (commune_code, group_id);

-- the submissions that count: not replaced by a later edit
CREATE VIEW current_submission AS
    SELECT * FROM submission WHERE superseded_by IS NULL;

CREATE VIEW answer AS
    SELECT s.id AS submission_id, j.key AS question_id, j.value AS value
    FROM submission s, json_each(s.answers) j;
