/* Tally formulas, one table row per hand-computed case: rounding half-up at the published
   decimals, question scores with weights and excluded options, the tier cascade at its exact
   thresholds, competition ranking, and whole communes of tests/data/definitions/mini.xml
   worked out by hand (group-mean and pooled, not-applicable lowering the max, quota flags). */
#include "unit.h"

#include "def.h"
#include "strbuf.h"
#include "../../tally/tally.h"

#include <math.h>
#include <stdlib.h>

static void rounding(void)
{
	static const struct {
		double x;
		int decimals;
		const char *text;
	} rows[] = {
		{ 89.995, 2, "90.00" },   /* binary 89.99499999… must still round up */
		{ 89.994999, 2, "89.99" },
		{ 1.005, 2, "1.01" },
		{ 2.675, 2, "2.68" },
		{ 89.7685, 3, "89.769" },
		{ 89.76849, 3, "89.768" },
		{ 65.625, 2, "65.63" },
		{ 99.9951, 2, "100.00" },
		{ 0.5, 0, "1" },
		{ 0.49, 0, "0" },
		{ 0, 2, "0.00" },
		{ 100, 2, "100.00" },
		{ 1e-12, 2, "0.00" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char text[32];
		double v = tally_round(rows[i].x, rows[i].decimals, text, sizeof(text));

		CHECK(!strcmp(text, rows[i].text), "%g at %d: got %s, want %s", rows[i].x,
		      rows[i].decimals, text, rows[i].text);
		CHECK_NUM(v, strtod(rows[i].text, NULL), "rounded value");
	}
}

static int load_mini(struct def *d, const char *aggregation, const char *under_quota)
{
	struct diag diag = { 0 };
	int rc;

	rc = def_load_file(d, unit_data("definitions/mini.xml"), &diag);
	CHECK(rc == 0, "mini.xml loads (%s)", diag.n ? diag.lines[0] : "");
	diag_release(&diag);
	if (rc)
		return -1;
	if (aggregation && !strcmp(aggregation, "pooled"))
		d->aggregation = DEF_POOLED;
	if (under_quota && !strcmp(under_quota, "exclude"))
		d->under_quota = DEF_UNDER_QUOTA_EXCLUDE;
	return 0;
}

static void question_scores(void)
{
	static const struct {
		uint32_t n[4]; /* a (1), b (0.5), c (0), x (excluded) */
		long valid, excluded;
		double q;
	} rows[] = {
		{ { 2, 1, 1, 3 }, 4, 3, 0.625 },
		{ { 1, 0, 0, 0 }, 1, 0, 1 },
		{ { 0, 0, 5, 0 }, 5, 0, 0 },
		{ { 0, 3, 0, 0 }, 3, 0, 0.5 },
		{ { 1, 1, 1, 1 }, 3, 1, 0.5 },
		{ { 0, 0, 0, 7 }, 0, 7, -1 }, /* only "don't know": no valid answer */
	};
	struct def d;

	if (load_mini(&d, NULL, NULL) < 0)
		return;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		double q = -1;
		long excl = -1;
		long valid = tally_question_score(&d.scales[0], rows[i].n, &q, &excl);

		CHECK(valid == rows[i].valid, "row %zu: N valid %ld, want %ld", i, valid,
		      rows[i].valid);
		CHECK(excl == rows[i].excluded, "row %zu: excluded %ld, want %ld", i, excl,
		      rows[i].excluded);
		CHECK_NUM(q, rows[i].q, "question score");
	}
	def_release(&d);
}

static void classification(void)
{
	/* mini.xml's tiers are the seed's: 90/80, 80/70, 65/50, otherwise */
	static const struct {
		double index, field1, field2;
		const char *tier;
	} rows[] = {
		{ 92, 100, 75, "good" },           /* the field floor at work */
		{ 70, 100, 45, "not-completed" },  /* fits no tier */
		{ 90, 80, 80, "excellent" },       /* every threshold exactly met */
		{ 90, 80, 79.99, "good" },
		{ 89.99, 100, 100, "good" },
		{ 80, 70, 70, "good" },
		{ 80, 70, 69.99, "completed" },
		{ 79.99, 100, 100, "completed" },
		{ 65, 50, 50, "completed" },
		{ 65, 50, 49.99, "not-completed" },
		{ 64.99, 100, 100, "not-completed" },
		{ 100, 100, 100, "excellent" },
		{ 0, 0, 0, "not-completed" },
	};
	struct def d;

	if (load_mini(&d, NULL, NULL) < 0)
		return;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		double pct[2] = { rows[i].field1, rows[i].field2 }, max[2] = { 6, 4 };
		size_t t = tally_classify(&d, rows[i].index, pct, max);

		CHECK_STR(d.tiers[t].id, rows[i].tier, "tier");
	}
	/* a field whose every leaf is not applicable (max 0) does not hold the floor */
	{
		double pct[2] = { 0, 95 }, max[2] = { 0, 4 };

		CHECK_STR(d.tiers[tally_classify(&d, 95, pct, max)].id, "excellent",
			  "field with max 0 ignored");
	}
	/* 89.995 publishes as 90.00, which is excellent */
	{
		double pct[2] = { 85, 85 }, max[2] = { 6, 4 };
		double pub = tally_round(89.995, d.decimals, NULL, 0);

		CHECK_STR(d.tiers[tally_classify(&d, pub, pct, max)].id, "excellent",
			  "89.995 -> 90.00 -> excellent");
	}
	def_release(&d);
}

