/* ODK Central's CSV export as a source of instances. Central's "download all submissions"
   zip holds the root table FORMID.csv (SubmissionDate, the form's fields in form order, their
   group paths joined by '-', so meta/instanceID is meta-instanceID, then KEY, SubmitterID,
   SubmitterName, AttachmentsPresent, AttachmentsExpected, Status, ReviewState, DeviceID, Edits,
   FormVersion), one join table per repeat group (FORMID-REPEAT.csv, with PARENT_KEY and KEY),
   and the attachments under files/. Each row of the root table is turned into the instance its
   XML would have given (the form id from the file's name, the version from FormVersion), so it
   goes through capture_validate and the same store as an XML entry.
   An edited submission is one row in Central: KEY is its first version's instanceID,
   meta-instanceID the current one's, Edits the number of edits. The row's deprecatedID is the
   meta-deprecatedID column when the export has one, otherwise KEY when it differs from
   meta-instanceID, which the writer turns into the version of that submission stored last
   (capture_central_edit_of): Edits may be more than one. */
#include "capture.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csvin.h"
#include "db.h"
#include "text.h"

/* What a column of the root table holds. */
enum column { COL_IGNORED, COL_FIELD, COL_KEY, COL_INSTANCE_ID, COL_INSTANCE_NAME,
	      COL_DEPRECATED_ID, COL_VERSION, COL_STATUS };

/* Central's own columns and the meta fields, and what parindex takes from them. */
static const struct {
	const char *name;
	enum column col;
} central_columns[] = {
	{ "SubmissionDate", COL_IGNORED },   { "KEY", COL_KEY },
	{ "SubmitterID", COL_IGNORED },      { "SubmitterName", COL_IGNORED },
	{ "AttachmentsPresent", COL_IGNORED }, { "AttachmentsExpected", COL_IGNORED },
	{ "Status", COL_STATUS },            { "ReviewState", COL_IGNORED },
	{ "DeviceID", COL_IGNORED },         { "Edits", COL_IGNORED },
	{ "FormVersion", COL_VERSION },      { "meta-instanceID", COL_INSTANCE_ID },
	{ "meta-instanceName", COL_INSTANCE_NAME }, { "meta-deprecatedID", COL_DEPRECATED_ID },
};

/* The elements every parindex form has besides its questions (forms/xform.c). */
static const char *const plain_fields[] = { "start", "end", "today", "deviceid", "commune",
					    "surveyor", "comment" };

struct table {
	const struct capture_registry *reg;
	const char *name;   /* the table's file name, for messages */
	char form_id[256];  /* from the file name */
	const struct capture_form *form; /* a registered form of that id (any version) */
	enum column *cols;
	char **header_names; /* copies: the reader reuses its buffer */
	size_t ncols;
	int repeat;         /* a repeat group's join table (PARENT_KEY) */
	int foreign;        /* not Central's: column 1 is not SubmissionDate */
	int header_done;
	struct capture_problem *prob;
	int refused;        /* prob says why the whole table is refused */
	capture_row_fn fn;
	void *ctx;
	struct capture_row row;
	struct capture_field *fields;
	struct strbuf cells; /* a row's cells, for its sha256 */
};

