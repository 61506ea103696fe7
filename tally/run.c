/* What 'parindex tally' and 'parindex scores import' do between opening the database and
   printing, as library functions, so that the command and the server's office pages (capture/
   serve_office.c) run the same code. */
#include "tally.h"
#include "../capture/quality.h"
#include "db.h"
#include "merge.h"
#include "store.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Keep the communes of the definition's district (a definition is one area's index, as
   the forms are); -1 with err when none is left. */
int tally_district_communes(const struct def *d, struct commune_list *cl, const char *dbname,
			     struct perr *err)
{
	size_t n = 0;

	for (size_t i = 0; i < cl->n; i++) {
		struct commune *c = &cl->v[i];

		if (!d->district_code || !strcmp(c->district_code, d->district_code)) {
			cl->v[n++] = *c;
			continue;
		}
		commune_release(c);
	}
	cl->n = n;
	if (n)
		return 0;
	if (d->district_code)
		return perr_set(err, PERR_USAGE, dbname,
				"the register has no commune of district %s (%s); load them with 'parindex init --communes FILE'",
				d->district_code, d->district);
	return perr_set(err, PERR_USAGE, dbname,
			"the commune register is empty; load it with 'parindex init --communes FILE'");
}

/* --explain computes without storing: say so when the published tally of commune c says
   something else (or there is none), since the official may hold the published one. */
static int note_published(sqlite3 *db, const char *where, const struct def *d,
			  const struct commune_list *cl, const struct tally_result *r, size_t c,
			  struct perr *err)
{
	sqlite3_stmt *st;
	const char *tier = r->tier[c] == TALLY_UNCLASSIFIED ? NULL : d->tiers[r->tier[c]].id;
	int rc, same = 0, found = 0;

	if (db_prepare(db, &st,
		       "SELECT index_published, tier_id, rank FROM tally_commune t, tally_run u "
		       "WHERE t.commune_code = ? AND u.def_id = ? AND u.def_version = ?",
		       err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, cl->v[c].code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, d->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, d->version, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *ix = (const char *)sqlite3_column_text(st, 0);
		const char *ti = (const char *)sqlite3_column_text(st, 1);

		found = 1;
		same = ix && !strcmp(ix, r->index_text[c]) && !ti == !tier &&
		       (!ti || !strcmp(ti, tier)) && sqlite3_column_int64(st, 2) == r->rank[c];
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "reading the published tally");
	if (!found)
		fprintf(stderr,
			"parindex: tally: %s: commune %s: this explains the data as it is now; no tally of definition %s %s is published: run 'parindex tally' to publish it\n",
			where, cl->v[c].code, d->id, d->version);
	else if (!same)
		fprintf(stderr,
			"parindex: tally: %s: commune %s: this explains the data as it is now, which differs from the published tally: run 'parindex tally' to publish it\n",
			where, cl->v[c].code);
	return 0;
}

/* "csv" or "xlsx" from the content (a zip is an XLSX workbook), else from the name. */
const char *tally_sheet_format(const char *name, const struct strbuf *content)
{
	size_t n = strlen(name);

	if (content && content->len >= 4 && !memcmp(content->buf, "PK\x03\x04", 4))
		return "xlsx";
	if (n >= 5 && !strcasecmp(name + n - 5, ".xlsx"))
		return "xlsx";
	if (n >= 4 && !strcasecmp(name + n - 4, ".csv"))
		return "csv";
	return content ? "csv" : NULL;
}

/* The previous year's results of the units just tallied, for the ranking's comparison. */
static int tally_load_previous(sqlite3 *db, struct tally_pass *t, struct perr *err)
{
	const char **codes = xcalloc(t->cl.n ? t->cl.n : 1, sizeof(*codes));
	int rc;

	for (size_t i = 0; i < t->cl.n; i++)
		codes[i] = t->cl.v[i].code;
	rc = years_previous_load(db, t->d.year, t->cl.n, codes, &t->prev, err);
	free(codes);
	return rc;
}

void tally_pass_defaults(struct tally_pass *t)
{
	t->resamples = TALLY_RESAMPLES;
	t->seed = TALLY_SEED;
	t->threads = tally_threads_default();
}

int tally_pass_run(sqlite3 *db, const char *where, const char *explain, struct tally_pass *t,
		   struct perr *err)
{
	size_t scored = 0;
	long resamples = t->resamples;
	uint64_t seed = t->seed;
	int threads = t->threads;
	const char *again_id = t->again_id, *again_version = t->again_version;

