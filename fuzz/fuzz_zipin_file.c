/* libFuzzer target: the zip reader on arbitrary bytes read from a file (a memfd), every entry
   read under small limits (fuzz_zipin.h). A file is read with pread through bounded windows,
   not in place as a buffer is (fuzz_zipin.c): this is the path `capture import` takes, once
   the fallback for a file that could not be mapped (it served long directory records from a
   64 KiB buffer and read past it). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_zipin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zipin *z;
	struct perr err;
	char path[64];
	int fd = memfd_create("fuzz.zip", 0);

	/* not the input's fault: the target cannot run */
	if (fd < 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	zipin_open_file(&z, path, &fuzz_zipin_limits, &err);
	fuzz_zipin_read_all(z);
	close(fd);
	return 0;
}
