/* Opening, migrating and small helpers for the SQLite database. */
#include "db.h"
#include "embedded.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Crash tests (tests/cli/t8002-crash.sh) stop the program at a chosen point of its database
   work: PARINDEX_TEST_KILL_AT=N sends it SIGKILL at the Nth progress callback (one every 100
   virtual-machine steps, counted over the process); 0 counts them and prints the total at
   db_close. Unset, no handler is installed. */
static long test_steps, test_kill_at = -1;

static int test_progress(void *unused)
{
	if (++test_steps == test_kill_at)
		raise(SIGKILL);
	return 0;
}

static void test_hook(sqlite3 *db)
{
	const char *env = getenv("PARINDEX_TEST_KILL_AT");

	if (!env || !*env)
		return;
	test_kill_at = strtol(env, NULL, 10);
	sqlite3_progress_handler(db, 100, test_progress, NULL);
}

const char *db_path(const char *option)
{
	const char *env = getenv("PARINDEX_DB");

	if (option && *option)
		return option;
	if (env && *env)
		return env;
	return "parindex.db";
}

int db_schema_version(void)
{
	int n = 0;

	while (embedded_migrations[n])
		n++;
	return n;
}

int db_fail(sqlite3 *db, struct perr *err, const char *doing)
{
	const char *file = db ? sqlite3_db_filename(db, "main") : NULL;
	int code = db ? sqlite3_errcode(db) : SQLITE_ERROR;
	int os = db ? sqlite3_system_errno(db) : 0;

	/* an I/O failure says what failed: "disk I/O error" alone leaves the user guessing; the
	   system's errno is often gone by the time SQLite reports a failed write (its rollback
	   made other calls), so a failed write says where to look */
	if (os && ((code & 0xff) == SQLITE_IOERR || (code & 0xff) == SQLITE_FULL ||
		   (code & 0xff) == SQLITE_CANTOPEN))
		return perr_set(err, PERR_SYSTEM, file && *file ? file : "database", "%s: %s (%s)",
				doing, sqlite3_errmsg(db), strerror(os));
	if (code == SQLITE_IOERR_WRITE || code == SQLITE_IOERR_TRUNCATE ||
	    code == SQLITE_IOERR_FSYNC || code == SQLITE_IOERR_SHMSIZE)
		return perr_set(err, PERR_SYSTEM, file && *file ? file : "database",
				"%s: %s: cannot write the database or its journal (check free space and file size limits)",
				doing, sqlite3_errmsg(db));
	/* a constraint or type failure means the data was wrong, not the system */
	return perr_set(err, (code & 0xff) == SQLITE_CONSTRAINT ? PERR_DATA : PERR_SYSTEM,
			file && *file ? file : "database", "%s: %s", doing,
			db ? sqlite3_errmsg(db) : "cannot allocate");
}

int db_exec(sqlite3 *db, const char *sql, struct perr *err)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, err, "database");
	return 0;
}

int db_prepare(sqlite3 *db, sqlite3_stmt **st, const char *sql, struct perr *err)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
		return db_fail(db, err, "preparing a statement");
	return 0;
}

int db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

int db_step_done(sqlite3 *db, sqlite3_stmt *st, struct perr *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return db_fail(db, err, "writing");
	return 0;
}

static int user_version(sqlite3 *db, int *v, struct perr *err)
{
	sqlite3_stmt *st;

	if (db_prepare(db, &st, "PRAGMA user_version", err) < 0)
		return -1;
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return db_fail(db, err, "reading the schema version");
	}
	*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return 0;
}

static int too_new(const char *path, int v, struct perr *err)
{
	return perr_set(err, PERR_DATA, path,
			"database schema version %d is newer than this parindex knows; use a newer parindex",
			v);
}

/* Apply migrations from `from` up, all in one transaction. Foreign keys are off meanwhile
   (a migration may recreate a table others refer to, SQLite's 12-step way: the switch does
   nothing inside a transaction) and checked whole before the commit. */
static int migrate(sqlite3 *db, const char *path, int want, struct perr *err)
{
	int v, rc;
	char sql[64];
	sqlite3_stmt *st;

	if (db_exec(db, "PRAGMA foreign_keys = OFF", err) < 0)
		return -1;
	if (db_exec(db, "BEGIN IMMEDIATE", err) < 0)
		goto fail;
	/* read again inside the write lock: another process may have migrated meanwhile */
	if (user_version(db, &v, err) < 0)
		goto fail;
	if (v > want) {
		too_new(path, v, err);
		goto fail;
	}
	for (; v < want; v++) {
		if (sqlite3_exec(db, embedded_migrations[v], NULL, NULL, NULL) != SQLITE_OK) {
			db_fail(db, err, "applying a migration");
			goto fail;
		}
	}
	if (db_prepare(db, &st, "PRAGMA foreign_key_check", err) < 0)
		goto fail;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		if (rc == SQLITE_ROW)
			perr_set(err, PERR_SYSTEM, path,
				 "applying a migration: a foreign key no longer holds");
		else
			db_fail(db, err, "applying a migration");
		goto fail;
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", want);
	if (db_exec(db, sql, err) < 0 || db_exec(db, "COMMIT", err) < 0)
		goto fail;
	return db_exec(db, "PRAGMA foreign_keys = ON", err);
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	return -1;
}

