/* The formulas of REFERENCE.md §4: question scores, survey and self-assessed points, the
   applicable maximum, index, rounding, classification and ranking. Pure computation. */
#include "tally.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t tally_leaves(const struct def *d, struct tally_leaf **out)
{
	struct tally_leaf *v = xcalloc(d->ncriteria + d->nsubcriteria, sizeof(*v));
	size_t n = 0;

	for (size_t c = 0; c < d->ncriteria; c++) {
		const struct def_criterion *cr = &d->criteria[c];

		if (cr->assessed != DEF_SELF)
			continue;
		if (!cr->nsub) {
			v[n++] = (struct tally_leaf){ cr->id, &cr->name, cr->max, c };
			continue;
		}
		for (size_t s = cr->first_sub; s < cr->first_sub + cr->nsub; s++)
			v[n++] = (struct tally_leaf){ d->subcriteria[s].id, &d->subcriteria[s].name,
						      d->subcriteria[s].max, c };
	}
	*out = v;
	return n;
}

void tally_survey_init(struct tally_survey *sv, const struct def *d, size_t ncommunes)
{
	memset(sv, 0, sizeof(*sv));
	sv->ncommunes = ncommunes;
	sv->ngroups = d->ngroups;
	sv->nquestions = d->nquestions;
	for (size_t s = 0; s < d->nscales; s++)
		if (d->scales[s].noptions > sv->nopt)
			sv->nopt = d->scales[s].noptions;
	sv->counts = xcalloc(ncommunes * sv->ngroups * sv->nquestions * sv->nopt,
			     sizeof(*sv->counts));
	sv->forms = xcalloc(ncommunes * sv->ngroups, sizeof(*sv->forms));
}

void tally_survey_release(struct tally_survey *sv)
{
	free(sv->counts);
	free(sv->forms);
	memset(sv, 0, sizeof(*sv));
}

void tally_scores_init(struct tally_scores *s, size_t ncommunes, size_t nleaves)
{
	s->ncommunes = ncommunes;
	s->nleaves = nleaves;
	s->v = xcalloc(ncommunes * nleaves, sizeof(*s->v));
	s->has_scores = xcalloc(ncommunes, 1);
}

void tally_scores_release(struct tally_scores *s)
{
	free(s->v);
	free(s->has_scores);
	memset(s, 0, sizeof(*s));
}

/* Round the decimal digits of a non-negative number half-up, working on its text. */
double tally_round(double x, int decimals, char *text, size_t size)
{
	char buf[400], out[420];
	int neg = x < 0, point, len, carry = 0, k;

	if (decimals < 0)
		decimals = 0;
	if (decimals > 15)
		decimals = 15;
	if (!isfinite(x)) {
		if (text)
			snprintf(text, size, "%s", "nan");
		return x;
	}
	/* decimals + 6 places: far below any published digit, far above binary noise */
	snprintf(buf, sizeof(buf), "%.*f", decimals + 6, fabs(x));
	point = (int)(strchr(buf, '.') - buf);
	len = point + 1 + decimals;
	carry = buf[len] >= '5';
	buf[len] = '\0';
	for (k = len - 1; k >= 0 && carry; k--) {
		if (buf[k] == '.')
			continue;
		if (buf[k] == '9') {
			buf[k] = '0';
		} else {
			buf[k]++;
			carry = 0;
		}
	}
	if (!decimals)
		buf[point] = '\0';
	snprintf(out, sizeof(out), "%s%s%s", neg ? "-" : "", carry ? "1" : "", buf);
	/* "-0.00" is 0 */
	if (neg && strspn(out + 1, "0.") == strlen(out + 1))
		memmove(out, out + 1, strlen(out));
	if (text)
		snprintf(text, size, "%s", out);
	return strtod(out, NULL);
}

long tally_question_score(const struct def_scale *sc, const uint32_t *counts, double *q,
			  long *n_excluded)
{
	long n = 0, excl = 0;
	double sum = 0;

	for (size_t o = 0; o < sc->noptions; o++) {
		if (sc->options[o].excluded) {
			excl += counts[o];
			continue;
		}
		n += counts[o];
		sum += counts[o] * sc->options[o].weight;
	}
	if (n_excluded)
		*n_excluded = excl;
	if (n > 0)
		*q = sum / (double)n;
	return n;
}

size_t tally_classify(const struct def *d, double index, const double *field_pct,
		      const double *field_max)
{
	for (size_t t = 0; t < d->ntiers; t++) {
		const struct def_tier *ti = &d->tiers[t];
		int ok = 1;

		if (ti->is_otherwise)
			return t;
		if (index < ti->min_index)
			continue;
		for (size_t f = 0; ok && f < d->nfields; f++)
			if (field_max[f] > 0 && field_pct[f] < ti->min_field)
				ok = 0;
		if (ok)
			return t;
	}
	/* a checked definition always ends with its "otherwise" tier */
	return d->ntiers - 1;
}

static int by_value_desc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x < y) - (x > y);
}

