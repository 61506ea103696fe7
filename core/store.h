/* Loading the definition and the commune register into the database, and reading back the
   definition the database works with (the "active" one, set by the last init). */
#ifndef PARINDEX_STORE_H
#define PARINDEX_STORE_H

#include <sqlite3.h>

#include "commune.h"
#include "def.h"
#include "err.h"

struct store_counts {
	int added, updated, unchanged;
};

/* Store d (parsed from content) unless the same id + version is there already: the same bytes
   count as unchanged, different bytes are refused. Makes it the active definition. Runs inside
   the caller's transaction. */
int store_definition(sqlite3 *db, const struct def *d, const char *content, size_t len,
		     const char *source, struct store_counts *n, struct perr *err);
/* Insert new communes, update changed ones; communes absent from l are kept. */
int store_communes(sqlite3 *db, const struct commune_list *l, struct store_counts *n,
		   struct perr *err);

/* A definition is one area's index (a province's, or a district's of it): refuse (PERR_DATA,
   at `where`) a register that has communes but none of the definition's district (a district
   definition), or, for a province definition, a register whose province column names only
   other provinces; both areas named. def_desc and reg_desc say where each came from ("" for
   the file named in `where`). */
int store_check_district(const struct def *d, const char *def_desc, const struct commune_list *l,
			 const char *reg_desc, const char *where, struct perr *err);

/* Load a stored definition (id + version) into d. */
int store_load_definition(sqlite3 *db, const char *id, const char *version, struct def *d,
			  struct perr *err);
/* Load the active definition from the database into d. */
int store_active_definition(sqlite3 *db, struct def *d, struct perr *err);
/* All communes of the register, ordered by code. */
int store_load_communes(sqlite3 *db, struct commune_list *l, struct perr *err);

#endif
