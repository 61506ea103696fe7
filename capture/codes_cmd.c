/* parindex codes issue|list|void: the web survey's single-use codes (codes.h), printed as A4
   sheets of cut-out slips, counted and voided. */
#include "codes.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "db.h"
#include "def.h"
#include "escape.h"
#include "merge.h"
#include "../forms/forms.h"
#include "serve_http.h"
#include "spawn.h"
#include "store.h"

#define ISSUE_MAX 10000 /* codes in one `codes issue` */
#define SLIPS_PER_PAGE 12

/* ---- parindex codes ---- */

static const char slips_style[] =
	"@page { size: A4; margin: 8mm; }\n"
	"* { box-sizing: border-box; }\n"
	"body { margin: 0; font: 9pt/1.3 \"DejaVu Sans\", Arial, sans-serif; color: #000; }\n"
	".sheet { display: grid; grid-template-columns: repeat(3, 1fr); "
	"grid-auto-rows: 69mm; width: 194mm; break-after: page; }\n"
	".sheet:last-child { break-after: auto; }\n"
	".slip { border: 1px dashed #666; padding: 1.5mm 3mm; text-align: center; "
	"overflow: hidden; }\n"
	".slip p { margin: 0 0 .8mm; }\n"
	".slip .t { font-weight: bold; }\n"
	".slip svg { display: block; width: 30mm; height: 30mm; margin: 0 auto; }\n"
	".slip .code { font: bold 12pt \"DejaVu Sans Mono\", monospace; letter-spacing: .04em; }\n"
	".slip .h { font-size: 7.5pt; overflow-wrap: anywhere; }\n";

/* The A4 sheets of cut-out slips, one a code. */
static int slips_html(struct strbuf *sb, const char *base, const char *commune_name,
		      const char *group_name, char (*codes)[SURVEY_CODE_LEN + 1], size_t n,
		      struct perr *err)
{
	strbuf_adds(sb, "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\"/>"
			"<title>Mã khảo sát – ");
	strbuf_add_xml(sb, commune_name);
	strbuf_adds(sb, " – ");
	strbuf_add_xml(sb, group_name);
	strbuf_adds(sb, "</title>\n<style>\n");
	strbuf_adds(sb, slips_style);
	strbuf_adds(sb, "</style></head>\n<body>\n");
	for (size_t i = 0; i < n; i++) {
		char pretty[SURVEY_CODE_LEN + 4];
		char *link = xasprintf("%s/s/%s", base, codes[i]);

		if (i % SLIPS_PER_PAGE == 0)
			strbuf_adds(sb, "<div class=\"sheet\">\n");
		survey_code_pretty(codes[i], pretty);
		strbuf_adds(sb, "<div class=\"slip\"><p class=\"t\">Khảo sát sự hài lòng về "
				"cải cách hành chính</p><p>");
		strbuf_add_xml(sb, commune_name);
		strbuf_adds(sb, " · ");
		strbuf_add_xml(sb, group_name);
		strbuf_adds(sb, "</p>");
		if (survey_code_qr_svg(sb, link) < 0) {
			free(link);
			return perr_set(err, PERR_USAGE, base, "the survey link is too long for a QR code");
		}
		free(link);
		strbuf_adds(sb, "<p class=\"code\">");
		strbuf_add_xml(sb, pretty);
		strbuf_adds(sb, "</p><p class=\"h\">Quét mã QR bằng điện thoại, hoặc mở ");
		strbuf_add_xml(sb, base);
		strbuf_adds(sb, "/s và nhập mã. Mỗi mã dùng một lần.</p></div>\n");
		if (i % SLIPS_PER_PAGE == SLIPS_PER_PAGE - 1 || i + 1 == n)
			strbuf_adds(sb, "</div>\n");
	}
	strbuf_adds(sb, "</body></html>\n");
	return 0;
}

/* The slips as PDF: html printed by Debian's chromium (headless, its own profile, no network
   of its own) into a private temporary folder, then read into pdf. 0, or -1 with err. */
