/* The reports stage: the results of the last 'parindex tally' (the tally_* tables, read as
   published, never recomputed) written as tables (CSV, XLSX), charts (gnuplot scripts and
   data, drawn as PNG and SVG) and a self-contained HTML report.

   Data flows: report_load() reads the database into a struct report; report_write_tables()
   lays it out, a row at a time, as the tables that both the CSV files and the XLSX sheets
   hold; report_charts() writes each chart's data file and gnuplot script, report_render()
   runs gnuplot on them;
   report_html() writes the pages, with the charts that were drawn.
   A struct report owns everything in it; report_release frees it. Arrays are flat, indexed
   [commune * n + i], communes in ranking order and the rest in the definition's order. */
#ifndef PARINDEX_REPORTS_H
#define PARINDEX_REPORTS_H

#include <sqlite3.h>
#include <stddef.h>

#include "def.h"
#include "err.h"
#include "strbuf.h"
#include "years.h"
#include "../capture/quality.h"

/* Command of the command table. */
int cmd_report(int argc, char **argv);

/* ---- what the tally published ---- */

struct report_commune {
	char *code, *name, *type;
	long forms;
	double self_points, survey_points, points, max, index_value;
	char *index_published; /* as printed, e.g. "89.77" */
	double index_pub;      /* the same as a number */
	size_t tier;           /* index into def.tiers; DEF_NONE: chưa xếp loại (not classified) */
	size_t ranking;        /* index into def.rankings; DEF_NONE: a type the definition does
				  not rank (listed, never ranked) */
	long rank;             /* 0: not ranked */
	int under_quota, no_scores;
	char *flags;           /* as the tally wrote them: "under-quota no-scores ..." */
	double self_score_total; /* Σ self scores of the applicable self-assessed leaves */
	/* the bootstrap's 95 % intervals (tally_confidence), when the tally resampled it */
	int has_interval;
	double survey_low, survey_high, index_low, index_high;
	long rank_low, rank_high; /* 0: not ranked */
};

struct report_field {
	int present, has_pct;
	double points, max, pct;
	char *pct_published; /* NULL when max is 0 */
};

/* A criterion or sub-criterion of one commune. */
struct report_criterion {
	int present, has_self, has_appraised;
	double points, max, self_score, appraised_score;
	char source[16]; /* appraised, self, not-applicable, none; "" for sums */
};

struct report_group {
	long forms, min_forms;
};

struct report_question {
	int present, groups_used;
	int has_score; /* 0: no valid answer, left out of its criterion's mean (REFERENCE §4) */
	long n_valid;
	double score;
	char flag[32];
};

/* One commune's answers of one group to one question: counts[option] over the scale. */
struct report_count {
	int present, has_score;
	long n_valid, n_excluded;
	double score;
	long *counts; /* def.scales[question's scale].noptions entries */
};

struct report {
	struct def def;
	char computed_at[40], aggregation[16], under_quota[16];
	char changed_at[40]; /* a batch or score import after the tally ("" when none) */
	char active[200];    /* "id version" of the active definition when not the tally's */
	long submissions;
	char *score_files;   /* the files of the current scores the tally used, ", "-joined */
	char made_at[40];    /* when this report is made (db_now: $PARINDEX_NOW in tests) */
	size_t ncommunes, nunclassified;
	struct report_commune *communes;  /* by ranking group (the definition's order, types not
					     ranked last), then rank, then code; unranked last */
	size_t *by_code;                  /* indexes of communes, sorted by code */
	struct report_field *fields;      /* [commune * nfields + field] */
	struct report_criterion *criteria; /* [commune * ncriteria + criterion] */
	struct report_criterion *subcriteria; /* [commune * nsubcriteria + sub] */
	struct report_group *groups;      /* [commune * ngroups + group] */
	struct report_question *questions; /* [commune * nquestions + question] */
	struct report_count *counts;      /* [(commune * ngroups + group) * nquestions + q] */
	/* the submissions of the tally's definition left out as excluded (capture exclude,
	   view excluded_submission): how many, and each reason with its count, most first */
	long excluded;
	struct quality_reason *exclusions;
	size_t nexclusions;
	/* the tally's bootstrap (tally_confidence_run): 0 resamples when it made none;
	   class_resamples[commune * (ntiers + 1) + tier] fell in each class (tally_class_share),
	   the last without any valid answer */
	long resamples;
	long *class_resamples;
	/* the last 'parindex quality' run of the tally's definition (has_quality 0: none): when,
	   forms checked and flagged, forms flagged by each check, and per commune */
	int has_quality;
	char quality_at[40];
	long quality_submissions, quality_flagged, quality_per_check[QUALITY_NCHECKS];
	long *quality_commune; /* [commune]: its flagged forms */
	/* district means over the ranked communes (all communes when none is ranked) */
	double *field_mean;     /* per field; NAN when no commune has the field */
	double *criterion_mean; /* per criterion: mean points */
	/* the previous year's results of each commune (core/years.h; prev.year 0: none kept),
	   prev.v[c] in the communes' order */
	struct years_previous prev;
	char **ranking_group; /* per commune: its ranking group now (tally_commune, 0013) */
};

