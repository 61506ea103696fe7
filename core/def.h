/* The index definition: one year's commune-level PAR Index for one province (its area),
   optionally narrowed to a district, loaded from the
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
	int reserve; /* reserve forms (dự phòng) beyond the quota; 0: none */
	int open_link; /* open-link="true": the web survey may have an open link (a poster) */
	long line;
};

/* A ranking group: the unit types it ranks are ranked together, apart from the others. A
   definition without <units> or without <ranking> has one, DEF_RANKING_DEFAULT. */
#define DEF_RANKING_DEFAULT "all"
struct def_ranking {
	char *id;
	struct def_text name;
	long line;
};

/* A unit type of the register ("xã", "phường", ...), lower case as the register keeps it;
   ranking indexes def.rankings, DEF_NONE: listed, computed, shown, never ranked. */
struct def_unit_type {
	char *name;
	size_t ranking;
	long line;
};

/* Bonus and penalty points (điểm thưởng, điểm trừ): leaves of the scores file added to
   (bonus) or subtracted from (penalty) the index after the 100-point score. */
enum def_adjustment_kind { DEF_BONUS, DEF_PENALTY };
struct def_adjustment {
	char *id;
	struct def_text name;
	double max;
	enum def_adjustment_kind kind;
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
	char *province, *district, *district_code; /* district NULL: the whole province */
	int province_city; /* <province type="thành phố">: a centrally-run city, not a tỉnh */
	char *note;

	/* unit types and ranking groups (defaults when the definition has no <units>) */
	struct def_unit_type *unit_types;
	size_t nunit_types;
	struct def_ranking *rankings;
	size_t nrankings;
	int declares_rankings; /* the definition declares its ranking groups (<ranking>) */
	struct def_adjustment *adjustments;
	size_t nadjustments;

	struct def_field *fields;
	size_t nfields;
	struct def_criterion *criteria;
	size_t ncriteria;
	struct def_subcriterion *subcriteria;
	size_t nsubcriteria;

	int has_survey; /* 0: self-assessment only (no <survey>) */
	int min_forms;  /* 0: no per-commune total */
	size_t reserve_question; /* the profile question marking a reserve form, DEF_NONE */
	char *reserve_option;    /* its option that does */
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
/* The definition's area for messages and titles: the district's name when it has one, else
   the province's. */
const char *def_area(const struct def *d);
/* The word for that area in a phrase ("Trung bình huyện", "toàn tỉnh"): "huyện" for a
   definition narrowed to a district, else "thành phố" for a province that is a centrally-run
   city (<province type="thành phố">, or a name that begins "Thành phố"), else "tỉnh". One
   of these three constants, never text of the definition. */
const char *def_area_word(const struct def *d);
/* The unit type named type (lower case), DEF_NONE when the definition does not list it. */
size_t def_find_unit_type(const struct def *d, const char *type);
/* The ranking group of unit type `type`: an index into d->rankings, DEF_NONE when the type
   is not ranked or not listed. */
size_t def_ranking_of(const struct def *d, const char *type);
/* "xã, phường, thị trấn": the listed types, into sb. */
struct strbuf;
void def_unit_types_text(const struct def *d, struct strbuf *sb);
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
