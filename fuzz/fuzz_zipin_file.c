/* libFuzzer target: the zip reader on arbitrary bytes read from a file (a memfd), every entry
   read under small limits. A file is read with pread through bounded windows, not in place as
   a buffer is (fuzz_zipin.c): this is the path `capture import` takes, once the fallback for
   a file that could not be mapped (it served long directory records from a 64 KiB buffer and
   read past it). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "strbuf.h"
#include "zipin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_file(int fd)
{
	struct zipin_limits lim = { .max_entries = 1000, .max_entry_size = 1 << 16,
				    .max_total = 1 << 22, .max_ratio = 100 };
	struct zipin *z;
	struct zipin_reader *r;
	struct zipin_entry e;
	struct strbuf out = STRBUF_INIT;
	struct perr err;
	enum zipin_fail fail;
	char path[64], sha[65];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (zipin_open_file(&z, path, &lim, &err) < 0)
		return;
	r = zipin_reader_new();
	while (zipin_next(z, &e, &err) == 1)
		if (zipin_read(z, r, &e, &out, &fail, &err) < 0 && fail == ZIPIN_ARCHIVE)
			break;
	if (zipin_size(z) < (1 << 20))
		zipin_sha256(z, sha, &err);
	strbuf_release(&out);
	zipin_reader_free(r);
	zipin_close(z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz.zip", 0);

	if (fd < 0)
		abort(); /* not the input's fault: the target cannot run */
	if (size && pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	read_file(fd);
	close(fd);
	return 0;
}
