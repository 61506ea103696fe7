/* The office's pages (capture/serve_office.c) driven with built requests, as the daemon hands
   them over: login (ok, failed, a surveyor, the lock-out after 5 failures and its doubling),
   the session cookie and its expiry, CSRF refused, an analyst's POST refused, the dashboard's
   numbers against the database, upload, receipt, undo, tally, the report's files (no way out
   of the folder), and every page well-formed XML (parsed by libxml2) with a commune named
   <script> and quotes in the register shown as text. */
#include "unit.h"

#include <libxml/parser.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "account.h"
#include "db.h"
#include "def.h"
#include "../../capture/serve.h"
#include "store.h"
#include "strbuf.h"

#define EVIL "<script>alert(\"x\")</script> & 'q'"
#define EVIL_SQL "<script>alert(\"x\")</script> & ''q''"

static char dir[64], dbfile[128], reportdir[128];

struct call {
	struct serve_reply rp;
	int rc;
};

static void call_release(struct call *c)
{
	strbuf_release(&c->rp.body);
}

/* One request: method, path, the session cookie (or NULL), the client's address, fields as
   "name", "value" pairs ending in NULL, an uploaded file (or NULL). */
static struct call ask(struct serve_office *o, const char *method, const char *path,
		       const char *session, const char *address, const char *upload,
		       const char *const *kv)
{
	struct serve_field fields[8];
	struct serve_request rq = { method, path, address, 0, session, fields, 0, upload,
				    upload ? "submissions.zip" : NULL, 0 };
	struct perr err = { 0 };
	struct call c;

	memset(&c, 0, sizeof(c));
	for (size_t i = 0; kv && kv[2 * i] && i < 8; i++) {
		fields[i] = (struct serve_field){ kv[2 * i], kv[2 * i + 1], strlen(kv[2 * i + 1]) };
		rq.nfields++;
	}
	c.rc = serve_office_handle(o, &rq, &c.rp, &err);
	CHECK(c.rc >= 0, "%s %s: %s", method, path, err.msg);
	return c;
}

static int status(const struct call *c)
{
	return c->rp.status ? c->rp.status : 200;
}

/* well-formed: the XML parser takes the whole page */
static int well_formed(const struct call *c)
{
	xmlDocPtr doc = xmlReadMemory(strbuf_str(&c->rp.body), (int)c->rp.body.len, "page.html",
				      NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	int ok = doc != NULL;

	xmlFreeDoc(doc);
	return ok;
}

static long long q(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -2;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The cookie's value from a Set-Cookie header, into out (65 bytes). */
static int cookie_value(const struct call *c, char out[65])
{
	const char *p = strstr(c->rp.set_cookie, "parindex_session=");

	out[0] = '\0';
	if (!p)
		return 0;
	p += strlen("parindex_session=");
	snprintf(out, 65, "%.*s", (int)strcspn(p, ";"), p);
	return strlen(out) == 64;
}

/* The form token in a page. */
static void csrf_in(const struct call *c, char out[65])
{
	const char *p = strstr(strbuf_str(&c->rp.body), "name=\"csrf\" value=\"");

	out[0] = '\0';
	if (p)
		snprintf(out, 65, "%.64s", p + strlen("name=\"csrf\" value=\""));
}

static void make_zip(const char *path)
{
	static const char *const files[] = { "a1.xml", "a2.xml", "b1.xml", "bad-commune.xml" };
	zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, NULL);

	for (size_t i = 0; z && i < sizeof(files) / sizeof(files[0]); i++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "capture/instances/%s", files[i]);
		zip_file_add(z, files[i], zip_source_file(z, unit_data(rel), 0, -1), 0);
	}
	CHECK(z && zip_close(z) == 0, "zip written");
}

