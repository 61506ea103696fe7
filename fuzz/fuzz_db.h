/* For the fuzz targets that store what they parse: one in-memory database per process with
   every migration applied, and a savepoint around each input so every input starts from the
   same database. A broken invariant aborts, which libFuzzer and the replay both report. */
#ifndef PARINDEX_FUZZ_DB_H
#define PARINDEX_FUZZ_DB_H

#include <stdio.h>
#include <stdlib.h>

#include "db.h"

__attribute__((noreturn)) static inline void fuzz_die(const char *what, const struct perr *err)
{
	fprintf(stderr, "fuzz: %s: %s: %s\n", what, err ? err->where : "",
		err ? err->msg : "");
	abort();
}

static inline sqlite3 *fuzz_db_open(void)
{
	sqlite3 *db;
	struct perr err = { 0 };

	if (db_open(&db, ":memory:", DB_MIGRATE, &err) < 0)
		fuzz_die("opening the in-memory database", &err);
	return db;
}

static inline void fuzz_db_exec(sqlite3 *db, const char *sql)
{
	struct perr err = { 0 };

	if (db_exec(db, sql, &err) < 0)
		fuzz_die(sql, &err);
}

static inline void fuzz_db_begin(sqlite3 *db)
{
	fuzz_db_exec(db, "SAVEPOINT fuzz");
}

/* Undo everything since fuzz_db_begin. */
static inline void fuzz_db_rollback(sqlite3 *db)
{
	fuzz_db_exec(db, "ROLLBACK TO fuzz");
	fuzz_db_exec(db, "RELEASE fuzz");
}

#endif
