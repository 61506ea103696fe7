/* Scores sheets in Office Open XML: reading the first worksheet of an XLSX workbook with
   libzip and expat, streamed (shared strings, inline strings, numbers, booleans; cell
   references like "C7"), and writing the template with libxlsxwriter. A workbook is an
   upload like any other: every entry is read with a byte cap whatever its header claims, and
   anything unexpected is refused with the entry named. */
#include "tally.h"
#include "strbuf.h"
#include "text.h"
#include "xml.h"

#include <expat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>
#include <zip.h>

/* inflated bytes of one part: a province's sheet (235 communes x 29 rows) is about 1 MB;
   parts are streamed, so memory is about the worksheet and shared strings' bytes */
#define XLSX_MAX_ENTRY (8u << 20)
/* inflated / compressed bytes of a part past 1 MiB: real sheets stay far below (zip bombs) */
#define XLSX_MAX_RATIO 100
#define XLSX_RATIO_FROM (1u << 20)
#define XLSX_MAX_COLUMNS 16384     /* Excel's own limit, XFD */
#define XLSX_MAX_ROWS 1048576
#define XLSX_MAX_CELLS (4u << 20) /* cell slots of the whole sheet: a 32 MB part of cells far
				     to the right must not become gigabytes of pointers */

/* Read the part `entry` into sb; 1 if absent (and optional), 0 when read, -1 on error. */
static int read_part(zip_t *z, const char *name, const char *entry, int optional,
		     struct strbuf *sb, struct perr *err)
{
	zip_int64_t idx = zip_name_locate(z, entry, 0);
	zip_file_t *zf;
	zip_stat_t st;
	char where[600], chunk[65536], part[128];
	zip_int64_t got;

	/* a part's name comes from the workbook: quoted whole characters only */
	snprintf(where, sizeof(where), "%s(%s)", name, text_cut(part, sizeof(part), entry));
	strbuf_reset(sb);
	if (idx < 0) {
		if (optional)
			return 1;
		return perr_set(err, PERR_DATA, where, "not an XLSX workbook: the part is missing");
	}
	zip_stat_init(&st);
	if (zip_stat_index(z, (zip_uint64_t)idx, 0, &st) < 0 || !(st.valid & ZIP_STAT_COMP_SIZE))
		return perr_set(err, PERR_DATA, where, "cannot read: %s", zip_strerror(z));
	zf = zip_fopen_index(z, (zip_uint64_t)idx, 0);
	if (!zf)
		return perr_set(err, PERR_DATA, where, "cannot read: %s", zip_strerror(z));
	/* never trust the size the header claims: count what inflates */
	while ((got = zip_fread(zf, chunk, sizeof(chunk))) > 0) {
		if (sb->len + (size_t)got > XLSX_MAX_ENTRY) {
			zip_fclose(zf);
			return perr_set(err, PERR_DATA, where, "part inflates beyond %u bytes",
					XLSX_MAX_ENTRY);
		}
		strbuf_add(sb, chunk, (size_t)got);
		/* the parser never sees more than the compressed bytes could honestly hold */
		if (sb->len > XLSX_RATIO_FROM && sb->len / XLSX_MAX_RATIO > st.comp_size) {
			zip_fclose(zf);
			return perr_set(err, PERR_DATA, where,
					"part inflates more than %u times its compressed size (a zip bomb?)",
					XLSX_MAX_RATIO);
		}
	}
	if (got < 0) {
		perr_set(err, PERR_DATA, where, "damaged: %s", zip_file_strerror(zf));
		zip_fclose(zf);
		return -1;
	}
	zip_fclose(zf);
	return 0;
}

/* "C7" -> column 2 (0-based), row 7; -1 when it is no cell reference. */
static int cell_ref(const char *ref, long *col, long *row)
{
	long c = 0, r = 0;
	const char *p = ref;

	while (*p >= 'A' && *p <= 'Z' && p - ref < 3)
		c = c * 26 + (*p++ - 'A' + 1);
	if (p == ref || !(*p >= '1' && *p <= '9'))
		return -1;
	while (*p >= '0' && *p <= '9' && r <= XLSX_MAX_ROWS)
		r = r * 10 + (*p++ - '0');
	if (*p || c > XLSX_MAX_COLUMNS || r > XLSX_MAX_ROWS)
		return -1;
	*col = c - 1;
	*row = r;
	return 0;
}

