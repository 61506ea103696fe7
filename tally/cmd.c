/* The tally stage's commands: 'parindex tally' and 'parindex scores template|import'. They
   parse arguments, print, and choose the exit status; the work is in the rest of tally/. */
#include "tally.h"
#include "cmd.h"
#include "db.h"
#include "escape.h"
#include "store.h"
#include "strbuf.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* One warning line per reason a commune is not classified, naming the first communes. */
static void warn_unclassified(const char *where, const struct commune_list *cl,
			      const struct tally_result *r)
{
	static const unsigned reasons[] = { TALLY_NO_SCORES, TALLY_NO_SURVEY };
	enum { NAMED = 10 };

	for (size_t k = 0; k < sizeof(reasons) / sizeof(reasons[0]); k++) {
		size_t n = 0, shown = 0;

		for (size_t c = 0; c < cl->n; c++)
			n += (r->flags[c] & reasons[k]) != 0;
		if (!n)
			continue;
		fprintf(stderr, "parindex: tally: %s: %zu commune%s chưa xếp loại (not classified, not ranked): %s: ",
			where, n, n == 1 ? "" : "s", tally_flag_words(reasons[k], 1));
		for (size_t c = 0; c < cl->n && shown < NAMED; c++) {
			if (!(r->flags[c] & reasons[k]))
				continue;
			fputs(shown ? ", " : "", stderr);
			escape_term_fputs(stderr, cl->v[c].code);
			fputc(' ', stderr);
			escape_term_fputs(stderr, cl->v[c].name);
			shown++;
		}
		if (n > shown)
			fprintf(stderr, " và %zu đơn vị khác", n - shown);
		fputc('\n', stderr);
	}
}

int cmd_tally(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "explain", required_argument, NULL, 'e' },
		{ "lang", required_argument, NULL, 'l' },
		{ "resamples", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 's' },
		{ "threads", required_argument, NULL, 't' },
		{ 0 },
	};
	const char *dbopt = NULL, *explain = NULL, *where;
	enum tally_format fmt = TALLY_TABLE;
	enum tally_lang lang = TALLY_VI;
	struct tally_pass t = { 0 };
	struct perr err = { 0 };
	sqlite3 *db = NULL;
	int c, rc = PERR_OK, set_lang = 0;
	unsigned long long n;

	tally_pass_defaults(&t);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dbopt = optarg; break;
		case 'e': explain = optarg; break;
		case 'f':
			if (!strcmp(optarg, "table"))
				fmt = TALLY_TABLE;
			else if (!strcmp(optarg, "csv"))
				fmt = TALLY_CSV;
			else if (!strcmp(optarg, "json"))
				fmt = TALLY_JSON;
			else
				return cmd_usage_error("tally", "--format must be table, csv or json, not '%s'",
						       optarg);
			break;
		case 'l':
			set_lang = 1;
			if (!strcmp(optarg, "vi"))
				lang = TALLY_VI;
			else if (!strcmp(optarg, "en"))
				lang = TALLY_EN;
			else
				return cmd_usage_error("tally", "--lang must be vi or en, not '%s'", optarg);
			break;
		case 'r':
			if (cmd_parse_count(optarg, 0, 1000000, &n) < 0)
				return cmd_usage_error("tally", "--resamples must be a whole number from 0 to 1000000, not '%s'",
						       optarg);
			t.resamples = (long)n;
			break;
		case 's':
			if (cmd_parse_count(optarg, 0, INT64_MAX, &n) < 0)
				return cmd_usage_error("tally", "--seed must be a whole number from 0 to %lld, not '%s'",
						       (long long)INT64_MAX, optarg);
			t.seed = n;
			break;
		case 't':
			if (cmd_parse_count(optarg, 1, 64, &n) < 0)
				return cmd_usage_error("tally", "--threads must be a whole number from 1 to 64, not '%s'",
						       optarg);
			t.threads = (int)n;
			break;
		default: return cmd_bad_option("tally", argv);
		}
	}
	if (optind < argc)
		return cmd_usage_error("tally", "unexpected argument '%s'", argv[optind]);
	if (!explain && set_lang)
		return cmd_usage_error("tally", "--lang is for --explain");
	where = db_path(dbopt);

	if (db_open(&db, where, DB_EXISTING, &err) < 0)
		goto fail;
	if (tally_pass_run(db, where, explain, &t, &err) < 0) {
		/* too many resamples for the communes' memory: an option's fault, said with the
		   usage */
		if (err.code == PERR_USAGE) {
			rc = cmd_usage_error("tally", "%s", err.msg);
			goto done;
		}
		goto fail;
	}

	if (t.sv.ignored_answers || t.sv.ignored_submissions)
		fprintf(stderr,
			"parindex: tally: %s: ignored %ld answers (to no question of the form's group, or with an option the scale lacks) and %ld submissions (of a group the definition lacks, or of a commune outside its %s)\n",
			where, t.sv.ignored_answers, t.sv.ignored_submissions,
			t.d.district ? "district" : "province");
	if (t.r.inexact)
		fprintf(stderr,
			"parindex: tally: %s: %zu commune%s published from binary floating point: a score or weight has more than 9 decimals, or an exact fraction passed 125 bits\n",
			where, t.r.inexact, t.r.inexact == 1 ? "" : "s");
	if (t.excluded)
		fprintf(stderr,
			"parindex: tally: %s: %ld submission%s excluded by the office left out ('parindex capture list' says why)\n",
			where, t.excluded, t.excluded == 1 ? "" : "s");
	if (t.explain == DEF_NONE)
		warn_unclassified(where, &t.cl, &t.r);
	if (t.explain != DEF_NONE) {
		/* names and texts from the register and the definition: shown with control
		   characters escaped */
		char *text = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&text, &len);

		if (!mem) {
			perr_set(&err, PERR_SYSTEM, "stdout", "cannot write: %s", strerror(errno));
			goto fail;
		}
		tally_print_explain(mem, lang, &t.d, &t.cl, &t.sv, &t.sc, &t.r, &t.conf, t.explain);
		fclose(mem);
		escape_term_lines(stdout, text);
		free(text);
	} else
		tally_print_ranking(stdout, fmt, &t.d, &t.cl, &t.r, &t.conf);
	if (fflush(stdout) != 0) {
		perr_set(&err, PERR_SYSTEM, "stdout", "cannot write: %s", strerror(errno));
		goto fail;
	}
	goto done;
