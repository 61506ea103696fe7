/* What the office's pages (serve_office.c) lend to the pages kept in files of their own
   (serve_key.c, the paper keying): the user of a session and the page's frame. Private to
   the server. */
#ifndef PARINDEX_SERVE_PAGE_H
#define PARINDEX_SERVE_PAGE_H

#include <sqlite3.h>
#include <stdint.h>

#include "def.h"
#include "serve.h"

/* The one who asks, from the session cookie. */
struct office_user {
	char name[ACCOUNT_NAME_MAX + 1];
	char role[16]; /* office, analyst or keyer */
	char csrf[65]; /* the session's token for forms */
};

/* The page's head, header and navigation (here: the current path), then the title as h1. */
void office_page_begin(struct strbuf *sb, const char *title, const struct office_user *u,
		       const char *here);
void office_page_end(struct strbuf *sb);
/* The hidden field with the session's form token. */
void office_csrf_field(struct strbuf *sb, const struct office_user *u);
/* A page that only says something (say), with a stage's message as data (detail, or NULL). */
void office_page_message(struct serve_reply *rp, int status, const struct office_user *u,
			 const char *title, const char *say, const char *detail);
/* A request field's value; NULL when absent or holding a NUL byte. */
const char *office_field(const struct serve_request *rq, const char *name);
/* A positive whole number from a field; 0 when it is not one. */
int64_t office_field_id(const struct serve_request *rq, const char *name);

/* ---- the paper keying's pages (serve_key.c) ---- */

/* /key (a keyer keys forms), /key/review (the office: forms whose keyings differ, the
   keyers' speed and disagreement), /key/decide (the office's decision, POST). st NULL: no
   submission path (the keyings cannot be submitted; 503). 0, or -1 with err. */
int serve_key_handle(struct serve_store *st, sqlite3 *db, const struct serve_request *rq,
		     const struct office_user *u, struct serve_reply *rp, struct perr *err);
/* The script that moves to the next field on Enter (/static/key.js). */
extern const char serve_key_js[];

#endif
