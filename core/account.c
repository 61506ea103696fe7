/* Accounts: names and passwords checked, HA1 values and the PBKDF2 web hash made and
   verified (nettle), a surveyor's scope checked against the register and the active
   definition, and the audit log. See account.h. */
#include "account.h"
#include "db.h"
#include "strbuf.h"
#include "text.h"

#include <errno.h>
#include <nettle/memops.h>
#include <nettle/pbkdf2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistr.h>

#define PBKDF2_HASH_BYTES 32
#define WEB_HASH_PREFIX "pbkdf2-sha256$"

/* Is c a control character (C0, DEL, C1) or a line or paragraph separator? */
static int is_control(ucs4_t c)
{
	return c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0x2028 || c == 0x2029;
}

/* -1 if s is not UTF-8 or holds a control character; else its length in characters */
static long text_chars(const char *s)
{
	const uint8_t *p = (const uint8_t *)s;
	long n = 0;
	ucs4_t c;
	int len;

	if (u8_check(p, strlen(s)))
		return -1;
	for (; *p; p += len, n++) {
		len = u8_strmbtouc(&c, p);
		if (len <= 0 || is_control(c))
			return -1;
	}
	return n;
}

int account_check_name(const char *name, struct perr *err)
{
	size_t len = strlen(name);

	if (!len)
		return perr_set(err, PERR_USAGE, "", "an account name cannot be empty");
	if (len > ACCOUNT_NAME_MAX)
		return perr_set(err, PERR_USAGE, "", "account name of %zu bytes: at most %d", len,
				ACCOUNT_NAME_MAX);
	if (text_chars(name) < 0)
		return perr_set(err, PERR_USAGE, "",
				"account name '%s': control characters or bytes that are not UTF-8", name);
	if (strchr(name, ':'))
		return perr_set(err, PERR_USAGE, "",
				"account name '%s': ':' cannot be in a name (Digest authentication joins name and realm with it)",
				name);
	if (strpbrk(name, "\"\\"))
		return perr_set(err, PERR_USAGE, "",
				"account name '%s': '\"' and '\\' cannot be in a name (Digest authentication quotes it)",
				name);
	if (name[0] == ' ' || name[len - 1] == ' ')
		return perr_set(err, PERR_USAGE, "",
				"account name '%s': a space at either end would not be seen", name);
	return 0;
}

int account_check_password(const char *password, struct perr *err)
{
	long n;

	if (strlen(password) > ACCOUNT_PASSWORD_MAX)
		return perr_set(err, PERR_USAGE, "", "password longer than %d bytes",
				ACCOUNT_PASSWORD_MAX);
	n = text_chars(password);
	if (n < 0)
		return perr_set(err, PERR_USAGE, "",
				"password with control characters or bytes that are not UTF-8");
	if (n < ACCOUNT_PASSWORD_MIN)
		return perr_set(err, PERR_USAGE, "", "password of %ld characters: at least %d", n,
				ACCOUNT_PASSWORD_MIN);
	return 0;
}

/* bytes of hex text s (2 * n digits exactly) into b; -1 if it is not that */
static int unhex(const char *s, size_t slen, unsigned char *b, size_t n)
{
	if (slen != 2 * n)
		return -1;
	for (size_t i = 0; i < 2 * n; i++) {
		int c = s[i], v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;

		if (v < 0)
			return -1;
		if (i % 2)
			b[i / 2] |= (unsigned char)v;
		else
			b[i / 2] = (unsigned char)(v << 4);
	}
	return 0;
}

/* H(parts[0]:parts[1]:...) in hex; the joined text (it holds a password) is wiped after */
static void digest_hex(enum account_digest alg, const char *const *parts, size_t n, char *out)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addc(&sb, ':');
		strbuf_adds(&sb, parts[i]);
	}
	if (alg == ACCOUNT_MD5)
		text_md5_hex(strbuf_str(&sb), sb.len, out);
	else
		text_sha256_hex(strbuf_str(&sb), sb.len, out);
	if (sb.buf)
		explicit_bzero(sb.buf, sb.alloc);
	strbuf_release(&sb);
}

