/* Reading the last tally (the tally_* tables) and the definition it was computed with. */
#include "reports.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "store.h"
#include "../tally/tally.h"

/* tally_round's text without printf where it surely gives the same: |x| printed at d + 6
   places is |x| * 10^(d+6) rounded to an integer, which the product computed in doubles
   (exact below 2^53, 10^(d+6) exact) misses by at most one; the result can differ only when
   the six digits after the published ones are 499999 or 500000, and those go to tally_round.
   The report rounds hundreds of thousands of numbers; printf was a tenth of its time. */
const char *report_fixed(double x, int d, char buf[48])
{
	static const double pow10[] = { 1e0,  1e1,  1e2,  1e3,	1e4,  1e5,  1e6,  1e7,
					1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };
	double scaled;
	uint64_t micro, v, rest;
	char digits[24], *p = digits + sizeof(digits);
	size_t n = 0, len;

	if (isnan(x)) {
		buf[0] = '\0';
		return buf;
	}
	if (d < 0 || d > 9 || !isfinite(x))
		goto slow;
	scaled = fabs(x) * pow10[d + 6];
	if (!(scaled < 9007199254740992.0)) /* 2^53 */
		goto slow;
	micro = (uint64_t)nearbyint(scaled);
	rest = micro % 1000000u;
	if (rest == 499999u || rest == 500000u)
		goto slow;
	v = micro / 1000000u + (rest > 500000u);
	len = 0;
	/* "-0.00" is 0 */
	if (x < 0 && v)
		buf[len++] = '-';
	do {
		*--p = (char)('0' + v % 10);
		n++;
	} while ((v /= 10) || n <= (size_t)d);
	memcpy(buf + len, p, n - (size_t)d);
	len += n - (size_t)d;
	if (d) {
		buf[len++] = '.';
		memcpy(buf + len, p + n - (size_t)d, (size_t)d);
		len += (size_t)d;
	}
	buf[len] = '\0';
	return buf;
slow:
	tally_round(x, d, buf, 48);
	return buf;
}

