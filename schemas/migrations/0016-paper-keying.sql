-- 0016: paper questionnaires keyed twice (double entry, as CSPro does it). Their batches
-- have channel 'paper' (batch.channel, migration 0015).
--
-- A keyer account (role 'keyer', scoped to communes and optionally groups like a surveyor)
-- keys the paper forms on the server's /key page. Every paper form is known by commune ×
-- respondent group × serial number (the number written in the form's serial box). Each
-- keying is kept (paper_keying); two keyings of one form by two different keyers that agree
-- become one submission, source 'paper'; when they differ the office decides from the paper
-- (paper_form.state 'differ', then 'decided').

-- account gets the role 'keyer': SQLite cannot change a CHECK, so the table is rebuilt, and
-- with it the tables that reference it (foreign keys are on during migrations: the children
-- are made anew first, so dropping the old parent deletes no referenced row)
CREATE TABLE account_new (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    role        TEXT NOT NULL CHECK (role IN ('surveyor', 'office', 'analyst', 'keyer')),
    ha1_md5     TEXT NOT NULL,
    ha1_sha256  TEXT NOT NULL,
    web_hash    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    password_at TEXT NOT NULL,
    disabled_at TEXT
) STRICT;
INSERT INTO account_new SELECT id, name, role, ha1_md5, ha1_sha256, web_hash, created_at,
    password_at, disabled_at FROM account;

CREATE TABLE account_commune_new (
    account_id INTEGER NOT NULL REFERENCES account_new (id),
    code       TEXT NOT NULL,
    PRIMARY KEY (account_id, code)
) STRICT;
INSERT INTO account_commune_new SELECT account_id, code FROM account_commune;

CREATE TABLE account_group_new (
    account_id INTEGER NOT NULL REFERENCES account_new (id),
    group_id   TEXT NOT NULL,
    PRIMARY KEY (account_id, group_id)
) STRICT;
INSERT INTO account_group_new SELECT account_id, group_id FROM account_group;

CREATE TABLE web_session_new (
    token_sha256 TEXT PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES account_new (id),
    address      TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    seen_at      TEXT NOT NULL,
    idle_until   TEXT NOT NULL
) STRICT;
INSERT INTO web_session_new SELECT token_sha256, account_id, address, created_at, seen_at,
    idle_until FROM web_session;

DROP TABLE web_session;
DROP TABLE account_group;
DROP TABLE account_commune;
DROP TABLE account;
-- renaming the parent rewrites the children's REFERENCES account_new to account
ALTER TABLE account_new RENAME TO account;
ALTER TABLE account_commune_new RENAME TO account_commune;
ALTER TABLE account_group_new RENAME TO account_group;
ALTER TABLE web_session_new RENAME TO web_session;

-- one keying of one paper form by one keyer; a keyer keys a form at most once
CREATE TABLE paper_keying (
    id           INTEGER PRIMARY KEY,
    commune      TEXT NOT NULL,
    group_id     TEXT NOT NULL,
    serial       INTEGER NOT NULL CHECK (serial BETWEEN 1 AND 99999),
    keyer        TEXT NOT NULL,     -- the account's name
    form_id      TEXT NOT NULL,
    form_version TEXT NOT NULL,
    surveyor     TEXT NOT NULL,     -- the surveyor's code written on the paper
    answers      TEXT NOT NULL,     -- JSON object: question id -> option code (as submission)
    keyed_at     TEXT NOT NULL,
    seconds      REAL,              -- since the keyer's previous keying; NULL for the first
                                    -- one and after a pause of 10 minutes or more
    UNIQUE (commune, group_id, serial, keyer)
) STRICT;
CREATE INDEX paper_keying_keyer ON paper_keying (keyer, keyed_at);

-- a paper form keyed twice: agreed (submitted), differ (the office must decide) or decided
-- (the office's answers submitted); instance_id is the server-made instanceID of its
-- submission (also device_id 'paper:COMMUNE-GROUP-SERIAL' in it)
CREATE TABLE paper_form (
    commune      TEXT NOT NULL,
    group_id     TEXT NOT NULL,
    serial       INTEGER NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('agreed', 'differ', 'decided')),
    instance_id  TEXT NOT NULL UNIQUE,
    differing    INTEGER NOT NULL,  -- answers (and the surveyor code) the two keyings differ in
    decided_by   TEXT,
    decided_at   TEXT,
    answers      TEXT,              -- the office's decision (JSON), when decided
    PRIMARY KEY (commune, group_id, serial)
) STRICT;
