/* Statistical confidence of the tally (issue 14): a stratified bootstrap over forms within
   respondent groups gives each commune a 95 % interval of its survey points and index, the
   share of resamples in each class, and a rank interval (all communes resampled together).
   Each resample's survey points are computed by the tally's own code (tally_survey_one);
   the published tally stays the point estimate. Pure computation on two threads or more:
   no database, no output, no allocation per resample. */
#include "tally.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- random numbers: xoshiro256** seeded by splitmix64 (Blackman and Vigna) ---- */

struct rng {
	uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t next(struct rng *g)
{
	uint64_t *s = g->s, result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* The stream of commune c in resample b: a function of (seed, c, b) alone. */
static void rng_seed(struct rng *g, uint64_t seed, size_t c, long b)
{
	uint64_t x = seed;

	splitmix64(&x);
	x ^= (uint64_t)c * 0xd1b54a32d192ed03u;
	splitmix64(&x);
	x ^= (uint64_t)b * 0x8cb92ba72f3d8dd7u;
	for (int i = 0; i < 4; i++)
		g->s[i] = splitmix64(&x);
}

/* uniform in [0, n) (Lemire's multiply-shift; the bias, under n / 2^64, is nil here) */
static uint32_t below(struct rng *g, uint32_t n)
{
	return (uint32_t)(((unsigned __int128)next(g) * n) >> 64);
}

/* ---- percentiles ---- */

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The nearest-rank percentiles 2.5 and 97.5 of v[0..n-1] (sorted here). */
static void interval(double *v, long n, double *low, double *high)
{
	qsort(v, (size_t)n, sizeof(*v), by_double);
	*low = v[(25 * n + 999) / 1000 - 1];
	*high = v[(975 * n + 999) / 1000 - 1];
}

/* ---- the work, shared by the threads ---- */

struct job {
	const struct def *d;
	const struct tally_survey *sv;
	const struct tally_result *r;
	struct tally_confidence *conf;
	long nb;
	double scale;
	/* forms by cell: cell_first[cell] .. cell_first[cell + 1] - 1 index cell_forms */
	size_t *cell_first, *cell_forms;
	unsigned char *ranked;
	size_t nranked;
	/* ranking groups: the ranked communes of group g are sorted[b * nranked + group_first[g]
	   .. group_first[g + 1] - 1] */
	size_t ngroups, *group_first;
	/* published index of commune c in resample b: idx[c * nb + b]; sorted[b * nranked + i]:
	   the ranked communes' values of resample b, highest first within each ranking group */
	float *idx, *sorted;
	atomic_size_t next;
	size_t items;
	void (*fn)(struct job *, size_t item, void *scratch);
};

/* what one thread keeps for resampling one commune after another */
struct scratch {
	struct tally_survey one;
	struct tally_result res;
	uint32_t *pooled;
	double *survey, *index, *fields;
};

static void scratch_init(struct scratch *s, const struct job *j)
{
	const struct tally_survey *sv = j->sv;

	memset(s, 0, sizeof(*s));
	s->one.ncommunes = 1;
	s->one.ngroups = sv->ngroups;
	s->one.nquestions = sv->nquestions;
	s->one.nopt = sv->nopt;
	s->one.counts = xcalloc(sv->ngroups * sv->nquestions * sv->nopt + 1, sizeof(uint32_t));
	tally_result_init_one(&s->res, j->d);
	s->pooled = xcalloc(sv->nopt + 1, sizeof(uint32_t));
	s->survey = xcalloc((size_t)j->nb, sizeof(double));
	s->index = xcalloc((size_t)j->nb, sizeof(double));
	s->fields = xcalloc(j->d->nfields + 1, sizeof(double));
}

static void scratch_release(struct scratch *s)
{
	free(s->one.counts);
	tally_result_release(&s->res);
	free(s->pooled);
	free(s->survey);
	free(s->index);
	free(s->fields);
}

/* Every resample of commune c: survey points, published index and class. */
static void resample_commune(struct job *j, size_t c, void *p)
{
	struct scratch *s = p;
	const struct def *d = j->d;
	const struct tally_survey *sv = j->sv;
	const struct tally_result *r = j->r;
	struct tally_confidence *conf = j->conf;
	size_t ng = d->ngroups, nf = d->nfields, ncr = d->ncriteria;
	size_t block = ng * sv->nquestions * sv->nopt, nt = conf->ntiers + 1;
	long *classes = &conf->class_count[c * nt];
	int classified = r->tier[c] != TALLY_UNCLASSIFIED;
	const double *field_max = &r->field_max[c * nf];
	struct rng g;

	if (r->flags[c] & TALLY_NO_SURVEY)
		return;
	for (long b = 0; b < j->nb; b++) {
		double points = 0, index;

		rng_seed(&g, conf->seed, c, b);
		memset(s->one.counts, 0, block * sizeof(uint32_t));
		for (size_t gr = 0; gr < ng; gr++) {
			size_t cell = c * ng + gr, first = j->cell_first[cell];
			uint32_t n = (uint32_t)(j->cell_first[cell + 1] - first);
			uint32_t draws = n > 1 ? n - 1 : n;

			for (uint32_t i = 0; i < draws; i++) {
				size_t f = j->cell_forms[first + below(&g, n)];

				for (size_t a = sv->form_first[f]; a < sv->form_first[f + 1]; a++)
					s->one.counts[sv->answer_at[a]]++;
			}
		}
		tally_survey_one(d, &s->one, s->pooled, &s->res);
		s->survey[b] = s->res.survey_points[0];

		/* fields and index as the tally sums them: criteria in order into their fields,
		   then the fields; self-assessed criteria keep the tally's points */
		for (size_t f = 0; f < nf; f++)
			s->fields[f] = 0;
		for (size_t k = 0; k < ncr; k++)
			s->fields[d->criteria[k].field] += d->criteria[k].assessed == DEF_SURVEY
				? s->res.crit_points[k]
				: r->crit_points[c * ncr + k];
		for (size_t f = 0; f < nf; f++) {
			points += s->fields[f];
			s->fields[f] = field_max[f] > 0
				? tally_round_fast(s->fields[f] / field_max[f] * 100, j->scale)
				: 0;
		}
		index = r->max[c] > 0 ? points / r->max[c] * 100 : 0;
		/* the tally's bonus and penalty stay, as the self-assessed points do */
		index += r->bonus[c] - r->penalty[c];
		index = tally_round_fast(index < 0 ? 0 : index, j->scale);
		s->index[b] = index;
		j->idx[c * (size_t)j->nb + (size_t)b] = (float)index;
		if (classified)
			classes[s->res.flags[0] & TALLY_NO_SURVEY
					? conf->ntiers
					: tally_classify(d, index, s->fields, field_max)]++;
	}
	interval(s->survey, j->nb, &conf->survey_low[c], &conf->survey_high[c]);
	conf->survey_low[c] = tally_round_fast(conf->survey_low[c], j->scale);
	conf->survey_high[c] = tally_round_fast(conf->survey_high[c], j->scale);
	interval(s->index, j->nb, &conf->index_low[c], &conf->index_high[c]);
	conf->has[c] = 1;
}

static int by_float_desc(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return (x < y) - (x > y);
}

/* The ranked communes' published indexes of resample b, highest first. */
static void sort_resample(struct job *j, size_t b, void *p)
{
	float *v = &j->sorted[b * j->nranked];

	(void)p;
	for (size_t g = 0; g < j->ngroups; g++) {
		size_t m = j->group_first[g];

		for (size_t c = 0; c < j->r->ncommunes; c++)
			if (j->ranked[c] && j->r->ranking[c] == g)
				v[m++] = j->idx[c * (size_t)j->nb + b];
		qsort(v + j->group_first[g], m - j->group_first[g], sizeof(*v), by_float_desc);
	}
}

/* Commune c's rank in every resample (competition ranking, as tally_rank: 1 + how many
   ranked communes are strictly higher), then its interval. */
static void rank_commune(struct job *j, size_t c, void *p)
{
	struct scratch *s = p;
	double low, high;

	if (!j->ranked[c])
		return;
	for (long b = 0; b < j->nb; b++) {
		size_t g = j->r->ranking[c], first = j->group_first[g];
		const float *v = &j->sorted[(size_t)b * j->nranked + first];
		float x = j->idx[c * (size_t)j->nb + (size_t)b];
		size_t lo = 0, hi = j->group_first[g + 1] - first;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (v[mid] > x)
				lo = mid + 1;
			else
				hi = mid;
		}
		s->survey[b] = (double)(lo + 1);
	}
	interval(s->survey, j->nb, &low, &high);
	j->conf->rank_low[c] = (long)low;
	j->conf->rank_high[c] = (long)high;
}

/* ---- threads: items handed out one at a time, so any thread count gives one result ---- */

struct worker {
	struct job *job;
	struct scratch scratch;
	pthread_t thread;
	int running;
};

static void *work(void *p)
{
	struct worker *w = p;
	struct job *j = w->job;
	size_t item;

	while ((item = atomic_fetch_add(&j->next, 1)) < j->items)
		j->fn(j, item, &w->scratch);
	return NULL;
}

static void run(struct job *j, struct worker *w, int threads, size_t items,
		void (*fn)(struct job *, size_t, void *))
{
	atomic_store(&j->next, 0);
	j->items = items;
	j->fn = fn;
	/* the calling thread is worker 0; a thread that does not start leaves its share to
	   the others */
	for (int t = 1; t < threads; t++)
		w[t].running = pthread_create(&w[t].thread, NULL, work, &w[t]) == 0;
	work(&w[0]);
	for (int t = 1; t < threads; t++)
		if (w[t].running)
			pthread_join(w[t].thread, NULL);
}

int tally_threads_default(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

void tally_confidence_compute(const struct def *d, const struct tally_survey *sv,
			      const struct tally_result *r, long resamples, uint64_t seed,
			      int threads, struct tally_confidence *conf)
{
	size_t nc = r->ncommunes, ncells = nc * d->ngroups, nt = d->ntiers + 1;
	struct job j = { 0 };
	struct worker *w;
	size_t *fill;

	memset(conf, 0, sizeof(*conf));
	conf->ncommunes = nc;
	conf->ntiers = d->ntiers;
	conf->seed = seed;
	conf->has = xcalloc(nc + 1, 1);
	conf->survey_low = xcalloc(nc + 1, sizeof(double));
	conf->survey_high = xcalloc(nc + 1, sizeof(double));
	conf->index_low = xcalloc(nc + 1, sizeof(double));
	conf->index_high = xcalloc(nc + 1, sizeof(double));
	conf->rank_low = xcalloc(nc + 1, sizeof(long));
	conf->rank_high = xcalloc(nc + 1, sizeof(long));
	conf->class_count = xcalloc(nc * nt + 1, sizeof(long));
	/* without per-form answers (counts not made by tally_load) there is nothing to draw */
	if (resamples <= 0 || !nc || (sv->submissions && !sv->nforms))
		return;
	conf->resamples = resamples;
	if (threads < 1)
		threads = 1;

	j.d = d;
	j.sv = sv;
	j.r = r;
	j.conf = conf;
	j.nb = resamples;
	j.scale = 1;
	for (int k = 0; k < d->decimals && k < 15; k++)
		j.scale *= 10;
	/* the forms of each commune x group, in load order */
	j.cell_first = xcalloc(ncells + 1, sizeof(size_t));
	j.cell_forms = xcalloc(sv->nforms + 1, sizeof(size_t));
	fill = xcalloc(ncells + 1, sizeof(size_t));
	for (size_t f = 0; f < sv->nforms; f++)
		j.cell_first[sv->form_cell[f] + 1]++;
	for (size_t i = 0; i < ncells; i++)
		j.cell_first[i + 1] += j.cell_first[i];
	for (size_t f = 0; f < sv->nforms; f++) {
		size_t cell = sv->form_cell[f];

		j.cell_forms[j.cell_first[cell] + fill[cell]++] = f;
	}
	free(fill);
	j.ranked = xcalloc(nc + 1, 1);
	j.ngroups = d->nrankings ? d->nrankings : 1;
	j.group_first = xcalloc(j.ngroups + 1, sizeof(*j.group_first));
	for (size_t c = 0; c < nc; c++)
		if ((j.ranked[c] = r->rank[c] != 0 && r->ranking[c] < j.ngroups)) {
			j.nranked++;
			j.group_first[r->ranking[c] + 1]++;
		}
	for (size_t g = 0; g < j.ngroups; g++)
		j.group_first[g + 1] += j.group_first[g];
	j.idx = xcalloc(nc * (size_t)resamples + 1, sizeof(float));
	j.sorted = xcalloc(j.nranked * (size_t)resamples + 1, sizeof(float));

	w = xcalloc((size_t)threads, sizeof(*w));
	for (int t = 0; t < threads; t++) {
		w[t].job = &j;
		scratch_init(&w[t].scratch, &j);
	}
	run(&j, w, threads, nc, resample_commune);
	if (j.nranked) {
		run(&j, w, threads, (size_t)resamples, sort_resample);
		run(&j, w, threads, nc, rank_commune);
	}
	for (int t = 0; t < threads; t++)
		scratch_release(&w[t].scratch);
	free(w);
	free(j.cell_first);
	free(j.cell_forms);
	free(j.ranked);
	free(j.group_first);
	free(j.idx);
	free(j.sorted);
}

void tally_confidence_release(struct tally_confidence *conf)
{
	free(conf->has);
	free(conf->survey_low);
	free(conf->survey_high);
	free(conf->index_low);
	free(conf->index_high);
	free(conf->rank_low);
	free(conf->rank_high);
	free(conf->class_count);
	memset(conf, 0, sizeof(*conf));
}