/* ---- walking a part ----

   Every part is read with expat as it streams by, never built into a tree (a tree of an
   8 MiB part of empty cells took 380 MB): what is kept is the part's bytes, the shared
   strings' text and one row. The policy is core/xml.c's: UTF-8 only, any DOCTYPE or entity
   declaration stops the parse, elements nested at most 64 deep. Elements and attributes
   are matched by local name, as libxml2's tree did. */

#define XLSX_MAX_DEPTH 64

struct walk {
	XML_Parser xp;
	const char *where; /* "file(part)" */
	struct perr *err;
	int depth;          /* of the innermost open element, the root being 1 */
	int failed;         /* err is filled */
	int text_depth;     /* character data is kept while inside this depth (0: none) */
	struct strbuf *text;
	void (*start)(struct walk *w, const char *name, const char **atts);
	void (*end)(struct walk *w, const char *name);
	void *ctx;
};

static const char *local_name(const char *name)
{
	const char *colon = strrchr(name, ':');

	return colon ? colon + 1 : name;
}

/* The attribute of local name `name`, or NULL. */
static const char *attr(const char **atts, const char *name)
{
	for (size_t i = 0; atts[i]; i += 2)
		if (strncmp(atts[i], "xmlns", 5) && !strcmp(local_name(atts[i]), name))
			return atts[i + 1];
	return NULL;
}