const char *report_date_vi(const char *iso, char buf[64])
{
	struct tm tm = { 0 };
	int n = 0;
	time_t t;

	if (sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 ||
	    iso[n] || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31) {
		snprintf(buf, 64, "%s", iso);
		return buf;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	/* Vietnam keeps UTC+7 all year: a fixed offset, so no time zone database is needed */
	t = timegm(&tm) + 7 * 3600;
	gmtime_r(&t, &tm);
	snprintf(buf, 64, "ngày %s%d tháng %s%d năm %d, %02d:%02d", tm.tm_mday < 10 ? "0" : "",
		 tm.tm_mday, tm.tm_mon < 2 ? "0" : "", tm.tm_mon + 1, tm.tm_year + 1900, tm.tm_hour,
		 tm.tm_min);
	return buf;
}

void report_sources(const struct report *r, char *lines[REPORT_NSOURCES])
{
	const struct def *d = &r->def;
	char computed[64], made[64];

	lines[0] = xasprintf("Bộ chỉ số: %s phiên bản %s — %s", d->id, d->version,
			     def_text_get(&d->title, "vi"));
	if (r->score_files && *r->score_files)
		lines[1] = xasprintf("Nguồn số liệu: %ld phiếu khảo sát; điểm tự đánh giá, thẩm định "
				     "từ tệp %s",
				     r->submissions, r->score_files);
	else
		lines[1] = xasprintf("Nguồn số liệu: %ld phiếu khảo sát; chưa nhập tệp điểm tự đánh "
				     "giá, thẩm định",
				     r->submissions);
	lines[2] = xasprintf("Số liệu tính lúc %s; báo cáo lập lúc %s (giờ Việt Nam)",
			     report_date_vi(r->computed_at, computed), report_date_vi(r->made_at, made));
	lines[3] = xstrdup("Lập bằng phần mềm parindex " PARINDEX_VERSION);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? s : "";
}

static int by_group_rank(const void *a, const void *b)
{
	const struct report_commune *x = a, *y = b;

	if (x->ranking != y->ranking)
		return x->ranking < y->ranking ? -1 : 1;
	if (!x->rank != !y->rank)
		return !x->rank ? 1 : -1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return strcmp(x->code, y->code);
}

static int by_code(const void *a, const void *b, void *communes)
{
	const struct report_commune *v = communes;

	return strcmp(v[*(const size_t *)a].code, v[*(const size_t *)b].code);
}

/* A province's thousands of units: looked up through the codes sorted, not one by one. */
static size_t find_commune(const struct report *r, const char *code)
{
	size_t lo = 0, hi = r->ncommunes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(r->communes[r->by_code[mid]].code, code);

		if (!cmp)
			return r->by_code[mid];
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return DEF_NONE;
}

static size_t find_field(const struct def *d, const char *id)
{
	for (size_t f = 0; f < d->nfields; f++)
		if (!strcmp(d->fields[f].id, id))
			return f;
	return DEF_NONE;
}

static size_t find_sub(const struct def *d, const char *id)
{
	for (size_t s = 0; s < d->nsubcriteria; s++)
		if (!strcmp(d->subcriteria[s].id, id))
			return s;
	return DEF_NONE;
}

static int bad_row(struct perr *err, const char *table, const char *what, const char *id)
{
	return perr_set(err, PERR_DATA, "database",
			"%s names %s '%s', unknown to the tally's definition or register; run "
			"'parindex tally' again",
			table, what, id);
}

static int load_run(sqlite3 *db, struct report *r, struct perr *err)
{
	sqlite3_stmt *st = NULL;
	char def_id[200], def_version[200], name[402];
	struct strbuf files = STRBUF_INIT;
	int rc;

	if (db_prepare(db, &st,
		       "SELECT def_id, def_version, computed_at, aggregation, under_quota, "
		       "submissions FROM tally_run ORDER BY id DESC LIMIT 1",
		       err) < 0)
		return -1;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return db_fail(db, err, "reading the tally");
		return perr_set(err, PERR_DATA, sqlite3_db_filename(db, "main"),
				"no tally in this database: run 'parindex tally' first");
	}
	snprintf(def_id, sizeof(def_id), "%s", col_text(st, 0));
	snprintf(def_version, sizeof(def_version), "%s", col_text(st, 1));
	snprintf(r->computed_at, sizeof(r->computed_at), "%s", col_text(st, 2));
	snprintf(r->aggregation, sizeof(r->aggregation), "%s", col_text(st, 3));
	snprintf(r->under_quota, sizeof(r->under_quota), "%s", col_text(st, 4));
	r->submissions = sqlite3_column_int64(st, 5);
	sqlite3_finalize(st);

	/* data captured, undone or scored after the tally: the report would show old numbers */
	if (db_prepare(db, &st,
		       "SELECT max(t) FROM (SELECT max(finished_at) AS t FROM batch "
		       "UNION ALL SELECT max(undone_at) FROM batch "
		       "UNION ALL SELECT max(imported_at) FROM score_import "
		       "UNION ALL SELECT max(excluded_at) FROM exclusion "
		       "UNION ALL SELECT max(included_at) FROM exclusion) WHERE t > ?",
		       err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, r->computed_at, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(r->changed_at, sizeof(r->changed_at), "%s", col_text(st, 0));
	sqlite3_finalize(st);

	/* a definition loaded after the tally: the tally (and so the report) is of the old one */
	if (db_setting_get(db, "active_definition", r->active, sizeof(r->active), err) < 0)
		return -1;
	snprintf(name, sizeof(name), "%s %s", def_id, def_version);
	if (!strcmp(r->active, name))
		r->active[0] = '\0';

	/* the scores files the tally read: imports of its definition with a score still current,
	   made before it; named without their folder (a path of the office's computer is no
	   source for a reader) */
	if (db_prepare(db, &st,
		       "SELECT file_name FROM score_import i WHERE def_id = ? AND def_version = ? "
		       "AND imported_at <= ? AND EXISTS (SELECT 1 FROM score s WHERE "
		       "s.import_id = i.id AND s.superseded_by IS NULL) ORDER BY id",
		       err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, def_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, def_version, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, r->computed_at, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *file = col_text(st, 0), *slash = strrchr(file, '/');

		if (files.len)
			strbuf_adds(&files, ", ");
		strbuf_adds(&files, slash ? slash + 1 : file);
	}
	sqlite3_finalize(st);
	r->score_files = files.len ? strbuf_detach(&files, NULL) : xstrdup("");
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "reading the score imports");
	if (quality_excluded(db, def_id, def_version, &r->exclusions, &r->nexclusions,
			     &r->excluded, err) < 0)
		return -1;
	return store_load_definition(db, def_id, def_version, &r->def, err);
}

static int load_communes(sqlite3 *db, struct report *r, struct perr *err)
{
	sqlite3_stmt *st = NULL;
	size_t alloc = 0;
	int rc;

	if (db_prepare(db, &st,
		       "SELECT t.commune_code, c.name, c.type, t.forms, t.self_points, "
		       "t.survey_points, t.points, t.max, t.index_value, t.index_published, "
		       "t.tier_id, t.rank, t.under_quota, t.no_scores, t.flags, "
		       /* no tally_ranking row: the default group (0013); NULL: not ranked */
		       "CASE WHEN g.commune_code IS NULL THEN '" DEF_RANKING_DEFAULT "' "
		       "ELSE g.ranking_group END "
		       "FROM tally_commune t JOIN commune c ON c.code = t.commune_code "
		       "LEFT JOIN tally_ranking g ON g.commune_code = t.commune_code "
		       "ORDER BY t.rank IS NULL, t.rank, t.commune_code",
		       err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct report_commune *c;
		const char *tier = col_text(st, 10);

		xgrow(&r->communes, &alloc, r->ncommunes + 1, sizeof(*r->communes));
		c = &r->communes[r->ncommunes++];
		memset(c, 0, sizeof(*c));
		c->code = xstrdup(col_text(st, 0));
		c->name = xstrdup(col_text(st, 1));
		c->type = xstrdup(col_text(st, 2));
		c->forms = sqlite3_column_int64(st, 3);
		c->self_points = sqlite3_column_double(st, 4);
		c->survey_points = sqlite3_column_double(st, 5);
		c->points = sqlite3_column_double(st, 6);
		c->max = sqlite3_column_double(st, 7);
		c->index_value = sqlite3_column_double(st, 8);
		c->index_published = xstrdup(col_text(st, 9));
		c->index_pub = strtod(c->index_published, NULL);
		c->rank = sqlite3_column_type(st, 11) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 11);
		c->under_quota = sqlite3_column_int(st, 12);
		c->no_scores = sqlite3_column_int(st, 13);
		c->flags = xstrdup(col_text(st, 14));
		c->ranking = DEF_NONE;
		if (sqlite3_column_type(st, 15) != SQLITE_NULL) {
			const char *group = col_text(st, 15);

			for (size_t g = 0; g < r->def.nrankings; g++)
				if (!strcmp(r->def.rankings[g].id, group))
					c->ranking = g;
			/* a tally row from before 0013 ('all') under a definition of one group */
			if (c->ranking == DEF_NONE && r->def.nrankings == 1 &&
			    !strcmp(group, DEF_RANKING_DEFAULT))
				c->ranking = 0;
			if (c->ranking == DEF_NONE) {
				sqlite3_finalize(st);
				return bad_row(err, "tally_ranking", "ranking_group", group);
			}
		}
		c->tier = DEF_NONE;
		/* NULL: chưa xếp loại (migration 0006), no scores or no survey answers */
		if (sqlite3_column_type(st, 10) == SQLITE_NULL) {
			r->nunclassified++;
			continue;
		}
		for (size_t t = 0; t < r->def.ntiers; t++)
			if (!strcmp(r->def.tiers[t].id, tier))
				c->tier = t;
		if (c->tier == DEF_NONE) {
			sqlite3_finalize(st);
			return bad_row(err, "tally_commune", "tier", tier);
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "reading the tally");
	/* each ranking group's units together, in the definition's order of the groups, the
	   types not ranked last; within a group by rank (one group: the order of the query) */
	qsort(r->communes, r->ncommunes, sizeof(*r->communes), by_group_rank);
	r->by_code = xcalloc(r->ncommunes, sizeof(*r->by_code));
	for (size_t c = 0; c < r->ncommunes; c++)
		r->by_code[c] = c;
	qsort_r(r->by_code, r->ncommunes, sizeof(*r->by_code), by_code, r->communes);
	if (!r->ncommunes)
		return perr_set(err, PERR_DATA, sqlite3_db_filename(db, "main"),
				"the tally holds no commune: load a register with 'parindex init "
				"--communes FILE', then run 'parindex tally'");
	return 0;
}

/* Each query's first column is the commune code, the second an id of the definition. */
typedef int (*row_fn)(struct report *r, size_t c, sqlite3_stmt *st, struct perr *err);

static int each_row(sqlite3 *db, struct report *r, const char *sql, row_fn fn,
		    struct perr *err)
{
	sqlite3_stmt *st = NULL;
	size_t last = DEF_NONE;
	int rc;

	if (db_prepare(db, &st, sql, err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *code = col_text(st, 0);
		size_t c;

		/* rows come commune by commune: look up only when the commune changes */
		if (last == DEF_NONE || strcmp(r->communes[last].code, code))
			last = find_commune(r, code);
		c = last;

		if (c == DEF_NONE) {
			/* a commune whose register row is gone: the tally row cannot be shown */
			continue;
		}
		if (fn(r, c, st, err) < 0) {
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "reading the tally");
	return 0;
}

static int field_row(struct report *r, size_t c, sqlite3_stmt *st, struct perr *err)
{
	size_t f = find_field(&r->def, col_text(st, 1));
	struct report_field *v;

	if (f == DEF_NONE)
		return bad_row(err, "tally_field", "field", col_text(st, 1));
	v = &r->fields[c * r->def.nfields + f];
	v->present = 1;
	v->points = sqlite3_column_double(st, 2);
	v->max = sqlite3_column_double(st, 3);
	v->has_pct = sqlite3_column_type(st, 4) != SQLITE_NULL;
	v->pct = v->has_pct ? sqlite3_column_double(st, 4) : NAN;
	free(v->pct_published);
	v->pct_published = v->has_pct ? xstrdup(col_text(st, 5)) : NULL;
	return 0;
}

/* ---- the detail of each commune (tally_detail's two JSON arrays, migration 0005) ----

   Read as the tally wrote them, one row per commune, rather than through the views
   tally_criterion, tally_question and tally_question_group: taking the arrays apart with
   json_each row by row cost more than the rest of the load (a fifth of a province's report). */

struct json {
	const char *start, *p, *end;
};

static void json_ws(struct json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

/* the character c next (after white space): consumed */
static int json_is(struct json *j, char c)
{
	json_ws(j);
	if (j->p < j->end && *j->p == c) {
		j->p++;
		return 1;
	}
	return 0;
}

static int json_null(struct json *j)
{
	json_ws(j);
	if (j->end - j->p >= 4 && !memcmp(j->p, "null", 4)) {
		j->p += 4;
		return 1;
	}
	return 0;
}

/* a string into out (cap bytes; a longer one is refused), or null (*null set, out "") */
static int json_text(struct json *j, char *out, size_t cap, int *null)
{
	size_t len;

	*null = json_null(j);
	if (*null) {
		out[0] = '\0';
		return 0;
	}
	if (!json_is(j, '"') || !(j->p = tally_json_string_read(j->p, j->end, out, cap, &len))) {
		j->p = j->end;
		return -1;
	}
	return 0;
}

/* a number, or null (*null set, *x 0: what sqlite3_column_double gives for NULL) */
static int json_number(struct json *j, double *x, int *null)
{
	char *after;

	*x = 0;
	*null = json_null(j);
	if (*null)
		return 0;
	if (j->p >= j->end || !(*j->p == '-' || (*j->p >= '0' && *j->p <= '9')))
		return -1;
	*x = strtod(j->p, &after);
	if (after == j->p || after > j->end)
		return -1;
	j->p = after;
	return 0;
}

/* any value, skipped (at most 32 levels deep) */
static int json_skip(struct json *j, int depth)
{
	char buf[256];
	double x;
	int null;

	json_ws(j);
	if (depth > 32 || j->p >= j->end)
		return -1;
	if (*j->p == '[' || *j->p == '{') {
		char close = *j->p == '[' ? ']' : '}';

		j->p++;
		if (json_is(j, close))
			return 0;
		do {
			if (close == '}' && (json_text(j, buf, sizeof(buf), &null) < 0 || null ||
					     !json_is(j, ':')))
				return -1;
			if (json_skip(j, depth + 1) < 0)
				return -1;
		} while (json_is(j, ','));
		return json_is(j, close) ? 0 : -1;
	}
	if (*j->p == '"')
		return json_text(j, buf, sizeof(buf), &null);
	if (j->end - j->p >= 4 && (!memcmp(j->p, "true", 4) || !memcmp(j->p, "null", 4))) {
		j->p += 4;
		return 0;
	}
	if (j->end - j->p >= 5 && !memcmp(j->p, "false", 5)) {
		j->p += 5;
		return 0;
	}
	return json_number(j, &x, &null);
}

/* the rest of an array after the elements read: skipped up to its end */
static int json_array_end(struct json *j)
{
	while (json_is(j, ','))
		if (json_skip(j, 1) < 0)
			return -1;
	return json_is(j, ']') ? 0 : -1;
}

/* s into out (cap bytes), cut as snprintf cuts */
static void copy_cut(char *out, size_t cap, const char *s)
{
	size_t n = strlen(s);

	if (n >= cap)
		n = cap - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

static int bad_detail(struct perr *err, const char *code, const char *column,
		      const struct json *j)
{
	return perr_set(err, PERR_DATA, "database",
			"tally_detail of commune '%s': %s is not the tally's JSON (byte %zu); "
			"run 'parindex tally' again",
			code, column, (size_t)(j->p - j->start) + 1);
}

/* [id, kind, assessed, points, max, self_score, appraised_score, source] */
static int criterion_item(struct report *r, size_t c, struct json *j, struct perr *err,
			  int *bad)
{
	char id[256], buf[256];
	struct report_criterion *v;
	double self, appraised;
	int null, self_null, appraised_null;
	size_t i;

	*bad = 1;
	if (!json_is(j, '[') || json_text(j, id, sizeof(id), &null) < 0 || !json_is(j, ',') ||
	    json_skip(j, 1) < 0 || !json_is(j, ',') || json_skip(j, 1) < 0 || !json_is(j, ','))
		return -1;
	if ((i = def_find_criterion(&r->def, id)) != DEF_NONE)
		v = &r->criteria[c * r->def.ncriteria + i];
	else if ((i = find_sub(&r->def, id)) != DEF_NONE)
		v = &r->subcriteria[c * r->def.nsubcriteria + i];
	else {
		*bad = 0;
		return bad_row(err, "tally_criterion", "criterion", id);
	}
	if (json_number(j, &v->points, &null) < 0 || !json_is(j, ',') ||
	    json_number(j, &v->max, &null) < 0 || !json_is(j, ',') ||
	    json_number(j, &self, &self_null) < 0 || !json_is(j, ',') ||
	    json_number(j, &appraised, &appraised_null) < 0 || !json_is(j, ',') ||
	    json_text(j, buf, sizeof(buf), &null) < 0 || json_array_end(j) < 0)
		return -1;
	v->present = 1;
	v->has_self = !self_null;
	v->self_score = self;
	v->has_appraised = !appraised_null;
	v->appraised_score = appraised;
	copy_cut(v->source, sizeof(v->source), buf);
	/* the self-assessed total of the chart "self-assessed versus appraised" */
	if (v->source[0] && strcmp(v->source, "not-applicable") && v->has_self)
		r->communes[c].self_score_total += v->self_score;
	*bad = 0;
	return 0;
}

/* "G": [n_valid, n_excluded, score, {"option": n, ...}] of question q */
static int group_item(struct report *r, size_t c, size_t q, struct json *j, struct perr *err,
		      int *bad)
{
	const struct def *d = &r->def;
	const struct def_scale *sc = &d->scales[d->questions[q].scale];
	char id[256];
	struct report_count *v;
	double x;
	int null;
	size_t g;

	*bad = 1;
	if (json_text(j, id, sizeof(id), &null) < 0 || null || !json_is(j, ':'))
		return -1;
	if ((g = def_find_group(d, id)) == DEF_NONE) {
		*bad = 0;
		return bad_row(err, "tally_question", "group", id);
	}
	v = &r->counts[(c * d->ngroups + g) * d->nquestions + q];
	if (!json_is(j, '[') || json_number(j, &x, &null) < 0 || !json_is(j, ','))
		return -1;
	if (!v->present) {
		v->n_valid = (long)x;
		if (json_number(j, &x, &null) < 0)
			return -1;
		v->n_excluded = (long)x;
		if (!json_is(j, ',') || json_number(j, &v->score, &null) < 0)
			return -1;
		v->has_score = !null;
		v->counts = xcalloc(sc->noptions, sizeof(*v->counts));
		v->present = 1;
	} else if (json_skip(j, 1) < 0 || !json_is(j, ',') || json_skip(j, 1) < 0) {
		return -1;
	}
	if (!json_is(j, ',') || !json_is(j, '{'))
		return -1;
	if (!json_is(j, '}')) {
		do {
			size_t o;

			if (json_text(j, id, sizeof(id), &null) < 0 || null || !json_is(j, ':') ||
			    json_number(j, &x, &null) < 0)
				return -1;
			for (o = 0; o < sc->noptions && strcmp(sc->options[o].code, id); o++)
				;
			if (o == sc->noptions) {
				*bad = 0;
				return bad_row(err, "tally_question", "option", id);
			}
			v->counts[o] = (long)x;
		} while (json_is(j, ','));
		if (!json_is(j, '}'))
			return -1;
	}
	if (json_array_end(j) < 0)
		return -1;
	*bad = 0;
	return 0;
}

/* [id, criterion_id, n_valid, score, groups_used, flag, {groups}] */
static int question_item(struct report *r, size_t c, struct json *j, struct perr *err,
			 int *bad)
{
	char id[256], flag[256];
	struct report_question *v;
	double x;
	int null;
	size_t q;

	*bad = 1;
	if (!json_is(j, '[') || json_text(j, id, sizeof(id), &null) < 0 || !json_is(j, ','))
		return -1;
	if ((q = def_find_question(&r->def, id)) == DEF_NONE) {
		*bad = 0;
		return bad_row(err, "tally_question", "question", id);
	}
	v = &r->questions[c * r->def.nquestions + q];
	if (json_skip(j, 1) < 0 || !json_is(j, ',') || json_number(j, &x, &null) < 0)
		return -1;
	v->n_valid = (long)x;
	if (!json_is(j, ',') || json_number(j, &v->score, &null) < 0)
		return -1;
	v->has_score = !null;
	if (!json_is(j, ',') || json_number(j, &x, &null) < 0)
		return -1;
	v->groups_used = (int)x;
	if (!json_is(j, ',') || json_text(j, flag, sizeof(flag), &null) < 0)
		return -1;
	copy_cut(v->flag, sizeof(v->flag), flag);
	v->present = 1;
	if (!json_is(j, ',') || !json_is(j, '{'))
		return -1;
	if (!json_is(j, '}')) {
		do {
			if (group_item(r, c, q, j, err, bad) < 0)
				return -1;
			*bad = 1;
		} while (json_is(j, ','));
		if (!json_is(j, '}'))
			return -1;
	}
	if (json_array_end(j) < 0)
		return -1;
	*bad = 0;
	return 0;
}

typedef int (*item_fn)(struct report *r, size_t c, struct json *j, struct perr *err, int *bad);

/* Column `column` of commune c's tally_detail row (st's second column), a JSON array, each
   element read by fn. */
static int detail_array(struct report *r, size_t c, sqlite3_stmt *st, const char *column,
			item_fn fn, struct perr *err)
{
	const char *text = col_text(st, 1);
	struct json j = { text, text, text + sqlite3_column_bytes(st, 1) };
	int bad = 1;

	if (!json_is(&j, '['))
		goto fail;
	if (!json_is(&j, ']')) {
		do {
			if (fn(r, c, &j, err, &bad) < 0)
				goto fail;
		} while (json_is(&j, ','));
		if (!json_is(&j, ']'))
			goto fail;
	}
	json_ws(&j);
	if (j.p == j.end)
		return 0;
	bad = 1;
fail:
	return bad ? bad_detail(err, col_text(st, 0), column, &j) : -1;
}

static int criteria_row(struct report *r, size_t c, sqlite3_stmt *st, struct perr *err)
{
	return detail_array(r, c, st, "criteria", criterion_item, err);
}

static int questions_row(struct report *r, size_t c, sqlite3_stmt *st, struct perr *err)
{
	return detail_array(r, c, st, "questions", question_item, err);
}

static int group_row(struct report *r, size_t c, sqlite3_stmt *st, struct perr *err)
{
	size_t g = def_find_group(&r->def, col_text(st, 1));

	if (g == DEF_NONE)
		return bad_row(err, "tally_group", "group", col_text(st, 1));
	r->groups[c * r->def.ngroups + g].forms = sqlite3_column_int64(st, 2);
	r->groups[c * r->def.ngroups + g].min_forms = sqlite3_column_int64(st, 3);
	return 0;
}

static void district_means(struct report *r)
{
	const struct def *d = &r->def;
	int any_ranked = 0;

	for (size_t c = 0; c < r->ncommunes; c++)
		any_ranked |= r->communes[c].rank > 0;
	r->field_mean = xcalloc(d->nfields, sizeof(double));
	r->criterion_mean = xcalloc(d->ncriteria, sizeof(double));
	for (size_t f = 0; f < d->nfields; f++) {
		double sum = 0;
		long n = 0;

		for (size_t c = 0; c < r->ncommunes; c++) {
			const struct report_field *v = &r->fields[c * d->nfields + f];

			if ((any_ranked && !r->communes[c].rank) || !v->has_pct)
				continue;
			sum += v->pct;
			n++;
		}
		r->field_mean[f] = n ? sum / (double)n : NAN;
	}
	for (size_t i = 0; i < d->ncriteria; i++) {
		double sum = 0;
		long n = 0;

		for (size_t c = 0; c < r->ncommunes; c++) {
			const struct report_criterion *v = &r->criteria[c * d->ncriteria + i];

			if ((any_ranked && !r->communes[c].rank) || !v->present || v->max <= 0)
				continue;
			sum += v->points;
			n++;
		}
		r->criterion_mean[i] = n ? sum / (double)n : NAN;
	}
}

static int confidence_row(struct report *r, size_t c, sqlite3_stmt *st, struct perr *err)
{
	struct report_commune *v = &r->communes[c];

	(void)err;
	v->has_interval = 1;
	v->survey_low = sqlite3_column_double(st, 1);
	v->survey_high = sqlite3_column_double(st, 2);
	v->index_low = sqlite3_column_double(st, 3);
	v->index_high = sqlite3_column_double(st, 4);
	v->rank_low = sqlite3_column_int64(st, 5);
	v->rank_high = sqlite3_column_int64(st, 6);
	return 0;
}

static int class_share_row(struct report *r, size_t c, sqlite3_stmt *st, struct perr *err)
{
	const char *tier = col_text(st, 1);
	size_t t = r->def.ntiers;

	if (*tier) {
		for (t = 0; t < r->def.ntiers && strcmp(r->def.tiers[t].id, tier); t++)
			;
		if (t == r->def.ntiers)
			return bad_row(err, "tally_class_share", "tier", tier);
	}
	r->class_resamples[c * (r->def.ntiers + 1) + t] = sqlite3_column_int64(st, 2);
	return 0;
}

/* The bootstrap's intervals and class shares, when the tally made them. */
static int load_confidence(sqlite3 *db, struct report *r, struct perr *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	r->class_resamples = xcalloc(r->ncommunes * (r->def.ntiers + 1) + 1, sizeof(long));
	if (db_prepare(db, &st, "SELECT resamples FROM tally_confidence_run", err) < 0)
		return -1;
	rc = sqlite3_step(st);
	r->resamples = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, err, "reading the tally's confidence");
	if (!r->resamples)
		return 0;
	return each_row(db, r,
			"SELECT commune_code, survey_low, survey_high, index_low, index_high, "
			"ifnull(rank_low, 0), ifnull(rank_high, 0) FROM tally_confidence",
			confidence_row, err) < 0 ||
			       each_row(db, r,
					"SELECT commune_code, tier_id, resamples FROM tally_class_share",
					class_share_row, err) < 0
		       ? -1
		       : 0;
}

int report_within_noise(const struct report *r, size_t c)
{
	const struct report_commune *v = &r->communes[c], *u;

	if (!c || !v->rank || !v->has_interval)
		return 0;
	u = &r->communes[c - 1];
	return u->rank && u->ranking == v->ranking && u->has_interval && v->index_high >= u->index_low &&
	       u->index_high >= v->index_low;
}

/* The last quality run's numbers, as stored by 'parindex quality' (flags are advice: nothing
   of the tally comes from them); none when it ran for another definition or never. */
static int load_quality(sqlite3 *db, struct report *r, struct perr *err)
{
	sqlite3_stmt *st;
	int rc;

	r->quality_commune = xcalloc(r->ncommunes + 1, sizeof(*r->quality_commune));
	if (db_prepare(db, &st, "SELECT computed_at, submissions, flagged FROM quality_run "
				"WHERE def_id = ? AND def_version = ? ORDER BY id DESC LIMIT 1", err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, r->def.id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->def.version, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r->has_quality = 1;
		snprintf(r->quality_at, sizeof(r->quality_at), "%s", col_text(st, 0));
		r->quality_submissions = sqlite3_column_int64(st, 1);
		r->quality_flagged = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, err, "reading the quality run");
	if (!r->has_quality)
		return 0;
	if (db_prepare(db, &st, "SELECT check_code, count(*) FROM quality_flag GROUP BY 1", err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		for (int c = 0; c < QUALITY_NCHECKS; c++)
			if (!strcmp(col_text(st, 0), quality_check_code(c)))
				r->quality_per_check[c] = sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "reading the quality flags");
	if (db_prepare(db, &st, "SELECT s.commune_code, count(DISTINCT f.instance_id) FROM "
				"quality_flag f JOIN submission s ON s.instance_id = f.instance_id "
				"GROUP BY 1", err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		size_t c = find_commune(r, col_text(st, 0));

		if (c != DEF_NONE)
			r->quality_commune[c] = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "reading the quality flags");
	return 0;
}

/* ---- the previous year (migration 0014) ---- */

static int load_previous(sqlite3 *db, struct report *r, struct perr *err)
{
	const char **codes = xcalloc(r->ncommunes ? r->ncommunes : 1, sizeof(*codes));
	int rc;

	sqlite3_stmt *st = NULL;

	for (size_t c = 0; c < r->ncommunes; c++)
		codes[c] = r->communes[c].code;
	rc = years_previous_load(db, r->def.year, r->ncommunes, codes, &r->prev, err);
	free(codes);
	if (rc < 0 || !r->prev.year)
		return rc;
	/* ranks compare within a ranking group */
	r->ranking_group = xcalloc(r->ncommunes ? r->ncommunes : 1, sizeof(*r->ranking_group));
	if (db_prepare(db, &st,
		       "SELECT coalesce(ranking_group, '') FROM tally_ranking WHERE commune_code = ?",
		       err) < 0)
		return -1;
	for (size_t c = 0; c < r->ncommunes; c++) {
		sqlite3_bind_text(st, 1, r->communes[c].code, -1, SQLITE_STATIC);
		/* no row: the default group (0013) */
		r->ranking_group[c] = xstrdup(sqlite3_step(st) == SQLITE_ROW ? col_text(st, 0) : "all");
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return 0;
}

char *report_rank_change_vi(const struct report *r, size_t c)
{
	const struct years_unit *u;
	long n;
	int ok;

	if (!r->prev.year)
		return xstrdup("");
	u = &r->prev.v[c];
	if (u->nfrom)
		return xstrdup("hình thành từ nhiều đơn vị");
	if (!u->has)
		return xstrdup("mới");
	n = years_rank_change(u, r->communes[c].rank, r->ranking_group[c], &ok);
	if (!ok)
		return xstrdup("");
	if (!n)
		return xstrdup("giữ nguyên");
	return xasprintf("%s %ld bậc", n > 0 ? "tăng" : "giảm", n > 0 ? n : -n);
}

char *report_index_change(const struct report *r, size_t c)
{
	char buf[48];

	if (!r->prev.year || !r->prev.v[c].has ||
	    !years_index_change(r->communes[c].index_published, r->prev.v[c].same.index,
				r->def.decimals, buf, sizeof(buf)))
		return xstrdup("");
	return xstrdup(buf);
}

static void say_result(struct strbuf *sb, const struct years_result *o)
{
	if (!o->index)
		strbuf_adds(sb, "chưa có kết quả");
	else if (o->rank)
		strbuf_addf(sb, "%s, hạng %ld", o->index, o->rank);
	else
		strbuf_addf(sb, "%s, không xếp hạng", o->index);
}

char *report_previous_vi(const struct report *r, size_t c)
{
	const struct years_unit *u;
	struct strbuf sb = STRBUF_INIT;

	if (!r->prev.year)
		return xstrdup("");
	u = &r->prev.v[c];
	if (u->renamed)
		strbuf_addf(&sb, "đổi tên từ %s: ", u->same.name);
	if (u->has)
		say_result(&sb, &u->same);
	for (size_t j = 0; j < u->nfrom; j++) {
		const struct years_result *o = &r->prev.from[u->first_from + j];

		strbuf_addf(&sb, "%s%s (", j ? ", " : "hình thành từ: ", o->name);
		say_result(&sb, o);
		strbuf_adds(&sb, ")");
	}
	return strbuf_detach(&sb, NULL);
}

int report_load(sqlite3 *db, struct report *r, struct perr *err)
{
	const struct def *d = &r->def;
	size_t nc;

	memset(r, 0, sizeof(*r));
	db_now(r->made_at);
	if (load_run(db, r, err) < 0 || load_communes(db, r, err) < 0)
		goto fail;
	nc = r->ncommunes;
	r->fields = xcalloc(nc * d->nfields, sizeof(*r->fields));
	r->criteria = xcalloc(nc * d->ncriteria, sizeof(*r->criteria));
	r->subcriteria = xcalloc(nc * d->nsubcriteria, sizeof(*r->subcriteria));
	r->groups = xcalloc(nc * d->ngroups, sizeof(*r->groups));
	r->questions = xcalloc(nc * d->nquestions, sizeof(*r->questions));
	r->counts = xcalloc(nc * d->ngroups * d->nquestions, sizeof(*r->counts));
	if (each_row(db, r,
		     "SELECT commune_code, field_id, points, max, pct, pct_published FROM tally_field",
		     field_row, err) < 0 ||
	    each_row(db, r, "SELECT commune_code, criteria FROM tally_detail", criteria_row,
		     err) < 0 ||
	    each_row(db, r, "SELECT commune_code, group_id, forms, min_forms FROM tally_group",
		     group_row, err) < 0 ||
	    each_row(db, r, "SELECT commune_code, questions FROM tally_detail", questions_row,
		     err) < 0 ||
	    load_confidence(db, r, err) < 0 ||
	    load_quality(db, r, err) < 0 || load_previous(db, r, err) < 0)
		goto fail;
	district_means(r);
	return 0;
fail:
	report_release(r);
	return -1;
}

/* ---- a kept year (report --year) ---- */

/* The definition whose tally of `year` is kept (the latest computed), its time and its
   bootstrap; 1 found, 0 not (err says which: no definition of that year, or no tally), -1. */
static int kept_year(sqlite3 *db, const char *where, int year, char id[200], char version[200],
		     char computed[40], long *resamples, uint64_t *seed, struct perr *err)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, &st,
		       "SELECT def_id, def_version, computed_at, resamples, seed FROM tally_year "
		       "WHERE year = ? ORDER BY computed_at DESC, def_id, def_version LIMIT 1",
		       err) < 0)
		return -1;
	sqlite3_bind_int(st, 1, year);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(id, 200, "%s", col_text(st, 0));
		snprintf(version, 200, "%s", col_text(st, 1));
		snprintf(computed, 40, "%s", col_text(st, 2));
		/* NULL: kept before 0019, its bootstrap not known: no intervals */
		*resamples = sqlite3_column_int64(st, 3);
		*seed = sqlite3_column_type(st, 4) == SQLITE_NULL
				? TALLY_SEED : (uint64_t)sqlite3_column_int64(st, 4);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "reading the tallied years");
	/* say which: no such year at all, or a year not tallied; and the years there are */
	if (db_prepare(db, &st,
		       "SELECT (SELECT count(*) FROM definition WHERE year = ?1), "
		       "(SELECT group_concat(year, ', ') FROM (SELECT DISTINCT year FROM tally_year "
		       "ORDER BY year))",
		       err) < 0)
		return -1;
	sqlite3_bind_int(st, 1, year);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return db_fail(db, err, "reading the tallied years");
	}
	if (sqlite3_column_int(st, 0))
		perr_set(err, PERR_DATA, where,
			 "year %d has no tally kept (years kept: %s); 'parindex definition use ID "
			 "VERSION' chooses its definition, then 'parindex tally' tallies it",
			 year, *col_text(st, 1) ? col_text(st, 1) : "none");
	else
		perr_set(err, PERR_DATA, where,
			 "no definition of year %d in this database (years kept: %s)", year,
			 *col_text(st, 1) ? col_text(st, 1) : "none");
	sqlite3_finalize(st);
	return 0;
}

static int exec_bound(sqlite3 *db, const char *sql, const char *a, const char *b,
		      struct perr *err)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, &st, sql, err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	rc = db_step_done(db, st, err);
	sqlite3_finalize(st);
	return rc;
}

/* After the year is computed again (uncommitted): its units as published, or PERR_DATA
   naming the first unit whose index, rank or class is not the published one. */
static int as_published(sqlite3 *db, const char *where, int year, const char *id,
			const char *version, const char *computed, struct perr *err)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, &st,
		       "SELECT p.commune_code, p.index_published, coalesce(t.index_published, '–') "
		       "FROM temp.published p LEFT JOIN tally_commune t ON "
		       "t.commune_code = p.commune_code WHERE t.commune_code IS NULL OR "
		       "t.index_published IS NOT p.index_published OR t.rank IS NOT p.rank OR "
		       "t.tier_id IS NOT p.tier_id "
		       "UNION ALL SELECT t.commune_code, '–', t.index_published FROM tally_commune t "
		       "WHERE t.rank IS NOT NULL AND t.commune_code NOT IN "
		       "(SELECT commune_code FROM temp.published) LIMIT 1",
		       err) < 0)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		perr_set(err, PERR_DATA, where,
			 "the data of year %d changed after its tally of %s (unit %s: published %s, "
			 "now %s): its report would not be what it published; 'parindex definition "
			 "use %s %s' and 'parindex tally' publish it again",
			 year, computed, col_text(st, 0), col_text(st, 1), col_text(st, 2), id, version);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return -1;
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "comparing the year with its published tally");
	/* as published: its units only, their names and types then, its time */
	if (db_exec(db, "DELETE FROM tally_commune WHERE commune_code NOT IN "
			"(SELECT commune_code FROM temp.published)", err) < 0 ||
	    db_exec(db, "UPDATE commune SET name = (SELECT name FROM temp.published p WHERE "
			"p.commune_code = code), type = (SELECT type FROM temp.published p WHERE "
			"p.commune_code = code) WHERE code IN (SELECT commune_code FROM temp.published)",
		    err) < 0 ||
	    exec_bound(db, "UPDATE tally_run SET computed_at = ?1", computed, NULL, err) < 0)
		return -1;
	return 0;
}

