/* parindex: the command table, help, and the foundation commands (init, definition). Each
   pipeline stage brings its own cmd_* function through its header. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account.h"
#include "backup.h"
#include "capture/capture.h"
#include "capture/codes.h"
#include "capture/quality.h"
#include "capture/serve.h"
#include "cmd.h"
#include "commune.h"
#include "db.h"
#include "def.h"
#include "embedded.h"
#include "escape.h"
#include "merge.h"
#include "forms/forms.h"
#include "reports/reports.h"
#include "store.h"
#include "tally/tally.h"
#include "strbuf.h"

static int cmd_init(int argc, char **argv);
static int cmd_definition(int argc, char **argv);
static int cmd_help(int argc, char **argv);

/* capture import's limits, as capture_options_default sets them */
static void capture_options_more(FILE *out)
{
	struct capture_options o;

	capture_options_default(&o);
	fprintf(out,
		"  --max-entries N      refuse a zip of more entries (default: %llu)\n"
		"  --max-entry-size BYTES\n"
		"                       reject an entry larger than this, inflated (default: %llu)\n"
		"  --max-total BYTES    refuse a zip that inflates to more in all (default: %llu)\n"
		"  --max-ratio N        refuse a zip with an entry compressed more than N to 1\n"
		"                       (default: %llu)\n"
		"  --max-depth N        reject an entry nested deeper than N elements (default: %d)\n"
		"  --threads N          read and check entries with N workers, at most 8\n"
		"                       (default: one per CPU)\n",
		(unsigned long long)o.limits.max_entries, (unsigned long long)o.limits.max_entry_size,
		(unsigned long long)o.limits.max_total, (unsigned long long)o.limits.max_ratio,
		o.max_depth);
}

#define DB_OPTION "  --db FILE            the database (default: $PARINDEX_DB, else ./parindex.db)\n"

/* The synopsis lines here are the ones of the man page (a test compares them); so are the
   options (a test checks that each command's --help describes every option of its synopsis). */
