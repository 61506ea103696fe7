/* The commune register: the district's communes, wards and townships, from a CSV file with
   the header code,name,type,district_code,district (any column order). */
#ifndef PARINDEX_COMMUNE_H
#define PARINDEX_COMMUNE_H

#include <stddef.h>

#include "err.h"

/* Most communes a register may hold (memory stays about 50 MB at the cap). */
#define COMMUNE_MAX 100000

struct commune {
	char *code; /* the statistics office's unit code */
	char *name;
	char *type; /* "xã", "phường" or "thị trấn" */
	char *district_code, *district;
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
void commune_list_release(struct commune_list *l);

#endif
