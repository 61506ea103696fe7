/* libFuzzer target: a scores sheet as CSV on arbitrary bytes (see fuzz_scores.h). */
#include "fuzz_scores.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_scores(data, size, 0);
	return 0;
}