void account_ha1(enum account_digest alg, const char *name, const char *realm,
		 const char *password, char *out)
{
	const char *parts[] = { name, realm, password };

	digest_hex(alg, parts, 3, out);
}

void account_digest_response(enum account_digest alg, const char *ha1, const char *nonce,
			     const char *nc, const char *cnonce, const char *qop,
			     const char *method, const char *uri, char *out)
{
	char ha2[65];
	const char *a2[] = { method, uri };

	digest_hex(alg, a2, 2, ha2);
	if (qop) {
		const char *parts[] = { ha1, nonce, nc, cnonce, qop, ha2 };

		digest_hex(alg, parts, 6, out);
	} else {
		const char *parts[] = { ha1, nonce, ha2 };

		digest_hex(alg, parts, 3, out);
	}
}

int account_realm(sqlite3 *db, char out[64], struct perr *err)
{
	unsigned char r[8];
	int rc = db_setting_get(db, "digest_realm", out, 64, err);

	if (rc <= 0)
		return rc;
	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		return perr_set(err, PERR_SYSTEM, "", "no random numbers for the realm: %s",
				strerror(errno));
	memcpy(out, "parindex-", 9);
	text_hex(r, sizeof(r), out + 9);
	return db_setting_set(db, "digest_realm", out, err);
}

char *account_web_hash_salted(const char *password, const unsigned char *salt, size_t saltlen,
			      unsigned iterations, char out[ACCOUNT_WEB_HASH_MAX])
{
	unsigned char dk[PBKDF2_HASH_BYTES];
	char salthex[2 * ACCOUNT_SALT_MAX + 1], dkhex[2 * PBKDF2_HASH_BYTES + 1];

	if (saltlen > ACCOUNT_SALT_MAX)
		saltlen = ACCOUNT_SALT_MAX;
	pbkdf2_hmac_sha256(strlen(password), (const uint8_t *)password, iterations, saltlen, salt,
			   sizeof(dk), dk);
	text_hex(salt, saltlen, salthex);
	text_hex(dk, sizeof(dk), dkhex);
	snprintf(out, ACCOUNT_WEB_HASH_MAX, WEB_HASH_PREFIX "%u$%s$%s", iterations, salthex, dkhex);
	return out;
}

int account_web_hash(const char *password, unsigned iterations, char out[ACCOUNT_WEB_HASH_MAX], struct perr *err)
{
	unsigned char salt[ACCOUNT_SALT_BYTES];

	if (getrandom(salt, sizeof(salt), 0) != sizeof(salt))
		return perr_set(err, PERR_SYSTEM, "", "no random numbers for a salt: %s",
				strerror(errno));
	account_web_hash_salted(password, salt, sizeof(salt), iterations, out);
	return 0;
}

int account_web_verify(const char *stored, const char *password)
{
	unsigned char salt[ACCOUNT_SALT_MAX], want[PBKDF2_HASH_BYTES], got[PBKDF2_HASH_BYTES];
	const char *p, *s, *h;
	char *end;
	unsigned long iterations;

	if (strncmp(stored, WEB_HASH_PREFIX, strlen(WEB_HASH_PREFIX)))
		return -1;
	p = stored + strlen(WEB_HASH_PREFIX);
	if (*p < '1' || *p > '9')
		return -1;
	iterations = strtoul(p, &end, 10);
	/* a stored count past a billion is damage, not a setting: it would hang the login */
	if (*end != '$' || iterations > 1000000000UL)
		return -1;
	s = end + 1;
	h = strchr(s, '$');
	if (!h || h == s || (size_t)(h - s) > 2 * sizeof(salt) || (h - s) % 2 ||
	    unhex(s, (size_t)(h - s), salt, (size_t)(h - s) / 2) < 0 ||
	    unhex(h + 1, strlen(h + 1), want, sizeof(want)) < 0)
		return -1;
	pbkdf2_hmac_sha256(strlen(password), (const uint8_t *)password, (unsigned)iterations,
			   (size_t)(h - s) / 2, salt, sizeof(got), got);
	return memeql_sec(got, want, sizeof(got)) ? 1 : 0;
}

