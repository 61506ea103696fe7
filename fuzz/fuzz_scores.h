/* The body of the two scores-sheet fuzz targets (fuzz_scores_csv.c, fuzz_scores_xlsx.c): what
   'parindex scores import' does with a file, then what 'parindex tally' reads and computes
   from it. The database holds the default definition and three communes of its district.
   A sheet that passes the checks must store; its rows must read back as the tally's scores;
   every computed index and field percentage must lie in 0..100. A refused sheet must say
   why. Anything else aborts. */
#ifndef PARINDEX_FUZZ_SCORES_H
#define PARINDEX_FUZZ_SCORES_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../tally/tally.h"
#include "embedded.h"
#include "fuzz_db.h"
#include "store.h"

static const char fuzz_register[] =
	"code,name,type,district_code,district\n"
	"10888,Cẩm Giang,thị trấn,295,Cẩm Giàng\n"
	"10891,Lai Cách,thị trấn,295,Cẩm Giàng\n"
	"10894,Cẩm Hưng,xã,295,Cẩm Giàng\n";

static sqlite3 *db;
static struct def d;
static struct commune_list cl;
static size_t nleaves;

static void fuzz_scores_setup(void)
{
	struct diag diag = { 0 };
	struct store_counts n = { 0 };
	struct perr err = { 0 };
	struct tally_leaf *leaves;

	db = fuzz_db_open();
	if (def_load(&d, embedded_default_definition, strlen(embedded_default_definition),
		     embedded_default_definition_name, &diag) < 0 ||
	    commune_load(&cl, fuzz_register, sizeof(fuzz_register) - 1, "register", &diag) < 0) {
		diag_print(&diag, "fuzz");
		fuzz_die("setting up", NULL);
	}
	if (store_definition(db, &d, embedded_default_definition,
			     strlen(embedded_default_definition), embedded_default_definition_name,
			     &n, &err) < 0 ||
	    store_communes(db, &cl, &n, &err) < 0)
		fuzz_die("setting up", &err);
	nleaves = tally_leaves(&d, &leaves);
	free(leaves);
}

static int same_score(const struct tally_leaf_score *a, const struct tally_leaf_score *b)
{
	return a->has_self == b->has_self && a->has_appraised == b->has_appraised &&
	       a->not_applicable == b->not_applicable &&
	       (!a->has_self || a->self_score == b->self_score) &&
	       (!a->has_appraised || a->appraised_score == b->appraised_score);
}

static void in_range(double pct, const char *what)
{
	if (!isnan(pct) && (pct < 0 || pct > 100))
		fuzz_die(what, NULL);
}

/* What the tally reads and computes from the stored sheet f. */
static void fuzz_scores_tally(const struct tally_score_file *f)
{
	struct tally_survey sv;
	struct tally_scores sc;
	struct tally_result r;
	struct perr err = { 0 };

	if (tally_load(db, &d, &cl, &sv, &sc, &err) < 0)
		fuzz_die("reading the stored scores", &err);
	for (size_t c = 0; c < cl.n; c++)
		if (sc.has_scores[c] != f->commune_in_file[c])
			fuzz_die("a commune's scores stored and read back differ", NULL);
	for (size_t i = 0; i < f->nrows; i++) {
		const struct tally_score_row *row = &f->rows[i];

		if (!same_score(&row->score, &sc.v[row->commune * nleaves + row->leaf]))
			fuzz_die("a score stored and read back differs", NULL);
	}
	tally_compute(&d, &sv, &sc, &r);
	for (size_t c = 0; c < cl.n; c++) {
		in_range(r.index[c], "an index outside 0..100");
		for (size_t k = 0; k < d.nfields; k++)
			in_range(r.field_pct[c * d.nfields + k], "a field outside 0..100");
	}
	tally_result_release(&r);
	tally_survey_release(&sv);
	tally_scores_release(&sc);
}

static void fuzz_scores(const uint8_t *data, size_t size, int xlsx)
{
	const char *name = xlsx ? "fuzz.xlsx" : "fuzz.csv";
	struct tally_sheet sheet = { 0 };
	struct tally_score_file f = { 0 };
	struct diag diag = { 0 };
	struct perr err = { 0 };
	long import_id;

	if (!db)
		fuzz_scores_setup();
	if ((xlsx ? tally_sheet_read_xlsx(&sheet, (const char *)data, size, name, &err)
		  : tally_sheet_read_csv(&sheet, (const char *)data, size, name, &err)) < 0) {
		if (!err.msg[0])
			fuzz_die("a refused sheet without a message", NULL);
		tally_sheet_release(&sheet);
		return;
	}
	if (tally_scores_check(&d, &cl, &sheet, name, &f, &diag) < 0) {
		if (!diag.n)
			fuzz_die("refused scores without a message", NULL);
		diag_release(&diag);
		tally_sheet_release(&sheet);
		return;
	}
	fuzz_db_begin(db);
	if (tally_scores_store(db, &d, &cl, &f, name, xlsx ? "xlsx" : "csv",
			       "0000000000000000000000000000000000000000000000000000000000000000",
			       &import_id, &err) < 0)
		fuzz_die("storing checked scores", &err);
	fuzz_scores_tally(&f);
	fuzz_db_rollback(db);
	tally_score_file_release(&f);
	tally_sheet_release(&sheet);
}

#endif
