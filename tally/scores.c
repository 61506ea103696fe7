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
   - numbers use a decimal point; "1,5" is refused with a hint. */
#include "tally.h"
#include "csvout.h"
#include "csvin.h"
#include "db.h"
#include "text.h"

#include <strings.h>
#include <stdlib.h>
#include <string.h>

void tally_sheet_release(struct tally_sheet *s)
{
	for (size_t i = 0; i < s->nrows; i++) {
		for (size_t k = 0; k < s->rows[i].ncells; k++)
			free(s->rows[i].cells[k]);
		free(s->rows[i].cells);
	}
	free(s->rows);
	memset(s, 0, sizeof(*s));
}

static int add_csv_record(const struct csvin_record *rec, void *p)
{
	struct tally_sheet *s = p;
	struct tally_sheet_row *row;

	xgrow(&s->rows, &s->alloc, s->nrows + 1, sizeof(*s->rows));
	row = &s->rows[s->nrows++];
	row->number = rec->number;
	row->ncells = rec->nfields;
	row->cells = xcalloc(rec->nfields ? rec->nfields : 1, sizeof(*row->cells));
	for (size_t i = 0; i < rec->nfields; i++)
		row->cells[i] = xstrdup(rec->fields[i]);
	return 0;
}

int tally_sheet_read_csv(struct tally_sheet *s, const char *buf, size_t len, const char *name,
			 struct perr *err)
{
	memset(s, 0, sizeof(*s));
	if (csvin_read(buf, len, name, add_csv_record, s, err) < 0) {
		tally_sheet_release(s);
		return -1;
	}
	return 0;
}

/* ---- checking ---- */

enum column { COMMUNE, CRITERION, SELF, APPRAISED, NA, NOTE, NCOLUMNS };
static const char *const column_names[NCOLUMNS] = {
	"commune_code", "criterion_id", "self_score", "appraised_score", "not_applicable", "note",
};

