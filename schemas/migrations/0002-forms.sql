-- 0002: the generated survey forms, one per respondent group and definition version, so that
-- capture can match a submission (root id + version) to its form and group.

CREATE TABLE form (
    id           TEXT NOT NULL,     -- the XForm's instance id, e.g. hai-duong-commune-par-G1
    version      TEXT NOT NULL,     -- the definition's version
    def_id       TEXT NOT NULL,
    def_version  TEXT NOT NULL,
    group_id     TEXT NOT NULL,
    sha256       TEXT NOT NULL,     -- of content, the exact bytes written
    content      BLOB NOT NULL,
    generated_at TEXT NOT NULL,
    PRIMARY KEY (id, version),
    FOREIGN KEY (def_id, def_version) REFERENCES definition (id, version),
    FOREIGN KEY (def_id, def_version, group_id)
        REFERENCES respondent_group (def_id, def_version, id)
) STRICT;
