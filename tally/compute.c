/* The formulas of REFERENCE.md §4: question scores, survey and self-assessed points, the
   applicable maximum, index, rounding, classification and ranking. Pure computation. */
#include "tally.h"
#include "strbuf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t tally_leaves(const struct def *d, struct tally_leaf **out)
{
	struct tally_leaf *v = xcalloc(d->ncriteria + d->nsubcriteria + d->nadjustments + 1,
				       sizeof(*v));
	size_t n = 0;

	for (size_t c = 0; c < d->ncriteria; c++) {
		const struct def_criterion *cr = &d->criteria[c];

		if (cr->assessed != DEF_SELF)
			continue;
		if (!cr->nsub) {
			v[n++] = (struct tally_leaf){ cr->id, &cr->name, cr->max, c, DEF_NONE };
			continue;
		}
		for (size_t s = cr->first_sub; s < cr->first_sub + cr->nsub; s++)
			v[n++] = (struct tally_leaf){ d->subcriteria[s].id, &d->subcriteria[s].name,
						      d->subcriteria[s].max, c, DEF_NONE };
	}
	for (size_t a = 0; a < d->nadjustments; a++)
		v[n++] = (struct tally_leaf){ d->adjustments[a].id, &d->adjustments[a].name,
					      d->adjustments[a].max, DEF_NONE, a };
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
	sv->forms = xcalloc(ncommunes * sv->ngroups + 1, sizeof(*sv->forms));
	sv->reserve = xcalloc(ncommunes * sv->ngroups + 1, sizeof(*sv->reserve));
	sv->reserve_counted = xcalloc(ncommunes * sv->ngroups + 1, sizeof(*sv->reserve_counted));
	sv->ranking = xcalloc(ncommunes + 1, sizeof(*sv->ranking));
}

