/* parindex serve: the web survey (issue 12), private to the daemon (serve_http.c) and its
   tests. A respondent opens /s/CODE (the QR code of a slip from `parindex codes issue`) or a
   commune's open link /o/COMMUNE/GROUP (a poster; only for a group whose definition says
   open-link="true") and gets the group's questionnaire as one page generated from the
   definition: the same questions, options and order as the XForm, in Vietnamese, no script.
   A submitted page is turned into an XForm instance (a server-made instanceID) and handed to
   serve_submit like a Collect submission, with the channel web or open: the same validation,
   the same spool, batches "web COMMUNE DAY" and "open COMMUNE DAY". No address is stored:
   the rate limits below live in memory only. */
#ifndef PARINDEX_SERVE_WEB_H
#define PARINDEX_SERVE_WEB_H

#include <sqlite3.h>

#include "serve.h"

/* Failed code checks (a code unknown, used or voided) an address may make in
   WEB_CODE_WINDOW seconds; then every code check from it is refused (429) until the window
   ends. */
#define WEB_CODE_FAILS_PER_ADDRESS 10
#define WEB_CODE_WINDOW (15 * 60)
/* Failed code checks from all addresses together in WEB_GLOBAL_WINDOW seconds; then every
   code check is refused until the window ends (a guesser spread over many addresses). */
#define WEB_CODE_FAILS_GLOBAL 200
#define WEB_GLOBAL_WINDOW 60
/* Submissions through an open link per address in WEB_OPEN_WINDOW seconds. */
#define WEB_OPEN_PER_ADDRESS 10
#define WEB_OPEN_WINDOW 3600
/* Addresses remembered per limit (the oldest forgotten first): memory stays bounded. */
#define WEB_LIMIT_SLOTS 4096

struct serve_web;

/* The web survey of the database at db_path, submitting to st. */
int serve_web_open(struct serve_web **w, const char *db_path, struct serve_store *st,
		   struct perr *err);
void serve_web_close(struct serve_web *w);
/* Answer rq when its path is the web survey's (/s, /s/CODE, /o/COMMUNE/GROUP, /s.css): 1 (rp
   filled), 0 when it is not, -1 with err on a system error. */
int serve_web_handle(struct serve_web *w, const struct serve_request *rq, struct serve_reply *rp,
		     struct perr *err);

/* For the office's dashboard (serve_office.c): the forms that count per commune, group and
   channel (collect, web, open, paper) of definition def_id def_version, as a table appended
   to sb. 0, or -1 with err. */
int serve_web_channels(sqlite3 *db, struct strbuf *sb, const char *def_id,
		       const char *def_version, struct perr *err);

#endif