static int refuse(struct table *t, const char *reason, long line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int refuse(struct table *t, const char *reason, long line, const char *fmt, ...)
{
	va_list ap;

	t->refused = 1;
	t->prob->reason = reason;
	t->prob->line = line;
	va_start(ap, fmt);
	if (vsnprintf(t->prob->msg, sizeof(t->prob->msg), fmt, ap) >= (int)sizeof(t->prob->msg))
		text_mark_cut(t->prob->msg, sizeof(t->prob->msg));
	va_end(ap);
	return -1;
}

/* Is name a field of a registered form with the table's id (any version): one of the plain
   elements, or a question asked of the form's group? */
static int known_field(const struct table *t, const char *name)
{
	for (size_t i = 0; i < sizeof(plain_fields) / sizeof(plain_fields[0]); i++)
		if (!strcmp(name, plain_fields[i]))
			return 1;
	for (size_t i = 0; i < t->reg->nforms; i++) {
		const struct capture_form *f = &t->reg->forms[i];
		size_t q;

		if (strcmp(f->id, t->form_id))
			continue;
		q = def_find_question(f->def, name);
		if (q != DEF_NONE && (f->def->questions[q].groups & (1u << f->group)))
			return 1;
	}
	return 0;
}

/* The header: Central's columns and the form's fields, each once; the columns parindex needs
   are there. */
static int header(struct table *t, const struct csvin_record *rec)
{
	static const char *const needed[] = { "KEY", "meta-instanceID", "FormVersion" };

	t->header_done = 1;
	for (size_t i = 0; i < rec->nfields; i++)
		if (!strcmp(rec->fields[i], "PARENT_KEY")) {
			t->repeat = 1;
			return -1;
		}
	t->foreign = strcmp(rec->fields[0], "SubmissionDate") != 0;
	if (t->foreign)
		return refuse(t, "bad-table", rec->number,
			      "not an ODK Central export: column 1 is '%s', not SubmissionDate",
			      rec->fields[0]);
	if (!t->form)
		return refuse(t, "unknown-form", rec->number,
			      "no registered form '%s' (Central names the export after its form "
			      "id)", t->form_id);
	for (size_t k = 0; k < sizeof(needed) / sizeof(needed[0]); k++)
		if (csvin_column(rec, needed[k]) < 0)
			return refuse(t, "bad-table", rec->number, "no column %s", needed[k]);
	t->ncols = rec->nfields;
	t->cols = xcalloc(t->ncols, sizeof(*t->cols));
	t->fields = xcalloc(t->ncols, sizeof(*t->fields));
	t->header_names = xcalloc(t->ncols, sizeof(*t->header_names));
	for (size_t i = 0; i < rec->nfields; i++)
		t->header_names[i] = xstrdup(rec->fields[i]);
	for (size_t i = 0; i < rec->nfields; i++) {
		const char *name = rec->fields[i];
		size_t k = 0, n = sizeof(central_columns) / sizeof(central_columns[0]);

		while (k < n && strcmp(central_columns[k].name, name))
			k++;
		if (k < n) {
			t->cols[i] = central_columns[k].col;
		} else if (known_field(t, name)) {
			t->cols[i] = COL_FIELD;
		} else {
			return refuse(t, "bad-table", rec->number,
				      "column %zu '%s' is neither a field of form '%s' nor one of "
				      "Central's", i + 1, name, t->form_id);
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(rec->fields[j], name))
				return refuse(t, "bad-table", rec->number,
					      "column %zu '%s' repeats column %zu", i + 1, name,
					      j + 1);
	}
	return 0;
}

/* First pass: the header, and every record read (so a syntax error anywhere refuses the
   table before any row is stored). */
static int check_record(const struct csvin_record *rec, void *ctx)
{
	struct table *t = ctx;

	if (!t->header_done)
		return header(t, rec);
	return 0;
}

/* The column (1-based) holding c. */
static long column_of(const struct table *t, enum column c)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (t->cols[i] == c)
			return (long)i + 1;
	return 0;
}

static char *trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}

