/* Paper keying (capture/keying.c): what a keyer typed checked (one row per case), the
   instance a keyed form becomes validated by capture as a Collect one, the instanceID, the
   differences; then on a database with the server's store: a first keying, the same keyer
   refused, a second agreeing one submitted through the spool (source paper), one differing
   and the office's decision, the time per form (a pause not counted). */
#include "unit.h"

#include <stdlib.h>
#include <unistd.h>

#include "../../capture/capture.h"
#include "../../capture/keying.h"
#include "../../capture/serve.h"
#include "db.h"
#include "def.h"
#include "store.h"

static const struct {
	const char *serial, *surveyor, *a[3];
	int field;       /* -3: accepted */
	const char *msg; /* the start of the message */
} checks[] = {
	{ "1", "DTV01", { "1", "a", "b" }, -3, "" },
	{ "99999", "Lê Văn Nam", { "2", "x", "c" }, -3, "" },
	{ "", "DTV01", { "1", "a", "b" }, -2, "chưa nhập số phiếu" },
	{ "0", "DTV01", { "1", "a", "b" }, -2, "số phiếu phải là số từ 1 đến 99999" },
	{ "100000", "DTV01", { "1", "a", "b" }, -2, "số phiếu phải là số từ 1 đến 99999" },
	{ "99999999999999999999999", "D", { "1", "a", "b" }, -2, "số phiếu phải là số" },
	{ "-1", "DTV01", { "1", "a", "b" }, -2, "số phiếu phải là số" },
	{ "1", "", { "1", "a", "b" }, -1, "chưa nhập mã số điều tra viên" },
	{ "1", "a\x1b[2J", { "1", "a", "b" }, -1, "mã số điều tra viên dài quá" },
	{ "1", "DTV01", { "3", "a", "b" }, 0, "câu 1: «3» không phải một phương án" },
	{ "1", "DTV01", { "1", NULL, "b" }, 1, "câu 2 chưa nhập" },
	{ "1", "DTV01", { "1", "a", "" }, 2, "câu 3 chưa nhập" },
	{ "1", "DTV01", { "1", "A", "b" }, 1, "câu 2: «A» không phải" },
};

static void check_table(const struct def *d)
{
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		struct keying_entry e = { checks[i].serial, checks[i].surveyor, checks[i].a };
		struct keying_form f;
		struct keying_problem prob = { 0 };
		int rc = keying_check(d, 0, &e, &f, &prob);

		if (checks[i].field == -3) {
			CHECK(rc == 0, "row %zu accepted: %s", i, prob.msg);
			if (rc == 0)
				CHECK(f.serial == atol(checks[i].serial) && f.codes[1] &&
					      !strcmp(f.codes[1], checks[i].a[1]),
				      "row %zu: serial and the answer of qa", i);
		} else {
			CHECK(rc < 0 && prob.field == checks[i].field &&
				      !strncmp(prob.msg, checks[i].msg, strlen(checks[i].msg)),
			      "row %zu: field %d '%s', want %d '%s'", i, prob.field, prob.msg,
			      checks[i].field, checks[i].msg);
		}
		keying_form_release(&f);
	}
	{
		/* 65 bytes of surveyor code: refused */
		char longer[66];
		const char *a[3] = { "1", "a", "b" };
		struct keying_entry e = { "1", longer, a };
		struct keying_form f;
		struct keying_problem prob = { 0 };

		memset(longer, 'x', 65);
		longer[65] = '\0';
		CHECK(keying_check(d, 0, &e, &f, &prob) < 0 && prob.field == -1, "65-byte surveyor");
	}
}

static int form_of(const struct def *d, const char *serial, const char *surveyor, const char *sex,
		   const char *qa, const char *qb, struct keying_form *f)
{
	const char *a[3] = { sex, qa, qb };
	struct keying_entry e = { serial, surveyor, a };
	struct keying_problem prob;

	return keying_check(d, 0, &e, f, &prob);
}

