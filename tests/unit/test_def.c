/* Definition loading: the shipped default's totals, and one row per broken definition with
   the line and defect its message must name. */
#include "unit.h"

#include "def.h"
#include "embedded.h"
#include "store.h"

#include <stdlib.h>

static void default_totals(void)
{
	static const struct {
		const char *id;
		double max, survey;
	} fields[] = {
		{ "1", 14, 2 }, { "2", 8, 1.5 }, { "3", 18, 6 }, { "4", 7, 1 },
		{ "5", 12, 2.5 }, { "6", 8, 1 }, { "7", 19, 2 }, { "8", 14, 14 },
	};
	struct diag diag = { 0 };
	struct def d;
	double self = 0, survey = 0;
	int rc = def_load(&d, embedded_default_definition, strlen(embedded_default_definition),
			  embedded_default_definition_name, &diag);

	CHECK(rc == 0, "default definition loads (%zu errors: %s)", diag.n,
	      diag.n ? diag.lines[0] : "");
	diag_release(&diag);
	if (rc)
		return;
	CHECK(d.nfields == 8, "8 fields, got %zu", d.nfields);
	for (size_t f = 0; f < d.nfields && f < 8; f++) {
		double fsurvey = 0, fsum = 0;

		CHECK_STR(d.fields[f].id, fields[f].id, "field id");
		CHECK_NUM(d.fields[f].max, fields[f].max, d.fields[f].id);
		for (size_t c = d.fields[f].first_criterion;
		     c < d.fields[f].first_criterion + d.fields[f].ncriteria; c++) {
			fsum += d.criteria[c].max;
			if (d.criteria[c].assessed == DEF_SURVEY)
				fsurvey += d.criteria[c].max;
		}
		CHECK_NUM(fsum, fields[f].max, "field criteria sum");
		CHECK_NUM(fsurvey, fields[f].survey, "field survey points");
	}
	for (size_t c = 0; c < d.ncriteria; c++) {
		if (d.criteria[c].assessed == DEF_SURVEY)
			survey += d.criteria[c].max;
		else
			self += d.criteria[c].max;
	}
	CHECK_NUM(self, 70, "self-assessed points");
	CHECK_NUM(survey, 30, "survey points");
	CHECK_NUM(self + survey, d.max, "total = stated max");
	CHECK(d.ngroups == 5 && d.min_forms == 65, "5 groups, 65 forms");
	CHECK(d.decimals == 2 && d.aggregation == DEF_GROUP_MEAN, "decimals 2, group-mean");
	CHECK(d.ntiers == 4 && d.tiers[3].is_otherwise, "3 tiers and otherwise");
	/* its <quality> element, every attribute given */
	CHECK(d.quality.line > 0, "the default has a quality element");
	CHECK_NUM(d.quality.min_seconds, 6, "min-seconds-per-question");
	CHECK_STR(d.quality.window_start, "2021-11-01", "window-start");
	CHECK_STR(d.quality.window_end, "2022-01-31", "window-end");
	CHECK(d.quality.burst_forms == 6 && d.quality.burst_minutes == 15, "burst 6 in 15");
	CHECK(d.quality.near_duplicate == 1 && d.quality.straight_lining == 8,
	      "near-duplicate on, straight-lining 8");
	CHECK(def_is_dont_know(&d, "9") && !def_is_dont_know(&d, "1") &&
		      !def_is_dont_know(&d, "99"), "don't know is 9 alone");
	CHECK_NUM(d.quality.dont_know_share, 0.5, "dont-know-share");
	def_release(&d);
}