int db_open(sqlite3 **out, const char *path, enum db_mode mode, struct perr *err)
{
	return db_open_from(out, path, mode, NULL, err);
}

int db_open_file(sqlite3 **out, const char *path, int flags, struct perr *err)
{
	sqlite3 *db = NULL;

	*out = NULL;
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		perr_set(err, PERR_SYSTEM, path, "cannot open database: %s",
			 db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return -1;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, 30000);
	*out = db;
	return 0;
}

int db_not_a_database(sqlite3 *db, const char *path, struct perr *err)
{
	int code = sqlite3_errcode(db) & 0xff;

	/* not a database at all, or a damaged one */
	if (code != SQLITE_NOTADB && code != SQLITE_CORRUPT)
		return 0;
	perr_set(err, PERR_DATA, path, "not a parindex database: %s", sqlite3_errmsg(db));
	return 1;
}

int db_open_from(sqlite3 **out, const char *path, enum db_mode mode, int *before,
		 struct perr *err)
{
	sqlite3 *db = NULL;
	int want = db_schema_version(), v;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	struct stat sb;

	*out = NULL;
	if (mode == DB_EXISTING && stat(path, &sb) != 0)
		return perr_set(err, PERR_USAGE, path,
				"no database here; create it with 'parindex init' (or name one with --db)");
	if (mode == DB_MIGRATE)
		flags |= SQLITE_OPEN_CREATE;
	if (db_open_file(&db, path, flags, err) < 0)
		return -1;
	if (user_version(db, &v, err) < 0) {
		/* anything but no database (a full disk, a file size limit, no permission for the
		   journal) is the system's */
		if (!db_not_a_database(db, path, err))
			db_fail(db, err, "opening the database");
		goto fail;
	}
	if (v > want) {
		too_new(path, v, err);
		goto fail;
	}
	if (before)
		*before = v;
	/* a new file gets 16 KiB pages (fewer, fuller pages for submissions' JSON answers: about
	   8 % less import time than 4 KiB); only possible before the first write */
	if (v == 0 && mode == DB_MIGRATE && db_exec(db, "PRAGMA page_size = 16384", err) < 0)
		goto fail;
	if (db_exec(db, "PRAGMA journal_mode = WAL", err) < 0 ||
	    db_exec(db, "PRAGMA foreign_keys = ON", err) < 0 ||
	    db_exec(db, "PRAGMA synchronous = NORMAL", err) < 0)
		goto fail;
	if (v < want) {
		if (mode != DB_MIGRATE) {
			perr_set(err, PERR_DATA, path,
				 "database schema version %d is older than this parindex (%d); run 'parindex init' to upgrade it",
				 v, want);
			goto fail;
		}
		if (migrate(db, path, want, err) < 0)
			goto fail;
	}
	test_hook(db);
	*out = db;
	return 0;
fail:
	sqlite3_close(db);
	return -1;
}

void db_close(sqlite3 *db)
{
	sqlite3_close(db);
	if (test_kill_at == 0)
		fprintf(stderr, "parindex: test: %ld database steps\n", test_steps);
}

int db_setting_get(sqlite3 *db, const char *key, char *buf, size_t size, struct perr *err)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, &st, "SELECT value FROM setting WHERE key = ?", err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(buf, size, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return 1;
	return db_fail(db, err, "reading a setting");
}

int db_setting_set(sqlite3 *db, const char *key, const char *value, struct perr *err)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, &st,
		       "INSERT INTO setting (key, value) VALUES (?1, ?2) "
		       "ON CONFLICT (key) DO UPDATE SET value = ?2 WHERE value IS NOT ?2",
		       err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = db_step_done(db, st, err);
	sqlite3_finalize(st);
	return rc;
}

const char *db_now(char buf[32])
{
	const char *env = getenv("PARINDEX_NOW");
	time_t t = time(NULL);
	struct tm tm;

	if (env && *env) {
		snprintf(buf, 32, "%s", env);
		return buf;
	}
	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}