int report_load_year(sqlite3 *db, const char *where, int year, struct report *r,
		     struct perr *err)
{
	char id[200], version[200], computed[40], last[402] = "", name[402];
	struct tally_pass t = { 0 };
	sqlite3_stmt *st;
	long resamples = 0;
	uint64_t seed = TALLY_SEED;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = kept_year(db, where, year, id, version, computed, &resamples, &seed, err)) <= 0)
		return -1;
	if (db_prepare(db, &st, "SELECT def_id || ' ' || def_version FROM tally_run ORDER BY id "
				"DESC LIMIT 1", err) < 0)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(last, sizeof(last), "%s", col_text(st, 0));
	sqlite3_finalize(st);
	snprintf(name, sizeof(name), "%s %s", id, version);
	/* the last tally is that year's: read as it is (the active definition may be another) */
	if (!strcmp(last, name)) {
		if (report_load(db, r, err) < 0)
			return -1;
		r->active[0] = '\0';
		return 0;
	}
	/* what it published, before computing it again replaces it (rolled back after) */
	if (db_exec(db, "DROP TABLE IF EXISTS temp.published", err) < 0 ||
	    exec_bound(db, "CREATE TEMP TABLE published AS SELECT commune_code, name, type, "
			   "index_published, tier_id, rank FROM tally_year_commune WHERE def_id = ?1 "
			   "AND def_version = ?2", id, version, err) < 0)
		return -1;
	tally_pass_defaults(&t);
	t.resamples = resamples;
	t.seed = seed;
	t.again_id = id;
	t.again_version = version;
	rc = tally_pass_run(db, where, NULL, &t, err);
	tally_pass_release(&t);
	if (rc == 0) {
		rc = as_published(db, where, year, id, version, computed, err) < 0 ||
				     report_load(db, r, err) < 0
			     ? -1
			     : 0;
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	}
	sqlite3_exec(db, "DROP TABLE IF EXISTS temp.published", NULL, NULL, NULL);
	if (rc < 0)
		return -1;
	/* computed now from what the year holds, which is what it published */
	r->active[0] = r->changed_at[0] = '\0';
	return 0;
}

void report_release(struct report *r)
{
	const struct def *d = &r->def;
	size_t nc = r->ncommunes;

	quality_reasons_free(r->exclusions, r->nexclusions);
	free(r->quality_commune);
	free(r->by_code);

	for (size_t c = 0; c < nc; c++) {
		struct report_commune *v = &r->communes[c];

		free(v->code);
		free(v->name);
		free(v->type);
		free(v->index_published);
		free(v->flags);
	}
	if (r->fields)
		for (size_t i = 0; i < nc * d->nfields; i++)
			free(r->fields[i].pct_published);
	if (r->counts)
		for (size_t i = 0; i < nc * d->ngroups * d->nquestions; i++)
			free(r->counts[i].counts);
	free(r->communes);
	free(r->fields);
	free(r->criteria);
	free(r->subcriteria);
	free(r->groups);
	free(r->questions);
	free(r->counts);
	free(r->field_mean);
	free(r->criterion_mean);
	free(r->class_resamples);
	free(r->score_files);
	for (size_t c = 0; r->ranking_group && c < nc; c++)
		free(r->ranking_group[c]);
	free(r->ranking_group);
	years_previous_release(&r->prev);
	def_release(&r->def);
	memset(r, 0, sizeof(*r));
}
