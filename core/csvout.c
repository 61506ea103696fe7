/* CSV cells: quoting, and formulas kept as text (see csvout.h). */
#include "csvout.h"

#include <string.h>

int csvout_is_formula(const char *s)
{
	return *s && strchr("=+-@\t\r", *s) != NULL;
}

int csvout_is_number(const char *s)
{
	const char *p = s + (*s == '-');
	size_t n = strspn(p, "0123456789");

	if (!n)
		return 0;
	p += n;
	if (*p == '.') {
		n = strspn(p + 1, "0123456789");
		if (!n)
			return 0;
		p += 1 + n;
	}
	return *p == '\0';
}

/* A formula after any apostrophes: "'=x" gets one more too, so that taking one apostrophe
   off gives back every text exactly. */
static int needs_mark(const char *s)
{
	return csvout_is_formula(s + strspn(s, "'"));
}

void csvout_add_text(struct strbuf *sb, const char *s, int quote)
{
	int formula = needs_mark(s);

	if (!quote && !formula && !strpbrk(s, ",\"\r\n")) {
		strbuf_adds(sb, s);
		return;
	}
	strbuf_addc(sb, '"');
	if (formula)
		strbuf_addc(sb, '\'');
	/* a run up to the next quote at a time, the quote doubled */
	for (;;) {
		size_t n = strcspn(s, "\"");

		strbuf_add(sb, s, n);
		s += n;
		if (!*s)
			break;
		strbuf_add(sb, "\"\"", 2);
		s++;
	}
	strbuf_addc(sb, '"');
}

void csvout_add_number(struct strbuf *sb, const char *s)
{
	if (csvout_is_number(s))
		strbuf_adds(sb, s);
	else
		csvout_add_text(sb, s, 0);
}

const char *csvout_unneutral(const char *s)
{
	return s[0] == '\'' && needs_mark(s) ? s + 1 : s;
}

static void put(FILE *out, struct strbuf *sb)
{
	fwrite(strbuf_str(sb), 1, sb->len, out);
	strbuf_release(sb);
}

void csvout_text(FILE *out, const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	csvout_add_text(&sb, s, 0);
	put(out, &sb);
}

void csvout_number(FILE *out, const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	csvout_add_number(&sb, s);
	put(out, &sb);
}

void csvout_field(FILE *out, const char *s, int last)
{
	csvout_text(out, s);
	fputc(last ? '\n' : ',', out);
}
