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

/* A growing list of "where: message" lines. */
struct diag {
	char **lines;
	size_t n, alloc;
};

void diag_add(struct diag *d, const char *file, long line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
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
