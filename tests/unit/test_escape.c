/* The escaping rules of core/escape (gnuplot, terminal) and core/csvout (CSV cells), one row
   per case. */
#include "unit.h"

#include <stdlib.h>

#include "csvout.h"
#include "escape.h"

static void gp(void)
{
	static const struct {
		const char *in, *want, *what;
	} rows[] = {
		{ "Lai Cách`touch PWNED`", "'Lai Cách`touch PWNED`'", "backquotes stay text" },
		{ "it's", "'it''s'", "quote doubled" },
		{ "line 1\nline 2", "'line 1'.\"\\n\".'line 2'", "a line break joins two strings" },
		{ "a\rb\x1b\x7f", "'ab'", "other control bytes dropped" },
		{ "\\n@x", "'\\n@x'", "backslash and @ as they are" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct strbuf sb = STRBUF_INIT;

		escape_gp(&sb, rows[i].in);
		CHECK_STR(strbuf_str(&sb), rows[i].want, rows[i].what);
		strbuf_release(&sb);
	}
}

static void term(void)
{
	static const struct {
		const char *in, *want, *what;
	} rows[] = {
		{ "Cẩm Giàng ấp 1", "Cẩm Giàng ấp 1", "Vietnamese as it is" },
		{ "a\x1b]0;owned\x07z", "a\\x1b]0;owned\\x07z", "ESC and BEL" },
		{ "x\rall entries OK", "x\\rall entries OK", "carriage return" },
		{ "\t\n\x7f", "\\t\\n\\x7f", "tab, line feed, DEL" },
		{ "\xc2\x9b" "31m", "\\u009b31m", "C1 CSI as UTF-8" },
		{ "\xe2\x80\xae" "gpj.exe", "\\u202egpj.exe", "right-to-left override" },
		{ "\xff\xc3", "\\xff\\xc3", "invalid and truncated UTF-8" },
		{ "\xc0\xaf", "\\xc0\\xaf", "overlong" },
		{ "\xed\xa0\x80", "\\xed\\xa0\\x80", "surrogate" },
		{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80", "4-byte character" },
		{ "c:\\x", "c:\\x", "backslash as it is" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *got = escape_term_dup(rows[i].in);

		CHECK_STR(got, rows[i].want, rows[i].what);
		free(got);
	}
}

/* A text of several lines: its line feeds stay, everything else as escape_term shows it. */
static void term_lines(void)
{
	char *got = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&got, &len);

	escape_term_lines(f, "commune 1 A\x1b[2J\r\n\nB\xc2\x9b\n");
	fclose(f);
	CHECK_STR(got, "commune 1 A\\x1b[2J\\r\n\nB\\u009b\n", "lines");
	free(got);
}

static void csv(void)
{
	static const struct {
		const char *in;
		int how; /* 0 text, 1 text always quoted, 2 number */
		const char *want, *what;
	} rows[] = {
		{ "Đông Phong", 0, "Đông Phong", "plain text as it is" },
		{ "Đông Phong", 1, "\"Đông Phong\"", "quoted when asked" },
		{ "a,\"b\"", 0, "\"a,\"\"b\"\"\"", "comma and quotes" },
		{ "=HYPERLINK(\"http://x\",\"y\")", 0, "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
		  "formula kept as text" },
		{ "=1+2*HYPERLINK(1)", 1, "\"'=1+2*HYPERLINK(1)\"", "formula, quoted" },
		{ "+1", 0, "\"'+1\"", "plus" },
		{ "-2+3", 0, "\"'-2+3\"", "minus" },
		{ "@SUM(A1)", 0, "\"'@SUM(A1)\"", "at" },
		{ "\t=1", 0, "\"'\t=1\"", "tab" },
		{ "\r=1", 0, "\"'\r=1\"", "carriage return" },
		{ "'=x", 0, "\"''=x\"", "an apostrophe before a formula gets one more" },
		{ "'a", 0, "'a", "an apostrophe before text stays" },
		{ "-12.50", 2, "-12.50", "a negative number stays a number" },
		{ "7", 2, "7", "a number" },
		{ "", 2, "", "empty number" },
		{ "-12.50", 0, "\"'-12.50\"", "the same as text is kept text" },
		{ "-1+1", 2, "\"'-1+1\"", "not a plain number: text" },
		{ "-", 2, "\"'-\"", "a lone minus is not a number" },
		{ "1.", 2, "1.", "not a plain number but not a formula" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct strbuf sb = STRBUF_INIT;

		if (rows[i].how == 2)
			csvout_add_number(&sb, rows[i].in);
		else
			csvout_add_text(&sb, rows[i].in, rows[i].how);
		CHECK_STR(strbuf_str(&sb), rows[i].want, rows[i].what);
		strbuf_release(&sb);
	}
	CHECK_STR(csvout_unneutral("'=1"), "=1", "apostrophe taken off a formula");
	CHECK_STR(csvout_unneutral("''=1"), "'=1", "one apostrophe only");
	CHECK_STR(csvout_unneutral("'a"), "'a", "apostrophe before text kept");
}

void test_escape(void)
{
	gp();
	term();
	term_lines();
	csv();
}
