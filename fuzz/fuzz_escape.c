/* libFuzzer target: the escaping rules of every output data reaches (core/escape, core/csvout,
   the chart file names of reports/charts.c) on arbitrary text. Each output is parsed back
   here, independently of the code that wrote it, and a broken invariant aborts:
   - gnuplot: only single-quoted strings ('' inside) joined by ."\n". ; so no backquote or @
     outside single quotes; no control byte; read back, the input less its control bytes;
   - CSV: no cell a spreadsheet reads as a formula (=, +, -, @, tab, CR first), other than a
     plain negative number written as a number; quoting well formed; csvout_unneutral gives
     the input back;
   - terminal: no C0, DEL, C1 or bidirectional control, valid UTF-8 (libunistring's check);
     valid UTF-8 without controls passes unchanged;
   - chart names: letters, digits, . - _ ~ only, within NAME_MAX, and decode to the id;
   - chart data columns (text and tic label): no control byte or double quote, every
     backslash doubled (or the label's "\n"), as gnuplot reads escapes there. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>

#include "../reports/reports.h"
#include "csvout.h"
#include "escape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

__attribute__((noreturn)) static void die(const char *what, const char *in, const char *out)
{
	fprintf(stderr, "fuzz: escape: %s\n  input:  ", what);
	for (const char *p = in; *p; p++)
		fprintf(stderr, (unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f ? "\\x%02x" : "%c",
			(unsigned char)*p);
	fprintf(stderr, "\n  output: ");
	for (const char *p = out; *p; p++)
		fprintf(stderr, (unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f ? "\\x%02x" : "%c",
			(unsigned char)*p);
	fprintf(stderr, "\n");
	abort();
}

static int is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static void check_gp(const char *in)
{
	struct strbuf sb = STRBUF_INIT, back = STRBUF_INIT;
	static const char join[] = ".\"\\n\".";
	const char *p;

	escape_gp(&sb, in);
	p = strbuf_str(&sb);
	for (;;) {
		if (*p++ != '\'')
			die("gnuplot: not a single-quoted string", in, strbuf_str(&sb));
		for (;;) {
			if (!*p)
				die("gnuplot: unterminated string", in, strbuf_str(&sb));
			if (is_control((unsigned char)*p))
				die("gnuplot: control byte in a string", in, strbuf_str(&sb));
			if (*p == '\'' && p[1] == '\'') {
				strbuf_addc(&back, '\'');
				p += 2;
			} else if (*p == '\'') {
				p++;
				break;
			} else {
				strbuf_addc(&back, *p++);
			}
		}
		if (!*p)
			break;
		if (strncmp(p, join, sizeof(join) - 1))
			die("gnuplot: text outside single quotes", in, strbuf_str(&sb));
		strbuf_addc(&back, '\n');
		p += sizeof(join) - 1;
	}
	/* read back: the input without its control bytes other than line breaks */
	{
		struct strbuf want = STRBUF_INIT;

		for (const char *q = in; *q; q++)
			if (*q == '\n' || !is_control((unsigned char)*q))
				strbuf_addc(&want, *q);
		if (strcmp(strbuf_str(&want), strbuf_str(&back)))
			die("gnuplot: reads back different", in, strbuf_str(&sb));
		strbuf_release(&want);
	}
	strbuf_release(&sb);
	strbuf_release(&back);
}

/* Parse one CSV cell written alone; returns its value (caller frees). */
static char *csv_cell(const char *in, const char *cell)
{
	struct strbuf v = STRBUF_INIT;
	const char *p = cell;

	if (*p != '"') {
		if (strpbrk(p, ",\"\r\n"))
			die("csv: unquoted cell with a separator, quote or line break", in, cell);
		return xstrdup(cell);
	}
	for (p++;; p++) {
		if (!*p)
			die("csv: unterminated quoted cell", in, cell);
		if (*p == '"' && p[1] == '"') {
			strbuf_addc(&v, '"');
			p++;
		} else if (*p == '"') {
			if (p[1])
				die("csv: text after the closing quote", in, cell);
			break;
		} else {
			strbuf_addc(&v, *p);
		}
	}
	return strbuf_detach(&v, NULL);
}

