/* parindex serve: one process that takes ODK Collect's submissions over OpenRosa and serves the
   Home Affairs office's pages, on libmicrohttpd, with the same SQLite file as every command.
   Three parts meet here:
     serve.c, serve_http.c     the daemon: listening, TLS, limits, Digest and session
                               authentication, OpenRosa (formList, forms, /submission), request
                               parsing (multipart, form bodies, cookies), routing, security
                               headers, SIGTERM
     serve_store.c             the submission path: scope, validation as `capture import` does
                               it, a durable spool with group commit (a 201 only when on disk),
                               applying the spool to the database as per-surveyor-per-day batches
     serve_office.c            the office's pages: login, dashboard, uploads, batches and undo,
                               scores, tally, the latest report
   The daemon calls the other two only through the functions below. */
#ifndef PARINDEX_SERVE_H
#define PARINDEX_SERVE_H

#include <stddef.h>

#include "account.h"
#include "err.h"
#include "strbuf.h"

/* The one who makes a request, once authenticated (Digest for OpenRosa, the session cookie
   for the office's pages). */
struct serve_user {
	char name[ACCOUNT_NAME_MAX + 1];
	char role[16];    /* surveyor, office or analyst */
	char address[64]; /* the client's IP address as text, for the audit log */
	/* the channel when it is not ODK Collect's: "web" with a single-use code, "open" through
	   a commune's open link (serve_web.c): then name is the channel's, no account is looked
	   up, and the submission goes to the channel's batch of its commune and day; "paper" for
	   a form keyed twice (keying.c): the account (a keyer's, or the office's deciding) is
	   looked up and the submission goes to its batch of the day, "paper NAME YYYY-MM-DD" */
	char channel[8];
	char code[65]; /* "web": the sha256 hex of the code, used in the same transaction as
			  the submission is stored */
};

/* ---- the submission path (serve_store.c) ---- */

struct serve_store;

/* Open the store for the database at db_path: the spool beside it is created or reopened and
   whatever it holds from before a crash is applied; the forms, definitions and register are
   loaded. -1 with err when it cannot (the daemon then does not start). */
int serve_store_open(struct serve_store **st, const char *db_path, struct perr *err);
/* Finish what is in flight, apply the spool, stop the store's threads, close. */
void serve_store_close(struct serve_store *st);

/* What came of one submission. */
struct serve_answer {
	int status;          /* HTTP status: 201 stored durably (also an identical resend,
				stored once), 400 invalid, 403 outside the surveyor's scope, 409
				same instanceID with other content, 503 the store cannot take it now,
				500 a system error */
	const char *reason;  /* capture's reason code (ok, duplicate, conflict, unknown-form,
				...) or "out-of-scope" */
	char message[512];   /* for the OpenRosaResponse body: plain text, unescaped */
};

/* Take the bytes of one xml_submission_file from user: parse and validate them as `capture
   import` does, check the surveyor's scope (commune and respondent group), and return only when
   the outcome is decided and, for 201, the submission is durable on disk. Called from many
   connection threads at once. 0 with ans filled; -1 with err on a system error (ans->status
   500). */
int serve_submit(struct serve_store *st, const struct serve_user *user, const char *xml,
		 size_t len, struct serve_answer *ans, struct perr *err);

/* The XForm instance of one respondent group's answers, in the contract of forms/xform.c,
   for the ways in that make their own (the web survey, paper keying) to hand to
   serve_submit: <data id= version=>, start, end, deviceid, commune, surveyor, the answer of
   every question the group asks (answers[i] for d->questions[i]), comment, then meta with
   instanceID and instanceName. Texts are escaped; a NULL one is an empty element <x/>. */
struct def;
struct serve_instance {
	const char *form_id, *form_version;
	const char *start, *end, *device, *commune, *surveyor;
	const struct def *d;
	size_t group;
	const char *const *answers;
	const char *comment, *instance_id, *instance_name;
};
void serve_instance_xml(struct strbuf *out, const struct serve_instance *in);