static void walk_fail(struct walk *w, int with_line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void walk_fail(struct walk *w, int with_line, const char *fmt, ...)
{
	char where[700], msg[512];
	va_list ap;

	if (w->failed)
		return;
	w->failed = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (with_line)
		snprintf(where, sizeof(where), "%s:%lu", w->where,
			 (unsigned long)XML_GetCurrentLineNumber(w->xp));
	else
		snprintf(where, sizeof(where), "%s", w->where);
	perr_set(w->err, PERR_DATA, where, "%s", msg);
	XML_StopParser(w->xp, XML_FALSE);
}

static void XMLCALL on_start(void *p, const char *name, const char **atts)
{
	struct walk *w = p;

	if (w->failed)
		return;
	if (++w->depth > XLSX_MAX_DEPTH) {
		walk_fail(w, 0, "elements nested deeper than %d", XLSX_MAX_DEPTH);
		return;
	}
	if (w->start)
		w->start(w, local_name(name), atts);
}

static void XMLCALL on_end(void *p, const char *name)
{
	struct walk *w = p;

	if (w->failed)
		return;
	if (w->end)
		w->end(w, local_name(name));
	if (w->text_depth == w->depth)
		w->text_depth = 0;
	w->depth--;
}

static void XMLCALL on_text(void *p, const char *s, int len)
{
	struct walk *w = p;

	if (!w->failed && w->text_depth && w->depth >= w->text_depth)
		strbuf_add(w->text, s, (size_t)len);
}

static void XMLCALL on_doctype(void *p, const char *name, const char *sys, const char *pub,
			       int internal)
{
	(void)name, (void)sys, (void)pub, (void)internal;
	walk_fail(p, 1, "DOCTYPE or entity declaration refused");
}

static void XMLCALL on_entity(void *p, const char *name, int param, const char *value,
			      int len, const char *base, const char *sys, const char *pub,
			      const char *notation)
{
	(void)name, (void)param, (void)value, (void)len, (void)base, (void)sys, (void)pub;
	(void)notation;
	walk_fail(p, 1, "DOCTYPE or entity declaration refused");
}

/* Keep the character data inside the element just opened, into sb. */
static void keep_text(struct walk *w, struct strbuf *sb)
{
	w->text = sb;
	w->text_depth = w->depth;
}

static int walk_part(const struct strbuf *part, struct walk *w, struct perr *err)
{
	const size_t chunk = 1u << 20;
	int rc = 0;

	w->err = err;
	w->depth = w->failed = w->text_depth = 0;
	if (!xml_utf8_valid(strbuf_str(part), part->len))
		return perr_set(err, PERR_DATA, w->where, "not valid UTF-8");
	w->xp = XML_ParserCreate("UTF-8");
	if (!w->xp)
		return perr_set(err, PERR_SYSTEM, w->where, "cannot create XML parser");
	XML_SetUserData(w->xp, w);
	XML_SetElementHandler(w->xp, on_start, on_end);
	XML_SetCharacterDataHandler(w->xp, on_text);
	XML_SetStartDoctypeDeclHandler(w->xp, on_doctype);
	XML_SetEntityDeclHandler(w->xp, on_entity);
	XML_SetParamEntityParsing(w->xp, XML_PARAM_ENTITY_PARSING_NEVER);
	/* fed in pieces: expat copies what it is given */
	for (size_t at = 0; !rc;) {
		size_t n = part->len - at < chunk ? part->len - at : chunk;
		int final = at + n == part->len;

		if (XML_Parse(w->xp, strbuf_str(part) + at, (int)n, final) == XML_STATUS_ERROR) {
			if (!w->failed)
				walk_fail(w, 1, "not well-formed XML: %s",
					  XML_ErrorString(XML_GetErrorCode(w->xp)));
			rc = -1;
		}
		at += n;
		if (final)
			break;
	}
	if (w->failed)
		rc = -1;
	XML_ParserFree(w->xp);
	w->xp = NULL;
	return rc;
}

/* ---- the workbook: which part is the first worksheet ---- */

struct first_sheet {
	int in_sheets, seen_sheets, seen_sheet;
	char *rid;    /* the first sheet's relationship id */
	char *target; /* its part, from the relationships */
};

static void workbook_start(struct walk *w, const char *name, const char **atts)
{
	struct first_sheet *fs = w->ctx;

	if (w->depth == 2 && !strcmp(name, "sheets") && !fs->seen_sheets)
		fs->in_sheets = fs->seen_sheets = 1;
	else if (w->depth == 3 && fs->in_sheets && !strcmp(name, "sheet") && !fs->seen_sheet) {
		const char *id = attr(atts, "id");

		fs->seen_sheet = 1;
		fs->rid = id ? xstrdup(id) : NULL;
	}
}

static void workbook_end(struct walk *w, const char *name)
{
	struct first_sheet *fs = w->ctx;

	if (w->depth == 2 && fs->in_sheets)
		fs->in_sheets = 0;
	(void)name;
}

static void rels_start(struct walk *w, const char *name, const char **atts)
{
	struct first_sheet *fs = w->ctx;
	const char *id = attr(atts, "Id"), *target = attr(atts, "Target");

	if (w->depth == 2 && !strcmp(name, "Relationship") && !fs->target && id && target &&
	    !strcmp(id, fs->rid))
		fs->target = target[0] == '/' ? xstrdup(target + 1) : xasprintf("xl/%s", target);
}

/* The path of the workbook's first worksheet, from workbook.xml and its relationships. */
static char *first_sheet(zip_t *z, const char *name, struct strbuf *sb, struct perr *err)
{
	struct first_sheet fs = { 0 };
	char where[600];
	struct walk w = { .where = where, .ctx = &fs };
	int ok = 0;

	snprintf(where, sizeof(where), "%s(xl/workbook.xml)", name);
	w.start = workbook_start;
	w.end = workbook_end;
	if (read_part(z, name, "xl/workbook.xml", 0, sb, err) < 0 || walk_part(sb, &w, err) < 0)
		goto done;
	if (!fs.rid) {
		perr_set(err, PERR_DATA, where, "the workbook has no worksheet");
		goto done;
	}
	snprintf(where, sizeof(where), "%s(xl/_rels/workbook.xml.rels)", name);
	w.start = rels_start;
	w.end = NULL;
	if (read_part(z, name, "xl/_rels/workbook.xml.rels", 0, sb, err) < 0 ||
	    walk_part(sb, &w, err) < 0)
		goto done;
	if (!fs.target) {
		char rid[64];

		perr_set(err, PERR_DATA, where, "no relationship '%s' for the first worksheet",
			 text_cut(rid, sizeof(rid), fs.rid));
		goto done;
	}
	ok = 1;
done:
	free(fs.rid);
	if (!ok)
		free(fs.target), fs.target = NULL;
	return fs.target;
}

/* ---- shared strings ---- */

/* The worksheet and the shared strings, each kept once: a cell refers to its shared
   string, so a string referenced a thousand times costs its bytes once. */
struct tally_xlsx {
	struct strbuf part; /* the worksheet's bytes */
	struct strbuf text; /* the shared strings, each ended by NUL */
	size_t *string_at;  /* where each starts in text */
	size_t nstrings, astrings;
	char where[600];    /* "file(xl/worksheets/sheet1.xml)" */
};

void tally_xlsx_free(struct tally_xlsx *x)
{
	if (!x)
		return;
	strbuf_release(&x->part);
	strbuf_release(&x->text);
	free(x->string_at);
	free(x);
}

/* A shared or inline string is its <t>, or the first <t> of each rich-text run <r>. */
struct string_walk {
	int item_depth; /* depth of the <si> or <is> being read (0: none) */
	int run_took;   /* the current <r> gave its <t> */
};

static void string_start(struct walk *w, struct string_walk *sw, const char *name,
			 struct strbuf *into)
{
	if (w->depth == sw->item_depth + 1 && !strcmp(name, "t"))
		keep_text(w, into);
	else if (w->depth == sw->item_depth + 1 && !strcmp(name, "r"))
		sw->run_took = 0;
	else if (w->depth == sw->item_depth + 2 && !strcmp(name, "t") && !sw->run_took &&
		 !w->text_depth) {
		sw->run_took = 1;
		keep_text(w, into);
	}
}

/* An element directly inside the item closed: a <t> after it belongs to no run. */
static void string_end(struct walk *w, struct string_walk *sw)
{
	if (sw->item_depth && w->depth == sw->item_depth + 1)
		sw->run_took = 1;
}

struct shared {
	struct tally_xlsx *x;
	struct string_walk sw;
};

static void shared_start(struct walk *w, const char *name, const char **atts)
{
	struct shared *sh = w->ctx;
	struct tally_xlsx *x = sh->x;

	(void)atts;
	if (w->depth == 2 && !strcmp(name, "si")) {
		xgrow(&x->string_at, &x->astrings, x->nstrings + 1, sizeof(*x->string_at));
		x->string_at[x->nstrings++] = x->text.len;
		sh->sw.item_depth = 2;
		sh->sw.run_took = 1;
	} else if (sh->sw.item_depth && w->depth > 2) {
		string_start(w, &sh->sw, name, &x->text);
	}
}

static void shared_end(struct walk *w, const char *name)
{
	struct shared *sh = w->ctx;

	(void)name;
	string_end(w, &sh->sw);
	if (w->depth == 2 && sh->sw.item_depth) {
		strbuf_addc(&sh->x->text, '\0');
		sh->sw.item_depth = 0;
	}
}

/* ---- the worksheet ---- */

enum cell_type { CELL_NUMBER, CELL_SHARED, CELL_INLINE, CELL_ERROR };

struct sheet_walk {
	const struct tally_xlsx *x;
	tally_row_fn fn; /* NULL: only check the cells */
	void *ctx;
	int in_data, seen_data, stopped;
	/* the row */
	long number, last_row, next_col;
	size_t slots;
	struct strbuf text;  /* the row's own cell texts, each ended by NUL */
	size_t *at;          /* per column: offset into text + 1, or SHARED | string, 0 empty */
	size_t nat, aat;
	const char **cells;
	size_t acells;
	/* the cell */
	int in_cell, seen_value, seen_inline;
	long col;
	enum cell_type type;
	char type_name[32];
	struct strbuf ref;
	size_t cell_start; /* where the cell's text starts in text */
	struct string_walk sw;
};

#define SHARED ((size_t)1 << (sizeof(size_t) * 8 - 1))

static const char *cell_name(const struct sheet_walk *sw)
{
	return sw->ref.len ? sw->ref.buf : "?";
}

static void row_start(struct walk *w, struct sheet_walk *sw, const char **atts)
{
	const char *r = attr(atts, "r");

	sw->number = r ? strtol(r, NULL, 10) : sw->last_row + 1;
	if (sw->number <= sw->last_row || sw->number > XLSX_MAX_ROWS) {
		walk_fail(w, 0, "row %ld: bad or out-of-order row number '%s'", sw->last_row + 1,
			  r ? r : "");
		return;
	}
	sw->last_row = sw->number;
	sw->next_col = 0;
	sw->nat = 0;
	strbuf_reset(&sw->text);
}

static void cell_start(struct walk *w, struct sheet_walk *sw, const char **atts)
{
	const char *ref = attr(atts, "r"), *t = attr(atts, "t");
	long crow = sw->number;

	sw->col = sw->next_col;
	strbuf_reset(&sw->ref);
	if (ref)
		strbuf_adds(&sw->ref, ref);
	if (ref && (cell_ref(ref, &sw->col, &crow) < 0 || crow != sw->number ||
		    sw->col < sw->next_col)) {
		walk_fail(w, 0, "row %ld: bad cell reference '%s'", sw->number, ref);
		return;
	}
	if (sw->col >= XLSX_MAX_COLUMNS) {
		walk_fail(w, 0, "row %ld: too many columns", sw->number);
		return;
	}
	sw->next_col = sw->col + 1;
	if (t && !strcmp(t, "s"))
		sw->type = CELL_SHARED;
	else if (t && !strcmp(t, "inlineStr"))
		sw->type = CELL_INLINE;
	else if (t && !strcmp(t, "e"))
		sw->type = CELL_ERROR;
	else if (!t || !strcmp(t, "n") || !strcmp(t, "str") || !strcmp(t, "b"))
		sw->type = CELL_NUMBER;
	else {
		char q[32];

		walk_fail(w, 0, "cell %s: cell type '%s' is not read here", cell_name(sw),
			  text_cut(q, sizeof(q), t));
		return;
	}
	sw->in_cell = 1;
	sw->seen_value = sw->seen_inline = 0;
	sw->cell_start = sw->text.len;
}

/* The cell's <v> text from cell_start on, without surrounding white space, as xml_text. */
static char *value_text(struct sheet_walk *sw)
{
	char *s = sw->text.buf ? sw->text.buf + sw->cell_start : NULL;
	size_t n = sw->text.len - sw->cell_start, skip = 0;

	if (!s)
		return (char *)"";
	while (skip < n && (s[skip] == ' ' || s[skip] == '\t' || s[skip] == '\n' || s[skip] == '\r'))
		skip++;
	while (n > skip && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' ||
			    s[n - 1] == '\r'))
		n--;
	memmove(s, s + skip, n - skip);
	sw->text.len = sw->cell_start + (n - skip);
	sw->text.buf[sw->text.len] = '\0';
	return s;
}