static int slips_pdf(const struct strbuf *html, struct strbuf *pdf, struct perr *err)
{
	char *dir = xasprintf("%s/parindex-slips-XXXXXX", serve_tmpdir());
	char *in = NULL, *out = NULL, *url = NULL, *profile = NULL, *print = NULL, *log = NULL;
	int rc = -1, r;

	if (!mkdtemp(dir)) {
		perr_set(err, PERR_SYSTEM, dir, "cannot make a temporary folder: %s", strerror(errno));
		free(dir);
		return -1;
	}
	in = xasprintf("%s/slips.html", dir);
	out = xasprintf("%s/slips.pdf", dir);
	log = xasprintf("%s/chromium.log", dir);
	url = xasprintf("file://%s", in);
	profile = xasprintf("--user-data-dir=%s/profile", dir);
	print = xasprintf("--print-to-pdf=%s", out);
	if (form_write_file(dir, "slips.html", html->buf, html->len, err) < 0)
		goto done;
	{
		const char *argv[] = { "chromium", "--headless", "--no-sandbox", "--disable-gpu",
				       "--no-first-run", "--disable-background-networking",
				       "--disable-component-update", "--disable-sync",
				       "--no-pdf-header-footer", profile, print, url, NULL };

		r = spawn_run(argv, NULL, log, err);
	}
	if (r == SPAWN_NOT_FOUND) {
		perr_set(err, PERR_SYSTEM, "chromium",
			 "not found: a .pdf is printed with chromium (apt-get install chromium); "
			 "or write .html and print it from a browser");
		goto done;
	}
	if (r != SPAWN_OK)
		goto done;
	if (strbuf_read_file(pdf, out, 256u << 20) < 0 || pdf->len < 5 || memcmp(pdf->buf, "%PDF-", 5)) {
		perr_set(err, PERR_SYSTEM, "chromium", "printed no PDF");
		goto done;
	}
	rc = 0;
done:
	serve_remove_tree(dir); /* and the profile chromium left */
	free(in);
	free(out);
	free(log);
	free(url);
	free(profile);
	free(print);
	free(dir);
	return rc;
}

/* The commune's name and the group's (Vietnamese) of the active definition, whose form must
   be registered: 0, or -1 with err. */