static struct serve_office *setup(sqlite3 **db)
{
	static const char *const communes[] = { "90001" };
	struct account_new office = { "office1", "office", NULL, 0, NULL, 0 };
	struct account_new analyst = { "ana", "analyst", NULL, 0, NULL, 0 };
	struct account_new surveyor = { "hoa", "surveyor", communes, 1, NULL, 0 };
	struct strbuf content = STRBUF_INIT;
	struct store_counts n = { 0 };
	struct diag diag = { 0 };
	struct perr err = { 0 };
	struct def d = { 0 };
	struct serve_office *o = NULL;

	snprintf(dir, sizeof(dir), "/tmp/parindex-unit-office-XXXXXX");
	CHECK(mkdtemp(dir) != NULL, "temporary folder");
	snprintf(dbfile, sizeof(dbfile), "%s/t.db", dir);
	snprintf(reportdir, sizeof(reportdir), "%s/report", dir);
	CHECK(strbuf_read_file(&content, unit_data("definitions/mini.xml"), 1 << 20) == 0, "mini");
	CHECK(def_load(&d, strbuf_str(&content), content.len, "mini.xml", &diag) == 0, "load");
	CHECK(db_open(db, dbfile, DB_MIGRATE, &err) == 0, "open: %s", err.msg);
	CHECK(store_definition(*db, &d, content.buf, content.len, "mini.xml", &n, &err) == 0,
	      "store: %s", err.msg);
	{
		static const char *const sql[] = {
			"INSERT INTO commune VALUES ('90001', '" EVIL_SQL "', 'x\xc3\xa3', '999', 'H')",
			"INSERT INTO commune VALUES ('90002', 'Thị trấn Hai', 'thị trấn', '999', 'H')",
			"INSERT INTO form VALUES ('mini-A', '1', 'mini', '1', 'A', 'x', X'78', 'now')",
			"INSERT INTO form VALUES ('mini-B', '1', 'mini', '1', 'B', 'x', X'78', 'now')",
		};

		for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++)
			CHECK(db_exec(*db, sql[i], &err) == 0, "register: %s", err.msg);
	}
	CHECK(account_add(*db, &office, "correct horse", &err) == 0, "office: %s", err.msg);
	CHECK(account_add(*db, &analyst, "battery staple", &err) == 0, "analyst: %s", err.msg);
	CHECK(account_add(*db, &surveyor, "surveyor pw", &err) == 0, "surveyor: %s", err.msg);
	CHECK(serve_office_open(&o, dbfile, reportdir, &err) == 0, "open: %s", err.msg);
	def_release(&d);
	diag_release(&diag);
	strbuf_release(&content);
	return o;
}

static void login(struct serve_office *o, const char *name, const char *password,
		  const char *address, char session[65], char csrf[65])
{
	const char *kv[] = { "name", name, "password", password, NULL };
	struct call c = ask(o, "POST", "/login", NULL, address, NULL, kv);

	CHECK(status(&c) == 303 && !strcmp(c.rp.location, "/") && cookie_value(&c, session),
	      "login %s: %d %s", name, status(&c), c.rp.set_cookie);
	call_release(&c);
	c = ask(o, "GET", "/", session, address, NULL, NULL);
	csrf_in(&c, csrf);
	CHECK(strlen(csrf) == 64, "a form token on the dashboard");
	call_release(&c);
}