void tally_survey_release(struct tally_survey *sv)
{
	free(sv->counts);
	free(sv->forms);
	free(sv->reserve);
	free(sv->reserve_counted);
	free(sv->ranking);
	free(sv->form_cell);
	free(sv->form_first);
	free(sv->answer_at);
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

/* ---- exact fractions: the published values are rounded from these ---- */

typedef unsigned __int128 u128;
#define EXACT_LIMIT (((u128)1) << 125) /* magnitudes kept below: sums of two cannot overflow */

static const struct tally_exact not_exact = { 0, 1, 0 };

static int ctz128(u128 x)
{
	uint64_t lo = (uint64_t)x;

	return lo ? __builtin_ctzll(lo) : 64 + __builtin_ctzll((uint64_t)(x >> 64));
}

/* Binary gcd, with a 64-bit path for the common small values; a or b may be 0. */
static u128 gcd(u128 a, u128 b)
{
	int shift;

	if (!a)
		return b;
	if (!b)
		return a;
	shift = ctz128(a | b);
	a >>= ctz128(a);
	while (b) {
		b >>= ctz128(b);
		if (!(a >> 64) && !(b >> 64)) {
			uint64_t x = (uint64_t)a, y = (uint64_t)b;

			while (y) {
				y >>= __builtin_ctzll(y);
				if (x > y) {
					uint64_t t = x;
					x = y;
					y = t;
				}
				y -= x;
			}
			return (u128)x << shift;
		}
		if (a > b) {
			u128 t = a;
			a = b;
			b = t;
		}
		b -= a;
	}
	return a << shift;
}

static u128 magnitude(tally_int x)
{
	return x < 0 ? -(u128)x : (u128)x;
}

/* a * b, or 0 with *ok cleared when the magnitude would reach EXACT_LIMIT */
static tally_int mul_checked(tally_int a, tally_int b, int *ok)
{
	u128 x = magnitude(a), y = magnitude(b);

	if (x && y > (EXACT_LIMIT - 1) / x) {
		*ok = 0;
		return 0;
	}
	return a * b;
}

/* Fractions are reduced lazily: only once a part passes 2^62, so the products of two
   parts below it never overflow and most steps need no gcd (the national tally's hot path). */
#define SMALL(x) (magnitude(x) < ((u128)1 << 62))

static struct tally_exact reduced(tally_int num, tally_int den, int ok)
{
	u128 g;

	if (!ok || den <= 0 || magnitude(num) >= EXACT_LIMIT || (u128)den >= EXACT_LIMIT)
		return not_exact;
	if (SMALL(num) && SMALL(den))
		return (struct tally_exact){ num, den, 1 };
	g = gcd(magnitude(num), (u128)den);
	if (g > 1) {
		num /= (tally_int)g;
		den /= (tally_int)g;
	}
	return (struct tally_exact){ num, den, 1 };
}

struct tally_exact tally_exact_int(long long n)
{
	return (struct tally_exact){ n, 1, 1 };
}

struct tally_exact tally_exact_ratio(long long num, long long den)
{
	return den > 0 ? reduced(num, den, 1) : not_exact;
}

struct tally_exact tally_exact_of(double x)
{
	long long p10 = 1;

	/* the shortest decimal with at most 9 places that reads back as x: what was written */
	for (int p = 0; p <= 9; p++, p10 *= 10) {
		double scaled = x * (double)p10;
		long long k;

		if (!(fabs(scaled) < 9e15))
			break;
		k = llround(scaled);
		if ((double)k / (double)p10 == x)
			return reduced(k, p10, 1);
	}
	return not_exact;
}

struct tally_exact tally_exact_add(struct tally_exact a, struct tally_exact b)
{
	int ok = a.ok && b.ok;
	tally_int g, num, den;

	if (!ok)
		return not_exact;
	if (a.den == b.den)
		return reduced(a.num + b.num, a.den, 1);
	if (SMALL(a.num) && SMALL(a.den) && SMALL(b.num) && SMALL(b.den))
		return reduced(a.num * b.den + b.num * a.den, a.den * b.den, 1);
	g = (tally_int)gcd((u128)a.den, (u128)b.den);
	num = mul_checked(a.num, b.den / g, &ok) + mul_checked(b.num, a.den / g, &ok);
	den = mul_checked(a.den, b.den / g, &ok);
	return reduced(num, den, ok);
}

struct tally_exact tally_exact_mul(struct tally_exact a, struct tally_exact b)
{
	int ok = a.ok && b.ok;
	tally_int g1, g2;

	if (!ok)
		return not_exact;
	if (SMALL(a.num) && SMALL(a.den) && SMALL(b.num) && SMALL(b.den))
		return reduced(a.num * b.num, a.den * b.den, 1);
	/* cross-reduce first so the products stay small */
	g1 = (tally_int)gcd(magnitude(a.num), (u128)b.den);
	g2 = (tally_int)gcd(magnitude(b.num), (u128)a.den);
	if (!g1)
		g1 = 1;
	if (!g2)
		g2 = 1;
	return reduced(mul_checked(a.num / g1, b.num / g2, &ok),
		       mul_checked(a.den / g2, b.den / g1, &ok), ok);
}

struct tally_exact tally_exact_div(struct tally_exact a, struct tally_exact b)
{
	if (!a.ok || !b.ok || b.num == 0)
		return not_exact;
	if (b.num < 0)
		return tally_exact_mul(a, (struct tally_exact){ -b.den, -b.num, 1 });
	return tally_exact_mul(a, (struct tally_exact){ b.den, b.num, 1 });
}

double tally_exact_double(struct tally_exact x)
{
	return x.ok ? (double)((long double)x.num / (long double)x.den) : NAN;
}

double tally_publish(struct tally_exact x, double fallback, int decimals, char *text,
		     size_t size, int *exact)
{
	char buf[128], *p = buf + 64, *end;
	u128 ip, rem, den, g;
	int neg, carry;

	if (x.ok && (g = gcd(magnitude(x.num), (u128)x.den)) > 1) {
		x.num /= (tally_int)g;
		x.den /= (tally_int)g;
	}
	/* the long division below multiplies a remainder under den by 10 */
	if (x.ok && (u128)x.den >= ((u128)1 << 124))
		x.ok = 0;
	if (exact)
		*exact = x.ok;
	if (!x.ok)
		return tally_round(fallback, decimals, text, size);
	if (decimals < 0)
		decimals = 0;
	if (decimals > 30)
		decimals = 30;
	neg = x.num < 0;
	den = (u128)x.den;
	ip = magnitude(x.num) / den;
	rem = magnitude(x.num) % den;
	/* the fraction's digits by long division (rem < den < 2^124: rem * 10 fits) */
	end = p;
	if (decimals)
		*end++ = '.';
	for (int k = 0; k < decimals; k++) {
		rem *= 10;
		*end++ = (char)('0' + (int)(rem / den));
		rem %= den;
	}
	*end = '\0';
	/* half-up: the rest is at least half a unit of the last place */
	carry = rem >= den - rem;
	for (char *q = end - 1; carry && q >= p; q--) {
		if (*q == '.')
			continue;
		if (*q == '9') {
			*q = '0';
		} else {
			(*q)++;
			carry = 0;
		}
	}
	if (carry)
		ip++;
	do
		*--p = (char)('0' + (int)(ip % 10));
	while (ip /= 10);
	if (neg && strspn(p, "0.") != strlen(p))
		*--p = '-';
	if (text)
		snprintf(text, size, "%s", p);
	return strtod(p, NULL);
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

void tally_rank_groups(size_t n, const double *value, const unsigned char *ranked,
		       const size_t *group, size_t ngroups, long *rank)
{
	unsigned char *in = xcalloc(n ? n : 1, 1);
	long *r = xcalloc(n ? n : 1, sizeof(*r));

	for (size_t i = 0; i < n; i++)
		rank[i] = 0;
	for (size_t g = 0; g < ngroups; g++) {
		for (size_t i = 0; i < n; i++)
			in[i] = ranked[i] && group[i] == g;
		tally_rank(n, value, in, r);
		for (size_t i = 0; i < n; i++)
			if (in[i])
				rank[i] = r[i];
	}
	free(in);
	free(r);
}

/* every flag: its code, and its words for officials (Vietnamese) and in English */
static const struct {
	unsigned bit;
	const char *code, *vi, *en;
} flag_words[] = {
	{ TALLY_UNDER_QUOTA, "under-quota", "thiếu phiếu khảo sát", "fewer forms than the quota" },
	{ TALLY_NO_SCORES, "no-scores", "chưa có điểm tự đánh giá", "no self-assessment scores" },
	{ TALLY_NO_SURVEY, "no-survey", "chưa có phiếu khảo sát hợp lệ", "no valid survey answer" },
	{ TALLY_NO_ANSWERS, "no-answers", "có câu hỏi không có trả lời hợp lệ",
	  "a question without any valid answer" },
	{ TALLY_GROUP_NO_ANSWERS, "group-without-answers", "có nhóm được hỏi không trả lời hợp lệ",
	  "a group asked gave no valid answer" },
};

const char *tally_flags_text(unsigned flags, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(flag_words) / sizeof(flag_words[0]); i++)
		if (flags & flag_words[i].bit)
			len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s",
						len ? " " : "", flag_words[i].code);
	return buf;
}

