/* Accounts: the web hash against published PBKDF2-HMAC-SHA256 vectors, HA1 and Digest
   responses against RFC 2617's and RFC 7616's examples, name and password checks, adding,
   scope, passwords, logins and the audit log on a database in memory; the quick check. */
#include "unit.h"

#include <stdlib.h>
#include <unistd.h>

#include "account.h"
#include "backup.h"
#include "db.h"
#include "def.h"
#include "store.h"
#include "strbuf.h"

static void same_str(const char *got, const char *want, const char *what)
{
	CHECK(got && !strcmp(got, want), "%s: got '%s', want '%s'", what, got ? got : "(null)", want);
}

/* RFC 6070's inputs with HMAC-SHA256 (the values every PBKDF2-SHA256 implementation
   publishes, e.g. RFC 7914 section 11 for "passwd"), 32-byte output */
static void test_pbkdf2(void)
{
	static const struct {
		const char *password, *salt;
		unsigned iterations;
		const char *hash;
	} cases[] = {
		{ "password", "salt", 1, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b" },
		{ "password", "salt", 2, "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43" },
		{ "password", "salt", 4096, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a" },
		{ "passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096,
		  "348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1" },
		/* RFC 7914 section 11, its first 32 bytes */
		{ "passwd", "salt", 1, "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[ACCOUNT_WEB_HASH_MAX], *hash;

		account_web_hash_salted(cases[i].password, (const unsigned char *)cases[i].salt,
					strlen(cases[i].salt), cases[i].iterations, out);
		hash = strrchr(out, '$');
		same_str(hash ? hash + 1 : NULL, cases[i].hash, cases[i].password);
		CHECK(!strncmp(out, "pbkdf2-sha256$", 14) && strtoul(out + 14, NULL, 10) ==
		      cases[i].iterations, "parameters stored: %s", out);
		CHECK(account_web_verify(out, cases[i].password) == 1, "verifies: %s", out);
		CHECK(account_web_verify(out, "wrong") == 0, "wrong password refused: %s", out);
	}
}

static void test_web_verify(void)
{
	static const char *const malformed[] = {
		"",
		"sha1$1$00$00",
		"pbkdf2-sha256$0$73616c74$120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b",
		"pbkdf2-sha256$x$73616c74$120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b",
		"pbkdf2-sha256$1$$120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b",
		"pbkdf2-sha256$1$73616c7$120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b",
		"pbkdf2-sha256$1$73616c74$120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be1",
		"pbkdf2-sha256$1$73616c74$120FB6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b",
		"pbkdf2-sha256$99999999999$73616c74$120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b",
		"pbkdf2-sha256$1$73616c74",
	};
	char a[ACCOUNT_WEB_HASH_MAX], b[ACCOUNT_WEB_HASH_MAX];
	struct perr err = { 0 };

	CHECK(account_web_verify("pbkdf2-sha256$1$73616c74$120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b",
				 "password") == 1, "a hand-written hash verifies");
	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++)
		CHECK(account_web_verify(malformed[i], "password") == -1, "malformed: '%s'",
		      malformed[i]);
	/* a fresh salt each time: the same password hashes differently, both verify */
	CHECK(account_web_hash("correct horse", 1000, a, &err) == 0, "hash: %s", err.msg);
	CHECK(account_web_hash("correct horse", 1000, b, &err) == 0, "hash: %s", err.msg);
	CHECK(strcmp(a, b) != 0, "salted: %s %s", a, b);
	CHECK(strlen(strchr(a + 14, '$') + 1) == 2 * ACCOUNT_SALT_BYTES + 1 + 64,
	      "16-byte salt, 32-byte hash: %s", a);
	CHECK(account_web_verify(a, "correct horse") == 1 && account_web_verify(b, "correct horse") == 1,
	      "both verify");
	CHECK(account_web_verify(a, "correct horsE") == 0, "one letter off refused");
	CHECK(ACCOUNT_PBKDF2_ITERATIONS >= 600000, "at least 600,000 iterations");
}

static void test_digest(void)
{
	char ha1[65], resp[65];

	/* RFC 2617 section 3.5 */
	account_ha1(ACCOUNT_MD5, "Mufasa", "testrealm@host.com", "Circle Of Life", ha1);
	same_str(ha1, "939e7578ed9e3c518a452acee763bce9", "RFC 2617 HA1");
	account_digest_response(ACCOUNT_MD5, ha1, "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001",
				"0a4f113b", "auth", "GET", "/dir/index.html", resp);
	same_str(resp, "6629fae49393a05397450978507c4ef1", "RFC 2617 response");
	/* RFC 7616 section 3.9.1, MD5 and SHA-256 */
	account_ha1(ACCOUNT_MD5, "Mufasa", "http-auth@example.org", "Circle of Life", ha1);
	account_digest_response(ACCOUNT_MD5, ha1, "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
				"00000001", "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", "auth",
				"GET", "/dir/index.html", resp);
	same_str(resp, "8ca523f5e9506fed4657c9700eebdbec", "RFC 7616 MD5 response");
	account_ha1(ACCOUNT_SHA256, "Mufasa", "http-auth@example.org", "Circle of Life", ha1);
	CHECK(strlen(ha1) == 64, "SHA-256 HA1 is 64 hex digits");
	account_digest_response(ACCOUNT_SHA256, ha1, "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
				"00000001", "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", "auth",
				"GET", "/dir/index.html", resp);
	same_str(resp, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
		  "RFC 7616 SHA-256 response");
}

static void test_names(void)
{
	static const struct {
		const char *name;
		int ok;
	} cases[] = {
		{ "lan", 1 },
		{ "Nguy\xe1\xbb\x85n V\xc4\x83n A", 1 },
		{ "surveyor.01@post", 1 },
		{ "", 0 },
		{ "a:b", 0 },
		{ "a\"b", 0 },
		{ "a\\b", 0 },
		{ "a\tb", 0 },
		{ "a\nb", 0 },
		{ "a\x7f", 0 },
		{ "a\xc2\x85", 0 },   /* C1 NEL */
		{ "a\xe2\x80\xa8", 0 }, /* line separator */
		{ "\xff", 0 },
		{ " lan", 0 },
		{ "lan ", 0 },
		{ "0123456789012345678901234567890123456789012345678901234567890123", 1 },
		{ "01234567890123456789012345678901234567890123456789012345678901234", 0 },
	};
	static const struct {
		const char *password;
		int ok;
	} passwords[] = {
		{ "12345678", 1 },
		{ "m\xe1\xba\xadt kh\xe1\xba\xa9u", 1 }, /* mật khẩu: 8 characters, 12 bytes */
		{ "1234567", 0 },
		{ "\xe1\xba\xad\xe1\xba\xad\xe1\xba\xad", 0 }, /* 9 bytes, 3 characters */
		{ "12345678\t", 0 },
		{ "12345678\xff", 0 },
		{ "", 0 },
	};
	struct perr err = { 0 };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK((account_check_name(cases[i].name, &err) == 0) == cases[i].ok,
		      "name '%s': %s", cases[i].name, err.msg);
	for (size_t i = 0; i < sizeof(passwords) / sizeof(passwords[0]); i++)
		CHECK((account_check_password(passwords[i].password, &err) == 0) == passwords[i].ok,
		      "password '%s': %s", passwords[i].password, err.msg);
}

static int count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void test_accounts_db(void)
{
	static const char *const communes[] = { "90001" }, *const bad[] = { "90001", "99999", "x" };
	static const char *const groups[] = { "A" }, *const badg[] = { "Z" };
	struct account_new a = { "lan", "surveyor", communes, 1, groups, 1 };
	struct strbuf content = STRBUF_INIT;
	struct store_counts n = { 0 };
	struct diag diag = { 0 };
	struct perr err = { 0 };
	struct def d = { 0 };
	sqlite3 *db = NULL;
	char realm[64], realm2[64], ha1[65], want[65], role[16];

	CHECK(strbuf_read_file(&content, unit_data("definitions/mini.xml"), 1 << 20) == 0,
	      "read mini.xml");
	CHECK(def_load(&d, strbuf_str(&content), content.len, "mini.xml", &diag) == 0, "load");
	CHECK(db_open(&db, ":memory:", DB_MIGRATE, &err) == 0, "open: %s", err.msg);
	CHECK(store_definition(db, &d, content.buf, content.len, "mini.xml", &n, &err) == 0,
	      "store: %s", err.msg);
	CHECK(db_exec(db, "INSERT INTO commune VALUES ('90001', 'A', 'x\xc3\xa3', '999', 'H')", &err) == 0,
	      "commune: %s", err.msg);

	CHECK(account_add(db, &a, "correct horse", &err) == 0, "add: %s", err.msg);
	CHECK(account_realm(db, realm, &err) == 0 && account_realm(db, realm2, &err) == 0 &&
	      !strcmp(realm, realm2) && !strncmp(realm, "parindex-", 9) && strlen(realm) == 25,
	      "one realm per database: %s", realm);
	CHECK(account_get_ha1(db, "lan", ACCOUNT_MD5, ha1, &err) == 0, "ha1: %s", err.msg);
	account_ha1(ACCOUNT_MD5, "lan", realm, "correct horse", want);
	same_str(ha1, want, "stored MD5 HA1");
	CHECK(account_get_ha1(db, "lan", ACCOUNT_SHA256, ha1, &err) == 0, "ha1: %s", err.msg);
	account_ha1(ACCOUNT_SHA256, "lan", realm, "correct horse", want);
	same_str(ha1, want, "stored SHA-256 HA1");
	CHECK(account_get_ha1(db, "nobody", ACCOUNT_MD5, ha1, &err) == 1, "unknown: no HA1");
	CHECK(count(db, "SELECT count(*) FROM account WHERE instr(ha1_md5 || ha1_sha256 || web_hash, 'correct') > 0") == 0,
	      "no password stored");
	CHECK(account_login(db, "lan", "correct horse", role, &err) == 1 && !strcmp(role, "surveyor"),
	      "login");
	CHECK(account_login(db, "lan", "wrong horse", role, &err) == 0, "wrong password");
	CHECK(account_login(db, "nobody", "correct horse", role, &err) == 0, "unknown name");

	/* refused: nothing stored */
	a.name = "LAN";
	CHECK(account_add(db, &a, "correct horse", &err) == -1 && err.code == PERR_DATA,
	      "a name in other case refused");
	a.name = "hoa";
	a.communes = bad;
	a.ncommunes = 3;
	CHECK(account_add(db, &a, "correct horse", &err) == -1 &&
	      strstr(err.msg, "'99999', 'x'") && !strstr(err.msg, "90001"),
	      "unknown communes named: %s", err.msg);
	a.communes = communes;
	a.ncommunes = 1;
	a.groups = badg;
	CHECK(account_add(db, &a, "correct horse", &err) == -1 && strstr(err.msg, "'Z'"),
	      "unknown group named: %s", err.msg);
	a.ngroups = 0;
	a.ncommunes = 0;
	CHECK(account_add(db, &a, "correct horse", &err) == -1, "a surveyor needs communes");
	a.role = "office";
	a.ncommunes = 1;
	CHECK(account_add(db, &a, "correct horse", &err) == -1, "office has no scope");
	a.role = "admin";
	a.ncommunes = 0;
	CHECK(account_add(db, &a, "correct horse", &err) == -1, "no role 'admin'");
	CHECK(count(db, "SELECT count(*) FROM account") == 1, "one account stored");

	/* a new password: new HA1s, the old password no longer logs in */
	CHECK(account_set_password(db, "lan", "battery staple", &err) == 0, "passwd: %s", err.msg);
	CHECK(account_login(db, "lan", "correct horse", role, &err) == 0, "old password refused");
	CHECK(account_login(db, "lan", "battery staple", role, &err) == 1, "new password");
	CHECK(account_get_ha1(db, "lan", ACCOUNT_MD5, ha1, &err) == 0, "ha1");
	account_ha1(ACCOUNT_MD5, "lan", realm, "battery staple", want);
	same_str(ha1, want, "new HA1");
	/* disabled: kept, no HA1, no login, no new password */
	CHECK(account_disable(db, "lan", &err) == 0, "disable: %s", err.msg);
	CHECK(account_get_ha1(db, "lan", ACCOUNT_MD5, ha1, &err) == 1, "disabled: no HA1");
	CHECK(account_login(db, "lan", "battery staple", role, &err) == 0, "disabled: no login");
	CHECK(account_disable(db, "lan", &err) == -1, "disabled twice refused");
	CHECK(account_set_password(db, "lan", "battery staple", &err) == -1, "no password set");
	CHECK(count(db, "SELECT count(*) FROM account") == 1, "kept");

	CHECK(audit_record(db, "lan", "192.0.2.7", "login", &err) == 0, "audit: %s", err.msg);
	CHECK(count(db, "SELECT count(*) FROM audit WHERE who = 'lan' AND address = '192.0.2.7' "
			"AND what = 'login' AND at <> ''") == 1, "audit row");
	CHECK(db_quick_check(db, &err) == 0, "quick check: %s", err.msg);
	db_close(db);

	/* the HA1 fetched for an account is RFC 2617's, given its realm, name and password */
	CHECK(db_open(&db, ":memory:", DB_MIGRATE, &err) == 0, "open: %s", err.msg);
	CHECK(db_setting_set(db, "digest_realm", "testrealm@host.com", &err) == 0, "realm");
	a.name = "Mufasa";
	a.role = "office";
	a.ncommunes = a.ngroups = 0;
	CHECK(account_add(db, &a, "Circle Of Life", &err) == 0, "add Mufasa: %s", err.msg);
	CHECK(account_get_ha1(db, "Mufasa", ACCOUNT_MD5, ha1, &err) == 0, "fetch: %s", err.msg);
	same_str(ha1, "939e7578ed9e3c518a452acee763bce9", "RFC 2617 HA1 fetched");
	CHECK(account_get_ha1(db, "mufasa", ACCOUNT_MD5, ha1, &err) == 1,
	      "the name is matched exactly, as Digest does");
	CHECK(account_check_enabled(db, "Mufasa", &err) == 0, "enabled");
	CHECK(account_check_enabled(db, "Scar", &err) == -1, "no such account");
	db_close(db);
	def_release(&d);
	diag_release(&diag);
	strbuf_release(&content);
}

/* a database file with a page overwritten fails the quick check, naming the damage */
static void test_quick_check(void)
{
	char dir[] = "/tmp/parindex-unit-XXXXXX", path[64];
	struct perr err = { 0 };
	sqlite3 *db = NULL;
	FILE *f;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/q.db", dir);
	CHECK(db_open(&db, path, DB_MIGRATE, &err) == 0, "open: %s", err.msg);
	CHECK(db_exec(db, "CREATE TABLE x (t TEXT); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
			  "SELECT i + 1 FROM n WHERE i < 2000) INSERT INTO x SELECT printf('%0200d', i) FROM n; "
			  "PRAGMA wal_checkpoint(TRUNCATE)", &err) == 0, "fill: %s", err.msg);
	CHECK(db_quick_check(db, &err) == 0, "quick check of a sound file: %s", err.msg);
	db_close(db);
	/* the last page is one of x's leaves */
	f = fopen(path, "r+b");
	if (f) {
		char junk[4096];

		memset(junk, 0xa5, sizeof(junk));
		fseek(f, -16384 + 100, SEEK_END);
		fwrite(junk, 1, sizeof(junk), f);
		fclose(f);
	}
	CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK, "reopen");
	CHECK(db_quick_check(db, &err) == -1 && err.code == PERR_DATA && strstr(err.msg, "damaged"),
	      "damage found: %s", err.msg);
	sqlite3_close(db);
	remove(path);
	snprintf(path, sizeof(path), "%s/q.db-wal", dir);
	remove(path);
	snprintf(path, sizeof(path), "%s/q.db-shm", dir);
	remove(path);
	rmdir(dir);
}

/* the other connection commits a commune between the backup's steps */
struct writer {
	sqlite3 *db;
	int commits;
};

static void write_between_steps(void *arg, long long remaining, long long pages)
{
	struct writer *w = arg;
	char sql[200];

	/* a few: a backup that restarts after each would otherwise never end */
	if (w->commits >= 3)
		return;

	snprintf(sql, sizeof(sql), "INSERT INTO commune VALUES ('8%04d', 'X', 'x\xc3\xa3', '999', 'H')",
		 w->commits);
	if (sqlite3_exec(w->db, sql, NULL, NULL, NULL) == SQLITE_OK)
		w->commits++;
}

/* A backup is one snapshot: commits by another connection while it runs are not in the copy,
   and do not make it start over (a backup outside a read transaction would restart after each
   commit and copy a later state than its counts). */
static void test_backup_snapshot(void)
{
	char dir[] = "/tmp/parindex-unit-XXXXXX", path[64], copy[64];
	struct backup_report r;
	struct writer w = { 0 };
	struct perr err = { 0 };
	sqlite3 *db = NULL, *c = NULL;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/s.db", dir);
	snprintf(copy, sizeof(copy), "%s/copy.db", dir);
	CHECK(db_open(&db, path, DB_MIGRATE, &err) == 0, "open: %s", err.msg);
	/* 5 MB: more pages than one step copies */
	CHECK(db_exec(db, "CREATE TABLE x (b BLOB); INSERT INTO x VALUES (randomblob(5000000)); "
			  "INSERT INTO commune VALUES ('90001', 'A', 'x\xc3\xa3', '999', 'H')", &err) == 0,
	      "fill: %s", err.msg);
	CHECK(db_open(&w.db, path, DB_EXISTING, &err) == 0, "second connection: %s", err.msg);
	CHECK(backup_database(db, copy, 0, write_between_steps, &w, &r, &err) == 0, "backup: %s",
	      err.msg);
	CHECK(r.steps >= 2 && w.commits >= 1, "written between steps: %lld steps, %d commits",
	      r.steps, w.commits);
	CHECK(r.source.communes == 1 && r.copy.communes == 1, "the copy is the snapshot: %lld, %lld",
	      r.source.communes, r.copy.communes);
	CHECK(r.pages * r.page_size >= 5000000 && !strcmp(r.integrity, "ok"), "whole and sound");
	CHECK(sqlite3_open_v2(copy, &c, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK, "open the copy");
	CHECK(db_quick_check(c, &err) == 0, "copy sound: %s", err.msg);
	sqlite3_close(c);
	CHECK(backup_database(db, copy, 0, NULL, NULL, &r, &err) == -1 && err.code == PERR_USAGE,
	      "an existing copy refused without force");
	CHECK(backup_database(db, copy, 1, NULL, NULL, &r, &err) == 0 && r.copy.communes == 1 + w.commits,
	      "with force, the later state: %s", err.msg);
	db_close(w.db);
	db_close(db);
	unlink(copy);
	unlink(path);
	rmdir(dir);
}

void test_account(void)
{
	test_pbkdf2();
	test_web_verify();
	test_digest();
	test_names();
	test_accounts_db();
	test_quick_check();
	test_backup_snapshot();
}