static void test_login(struct serve_office *o, sqlite3 *db)
{
	const char *wrong[] = { "name", "office1", "password", "wrong password", NULL };
	const char *right[] = { "name", "office1", "password", "correct horse", NULL };
	const char *sv[] = { "name", "hoa", "password", "surveyor pw", NULL };
	char session[65], csrf[65], sql[256];
	struct call c;

	c = ask(o, "GET", "/", NULL, "10.0.0.1", NULL, NULL);
	CHECK(c.rc == 1 && status(&c) == 303 && !strcmp(c.rp.location, "/login"),
	      "no session: to the login page (%d)", status(&c));
	call_release(&c);
	c = ask(o, "GET", "/login", NULL, "10.0.0.1", NULL, NULL);
	CHECK(status(&c) == 200 && well_formed(&c) && strstr(c.rp.body.buf, "Đăng nhập"),
	      "login page");
	call_release(&c);
	c = ask(o, "GET", "/nothing", NULL, "10.0.0.1", NULL, NULL);
	CHECK(c.rc == 0, "not a page of the office: 0");
	call_release(&c);

	/* ok: the cookie's flags; the database holds the token's hash, not the token */
	c = ask(o, "POST", "/login", NULL, "10.0.0.1", NULL, right);
	CHECK(status(&c) == 303 && cookie_value(&c, session), "login: %d", status(&c));
	CHECK(strstr(c.rp.set_cookie, "; HttpOnly") && strstr(c.rp.set_cookie, "; SameSite=Strict") &&
	      strstr(c.rp.set_cookie, "; Path=/") && !strstr(c.rp.set_cookie, "Secure"),
	      "cookie flags: %s", c.rp.set_cookie);
	call_release(&c);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM web_session WHERE token_sha256 = '%s'",
		 session);
	CHECK(q(db, sql) == 0 && q(db, "SELECT count(*) FROM web_session") == 1,
	      "one session, stored hashed");
	CHECK(q(db, "SELECT count(*) FROM audit WHERE who = 'office1' AND address = '10.0.0.1' "
		    "AND what = 'login (office)'") == 1, "login audited");
	{
		struct serve_field f[2] = { { "name", "office1", 7 }, { "password", "correct horse", 13 } };
		struct serve_request rq = { "POST", "/login", "10.0.0.9", 1, NULL, f, 2, NULL, NULL, 0 };
		struct perr err = { 0 };

		memset(&c, 0, sizeof(c));
		serve_office_handle(o, &rq, &c.rp, &err);
		CHECK(strstr(c.rp.set_cookie, "; Secure") != NULL, "over TLS: Secure: %s",
		      c.rp.set_cookie);
		call_release(&c);
	}

	/* a surveyor may not log in to the pages */
	c = ask(o, "POST", "/login", NULL, "10.0.0.2", NULL, sv);
	CHECK(status(&c) == 403 && !c.rp.set_cookie[0] && well_formed(&c), "surveyor refused: %d",
	      status(&c));
	call_release(&c);

	/* 4 failures answer 403, the 5th locks the address out (429), and then even the right
	   password is refused without being checked; another address is not locked */
	for (int i = 1; i <= 5; i++) {
		c = ask(o, "POST", "/login", NULL, "10.0.0.3", NULL, wrong);
		CHECK(status(&c) == (i < 5 ? 403 : 429) && !c.rp.set_cookie[0] && well_formed(&c),
		      "failure %d: %d", i, status(&c));
		if (i == 5)
			CHECK(strstr(c.rp.body.buf, "tạm khóa đến 15:15 ngày 15/01/2026") != NULL,
			      "the page says until when (Vietnam's time)");
		call_release(&c);
	}
	c = ask(o, "POST", "/login", NULL, "10.0.0.3", NULL, right);
	CHECK(status(&c) == 429 && !c.rp.set_cookie[0], "locked out: %d", status(&c));
	call_release(&c);
	CHECK(q(db, "SELECT count(*) FROM login_failure WHERE address = '10.0.0.3' AND "
		    "locked_until = '2026-01-15T08:15:00Z' AND lockouts = 1") == 1, "lock stored");
	CHECK(q(db, "SELECT count(*) FROM audit WHERE address = '10.0.0.3' AND what LIKE 'login failed%'") == 5 &&
	      q(db, "SELECT count(*) FROM audit WHERE address = '10.0.0.3' AND what LIKE 'login refused: address locked out%'") == 1,
	      "failures and the refusal audited");
	c = ask(o, "POST", "/login", NULL, "10.0.0.4", NULL, right);
	CHECK(status(&c) == 303, "another address logs in: %d", status(&c));
	call_release(&c);

	/* after the lock: in again; 5 more failures lock for twice as long */
	setenv("PARINDEX_NOW", "2026-01-15T08:16:00Z", 1);
	c = ask(o, "POST", "/login", NULL, "10.0.0.3", NULL, right);
	CHECK(status(&c) == 303, "lock over: %d", status(&c));
	call_release(&c);
	for (int i = 1; i <= 5; i++) {
		c = ask(o, "POST", "/login", NULL, "10.0.0.3", NULL, wrong);
		call_release(&c);
	}
	CHECK(q(db, "SELECT count(*) FROM login_failure WHERE address = '10.0.0.3' AND "
		    "locked_until = '2026-01-15T08:46:00Z' AND lockouts = 2") == 1,
	      "second lock-out: 30 minutes");

	/* a request a minute on keeps the session alive, and its cookie, for another 12 hours */
	setenv("PARINDEX_NOW", "2026-01-15T08:01:00Z", 1);
	c = ask(o, "GET", "/batches", session, "10.0.0.1", NULL, NULL);
	CHECK(status(&c) == 200 && strstr(c.rp.set_cookie, session) && strstr(c.rp.set_cookie, "Max-Age=43200"),
	      "cookie sent again: %s", c.rp.set_cookie);
	call_release(&c);
	CHECK(q(db, "SELECT count(*) FROM web_session WHERE idle_until = '2026-01-15T20:01:00Z'") == 1,
	      "idle_until moved");
	c = ask(o, "GET", "/batches", session, "10.0.0.1", NULL, NULL);
	CHECK(status(&c) == 200 && !c.rp.set_cookie[0], "not again within the minute");
	call_release(&c);
	/* a session idle 12 hours is gone */
	setenv("PARINDEX_NOW", "2026-01-15T20:01:00Z", 1);
	c = ask(o, "GET", "/", session, "10.0.0.1", NULL, NULL);
	call_release(&c);
	CHECK(q(db, "SELECT count(*) FROM web_session WHERE idle_until = '2026-01-15T20:01:00Z'") == 0,
	      "an expired session is removed");
	c = ask(o, "GET", "/", session, "10.0.0.1", NULL, NULL);
	CHECK(status(&c) == 303 && !strcmp(c.rp.location, "/login"), "expired: %d", status(&c));
	call_release(&c);
	setenv("PARINDEX_NOW", "2026-01-15T08:00:00Z", 1);
	(void)csrf;
}