	memset(t, 0, sizeof(*t));
	t->resamples = resamples;
	t->seed = seed;
	t->threads = threads;
	t->again_id = again_id;
	t->again_version = again_version;
	t->explain = DEF_NONE;
	/* a national tally rewrites ~70 MB: a larger page cache keeps SQLite from spilling
	   mid-transaction (this connection only) */
	if (db_exec(db, "PRAGMA cache_size = -65536", err) < 0)
		return -1;
	/* read, compute and replace the results as one consistent snapshot; --explain computes
	   the same way and stores nothing (its transaction only reads) */
	if (db_exec(db, explain ? "BEGIN" : "BEGIN IMMEDIATE", err) < 0)
		return -1;
	if ((again_id ? store_load_definition(db, again_id, again_version, &t->d, err)
		      : store_active_definition(db, &t->d, err)) < 0)
		goto rollback;
	if (store_load_communes(db, &t->cl, err) < 0 ||
	    tally_district_communes(&t->d, &t->cl, where, err) < 0 ||
	    merge_year_units(db, t->d.year, &t->cl, err) < 0)
		goto rollback;
	/* the bootstrap keeps every commune's published index of every resample, twice, as
	   floats: memory grows with communes x resamples */
	if ((unsigned long long)resamples * t->cl.n > TALLY_MAX_DRAWS) {
		perr_set(err, PERR_USAGE, "",
			 "--resamples %ld for %zu communes is more than %llu communes x resamples (%llu MiB of memory); take at most %llu",
			 resamples, t->cl.n, (unsigned long long)TALLY_MAX_DRAWS,
			 (unsigned long long)TALLY_MAX_DRAWS * 8 >> 20,
			 (unsigned long long)TALLY_MAX_DRAWS / t->cl.n);
		goto rollback;
	}
	if (explain) {
		for (size_t i = 0; i < t->cl.n; i++)
			if (!strcmp(t->cl.v[i].code, explain))
				t->explain = i;
		if (t->explain == DEF_NONE) {
			perr_set(err, PERR_DATA, where, "no commune '%s' in the register for %s %s",
				 explain, t->d.district_code ? "district" : "province",
				 t->d.district_code ? t->d.district_code : def_area(&t->d));
			goto rollback;
		}
	}
	if (tally_load(db, &t->d, &t->cl, &t->sv, &t->sc, err) < 0 ||
	    (!again_id && tally_other_definitions(db, "tally", where, err) < 0) ||
	    quality_excluded(db, t->d.id, t->d.version, NULL, NULL, &t->excluded, err) < 0)
		goto rollback;
	for (size_t i = 0; i < t->cl.n; i++)
		scored += t->sc.has_scores[i];
	if (!t->sv.submissions && !scored) {
		perr_set(err, PERR_DATA, where,
			 "nothing to tally: no submission and no score of definition %s %s; import the survey with 'parindex capture import FILE.zip' and the scores with 'parindex scores import FILE'",
			 t->d.id, t->d.version);
		goto rollback;
	}
	tally_compute(&t->d, &t->sv, &t->sc, &t->r);
	tally_confidence_compute(&t->d, &t->sv, &t->r, resamples, seed, threads, &t->conf);
	t->computed = 1;
	if (explain) {
		if (note_published(db, where, &t->d, &t->cl, &t->r, t->explain, err) < 0)
			goto rollback;
		return db_exec(db, "ROLLBACK", err);
	}
	if (tally_store(db, &t->d, &t->cl, &t->sv, &t->sc, &t->r, &t->conf, err) < 0 ||
	    tally_load_previous(db, t, err) < 0 || (!again_id && db_exec(db, "COMMIT", err) < 0))
		goto rollback;
	return 0;
rollback:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

void tally_pass_release(struct tally_pass *t)
{
	if (t->computed) {
		tally_result_release(&t->r);
		tally_confidence_release(&t->conf);
	}
	years_previous_release(&t->prev);
	tally_survey_release(&t->sv);
	tally_scores_release(&t->sc);
	commune_list_release(&t->cl);
	def_release(&t->d);
	t->computed = 0;
}

int tally_scores_import(sqlite3 *db, const char *where, const struct strbuf *content,
			const char *file, struct tally_score_file *f, struct diag *diag,
			long *import_id, struct perr *err)
{
	const char *fmt = tally_sheet_format(file, content);
	struct tally_sheet sheet = { 0 };
	struct def d = { 0 };
	struct commune_list cl = { 0 };
	char sha[65];
	int rc = -1;

	if (db_exec(db, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	if (store_active_definition(db, &d, err) < 0)
		goto rollback;
	if (store_load_communes(db, &cl, err) < 0 ||
	    tally_district_communes(&d, &cl, where, err) < 0 ||
	    merge_year_units(db, d.year, &cl, err) < 0)
		goto rollback;
	if ((!strcmp(fmt, "xlsx")
		     ? tally_sheet_read_xlsx(&sheet, strbuf_str(content), content->len, file, err)
		     : tally_sheet_read_csv(&sheet, strbuf_str(content), content->len, file, err)) < 0)
		goto rollback;
	if (tally_scores_check(&d, &cl, &sheet, file, f, diag) < 0) {
		rc = 1;
		goto rollback;
	}
	text_sha256_hex(content->buf, content->len, sha);
	if (tally_scores_store(db, &d, &cl, f, file, fmt, sha, import_id, err) < 0 ||
	    db_exec(db, "COMMIT", err) < 0)
		goto rollback;
	rc = 0;
	goto done;
rollback:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
done:
	tally_sheet_release(&sheet);
	commune_list_release(&cl);
	def_release(&d);
	return rc;
}