static const struct cmd commands[] = {
	{ "init", cmd_init,
	  "parindex init [--db FILE] [--definition FILE] [--communes FILE] [--merges FILE]",
	  "create or upgrade the database; load a definition, a commune register, merged units",
	  DB_OPTION
	  "  --definition FILE    the index definition to load and work with (default: the\n"
	  "                       database's own; for a new database the built-in one)\n"
	  "  --communes FILE      the commune register, CSV code,name,type[,district_code,district]\n"
	  "                       [,province]; its communes are added or updated (default: none)\n"
	  "  --merges FILE        the merged units, CSV new_code,old_code,effective; its rows\n"
	  "                       are added or updated (default: none)\n", NULL },
	{ "definition", cmd_definition,
	  "parindex definition check FILE...\n"
	  "parindex definition default\n"
	  "parindex definition use [--db FILE] ID VERSION",
	  "check index definitions; print the built-in one; choose the year to work with",
	  DB_OPTION, NULL },
	{ "forms", cmd_forms,
	  "parindex forms [--db FILE] [--out DIR] [--base-url URL] [--encrypt PUBLIC.pem]\n"
	  "parindex forms lint [--for collect|central] FILE...",
	  "write, check and register the survey forms (XForms, printable, codebook)",
	  DB_OPTION
	  "  --out DIR            the folder to write (default: ./parindex-forms)\n"
	  "  --base-url URL       the http(s) URL the folder is served at, for absolute download\n"
	  "                       URLs in formList.xml (default: none, URLs relative to it)\n"
	  "  --encrypt PUBLIC.pem ODK encrypted forms to this RSA public key (default: none,\n"
	  "                       plain forms)\n"
	  "  --for WHERE          lint for collect or central, which also needs\n"
	  "                       meta/instanceID (default: collect)\n", NULL },
	{ "capture", cmd_capture,
	  "parindex capture import [--db FILE] [--source TEXT] [--operator NAME] [--dry-run] [--all-or-nothing] [--receipt FILE] [--max-entries N] [--max-entry-size BYTES] [--max-total BYTES] [--max-ratio N] [--max-depth N] [--threads N] [--key PRIVATE.pem] FILE.zip|FILE.csv...\n"
	  "parindex capture list [--db FILE]\n"
	  "parindex capture undo [--db FILE] BATCH\n"
	  "parindex capture exclude [--db FILE] --reason TEXT INSTANCEID\n"
	  "parindex capture include [--db FILE] INSTANCEID",
	  "import submission zips or Central CSV exports as batches; list, undo; exclude a submission",
	  DB_OPTION
	  "  --source TEXT        where the zips came from, kept with each batch (default: none)\n"
	  "  --operator NAME      who imported them, kept with each batch (default: none)\n"
	  "  --dry-run            check and count everything, store nothing (default: off)\n"
	  "  --all-or-nothing     store nothing of a zip with any rejected entry (default: off)\n"
	  "  --receipt FILE       write a CSV row per entry: status, reason, message\n"
	  "                       (default: none)\n"
	  "  --reason TEXT        exclude: why the submission is left out of the tally\n"
	  "                       (default: none, required)\n"
	  "  --key PRIVATE.pem    decrypt encrypted submissions with this RSA private key, never\n"
	  "                       stored (default: none, they are rejected)\n",
	  capture_options_more },
	{ "export", cmd_export,
	  "parindex export [--db FILE] [--format csv|xlsx|sav|dta] [--out FILE]",
	  "write the submissions for analysts: CSV as ODK Central's, XLSX, SPSS, Stata",
	  DB_OPTION
	  "  --format csv|xlsx|sav|dta\n"
	  "                       the file's format (default: from --out's extension, else csv)\n"
	  "  --out FILE           the file to write (default: submissions.FORMAT)\n", NULL },
	{ "quality", cmd_quality,
	  "parindex quality [--db FILE] [--format table|csv|json] [--commune CODE]",
	  "check the survey's submissions; statistics per surveyor, device and commune",
	  DB_OPTION
	  "  --format table|csv|json\n"
	  "                       how the flags and statistics are printed (default: table)\n"
	  "  --commune CODE       only the flags and statistics of commune CODE (default: all)\n",
	  NULL },
	{ "scores", cmd_scores,
	  "parindex scores template [--db FILE] [--out FILE.xlsx|FILE.csv]\n"
	  "parindex scores import [--db FILE] FILE.csv|FILE.xlsx",
	  "write the self-assessment sheet to fill; import self and appraised scores",
	  DB_OPTION
	  "  --out FILE.xlsx|FILE.csv\n"
	  "                       template: the file to write, XLSX or CSV by its name\n"
	  "                       (default: CSV on standard output)\n", NULL },
	{ "tally", cmd_tally,
	  "parindex tally [--db FILE] [--format table|csv|json] [--resamples N] [--seed N] [--threads N]\n"
	  "parindex tally [--db FILE] --explain CODE [--lang vi|en]\n"
	  "parindex tally [--db FILE] --year YEAR [--format table|csv|json]",
	  "compute points, index, class and rank of every commune; explain one",
	  DB_OPTION
	  "  --format table|csv|json\n"
	  "                       how the ranking is printed (default: table)\n"
	  "  --explain CODE       print every step for commune CODE instead (default: none)\n"
	  "  --lang vi|en         the language of --explain (default: vi)\n"
	  "  --resamples N        bootstrap resamples for the 95 % intervals and class\n"
	  "                       shares, 0 for none (default: 2000)\n"
	  "  --seed N             the resamples' random seed (default: 20260101)\n"
	  "  --threads N          threads for the resamples (default: the processors)\n"
	  "  --year YEAR          print the ranking kept from the tally of YEAR instead; computes\n"
	  "                       and stores nothing (default: none, tally the active definition)\n", NULL },
	{ "report", cmd_report,
	  "parindex report [--db FILE] [--out DIR] [--formats LIST] [--no-bom] [--year YEAR]",
	  "write the ranking, tables (XLSX, CSV), charts (PNG, SVG) and HTML report",
	  DB_OPTION
	  "  --out DIR            the folder to write (default: ./report)\n"
	  "  --formats LIST       comma-separated, of html,xlsx,csv,png,svg (default: all five)\n"
	  "  --no-bom             CSV files without the UTF-8 byte-order mark (default: with it)\n"
	  "  --year YEAR          the report of the tally kept for YEAR, against its previous year\n"
	  "                       (default: the last tally)\n", NULL },
	{ "user", cmd_user,
	  "parindex user add [--db FILE] --role surveyor|office|analyst|keyer [--communes CODE,...] [--groups G1,...] [--password-stdin] NAME\n"
	  "parindex user list [--db FILE]\n"
	  "parindex user disable [--db FILE] NAME\n"
	  "parindex user passwd [--db FILE] [--password-stdin] NAME",
	  "add, list and disable the accounts of the server; set a password",
	  DB_OPTION
	  "  --role surveyor|office|analyst|keyer\n"
	  "                       add: what the account may do (default: none, required);\n"
	  "                       a keyer keys paper forms on the server's /key page\n"
	  "  --communes CODE,...  add: the communes a surveyor submits for (a keyer keys\n"
	  "                       for), codes of the register (default: none, required for\n"
	  "                       a surveyor or keyer)\n"
	  "  --groups G1,...      add: the respondent groups a surveyor submits for (a keyer\n"
	  "                       keys for), ids of the\n"
	  "                       definition (default: every group)\n"
	  "  --password-stdin     read the password from one line of standard input\n"
	  "                       (default: asked twice on the terminal, without echo)\n", NULL },
	{ "backup", cmd_backup,
	  "parindex backup [--db FILE] --out FILE [--force]",
	  "copy the database consistently while it is in use, and check the copy",
	  DB_OPTION
	  "  --out FILE           the copy to write (default: none, required)\n"
	  "  --force              overwrite FILE if it exists (default: refuse)\n", NULL },
	{ "serve", cmd_serve,
	  "parindex serve [--db FILE] [--listen ADDR:PORT] [--tls-cert PEM --tls-key PEM] [--public-url URL] [--report-dir DIR] [--timeout SECONDS] [--forwarded-for] [--key PRIVATE.pem]",
	  "take ODK Collect's submissions (OpenRosa) and serve the office's pages over HTTP",
	  DB_OPTION
	  "  --listen ADDR:PORT   the address and port to listen on; 0.0.0.0:8080 opens it to\n"
	  "                       the network, port 0 picks a free one (default: 127.0.0.1:8080)\n"
	  "  --tls-cert PEM       serve HTTPS with this certificate (PEM file), with --tls-key\n"
	  "                       (default: none, plain HTTP)\n"
	  "  --tls-key PEM        the certificate's private key (PEM file) (default: none)\n"
	  "  --public-url URL     the http(s) URL clients reach the server at, for absolute URLs\n"
	  "                       in formList (default: none, from the request's Host header)\n"
	  "  --report-dir DIR     where the office's \"run the report\" writes and serves from\n"
	  "                       (default: a report folder beside the database)\n"
	  "  --timeout SECONDS    close a connection idle or silent this long (default: 30)\n"
	  "  --forwarded-for      behind a reverse proxy on this machine: the client's address\n"
	  "                       is the last of X-Forwarded-For on connections from 127.0.0.1\n"
	  "                       or ::1 (default: off, the connection's address)\n"
	  "  --key PRIVATE.pem    decrypt encrypted submissions with this RSA private key, kept\n"
	  "                       in memory only (default: none, they are rejected)\n",
	  NULL },
	{ "codes", cmd_codes,
	  "parindex codes issue [--db FILE] --commune CODE --group G --count N --url URL --out FILE.html|FILE.pdf\n"
	  "parindex codes list [--db FILE]\n"
	  "parindex codes void [--db FILE] [--sheet N] [CODE...]",
	  "make single-use codes of the web survey as printable slips; count them; void them",
	  DB_OPTION
	  "  --commune CODE       issue: the commune the codes are for (default: none, required)\n"
	  "  --group G            issue: the respondent group (default: none, required)\n"
	  "  --count N            issue: how many codes, 1 to 10000 (default: none, required)\n"
	  "  --url URL            issue: the server's public http(s) URL, the base of the link\n"
	  "                       in the QR codes (default: none, required)\n"
	  "  --out FILE.html|FILE.pdf\n"
	  "                       issue: the A4 sheets of slips to write; a .pdf is printed\n"
	  "                       with chromium (default: none, required)\n"
	  "  --sheet N            void: every unused code of `codes issue` run N (default: none)\n",
	  NULL },
	{ "help", cmd_help, "parindex help [COMMAND]", "show help for parindex or a command", NULL,
	  NULL },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct cmd *find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void usage_all(FILE *out)
{
	fprintf(out, "usage: parindex [--version] [--help] COMMAND [ARGS]\n\n"
		     "Survey forms, capture, tally and reports of the commune-level\n"
		     "Administrative Reform Index (Chỉ số cải cách hành chính).\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nsynopsis:\n");
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const char *s = commands[i].synopsis;

		while (*s) {
			size_t n = strcspn(s, "\n");
			fprintf(out, "  %.*s\n", (int)n, s);
			s += n + (s[n] == '\n');
		}
	}
	fprintf(out, "\nThe database is --db FILE, else $PARINDEX_DB, else ./parindex.db.\n"
		     "Exit status: 0 ok, 1 data rejected, 2 usage, 3 system error.\n");
}

