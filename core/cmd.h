/* What every command shares: its entry in the command table, usage errors and help. Only
   cmd_* functions parse arguments, print to the user and choose the exit status. */
#ifndef PARINDEX_CMD_H
#define PARINDEX_CMD_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "err.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv); /* argv[0] is the command's name */
	const char *synopsis;             /* one line per form, as in the man page */
	const char *summary;
	const char *options; /* --help: every option, what it does and its default */
	void (*options_more)(FILE *out); /* options whose defaults are read from the code */
};

/* Print "parindex: NAME: message" and the command's usage to stderr; returns PERR_USAGE. */
int cmd_usage_error(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* For getopt's '?': names the offending option. */
int cmd_bad_option(const char *name, char **argv);
/* A whole number typed as an option's value: digits only (no sign, no space), from min to max;
   0 with *out set, else -1. */
int cmd_parse_count(const char *s, unsigned long long min, unsigned long long max,
		    unsigned long long *out);
void cmd_usage(const struct cmd *c, FILE *out);

#endif
