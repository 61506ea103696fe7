/* parindex capture import|list|undo|exclude|include: arguments, output and exit status. */
#include "capture.h"
#include "csvout.h"
#include "encrypted.h"
#include "quality.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account.h"
#include "cmd.h"
#include "db.h"
#include "escape.h"

static int parse_count(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v == 0)
		return -1;
	*out = v;
	return 0;
}

static void counts_line(FILE *f, const struct capture_result *res)
{
	fprintf(f, "%llu entries: %llu accepted, %llu duplicate, %llu edit, %llu rejected, "
		   "%llu ignored",
		(unsigned long long)res->entries, (unsigned long long)res->count[CAPTURE_ACCEPTED],
		(unsigned long long)res->count[CAPTURE_DUPLICATE],
		(unsigned long long)res->count[CAPTURE_EDIT],
		(unsigned long long)res->count[CAPTURE_REJECTED],
		(unsigned long long)res->count[CAPTURE_IGNORED]);
	if (res->waiting)
		fprintf(f, "; %llu edit%s without %s original, counted until %s",
			(unsigned long long)res->waiting, res->waiting == 1 ? "" : "s",
			res->waiting == 1 ? "its" : "their",
			res->waiting == 1 ? "it arrives" : "they arrive");
}

/* A refused zip stored nothing: its entries' rows, written as they were read, come out of the
   receipt again, and one row for the zip says why. */
static void receipt_refused(FILE *rf, long pos, const char *zip, const struct perr *err)
{
	char msg[sizeof(err->where) + sizeof(err->msg) + 2];

	fflush(rf);
	if (pos >= 0 && ftruncate(fileno(rf), pos) == 0)
		fseek(rf, pos, SEEK_SET);
	snprintf(msg, sizeof(msg), "%s%s%s", err->where, err->where[0] ? ": " : "", err->msg);
	fputs(",", rf);
	csvout_field(rf, zip, 0);
	fputs(",,,rejected,zip-refused,", rf);
	csvout_field(rf, msg, 1);
}

