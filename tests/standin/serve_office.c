/* STAND-IN, linked only while capture/serve_office.c is missing (see the Makefile's
   SERVE_STANDIN): lets serve-http's daemon build before serve-office's branch is merged. It
   has no pages: every path is "not one of the office's" (404). */
#include <stdlib.h>

#include "../../capture/serve.h"

struct serve_office {
	int unused;
};

int serve_office_open(struct serve_office **o, const char *db_path, const char *report_dir,
		      struct perr *err)
{
	*o = xcalloc(1, sizeof(**o));
	return 0;
}

void serve_office_close(struct serve_office *o)
{
	free(o);
}

int serve_office_handle(struct serve_office *o, const struct serve_request *rq,
			struct serve_reply *rp, struct perr *err)
{
	return 0;
}
