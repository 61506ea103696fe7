/* STAND-IN, linked only while capture/serve_store.c is missing (see the Makefile's
   SERVE_STANDIN): lets serve-http's daemon build and answer before serve-store's branch is
   merged. It stores nothing. A body that looks like an instance (an instanceID element) answers
   201, anything else 400, so the daemon's protocol tests run against it; the real store
   decides by capture's validation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../capture/serve.h"

struct serve_store {
	int unused;
};

int serve_store_open(struct serve_store **st, const char *db_path, struct perr *err)
{
	*st = xcalloc(1, sizeof(**st));
	return 0;
}

void serve_store_close(struct serve_store *st)
{
	free(st);
}

int serve_submit(struct serve_store *st, const struct serve_user *user, const char *xml,
		 size_t len, struct serve_answer *ans, struct perr *err)
{
	int looks = memmem(xml, len, "instanceID>", 11) != NULL;

	ans->status = looks ? 201 : 400;
	ans->reason = looks ? "ok" : "malformed";
	snprintf(ans->message, sizeof(ans->message), "%s",
		 looks ? "stand-in: not stored" : "stand-in: not an instance");
	return 0;
}
