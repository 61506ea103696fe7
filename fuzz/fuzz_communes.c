/* libFuzzer target: a commune register CSV on arbitrary bytes, through what 'parindex init
   --communes' does with it. A register that loads must store, read back the same, and count
   as unchanged when stored again; a refused one must say why. Anything else aborts. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_db.h"
#include "store.h"

static sqlite3 *db;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int by_code(const void *a, const void *b)
{
	return strcmp(((const struct commune *)a)->code, ((const struct commune *)b)->code);
}

static int same_commune(const struct commune *a, const struct commune *b)
{
	return !strcmp(a->code, b->code) && !strcmp(a->name, b->name) &&
	       !strcmp(a->type, b->type) && !strcmp(a->district_code, b->district_code) &&
	       !strcmp(a->district, b->district);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct commune_list l, back;
	struct diag diag = { 0 };
	struct store_counts n = { 0 }, again = { 0 };
	struct perr err = { 0 };

	if (!db)
		db = fuzz_db_open();
	if (commune_load(&l, (const char *)data, size, "fuzz.csv", &diag) < 0) {
		if (!diag.n)
			fuzz_die("a refused register without a message", NULL);
		diag_release(&diag);
		return 0;
	}
	if (diag.n)
		fuzz_die("a register loaded with problems reported", NULL);
	fuzz_db_begin(db);
	if (store_communes(db, &l, &n, &err) < 0)
		fuzz_die("storing a loaded register", &err);
	if ((size_t)n.added != l.n || n.updated || n.unchanged)
		fuzz_die("a fresh register not counted as added", NULL);
	if (store_communes(db, &l, &again, &err) < 0)
		fuzz_die("storing a register again", &err);
	if ((size_t)again.unchanged != l.n || again.added || again.updated)
		fuzz_die("a register stored twice not counted as unchanged", NULL);
	if (store_load_communes(db, &back, &err) < 0)
		fuzz_die("reading the register back", &err);
	if (back.n != l.n)
		fuzz_die("the register reads back with another count", NULL);
	qsort(l.v, l.n, sizeof(*l.v), by_code);
	for (size_t i = 0; i < l.n; i++)
		if (!same_commune(&l.v[i], &back.v[i]))
			fuzz_die("a commune reads back different", NULL);
	commune_list_release(&back);
	fuzz_db_rollback(db);
	commune_list_release(&l);
	return 0;
}
