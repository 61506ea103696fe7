-- Read after mini-tally.sql: a tally with no tally_group rows (a definition or fixture without
-- the groups' rows), so no commune has a number of forms per group for the quota chart.
DELETE FROM tally_group;
