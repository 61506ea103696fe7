/* The forms stage: ids, the district filter, the generated XForm's layout and determinism,
   the lint (one row per defect, on in-memory copies of a generated form), the form list, the
   codebook's rows (counted by hand), registration in the database and atomic writing. */
#include "unit.h"

#include <stdlib.h>
#include <unistd.h>

#include "../../forms/forms.h"
#include "db.h"
#include "store.h"
#include "text.h"

static const char register_csv[] =
	"code,name,type,district_code,district\n"
	"99901,Ngh\xc4\xa9" "a H\xc6\xb0ng,x\xc3\xa3,999,Huy\xe1\xbb\x87n\n"
	"99902,Ph\xc3\xba Th\xe1\xbb\xa9,th\xe1\xbb\x8b tr\xe1\xba\xa5n,999,Huy\xe1\xbb\x87n\n"
	"88801,Kh\xc3\xa1" "c,x\xc3\xa3,888,Kh\xc3\xa1" "c\n";

static int setup(struct def *d, struct commune_list *l)
{
	struct diag diag = { 0 };
	int rc = def_load_file(d, unit_data("definitions/mini.xml"), &diag);

	CHECK(rc == 0, "mini.xml loads: %s", diag.n ? diag.lines[0] : "");
	diag_release(&diag);
	if (rc < 0)
		return -1;
	rc = commune_load(l, register_csv, sizeof(register_csv) - 1, "r.csv", &diag);
	CHECK(rc == 0, "register loads: %s", diag.n ? diag.lines[0] : "");
	diag_release(&diag);
	if (rc < 0)
		def_release(d);
	return rc;
}

/* Position of needle in haystack, or -1. */
static long pos(const char *hay, const char *needle)
{
	const char *p = strstr(hay, needle);

	return p ? (long)(p - hay) : -1;
}

static void build(void)
{
	struct def d;
	struct commune_list l;
	const struct commune **cv;
	struct form a, a2, b;
	size_t n;
	char *id;

	if (setup(&d, &l) < 0)
		return;
	id = form_id(&d, 1);
	CHECK_STR(id, "mini-B", "form id of group B");
	free(id);
	n = form_communes(&d, &l, &cv);
	CHECK(n == 2, "communes of district 999: %zu, want 2", n);
	if (n == 2) {
		CHECK_STR(cv[0]->code, "99901", "first commune");
		CHECK_STR(cv[1]->code, "99902", "second commune");
	}
	free(cv);
	{
		/* a definition that names no district code offers the whole register */
		char *code = d.district_code;

		d.district_code = NULL;
		n = form_communes(&d, &l, &cv);
		CHECK(n == 3, "communes without a district code: %zu, want 3", n);
		free(cv);
		d.district_code = code;
	}

	form_build(&a, &d, 0, &l);
	form_build(&a2, &d, 0, &l);
	form_build(&b, &d, 1, &l);
	CHECK_STR(a.id, "mini-A", "id");
	CHECK_STR(a.version, "1", "version");
	CHECK_STR(a.file, "mini-A.xml", "file");
	CHECK(a.xml.len == a2.xml.len && !memcmp(a.xml.buf, a2.xml.buf, a.xml.len),
	      "building twice gives the same bytes");
	CHECK(!strcmp(a.sha256, a2.sha256) && strcmp(a.sha256, b.sha256), "sha256 per content");
	{
		char sha[65], md5[33];

		text_sha256_hex(a.xml.buf, a.xml.len, sha);
		text_md5_hex(a.xml.buf, a.xml.len, md5);
		CHECK_STR(a.sha256, sha, "sha256 of the bytes");
		CHECK_STR(a.md5, md5, "md5 of the bytes");
	}
	CHECK(pos(a.xml.buf, "<data id=\"mini-A\" version=\"1\">") > 0, "root id and version");
	/* the flat layout, in order: A is asked sex, qa, qb (not qc) */
	{
		static const char *const order[] = { "<start/>", "<end/>", "<deviceid/>", "<commune/>",
						     "<surveyor/>", "<sex/>", "<qa/>", "<qb/>",
						     "<comment/>", "<meta>", "<instanceID/>",
						     "<instanceName/>", "</data>" };
		long last = -1;

		for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
			long p = pos(a.xml.buf, order[i]);

			CHECK(p > last, "%s after the previous element (at %ld, previous %ld)", order[i],
			      p, last);
			last = p;
		}
		CHECK(pos(a.xml.buf, "<qc/>") < 0, "A is not asked qc");
		CHECK(pos(b.xml.buf, "<qb/>") < 0 && pos(b.xml.buf, "<qc/>") > 0,
		      "B is asked qc, not qb");
	}
	CHECK(pos(a.xml.buf, "88801") < 0, "no commune of another district");
	CHECK(pos(a.xml.buf, "<value>Ph\xc3\xba Th\xe1\xbb\xa9 (99902)</value>") > 0,
	      "commune label name (code)");
	CHECK(pos(a.xml.buf, "<translation lang=\"Vietnamese (vi)\" default=\"true()\">") > 0 &&
		      pos(a.xml.buf, "<translation lang=\"English (en)\">") > 0,
	      "two translations, Vietnamese the default");
	CHECK(pos(a.xml.buf, "<bind nodeset=\"/data/qa\" type=\"string\" required=\"true()\"/>") > 0 &&
		      pos(a.xml.buf, "<bind nodeset=\"/data/sex\" type=\"string\" required=\"true()\"/>") > 0 &&
		      pos(a.xml.buf, "<bind nodeset=\"/data/comment\" type=\"string\"/>") > 0,
	      "questions and profile required, comment not");
	CHECK(pos(a.xml.buf, "calculate=\"concat(/data/commune, '-A')\"") > 0, "instanceName");
	CHECK(pos(a.xml.buf, "readonly=\"true()\" jr:preload=\"uid\"") > 0, "instanceID preload");
	CHECK(text_is_nfc(a.xml.buf), "NFC");
	form_release(&a);
	form_release(&a2);
	form_release(&b);
	commune_list_release(&l);
	def_release(&d);
}

