/* libFuzzer target: the zip reader on arbitrary bytes, every entry read under small limits. */
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"
#include "zipin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zipin_limits lim = { .max_entries = 1000, .max_entry_size = 1 << 16,
				    .max_total = 1 << 22, .max_ratio = 100 };
	struct zipin *z;
	struct zipin_reader *r;
	struct zipin_entry e;
	struct strbuf out = STRBUF_INIT;
	struct perr err;
	enum zipin_fail fail;

	if (zipin_open_mem(&z, data, size, "fuzz.zip", &lim, &err) < 0)
		return 0;
	r = zipin_reader_new();
	while (zipin_next(z, &e, &err) == 1)
		if (zipin_read(z, r, &e, &out, &fail, &err) < 0 && fail == ZIPIN_ARCHIVE)
			break;
	strbuf_release(&out);
	zipin_reader_free(r);
	zipin_close(z);
	return 0;
}