static void cell_end(struct walk *w, struct sheet_walk *sw)
{
	size_t at = 0;

	sw->in_cell = 0;
	switch (sw->type) {
	case CELL_SHARED: {
		char *vt = sw->seen_value ? value_text(sw) : NULL, *end = NULL;
		long k = vt ? strtol(vt, &end, 10) : -1;

		if (!vt || *end || k < 0 || (size_t)k >= sw->x->nstrings) {
			char q[64];

			walk_fail(w, 0, "cell %s: shared string '%s' does not exist", cell_name(sw),
				  vt ? text_cut(q, sizeof(q), vt) : "");
			return;
		}
		at = SHARED | (size_t)k;
		break;
	}
	case CELL_INLINE:
		strbuf_addc(&sw->text, '\0');
		at = sw->cell_start + 1;
		break;
	case CELL_ERROR: {
		char q[64];

		walk_fail(w, 0, "cell %s holds an error value %s", cell_name(sw),
			  sw->seen_value ? text_cut(q, sizeof(q), value_text(sw)) : "");
		return;
	}
	case CELL_NUMBER:
		if (!sw->seen_value)
			return;
		value_text(sw);
		strbuf_addc(&sw->text, '\0');
		at = sw->cell_start + 1;
		break;
	}
	sw->slots += (size_t)sw->col + 1 - sw->nat;
	if (sw->slots > XLSX_MAX_CELLS) {
		walk_fail(w, 0, "cell %s: the sheet is too large to be a scores sheet", cell_name(sw));
		return;
	}
	xgrow(&sw->at, &sw->aat, (size_t)sw->col + 1, sizeof(*sw->at));
	while (sw->nat <= (size_t)sw->col)
		sw->at[sw->nat++] = 0;
	sw->at[sw->col] = at;
}