const char *tally_flag_words(unsigned bit, int english)
{
	for (size_t i = 0; i < sizeof(flag_words) / sizeof(flag_words[0]); i++)
		if (flag_words[i].bit == bit)
			return english ? flag_words[i].en : flag_words[i].vi;
	return "";
}

/* The entry of flag_words for the flag word code (its first n bytes), or the count of entries. */
static size_t flag_index(const char *code, size_t n)
{
	size_t k = 0, nwords = sizeof(flag_words) / sizeof(flag_words[0]);

	while (k < nwords &&
	       !(strlen(flag_words[k].code) == n && !strncmp(flag_words[k].code, code, n)))
		k++;
	return k;
}

const char *tally_flag_code_words(const char *code, size_t n, int english)
{
	size_t k = flag_index(code, n);

	if (k == sizeof(flag_words) / sizeof(flag_words[0]))
		return NULL;
	return english ? flag_words[k].en : flag_words[k].vi;
}

unsigned tally_flag_code_bit(const char *code, size_t n)
{
	size_t k = flag_index(code, n);

	return k == sizeof(flag_words) / sizeof(flag_words[0]) ? 0 : flag_words[k].bit;
}

char *tally_flags_say(const char *flags, unsigned mask, int english)
{
	struct strbuf sb = STRBUF_INIT;

	for (const char *f = flags; *f;) {
		size_t n, k, nwords = sizeof(flag_words) / sizeof(flag_words[0]);

		f += strspn(f, " ");
		n = strcspn(f, " ");
		if (!n)
			break;
		k = flag_index(f, n);
		if (k < nwords ? mask & flag_words[k].bit : mask == ~0u) {
			if (sb.len)
				strbuf_adds(&sb, "; ");
			if (k < nwords)
				strbuf_adds(&sb, english ? flag_words[k].en : flag_words[k].vi);
			else
				strbuf_add(&sb, f, n);
		}
		f += n;
	}
	return sb.len ? strbuf_detach(&sb, NULL) : xstrdup("");
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
	ALLOC(points_text, nc);
	ALLOC(bonus, nc);
	ALLOC(penalty, nc);
	ALLOC(base_index_pub, nc);
	ALLOC(base_index_text, nc);
	ALLOC(ranking, nc);
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
	ALLOC(crit_no_answers, nc * ncr);
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
		r->index_text, r->points_text, r->bonus, r->penalty, r->base_index_pub,
		r->base_index_text, r->ranking, r->crit_no_answers, r->tier, r->rank, r->flags, r->forms, r->field_points,
		r->field_max, r->field_pct, r->field_pub, r->field_text, r->crit_points,
		r->crit_max, r->leaf_points, r->leaf_max, r->q_score, r->q_valid, r->q_groups,
		r->q_flag, r->qg_score, r->qg_valid, r->qg_excluded,
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		free(all[i]);
	memset(r, 0, sizeof(*r));
}

