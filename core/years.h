/* Years: what each definition's (year's) tally published is kept in tally_year and
   tally_year_commune (migration 0014), and a unit's result is compared with the previous
   year's: the latest year tallied before its own (by year, then by when it was tallied).

   A unit of the previous year with the same code is the same unit. A unit formed from old
   units by a merger that took effect after the previous year and in its own year (the
   merged-units mapping, core/merge.h) is compared with its one old unit when it has only one
   (a unit renamed); with several, their previous results are listed, never combined. Ranks
   compare only within the same ranking group. */
#ifndef PARINDEX_YEARS_H
#define PARINDEX_YEARS_H

#include <sqlite3.h>
#include <stddef.h>

#include "err.h"

/* an old unit's, or the unit's own, result in the previous year */
struct years_result {
	char *code, *name;
	char *index;  /* as published; NULL: not tallied that year */
	long rank;    /* 0: not ranked */
	char *group;  /* its ranking group then ("" the default) */
};

struct years_unit {
	int has;                  /* compared with `same` */
	struct years_result same; /* the unit itself, or its one old unit (renamed) */
	int renamed;              /* same is an old unit of another code */
	size_t first_from, nfrom; /* old units (2 or more, or 1 keeping the code) in `from` */
};

struct years_previous {
	int year;                   /* 0: no previous year tallied */
	char *def_id, *def_version; /* its definition */
	size_t n;
	struct years_unit *v;       /* per unit asked for */
	struct years_result *from;
	size_t nfrom, alloc;
};

/* The previous year of a tally of `year` and the results of the n units `codes` in it (a
   unit not there is new: has 0, nfrom 0). p is released by the caller, also after -1. */
int years_previous_load(sqlite3 *db, int year, size_t n, const char *const *codes,
			struct years_previous *p, struct perr *err);
void years_previous_release(struct years_previous *p);

/* Places risen (positive) or fallen (negative) from prev_rank to rank; *ok = 0 when either
   is not ranked or the groups differ. */
long years_rank_change(const struct years_unit *u, long rank, const char *group, int *ok);
/* index - previous index (published texts) at `decimals` places, signed ("+1.25", "-0.50",
   "0.00"), into buf; NULL when either is missing. */
const char *years_index_change(const char *index, const char *prev, int decimals, char *buf,
			       size_t size);

/* Keep what a tally of definition (def_id, def_version, year) published, from the tally_*
   tables just written, replacing that definition's earlier rows; inside the caller's
   transaction. */
int years_keep(sqlite3 *db, const char *def_id, const char *def_version, int year,
	       struct perr *err);

#endif
