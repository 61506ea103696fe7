/* Writing a tally into the tally_* tables of migration 0005 (see its comments for what each
   column means). The caller's transaction makes the replacement atomic. */
#include "tally.h"
#include "db.h"
#include "strbuf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* s as a JSON string */
static void add_json_string(struct strbuf *sb, const char *s)
{
	strbuf_addc(sb, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_addc(sb, '\\');
		if ((unsigned char)*s < 0x20)
			strbuf_addf(sb, "\\u%04x", (unsigned char)*s);
		else
			strbuf_addc(sb, *s);
	}
	strbuf_addc(sb, '"');
}

/* n in decimal, without printf: a national tally writes millions of numbers */
static void add_uint(struct strbuf *sb, unsigned long n)
{
	char buf[24], *p = buf + sizeof(buf);

	do
		*--p = (char)('0' + n % 10);
	while (n /= 10);
	strbuf_add(sb, p, (size_t)(buf + sizeof(buf) - p));
}

/* x with 9 decimals, trailing zeros dropped ("0.5", "2", "0.416666667"); null for NaN */
static void add_num(struct strbuf *sb, double x)
{
	unsigned long long v;
	char frac[10];
	int n = 9;

	if (isnan(x)) {
		strbuf_adds(sb, "null");
		return;
	}
	if (x < 0) {
		strbuf_addc(sb, '-');
		x = -x;
	}
	v = (unsigned long long)llround(x * 1e9);
	add_uint(sb, (unsigned long)(v / 1000000000u));
	v %= 1000000000u;
	if (!v)
		return;
	for (int i = 8; i >= 0; i--, v /= 10)
		frac[i] = (char)('0' + v % 10);
	while (n > 0 && frac[n - 1] == '0')
		n--;
	strbuf_addc(sb, '.');
	strbuf_add(sb, frac, (size_t)n);
}

