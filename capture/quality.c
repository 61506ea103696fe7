/* Survey quality checks per submission and statistics per surveyor, device and commune (see
   quality.h). Reads the database only; quality_store writes what a run found. */
#include "quality.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "strbuf.h"
#include "../tally/tally.h"

static const char *const check_codes[QUALITY_NCHECKS] = {
	"too-short", "impossible-time", "straight-lining", "burst", "near-duplicate",
	"outside-assignment", "dont-know",
};

const char *quality_check_code(enum quality_check c)
{
	return c < QUALITY_NCHECKS ? check_codes[c] : "";
}

const char *quality_check_vi(enum quality_check c)
{
	static const char *const names[QUALITY_NCHECKS] = {
		"Làm quá nhanh", "Thời gian bất thường", "Trả lời một kiểu",
		"Nhiều phiếu dồn dập", "Gần trùng phiếu khác", "Ngoài địa bàn phân công",
		"Nhiều câu “không biết”",
	};
	return c < QUALITY_NCHECKS ? names[c] : "";
}

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return xstrdup(t ? (const char *)t : "");
}

static void set_flag(struct quality_submission *s, enum quality_check c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_flag(struct quality_submission *s, enum quality_check c, const char *fmt, ...)
{
	va_list ap;
	char *more;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&more, fmt, ap);
	va_end(ap);
	if (n < 0) {
		fprintf(stderr, "parindex: out of memory\n");
		abort();
	}
	if (s->detail[c]) { /* a second finding of the same check: one detail, both said */
		char *both = xasprintf("%s; %s", s->detail[c], more);

		free(s->detail[c]);
		free(more);
		more = both;
	}
	s->detail[c] = more;
	s->checks |= 1u << c;
}

/* Seconds since 1970 of an ISO 8601 date and time as ODK writes it ("2026-01-10T08:00:00.000
   +07:00"; seconds, fraction and offset optional, no offset read as UTC); NAN when it is not
   one. */
static double instant(const char *s)
{
	struct tm tm = { 0 };
	int n = 0, oh = 0, om = 0;
	double frac = 0;
	const char *p;

	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			 &tm.tm_hour, &tm.tm_min, &n) != 5 || n != 16)
		return NAN;
	p = s + n;
	if (p[0] == ':' && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9') {
		tm.tm_sec = (p[1] - '0') * 10 + (p[2] - '0');
		p += 3;
		if (*p == '.') {
			double scale = 0.1;

			for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
				frac += (*p - '0') * scale;
		}
	}
	if ((*p == '+' || *p == '-') && strlen(p) >= 5) {
		int sign = *p == '-' ? -1 : 1;

		if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2 && sscanf(p + 1, "%2d%2d", &oh, &om) != 2)
			return NAN;
		oh *= sign;
		om *= sign;
	} else if (*p && strcmp(p, "Z")) {
		return NAN;
	}
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return NAN;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (double)timegm(&tm) + frac - oh * 3600.0 - om * 60.0;
}

/* ---- loading ---- */

