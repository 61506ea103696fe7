/* parindex export: the current submissions of the active definition for analysts, one row per
   submitted form, as CSV shaped like ODK Central's export (so scripts written for Central's
   keep working), XLSX, SPSS .sav and Stata .dta (ReadStat) with variable labels (the
   questions' Vietnamese text) and value labels (the options' Vietnamese labels).
   Columns: SubmissionDate (when parindex took the batch in), start, end, deviceid, commune,
   group, surveyor, one per question of the definition (empty where the group is not asked it),
   comment, meta-instanceID, then Central's KEY (the first version's instanceID), SubmitterID,
   SubmitterName, AttachmentsPresent, AttachmentsExpected, Status, ReviewState, DeviceID,
   Edits, FormVersion. The .sav and .dta leave out the columns Central fills and parindex
   cannot (submitter, attachments, status, review state, DeviceID, which SPSS would confuse
   with deviceid) and name meta-instanceID instanceID.
   Rows are read twice from SQLite (the widths and count ReadStat needs first, then the
   values), so memory does not grow with the number of submissions. */
#include "capture.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <readstat.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "cmd.h"
#include "csvout.h"
#include "db.h"
#include "escape.h"
#include "store.h"
#include "text.h"

enum export_format { EXPORT_CSV, EXPORT_XLSX, EXPORT_SAV, EXPORT_DTA };
static const char *const format_names[] = { "csv", "xlsx", "sav", "dta" };

#define DTA_MAX_STR 2045 /* Stata 118's longest str */
#define SAV_MAX_VALUE_LABEL 120
#define SAV_MAX_LABEL 255
#define DTA_MAX_LABEL_CHARS 80

/* One column of the export. */
struct column {
	const char *name;     /* Central-shaped name (CSV, XLSX) */
	char var[33];         /* the .sav/.dta variable; empty: not in those files */
	const char *label;    /* variable label */
	size_t question;      /* index into def.questions, or DEF_NONE */
	int numeric;          /* a question whose option codes are all integers */
	int count;            /* a count (Edits): a number in XLSX, .sav and .dta */
	size_t width;         /* longest value in bytes */
	readstat_variable_t *rs;
};

/* The fixed columns, in order, as SQL over the query below; questions go after "surveyor". */
static const struct {
	const char *name, *var, *label, *sql;
	int count;
} meta_before[] = {
	{ "SubmissionDate", "SubmissionDate", "Ngày nhận (giờ UTC)", "b.started_at", 0 },
	{ "start", "start", "Bắt đầu phỏng vấn", "s.started", 0 },
	{ "end", "end", "Kết thúc phỏng vấn", "s.ended", 0 },
	{ "deviceid", "deviceid", "Mã thiết bị", "s.device_id", 0 },
	{ "commune", "commune", "Mã đơn vị hành chính cấp xã", "s.commune_code", 0 },
	{ "group", "group", "Nhóm đối tượng", "s.group_id", 0 },
	{ "surveyor", "surveyor", "Điều tra viên", "s.surveyor", 0 },
}, meta_after[] = {
	{ "comment", "comment", "Ý kiến khác", "s.comment", 0 },
	{ "meta-instanceID", "instanceID", "Mã phiếu (instanceID)", "s.instance_id", 0 },
	{ "KEY", "KEY", "Mã phiếu gốc (KEY)", "coalesce(o.deprecated_id, o.instance_id)", 0 },
	{ "SubmitterID", "", NULL, "NULL", 0 },
	{ "SubmitterName", "", NULL, "NULL", 0 },
	{ "AttachmentsPresent", "", NULL, "0", 1 },
	{ "AttachmentsExpected", "", NULL, "0", 1 },
	{ "Status", "", NULL, "NULL", 0 },
	{ "ReviewState", "", NULL, "NULL", 0 },
	{ "DeviceID", "", NULL, "s.device_id", 0 },
	{ "Edits", "Edits", "Số lần sửa", "root.n + (o.deprecated_id IS NOT NULL)", 1 },
	{ "FormVersion", "FormVersion", "Phiên bản biểu mẫu", "s.form_version", 0 },
};
#define NBEFORE (sizeof(meta_before) / sizeof(meta_before[0]))
#define NAFTER (sizeof(meta_after) / sizeof(meta_after[0]))