/* A scale's weights over one common denominator, so a group's Σ n·w is one integer sum. */
struct exact_scale {
	tally_int *num; /* per option */
	tally_int den;
	int ok;
};

static struct exact_scale *exact_scales(const struct def *d)
{
	struct exact_scale *v = xcalloc(d->nscales ? d->nscales : 1, sizeof(*v));

	for (size_t s = 0; s < d->nscales; s++) {
		const struct def_scale *sc = &d->scales[s];
		struct exact_scale *e = &v[s];
		struct tally_exact *w = xcalloc(sc->noptions ? sc->noptions : 1, sizeof(*w));

		e->num = xcalloc(sc->noptions ? sc->noptions : 1, sizeof(*e->num));
		e->den = 1;
		e->ok = 1;
		for (size_t o = 0; o < sc->noptions; o++) {
			if (sc->options[o].excluded)
				continue;
			w[o] = tally_exact_of(sc->options[o].weight);
			if (!w[o].ok || w[o].den > (tally_int)1000000000000LL) {
				e->ok = 0;
				break;
			}
			/* den = lcm of the weights' denominators (each a divisor of 10^9) */
			e->den = e->den / (tally_int)gcd((u128)e->den, (u128)w[o].den) * w[o].den;
		}
		for (size_t o = 0; e->ok && o < sc->noptions; o++)
			if (!sc->options[o].excluded)
				e->num[o] = w[o].num * (e->den / w[o].den);
		free(w);
	}
	return v;
}

static void exact_scales_free(struct exact_scale *v, size_t n)
{
	for (size_t s = 0; s < n; s++)
		free(v[s].num);
	free(v);
}

/* Σ n_k·w_k ÷ N_valid exactly (N_valid > 0) */
static struct tally_exact exact_question_score(const struct def_scale *sc,
					       const struct exact_scale *e, const uint32_t *counts,
					       long valid)
{
	tally_int sum = 0;

	if (!e->ok)
		return tally_exact_ratio(0, 0);
	for (size_t o = 0; o < sc->noptions; o++)
		if (!sc->options[o].excluded)
			sum += (tally_int)counts[o] * e->num[o];
	return tally_exact_div((struct tally_exact){ sum, e->den, 1 },
			       tally_exact_int(valid));
}

/* The survey part of commune c: each question's q, then each survey criterion's points
   (also exactly, into crit_x, from the criteria's exact maxima crit_max_x, unless es is
   NULL: the bootstrap's resamples need only the binary values). pooled: sv->nopt counts. */
