/* Years: keeping each year's published tally, and the previous year's results of a unit. */
#include "years.h"
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int years_keep(sqlite3 *db, const char *def_id, const char *def_version, int year,
	       struct perr *err)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	static const char *const sql[] = {
		"DELETE FROM tally_year_commune WHERE def_id = ?1 AND def_version = ?2",
		"DELETE FROM tally_year WHERE def_id = ?1 AND def_version = ?2",
		/* with its bootstrap's resamples and seed (0019), to draw it again */
		"INSERT INTO tally_year (def_id, def_version, year, computed_at, communes, "
		"submissions, resamples, seed) SELECT ?1, ?2, ?3, computed_at, communes, submissions, "
		"coalesce((SELECT resamples FROM tally_confidence_run), 0), "
		"(SELECT seed FROM tally_confidence_run) FROM tally_run",
		"INSERT INTO tally_year_commune (def_id, def_version, commune_code, name, type, "
		"ranking_group, index_value, index_published, tier_id, rank, flags) "
		"SELECT ?1, ?2, t.commune_code, coalesce(c.name, ''), coalesce(c.type, ''), "
		"CASE WHEN g.commune_code IS NULL THEN 'all' ELSE coalesce(g.ranking_group, '') END, "
		"t.index_value, t.index_published, t.tier_id, t.rank, t.flags "
		"FROM tally_commune t LEFT JOIN commune c ON c.code = t.commune_code "
		"LEFT JOIN tally_ranking g ON g.commune_code = t.commune_code",
	};
	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		if (db_prepare(db, &st, sql[i], err) < 0)
			return -1;
		sqlite3_bind_text(st, 1, def_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, def_version, -1, SQLITE_STATIC);
		if (sqlite3_bind_parameter_count(st) >= 3)
			sqlite3_bind_int(st, 3, year);
		rc = db_step_done(db, st, err);
		sqlite3_finalize(st);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static char *dup_column(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? xstrdup((const char *)s) : NULL;
}

/* code's result in the previous year into r (r->index NULL when it was not tallied then;
   the name then from the register) */
static int result_of(sqlite3 *db, sqlite3_stmt *get, sqlite3_stmt *name, const char *code,
		     struct years_result *r, struct perr *err)
{
	int step;

	memset(r, 0, sizeof(*r));
	r->code = xstrdup(code);
	sqlite3_bind_text(get, 3, code, -1, SQLITE_STATIC);
	step = sqlite3_step(get);
	if (step == SQLITE_ROW) {
		r->name = dup_column(get, 0);
		r->index = dup_column(get, 1);
		r->rank = sqlite3_column_type(get, 2) == SQLITE_NULL ? 0 : sqlite3_column_int64(get, 2);
		r->group = dup_column(get, 3);
	}
	sqlite3_reset(get);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return db_fail(db, err, "reading the previous year's tally");
	if (r->name)
		return 0;
	sqlite3_bind_text(name, 1, code, -1, SQLITE_STATIC);
	step = sqlite3_step(name);
	r->name = step == SQLITE_ROW ? dup_column(name, 0) : NULL;
	sqlite3_reset(name);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return db_fail(db, err, "reading communes");
	if (!r->name)
		r->name = xstrdup("");
	return 0;
}

int years_previous_load(sqlite3 *db, int year, size_t n, const char *const *codes,
			struct years_previous *p, struct perr *err)
{
	sqlite3_stmt *prev = NULL, *get = NULL, *name = NULL, *merged = NULL;
	int rc = -1, step;

