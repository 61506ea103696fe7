/* Self-assessment scores: the sheet a district fills (template), the checks every row of a
   filled sheet must pass before anything is stored, and the storage with history.

   Decisions where the issue is silent:
   - the first row is the header; columns are found by name in any order; commune_code,
     criterion_id, self_score, appraised_score, not_applicable and note are required,
     commune_name, criterion_name and max (the template's) and unknown columns are ignored;
   - a row names one self-assessed leaf: a sub-criterion, or a criterion without any;
   - not_applicable is blank, 0, no, false or không for no; 1, x, yes, true or có for yes;
   - a commune whose rows are all blank is skipped (a template filled one commune at a time);
     a commune with any filled row must give every leaf a score or mark it not applicable,
     so that no leaf counts 0 silently;
   - numbers use a decimal point; "1,5" is refused with a hint, except in a file whose
     fields are separated by ';' or tab (Excel's CSV in a decimal-comma locale), where it
     is 1.5;
   - an unknown code that looks like what a spreadsheet makes of one (a number or date for
     1.1.1, 6 for a register's 0006) adds one hint, after all the errors, to format the
     column as Text or fill the XLSX template. */
#include "tally.h"
#include "csvout.h"
#include "csvin.h"
#include "db.h"
#include "strbuf.h"
#include "text.h"

#include <strings.h>
#include <stdlib.h>
#include <string.h>

void tally_sheet_release(struct tally_sheet *s)
{
	tally_xlsx_free(s->xlsx);
	memset(s, 0, sizeof(*s));
}

struct csv_rows {
	tally_row_fn fn; /* NULL: only read the file through */
	void *ctx;
	char sep;
};

static int csv_row(const struct csvin_record *rec, void *p)
{
	struct csv_rows *cr = p;

	cr->sep = rec->sep;
	return cr->fn ? cr->fn(rec->number, (const char *const *)rec->fields, rec->nfields, cr->ctx)
		      : 0;
}

int tally_sheet_read_csv(struct tally_sheet *s, const char *buf, size_t len, const char *name,
			 struct perr *err)
{
	struct csv_rows cr = { .sep = ',' };

	memset(s, 0, sizeof(*s));
	/* read through once, so that a file that is no CSV is refused before any row is checked */
	if (csvin_read(buf, len, name, csv_row, &cr, err) < 0)
		return -1;
	*s = (struct tally_sheet){ .buf = buf, .name = name, .len = len, .sep = cr.sep };
	return 0;
}

int tally_sheet_rows(const struct tally_sheet *s, tally_row_fn fn, void *ctx, struct perr *err)
{
	struct csv_rows cr = { fn, ctx, ',' };

	if (s->xlsx)
		return tally_xlsx_rows(s->xlsx, fn, ctx, err);
	if (!s->buf)
		return 0;
	return csvin_read(s->buf, s->len, s->name, csv_row, &cr, err);
}

/* ---- checking ---- */

enum column { COMMUNE, CRITERION, SELF, APPRAISED, NA, NOTE, NCOLUMNS };
static const char *const column_names[NCOLUMNS] = {
	"commune_code", "criterion_id", "self_score", "appraised_score", "not_applicable", "note",
};

static int space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The cell's text with surrounding white space removed, "" for an empty or absent cell; a
   copy in sb (whole: nothing is cut), valid until sb is used again. */
static char *cell(const char *const *cells, size_t ncells, int col, struct strbuf *sb)
{
	const char *s = col >= 0 && (size_t)col < ncells && cells[col] ? cells[col] : "";
	size_t n;

	while (space(*s))
		s++;
	n = strlen(s);
	while (n && space(s[n - 1]))
		n--;
	strbuf_reset(sb);
	strbuf_add(sb, s, n);
	return sb->buf ? sb->buf : (char *)"";
}

static int blank(const char *s)
{
	while (s && space(*s))
		s++;
	return !s || !*s;
}

/* Cell text quoted in a message: at most 64 bytes, cut on a character with "…". */
#define Q(s, buf) text_cut(buf, sizeof(buf), s)

/* A score cell: 0 blank, 1 a number in *v, -1 not a number (reported). With ';' or tab
   between fields a decimal comma is a decimal point, as Excel writes it in such locales. */
