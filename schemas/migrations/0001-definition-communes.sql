-- 0001: the index definition (as loaded, byte for byte, plus a relational copy of its tree
-- for SQL readers), the commune register, and settings.

CREATE TABLE setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE definition (
    id        TEXT NOT NULL,
    version   TEXT NOT NULL,
    year      INTEGER NOT NULL,
    title     TEXT NOT NULL,
    decimals  INTEGER NOT NULL,
    max       REAL NOT NULL,
    sha256    TEXT NOT NULL,
    source    TEXT NOT NULL,       -- the file's name when loaded
    content   BLOB NOT NULL,       -- the XML exactly as loaded
    loaded_at TEXT NOT NULL,
    PRIMARY KEY (id, version)
) STRICT;

-- fields, criteria and sub-criteria: one tree, parent_id NULL for a field
CREATE TABLE criterion (
    def_id      TEXT NOT NULL,
    def_version TEXT NOT NULL,
    id          TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('field', 'criterion', 'subcriterion')),
    parent_id   TEXT,
    seq         INTEGER NOT NULL,
    name_vi     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    max         REAL NOT NULL,
    assessed    TEXT CHECK (assessed IN ('self', 'survey')),
    PRIMARY KEY (def_id, def_version, id),
    FOREIGN KEY (def_id, def_version) REFERENCES definition (id, version) ON DELETE CASCADE
) STRICT;

CREATE TABLE respondent_group (
    def_id      TEXT NOT NULL,
    def_version TEXT NOT NULL,
    id          TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    name_vi     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    min_forms   INTEGER NOT NULL,
    PRIMARY KEY (def_id, def_version, id),
    FOREIGN KEY (def_id, def_version) REFERENCES definition (id, version) ON DELETE CASCADE
) STRICT;

CREATE TABLE question (
    def_id       TEXT NOT NULL,
    def_version  TEXT NOT NULL,
    id           TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    is_profile   INTEGER NOT NULL,
    criterion_id TEXT,             -- NULL for profile questions
    scale_id     TEXT NOT NULL,
    groups       TEXT NOT NULL,    -- group ids asked, space-separated
    text_vi      TEXT NOT NULL,
    text_en      TEXT NOT NULL,
    PRIMARY KEY (def_id, def_version, id),
    FOREIGN KEY (def_id, def_version) REFERENCES definition (id, version) ON DELETE CASCADE
) STRICT;

CREATE TABLE scale_option (
    def_id      TEXT NOT NULL,
    def_version TEXT NOT NULL,
    scale_id    TEXT NOT NULL,
    code        TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    label_vi    TEXT NOT NULL,
    label_en    TEXT NOT NULL,
    weight      REAL,              -- NULL: not scored (profile scales)
    excluded    INTEGER NOT NULL,  -- 1: not counted in the valid N
    PRIMARY KEY (def_id, def_version, scale_id, code),
    FOREIGN KEY (def_id, def_version) REFERENCES definition (id, version) ON DELETE CASCADE
) STRICT;

CREATE TABLE commune (
    code          TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    type          TEXT NOT NULL CHECK (type IN ('xã', 'phường', 'thị trấn')),
    district_code TEXT NOT NULL,
    district      TEXT NOT NULL
) STRICT;