/* The surveyor accounts' assigned communes, "name\ncode" sorted, to look pairs up. */
struct assignments {
	char **pairs;
	size_t n;
	char **names; /* surveyors with assigned communes, sorted */
	size_t nnames;
};

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_assignments(sqlite3 *db, struct assignments *as, struct perr *err)
{
	sqlite3_stmt *st;
	size_t ap = 0, an = 0;
	int rc;

	if (db_prepare(db, &st,
		       "SELECT a.name, c.code FROM account a JOIN account_commune c "
		       "ON c.account_id = a.id WHERE a.role = 'surveyor' ORDER BY a.name, c.code",
		       err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);

		xgrow(&as->pairs, &ap, as->n + 1, sizeof(*as->pairs));
		as->pairs[as->n++] = xasprintf("%s\n%s", name,
					       (const char *)sqlite3_column_text(st, 1));
		if (!as->nnames || strcmp(as->names[as->nnames - 1], name)) {
			xgrow(&as->names, &an, as->nnames + 1, sizeof(*as->names));
			as->names[as->nnames++] = xstrdup(name);
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "reading the surveyors' communes");
	/* SQL's order is by collation; bsearch wants strcmp's */
	if (as->n > 1)
		qsort(as->pairs, as->n, sizeof(*as->pairs), by_string);
	if (as->nnames > 1)
		qsort(as->names, as->nnames, sizeof(*as->names), by_string);
	return 0;
}

static void assignments_release(struct assignments *as)
{
	for (size_t i = 0; i < as->n; i++)
		free(as->pairs[i]);
	for (size_t i = 0; i < as->nnames; i++)
		free(as->names[i]);
	free(as->pairs);
	free(as->names);
}

static int assigned(const struct assignments *as, const char *name, const char *code)
{
	char *pair = xasprintf("%s\n%s", name, code);
	int found = bsearch(&pair, as->pairs, as->n, sizeof(*as->pairs), by_string) != NULL;

	free(pair);
	return found;
}

/* What the per-form checks need of one submission's answers. */
struct answers {
	const struct def *d;
	const char **value; /* per question of d, NULL when not answered */
	struct strbuf owned;
	size_t nscored, dont_know;
};

static void on_answer(const char *key, size_t klen, const char *value, size_t vlen, void *ctx)
{
	struct answers *a = ctx;
	size_t q = def_find_question(a->d, key);

	if (q == DEF_NONE)
		return;
	/* the decoder's strings live until its next call: copied into one buffer, as offsets */
	a->value[q] = (const char *)(uintptr_t)(a->owned.len + 1);
	strbuf_add(&a->owned, value, vlen);
	strbuf_addc(&a->owned, '\0');
}

/* The checks that look at one form alone; key gets the form's commune and answers in the
   definition's order, for the near-duplicate check. */
static void check_form(const struct def *d, struct quality_submission *s, const char *json,
		       double now, const char *now_text, const struct assignments *as,
		       struct strbuf *key)
{
	const struct def_quality *q = &d->quality;
	struct answers a = { .d = d };
	double start = instant(s->started), end = instant(s->ended);
	size_t g = def_find_group(d, s->group), asked = 0, same = 0;
	const char *first = NULL;

	/* too-short and impossible times */
	for (size_t i = 0; g != DEF_NONE && i < d->nquestions; i++)
		if (!d->questions[i].is_profile && (d->questions[i].groups & (1u << g)))
			asked++;
	s->seconds = !isnan(start) && !isnan(end) ? end - start : NAN;
	if (s->seconds < 0)
		set_flag(s, QUALITY_IMPOSSIBLE_TIME, "ended %s, before it started %s", s->ended,
			 s->started);
	else if (q->min_seconds > 0 && s->seconds < q->min_seconds * (double)asked)
		set_flag(s, QUALITY_TOO_SHORT, "%.0f s for %zu scored questions, under %g s each",
			 s->seconds, asked, q->min_seconds);
	for (int k = 0; k < 2; k++) {
		const char *t = k ? s->ended : s->started, *what = k ? "ended" : "started";

		if (*q->window_start && *t && strncmp(t, q->window_start, 10) < 0)
			set_flag(s, QUALITY_IMPOSSIBLE_TIME, "%s %.10s, before the survey window %s to %s",
				 what, t, q->window_start, *q->window_end ? q->window_end : "-");
		else if (*q->window_end && *t && strncmp(t, q->window_end, 10) > 0)
			set_flag(s, QUALITY_IMPOSSIBLE_TIME, "%s %.10s, after the survey window %s to %s",
				 what, t, *q->window_start ? q->window_start : "-", q->window_end);
		if (!isnan(now) && (k ? end : start) > now)
			set_flag(s, QUALITY_IMPOSSIBLE_TIME, "%s %s, later than now (%s)", what, t,
				 now_text);
	}

	/* the answers: straight-lining, "don't know", and the key of near-duplicates */
	a.value = xcalloc(d->nquestions + 1, sizeof(*a.value));
	strbuf_addc(&a.owned, '\0');
	if (tally_answers_decode(json, strlen(json), on_answer, &a) < 0)
		memset(a.value, 0, (d->nquestions + 1) * sizeof(*a.value));
	strbuf_reset(key);
	strbuf_adds(key, s->commune);
	for (size_t i = 0; i < d->nquestions; i++) {
		const char *v;

		if (!a.value[i])
			continue;
		v = strbuf_str(&a.owned) + (uintptr_t)a.value[i] - 1;
		strbuf_addc(key, '\x1f');
		strbuf_adds(key, d->questions[i].id);
		strbuf_addc(key, '=');
		strbuf_adds(key, v);
		if (d->questions[i].is_profile)
			continue;
		a.nscored++;
		if (!first)
			first = v;
		if (!strcmp(first, v))
			same++;
		if (def_is_dont_know(d, v))
			a.dont_know++;
	}
	if (q->straight_lining > 0 && a.nscored >= (size_t)q->straight_lining &&
	    same == a.nscored)
		set_flag(s, QUALITY_STRAIGHT_LINING, "all %zu scored answers '%s'", a.nscored, first);
	if (q->dont_know && a.nscored &&
	    (double)a.dont_know > q->dont_know_share * (double)a.nscored)
		set_flag(s, QUALITY_DONT_KNOW, "%zu of %zu scored answers don't know, above %g%%",
			 a.dont_know, a.nscored, q->dont_know_share * 100);

	/* a surveyor with assigned communes, out of them */
	if (as->nnames &&
	    bsearch(&s->surveyor, as->names, as->nnames, sizeof(*as->names), by_string) &&
	    !assigned(as, s->surveyor, s->commune))
		set_flag(s, QUALITY_OUTSIDE_ASSIGNMENT,
			 "surveyor '%s' is not assigned commune %s", s->surveyor, s->commune);
	free(a.value);
	strbuf_release(&a.owned);
}

/* ---- checks across forms ---- */

struct keyed {
	const char *key;
	double t;
	size_t i; /* index into r->subs */
};

static int by_key_time(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

/* Bursts of the forms sharing a device (device) or a surveyor: for each form, the first run
   of burst-forms or more started within burst-minutes that holds it. Windows [i, end(i)] only
   move right as i does, so one pass finds them all. */
static void check_bursts(const struct def *d, struct quality_result *r, int device)
{
	const struct def_quality *q = &d->quality;
	struct keyed *v = xcalloc(r->nsubs + 1, sizeof(*v));
	size_t n = 0;
	double span = q->burst_minutes * 60.0;

	if (q->burst_forms < 2 || q->burst_minutes < 1) {
		free(v);
		return;
	}
	for (size_t i = 0; i < r->nsubs; i++) {
		struct quality_submission *s = &r->subs[i];
		double t = instant(s->started);

		/* a single-use code is one respondent each, sent from anywhere: their common
		   surveyor "web" is not a person whose pace means anything (the device is the
		   code's) */
		if (isnan(t) || (device && !*s->device) || (!device && !strcmp(s->channel, "web")))
			continue;
		v[n++] = (struct keyed){ device ? s->device : s->surveyor, t, i };
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), by_key_time);
	for (size_t lo = 0; lo < n;) {
		size_t hi = lo, end = lo, w = lo; /* the run of one key: [lo, hi) */

		while (hi < n && !strcmp(v[hi].key, v[lo].key))
			hi++;
		/* for form k: w, the earliest window start whose window reaches k and is a burst */
		for (size_t k = lo; k < hi; k++) {
			for (; w <= k; w++) {
				if (end < w)
					end = w;
				while (end + 1 < hi && v[end + 1].t - v[w].t <= span)
					end++;
				if (end >= k && end - w + 1 >= (size_t)q->burst_forms)
					break;
			}
			if (w > k)
				continue; /* no burst holds k; w stays past k, checked again at k + 1 */
			set_flag(&r->subs[v[k].i], QUALITY_BURST,
				 "%zu forms of %s '%s' started within %d minutes, from %s",
				 end - w + 1, device ? "device" : "surveyor", v[k].key,
				 q->burst_minutes, r->subs[v[w].i].started);
		}
		lo = hi;
	}
	free(v);
}

static int by_key_index(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* Forms of one commune with the same profile and scored answers: keys[i] is form i's. */
static void check_near_duplicates(struct quality_result *r, char **keys)
{
	struct keyed *v = xcalloc(r->nsubs + 1, sizeof(*v));

	for (size_t i = 0; i < r->nsubs; i++)
		v[i] = (struct keyed){ keys[i], 0, i };
	if (r->nsubs > 1)
		qsort(v, r->nsubs, sizeof(*v), by_key_index);
	for (size_t lo = 0, hi; lo < r->nsubs; lo = hi) {
		for (hi = lo + 1; hi < r->nsubs && !strcmp(v[hi].key, v[lo].key); hi++)
			;
		if (hi - lo < 2)
			continue;
		for (size_t k = lo; k < hi; k++) {
			/* named: the first other form, in the order they were stored */
			size_t other = v[k == lo ? lo + 1 : lo].i;
			char more[64] = "";

			if (hi - lo > 2)
				snprintf(more, sizeof(more), " and %zu other forms", hi - lo - 2);
			set_flag(&r->subs[v[k].i], QUALITY_NEAR_DUPLICATE,
				 "same profile and answers as %s%s", r->subs[other].instance_id, more);
		}
	}
	free(v);
}

int quality_run(sqlite3 *db, const struct def *d, struct quality_result *r, struct perr *err)
{
	struct assignments as = { 0 };
	struct strbuf key = STRBUF_INIT;
	sqlite3_stmt *st = NULL;
	char **keys = NULL;
	size_t alloc = 0, akeys = 0;
	double now;
	int rc;

	memset(r, 0, sizeof(*r));
	db_now(r->computed_at);
	now = instant(r->computed_at);
	if (load_assignments(db, &as, err) < 0)
		goto fail;
	if (db_prepare(db, &st,
		       "SELECT s.instance_id, s.commune_code, s.group_id, s.surveyor, "
		       "coalesce(s.device_id, ''), coalesce(s.started, ''), coalesce(s.ended, ''), "
		       "s.answers, s.excluded, b.channel FROM (SELECT *, 0 AS excluded FROM "
		       "counted_submission UNION ALL SELECT *, 1 FROM excluded_submission) s "
		       "JOIN batch b ON b.id = s.batch_id JOIN form f ON f.id = s.form_id AND "
		       "f.version = s.form_version WHERE f.def_id = ? AND f.def_version = ? "
		       "ORDER BY s.id",
		       err) < 0)
		goto fail;
	sqlite3_bind_text(st, 1, d->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, d->version, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct quality_submission *s;

		xgrow(&r->subs, &alloc, r->nsubs + 1, sizeof(*r->subs));
		s = memset(&r->subs[r->nsubs++], 0, sizeof(*s));
		s->instance_id = col_dup(st, 0);
		s->commune = col_dup(st, 1);
		s->group = col_dup(st, 2);
		s->surveyor = col_dup(st, 3);
		s->device = col_dup(st, 4);
		s->started = col_dup(st, 5);
		s->ended = col_dup(st, 6);
		s->excluded = sqlite3_column_int(st, 8);
		s->channel = col_dup(st, 9);
		check_form(d, s, (const char *)sqlite3_column_text(st, 7), now, r->computed_at, &as,
			   &key);
		xgrow(&keys, &akeys, r->nsubs, sizeof(*keys));
		keys[r->nsubs - 1] = xstrdup(strbuf_str(&key));
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE) {
		db_fail(db, err, "reading submissions");
		goto fail;
	}
	check_bursts(d, r, 1);
	check_bursts(d, r, 0);
	if (d->quality.near_duplicate)
		check_near_duplicates(r, keys);
	for (size_t i = 0; i < r->nsubs; i++)
		r->flagged += r->subs[i].checks != 0;
	rc = 0;
	goto done;
fail:
	sqlite3_finalize(st);
	quality_release(r);
	rc = -1;
done:
	for (size_t i = 0; keys && i < r->nsubs; i++)
		free(keys[i]);
	free(keys);
	strbuf_release(&key);
	assignments_release(&as);
	return rc;
}

void quality_release(struct quality_result *r)
{
	for (size_t i = 0; i < r->nsubs; i++) {
		struct quality_submission *s = &r->subs[i];

		free(s->instance_id);
		free(s->commune);
		free(s->group);
		free(s->surveyor);
		free(s->channel);
		free(s->device);
		free(s->started);
		free(s->ended);
		for (int c = 0; c < QUALITY_NCHECKS; c++)
			free(s->detail[c]);
	}
	free(r->subs);
	memset(r, 0, sizeof(*r));
}

int quality_store(sqlite3 *db, const struct def *d, const struct quality_result *r,
		  struct perr *err)
{
	sqlite3_stmt *st = NULL;

	if (db_exec(db, "DELETE FROM quality_flag", err) < 0 ||
	    db_exec(db, "DELETE FROM quality_run", err) < 0 ||
	    db_prepare(db, &st,
		       "INSERT INTO quality_run (computed_at, def_id, def_version, submissions, "
		       "flagged) VALUES (?, ?, ?, ?, ?)",
		       err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, r->computed_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, d->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, d->version, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)r->nsubs);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)r->flagged);
	if (db_step_done(db, st, err) < 0)
		goto fail;
	sqlite3_finalize(st);
	if (db_prepare(db, &st,
		       "INSERT INTO quality_flag (instance_id, check_code, detail) VALUES (?, ?, ?)",
		       err) < 0)
		return -1;
	for (size_t i = 0; i < r->nsubs; i++)
		for (int c = 0; c < QUALITY_NCHECKS; c++) {
			if (!r->subs[i].detail[c])
				continue;
			sqlite3_reset(st);
			sqlite3_bind_text(st, 1, r->subs[i].instance_id, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, check_codes[c], -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 3, r->subs[i].detail[c], -1, SQLITE_STATIC);
			if (db_step_done(db, st, err) < 0)
				goto fail;
		}
	sqlite3_finalize(st);
	return 0;
fail:
	sqlite3_finalize(st);
	return -1;
}