/* The keyed form's instance goes through capture's parser and validation like Collect's. */
static void instance(sqlite3 *db, const struct def *d)
{
	struct capture_registry reg = { 0 };
	struct capture_parser *p = capture_parser_new(16);
	struct capture_submission s = { 0 };
	struct capture_instance inst;
	struct capture_problem prob;
	struct keying_form f = { 0 }, g = { 0 };
	struct strbuf xml = STRBUF_INIT, json = STRBUF_INIT;
	struct perr err = { 0 };
	char iid[48], iid2[48], iid3[48];
	size_t order[8];

	CHECK(keying_questions(d, 0, order) == 3 && !strcmp(d->questions[order[0]].id, "sex") &&
		      !strcmp(d->questions[order[1]].id, "qa") &&
		      !strcmp(d->questions[order[2]].id, "qb"),
	      "group A: sex, qa, qb in the printed order");
	keying_instance_id("mini-A", "90001", 7, iid);
	keying_instance_id("mini-A", "90001", 7, iid2);
	keying_instance_id("mini-A", "90001", 8, iid3);
	CHECK(!strcmp(iid, iid2) && strcmp(iid, iid3), "instanceID: the same form the same id");
	CHECK(strlen(iid) == 41 && !strncmp(iid, "uuid:", 5) && iid[19] == '5' &&
		      strchr("89ab", iid[24]),
	      "instanceID '%s': a version 5 UUID", iid);
	CHECK(capture_registry_load(&reg, db, &err) == 0, "registry: %s", err.msg);
	CHECK(form_of(d, "7", "Lê <Nam> & \"Hoa\"", "2", "x", "c", &f) == 0, "form");
	keying_instance_xml(&xml, d, 0, "90001", &f, iid);
	{
		/* the bytes of the instance (serve_instance_xml), as before it was shared with the
		   web survey: empty start, end and comment, the device as its name */
		char *want = xasprintf(
			"<?xml version='1.0' ?><data id=\"mini-A\" version=\"1\"><start/><end/>"
			"<deviceid>paper:90001-A-7</deviceid><commune>90001</commune>"
			"<surveyor>Lê &lt;Nam&gt; &amp; &quot;Hoa&quot;</surveyor><sex>2</sex>"
			"<qa>x</qa><qb>c</qb><comment/><meta><instanceID>%s</instanceID>"
			"<instanceName>paper:90001-A-7</instanceName></meta></data>",
			iid);
		const char *answers[8] = { 0 };
		struct strbuf web = STRBUF_INIT;
		struct serve_instance in = {
			.form_id = "mini-A", .form_version = "1", .start = "2026-01-15T08:00:00Z",
			.end = "2026-01-15T08:01:00Z", .device = "web-c654", .commune = "90001",
			.surveyor = "web", .d = d, .group = 0, .answers = answers,
			.comment = "", .instance_id = "uuid:1", .instance_name = "90001-A",
		};

		CHECK_STR(strbuf_str(&xml), want, "the keyed form's instance, byte for byte");
		for (size_t i = 0; i < d->nquestions && i < 8; i++)
			answers[i] = d->questions[i].id;
		serve_instance_xml(&web, &in);
		CHECK_STR(strbuf_str(&web),
			  "<data id=\"mini-A\" version=\"1\"><start>2026-01-15T08:00:00Z</start>"
			  "<end>2026-01-15T08:01:00Z</end><deviceid>web-c654</deviceid>"
			  "<commune>90001</commune><surveyor>web</surveyor><sex>sex</sex><qa>qa</qa>"
			  "<qb>qb</qb><comment></comment><meta><instanceID>uuid:1</instanceID>"
			  "<instanceName>90001-A</instanceName></meta></data>",
			  "a web page's instance: the group's questions only, an empty comment");
		CHECK(d->nquestions <= 8, "the mini definition's questions fit the test's array");
		strbuf_release(&web);
		free(want);
	}
	CHECK(capture_parse(p, xml.buf, xml.len, &inst, &prob) == 0, "parse: %s", prob.msg);
	CHECK(capture_validate(&reg, &inst, &s, &prob) == 0, "validate: %s", prob.msg);
	keying_answers_json(&json, d, 0, &f);
	CHECK_STR(strbuf_str(&s.answers), strbuf_str(&json), "answers as capture stores them");
	CHECK_STR(s.instance_id, iid, "instanceID");
	CHECK_STR(s.device_id, "paper:90001-A-7", "serial in the device id");
	CHECK_STR(s.surveyor, "Lê <Nam> & \"Hoa\"", "surveyor");
	CHECK_STR(s.commune, "90001", "commune");
	CHECK(keying_answers_read(db, json.buf, d, 0, &g, &err) == 0, "read back: %s", err.msg);
	snprintf(g.surveyor, sizeof(g.surveyor), "%s", f.surveyor);
	CHECK(keying_differences(d, 0, &f, &g) == 0, "read back: the same");
	g.codes[1] = "a";
	snprintf(g.surveyor, sizeof(g.surveyor), "other");
	CHECK(keying_differences(d, 0, &f, &g) == 2, "one answer and the surveyor differ");
	CHECK(keying_answers_read(db, "{\"sex\":\"1\",\"qa\":\"zz\",\"qb\":\"a\"}", d, 0, &g, &err) <
		      0,
	      "an unknown code read back refused");
	keying_form_release(&f);
	keying_form_release(&g);
	strbuf_release(&xml);
	strbuf_release(&json);
	capture_submission_release(&s);
	capture_parser_free(p);
	capture_registry_release(&reg);
}

