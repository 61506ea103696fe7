/* libFuzzer target: an index definition on arbitrary bytes, through what 'parindex init' and
   'parindex forms' do with it. A definition that loads must store into a fresh database, load
   back from it as the same tree, and give forms that pass their own lint and register; a
   refused one must say why. Anything else aborts. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../forms/forms.h"
#include "fuzz_db.h"
#include "store.h"

static sqlite3 *db;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The loaded tree and the one read back from the database agree. */
static int same_tree(const struct def *a, const struct def *b)
{
	if (strcmp(a->id, b->id) || strcmp(a->version, b->version) || a->nfields != b->nfields ||
	    a->ncriteria != b->ncriteria || a->nsubcriteria != b->nsubcriteria ||
	    a->ngroups != b->ngroups || a->nscales != b->nscales ||
	    a->nquestions != b->nquestions || a->ntiers != b->ntiers || a->max != b->max)
		return 0;
	for (size_t i = 0; i < a->ncriteria; i++)
		if (strcmp(a->criteria[i].id, b->criteria[i].id))
			return 0;
	for (size_t i = 0; i < a->nquestions; i++)
		if (strcmp(a->questions[i].id, b->questions[i].id))
			return 0;
	return 1;
}

/* Build, lint and register every group's form over one commune of the district. */
static void forms(const struct def *d)
{
	struct commune_list cl = { 0 };
	struct commune *c;
	struct perr err = { 0 };

	xgrow(&cl.v, &cl.alloc, 1, sizeof(*cl.v));
	c = &cl.v[cl.n++];
	*c = (struct commune){ xstrdup("90001"), xstrdup("Xã Thử"), xstrdup("xã"),
			       xstrdup(d->district_code ? d->district_code : "999"),
			       xstrdup(d->district ? d->district : "Huyện"), xstrdup(""), NULL, NULL, 2 };
	for (size_t g = 0; g < d->ngroups; g++) {
		struct form f;
		struct diag diag = { 0 };
		struct strbuf html = STRBUF_INIT;
		enum form_stored how;

		form_build(&f, d, g, &cl);
		if (form_lint(f.xml.buf, f.xml.len, f.file, &diag) < 0) {
			diag_print(&diag, "fuzz");
			fuzz_die("the form of a loaded definition fails its lint", NULL);
		}
		if (form_register(db, d, &f, &how, &err) < 0)
			fuzz_die("registering a form", &err);
		form_html(&html, d, g);
		strbuf_release(&html);
		form_release(&f);
	}
	commune_list_release(&cl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct def d, back;
	struct diag diag = { 0 };
	struct store_counts n = { 0 };
	struct perr err = { 0 };

	if (!db)
		db = fuzz_db_open();
	if (def_load(&d, (const char *)data, size, "fuzz.xml", &diag) < 0) {
		if (!diag.n)
			fuzz_die("a refused definition without a message", NULL);
		diag_release(&diag);
		return 0;
	}
	fuzz_db_begin(db);
	if (store_definition(db, &d, (const char *)data, size, "fuzz.xml", &n, &err) < 0)
		fuzz_die("storing a loaded definition", &err);
	if (store_active_definition(db, &back, &err) < 0)
		fuzz_die("loading the stored definition back", &err);
	if (!same_tree(&d, &back))
		fuzz_die("the stored definition loads back different", NULL);
	def_release(&back);
	forms(&d);
	fuzz_db_rollback(db);
	def_release(&d);
	diag_release(&diag);
	return 0;
}