static void row_problem(struct capture_row *row, const char *reason, long column,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void row_problem(struct capture_row *row, const char *reason, long column,
			const char *fmt, ...)
{
	va_list ap;

	row->bad = 1;
	row->prob.reason = reason;
	row->prob.line = column;
	va_start(ap, fmt);
	if (vsnprintf(row->prob.msg, sizeof(row->prob.msg), fmt, ap) >= (int)sizeof(row->prob.msg))
		text_mark_cut(row->prob.msg, sizeof(row->prob.msg));
	va_end(ap);
}

/* Second pass: each data row as an instance. */
static int take_row(const struct csvin_record *rec, void *ctx)
{
	struct table *t = ctx;
	struct capture_row *row = &t->row;
	struct capture_instance *inst = &row->inst;
	const char *key = NULL, *status = NULL;

	if (!t->header_done) {
		t->header_done = 1;
		return 0;
	}
	memset(row, 0, sizeof(*row));
	row->line = rec->number;
	row->columns = (const char *const *)t->header_names;
	strbuf_reset(&t->cells);
	for (size_t i = 0; i < rec->nfields; i++)
		strbuf_add(&t->cells, rec->fields[i], strlen(rec->fields[i]) + 1);
	text_sha256_hex(t->cells.buf, t->cells.len, row->sha256);
	inst->root = "data";
	inst->form_id = t->form_id;
	inst->fields = t->fields;
	if (rec->nfields != t->ncols) {
		row_problem(row, "bad-row", 0, "%zu cells where the header has %zu columns",
			    rec->nfields, t->ncols);
		return t->fn(row, t->ctx);
	}
	for (size_t i = 0; i < rec->nfields; i++) {
		char *v = trim(rec->fields[i]);
		long column = (long)i + 1;

		switch (t->cols[i]) {
		case COL_IGNORED:
			break;
		case COL_FIELD:
			if (*v) /* an empty cell is an element left empty */
				t->fields[inst->nfields++] = (struct capture_field){
					.name = t->header_names[i], .value = v, .line = column };
			break;
		case COL_KEY: key = v; break;
		case COL_INSTANCE_ID:
			inst->instance_id = *v ? v : NULL;
			inst->instance_id_line = column;
			break;
		case COL_INSTANCE_NAME: inst->instance_name = *v ? v : NULL; break;
		case COL_DEPRECATED_ID:
			inst->deprecated_id = *v ? v : NULL;
			inst->deprecated_id_line = column;
			break;
		case COL_VERSION: inst->form_version = *v ? v : NULL; break;
		case COL_STATUS: status = v; break;
		}
	}
	if (!inst->instance_id && key && *key) {
		inst->instance_id = key;
		inst->instance_id_line = column_of(t, COL_KEY);
	}
	if (!inst->deprecated_id && key && *key && inst->instance_id &&
	    strcmp(key, inst->instance_id)) {
		inst->deprecated_id = key; /* Central's KEY: the first version of an edited one */
		inst->deprecated_id_line = column_of(t, COL_KEY);
		row->edit_by_key = 1;
	}
	if (status && *status)
		row_problem(row, "encrypted", column_of(t, COL_STATUS),
			    "no data in the export: Central says '%s' (an encrypted submission "
			    "Central could not decrypt)", status);
	return t->fn(row, t->ctx);
}

void capture_central_form_id(const char *name, char *out, size_t size)
{
	const char *base = strrchr(name, '/');
	size_t n;

	base = base ? base + 1 : name;
	n = strlen(base);
	if (n >= 4 && !strcasecmp(base + n - 4, ".csv"))
		n -= 4;
	if (n >= size)
		n = size - 1;
	memcpy(out, base, n);
	out[n] = '\0';
}

int capture_central_read(const struct capture_registry *reg, const char *buf, size_t len,
			 const char *name, capture_row_fn fn, void *ctx,
			 struct capture_problem *prob)
{
	struct table t = { .reg = reg, .name = name, .prob = prob, .fn = fn, .ctx = ctx };
	struct perr err = { 0 };
	int rc = -1;

	capture_central_form_id(name, t.form_id, sizeof(t.form_id));
	for (size_t i = 0; i < reg->nforms && !t.form; i++)
		if (!strcmp(reg->forms[i].id, t.form_id))
			t.form = &reg->forms[i];
	memset(prob, 0, sizeof(*prob));
	if (csvin_read(buf, len, name, check_record, &t, &err) < 0) {
		if (t.repeat) {
			rc = 1;
		} else if (t.foreign) {
			rc = 2;
		} else if (!t.refused) {
			/* the reader's own refusal: not UTF-8, malformed, too wide */
			const char *colon = strrchr(err.where, ':');

			refuse(&t, "bad-table", colon ? atol(colon + 1) : 0, "%s", err.msg);
		}
		goto done;
	}
	if (!t.header_done) {
		refuse(&t, "bad-table", 0, "empty: no header row");
		goto done;
	}
	t.header_done = 0;
	if (csvin_read(buf, len, name, take_row, &t, &err) < 0)
		rc = -2; /* fn stopped: it has said why */
	else
		rc = 0;
done:
	for (size_t i = 0; t.header_names && i < t.ncols; i++)
		free(t.header_names[i]);
	free(t.header_names);
	free(t.cols);
	free(t.fields);
	strbuf_release(&t.cells);
	return rc;
}

int capture_central_edit_of(sqlite3 *db, sqlite3_stmt **st, const struct capture_row *row,
			    char out[CAPTURE_MAX_ID + 1], struct perr *err)
{
	const char *found;
	int rc, got = 0;

	if (!row->edit_by_key || !row->inst.instance_id)
		return 0;
	/* the row's own version when stored (a resend: the deprecatedID it was stored with),
	   else the current version of the chain that starts at KEY; NULL: KEY as it is */
	if (!*st && db_prepare(db, st,
			       "WITH RECURSIVE chain(iid, sup, depth) AS (SELECT instance_id, "
			       "superseded_by, 0 FROM submission WHERE instance_id = ?2 UNION ALL "
			       "SELECT s.instance_id, s.superseded_by, c.depth + 1 FROM submission s "
			       "JOIN chain c ON s.id = c.sup WHERE c.depth < 10000) "
			       "SELECT CASE WHEN EXISTS (SELECT 1 FROM submission WHERE instance_id = "
			       "?1) THEN (SELECT deprecated_id FROM submission WHERE instance_id = ?1) "
			       "ELSE (SELECT iid FROM chain WHERE sup IS NULL) END", err) < 0)
		return -1;
	sqlite3_bind_text(*st, 1, row->inst.instance_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(*st, 2, row->inst.deprecated_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(*st);
	found = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(*st, 0) : NULL;
	if (found && strlen(found) <= CAPTURE_MAX_ID && strcmp(found, row->inst.instance_id)) {
		memcpy(out, found, strlen(found) + 1);
		got = 1;
	}
	sqlite3_reset(*st);
	if (rc != SQLITE_ROW)
		return db_fail(db, err, "looking up an edited submission");
	return got;
}
