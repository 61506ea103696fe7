/* Scores sheets in Office Open XML: reading the first worksheet of an XLSX workbook with
   libzip and the safe XML parser (shared strings, inline strings, numbers, booleans; cell
   references like "C7"), and writing the template with libxlsxwriter. A workbook is an
   upload like any other: every entry is read with a byte cap whatever its header claims, and
   anything unexpected is refused with the entry named. */
#include "tally.h"
#include "strbuf.h"
#include "xml.h"

#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>
#include <zip.h>

/* inflated bytes of one part: a province's sheet (235 communes x 29 rows) is about 1 MB; a
   part's tree takes some 35 times its bytes in libxml2, so this bounds memory near 300 MB */
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
	char where[600], chunk[65536];
	zip_int64_t got;

	snprintf(where, sizeof(where), "%s(%s)", name, entry);
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
		/* libxml2 never sees more than the compressed bytes could honestly hold */
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

static xmlDoc *parse_part(const struct strbuf *sb, const char *name, const char *entry,
			  struct perr *err)
{
	static const struct xml_limits lim = { XLSX_MAX_ENTRY, 64 };
	char where[600];

	snprintf(where, sizeof(where), "%s(%s)", name, entry);
	return xml_parse(strbuf_str(sb), sb->len, where, &lim, err);
}

/* Append the text of a shared or inline string, its <t> or the <t> of each rich-text run,
   and a NUL. */
static void add_string_item(struct strbuf *sb, xmlNode *si)
{
	for (xmlNode *n = si->children; n; n = n->next) {
		xmlNode *t = NULL;

		if (xml_is(n, "t"))
			t = n;
		else if (xml_is(n, "r"))
			t = xml_first(n, "t");
		if (t) {
			xmlChar *s = xmlNodeGetContent(t);

			strbuf_adds(sb, s ? (const char *)s : "");
			xmlFree(s);
		}
	}
	strbuf_addc(sb, '\0');
}

