/* Backups: a consistent copy of the database taken with SQLite's online backup API while
   other processes (an import, the server) keep writing, then opened and checked; and the
   quick check the server runs at start. */
#ifndef PARINDEX_BACKUP_H
#define PARINDEX_BACKUP_H

#include <sqlite3.h>

#include "err.h"

/* What a database holds, as the backup compares it; -1 for a table its schema version does
   not have. */
struct backup_counts {
	int schema_version;
	long long submissions, batches, scores, communes, accounts;
};

struct backup_report {
	struct backup_counts source; /* the source at the copy's time */
	struct backup_counts copy;   /* the copy, read back */
	long long pages, page_size, steps;
	char integrity[128];         /* "ok", or the first problem integrity_check found */
	/* the server's spool (DB.spool, capture/serve_store.h), copied before the database and
	   applied to the copy: spool 1 when there was one, entries the spooled submissions the
	   copy had not applied, submissions and batches the rows that added */
	int spool;
	long long spool_entries, spool_submissions, spool_batches;
};

/* Copy db into path (written as a PATH.XXXXXX of its own, synced, renamed), BACKUP_STEP_PAGES pages a step,
   from one read snapshot of db, so writers are not held up and the copy is what was
   committed when the backup began. The server's spool beside db is copied first and applied
   to the copy, so the copy holds every submission the server answered 201 before the backup
   began. Then open the copy, run integrity_check and compare its counts with the source's at
   the copy's time (plus what the spool added): -1 with err (and no file at path) if they
   differ. An existing path is refused unless force. */
#define BACKUP_STEP_PAGES 256
/* Called after each step (if not NULL) with the pages left and in all: for progress, and for
   tests that write to the database in the middle of a backup. */
typedef void backup_progress_fn(void *arg, long long remaining, long long pages);
int backup_database(sqlite3 *db, const char *path, int force, backup_progress_fn *progress,
		    void *arg, struct backup_report *r, struct perr *err);

/* Open a parindex database of any schema version for a backup (one older than this binary
   too: a copy is wanted before 'parindex init' upgrades it); a file that is not one is
   refused. */
int backup_open(sqlite3 **db, const char *path, struct perr *err);
/* PRAGMA quick_check: 0 "ok", else -1 with err naming the first problem. */
int db_quick_check(sqlite3 *db, struct perr *err);

/* parindex backup (core/backup_cmd.c) */
int cmd_backup(int argc, char **argv);

#endif
