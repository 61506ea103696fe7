/* The commune register: the area's communes, wards, townships, special zones, from a CSV file
   with the header code,name,type and, for a district's register, district_code,district
   (both or neither), and optionally province and valid_from, valid_to (the unit's first and
   last day, YYYY-MM-DD, either empty; stored in commune_validity, 0019) (any column order). A
   type is one the definition lists (default: xã, phường, thị trấn). */
#ifndef PARINDEX_COMMUNE_H
#define PARINDEX_COMMUNE_H

#include <stddef.h>

#include "def.h"
#include "err.h"

/* Most communes a register may hold (memory stays about 50 MB at the cap). */
#define COMMUNE_MAX 100000

struct commune {
	char *code; /* the statistics office's unit code */
	char *name;
	char *type; /* one of the definition's unit types, lower case ("xã", "phường", ...) */
	char *district_code, *district; /* "" in a register without districts */
	char *province;                 /* "" in a register without a province column */
	/* the unit's validity (optional columns valid_from, valid_to: YYYY-MM-DD, its first and
	   last day; "" open); a unit is one of year Y when it exists on Y's last day */
	char *valid_from, *valid_to;
	long row;
};

struct commune_list {
	struct commune *v;
	size_t n, alloc;
	int has_validity; /* the register has a valid_from or valid_to column */
};

/* 1 when s is YYYY-MM-DD, a real day (*year its year), else 0. */
int commune_date_ok(const char *s, int *year);
/* 1 when a unit valid from valid_from to valid_to ("" or NULL: open) exists on the last day
   of `year`. */
int commune_valid_in(const char *valid_from, const char *valid_to, int year);

/* Every bad row is added to diag ("name:row: message"); returns 0 when there are none, else -1
   and the list is released. Names are brought to Unicode NFC. */
int commune_load(struct commune_list *l, const char *buf, size_t len, const char *name,
		 struct diag *diag);
int commune_load_file(struct commune_list *l, const char *path, struct diag *diag);
/* The same, types checked against d's unit types (commune_load: the default ones; a d
   without unit types: any type, to be checked with commune_check_types). */
int commune_load_def(struct commune_list *l, const char *buf, size_t len, const char *name,
		     const struct def *d, struct diag *diag);
int commune_load_file_def(struct commune_list *l, const char *path, const struct def *d,
			  struct diag *diag);
/* Is every commune's type one of d's unit types? Each other one goes to diag as
   "name: commune CODE: type 'T' is not one of ..." (a register read from the database). */
int commune_check_types(const struct commune_list *l, const struct def *d, const char *name,
			struct diag *diag);
void commune_list_release(struct commune_list *l);
/* A unit code: letters, digits, '-' or '_', 1 to 20 bytes. */
int commune_code_ok(const char *s);
/* A CSV cell as the register reads it: spaces and tabs around it trimmed, in NFC; newly
   allocated. */
char *commune_cell(const char *s);
/* Free one commune's strings (the struct itself is the caller's). */
void commune_release(struct commune *c);

#endif