struct export {
	struct def def;
	struct column *cols;
	size_t ncols;
	sqlite3_stmt *rows;
	long nrows;
	long cut; /* .dta values cut to DTA_MAX_STR bytes */
	enum export_format format;
	FILE *out;
};

/* A code ReadStat and the statistics packages read as a whole number: -?[1-9][0-9]{0,8} or 0. */
static int integer_code(const char *s)
{
	size_t n = 0;

	if (*s == '-')
		s++;
	if (s[0] == '0')
		return s[1] == '\0';
	while (s[n] >= '0' && s[n] <= '9')
		n++;
	return n > 0 && n <= 9 && s[n] == '\0';
}

static int scale_is_numeric(const struct def *d, size_t scale)
{
	const struct def_scale *sc = &d->scales[scale];

	for (size_t i = 0; i < sc->noptions; i++)
		if (!integer_code(sc->options[i].code))
			return 0;
	return 1;
}

/* Words SPSS or Stata keep for themselves (compared ignoring case). */
static const char *const reserved[] = { "all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne",
					"not", "or", "to", "with", "byte", "double", "float", "if",
					"in", "int", "long", "str", "strl", "using" };

static int is_reserved(const char *s)
{
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (!strcasecmp(s, reserved[i]))
			return 1;
	return !strncasecmp(s, "str", 3) && s[3] >= '0' && s[3] <= '9';
}

/* A variable name both SPSS and Stata take: letters, digits and '_', a letter first, no
   reserved word, at most 32 bytes, unlike the names before it in any case (SPSS ignores
   case). */
static void variable_name(struct export *x, size_t at, const char *want)
{
	char *v = x->cols[at].var;
	size_t n = 0;

	if (!isalpha((unsigned char)want[0]) || is_reserved(want)) {
		v[n++] = 'v';
		v[n++] = '_';
	}
	for (const char *p = want; *p && n < 28; p++)
		v[n++] = isalnum((unsigned char)*p) ? *p : '_';
	v[n] = '\0';
	for (int k = 2, clash = 1; clash; k++) {
		clash = 0;
		for (size_t i = 0; i < at && !clash; i++)
			clash = !strcasecmp(x->cols[i].var, v);
		if (clash)
			snprintf(v + n, sizeof(x->cols[at].var) - n, "_%d", k);
	}
}

static void add_column(struct export *x, const char *name, const char *var, const char *label,
		       size_t question, int count)
{
	struct column *c = &x->cols[x->ncols];

	memset(c, 0, sizeof(*c));
	c->name = name;
	c->label = label;
	c->question = question;
	c->count = count;
	if (question != DEF_NONE)
		c->numeric = scale_is_numeric(&x->def, x->def.questions[question].scale);
	if (*var)
		variable_name(x, x->ncols, var);
	x->ncols++;
}