static int issue_target(sqlite3 *db, const char *commune, const char *group, char **cname,
			char **gname, struct perr *err)
{
	struct def d = { 0 };
	sqlite3_stmt *st = NULL;
	size_t g;
	int rc = -1, step;
	char *fid = NULL;

	if (store_active_definition(db, &d, err) < 0)
		return -1;
	g = def_find_group(&d, group);
	if (g == DEF_NONE) {
		perr_set(err, PERR_DATA, group, "not a respondent group of definition %s %s", d.id,
			 d.version);
		goto done;
	}
	if (db_prepare(db, &st, "SELECT name FROM commune WHERE code = ?", err) < 0)
		goto done;
	sqlite3_bind_text(st, 1, commune, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		*cname = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	st = NULL;
	if (step != SQLITE_ROW) {
		if (step == SQLITE_DONE)
			perr_set(err, PERR_DATA, commune, "unknown commune code (not in the register)");
		else
			db_fail(db, err, "reading the register");
		goto done;
	}
	/* no codes for a unit merged away by the definition's year (core/merge.h) */
	{
		char why[160];
		int unit = merge_unit_exists(db, commune, d.year, why, sizeof(why), err);

		if (unit <= 0) {
			if (!unit)
				perr_set(err, PERR_DATA, commune, "%s (definition %s %s)", why, d.id,
					 d.version);
			goto done;
		}
	}
	fid = form_id(&d, g);
	if (db_prepare(db, &st, "SELECT 1 FROM form WHERE id = ? AND def_version = ?", err) < 0)
		goto done;
	sqlite3_bind_text(st, 1, fid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, d.version, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step != SQLITE_ROW) {
		if (step == SQLITE_DONE)
			perr_set(err, PERR_DATA, fid, "the form is not registered: run 'parindex forms' first");
		else
			db_fail(db, err, "reading the forms");
		goto done;
	}
	*gname = xstrdup(def_text_get(&d.groups[g].name, "vi"));
	rc = 0;
done:
	sqlite3_finalize(st);
	free(fid);
	def_release(&d);
	return rc;
}

/* Inside the write transaction: the commune and group still name what the printed slips say
   (the register or the definition may have changed while chromium printed). 0, or -1. */
static int issue_still_same(sqlite3 *db, const char *commune, const char *group,
			    const char *cname, const char *gname, struct perr *err)
{
	char *now_cname = NULL, *now_gname = NULL;
	int rc = issue_target(db, commune, group, &now_cname, &now_gname, err);

	if (rc == 0 && (strcmp(cname, now_cname) || strcmp(gname, now_gname)))
		rc = perr_set(err, PERR_DATA, commune, "the register or the definition changed while "
			      "the slips were printed: nothing issued, run the command again");
	free(now_cname);
	free(now_gname);
	return rc;
}

static int codes_issue(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "commune", required_argument, NULL, 'c' },
		{ "group", required_argument, NULL, 'g' },
		{ "count", required_argument, NULL, 'n' },
		{ "url", required_argument, NULL, 'u' },
		{ "out", required_argument, NULL, 'o' },
		{ 0 },
	};
	const char *dbopt = NULL, *commune = NULL, *group = NULL, *url = NULL, *out = NULL;
	unsigned long long count = 0;
	struct perr err = { 0 };
	struct strbuf html = STRBUF_INIT;
	char (*codes)[SURVEY_CODE_LEN + 1] = NULL;
	char *base = NULL, *cname = NULL, *gname = NULL, *dir = NULL, *slash, now[32];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int c, rc = 0, in_tx = 0, written = 0;
	int64_t sheet = 0;
	size_t ol;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dbopt = optarg; break;
		case 'c': commune = optarg; break;
		case 'g': group = optarg; break;
		case 'u': url = optarg; break;
		case 'o': out = optarg; break;
		case 'n':
			if (cmd_parse_count(optarg, 1, ISSUE_MAX, &count) < 0)
				return cmd_usage_error("codes", "--count: '%s' is not 1 to %d", optarg,
						       ISSUE_MAX);
			break;
		default: return cmd_bad_option("codes", argv);
		}
	}
	if (optind < argc)
		return cmd_usage_error("codes", "unexpected argument '%s'", argv[optind]);
	if (!commune || !group || !count || !url || !out)
		return cmd_usage_error("codes", "issue needs --commune, --group, --count, --url and --out");
	if (!serve_public_url_ok(url))
		return cmd_usage_error("codes", "--url: '%s' is not http(s)://HOST[:PORT][/PATH]", url);
	ol = strlen(out);
	if ((ol < 6 || strcmp(out + ol - 5, ".html")) && (ol < 5 || strcmp(out + ol - 4, ".pdf")))
		return cmd_usage_error("codes", "--out: '%s' does not end in .html or .pdf", out);
	base = xstrdup(url);
	while (*base && base[strlen(base) - 1] == '/')
		base[strlen(base) - 1] = '\0';

	if (db_open(&db, db_path(dbopt), DB_EXISTING, &err) < 0)
		goto done;
	/* the slips are made and printed before the write transaction: chromium takes seconds,
	   and a server's applier must not wait that long for the database */
	if (issue_target(db, commune, group, &cname, &gname, &err) < 0)
		goto done;
	codes = xcalloc(count, sizeof(*codes));
	for (size_t i = 0; i < count; i++)
		if (survey_code_make(codes[i], &err) < 0)
			goto done;
	if (slips_html(&html, base, cname, gname, codes, count, &err) < 0)
		goto done;
	if (!strcmp(out + ol - 4, ".pdf")) {
		struct strbuf pdf = STRBUF_INIT;

		if (slips_pdf(&html, &pdf, &err) < 0) {
			strbuf_release(&pdf);
			goto done;
		}
		explicit_bzero(html.buf, html.len);
		strbuf_release(&html);
		html = pdf;
	}
	/* printed: now the codes are stored and the slips written in one short transaction */
	if (db_exec(db, "BEGIN IMMEDIATE", &err) < 0)
		goto done;
	in_tx = 1;
	if (issue_still_same(db, commune, group, cname, gname, &err) < 0)
		goto done;
	if (db_prepare(db, &st, "SELECT coalesce(max(sheet), 0) + 1 FROM survey_code", &err) < 0)
		goto done;
	if (sqlite3_step(st) != SQLITE_ROW) {
		db_fail(db, &err, "reading the survey codes");
		goto done;
	}
	sheet = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (db_prepare(db, &st, "INSERT INTO survey_code (hash, commune_code, group_id, sheet, "
				"issued_at) VALUES (?, ?, ?, ?, ?)", &err) < 0)
		goto done;
	db_now(now);
	for (size_t i = 0; i < count; i++) {
		char hash[65];

		survey_code_hash(codes[i], hash);
		sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, commune, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, group, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, sheet);
		sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
		if (db_step_done(db, st, &err) < 0)
			goto done;
	}
	/* the slips are the only copy of the codes: written before the codes count */
	dir = xstrdup(out);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	if (form_write_file(slash ? (*dir ? dir : "/") : ".", slash ? slash + 1 : out, html.buf,
			    html.len, &err) < 0)
		goto done;
	written = 1;
	if (db_exec(db, "COMMIT", &err) < 0)
		goto done;
	in_tx = 0;
	{
		char *o = escape_term_dup(out);

		printf("issued %llu codes for commune %s, group %s (sheet %lld): %s\n", count,
		       commune, group, (long long)sheet, o);
		free(o);
	}