static long long count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static long long wait_count(sqlite3 *db, const char *sql, long long want)
{
	long long n = -1;

	for (int i = 0; i < 200 && (n = count(db, sql)) != want; i++)
		usleep(50000);
	return n;
}

static enum keying_saved save(sqlite3 *db, struct serve_store *st, const struct serve_user *u,
			      const struct def *d, const char *now, const char *serial,
			      const char *surveyor, const char *qa, size_t *differing)
{
	struct keying_form f = { 0 };
	struct serve_answer ans = { 0 };
	struct perr err = { 0 };
	enum keying_saved saved = KEYING_REFUSED;

	setenv("PARINDEX_NOW", now, 1);
	if (form_of(d, serial, surveyor, "1", qa, "b", &f) < 0 ||
	    keying_save(db, st, u, d, 0, "90001", &f, &saved, differing, &ans, &err) < 0)
		printf("save: %s %s\n", err.where, err.msg);
	keying_form_release(&f);
	return saved;
}

static void store(const char *path, const struct def *d)
{
	static const struct serve_user k1 = { .name = "k1", .role = "keyer", .address = "127.0.0.1" };
	static const struct serve_user k2 = { .name = "k2", .role = "keyer", .address = "127.0.0.1" };
	static const struct serve_user van = { .name = "van", .role = "office", .address = "127.0.0.1" };
	struct serve_store *st = NULL;
	struct keying_form f = { 0 };
	struct serve_answer ans = { 0 };
	struct perr err = { 0 };
	sqlite3 *db = NULL;
	size_t differing = 99;

	if (db_open(&db, path, DB_EXISTING, &err) < 0 ||
	    db_exec(db, "INSERT INTO account (id, name, role, ha1_md5, ha1_sha256, web_hash, "
			"created_at, password_at) VALUES (11, 'k1', 'keyer', '', '', '', 'now', "
			"'now'), (12, 'k2', 'keyer', '', '', '', 'now', 'now');"
			"INSERT INTO account_commune VALUES (11, '90001'), (12, '90001');", &err) < 0 ||
	    serve_store_open(&st, path, &err) < 0) {
		CHECK(0, "store: %s", err.msg);
		db_close(db);
		return;
	}
	CHECK(save(db, st, &k1, d, "2026-01-10T08:00:00Z", "1", "D1", "a", &differing) ==
		      KEYING_FIRST,
	      "first keying");
	CHECK(save(db, st, &k1, d, "2026-01-10T08:00:10Z", "1", "D1", "a", &differing) ==
		      KEYING_SAME_KEYER,
	      "the same keyer twice");
	CHECK(save(db, st, &k2, d, "2026-01-10T08:00:20Z", "1", "D1", "a", &differing) ==
			      KEYING_AGREED && differing == 0,
	      "second keying agrees");
	CHECK(save(db, st, &k2, d, "2026-01-10T08:00:30Z", "1", "D1", "a", &differing) ==
		      KEYING_SAME_KEYER,
	      "k2 again");
	CHECK(wait_count(db, "SELECT count(*) FROM submission s JOIN batch b ON b.id = s.batch_id "
			     "WHERE b.source = 'paper' AND s.device_id = 'paper:90001-A-1'", 1) == 1,
	      "one submission, source paper");
	/* time per form: 25 s after k1's last keying counts, 700 s later is a pause */
	CHECK(save(db, st, &k1, d, "2026-01-10T08:00:25Z", "2", "D1", "a", &differing) ==
		      KEYING_FIRST,
	      "k1's second form");
	CHECK(save(db, st, &k1, d, "2026-01-10T08:12:05Z", "3", "D1", "a", &differing) ==
		      KEYING_FIRST,
	      "k1's third form, after a pause");
	CHECK(count(db, "SELECT count(*) FROM paper_keying WHERE keyer = 'k1' AND serial = 1 AND "
			"seconds IS NULL") == 1 &&
		      count(db, "SELECT seconds FROM paper_keying WHERE keyer = 'k1' AND serial = 2") ==
			      25 &&
		      count(db, "SELECT count(*) FROM paper_keying WHERE keyer = 'k1' AND serial = 3 "
				"AND seconds IS NULL") == 1,
	      "seconds per form: none for the first, 25, none after a pause");
	/* differing: nothing submitted until the office decides */
	CHECK(save(db, st, &k2, d, "2026-01-10T08:13:00Z", "2", "D2", "c", &differing) ==
			      KEYING_DIFFER && differing == 2,
	      "second keying differs in two places");
	CHECK(count(db, "SELECT count(*) FROM paper_form WHERE serial = 2 AND state = 'differ'") == 1,
	      "waits for the office");
	CHECK(form_of(d, "2", "D1", "1", "c", "b", &f) == 0, "the decision");
	CHECK(keying_decide(db, st, &van, d, 0, "90001", &f, &ans, &err) == 0, "decided: %s",
	      err.msg);
	CHECK(keying_decide(db, st, &van, d, 0, "90001", &f, &ans, &err) == 1, "decided twice");
	CHECK(wait_count(db, "SELECT count(*) FROM submission WHERE device_id = 'paper:90001-A-2' "
			     "AND surveyor = 'D1' AND answers = '{\"sex\":\"1\",\"qa\":\"c\",\"qb\":\"b\"}'",
			 1) == 1,
	      "the decision is the submission");
	CHECK(count(db, "SELECT count(*) FROM audit WHERE who = 'van' AND what LIKE "
			"'paper decide 90001-A-2:%'") == 1,
	      "audited");
	f.serial = 3;
	CHECK(keying_decide(db, st, &van, d, 0, "90001", &f, &ans, &err) == 1,
	      "a form keyed once: no decision");
	keying_form_release(&f);
	serve_store_close(st);
	db_close(db);
}

void test_keying(void)
{
	char dir[] = "/tmp/parindex-unit-XXXXXX", path[64], cmd[128];
	struct perr err = { 0 };
	struct def d = { 0 };
	sqlite3 *db = NULL;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/k.db", dir);
	CHECK(unit_serve_setup(path) == 0, "setup");
	if (db_open(&db, path, DB_EXISTING, &err) == 0 && store_active_definition(db, &d, &err) == 0) {
		check_table(&d);
		instance(db, &d);
		db_close(db);
		db = NULL;
		store(path, &d);
	} else {
		CHECK(0, "open: %s", err.msg);
	}
	db_close(db);
	def_release(&d);
	unsetenv("PARINDEX_NOW");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		CHECK(0, "cleanup");
}