/* The columns and the query giving them, one result column per export column. */
static int prepare(struct export *x, sqlite3 *db, struct perr *err)
{
	struct strbuf sql = STRBUF_INIT;
	int rc, bind = 3;

	x->cols = xcalloc(NBEFORE + x->def.nquestions + NAFTER, sizeof(*x->cols));
	strbuf_adds(&sql, "WITH RECURSIVE up(start, id, n) AS (SELECT id, id, 0 FROM "
			  "current_submission UNION ALL SELECT up.start, s.replaces, up.n + 1 FROM "
			  "up JOIN submission s ON s.id = up.id WHERE s.replaces IS NOT NULL), "
			  "root AS (SELECT start, id, max(n) AS n FROM up GROUP BY start) SELECT ");
	for (size_t i = 0; i < NBEFORE; i++) {
		add_column(x, meta_before[i].name, meta_before[i].var, meta_before[i].label,
			   DEF_NONE, meta_before[i].count);
		strbuf_addf(&sql, "%s%s", i ? ", " : "", meta_before[i].sql);
	}
	for (size_t q = 0; q < x->def.nquestions; q++) {
		add_column(x, x->def.questions[q].id, x->def.questions[q].id,
			   x->def.questions[q].text.vi, q, 0);
		strbuf_addf(&sql, ", json_extract(s.answers, ?%zu)", q + 3);
	}
	for (size_t i = 0; i < NAFTER; i++) {
		add_column(x, meta_after[i].name, meta_after[i].var, meta_after[i].label, DEF_NONE,
			   meta_after[i].count);
		strbuf_addf(&sql, ", %s", meta_after[i].sql);
	}
	strbuf_adds(&sql, " FROM current_submission s JOIN root ON root.start = s.id "
			  "JOIN submission o ON o.id = root.id JOIN batch b ON b.id = s.batch_id "
			  "JOIN form f ON f.id = s.form_id AND f.version = s.form_version "
			  "WHERE f.def_id = ?1 AND f.def_version = ?2 ORDER BY s.id");
	rc = db_prepare(db, &x->rows, strbuf_str(&sql), err);
	strbuf_release(&sql);
	if (rc < 0)
		return -1;
	sqlite3_bind_text(x->rows, 1, x->def.id, -1, SQLITE_STATIC);
	sqlite3_bind_text(x->rows, 2, x->def.version, -1, SQLITE_STATIC);
	for (size_t q = 0; q < x->def.nquestions; q++) {
		char *path = xasprintf("$.\"%s\"", x->def.questions[q].id);

		sqlite3_bind_text(x->rows, bind++, path, -1, free);
	}
	return 0;
}

/* First pass: the number of rows and each column's longest value. */
static int measure(struct export *x, sqlite3 *db, struct perr *err)
{
	int rc;

	while ((rc = sqlite3_step(x->rows)) == SQLITE_ROW) {
		x->nrows++;
		for (size_t i = 0; i < x->ncols; i++) {
			size_t n = (size_t)sqlite3_column_bytes(x->rows, (int)i);

			if (n > x->cols[i].width)
				x->cols[i].width = n;
		}
	}
	sqlite3_reset(x->rows);
	return rc == SQLITE_DONE ? 0 : db_fail(db, err, "reading submissions");
}

static const char *cell(struct export *x, size_t i)
{
	const char *v = (const char *)sqlite3_column_text(x->rows, (int)i);

	return v ? v : "";
}

/* ---- CSV ---- */

static int write_csv(struct export *x, sqlite3 *db, struct perr *err)
{
	int rc;

	for (size_t i = 0; i < x->ncols; i++)
		csvout_field(x->out, x->cols[i].name, i + 1 == x->ncols);
	while ((rc = sqlite3_step(x->rows)) == SQLITE_ROW) {
		x->nrows++;
		for (size_t i = 0; i < x->ncols; i++)
			csvout_field(x->out, cell(x, i), i + 1 == x->ncols);
	}
	sqlite3_reset(x->rows);
	return rc == SQLITE_DONE ? 0 : db_fail(db, err, "reading submissions");
}

/* ---- XLSX ---- */

