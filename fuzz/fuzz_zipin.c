/* libFuzzer target: the zip reader on arbitrary bytes in memory, every entry read under small
   limits (fuzz_zipin.h). */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_zipin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zipin *z;
	struct perr err;

	zipin_open_mem(&z, data, size, "fuzz.zip", &fuzz_zipin_limits, &err);
	fuzz_zipin_read_all(z);
	return 0;
}
