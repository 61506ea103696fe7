-- 0018: paper forms reopened by the undo of their submission's batch.
--
-- Undoing a batch takes back the submissions of the paper forms in it; without more, their
-- paper_form rows stayed agreed or decided and the forms could never be keyed again. Now the
-- undo moves each such form's keyings and its paper_form row here, in the undo's transaction,
-- and records the reopen in the audit log: the form is "not keyed" again and any two keyers
-- (the same two too) key it anew. Both keyings start over: an agreed form's two keyings are
-- the undone answers (and a decided form's decision is), so keeping one as a pending first
-- keying would bring the undone answers back as soon as one keyer agreed with it.

-- a keying of a reopened form: paper_keying's row as it was (its id kept), and the undo
CREATE TABLE paper_keying_undone (
    id           INTEGER PRIMARY KEY,   -- paper_keying.id
    commune      TEXT NOT NULL,
    group_id     TEXT NOT NULL,
    serial       INTEGER NOT NULL,
    keyer        TEXT NOT NULL,
    form_id      TEXT NOT NULL,
    form_version TEXT NOT NULL,
    surveyor     TEXT NOT NULL,
    answers      TEXT NOT NULL,
    keyed_at     TEXT NOT NULL,
    seconds      REAL,
    batch_id     INTEGER NOT NULL REFERENCES batch (id),   -- the undone batch
    undone_at    TEXT NOT NULL
) STRICT;
CREATE INDEX paper_keying_undone_form ON paper_keying_undone (commune, group_id, serial);

-- a reopened form's paper_form row as it was (a form reopened twice has two rows)
CREATE TABLE paper_form_undone (
    id           INTEGER PRIMARY KEY,
    commune      TEXT NOT NULL,
    group_id     TEXT NOT NULL,
    serial       INTEGER NOT NULL,
    state        TEXT NOT NULL,
    instance_id  TEXT NOT NULL,
    differing    INTEGER NOT NULL,
    decided_by   TEXT,
    decided_at   TEXT,
    answers      TEXT,
    batch_id     INTEGER NOT NULL REFERENCES batch (id),
    undone_at    TEXT NOT NULL
) STRICT;
CREATE INDEX paper_form_undone_form ON paper_form_undone (commune, group_id, serial);