static int score(struct diag *diag, const char *name, long row, const char *what, char *s,
		 char sep, const struct tally_leaf *leaf, double *v)
{
	char *end, q[64];
	int comma_number = *s && strspn(s, "0123456789,") == strlen(s) && strchr(s, ',') &&
			   strchr(s, ',') == strrchr(s, ',');

	if (!*s)
		return 0;
	if (comma_number && sep != ',')
		*strchr(s, ',') = '.';
	if (strspn(s, "0123456789.+-eE") != strlen(s) || (*v = strtod(s, &end), *end) ||
	    end == s) {
		if (strspn(s, "0123456789,") == strlen(s) && strchr(s, ','))
			diag_add_capped(diag, "score", name, row,
					"%s '%s' is not a number (write decimals with a point, e.g. 1.5)",
					what, Q(s, q));
		else
			diag_add_capped(diag, "score", name, row, "%s '%s' is not a number", what,
					Q(s, q));
		return -1;
	}
	if (*v < 0) {
		diag_add_capped(diag, "score", name, row, "%s %s is below 0", what, Q(s, q));
		return -1;
	}
	if (leaf && *v > leaf->max + 1e-9) {
		diag_add_capped(diag, "score", name, row, "%s %s is above the max %g of criterion %s",
				what, Q(s, q), leaf->max, leaf->id);
		return -1;
	}
	return 1;
}

/* 0 no, 1 yes, -1 neither */
static int yes_no(const char *s)
{
	static const char *const no[] = { "", "0", "no", "false", "không", "Không", "KHÔNG", NULL };
	static const char *const yes[] = { "1", "x", "yes", "true", "có", "Có", "CÓ", NULL };

	for (const char *const *p = no; *p; p++)
		if (!strcasecmp(s, *p))
			return 0;
	for (const char *const *p = yes; *p; p++)
		if (!strcasecmp(s, *p))
			return 1;
	return -1;
}

static size_t find_commune(const struct commune_list *cl, const char *code)
{
	for (size_t i = 0; i < cl->n; i++)
		if (!strcmp(cl->v[i].code, code))
			return i;
	return DEF_NONE;
}

/* Why id is no self-assessed leaf, reported; nothing when it is one. 1 when id is nothing
   the definition knows. */
static int not_a_leaf(const struct def *d, struct diag *diag, const char *name, long row,
		      const char *id)
{
	size_t c = def_find_criterion(d, id);
	char q[64];

	for (size_t f = 0; f < d->nfields; f++)
		if (!strcmp(d->fields[f].id, id)) {
			diag_add_capped(diag, "criterion", name, row,
					"'%s' is a field, not a criterion; name its self-assessed criteria or sub-criteria",
					id);
			return 0;
		}
	if (c == DEF_NONE) {
		diag_add_capped(diag, "criterion", name, row,
				"unknown criterion '%s' (not in definition %s %s)", Q(id, q), d->id,
				d->version);
		return 1;
	} else if (d->criteria[c].assessed == DEF_SURVEY) {
		diag_add_capped(diag, "criterion", name, row,
				"criterion %s is survey-assessed: its points come only from the survey, it takes no self score",
				id);
	} else {
		const struct def_criterion *cr = &d->criteria[c];

		diag_add_capped(diag, "criterion", name, row,
				"criterion %s is scored by its sub-criteria %s to %s", id,
				d->subcriteria[cr->first_sub].id,
				d->subcriteria[cr->first_sub + cr->nsub - 1].id);
	}
	return 0;
}

/* Does an unknown criterion id look like what a spreadsheet makes of a code such as 1.1.1:
   a number or date serial ("36892"), or a date ("01/01/2001", "2001-01-01", "1.1.2001")? */
static int looks_converted(const char *id)
{
	size_t parts = 1, digits = 0, longest = 0;

	if (!*id || strspn(id, "0123456789") == strlen(id))
		return *id != 0;
	for (const char *p = id; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			if (++digits > longest)
				longest = digits;
		} else if ((*p == '/' || *p == '-' || *p == '.') && digits) {
			parts++;
			digits = 0;
		} else {
			return 0;
		}
	}
	return digits && parts == 3 && (longest == 4 || strpbrk(id, "/-"));
}

/* Is code a register code of cl without its leading zeros ("6" for "0006")? */
static const char *zeros_dropped(const struct commune_list *cl, const char *code)
{
	if (!*code || strspn(code, "0123456789") != strlen(code))
		return NULL;
	while (*code == '0' && code[1])
		code++;
	for (size_t i = 0; i < cl->n; i++) {
		const char *r = cl->v[i].code;

		if (*r != '0')
			continue;
		while (*r == '0' && r[1])
			r++;
		if (!strcmp(r, code))
			return cl->v[i].code;
	}
	return NULL;
}

/* A row's state while checking: per commune × leaf, the row that gave it (0: none) and
   whether that row was blank. */
struct seen {
	long row;
	unsigned char blank;
};

/* The check of one sheet, fed a row at a time: what it keeps is per commune × leaf, so a
   file's size changes only the time it takes. */
