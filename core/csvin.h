/* Reading CSV files with libcsv: a UTF-8 byte-order mark is skipped, the text must be valid
   UTF-8, blank lines are skipped, and each record reaches a callback with its line number
   (the line where its first field ends; the header is usually line 1). */
#ifndef PARINDEX_CSVIN_H
#define PARINDEX_CSVIN_H

#include <stddef.h>

#include "err.h"

struct csvin_record {
	char **fields; /* NUL-terminated copies, owned by the reader */
	size_t nfields;
	long number; /* line number */
};

/* Return 0 to go on, -1 to stop reading (the callback has reported why). */
typedef int (*csvin_fn)(const struct csvin_record *rec, void *ctx);

int csvin_read(const char *buf, size_t len, const char *name, csvin_fn fn, void *ctx,
	       struct perr *err);

/* Index of the column named `name` in a header record, or -1. */
int csvin_column(const struct csvin_record *header, const char *name);

#endif