void cmd_usage(const struct cmd *c, FILE *out)
{
	const char *s = c->synopsis;

	fprintf(out, "usage: ");
	while (*s) {
		size_t n = strcspn(s, "\n");
		fprintf(out, "%s%.*s\n", s == c->synopsis ? "" : "   or: ", (int)n, s);
		s += n + (s[n] == '\n');
	}
	fprintf(out, "\n%s\n", c->summary);
}

/* --help and 'help COMMAND': the usage, then every option with its default. */
static void command_help(const struct cmd *c, FILE *out)
{
	cmd_usage(c, out);
	if (!c->options && !c->options_more) {
		fprintf(out, "\noptions: none\n");
		return;
	}
	fprintf(out, "\noptions:\n%s", c->options ? c->options : "");
	if (c->options_more)
		c->options_more(out);
}

int cmd_parse_count(const char *s, unsigned long long min, unsigned long long max,
		    unsigned long long *out)
{
	unsigned long long v = 0;

	if (!*s || strlen(s) > 19)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned long long)(*s - '0');
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int cmd_usage_error(const char *name, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	/* the message quotes what was typed: control characters in it shown escaped */
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	fprintf(stderr, "parindex: %s: ", name);
	escape_term_fputs(stderr, msg ? msg : fmt);
	fprintf(stderr, "\n");
	free(msg);
	if (find(name))
		cmd_usage(find(name), stderr);
	return PERR_USAGE;
}

