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

/* Which units exist in a year. An old code of a merger effective in that year or before is
   gone (unless it is also the new unit's code); a new code of a merger effective after it is
   not there yet. Gone units keep their past results (tally --year, the previous year's
   columns) but are offered nowhere in the year: not in the forms' commune list, the tally,
   the scores sheet, the office's dashboard, the web survey or paper keying, and a
   submission for one to a form of that year is rejected (capture: reason merged-commune).
   The register's validity dates (commune_validity, 0019) come first: a unit with them is one
   of year Y only when it exists on Y's last day (commune_valid_in). */
enum merge_state { MERGE_UNIT, MERGE_GONE, MERGE_NOT_YET, MERGE_INVALID };

/* a unit's validity dates ("" open) */
struct merge_validity {
	char *code;
	char from[11], to[11];
};

/* The stored mapping, held to ask of many units (capture's registry, a year's register). */
struct merge_map {
	struct merge *v; /* sorted by old code */
	size_t n;
	size_t *by_new;  /* indexes into v sorted by new code */
	struct merge_validity *valid; /* sorted by code */
	size_t nvalid;
};

int merge_map_load(sqlite3 *db, struct merge_map *m, struct perr *err);
void merge_map_release(struct merge_map *m);
/* code's state in `year`; *why (may be NULL) the merger that decides it when not a unit
   (NULL for MERGE_INVALID, the register's dates) */
enum merge_state merge_map_state(const struct merge_map *m, const char *code, int year,
				 const struct merge **why);
/* The same, said into buf: "merged into 90010 on 2025-07-01, not a unit in 2025", "formed on
   2025-07-01, not a unit yet in 2024", "valid from 2026-01-01 to ..., not a unit in 2025". */
enum merge_state merge_map_say(const struct merge_map *m, const char *code, int year, char *buf,
			       size_t size);
/* One unit: 1 when code exists in `year`, 0 when not (why said into buf), -1 with err. */
int merge_unit_exists(sqlite3 *db, const char *code, int year, char *buf, size_t size,
		      struct perr *err);

/* Keep the units of cl that exist in `year`. */
int merge_year_units(sqlite3 *db, int year, struct commune_list *cl, struct perr *err);

#endif