static void bind_real_or_null(sqlite3_stmt *st, int i, double v, int present)
{
	if (present)
		sqlite3_bind_double(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

static const char *const sql[] = {
	"INSERT INTO tally_run (def_id, def_version, computed_at, aggregation, under_quota, "
	"decimals, communes, submissions, ignored_answers) VALUES (?,?,?,?,?,?,?,?,?)",
	"INSERT INTO tally_commune (commune_code, forms, self_points, survey_points, points, max, "
	"index_value, index_published, tier_id, rank, under_quota, no_scores, flags) "
	"VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
	"INSERT INTO tally_field (commune_code, field_id, points, max, pct, pct_published) "
	"VALUES (?,?,?,?,?,?)",
	"INSERT INTO tally_group (commune_code, group_id, forms, min_forms) VALUES (?,?,?,?)",
	"INSERT INTO tally_detail (commune_code, criteria, questions) VALUES (?,?,?)",
	"INSERT INTO tally_ranking (commune_code, ranking_group, bonus_points, penalty_points, "
	"base_index_published) VALUES (?,?,?,?,?)",
	"INSERT INTO tally_reserve (commune_code, group_id, reserve_forms, reserve_counted) "
	"VALUES (?,?,?,?)",
	"INSERT INTO tally_confidence (commune_code, survey_low, survey_high, index_low, "
	"index_high, rank_low, rank_high) VALUES (?,?,?,?,?,?,?)",
	"INSERT INTO tally_class_share (commune_code, tier_id, resamples) VALUES (?,?,?)",
	"INSERT INTO tally_confidence_run (resamples, seed) VALUES (?,?)",
};

/* One element of the criteria array: [id, kind, assessed, points, max, self_score,
   appraised_score, source]; ls NULL for a criterion that is not a leaf. The source of a
   survey criterion none of whose questions has a valid answer is "no-answers". */
static void add_criterion(struct strbuf *sb, const char *id, const char *kind,
			  const char *assessed, double points, double max,
			  const struct tally_leaf_score *ls, int no_answers)
{
	strbuf_adds(sb, sb->len > 1 ? ",[" : "[");
	add_json_string(sb, id);
	strbuf_addf(sb, ",\"%s\",\"%s\",", kind, assessed);
	add_num(sb, points);
	strbuf_addc(sb, ',');
	add_num(sb, max);
	if (!ls) {
		strbuf_adds(sb, no_answers ? ",null,null,\"no-answers\"]" : ",null,null,null]");
		return;
	}
	strbuf_addc(sb, ',');
	add_num(sb, ls->has_self ? ls->self_score : NAN);
	strbuf_addc(sb, ',');
	add_num(sb, ls->has_appraised ? ls->appraised_score : NAN);
	strbuf_adds(sb, ls->not_applicable  ? ",\"not-applicable\"]"
			: ls->has_appraised ? ",\"appraised\"]"
			: ls->has_self	    ? ",\"self\"]"
					    : ",\"none\"]");
}

enum { RUN, COMMUNE, FIELD, GROUP, DETAIL, RANKING, RESERVE, CONFIDENCE, CLASS_SHARE,
       CONFIDENCE_RUN, NSTMT };

/* Commune c's intervals and class shares, when the run resampled it. */
static int put_confidence(sqlite3 *db, sqlite3_stmt **st, const struct def *d,
			  const struct tally_confidence *conf, size_t c, const char *code,
			  struct perr *err)
{
	sqlite3_stmt *s = st[CONFIDENCE];

	if (!conf->resamples || !conf->has[c])
		return 0;
	sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 2, conf->survey_low[c]);
	sqlite3_bind_double(s, 3, conf->survey_high[c]);
	sqlite3_bind_double(s, 4, conf->index_low[c]);
	sqlite3_bind_double(s, 5, conf->index_high[c]);
	for (int i = 0; i < 2; i++)
		if (conf->rank_low[c])
			sqlite3_bind_int64(s, 6 + i, i ? conf->rank_high[c] : conf->rank_low[c]);
		else
			sqlite3_bind_null(s, 6 + i);
	if (db_step_done(db, s, err) < 0)
		return -1;
	s = st[CLASS_SHARE];
	sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
	for (size_t t = 0; t <= conf->ntiers; t++) {
		long n = conf->class_count[c * (conf->ntiers + 1) + t];

		if (!n)
			continue;
		sqlite3_bind_text(s, 2, t < conf->ntiers ? d->tiers[t].id : "", -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, n);
		if (db_step_done(db, s, err) < 0)
			return -1;
	}
	return 0;
}

static int put_commune(sqlite3 *db, sqlite3_stmt **st, const struct def *d,
		       const struct tally_survey *sv, const struct tally_scores *sc,
		       const struct tally_result *r, const struct tally_leaf *leaves, size_t c,
		       const char *code, struct strbuf *sb, struct perr *err)
{
	size_t nf = d->nfields, ncr = d->ncriteria, nq = d->nquestions, ng = d->ngroups;
	size_t nl = r->nleaves;
	char flags[128];
	sqlite3_stmt *s;

	for (int i = COMMUNE; i <= RESERVE; i++)
		sqlite3_bind_text(st[i], 1, code, -1, SQLITE_STATIC);

	s = st[COMMUNE];
	sqlite3_bind_int64(s, 2, r->forms[c]);
	sqlite3_bind_double(s, 3, r->self_points[c]);
	sqlite3_bind_double(s, 4, r->survey_points[c]);
	sqlite3_bind_double(s, 5, r->points[c]);
	sqlite3_bind_double(s, 6, r->max[c]);
	sqlite3_bind_double(s, 7, r->index[c]);
	sqlite3_bind_text(s, 8, r->index_text[c], -1, SQLITE_STATIC);
	if (r->tier[c] == TALLY_UNCLASSIFIED)
		sqlite3_bind_null(s, 9); /* chưa xếp loại */
	else
		sqlite3_bind_text(s, 9, d->tiers[r->tier[c]].id, -1, SQLITE_STATIC);
	if (r->rank[c])
		sqlite3_bind_int64(s, 10, r->rank[c]);
	else
		sqlite3_bind_null(s, 10);
	sqlite3_bind_int(s, 11, !!(r->flags[c] & TALLY_UNDER_QUOTA));
	sqlite3_bind_int(s, 12, !!(r->flags[c] & TALLY_NO_SCORES));
	sqlite3_bind_text(s, 13, tally_flags_text(r->flags[c], flags, sizeof(flags)), -1,
			  SQLITE_STATIC);
	if (db_step_done(db, s, err) < 0)
		return -1;

	s = st[RANKING];
	if (r->ranking[c] < d->nrankings)
		sqlite3_bind_text(s, 2, d->rankings[r->ranking[c]].id, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 2); /* a unit type not ranked */
	sqlite3_bind_double(s, 3, r->bonus[c]);
	sqlite3_bind_double(s, 4, r->penalty[c]);
	if (d->nadjustments)
		sqlite3_bind_text(s, 5, r->base_index_text[c], -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 5);
	if (db_step_done(db, s, err) < 0)
		return -1;

	s = st[FIELD];
	for (size_t f = 0; f < nf; f++) {
		size_t cf = c * nf + f;

		sqlite3_bind_text(s, 2, d->fields[f].id, -1, SQLITE_STATIC);
		sqlite3_bind_double(s, 3, r->field_points[cf]);
		sqlite3_bind_double(s, 4, r->field_max[cf]);
		bind_real_or_null(s, 5, r->field_pct[cf], r->field_max[cf] > 0);
		if (r->field_max[cf] > 0)
			sqlite3_bind_text(s, 6, r->field_text[cf], -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(s, 6);
		if (db_step_done(db, s, err) < 0)
			return -1;
	}

	s = st[GROUP];
	for (size_t g = 0; g < ng; g++) {
		sqlite3_bind_text(s, 2, d->groups[g].id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, sv->forms[c * ng + g]);
		sqlite3_bind_int(s, 4, d->groups[g].min_forms);
		if (db_step_done(db, s, err) < 0)
			return -1;
		if (!sv->reserve || !sv->reserve[c * ng + g])
			continue;
		sqlite3_bind_text(st[RESERVE], 2, d->groups[g].id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st[RESERVE], 3, sv->reserve[c * ng + g]);
		sqlite3_bind_int64(st[RESERVE], 4, sv->reserve_counted[c * ng + g]);
		if (db_step_done(db, st[RESERVE], err) < 0)
			return -1;
	}

	/* criteria and sub-criteria in the definition's order */
	strbuf_reset(&sb[0]);
	strbuf_addc(&sb[0], '[');
	for (size_t k = 0; k < ncr; k++) {
		const struct def_criterion *cr = &d->criteria[k];
		const struct tally_leaf_score *ls = NULL;

		for (size_t l = 0; l < nl && cr->assessed == DEF_SELF && !cr->nsub; l++)
			if (leaves[l].criterion == k)
				ls = &sc->v[c * nl + l];
		add_criterion(&sb[0], cr->id, "criterion",
			      cr->assessed == DEF_SURVEY ? "survey" : "self",
			      r->crit_points[c * ncr + k], r->crit_max[c * ncr + k], ls,
			      r->crit_no_answers[c * ncr + k]);
		for (size_t l = 0; l < nl; l++)
			if (leaves[l].criterion == k && cr->nsub)
				add_criterion(&sb[0], leaves[l].id, "subcriterion", "self",
					      r->leaf_points[c * nl + l], r->leaf_max[c * nl + l],
					      &sc->v[c * nl + l], 0);
	}
	strbuf_addc(&sb[0], ']');

	/* scored questions: [id, criterion, n_valid, score, groups_used, flag, groups] */
	strbuf_reset(&sb[1]);
	strbuf_addc(&sb[1], '[');
	for (size_t q = 0; q < nq; q++) {
		const struct def_question *qu = &d->questions[q];
		const struct def_scale *scale = &d->scales[qu->scale];
		size_t cq = c * nq + q;
		int first = 1;

		if (qu->is_profile)
			continue;
		strbuf_adds(&sb[1], sb[1].len > 1 ? ",[" : "[");
		add_json_string(&sb[1], qu->id);
		strbuf_addc(&sb[1], ',');
		add_json_string(&sb[1], d->criteria[qu->criterion].id);
		strbuf_addc(&sb[1], ',');
		add_uint(&sb[1], (unsigned long)r->q_valid[cq]);
		strbuf_addc(&sb[1], ',');
		add_num(&sb[1], r->q_score[cq]);
		strbuf_addc(&sb[1], ',');
		add_uint(&sb[1], (unsigned long)r->q_groups[cq]);
		strbuf_adds(&sb[1], r->q_flag[cq] == TALLY_NO_ANSWERS		? ",\"no-answers\",{"
				    : r->q_flag[cq] == TALLY_GROUP_NO_ANSWERS ? ",\"group-without-answers\",{"
									      : ",\"\",{");
		for (size_t g = 0; g < ng; g++) {
			size_t cgq = (c * ng + g) * nq + q;
			const uint32_t *n = tally_count_at(sv, c, g, q);

			if (!(qu->groups & (1u << g)))
				continue;
			if (!first)
				strbuf_addc(&sb[1], ',');
			first = 0;
			add_json_string(&sb[1], d->groups[g].id);
			strbuf_adds(&sb[1], ":[");
			add_uint(&sb[1], (unsigned long)r->qg_valid[cgq]);
			strbuf_addc(&sb[1], ',');
			add_uint(&sb[1], (unsigned long)r->qg_excluded[cgq]);
			strbuf_addc(&sb[1], ',');
			add_num(&sb[1], r->qg_score[cgq]);
			strbuf_adds(&sb[1], ",{");
			for (size_t o = 0; o < scale->noptions; o++) {
				if (o)
					strbuf_addc(&sb[1], ',');
				add_json_string(&sb[1], scale->options[o].code);
				strbuf_addc(&sb[1], ':');
				add_uint(&sb[1], n[o]);
			}
			strbuf_adds(&sb[1], "}]");
		}
		strbuf_adds(&sb[1], "}]");
	}
	strbuf_addc(&sb[1], ']');
	s = st[DETAIL];
	sqlite3_bind_text(s, 2, strbuf_str(&sb[0]), (int)sb[0].len, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, strbuf_str(&sb[1]), (int)sb[1].len, SQLITE_STATIC);
	if (db_step_done(db, s, err) < 0)
		return -1;
	return 0;
}

int tally_store(sqlite3 *db, const struct def *d, const struct commune_list *cl,
		const struct tally_survey *sv, const struct tally_scores *sc,
		const struct tally_result *r, const struct tally_confidence *conf,
		struct perr *err)
{
	sqlite3_stmt *st[NSTMT] = { 0 };
	struct tally_leaf *leaves;
	struct strbuf sb[2] = { STRBUF_INIT, STRBUF_INIT };
	char now[32];
	int rc = -1;

	tally_leaves(d, &leaves);
	if (db_exec(db,
		    "DELETE FROM tally_class_share; DELETE FROM tally_confidence; "
		    "DELETE FROM tally_confidence_run; "
		    "DELETE FROM tally_detail; DELETE FROM tally_group; "
		    "DELETE FROM tally_ranking; DELETE FROM tally_reserve; "
		    "DELETE FROM tally_field; DELETE FROM tally_commune; "
		    "DELETE FROM tally_run;",
		    err) < 0)
		goto done;
	for (int i = 0; i < NSTMT; i++)
		if (db_prepare(db, &st[i], sql[i], err) < 0)
			goto done;
	sqlite3_bind_text(st[RUN], 1, d->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st[RUN], 2, d->version, -1, SQLITE_STATIC);
	sqlite3_bind_text(st[RUN], 3, db_now(now), -1, SQLITE_STATIC);
	sqlite3_bind_text(st[RUN], 4, d->aggregation == DEF_POOLED ? "pooled" : "group-mean", -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(st[RUN], 5, d->under_quota == DEF_UNDER_QUOTA_EXCLUDE ? "exclude" : "flag",
			  -1, SQLITE_STATIC);
	sqlite3_bind_int(st[RUN], 6, d->decimals);
	sqlite3_bind_int64(st[RUN], 7, (sqlite3_int64)cl->n);
	sqlite3_bind_int64(st[RUN], 8, sv->submissions);
	sqlite3_bind_int64(st[RUN], 9, sv->ignored_answers);
	if (db_step_done(db, st[RUN], err) < 0)
		goto done;
	if (conf->resamples) {
		sqlite3_bind_int64(st[CONFIDENCE_RUN], 1, conf->resamples);
		sqlite3_bind_int64(st[CONFIDENCE_RUN], 2, (sqlite3_int64)conf->seed);
		if (db_step_done(db, st[CONFIDENCE_RUN], err) < 0)
			goto done;
	}
	for (size_t c = 0; c < cl->n; c++)
		if (put_commune(db, st, d, sv, sc, r, leaves, c, cl->v[c].code, sb, err) < 0 ||
		    put_confidence(db, st, d, conf, c, cl->v[c].code, err) < 0)
			goto done;
	rc = 0;
done:
	for (int i = 0; i < NSTMT; i++)
		sqlite3_finalize(st[i]);
	strbuf_release(&sb[0]);
	strbuf_release(&sb[1]);
	free(leaves);
	return rc;
}