static void ranking(void)
{
	static const struct {
		size_t n;
		double v[6];
		unsigned char ranked[6];
		long rank[6];
	} rows[] = {
		{ 4, { 90, 85, 85, 80 }, { 1, 1, 1, 1 }, { 1, 2, 2, 4 } },
		{ 4, { 80, 85, 90, 85 }, { 1, 1, 1, 1 }, { 4, 2, 1, 2 } },
		{ 5, { 70, 70, 70, 60, 99 }, { 1, 1, 1, 1, 0 }, { 1, 1, 1, 4, 0 } },
		{ 3, { 50, 50, 50 }, { 1, 1, 1 }, { 1, 1, 1 } },
		{ 6, { 90, 95, 90, 80, 95, 70 }, { 1, 1, 1, 1, 1, 1 }, { 3, 1, 3, 5, 1, 6 } },
		{ 1, { 12 }, { 0 }, { 0 } },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		long rank[6] = { -1, -1, -1, -1, -1, -1 };

		tally_rank(rows[i].n, rows[i].v, rows[i].ranked, rank);
		for (size_t k = 0; k < rows[i].n; k++)
			CHECK(rank[k] == rows[i].rank[k], "row %zu item %zu: rank %ld, want %ld", i,
			      k, rank[k], rows[i].rank[k]);
	}
}

/* Each ranking group ranked on its own, ties shared within a group only; DEF_NONE and the
   unranked never ranked. */
static void ranking_groups(void)
{
	static const struct {
		size_t n, ngroups;
		double v[6];
		unsigned char ranked[6];
		size_t group[6];
		long rank[6];
	} rows[] = {
		/* one group: tally_rank's result */
		{ 4, 1, { 90, 85, 85, 80 }, { 1, 1, 1, 1 }, { 0, 0, 0, 0 }, { 1, 2, 2, 4 } },
		/* two groups: 85 in group 1 is first there, whatever group 0 holds */
		{ 5, 2, { 90, 85, 85, 80, 95 }, { 1, 1, 1, 1, 1 }, { 0, 1, 0, 1, 0 }, { 2, 1, 3, 2, 1 } },
		/* a tie across groups is no tie */
		{ 4, 2, { 70, 70, 60, 70 }, { 1, 1, 1, 1 }, { 0, 1, 1, 0 }, { 1, 1, 2, 1 } },
		/* a type not ranked (DEF_NONE) and a unit not ranked in its group */
		{ 5, 2, { 99, 80, 70, 90, 60 }, { 1, 1, 1, 0, 1 },
		  { DEF_NONE, 0, 0, 1, 1 }, { 0, 1, 2, 0, 1 } },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		long rank[6] = { -1, -1, -1, -1, -1, -1 };

		tally_rank_groups(rows[i].n, rows[i].v, rows[i].ranked, rows[i].group,
				  rows[i].ngroups, rank);
		for (size_t k = 0; k < rows[i].n; k++)
			CHECK(rank[k] == rows[i].rank[k], "groups row %zu item %zu: rank %ld, want %ld",
			      i, k, rank[k], rows[i].rank[k]);
	}
}

/* Add n answers `option` to question `q` from group `g` of commune c. */
static void answer(const struct def *d, struct tally_survey *sv, size_t c, const char *g,
		   const char *q, const char *option, uint32_t n)
{
	size_t gi = def_find_group(d, g), qi = def_find_question(d, q);
	const struct def_scale *sc = &d->scales[d->questions[qi].scale];

	for (size_t o = 0; o < sc->noptions; o++)
		if (!strcmp(sc->options[o].code, option))
			tally_count_at(sv, c, gi, qi)[o] += n;
}