int cmd_bad_option(const char *name, char **argv)
{
	return cmd_usage_error(name, "unknown option or missing value: '%s'", argv[optind - 1]);
}

static int cmd_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	return 0;
}

static int cmd_help(int argc, char **argv)
{
	const struct cmd *c;

	if (argc < 2) {
		usage_all(stdout);
		return 0;
	}
	c = find(argv[1]);
	if (!c)
		return cmd_usage_error("help", "no command '%s'", argv[1]);
	command_help(c, stdout);
	return 0;
}

/* A definition is one area's index, so init refuses a register of another area before
   storing either: the definition given (else the database's, else the built-in one) against
   the register given (else the database's); a register in the database must have the unit
   types of a definition given (each other one in diag: rc 1). */
static int init_check_district(sqlite3 *db, const struct def *d, const char *deffile,
			       const char *defname, int has_active, const char *communes,
			       const struct commune_list *cl, struct diag *diag, struct perr *err)
{
	struct def stored = { 0 };
	struct commune_list stored_cl = { 0 };
	char desc[300];
	int rc = 0;

	if (communes && !deffile && has_active) {
		if (store_active_definition(db, &stored, err) < 0)
			return -1;
		snprintf(desc, sizeof(desc), "%s %s in the database", stored.id, stored.version);
		rc = store_check_district(&stored, desc, cl, "", communes, err);
	} else if (communes) {
		snprintf(desc, sizeof(desc), "%s%s", defname, deffile ? "" : " (built in)");
		rc = store_check_district(d, desc, cl, "", communes, err);
	} else if (deffile) {
		if (store_load_communes(db, &stored_cl, err) < 0)
			return -1;
		rc = store_check_district(d, "", &stored_cl, "in the database", deffile, err);
		snprintf(desc, sizeof(desc), "%s(register in the database)", deffile);
		if (!rc && commune_check_types(&stored_cl, d, desc, diag) < 0)
			rc = 1;
	}
	def_release(&stored);
	commune_list_release(&stored_cl);
	return rc;
}