static void row_end(struct walk *w, struct sheet_walk *sw)
{
	xgrow(&sw->cells, &sw->acells, sw->nat + 1, sizeof(*sw->cells));
	for (size_t i = 0; i < sw->nat; i++)
		sw->cells[i] = !sw->at[i]		? NULL
			       : sw->at[i] & SHARED ? sw->x->text.buf + sw->x->string_at[sw->at[i] & ~SHARED]
						    : sw->text.buf + sw->at[i] - 1;
	if (sw->fn && sw->fn(sw->number, sw->cells, sw->nat, sw->ctx) < 0) {
		sw->stopped = 1;
		XML_StopParser(w->xp, XML_FALSE);
		w->failed = 1;
	}
}

static void sheet_start(struct walk *w, const char *name, const char **atts)
{
	struct sheet_walk *sw = w->ctx;

	if (w->depth == 2 && !strcmp(name, "sheetData") && !sw->seen_data)
		sw->in_data = sw->seen_data = 1;
	else if (w->depth == 3 && sw->in_data && !strcmp(name, "row"))
		row_start(w, sw, atts);
	else if (w->depth == 4 && sw->in_data && !strcmp(name, "c"))
		cell_start(w, sw, atts);
	else if (w->depth == 5 && sw->in_cell && !strcmp(name, "v") && !sw->seen_value &&
		 sw->type != CELL_INLINE) {
		sw->seen_value = 1;
		keep_text(w, &sw->text);
	} else if (w->depth == 5 && sw->in_cell && !strcmp(name, "is") && !sw->seen_inline &&
		   sw->type == CELL_INLINE) {
		sw->seen_inline = 1;
		sw->sw.item_depth = 5;
		sw->sw.run_took = 1;
	} else if (w->depth > 5 && sw->sw.item_depth) {
		string_start(w, &sw->sw, name, &sw->text);
	}
}