struct check {
	const struct def *d;
	const struct commune_list *cl;
	const char *name;
	struct tally_score_file *f;
	struct diag *diag;
	struct tally_leaf *leaves;
	size_t nleaves;
	char sep;
	int col[NCOLUMNS], have_header, bad_header, dotted_ids;
	struct seen *seen;
	long *first_row;
	unsigned char *filled;
	struct strbuf buf[4];
	const char *converted; /* the first code that looks converted by a spreadsheet */
	const char *register_code; /* the register's code it was, for a commune code */
	long converted_row;
	char converted_code[64];
};

static int check_header(struct check *k, long number, const char *const *cells, size_t ncells)
{
	size_t errors = k->diag->n;

	k->have_header = 1;
	for (int c = 0; c < NCOLUMNS; c++) {
		k->col[c] = -1;
		for (size_t i = 0; i < ncells; i++) {
			if (strcmp(cell(cells, ncells, (int)i, &k->buf[0]), column_names[c]))
				continue;
			if (k->col[c] >= 0)
				diag_add_capped(k->diag, "header", k->name, number,
						"column '%s' appears twice", column_names[c]);
			k->col[c] = (int)i;
		}
		if (k->col[c] < 0)
			diag_add_capped(k->diag, "header", k->name, number,
					"no column '%s' in the header (needed: commune_code, criterion_id, self_score, appraised_score, not_applicable, note)",
					column_names[c]);
	}
	k->bad_header = k->diag->n > errors;
	return k->bad_header ? -1 : 0;
}

static void converted(struct check *k, long number, const char *code, const char *register_code)
{
	if (k->converted)
		return;
	k->converted = text_cut(k->converted_code, sizeof(k->converted_code), code);
	k->register_code = register_code;
	k->converted_row = number;
}

static int check_row(long number, const char *const *cells, size_t ncells, void *p)
{
	struct check *k = p;
	struct diag *diag = k->diag;
	const char *name = k->name;
	const char *code, *id, *na, *converted_from;
	size_t c, l, before = diag->n;
	struct tally_leaf_score s = { 0 };
	int is_na, has_self, has_appr;
	char q[64];

	if (!k->have_header)
		return check_header(k, number, cells, ncells);
	/* a wholly empty row is no row */
	{
		int empty = 1;

		for (size_t i = 0; i < ncells && empty; i++)
			empty = blank(cells[i]);
		if (empty)
			return 0;
	}
	/* the template writes a code such as "-12" as "'-12" (core/csvout) */
	code = csvout_unneutral(cell(cells, ncells, k->col[COMMUNE], &k->buf[0]));
	id = csvout_unneutral(cell(cells, ncells, k->col[CRITERION], &k->buf[1]));
	na = cell(cells, ncells, k->col[NA], &k->buf[2]);
	if (!*code) {
		diag_add_capped(diag, "commune code", name, number, "no commune code");
		return 0;
	}
	c = find_commune(k->cl, code);
	if (c == DEF_NONE) {
		diag_add_capped(diag, "unknown commune code", name, number,
				"unknown commune code '%s' (not in the register for %s %s)",
				Q(code, q), k->d->district_code ? "district" : "province",
				k->d->district_code ? k->d->district_code : def_area(k->d));
		converted_from = zeros_dropped(k->cl, code);
		if (converted_from)
			converted(k, number, code, converted_from);
	}
	for (l = 0; l < k->nleaves && strcmp(k->leaves[l].id, id); l++)
		;
	if (!*id)
		diag_add_capped(diag, "criterion", name, number, "no criterion id");
	else if (l == k->nleaves && not_a_leaf(k->d, diag, name, number, id) && k->dotted_ids &&
		 looks_converted(id))
		converted(k, number, id, NULL);
	has_self = score(diag, name, number, "self score",
			 cell(cells, ncells, k->col[SELF], &k->buf[3]), k->sep,
			 l < k->nleaves ? &k->leaves[l] : NULL, &s.self_score);
	has_appr = score(diag, name, number, "appraised score",
			 cell(cells, ncells, k->col[APPRAISED], &k->buf[3]), k->sep,
			 l < k->nleaves ? &k->leaves[l] : NULL, &s.appraised_score);
	is_na = yes_no(na);
	if (is_na < 0)
		diag_add_capped(diag, "not_applicable", name, number,
				"not_applicable '%s' is neither yes (1, x, yes, có) nor no (blank, 0, no, không)",
				Q(na, q));
	if (is_na == 1 && (has_self || has_appr))
		diag_add_capped(diag, "not_applicable", name, number,
				"marked not applicable but has a score; leave the scores blank");
	if (c == DEF_NONE || l == k->nleaves)
		return 0;
	{
		struct seen *sn = &k->seen[c * k->nleaves + l];

		if (sn->row) {
			diag_add_capped(diag, "duplicate row", name, number,
					"duplicate row for commune %s, criterion %s (first on row %ld)",
					k->cl->v[c].code, k->leaves[l].id, sn->row);
			return 0;
		}
		/* a row with a bad cell still counts as given: it was reported once already */
		sn->row = number;
		sn->blank = diag->n == before && !has_self && !has_appr && is_na != 1;
		if (!k->first_row[c])
			k->first_row[c] = number;
		if (sn->blank)
			return 0;
	}
	k->filled[c] = 1;
	if (diag->n > before)
		return 0;
	s.has_self = has_self == 1;
	s.has_appraised = has_appr == 1;
	s.not_applicable = is_na == 1;
	xgrow(&k->f->rows, &k->f->alloc, k->f->nrows + 1, sizeof(*k->f->rows));
	k->f->rows[k->f->nrows++] = (struct tally_score_row){
		number, c, l, s, text_nfc(cell(cells, ncells, k->col[NOTE], &k->buf[3])),
	};
	return 0;
}

