/* The tally stage: self-assessment scores in (scores template / import), survey answers
   counted, every commune's points, index, classification and rank computed by the active
   definition (REFERENCE.md §4), stored in the tally_* tables and printed.

   Data flows: tally_load() reads the current submissions and scores into a tally_survey and
   a tally_scores; tally_compute() turns them into a tally_result (pure: no database, no
   output); tally_store() writes the result; tally_print_*() show it.
   Structs ending in _init/_release are owned by the caller; the result's arrays are flat,
   indexed [commune * n + i] in the order of the register and of the definition. */
#ifndef PARINDEX_TALLY_H
#define PARINDEX_TALLY_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "commune.h"
#include "def.h"
#include "err.h"
#include "strbuf.h"
#include "years.h"

/* Commands of the command table. */
int cmd_scores(int argc, char **argv);
int cmd_tally(int argc, char **argv);

/* ---- self-assessed leaves: the unit of self-assessment ---- */

/* A sub-criterion, or a self-assessed criterion without sub-criteria; or a bonus or penalty
   (criterion DEF_NONE, adjustment its index into def.adjustments), after every criterion's. */
struct tally_leaf {
	const char *id;
	const struct def_text *name;
	double max;
	size_t criterion;  /* index into def.criteria; DEF_NONE for a bonus or penalty */
	size_t adjustment; /* index into def.adjustments; DEF_NONE for a criterion's leaf */
};

/* The self-assessed leaves of d in document order, then its bonus and penalty leaves; caller
   frees *out. */
size_t tally_leaves(const struct def *d, struct tally_leaf **out);

/* ---- inputs ---- */

/* Option counts: counts[((commune * ngroups + group) * nquestions + question) * nopt + option],
   question indexing def.questions, option the scale's option. */
struct tally_survey {
	size_t ncommunes, ngroups, nquestions, nopt;
	uint32_t *counts;
	uint32_t *forms; /* [commune * ngroups + group]: current submissions counted (reserve
			    forms counted to fill the quota included) */
	uint32_t *reserve, *reserve_counted; /* [commune * ngroups + group]: reserve forms
						received, and counted */
	size_t *ranking; /* [commune]: its type's ranking group (def.rankings), DEF_NONE: not
			    ranked; 0 for every commune after tally_survey_init */
	long submissions;
	long ignored_answers;     /* no scored question of the group, or an unknown option */
	long ignored_submissions; /* of a group the definition lacks, or of another area */
	/* Each counted submission's answers, for the bootstrap over forms (tally/confidence.c):
	   form f is of cell form_cell[f] (commune * ngroups + group); its counted answers are
	   answer_at[form_first[f] .. form_first[f + 1] - 1], each the offset of the option it
	   counted within its commune's counts ((group * nquestions + question) * nopt + option).
	   nforms is 0 when the counts were not made by tally_load. */
	size_t nforms, forms_alloc, firsts_alloc, nanswers, answers_alloc;
	uint32_t *form_cell, *answer_at;
	size_t *form_first;
};

void tally_survey_init(struct tally_survey *sv, const struct def *d, size_t ncommunes);
void tally_survey_release(struct tally_survey *sv);
static inline uint32_t *tally_count_at(const struct tally_survey *sv, size_t c, size_t g,
				       size_t q)
{
	return &sv->counts[((c * sv->ngroups + g) * sv->nquestions + q) * sv->nopt];
}

struct tally_leaf_score {
	double self_score, appraised_score;
	unsigned char has_self, has_appraised, not_applicable;
};

/* The current scores: v[commune * nleaves + leaf]; has_scores[commune] when imported. */
struct tally_scores {
	size_t ncommunes, nleaves;
	struct tally_leaf_score *v;
	unsigned char *has_scores;
};

void tally_scores_init(struct tally_scores *s, size_t ncommunes, size_t nleaves);
void tally_scores_release(struct tally_scores *s);

/* ---- formulas ---- */

/* x rounded half-up at `decimals` places, as published. Binary noise is removed first (the
   value is printed at decimals + 6 places, which the C library rounds exactly), so 89.995
   gives 90.00. text (if not NULL) receives the published digits, e.g. "90.00". */
double tally_round(double x, int decimals, char *text, size_t size);

/* Exact values (REFERENCE.md §4: the published value is rounded from the exact value, with
   no binary drift, so 79.995 publishes as 80.00). Inputs (option weights, maxima, scores) are
   read as the decimal they were written as: the shortest one with at most 9 places that gives
   the same double. Sums and ratios stay fractions num/den of 128-bit integers, reduced; a step
   whose magnitude would pass 2^125, or an input with more places, gives ok = 0, and the caller
   then rounds the binary value (tally_round) and says so. */
