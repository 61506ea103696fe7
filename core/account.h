/* Accounts and the audit log (migration 0008), shared by the `user` command and the server.
   No password is stored: an account keeps the HTTP Digest HA1 values ODK Collect's
   authentication needs (RFC 7616: H(name:realm:password), MD5 and SHA-256, realm fixed per
   database) and a PBKDF2-HMAC-SHA256 hash for the web login, its parameters stored with it. */
#ifndef PARINDEX_ACCOUNT_H
#define PARINDEX_ACCOUNT_H

#include <sqlite3.h>
#include <stddef.h>

#include "err.h"

/* The web hash's cost for new passwords; stored hashes keep their own count, so raising it
   takes effect as passwords are set again. */
#define ACCOUNT_PBKDF2_ITERATIONS 600000
#define ACCOUNT_SALT_BYTES 16     /* new salts */
#define ACCOUNT_SALT_MAX 64       /* salts a stored hash may have */
#define ACCOUNT_WEB_HASH_MAX 256  /* a stored web hash, with its NUL */
#define ACCOUNT_NAME_MAX 64       /* bytes */
#define ACCOUNT_PASSWORD_MIN 8    /* characters */
#define ACCOUNT_PASSWORD_MAX 1024 /* bytes */

enum account_digest { ACCOUNT_MD5, ACCOUNT_SHA256 };

/* An account to add: role "surveyor", "office", "analyst" or "keyer" (keys paper forms on
   the server's /key page); a surveyor's or keyer's communes (at least one) and groups (none:
   every group), ncommunes and ngroups codes each. */
/* 1 when an account of role is limited to communes and groups (surveyor, keyer). */
int account_role_scoped(const char *role);

struct account_new {
	const char *name;
	const char *role;
	const char *const *communes;
	size_t ncommunes;
	const char *const *groups;
	size_t ngroups;
};

/* 0 if name may be an account's: 1 to ACCOUNT_NAME_MAX bytes of UTF-8, no control
   character, no ':' (it separates name and realm in HA1), no '"' or '\' (Digest's quoted
   username), no space at either end; else -1 with err saying why. */
int account_check_name(const char *name, struct perr *err);
/* 0 if password may be set: ACCOUNT_PASSWORD_MIN characters to ACCOUNT_PASSWORD_MAX bytes of
   UTF-8 without control characters; else -1 with err. */
int account_check_password(const char *password, struct perr *err);

/* The database's Digest realm, "parindex-" and 16 random hex digits, made and stored in
   setting 'digest_realm' the first time (inside the caller's transaction). */
int account_realm(sqlite3 *db, char out[64], struct perr *err);
/* HA1 = H(name:realm:password) in lower-case hex (33 bytes for MD5, 65 for SHA-256). */
void account_ha1(enum account_digest alg, const char *name, const char *realm,
		 const char *password, char *out);
/* A Digest response (RFC 7616 3.4.1, qop=auth): H(HA1:nonce:nc:cnonce:qop:H(method:uri)),
   or H(HA1:nonce:H(method:uri)) when qop is NULL (RFC 2069). */
void account_digest_response(enum account_digest alg, const char *ha1, const char *nonce,
			     const char *nc, const char *cnonce, const char *qop,
			     const char *method, const char *uri, char *out);

/* The web hash of password with the given salt and iterations, written into out:
   "pbkdf2-sha256$ITERATIONS$SALTHEX$HASHHEX" (32-byte hash; a salt past ACCOUNT_SALT_MAX
   bytes is cut). Returns out. */
char *account_web_hash_salted(const char *password, const unsigned char *salt, size_t saltlen,
			      unsigned iterations, char out[ACCOUNT_WEB_HASH_MAX]);
/* The same with a fresh random salt (getrandom); -1 with err if none can be had. */
int account_web_hash(const char *password, unsigned iterations, char out[ACCOUNT_WEB_HASH_MAX], struct perr *err);
/* 1 if password matches the stored web hash, 0 if not (compared in constant time), -1 if
   stored is not a hash this code reads. */
int account_web_verify(const char *stored, const char *password);

/* Would account_add take a? Everything but the password checked, so a command can refuse
   before asking for one. */
int account_check_new(sqlite3 *db, const struct account_new *a, struct perr *err);
/* 0 if name is an enabled account, else -1 with err ("no such account", "disabled"). */
int account_check_enabled(sqlite3 *db, const char *name, struct perr *err);
/* Add an account (surveyor scope checked against the register and the active definition:
   unknown codes are refused, all named); -1 with err, nothing stored, otherwise. Runs inside
   the caller's transaction. */
int account_add(sqlite3 *db, const struct account_new *a, const char *password,
		struct perr *err);
/* Set a new password (HA1s and web hash); an unknown or disabled account is refused. */
int account_set_password(sqlite3 *db, const char *name, const char *password,
			 struct perr *err);
/* Disable an account (kept, for the audit log); an unknown or disabled one is refused. */
int account_disable(sqlite3 *db, const char *name, struct perr *err);

/* The stored HA1 of an enabled account, into out (65 bytes); 0 found, 1 no such enabled
   account, -1 error. */
int account_get_ha1(sqlite3 *db, const char *name, enum account_digest alg, char out[65],
		    struct perr *err);
/* Check a web login: 1 name and password match an enabled account, 0 they do not (an unknown
   name costs the same hashing time as a known one), -1 error. role (if not NULL, 16 bytes)
   gets the account's role on 1. */
int account_login(sqlite3 *db, const char *name, const char *password, char *role,
		  struct perr *err);

/* Who runs a command at the terminal, for the audit log: the system user's name (or "uid N"). */
const char *account_cli_user(char buf[64]);
/* Record an event in the audit log, at db_now(): who (an account name, or the system user at
   the command line), address (the client's IP address, or "cli"), what happened. */
int audit_record(sqlite3 *db, const char *who, const char *address, const char *what,
		 struct perr *err);

/* parindex user add|list|disable|passwd (core/account_cmd.c) */
int cmd_user(int argc, char **argv);

#endif
