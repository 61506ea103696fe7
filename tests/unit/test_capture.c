/* capture: the instance parser and validation against the mini definition's two forms, one
   row per case: the instance, the reason expected (NULL: valid), and for valid ones the
   answers JSON and the fields kept. */
#include "unit.h"

#include <stdlib.h>

#include "../../capture/capture.h"
#include "text.h"

#define HEAD "<?xml version='1.0' ?><data id=\"mini-A\" version=\"1\" " \
	     "xmlns:orx=\"http://openrosa.org/xforms\">"
#define BODY "<start>2026-01-10T08:00:00.000+07:00</start><end/><deviceid>d1</deviceid>" \
	     "<commune>90001</commune><surveyor>Nguyễn Thị Hoa</surveyor>"
#define ANSWERS "<sex>2</sex><qa>a</qa><qb>x</qb><comment/>"
#define META "<meta><instanceID>uuid:1</instanceID></meta>"
#define TAIL "</data>"

void test_capture(void);

void test_capture(void)
{
	static const struct {
		const char *what, *xml, *reason, *answers;
		long line;
	} rows[] = {
		{ "JavaRosa", HEAD BODY ANSWERS META TAIL, NULL, "{\"sex\":\"2\",\"qa\":\"a\",\"qb\":\"x\"}", 0 },
		{ "Web Forms: default namespace, orx:meta, <x></x>, no declaration",
		  "<data xmlns=\"http://www.w3.org/2002/xforms\" xmlns:orx=\"http://openrosa.org/xforms\" "
		  "id=\"mini-B\" version=\"1\">\n<start></start>\n<commune>90002</commune>\n"
		  "<surveyor>B</surveyor>\n<qc>c</qc>\n<qa>b</qa>\n<sex>1</sex>\n<comment></comment>\n"
		  "<orx:meta><orx:instanceID>uuid:2</orx:instanceID></orx:meta>\n</data>\n",
		  NULL, "{\"sex\":\"1\",\"qa\":\"b\",\"qc\":\"c\"}", 0 },
		{ "answers trimmed", HEAD BODY "<sex> 2 </sex><qa>\n a\n</qa><qb>x</qb>" META TAIL, NULL,
		  "{\"sex\":\"2\",\"qa\":\"a\",\"qb\":\"x\"}", 0 },
		{ "a form, not a submission",
		  "<h:html xmlns:h=\"http://www.w3.org/1999/xhtml\"><h:head/></h:html>", "form", NULL, 0 },
		{ "DOCTYPE", "<?xml version='1.0'?>\n<!DOCTYPE data [<!ENTITY e \"x\">]>" HEAD TAIL,
		  "doctype", NULL, 2 },
		{ "external DTD", "<!DOCTYPE data SYSTEM \"http://example.org/x.dtd\"><data/>", "doctype",
		  NULL, 1 },
		{ "undefined entity", HEAD "<surveyor>&x;</surveyor>" TAIL, "malformed", NULL, 1 },
		{ "not UTF-8", HEAD "<surveyor>Nguy\xe1n</surveyor>" TAIL, "not-utf8", NULL, 0 },
		{ "overlong UTF-8", HEAD "<surveyor>\xc0\xaf</surveyor>" TAIL, "not-utf8", NULL, 0 },
		{ "too deep", HEAD "<a><b><c><d><e><f><g><h>" "</h></g></f></e></d></c></b></a>" TAIL,
		  "too-deep", NULL, 1 },
		{ "malformed", HEAD "\n\n<sex>2</se>" TAIL, "malformed", NULL, 3 },
		{ "no id", "<data version=\"1\">" BODY ANSWERS META TAIL, "not-a-submission", NULL, 1 },
		{ "unknown form", "<data id=\"mini-C\" version=\"1\">" BODY ANSWERS META TAIL,
		  "unknown-form", NULL, 1 },
		{ "no version", "<data id=\"mini-A\">" BODY ANSWERS META TAIL, "unknown-form", NULL, 1 },
		{ "no instanceID", HEAD BODY ANSWERS TAIL, "missing-instance-id", NULL, 1 },
		{ "empty instanceID", HEAD BODY ANSWERS "<meta><instanceID/></meta>" TAIL,
		  "missing-instance-id", NULL, 1 },
		{ "unknown element", HEAD BODY ANSWERS "<extra/>" META TAIL, "unknown-element", NULL, 0 },
		{ "question of another group", HEAD BODY ANSWERS "<qc>a</qc>" META TAIL,
		  "unknown-element", NULL, 0 },
		{ "repeated", HEAD BODY ANSWERS "<qa>b</qa>" META TAIL, "repeated-element", NULL, 0 },
		{ "nested", HEAD BODY "<sex><v>2</v></sex><qa>a</qa><qb>x</qb>" META TAIL,
		  "nested-element", NULL, 0 },
		{ "missing answer", HEAD BODY "<sex>2</sex><qa>a</qa>" META TAIL, "missing-answer", NULL, 0 },
		{ "empty answer", HEAD BODY "<sex>2</sex><qa/><qb>x</qb>" META TAIL, "missing-answer",
		  NULL, 0 },
		{ "unknown option", HEAD BODY "<sex>3</sex><qa>a</qa><qb>x</qb>" META TAIL,
		  "unknown-option", NULL, 0 },
		{ "option of another scale", HEAD BODY "<sex>a</sex><qa>a</qa><qb>x</qb>" META TAIL,
		  "unknown-option", NULL, 0 },
		{ "no commune", HEAD "<surveyor>S</surveyor>" ANSWERS META TAIL, "missing-commune", NULL, 0 },
		{ "unknown commune", HEAD "<commune>99999</commune><surveyor>S</surveyor>" ANSWERS META
		  TAIL, "unknown-commune", NULL, 0 },
		{ "no surveyor", HEAD "<commune>90001</commune><surveyor> </surveyor>" ANSWERS META TAIL,
		  "missing-surveyor", NULL, 0 },
		{ "start not a date", HEAD "<start>08:00 10/1/2026</start><commune>90001</commune>"
		  "<surveyor>S</surveyor>" ANSWERS META TAIL, "bad-value", NULL, 0 },
		{ "orx:version, as older XLSForm output is serialized",
		  "<data xmlns:orx=\"http://openrosa.org/xforms\" id=\"mini-A\" orx:version=\"1\">"
		  BODY ANSWERS META TAIL, NULL, "{\"sex\":\"2\",\"qa\":\"a\",\"qb\":\"x\"}", 0 },
		{ "a namespace declaration is not the version",
		  "<data id=\"mini-A\" xmlns:version=\"1\">" BODY ANSWERS META TAIL, "unknown-form",
		  NULL, 1 },
		{ "instanceID of 129 bytes", HEAD BODY ANSWERS "<meta><instanceID>uuid:"
		  "01234567890123456789012345678901234567890123456789012345678901234567890123456789"
		  "01234567890123456789012345678901234567890123</instanceID></meta>" TAIL,
		  "long-instance-id", NULL, 1 },
		{ "instanceID of 128 bytes", HEAD BODY ANSWERS "<meta><instanceID>uuid:"
		  "01234567890123456789012345678901234567890123456789012345678901234567890123456789"
		  "0123456789012345678901234567890123456789012</instanceID></meta>" TAIL,
		  NULL, "{\"sex\":\"2\",\"qa\":\"a\",\"qb\":\"x\"}", 0 },
		{ "an edit of itself", HEAD BODY ANSWERS "<meta><instanceID>uuid:1</instanceID>"
		  "<deprecatedID>uuid:1</deprecatedID></meta>" TAIL, "bad-value", NULL, 1 },
	};
	/* text cut for fixed fields: at a character boundary, ending with … */
	static const struct {
		const char *in;
		size_t size;
		const char *out;
	} cuts[] = {
		{ "abc", 8, "abc" },
		{ "abcdefgh", 8, "abcd…" },
		{ "abcdefg", 8, "abcdefg" },
		{ "aễễ", 8, "aễễ" },      /* 7 bytes fit whole; ễ is 3 bytes */
		{ "aễễễ", 8, "aễ…" },
		{ "ễễễ", 8, "ễ…" },
		{ "ab", 3, "ab" },
		{ "abc", 3, "ab" },         /* no room for the mark */
		{ NULL, 4, "" },
	};
	struct capture_registry reg = { 0 };
	struct capture_form forms[2];
	char *communes[] = { "90001", "90002" };
	struct diag diag = { 0 };
	struct def d;
	struct capture_parser *p = capture_parser_new(8);
	struct capture_submission sub = { 0 };

	if (def_load_file(&d, unit_data("definitions/mini.xml"), &diag) < 0) {
		CHECK(0, "mini definition loads");
		diag_release(&diag);
		return;
	}
	forms[0] = (struct capture_form){ "mini-A", "1", "A", &d, 0 };
	forms[1] = (struct capture_form){ "mini-B", "1", "B", &d, 1 };
	reg.forms = forms;
	reg.nforms = 2;
	reg.communes = communes;
	reg.ncommunes = 2;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct capture_instance inst;
		struct capture_problem prob = { 0 };
		const char *reason = NULL;

		if (capture_parse(p, rows[i].xml, strlen(rows[i].xml), &inst, &prob) < 0)
			reason = prob.reason;
		else if (inst.is_form)
			reason = "form";
		else if (capture_validate(&reg, &inst, &sub, &prob) < 0)
			reason = prob.reason;
		if (!rows[i].reason) {
			CHECK(!reason, "%s: rejected as %s: %s", rows[i].what, reason, prob.msg);
			if (!reason)
				CHECK_STR(sub.answers.buf, rows[i].answers, rows[i].what);
		} else {
			CHECK(reason && !strcmp(reason, rows[i].reason), "%s: got %s (%s), want %s",
			      rows[i].what, reason ? reason : "valid", prob.msg, rows[i].reason);
			if (rows[i].line)
				CHECK_NUM(prob.line, rows[i].line, rows[i].what);
		}
	}

	/* what a valid instance keeps, in NFC */
	{
		static const char nfd[] = HEAD "<commune>90001</commune>"
			"<surveyor>Nguye\xcc\x82\xcc\x83n</surveyor>" ANSWERS
			"<meta><instanceID>uuid:9</instanceID><deprecatedID>uuid:1</deprecatedID>"
			"<instanceName>x</instanceName></meta>" TAIL;
		struct capture_instance inst;
		struct capture_problem prob;

		CHECK(capture_parse(p, nfd, strlen(nfd), &inst, &prob) == 0, "nfd parses");
		CHECK_STR(inst.instance_name, "x", "instanceName");
		CHECK(capture_validate(&reg, &inst, &sub, &prob) == 0, "nfd valid: %s", prob.msg);
		CHECK_STR(sub.surveyor, "Nguyễn", "surveyor brought to NFC");
		CHECK_STR(sub.deprecated_id, "uuid:1", "deprecatedID");
		CHECK_STR(sub.instance_id, "uuid:9", "instanceID");
		CHECK(!sub.started && !sub.comment && !sub.device_id, "absent fields are NULL");
		CHECK_STR(sub.form->id, "mini-A", "form");
	}
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		char buf[16];
		const char *got = buf;

		text_cut(buf, cuts[i].size, cuts[i].in);
		CHECK_STR(got, cuts[i].out, cuts[i].in ? cuts[i].in : "(null)");
	}
	capture_submission_release(&sub);
	capture_parser_free(p);
	def_release(&d);
	diag_release(&diag);
}
