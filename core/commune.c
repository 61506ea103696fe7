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
};

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
	for (size_t i = 0; !bad && i < L->l->n; i++)
		if (!strcmp(L->l->v[i].code, c.code))
			diag_add_capped(L->diag, "duplicate commune code", L->name, rec->number,
					"duplicate commune code '%s' (first on line %ld)", code,
					L->l->v[i].row), bad++;
	if (bad) {
		L->errors += bad;
		for (size_t i = 0; i < NCOLUMNS; i++)
			free(*slot[i]);
		return 0;
	}
	xgrow(&L->l->v, &L->l->alloc, L->l->n + 1, sizeof(*L->l->v));
	L->l->v[L->l->n++] = c;
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