static void survey_points(const struct def *d, const struct tally_survey *sv, size_t c,
			  const struct exact_scale *es, struct tally_exact *q_x,
			  const struct tally_exact *crit_max_x, struct tally_exact *crit_x,
			  uint32_t *pooled, struct tally_result *r)
{
	size_t nq = d->nquestions, ng = d->ngroups;

	for (size_t q = 0; q < nq; q++) {
		const struct def_question *qu = &d->questions[q];
		const struct def_scale *sc = &d->scales[qu->scale];
		size_t cq = c * nq + q;
		struct tally_exact sum_x = tally_exact_int(0);
		double sum = 0, qs = 0;
		int used = 0, gap = 0;
		long total = 0;

		if (qu->is_profile)
			continue;
		if (d->aggregation == DEF_POOLED)
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
			/* only the pooled method reads the sum over groups */
			for (size_t o = 0; d->aggregation == DEF_POOLED && o < sc->noptions; o++)
				pooled[o] += n[o];
			if (valid > 0) {
				r->qg_score[cgq] = qs;
				sum += qs;
				used++;
				if (es && d->aggregation != DEF_POOLED)
					sum_x = tally_exact_add(
						sum_x, exact_question_score(sc, &es[qu->scale], n, valid));
			} else {
				gap = 1;
			}
		}
		r->q_valid[cq] = total;
		r->q_groups[cq] = used;
		if (!used) {
			/* nobody asked gave a valid answer: no information, left out of the
			   criterion's mean, flagged */
			r->q_score[cq] = NAN;
			r->q_flag[cq] = TALLY_NO_ANSWERS;
		} else if (d->aggregation == DEF_POOLED) {
			tally_question_score(sc, pooled, &r->q_score[cq], NULL);
			if (es)
				q_x[q] = exact_question_score(sc, &es[qu->scale], pooled, total);
		} else {
			/* a group without valid answers is left out of the mean, and flagged */
			r->q_score[cq] = sum / used;
			if (es)
				q_x[q] = tally_exact_div(sum_x, tally_exact_int(used));
			r->q_flag[cq] = gap ? TALLY_GROUP_NO_ANSWERS : 0;
		}
		r->flags[c] |= r->q_flag[cq];
	}
	for (size_t k = 0; k < d->ncriteria; k++) {
		const struct def_criterion *cr = &d->criteria[k];
		size_t ck = c * d->ncriteria + k;
		struct tally_exact sum_x = tally_exact_int(0);
		double sum = 0;
		int n = 0;

		if (cr->assessed != DEF_SURVEY)
			continue;
		for (size_t q = 0; q < nq; q++)
			if (!d->questions[q].is_profile && d->questions[q].criterion == k &&
			    !isnan(r->q_score[c * nq + q])) {
				sum += r->q_score[c * nq + q];
				if (es)
					sum_x = tally_exact_add(sum_x, q_x[q]);
				n++;
			}
		r->crit_max[ck] = cr->max;
		/* none of its questions measured anything: 0 points, flagged */
		r->crit_no_answers[ck] = !n;
		r->crit_points[ck] = n ? cr->max * (sum / n) : 0;
		if (es)
			crit_x[k] = n ? tally_exact_mul(crit_max_x[k],
							tally_exact_div(sum_x, tally_exact_int(n)))
				      : tally_exact_int(0);
		r->survey_points[c] += r->crit_points[ck];
	}
}

/* The valid answers of commune c over its scored questions (0: no-survey). */
static long survey_valid(const struct def *d, const struct tally_result *r, size_t c)
{
	long valid = 0;

	for (size_t q = 0; q < d->nquestions; q++)
		if (!d->questions[q].is_profile)
			valid += r->q_valid[c * d->nquestions + q];
	return valid;
}

void tally_result_init_one(struct tally_result *one, const struct def *d)
{
	result_init(one, d, 1, 0);
}

void tally_survey_one(const struct def *d, const struct tally_survey *one, uint32_t *pooled,
		      struct tally_result *scratch)
{
	scratch->survey_points[0] = 0;
	scratch->flags[0] = 0;
	survey_points(d, one, 0, NULL, NULL, NULL, NULL, pooled, scratch);
	if (!survey_valid(d, scratch, 0))
		scratch->flags[0] |= TALLY_NO_SURVEY;
}

double tally_round_fast(double x, double scale)
{
	/* the value in millionths of the last place, as tally_round prints it, then half-up */
	double micro = nearbyint(fabs(x) * scale * 1e6);
	double r = floor((micro + 500000) / 1e6) / scale;

	return x < 0 ? -r : r;
}

/* Bonus and penalty points of commune c (appraised where given, else self; a leaf not
   applicable gives 0) after the 100-point index ix: the published index becomes ix + bonus -
   penalty, exactly, never below 0 (a penalty cannot make a negative index) but above 100
   when a bonus takes it there. The 100-point index is kept as base. Returns 0 when a value
   was not exact. */
