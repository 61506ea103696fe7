/* Undoing a batch: what it added goes, what it edited comes back, and the paper forms whose
   submissions it held can be keyed again, in one transaction. */
#include "capture.h"

#include <string.h>

#include "account.h"
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

/* The paper forms whose submissions the batch holds (migration 0018): their keyings and
   paper_form rows move to the _undone tables, so the form is not keyed again (both keyings
   start over); each reopen is audited. Before the submissions go, which name the forms. */
#define PAPER_FORMS_OF_BATCH \
	"SELECT commune, group_id, serial FROM paper_form WHERE instance_id IN " \
	"(SELECT instance_id FROM submission WHERE batch_id = ?1)"

static int reopen_paper_forms(sqlite3 *db, int64_t batch, const char *now, const char *who,
			      const char *address, uint64_t *reopened, struct perr *err)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, &st, "SELECT commune, group_id, serial, state FROM paper_form WHERE "
				"instance_id IN (SELECT instance_id FROM submission WHERE batch_id = ?) "
				"ORDER BY commune, group_id, serial", err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, batch);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char what[512];

		snprintf(what, sizeof(what), "paper reopen %s-%s-%lld: batch %lld undone, the form was "
			 "%s; its keyings start over", (const char *)sqlite3_column_text(st, 0),
			 (const char *)sqlite3_column_text(st, 1),
			 (long long)sqlite3_column_int64(st, 2), (long long)batch,
			 (const char *)sqlite3_column_text(st, 3));
		if (audit_record(db, who, address, what, err) < 0) {
			sqlite3_finalize(st);
			return -1;
		}
		(*reopened)++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "reading paper forms");
	if (!*reopened)
		return 0;
	if (run(db, "INSERT INTO paper_keying_undone SELECT id, commune, group_id, serial, keyer, "
		    "form_id, form_version, surveyor, answers, keyed_at, seconds, ?1, ?2 FROM "
		    "paper_keying WHERE (commune, group_id, serial) IN (" PAPER_FORMS_OF_BATCH ")",
		batch, now, NULL, err) < 0 ||
	    run(db, "INSERT INTO paper_form_undone (commune, group_id, serial, state, instance_id, "
		    "differing, decided_by, decided_at, answers, batch_id, undone_at) SELECT commune, "
		    "group_id, serial, state, instance_id, differing, decided_by, decided_at, answers, "
		    "?1, ?2 FROM paper_form WHERE instance_id IN (SELECT instance_id FROM submission "
		    "WHERE batch_id = ?1)", batch, now, NULL, err) < 0 ||
	    run(db, "DELETE FROM paper_keying WHERE (commune, group_id, serial) IN ("
		    PAPER_FORMS_OF_BATCH ")", batch, NULL, NULL, err) < 0 ||
	    run(db, "DELETE FROM paper_form WHERE instance_id IN (SELECT instance_id FROM "
		    "submission WHERE batch_id = ?1)", batch, NULL, NULL, err) < 0)
		return -1;
	return 0;
}

int capture_undo(sqlite3 *db, int64_t batch, const char *who, const char *address,
		 struct capture_result *res, struct perr *err)
{
	int64_t v;
	int removed = 0, restored = 0, waiting = 0, rc;
	char now[32], where[32];

	memset(res, 0, sizeof(*res));
	snprintf(where, sizeof(where), "batch %lld", (long long)batch);
	db_now(now);
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
	if (reopen_paper_forms(db, batch, now, who, address, &res->reopened, err) < 0)
		goto fail;
	/* edits in other batches of what this one added wait for their original again, as if
	   this batch had never come: the state is the one its other batches give in any order */
	if (run(db, "UPDATE submission SET superseded_by = NULL WHERE batch_id <> ?1 AND "
		    "superseded_by IN (SELECT id FROM submission WHERE batch_id = ?1)",
		batch, NULL, &restored, err) < 0 ||
	    run(db, "UPDATE submission SET replaces = NULL WHERE batch_id <> ?1 AND "
		    "replaces IN (SELECT id FROM submission WHERE batch_id = ?1)",
		batch, NULL, &waiting, err) < 0 ||
	    run(db, "DELETE FROM submission WHERE batch_id = ?1", batch, NULL, &removed, err) < 0 ||
	    run(db, "UPDATE batch SET undone_at = ?2 WHERE id = ?1", batch, now, NULL, err) < 0 ||
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