/* Replace the first occurrence of old in s by new; caller frees. NULL if old is absent. */
static char *replace(const char *s, const char *old, const char *new)
{
	const char *p = strstr(s, old);
	char *out;

	if (!p)
		return NULL;
	out = xmalloc(strlen(s) - strlen(old) + strlen(new) + 1);
	memcpy(out, s, (size_t)(p - s));
	strcpy(out + (p - s), new);
	strcat(out, p + strlen(old));
	return out;
}

static void lint(void)
{
	static const struct {
		const char *old, *new, *message;
	} cases[] = {
		{ "          <text id=\"/data/qa:label\"><value>C\xc3\xa2u h\xe1\xbb\x8fi a</value></text>\n", "",
		  "itext id '/data/qa:label' is missing in the default language 'Vietnamese (vi)'" },
		{ "          <text id=\"/data/qa:label\"><value>Question a</value></text>\n", "",
		  "itext id '/data/qa:label' is missing in language 'English (en)'" },
		{ "<input ref=\"/data/surveyor\">", "<input ref=\"/data/surveyors\">",
		  "control ref '/data/surveyors' is not in the instance" },
		{ "<select1 ref=\"/data/qa\">", "<select1 ref=\"/data/1qa\">",
		  "control ref '/data/1qa' is not valid XPath: unexpected 'q' at column 8" },
		{ "          <qa/>\n", "          <x:qa xmlns:x=\"urn:x\"/>\n",
		  "instance element name 'x:qa' is not an XML NCName" },
		{ "<value>b</value>", "<value>a</value>", "duplicate option value 'a' in '/data/qa'" },
		{ "<value>b</value>", "<value></value>", "option of '/data/qa' has an empty value" },
		{ "<bind nodeset=\"/data/comment\" type=\"string\"/>",
		  "<bind nodeset=\"/data/comment\" type=\"text\"/>",
		  "bind '/data/comment' has unknown type 'text'" },
		{ "<bind nodeset=\"/data/comment\" type=\"string\"/>",
		  "<bind nodeset=\"/data/comment\" type=\"string\"/><bind nodeset=\"/data/comment\"/>",
		  "a second bind for '/data/comment'" },
		{ "<bind nodeset=\"/data/comment\" type=\"string\"/>",
		  "<bind nodeset=\"/data/comment\" type=\"string\" relevant=\"/data/qa = '/data/x'\"/>",
		  NULL /* a path inside a string literal is not a reference */ },
		{ "<bind nodeset=\"/data/comment\" type=\"string\"/>",
		  "<bind nodeset=\"/data/comment\" type=\"string\" relevant=\"/data/qx != 'a'\"/>",
		  "relevant '/data/qx' is not in the instance" },
		{ "<bind nodeset=\"/data/comment\" type=\"string\"/>",
		  "<bind nodeset=\"/data/comment\" type=\"string\" constraint=\"string-length(.) &lt; 5\"/>",
		  NULL },
		{ "<bind nodeset=\"/data/comment\" type=\"string\"/>",
		  "<bind nodeset=\"/data/comment\" type=\"string\" constraint=\"string-length(.\"/>",
		  "constraint 'string-length(.' is not valid XPath: the expression ends too soon" },
		{ "<data id=\"mini-A\" version=\"1\">", "<data version=\"1\">",
		  "the primary instance root <data> has no id attribute" },
		{ "            <instanceID/>\n", "", "no meta/instanceID in the instance" },
		{ "<translation lang=\"English (en)\">", "<translation lang=\"English (en)\" default=\"true()\">",
		  "more than one default translation ('English (en)')" },
		{ "<text id=\"/data/qa/c:label\"><value>K\xc3\xa9m</value></text>",
		  "<text id=\"/data/qa/c:label\"><value/></text>",
		  "itext id '/data/qa/c:label' is empty in language 'Vietnamese (vi)'" },
		{ "<input ref=\"/data/surveyor\">", "<input bind=\"b-surveyor\">", NULL },
		{ "<input ref=\"/data/surveyor\">", "<input bind=\"nosuch\">",
		  "<input> without a ref (its bind id is unknown)" },
		{ "<label ref=\"jr:itext('/data/qa:label')\"/>", "<label ref=\"jr:itext(itextId)\"/>",
		  NULL /* an id computed at run time is not checked */ },
		{ "<h:html ", "<!DOCTYPE h:html>\n<h:html ", "DOCTYPE or entity declaration refused" },
		{ "<comment/>", "<comment>", "not well-formed XML" },
	};
	struct def d;
	struct commune_list l;
	struct form f;

	if (setup(&d, &l) < 0)
		return;
	form_build(&f, &d, 0, &l);
	{
		struct diag diag = { 0 };

		CHECK(form_lint(f.xml.buf, f.xml.len, "mini-A.xml", &diag) == 0,
		      "the generated form passes: %s", diag.n ? diag.lines[0] : "");
		diag_release(&diag);
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* every copy names the surveyor's bind, so a control can refer to it by id */
		char *named = replace(f.xml.buf, "<bind nodeset=\"/data/surveyor\"",
				      "<bind id=\"b-surveyor\" nodeset=\"/data/surveyor\"");
		char *bad = named ? replace(named, cases[i].old, cases[i].new) : NULL;

		free(named);
		struct diag diag = { 0 };
		int rc;

		CHECK(bad != NULL, "case %zu: '%s' is in the generated form", i, cases[i].old);
		if (!bad)
			continue;
		rc = form_lint(bad, strlen(bad), "f.xml", &diag);
		if (!cases[i].message) {
			CHECK(rc == 0 && diag.n == 0, "case %zu: accepted, got: %s", i,
			      diag.n ? diag.lines[0] : "");
		} else {
			CHECK(rc < 0 && diag.n >= 1 && strstr(diag.lines[0], cases[i].message) &&
				      !strncmp(diag.lines[0], "f.xml:", 6),
			      "case %zu: want 'f.xml:LINE: %s', got '%s' (%zu problems)", i,
			      cases[i].message, diag.n ? diag.lines[0] : "", diag.n);
		}
		free(bad);
		diag_release(&diag);
	}
	form_release(&f);

	/* defence in depth: had a question been named like a form field (def_load refuses that),
	   the lint would refuse the form */
	{
		struct diag diag = { 0 };
		char *id = d.questions[0].id;

		d.questions[0].id = xstrdup("surveyor");
		form_build(&f, &d, 0, &l);
		CHECK(form_lint(f.xml.buf, f.xml.len, "f.xml", &diag) < 0 && diag.n >= 1 &&
			      strstr(diag.lines[0], "a second bind for '/data/surveyor'"),
		      "the lint refuses a duplicated field: %s", diag.n ? diag.lines[0] : "");
		diag_release(&diag);
		form_release(&f);
		free(d.questions[0].id);
		d.questions[0].id = id;
	}
	commune_list_release(&l);
	def_release(&d);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void list_and_codebook(void)
{
	struct def d;
	struct commune_list l;
	struct form fs[2];
	struct strbuf list = STRBUF_INIT, book = STRBUF_INIT;
	char want[200];

	if (setup(&d, &l) < 0)
		return;
	form_build(&fs[0], &d, 0, &l);
	form_build(&fs[1], &d, 1, &l);
	form_list(&list, fs, 2, NULL);
	snprintf(want, sizeof(want), "<formID>mini-B</formID>");
	CHECK(pos(list.buf, want) > 0, "formList names mini-B");
	snprintf(want, sizeof(want), "<hash>md5:%s</hash>", fs[1].md5);
	CHECK(pos(list.buf, want) > pos(list.buf, "<formID>mini-B</formID>"), "mini-B's md5");
	CHECK(pos(list.buf, "<downloadUrl>mini-A.xml</downloadUrl>") > 0, "relative download URL");
	CHECK(pos(list.buf, "<xforms xmlns=\"http://openrosa.org/xforms/xformsList\">") > 0,
	      "xformsList namespace");
	strbuf_reset(&list);
	form_list(&list, fs, 2, "https://example.org/forms");
	CHECK(pos(list.buf, "<downloadUrl>https://example.org/forms/mini-B.xml</downloadUrl>") > 0,
	      "absolute download URL under a base URL");
	strbuf_reset(&list);
	form_list(&list, fs, 2, "http://10.0.0.2:8000/a&b/");
	CHECK(pos(list.buf, "<downloadUrl>http://10.0.0.2:8000/a&amp;b/mini-A.xml</downloadUrl>") > 0,
	      "a base URL with a slash and an ampersand");

	/* per form: start, end, deviceid (3) + 2 communes + surveyor + sex (2 options) + two
	   questions of 4 options (8) + comment + instanceID, instanceName = 19; header 1 */
	form_codebook(&book, &d, fs, 2, &l);
	CHECK(count_lines(book.buf) == 1 + 2 * 19, "codebook lines: %zu, want 39",
	      count_lines(book.buf));
	CHECK(!strncmp(book.buf, "\xEF\xBB\xBF" "form_id,form_version,group_id,field_path,", 44),
	      "codebook header after a BOM");
	CHECK(pos(book.buf, "mini-B,1,B,/data/qc,qc,scored,2.2,yes,C\xc3\xa2u h\xe1\xbb\x8fi c,Question c,b,"
			    "Trung b\xc3\xacnh,Fair,0.5,no\n") > 0,
	      "a scored option row with its weight");
	CHECK(pos(book.buf, "mini-A,1,A,/data/qa,qa,scored,1.2,yes,C\xc3\xa2u h\xe1\xbb\x8fi a,Question a,x,"
			    "Kh\xc3\xb4ng bi\xe1\xba\xbft,Don't know,,yes\n") > 0,
	      "an excluded option row without weight");
	CHECK(pos(book.buf, ",\"X\xc3\xa3, ph\xc6\xb0\xe1\xbb\x9dng, th\xe1\xbb\x8b tr\xe1\xba\xa5n "
			    "\xc4\x91\xc6\xb0\xe1\xbb\xa3" "c kh\xe1\xba\xa3o s\xc3\xa1t\",") > 0,
	      "a text with commas is quoted");
	strbuf_release(&list);
	strbuf_release(&book);
	form_release(&fs[0]);
	form_release(&fs[1]);
	commune_list_release(&l);
	def_release(&d);
}

static void registration(void)
{
	struct def d;
	struct commune_list l, more;
	struct form f, f2;
	struct perr err = { 0 };
	struct store_counts n = { 0 };
	struct strbuf content = STRBUF_INIT;
	struct diag diag = { 0 };
	enum form_stored how = FORM_ADDED;
	sqlite3 *db = NULL;
	static const char more_csv[] = "code,name,type,district_code,district\n"
				       "99903,T\xc3\xa2n,x\xc3\xa3,999,Huy\xe1\xbb\x87n\n";

	if (setup(&d, &l) < 0)
		return;
	CHECK(strbuf_read_file(&content, unit_data("definitions/mini.xml"), 1 << 20) == 0,
	      "read mini.xml");
	CHECK(db_open(&db, ":memory:", DB_MIGRATE, &err) == 0, "open: %s", err.msg);
	CHECK(store_definition(db, &d, content.buf, content.len, "mini.xml", &n, &err) == 0,
	      "store: %s", err.msg);
	form_build(&f, &d, 0, &l);
	CHECK(form_register(db, &d, &f, &how, &err) == 0 && how == FORM_ADDED, "added: %s",
	      err.msg);
	CHECK(form_register(db, &d, &f, &how, &err) == 0 && how == FORM_UNCHANGED, "unchanged: %s",
	      err.msg);
	/* a commune more: same id and version, new bytes */
	CHECK(commune_load(&more, more_csv, sizeof(more_csv) - 1, "m.csv", &diag) == 0, "more");
	xgrow(&l.v, &l.alloc, l.n + 1, sizeof(*l.v));
	l.v[l.n++] = more.v[0];
	more.n = 0;
	form_build(&f2, &d, 0, &l);
	CHECK(form_register(db, &d, &f2, &how, &err) == 0 && how == FORM_REPLACED, "replaced: %s",
	      err.msg);
	{
		sqlite3_stmt *st;

		sqlite3_prepare_v2(db, "SELECT sha256, length(content), count(*) FROM form", -1, &st,
				   NULL);
		CHECK(sqlite3_step(st) == SQLITE_ROW, "a row");
		CHECK_STR((const char *)sqlite3_column_text(st, 0), f2.sha256, "new sha256 stored");
		CHECK(sqlite3_column_int(st, 1) == (int)f2.xml.len, "new content stored");
		CHECK(sqlite3_column_int(st, 2) == 1, "still one row");
		sqlite3_finalize(st);
	}
	db_close(db);
	form_release(&f);
	form_release(&f2);
	commune_list_release(&more);
	commune_list_release(&l);
	strbuf_release(&content);
	diag_release(&diag);
	def_release(&d);
}

static void write_file(void)
{
	char dir[] = "/tmp/parindex-unit-forms.XXXXXX";
	struct strbuf back = STRBUF_INIT;
	struct perr err = { 0 };
	char *sub, *path;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return;
	}
	sub = xasprintf("%s/a/b", dir);
	path = xasprintf("%s/f.txt", sub);
	CHECK(form_write_file(sub, "f.txt", "first", 5, &err) == 0, "write: %s", err.msg);
	CHECK(form_write_file(sub, "f.txt", "second", 6, &err) == 0, "rewrite: %s", err.msg);
	CHECK(strbuf_read_file(&back, path, 100) == 0 && back.len == 6 &&
		      !memcmp(back.buf, "second", 6),
	      "the last bytes are there");
	CHECK(form_write_file(path, "g.txt", "x", 1, &err) < 0 && err.code == PERR_SYSTEM,
	      "a file as folder is a system error");
	unlink(path);
	rmdir(sub);
	*strrchr(sub, '/') = '\0';
	CHECK(rmdir(sub) == 0 && rmdir(dir) == 0, "nothing else left behind");
	free(sub);
	free(path);
	strbuf_release(&back);
}

void test_forms(void)
{
	build();
	lint();
	list_and_codebook();
	registration();
	write_file();
}
