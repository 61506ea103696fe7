-- 0017: a kept year's bootstrap (issue 13). 'parindex report --year YEAR' reports a year
-- whose detailed tally_* rows a later tally has replaced by computing that year again from
-- its stored submissions and scores; with the resamples and seed its tally used, the 95 %
-- intervals and class shares come out as published (any number of threads gives the same).
-- resamples 0: the tally made none; NULL: not known (a year kept before 0017 other than the
-- last one tallied), reported without intervals.
ALTER TABLE tally_year ADD COLUMN resamples INTEGER;
ALTER TABLE tally_year ADD COLUMN seed INTEGER;

-- the last tally's are known
UPDATE tally_year
   SET resamples = coalesce((SELECT resamples FROM tally_confidence_run), 0),
       seed = (SELECT seed FROM tally_confidence_run)
 WHERE EXISTS (SELECT 1 FROM tally_run r WHERE r.def_id = tally_year.def_id
                                           AND r.def_version = tally_year.def_version);
