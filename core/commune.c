/* Reading and checking the commune register. */
#include "commune.h"
#include "csvin.h"
#include "strbuf.h"
#include "text.h"

#include <errno.h>
#include <string.h>
#include <stdlib.h>

static const char *const columns[] = { "code", "name", "type", "district_code", "district" };
#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

static const char *const types[] = { "xã", "phường", "thị trấn" };

struct load {
	struct commune_list *l;
	struct diag *diag;
	const char *name;
	int col[NCOLUMNS];
	size_t width;
	int have_header, errors;
	size_t *seen, nseen; /* open addressing on code: index in l->v + 1, 0 empty */
};

static size_t code_hash(const char *s)
{
	size_t h = 14695981039346656037u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* The row kept before with this code, else NULL (a pairwise look took hours for the few
   million rows a register under the file cap can hold). */
static const struct commune *seen_code(const struct load *L, const char *code)
{
	if (!L->nseen)
		return NULL;
	for (size_t i = code_hash(code) & (L->nseen - 1); L->seen[i]; i = (i + 1) & (L->nseen - 1))
		if (!strcmp(L->l->v[L->seen[i] - 1].code, code))
			return &L->l->v[L->seen[i] - 1];
	return NULL;
}

/* Remember l->v[k] by its code; the table is kept at most half full. */
static void see_code(struct load *L, size_t k)
{
	if (2 * (L->l->n + 1) > L->nseen) {
		size_t n = L->nseen ? 2 * L->nseen : 64;

		free(L->seen);
		L->seen = xcalloc(n, sizeof(*L->seen));
		L->nseen = n;
		for (size_t j = 0; j < L->l->n; j++)
			if (j != k)
				see_code(L, j);
	}
	for (size_t i = code_hash(L->l->v[k].code) & (L->nseen - 1);; i = (i + 1) & (L->nseen - 1))
		if (!L->seen[i]) {
			L->seen[i] = k + 1;
			return;
		}
}

static int code_ok(const char *s)
{
	if (!*s || strlen(s) > 20)
		return 0;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      *s == '-' || *s == '_'))
			return 0;
	return 1;
}

static char *trimmed_nfc(const char *s)
{
	size_t len;
	char *t, *r;

	while (*s == ' ' || *s == '\t')
		s++;
	len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
		len--;
	t = xstrndup(s, len);
	r = text_nfc(t);
	free(t);
	return r;
}

static int on_header(struct load *L, const struct csvin_record *rec)
{
	L->have_header = 1;
	L->width = rec->nfields;
	for (size_t c = 0; c < NCOLUMNS; c++) {
		L->col[c] = csvin_column(rec, columns[c]);
		if (L->col[c] < 0) {
			diag_add(L->diag, L->name, rec->number,
				 "header has no column '%s' (expected code,name,type,district_code,district)",
				 columns[c]);
			L->errors++;
		}
	}
	return L->errors ? -1 : 0;
}

