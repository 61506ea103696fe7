/* serve_store (capture/serve_store.c) without HTTP: serve_submit from several threads on a
   database of the mini definition (forms mini-A for group A and mini-B for group B, communes
   90001 and 90002): 201, 400, 403, 409, an identical resend stored once, an edit; a
   submission taken while another connection holds the write lock answers within 2 s and is
   applied when the lock goes; a child killed with SIGKILL after its 201s loses none of them;
   a spool that cannot grow answers 503. */
#include "unit.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../capture/serve.h"
#include "../../capture/serve_store.h"
#include "db.h"
#include "def.h"
#include "store.h"
#include "text.h"

void test_serve_store(void);

#define HEAD(form) "<data id=\"" form "\" version=\"1\">"
#define META(iid) "<meta><instanceID>" iid "</instanceID></meta></data>"

/* a valid mini-A submission of commune 90001 with answer qa and instanceID iid */
static char *sub_a(const char *iid, const char *qa, const char *commune, const char *deprecated)
{
	char dep[200] = "";

	if (deprecated)
		snprintf(dep, sizeof(dep), "<deprecatedID>%s</deprecatedID>", deprecated);
	return xasprintf(HEAD("mini-A") "<commune>%s</commune><surveyor>Lan</surveyor><sex>2</sex>"
			 "<qa>%s</qa><qb>x</qb><meta><instanceID>%s</instanceID>%s</meta></data>",
			 commune, qa, iid, dep);
}

static const struct serve_user lan = { .name = "lan", .role = "surveyor", .address = "127.0.0.1" };
static const struct serve_user van = { .name = "van", .role = "office", .address = "127.0.0.1" };
static const struct serve_user minh = { .name = "minh", .role = "analyst", .address = "127.0.0.1" };