int tally_scores_check(const struct def *d, const struct commune_list *cl,
		       const struct tally_sheet *sheet, const char *name,
		       struct tally_score_file *f, struct diag *diag)
{
	struct check k = { .d = d, .cl = cl, .name = name, .f = f, .diag = diag,
			   .sep = sheet->sep };
	size_t errors = diag->n;
	struct perr err = { 0 };

	memset(f, 0, sizeof(*f));
	k.nleaves = tally_leaves(d, &k.leaves);
	for (size_t l = 0; l < k.nleaves; l++)
		k.dotted_ids |= strchr(k.leaves[l].id, '.') != NULL;
	k.seen = xcalloc(cl->n * k.nleaves + 1, sizeof(*k.seen));
	k.first_row = xcalloc(cl->n + 1, sizeof(*k.first_row));
	k.filled = xcalloc(cl->n + 1, 1);
	f->commune_in_file = xcalloc(cl->n + 1, 1);
	/* the sheet was read through once already: a failure now is no input's fault */
	if (tally_sheet_rows(sheet, check_row, &k, &err) < 0 && diag->n == errors)
		diag_add(diag, err.where[0] ? err.where : name, 0, "%s",
			 err.msg[0] ? err.msg : "cannot read the sheet again");
	if (!k.have_header) {
		diag_add(diag, name, 0, "empty: no header row");
		goto done;
	}
	if (k.bad_header)
		goto done;

	/* a commune with any filled row must account for every leaf */
	for (size_t c = 0; c < cl->n; c++) {
		if (!k.first_row[c])
			continue;
		if (!k.filled[c]) {
			f->skipped++;
			continue;
		}
		f->commune_in_file[c] = 1;
		f->ncommunes++;
		for (size_t l = 0; l < k.nleaves; l++) {
			const struct seen *sn = &k.seen[c * k.nleaves + l];

			/* a bonus or penalty left out or blank is none */
			if (k.leaves[l].adjustment != DEF_NONE)
				continue;
			if (!sn->row)
				diag_add_capped(diag, "missing row", name, k.first_row[c],
						"commune %s has no row for criterion %s (give every self-assessed criterion a score, or mark it not applicable)",
						cl->v[c].code, k.leaves[l].id);
			else if (sn->blank)
				diag_add_capped(diag, "missing score", name, sn->row,
						"commune %s, criterion %s: no score (give a self or appraised score, or mark it not applicable)",
						cl->v[c].code, k.leaves[l].id);
		}
	}
	if (diag->n == errors && !f->ncommunes)
		diag_add(diag, name, 0, "nothing to import: every row is blank");
	/* one hint for the whole file, however many rows it explains */
	if (k.register_code)
		diag_hint(diag, name,
			  "'%s' (row %ld) may be commune %s without its leading zeros, which a spreadsheet drops from what it takes for a number: format the code columns as Text, or fill the template 'parindex scores template --out FILE.xlsx' writes",
			  k.converted, k.converted_row, k.register_code);
	else if (k.converted)
		diag_hint(diag, name,
			  "'%s' (row %ld) may be a code like 1.1.1 that a spreadsheet turned into a number or a date: format the code columns as Text, or fill the template 'parindex scores template --out FILE.xlsx' writes",
			  k.converted, k.converted_row);
done:
	free(k.seen);
	free(k.first_row);
	free(k.filled);
	free(k.leaves);
	for (int i = 0; i < 4; i++)
		strbuf_release(&k.buf[i]);
	f->ncommunes = diag->n > errors ? 0 : f->ncommunes;
	if (diag->n > errors) {
		tally_score_file_release(f);
		return -1;
	}
	return 0;
}

