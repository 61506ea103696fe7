/* The database: one SQLite file, its schema brought up to date by the migrations compiled in
   from schemas/migrations, versioned by PRAGMA user_version. WAL mode, foreign keys on. */
#ifndef PARINDEX_DB_H
#define PARINDEX_DB_H

#include <sqlite3.h>

#include "err.h"

enum db_mode {
	DB_EXISTING, /* the file must exist with the current schema */
	DB_MIGRATE,  /* create the file if needed and apply missing migrations */
};

/* The path to use: the --db option if given, else $PARINDEX_DB, else "parindex.db". */
const char *db_path(const char *option);
/* The schema version this binary writes. */
int db_schema_version(void);
int db_open(sqlite3 **db, const char *path, enum db_mode mode, struct perr *err);
/* The same, telling in *before the schema version the file had (0: new or empty). */
int db_open_from(sqlite3 **db, const char *path, enum db_mode mode, int *before,
		 struct perr *err);
void db_close(sqlite3 *db);
/* The steps both db_open_from and backup_open take: open path with SQLite's flags, extended
   result codes on, a 30 s busy timeout; -1 with err (and nothing left open) on failure. */
int db_open_file(sqlite3 **db, const char *path, int flags, struct perr *err);
/* After a first read of db failed: when SQLite found no database (or a damaged one) in path,
   say so in err (PERR_DATA) and return 1; else 0, err left as it is. */
int db_not_a_database(sqlite3 *db, const char *path, struct perr *err);

int db_exec(sqlite3 *db, const char *sql, struct perr *err);
int db_prepare(sqlite3 *db, sqlite3_stmt **st, const char *sql, struct perr *err);
/* Fill err from the database's last error; returns -1. */
int db_fail(sqlite3 *db, struct perr *err, const char *doing);
/* Bind a text value (copied by SQLite) or NULL. */
int db_bind_text(sqlite3_stmt *st, int i, const char *s);
/* Run a statement that returns no rows, then reset it; -1 with err on failure. */
int db_step_done(sqlite3 *db, sqlite3_stmt *st, struct perr *err);
/* Text of a setting, copied into buf; 0 if found, 1 if absent, -1 on error. */
int db_setting_get(sqlite3 *db, const char *key, char *buf, size_t size, struct perr *err);
int db_setting_set(sqlite3 *db, const char *key, const char *value, struct perr *err);
/* The current time as ISO 8601 UTC ("2026-01-05T08:30:00Z"); $PARINDEX_NOW overrides it so
   tests are repeatable. */
const char *db_now(char buf[32]);

#endif
