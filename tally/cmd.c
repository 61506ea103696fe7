/* The tally stage's commands: 'parindex tally' and 'parindex scores template|import'. They
   parse arguments, print, and choose the exit status; the work is in the rest of tally/. */
#include "tally.h"
#include "cmd.h"
#include "db.h"
#include "escape.h"
#include "store.h"
#include "strbuf.h"
#include "text.h"

#include <getopt.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

/* Keep the communes of the definition's district (a definition is one district's index, as
   the forms are); -1 with err when none is left. */
static int district_communes(const struct def *d, struct commune_list *cl, const char *dbname,
			     struct perr *err)
{
	size_t n = 0;

	for (size_t i = 0; i < cl->n; i++) {
		struct commune *c = &cl->v[i];

		if (!d->district_code || !strcmp(c->district_code, d->district_code)) {
			cl->v[n++] = *c;
			continue;
		}
		free(c->code);
		free(c->name);
		free(c->type);
		free(c->district_code);
		free(c->district);
	}
	cl->n = n;
	if (n)
		return 0;
	if (d->district_code)
		return perr_set(err, PERR_USAGE, dbname,
				"the register has no commune of district %s (%s); load them with 'parindex init --communes FILE'",
				d->district_code, d->district);
	return perr_set(err, PERR_USAGE, dbname,
			"the commune register is empty; load it with 'parindex init --communes FILE'");
}

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

/* --explain computes without storing: say so when the published tally of commune c says
   something else (or there is none), since the official may hold the published one. */
static int note_published(sqlite3 *db, const char *where, const struct def *d,
			  const struct commune_list *cl, const struct tally_result *r, size_t c,
			  struct perr *err)
{
	sqlite3_stmt *st;
	const char *tier = r->tier[c] == TALLY_UNCLASSIFIED ? NULL : d->tiers[r->tier[c]].id;
	int rc, same = 0, found = 0;

