-- 0007: capture keeps an edit's meta/deprecatedID, so that the stored state does not depend on
-- the order submissions arrive in. An edit whose original is not stored (yet) is stored with
-- replaces NULL and counts as current; when the original arrives it is stored already
-- superseded by the edit, and the edit's replaces is set. Undoing the original's batch makes
-- the edit wait again. Rows stored before 0007 get the id of the row they replace.
ALTER TABLE submission ADD COLUMN deprecated_id TEXT;
UPDATE submission SET deprecated_id =
    (SELECT o.instance_id FROM submission o WHERE o.id = submission.replaces)
    WHERE replaces IS NOT NULL;
-- few rows are edits: a partial index stays small, and 'deprecated_id = ?' can use it
CREATE INDEX submission_deprecated ON submission (deprecated_id) WHERE deprecated_id IS NOT NULL;
