-- 0013: a definition applies to a province, optionally narrowed to a district, and lists its
-- own unit types and ranking groups (issue 13).
--
-- The register: `type` takes any type the active definition lists (parindex init checks it;
-- the fixed CHECK of 0001 goes), and district_code and district are '' in a province's
-- register without them (its optional province column is checked by init, not stored).
-- The table is recreated with every row kept (foreign keys are off while migrations run and
-- checked whole before their commit: core/db.c).
CREATE TABLE commune_0013 (
    code          TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    type          TEXT NOT NULL,              -- a unit type of the active definition, lower case
    district_code TEXT NOT NULL DEFAULT '',   -- '': a province's register without districts
    district      TEXT NOT NULL DEFAULT ''
) STRICT;
INSERT INTO commune_0013 (code, name, type, district_code, district)
    SELECT code, name, type, district_code, district FROM commune;
DROP TABLE commune;
ALTER TABLE commune_0013 RENAME TO commune;

-- The tally ranks each ranking group on its own (REFERENCE.md §4 within the group) and counts
-- classes per group. What the tally adds per commune is a table of its own beside
-- tally_commune (so a tally_commune row written without it keeps its meaning): a commune with
-- no tally_ranking row is in the default group 'all', without bonus or penalty.
--   ranking_group   the definition's ranking group of the commune's type ('all' when the
--                   definition declares none); NULL: a type the definition does not rank
--                   (computed, shown, never ranked, never in a class count)
--   bonus_points, penalty_points   điểm thưởng and điểm trừ, added to and subtracted from the
--                   100-point index: tally_commune.index_value and index_published are the
--                   adjusted index (not below 0, may pass 100), base_index_published the
--                   100-point one (NULL when the definition has no bonus or penalty)
CREATE TABLE tally_ranking (
    commune_code         TEXT PRIMARY KEY,
    ranking_group        TEXT,
    bonus_points         REAL NOT NULL DEFAULT 0,
    penalty_points       REAL NOT NULL DEFAULT 0,
    base_index_published TEXT
) STRICT, WITHOUT ROWID;
INSERT INTO tally_ranking (commune_code, ranking_group)
    SELECT commune_code, 'all' FROM tally_commune;

-- Reserve forms (dự phòng) per commune and respondent group, where any were received: how
-- many, and how many were counted to fill the group up to its quota (tally_group.forms
-- includes those counted).
CREATE TABLE tally_reserve (
    commune_code    TEXT NOT NULL,
    group_id        TEXT NOT NULL,
    reserve_forms   INTEGER NOT NULL,
    reserve_counted INTEGER NOT NULL,
    PRIMARY KEY (commune_code, group_id)
) STRICT, WITHOUT ROWID;