static long long count(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long n = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/* wait (up to 10 s) until sql counts want */
static long long wait_count(const char *path, const char *sql, long long want)
{
	long long n = -1;

	for (int i = 0; i < 200 && (n = count(path, sql)) != want; i++)
		usleep(50000);
	return n;
}

/* also the keying suite's (unit.h) */
int unit_serve_setup(const char *path)
{
	struct perr err = { 0 };
	struct diag diag = { 0 };
	struct strbuf xml = STRBUF_INIT;
	struct store_counts n;
	struct def d;
	sqlite3 *db = NULL;
	int rc = -1;

	if (db_open(&db, path, DB_MIGRATE, &err) < 0 ||
	    strbuf_read_file(&xml, unit_data("definitions/mini.xml"), 1 << 20) < 0)
		goto done;
	if (def_load_file(&d, unit_data("definitions/mini.xml"), &diag) < 0)
		goto done;
	rc = store_definition(db, &d, xml.buf, xml.len, "mini.xml", &n, &err);
	def_release(&d);
	if (rc < 0 ||
	    db_exec(db,
		    "INSERT INTO commune VALUES ('90001', 'Một', 'xã', '999', 'Thử'), "
		    "('90002', 'Hai', 'xã', '999', 'Thử');"
		    "INSERT INTO form VALUES ('mini-A', '1', 'mini', '1', 'A', 'a', X'78', 'now'), "
		    "('mini-B', '1', 'mini', '1', 'B', 'b', X'78', 'now');"
		    "INSERT INTO account (id, name, role, ha1_md5, ha1_sha256, web_hash, created_at, "
		    "password_at) VALUES (1, 'lan', 'surveyor', '', '', '', 'now', 'now'), "
		    "(2, 'van', 'office', '', '', '', 'now', 'now'), "
		    "(3, 'minh', 'analyst', '', '', '', 'now', 'now');"
		    "INSERT INTO account_commune VALUES (1, '90001');"
		    "INSERT INTO account_group VALUES (1, 'A');", &err) < 0)
		rc = -1;
done:
	if (rc < 0)
		printf("setup: %s %s\n", err.where, err.msg);
	diag_release(&diag);
	strbuf_release(&xml);
	db_close(db);
	return rc;
}

struct client {
	struct serve_store *st;
	int n, first, ok;
};

static void *client(void *arg)
{
	struct client *c = arg;

	for (int i = 0; i < c->n; i++) {
		char iid[64];
		char *x;
		struct serve_answer ans;
		struct perr err = { 0 };

		snprintf(iid, sizeof(iid), "uuid:t%d", c->first + i);
		x = sub_a(iid, "a", "90001", NULL);
		if (serve_submit(c->st, &lan, x, strlen(x), &ans, &err) == 0 && ans.status == 201)
			c->ok++;
		free(x);
	}
	return NULL;
}

static int submit(struct serve_store *st, const struct serve_user *u, const char *xml,
		  struct serve_answer *ans)
{
	struct perr err = { 0 };

	memset(ans, 0, sizeof(*ans));
	if (serve_submit(st, u, xml, strlen(xml), ans, &err) < 0)
		printf("serve_submit: %s\n", err.msg);
	return ans->status;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void statuses(const char *path)
{
	static const struct {
		const char *what;
		const struct serve_user *user;
		const char *xml;
		int status;
		const char *reason;
	} rows[] = {
		{ "valid", &lan, HEAD("mini-A") "<commune>90001</commune><surveyor>L</surveyor>"
		  "<sex>1</sex><qa>b</qa><qb>x</qb>" META("uuid:s1"), 201, "ok" },
		{ "identical resend", &lan, HEAD("mini-A") "<commune>90001</commune><surveyor>L"
		  "</surveyor><sex>1</sex><qa>b</qa><qb>x</qb>" META("uuid:s1"), 201, "duplicate" },
		{ "same id, other answer", &lan, HEAD("mini-A") "<commune>90001</commune><surveyor>L"
		  "</surveyor><sex>1</sex><qa>a</qa><qb>x</qb>" META("uuid:s1"), 409, "conflict" },
		{ "missing answer", &lan, HEAD("mini-A") "<commune>90001</commune><surveyor>L"
		  "</surveyor><sex>1</sex><qa>b</qa>" META("uuid:s2"), 400, "missing-answer" },
		{ "not XML", &lan, "<data", 400, "malformed" },
		{ "DOCTYPE", &lan, "<!DOCTYPE data [<!ENTITY e \"x\">]><data/>", 400, "doctype" },
		{ "unknown form", &lan, HEAD("mini-C") "<commune>90001</commune>" META("uuid:s3"), 400,
		  "unknown-form" },
		{ "unknown commune", &van, HEAD("mini-A") "<commune>99999</commune><surveyor>L"
		  "</surveyor><sex>1</sex><qa>b</qa><qb>x</qb>" META("uuid:s4"), 400,
		  "unknown-commune" },
		{ "commune outside the surveyor's", &lan, HEAD("mini-A") "<commune>90002</commune>"
		  "<surveyor>L</surveyor><sex>1</sex><qa>b</qa><qb>x</qb>" META("uuid:s5"), 403,
		  "out-of-scope" },
		{ "group outside the surveyor's", &lan, HEAD("mini-B") "<commune>90001</commune>"
		  "<surveyor>L</surveyor><sex>1</sex><qa>b</qa><qc>c</qc>" META("uuid:s6"), 403,
		  "out-of-scope" },
		{ "analyst", &minh, HEAD("mini-A") "<commune>90001</commune><surveyor>L</surveyor>"
		  "<sex>1</sex><qa>b</qa><qb>x</qb>" META("uuid:s7"), 403, "out-of-scope" },
		{ "office: any commune and group", &van, HEAD("mini-B") "<commune>90002</commune>"
		  "<surveyor>L</surveyor><sex>1</sex><qa>b</qa><qc>c</qc>" META("uuid:s8"), 201, "ok" },
	};
	struct serve_store *st = NULL;
	struct perr err = { 0 };
	struct serve_answer ans;

	CHECK(serve_store_open(&st, path, &err) == 0, "open: %s", err.msg);
	if (!st)
		return;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int status = submit(st, rows[i].user, rows[i].xml, &ans);

		CHECK(status == rows[i].status && !strcmp(ans.reason, rows[i].reason),
		      "%s: got %d %s (%s), want %d %s", rows[i].what, status, ans.reason,
		      ans.message, rows[i].status, rows[i].reason);
	}
	/* once applied, the conflict is found in the database, no longer in the spool */
	CHECK(wait_count(path, "SELECT count(*) FROM batch_entry WHERE path LIKE 'submission %'",
			 12) == 12, "every submission recorded");
	{
		char *x = sub_a("uuid:s1", "a", "90001", NULL);

		CHECK(submit(st, &lan, x, &ans) == 409 && !strcmp(ans.reason, "conflict") &&
			      strstr(ans.message, "stored already with different content (surveyor)"),
		      "conflict with a stored one: %d %s", ans.status, ans.message);
		free(x);
		/* and the original sent again after that conflict is still a resend */
		CHECK(submit(st, &lan, rows[0].xml, &ans) == 201 && !strcmp(ans.reason, "duplicate"),
		      "resend after a conflict: %d %s", ans.status, ans.message);
	}
	serve_store_close(st);
	CHECK(count(path, "SELECT count(*) FROM submission WHERE instance_id = 'uuid:s1'") == 1,
	      "the resend stored once");
	CHECK(count(path, "SELECT count(*) FROM submission WHERE instance_id IN ('uuid:s5', "
			  "'uuid:s6', 'uuid:s7', 'uuid:s2')") == 0, "nothing stored from a refusal");
	/* Vietnam's date: 18:00 UTC on the 10th is the 11th in Hà Nội */
	CHECK(count(path, "SELECT count(*) FROM batch WHERE source = 'serve' AND operator = 'lan' "
			  "AND file_name = 'serve lan 2026-01-11' AND entries = 11 AND accepted = 1 "
			  "AND duplicates = 2 AND rejected = 8 AND undone_at IS NULL") == 1,
	      "lan's batch of the day and its counts");
	CHECK(count(path, "SELECT count(*) FROM batch_entry e JOIN batch b ON b.id = e.batch_id "
			  "WHERE b.operator = 'lan' AND e.status = 'rejected' AND e.reason = "
			  "'out-of-scope' AND e.commune_code = '90002'") == 1,
	      "a refusal recorded with its reason and commune");
	CHECK(count(path, "SELECT count(*) FROM batch WHERE operator = 'van' AND accepted = 1 AND "
			  "rejected = 1") == 1, "van's batch");
	CHECK(count(path, "SELECT count(*) FROM batch") == 3, "one batch per surveyor per day");
	{
		char *spool = serve_spool_path(path);

		CHECK(count(spool, "SELECT count(*) FROM spool") == 0, "applied rows leave the spool");
		free(spool);
	}
}

/* many clients at once; an edit; a lock held by another connection */
static void threads_and_lock(const char *path)
{
	struct serve_store *st = NULL;
	struct perr err = { 0 };
	struct serve_answer ans;
	struct client c[8];
	pthread_t t[8];
	int ok = 0;
	sqlite3 *other = NULL;
	double t0, took;
	char *x;

	CHECK(serve_store_open(&st, path, &err) == 0, "open: %s", err.msg);
	if (!st)
		return;
	for (int i = 0; i < 8; i++) {
		c[i] = (struct client){ st, 40, i * 1000, 0 };
		pthread_create(&t[i], NULL, client, &c[i]);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		ok += c[i].ok;
	}
	CHECK(ok == 320, "8 threads x 40: %d had 201", ok);
	CHECK(wait_count(path, "SELECT count(*) FROM submission WHERE instance_id LIKE 'uuid:t%'",
			 320) == 320, "all 320 applied");

	/* an edit of uuid:t0 through the server */
	x = sub_a("uuid:t0-edit", "b", "90001", "uuid:t0");
	CHECK(submit(st, &lan, x, &ans) == 201, "edit: %d %s", ans.status, ans.message);
	free(x);
	CHECK(wait_count(path, "SELECT count(*) FROM submission o JOIN submission e ON "
			       "o.superseded_by = e.id AND e.replaces = o.id WHERE o.instance_id = "
			       "'uuid:t0' AND e.instance_id = 'uuid:t0-edit'", 1) == 1,
	      "the edit replaces its original");
	CHECK(count(path, "SELECT count(*) FROM batch_entry WHERE instance_id = 'uuid:t0-edit' AND "
			  "status = 'edit' AND reason = 'edit'") == 1, "recorded as an edit");

	/* another connection holds the write lock, as a long capture import does */
	CHECK(sqlite3_open_v2(path, &other, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
		      sqlite3_busy_timeout(other, 10000) == SQLITE_OK &&
		      sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK,
	      "lock the database");
	x = sub_a("uuid:locked", "a", "90001", NULL);
	t0 = now_s();
	CHECK(submit(st, &lan, x, &ans) == 201, "under the lock: %d %s", ans.status, ans.message);
	took = now_s() - t0;
	CHECK(took < 2.0, "answered in %.3f s under the lock", took);
	free(x);
	usleep(300000);
	CHECK(count(path, "SELECT count(*) FROM submission WHERE instance_id = 'uuid:locked'") == 0,
	      "not in the database while it is locked");
	sqlite3_exec(other, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(other);
	CHECK(wait_count(path, "SELECT count(*) FROM submission WHERE instance_id = 'uuid:locked'",
			 1) == 1, "applied when the lock goes");
	serve_store_close(st);
}

/* A form registered by another process while the store is open is known within a second
   or two: the registry is loaded again when the database's forms change, not per
   submission. */
static void reload(const char *path)
{
	static const char xml[] = HEAD("mini-A2") "<commune>90001</commune><surveyor>L</surveyor>"
		"<sex>1</sex><qa>b</qa><qb>x</qb>" META("uuid:r1");
	struct serve_store *st = NULL;
	struct perr err = { 0 };
	struct serve_answer ans;
	sqlite3 *other = NULL;
	int status = 0;

	CHECK(serve_store_open(&st, path, &err) == 0, "open: %s", err.msg);
	if (!st)
		return;
	CHECK(submit(st, &lan, xml, &ans) == 400 && !strcmp(ans.reason, "unknown-form"),
	      "a form not registered: %d %s", ans.status, ans.reason);
	sqlite3_open_v2(path, &other, SQLITE_OPEN_READWRITE, NULL);
	sqlite3_busy_timeout(other, 10000); /* the applier may be writing */
	CHECK(sqlite3_exec(other, "INSERT INTO form VALUES ('mini-A2', '1', 'mini', '1', 'A', "
				  "'a2', X'78', 'now')", NULL, NULL, NULL) == SQLITE_OK,
	      "register a form");
	sqlite3_close(other);
	for (int i = 0; i < 50 && status != 201; i++) {
		usleep(100000);
		status = submit(st, &lan, xml, &ans);
	}
	CHECK(status == 201, "the new form known: %d %s", ans.status, ans.message);
	serve_store_close(st);
	CHECK(count(path, "SELECT count(*) FROM submission WHERE instance_id = 'uuid:r1'") == 1,
	      "stored");
}

/* A child submits while the database is locked (so all stays in the spool) and is killed
   with SIGKILL; reopening applies every submission that had its 201. */
static void crash(const char *path)
{
	int fds[2];
	pid_t pid;
	sqlite3 *other = NULL;
	char buf[8192];
	size_t got = 0;
	ssize_t n;
	int lines = 0, status;
	struct serve_store *st = NULL;
	struct perr err = { 0 };

	if (pipe(fds) < 0)
		return;
	sqlite3_open_v2(path, &other, SQLITE_OPEN_READWRITE, NULL);
	sqlite3_busy_timeout(other, 10000);
	CHECK(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK, "lock");
	pid = fork();
	if (pid == 0) {
		struct serve_store *cst = NULL;
		struct perr cerr = { 0 };

		close(fds[0]);
		if (serve_store_open(&cst, path, &cerr) < 0)
			_exit(3);
		for (int i = 0;; i++) {
			struct serve_answer ans;
			char iid[64], line[80];
			char *x;

			snprintf(iid, sizeof(iid), "uuid:k%d", i);
			x = sub_a(iid, "a", "90001", NULL);
			if (serve_submit(cst, &lan, x, strlen(x), &ans, &cerr) == 0 && ans.status == 201) {
				int len = snprintf(line, sizeof(line), "%s\n", iid);

				if (write(fds[1], line, (size_t)len) != len)
					_exit(4);
			}
			free(x);
		}
	}
	close(fds[1]);
	while (lines < 40 && (n = read(fds[0], buf + got, sizeof(buf) - got - 1)) > 0) {
		for (ssize_t i = 0; i < n; i++)
			lines += buf[got + (size_t)i] == '\n';
		got += (size_t)n;
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	while ((n = read(fds[0], buf + got, sizeof(buf) - got - 1)) > 0)
		got += (size_t)n;
	close(fds[0]);
	buf[got] = '\0';
	sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(other);
	CHECK(WIFSIGNALED(status) && lines >= 40, "the child was killed after %d 201s", lines);
	CHECK(count(path, "SELECT count(*) FROM submission WHERE instance_id LIKE 'uuid:k%'") == 0,
	      "nothing applied before the restart");
	CHECK(serve_store_open(&st, path, &err) == 0, "reopen: %s", err.msg);
	serve_store_close(st);
	lines = 0;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		char sql[200];

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM submission WHERE instance_id = '%s'",
			 line);
		lines++;
		CHECK(count(path, sql) == 1, "%s had its 201 and is stored", line);
	}
	CHECK(lines >= 40, "%d checked", lines);
	CHECK(count(path, "SELECT count(*) FROM batch_entry WHERE instance_id LIKE 'uuid:k%'") ==
		      count(path, "SELECT count(*) FROM submission WHERE instance_id LIKE 'uuid:k%'"),
	      "each applied once");
}

/* A spool that cannot grow (a file size limit, as on a full disk): 503, never 201. */
static void full(const char *path)
{
	pid_t pid = fork();
	int status = 0;

	if (pid == 0) {
		struct serve_store *st = NULL;
		struct perr err = { 0 };
		struct serve_answer ans;
		struct rlimit rl = { 0, 0 };
		struct strbuf big = STRBUF_INIT;
		char *x;

		if (serve_store_open(&st, path, &err) < 0)
			_exit(10);
		/* the store says the write failed on stderr, which may be the unit's log file: a
		   file it may not write either */
		dup2(open("/dev/null", O_WRONLY), 2);
		signal(SIGXFSZ, SIG_IGN);
		/* the WAL and the spool are as they are; nothing may grow */
		rl.rlim_cur = rl.rlim_max = 1;
		setrlimit(RLIMIT_FSIZE, &rl);
		for (int i = 0; i < 4000; i++)
			strbuf_adds(&big, "<!-- a comment to make the submission long enough -->");
		x = xasprintf(HEAD("mini-A") "%s<commune>90001</commune><surveyor>L</surveyor>"
			      "<sex>1</sex><qa>b</qa><qb>x</qb>" META("uuid:full"), big.buf);
		serve_submit(st, &lan, x, strlen(x), &ans, &err);
		_exit(ans.status == 503 && !strcmp(ans.reason, "unavailable") ? 0 : 11);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "503 when the spool cannot grow (%d)",
	      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	CHECK(count(path, "SELECT count(*) FROM submission WHERE instance_id = 'uuid:full'") == 0,
	      "not stored");
}

/* The spool keeps each 201's validated submission for the applier, which uses it only while
   the forms and the register are those it was checked against. Spooled while another
   connection holds the database, then commune 90003 leaves the register (and lan's scope)
   before they are applied: the one of 90003 is validated again and rejected
   (unknown-commune); the one of 90001, validated again too, is stored with the same columns
   as one applied from the spool's copy. */
static void changed_forms(const char *path)
{
	struct serve_store *st = NULL;
	struct perr err = { 0 };
	struct serve_answer ans;
	sqlite3 *other = NULL;
#define FULL_A(iid)                                                                        \
	HEAD("mini-A") "<start>2026-01-10T08:00:00.000+07:00</start>"                      \
		       "<end>2026-01-10T08:10:00.000+07:00</end><deviceid>collect:f</deviceid>" \
		       "<commune>90001</commune><surveyor>Lan</surveyor><comment>ghi chú "     \
		       "&lt;1&gt;</comment><sex>2</sex><qa>b</qa><qb>x</qb>" META(iid)
	char *early = xstrdup(FULL_A("uuid:f1")), *late = xstrdup(FULL_A("uuid:f2"));
	char sha[65], sql[300];
	char *gone = sub_a("uuid:f3", "a", "90003", NULL);
	const char *same = "SELECT count(*) FROM submission s JOIN submission t ON "
			   "t.instance_id = 'uuid:f2' WHERE s.instance_id = 'uuid:f1' AND "
			   "s.answers = t.answers AND s.commune_code = t.commune_code AND "
			   "s.surveyor = t.surveyor AND s.form_id = t.form_id AND "
			   "s.form_version = t.form_version AND s.group_id = t.group_id AND "
			   "s.started IS t.started AND s.ended IS t.ended AND "
			   "s.device_id IS t.device_id AND s.comment IS t.comment AND "
			   "s.comment = 'ghi chú <1>' AND s.device_id = 'collect:f'";

	sqlite3_open_v2(path, &other, SQLITE_OPEN_READWRITE, NULL);
	sqlite3_busy_timeout(other, 10000);
	CHECK(sqlite3_exec(other, "INSERT INTO commune VALUES ('90003', 'Ba', 'xã', '999', "
			   "'Thử'); INSERT INTO account_commune VALUES (1, '90003')", NULL, NULL,
			   NULL) == SQLITE_OK, "commune 90003, lan's too");
	CHECK(serve_store_open(&st, path, &err) == 0, "open: %s", err.msg);
	CHECK(submit(st, &lan, early, &ans) == 201, "early: %d %s", ans.status, ans.message);
	CHECK(wait_count(path, "SELECT count(*) FROM submission WHERE instance_id = 'uuid:f1'",
			 1) == 1, "early applied from the spool's copy");
	CHECK(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK, "lock");
	CHECK(submit(st, &lan, late, &ans) == 201, "late: %d %s", ans.status, ans.message);
	CHECK(submit(st, &lan, gone, &ans) == 201, "90003: %d %s", ans.status, ans.message);
	serve_store_close(st); /* the database is busy: both stay in the spool */
	st = NULL;
	CHECK(sqlite3_exec(other, "DELETE FROM account_commune WHERE code = '90003'; "
			   "DELETE FROM commune WHERE code = '90003'; COMMIT",
			   NULL, NULL, NULL) == SQLITE_OK, "commune 90003 leaves the register");
	CHECK(count(path, "SELECT count(*) FROM batch_entry WHERE instance_id IN ('uuid:f2', "
			  "'uuid:f3')") == 0, "nothing applied under the lock");
	CHECK(serve_store_open(&st, path, &err) == 0, "reopen: %s", err.msg);
	serve_store_close(st);
	CHECK(count(path, "SELECT count(*) FROM batch_entry WHERE instance_id = 'uuid:f3' AND "
			  "status = 'rejected' AND reason = 'unknown-commune'") == 1,
	      "90003's validated again: unknown-commune");
	CHECK(count(path, "SELECT count(*) FROM submission WHERE instance_id = 'uuid:f3'") == 0,
	      "90003's not stored");
	CHECK(count(path, same) == 1, "late stored as early was");
	text_sha256_hex(early, strlen(early), sha);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM submission WHERE instance_id = "
				   "'uuid:f1' AND sha256 = '%s'", sha);
	CHECK(count(path, sql) == 1, "early's sha256 from the spool's copy");
	sqlite3_close(other);
	free(early);
	free(late);
	free(gone);
}

/* A spool left by a server from before the spool kept validated submissions (no column
   checked) is applied on the next start, each submission parsed and validated again. */
static void old_spool(const char *path)
{
	char *spool = serve_spool_path(path), *wal = xasprintf("%s-wal", spool),
	     *shm = xasprintf("%s-shm", spool);
	char *x = sub_a("uuid:o1", "c", "90001", NULL);
	struct serve_store *st = NULL;
	struct perr err = { 0 };
	sqlite3 *db = NULL;
	sqlite3_stmt *ins = NULL;

	unlink(spool);
	unlink(wal);
	unlink(shm);
	CHECK(sqlite3_open(spool, &db) == SQLITE_OK &&
		      sqlite3_exec(db,
				   "CREATE TABLE spool_meta (key TEXT PRIMARY KEY, value TEXT NOT "
				   "NULL) STRICT; INSERT INTO spool_meta VALUES ('id', 'old');"
				   "CREATE TABLE spool (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
				   "received_at TEXT NOT NULL, account TEXT NOT NULL, status INTEGER "
				   "NOT NULL, reason TEXT NOT NULL, message TEXT NOT NULL, instance_id "
				   "TEXT, form_id TEXT, commune TEXT, xml BLOB NOT NULL) STRICT;",
				   NULL, NULL, NULL) == SQLITE_OK &&
		      sqlite3_prepare_v2(db, "INSERT INTO spool (received_at, account, status, "
					     "reason, message, instance_id, form_id, commune, xml) "
					     "VALUES ('2026-01-10T18:00:00Z', 'lan', 201, 'ok', "
					     "'stored', 'uuid:o1', 'mini-A', '90001', ?)",
					 -1, &ins, NULL) == SQLITE_OK &&
		      sqlite3_bind_blob(ins, 1, x, (int)strlen(x), SQLITE_STATIC) == SQLITE_OK &&
		      sqlite3_step(ins) == SQLITE_DONE,
	      "a spool of the old shape: %s", sqlite3_errmsg(db));
	sqlite3_finalize(ins);
	sqlite3_close(db);
	CHECK(serve_store_open(&st, path, &err) == 0, "open on it: %s", err.msg);
	serve_store_close(st);
	CHECK(count(path, "SELECT count(*) FROM submission WHERE instance_id = 'uuid:o1' AND "
			  "answers LIKE '%\"qa\":\"c\"%'") == 1, "its submission stored");
	CHECK(count(spool, "SELECT count(*) FROM pragma_table_info('spool') WHERE name = "
			   "'checked'") == 1, "the spool has the new column");
	CHECK(count(spool, "SELECT count(*) FROM spool") == 0, "and is empty");
	free(x);
	free(shm);
	free(wal);
	free(spool);
}

/* the web survey: one single-use code sent by 16 threads let go at once (a barrier) gives
   exactly one 201, one submission and the code used with it; the others are refused and
   leave nothing in the batch */
struct racer {
	struct serve_store *st;
	pthread_barrier_t *go;
	int n, status;
};

static void *racer(void *arg)
{
	struct racer *r = arg;
	struct serve_user u = { .name = "web", .role = "respondent", .channel = "web" };
	struct serve_answer ans;
	struct perr err = { 0 };
	char iid[64], *x;

	text_sha256_hex("RACECODE00000000", 16, u.code);
	snprintf(iid, sizeof(iid), "uuid:race-%d", r->n);
	x = xasprintf(HEAD("mini-A") "<commune>90001</commune><surveyor>web</surveyor><sex>1</sex>"
		      "<qa>a</qa><qb>b</qb>" META("%s"), iid);
	pthread_barrier_wait(r->go);
	r->status = serve_submit(r->st, &u, x, strlen(x), &ans, &err) == 0 ? ans.status : -1;
	free(x);
	return NULL;
}

static void one_code_at_once(const char *path)
{
	struct serve_store *st = NULL;
	struct perr err = { 0 };
	struct racer r[16];
	pthread_t t[16];
	pthread_barrier_t go;
	char hash[65], sql[256];
	int created = 0, refused = 0;

	text_sha256_hex("RACECODE00000000", 16, hash);
	snprintf(sql, sizeof(sql), "INSERT INTO survey_code (hash, commune_code, group_id, sheet, "
				   "issued_at) VALUES ('%s', '90001', 'A', 1, 'now')", hash);
	{
		sqlite3 *db = NULL;

		CHECK(sqlite3_open(path, &db) == SQLITE_OK &&
			      sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK,
		      "a code");
		sqlite3_close(db);
	}
	CHECK(serve_store_open(&st, path, &err) == 0, "open: %s", err.msg);
	if (!st)
		return;
	pthread_barrier_init(&go, NULL, 16);
	for (int i = 0; i < 16; i++) {
		r[i] = (struct racer){ st, &go, i, 0 };
		pthread_create(&t[i], NULL, racer, &r[i]);
	}
	for (int i = 0; i < 16; i++) {
		pthread_join(t[i], NULL);
		created += r[i].status == 201;
		refused += r[i].status == 409;
	}
	pthread_barrier_destroy(&go);
	CHECK(created == 1 && refused == 15, "one code, 16 at once: %d 201, %d 409", created, refused);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM survey_code c JOIN submission s ON "
				   "s.instance_id = c.instance_id WHERE c.hash = '%s' AND c.used_at "
				   "IS NOT NULL", hash);
	CHECK(wait_count(path, sql, 1) == 1, "the code used with its submission");
	CHECK(count(path, "SELECT count(*) FROM submission WHERE instance_id LIKE 'uuid:race-%'") ==
		      1, "one submission");
	CHECK(count(path, "SELECT count(*) FROM batch_entry WHERE instance_id LIKE 'uuid:race-%'") ==
		      1, "the refused ones left nothing");
	serve_store_close(st);
}

void test_serve_store(void)
{
	char dir[] = "/tmp/parindex-unit-XXXXXX", path[64], cmd[128];

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/s.db", dir);
	setenv("PARINDEX_NOW", "2026-01-10T18:00:00Z", 1);
	CHECK(unit_serve_setup(path) == 0, "setup");
	statuses(path);
	threads_and_lock(path);
	one_code_at_once(path);
	reload(path);
	changed_forms(path);
	crash(path);
	old_spool(path);
	full(path);
	unsetenv("PARINDEX_NOW");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		CHECK(0, "cleanup");
}