void tally_rank(size_t n, const double *value, const unsigned char *ranked, long *rank)
{
	/* each rank is 1 + how many ranked values are strictly higher: a binary search in the
	   ranked values sorted high to low */
	double *v = xcalloc(n, sizeof(*v));
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		if (ranked[i])
			v[m++] = value[i];
	qsort(v, m, sizeof(*v), by_value_desc);
	for (size_t i = 0; i < n; i++) {
		size_t lo = 0, hi = m;

		if (!ranked[i]) {
			rank[i] = 0;
			continue;
		}
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (v[mid] > value[i])
				lo = mid + 1;
			else
				hi = mid;
		}
		rank[i] = (long)lo + 1;
	}
	free(v);
}

const char *tally_flags_text(unsigned flags, char *buf, size_t size)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ TALLY_UNDER_QUOTA, "under-quota" },
		{ TALLY_NO_SCORES, "no-scores" },
		{ TALLY_NO_ANSWERS, "no-answers" },
		{ TALLY_GROUP_NO_ANSWERS, "group-without-answers" },
	};
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & names[i].bit)
			len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s",
						len ? " " : "", names[i].name);
	return buf;
}

static void *alloc_n(size_t n, size_t size)
{
	return xcalloc(n > 0 ? n : 1, size);
}
#define ALLOC(field, n) (r->field = alloc_n((n), sizeof(*r->field)))

static void result_init(struct tally_result *r, const struct def *d, size_t nc, size_t nleaves)
{
	size_t nf = d->nfields, ncr = d->ncriteria, nq = d->nquestions, ng = d->ngroups;

	memset(r, 0, sizeof(*r));
	r->ncommunes = nc;
	r->nfields = nf;
	r->ncriteria = ncr;
	r->nleaves = nleaves;
	r->nquestions = nq;
	r->ngroups = ng;
	ALLOC(self_points, nc);
	ALLOC(survey_points, nc);
	ALLOC(points, nc);
	ALLOC(max, nc);
	ALLOC(index, nc);
	ALLOC(index_pub, nc);
	ALLOC(index_text, nc);
	ALLOC(tier, nc);
	ALLOC(rank, nc);
	ALLOC(flags, nc);
	ALLOC(forms, nc);
	ALLOC(field_points, nc * nf);
	ALLOC(field_max, nc * nf);
	ALLOC(field_pct, nc * nf);
	ALLOC(field_pub, nc * nf);
	ALLOC(field_text, nc * nf);
	ALLOC(crit_points, nc * ncr);
	ALLOC(crit_max, nc * ncr);
	ALLOC(leaf_points, nc * nleaves);
	ALLOC(leaf_max, nc * nleaves);
	ALLOC(q_score, nc * nq);
	ALLOC(q_valid, nc * nq);
	ALLOC(q_groups, nc * nq);
	ALLOC(q_flag, nc * nq);
	ALLOC(qg_score, nc * ng * nq);
	ALLOC(qg_valid, nc * ng * nq);
	ALLOC(qg_excluded, nc * ng * nq);
}

