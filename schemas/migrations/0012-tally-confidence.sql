-- 0012: the statistical confidence of each commune's tally (issue 14). 'parindex tally'
-- resamples each commune's forms within its respondent groups (a stratified bootstrap,
-- tally_confidence_run.resamples times, from its seed) and recomputes the survey points as
-- the tally does; the published values in tally_commune stay the point estimates. Replaced
-- with the other tally_* rows on every run; no rows when the run had --resamples 0.

-- one row when the last tally resampled
CREATE TABLE tally_confidence_run (
    id        INTEGER PRIMARY KEY,
    resamples INTEGER NOT NULL,
    seed      INTEGER NOT NULL
) STRICT;

-- per commune with survey forms to resample: 95 % percentile intervals (nearest rank of the
-- 2.5th and 97.5th percentiles over the resamples), rounded half-up at the definition's
-- decimals like the published values
CREATE TABLE tally_confidence (
    commune_code TEXT PRIMARY KEY,
    survey_low   REAL NOT NULL,  -- survey points
    survey_high  REAL NOT NULL,
    index_low    REAL NOT NULL,  -- index, each resample's rounded as published
    index_high   REAL NOT NULL,
    rank_low     INTEGER,        -- the best rank (2.5th percentile); NULL: not ranked
    rank_high    INTEGER         -- the worst (97.5th percentile)
) STRICT, WITHOUT ROWID;

-- per classified commune and class: how many resamples fell in it (share = resamples /
-- tally_confidence_run.resamples); tier_id '' counts resamples that had no valid survey answer at all
-- (chưa xếp loại); only classes with at least one resample have a row
CREATE TABLE tally_class_share (
    commune_code TEXT NOT NULL,
    tier_id      TEXT NOT NULL,
    resamples    INTEGER NOT NULL,
    PRIMARY KEY (commune_code, tier_id)
) STRICT, WITHOUT ROWID;