	if (db_prepare(db, &st,
		       "SELECT index_published, tier_id, rank FROM tally_commune t, tally_run u "
		       "WHERE t.commune_code = ? AND u.def_id = ? AND u.def_version = ?",
		       err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, cl->v[c].code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, d->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, d->version, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *ix = (const char *)sqlite3_column_text(st, 0);
		const char *ti = (const char *)sqlite3_column_text(st, 1);

		found = 1;
		same = ix && !strcmp(ix, r->index_text[c]) && !ti == !tier &&
		       (!ti || !strcmp(ti, tier)) && sqlite3_column_int64(st, 2) == r->rank[c];
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "reading the published tally");
	if (!found)
		fprintf(stderr,
			"parindex: tally: %s: commune %s: this explains the data as it is now; no tally of definition %s %s is published: run 'parindex tally' to publish it\n",
			where, cl->v[c].code, d->id, d->version);
	else if (!same)
		fprintf(stderr,
			"parindex: tally: %s: commune %s: this explains the data as it is now, which differs from the published tally: run 'parindex tally' to publish it\n",
			where, cl->v[c].code);
	return 0;
}

/* A whole number from 0 to max, digits only. */
static int parse_count(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;

	if (!*s || strlen(s) > 19)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned long long)(*s - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
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
	struct def d = { 0 };
	struct commune_list cl = { 0 };
	struct tally_survey sv = { 0 };
	struct tally_scores sc = { 0 };
	struct tally_result r = { 0 };
	struct tally_confidence conf = { 0 };
	struct perr err = { 0 };
	sqlite3 *db = NULL;
	size_t ce = DEF_NONE, scored = 0;
	int c, rc = PERR_OK, computed = 0, set_lang = 0, threads = tally_threads_default();
	long resamples = TALLY_RESAMPLES;
	uint64_t seed = TALLY_SEED;
	unsigned long long n;

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
			if (parse_count(optarg, 1000000, &n) < 0)
				return cmd_usage_error("tally", "--resamples must be a whole number from 0 to 1000000, not '%s'",
						       optarg);
			resamples = (long)n;
			break;
		case 's':
			if (parse_count(optarg, INT64_MAX, &n) < 0)
				return cmd_usage_error("tally", "--seed must be a whole number from 0 to %lld, not '%s'",
						       (long long)INT64_MAX, optarg);
			seed = n;
			break;
		case 't':
			if (parse_count(optarg, 64, &n) < 0 || !n)
				return cmd_usage_error("tally", "--threads must be a whole number from 1 to 64, not '%s'",
						       optarg);
			threads = (int)n;
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
	/* a national tally rewrites ~70 MB: a larger page cache keeps SQLite from spilling
	   mid-transaction (this connection only) */
	if (db_exec(db, "PRAGMA cache_size = -65536", &err) < 0)
		goto fail;
	/* read, compute and replace the results as one consistent snapshot; --explain computes
	   the same way and stores nothing (its transaction only reads) */
	if (db_exec(db, explain ? "BEGIN" : "BEGIN IMMEDIATE", &err) < 0)
		goto fail;
	if (store_active_definition(db, &d, &err) < 0)
		goto rollback;
	if (store_load_communes(db, &cl, &err) < 0 ||
	    district_communes(&d, &cl, where, &err) < 0)
		goto rollback;
	/* the bootstrap keeps every commune's published index of every resample, twice, as
	   floats: memory grows with communes x resamples */
	if ((unsigned long long)resamples * cl.n > TALLY_MAX_DRAWS) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		rc = cmd_usage_error("tally",
				     "--resamples %ld for %zu communes is more than %llu communes x resamples (%llu MiB of memory); take at most %llu",
				     resamples, cl.n, (unsigned long long)TALLY_MAX_DRAWS,
				     (unsigned long long)TALLY_MAX_DRAWS * 8 >> 20,
				     (unsigned long long)TALLY_MAX_DRAWS / cl.n);
		goto done;
	}
	if (explain) {
		for (size_t i = 0; i < cl.n; i++)
			if (!strcmp(cl.v[i].code, explain))
				ce = i;
		if (ce == DEF_NONE) {
			perr_set(&err, PERR_DATA, where,
				 "no commune '%s' in the register for district %s", explain,
				 d.district_code ? d.district_code : "?");
			goto rollback;
		}
	}
	if (tally_load(db, &d, &cl, &sv, &sc, &err) < 0 ||
	    tally_other_definitions(db, "tally", where, &err) < 0)
		goto rollback;
	for (size_t i = 0; i < cl.n; i++)
		scored += sc.has_scores[i];
	if (!sv.submissions && !scored) {
		perr_set(&err, PERR_DATA, where,
			 "nothing to tally: no submission and no score of definition %s %s; import the survey with 'parindex capture import FILE.zip' and the scores with 'parindex scores import FILE'",
			 d.id, d.version);
		goto rollback;
	}
	tally_compute(&d, &sv, &sc, &r);
	tally_confidence_compute(&d, &sv, &r, resamples, seed, threads, &conf);
	computed = 1;
	if (explain) {
		if (note_published(db, where, &d, &cl, &r, ce, &err) < 0)
			goto rollback;
		if (db_exec(db, "ROLLBACK", &err) < 0)
			goto fail;
	} else if (tally_store(db, &d, &cl, &sv, &sc, &r, &conf, &err) < 0 ||
		   db_exec(db, "COMMIT", &err) < 0) {
		goto rollback;
	}

	if (sv.ignored_answers || sv.ignored_submissions)
		fprintf(stderr,
			"parindex: tally: %s: ignored %ld answers (to no question of the form's group, or with an option the scale lacks) and %ld submissions (of a group the definition lacks, or of a commune outside its district)\n",
			where, sv.ignored_answers, sv.ignored_submissions);
	if (r.inexact)
		fprintf(stderr,
			"parindex: tally: %s: %zu commune%s published from binary floating point: a score or weight has more than 9 decimals, or an exact fraction passed 125 bits\n",
			where, r.inexact, r.inexact == 1 ? "" : "s");
	if (ce == DEF_NONE)
		warn_unclassified(where, &cl, &r);
	if (ce != DEF_NONE) {
		/* names and texts from the register and the definition: shown with control
		   characters escaped */
		char *text = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&text, &len);

		if (!mem) {
			perr_set(&err, PERR_SYSTEM, "stdout", "cannot write: %s", strerror(errno));
			goto fail;
		}
		tally_print_explain(mem, lang, &d, &cl, &sv, &sc, &r, &conf, ce);
		fclose(mem);
		escape_term_lines(stdout, text);
		free(text);
	} else
		tally_print_ranking(stdout, fmt, &d, &cl, &r, &conf);
	if (fflush(stdout) != 0) {
		perr_set(&err, PERR_SYSTEM, "stdout", "cannot write: %s", strerror(errno));
		goto fail;
	}
	goto done;