/* The cell's text with surrounding white space removed, "" for an empty or absent cell. */
static char *cell(const struct tally_sheet_row *row, int col, char *buf, size_t size)
{
	const char *s = col >= 0 && (size_t)col < row->ncells && row->cells[col] ? row->cells[col]
									     : "";
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	if (n >= size)
		n = size - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

/* A score cell: 0 blank, 1 a number in *v, -1 not a number (reported). */
static int score(struct diag *diag, const char *name, long row, const char *what,
		 const char *s, const struct tally_leaf *leaf, double *v)
{
	char *end;

	if (!*s)
		return 0;
	if (strspn(s, "0123456789.+-eE") != strlen(s) || (*v = strtod(s, &end), *end) ||
	    end == s) {
		if (strspn(s, "0123456789,") == strlen(s) && strchr(s, ','))
			diag_add(diag, name, row,
				 "%s '%s' is not a number (write decimals with a point, e.g. 1.5)",
				 what, s);
		else
			diag_add(diag, name, row, "%s '%s' is not a number", what, s);
		return -1;
	}
	if (*v < 0) {
		diag_add(diag, name, row, "%s %s is below 0", what, s);
		return -1;
	}
	if (leaf && *v > leaf->max + 1e-9) {
		diag_add(diag, name, row, "%s %s is above the max %g of criterion %s", what, s,
			 leaf->max, leaf->id);
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

/* Why id is no self-assessed leaf, reported; nothing when it is one. */
static void not_a_leaf(const struct def *d, struct diag *diag, const char *name, long row,
		       const char *id)
{
	size_t c = def_find_criterion(d, id);

	for (size_t f = 0; f < d->nfields; f++)
		if (!strcmp(d->fields[f].id, id)) {
			diag_add(diag, name, row,
				 "'%s' is a field, not a criterion; name its self-assessed criteria or sub-criteria",
				 id);
			return;
		}
	if (c == DEF_NONE) {
		diag_add(diag, name, row, "unknown criterion '%s' (not in definition %s %s)", id,
			 d->id, d->version);
	} else if (d->criteria[c].assessed == DEF_SURVEY) {
		diag_add(diag, name, row,
			 "criterion %s is survey-assessed: its points come only from the survey, it takes no self score",
			 id);
	} else {
		const struct def_criterion *cr = &d->criteria[c];

		diag_add(diag, name, row, "criterion %s is scored by its sub-criteria %s to %s", id,
			 d->subcriteria[cr->first_sub].id,
			 d->subcriteria[cr->first_sub + cr->nsub - 1].id);
	}
}

/* A row's state while checking: per commune × leaf, the row that gave it (0: none) and
   whether that row was blank. */
struct seen {
	long row;
	unsigned char blank;
};

int tally_scores_check(const struct def *d, const struct commune_list *cl,
		       const struct tally_sheet *sheet, const char *name,
		       struct tally_score_file *f, struct diag *diag)
{
	struct tally_leaf *leaves;
	size_t nleaves = tally_leaves(d, &leaves), errors = diag->n;
	int col[NCOLUMNS];
	struct seen *seen = NULL;
	long *first_row = NULL;
	unsigned char *filled = NULL;
	const struct tally_sheet_row *header;
	char buf[4][1024];

	memset(f, 0, sizeof(*f));
	if (!sheet->nrows) {
		diag_add(diag, name, 0, "empty: no header row");
		goto done;
	}
	/* the header */
	header = &sheet->rows[0];
	for (int k = 0; k < NCOLUMNS; k++) {
		col[k] = -1;
		for (size_t i = 0; i < header->ncells; i++) {
			if (strcmp(cell(header, (int)i, buf[0], sizeof(buf[0])), column_names[k]))
				continue;
			if (col[k] >= 0)
				diag_add(diag, name, header->number, "column '%s' appears twice",
					 column_names[k]);
			col[k] = (int)i;
		}
		if (col[k] < 0)
			diag_add(diag, name, header->number,
				 "no column '%s' in the header (needed: commune_code, criterion_id, self_score, appraised_score, not_applicable, note)",
				 column_names[k]);
	}
	if (diag->n > errors)
		goto done;

	seen = xcalloc(cl->n * nleaves + 1, sizeof(*seen));
	first_row = xcalloc(cl->n + 1, sizeof(*first_row));
	filled = xcalloc(cl->n + 1, 1);
	f->commune_in_file = xcalloc(cl->n + 1, 1);
	for (size_t r = 1; r < sheet->nrows; r++) {
		const struct tally_sheet_row *row = &sheet->rows[r];
		/* the template writes a code such as "-12" as "'-12" (core/csvout) */
		const char *code = csvout_unneutral(cell(row, col[COMMUNE], buf[0], sizeof(buf[0])));
		const char *id = csvout_unneutral(cell(row, col[CRITERION], buf[1], sizeof(buf[1])));
		const char *na = cell(row, col[NA], buf[2], sizeof(buf[2]));
		size_t c, l, before = diag->n;
		struct tally_leaf_score s = { 0 };
		int is_na, has_self, has_appr;

		/* a wholly empty row is no row */
		{
			int empty = 1;

			for (size_t i = 0; i < row->ncells && empty; i++)
				empty = !*cell(row, (int)i, buf[3], sizeof(buf[3]));
			if (empty)
				continue;
		}
		if (!*code) {
			diag_add(diag, name, row->number, "no commune code");
			continue;
		}
		c = find_commune(cl, code);
		if (c == DEF_NONE)
			diag_add(diag, name, row->number,
				 "unknown commune code '%s' (not in the register for district %s)", code,
				 d->district_code ? d->district_code : "?");
		for (l = 0; l < nleaves && strcmp(leaves[l].id, id); l++)
			;
		if (!*id)
			diag_add(diag, name, row->number, "no criterion id");
		else if (l == nleaves)
			not_a_leaf(d, diag, name, row->number, id);
		has_self = score(diag, name, row->number, "self score",
				 cell(row, col[SELF], buf[3], sizeof(buf[3])),
				 l < nleaves ? &leaves[l] : NULL, &s.self_score);
		has_appr = score(diag, name, row->number, "appraised score",
				 cell(row, col[APPRAISED], buf[3], sizeof(buf[3])),
				 l < nleaves ? &leaves[l] : NULL, &s.appraised_score);
		is_na = yes_no(na);
		if (is_na < 0)
			diag_add(diag, name, row->number,
				 "not_applicable '%s' is neither yes (1, x, yes, có) nor no (blank, 0, no, không)",
				 na);
		if (is_na == 1 && (has_self || has_appr))
			diag_add(diag, name, row->number,
				 "marked not applicable but has a score; leave the scores blank");
		if (c == DEF_NONE || l == nleaves)
			continue;
		if (seen[c * nleaves + l].row) {
			diag_add(diag, name, row->number,
				 "duplicate row for commune %s, criterion %s (first on row %ld)", code, id,
				 seen[c * nleaves + l].row);
			continue;
		}
		/* a row with a bad cell still counts as given: it was reported once already */
		seen[c * nleaves + l].row = row->number;
		seen[c * nleaves + l].blank = diag->n == before && !has_self && !has_appr && is_na != 1;
		if (!first_row[c])
			first_row[c] = row->number;
		if (seen[c * nleaves + l].blank)
			continue;
		filled[c] = 1;
		if (diag->n > before)
			continue;
		s.has_self = has_self == 1;
		s.has_appraised = has_appr == 1;
		s.not_applicable = is_na == 1;
		xgrow(&f->rows, &f->alloc, f->nrows + 1, sizeof(*f->rows));
		f->rows[f->nrows++] = (struct tally_score_row){
			row->number, c, l, s,
			text_nfc(cell(row, col[NOTE], buf[3], sizeof(buf[3]))),
		};
	}

	/* a commune with any filled row must account for every leaf */
	for (size_t c = 0; c < cl->n; c++) {
		if (!first_row[c])
			continue;
		if (!filled[c]) {
			f->skipped++;
			continue;
		}
		f->commune_in_file[c] = 1;
		f->ncommunes++;
		for (size_t l = 0; l < nleaves; l++) {
			const struct seen *sn = &seen[c * nleaves + l];

			if (!sn->row)
				diag_add(diag, name, first_row[c],
					 "commune %s has no row for criterion %s (give every self-assessed criterion a score, or mark it not applicable)",
					 cl->v[c].code, leaves[l].id);
			else if (sn->blank)
				diag_add(diag, name, sn->row,
					 "commune %s, criterion %s: no score (give a self or appraised score, or mark it not applicable)",
					 cl->v[c].code, leaves[l].id);
		}
	}
	if (diag->n == errors && !f->ncommunes)
		diag_add(diag, name, 0, "nothing to import: every row is blank");
done:
	free(seen);
	free(first_row);
	free(filled);
	free(leaves);
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
