/* libFuzzer target: 'parindex forms lint' on arbitrary bytes (an XForm from anywhere). A form
   refused must say why, and a second lint of the same bytes must say the same (the lint
   keeps no state between forms). Linted for Collect, the same problems split into errors and
   warnings: own-form errors = Collect errors + warnings. */
#include <stddef.h>
#include <stdint.h>

#include "../forms/forms.h"
#include "fuzz_db.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag diag = { 0 }, again = { 0 }, collect = { 0 }, warn = { 0 };
	int rc = form_lint((const char *)data, size, "fuzz.xml", &diag);

	if (rc < 0 && !diag.n)
		fuzz_die("a refused form without a message", NULL);
	if (form_lint((const char *)data, size, "fuzz.xml", &again) != rc || again.n != diag.n)
		fuzz_die("the same form linted twice gives another verdict", NULL);
	if (form_lint_for((const char *)data, size, "fuzz.xml", LINT_COLLECT, &collect, &warn) < 0 &&
	    !collect.n)
		fuzz_die("a form refused for Collect without a message", NULL);
	if (collect.n + warn.n != diag.n)
		fuzz_die("Collect's errors and warnings are not the own form's errors", NULL);
	diag_release(&diag);
	diag_release(&again);
	diag_release(&collect);
	diag_release(&warn);
	return 0;
}