/* 1 when a web survey code (the sha256 hex of it) was taken by a submission that is spooled
   and not yet applied to the database, else 0. */
int serve_code_spooled(struct serve_store *st, const char *code_hash);
/* serve_submit for every part of a submission: when xml is the manifest of an encrypted
   submission (docs.getodk.org/encrypted-forms), parts are the request's .enc parts (nparts;
   Collect sends submission.xml.enc and one NAME.enc a media file), decrypted with the store's
   key as `capture import --key` does (media decrypted for the signature, then dropped, as a
   plain submission's attachments are), and the plain submission goes through serve_submit; a
   submission that cannot be opened (no key, a .enc missing, a wrong key, a bad signature, a
   bad manifest) is answered 400 with capture's reason and recorded in the surveyor's batch as
   rejected. */
struct capture_enc_file;
int serve_submit_parts(struct serve_store *st, const struct serve_user *user, const char *xml,
		       size_t len, const struct capture_enc_file *parts, size_t nparts,
		       struct serve_answer *ans, struct perr *err);
/* The RSA private key (serve --key) that opens encrypted submissions: borrowed, kept in
   memory only, never stored. */
struct evp_pkey_st;
void serve_store_set_key(struct serve_store *st, struct evp_pkey_st *key);

/* ---- the office's pages (serve_office.c) ---- */

/* A field of a form body (application/x-www-form-urlencoded or the non-file parts of
   multipart/form-data) or of the query string. value is NUL-terminated and len long (it may
   hold NUL bytes: check before use). */
struct serve_field {
	const char *name;
	const char *value;
	size_t len;
};

/* A request as the daemon hands it to a page, body read and parsed, within the limits. */
struct serve_request {
	const char *method;  /* GET, HEAD or POST */
	const char *path;    /* decoded, without the query string */
	const char *address; /* the client's IP address */
	int tls;             /* it came over TLS */
	const char *session; /* the value of the session cookie, or NULL */
	const struct serve_field *fields; /* query arguments, then body fields */
	size_t nfields;
	/* a file part of a multipart body, written by the daemon to a private temporary file that
	   is removed after the reply; NULL when none */
	const char *upload_path;
	const char *upload_name; /* its file name as the browser sent it (untrusted) */
	unsigned long long upload_size;
};

/* What a page answers. The daemon adds the security headers (Content-Security-Policy,
   X-Content-Type-Options, X-Frame-Options, Referrer-Policy, Cache-Control: no-store) to every
   reply. */
struct serve_reply {
	int status;               /* 200 when left 0 */
	const char *content_type; /* "text/html; charset=utf-8" when NULL */
	struct strbuf body;
	char location[512];       /* a redirect's target (with status 303) */
	char set_cookie[512];     /* a Set-Cookie header's value, or empty */
	char disposition[512];    /* a Content-Disposition header's value (downloads), or empty */
	const char *file;         /* send this file instead of body (the report's files); the
				     page checks the path stays inside its folder */
	int script;               /* the page loads the server's own script (/static/key.js):
				     the policy allows script-src 'self' */
};

struct serve_office;

/* Set up the office's pages for the database at db_path; report_dir is where "run the report"
   writes and from where the report's files are served. */
int serve_office_open(struct serve_office **o, const char *db_path, const char *report_dir,
		      struct perr *err);
void serve_office_close(struct serve_office *o);
/* Give the pages the submission path (the paper keying submits through it). */
void serve_office_set_store(struct serve_office *o, struct serve_store *st);
/* Answer rq: 1 when the path is one of the office's (rp filled), 0 when it is not (the daemon
   answers 404), -1 with err on a system error (the daemon answers 500 without details). */
int serve_office_handle(struct serve_office *o, const struct serve_request *rq,
			struct serve_reply *rp, struct perr *err);

/* parindex serve (serve.c) */
int cmd_serve(int argc, char **argv);

#endif