static void broken(void)
{
	static const struct {
		const char *file;
		const char *message; /* "line: text" that must appear among the errors */
	} cases[] = {
		{ "01-not-well-formed.xml", ":98: not well-formed XML" },
		{ "02-doctype-entity.xml", ":5: DOCTYPE or entity declaration refused" },
		{ "03-criterion-missing-max.xml", ":34: schema: element <criterion>: attribute 'max' is required (a decimal number written with a point, 0 or more, at most 3 decimals)" },
		{ "04-unknown-element.xml", ":37: schema: Did not expect element weight there" },
		{ "05-duplicate-criterion-id.xml", ":38: duplicate criterion id '2.2' (first on line 34)" },
		{ "06-subcriteria-sum.xml", ":14: criterion 1.1: sub-criteria add up to 2.5, not its max 3" },
		{ "07-criteria-sum.xml", ":11: field 1: criteria add up to 5.5, not its max 6" },
		{ "08-fields-sum.xml", ":6: fields add up to 10, not the definition's max 12" },
		{ "09-survey-criterion-no-question.xml", ":38: survey-assessed criterion 2.2 has no question" },
		{ "10-question-feeds-self-criterion.xml", ":70: question qb feeds criterion 2.1, which is self-assessed" },
		{ "11-question-unknown-group.xml", ":74: question qc: unknown group 'C'" },
		{ "12-question-unknown-criterion.xml", ":70: question qb: unknown criterion '1.3'" },
		{ "13-question-unknown-scale.xml", ":70: question qb: unknown scale 's5'" },
		{ "14-option-weight-above-1.xml", ":53: scale s3 option a: weight 1.5 is outside [0, 1]" },
		{ "15-tiers-not-descending.xml", ":88: tier good: min-index 80 is not below the previous tier's 65" },
		{ "16-group-quota-above-min-forms.xml", ":44: group A: quota 5 is above the per-commune minimum of 4 forms" },
		{ "17-name-missing-en.xml", ":34: 2.1: no English (lang=\"en\") name" },
		{ "18-duplicate-option-code.xml", ":55: scale s3: duplicate option code 'b' (first on line 54)" },
		{ "19-duplicate-question-id.xml", ":74: duplicate question id 'qb' (first on line 70)" },
		{ "20-survey-criterion-subcriteria.xml", ":26: survey-assessed criterion 1.2 has sub-criteria" },
		{ "21-scored-option-without-weight.xml", ":66: question qa: scale s3 option b has no weight" },
		{ "22-decimal-comma-max.xml", ":17: schema: element <subcriterion>: attribute 'max' must be a decimal number written with a point, 0 or more, at most 3 decimals, not '1,0'" },
		{ "23-decimal-comma-weight.xml", ":54: schema: element <option>: attribute 'weight' must be a decimal number written with a point, not '0,5'" },
		{ "24-option-weight-negative.xml", ":55: scale s3 option c: weight -0.5 is outside [0, 1]" },
		{ "25-no-namespace.xml", ":6: schema: Expecting a namespace for element definition" },
		{ "26-duplicate-group-id.xml", ":48: duplicate group id 'A' (first on line 44)" },
		{ "27-duplicate-scale-id.xml", ":58: duplicate scale id 's3' (first on line 52)" },
		{ "28-district-code-missing.xml", ":10: schema: element <district>: attribute 'code' is required" },
		{ "29-attribute-value-not-allowed.xml", ":34: schema: element <criterion>: attribute 'assessed' must be one of self, survey, not 'both'" },
		{ "30-schema-and-meaning.xml", ":14: criterion 1.1: sub-criteria add up to 4, not its max 3" },
		{ "30-schema-and-meaning.xml", ":43: schema: element <survey>: attribute 'aggregation' must be one of group-mean, pooled, not 'median'" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char rel[256];
		struct diag diag = { 0 };
		struct def d;
		int found = 0;

		snprintf(rel, sizeof(rel), "definitions/bad/%s", cases[i].file);
		CHECK(def_load_file(&d, unit_data(rel), &diag) == -1, "%s is refused", cases[i].file);
		for (size_t k = 0; k < diag.n; k++) {
			const char *at = strstr(diag.lines[k], cases[i].file);
			found |= at && strstr(at, cases[i].message) == at + strlen(cases[i].file);
		}
		CHECK(found, "%s: no message '%s%s' among %zu: %s", cases[i].file, cases[i].file,
		      cases[i].message, diag.n, diag.n ? diag.lines[0] : "");
		diag_release(&diag);
	}
}

static void mini(void)
{
	struct diag diag = { 0 };
	struct def d;

	CHECK(def_load_file(&d, unit_data("definitions/mini.xml"), &diag) == 0, "mini loads");
	diag_release(&diag);
	if (!d.id)
		return;
	CHECK(d.nsubcriteria == 2 && d.criteria[0].nsub == 2, "1.1 has 2 sub-criteria");
	size_t qa = def_find_question(&d, "qa"), qb = def_find_question(&d, "qb");
	CHECK(qa != DEF_NONE && d.questions[qa].groups == 3u, "qa asked of A and B");
	CHECK(qb != DEF_NONE && d.questions[qb].groups == 1u, "qb asked of A only");
	CHECK(def_find_option(&d, &d.questions[qa], "x") &&
		      def_find_option(&d, &d.questions[qa], "x")->excluded,
	      "option x is excluded");
	CHECK(def_find_option(&d, &d.questions[qa], "zz") == NULL, "unknown option");
	/* no <quality> element: the documented defaults, the don't-know check off */
	CHECK(d.quality.line == 0 && d.quality.min_seconds == DEF_QUALITY_MIN_SECONDS &&
		      !*d.quality.window_start && !*d.quality.window_end &&
		      d.quality.burst_forms == DEF_QUALITY_BURST_FORMS &&
		      d.quality.burst_minutes == DEF_QUALITY_BURST_MINUTES &&
		      d.quality.near_duplicate && !d.quality.dont_know &&
		      d.quality.straight_lining == DEF_QUALITY_STRAIGHT_LINING,
	      "quality defaults");
	CHECK(!def_is_dont_know(&d, "x"), "no don't-know code without the element");
	def_release(&d);
}

/* A province's definition: no district, its unit types by ranking group, bonus and penalty,
   reserve forms; a district's without <units> has the default types in one group. */
static void province(void)
{
	struct diag diag = { 0 };
	struct def d;

	CHECK(def_load_file(&d, unit_data("definitions/province.xml"), &diag) == 0,
	      "province loads: %s", diag.n ? diag.lines[0] : "");
	diag_release(&diag);
	if (!d.id)
		return;
	CHECK(!d.district && !d.district_code && !strcmp(def_area(&d), "Thành phố Thử nghiệm"),
	      "the area is the province");
	CHECK(d.declares_rankings && d.nrankings == 2 && d.nunit_types == 4, "2 groups, 4 types");
	CHECK(def_ranking_of(&d, "phường") == 0 && def_ranking_of(&d, "xã") == 1 &&
		      def_ranking_of(&d, "đặc khu") == 1,
	      "types in their groups");
	CHECK(def_ranking_of(&d, "khu thử") == DEF_NONE && def_find_unit_type(&d, "khu thử") != DEF_NONE,
	      "listed, not ranked");
	CHECK(def_find_unit_type(&d, "thị trấn") == DEF_NONE, "not a type of this definition");
	CHECK(d.nadjustments == 2 && d.adjustments[0].kind == DEF_BONUS &&
		      d.adjustments[1].kind == DEF_PENALTY && d.adjustments[1].max == 2,
	      "a bonus and a penalty");
	CHECK(d.has_survey && d.min_forms == 0 && d.groups[0].min_forms == 3 &&
		      d.groups[0].reserve == 3,
	      "3 officials, 3 reserve forms, no total");
	CHECK(d.reserve_question != DEF_NONE && !strcmp(d.questions[d.reserve_question].id, "dp") &&
		      !strcmp(d.reserve_option, "1"),
	      "reserve marked by dp = 1");
	def_release(&d);

	CHECK(def_load_file(&d, unit_data("definitions/mini.xml"), &diag) == 0, "mini loads");
	diag_release(&diag);
	if (!d.id)
		return;
	CHECK(!d.declares_rankings && d.nrankings == 1 &&
		      !strcmp(d.rankings[0].id, DEF_RANKING_DEFAULT) && d.nunit_types == 3 &&
		      def_ranking_of(&d, "xã") == 0 && def_ranking_of(&d, "thị trấn") == 0 &&
		      d.reserve_question == DEF_NONE && !strcmp(def_area(&d), "Huyện Thử nghiệm"),
	      "defaults: three types, one group, the district's area");
	def_release(&d);

	CHECK(def_load_file(&d, unit_data("definitions/self-only.xml"), &diag) == 0,
	      "self-only loads");
	diag_release(&diag);
	CHECK(d.id && !d.has_survey && !d.ngroups && !d.nquestions, "no survey");
	def_release(&d);
}

/* A year in the titles other than the year attribute: loaded, with a warning. */
static void title_year(void)
{
	struct diag diag = { 0 };
	struct def d;

	CHECK(def_load_file(&d, unit_data("definitions/title-year.xml"), &diag) == 0,
	      "title-year.xml loads");
	CHECK(diag.n == 0, "no error, got %zu", diag.n);
	diag_release(&diag);
	CHECK(d.warnings.n == 1 && strstr(d.warnings.lines[0], "title-year.xml:8: warning: the title says 2023, the year attribute is 2024"),
	      "one warning naming both years, got %zu: %s", d.warnings.n,
	      d.warnings.n ? d.warnings.lines[0] : "");
	def_release(&d);
	CHECK(def_load_file(&d, unit_data("definitions/mini.xml"), &diag) == 0 && d.warnings.n == 0,
	      "mini.xml has no warning");
	diag_release(&diag);
	def_release(&d);
}

/* A definition against a register: one row per case, the districts of the register's
   communes in order, and the message expected ("" when the register is accepted). */
static void district(void)
{
	static const struct {
		const char *code; /* the definition's district code, NULL for none */
		const char *communes; /* district codes of the register, one letter each */
		const char *message;
	} cases[] = {
		{ "a", "a", "" },
		{ "a", "bab", "" },
		{ "a", "", "" },
		{ NULL, "b", "" },
		{ "a", "b", "the definition mini.xml is for district District a (a), the register lists communes of District b (b)" },
		{ "a", "bbcb", "the definition mini.xml is for district District a (a), the register lists communes of District b (b), District c (c)" },
		{ "a", "bcdef", "the definition mini.xml is for district District a (a), the register lists communes of District b (b), District c (c), District d (d) and 2 other districts" },
		{ "a", "bcde", "the definition mini.xml is for district District a (a), the register lists communes of District b (b), District c (c), District d (d) and 1 other district" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct def d = { 0 };
		struct commune v[8];
		struct commune_list l = { .v = v, .n = strlen(cases[i].communes) };
		char codes[8][2], names[8][16], dname[16];
		struct perr err = { 0 };
		int rc;

		for (size_t k = 0; k < l.n; k++) {
			snprintf(codes[k], sizeof(codes[k]), "%c", cases[i].communes[k]);
			snprintf(names[k], sizeof(names[k]), "District %c", cases[i].communes[k]);
			v[k] = (struct commune){ .district_code = codes[k], .district = names[k] };
		}
		snprintf(dname, sizeof(dname), "District %s", cases[i].code ? cases[i].code : "");
		d.district_code = (char *)cases[i].code;
		d.district = dname;
		rc = store_check_district(&d, "mini.xml", &l, "", "where.csv", &err);
		if (!*cases[i].message) {
			CHECK(rc == 0, "case %zu accepted, got: %s", i, err.msg);
			continue;
		}
		CHECK(rc == -1 && err.code == PERR_DATA, "case %zu refused as data", i);
		CHECK_STR(err.msg, cases[i].message, "district message");
		CHECK_STR(err.where, "where.csv", "district message place");
	}
}

void test_def(void)
{
	district();
	default_totals();
	broken();
	mini();
	province();
	title_year();
}
