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
	"INSERT INTO tally_criterion (commune_code, criterion_id, kind, assessed, points, max, "
	"self_score, appraised_score, source) VALUES (?,?,?,?,?,?,?,?,?)",
	"INSERT INTO tally_group (commune_code, group_id, forms, min_forms) VALUES (?,?,?,?)",
	"INSERT INTO tally_question (commune_code, question_id, criterion_id, n_valid, score, "
	"groups_used, flag) VALUES (?,?,?,?,?,?,?)",
	"INSERT INTO tally_count (commune_code, group_id, question_id, counts, n_valid, "
	"n_excluded, score) VALUES (?,?,?,?,?,?,?)",
};
/* The scores of a leaf and which one counted, or NULLs (ls NULL: not a leaf). */
static void bind_leaf(sqlite3_stmt *st, const struct tally_leaf_score *ls)
{
	if (!ls) {
		sqlite3_bind_null(st, 7);
		sqlite3_bind_null(st, 8);
		sqlite3_bind_null(st, 9);
		return;
	}
	bind_real_or_null(st, 7, ls->self_score, ls->has_self);
	bind_real_or_null(st, 8, ls->appraised_score, ls->has_appraised);
	sqlite3_bind_text(st, 9,
			  ls->not_applicable  ? "not-applicable"
			  : ls->has_appraised ? "appraised"
			  : ls->has_self      ? "self"
					      : "none",
			  -1, SQLITE_STATIC);
}

enum { RUN, COMMUNE, FIELD, CRITERION, GROUP, QUESTION, COUNT, NSTMT };

static int put_commune(sqlite3 *db, sqlite3_stmt **st, const struct def *d,
		       const struct tally_survey *sv, const struct tally_scores *sc,
		       const struct tally_result *r, const struct tally_leaf *leaves, size_t c,
		       const char *code, struct strbuf *sb, struct perr *err)
{
	size_t nf = d->nfields, ncr = d->ncriteria, nq = d->nquestions, ng = d->ngroups;
	size_t nl = r->nleaves;
	char flags[128];
	sqlite3_stmt *s;

	for (int i = COMMUNE; i < NSTMT; i++)
		sqlite3_bind_text(st[i], 1, code, -1, SQLITE_STATIC);

	s = st[COMMUNE];
	sqlite3_bind_int64(s, 2, r->forms[c]);
	sqlite3_bind_double(s, 3, r->self_points[c]);
	sqlite3_bind_double(s, 4, r->survey_points[c]);
	sqlite3_bind_double(s, 5, r->points[c]);
	sqlite3_bind_double(s, 6, r->max[c]);
	sqlite3_bind_double(s, 7, r->index[c]);
	sqlite3_bind_text(s, 8, r->index_text[c], -1, SQLITE_STATIC);
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

	s = st[CRITERION];
	for (size_t k = 0; k < ncr; k++) {
		const struct def_criterion *cr = &d->criteria[k];

		sqlite3_bind_text(s, 2, cr->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, "criterion", -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, cr->assessed == DEF_SURVEY ? "survey" : "self", -1,
				  SQLITE_STATIC);
		sqlite3_bind_double(s, 5, r->crit_points[c * ncr + k]);
		sqlite3_bind_double(s, 6, r->crit_max[c * ncr + k]);
		bind_leaf(s, NULL);
		/* a self-assessed criterion without sub-criteria is a leaf: give its scores */
		for (size_t l = 0; l < nl && cr->assessed == DEF_SELF && !cr->nsub; l++)
			if (leaves[l].criterion == k)
				bind_leaf(s, &sc->v[c * nl + l]);
		if (db_step_done(db, s, err) < 0)
			return -1;
	}
	for (size_t l = 0; l < nl; l++) {
		if (!d->criteria[leaves[l].criterion].nsub)
			continue;
		sqlite3_bind_text(s, 2, leaves[l].id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, "subcriterion", -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, "self", -1, SQLITE_STATIC);
		sqlite3_bind_double(s, 5, r->leaf_points[c * nl + l]);
		sqlite3_bind_double(s, 6, r->leaf_max[c * nl + l]);
		bind_leaf(s, &sc->v[c * nl + l]);
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
	}

	for (size_t q = 0; q < nq; q++) {
		const struct def_question *qu = &d->questions[q];
		const struct def_scale *scale = &d->scales[qu->scale];
		size_t cq = c * nq + q;

		if (qu->is_profile)
			continue;
		s = st[QUESTION];
		sqlite3_bind_text(s, 2, qu->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, d->criteria[qu->criterion].id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, r->q_valid[cq]);
		sqlite3_bind_double(s, 5, r->q_score[cq]);
		sqlite3_bind_int(s, 6, r->q_groups[cq]);
		sqlite3_bind_text(s, 7,
				  r->q_flag[cq] == TALLY_NO_ANSWERS	      ? "no-answers"
				  : r->q_flag[cq] == TALLY_GROUP_NO_ANSWERS ? "group-without-answers"
									    : "",
				  -1, SQLITE_STATIC);
		if (db_step_done(db, s, err) < 0)
			return -1;
		s = st[COUNT];
		for (size_t g = 0; g < ng; g++) {
			size_t cgq = (c * ng + g) * nq + q;
			const uint32_t *n = tally_count_at(sv, c, g, q);

			if (!(qu->groups & (1u << g)))
				continue;
			strbuf_reset(sb);
			strbuf_addc(sb, '{');
			for (size_t o = 0; o < scale->noptions; o++) {
				if (o)
					strbuf_addc(sb, ',');
				add_json_string(sb, scale->options[o].code);
				strbuf_addf(sb, ":%u", n[o]);
			}
			strbuf_addc(sb, '}');
			sqlite3_bind_text(s, 2, d->groups[g].id, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 3, qu->id, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 4, strbuf_str(sb), (int)sb->len, SQLITE_STATIC);
			sqlite3_bind_int64(s, 5, r->qg_valid[cgq]);
			sqlite3_bind_int64(s, 6, r->qg_excluded[cgq]);
			bind_real_or_null(s, 7, r->qg_score[cgq], !isnan(r->qg_score[cgq]));
			if (db_step_done(db, s, err) < 0)
				return -1;
		}
	}
	return 0;
}

int tally_store(sqlite3 *db, const struct def *d, const struct commune_list *cl,
		const struct tally_survey *sv, const struct tally_scores *sc,
		const struct tally_result *r, struct perr *err)
{
	sqlite3_stmt *st[NSTMT] = { 0 };
	struct tally_leaf *leaves;
	struct strbuf sb = STRBUF_INIT;
	char now[32];
	int rc = -1;

	tally_leaves(d, &leaves);
	if (db_exec(db,
		    "DELETE FROM tally_count; DELETE FROM tally_question; DELETE FROM tally_group; "
		    "DELETE FROM tally_criterion; DELETE FROM tally_field; DELETE FROM tally_commune; "
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
	for (size_t c = 0; c < cl->n; c++)
		if (put_commune(db, st, d, sv, sc, r, leaves, c, cl->v[c].code, &sb, err) < 0)
			goto done;
	rc = 0;
done:
	for (int i = 0; i < NSTMT; i++)
		sqlite3_finalize(st[i]);
	strbuf_release(&sb);
	free(leaves);
	return rc;
}