static int on_row(const struct csvin_record *rec, void *ctx)
{
	struct load *L = ctx;
	struct commune c = { .row = rec->number };
	char **slot[NCOLUMNS] = { &c.code, &c.name, &c.type, &c.district_code, &c.district };
	char code[64], type[64];
	int bad = 0, known_type = 0;

	if (!L->have_header)
		return on_header(L, rec);
	if (rec->nfields != L->width) {
		diag_add_capped(L->diag, "column count", L->name, rec->number,
				"%zu columns, the header has %zu", rec->nfields, L->width);
		L->errors++;
		return 0;
	}
	for (size_t i = 0; i < NCOLUMNS; i++)
		*slot[i] = trimmed_nfc(rec->fields[L->col[i]]);
	/* "Xã" and "PHƯỜNG" are the same types; the register keeps them in lower case */
	{
		char *folded = text_fold(c.type);

		free(c.type);
		c.type = folded;
	}
	text_cut(code, sizeof(code), c.code);
	if (!code_ok(c.code))
		diag_add_capped(L->diag, "commune code", L->name, rec->number,
				"commune code '%s' is missing or not a code (letters, digits, '-' or '_', at most 20)",
				code), bad++;
	if (!*c.name)
		diag_add_capped(L->diag, "commune name", L->name, rec->number,
				"commune %s has no name", code), bad++;
	/* a name goes into the forms' XML, the report and the terminal: XML refuses most control
	   characters, so the forms would fail much later; the code is checked by code_ok */
	for (size_t i = 1; i < NCOLUMNS; i++)
		if (text_has_control(*slot[i]))
			diag_add_capped(L->diag, "control character", L->name, rec->number,
					"commune %s: %s '%s' has a control character (tab, line break or another invisible character): remove it",
					code, columns[i], *slot[i]), bad++;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		known_type |= !strcmp(c.type, types[i]);
	if (!known_type)
		diag_add_capped(L->diag, "commune type", L->name, rec->number,
				"commune %s: type '%s' is not one of xã, phường, thị trấn", code,
				text_cut(type, sizeof(type), c.type)), bad++;
	if (!*c.district_code || !*c.district)
		diag_add_capped(L->diag, "district", L->name, rec->number,
				"commune %s has no district code or name", code), bad++;
	if (!bad) {
		const struct commune *first = seen_code(L, c.code);

		if (first)
			diag_add_capped(L->diag, "duplicate commune code", L->name, rec->number,
					"duplicate commune code '%s' (first on line %ld)", code,
					first->row), bad++;
	}
	if (bad) {
		L->errors += bad;
		for (size_t i = 0; i < NCOLUMNS; i++)
			free(*slot[i]);
		return 0;
	}
	if (L->l->n == COMMUNE_MAX) {
		diag_add(L->diag, L->name, rec->number,
			 "more than %d communes: a register holds a district's or a province's "
			 "communes (the whole country has about 10,600)", COMMUNE_MAX);
		L->errors++;
		for (size_t i = 0; i < NCOLUMNS; i++)
			free(*slot[i]);
		return -1;
	}
	xgrow(&L->l->v, &L->l->alloc, L->l->n + 1, sizeof(*L->l->v));
	L->l->v[L->l->n] = c;
	see_code(L, L->l->n);
	L->l->n++;
	return 0;
}

int commune_load(struct commune_list *l, const char *buf, size_t len, const char *name,
		 struct diag *diag)
{
	struct load L = { .l = l, .diag = diag, .name = name };
	struct perr err = { 0 };

	memset(l, 0, sizeof(*l));
	if (csvin_read(buf, len, name, on_row, &L, &err) < 0 && !L.errors) {
		diag_add(diag, err.where, 0, "%s", err.msg);
		L.errors++;
	}
	free(L.seen);
	if (!L.errors && !L.have_header) {
		diag_add(diag, name, 0, "empty file: no header and no communes");
		L.errors++;
	} else if (!L.errors && !l->n) {
		diag_add(diag, name, 0, "no communes, only a header");
		L.errors++;
	}
	if (L.errors) {
		commune_list_release(l);
		return -1;
	}
	return 0;
}

int commune_load_file(struct commune_list *l, const char *path, struct diag *diag)
{
	struct strbuf sb = STRBUF_INIT;
	int rc;

	memset(l, 0, sizeof(*l));
	if (strbuf_read_file(&sb, path, 64 << 20) < 0) {
		diag_add(diag, path, 0, "cannot read: %s", strerror(errno));
		strbuf_release(&sb);
		return -1;
	}
	rc = commune_load(l, strbuf_str(&sb), sb.len, path, diag);
	strbuf_release(&sb);
	return rc;
}

void commune_list_release(struct commune_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].code);
		free(l->v[i].name);
		free(l->v[i].type);
		free(l->v[i].district_code);
		free(l->v[i].district);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}
