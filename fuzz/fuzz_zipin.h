/* What both zip reader targets (fuzz_zipin.c from memory, fuzz_zipin_file.c from a file) do
   with an archive: open it under small limits, read every entry until the archive is refused,
   hash it, close it. */
#ifndef PARINDEX_FUZZ_ZIPIN_H
#define PARINDEX_FUZZ_ZIPIN_H

#include "strbuf.h"
#include "zipin.h"

static const struct zipin_limits fuzz_zipin_limits = {
	.max_entries = 1000, .max_entry_size = 1 << 16, .max_total = 1 << 22, .max_ratio = 100
};

/* Read all of z (opened, or NULL when it was refused), then close it. */
static void fuzz_zipin_read_all(struct zipin *z)
{
	struct zipin_reader *r;
	struct zipin_entry e;
	struct strbuf out = STRBUF_INIT;
	struct perr err;
	enum zipin_fail fail;
	char sha[65];

	if (!z)
		return;
	r = zipin_reader_new();
	while (zipin_next(z, &e, &err) == 1)
		if (zipin_read(z, r, &e, &out, &fail, &err) < 0 && fail == ZIPIN_ARCHIVE)
			break;
	zipin_sha256(z, sha, &err);
	strbuf_release(&out);
	zipin_reader_free(r);
	zipin_close(z);
}

#endif
