/* Runs every unit suite. A suite is a function in one of the test_*.c files. */
#include "unit.h"

#include <stdlib.h>

int unit_passed, unit_failed;

void test_def(void);
void test_commune(void);
void test_xml(void);
void test_tally(void);
void test_forms(void);
void test_xpath(void);
void test_zipin(void);
void test_capture(void);
void test_report(void);
void test_escape(void);
void test_account(void);
void test_serve_office(void);
void test_serve_store(void);
void test_keying(void);

static const struct {
	const char *name;
	void (*fn)(void);
} suites[] = {
	{ "def", test_def },
	{ "commune", test_commune },
	{ "xml", test_xml },
	{ "tally", test_tally },
	{ "forms", test_forms },
	{ "xpath", test_xpath },
	{ "zipin", test_zipin },
	{ "capture", test_capture },
	{ "report", test_report },
	{ "escape", test_escape },
	{ "account", test_account },
	{ "serve_office", test_serve_office },
	{ "serve_store", test_serve_store },
	{ "keying", test_keying },
};

const char *unit_data(const char *rel)
{
	static char path[4096];
	const char *top = getenv("TOP");

	snprintf(path, sizeof(path), "%s/tests/data/%s", top ? top : ".", rel);
	return path;
}

int main(int argc, char **argv)
{
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		if (argc > 1 && strcmp(argv[1], suites[i].name))
			continue;
		suites[i].fn();
	}
	printf("# passed=%d failed=%d\n", unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}