/* Every page an office user and an analyst can open: well-formed, the evil name as text. */
static void test_pages(struct serve_office *o, sqlite3 *db, const char *session,
		       const char *csrf, const char *analyst, const char *analyst_csrf)
{
	static const char *const pages[] = { "/", "/upload", "/batches", "/undo?", "/scores",
					     "/tally", "/report" };
	const char *kv_csrf[] = { "csrf", csrf, NULL };
	const char *kv_batch[] = { "batch", "1", NULL };
	struct call c;

	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		const char *path = strcmp(pages[i], "/undo?") ? pages[i] : "/undo";

		c = ask(o, "GET", path, session, "10.0.0.1", NULL, kv_batch);
		CHECK(c.rc == 1 && (status(&c) == 200 || status(&c) == 404) && well_formed(&c),
		      "office %s: %d, well-formed", path, status(&c));
		CHECK(!strstr(strbuf_str(&c.rp.body), "<script"), "no script on %s", path);
		call_release(&c);
		c = ask(o, "GET", path, analyst, "10.0.0.5", NULL, kv_batch);
		CHECK(c.rc == 1 && well_formed(&c), "analyst %s: %d", path, status(&c));
		CHECK(!strstr(strbuf_str(&c.rp.body), "method=\"post\" action=\"/tally\"") &&
		      !strstr(strbuf_str(&c.rp.body), "action=\"/upload\"") &&
		      !strstr(strbuf_str(&c.rp.body), "Xác nhận hoàn tác"),
		      "no buttons that change data for an analyst on %s", path);
		call_release(&c);
	}
	c = ask(o, "GET", "/", session, "10.0.0.1", NULL, NULL);
	CHECK(strstr(strbuf_str(&c.rp.body), "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 'q'") != NULL,
	      "the commune's name escaped on the dashboard");
	call_release(&c);
	c = ask(o, "GET", "/static/office.css", NULL, "10.0.0.1", NULL, NULL);
	CHECK(c.rc == 1 && !strcmp(c.rp.content_type, "text/css; charset=utf-8") &&
	      strstr(strbuf_str(&c.rp.body), ".scroll"), "the style sheet, without a session");
	call_release(&c);
	c = ask(o, "DELETE", "/", session, "10.0.0.1", NULL, NULL);
	CHECK(status(&c) == 405, "other methods: 405");
	call_release(&c);

	/* CSRF: a POST without the token, or with another session's, does nothing */
	c = ask(o, "POST", "/tally", session, "10.0.0.1", NULL, NULL);
	CHECK(status(&c) == 403 && well_formed(&c), "no token: %d", status(&c));
	call_release(&c);
	{
		const char *other[] = { "csrf", analyst_csrf, NULL };

		c = ask(o, "POST", "/tally", session, "10.0.0.1", NULL, other);
		CHECK(status(&c) == 403, "another session's token: %d", status(&c));
		call_release(&c);
	}
	CHECK(q(db, "SELECT count(*) FROM tally_run") == 0, "nothing tallied");
	/* an analyst's POST, with its own good token, is refused */
	{
		const char *kv[] = { "csrf", analyst_csrf, NULL };

		c = ask(o, "POST", "/tally", analyst, "10.0.0.5", NULL, kv);
		CHECK(status(&c) == 403, "analyst's POST: %d", status(&c));
		call_release(&c);
		c = ask(o, "POST", "/upload", analyst, "10.0.0.5", NULL, kv);
		CHECK(status(&c) == 403, "analyst's upload: %d", status(&c));
		call_release(&c);
	}
	CHECK(q(db, "SELECT count(*) FROM tally_run") == 0 && q(db, "SELECT count(*) FROM batch") == 0,
	      "nothing done for the analyst");
	(void)kv_csrf;
}

