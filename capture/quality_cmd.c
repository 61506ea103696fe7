/* parindex quality: run the survey quality checks, store the flags, list the flagged
   submissions and the statistics per surveyor, device and commune. */
#include "quality.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "csvout.h"
#include "db.h"
#include "escape.h"
#include "store.h"

enum format { TABLE, CSV, JSON };

static const char *const by_names[] = { "surveyor", "device", "commune", "channel" };

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static const char *seconds_text(double s, char buf[32])
{
	if (isnan(s))
		return "-";
	snprintf(buf, 32, "%.0f", s);
	return buf;
}

static const char *rate_text(size_t part, size_t whole, char buf[32])
{
	snprintf(buf, 32, "%.1f", whole ? 100.0 * (double)part / (double)whole : 0.0);
	return buf;
}

static int shown(const struct quality_submission *s, const char *commune)
{
	return s->checks && (!commune || !strcmp(s->commune, commune));
}

/* The forms of commune (all when NULL) and how many of them are flagged. */
static void count_forms(const struct quality_result *r, const char *commune, size_t *forms,
			size_t *flagged)
{
	*forms = *flagged = 0;
	for (size_t i = 0; i < r->nsubs; i++)
		if (!commune || !strcmp(r->subs[i].commune, commune)) {
			++*forms;
			*flagged += r->subs[i].checks != 0;
		}
}

static void print_table(const struct quality_result *r, const char *commune,
			struct quality_stat *stats[QUALITY_NBY], size_t nstats[QUALITY_NBY])
{
	size_t forms, flagged;
	char b1[32], b2[32];

	count_forms(r, commune, &forms, &flagged);
	printf("%zu current submission%s checked%s%s, %zu flagged, at %s\n", forms,
	       forms == 1 ? "" : "s", commune ? " in commune " : "", commune ? commune : "",
	       flagged, r->computed_at);
	if (flagged) {
		printf("\ninstance\tcommune\tgroup\tsurveyor\tdevice\texcluded\tchecks\tdetails\n");
		for (size_t i = 0; i < r->nsubs; i++) {
			const struct quality_submission *s = &r->subs[i];
			const char *cols[] = { s->instance_id, s->commune, s->group, s->surveyor,
					       *s->device ? s->device : "-", s->excluded ? "yes" : "-" };
			const char *sep = "";

			if (!shown(s, commune))
				continue;
			for (size_t k = 0; k < sizeof(cols) / sizeof(*cols); k++) {
				escape_term_fputs(stdout, cols[k]);
				putchar('\t');
			}
			for (int c = 0; c < QUALITY_NCHECKS; c++)
				if (s->detail[c])
					printf("%s%s", sep, quality_check_code(c)), sep = ",";
			putchar('\t');
			sep = "";
			for (int c = 0; c < QUALITY_NCHECKS; c++)
				if (s->detail[c]) {
					printf("%s%s: ", sep, quality_check_code(c));
					escape_term_fputs(stdout, s->detail[c]);
					sep = "; ";
				}
			putchar('\n');
		}
	}
	for (int b = 0; b < QUALITY_NBY; b++) {
		if (!nstats[b])
			continue;
		printf("\n%s\tforms\tmedian_seconds\tflagged\tflag_rate\tcommunes", by_names[b]);
		for (int c = 0; c < QUALITY_NCHECKS; c++)
			printf("\t%s", quality_check_code(c));
		putchar('\n');
		for (size_t i = 0; i < nstats[b]; i++) {
			const struct quality_stat *st = &stats[b][i];

			escape_term_fputs(stdout, *st->key ? st->key : "-");
			printf("\t%zu\t%s\t%zu\t%s%%\t%zu", st->forms,
			       seconds_text(st->median_seconds, b1), st->flagged,
			       rate_text(st->flagged, st->forms, b2), st->communes);
			for (int c = 0; c < QUALITY_NCHECKS; c++)
				printf("\t%zu", st->per_check[c]);
			putchar('\n');
		}
	}
}

/* One row per flag: a flagged submission with two checks is two rows. */
static void print_csv(const struct quality_result *r, const char *commune)
{
	printf("instance_id,commune,group,surveyor,device,excluded,check,detail\n");
	for (size_t i = 0; i < r->nsubs; i++) {
		const struct quality_submission *s = &r->subs[i];

		if (!shown(s, commune))
			continue;
		for (int c = 0; c < QUALITY_NCHECKS; c++) {
			if (!s->detail[c])
				continue;
			csvout_field(stdout, s->instance_id, 0);
			csvout_field(stdout, s->commune, 0);
			csvout_field(stdout, s->group, 0);
			csvout_field(stdout, s->surveyor, 0);
			csvout_field(stdout, s->device, 0);
			csvout_field(stdout, s->excluded ? "yes" : "no", 0);
			csvout_field(stdout, quality_check_code(c), 0);
			csvout_field(stdout, s->detail[c], 1);
		}
	}
}

static void print_json(const struct quality_result *r, const struct def *d, const char *commune,
		       struct quality_stat *stats[QUALITY_NBY], size_t nstats[QUALITY_NBY])
{
	size_t forms, flagged;
	const char *sep = "";
	char b1[32], b2[32];