/* The definition whose unit types a register given to init must have: the one given, else
   the database's active one, else the built-in one (d). stored receives the database's. */
static const struct def *init_types_definition(const char *deffile, const char *dbopt,
					       const struct def *d, struct def *stored)
{
	struct perr err = { 0 };
	sqlite3 *db = NULL;
	int found = 0;

	if (deffile || access(db_path(dbopt), F_OK) != 0)
		return d;
	/* read only, and quietly: init reports what is wrong with the database itself later */
	if (db_open_file(&db, db_path(dbopt), SQLITE_OPEN_READONLY, &err) == 0 &&
	    db_setting_get(db, "active_definition", (char[200]){ 0 }, 200, &err) == 0)
		found = store_active_definition(db, stored, &err) == 0;
	sqlite3_close(db);
	return found ? stored : d;
}

/* parindex init: one transaction, so a bad register leaves the database as it was. */
static int cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "definition", required_argument, NULL, 'f' },
		{ "communes", required_argument, NULL, 'c' },
		{ "merges", required_argument, NULL, 'm' },
		{ 0 },
	};
	const char *dbopt = NULL, *deffile = NULL, *communes = NULL, *merges = NULL, *defname;
	struct merge_list ml = { 0 };
	struct store_counts mn = { 0 };
	struct strbuf content = STRBUF_INIT;
	struct diag diag = { 0 };
	struct def d = { 0 };
	struct commune_list cl = { 0 };
	struct store_counts dn = { 0 }, cn = { 0 };
	struct perr err = { 0 };
	sqlite3 *db = NULL;
	int c, rc = PERR_OK, before = 0, active;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dbopt = optarg; break;
		case 'f': deffile = optarg; break;
		case 'c': communes = optarg; break;
		case 'm': merges = optarg; break;
		default: return cmd_bad_option("init", argv);
		}
	}
	if (optind < argc)
		return cmd_usage_error("init", "unexpected argument '%s'", argv[optind]);

	/* read and check both inputs before touching the database */
	if (communes && access(communes, R_OK) != 0) {
		perr_set(&err, PERR_USAGE, communes, "cannot read: %s", strerror(errno));
		goto fail;
	}
	if (deffile) {
		if (strbuf_read_file(&content, deffile, 16 << 20) < 0) {
			perr_set(&err, PERR_USAGE, deffile, "cannot read: %s", strerror(errno));
			goto fail;
		}
		defname = deffile;
	} else {
		strbuf_adds(&content, embedded_default_definition);
		defname = embedded_default_definition_name;
	}
	if (def_load(&d, strbuf_str(&content), content.len, defname, &diag) < 0) {
		diag_print(&diag, "init");
		rc = PERR_DATA;
		goto done;
	}
	diag_print(&d.warnings, "init");
	if (communes) {
		/* the register's types are the definition's that will be active */
		struct def stored = { 0 };
		const struct def *types = init_types_definition(deffile, dbopt, &d, &stored);

		rc = commune_load_file_def(&cl, communes, types, &diag);
		def_release(&stored);
		if (rc < 0) {
			diag_print(&diag, "init");
			rc = PERR_DATA;
			goto done;
		}
	}

	if (merges && access(merges, R_OK) != 0) {
		perr_set(&err, PERR_USAGE, merges, "cannot read: %s", strerror(errno));
		goto fail;
	}
	if (merges && merge_load_file(&ml, merges, &diag) < 0) {
		diag_print(&diag, "init");
		rc = PERR_DATA;
		goto done;
	}

	/* a register of another area creates no database either */
	if (communes && (deffile || access(db_path(dbopt), F_OK) != 0) &&
	    (c = init_check_district(NULL, &d, deffile, defname, 0, communes, &cl, &diag,
				     &err)) != 0)
		goto refused;
	if (db_open_from(&db, db_path(dbopt), DB_MIGRATE, &before, &err) < 0 ||
	    db_exec(db, "BEGIN IMMEDIATE", &err) < 0)
		goto fail;
	if ((active = db_setting_get(db, "active_definition", (char[200]){ 0 }, 200, &err)) < 0)
		goto rollback;
	if ((c = init_check_district(db, &d, deffile, defname, active == 0, communes, &cl, &diag,
				     &err)) != 0) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		goto refused;
	}
	/* without --definition, an existing database keeps its definition */
	if (deffile || active == 1) {
		if (store_definition(db, &d, strbuf_str(&content), content.len, defname, &dn, &err) < 0)
			goto rollback;
	}
	if (communes && store_communes(db, &cl, &cn, &err) < 0)
		goto rollback;
	if (merges) {
		int got = merge_store(db, &ml, &mn, &diag, &err);

		if (got < 0)
			goto rollback;
		if (got > 0) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			diag_print(&diag, "init");
			fputs("parindex: init: ", stderr);
			escape_term_fputs(stderr, merges);
			fprintf(stderr, ": %zu error%s; nothing stored\n", diag.n, diag.n == 1 ? "" : "s");
			rc = PERR_DATA;
			goto done;
		}
	}
	if (db_exec(db, "COMMIT", &err) < 0)
		goto rollback;
	fputs("database ", stdout);
	escape_term_fputs(stdout, db_path(dbopt));
	if (before == 0)
		printf(": created\n");
	else if (before < db_schema_version())
		printf(": upgraded from schema version %d to %d\n", before, db_schema_version());
	else
		printf(": up to date\n");
	if (dn.added || dn.unchanged) {
		printf("definition %s %s (", d.id, d.version);
		escape_term_fputs(stdout, defname);
		printf("): %s\n", dn.added ? "loaded" : "already loaded, unchanged");
	}
	if (communes)
		printf("communes: %d added, %d updated, %d unchanged\n", cn.added, cn.updated,
		       cn.unchanged);
	if (merges)
		printf("merged units: %d added, %d updated, %d unchanged\n", mn.added, mn.updated,
		       mn.unchanged);
	if (tally_other_definitions(db, "init", db_path(dbopt), &err) < 0)
		goto fail;
	goto done;