static void sheet_end(struct walk *w, const char *name)
{
	struct sheet_walk *sw = w->ctx;

	(void)name;
	string_end(w, &sw->sw);
	if (w->depth == 5 && sw->sw.item_depth)
		sw->sw.item_depth = 0;
	else if (w->depth == 4 && sw->in_cell)
		cell_end(w, sw);
	else if (w->depth == 3 && sw->in_data)
		row_end(w, sw);
	else if (w->depth == 2 && sw->in_data)
		sw->in_data = 0;
}

/* Every row of the worksheet to fn (NULL: only check the cells), with the checks a
   worksheet must pass: rows and cells in order, known cell types, shared strings that
   exist, no error values, no sheet wider than a scores sheet could be. */
int tally_xlsx_rows(const struct tally_xlsx *x, tally_row_fn fn, void *ctx, struct perr *err)
{
	struct sheet_walk sw = { .x = x, .fn = fn, .ctx = ctx };
	struct walk w = { .where = x->where, .start = sheet_start, .end = sheet_end, .ctx = &sw };
	int rc = walk_part(&x->part, &w, err);

	if (!rc && !sw.seen_data)
		rc = perr_set(err, PERR_DATA, x->where, "no sheetData: not a worksheet");
	if (sw.stopped && !err->code)
		rc = -1;
	strbuf_release(&sw.text);
	strbuf_release(&sw.ref);
	free(sw.at);
	free(sw.cells);
	return rc;
}

int tally_sheet_read_xlsx(struct tally_sheet *s, const char *buf, size_t len,
			  const char *name, struct perr *err)
{
	zip_error_t zerr;
	zip_source_t *src;
	zip_t *z = NULL;
	struct strbuf sb = STRBUF_INIT;
	struct tally_xlsx *x = xcalloc(1, sizeof(*x));
	char *sheet_path = NULL, where[600];
	int rc = -1;

	memset(s, 0, sizeof(*s));
	zip_error_init(&zerr);
	src = zip_source_buffer_create(buf, len, 0, &zerr);
	if (!src || !(z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &zerr))) {
		perr_set(err, PERR_DATA, name, "not an XLSX workbook: %s", zip_error_strerror(&zerr));
		if (src)
			zip_source_free(src);
		zip_error_fini(&zerr);
		free(x);
		return -1;
	}
	zip_error_fini(&zerr);
	if (!(sheet_path = first_sheet(z, name, &sb, err)))
		goto done;

	/* shared strings are optional: a sheet of numbers and inline strings needs none */
	switch (read_part(z, name, "xl/sharedStrings.xml", 1, &sb, err)) {
	case -1:
		goto done;
	case 0: {
		struct shared sh = { .x = x };
		struct walk w = { .where = where, .start = shared_start, .end = shared_end,
				  .ctx = &sh };

		snprintf(where, sizeof(where), "%s(xl/sharedStrings.xml)", name);
		if (walk_part(&sb, &w, err) < 0)
			goto done;
		break;
	}
	}
	strbuf_release(&sb);

	{
		char part[128];

		snprintf(x->where, sizeof(x->where), "%s(%s)", name,
			 text_cut(part, sizeof(part), sheet_path));
	}
	if (read_part(z, name, sheet_path, 0, &x->part, err) < 0)
		goto done;
	/* every cell checked now, so that a broken sheet is refused before any row is */
	if (tally_xlsx_rows(x, NULL, NULL, err) < 0)
		goto done;
	s->xlsx = x;
	x = NULL;
	rc = 0;