static int cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "source", required_argument, NULL, 's' },
		{ "operator", required_argument, NULL, 'o' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "all-or-nothing", no_argument, NULL, 'a' },
		{ "receipt", required_argument, NULL, 'r' },
		{ "max-entries", required_argument, NULL, 'E' },
		{ "max-entry-size", required_argument, NULL, 'S' },
		{ "max-total", required_argument, NULL, 'T' },
		{ "max-ratio", required_argument, NULL, 'R' },
		{ "max-depth", required_argument, NULL, 'D' },
		{ "threads", required_argument, NULL, 'j' },
		{ "key", required_argument, NULL, 'k' },
		{ 0 },
	};
	struct capture_options o;
	const char *dbopt = NULL, *receipt = NULL, *key = NULL;
	struct perr err = { 0 };
	sqlite3 *db = NULL;
	FILE *rf = NULL;
	uint64_t v;
	int c, rc = PERR_OK;

	capture_options_default(&o);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dbopt = optarg; break;
		case 's': o.source = optarg; break;
		case 'o': o.operator_name = optarg; break;
		case 'n': o.dry_run = 1; break;
		case 'a': o.all_or_nothing = 1; break;
		case 'r': receipt = optarg; break;
		case 'k': key = optarg; break;
		case 'E': case 'S': case 'T': case 'R': case 'D': case 'j':
			if (parse_count(optarg, &v) < 0 || ((c == 'D' || c == 'j') && v > 1000))
				return cmd_usage_error("capture", "--%s wants a positive number, not '%s'",
						       c == 'E' ? "max-entries" : c == 'S' ? "max-entry-size"
						       : c == 'T' ? "max-total" : c == 'R' ? "max-ratio"
						       : c == 'D' ? "max-depth" : "threads", optarg);
			if (c == 'E') o.limits.max_entries = v;
			if (c == 'S') o.limits.max_entry_size = v;
			if (c == 'T') o.limits.max_total = v;
			if (c == 'R') o.limits.max_ratio = v;
			if (c == 'D') o.max_depth = (int)v;
			if (c == 'j') o.threads = (int)v;
			break;
		default: return cmd_bad_option("capture", argv);
		}
	}
	if (optind >= argc)
		return cmd_usage_error("capture", "import: name at least one FILE.zip or FILE.csv");
	/* no allocation statistics: they take a global lock on every one of SQLite's mallocs */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	/* the private key: in memory for this run only, never written anywhere */
	if (key && capture_key_load(&o.key, key, &err) < 0)
		return perr_print(&err, "capture");
	if (db_open(&db, db_path(dbopt), DB_EXISTING, &err) < 0) {
		EVP_PKEY_free(o.key);
		return perr_print(&err, "capture");
	}
	/* another import holds the write lock for its whole batch, minutes for a big one: wait */
	sqlite3_busy_timeout(db, 3600 * 1000);
	if (receipt) {
		rf = fopen(receipt, "w");
		if (!rf) {
			db_close(db);
			EVP_PKEY_free(o.key);
			perr_set(&err, PERR_SYSTEM, receipt, "cannot write: %s", strerror(errno));
			return perr_print(&err, "capture");
		}
		fputs("batch,entry,instance_id,form,commune,status,reason,message\n", rf);
	}
	o.receipt = rf;
	o.messages = stderr;
	o.progress = isatty(STDERR_FILENO) ? stderr : NULL;
	for (int i = optind; i < argc; i++) {
		struct capture_result res;
		char *shown = escape_term_dup(argv[i]); /* the operator's file name, as text */
		long pos;
		int one;

		perr_clear(&err);
		pos = rf ? ftell(rf) : 0;
		if (capture_import(db, argv[i], &o, &res, &err) < 0) {
			one = perr_print(&err, "capture");
			if (res.refused)
				fprintf(stderr, "parindex: capture: %s: zip refused; nothing stored\n",
					shown);
			if (res.refused && rf)
				receipt_refused(rf, pos, argv[i], &err);
			rc = one > rc ? one : rc;
			free(shown);
			continue;
		}
		if (o.dry_run)
			printf("dry run: %s: ", shown);
		else if (res.batch_id)
			printf("batch %lld: %s: ", (long long)res.batch_id, shown);
		else
			printf("%s: ", shown);
		if (res.already)
			printf("imported before as batch %lld; its entries retried (those stored then "
			       "are duplicates): ", (long long)res.already);
		counts_line(stdout, &res);
		if (o.dry_run)
			printf("; nothing stored");
		else if (res.already && !res.batch_id)
			printf("; nothing changed");
		else if (!res.batch_id)
			printf("; nothing stored (--all-or-nothing)");
		printf("\n");
		one = res.count[CAPTURE_REJECTED] ? PERR_DATA : PERR_OK;
		/* a zip none of whose entries is in the database now is not a success */
		if (res.entries && !res.count[CAPTURE_ACCEPTED] && !res.count[CAPTURE_EDIT] &&
		    !res.count[CAPTURE_DUPLICATE]) {
			fprintf(stderr, "parindex: capture: %s: no submission %s from its %llu "
					"entries\n", shown, o.dry_run ? "would be stored" : "stored",
				(unsigned long long)res.entries);
			one = PERR_DATA;
		}
		rc = one > rc ? one : rc;
		free(shown);
	}
	if (rf && fclose(rf) != 0) {
		perr_set(&err, PERR_SYSTEM, receipt, "cannot write: %s", strerror(errno));
		rc = perr_print(&err, "capture");
	}
	db_close(db);
	EVP_PKEY_free(o.key);
	return rc;
}

/* The exclusions in effect, after the batches and only when there are some: how many
   submissions the tally leaves out, and why. */
static int list_exclusions(sqlite3 *db, struct perr *err)
{
	sqlite3_stmt *st;
	int rc, n = 0;

	if (db_prepare(db, &st,
		       "SELECT e.instance_id, coalesce(s.commune_code, ''), coalesce(s.group_id, ''), "
		       "e.excluded_at, e.excluded_by, e.reason, "
		       "CASE WHEN s.id IS NULL THEN 'not stored' WHEN s.superseded_by IS NOT NULL "
		       "THEN 'replaced' ELSE 'current' END "
		       "FROM exclusion e LEFT JOIN submission s ON s.instance_id = e.instance_id "
		       "WHERE e.included_at IS NULL ORDER BY e.id",
		       err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!n++)
			printf("\nexcluded (left out of the tally; 'capture include' takes one back)\n"
			       "instance\tcommune\tgroup\texcluded\tby\treason\tsubmission\n");
		for (int i = 0; i < 7; i++) {
			escape_term_fputs(stdout, (const char *)sqlite3_column_text(st, i));
			putchar(i == 6 ? '\n' : '\t');
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "reading exclusions");
	if (n)
		printf("%d submission%s excluded\n", n, n == 1 ? "" : "s");
	return 0;
}

static int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ 0 },
	};
	const char *dbopt = NULL;
	struct perr err = { 0 };
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dbopt = optarg; break;
		default: return cmd_bad_option("capture", argv);
		}
	}
	if (optind < argc)
		return cmd_usage_error("capture", "list: unexpected argument '%s'", argv[optind]);
	if (db_open(&db, db_path(dbopt), DB_EXISTING, &err) < 0)
		return perr_print(&err, "capture");
	/* waiting: the batch's edits whose original is not stored; they count meanwhile */
	if (db_prepare(db, &st, "SELECT id, file_name, entries, accepted, duplicates, edits, "
				"rejected, ignored, started_at, finished_at, coalesce(operator, ''), "
				"coalesce(source, ''), coalesce(undone_at, ''), sha256, "
				"(SELECT count(*) FROM submission s WHERE s.batch_id = batch.id AND "
				"s.deprecated_id IS NOT NULL AND s.replaces IS NULL) "
				"FROM batch ORDER BY id", &err) < 0)
		goto fail;
	printf("batch\tfile\tentries\taccepted\tduplicate\tedit\trejected\tignored\tstarted\t"
	       "finished\toperator\tsource\tundone\tsha256\twaiting\n");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* a file name from the zip's path may hold control characters: shown escaped */
		for (int i = 0; i < 15; i++) {
			escape_term_fputs(stdout, (const char *)sqlite3_column_text(st, i));
			putchar(i == 14 ? '\n' : '\t');
		}
	}
	if (rc != SQLITE_DONE) {
		db_fail(db, &err, "reading batches");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (list_exclusions(db, &err) < 0)
		goto fail;
	db_close(db);
	return 0;
fail:
	sqlite3_finalize(st);
	db_close(db);
	return perr_print(&err, "capture");
}