refused:
	if (c > 0) {
		diag_print(&diag, "init");
		rc = PERR_DATA;
		goto done;
	}
	goto fail;
rollback:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
fail:
	rc = perr_print(&err, "init");
done:
	db_close(db);
	def_release(&d);
	commune_list_release(&cl);
	merge_list_release(&ml);
	diag_release(&diag);
	strbuf_release(&content);
	return rc;
}

/* parindex definition use ID VERSION: a stored definition (a year) becomes the one the
   database works with, as 'init --definition FILE' of the same file would make it. */
static int definition_use(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ 0 },
	};
	const char *dbopt = NULL;
	struct perr err = { 0 };
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char active[200];
	int c, rc = PERR_OK, step, year = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dbopt = optarg; break;
		default: return cmd_bad_option("definition", argv);
		}
	}
	if (optind + 2 != argc)
		return cmd_usage_error("definition", "use: name one ID and one VERSION");
	if (db_open(&db, db_path(dbopt), DB_EXISTING, &err) < 0 ||
	    db_exec(db, "BEGIN IMMEDIATE", &err) < 0 ||
	    db_prepare(db, &st, "SELECT year FROM definition WHERE id = ? AND version = ?", &err) < 0)
		goto fail;
	sqlite3_bind_text(st, 1, argv[optind], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, argv[optind + 1], -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		year = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (step == SQLITE_DONE) {
		perr_set(&err, PERR_DATA, db_path(dbopt),
			 "no definition '%s' version '%s' is loaded; load it with 'parindex init --definition FILE'",
			 argv[optind], argv[optind + 1]);
		goto fail;
	}
	if (step != SQLITE_ROW) {
		db_fail(db, &err, "reading definitions");
		goto fail;
	}
	snprintf(active, sizeof(active), "%s %s", argv[optind], argv[optind + 1]);
	if (db_setting_set(db, "active_definition", active, &err) < 0 ||
	    db_exec(db, "COMMIT", &err) < 0)
		goto fail;
	printf("definition %s %s (year %d): active\n", argv[optind], argv[optind + 1], year);
	goto done;
fail:
	rc = perr_print(&err, "definition");
done:
	db_close(db);
	return rc;
}

