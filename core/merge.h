/* Merged units: the mapping file that says which new unit of the register was formed from
   which old ones, and when (the 2025 reform merged communes into new ones). A CSV file with
   the header new_code,old_code,effective (any column order; other columns, such as names for
   the reader, are ignored): one row per old unit of a new one; a unit renamed is a new code
   with one old code; a new unit that keeps the code of one of its old ones lists that code
   as one of its old codes. effective is the date the new unit came into being, YYYY-MM-DD.

   merge_load checks the file alone (header, codes, dates, duplicates); merge_store checks it
   against the database (codes in the register, no cycle with what is stored) and stores it,
   inside the caller's transaction. Every problem names file and line. */
#ifndef PARINDEX_MERGE_H
#define PARINDEX_MERGE_H

#include <sqlite3.h>
#include <stddef.h>

#include "commune.h"
#include "err.h"
#include "store.h"

/* the years an effective date may lie in */
#define MERGE_YEAR_MIN 1945
#define MERGE_YEAR_MAX 2100

struct merge {
	char *new_code, *old_code;
	char effective[11]; /* YYYY-MM-DD */
	long line;
};

struct merge_list {
	struct merge *v;
	size_t n, alloc;
	char *source; /* the file's name */
};

/* Every bad row is added to diag ("name:line: message"); 0 when there is none, else -1
   and the list is released. */
int merge_load(struct merge_list *l, const char *buf, size_t len, const char *name,
	       struct diag *diag);
int merge_load_file(struct merge_list *l, const char *path, struct diag *diag);
void merge_list_release(struct merge_list *l);

/* Check l against the register and the stored mapping (unknown codes, a cycle), adding each
   problem to diag; when there is none, store it (a pair already stored takes the new date).
   Returns 0, 1 when diag has problems (nothing stored), -1 with err on a database error. */
int merge_store(sqlite3 *db, const struct merge_list *l, struct store_counts *n,
		struct diag *diag, struct perr *err);

/* Keep the units of cl that exist in `year`: an old code of a merger effective in that year
   or before is gone (unless it is also the new unit's code), a new code of a merger effective
   after it is not there yet. */
int merge_year_units(sqlite3 *db, int year, struct commune_list *cl, struct perr *err);

#endif