/* The account's id and disabled_at (if not NULL, 32 bytes); 0 found, 1 not, -1 error. A name
   differing only in case from an account's is found too (*exact then 0), so "Lan" and "lan"
   cannot both be made. */
static int find_account(sqlite3 *db, const char *name, long long *id, int *exact,
			char disabled[32], struct perr *err)
{
	sqlite3_stmt *st;
	char *want = text_fold(name);
	int rc, found = 1;

	if (db_prepare(db, &st, "SELECT id, name, coalesce(disabled_at, '') FROM account", err) < 0) {
		free(want);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *n = (const char *)sqlite3_column_text(st, 1);
		char *f = text_fold(n);
		int same = !strcmp(f, want);

		free(f);
		if (!same)
			continue;
		*id = sqlite3_column_int64(st, 0);
		*exact = !strcmp(n, name);
		if (disabled)
			snprintf(disabled, 32, "%s", (const char *)sqlite3_column_text(st, 2));
		found = 0;
		if (*exact)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		found = db_fail(db, err, "reading accounts");
	sqlite3_finalize(st);
	free(want);
	return found;
}

/* codes of list not found by the query (one ?1 parameter, or ?1 with ?2 ?3 bound before),
   into a message "'a', 'b'"; 0 all found, 1 some unknown, -1 error */
static int unknown_codes(sqlite3 *db, sqlite3_stmt *st, const char *const *codes, size_t n,
			 struct strbuf *unknown, struct perr *err)
{
	int any = 0;

	for (size_t i = 0; i < n; i++) {
		int rc;

		sqlite3_bind_text(st, 1, codes[i], -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc == SQLITE_DONE) {
			strbuf_addf(unknown, "%s'%s'", any ? ", " : "", codes[i]);
			any = 1;
		} else if (rc != SQLITE_ROW) {
			return db_fail(db, err, "reading the register");
		}
	}
	return any;
}

/* A surveyor's communes must be in the register, groups in the active definition. */
static int check_scope(sqlite3 *db, const struct account_new *a, struct perr *err)
{
	struct strbuf unknown = STRBUF_INIT;
	sqlite3_stmt *st = NULL;
	char active[200], *version;
	int rc = -1, u;

	if (db_prepare(db, &st, "SELECT 1 FROM commune WHERE code = ?1", err) < 0)
		goto done;
	if ((u = unknown_codes(db, st, a->communes, a->ncommunes, &unknown, err)) < 0)
		goto done;
	if (u) {
		perr_set(err, PERR_DATA, "--communes", "unknown commune code%s %s (not in the register)",
			 strchr(unknown.buf, ',') ? "s" : "", strbuf_str(&unknown));
		goto done;
	}
	if (!a->ngroups) {
		rc = 0;
		goto done;
	}
	if ((u = db_setting_get(db, "active_definition", active, sizeof(active), err)) < 0)
		goto done;
	if (u || !(version = strchr(active, ' '))) {
		perr_set(err, PERR_DATA, "--groups", "no definition in the database to check groups against; load one with 'parindex init'");
		goto done;
	}
	*version++ = '\0';
	sqlite3_finalize(st);
	if (db_prepare(db, &st,
		       "SELECT 1 FROM respondent_group WHERE id = ?1 AND def_id = ?2 AND def_version = ?3",
		       err) < 0)
		goto done;
	sqlite3_bind_text(st, 2, active, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, version, -1, SQLITE_STATIC);
	if ((u = unknown_codes(db, st, a->groups, a->ngroups, &unknown, err)) < 0)
		goto done;
	if (u) {
		perr_set(err, PERR_DATA, "--groups",
			 "unknown respondent group%s %s (not in definition %s %s)",
			 strchr(unknown.buf, ',') ? "s" : "", strbuf_str(&unknown), active, version);
		goto done;
	}
	rc = 0;
done:
	sqlite3_finalize(st);
	strbuf_release(&unknown);
	return rc;
}

/* the HA1s and web hash of name's password into the statement's parameters 1 to 3 */
static int bind_secrets(sqlite3 *db, sqlite3_stmt *st, const char *name, const char *password,
			struct perr *err)
{
	char realm[64], md5[33], sha[65], web[ACCOUNT_WEB_HASH_MAX];

	if (account_realm(db, realm, err) < 0 ||
	    account_web_hash(password, ACCOUNT_PBKDF2_ITERATIONS, web, err) < 0)
		return -1;
	account_ha1(ACCOUNT_MD5, name, realm, password, md5);
	account_ha1(ACCOUNT_SHA256, name, realm, password, sha);
	sqlite3_bind_text(st, 1, md5, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, sha, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, web, -1, SQLITE_TRANSIENT);
	return 0;
}

static int insert_codes(sqlite3 *db, const char *sql, long long id, const char *const *codes,
			size_t n, struct perr *err)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (db_prepare(db, &st, sql, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	for (size_t i = 0; i < n && rc == 0; i++) {
		sqlite3_bind_text(st, 2, codes[i], -1, SQLITE_STATIC);
		rc = db_step_done(db, st, err);
	}
	sqlite3_finalize(st);
	return rc;
}

int account_role_scoped(const char *role)
{
	return !strcmp(role, "surveyor") || !strcmp(role, "keyer");
}

int account_check_new(sqlite3 *db, const struct account_new *a, struct perr *err)
{
	long long id;
	int exact, found;
	char disabled[32];

	if (account_check_name(a->name, err) < 0)
		return -1;
	if (strcmp(a->role, "surveyor") && strcmp(a->role, "office") && strcmp(a->role, "analyst") &&
	    strcmp(a->role, "keyer"))
		return perr_set(err, PERR_USAGE, "--role",
				"'%s' is not a role: surveyor, office, analyst or keyer", a->role);
	if (!strcmp(a->role, "surveyor") && !a->ncommunes)
		return perr_set(err, PERR_USAGE, "--communes",
				"a surveyor needs the communes they survey");
	if (!strcmp(a->role, "keyer") && !a->ncommunes)
		return perr_set(err, PERR_USAGE, "--communes",
				"a keyer needs the communes whose paper forms they key");
	if (!account_role_scoped(a->role) && (a->ncommunes || a->ngroups))
		return perr_set(err, PERR_USAGE, a->ncommunes ? "--communes" : "--groups",
				"only a surveyor or a keyer is limited to communes and groups; %s sees all",
				a->role);
	if ((found = find_account(db, a->name, &id, &exact, disabled, err)) < 0)
		return -1;
	if (found == 0)
		return perr_set(err, PERR_DATA, a->name, "%s%s", exact ? "an account of this name exists" :
				"an account of this name in other case exists",
				*disabled ? " (disabled)" : "");
	return check_scope(db, a, err);
}

int account_add(sqlite3 *db, const struct account_new *a, const char *password,
		struct perr *err)
{
	sqlite3_stmt *st = NULL;
	long long id;
	int rc = -1;
	char now[32];

	if (account_check_new(db, a, err) < 0 || account_check_password(password, err) < 0)
		return -1;
	if (db_prepare(db, &st,
		       "INSERT INTO account (ha1_md5, ha1_sha256, web_hash, name, role, created_at, "
		       "password_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
		       err) < 0)
		return -1;
	if (bind_secrets(db, st, a->name, password, err) < 0)
		goto done;
	sqlite3_bind_text(st, 4, a->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, a->role, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, db_now(now), -1, SQLITE_TRANSIENT);
	if (db_step_done(db, st, err) < 0)
		goto done;
	id = sqlite3_last_insert_rowid(db);
	if (insert_codes(db, "INSERT OR IGNORE INTO account_commune (account_id, code) VALUES (?1, ?2)",
			 id, a->communes, a->ncommunes, err) < 0 ||
	    insert_codes(db, "INSERT OR IGNORE INTO account_group (account_id, group_id) VALUES (?1, ?2)",
			 id, a->groups, a->ngroups, err) < 0)
		goto done;
	rc = 0;
done:
	sqlite3_finalize(st);
	return rc;
}

/* An enabled account of exactly this name; -1 with err otherwise. */
static int enabled_account(sqlite3 *db, const char *name, long long *id, struct perr *err);

int account_check_enabled(sqlite3 *db, const char *name, struct perr *err)
{
	long long id;

	return enabled_account(db, name, &id, err);
}

static int enabled_account(sqlite3 *db, const char *name, long long *id, struct perr *err)
{
	char disabled[32];
	int exact, found = find_account(db, name, id, &exact, disabled, err);

	if (found < 0)
		return -1;
	if (found || !exact)
		return perr_set(err, PERR_DATA, name, "no such account");
	if (*disabled)
		return perr_set(err, PERR_DATA, name, "account disabled since %s", disabled);
	return 0;
}

int account_set_password(sqlite3 *db, const char *name, const char *password,
			 struct perr *err)
{
	sqlite3_stmt *st = NULL;
	long long id;
	char now[32];
	int rc = -1;

	if (enabled_account(db, name, &id, err) < 0 || account_check_password(password, err) < 0)
		return -1;
	if (db_prepare(db, &st,
		       "UPDATE account SET ha1_md5 = ?1, ha1_sha256 = ?2, web_hash = ?3, "
		       "password_at = ?4 WHERE id = ?5",
		       err) < 0)
		return -1;
	if (bind_secrets(db, st, name, password, err) < 0)
		goto done;
	sqlite3_bind_text(st, 4, db_now(now), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, id);
	rc = db_step_done(db, st, err);
done:
	sqlite3_finalize(st);
	return rc;
}

int account_disable(sqlite3 *db, const char *name, struct perr *err)
{
	sqlite3_stmt *st;
	long long id;
	char now[32];
	int rc;

	if (enabled_account(db, name, &id, err) < 0)
		return -1;
	if (db_prepare(db, &st, "UPDATE account SET disabled_at = ?1 WHERE id = ?2", err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, db_now(now), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, id);
	rc = db_step_done(db, st, err);
	sqlite3_finalize(st);
	return rc;
}

int account_get_ha1(sqlite3 *db, const char *name, enum account_digest alg, char out[65],
		    struct perr *err)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, &st,
		       alg == ACCOUNT_MD5
			       ? "SELECT ha1_md5 FROM account WHERE name = ? AND disabled_at IS NULL"
			       : "SELECT ha1_sha256 FROM account WHERE name = ? AND disabled_at IS NULL",
		       err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(out, 65, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return 1;
	return db_fail(db, err, "reading accounts");
}

int account_login(sqlite3 *db, const char *name, const char *password, char *role,
		  struct perr *err)
{
	/* a hash of the same cost for unknown names, so the time taken does not tell them */
	static const unsigned char dummy_salt[ACCOUNT_SALT_BYTES];
	sqlite3_stmt *st;
	char dummy[ACCOUNT_WEB_HASH_MAX];
	int rc, ok = 0;

	if (db_prepare(db, &st,
		       "SELECT web_hash, role FROM account WHERE name = ? AND disabled_at IS NULL",
		       err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		ok = account_web_verify((const char *)sqlite3_column_text(st, 0), password) == 1;
		if (ok && role)
			snprintf(role, 16, "%s", (const char *)sqlite3_column_text(st, 1));
	} else {
		account_web_hash_salted(password, dummy_salt, sizeof(dummy_salt),
					ACCOUNT_PBKDF2_ITERATIONS, dummy);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, err, "reading accounts");
	return ok;
}

int audit_record(sqlite3 *db, const char *who, const char *address, const char *what,
		 struct perr *err)
{
	sqlite3_stmt *st;
	char now[32];
	int rc;

	if (db_prepare(db, &st, "INSERT INTO audit (at, who, address, what) VALUES (?, ?, ?, ?)",
		       err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, db_now(now), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, who, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, address, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, what, -1, SQLITE_STATIC);
	rc = db_step_done(db, st, err);
	sqlite3_finalize(st);
	return rc;
}