/* What a province's definition adds to check's summary, one line each: its area, its unit
   types by ranking group, bonus and penalty leaves, reserve forms; nothing for a district's
   definition with the default types (its summary stays one line). */
static void definition_scope(const struct def *d)
{
	size_t reserve = 0;

	if (!d->district) {
		fputs("  area: province ", stdout);
		escape_term_fputs(stdout, d->province);
		fputs(d->has_survey ? "\n" : " (self-assessment only, no survey)\n", stdout);
	}
	if (d->declares_rankings || d->nunit_types != 3 ||
	    def_ranking_of(d, "xã") != 0 || def_ranking_of(d, "phường") != 0 ||
	    def_ranking_of(d, "thị trấn") != 0)
		for (size_t r = 0; r <= d->nrankings; r++) {
			const char *sep = ": ";
			int any = 0;

			for (size_t t = 0; t < d->nunit_types; t++) {
				if (d->unit_types[t].ranking != (r < d->nrankings ? r : DEF_NONE))
					continue;
				if (!any)
					printf("  %s%s", r < d->nrankings ? "ranking " : "not ranked",
					       r < d->nrankings ? d->rankings[r].id : "");
				any = 1;
				fputs(sep, stdout);
				escape_term_fputs(stdout, d->unit_types[t].name);
				sep = ", ";
			}
			if (any)
				fputc('\n', stdout);
		}
	for (size_t a = 0; a < d->nadjustments; a++)
		printf("  %s %s: at most %g points\n",
		       d->adjustments[a].kind == DEF_BONUS ? "bonus" : "penalty", d->adjustments[a].id,
		       d->adjustments[a].max);
	for (size_t g = 0; g < d->ngroups; g++)
		reserve += d->groups[g].reserve > 0;
	if (reserve)
		printf("  reserve forms: %zu group%s, marked by %s = %s\n", reserve,
		       reserve == 1 ? "" : "s", d->questions[d->reserve_question].id,
		       d->reserve_option);
}