__extension__ typedef __int128 tally_int;
struct tally_exact {
	tally_int num, den; /* den > 0 */
	int ok;
};
struct tally_exact tally_exact_int(long long n);
struct tally_exact tally_exact_ratio(long long num, long long den);
struct tally_exact tally_exact_of(double x);
struct tally_exact tally_exact_add(struct tally_exact a, struct tally_exact b);
struct tally_exact tally_exact_mul(struct tally_exact a, struct tally_exact b);
struct tally_exact tally_exact_div(struct tally_exact a, struct tally_exact b);
double tally_exact_double(struct tally_exact x);
/* x rounded half-up at `decimals` places from its exact digits (long division); when x is
   not exact (or its reduced denominator reaches 2^124), tally_round(fallback), and *exact (if
   not NULL) is 0. Returns the published value, text gets its digits. */
double tally_publish(struct tally_exact x, double fallback, int decimals, char *text,
		     size_t size, int *exact);

/* One group's (or, pooled, all groups') question score: Σ n_k·w_k ÷ N_valid over the
   options that are not excluded. Returns N_valid; *q is set only when N_valid > 0. */
long tally_question_score(const struct def_scale *sc, const uint32_t *counts, double *q,
			  long *n_excluded);

/* tier of a commune that is not classified ("chưa xếp loại": no scores or no survey) */
#define TALLY_UNCLASSIFIED ((size_t)-1)

/* The first tier whose min-index and min-field hold (index and field percentages as
   published; a field with max 0 is left out of the floor check). */
size_t tally_classify(const struct def *d, double index, const double *field_pct,
		      const double *field_max);

/* Competition ranking on published values, highest first: equal values share a rank and the
   next rank skips (1, 2, 2, 4). rank[i] = 0 where ranked[i] is 0. */
void tally_rank(size_t n, const double *value, const unsigned char *ranked, long *rank);
/* The same within each ranking group: i is ranked among those of group[i] (ngroups groups;
   DEF_NONE: not ranked). */
void tally_rank_groups(size_t n, const double *value, const unsigned char *ranked,
		       const size_t *group, size_t ngroups, long *rank);

/* ---- the result ---- */

/* The flag words (tally_commune.flags, space-separated, in this order):
     under-quota            fewer forms than min-forms, or a group under its minimum
     no-scores              no self-assessment scores imported: not classified, not ranked
     no-survey              no valid survey answer at all (no current submission, or only
                            excluded options such as "Không biết"): not classified, not ranked
     no-answers             a scored question without any valid answer: left out of its
                            criterion's mean; a survey criterion none of whose questions has
                            one scores 0 (its source in tally_criterion is "no-answers")
     group-without-answers  a group asked a question gave it no valid answer: left out of
                            that question's group mean
   A commune with no-scores or no-survey is "chưa xếp loại": tier NULL, rank NULL. */
enum tally_flag {
	TALLY_UNDER_QUOTA = 1,
	TALLY_NO_SCORES = 2,
	TALLY_NO_ANSWERS = 4,
	TALLY_GROUP_NO_ANSWERS = 8,
	TALLY_NO_SURVEY = 16,
};
/* "under-quota no-scores ..." for flags, into buf. */
const char *tally_flags_text(unsigned flags, char *buf, size_t size);
/* The words for one flag bit: Vietnamese for officials ("thiếu phiếu khảo sát", ...), or
   English. The one table of flag words: tally's messages and --explain, and the report. */
const char *tally_flag_words(unsigned bit, int english);
/* The same for a flag word ("under-quota", the first n bytes of code); NULL if unknown. */
const char *tally_flag_code_words(const char *code, size_t n, int english);
/* The bit of a flag word; 0 if unknown. */
unsigned tally_flag_code_bit(const char *code, size_t n);
/* A tally_commune.flags text ("under-quota no-scores") said in words joined by "; ", only
   the flags in mask; a word not in the table is kept as it is when mask is ~0u. Newly
   allocated; "" when nothing is said. */
char *tally_flags_say(const char *flags, unsigned mask, int english);
/* The reasons a commune is not classified, as flag bits. */
#define TALLY_UNCLASSIFIED_FLAGS (TALLY_NO_SCORES | TALLY_NO_SURVEY)