static int adjust(const struct def *d, const struct tally_leaf *leaves, size_t nleaves,
		  const struct tally_scores *sc, size_t c, struct tally_exact ix,
		  struct tally_result *r)
{
	struct tally_exact adj = ix;
	int ok;

	r->base_index_pub[c] = r->index_pub[c];
	memcpy(r->base_index_text[c], r->index_text[c], sizeof(r->base_index_text[c]));
	for (size_t l = 0; l < nleaves; l++) {
		const struct tally_leaf_score *s = &sc->v[c * nleaves + l];
		double pts = 0;

		if (leaves[l].adjustment == DEF_NONE || s->not_applicable)
			continue;
		pts = s->has_appraised ? s->appraised_score : s->has_self ? s->self_score : 0;
		if (pts == 0)
			continue;
		if (d->adjustments[leaves[l].adjustment].kind == DEF_BONUS) {
			r->bonus[c] += pts;
			adj = tally_exact_add(adj, tally_exact_of(pts));
		} else {
			r->penalty[c] += pts;
			adj = tally_exact_add(adj, tally_exact_of(-pts));
		}
	}
	r->index[c] += r->bonus[c] - r->penalty[c];
	if (r->index[c] < 0 || (adj.ok && adj.num < 0)) {
		r->index[c] = 0;
		adj = tally_exact_int(0);
	}
	r->index_pub[c] = tally_publish(adj, r->index[c], d->decimals, r->index_text[c],
					sizeof(r->index_text[c]), &ok);
	return ok;
}

