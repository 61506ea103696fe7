/* libFuzzer target: the instance parser and validation on arbitrary bytes. The registry is a
   small fixed one (the mini definition's two forms, two communes) so validation runs too. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_registry.h"

static struct capture_registry reg;
static struct capture_parser *parser;
static struct capture_submission sub;

static void setup(void)
{
	fuzz_registry_setup(&reg);
	parser = capture_parser_new(32);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct capture_instance inst;
	struct capture_problem prob;

	if (!parser)
		setup();
	if (capture_parse(parser, (const char *)data, size, &inst, &prob) == 0 && !inst.is_form)
		(void)capture_validate(&reg, &inst, &sub, &prob);
	return 0;
}