	memset(p, 0, sizeof(*p));
	if (db_prepare(db, &prev,
		       "SELECT def_id, def_version, year FROM tally_year WHERE year < ? "
		       "ORDER BY year DESC, computed_at DESC, def_id, def_version LIMIT 1",
		       err) < 0)
		return -1;
	sqlite3_bind_int(prev, 1, year);
	step = sqlite3_step(prev);
	if (step == SQLITE_ROW) {
		p->def_id = dup_column(prev, 0);
		p->def_version = dup_column(prev, 1);
		p->year = sqlite3_column_int(prev, 2);
	}
	sqlite3_finalize(prev);
	if (step != SQLITE_ROW) {
		if (step == SQLITE_DONE)
			return 0;
		return db_fail(db, err, "reading the tallied years");
	}
	p->n = n;
	p->v = xcalloc(n ? n : 1, sizeof(*p->v));
	if (db_prepare(db, &get,
		       "SELECT name, index_published, rank, ranking_group FROM tally_year_commune "
		       "WHERE def_id = ?1 AND def_version = ?2 AND commune_code = ?3",
		       err) < 0 ||
	    db_prepare(db, &name, "SELECT name FROM commune WHERE code = ?", err) < 0 ||
	    db_prepare(db, &merged,
		       "SELECT old_code FROM commune_merge WHERE new_code = ?1 AND "
		       "CAST(substr(effective, 1, 4) AS INTEGER) > ?2 AND "
		       "CAST(substr(effective, 1, 4) AS INTEGER) <= ?3 ORDER BY old_code",
		       err) < 0)
		goto done;
	sqlite3_bind_text(get, 1, p->def_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(get, 2, p->def_version, -1, SQLITE_STATIC);
	sqlite3_bind_int(merged, 2, p->year);
	sqlite3_bind_int(merged, 3, year);
	for (size_t i = 0; i < n; i++) {
		struct years_unit *u = &p->v[i];
		size_t first = p->nfrom;

		sqlite3_bind_text(merged, 1, codes[i], -1, SQLITE_STATIC);
		while ((step = sqlite3_step(merged)) == SQLITE_ROW) {
			xgrow(&p->from, &p->alloc, p->nfrom + 1, sizeof(*p->from));
			if (result_of(db, get, name, (const char *)sqlite3_column_text(merged, 0),
				      &p->from[p->nfrom++], err) < 0) {
				sqlite3_reset(merged);
				goto done;
			}
		}
		sqlite3_reset(merged);
		if (step != SQLITE_DONE) {
			db_fail(db, err, "reading the merged units");
			goto done;
		}
		u->first_from = first;
		u->nfrom = p->nfrom - first;
		if (u->nfrom == 1) {
			/* one old unit: the same unit, renamed or under its own code */
			u->same = p->from[first];
			u->renamed = strcmp(u->same.code, codes[i]) != 0;
			u->has = u->same.index != NULL;
			p->nfrom--;
			u->nfrom = 0;
		} else if (!u->nfrom) {
			if (result_of(db, get, name, codes[i], &u->same, err) < 0)
				goto done;
			u->has = u->same.index != NULL;
		}
	}
	rc = 0;
done:
	sqlite3_finalize(get);
	sqlite3_finalize(name);
	sqlite3_finalize(merged);
	return rc;
}

static void result_release(struct years_result *r)
{
	free(r->code);
	free(r->name);
	free(r->index);
	free(r->group);
}

void years_previous_release(struct years_previous *p)
{
	for (size_t i = 0; i < p->n; i++)
		result_release(&p->v[i].same);
	for (size_t i = 0; i < p->nfrom; i++)
		result_release(&p->from[i]);
	free(p->v);
	free(p->from);
	free(p->def_id);
	free(p->def_version);
	memset(p, 0, sizeof(*p));
}

long years_rank_change(const struct years_unit *u, long rank, const char *group, int *ok)
{
	*ok = u->has && u->same.rank && rank &&
	      !strcmp(u->same.group ? u->same.group : "", group ? group : "");
	return *ok ? u->same.rank - rank : 0;
}

/* a published decimal ("89.77", "-0.5") in billionths; 0 when it is not one */
static int billionths(const char *s, long long *out)
{
	long long v = 0, frac = 0;
	int neg = *s == '-', places = 0;

	s += neg;
	if (*s < '0' || *s > '9')
		return 0;
	for (; *s >= '0' && *s <= '9'; s++)
		if ((v = v * 10 + (*s - '0')) > 1000000000)
			return 0;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			if (places < 9)
				frac = frac * 10 + (*s - '0'), places++;
	if (*s)
		return 0;
	for (; places < 9; places++)
		frac *= 10;
	*out = (v * 1000000000 + frac) * (neg ? -1 : 1);
	return 1;
}

const char *years_index_change(const char *index, const char *prev, int decimals, char *buf,
			       size_t size)
{
	long long a, b, d, unit = 1, mag;

	if (!index || !prev || !billionths(index, &a) || !billionths(prev, &b) || decimals < 0 ||
	    decimals > 9)
		return NULL;
	for (int i = decimals; i < 9; i++)
		unit *= 10;
	d = a - b;
	/* half-up, away from zero, at the published places */
	mag = ((d < 0 ? -d : d) + unit / 2) / unit;
	if (!mag)
		snprintf(buf, size, "%.*f", decimals, 0.0);
	else {
		long long scale = 1;

		for (int i = 0; i < decimals; i++)
			scale *= 10;
		if (decimals)
			snprintf(buf, size, "%c%lld.%0*lld", d < 0 ? '-' : '+', mag / scale, decimals,
				 mag % scale);
		else
			snprintf(buf, size, "%c%lld", d < 0 ? '-' : '+', mag);
	}
	return buf;
}
