/* CSV input on top of libcsv. */
#include "csvin.h"
#include "strbuf.h"
#include "xml.h"

#include <csv.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reader {
	struct csvin_record rec;
	size_t alloc;
	struct strbuf text; /* the record's fields, each ended by NUL */
	long line;          /* the line being fed to libcsv */
	long record_line;   /* the line where the record's first field ended */
	csvin_fn fn;
	void *ctx;
	int stopped, too_wide;
};

/* The separator of the header line: the most frequent of , ; tab outside quotes. */
static char detect_separator(const char *buf, size_t len)
{
	static const char seps[] = { ',', ';', '\t' };
	size_t count[3] = { 0 };
	int quoted = 0, best = 0;

	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '"')
			quoted = !quoted;
		else if (!quoted && (buf[i] == '\n' || buf[i] == '\r'))
			break;
		else if (!quoted)
			for (int k = 0; k < 3; k++)
				count[k] += buf[i] == seps[k];
	}
	for (int k = 1; k < 3; k++)
		if (count[k] > count[best])
			best = k;
	return seps[best];
}

static void on_field(void *data, size_t len, void *p)
{
	struct reader *r = p;

	if (r->stopped)
		return;
	if (!r->rec.nfields)
		r->record_line = r->line;
	if (r->rec.nfields == CSVIN_MAX_FIELDS) {
		r->too_wide = 1;
		r->stopped = 1;
		return;
	}
	/* the offset now, a pointer once the record is whole (the buffer may move) */
	xgrow(&r->rec.fields, &r->alloc, r->rec.nfields + 1, sizeof(*r->rec.fields));
	r->rec.fields[r->rec.nfields++] = (char *)(uintptr_t)r->text.len;
	strbuf_add(&r->text, data ? data : "", data ? len : 0);
	strbuf_addc(&r->text, '\0');
}

static void on_record(int term, void *p)
{
	struct reader *r = p;

	(void)term;
	r->rec.number = r->record_line;
	for (size_t i = 0; i < r->rec.nfields; i++)
		r->rec.fields[i] = r->text.buf + (uintptr_t)r->rec.fields[i];
	/* a blank line is no record */
	if (!r->stopped && !(r->rec.nfields == 1 && !r->rec.fields[0][0]) && r->rec.nfields)
		if (r->fn(&r->rec, r->ctx) < 0)
			r->stopped = 1;
	r->rec.nfields = 0;
	strbuf_reset(&r->text);
}

int csvin_read(const char *buf, size_t len, const char *name, csvin_fn fn, void *ctx,
	       struct perr *err)
{
	struct csv_parser p;
	struct reader r = { .fn = fn, .ctx = ctx };
	int rc = 0, failed = 0;
	char where[300];

	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		buf += 3, len -= 3;
	if (!xml_utf8_valid(buf, len)) {
		/* the line of the first bad byte: a character never spans a '\n' (0x0a is no
		   continuation byte), so each line is valid or not on its own */
		long line = 1;

		for (size_t at = 0; at < len; line++) {
			const char *nl = memchr(buf + at, '\n', len - at);
			size_t n = nl ? (size_t)(nl - (buf + at)) + 1 : len - at;

			if (!xml_utf8_valid(buf + at, n))
				break;
			at += n;
		}
		snprintf(where, sizeof(where), "%s:%ld", name, line);
		return perr_set(err, PERR_DATA, where, "not valid UTF-8 (save the file as CSV UTF-8)");
	}
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		return perr_set(err, PERR_SYSTEM, name, "cannot start the CSV reader");
	r.rec.sep = detect_separator(buf, len);
	csv_set_delim(&p, (unsigned char)r.rec.sep);
	/* fed a line at a time, so that records know their line even after blank lines */
	for (size_t at = 0; at < len && !failed && !r.stopped;) {
		const char *nl = memchr(buf + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (buf + at)) + 1 : len - at;

		r.line++;
		failed = csv_parse(&p, buf + at, n, on_field, on_record, &r) != n;
		at += n;
	}
	snprintf(where, sizeof(where), "%s:%ld", name, r.line ? r.line : 1);
	if (r.too_wide)
		rc = perr_set(err, PERR_DATA, where, "more than %d fields in one record",
			      CSVIN_MAX_FIELDS);
	else if (!r.stopped && (failed || csv_fini(&p, on_field, on_record, &r) != 0))
		rc = perr_set(err, PERR_DATA, where, "malformed CSV: %s",
			      csv_strerror(csv_error(&p)));
	free(r.rec.fields);
	strbuf_release(&r.text);
	csv_free(&p);
	if (!rc && r.stopped)
		rc = -1;
	return rc;
}

int csvin_column(const struct csvin_record *header, const char *name)
{
	for (size_t i = 0; i < header->nfields; i++)
		if (!strcmp(header->fields[i], name))
			return (int)i;
	return -1;
}

int csvin_header_columns(const struct csvin_record *header, const char *const *names, size_t n,
			 size_t nlisted, unsigned long optional, int *col, struct diag *diag,
			 const char *file)
{
	struct strbuf listed = STRBUF_INIT;
	int missing = 0;

	for (size_t c = 0; c < nlisted; c++)
		strbuf_addf(&listed, "%s%s", c ? "," : "", names[c]);
	for (size_t c = 0; c < n; c++) {
		col[c] = csvin_column(header, names[c]);
		if (col[c] >= 0 || (optional >> c & 1))
			continue;
		diag_add(diag, file, header->number, "header has no column '%s' (expected %s)",
			 names[c], strbuf_str(&listed));
		missing++;
	}
	strbuf_release(&listed);
	return missing;
}

int csvin_read_file(struct strbuf *sb, const char *path, struct diag *diag)
{
	if (strbuf_read_file(sb, path, CSVIN_FILE_MAX) < 0) {
		diag_add(diag, path, 0, "cannot read: %s", strerror(errno));
		strbuf_release(sb);
		return -1;
	}
	return 0;
}