done:
	if (in_tx) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		if (written)
			unlink(out);
	}
	if (err.msg[0])
		rc = perr_print(&err, "codes");
	if (codes)
		explicit_bzero(codes, count * sizeof(*codes));
	if (html.buf)
		explicit_bzero(html.buf, html.len);
	sqlite3_finalize(st);
	db_close(db);
	strbuf_release(&html);
	free(codes);
	free(base);
	free(cname);
	free(gname);
	free(dir);
	return rc;
}

static int codes_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ 0 },
	};
	const char *dbopt = NULL;
	struct perr err = { 0 };
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int c, rc = 0, step;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dbopt = optarg; break;
		default: return cmd_bad_option("codes", argv);
		}
	}
	if (optind < argc)
		return cmd_usage_error("codes", "unexpected argument '%s'", argv[optind]);
	if (db_open(&db, db_path(dbopt), DB_EXISTING, &err) < 0 ||
	    db_prepare(db, &st,
		       "SELECT commune_code, group_id, count(*), count(used_at), "
		       "sum(used_at IS NULL AND voided_at IS NULL), "
		       "sum(used_at IS NULL AND voided_at IS NOT NULL) "
		       "FROM survey_code GROUP BY 1, 2 ORDER BY 1, 2", &err) < 0)
		goto done;
	printf("commune\tgroup\tissued\tused\tunused\tvoided\n");
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		char *cc = escape_term_dup((const char *)sqlite3_column_text(st, 0));
		char *g = escape_term_dup((const char *)sqlite3_column_text(st, 1));

		printf("%s\t%s\t%lld\t%lld\t%lld\t%lld\n", cc, g,
		       (long long)sqlite3_column_int64(st, 2), (long long)sqlite3_column_int64(st, 3),
		       (long long)sqlite3_column_int64(st, 4), (long long)sqlite3_column_int64(st, 5));
		free(cc);
		free(g);
	}
	if (step != SQLITE_DONE)
		db_fail(db, &err, "reading the survey codes");
done:
	if (err.msg[0])
		rc = perr_print(&err, "codes");
	sqlite3_finalize(st);
	db_close(db);
	return rc;
}

