/* CSV input on top of libcsv. */
#include "csvin.h"
#include "xml.h"

#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reader {
	struct csvin_record rec;
	size_t alloc;
	long line;        /* the line being fed to libcsv */
	long record_line; /* the line where the record's first field ended */
	csvin_fn fn;
	void *ctx;
	int stopped;
};

static void on_field(void *data, size_t len, void *p)
{
	struct reader *r = p;

	if (!r->rec.nfields)
		r->record_line = r->line;
	xgrow(&r->rec.fields, &r->alloc, r->rec.nfields + 1, sizeof(*r->rec.fields));
	r->rec.fields[r->rec.nfields++] = xstrndup(data ? data : "", data ? len : 0);
}

static void on_record(int term, void *p)
{
	struct reader *r = p;

	(void)term;
	r->rec.number = r->record_line;
	/* a blank line is no record */
	if (!r->stopped && !(r->rec.nfields == 1 && !r->rec.fields[0][0]) && r->rec.nfields)
		if (r->fn(&r->rec, r->ctx) < 0)
			r->stopped = 1;
	for (size_t i = 0; i < r->rec.nfields; i++)
		free(r->rec.fields[i]);
	r->rec.nfields = 0;
}

int csvin_read(const char *buf, size_t len, const char *name, csvin_fn fn, void *ctx,
	       struct perr *err)
{
	struct csv_parser p;
	struct reader r = { .fn = fn, .ctx = ctx };
	int rc = 0, failed = 0;

	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		buf += 3, len -= 3;
	if (!xml_utf8_valid(buf, len))
		return perr_set(err, PERR_DATA, name, "not valid UTF-8 (save the file as CSV UTF-8)");
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		return perr_set(err, PERR_SYSTEM, name, "cannot start the CSV reader");
	/* fed a line at a time, so that records know their line even after blank lines */
	for (size_t at = 0; at < len && !failed;) {
		const char *nl = memchr(buf + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (buf + at)) + 1 : len - at;

		r.line++;
		failed = csv_parse(&p, buf + at, n, on_field, on_record, &r) != n;
		at += n;
	}
	if (failed || csv_fini(&p, on_field, on_record, &r) != 0) {
		char where[300];

		snprintf(where, sizeof(where), "%s:%ld", name, r.line ? r.line : 1);
		rc = perr_set(err, PERR_DATA, where, "malformed CSV: %s",
			      csv_strerror(csv_error(&p)));
	}
	for (size_t i = 0; i < r.rec.nfields; i++)
		free(r.rec.fields[i]);
	free(r.rec.fields);
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
