/* The office's exclusions: a current submission left out of the tally, and taken back (see
   quality.h and migration 0009). Each is recorded in table exclusion and in the audit log. */
#include "quality.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "db.h"

#define CAPTURE_ID_BUF 256

/* 1 and the replacing instance in by (when replaced), 0 when current, -1 with err when
   unknown. */
static int superseded(sqlite3 *db, const char *instance_id, char by[CAPTURE_ID_BUF],
		      struct perr *err)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, &st,
		       "SELECT s.superseded_by IS NOT NULL, coalesce(n.instance_id, '') "
		       "FROM submission s LEFT JOIN submission n ON n.id = s.superseded_by "
		       "WHERE s.instance_id = ?",
		       err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, instance_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		int replaced = sqlite3_column_int(st, 0);

		snprintf(by, CAPTURE_ID_BUF, "%s", (const char *)sqlite3_column_text(st, 1));
		sqlite3_finalize(st);
		return replaced;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "reading submissions");
	return perr_set(err, PERR_DATA, instance_id, "unknown instance: no submission has it");
}

/* The id of the exclusion in effect for instance_id and what it says, or 0 when none. */
static sqlite3_int64 in_effect(sqlite3 *db, const char *instance_id, char said[600],
			       struct perr *err)
{
	sqlite3_stmt *st;
	sqlite3_int64 id = 0;
	int rc;

	if (db_prepare(db, &st,
		       "SELECT id, excluded_at, excluded_by, reason FROM exclusion "
		       "WHERE instance_id = ? AND included_at IS NULL",
		       err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, instance_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		snprintf(said, 600, "%s by %s: %s", (const char *)sqlite3_column_text(st, 1),
			 (const char *)sqlite3_column_text(st, 2),
			 (const char *)sqlite3_column_text(st, 3));
	} else if (rc != SQLITE_DONE) {
		id = db_fail(db, err, "reading exclusions");
	}
	sqlite3_finalize(st);
	return id;
}

/* Does the tally count instance_id (view counted_submission)? 1 or 0, -1 with err. */
static int counted(sqlite3 *db, const char *instance_id, struct perr *err)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, &st, "SELECT 1 FROM counted_submission WHERE instance_id = ?", err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, instance_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, err, "reading submissions");
	return rc == SQLITE_ROW;
}

/* Run fn's checks and writes and record `what` in the audit log, in one transaction. */
static int in_transaction(sqlite3 *db, const char *who, const char *address, const char *what,
			  int (*fn)(sqlite3 *, const char *, const char *, const char *,
				    struct perr *),
			  const char *instance_id, const char *reason, struct perr *err)
{
	if (db_exec(db, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	if (fn(db, instance_id, reason, who, err) < 0 ||
	    audit_record(db, who, address, what, err) < 0 || db_exec(db, "COMMIT", err) < 0) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

static int exclude(sqlite3 *db, const char *instance_id, const char *reason, const char *who,
		   struct perr *err)
{
	char by[CAPTURE_ID_BUF], said[600], now[32];
	sqlite3_stmt *st;
	sqlite3_int64 id;
	int replaced = superseded(db, instance_id, by, err);

	if (replaced < 0)
		return -1;
	if ((id = in_effect(db, instance_id, said, err)) < 0)
		return -1;
	if (id)
		return perr_set(err, PERR_DATA, instance_id, "already excluded on %s", said);
	/* a replaced one counts again only when its edits are excluded */
	if (replaced) {
		int counts = counted(db, instance_id, err);

		if (counts < 0)
			return -1;
		if (!counts)
			return perr_set(err, PERR_DATA, instance_id,
					"replaced by the edit %s, which is what counts: exclude that one",
					by);
	}
	if (db_prepare(db, &st,
		       "INSERT INTO exclusion (instance_id, reason, excluded_by, excluded_at) "
		       "VALUES (?, ?, ?, ?)",
		       err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, instance_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, who, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, db_now(now), -1, SQLITE_TRANSIENT);
	id = db_step_done(db, st, err);
	sqlite3_finalize(st);
	return (int)id;
}

static int include(sqlite3 *db, const char *instance_id, const char *unused, const char *who,
		   struct perr *err)
{
	char said[600], now[32];
	sqlite3_stmt *st;
	sqlite3_int64 id = in_effect(db, instance_id, said, err);
	int rc;

	if (id < 0)
		return -1;
	if (!id) {
		char by[CAPTURE_ID_BUF];

		if (superseded(db, instance_id, by, err) < 0)
			return -1;
		return perr_set(err, PERR_DATA, instance_id, "not excluded");
	}
	if (db_prepare(db, &st,
		       "UPDATE exclusion SET included_by = ?, included_at = ? WHERE id = ?",
		       err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, who, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, db_now(now), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, id);
	rc = db_step_done(db, st, err);
	sqlite3_finalize(st);
	return rc;
}

int capture_exclude_from(sqlite3 *db, const char *instance_id, const char *reason,
			 const char *who, const char *address, struct perr *err)
{
	char *what = xasprintf("capture exclude %s: %s", instance_id, reason);
	int rc = in_transaction(db, who, address, what, exclude, instance_id, reason, err);

	free(what);
	return rc;
}

int capture_include_from(sqlite3 *db, const char *instance_id, const char *who,
			 const char *address, struct perr *err)
{
	char *what = xasprintf("capture include %s", instance_id);
	int rc = in_transaction(db, who, address, what, include, instance_id, NULL, err);

	free(what);
	return rc;
}

int capture_exclude(sqlite3 *db, const char *instance_id, const char *reason, const char *who,
		    struct perr *err)
{
	return capture_exclude_from(db, instance_id, reason, who, "cli", err);
}

int capture_include(sqlite3 *db, const char *instance_id, const char *who, struct perr *err)
{
	return capture_include_from(db, instance_id, who, "cli", err);
}

int quality_excluded(sqlite3 *db, const char *def_id, const char *def_version,
		     struct quality_reason **reasons, size_t *n, long *total, struct perr *err)
{
	sqlite3_stmt *st;
	size_t alloc = 0, count = 0;
	int rc;

	*total = 0;
	if (reasons)
		*reasons = NULL;
	if (db_prepare(db, &st,
		       "SELECT e.reason, count(*) FROM exclusion e JOIN excluded_submission s ON "
		       "s.instance_id = e.instance_id JOIN form f ON f.id = s.form_id AND "
		       "f.version = s.form_version WHERE e.included_at IS NULL AND f.def_id = ? "
		       "AND f.def_version = ? GROUP BY e.reason ORDER BY count(*) DESC, e.reason",
		       err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, def_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, def_version, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long k = sqlite3_column_int(st, 1);

		*total += k;
		if (!reasons)
			continue;
		xgrow(reasons, &alloc, count + 1, sizeof(**reasons));
		(*reasons)[count].reason = xstrdup((const char *)sqlite3_column_text(st, 0));
		(*reasons)[count++].n = k;
	}
	sqlite3_finalize(st);
	if (n)
		*n = count;
	return rc == SQLITE_DONE ? 0 : db_fail(db, err, "reading the exclusions");
}

void quality_reasons_free(struct quality_reason *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].reason);
	free(v);
}