static int write_xlsx(struct export *x, sqlite3 *db, const char *path, struct perr *err)
{
	/* rows go out in order: constant memory keeps only the row being written (its strings
	   inline), so a big export does not hold the whole sheet */
	lxw_workbook_options opts = { .constant_memory = LXW_TRUE, .tmpdir = NULL };
	lxw_workbook *wb = workbook_new_opt(path, &opts);
	lxw_worksheet *ws;
	lxw_format *head;
	lxw_error e;
	int rc;

	if (!wb)
		return perr_set(err, PERR_SYSTEM, path, "cannot write the workbook");
	ws = workbook_add_worksheet(wb, "submissions");
	head = workbook_add_format(wb);
	format_set_bold(head);
	for (size_t i = 0; i < x->ncols; i++)
		worksheet_write_string(ws, 0, (lxw_col_t)i, x->cols[i].name, head);
	worksheet_freeze_panes(ws, 1, 0);
	while ((rc = sqlite3_step(x->rows)) == SQLITE_ROW) {
		lxw_row_t r = (lxw_row_t)++x->nrows;

		for (size_t i = 0; i < x->ncols; i++) {
			const char *v = cell(x, i);

			if (!*v)
				continue;
			/* strings are written as strings: a cell never becomes a formula */
			if (x->cols[i].numeric || x->cols[i].count)
				worksheet_write_number(ws, r, (lxw_col_t)i, atof(v), NULL);
			else
				worksheet_write_string(ws, r, (lxw_col_t)i, v, NULL);
		}
	}
	sqlite3_reset(x->rows);
	e = workbook_close(wb);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "reading submissions");
	if (e != LXW_NO_ERROR)
		return perr_set(err, PERR_SYSTEM, path, "cannot write the workbook: %s",
				lxw_strerror(e));
	return 0;
}

/* ---- SPSS and Stata, through ReadStat ---- */

static ssize_t rs_write(const void *data, size_t len, void *ctx)
{
	struct export *x = ctx;

	return fwrite(data, 1, len, x->out) == len ? (ssize_t)len : -1;
}

/* s cut to at most max characters (Stata counts characters), ending with "…" when cut. */
static void cut_chars(char *out, size_t size, const char *s, size_t max)
{
	size_t n = 0, chars = 0, last = 0;

	while (s[n] && chars < max) {
		last = n;
		n++;
		while ((s[n] & 0xc0) == 0x80)
			n++;
		chars++;
	}
	if (!s[n] || last + 4 > size)
		text_cut(out, size, s);
	else
		snprintf(out, size, "%.*s…", (int)last, s);
}

static void label(struct export *x, char *out, size_t size, const char *s, int value)
{
	if (x->format == EXPORT_DTA && value)
		text_cut(out, size < 32001 ? size : 32001, s);
	else if (x->format == EXPORT_DTA)
		cut_chars(out, size, s, DTA_MAX_LABEL_CHARS);
	else
		text_cut(out, value ? SAV_MAX_VALUE_LABEL + 1 : SAV_MAX_LABEL + 1, s);
}

/* The value label set of a question's scale, made once per scale. */
static readstat_label_set_t *scale_labels(struct export *x, readstat_writer_t *w,
					  readstat_label_set_t **sets, size_t question)
{
	const struct def_question *q = &x->def.questions[question];
	const struct def_scale *sc = &x->def.scales[q->scale];
	int numeric = scale_is_numeric(&x->def, q->scale);
	char name[33], text[32768];
	size_t n = 0;

	if (sets[q->scale])
		return sets[q->scale];
	name[n++] = 'l';
	name[n++] = '_';
	for (const char *p = sc->id; *p && n < 32; p++)
		name[n++] = isalnum((unsigned char)*p) ? *p : '_';
	name[n] = '\0';
	sets[q->scale] = readstat_add_label_set(
		w, numeric || x->format == EXPORT_DTA ? READSTAT_TYPE_INT32 : READSTAT_TYPE_STRING,
		name);
	for (size_t i = 0; i < sc->noptions; i++) {
		label(x, text, sizeof(text), sc->options[i].label.vi, 1);
		if (numeric)
			readstat_label_int32_value(sets[q->scale], atoi(sc->options[i].code), text);
		else if (x->format == EXPORT_DTA)
			readstat_label_int32_value(sets[q->scale], (int32_t)i + 1, text);
		else
			readstat_label_string_value(sets[q->scale], sc->options[i].code, text);
	}
	return sets[q->scale];
}

/* In a .dta, a question whose codes are not whole numbers holds the option's place in its
   scale (1, 2, ...), labelled with the option's label: Stata labels only numbers. */
