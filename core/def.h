/* The index definition: one year's commune-level PAR Index for one district, loaded from the
   XML format of schemas/definition.rng. Fields hold criteria, criteria may hold sub-criteria;
   the scoring unit of self-assessment is the "leaf" (a sub-criterion, or a criterion without
   any). Survey questions feed survey-assessed criteria through answer scales.
   A loaded struct def owns all its strings; def_release frees them. */
#ifndef PARINDEX_DEF_H
#define PARINDEX_DEF_H

#include <stddef.h>

#include "err.h"

#define DEF_NONE ((size_t)-1)
#define DEF_MAX_GROUPS 32

enum def_assessed { DEF_SELF, DEF_SURVEY };
enum def_aggregation { DEF_GROUP_MEAN, DEF_POOLED };
enum def_under_quota { DEF_UNDER_QUOTA_FLAG, DEF_UNDER_QUOTA_EXCLUDE };

/* A text in Vietnamese (the first language) and English. */
struct def_text {
	char *vi, *en;
};

struct def_field {
	char *id;
	struct def_text name;
	double max;
	size_t first_criterion, ncriteria; /* a range of def.criteria */
	long line;
};

struct def_criterion {
	char *id;
	struct def_text name;
	double max;
	enum def_assessed assessed;
	size_t field;                     /* index into def.fields */
	size_t first_sub, nsub;           /* a range of def.subcriteria */
	long line;
};

struct def_subcriterion {
	char *id;
	struct def_text name;
	double max;
	size_t criterion; /* index into def.criteria */
	long line;
};

struct def_group {
	char *id;
	struct def_text name;
	int min_forms;
	int open_link; /* open-link="true": the web survey may have an open link (a poster) */
	long line;
};

struct def_option {
	char *code;
	struct def_text label;
	double weight;
	int has_weight;
	int excluded; /* not counted in the valid N */
	long line;
};

struct def_scale {
	char *id;
	struct def_option *options;
	size_t noptions;
	long line;
};

struct def_question {
	char *id;
	struct def_text text;
	int is_profile;   /* respondent profile: asked, not scored */
	size_t criterion; /* index into def.criteria; DEF_NONE for profile questions */
	size_t scale;     /* index into def.scales */
	unsigned groups;  /* bit i set: asked of def.groups[i] */
	long line;
};

struct def_tier {
	char *id;
	struct def_text label;
	double min_index, min_field;
	int is_otherwise; /* the last tier: whatever fits no other */
	long line;
};

/* Thresholds of the survey quality checks (capture/quality.h): the definition's optional
   <quality> element; what it leaves out takes the defaults DEF_QUALITY_* (line 0: no element). */
#define DEF_QUALITY_MIN_SECONDS 5      /* per scored question asked of the form's group */
#define DEF_QUALITY_BURST_FORMS 5      /* this many forms of one device or surveyor ... */
#define DEF_QUALITY_BURST_MINUTES 10   /* ... started within this many minutes */
#define DEF_QUALITY_DONT_KNOW_SHARE 0.5
#define DEF_QUALITY_STRAIGHT_LINING 5  /* scored answers at least, for straight-lining */

struct def_quality {
	double min_seconds;              /* too-short: per scored question asked */
	char window_start[11], window_end[11]; /* survey window, "YYYY-MM-DD"; "" when not set */
	int burst_forms, burst_minutes;
	int near_duplicate;              /* 0: check off */
	char *dont_know;                 /* option codes meaning "don't know", space-separated;
					    NULL: the check is off */
	double dont_know_share;          /* flagged above this share of scored answers */
	int straight_lining;             /* 0: check off */
	long line;
};

struct def {
	char *file; /* where it was loaded from, for messages */
	char *id, *version;
	int year, decimals;
	double max;
	struct def_text title;
	char *province, *district, *district_code;
	char *note;

	struct def_field *fields;
	size_t nfields;
	struct def_criterion *criteria;
	size_t ncriteria;
	struct def_subcriterion *subcriteria;
	size_t nsubcriteria;

	int min_forms;
	enum def_aggregation aggregation;
	enum def_under_quota under_quota;
	struct def_group *groups;
	size_t ngroups;
	struct def_scale *scales;
	size_t nscales;
	struct def_question *questions; /* profile and scored, in document order */
	size_t nquestions;
	struct def_tier *tiers; /* in order, the "otherwise" tier last */
	size_t ntiers;
	struct def_quality quality;

	struct diag warnings; /* what def_load found doubtful but not wrong, "name:line: ..." */
};

/* Load and check a definition held in memory. Every problem found (schema and meaning, the
   meaning checks running on what the schema let through) is added to diag as "name:line:
   message", sorted by line, warnings among them; returns 0 when there are none, else -1 (and d
   is released). On success warnings are in d->warnings. */
int def_load(struct def *d, const char *buf, size_t len, const char *name, struct diag *diag);
int def_load_file(struct def *d, const char *path, struct diag *diag);
void def_release(struct def *d);

size_t def_find_criterion(const struct def *d, const char *id);
size_t def_find_group(const struct def *d, const char *id);
size_t def_find_question(const struct def *d, const char *id);
const struct def_option *def_find_option(const struct def *d, const struct def_question *q,
					 const char *code);
/* Index of the field holding criterion c. */
static inline const struct def_field *def_field_of(const struct def *d, size_t c)
{
	return &d->fields[d->criteria[c].field];
}
/* Is code one of the definition's "don't know" codes (<quality dont-know="...">)? */
int def_is_dont_know(const struct def *d, const char *code);
/* The text in lang "vi" or "en". */
const char *def_text_get(const struct def_text *t, const char *lang);

#endif