static void forms(const struct def *d, struct tally_survey *sv, size_t c, const char *g,
		  uint32_t n)
{
	sv->forms[c * d->ngroups + def_find_group(d, g)] = n;
}

/* Commune 0: A has 3 forms, B 2.
     qa  A: a a b   -> 2.5/3      B: c x -> 0/1 (x excluded)
     qb  A: a b x   -> 1.5/2 = 0.75
     qc  B: b b     -> 0.5
   scores: 1.1.1 self 1 appraised 0.5 -> 0.5; 1.1.2 not applicable; 2.1 self 2 -> 2
   Commune 1: no scores; A has 1 form (qa a, qb x), B none. */
static void fill_mini(const struct def *d, struct tally_survey *sv, struct tally_scores *sc)
{
	forms(d, sv, 0, "A", 3);
	forms(d, sv, 0, "B", 2);
	answer(d, sv, 0, "A", "qa", "a", 2);
	answer(d, sv, 0, "A", "qa", "b", 1);
	answer(d, sv, 0, "B", "qa", "c", 1);
	answer(d, sv, 0, "B", "qa", "x", 1);
	answer(d, sv, 0, "A", "qb", "a", 1);
	answer(d, sv, 0, "A", "qb", "b", 1);
	answer(d, sv, 0, "A", "qb", "x", 1);
	answer(d, sv, 0, "B", "qc", "b", 2);
	sc->has_scores[0] = 1;
	sc->v[0] = (struct tally_leaf_score){ 1, 0.5, 1, 1, 0 };
	sc->v[1] = (struct tally_leaf_score){ 0, 0, 0, 0, 1 };
	sc->v[2] = (struct tally_leaf_score){ 2, 0, 1, 0, 0 };

	forms(d, sv, 1, "A", 1);
	answer(d, sv, 1, "A", "qa", "a", 1);
	answer(d, sv, 1, "A", "qb", "x", 1);
}

static void communes(void)
{
	static const struct {
		const char *aggregation, *under_quota;
		size_t c;
		double points, max, field1, field2;
		const char *index, *tier;
		long rank;
		unsigned flags;
	} rows[] = {
		/* group-mean: qa = (2.5/3 + 0)/2; 1.2 = 3 * (qa + 0.75)/2 = 1.75; 2.2 = 2 * 0.5
		   field 1: (0.5 + 1.75) / (1 + 3) = 56.25 %; field 2: (2 + 1) / 4 = 75 %
		   index 5.25 / 8 = 65.625 -> 65.63, completed */
		{ "group-mean", "flag", 0, 5.25, 8, 56.25, 75, "65.63", "completed", 1, 0 },
		/* qa: A 1, B asked but no form: left out, flagged; qb only x: no valid answer,
		   left out of 1.2's mean, flagged; qc: nobody: 2.2 has no measured question, 0.
		   1.2 = 3 * 1 = 3; max 10; field 1: 3/6 = 50 %; 30 %; no scores: not classified */
		{ "group-mean", "flag", 1, 3, 10, 50, 0, "30.00", "", 0,
		  TALLY_UNDER_QUOTA | TALLY_NO_SCORES | TALLY_NO_ANSWERS | TALLY_GROUP_NO_ANSWERS },
		/* pooled: qa = 2.5/4 = 0.625; 1.2 = 3 * (0.625 + 0.75)/2 = 2.0625
		   field 1: 2.5625/4 = 64.0625 %; index 5.5625/8 = 69.53125 -> 69.53 */
		{ "pooled", "flag", 0, 5.5625, 8, 64.0625, 75, "69.53", "completed", 1, 0 },
		{ "pooled", "flag", 1, 3, 10, 50, 0, "30.00", "", 0,
		  TALLY_UNDER_QUOTA | TALLY_NO_SCORES | TALLY_NO_ANSWERS },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct def d;
		struct tally_survey sv;
		struct tally_scores sc;
		struct tally_result r;
		struct tally_leaf *leaves;
		size_t nleaves, c = rows[i].c;
		char flags[100];

		if (load_mini(&d, rows[i].aggregation, rows[i].under_quota) < 0)
			return;
		nleaves = tally_leaves(&d, &leaves);
		CHECK(nleaves == 3, "mini has 3 self-assessed leaves, got %zu", nleaves);
		tally_survey_init(&sv, &d, 2);
		tally_scores_init(&sc, 2, nleaves);
		fill_mini(&d, &sv, &sc);
		tally_compute(&d, &sv, &sc, &r);
		CHECK_NUM(r.points[c], rows[i].points, "points");
		CHECK_NUM(r.max[c], rows[i].max, "applicable max");
		CHECK_NUM(r.field_pct[c * 2], rows[i].field1, "field 1 %");
		CHECK_NUM(r.field_pct[c * 2 + 1], rows[i].field2, "field 2 %");
		CHECK(!strcmp(r.index_text[c], rows[i].index), "row %zu: index %s, want %s", i,
		      r.index_text[c], rows[i].index);
		CHECK_STR(r.tier[c] == TALLY_UNCLASSIFIED ? "" : d.tiers[r.tier[c]].id, rows[i].tier,
			  "tier");
		CHECK(r.rank[c] == rows[i].rank, "row %zu: rank %ld, want %ld", i, r.rank[c],
		      rows[i].rank);
		CHECK(r.flags[c] == rows[i].flags, "row %zu: flags '%s'", i,
		      tally_flags_text(r.flags[c], flags, sizeof(flags)));
		tally_result_release(&r);
		tally_scores_release(&sc);
		tally_survey_release(&sv);
		free(leaves);
		def_release(&d);
	}
}