done:
	tally_xlsx_free(x);
	free(sheet_path);
	strbuf_release(&sb);
	zip_discard(z);
	return rc;
}

int tally_template_xlsx(const char *path, const struct def *d, const struct commune_list *cl,
			struct perr *err)
{
	static const char *const header[] = {
		"commune_code", "commune_name", "criterion_id", "criterion_name", "max",
		"self_score", "appraised_score", "not_applicable", "note",
	};
	static const double widths[] = { 13, 22, 12, 60, 6, 11, 16, 15, 40 };
	lxw_workbook_options opt = { .constant_memory = LXW_FALSE, .tmpdir = NULL };
	lxw_workbook *wb = workbook_new_opt(path, &opt);
	lxw_worksheet *ws;
	lxw_format *bold, *fill, *text;
	struct tally_leaf *leaves;
	size_t nleaves;
	lxw_row_t r = 1;
	lxw_error e;

	if (!wb)
		return perr_set(err, PERR_SYSTEM, path, "cannot create the workbook");
	ws = workbook_add_worksheet(wb, "Điểm tự đánh giá");
	bold = workbook_add_format(wb);
	format_set_bold(bold);
	format_set_bg_color(bold, 0xDDEBF7);
	fill = workbook_add_format(wb);
	format_set_bg_color(fill, 0xFFF2CC);
	/* codes typed into the code columns stay text: 1.1.1 no date, 0006 not 6 */
	text = workbook_add_format(wb);
	format_set_num_format_index(text, 49); /* Excel's built-in Text, "@" */
	for (lxw_col_t c = 0; c < 9; c++) {
		worksheet_set_column(ws, c, c, widths[c],
				     c >= 5 ? fill : c == 0 || c == 2 ? text : NULL);
		worksheet_write_string(ws, 0, c, header[c], bold);
	}
	worksheet_freeze_panes(ws, 1, 0);
	nleaves = tally_leaves(d, &leaves);
	for (size_t c = 0; c < cl->n; c++) {
		for (size_t l = 0; l < nleaves; l++, r++) {
			worksheet_write_string(ws, r, 0, cl->v[c].code, text);
			worksheet_write_string(ws, r, 1, cl->v[c].name, NULL);
			worksheet_write_string(ws, r, 2, leaves[l].id, text);
			worksheet_write_string(ws, r, 3, leaves[l].name->vi, NULL);
			worksheet_write_number(ws, r, 4, leaves[l].max, NULL);
		}
	}
	free(leaves);
	if (r > 1) {
		/* Excel checks what is typed: a score between 0 and the row's max, "x" or nothing
		   for not applicable (the import checks again, whatever the spreadsheet allowed) */
		static char *const yes[] = { "x", NULL };
		lxw_data_validation score = {
			.validate = LXW_VALIDATION_TYPE_CUSTOM_FORMULA,
			.value_formula = "=AND(ISNUMBER(F2),F2>=0,F2<=$E2)",
			.error_title = "Điểm không hợp lệ",
			.error_message = "Nhập một số từ 0 đến điểm tối đa của dòng (cột max).",
		};
		lxw_data_validation na = {
			.validate = LXW_VALIDATION_TYPE_LIST,
			.value_list = (char **)yes,
			.error_title = "Không áp dụng",
			.error_message = "Ghi x nếu tiêu chí không áp dụng với xã, nếu không để trống.",
		};

		worksheet_data_validation_range(ws, 1, 5, r - 1, 6, &score);
		worksheet_data_validation_range(ws, 1, 7, r - 1, 7, &na);
	}
	workbook_set_properties(wb, &(lxw_doc_properties){
					    .title = "Điểm tự đánh giá và thẩm định Chỉ số CCHC",
					    .comments = d->id,
				    });
	e = workbook_close(wb);
	if (e != LXW_NO_ERROR)
		return perr_set(err, PERR_SYSTEM, path, "cannot write the workbook: %s",
				lxw_strerror(e));
	return 0;
}