/* Read the last tally and the definition it used. Refuses (PERR_DATA) when no tally has been
   run. */
int report_load(sqlite3 *db, struct report *r, struct perr *err);
/* The same for a kept year (tally_year, 0014): the last tally when it is that year's, else
   that year's definition computed again from its stored submissions and scores (with its
   bootstrap's resamples and seed, 0019) inside a transaction that is rolled back, and read
   only when every unit's index, rank and class are the published ones (names and types as
   published; a unit that year did not publish left out). PERR_DATA: no definition of that
   year, no tally of it kept, or its data changed since. where names the database. */
int report_load_year(sqlite3 *db, const char *where, int year, struct report *r,
		     struct perr *err);
void report_release(struct report *r);

/* x rounded half-up at d decimals (the tally's rounding), as text. */
const char *report_fixed(double x, int d, char buf[48]);
/* A time the database wrote ("2026-11-30T07:05:00Z", UTC) as the office reads it: Vietnam's
   time (UTC+7, no daylight saving, no tzdata needed) in the form of official documents,
   "ngày 30 tháng 11 năm 2026, 14:05" (day under 10 and months 1, 2 with a leading zero).
   The text as it is when it is not such a time. */
const char *report_date_vi(const char *iso, char buf[64]);
/* Where the report's numbers come from, a line each (plain text, newly allocated): the
   definition (id, version, title), the forms counted and the scores files, when the tally
   computed them and when the report was made (report_date_vi), the software and its version.
   The footer of every page and the rows under the ranking sheet. */
#define REPORT_NSOURCES 4
void report_sources(const struct report *r, char *lines[REPORT_NSOURCES]);
/* Whether commune c (in ranking order) and the ranked commune just above it are apart by
   less than the survey's noise: both ranked, both with intervals, and their 95 % index
   intervals overlap. */
int report_within_noise(const struct report *r, size_t c);
/* Commune c against the previous year (when r->prev.year), in Vietnamese, newly allocated:
   report_rank_change_vi "tăng 2 bậc", "giảm 1 bậc", "giữ nguyên", "mới" (no previous
   result), "hình thành từ nhiều đơn vị", "" (not ranked now or then); report_index_change
   "+1.25" or "" (signed, at the definition's decimals); report_previous_vi the previous
   index and rank ("80.00, hạng 3"), or, for a unit formed from others, "hình thành từ: A
   (95.00, hạng 1), B (70.00, hạng 4)" (never a combined rank), or for a renamed one "đổi
   tên từ A: 90.00, hạng 2"; "" when there is nothing. */
char *report_rank_change_vi(const struct report *r, size_t c);
char *report_index_change(const struct report *r, size_t c);
char *report_previous_vi(const struct report *r, size_t c);
/* Whether the report shows its units by ranking group: the definition ranks more than one
   group, or some unit's type is not ranked. A district's report (one group) is not. */
int report_grouped(const struct report *r);
/* A ranking group's Vietnamese name, else its id; "Không xếp hạng" for DEF_NONE. */
const char *report_ranking_label(const struct def *d, size_t ranking);
/* A tier's Vietnamese label; "Chưa xếp loại" for DEF_NONE. */
const char *report_tier_label(const struct def *d, size_t tier);

/* ---- tables: the same for CSV and XLSX ---- */

enum report_cell_kind {
	REPORT_EMPTY,
	REPORT_TEXT,
	REPORT_INT,
	REPORT_NUMBER, /* num at full precision, shown with `decimals` places; text as shown */
};

struct report_cell {
	enum report_cell_kind kind;
	char *text; /* always set (empty for REPORT_EMPTY): what CSV writes */
	int borrowed; /* text is the report's own (a name, an id, a label): not freed */
	double num;
	int decimals;
};

struct report_table {
	const char *file;  /* CSV file name without .csv, e.g. "ranking" */
	const char *sheet; /* XLSX sheet name, e.g. "Xếp hạng" */
	char *title;       /* a line above the header in the XLSX sheet */
	size_t ncols, nrows;
	char **header;
	struct report_cell *cells; /* [(row - held) * ncols + col]: the rows still held */
	size_t alloc;
	/* when emit is set, each row is handed to it (row: its index) once the next row is
	   begun or the table is done, then freed: a table of any size holds one row */
	void (*emit)(struct report_table *t, size_t row, const struct report_cell *cells,
		     void *ctx);
	void *ctx;
	size_t held; /* rows emitted and freed */
};

#define REPORT_NTABLES 7
/* Ranking, fields, criteria, questions, survey answers, quotas, exclusions, held whole (a
   district's report; the unit tests). The ranking has the bootstrap's intervals (7 columns
   after the class) only when the tally resampled; the exclusions table has no row when no
   submission was excluded, and is then neither a file nor a sheet. */