/* mini.xml with n communes, empty survey and scores, for the tests below to fill */
struct mini {
	struct def d;
	struct tally_survey sv;
	struct tally_scores sc;
	struct tally_result r;
	struct tally_leaf *leaves;
	size_t nleaves;
};

static int mini_open(struct mini *m, size_t n)
{
	if (load_mini(&m->d, NULL, NULL) < 0)
		return -1;
	m->nleaves = tally_leaves(&m->d, &m->leaves);
	tally_survey_init(&m->sv, &m->d, n);
	tally_scores_init(&m->sc, n, m->nleaves);
	return 0;
}

static void mini_close(struct mini *m)
{
	tally_result_release(&m->r);
	tally_scores_release(&m->sc);
	tally_survey_release(&m->sv);
	free(m->leaves);
	def_release(&m->d);
}

/* under-quota="exclude": the commune is computed and shown, not ranked */
static void under_quota_exclude(void)
{
	struct mini m;

	if (mini_open(&m, 2) < 0)
		return;
	m.d.under_quota = DEF_UNDER_QUOTA_EXCLUDE;
	fill_mini(&m.d, &m.sv, &m.sc);
	m.sc.has_scores[1] = 1; /* scored, but under quota */
	tally_compute(&m.d, &m.sv, &m.sc, &m.r);
	CHECK(m.r.rank[0] == 1 && m.r.rank[1] == 0, "ranks %ld %ld, want 1 0", m.r.rank[0],
	      m.r.rank[1]);
	CHECK(!strcmp(m.r.index_text[1], "30.00"), "excluded commune still computed: %s",
	      m.r.index_text[1]);
	m.d.under_quota = DEF_UNDER_QUOTA_FLAG;
	tally_result_release(&m.r);
	tally_compute(&m.d, &m.sv, &m.sc, &m.r);
	CHECK(m.r.rank[0] == 1 && m.r.rank[1] == 2, "flag only: ranks %ld %ld, want 1 2",
	      m.r.rank[0], m.r.rank[1]);
	mini_close(&m);
}

/* Bonus and penalty on province.xml (10 points, index on 100; the survey answers all c, 0
   points): a penalty cannot take the index below 0, and the sums are exact (33.3 + 0.3
   publishes 33.60). Leaves: 1.1, 2.1, T.1 (bonus), P.1 (penalty). t3013 shows 101.00. */