static int32_t option_number(const struct export *x, size_t question, const char *code)
{
	const struct def_scale *sc = &x->def.scales[x->def.questions[question].scale];

	for (size_t i = 0; i < sc->noptions; i++)
		if (!strcmp(sc->options[i].code, code))
			return (int32_t)i + 1;
	return 0;
}

static int rs_fail(struct perr *err, const char *path, readstat_error_t e)
{
	return perr_set(err, PERR_SYSTEM, path, "cannot write: %s", readstat_error_message(e));
}

static int write_stat(struct export *x, sqlite3 *db, const char *path, struct perr *err)
{
	readstat_writer_t *w = readstat_writer_init();
	readstat_label_set_t **sets = xcalloc(x->def.nscales + 1, sizeof(*sets));
	readstat_error_t e;
	char text[32768], *value = xmalloc(DTA_MAX_STR + 8);
	int rc = -1, step;

	if (measure(x, db, err) < 0)
		goto done;
	readstat_set_data_writer(w, rs_write);
	label(x, text, sizeof(text), x->def.title.vi, 0);
	readstat_writer_set_file_label(w, text);
	if (x->format == EXPORT_DTA)
		readstat_writer_set_file_format_version(w, 118);
	for (size_t i = 0; i < x->ncols; i++) {
		struct column *c = &x->cols[i];
		size_t width = c->width ? c->width : 1;
		int number = c->count || (c->question != DEF_NONE &&
					  (c->numeric || x->format == EXPORT_DTA));

		if (!c->var[0])
			continue;
		if (x->format == EXPORT_DTA && width > DTA_MAX_STR)
			width = DTA_MAX_STR;
		c->rs = readstat_add_variable(w, c->var,
					      number ? READSTAT_TYPE_INT32 : READSTAT_TYPE_STRING,
					      number ? 0 : width);
		label(x, text, sizeof(text), c->label, 0);
		readstat_variable_set_label(c->rs, text);
		if (c->question != DEF_NONE)
			readstat_variable_set_label_set(c->rs, scale_labels(x, w, sets, c->question));
		readstat_variable_set_measure(c->rs, c->question != DEF_NONE
							   ? READSTAT_MEASURE_NOMINAL
							   : READSTAT_MEASURE_UNKNOWN);
	}
	e = x->format == EXPORT_DTA ? readstat_begin_writing_dta(w, x, x->nrows)
				    : readstat_begin_writing_sav(w, x, x->nrows);
	if (e != READSTAT_OK) {
		rs_fail(err, path, e);
		goto done;
	}
	while ((step = sqlite3_step(x->rows)) == SQLITE_ROW) {
		readstat_begin_row(w);
		for (size_t i = 0; i < x->ncols; i++) {
			struct column *c = &x->cols[i];
			const char *v = (const char *)sqlite3_column_text(x->rows, (int)i);

			if (!c->rs)
				continue;
			if (readstat_variable_get_type(c->rs) == READSTAT_TYPE_INT32) {
				if (!v)
					e = readstat_insert_missing_value(w, c->rs);
				else if (c->count || c->numeric)
					e = readstat_insert_int32_value(w, c->rs, atoi(v));
				else
					e = readstat_insert_int32_value(
						w, c->rs, option_number(x, c->question, v));
			} else {
				if (!v)
					v = "";
				if (x->format == EXPORT_DTA && strlen(v) > DTA_MAX_STR) {
					text_cut(value, DTA_MAX_STR + 1, v);
					v = value;
					x->cut++;
				}
				e = readstat_insert_string_value(w, c->rs, v);
			}
			if (e != READSTAT_OK)
				break;
		}
		if (e == READSTAT_OK)
			e = readstat_end_row(w);
		if (e != READSTAT_OK) {
			rs_fail(err, path, e);
			goto done;
		}
	}
	sqlite3_reset(x->rows);
	if (step != SQLITE_DONE) {
		db_fail(db, err, "reading submissions");
		goto done;
	}
	e = readstat_end_writing(w);
	if (e != READSTAT_OK) {
		rs_fail(err, path, e);
		goto done;
	}
	rc = 0;
done:
	free(value);
	free(sets);
	readstat_writer_free(w);
	return rc;
}