void report_tables(const struct report *r, struct report_table t[REPORT_NTABLES]);
void report_tables_release(struct report_table t[REPORT_NTABLES]);
/* The tables report_write_tables writes for r: the exclusions only when there are. */
size_t report_ntables(const struct report *r);

/* Write the tables row by row as they are laid out, each row to DIR/<file>.csv (csv_dir
   not NULL; UTF-8, with a byte-order mark when bom is set) and to its sheet of one workbook
   (xlsx not NULL; one sheet each, header rows frozen, libxlsxwriter's constant_memory mode:
   strings inline), so the memory does not grow with the number of units. */
int report_write_tables(const struct report *r, const char *csv_dir, int bom, const char *xlsx,
			struct perr *err);

/* ---- charts ---- */

/* Up to this many units a report is laid out as a district's (a bar per unit across a chart,
   the ranking on one landscape page); past it as a province's (reports.c's charts and the
   index page's print rules change shape, the numbers do not). */
#define REPORT_DISTRICT_UNITS 30

enum report_format {
	REPORT_HTML = 1,
	REPORT_XLSX = 2,
	REPORT_CSV = 4,
	REPORT_PNG = 8,
	REPORT_SVG = 16,
};

/* The charts of a report: each is DIR/<name>.dat + DIR/<name>.gp, drawing <name>.png and/or
   <name>.svg. */
struct report_chart {
	char *name;
	char *title;
	size_t commune; /* for a commune's chart; (size_t)-1 for the district's */
	int drawn;      /* set by report_render */
};

struct report_charts {
	struct report_chart *v;
	size_t n, alloc;
	size_t failed; /* charts gnuplot failed on (set by report_render) */
};

/* Write every chart's data and script into dir; formats says PNG, SVG or both. */
int report_charts(const struct report *r, const char *dir, unsigned formats,
		  struct report_charts *charts, struct perr *err);
/* Run gnuplot on each script in dir: several scripts per gnuplot process, as many processes
   at once as there are cores (up to 4). SPAWN_NOT_FOUND (see spawn.h) when gnuplot is
   missing: no chart is drawn then. SPAWN_FAILED when gnuplot failed on a chart: err names
   the first such chart's script and gnuplot's first line about it; the other charts are
   drawn all the same, charts->failed counts the failures. */
int report_render(struct report_charts *charts, const char *dir, struct perr *err);
void report_charts_release(struct report_charts *charts);

/* Colours (0xRRGGBB) shared by the charts and the HTML: a classification tier (green down to
   red, the "otherwise" tier red, grey for DEF_NONE: not classified), an answer option (by its weight, red 0 to green 1; grey
   for an excluded or unweighted one), a respondent group. */
unsigned report_tier_color(const struct def *d, size_t tier);
unsigned report_option_color(const struct def_option *o);
unsigned report_group_color(size_t group);

/* prefix + id as a file name, unique per id and the same on every run: letters, digits, dot,
   dash and underscore as they are, any other byte as ~XX (hex), so "qé" and "qè" differ; an
   id longer than 160 bytes so written is cut and ends with ~~ and 16 hex digits of its
   sha256. No quote, backquote, backslash or space can be in it, so the scripts write it in
   gnuplot's double quotes as it is. Newly allocated. */
char *report_safe_name(const char *prefix, const char *id);

/* s as a gnuplot string that nothing in it can turn into code (core/escape's escape_gp: single
   quotes, no backquote substitution or macro); a line break becomes a space. */
void report_gp_quote(struct strbuf *sb, const char *s);
/* s as a text column of a chart's data file (report_dat_text) and as a tic label column,
   double-quoted and wrapped at width characters with gnuplot's "\n" (report_dat_label,
   returns the number of lines): no control byte or double quote, a backslash doubled, since
   gnuplot reads backslash escapes in data columns. */
void report_dat_text(struct strbuf *sb, const char *s);
int report_dat_label(struct strbuf *sb, const char *s, size_t width);

/* ---- HTML ---- */

/* DIR/index.html and DIR/communes/<code>.html; charts drawn in chart_dir are inlined (SVG if
   drawn, else PNG) so every page is a single file. */
int report_html(const struct report *r, const struct report_charts *charts,
		const char *chart_dir, unsigned formats, const char *dir, struct perr *err);


/* ---- the whole folder, for the command and the server ---- */

/* mkdir -p; -1 with err naming the folder. */
int report_make_dir(const char *path, struct perr *err);
/* What report_write wrote: the folders and files (NULL for a format not asked), the charts and
   how many gnuplot drew; a missing gnuplot or a chart that failed is not an error of
   report_write (the rest is written): gnuplot_missing, render_failed with render_err. */
struct report_written {
	char *csv_dir, *xlsx, *charts_dir;
	struct report_charts charts;
	size_t drawn;
	int gnuplot_missing, render_failed;
	struct perr render_err;
};
/* Write r into the folder out (created if needed) in the formats asked (REPORT_* bits): what
   'parindex report' writes, without printing. */
int report_write(const struct report *r, const char *out, unsigned formats, int bom,
		 struct report_written *w, struct perr *err);
void report_written_release(struct report_written *w);

#endif
