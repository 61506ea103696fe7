/* The commune register: the area's communes, wards, townships, special zones, from a CSV file
   with the header code,name,type and, for a district's register, district_code,district
   (both or neither), and optionally province (any column order). A type is one the
   definition lists (default: xã, phường, thị trấn). */
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
	long row;
};

struct commune_list {
	struct commune *v;
	size_t n, alloc;
};

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

#endif