struct tally_result {
	size_t ncommunes, nfields, ncriteria, nleaves, nquestions, ngroups;
	/* per commune; index, index_pub and index_text are the index after bonus and penalty
	   (the base ones when the definition has neither) */
	double *self_points, *survey_points, *points, *max, *index, *index_pub;
	char (*index_text)[32], (*points_text)[32];
	double *bonus, *penalty, *base_index_pub; /* points added, subtracted; the 100-point
						     index before them */
	char (*base_index_text)[32];
	size_t *ranking; /* its ranking group (def.rankings); DEF_NONE: its type is not ranked */
	size_t *tier; /* TALLY_UNCLASSIFIED: chưa xếp loại */
	long *rank;      /* 0: not ranked */
	unsigned *flags;
	long *forms;
	/* per commune × field */
	double *field_points, *field_max, *field_pct, *field_pub;
	char (*field_text)[32];
	/* per commune × criterion: survey criteria and the sums of self-assessed ones;
	   crit_no_answers: a survey criterion none of whose questions has a valid answer */
	double *crit_points, *crit_max;
	unsigned char *crit_no_answers;
	/* per commune × leaf */
	double *leaf_points, *leaf_max;
	/* per commune × question (def.questions; profile questions stay 0); q_score is NAN
	   for a question without any valid answer */
	double *q_score;
	long *q_valid;
	int *q_groups;
	unsigned char *q_flag; /* 0, TALLY_GROUP_NO_ANSWERS or TALLY_NO_ANSWERS */
	/* per commune × group × question: that group's q (NAN when it has no valid answer) */
	double *qg_score;
	long *qg_valid, *qg_excluded;
	/* communes whose published values came from binary floating point (not exact) */
	size_t inexact;
};

/* Compute everything for every commune; r is initialised here and released by the caller. */
void tally_compute(const struct def *d, const struct tally_survey *sv,
		   const struct tally_scores *sc, struct tally_result *r);
void tally_result_release(struct tally_result *r);

/* ---- the bootstrap's view of the formulas (tally/confidence.c) ---- */

/* A result for one commune, the scratch of tally_survey_one (release with
   tally_result_release). */
void tally_result_init_one(struct tally_result *one, const struct def *d);
/* The survey part of commune 0 of `one` (a survey of one commune, sv->counts its option
   counts), computed by the tally's own code into commune 0 of `scratch`: question scores,
   survey criterion points (crit_points), survey_points and the no-answers and no-survey
   flags. Only the
   binary values, not the exact fractions; pooled holds sv->nopt counts. No allocation. */
void tally_survey_one(const struct def *d, const struct tally_survey *one, uint32_t *pooled,
		      struct tally_result *scratch);
/* x rounded half-up at the places of scale (10^decimals) as tally_round does it (binary
   noise under 10^-6 of the last place removed first), without printing: for resamples. */
double tally_round_fast(double x, double scale);

/* ---- statistical confidence (tally/confidence.c) ---- */

/* A stratified bootstrap over forms: each resample draws, for every commune and respondent
   group of n forms, n - 1 of them (1 of 1) with replacement (McCarthy and Snowden's
   with-replacement bootstrap: n draws would shrink the variance by (n - 1) / n, and with the
   groups' 10 forms the 95 % interval covered 93 % of simulated surveys instead of 94-95 %),
   and recomputes the commune's survey points with the tally's code (tally_survey_one); the
   self-assessed points stay.
   Intervals are percentile intervals (nearest rank: the ceil(0.025 B)-th and
   ceil(0.975 B)-th of the B sorted values), of published (rounded) values. The random
   numbers of commune c in resample b come from xoshiro256** seeded by splitmix64 from
   (seed, c, b), so the result does not depend on the number of threads. */
#define TALLY_RESAMPLES 2000
/* at most communes x resamples: 8 bytes each (400 MB) */
#define TALLY_MAX_DRAWS 50000000ull
#define TALLY_SEED 20260101u

struct tally_confidence {
	size_t ncommunes, ntiers;
	long resamples;
	uint64_t seed;
	/* per commune; has[c] = 0 when the commune has no survey to resample (no-survey) */
	unsigned char *has;
	double *survey_low, *survey_high, *index_low, *index_high; /* published (rounded) */
	long *rank_low, *rank_high; /* 0: not ranked */
	/* [c * (ntiers + 1) + t]: resamples classified in tier t; the last, "chưa xếp loại"
	   (a resample without any valid answer); all 0 for a commune the tally did not classify */
	long *class_count;
};

/* The bootstrap for every commune of r (computed by tally_compute from d, sv); threads > 0
   worker threads. resamples 0 leaves conf with resamples 0 and nothing computed. */