static int cmd_undo(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ 0 },
	};
	const char *dbopt = NULL;
	struct capture_result res;
	struct perr err = { 0 };
	sqlite3 *db = NULL;
	uint64_t batch;
	char who[64];
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dbopt = optarg; break;
		default: return cmd_bad_option("capture", argv);
		}
	}
	if (optind + 1 != argc || parse_count(argv[optind], &batch) < 0 || batch > INT64_MAX)
		return cmd_usage_error("capture", "undo: name one BATCH number");
	if (db_open(&db, db_path(dbopt), DB_EXISTING, &err) < 0)
		return perr_print(&err, "capture");
	if (capture_undo(db, (int64_t)batch, account_cli_user(who), "cli", &res, &err) < 0) {
		db_close(db);
		return perr_print(&err, "capture");
	}
	printf("batch %lld undone: %llu submissions removed, %llu edited submissions restored",
	       (long long)batch, (unsigned long long)res.count[CAPTURE_ACCEPTED],
	       (unsigned long long)res.count[CAPTURE_EDIT]);
	if (res.waiting)
		printf(", %llu edits of other batches wait for their original again",
		       (unsigned long long)res.waiting);
	if (res.reopened)
		printf(", %llu paper forms to be keyed again", (unsigned long long)res.reopened);
	printf("\n");
	db_close(db);
	return 0;
}

/* exclude INSTANCEID --reason TEXT, include INSTANCEID */
static int cmd_exclude(int argc, char **argv, int excluding)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "reason", required_argument, NULL, 'r' },
		{ 0 },
	};
	const char *dbopt = NULL, *reason = NULL, *sub = excluding ? "exclude" : "include";
	struct perr err = { 0 };
	sqlite3 *db = NULL;
	char who[64], *shown;
	int c, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dbopt = optarg; break;
		case 'r':
			if (!excluding)
				return cmd_usage_error("capture", "include: --reason is for exclude");
			reason = optarg;
			break;
		default: return cmd_bad_option("capture", argv);
		}
	}
	if (optind + 1 != argc || !*argv[optind])
		return cmd_usage_error("capture", "%s: name one INSTANCEID", sub);
	if (excluding && (!reason || !reason[strspn(reason, " \t\r\n")]))
		return cmd_usage_error("capture", "exclude: say why with --reason TEXT");
	if (db_open(&db, db_path(dbopt), DB_EXISTING, &err) < 0)
		return perr_print(&err, "capture");
	account_cli_user(who);
	rc = excluding ? capture_exclude(db, argv[optind], reason, who, &err)
		       : capture_include(db, argv[optind], who, &err);
	db_close(db);
	if (rc < 0)
		return perr_print(&err, "capture");
	shown = escape_term_dup(argv[optind]);
	printf(excluding ? "%s: excluded; the next tally leaves it out\n"
			 : "%s: included again; the next tally counts it\n", shown);
	free(shown);
	return 0;
}

int cmd_capture(int argc, char **argv)
{
	if (argc < 2)
		return cmd_usage_error("capture", "say 'import', 'list', 'undo', 'exclude' or 'include'");
	optind = 1;
	if (!strcmp(argv[1], "import"))
		return cmd_import(argc - 1, argv + 1);
	if (!strcmp(argv[1], "list"))
		return cmd_list(argc - 1, argv + 1);
	if (!strcmp(argv[1], "undo"))
		return cmd_undo(argc - 1, argv + 1);
	if (!strcmp(argv[1], "exclude") || !strcmp(argv[1], "include"))
		return cmd_exclude(argc - 1, argv + 1, argv[1][0] == 'e');
	return cmd_usage_error("capture", "no subcommand '%s'", argv[1]);
}