static int cmd_definition(int argc, char **argv)
{
	int rc = PERR_OK;

	if (argc < 2)
		return cmd_usage_error("definition", "say 'check', 'default' or 'use'");
	if (!strcmp(argv[1], "default")) {
		if (argc != 2)
			return cmd_usage_error("definition", "'default' takes no argument");
		fputs(embedded_default_definition, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "use"))
		return definition_use(argc - 1, argv + 1);
	if (strcmp(argv[1], "check"))
		return cmd_usage_error("definition", "no subcommand '%s'", argv[1]);
	if (argc < 3)
		return cmd_usage_error("definition", "check: name at least one FILE");
	for (int i = 2; i < argc; i++) {
		struct diag diag = { 0 };
		struct def d;

		if (def_load_file(&d, argv[i], &diag) < 0) {
			size_t errors = 0;

			/* the warnings are printed among the errors, in line order, but not counted */
			for (size_t k = 0; k < diag.n; k++)
				errors += !strstr(diag.lines[k], ": warning: ");
			diag_print(&diag, "definition");
			fputs("parindex: definition: ", stderr);
			escape_term_fputs(stderr, argv[i]);
			fprintf(stderr, ": %zu error%s\n", errors, errors == 1 ? "" : "s");
			rc = PERR_DATA;
		} else {
			size_t self = 0, survey = 0;
			double self_pts = 0, survey_pts = 0;

			diag_print(&d.warnings, "definition");
			for (size_t c = 0; c < d.ncriteria; c++) {
				if (d.criteria[c].assessed == DEF_SURVEY)
					survey++, survey_pts += d.criteria[c].max;
				else
					self++, self_pts += d.criteria[c].max;
			}
			escape_term_fputs(stdout, argv[i]);
			printf(": ok: %s %s, %zu fields, %zu criteria (%zu self-assessed, %g points; "
			       "%zu survey-assessed, %g points), %zu groups, %zu questions\n",
			       d.id, d.version, d.nfields, d.ncriteria, self, self_pts, survey,
			       survey_pts, d.ngroups, d.nquestions);
			definition_scope(&d);
			def_release(&d);
		}
		diag_release(&diag);
	}
	return rc;
}

int main(int argc, char **argv)
{
	const struct cmd *c;

	if (argc < 2) {
		usage_all(stderr);
		return PERR_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("parindex %s\n", PARINDEX_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage_all(stdout);
		return 0;
	}
	/* options belong to a command: say where --db goes rather than guess */
	if (!strcmp(argv[1], "--db") || !strncmp(argv[1], "--db=", 5)) {
		const char *file = argv[1][4] == '=' ? argv[1] + 5 : argc > 2 ? argv[2] : "FILE";
		int next = argv[1][4] == '=' ? 2 : 3;

		fprintf(stderr, "parindex: put --db after the command: parindex %s --db ",
			argc > next && find(argv[next]) ? argv[next] : "COMMAND");
		escape_term_fputs(stderr, file);
		for (int i = next + 1; i < argc && find(argv[next]); i++) {
			fputc(' ', stderr);
			escape_term_fputs(stderr, argv[i]);
		}
		fputc('\n', stderr);
		return PERR_USAGE;
	}
	if (argv[1][0] == '-') {
		char *shown = escape_term_dup(argv[1]);

		fprintf(stderr, "parindex: unknown option '%s'; a command's options go after it: "
				"parindex COMMAND %s (see 'parindex --help')\n", shown, shown);
		free(shown);
		return PERR_USAGE;
	}
	opterr = 0; /* commands report bad options themselves */
	/* past a file size limit (RLIMIT_FSIZE) a write then fails with EFBIG and is reported like
	   a full disk, instead of SIGXFSZ killing the program without a word */
	signal(SIGXFSZ, SIG_IGN);
	c = find(argv[1]);
	if (!c) {
		fputs("parindex: '", stderr);
		escape_term_fputs(stderr, argv[1]);
		fputs("' is not a parindex command; see 'parindex --help'\n", stderr);
		return PERR_USAGE;
	}
	if (cmd_wants_help(argc - 1, argv + 1)) {
		command_help(c, stdout);
		return 0;
	}
	return c->fn(argc - 1, argv + 1);
}