void tally_confidence_compute(const struct def *d, const struct tally_survey *sv,
			      const struct tally_result *r, long resamples, uint64_t seed,
			      int threads, struct tally_confidence *conf);
void tally_confidence_release(struct tally_confidence *conf);
/* The processors online, at least 1: the default number of threads. */
int tally_threads_default(void);

/* ---- database ---- */

/* Count the current submissions of d's forms and read the current scores of d. */
int tally_load(sqlite3 *db, const struct def *d, const struct commune_list *cl,
	       struct tally_survey *sv, struct tally_scores *sc, struct perr *err);
/* Replace the tally_* tables with r, inside the caller's transaction. */
int tally_store(sqlite3 *db, const struct def *d, const struct commune_list *cl,
		const struct tally_survey *sv, const struct tally_scores *sc,
		const struct tally_result *r, const struct tally_confidence *conf,
		struct perr *err);

/* Say on stderr ("parindex: STAGE: WHERE: ...", one line per definition) how many current
   submissions and which communes' scores belong to a definition other than the active one
   (another id or version): they do not count, and the line says how to proceed. For 'tally'
   and 'init' (after loading a new version). */
int tally_other_definitions(sqlite3 *db, const char *stage, const char *where,
			    struct perr *err);

/* Decode a flat JSON object of string values ({"q01": "2", ...}); fn gets each key and value
   (NUL-terminated, unescaped); null values are skipped. Returns 0, or -1 when the text is not
   such an object. */
int tally_answers_decode(const char *json, size_t len,
			 void (*fn)(const char *key, size_t klen, const char *value, size_t vlen,
				    void *ctx),
			 void *ctx);
/* The JSON string at p (just after its opening quote, end the text's end) decoded into out
   (cap bytes, NUL-terminated, its length in *len): the byte after its closing quote, or NULL
   when it is not a valid string, holds \u0000 or does not fit. */
const char *tally_json_string_read(const char *p, const char *end, char *out, size_t cap,
				   size_t *len);

/* ---- output ---- */

enum tally_format { TALLY_TABLE, TALLY_CSV, TALLY_JSON };

/* The ranking; the CSV and JSON carry conf's intervals and class shares (empty or null
   where not computed). When prev has a previous year (prev->year), each unit's previous
   index and rank, rank change and index change, or the old units it was formed from,
   follow (the table adds columns and lines; one year alone prints as before). */
void tally_print_ranking(FILE *out, enum tally_format fmt, const struct def *d,
			 const struct commune_list *cl, const struct tally_result *r,
			 const struct tally_confidence *conf, const struct years_previous *prev);
/* s as a JSON string (quotes, backslashes and control characters escaped). */
void tally_json_string(FILE *out, const char *s);
/* The ranking that the tally of `year` published and tally_year_commune keeps (the latest
   tally of a definition of that year), printed without computing anything: rank, code,
   unit, index, class, flags. PERR_DATA when no tally of that year is kept. */
int tally_print_year(FILE *out, enum tally_format fmt, sqlite3 *db, int year,
		     const char *where, struct perr *err);
enum tally_lang { TALLY_VI, TALLY_EN };

/* Every step for commune c, in the order an official checks it by hand: in Vietnamese (the
   default) or English, flags in words, the communes that share its rank named. */
void tally_print_explain(FILE *out, enum tally_lang lang, const struct def *d, const struct commune_list *cl,
			 const struct tally_survey *sv, const struct tally_scores *sc,
			 const struct tally_result *r, const struct tally_confidence *conf,
			 size_t c);

/* ---- scores files ---- */

/* A sheet read from CSV or XLSX and checked as a file (CSV syntax, UTF-8; the workbook's
   parts, cell references and shared strings), but not copied into rows: tally_sheet_rows()
   gives the rows one at a time, cells pointing into the file or the shared strings, so
   memory is the input's size and the longest row, not a copy per cell. */
struct tally_xlsx;

struct tally_sheet {
	const char *buf, *name; /* CSV: the file, borrowed until tally_sheet_release */
	size_t len;
	char sep;                /* CSV: ',' ';' or tab (a decimal comma is read past ','); 0 XLSX */
	struct tally_xlsx *xlsx; /* XLSX: the worksheet and its shared strings */
};

/* One row: cells[i] is the text of column i (NULL or "" when empty); number is the line
   (CSV) or the spreadsheet's row number. Return 0 to go on, -1 to stop. */
typedef int (*tally_row_fn)(long number, const char *const *cells, size_t ncells, void *ctx);

void tally_sheet_release(struct tally_sheet *s);
int tally_sheet_read_csv(struct tally_sheet *s, const char *buf, size_t len, const char *name,
			 struct perr *err);