static char *string_item(xmlNode *si)
{
	struct strbuf sb = STRBUF_INIT;

	add_string_item(&sb, si);
	return strbuf_detach(&sb, NULL);
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

/* The path of the workbook's first worksheet, from workbook.xml and its relationships. */
static int first_sheet(zip_t *z, const char *name, struct strbuf *sb, char *path, size_t size,
		       struct perr *err)
{
	xmlDoc *doc;
	xmlNode *sheets, *sheet, *rel;
	char rid[256] = "";
	int rc = -1;

	if (read_part(z, name, "xl/workbook.xml", 0, sb, err) < 0 ||
	    !(doc = parse_part(sb, name, "xl/workbook.xml", err)))
		return -1;
	sheets = xml_first(xmlDocGetRootElement(doc), "sheets");
	sheet = sheets ? xml_first(sheets, "sheet") : NULL;
	if (!sheet || !xml_attr(sheet, "id")) {
		char where[600];

		snprintf(where, sizeof(where), "%s(xl/workbook.xml)", name);
		perr_set(err, PERR_DATA, where, "the workbook has no worksheet");
		xmlFreeDoc(doc);
		return -1;
	}
	snprintf(rid, sizeof(rid), "%s", xml_attr(sheet, "id"));
	xmlFreeDoc(doc);

	if (read_part(z, name, "xl/_rels/workbook.xml.rels", 0, sb, err) < 0 ||
	    !(doc = parse_part(sb, name, "xl/_rels/workbook.xml.rels", err)))
		return -1;
	for (rel = xml_first(xmlDocGetRootElement(doc), "Relationship"); rel;
	     rel = xml_next(rel, "Relationship")) {
		const char *id = xml_attr(rel, "Id"), *target = xml_attr(rel, "Target");

		if (!id || !target || strcmp(id, rid))
			continue;
		if (target[0] == '/')
			snprintf(path, size, "%s", target + 1);
		else
			snprintf(path, size, "xl/%s", target);
		rc = 0;
		break;
	}
	if (rc < 0) {
		char where[600];

		snprintf(where, sizeof(where), "%s(xl/_rels/workbook.xml.rels)", name);
		perr_set(err, PERR_DATA, where, "no relationship '%s' for the first worksheet", rid);
	}
	xmlFreeDoc(doc);
	return rc;
}

/* The worksheet's tree and the shared strings, each kept once: a cell refers to its shared
   string, so a string referenced a thousand times costs its bytes once. */
struct tally_xlsx {
	xmlDoc *doc;
	xmlNode *data;      /* <sheetData> */
	struct strbuf text; /* the shared strings, each ended by NUL */
	size_t *string_at;  /* where each starts in text */
	size_t nstrings, astrings;
	char where[600];    /* "file(xl/worksheets/sheet1.xml)" */
};

void tally_xlsx_free(struct tally_xlsx *x)
{
	if (!x)
		return;
	if (x->doc)
		xmlFreeDoc(x->doc);
	strbuf_release(&x->text);
	free(x->string_at);
	free(x);
}

/* One row's cells: pointers into the shared strings, or into texts the row owns. */
struct row_cells {
	const char **cells;
	size_t ncells, acells;
	char **owned;
	size_t nowned, aowned;
};

static char *own(struct row_cells *rc, char *text)
{
	xgrow(&rc->owned, &rc->aowned, rc->nowned + 1, sizeof(*rc->owned));
	return rc->owned[rc->nowned++] = text;
}

static void row_cells_clear(struct row_cells *rc)
{
	for (size_t i = 0; i < rc->nowned; i++)
		free(rc->owned[i]);
	rc->nowned = rc->ncells = 0;
}

/* Every row of the worksheet to fn (NULL: only check the cells), with the checks a
   worksheet must pass: rows and cells in order, known cell types, shared strings that
   exist, no error values, no sheet wider than a scores sheet could be. */
int tally_xlsx_rows(const struct tally_xlsx *x, tally_row_fn fn, void *ctx, struct perr *err)
{
	struct row_cells rc = { 0 };
	const char *where = x->where;
	long last_row = 0;
	size_t slots = 0;
	int rc_ = -1;

	for (xmlNode *rn = xml_first(x->data, "row"); rn; rn = xml_next(rn, "row")) {
		const char *r = xml_attr(rn, "r");
		long number = r ? strtol(r, NULL, 10) : last_row + 1, next_col = 0;

		if (number <= last_row || number > XLSX_MAX_ROWS) {
			perr_set(err, PERR_DATA, where, "row %ld: bad or out-of-order row number '%s'",
				 last_row + 1, r ? r : "");
			goto done;
		}
		last_row = number;
		row_cells_clear(&rc);
		for (xmlNode *c = xml_first(rn, "c"); c; c = xml_next(c, "c")) {
			const char *ref = xml_attr(c, "r"), *t = xml_attr(c, "t");
			long col = next_col, crow = number;
			xmlNode *v = xml_first(c, "v");
			const char *text = NULL;

			if (ref && (cell_ref(ref, &col, &crow) < 0 || crow != number ||
				    col < next_col)) {
				perr_set(err, PERR_DATA, where, "row %ld: bad cell reference '%s'", number,
					 ref);
				goto done;
			}
			if (col >= XLSX_MAX_COLUMNS) {
				perr_set(err, PERR_DATA, where, "row %ld: too many columns", number);
				goto done;
			}
			next_col = col + 1;
			if (t && !strcmp(t, "s")) {
				char *vt = v ? xml_text(v) : NULL, *end = NULL;
				long k = vt ? strtol(vt, &end, 10) : -1;

				if (!vt || *end || k < 0 || (size_t)k >= x->nstrings) {
					perr_set(err, PERR_DATA, where,
						 "cell %s: shared string '%s' does not exist", ref ? ref : "?",
						 vt ? vt : "");
					free(vt);
					goto done;
				}
				free(vt);
				text = x->text.buf + x->string_at[k];
			} else if (t && !strcmp(t, "inlineStr")) {
				xmlNode *is = xml_first(c, "is");

				text = own(&rc, is ? string_item(is) : xstrdup(""));
			} else if (t && !strcmp(t, "e")) {
				char *vt = v ? xml_text(v) : NULL;

				perr_set(err, PERR_DATA, where, "cell %s holds an error value %s",
					 ref ? ref : "?", vt ? vt : "");
				free(vt);
				goto done;
			} else if (!t || !strcmp(t, "n") || !strcmp(t, "str") || !strcmp(t, "b")) {
				text = v ? own(&rc, xml_text(v)) : NULL;
			} else {
				perr_set(err, PERR_DATA, where, "cell %s: cell type '%s' is not read here",
					 ref ? ref : "?", t);
				goto done;
			}
			if (!text)
				continue;
			slots += (size_t)col + 1 - rc.ncells;
			if (slots > XLSX_MAX_CELLS) {
				perr_set(err, PERR_DATA, where, "cell %s: the sheet is too large to be a scores sheet",
					 ref ? ref : "?");
				goto done;
			}
			xgrow(&rc.cells, &rc.acells, (size_t)col + 1, sizeof(*rc.cells));
			while (rc.ncells <= (size_t)col)
				rc.cells[rc.ncells++] = NULL;
			rc.cells[col] = text;
		}
		if (fn && fn(number, rc.cells, rc.ncells, ctx) < 0)
			goto done;
	}
	rc_ = 0;
done:
	row_cells_clear(&rc);
	free(rc.cells);
	free(rc.owned);
	return rc_;
}

int tally_sheet_read_xlsx(struct tally_sheet *s, const char *buf, size_t len,
			  const char *name, struct perr *err)
{
	zip_error_t zerr;
	zip_source_t *src;
	zip_t *z = NULL;
	struct strbuf sb = STRBUF_INIT;
	struct tally_xlsx *x = xcalloc(1, sizeof(*x));
	xmlDoc *doc = NULL;
	char sheet_path[512];
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
	if (first_sheet(z, name, &sb, sheet_path, sizeof(sheet_path), err) < 0)
		goto done;

	/* shared strings are optional: a sheet of numbers and inline strings needs none */
	switch (read_part(z, name, "xl/sharedStrings.xml", 1, &sb, err)) {
	case -1:
		goto done;
	case 0:
		if (!(doc = parse_part(&sb, name, "xl/sharedStrings.xml", err)))
			goto done;
		for (xmlNode *si = xml_first(xmlDocGetRootElement(doc), "si"); si;
		     si = xml_next(si, "si")) {
			xgrow(&x->string_at, &x->astrings, x->nstrings + 1, sizeof(*x->string_at));
			x->string_at[x->nstrings++] = x->text.len;
			add_string_item(&x->text, si);
		}
		xmlFreeDoc(doc);
		doc = NULL;
		break;
	}

	snprintf(x->where, sizeof(x->where), "%s(%s)", name, sheet_path);
	if (read_part(z, name, sheet_path, 0, &sb, err) < 0 ||
	    !(x->doc = parse_part(&sb, name, sheet_path, err)))
		goto done;
	/* the part's bytes are in the tree now */
	strbuf_release(&sb);
	x->data = xml_first(xmlDocGetRootElement(x->doc), "sheetData");
	if (!x->data) {
		perr_set(err, PERR_DATA, x->where, "no sheetData: not a worksheet");
		goto done;
	}
	/* every cell checked now, so that a broken sheet is refused before any row is */
	if (tally_xlsx_rows(x, NULL, NULL, err) < 0)
		goto done;
	s->xlsx = x;
	x = NULL;
	rc = 0;
done:
	tally_xlsx_free(x);
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
