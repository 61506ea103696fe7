/* Undoing a batch: what it added goes, what it edited comes back, in one transaction. */
#include "capture.h"

#include <string.h>

#include "db.h"

static int one_int(sqlite3 *db, const char *sql, int64_t batch, int64_t *out, struct perr *err)
{
	sqlite3_stmt *st;
	int rc;

	*out = 0;
	if (db_prepare(db, &st, sql, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, batch);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, err, "reading batches");
	return rc == SQLITE_ROW;
}

static int run(sqlite3 *db, const char *sql, int64_t batch, const char *now, int *changed,
	       struct perr *err)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, &st, sql, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, batch);
	if (now)
		sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "undoing the batch");
	if (changed)
		*changed = sqlite3_changes(db);
	return 0;
}

int capture_undo(sqlite3 *db, int64_t batch, struct capture_result *res, struct perr *err)
{
	int64_t v;
	int removed = 0, restored = 0, waiting = 0, rc;
	char now[32], where[32];

	memset(res, 0, sizeof(*res));
	snprintf(where, sizeof(where), "batch %lld", (long long)batch);
	if (db_exec(db, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	rc = one_int(db, "SELECT undone_at IS NOT NULL FROM batch WHERE id = ?", batch, &v, err);
	if (rc < 0)
		goto fail;
	if (rc == 0) {
		perr_set(err, PERR_DATA, where, "no such batch");
		goto fail;
	}
	if (v) {
		perr_set(err, PERR_DATA, where, "already undone");
		goto fail;
	}
	/* edits in other batches of what this one added wait for their original again, as if
	   this batch had never come: the state is the one its other batches give in any order */
	if (run(db, "UPDATE submission SET superseded_by = NULL WHERE batch_id <> ?1 AND "
		    "superseded_by IN (SELECT id FROM submission WHERE batch_id = ?1)",
		batch, NULL, &restored, err) < 0 ||
	    run(db, "UPDATE submission SET replaces = NULL WHERE batch_id <> ?1 AND "
		    "replaces IN (SELECT id FROM submission WHERE batch_id = ?1)",
		batch, NULL, &waiting, err) < 0 ||
	    run(db, "DELETE FROM submission WHERE batch_id = ?1", batch, NULL, &removed, err) < 0 ||
	    run(db, "UPDATE batch SET undone_at = ?2 WHERE id = ?1", batch, db_now(now), NULL,
		err) < 0 ||
	    db_exec(db, "COMMIT", err) < 0)
		goto fail;
	res->batch_id = batch;
	res->count[CAPTURE_ACCEPTED] = (uint64_t)removed;
	res->count[CAPTURE_EDIT] = (uint64_t)restored;
	res->waiting = (uint64_t)waiting;
	return 0;
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}