/* The first worksheet of an XLSX workbook (shared strings, inline strings, numbers). */
int tally_sheet_read_xlsx(struct tally_sheet *s, const char *buf, size_t len,
			  const char *name, struct perr *err);
/* Each row of a sheet read by the above, in order. */
int tally_sheet_rows(const struct tally_sheet *s, tally_row_fn fn, void *ctx, struct perr *err);
int tally_xlsx_rows(const struct tally_xlsx *x, tally_row_fn fn, void *ctx, struct perr *err);
void tally_xlsx_free(struct tally_xlsx *x);

/* One accepted row of a scores file. */
struct tally_score_row {
	long row;
	size_t commune, leaf; /* indexes into the register and tally_leaves() */
	struct tally_leaf_score score;
	char *note;
};

struct tally_score_file {
	struct tally_score_row *rows;
	size_t nrows, alloc;
	unsigned char *commune_in_file; /* per commune of the register */
	size_t ncommunes;               /* communes whose scores the file replaces */
	size_t skipped;                 /* communes whose rows were all blank */
};

/* Check every row of a sheet; every problem goes to diag as "name:row: message". Returns 0
   when there is none. */
int tally_scores_check(const struct def *d, const struct commune_list *cl,
		       const struct tally_sheet *sheet, const char *name,
		       struct tally_score_file *f, struct diag *diag);
void tally_score_file_release(struct tally_score_file *f);
/* Store f as a new import (superseding those communes' earlier rows), in the caller's
   transaction. */
int tally_scores_store(sqlite3 *db, const struct def *d, const struct commune_list *cl,
		       const struct tally_score_file *f, const char *file_name,
		       const char *format, const char *sha256, long *import_id,
		       struct perr *err);

/* The template: one row per commune and self-assessed leaf, scores blank. */
int tally_template_csv(FILE *out, const struct def *d, const struct commune_list *cl);
int tally_template_xlsx(const char *path, const struct def *d, const struct commune_list *cl,
			struct perr *err);


/* ---- the commands' work, for the command and the server ---- */
/* What 'parindex tally' computes and publishes. */
struct tally_pass {
	struct def d;
	struct commune_list cl; /* the definition's area (district, or whole province) */
	struct tally_survey sv;
	struct tally_scores sc;
	struct tally_result r;
	struct tally_confidence conf;
	int computed;
	struct years_previous prev; /* the previous year's results of cl's units */
	size_t explain; /* the commune explained, DEF_NONE when none */
	long excluded;  /* submissions the office excluded, left out */
	/* the bootstrap's settings, given by the caller (tally_pass_defaults sets the defaults) */
	long resamples;
	uint64_t seed;
	int threads;
	/* a kept year computed again to be read (report --year): this definition instead of the
	   active one, no word about other definitions' data, and the transaction left open after
	   storing, for the caller to read the tally_* tables and ROLLBACK */
	const char *again_id, *again_version;
};
/* The default bootstrap settings: TALLY_RESAMPLES, TALLY_SEED, one thread per CPU. */
void tally_pass_defaults(struct tally_pass *t);
/* In one transaction: the active definition, the register (its area), the current
   submissions and scores counted and computed, and the tally_* tables replaced; with explain
   (a commune code) nothing is stored and t->explain is its index. PERR_DATA when there is
   nothing to tally or no such commune, PERR_USAGE when t->resamples is too many for the
   communes' memory. where names the database in messages. The caller
   releases t (also after -1). */
int tally_pass_run(sqlite3 *db, const char *where, const char *explain, struct tally_pass *t,
		   struct perr *err);
void tally_pass_release(struct tally_pass *t);
/* Keep the communes of d's district (a definition is one area's index; a province's keeps
   the whole register); -1 with err
   when none is left. */
int tally_district_communes(const struct def *d, struct commune_list *cl, const char *where,
			    struct perr *err);
/* "csv" or "xlsx" for a scores file: from content (a zip is an XLSX workbook) when given,
   else from the name; NULL when content is NULL and the name says neither. */
const char *tally_sheet_format(const char *name, const struct strbuf *content);
/* What 'parindex scores import' stores: content (a CSV or XLSX sheet named file) checked
   against the active definition and the register, and stored as a new import in one
   transaction. 0 stored (f, *import_id), 1 the file has errors (in diag; nothing stored), -1
   with err (nothing stored). */
int tally_scores_import(sqlite3 *db, const char *where, const struct strbuf *content,
			const char *file, struct tally_score_file *f, struct diag *diag,
			long *import_id, struct perr *err);

#endif
