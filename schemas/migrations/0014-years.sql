-- 0014: several years in one database, and merged units (issue 13).
--
-- Years. A year is a definition (id, version; its year attribute). Forms, submissions and
-- scores were already tied to their definition; the tally_* tables of 0005 still hold one
-- run, the last one, with all its detail. What each year published is kept here: 'parindex
-- tally' replaces the rows of its own definition only, so the previous year's ranking stays
-- when a new year is tallied. The report and 'tally --format csv|json' compare a unit with
-- the latest year before its own (tally_year.year, then computed_at).
--
-- Merged units. 'parindex init --merges FILE' loads the mapping: a unit of the register
-- (new_code) formed on `effective` from old units (old_code; one old code alone is a renamed
-- unit). Both codes are in the register. For a definition of year Y, an old code whose
-- merger took effect in year Y or before is no longer a unit (not tallied), and a new code
-- whose merger takes effect after year Y is not one yet.

-- one row per definition tallied: the year it is, and when its tally was published
CREATE TABLE tally_year (
    def_id      TEXT NOT NULL,
    def_version TEXT NOT NULL,
    year        INTEGER NOT NULL,  -- the definition's year attribute
    computed_at TEXT NOT NULL,
    communes    INTEGER NOT NULL,
    submissions INTEGER NOT NULL,
    PRIMARY KEY (def_id, def_version),
    FOREIGN KEY (def_id, def_version) REFERENCES definition (id, version)
) STRICT, WITHOUT ROWID;

-- each unit's published result of that year, with its name and type then (the register
-- changes from year to year)
CREATE TABLE tally_year_commune (
    def_id          TEXT NOT NULL,
    def_version     TEXT NOT NULL,
    commune_code    TEXT NOT NULL,
    name            TEXT NOT NULL,
    type            TEXT NOT NULL,
    ranking_group   TEXT NOT NULL,     -- tally_ranking.ranking_group (0013; 'all' without a
                                       -- row); '': a type not ranked
    index_value     REAL NOT NULL,
    index_published TEXT NOT NULL,
    tier_id         TEXT,              -- NULL: chưa xếp loại
    rank            INTEGER,           -- NULL: not ranked
    flags           TEXT NOT NULL,
    PRIMARY KEY (def_id, def_version, commune_code),
    FOREIGN KEY (def_id, def_version) REFERENCES tally_year (def_id, def_version)
) STRICT, WITHOUT ROWID;

-- the merged-units mapping, as loaded (file and line for messages)
CREATE TABLE commune_merge (
    new_code  TEXT NOT NULL REFERENCES commune (code),
    old_code  TEXT NOT NULL REFERENCES commune (code),
    effective TEXT NOT NULL,           -- YYYY-MM-DD
    source    TEXT NOT NULL,
    line      INTEGER NOT NULL,
    PRIMARY KEY (new_code, old_code)
) STRICT, WITHOUT ROWID;
CREATE INDEX commune_merge_old ON commune_merge (old_code);

-- a database with a tally keeps it as its definition's year
INSERT INTO tally_year (def_id, def_version, year, computed_at, communes, submissions)
    SELECT r.def_id, r.def_version, d.year, r.computed_at, r.communes, r.submissions
    FROM tally_run r JOIN definition d ON d.id = r.def_id AND d.version = r.def_version;
INSERT INTO tally_year_commune (def_id, def_version, commune_code, name, type, ranking_group,
                                index_value, index_published, tier_id, rank, flags)
    SELECT y.def_id, y.def_version, t.commune_code, coalesce(c.name, ''), coalesce(c.type, ''),
           CASE WHEN g.commune_code IS NULL THEN 'all' ELSE coalesce(g.ranking_group, '') END,
           t.index_value, t.index_published, t.tier_id, t.rank, t.flags
    FROM tally_commune t CROSS JOIN tally_year y LEFT JOIN commune c ON c.code = t.commune_code
         LEFT JOIN tally_ranking g ON g.commune_code = t.commune_code;