void tally_compute(const struct def *d, const struct tally_survey *sv,
		   const struct tally_scores *sc, struct tally_result *r)
{
	struct tally_leaf *leaves;
	size_t nleaves = tally_leaves(d, &leaves), nc = sv->ncommunes, nf = d->nfields;
	size_t ncr = d->ncriteria;
	unsigned char *ranked = xcalloc(nc ? nc : 1, 1);
	struct exact_scale *es = exact_scales(d);
	struct tally_exact *q_x = xcalloc(d->nquestions ? d->nquestions : 1, sizeof(*q_x));
	struct tally_exact *crit_x = xcalloc(ncr ? ncr : 1, sizeof(*crit_x));
	struct tally_exact *cmax_x = xcalloc(ncr ? ncr : 1, sizeof(*cmax_x));
	struct tally_exact *leaf_max_x = xcalloc(nleaves ? nleaves : 1, sizeof(*leaf_max_x));
	/* the definition's maxima, exactly, once for every commune */
	struct tally_exact *crit_max_x = xcalloc(ncr ? ncr : 1, sizeof(*crit_max_x));
	/* per field: its exact points and applicable max, summed over its criteria */
	struct tally_exact *fp = xcalloc(nf ? nf : 1, sizeof(*fp));
	struct tally_exact *fm = xcalloc(nf ? nf : 1, sizeof(*fm));
	uint32_t *pooled = xcalloc(sv->nopt ? sv->nopt : 1, sizeof(*pooled));

	for (size_t l = 0; l < nleaves; l++)
		leaf_max_x[l] = tally_exact_of(leaves[l].max);
	for (size_t k = 0; k < ncr; k++)
		crit_max_x[k] = tally_exact_of(d->criteria[k].max);
	result_init(r, d, nc, nleaves);
	for (size_t c = 0; c < nc; c++) {
		struct tally_exact points_x = tally_exact_int(0), max_x = tally_exact_int(0);
		struct tally_exact hundred = tally_exact_int(100);
		int under = 0, exact = 1;
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

		for (size_t k = 0; k < ncr; k++)
			crit_x[k] = cmax_x[k] = tally_exact_int(0);
		survey_points(d, sv, c, es, q_x, crit_max_x, crit_x, pooled, r);
		if (d->has_survey && !survey_valid(d, r, c))
			r->flags[c] |= TALLY_NO_SURVEY;
		for (size_t k = 0; k < ncr; k++)
			if (d->criteria[k].assessed == DEF_SURVEY)
				cmax_x[k] = crit_max_x[k];

		/* self-assessment: appraised where given, else self; not applicable drops out of
		   both the points and the maximum */
		for (size_t l = 0; l < nleaves; l++) {
			const struct tally_leaf_score *s = &sc->v[c * nleaves + l];
			size_t k = leaves[l].criterion, ck = c * ncr + k;
			double pts = 0, mx = leaves[l].max;

			if (k == DEF_NONE) /* a bonus or penalty: after the index */
				continue;
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
			if (pts != 0)
				crit_x[k] = tally_exact_add(crit_x[k], tally_exact_of(pts));
			if (!s->not_applicable)
				cmax_x[k] = tally_exact_add(cmax_x[k], leaf_max_x[l]);
		}

		/* fields, total, index: one pass over the criteria into their fields (in criterion
		   order within a field, as the sums were always made) */
		for (size_t f = 0; f < nf; f++)
			fp[f] = fm[f] = tally_exact_int(0);
		for (size_t k = 0; k < ncr; k++) {
			size_t cf = c * nf + d->criteria[k].field;

			r->field_points[cf] += r->crit_points[c * ncr + k];
			r->field_max[cf] += r->crit_max[c * ncr + k];
			fp[d->criteria[k].field] = tally_exact_add(fp[d->criteria[k].field], crit_x[k]);
			fm[d->criteria[k].field] = tally_exact_add(fm[d->criteria[k].field], cmax_x[k]);
		}
		for (size_t f = 0; f < nf; f++) {
			size_t cf = c * nf + f;

			r->points[c] += r->field_points[cf];
			r->max[c] += r->field_max[cf];
			points_x = tally_exact_add(points_x, fp[f]);
			max_x = tally_exact_add(max_x, fm[f]);
			if (r->field_max[cf] > 0) {
				struct tally_exact pct =
					tally_exact_mul(tally_exact_div(fp[f], fm[f]), hundred);
				int ok;

				r->field_pct[cf] = r->field_points[cf] / r->field_max[cf] * 100;
				r->field_pub[cf] = tally_publish(pct, r->field_pct[cf], d->decimals,
								 r->field_text[cf],
								 sizeof(r->field_text[cf]), &ok);
				exact &= ok;
			} else {
				r->field_pct[cf] = r->field_pub[cf] = 0;
				snprintf(r->field_text[cf], sizeof(r->field_text[cf]), "-");
			}
		}
		r->index[c] = r->max[c] > 0 ? r->points[c] / r->max[c] * 100 : 0;
		{
			struct tally_exact ix = r->max[c] > 0
				? tally_exact_mul(tally_exact_div(points_x, max_x), hundred)
				: tally_exact_int(0);

			int ok1, ok2;

			r->index_pub[c] = tally_publish(ix, r->index[c], d->decimals, r->index_text[c],
							sizeof(r->index_text[c]), &ok1);
			tally_publish(points_x, r->points[c], d->decimals, r->points_text[c],
				      sizeof(r->points_text[c]), &ok2);
			exact &= ok1 && ok2;
			if (d->nadjustments)
				exact &= adjust(d, leaves, nleaves, sc, c, ix, r);
		}
		r->inexact += !exact;
		/* not classified and not ranked: no self-assessment or no survey at all (never
		   published as failing); not ranked either: under quota where the definition says
		   to exclude such communes */
		if (r->flags[c] & TALLY_UNCLASSIFIED_FLAGS)
			r->tier[c] = TALLY_UNCLASSIFIED;
		else
			r->tier[c] = tally_classify(d, r->index_pub[c], &r->field_pub[c * nf],
						    &r->field_max[c * nf]);
		r->ranking[c] = sv->ranking ? sv->ranking[c] : 0;
		ranked[c] = !(r->flags[c] & TALLY_UNCLASSIFIED_FLAGS) &&
			    !(under && d->under_quota == DEF_UNDER_QUOTA_EXCLUDE) &&
			    r->ranking[c] != DEF_NONE;
	}
	/* each ranking group on its own */
	tally_rank_groups(nc, r->index_pub, ranked, r->ranking, d->nrankings ? d->nrankings : 1,
			  r->rank);
	free(ranked);
	free(leaves);
	free(q_x);
	free(crit_x);
	free(cmax_x);
	free(leaf_max_x);
	free(crit_max_x);
	free(fp);
	free(fm);
	free(pooled);
	exact_scales_free(es, d->nscales);
}
