/* libFuzzer target: reading ODK Central's CSV export (capture_central_read) on arbitrary
   bytes, each row then validated as capture import does, against the mini registry. The
   first byte picks the table's name (mini-A.csv, mini-B.csv, mini-A-r.csv or another form's),
   the rest is the file. Aborts on a broken promise: a refused table or a bad row without a
   reason and a message, a row handed out after a refusal, a column past the header. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_registry.h"

static struct capture_registry reg;
static struct capture_submission sub;

struct seen {
	size_t rows;
};

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz: central: %s\n", what);
		abort();
	}
}

static int on_row(const struct capture_row *row, void *ctx)
{
	struct seen *seen = ctx;
	struct capture_problem prob;

	seen->rows++;
	check(row->line > 1, "a row on the header's line");
	check(strlen(row->sha256) == 64, "a row without its sha256");
	check(row->inst.form_id && *row->inst.form_id, "a row without a form id");
	if (row->bad) {
		check(row->prob.reason && row->prob.msg[0], "a bad row without a reason");
		return 0;
	}
	for (size_t i = 0; i < row->inst.nfields; i++)
		check(row->inst.fields[i].line > 0 && row->inst.fields[i].value[0],
		      "a field without its column or with an empty value");
	if (capture_validate(&reg, &row->inst, &sub, &prob) < 0) {
		check(prob.reason && prob.msg[0], "a rejected row without a reason");
		/* a problem's column is one the header has */
		check(prob.line == 0 || row->columns[prob.line - 1] != NULL, "no such column");
	} else {
		check(sub.instance_id && *sub.instance_id, "a stored row without an instance id");
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "mini-A.csv", "mini-B.csv", "mini-A-r.csv",
					     "export/mini-Z.CSV" };
	struct capture_problem prob;
	struct seen seen = { 0 };
	int rc;

	if (!reg.forms)
		fuzz_registry_setup(&reg);
	if (size == 0)
		return 0;
	rc = capture_central_read(&reg, (const char *)data + 1, size - 1, names[data[0] % 4],
				  on_row, &seen, &prob);
	check(rc >= -1 && rc <= 2, "an unknown return");
	if (rc != 0)
		check(seen.rows == 0, "rows handed out from a refused or ignored table");
	if (rc == -1 || rc == 2)
		check(prob.reason && (!strcmp(prob.reason, "bad-table") ||
				      !strcmp(prob.reason, "unknown-form")) && prob.msg[0],
		      "a refused table without its reason");
	return 0;
}
