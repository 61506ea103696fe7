/* Error struct, diagnostics list and aborting allocators. */
#include "err.h"
#include "escape.h"
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* fmt and ap formatted into out (size bytes): a message longer than that is cut on a
   character and ends with "…" (text_cut), never inside a character */
static void format_cut(char *out, size_t size, const char *fmt, va_list ap)
{
	char *msg;

	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	text_cut(out, size, msg ? msg : fmt);
	free(msg);
}

int perr_set(struct perr *e, int code, const char *where, const char *fmt, ...)
{
	va_list ap;
	char w[sizeof(e->where)];

	if (!e)
		return -1;
	e->code = code;
	/* a long file name or message is cut on a character, and ends with "…"; where and the
	   arguments may be e's own fields */
	text_cut(w, sizeof(w), where ? where : "");
	va_start(ap, fmt);
	format_cut(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	memcpy(e->where, w, sizeof(w));
	return -1;
}

void perr_clear(struct perr *e)
{
	memset(e, 0, sizeof(*e));
}

/* Messages carry data (names, cells, codes): control characters in them are shown escaped,
   never sent to the terminal. */
int perr_print(const struct perr *e, const char *stage)
{
	fprintf(stderr, "parindex: %s%s", stage ? stage : "", stage ? ": " : "");
	escape_term_fputs(stderr, e->where);
	fputs(e->where[0] ? ": " : "", stderr);
	escape_term_fputs(stderr, e->msg);
	fputc('\n', stderr);
	return e->code ? e->code : PERR_SYSTEM;
}

void diag_add(struct diag *d, const char *file, long line, const char *fmt, ...)
{
	va_list ap;
	char msg[1024];

	va_start(ap, fmt);
	format_cut(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	xgrow(&d->lines, &d->alloc, d->nlines + 1, sizeof(*d->lines));
	d->n++;
	if (line > 0)
		d->lines[d->nlines++] = xasprintf("%s:%ld: %s", file, line, msg);
	else
		d->lines[d->nlines++] = xasprintf("%s: %s", file, msg);
}

void diag_add_capped(struct diag *d, const char *kind, const char *file, long line,
		     const char *fmt, ...)
{
	struct diag_kind *k = NULL;
	va_list ap;
	char msg[1024];

	for (size_t i = 0; i < d->nkinds && !k; i++)
		if (!strcmp(d->kinds[i].kind, kind))
			k = &d->kinds[i];
	if (!k) {
		xgrow(&d->kinds, &d->akinds, d->nkinds + 1, sizeof(*d->kinds));
		k = &d->kinds[d->nkinds++];
		*k = (struct diag_kind){ kind, xstrdup(file), 0 };
	}
	if (++k->n > DIAG_CAP) {
		d->n++;
		return;
	}
	va_start(ap, fmt);
	format_cut(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_add(d, file, line, "%s", msg);
}

void diag_hint(struct diag *d, const char *file, const char *fmt, ...)
{
	va_list ap;
	char msg[1024];

	if (d->hint)
		return;
	va_start(ap, fmt);
	format_cut(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d->hint = xasprintf("%s: hint: %s", file, msg);
}

void diag_print(const struct diag *d, const char *stage)
{
	for (size_t i = 0; i < d->nlines; i++) {
		fprintf(stderr, "parindex: %s: ", stage);
		escape_term_fputs(stderr, d->lines[i]);
		fputc('\n', stderr);
	}
	for (size_t i = 0; i < d->nkinds; i++)
		if (d->kinds[i].n > DIAG_CAP) {
			fprintf(stderr, "parindex: %s: ", stage);
			escape_term_fputs(stderr, d->kinds[i].file);
			fprintf(stderr, ": ... and %zu more %s errors\n", d->kinds[i].n - DIAG_CAP,
				d->kinds[i].kind);
		}
	if (d->hint) {
		fprintf(stderr, "parindex: %s: ", stage);
		escape_term_fputs(stderr, d->hint);
		fputc('\n', stderr);
	}
}

void diag_release(struct diag *d)
{
	for (size_t i = 0; i < d->nlines; i++)
		free(d->lines[i]);
	free(d->lines);
	for (size_t i = 0; i < d->nkinds; i++)
		free(d->kinds[i].file);
	free(d->kinds);
	free(d->hint);
	memset(d, 0, sizeof(*d));
}

static void oom(size_t n)
{
	fprintf(stderr, "parindex: out of memory allocating %zu bytes\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void xgrow(void *pp, size_t *alloc, size_t need, size_t sz)
{
	void **p = pp;
	size_t a = *alloc;

	if (need <= a)
		return;
	a = a ? a : 8;
	while (a < need)
		a *= 2;
	*p = xrealloc(*p, a * sz);
	*alloc = a;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom(0);
	s = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}
