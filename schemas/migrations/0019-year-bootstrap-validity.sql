-- 0019 (issue 13): a kept year's bootstrap, and the register's validity dates.
--
-- 'parindex report --year YEAR' reports a year whose detailed tally_* rows a later tally has
-- replaced by computing that year again from its stored submissions and scores; with the
-- resamples and seed its tally used, the 95 % intervals and class shares come out as
-- published (any number of threads gives the same).
-- resamples 0: the tally made none; NULL: not known (a year kept before 0019 other than the
-- last one tallied), reported without intervals.
ALTER TABLE tally_year ADD COLUMN resamples INTEGER;
ALTER TABLE tally_year ADD COLUMN seed INTEGER;

-- the last tally's are known
UPDATE tally_year
   SET resamples = coalesce((SELECT resamples FROM tally_confidence_run), 0),
       seed = (SELECT seed FROM tally_confidence_run)
 WHERE EXISTS (SELECT 1 FROM tally_run r WHERE r.def_id = tally_year.def_id
                                           AND r.def_version = tally_year.def_version);

-- The register's validity (its optional columns valid_from, valid_to): a unit in no merger
-- need not exist in every year. A unit is one of year Y when it exists on Y's last day (as a
-- merger's old units are gone from its effective year): from valid_from (NULL: always) to
-- valid_to, its last day (NULL: still). Only units with a date have a row.
CREATE TABLE commune_validity (
    code       TEXT PRIMARY KEY REFERENCES commune (code),
    valid_from TEXT,
    valid_to   TEXT,
    CHECK (valid_from IS NOT NULL OR valid_to IS NOT NULL)
) STRICT, WITHOUT ROWID;
