/* Reading CSV files with libcsv: a UTF-8 byte-order mark is skipped, the text must be valid
   UTF-8, blank lines are skipped, and each record reaches a callback with its line number
   (the line where its first field ends; the header is usually line 1).

   The separator is found on the header line: whichever of ',' ';' and tab occurs most often
   outside quotes (',' when none does), so the ';' files Excel writes in a Vietnamese or
   other decimal-comma locale read as they are. A record's fields live in one buffer the
   reader reuses, so memory is the longest record, not one allocation per field; a record
   of more than CSVIN_MAX_FIELDS fields is refused. */
#ifndef PARINDEX_CSVIN_H
#define PARINDEX_CSVIN_H

#include <stddef.h>

#include "err.h"
#include "strbuf.h"

#define CSVIN_MAX_FIELDS 16384 /* Excel's own column limit */

struct csvin_record {
	char **fields; /* NUL-terminated, owned by the reader and valid during the callback;
			  the callback may change them in place */
	size_t nfields;
	long number; /* line number */
	char sep;    /* the file's separator: ',' ';' or '\t' */
};

/* Return 0 to go on, -1 to stop reading (the callback has reported why). */
typedef int (*csvin_fn)(const struct csvin_record *rec, void *ctx);

int csvin_read(const char *buf, size_t len, const char *name, csvin_fn fn, void *ctx,
	       struct perr *err);

/* Read the CSV file at path (at most CSVIN_FILE_MAX bytes) into sb: 0, or -1 with "cannot
   read" said at path in diag and sb released. */
#define CSVIN_FILE_MAX (64 << 20)
int csvin_read_file(struct strbuf *sb, const char *path, struct diag *diag);

/* Index of the column named `name` in a header record, or -1. */
int csvin_column(const struct csvin_record *header, const char *name);

/* Find the n columns names[] in a header record: col[c] is the index of names[c], or -1.
   Each one missing whose bit is not set in `optional` is said at the header's line in file:
   "header has no column 'NAME' (expected LIST)", LIST the first nlisted names joined by ','.
   Returns how many were said. */
int csvin_header_columns(const struct csvin_record *header, const char *const *names, size_t n,
			 size_t nlisted, unsigned long optional, int *col, struct diag *diag,
			 const char *file);

#endif