	count_forms(r, commune, &forms, &flagged);
	printf("{\"computed_at\": ");
	json_string(stdout, r->computed_at);
	printf(", \"definition\": ");
	json_string(stdout, d->id);
	printf(", \"version\": ");
	json_string(stdout, d->version);
	printf(", \"commune\": ");
	if (commune)
		json_string(stdout, commune);
	else
		printf("null");
	printf(", \"submissions\": %zu, \"flagged\": %zu,\n \"flags\": [", forms, flagged);
	for (size_t i = 0; i < r->nsubs; i++) {
		const struct quality_submission *s = &r->subs[i];
		const char *csep = "";

		if (!shown(s, commune))
			continue;
		printf("%s\n  {\"instance_id\": ", sep);
		json_string(stdout, s->instance_id);
		printf(", \"commune\": ");
		json_string(stdout, s->commune);
		printf(", \"group\": ");
		json_string(stdout, s->group);
		printf(", \"surveyor\": ");
		json_string(stdout, s->surveyor);
		printf(", \"device\": ");
		json_string(stdout, s->device);
		printf(", \"excluded\": %s, \"checks\": {", s->excluded ? "true" : "false");
		for (int c = 0; c < QUALITY_NCHECKS; c++)
			if (s->detail[c]) {
				printf("%s\"%s\": ", csep, quality_check_code(c));
				json_string(stdout, s->detail[c]);
				csep = ", ";
			}
		printf("}}");
		sep = ",";
	}
	printf("%s]", *sep ? "\n " : "");
	for (int by = 0; by < QUALITY_NBY; by++) {
		printf(",\n \"%ss\": [", by_names[by]);
		for (size_t i = 0; i < nstats[by]; i++) {
			const struct quality_stat *st = &stats[by][i];

			printf("%s\n  {\"%s\": ", i ? "," : "", by_names[by]);
			json_string(stdout, st->key);
			printf(", \"forms\": %zu, \"median_seconds\": %s, \"flagged\": %zu, "
			       "\"flag_rate\": %s, \"communes\": %zu, \"checks\": {",
			       st->forms,
			       isnan(st->median_seconds) ? "null" : seconds_text(st->median_seconds, b1),
			       st->flagged, rate_text(st->flagged, st->forms, b2), st->communes);
			for (int c = 0; c < QUALITY_NCHECKS; c++)
				printf("%s\"%s\": %zu", c ? ", " : "", quality_check_code(c),
				       st->per_check[c]);
			printf("}}");
		}
		printf("%s]", nstats[by] ? "\n " : "");
	}
	printf("}\n");
}

static int known_commune(sqlite3 *db, const char *code, struct perr *err)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, &st, "SELECT 1 FROM commune WHERE code = ?", err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "reading the register");
	return perr_set(err, PERR_DATA, "--commune", "unknown commune code '%s'", code);
}

int cmd_quality(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "commune", required_argument, NULL, 'c' },
		{ 0 },
	};
	const char *dbopt = NULL, *commune = NULL;
	enum format fmt = TABLE;
	struct quality_result r = { 0 };
	struct quality_stat *stats[QUALITY_NBY] = { 0 };
	size_t nstats[QUALITY_NBY] = { 0 };
	struct perr err = { 0 };
	struct def d = { 0 };
	sqlite3 *db = NULL;
	int c, rc = -1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dbopt = optarg; break;
		case 'c': commune = optarg; break;
		case 'f':
			if (!strcmp(optarg, "table"))
				fmt = TABLE;
			else if (!strcmp(optarg, "csv"))
				fmt = CSV;
			else if (!strcmp(optarg, "json"))
				fmt = JSON;
			else
				return cmd_usage_error("quality",
						       "--format must be table, csv or json, not '%s'",
						       optarg);
			break;
		default: return cmd_bad_option("quality", argv);
		}
	}
	if (optind < argc)
		return cmd_usage_error("quality", "unexpected argument '%s'", argv[optind]);
	if (db_open(&db, db_path(dbopt), DB_EXISTING, &err) < 0)
		return perr_print(&err, "quality");
	/* the checks read and the flags are replaced in one transaction: one consistent view */
	if (db_exec(db, "BEGIN IMMEDIATE", &err) < 0)
		goto fail;
	if ((commune && known_commune(db, commune, &err) < 0) ||
	    store_active_definition(db, &d, &err) < 0 || quality_run(db, &d, &r, &err) < 0 ||
	    quality_store(db, &d, &r, &err) < 0 || db_exec(db, "COMMIT", &err) < 0) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		goto fail;
	}
	for (int b = 0; b < QUALITY_NBY; b++)
		quality_summary(&r, (enum quality_by)b, commune, &stats[b], &nstats[b]);
	if (fmt == TABLE)
		print_table(&r, commune, stats, nstats);
	else if (fmt == CSV)
		print_csv(&r, commune);
	else
		print_json(&r, &d, commune, stats, nstats);
	rc = 0;
fail:
	for (int b = 0; b < QUALITY_NBY; b++)
		free(stats[b]);
	quality_release(&r);
	if (d.id)
		def_release(&d);
	db_close(db);
	return rc < 0 ? perr_print(&err, "quality") : 0;
}
