/* The server's spool, as seen from outside the server: `parindex backup` copies it and applies
   the copy to its copy of the database (core/backup.c), so that a backup holds every
   submission that had its 201. The spool is an SQLite file beside the database, DB.spool. */
#ifndef PARINDEX_SERVE_STORE_H
#define PARINDEX_SERVE_STORE_H

#include <sqlite3.h>
#include <stdint.h>

#include "err.h"

/* The spool's path for the database at db_path, allocated. */
char *serve_spool_path(const char *db_path);

/* What applying a spool did. */
struct serve_applied {
	uint64_t entries;     /* spooled submissions applied (not counting those applied before) */
	uint64_t submissions; /* rows added to submission */
	uint64_t batches;     /* batches opened */
};

/* Apply every row of the spool file at spool_path that db has not applied yet to db (the
   database, or a copy of it), in one transaction: as serve_store does, per surveyor per day.
   A spool that does not exist is an empty one. 0, or -1 with err (nothing applied). */
int serve_spool_apply_file(sqlite3 *db, const char *spool_path, struct serve_applied *a,
			   struct perr *err);

#endif