void tally_score_file_release(struct tally_score_file *f)
{
	for (size_t i = 0; i < f->nrows; i++)
		free(f->rows[i].note);
	free(f->rows);
	free(f->commune_in_file);
	memset(f, 0, sizeof(*f));
}

/* ---- storing ---- */

int tally_scores_store(sqlite3 *db, const struct def *d, const struct commune_list *cl,
		       const struct tally_score_file *f, const char *file_name,
		       const char *format, const char *sha256, long *import_id,
		       struct perr *err)
{
	sqlite3_stmt *st = NULL;
	struct tally_leaf *leaves;
	char now[32];
	int rc = -1;

	tally_leaves(d, &leaves);
	if (db_prepare(db, &st,
		       "INSERT INTO score_import (file_name, sha256, format, def_id, def_version, "
		       "imported_at, communes, rows) VALUES (?,?,?,?,?,?,?,?)",
		       err) < 0)
		goto done;
	sqlite3_bind_text(st, 1, file_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, format, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, d->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, d->version, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, db_now(now), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)f->ncommunes);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)f->nrows);
	if (db_step_done(db, st, err) < 0)
		goto done;
	*import_id = (long)sqlite3_last_insert_rowid(db);
	sqlite3_finalize(st);

	/* the new import replaces those communes' current scores of the same definition */
	if (db_prepare(db, &st,
		       "UPDATE score SET superseded_by = ?1 WHERE superseded_by IS NULL "
		       "AND commune_code = ?2 AND import_id IN "
		       "(SELECT id FROM score_import WHERE def_id = ?3 AND def_version = ?4 AND id <> ?1)",
		       err) < 0)
		goto done;
	sqlite3_bind_int64(st, 1, *import_id);
	sqlite3_bind_text(st, 3, d->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, d->version, -1, SQLITE_STATIC);
	for (size_t c = 0; c < cl->n; c++) {
		if (!f->commune_in_file[c])
			continue;
		sqlite3_bind_text(st, 2, cl->v[c].code, -1, SQLITE_STATIC);
		if (db_step_done(db, st, err) < 0)
			goto done;
	}
	sqlite3_finalize(st);

	if (db_prepare(db, &st,
		       "INSERT INTO score (import_id, row, commune_code, criterion_id, self_score, "
		       "appraised_score, not_applicable, note) VALUES (?,?,?,?,?,?,?,?)",
		       err) < 0)
		goto done;
	sqlite3_bind_int64(st, 1, *import_id);
	for (size_t i = 0; i < f->nrows; i++) {
		const struct tally_score_row *r = &f->rows[i];

		sqlite3_bind_int64(st, 2, r->row);
		sqlite3_bind_text(st, 3, cl->v[r->commune].code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, leaves[r->leaf].id, -1, SQLITE_STATIC);
		if (r->score.has_self)
			sqlite3_bind_double(st, 5, r->score.self_score);
		else
			sqlite3_bind_null(st, 5);
		if (r->score.has_appraised)
			sqlite3_bind_double(st, 6, r->score.appraised_score);
		else
			sqlite3_bind_null(st, 6);
		sqlite3_bind_int(st, 7, r->score.not_applicable);
		sqlite3_bind_text(st, 8, r->note, -1, SQLITE_STATIC);
		if (db_step_done(db, st, err) < 0)
			goto done;
	}
	rc = 0;
done:
	sqlite3_finalize(st);
	free(leaves);
	return rc;
}

/* ---- the template ---- */

int tally_template_csv(FILE *out, const struct def *d, const struct commune_list *cl)
{
	struct tally_leaf *leaves;
	size_t nleaves = tally_leaves(d, &leaves);

	fprintf(out, "commune_code,commune_name,criterion_id,criterion_name,max,self_score,"
		     "appraised_score,not_applicable,note\n");
	for (size_t c = 0; c < cl->n; c++) {
		for (size_t l = 0; l < nleaves; l++) {
			char max[32];

			snprintf(max, sizeof(max), "%g", leaves[l].max);
			csvout_field(out, cl->v[c].code, 0);
			csvout_field(out, cl->v[c].name, 0);
			csvout_field(out, leaves[l].id, 0);
			csvout_field(out, leaves[l].name->vi, 0);
			csvout_field(out, max, 0);
			fputs(",,,\n", out);
		}
	}
	free(leaves);
	return ferror(out) ? -1 : 0;
}
