/* A minimal table-driven test harness: CHECK counts and reports; main.c runs the suites and
   prints the closing "# passed=N failed=M" line that tests/run reads. */
#ifndef PARINDEX_UNIT_H
#define PARINDEX_UNIT_H

#include <math.h>
#include <stdio.h>
#include <string.h>

extern int unit_passed, unit_failed;

#define CHECK(cond, ...)                                                         \
	do {                                                                     \
		if (cond) {                                                      \
			unit_passed++;                                           \
		} else {                                                         \
			unit_failed++;                                           \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);              \
			printf(__VA_ARGS__);                                     \
			printf("\n");                                            \
		}                                                                \
	} while (0)

#define CHECK_NUM(got, want, what) \
	CHECK(fabs((double)(got) - (double)(want)) < 1e-9, "%s: got %.12g, want %.12g", what, \
	      (double)(got), (double)(want))
#define CHECK_STR(got, want, what) \
	CHECK((got) && !strcmp((got), (want)), "%s: got '%s', want '%s'", what, \
	      (got) ? (got) : "(null)", want)

/* Path of a file under tests/data, from $TOP. */
const char *unit_data(const char *rel);
/* A new database at path with the mini definition, its forms, two communes and three
   accounts (test_serve_store.c). */
int unit_serve_setup(const char *path);

#endif
