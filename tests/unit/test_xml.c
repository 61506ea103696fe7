/* Safe XML input and UTF-8 validation. */
#include "unit.h"

#include "xml.h"

static void utf8(void)
{
	static const struct {
		const char *s;
		int valid;
	} cases[] = {
		{ "plain ascii", 1 },
		{ "C\xe1\xba\xa9m Gi\xc3\xa0ng", 1 },   /* Cẩm Giàng */
		{ "\xc0\xaf", 0 },                      /* overlong '/' */
		{ "\xed\xa0\x80", 0 },                  /* surrogate */
		{ "\xf4\x90\x80\x80", 0 },              /* above U+10FFFF */
		{ "\xe1\xba", 0 },                      /* truncated */
		{ "\xff", 0 },
		{ "\xf0\x9f\x98\x80", 1 },              /* emoji */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(xml_utf8_valid(cases[i].s, strlen(cases[i].s)) == cases[i].valid,
		      "utf8 case %zu", i);
}

static void parse(void)
{
	static const struct {
		const char *doc;
		const char *where, *msg; /* NULL msg: parses */
	} cases[] = {
		{ "<a><b>x</b></a>", "", NULL },
		{ "<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY e \"x\">]>\n<a>&e;</a>", "t.xml:2",
		  "DOCTYPE or entity declaration refused" },
		{ "<!DOCTYPE a SYSTEM \"http://example.invalid/a.dtd\"><a/>", "t.xml:1",
		  "DOCTYPE or entity declaration refused" },
		{ "<a>\n<b></a>", "t.xml:2", "not well-formed XML" },
		{ "<a><b><c><d/></c></b></a>", "t.xml", "elements nested deeper than 3" },
		{ "<a>\xff</a>", "t.xml", "not valid UTF-8" },
		{ "<a>&undefined;</a>", "t.xml:1", "not well-formed XML" },
	};
	struct xml_limits lim = { .max_bytes = 1000, .max_depth = 3 };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct perr err = { 0 };
		xmlDoc *doc = xml_parse(cases[i].doc, strlen(cases[i].doc), "t.xml", &lim, &err);

		if (!cases[i].msg) {
			CHECK(doc != NULL, "case %zu parses: %s", i, err.msg);
		} else {
			CHECK(doc == NULL, "case %zu refused", i);
			CHECK_STR(err.where, cases[i].where, "where");
			CHECK(!strncmp(err.msg, cases[i].msg, strlen(cases[i].msg)),
			      "case %zu: message '%s'", i, err.msg);
		}
		xmlFreeDoc(doc);
	}
}

void test_xml(void)
{
	utf8();
	parse();
}
