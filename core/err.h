/* Errors: a small struct that functions fill and return -1, and a list of diagnostics for
   checkers that report every problem they find rather than the first. */
#ifndef PARINDEX_ERR_H
#define PARINDEX_ERR_H

#include <stddef.h>

/* Exit status of the program, also the error's class. */
enum perr_code {
	PERR_OK = 0,
	PERR_DATA = 1,   /* the input was rejected */
	PERR_USAGE = 2,  /* the command line was wrong */
	PERR_SYSTEM = 3, /* out of our hands: I/O, database, missing program */
};

struct perr {
	int code;
	char where[256]; /* file, file:line or file(entry):line; may be empty */
	char msg[512];
};

/* Fill e (if not NULL) and return -1, so callers can `return perr_set(...)`. */
int perr_set(struct perr *e, int code, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void perr_clear(struct perr *e);
/* Print "parindex: STAGE: WHERE: MSG" to stderr; returns e->code. */
int perr_print(const struct perr *e, const char *stage);

/* A growing list of "where: message" lines. n counts every problem added, lines holds
   nlines of them: diag_add_capped keeps at most DIAG_CAP lines of one kind and only counts
   the rest, so a file with a million bad rows takes a screen, not gigabytes. */
#define DIAG_CAP 20

struct diag_kind {
	const char *kind; /* the caller's string, e.g. "unknown commune code" */
	char *file;
	size_t n;
};

struct diag {
	char **lines;
	size_t n, alloc, nlines;
	struct diag_kind *kinds;
	size_t nkinds, akinds;
	char *hint; /* printed last, once; not a problem of its own */
};

void diag_add(struct diag *d, const char *file, long line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* diag_add, but past DIAG_CAP problems of the same kind only counted; diag_print then
   adds "FILE: ... and N more KIND errors". */
void diag_add_capped(struct diag *d, const char *kind, const char *file, long line,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Set the one hint printed after every line ("FILE: hint: ..."), unless one is set. */
void diag_hint(struct diag *d, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void diag_print(const struct diag *d, const char *stage);
void diag_release(struct diag *d);

/* Allocation that aborts with a message on failure: out of memory is not an input error. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grow *p (of *alloc elements of size sz) to hold at least need elements. */
void xgrow(void *pp, size_t *alloc, size_t need, size_t sz);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
