/* Escaping for gnuplot scripts and terminals (see escape.h). */
#include "escape.h"
#include "err.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void escape_gp(struct strbuf *sb, const char *s)
{
	strbuf_addc(sb, '\'');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			strbuf_adds(sb, "'.\"\\n\".'"); /* the only double-quoted text: a fixed one */
		else if (c == '\'')
			strbuf_adds(sb, "''");
		else if (c >= 0x20 && c != 0x7f)
			strbuf_addc(sb, (char)c);
	}
	strbuf_addc(sb, '\'');
}

/* The length of the valid UTF-8 sequence at s (1-4, its code point in *cp), or 0: overlong
   forms, surrogates and code points past U+10FFFF are not valid. */
static size_t utf8_char(const unsigned char *s, uint32_t *cp)
{
	size_t n;
	uint32_t c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f, min = 0x80;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0f, min = 0x800;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) /* also stops at the terminating NUL */
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* Characters that move the cursor, reorder or split the line a message is shown on. */
static int is_format_control(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9f) || c == 0x200e || c == 0x200f ||
	       (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

void escape_term(struct strbuf *sb, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		uint32_t c;
		size_t n = utf8_char(s, &c);

		if (!n) {
			strbuf_addf(sb, "\\x%02x", *s++);
		} else if (c == '\t' || c == '\n' || c == '\r') {
			strbuf_addc(sb, '\\');
			strbuf_addc(sb, c == '\t' ? 't' : c == '\n' ? 'n' : 'r');
			s++;
		} else if (c < 0x20 || c == 0x7f) {
			strbuf_addf(sb, "\\x%02x", *s++);
		} else if (is_format_control(c)) {
			strbuf_addf(sb, "\\u%04x", (unsigned)c);
			s += n;
		} else {
			strbuf_add(sb, s, n);
			s += n;
		}
	}
}

char *escape_term_dup(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	escape_term(&sb, s);
	return strbuf_detach(&sb, NULL);
}

void escape_term_fputs(FILE *f, const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	escape_term(&sb, s);
	fputs(strbuf_str(&sb), f);
	strbuf_release(&sb);
}

void escape_term_lines(FILE *f, const char *s)
{
	struct strbuf line = STRBUF_INIT;

	while (*s) {
		size_t n = strcspn(s, "\n");

		strbuf_reset(&line);
		strbuf_add(&line, s, n);
		escape_term_fputs(f, strbuf_str(&line));
		s += n;
		if (*s == '\n') {
			fputc('\n', f);
			s++;
		}
	}
	strbuf_release(&line);
}