rollback:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
fail:
	rc = perr_print(&err, "tally");
done:
	if (computed) {
		tally_result_release(&r);
		tally_confidence_release(&conf);
	}
	tally_survey_release(&sv);
	tally_scores_release(&sc);
	commune_list_release(&cl);
	def_release(&d);
	db_close(db);
	return rc;
}

/* "csv" or "xlsx" from the content (a zip is an XLSX workbook), else from the name. */
static const char *sheet_format(const char *name, const struct strbuf *content)
{
	size_t n = strlen(name);

	if (content && content->len >= 4 && !memcmp(content->buf, "PK\x03\x04", 4))
		return "xlsx";
	if (n >= 5 && !strcasecmp(name + n - 5, ".xlsx"))
		return "xlsx";
	if (n >= 4 && !strcasecmp(name + n - 4, ".csv"))
		return "csv";
	return content ? "csv" : NULL;
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
	if (outfile && !(fmt = sheet_format(outfile, NULL)))
		return cmd_usage_error("scores", "template: --out must end in .csv or .xlsx, not '%s'",
				       outfile);
	if (db_open(&db, db_path(dbopt), DB_EXISTING, &err) < 0 ||
	    store_active_definition(db, &d, &err) < 0)
		goto fail;
	if (store_load_communes(db, &cl, &err) < 0 ||
	    district_communes(&d, &cl, db_path(dbopt), &err) < 0)
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
	const char *dbopt = NULL, *file, *fmt;
	struct strbuf content = STRBUF_INIT;
	struct tally_sheet sheet = { 0 };
	struct tally_score_file f = { 0 };
	struct diag diag = { 0 };
	struct def d = { 0 };
	struct commune_list cl = { 0 };
	struct perr err = { 0 };
	sqlite3 *db = NULL;
	char sha[65];
	long import_id = 0;
	int c, rc = PERR_OK;

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
	fmt = sheet_format(file, &content);
	if (db_open(&db, db_path(dbopt), DB_EXISTING, &err) < 0 ||
	    db_exec(db, "BEGIN IMMEDIATE", &err) < 0)
		goto fail;
	if (store_active_definition(db, &d, &err) < 0)
		goto rollback;
	if (store_load_communes(db, &cl, &err) < 0 ||
	    district_communes(&d, &cl, db_path(dbopt), &err) < 0)
		goto rollback;
	if ((!strcmp(fmt, "xlsx")
		     ? tally_sheet_read_xlsx(&sheet, strbuf_str(&content), content.len, file, &err)
		     : tally_sheet_read_csv(&sheet, strbuf_str(&content), content.len, file, &err)) < 0)
		goto rollback;
	if (tally_scores_check(&d, &cl, &sheet, file, &f, &diag) < 0) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		diag_print(&diag, "scores");
		fputs("parindex: scores: ", stderr);
		escape_term_fputs(stderr, file);
		fprintf(stderr, ": %zu error%s; nothing stored\n", diag.n, diag.n == 1 ? "" : "s");
		rc = PERR_DATA;
		goto done;
	}
	text_sha256_hex(content.buf, content.len, sha);
	if (tally_scores_store(db, &d, &cl, &f, file, fmt, sha, &import_id, &err) < 0 ||
	    db_exec(db, "COMMIT", &err) < 0)
		goto rollback;
	escape_term_fputs(stdout, file);
	printf(": import %ld: %zu rows for %zu commune%s stored", import_id, f.nrows, f.ncommunes,
	       f.ncommunes == 1 ? "" : "s");
	if (f.skipped)
		printf("; %zu commune%s left blank, skipped", f.skipped, f.skipped == 1 ? "" : "s");
	printf("\n");
	goto done;
rollback:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
fail:
	rc = perr_print(&err, "scores");
	if (rc != PERR_USAGE && rc != PERR_SYSTEM) {
		fputs("parindex: scores: ", stderr);
		escape_term_fputs(stderr, file);
		fputs(": nothing stored\n", stderr);
	}
done:
	tally_score_file_release(&f);
	tally_sheet_release(&sheet);
	diag_release(&diag);
	commune_list_release(&cl);
	def_release(&d);
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