/* ---- the command ---- */

static int format_of(const char *s, enum export_format *f)
{
	for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (!strcasecmp(s, format_names[i])) {
			*f = (enum export_format)i;
			return 0;
		}
	return -1;
}

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "out", required_argument, NULL, 'o' },
		{ 0 },
	};
	struct export x = { .format = EXPORT_CSV };
	const char *dbopt = NULL, *out = NULL, *format = NULL;
	char *tmp = NULL, *shown = NULL, defout[32];
	struct perr err = { 0 };
	sqlite3 *db = NULL;
	int c, fd = -1, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dbopt = optarg; break;
		case 'f': format = optarg; break;
		case 'o': out = optarg; break;
		default: return cmd_bad_option("export", argv);
		}
	}
	if (optind < argc)
		return cmd_usage_error("export", "unexpected argument '%s'", argv[optind]);
	if (format && format_of(format, &x.format) < 0)
		return cmd_usage_error("export", "--format wants csv, xlsx, sav or dta, not '%s'",
				       format);
	if (!format && out && strrchr(out, '.'))
		format_of(strrchr(out, '.') + 1, &x.format);
	if (!out) {
		snprintf(defout, sizeof(defout), "submissions.%s", format_names[x.format]);
		out = defout;
	}
	if (db_open(&db, db_path(dbopt), DB_EXISTING, &err) < 0)
		return perr_print(&err, "export");
	rc = -1;
	if (db_exec(db, "BEGIN", &err) < 0 || store_active_definition(db, &x.def, &err) < 0 ||
	    prepare(&x, db, &err) < 0)
		goto done;
	/* written beside FILE under a name of its own, renamed once whole */
	tmp = xasprintf("%s.XXXXXX", out);
	fd = mkstemp(tmp);
	if (fd >= 0) { /* mkstemp's 0600 would keep the file from the others the umask allows */
		mode_t mask = umask(0);

		umask(mask);
		fchmod(fd, 0666 & ~mask);
	}
	if (fd < 0 || !(x.out = fdopen(fd, "wb"))) {
		perr_set(&err, PERR_SYSTEM, out, "cannot write: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
		goto done;
	}
	switch (x.format) {
	case EXPORT_CSV: rc = write_csv(&x, db, &err); break;
	case EXPORT_XLSX: rc = write_xlsx(&x, db, tmp, &err); break;
	case EXPORT_SAV:
	case EXPORT_DTA: rc = write_stat(&x, db, tmp, &err); break;
	}
	if (fflush(x.out) != 0 || ferror(x.out) || fsync(fileno(x.out)) != 0) {
		if (rc == 0)
			perr_set(&err, PERR_SYSTEM, out, "cannot write: %s", strerror(errno));
		rc = -1;
	}
	if (fclose(x.out) != 0 && rc == 0) {
		perr_set(&err, PERR_SYSTEM, out, "cannot write: %s", strerror(errno));
		rc = -1;
	}
	if (rc == 0 && rename(tmp, out) != 0) {
		perr_set(&err, PERR_SYSTEM, out, "cannot write: %s", strerror(errno));
		rc = -1;
	}
done:
	if (rc < 0 && tmp && fd >= 0)
		unlink(tmp);
	free(tmp);
	sqlite3_finalize(x.rows);
	free(x.cols);
	def_release(&x.def);
	db_close(db);
	if (rc < 0)
		return perr_print(&err, "export");
	shown = escape_term_dup(out);
	printf("export: %ld submissions written to %s (%s)\n", x.nrows, shown,
	       format_names[x.format]);
	if (x.cut)
		fprintf(stderr, "parindex: export: %s: %ld values longer than %d bytes cut to fit "
				"Stata's str (with '…')\n", shown, x.cut, DTA_MAX_STR);
	free(shown);
	return PERR_OK;
}