fail:
	rc = perr_print(&err, "tally");
done:
	tally_pass_release(&t);
	db_close(db);
	return rc;
}

static int scores_template(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "out", required_argument, NULL, 'o' },
		{ 0 },
	};
	const char *dbopt = NULL, *outfile = NULL, *fmt = "csv";
	struct def d = { 0 };
	struct commune_list cl = { 0 };
	struct perr err = { 0 };
	sqlite3 *db = NULL;
	int c, rc = PERR_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dbopt = optarg; break;
		case 'o': outfile = optarg; break;
		default: return cmd_bad_option("scores", argv);
		}
	}
	if (optind < argc)
		return cmd_usage_error("scores", "template: unexpected argument '%s'", argv[optind]);
	if (outfile && !(fmt = tally_sheet_format(outfile, NULL)))
		return cmd_usage_error("scores", "template: --out must end in .csv or .xlsx, not '%s'",
				       outfile);
	if (db_open(&db, db_path(dbopt), DB_EXISTING, &err) < 0 ||
	    store_active_definition(db, &d, &err) < 0)
		goto fail;
	if (store_load_communes(db, &cl, &err) < 0 ||
	    tally_district_communes(&d, &cl, db_path(dbopt), &err) < 0)
		goto fail;
	if (!strcmp(fmt, "xlsx")) {
		if (tally_template_xlsx(outfile, &d, &cl, &err) < 0)
			goto fail;
	} else {
		FILE *out = outfile ? fopen(outfile, "w") : stdout;

		if (!out) {
			perr_set(&err, PERR_SYSTEM, outfile, "cannot write: %s", strerror(errno));
			goto fail;
		}
		if (tally_template_csv(out, &d, &cl) < 0 || (outfile ? fclose(out) : fflush(out))) {
			perr_set(&err, PERR_SYSTEM, outfile ? outfile : "stdout", "cannot write: %s",
				 strerror(errno));
			goto fail;
		}
	}
	if (outfile) {
		struct tally_leaf *leaves;
		size_t n = tally_leaves(&d, &leaves);

		free(leaves);
		escape_term_fputs(stdout, outfile);
		printf(": %zu communes x %zu self-assessed criteria = %zu rows to fill\n", cl.n, n,
		       cl.n * n);
	}
	goto done;
fail:
	rc = perr_print(&err, "scores");
done:
	commune_list_release(&cl);
	def_release(&d);
	db_close(db);
	return rc;
}

static int scores_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ 0 },
	};
	const char *dbopt = NULL, *file;
	struct strbuf content = STRBUF_INIT;
	struct tally_score_file f = { 0 };
	struct diag diag = { 0 };
	struct perr err = { 0 };
	sqlite3 *db = NULL;
	long import_id = 0;
	int c, rc = PERR_OK, got;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dbopt = optarg; break;
		default: return cmd_bad_option("scores", argv);
		}
	}
	if (optind + 1 != argc)
		return cmd_usage_error("scores", "import: name one FILE.csv or FILE.xlsx");
	file = argv[optind];
	if (strbuf_read_file(&content, file, 64 << 20) < 0) {
		perr_set(&err, PERR_USAGE, file, "cannot read: %s", strerror(errno));
		goto fail;
	}
	if (db_open(&db, db_path(dbopt), DB_EXISTING, &err) < 0)
		goto fail;
	got = tally_scores_import(db, db_path(dbopt), &content, file, &f, &diag, &import_id, &err);
	if (got < 0)
		goto fail;
	if (got > 0) {
		diag_print(&diag, "scores");
		fputs("parindex: scores: ", stderr);
		escape_term_fputs(stderr, file);
		fprintf(stderr, ": %zu error%s; nothing stored\n", diag.n, diag.n == 1 ? "" : "s");
		rc = PERR_DATA;
		goto done;
	}
	escape_term_fputs(stdout, file);
	printf(": import %ld: %zu rows for %zu commune%s stored", import_id, f.nrows, f.ncommunes,
	       f.ncommunes == 1 ? "" : "s");
	if (f.skipped)
		printf("; %zu commune%s left blank, skipped", f.skipped, f.skipped == 1 ? "" : "s");
	printf("\n");
	goto done;
fail:
	rc = perr_print(&err, "scores");
	if (rc != PERR_USAGE && rc != PERR_SYSTEM) {
		fputs("parindex: scores: ", stderr);
		escape_term_fputs(stderr, file);
		fputs(": nothing stored\n", stderr);
	}
done:
	tally_score_file_release(&f);
	diag_release(&diag);
	db_close(db);
	strbuf_release(&content);
	return rc;
}

int cmd_scores(int argc, char **argv)
{
	if (argc < 2)
		return cmd_usage_error("scores", "say 'template' or 'import'");
	if (!strcmp(argv[1], "template"))
		return scores_template(argc - 1, argv + 1);
	if (!strcmp(argv[1], "import"))
		return scores_import(argc - 1, argv + 1);
	return cmd_usage_error("scores", "no subcommand '%s'", argv[1]);
}