static void check_csv(const char *in)
{
	for (int how = 0; how < 3; how++) {
		struct strbuf sb = STRBUF_INIT;
		char *v;

		if (how == 2)
			csvout_add_number(&sb, in);
		else
			csvout_add_text(&sb, in, how);
		v = csv_cell(in, strbuf_str(&sb));
		if (v[0] && strchr("=+-@\t\r", v[0]) &&
		    !(how == 2 && v[0] == '-' && csvout_is_number(v) && !strcmp(v, in)))
			die("csv: a cell read as a formula", in, strbuf_str(&sb));
		if (how == 1 && strbuf_str(&sb)[0] != '"')
			die("csv: not quoted when asked", in, strbuf_str(&sb));
		if (strcmp(csvout_unneutral(v), in))
			die("csv: does not read back", in, strbuf_str(&sb));
		free(v);
		strbuf_release(&sb);
	}
}

/* A code point a terminal must not get raw (defined here again, not taken from escape.c). */
static int term_control(ucs4_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x200e || c == 0x200f ||
	       (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

static void check_term(const char *in)
{
	char *out = escape_term_dup(in);
	const uint8_t *s = (const uint8_t *)out;
	int clean = 1;
	ucs4_t c;

	if (u8_check(s, strlen(out)))
		die("terminal: output not valid UTF-8", in, out);
	while ((s = u8_next(&c, s)) != NULL)
		if (term_control(c))
			die("terminal: control character shown raw", in, out);
	/* valid UTF-8 with no control character comes out as it went in */
	if (!u8_check((const uint8_t *)in, strlen(in))) {
		s = (const uint8_t *)in;
		while ((s = u8_next(&c, s)) != NULL)
			clean &= !term_control(c);
		if (clean && strcmp(in, out))
			die("terminal: clean text changed", in, out);
	}
	free(out);
}

static void check_name(const char *in)
{
	char *name = report_safe_name("answers-", in);
	struct strbuf back = STRBUF_INIT;
	const char *p = name + strlen("answers-");

	if (strlen(name) + strlen(".png") > 255)
		die("chart name: longer than NAME_MAX", in, name);
	if (strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_~") !=
	    strlen(p))
		die("chart name: a byte outside the safe set", in, name);
	if (!strstr(p, "~~")) {
		for (; *p; p++) {
			unsigned x;

			if (*p != '~') {
				strbuf_addc(&back, *p);
				continue;
			}
			if (sscanf(p + 1, "%2x", &x) != 1 || x == 0)
				die("chart name: bad ~XX", in, name);
			strbuf_addc(&back, (char)x);
			p += 2;
		}
		if (strcmp(strbuf_str(&back), in))
			die("chart name: does not decode to the id", in, name);
	} else if (strlen(in) * 3 <= 160) {
		die("chart name: a short id cut", in, name);
	}
	strbuf_release(&back);
	free(name);
}

/* a chart data column read back as gnuplot reads it: no control byte or double quote, and
   every backslash one of a pair ("\\\\", shown as one) or a line break ("\\n") */
static void check_dat(const char *in)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;

	for (int label = 0; label < 2; label++) {
		strbuf_reset(&sb);
		if (label)
			report_dat_label(&sb, in, 12);
		else
			report_dat_text(&sb, in);
		p = strbuf_str(&sb);
		if (label && (sb.len < 2 || p[0] != '"' || p[sb.len - 1] != '"'))
			die("data label: not in double quotes", in, p);
		for (size_t i = label; i < sb.len - (size_t)label; i++) {
			if ((unsigned char)p[i] < 0x20 || p[i] == '"')
				die("data column: a control byte or double quote", in, p);
			if (p[i] == '\\') {
				if (p[i + 1] != '\\' && !(label && p[i + 1] == 'n'))
					die("data column: a backslash gnuplot reads as an escape", in, p);
				i++;
			}
		}
	}
	strbuf_release(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the functions take C strings: the input up to its first NUL */
	char *in = xstrndup((const char *)data, size);

	check_gp(in);
	check_csv(in);
	check_term(in);
	check_name(in);
	check_dat(in);
	free(in);
	return 0;
}
