/* Reading and checking the commune register. */
#include "commune.h"
#include "csvin.h"
#include "strbuf.h"
#include "text.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

static const char *const columns[] = { "code", "name", "type", "district_code", "district",
					"province", "valid_from", "valid_to" };
#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))
#define REQUIRED 3 /* code, name, type; district_code and district both or neither */
enum { COL_DISTRICT_CODE = 3, COL_DISTRICT = 4, COL_PROVINCE = 5, COL_VALID_FROM = 6,
       COL_VALID_TO = 7 };

struct load {
	const struct def *d; /* NULL: the default unit types */
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

/* The default unit types, for a register loaded without a definition. */
static const struct def *default_types(void)
{
	static struct def_unit_type types[] = { { "xã", 0, 0 }, { "phường", 0, 0 },
						{ "thị trấn", 0, 0 } };
	static struct def d = { .unit_types = types, .nunit_types = 3 };

	return &d;
}

/* 1 (and a message) when c's type is not one of d's unit types. */
static int check_type(const struct def *d, const struct commune *c, const char *name, long row,
		      struct diag *diag)
{
	struct strbuf listed = STRBUF_INIT;
	char code[64], type[64];

	if (!d)
		d = default_types();
	if (!d->nunit_types || def_find_unit_type(d, c->type) != DEF_NONE)
		return 0;
	def_unit_types_text(d, &listed);
	diag_add_capped(diag, "commune type", name, row, "commune %s: type '%s' is not one of %s",
			text_cut(code, sizeof(code), c->code), text_cut(type, sizeof(type), c->type),
			strbuf_str(&listed));
	strbuf_release(&listed);
	return 1;
}

int commune_check_types(const struct commune_list *l, const struct def *d, const char *name,
			struct diag *diag)
{
	int bad = 0;

	for (size_t i = 0; i < l->n; i++)
		bad += check_type(d, &l->v[i], name, l->v[i].row, diag);
	return bad ? -1 : 0;
}

static int on_header(struct load *L, const struct csvin_record *rec)
{
	/* a province's register may leave out the districts (both), and any the province */
	unsigned long optional = 1ul << COL_PROVINCE | 1ul << COL_VALID_FROM | 1ul << COL_VALID_TO;

	if (csvin_column(rec, columns[COL_DISTRICT_CODE]) < 0 &&
	    csvin_column(rec, columns[COL_DISTRICT]) < 0)
		optional |= 1ul << COL_DISTRICT_CODE | 1ul << COL_DISTRICT;
	L->have_header = 1;
	L->width = rec->nfields;
	L->errors += csvin_header_columns(rec, columns, NCOLUMNS, COL_PROVINCE, optional, L->col,
					  L->diag, L->name);
	L->l->has_validity = L->col[COL_VALID_FROM] >= 0 || L->col[COL_VALID_TO] >= 0;
	return L->errors ? -1 : 0;
}

int commune_date_ok(const char *s, int *year)
{
	static const int days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
	if (m < 1 || m > 12 || d < 1 || d > days[m - 1])
		return 0;
	if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return 0;
	*year = y;
	return 1;
}

int commune_valid_in(const char *valid_from, const char *valid_to, int year)
{
	char last[16];

	/* the year's last day, compared as text (YYYY-MM-DD sorts as dates do) */
	snprintf(last, sizeof(last), "%04d-12-31", year);
	return (!valid_from || !*valid_from || strcmp(valid_from, last) <= 0) &&
	       (!valid_to || !*valid_to || strcmp(valid_to, last) >= 0);
}

/* the validity cells of c: each empty or a real day, the first not after the last */
static int check_validity(const struct commune *c, const char *code, const char *name, long row,
			  struct diag *diag)
{
	const char *v[2] = { c->valid_from, c->valid_to };
	int bad = 0, year;

	for (int k = 0; k < 2; k++)
		if (*v[k] && (!commune_date_ok(v[k], &year) || year < 1945 || year > 2100))
			diag_add_capped(diag, "validity date", name, row,
					"commune %s: %s '%s' is not a day YYYY-MM-DD from 1945 to 2100",
					code, columns[COL_VALID_FROM + k], v[k]), bad++;
	if (!bad && *v[0] && *v[1] && strcmp(v[0], v[1]) > 0)
		diag_add_capped(diag, "validity date", name, row,
				"commune %s: valid_from %s is after valid_to %s", code, v[0], v[1]),
			bad++;
	return bad;
}

static int on_row(const struct csvin_record *rec, void *ctx)
{
	struct load *L = ctx;
	struct commune c = { .row = rec->number };
	char **slot[NCOLUMNS] = { &c.code, &c.name, &c.type, &c.district_code, &c.district,
				  &c.province, &c.valid_from, &c.valid_to };
	char code[64];
	int bad = 0;

	if (!L->have_header)
		return on_header(L, rec);
	if (rec->nfields != L->width) {
		diag_add_capped(L->diag, "column count", L->name, rec->number,
				"%zu columns, the header has %zu", rec->nfields, L->width);
		L->errors++;
		return 0;
	}
	for (size_t i = 0; i < NCOLUMNS; i++)
		*slot[i] = trimmed_nfc(L->col[i] < 0 ? "" : rec->fields[L->col[i]]);
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
	bad += check_type(L->d, &c, L->name, rec->number, L->diag);
	bad += check_validity(&c, code, L->name, rec->number, L->diag);
	if (L->col[COL_DISTRICT] >= 0 && (!*c.district_code || !*c.district))
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
	return commune_load_def(l, buf, len, name, NULL, diag);
}

int commune_load_def(struct commune_list *l, const char *buf, size_t len, const char *name,
		     const struct def *d, struct diag *diag)
{
	struct load L = { .d = d, .l = l, .diag = diag, .name = name };
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
	return commune_load_file_def(l, path, NULL, diag);
}

int commune_load_file_def(struct commune_list *l, const char *path, const struct def *d,
			  struct diag *diag)
{
	struct strbuf sb = STRBUF_INIT;
	int rc;

	memset(l, 0, sizeof(*l));
	if (csvin_read_file(&sb, path, diag) < 0)
		return -1;
	rc = commune_load_def(l, strbuf_str(&sb), sb.len, path, d, diag);
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
		free(l->v[i].province);
		free(l->v[i].valid_from);
		free(l->v[i].valid_to);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* for other files that read codes and cells the register's way (core/merge.c) */
int commune_code_ok(const char *s)
{
	return code_ok(s);
}

char *commune_cell(const char *s)
{
	return trimmed_nfc(s);
}

void commune_release(struct commune *c)
{
	free(c->code);
	free(c->name);
	free(c->type);
	free(c->district_code);
	free(c->district);
	free(c->province);
	free(c->valid_from);
	free(c->valid_to);
}