static void bonus_penalty(void)
{
	static const struct {
		double s11, s21, bonus, penalty;
		const char *base, *index;
	} rows[] = {
		{ 0.5, 0, 0, 2, "5.00", "3.00" },
		{ 0.1, 0, 0, 2, "1.00", "0.00" },	/* floored at 0 */
		{ 4, 4, 2, 0, "80.00", "82.00" },	/* survey 0 of 2 */
		{ 3.33, 0, 0.1, 0.2, "33.30", "33.20" },
		{ 3.33, 0, 0.3, 0, "33.30", "33.60" },
	};
	struct diag diag = { 0 };
	struct def d;

	CHECK(def_load_file(&d, unit_data("definitions/province.xml"), &diag) == 0,
	      "province loads");
	diag_release(&diag);
	if (!d.id)
		return;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct tally_survey sv;
		struct tally_scores sc;
		struct tally_result r;
		struct tally_leaf *leaves;
		size_t nl = tally_leaves(&d, &leaves);

		CHECK(nl == 4 && leaves[2].adjustment == 0 && leaves[3].adjustment == 1 &&
			      leaves[2].criterion == DEF_NONE,
		      "bonus and penalty leaves after the criteria's");
		tally_survey_init(&sv, &d, 1);
		tally_scores_init(&sc, 1, nl);
		sv.forms[0] = 3;
		answer(&d, &sv, 0, "CB", "q1", "c", 3);
		sc.has_scores[0] = 1;
		sc.v[0] = (struct tally_leaf_score){ rows[i].s11, 0, 1, 0, 0 };
		sc.v[1] = (struct tally_leaf_score){ rows[i].s21, 0, 1, 0, 0 };
		sc.v[2] = (struct tally_leaf_score){ rows[i].bonus, 0, 1, 0, 0 };
		sc.v[3] = (struct tally_leaf_score){ rows[i].penalty, 0, 1, 0, 0 };
		tally_compute(&d, &sv, &sc, &r);
		CHECK(!strcmp(r.base_index_text[0], rows[i].base), "row %zu: base index %s, want %s",
		      i, r.base_index_text[0], rows[i].base);
		CHECK(!strcmp(r.index_text[0], rows[i].index), "row %zu: index %s, want %s", i,
		      r.index_text[0], rows[i].index);
		CHECK(r.inexact == 0, "row %zu: exact", i);
		tally_result_release(&r);
		tally_scores_release(&sc);
		tally_survey_release(&sv);
		free(leaves);
	}
	def_release(&d);
}

