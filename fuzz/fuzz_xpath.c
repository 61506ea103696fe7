/* libFuzzer target: the lint's XPath parser (forms/xpath.c) on arbitrary bytes, as a bind's
   calculate, relevant or constraint would hold them. A refused expression must say why; the
   same bytes must get the same verdict and message twice (the parser keeps no state); a
   parsed one yields a tree, freed whole (ASan finds a leak or a double free). Bytes that are
   not UTF-8 never reach the parser from a form (libxml2 refuses them), so they are skipped. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>

#include "../forms/xpath.h"
#include "fuzz_db.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *expr, msg[160], again[160];
	struct xpath *x = NULL, *y = NULL;
	int rc, rc2;

	if (memchr(data, 0, size) || u8_check(data, size))
		return 0;
	expr = malloc(size + 1);
	if (!expr)
		return 0;
	memcpy(expr, data, size);
	expr[size] = '\0';
	rc = xpath_parse(expr, &x, msg, sizeof(msg));
	if (rc < 0 && (!msg[0] || x))
		fuzz_die("an expression refused without a message, or with a tree", NULL);
	if (rc == 0 && !x)
		fuzz_die("an expression parsed without a tree", NULL);
	rc2 = xpath_parse(expr, &y, again, sizeof(again));
	if (rc2 != rc || (rc < 0 && strcmp(msg, again)))
		fuzz_die("the same expression parsed twice gives another verdict", NULL);
	xpath_free(x);
	xpath_free(y);
	free(expr);
	return 0;
}
