/* libFuzzer target: a merged-units mapping CSV on arbitrary bytes, through what 'parindex init
   --merges' does with it: read and checked; when it loads, every code it names is put into an
   empty register, and it is stored (or refused with a message, for a cycle), stored again
   unchanged, and every year's units are taken from the register. Anything else aborts. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_db.h"
#include "merge.h"

static sqlite3 *db;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct merge_list l;
	struct diag diag = { 0 };
	struct store_counts n = { 0 }, again = { 0 };
	struct commune_list cl = { 0 };
	struct perr err = { 0 };
	sqlite3_stmt *st;
	int rc;

	if (!db)
		db = fuzz_db_open();
	if (merge_load(&l, (const char *)data, size, "fuzz.csv", &diag) < 0) {
		if (!diag.n)
			fuzz_die("a refused mapping without a message", NULL);
		diag_release(&diag);
		return 0;
	}
	if (diag.n)
		fuzz_die("a mapping loaded with problems reported", NULL);
	fuzz_db_begin(db);
	if (db_prepare(db, &st,
		       "INSERT OR IGNORE INTO commune (code, name, type) VALUES (?, 'x', 'xã')",
		       &err) < 0)
		fuzz_die("preparing the register", &err);
	for (size_t i = 0; i < l.n; i++)
		for (int k = 0; k < 2; k++) {
			sqlite3_bind_text(st, 1, k ? l.v[i].old_code : l.v[i].new_code, -1,
					  SQLITE_STATIC);
			if (db_step_done(db, st, &err) < 0)
				fuzz_die("filling the register", &err);
		}
	sqlite3_finalize(st);
	rc = merge_store(db, &l, &n, &diag, &err);
	if (rc < 0)
		fuzz_die("storing a loaded mapping", &err);
	if (rc > 0 && !diag.n)
		fuzz_die("a mapping refused without a message", NULL);
	if (!rc) {
		if ((size_t)n.added != l.n || n.updated || n.unchanged)
			fuzz_die("a fresh mapping not counted as added", NULL);
		if (merge_store(db, &l, &again, &diag, &err) != 0)
			fuzz_die("storing a mapping again", &err);
		if ((size_t)again.unchanged != l.n || again.added || again.updated)
			fuzz_die("a mapping stored twice not counted as unchanged", NULL);
		if (store_load_communes(db, &cl, &err) < 0)
			fuzz_die("reading the register back", &err);
		for (int year = MERGE_YEAR_MIN; year <= MERGE_YEAR_MAX; year += 25) {
			size_t before = cl.n;

			if (merge_year_units(db, year, &cl, &err) < 0)
				fuzz_die("the units of a year", &err);
			if (cl.n > before)
				fuzz_die("a year with more units than the register", NULL);
			commune_list_release(&cl);
			if (store_load_communes(db, &cl, &err) < 0)
				fuzz_die("reading the register back", &err);
		}
		commune_list_release(&cl);
	}
	diag_release(&diag);
	fuzz_db_rollback(db);
	merge_list_release(&l);
	return 0;
}