/* Exact values: decimals read as written, fractions kept exact to the rounding step. */
static void exact_values(void)
{
	static const struct {
		const char *what;
		struct tally_exact x;
		int decimals;
		const char *text;
	} rows[] = {
		/* a tie built as a decimal: 79.995 -> 80.00 */
		{ "79.995", { 79995, 1000, 1 }, 2, "80.00" },
		/* 4e-9 under the tie: the old rounding of the double at 8 places said 80.00 */
		{ "79.995 - 1/250000000", { 19998749999, 250000000, 1 }, 2, "79.99" },
		{ "2/3", { 2, 3, 1 }, 2, "0.67" },
		{ "1/3", { 1, 3, 1 }, 0, "0" },
		{ "1/2", { 1, 2, 1 }, 0, "1" },
		{ "99.9951", { 999951, 10000, 1 }, 2, "100.00" },
		{ "0", { 0, 1, 1 }, 2, "0.00" },
		{ "65.625", { 525, 8, 1 }, 2, "65.63" },
		{ "89.7685", { 897685, 10000, 1 }, 3, "89.769" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char text[64];
		int ok = 0;
		double v = tally_publish(rows[i].x, NAN, rows[i].decimals, text, sizeof(text), &ok);

		CHECK(!strcmp(text, rows[i].text), "%s at %d: got %s, want %s", rows[i].what,
		      rows[i].decimals, text, rows[i].text);
		CHECK_NUM(v, strtod(rows[i].text, NULL), "published value");
		CHECK(ok, "%s published exactly", rows[i].what);
	}

	/* sums of decimals that drift in binary: 6 x 13.3325 is 79.99499999999999 as doubles,
	   which rounds half-up naively to 79.99; exactly it is the tie 79.995 */
	{
		struct tally_exact sum = tally_exact_int(0);
		double dsum = 0;
		char text[64];

		for (int k = 0; k < 6; k++) {
			sum = tally_exact_add(sum, tally_exact_of(13.3325));
			dsum += 13.3325;
		}
		CHECK(floor(dsum * 100 + 0.5) / 100 < 79.995, "the double sum drifts: %.17g", dsum);
		tally_publish(sum, dsum, 2, text, sizeof(text), NULL);
		CHECK(!strcmp(text, "80.00"), "%s: got %s", "exact sum of 6 x 13.3325", text);
	}
	/* survey ratios: (1/3 + 1/6) * 3 / 2 * 100 / 100 = 0.75 exactly */
	{
		struct tally_exact q = tally_exact_add(tally_exact_ratio(1, 3), tally_exact_ratio(1, 6));
		struct tally_exact x = tally_exact_div(tally_exact_mul(q, tally_exact_int(3)),
						       tally_exact_int(2));
		char text[64];

		CHECK(x.ok && x.num * 4 == x.den * 3, "3/4");
		tally_publish(x, NAN, 2, text, sizeof(text), NULL);
		CHECK(!strcmp(text, "0.75"), "%s: got %s", "(1/3 + 1/6) * 3 / 2", text);
	}
	/* inputs are read as the decimal written; more than 9 places is not exact */
	{
		struct tally_exact w = tally_exact_of(0.6), s = tally_exact_of(1.333333333);
		struct tally_exact t = tally_exact_of(0.1234567891), big = tally_exact_ratio(1, 1);
		char text[64];
		int ok = 1;

		CHECK(w.ok && w.num * 5 == w.den * 3, "0.6 is 3/5");
		CHECK(s.ok && s.num * 1000000000 == s.den * 1333333333, "9 places kept");
		CHECK(!t.ok, "10 places are not read as exact");
		/* an overflowing product is not exact, and publishing falls back to the double */
		for (int k = 0; k < 8; k++)
			big = tally_exact_mul(big, tally_exact_ratio(1, 1000000007));
		CHECK(!big.ok, "a denominator past 2^125 is not exact");
		tally_publish(big, 89.995, 2, text, sizeof(text), &ok);
		CHECK(!strcmp(text, "90.00"), "%s: got %s", "fallback rounds the double", text);
		CHECK(!ok, "the fallback is said");
		/* a reduced denominator of 2^124 or more is not divided out digit by digit */
		ok = 1;
		tally_publish((struct tally_exact){ 1, (tally_int)1 << 124, 1 }, 0.25, 2, text,
			      sizeof(text), &ok);
		CHECK(!ok && !strcmp(text, "0.25"), "2^124: fallback, got %s", text);
		tally_publish((struct tally_exact){ (tally_int)3 << 120, (tally_int)1 << 124, 1 },
			      NAN, 4, text, sizeof(text), &ok);
		CHECK(ok && !strcmp(text, "0.1875"), "3 * 2^120 / 2^124 reduces to 3/16: got %s", text);
	}
}

/* A whole commune whose exact index sits 3.3e-9 under the tie 79.995: self 0 + 1.332833333
   + 2 = 3.332833333; 1.2 = 3 * (1 + 1)/2 = 3; qc: 2 a + 1 b = 2.5/3, 2.2 = 5/3;
   points 7.999499999666..., index 79.99499999666... -> 79.99 (the double at 8 places said
   79.99500000, 80.00). The second commune, 0.9995 + 1 + 1 self and qc = 1 (5 survey points),
   publishes the tie 79.995 as 80.00 and is "good" (fields 83.33 % and 75 %). */
static void exact_commune(void)
{
	struct mini m;

	if (mini_open(&m, 2) < 0)
		return;
	for (size_t c = 0; c < 2; c++) {
		forms(&m.d, &m.sv, c, "A", 2);
		forms(&m.d, &m.sv, c, "B", 3);
		answer(&m.d, &m.sv, c, "A", "qa", "a", 2);
		answer(&m.d, &m.sv, c, "B", "qa", "a", 3);
		answer(&m.d, &m.sv, c, "A", "qb", "a", 2);
		m.sc.has_scores[c] = 1;
	}
	answer(&m.d, &m.sv, 0, "B", "qc", "a", 2);
	answer(&m.d, &m.sv, 0, "B", "qc", "b", 1);
	m.sc.v[0] = (struct tally_leaf_score){ 0, 0, 1, 0, 0 };
	m.sc.v[1] = (struct tally_leaf_score){ 1.332833333, 0, 1, 0, 0 };
	m.sc.v[2] = (struct tally_leaf_score){ 2, 0, 1, 0, 0 };
	answer(&m.d, &m.sv, 1, "B", "qc", "a", 3);
	m.sc.v[3] = (struct tally_leaf_score){ 0.9995, 0, 1, 0, 0 };
	m.sc.v[4] = (struct tally_leaf_score){ 1, 0, 1, 0, 0 };
	m.sc.v[5] = (struct tally_leaf_score){ 1, 0, 1, 0, 0 };
	tally_compute(&m.d, &m.sv, &m.sc, &m.r);
	CHECK(!strcmp(m.r.index_text[0], "79.99"), "%s: got %s", "3.3e-9 under the tie", m.r.index_text[0]);
	CHECK(!strcmp(m.r.points_text[0], "8.00"), "%s: got %s", "points 7.9994999997 published", m.r.points_text[0]);
	CHECK(m.r.inexact == 0, "every commune exact, %zu not", m.r.inexact);
	{
		char text[32];

		tally_round(m.r.index[0], 2, text, sizeof(text));
		CHECK(!strcmp(text, "80.00"), "%s: got %s", "the binary value rounded at 8 places (the old way) is wrong", text);
	}
	CHECK(!strcmp(m.r.index_text[1], "80.00"), "%s: got %s", "the tie 79.995", m.r.index_text[1]);
	CHECK_STR(m.d.tiers[m.r.tier[1]].id, "good", "classified on the published 80.00");
	CHECK_STR(m.d.tiers[m.r.tier[0]].id, "completed", "79.99 is not good");
	CHECK(m.r.rank[1] == 1 && m.r.rank[0] == 2, "ranks %ld %ld", m.r.rank[0], m.r.rank[1]);
	mini_close(&m);
}

/* No survey answer at all (no form, or only "Không biết"): chưa xếp loại, not ranked, flagged
   no-survey; every survey criterion scores 0 and is marked. */
static void no_survey(void)
{
	struct mini m;
	char flags[128];

	if (mini_open(&m, 3) < 0)
		return;
	for (size_t c = 0; c < 3; c++) {
		m.sc.has_scores[c] = 1;
		m.sc.v[c * m.nleaves + 2] = (struct tally_leaf_score){ 2, 0, 1, 0, 0 };
	}
	/* commune 1: forms, but only "don't know" */
	forms(&m.d, &m.sv, 1, "A", 2);
	answer(&m.d, &m.sv, 1, "A", "qa", "x", 2);
	/* commune 2: one valid answer */
	forms(&m.d, &m.sv, 2, "B", 1);
	answer(&m.d, &m.sv, 2, "B", "qc", "a", 1);
	tally_compute(&m.d, &m.sv, &m.sc, &m.r);
	for (size_t c = 0; c < 2; c++) {
		CHECK(m.r.tier[c] == TALLY_UNCLASSIFIED, "commune %zu not classified", c);
		CHECK(m.r.rank[c] == 0, "commune %zu not ranked", c);
		CHECK(m.r.flags[c] & TALLY_NO_SURVEY, "commune %zu flags '%s'", c,
		      tally_flags_text(m.r.flags[c], flags, sizeof(flags)));
		CHECK(m.r.crit_no_answers[c * m.d.ncriteria + 1] &&
			      m.r.crit_no_answers[c * m.d.ncriteria + 3],
		      "commune %zu: both survey criteria unmeasured", c);
		CHECK_STR(m.r.index_text[c], "20.00", "2 self points of 10");
	}
	CHECK(!(m.r.flags[2] & TALLY_NO_SURVEY) && m.r.tier[2] != TALLY_UNCLASSIFIED &&
		      m.r.rank[2] == 1,
	      "one valid answer is a survey");
	/* 1.2 unmeasured: 0 and marked; 2.2 = 2 * 1 */
	CHECK(m.r.crit_no_answers[2 * m.d.ncriteria + 1] && !m.r.crit_no_answers[2 * m.d.ncriteria + 3],
	      "criterion marks");
	CHECK(!strcmp(m.r.index_text[2], "40.00"), "%s: got %s", "2 self + 2 survey of 10", m.r.index_text[2]);
	CHECK(isnan(m.r.q_score[2 * m.d.nquestions + def_find_question(&m.d, "qa")]),
	      "a question without valid answers has no score");
	mini_close(&m);
}

static void collect(const char *key, size_t klen, const char *value, size_t vlen, void *ctx)
{
	struct strbuf *sb = ctx;

	strbuf_addf(sb, "%s=%s(%zu,%zu);", key, value, klen, vlen);
}

/* The answers decoder: flat objects of text values, escapes, null skipped, anything else
   refused. */
static void answers_json(void)
{
	static const struct {
		const char *json;
		int rc;
		const char *pairs;
	} rows[] = {
		{ "{\"q01\":\"2\",\"sex\":\"1\"}", 0, "q01=2(3,1);sex=1(3,1);" },
		{ " { \"a\" : \"x\" , \"b\":null } ", 0, "a=x(1,1);" },
		{ "{}", 0, "" },
		{ "{\"k\\\"q\":\"\\u1ea1\\n\"}", 0, "k\"q=\xe1\xba\xa1\n(3,4);" },
		{ "{\"e\":\"\\ud83d\\ude00\"}", 0, "e=\xf0\x9f\x98\x80(1,4);" },
		{ "{\"a\":\"\"}", 0, "a=(1,0);" },
		{ "{\"a\":1}", -1, "" },
		{ "{\"a\":[\"1\"]}", -1, "" },
		{ "{\"a\":\"1\",}", -1, "a=1(1,1);" },
		{ "{\"a\":\"1\"} x", -1, "a=1(1,1);" },
		{ "[\"a\"]", -1, "" },
		{ "{\"a\":\"\\ud83d\"}", -1, "" },
		{ "{\"a\":\"\\u0000\"}", -1, "" },
		{ "{\"a\":\"1", -1, "" },
		{ "", -1, "" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct strbuf sb = STRBUF_INIT;
		int rc = tally_answers_decode(rows[i].json, strlen(rows[i].json), collect, &sb);

		CHECK(rc == rows[i].rc, "row %zu: rc %d, want %d", i, rc, rows[i].rc);
		CHECK(!strcmp(strbuf_str(&sb), rows[i].pairs), "row %zu: pairs '%s', want '%s'", i,
		      strbuf_str(&sb), rows[i].pairs);
		strbuf_release(&sb);
	}
}

/* The bootstrap's view of the formulas: tally_round_fast rounds as tally_round does, and
   tally_survey_one on a commune's own counts gives the tally's survey points exactly. */
static void bootstrap_view(void)
{
	static const struct {
		double x;
		int decimals;
	} rows[] = {
		{ 89.995, 2 }, { 89.994999, 2 }, { 1.005, 2 }, { 2.675, 2 }, { 89.7685, 3 },
		{ 89.76849, 3 }, { 65.625, 2 }, { 99.9951, 2 }, { 0.5, 0 }, { 0.49, 0 }, { 0, 2 },
		{ 100, 2 }, { 1e-12, 2 }, { 63.75, 2 }, { 79.995, 2 }, { 3.875, 2 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		double scale = pow(10, rows[i].decimals);
		double want = tally_round(rows[i].x, rows[i].decimals, NULL, 0);

		double got = tally_round_fast(rows[i].x, scale);

		CHECK(got == want, "fast rounding of %g at %d: %.17g, tally_round %.17g", rows[i].x,
		      rows[i].decimals, got, want);
	}
	for (int pooled = 0; pooled < 2; pooled++) {
		struct mini m;
		struct tally_survey one = { 0 };
		struct tally_result scratch;
		uint32_t pool[8] = { 0 };
		size_t block;

		if (mini_open(&m, 2) < 0)
			return;
		if (pooled)
			m.d.aggregation = DEF_POOLED;
		fill_mini(&m.d, &m.sv, &m.sc);
		tally_compute(&m.d, &m.sv, &m.sc, &m.r);
		block = m.sv.ngroups * m.sv.nquestions * m.sv.nopt;
		CHECK(m.sv.nopt <= 8, "options %zu", m.sv.nopt);
		one = m.sv;
		one.ncommunes = 1;
		tally_result_init_one(&scratch, &m.d);
		for (size_t c = 0; c < 2; c++) {
			one.counts = &m.sv.counts[c * block];
			tally_survey_one(&m.d, &one, pool, &scratch);
			CHECK(scratch.survey_points[0] == m.r.survey_points[c],
			      "%s commune %zu: survey points %.17g, the tally's %.17g",
			      pooled ? "pooled" : "group-mean", c, scratch.survey_points[0],
			      m.r.survey_points[c]);
			for (size_t k = 0; k < m.d.ncriteria; k++)
				if (m.d.criteria[k].assessed == DEF_SURVEY)
					CHECK(scratch.crit_points[k] ==
						      m.r.crit_points[c * m.d.ncriteria + k],
					      "commune %zu criterion %s", c, m.d.criteria[k].id);
			CHECK((scratch.flags[0] & TALLY_NO_ANSWERS) ==
				      (m.r.flags[c] & TALLY_NO_ANSWERS),
			      "commune %zu: the same no-answers flag", c);
		}
		/* a resample without any valid answer: no-survey, as the tally would say */
		memset(m.sv.counts, 0, block * sizeof(uint32_t));
		one.counts = m.sv.counts;
		tally_survey_one(&m.d, &one, pool, &scratch);
		CHECK(scratch.flags[0] & TALLY_NO_SURVEY, "no answer at all: no-survey");
		CHECK(scratch.survey_points[0] == 0, "no answer at all: 0 survey points");
		tally_result_release(&scratch);
		mini_close(&m);
	}
}

void test_tally(void)
{
	answers_json();
	rounding();
	exact_values();
	exact_commune();
	no_survey();
	question_scores();
	classification();
	ranking();
	ranking_groups();
	bonus_penalty();
	communes();
	under_quota_exclude();
	bootstrap_view();
}
