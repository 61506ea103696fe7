/* Survey quality (issue 14): checks per current submission, statistics per surveyor, device
   and commune, and the office's exclusions. The checks' thresholds are the definition's
   (struct def_quality, the <quality> element). Flags are advice: they never change a tally;
   only an exclusion (capture_exclude) does, and it is the office's explicit act.
   Ownership: a struct quality_result owns its strings; quality_release frees them. The
   stats of quality_summary borrow their keys from the result they were made from. */
#ifndef PARINDEX_QUALITY_H
#define PARINDEX_QUALITY_H

#include <sqlite3.h>
#include <stddef.h>

#include "def.h"
#include "err.h"

/* The checks, in the order they are listed; their codes are fixed words (quality_flag's
   check_code, the outputs):
     too-short           end - start under min-seconds-per-question x the scored questions
                         asked of the form's group
     impossible-time     end before start, a start or end outside the survey window (the
                         dates as the device wrote them) or later than now (db_now)
     straight-lining     every scored answer the same option code, with at least
                         straight-lining of them
     burst               one of burst-forms or more forms of one device, or one surveyor,
                         started within burst-minutes
     near-duplicate      the same profile and scored answers as another form of the commune
     outside-assignment  the surveyor has an account with assigned communes (user add
                         --communes), and this commune is not one of them
     dont-know           the share of "don't know" codes among its scored answers above
                         dont-know-share (only when the definition names the codes) */
enum quality_check {
	QUALITY_TOO_SHORT,
	QUALITY_IMPOSSIBLE_TIME,
	QUALITY_STRAIGHT_LINING,
	QUALITY_BURST,
	QUALITY_NEAR_DUPLICATE,
	QUALITY_OUTSIDE_ASSIGNMENT,
	QUALITY_DONT_KNOW,
	QUALITY_NCHECKS
};
const char *quality_check_code(enum quality_check c);
/* The check's name for the office, in Vietnamese (the dashboard, the report). */
const char *quality_check_vi(enum quality_check c);

struct quality_submission {
	char *instance_id, *commune, *group, *surveyor, *device; /* device "" when absent */
	char *channel;                  /* its batch's: collect, web, open or paper */
	char *started, *ended;          /* as stored, "" when absent */
	double seconds;                 /* end - start; NAN when a time is missing */
	int excluded;                   /* an exclusion in effect (capture exclude) */
	unsigned checks;                /* bit 1 << enum quality_check per flag */
	char *detail[QUALITY_NCHECKS];  /* what tripped each flag; NULL when not flagged */
};

struct quality_result {
	char computed_at[32];           /* db_now of the run */
	struct quality_submission *subs; /* the counted and the excluded submissions of the
					    definition's forms, in the order they were stored */
	size_t nsubs, flagged;
};

/* Run every check over the submissions of d's forms the tally counts and those it leaves out
   as excluded (marked),
   reading the database only. 0, or -1 with err. */
int quality_run(sqlite3 *db, const struct def *d, struct quality_result *r, struct perr *err);
void quality_release(struct quality_result *r);
/* Replace quality_run/quality_flag with r, inside the caller's transaction. */
int quality_store(sqlite3 *db, const struct def *d, const struct quality_result *r,
		  struct perr *err);

/* Statistics of the forms sharing a surveyor, a device, a commune or a channel (so that the
   web survey's open link is seen apart). */
enum quality_by { QUALITY_BY_SURVEYOR, QUALITY_BY_DEVICE, QUALITY_BY_COMMUNE, QUALITY_BY_CHANNEL };
#define QUALITY_NBY 4
struct quality_stat {
	const char *key;          /* the surveyor, device ("" for none), commune code or channel */
	size_t forms, flagged;    /* flagged: forms with any flag */
	size_t communes;          /* distinct communes of its forms */
	double median_seconds;    /* of the forms with both times, not ending before the start;
				     NAN when none has */
	size_t per_check[QUALITY_NCHECKS]; /* forms with each flag */
};
/* For the office's dashboard and the command: one stat per surveyor, device or commune of
   r's submissions (only those of commune when it is not NULL), ordered by key; *out is
   allocated (free it; its keys point into r). */
void quality_summary(const struct quality_result *r, enum quality_by by, const char *commune,
		     struct quality_stat **out, size_t *n);

/* Leave a current submission out of the tally (as if it were not stored), or take that
   back. who and reason are recorded with the time (table exclusion) and in the audit log.
   An excluded edit makes the submission it replaced count again, as if the edit had never
   been stored (views counted_submission and excluded_submission of migration 0009).
   PERR_DATA for an instance that is unknown, replaced by an edit that counts, already
   excluded (exclude) or not excluded (include). Each in its own transaction. */
int capture_exclude(sqlite3 *db, const char *instance_id, const char *reason, const char *who,
		    struct perr *err);
int capture_include(sqlite3 *db, const char *instance_id, const char *who, struct perr *err);
/* The same, done from address (the office's pages): the audit log records it instead of
   "cli". */
int capture_exclude_from(sqlite3 *db, const char *instance_id, const char *reason,
			 const char *who, const char *address, struct perr *err);
int capture_include_from(sqlite3 *db, const char *instance_id, const char *who,
			 const char *address, struct perr *err);

/* The submissions of definition def_id def_version the tally leaves out as excluded (view
   excluded_submission): *total of them and, when reasons is not NULL, a count per reason, most
   first (*reasons allocated; quality_reasons_free). For tally's line and the report. */
struct quality_reason {
	char *reason;
	long n;
};
int quality_excluded(sqlite3 *db, const char *def_id, const char *def_version,
		     struct quality_reason **reasons, size_t *n, long *total, struct perr *err);
void quality_reasons_free(struct quality_reason *v, size_t n);

/* parindex quality */
int cmd_quality(int argc, char **argv);

#endif
