-- 0008: accounts for serve (ODK Collect's surveyors, the office, analysts) and an audit log.
-- No password is stored: ha1_md5 and ha1_sha256 are what HTTP Digest authentication needs
-- (RFC 7616: H(name:realm:password), realm in setting 'digest_realm'), web_hash a slow salted
-- hash for the web login, "pbkdf2-sha256$ITERATIONS$SALT$HASH" (hex), so the iterations can be
-- raised later. An account is never deleted, only disabled: the audit log names it.
CREATE TABLE account (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    role        TEXT NOT NULL CHECK (role IN ('surveyor', 'office', 'analyst')),
    ha1_md5     TEXT NOT NULL,
    ha1_sha256  TEXT NOT NULL,
    web_hash    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    password_at TEXT NOT NULL,     -- when the password was last set
    disabled_at TEXT               -- NULL while the account may log in
) STRICT;

-- a surveyor's scope: the communes (of the register) and respondent groups (of the active
-- definition) they may submit for; a surveyor without group rows may submit for every group
CREATE TABLE account_commune (
    account_id INTEGER NOT NULL REFERENCES account (id),
    code       TEXT NOT NULL,
    PRIMARY KEY (account_id, code)
) STRICT;

CREATE TABLE account_group (
    account_id INTEGER NOT NULL REFERENCES account (id),
    group_id   TEXT NOT NULL,
    PRIMARY KEY (account_id, group_id)
) STRICT;

-- who did what, from where, when: logins, uploads, undos, tallies, account changes
CREATE TABLE audit (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    who     TEXT NOT NULL,
    address TEXT NOT NULL,         -- the client's IP address, or 'cli'
    what    TEXT NOT NULL
) STRICT;
CREATE INDEX audit_at ON audit (at);
