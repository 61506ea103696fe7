-- 0010: the office's web pages (parindex serve): login sessions and the per-address limit on
-- failed logins, kept in the database so that a restart keeps both.
-- A session is known by the SHA-256 of its cookie's token (hex), never the token itself, so
-- the file does not hand out sessions; it ends idle_until unless a request comes first.
CREATE TABLE web_session (
    token_sha256 TEXT PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES account (id),
    address      TEXT NOT NULL,     -- the client's IP address at login
    created_at   TEXT NOT NULL,
    seen_at      TEXT NOT NULL,     -- the last request (updated at most once a minute)
    idle_until   TEXT NOT NULL      -- seen_at + 12 hours
) STRICT;

-- failed logins per client address: `failures` in the window that began at `window_at`
-- (15 minutes); at 5 the address is locked until `locked_until`, 15 minutes the first time,
-- doubling with each lock-out (`lockouts`) up to a day; a lock-out a day old is forgotten
CREATE TABLE login_failure (
    address      TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    window_at    TEXT NOT NULL,
    lockouts     INTEGER NOT NULL,
    locked_until TEXT
) STRICT;
