/* parindex backup: arguments, output and exit status; the copy itself is core/backup.c. */
#include "backup.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "db.h"
#include "escape.h"

static void count_line(const char *what, long long source, long long copy)
{
	if (source < 0) /* no such table in this schema version */
		printf("%-16s %8s %8s\n", what, "-", "-");
	else
		printf("%-16s %8lld %8lld\n", what, source, copy);
}

int cmd_backup(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "out", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ 0 },
	};
	const char *dbopt = NULL, *out = NULL;
	char *src, *dst;
	struct backup_report r;
	struct perr err = { 0 };
	sqlite3 *db = NULL;
	int c, force = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dbopt = optarg; break;
		case 'o': out = optarg; break;
		case 'f': force = 1; break;
		default: return cmd_bad_option("backup", argv);
		}
	}
	if (optind < argc)
		return cmd_usage_error("backup", "unexpected argument '%s'", argv[optind]);
	if (!out || !*out)
		return cmd_usage_error("backup", "name the copy with --out FILE");
	if (backup_open(&db, db_path(dbopt), &err) < 0 ||
	    backup_database(db, out, force, NULL, NULL, &r, &err) < 0) {
		sqlite3_close(db);
		return perr_print(&err, "backup");
	}
	sqlite3_close(db);
	/* the paths are the operator's: shown with control characters escaped */
	src = escape_term_dup(db_path(dbopt));
	dst = escape_term_dup(out);
	printf("copied %s to %s: %lld pages of %lld bytes in %lld step%s\n", src, dst, r.pages,
	       r.page_size, r.steps, r.steps == 1 ? "" : "s");
	printf("checked          %8s %8s\n", "source", "copy");
	printf("%-16s %8s %8s\n", "integrity_check", "-", r.integrity);
	count_line("schema version", r.source.schema_version, r.copy.schema_version);
	count_line("submissions", r.source.submissions, r.copy.submissions);
	count_line("batches", r.source.batches, r.copy.batches);
	count_line("scores", r.source.scores, r.copy.scores);
	count_line("communes", r.source.communes, r.copy.communes);
	count_line("accounts", r.source.accounts, r.copy.accounts);
	if (r.spool)
		printf("spool: %lld spooled submission%s applied to the copy (%lld stored, %lld "
		       "batch%s opened)\n", r.spool_entries, r.spool_entries == 1 ? "" : "s",
		       r.spool_submissions, r.spool_batches, r.spool_batches == 1 ? "" : "es");
	printf("%s: ok (the source as committed when the copy began)\n", dst);
	free(src);
	free(dst);
	return 0;
}