static void test_work(struct serve_office *o, sqlite3 *db, const char *session, const char *csrf)
{
	const char *kv[] = { "csrf", csrf, NULL };
	const char *undo[] = { "csrf", csrf, "batch", "1", NULL };
	char zip[160], csv[160], link[200];
	struct call c;
	const char *b;

	snprintf(zip, sizeof(zip), "%s/upload.tmp", dir);
	make_zip(zip);
	c = ask(o, "POST", "/upload", session, "10.0.0.1", zip, kv);
	b = strbuf_str(&c.rp.body);
	CHECK(status(&c) == 200 && well_formed(&c), "upload: %d", status(&c));
	CHECK(strstr(b, "Đợt 1: submissions.zip: 4 mục: 3 nhận, 0 trùng, 0 sửa, 1 bị từ chối, 0 bỏ qua") != NULL,
	      "counts on the receipt");
	CHECK(strstr(b, "href=\"/receipt.csv?batch=1\"") && strstr(b, "unknown-commune"),
	      "rows and the CSV link");
	call_release(&c);
	CHECK(q(db, "SELECT count(*) FROM batch WHERE id = 1 AND file_name = 'submissions.zip' AND "
		    "source = 'web' AND operator = 'office1'") == 1, "the batch: name, source, operator");
	CHECK(q(db, "SELECT count(*) FROM current_submission") == 3, "3 stored");
	CHECK(q(db, "SELECT count(*) FROM audit WHERE who = 'office1' AND what LIKE 'upload submissions.zip: batch 1:%'") == 1,
	      "upload audited");

	/* the dashboard's numbers are the database's */
	c = ask(o, "GET", "/", session, "10.0.0.1", NULL, NULL);
	b = strbuf_str(&c.rp.body);
	CHECK(strstr(b, "<td class=\"num under\" data-commune=\"90001\" data-group=\"A\">2</td>") == NULL,
	      "A of 90001: min 2, 2 forms: done");
	CHECK(strstr(b, "<td class=\"num done\" data-commune=\"90001\" data-group=\"A\">2</td>") != NULL,
	      "90001 A done: %s", b);
	CHECK(strstr(b, "<td class=\"num none\" data-commune=\"90001\" data-group=\"B\">0</td>") != NULL,
	      "90001 B not started");
	CHECK(strstr(b, "<td class=\"num under\" data-commune=\"90002\" data-group=\"B\">1</td>") != NULL,
	      "90002 B under way");
	CHECK(strstr(b, "<td class=\"num\" data-total=\"all\">3</td>") != NULL, "total 3");
	CHECK(strstr(b, "<td>Nguyễn Thị Hoa</td><td class=\"num\">1</td><td class=\"num\">1</td></tr>\n<tr><td>Phạm Thu Hương</td><td class=\"num\">1</td><td class=\"num\">1</td>") != NULL,
	      "per surveyor, today and in total");
	CHECK(strstr(b, "unknown-commune") != NULL, "the rejected entry listed");
	call_release(&c);
	/* today is Vietnam's day: a batch begun at 16:59 UTC yesterday (23:59 there) is not today,
	   one begun at 17:00 UTC (00:00 the next day there) is */
	CHECK(db_exec(db, "UPDATE batch SET started_at = '2026-01-14T16:59:59Z'", NULL) == 0, "yesterday");
	c = ask(o, "GET", "/", session, "10.0.0.1", NULL, NULL);
	CHECK(strstr(strbuf_str(&c.rp.body), "<td>Nguyễn Thị Hoa</td><td class=\"num\">0</td><td class=\"num\">1</td>") != NULL,
	      "yesterday in Vietnam: not today");
	call_release(&c);
	CHECK(db_exec(db, "UPDATE batch SET started_at = '2026-01-14T17:00:00Z'", NULL) == 0, "today");
	c = ask(o, "GET", "/", session, "10.0.0.1", NULL, NULL);
	CHECK(strstr(strbuf_str(&c.rp.body), "<td>Nguyễn Thị Hoa</td><td class=\"num\">1</td><td class=\"num\">1</td>") != NULL,
	      "midnight in Vietnam: today");
	call_release(&c);

	/* the receipt as CSV */
	{
		const char *kvb[] = { "batch", "1", NULL };

		c = ask(o, "GET", "/receipt.csv", session, "10.0.0.1", NULL, kvb);
		b = strbuf_str(&c.rp.body);
		CHECK(!strcmp(c.rp.content_type, "text/csv; charset=utf-8") &&
		      !strncmp(b, "batch,entry,instance_id,form,commune,status,reason,message\n"
				  "submissions.zip,a1.xml,uuid:00000000-0000-4000-8000-000000000001,mini-A,90001,accepted,ok,", 142) &&
		      strstr(c.rp.disposition, "receipt-1.csv"), "receipt CSV: %s", b);
		call_release(&c);
	}

	/* undo: confirmed by a POST with the token */
	c = ask(o, "GET", "/undo", session, "10.0.0.1", NULL, undo + 2);
	CHECK(status(&c) == 200 && strstr(strbuf_str(&c.rp.body), "Xác nhận hoàn tác"), "confirm page");
	call_release(&c);
	CHECK(q(db, "SELECT count(*) FROM batch WHERE undone_at IS NULL") == 1, "a GET undoes nothing");
	c = ask(o, "POST", "/undo", session, "10.0.0.1", NULL, undo);
	CHECK(status(&c) == 200 && strstr(strbuf_str(&c.rp.body), "Đã hoàn tác đợt 1: bỏ 3 phiếu"),
	      "undone: %d", status(&c));
	call_release(&c);
	CHECK(q(db, "SELECT count(*) FROM current_submission") == 0 &&
	      q(db, "SELECT count(*) FROM batch WHERE undone_at IS NOT NULL") == 1, "undone in the database");
	CHECK(q(db, "SELECT count(*) FROM audit WHERE what LIKE 'undo batch 1:%'") == 1, "undo audited");
	c = ask(o, "POST", "/undo", session, "10.0.0.1", NULL, undo);
	CHECK(status(&c) == 409, "undone twice: %d", status(&c));
	call_release(&c);

	/* again, then tally and report */
	c = ask(o, "POST", "/upload", session, "10.0.0.1", zip, kv);
	call_release(&c);
	c = ask(o, "POST", "/tally", session, "10.0.0.1", NULL, kv);
	CHECK(status(&c) == 200 && strstr(strbuf_str(&c.rp.body), "Đã tổng hợp 2 xã từ 3 phiếu") &&
	      well_formed(&c), "tally: %d", status(&c));
	CHECK(strstr(strbuf_str(&c.rp.body), "&lt;script&gt;") != NULL, "ranking escaped");
	call_release(&c);
	CHECK(q(db, "SELECT count(*) FROM tally_run") == 1 &&
	      q(db, "SELECT count(*) FROM audit WHERE what LIKE 'tally: 2 communes, 3 submissions'") == 1,
	      "tallied and audited");
	c = ask(o, "POST", "/report", session, "10.0.0.1", NULL, kv);
	CHECK(status(&c) == 200 && strstr(strbuf_str(&c.rp.body), "Đã lập báo cáo 2 xã"),
	      "report: %d", status(&c));
	call_release(&c);
	c = ask(o, "GET", "/report/index.html", session, "10.0.0.1", NULL, NULL);
	CHECK(c.rp.file && strstr(c.rp.file, "/report/index.html") &&
	      !strcmp(c.rp.content_type, "text/html; charset=utf-8"), "a report page served as a file");
	call_release(&c);

	/* no way out of the folder: .., a symlink to outside, a folder, an unknown kind */
	snprintf(csv, sizeof(csv), "%s/secret.csv", dir);
	fclose(fopen(csv, "w"));
	snprintf(link, sizeof(link), "%s/out.csv", reportdir);
	CHECK(symlink(csv, link) == 0, "symlink made");
	{
		static const char *const bad[] = { "/report/../secret.csv", "/report/out.csv",
						   "/report/csv", "/report/../t.db",
						   "/report//etc/passwd.csv", "/report/charts/x.gp" };

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			c = ask(o, "GET", bad[i], session, "10.0.0.1", NULL, NULL);
			CHECK(c.rc == 1 && status(&c) == 404 && !c.rp.file, "%s refused", bad[i]);
			call_release(&c);
		}
	}
	unlink(link);
	unlink(csv);
	unlink(zip);
}

void test_serve_office(void)
{
	sqlite3 *db = NULL;
	struct serve_office *o;
	char session[65], csrf[65], analyst[65], analyst_csrf[65];
	char cmd[200];

	setenv("PARINDEX_NOW", "2026-01-15T08:00:00Z", 1);
	o = setup(&db);
	if (!o)
		return;
	test_login(o, db);
	login(o, "office1", "correct horse", "10.0.0.1", session, csrf);
	login(o, "ana", "battery staple", "10.0.0.5", analyst, analyst_csrf);
	test_pages(o, db, session, csrf, analyst, analyst_csrf);
	test_work(o, db, session, csrf);
	{
		const char *kv[] = { "csrf", csrf, NULL };
		struct call c = ask(o, "POST", "/logout", session, "10.0.0.1", NULL, kv);

		CHECK(status(&c) == 303 && strstr(c.rp.set_cookie, "Max-Age=0"), "logout");
		call_release(&c);
		c = ask(o, "GET", "/", session, "10.0.0.1", NULL, NULL);
		CHECK(status(&c) == 303, "logged out: %d", status(&c));
		call_release(&c);
	}
	serve_office_close(o);
	db_close(db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	unsetenv("PARINDEX_NOW");
}