void tally_result_release(struct tally_result *r)
{
	void *all[] = {
		r->self_points, r->survey_points, r->points, r->max, r->index, r->index_pub,
		r->index_text, r->tier, r->rank, r->flags, r->forms, r->field_points,
		r->field_max, r->field_pct, r->field_pub, r->field_text, r->crit_points,
		r->crit_max, r->leaf_points, r->leaf_max, r->q_score, r->q_valid, r->q_groups,
		r->q_flag, r->qg_score, r->qg_valid, r->qg_excluded,
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		free(all[i]);
	memset(r, 0, sizeof(*r));
}

/* The survey part of commune c: each question's q, then each survey criterion's points. */
static void survey_points(const struct def *d, const struct tally_survey *sv, size_t c,
			  struct tally_result *r)
{
	size_t nq = d->nquestions, ng = d->ngroups;
	uint32_t *pooled = xcalloc(sv->nopt ? sv->nopt : 1, sizeof(*pooled));

	for (size_t q = 0; q < nq; q++) {
		const struct def_question *qu = &d->questions[q];
		const struct def_scale *sc = &d->scales[qu->scale];
		size_t cq = c * nq + q;
		double sum = 0, qs = 0;
		int used = 0, gap = 0;
		long total = 0;

		if (qu->is_profile)
			continue;
		memset(pooled, 0, sv->nopt * sizeof(*pooled));
		for (size_t g = 0; g < ng; g++) {
			size_t cgq = (c * ng + g) * nq + q;
			const uint32_t *n = tally_count_at(sv, c, g, q);
			long valid;

			r->qg_score[cgq] = NAN;
			if (!(qu->groups & (1u << g)))
				continue;
			valid = tally_question_score(sc, n, &qs, &r->qg_excluded[cgq]);
			r->qg_valid[cgq] = valid;
			total += valid;
			for (size_t o = 0; o < sc->noptions; o++)
				pooled[o] += n[o];
			if (valid > 0) {
				r->qg_score[cgq] = qs;
				sum += qs;
				used++;
			} else {
				gap = 1;
			}
		}
		r->q_valid[cq] = total;
		r->q_groups[cq] = used;
		if (!used) {
			/* nobody asked gave a valid answer: the question scores 0, flagged */
			r->q_score[cq] = 0;
			r->q_flag[cq] = TALLY_NO_ANSWERS;
		} else if (d->aggregation == DEF_POOLED) {
			tally_question_score(sc, pooled, &r->q_score[cq], NULL);
		} else {
			/* a group without valid answers is left out of the mean, and flagged */
			r->q_score[cq] = sum / used;
			r->q_flag[cq] = gap ? TALLY_GROUP_NO_ANSWERS : 0;
		}
		r->flags[c] |= r->q_flag[cq];
	}
	for (size_t k = 0; k < d->ncriteria; k++) {
		const struct def_criterion *cr = &d->criteria[k];
		double sum = 0;
		int n = 0;

		if (cr->assessed != DEF_SURVEY)
			continue;
		for (size_t q = 0; q < nq; q++)
			if (!d->questions[q].is_profile && d->questions[q].criterion == k)
				sum += r->q_score[c * nq + q], n++;
		r->crit_max[c * d->ncriteria + k] = cr->max;
		r->crit_points[c * d->ncriteria + k] = n ? cr->max * (sum / n) : 0;
		r->survey_points[c] += r->crit_points[c * d->ncriteria + k];
	}
	free(pooled);
}

void tally_compute(const struct def *d, const struct tally_survey *sv,
		   const struct tally_scores *sc, struct tally_result *r)
{
	struct tally_leaf *leaves;
	size_t nleaves = tally_leaves(d, &leaves), nc = sv->ncommunes, nf = d->nfields;
	unsigned char *ranked = xcalloc(nc ? nc : 1, 1);

	result_init(r, d, nc, nleaves);
	for (size_t c = 0; c < nc; c++) {
		int under = 0;
		long forms = 0;

		/* quota */
		for (size_t g = 0; g < d->ngroups; g++) {
			uint32_t n = sv->forms[c * d->ngroups + g];

			forms += n;
			if ((long)n < d->groups[g].min_forms)
				under = 1;
		}
		if (forms < d->min_forms)
			under = 1;
		r->forms[c] = forms;
		if (under)
			r->flags[c] |= TALLY_UNDER_QUOTA;
		if (!sc->has_scores[c])
			r->flags[c] |= TALLY_NO_SCORES;

		survey_points(d, sv, c, r);

		/* self-assessment: appraised where given, else self; not applicable drops out of
		   both the points and the maximum */
		for (size_t l = 0; l < nleaves; l++) {
			const struct tally_leaf_score *s = &sc->v[c * nleaves + l];
			size_t ck = c * d->ncriteria + leaves[l].criterion;
			double pts = 0, mx = leaves[l].max;

			if (s->not_applicable)
				mx = 0;
			else if (s->has_appraised)
				pts = s->appraised_score;
			else if (s->has_self)
				pts = s->self_score;
			r->leaf_points[c * nleaves + l] = pts;
			r->leaf_max[c * nleaves + l] = mx;
			r->crit_points[ck] += pts;
			r->crit_max[ck] += mx;
			r->self_points[c] += pts;
		}

		/* fields, total, index */
		for (size_t k = 0; k < d->ncriteria; k++) {
			size_t cf = c * nf + d->criteria[k].field;

			r->field_points[cf] += r->crit_points[c * d->ncriteria + k];
			r->field_max[cf] += r->crit_max[c * d->ncriteria + k];
		}
		for (size_t f = 0; f < nf; f++) {
			size_t cf = c * nf + f;

			r->points[c] += r->field_points[cf];
			r->max[c] += r->field_max[cf];
			if (r->field_max[cf] > 0) {
				r->field_pct[cf] = r->field_points[cf] / r->field_max[cf] * 100;
				r->field_pub[cf] = tally_round(r->field_pct[cf], d->decimals,
							       r->field_text[cf], sizeof(r->field_text[cf]));
			} else {
				r->field_pct[cf] = r->field_pub[cf] = 0;
				snprintf(r->field_text[cf], sizeof(r->field_text[cf]), "-");
			}
		}
		r->index[c] = r->max[c] > 0 ? r->points[c] / r->max[c] * 100 : 0;
		r->index_pub[c] = tally_round(r->index[c], d->decimals, r->index_text[c],
					      sizeof(r->index_text[c]));
		r->tier[c] = tally_classify(d, r->index_pub[c], &r->field_pub[c * nf],
					    &r->field_max[c * nf]);
		/* not ranked: no self-assessment at all, or under quota where the definition says
		   to exclude such communes */
		ranked[c] = !(r->flags[c] & TALLY_NO_SCORES) &&
			    !(under && d->under_quota == DEF_UNDER_QUOTA_EXCLUDE);
	}
	tally_rank(nc, r->index_pub, ranked, r->rank);
	free(ranked);
	free(leaves);
}