/* Void one typed code inside the caller's transaction: 1 voided, 0 voided already, -1 err. */
static int void_one(sqlite3 *db, const char *typed, const char *now, struct perr *err)
{
	char canon[SURVEY_CODE_LEN + 1], hash[65], pretty[SURVEY_CODE_LEN + 4];
	sqlite3_stmt *st = NULL;
	int step, rc = -1;

	if (survey_code_canonical(typed, strlen(typed), canon) < 0)
		return perr_set(err, PERR_DATA, typed,
				"not a survey code (16 letters and digits, dashes allowed)");
	survey_code_hash(canon, hash);
	survey_code_pretty(canon, pretty);
	if (db_prepare(db, &st, "SELECT used_at, voided_at FROM survey_code WHERE hash = ?",
		       err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_DONE)
		perr_set(err, PERR_DATA, pretty, "unknown survey code");
	else if (step != SQLITE_ROW)
		db_fail(db, err, "reading the survey codes");
	else if (sqlite3_column_type(st, 0) != SQLITE_NULL)
		perr_set(err, PERR_DATA, pretty, "used at %s: a used code cannot be voided",
			 (const char *)sqlite3_column_text(st, 0));
	else if (sqlite3_column_type(st, 1) != SQLITE_NULL)
		rc = 0;
	else
		rc = 1;
	sqlite3_finalize(st);
	if (rc != 1)
		return rc;
	if (db_prepare(db, &st, "UPDATE survey_code SET voided_at = ? WHERE hash = ?", err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	rc = db_step_done(db, st, err) < 0 ? -1 : 1;
	sqlite3_finalize(st);
	return rc;
}

static int codes_void(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "sheet", required_argument, NULL, 's' },
		{ 0 },
	};
	const char *dbopt = NULL;
	unsigned long long sheet = 0;
	struct perr err = { 0 };
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long voided = 0, already = 0;
	char now[32];
	int c, rc = 0, in_tx = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dbopt = optarg; break;
		case 's':
			if (cmd_parse_count(optarg, 1, INT64_MAX, &sheet) < 0)
				return cmd_usage_error("codes", "--sheet: '%s' is not a sheet number",
						       optarg);
			break;
		default: return cmd_bad_option("codes", argv);
		}
	}
	if (optind == argc && !sheet)
		return cmd_usage_error("codes", "void needs CODE... or --sheet N");
	if (db_open(&db, db_path(dbopt), DB_EXISTING, &err) < 0 ||
	    db_exec(db, "BEGIN IMMEDIATE", &err) < 0)
		goto done;
	in_tx = 1;
	db_now(now);
	for (int i = optind; i < argc; i++) {
		int r = void_one(db, argv[i], now, &err);

		if (r < 0)
			goto done;
		if (r)
			voided++;
		else
			already++;
	}
	if (sheet) {
		if (db_prepare(db, &st, "SELECT count(*), count(voided_at) FROM survey_code "
					"WHERE sheet = ? AND used_at IS NULL", &err) < 0)
			goto done;
		sqlite3_bind_int64(st, 1, (sqlite3_int64)sheet);
		if (sqlite3_step(st) != SQLITE_ROW) {
			db_fail(db, &err, "reading the survey codes");
			goto done;
		}
		if (!sqlite3_column_int64(st, 0)) {
			char where[32];

			snprintf(where, sizeof(where), "sheet %llu", sheet);
			perr_set(&err, PERR_DATA, where, "no unused code on this sheet");
			goto done;
		}
		already += sqlite3_column_int64(st, 1);
		sqlite3_finalize(st);
		if (db_prepare(db, &st, "UPDATE survey_code SET voided_at = ? WHERE sheet = ? AND "
					"used_at IS NULL AND voided_at IS NULL", &err) < 0)
			goto done;
		sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)sheet);
		if (db_step_done(db, st, &err) < 0)
			goto done;
		voided += sqlite3_changes(db);
	}
	if (db_exec(db, "COMMIT", &err) < 0)
		goto done;
	in_tx = 0;
	printf("voided %lld codes", voided);
	if (already)
		printf(" (%lld voided before)", already);
	printf("\n");
done:
	if (in_tx)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	if (err.msg[0])
		rc = perr_print(&err, "codes");
	sqlite3_finalize(st);
	db_close(db);
	return rc;
}

int cmd_codes(int argc, char **argv)
{
	if (argc < 2)
		return cmd_usage_error("codes", "which: issue, list or void?");
	if (!strcmp(argv[1], "issue"))
		return codes_issue(argc - 1, argv + 1);
	if (!strcmp(argv[1], "list"))
		return codes_list(argc - 1, argv + 1);
	if (!strcmp(argv[1], "void"))
		return codes_void(argc - 1, argv + 1);
	return cmd_usage_error("codes", "unknown subcommand '%s' (issue, list or void)", argv[1]);
}
