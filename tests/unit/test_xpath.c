/* The lint's XPath parser (forms/xpath.c): what JavaRosa's parser accepts and refuses, one row
   per case (each checked against JavaRosa's Lexer and Parser). */
#include "unit.h"

#include "../../forms/xpath.h"
#include "strbuf.h"

static const struct {
	const char *expr;
	const char *error; /* NULL: parses; else the start of the message */
} xpath_cases[] = {
	{ "/data/age > 17", NULL },
	{ "not(-/data/age div 2 mod 3 = 1) or . != ''", NULL },
	{ "if(selected(/data/x, 'yes'), 1, 0)", NULL },
	{ "instance('communes')/root/item[district = current()/../d]/label", NULL },
	{ "count(../rep[position() = 1]/child::a/@b) + count(a:* | //b)", NULL },
	{ "(a)[1]/b", NULL },
	{ "$x/b", NULL },
	{ "x-1.y_z", NULL },                    /* one name: '-', '.' and '_' inside names */
	{ "a -1", NULL },                       /* after a name, '-' is the operator */
	{ "* * *", NULL },                      /* wildcard, times, wildcard */
	{ "and = or", NULL },                   /* names where a value is due */
	{ "t\xe1\xbb\x95ng > 1", NULL },        /* a Vietnamese letter in a name */
	{ "/", NULL },
	{ "text()", NULL },
	{ ".5 + 5.", NULL },
	{ "", "empty expression" },
	{ "   ", "empty expression" },
	{ "a b", "unexpected 'b' at column 3" },
	{ "/data/age > 17 and", "the expression ends too soon" },
	{ "f(a,)", "unexpected ')' at column 5" },
	{ "a[]", "unexpected ']' at column 3" },
	{ "1 = = 2", "unexpected '=' at column 5" },
	{ "x)", "unexpected ')' at column 2" },
	{ "concat('a'", "the expression ends too soon" },
	{ "'abc", "unterminated string at column 1" },
	{ "${a} = 1", "'$' without a variable name at column 1" },
	{ "foo::a", "'foo' at column 1 is not an axis" },
	{ "1.5e3", "unexpected 'e' at column 4" },    /* no exponents in XPath 1.0 */
	{ "a | -b", "unexpected '-' at column 5" },
	{ "a/count(b)", "unexpected 'count' at column 3" },
	{ "//", "the expression ends too soon" },
	{ "a/", "the expression ends too soon" },
	{ "/data/age ? 2", "unexpected '?' at column 11" },
	{ "\xe4\xb8\xad = 1", "unexpected '\xe4\xb8\xad' at column 1" }, /* not a letter to Java */
	{ "bogus(1)[", "the expression ends too soon" },
};

void test_xpath(void)
{
	for (size_t i = 0; i < sizeof(xpath_cases) / sizeof(xpath_cases[0]); i++) {
		struct xpath *x = NULL;
		char msg[160];
		int rc = xpath_parse(xpath_cases[i].expr, &x, msg, sizeof(msg));

		if (!xpath_cases[i].error)
			CHECK(rc == 0 && x, "'%s' parses: %s", xpath_cases[i].expr, msg);
		else
			CHECK(rc < 0 && !x && !strncmp(msg, xpath_cases[i].error,
						       strlen(xpath_cases[i].error)),
			      "'%s' refused with '%s': got '%s'", xpath_cases[i].expr,
			      xpath_cases[i].error, rc < 0 ? msg : "(parsed)");
		xpath_free(x);
	}
	{
		/* nesting is bounded, not a stack overflow */
		char deep[4000];
		struct xpath *x;
		char msg[160];

		memset(deep, '(', 2000);
		strcpy(deep + 2000, "1");
		CHECK(xpath_parse(deep, &x, msg, sizeof(msg)) < 0 &&
			      !strncmp(msg, "nested more than", 16),
		      "2000 parentheses refused: %s", msg);
	}
	{
		/* a long sum is a deep tree: 1,500 terms parse, 2,500 are refused (the lint walks
		   the tree recursively; a 16 MB form could otherwise hold a million terms) */
		struct strbuf sb = STRBUF_INIT;
		struct xpath *x;
		char msg[160];

		for (int i = 0; i < 2500; i++) {
			strbuf_addf(&sb, "%s/data/q%d", i ? " + " : "", i);
			if (i == 1499) {
				CHECK(xpath_parse(sb.buf, &x, msg, sizeof(msg)) == 0 && x->depth == 1499,
				      "1,500 terms parse: %s", msg);
				xpath_free(x);
			}
		}
		CHECK(xpath_parse(sb.buf, &x, msg, sizeof(msg)) < 0 &&
			      !strcmp(msg, "nested more than 2000 deep"),
		      "2,500 terms refused: %s", msg);
		strbuf_release(&sb);
	}
	{
		struct xpath *x;
		char msg[160];

		CHECK(xpath_parse("/data/a[../b = 1]/@c", &x, msg, sizeof(msg)) == 0 && x &&
			      x->kind == XPATH_PATH && x->absolute && x->nsteps == 3 &&
			      x->steps[1].npreds == 1 && x->steps[2].axis == XPATH_ATTRIBUTE &&
			      !strcmp(x->steps[2].name, "c"),
		      "a path's steps, predicate and attribute");
		xpath_free(x);
	}
}