/* ---- statistics ---- */

static const char *stat_key(const struct quality_submission *s, enum quality_by by)
{
	return by == QUALITY_BY_SURVEYOR ? s->surveyor
	       : by == QUALITY_BY_DEVICE ? s->device
	       : by == QUALITY_BY_CHANNEL ? s->channel
					  : s->commune;
}

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int by_string_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void quality_summary(const struct quality_result *r, enum quality_by by, const char *commune,
		     struct quality_stat **out, size_t *n)
{
	struct keyed *v = xcalloc(r->nsubs + 1, sizeof(*v));
	double *secs = xcalloc(r->nsubs + 1, sizeof(*secs));
	const char **codes = xcalloc(r->nsubs + 1, sizeof(*codes));
	size_t nv = 0, alloc = 0;

	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < r->nsubs; i++)
		if (!commune || !strcmp(r->subs[i].commune, commune))
			v[nv++] = (struct keyed){ stat_key(&r->subs[i], by), 0, i };
	if (nv > 1)
		qsort(v, nv, sizeof(*v), by_key_index);
	for (size_t lo = 0, hi; lo < nv; lo = hi) {
		struct quality_stat *st;
		size_t ns = 0;

		xgrow(out, &alloc, *n + 1, sizeof(**out));
		st = memset(&(*out)[(*n)++], 0, sizeof(*st));
		st->key = v[lo].key;
		for (hi = lo; hi < nv && !strcmp(v[hi].key, v[lo].key); hi++) {
			const struct quality_submission *s = &r->subs[v[hi].i];

			st->forms++;
			st->flagged += s->checks != 0;
			for (int c = 0; c < QUALITY_NCHECKS; c++)
				st->per_check[c] += (s->checks >> c) & 1;
			if (s->seconds >= 0) /* not NAN, nor an end before the start */
				secs[ns++] = s->seconds;
			codes[hi - lo] = s->commune;
		}
		qsort(codes, hi - lo, sizeof(*codes), by_string_ptr);
		for (size_t k = 0; k < hi - lo; k++)
			st->communes += !k || strcmp(codes[k], codes[k - 1]);
		qsort(secs, ns, sizeof(*secs), by_double);
		st->median_seconds = !ns ? NAN : ns % 2 ? secs[ns / 2]
							 : (secs[ns / 2 - 1] + secs[ns / 2]) / 2;
	}
	free(v);
	free(secs);
	free(codes);
}
