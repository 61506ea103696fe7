/* The reports stage's pure helpers: gnuplot quoting, file names from ids, the colours shared
   by charts and pages, half-up display rounding, the tables laid out from a hand-built
   report; and core/spawn, which runs gnuplot. */
#include "unit.h"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../reports/reports.h"
#include "../../tally/tally.h"
#include "spawn.h"

static void gp_quote(void)
{
	static const struct {
		const char *in, *want, *what;
	} rows[] = {
		{ "Cẩm Giàng", "'Cẩm Giàng'", "Vietnamese passes as UTF-8" },
		{ "a \"b\"", "'a \"b\"'", "double quotes as they are" },
		{ "it's", "'it''s'", "single quote doubled" },
		{ "c:\\x\\n", "'c:\\x\\n'", "backslash not read in single quotes" },
		{ "Lai Cách`touch PWNED`", "'Lai Cách`touch PWNED`'",
		  "backquotes inside single quotes: not a command" },
		{ "@x '`id`'", "'@x ''`id`'''", "macro and a quote around backquotes" },
		{ "a\nb\tc\x1b", "'a bc'", "line break a space, control characters dropped" },
		{ "", "''", "empty" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct strbuf sb = STRBUF_INIT;

		report_gp_quote(&sb, rows[i].in);
		CHECK_STR(strbuf_str(&sb), rows[i].want, rows[i].what);
		strbuf_release(&sb);
	}
}

/* UTC as the database writes it, shown in Vietnam's time in the form of official documents */
static void date_vi(void)
{
	static const struct {
		const char *in, *want, *what;
	} rows[] = {
		{ "2026-11-30T07:05:00Z", "ngày 30 tháng 11 năm 2026, 14:05", "UTC+7, no leading zeros" },
		{ "2026-11-30T17:05:00Z", "ngày 01 tháng 12 năm 2026, 00:05", "past midnight: next day" },
		{ "2025-12-31T18:30:59Z", "ngày 01 tháng 01 năm 2026, 01:30", "next year, January" },
		{ "2024-02-28T17:00:00Z", "ngày 29 tháng 02 năm 2024, 00:00", "leap day, February" },
		{ "2026-03-09T00:00:00Z", "ngày 09 tháng 3 năm 2026, 07:00", "day under 10, March" },
		{ "2026-03-09", "2026-03-09", "not a time: as it is" },
		{ "2026-13-01T00:00:00Z", "2026-13-01T00:00:00Z", "month 13: as it is" },
		{ "2026-01-01T00:00:00Zx", "2026-01-01T00:00:00Zx", "trailing text: as it is" },
		{ "", "", "empty" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char buf[64];

		CHECK_STR(report_date_vi(rows[i].in, buf), rows[i].want, rows[i].what);
	}
}

static void safe_name(void)
{
	static const struct {
		const char *prefix, *id, *want;
	} rows[] = {
		{ "fields-", "10888", "fields-10888" },
		{ "answers-", "q1.2_a-b", "answers-q1.2_a-b" },
		{ "answers-", "../etc/x", "answers-..~2fetc~2fx" },
		{ "", "ấp 1", "~e1~ba~a5p~201" }, /* each byte of the UTF-8 "ấ" as ~XX */
		{ "answers-", "qé", "answers-q~c3~a9" }, /* not the same as ... */
		{ "answers-", "qè", "answers-q~c3~a8" }, /* ... this one */
		{ "answers-", "q~c3~a9", "answers-q~7ec3~7ea9" }, /* '~' itself encoded */
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *got = report_safe_name(rows[i].prefix, rows[i].id);

		CHECK_STR(got, rows[i].want, rows[i].id);
		free(got);
	}
	/* an id too long for a file name: its start and 64 bits of its sha256, within NAME_MAX */
	{
		char id[301], *a, *b;

		memset(id, 'x', 300);
		id[300] = '\0';
		a = report_safe_name("answers-", id);
		id[299] = 'y';
		b = report_safe_name("answers-", id);
		CHECK(strlen(a) + strlen(".png") <= 255, "long id: %zu bytes", strlen(a));
		CHECK(strcmp(a, b) != 0, "long ids differing at the end: %s", a);
		CHECK(!strncmp(a, "answers-xxxx", 12) && strstr(a, "~~"), "long id: %s", a);
		free(a);
		free(b);
	}
}

static void colours(void)
{
	static const struct {
		double weight;
		int has_weight, excluded;
		unsigned want;
	} rows[] = {
		{ 1, 1, 0, 0x1a9850 },    /* best: green */
		{ 0, 1, 0, 0xd73027 },    /* worst: red */
		{ 0.5, 1, 0, 0xfee08b },  /* middle: yellow */
		{ 0.25, 1, 0, 0xeb8859 }, /* halfway red to yellow: (215+254)/2 = 234.5 -> 235, (48+224)/2 = 136, (39+139)/2 = 89 */
		{ 0, 0, 1, 0xbdbdbd },    /* excluded ("không biết"): grey */
		{ 0, 0, 0, 0xbdbdbd },    /* unweighted: grey */
	};
	struct def_tier tiers[3] = { { .id = "a" }, { .id = "b" }, { .id = "z", .is_otherwise = 1 } };
	struct def d = { .tiers = tiers, .ntiers = 3 };

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct def_option o = { .weight = rows[i].weight, .has_weight = rows[i].has_weight,
					.excluded = rows[i].excluded };
		unsigned got = report_option_color(&o);

		CHECK(got == rows[i].want, "option colour %zu: got %06x, want %06x", i, got,
		      rows[i].want);
	}
	CHECK(report_tier_color(&d, 0) == 0x1a9850, "first tier green");
	CHECK(report_tier_color(&d, 2) == 0xd73027, "otherwise tier red");
	CHECK(report_tier_color(&d, DEF_NONE) == 0xb0b0b0, "not classified grey, not red");
	CHECK_STR(report_tier_label(&d, DEF_NONE), "Chưa xếp loại", "not classified said");
	CHECK(report_group_color(0) == report_group_color(9), "group colours cycle");
	CHECK(report_group_color(0) != report_group_color(1), "neighbouring groups differ");
}

static void fixed(void)
{
	static const struct {
		double x;
		int d;
		const char *want;
	} rows[] = {
		{ 2.875, 2, "2.88" },   /* half-up, not to even */
		{ 2.1625, 2, "2.16" },
		{ 74.375, 2, "74.38" },
		{ 89.995, 2, "90.00" }, /* 89.99499999... in binary: published as the tally does */
		{ 0.8333333333, 4, "0.8333" },
		{ 100, 2, "100.00" },
	};
	char buf[48];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		CHECK_STR(report_fixed(rows[i].x, rows[i].d, buf), rows[i].want, rows[i].want);
	CHECK_STR(report_fixed(NAN, 2, buf), "", "NAN shows as empty");

	/* report_fixed's own digits (no printf) against tally_round's text, which the tally
	   publishes: values around every half of the last place, either sign, 0 to 6 places,
	   the six digits after them 499999 and 500000 (tally_round decides those), large ones */
	{
		char want[48];
		size_t bad = 0, n = 0;
		uint64_t seed = 42;

		for (int d = 0; d <= 6; d++) {
			for (long i = -3000; i <= 3000; i++) {
				double base = (double)i / pow(10, d) * 3.7;
				double xs[] = { base, base + 0.5 / pow(10, d), base - 0.5 / pow(10, d),
						nextafter(base + 0.5 / pow(10, d), 1e300),
						nextafter(base + 0.5 / pow(10, d), -1e300),
						base + 0.4999995 / pow(10, d), base + 0.5000005 / pow(10, d) };

				for (size_t k = 0; k < sizeof(xs) / sizeof(xs[0]); k++) {
					tally_round(xs[k], d, want, sizeof(want));
					bad += strcmp(report_fixed(xs[k], d, buf), want) != 0;
					n++;
				}
			}
		}
		for (int k = 0; k < 50000; k++) {
			double x;

			seed = seed * 6364136223846793005u + 1442695040888963407u;
			x = (double)(seed >> 11) / 9007199254740992.0 * pow(10, (int)(seed % 12)) *
			    (seed & 1 ? -1 : 1);
			tally_round(x, (int)(k % 5), want, sizeof(want));
			bad += strcmp(report_fixed(x, (int)(k % 5), buf), want) != 0;
			n++;
		}
		CHECK(bad == 0, "report_fixed differs from tally_round in %zu of %zu values", bad, n);
		CHECK_STR(report_fixed(-0.004, 2, buf), "0.00", "-0.004 shows as 0.00");
		CHECK_STR(report_fixed(-0.005, 2, buf), "-0.01", "-0.005 shows as -0.01");
		CHECK_STR(report_fixed(0.0001, 0, buf), "0", "no decimals");
		tally_round(1e300, 2, want, sizeof(want));
		CHECK_STR(report_fixed(1e300, 2, buf), want, "1e300 as tally_round");
	}
}

/* Two communes of the mini definition, set by hand: the ranking and quota tables. */
static void tables(void)
{
	struct report r = { 0 };
	struct diag diag = { 0 };
	struct report_table t[REPORT_NTABLES];
	struct report_commune communes[2] = {
		{ .code = "1", .name = "Một", .type = "xã", .forms = 5, .points = 9.0625, .max = 10,
		  .index_published = "90.63", .tier = 0, .rank = 1, .flags = "" },
		{ .code = "2", .name = "Hai", .type = "xã", .forms = 3, .points = 2.875, .max = 10,
		  .index_published = "28.75", .tier = DEF_NONE, .rank = 0,
		  .flags = "under-quota no-scores odd-flag" },
	};
	struct report_field fields[4] = {
		{ 1, 1, 5.5625, 6, 92.7, "92.71" }, { 1, 1, 3.5, 4, 87.5, "87.50" },
		{ 1, 1, 1.375, 6, 22.9, "22.92" }, { 1, 0, 0, 0, NAN, NULL },
	};
	struct report_group groups[4] = { { 3, 2 }, { 2, 2 }, { 1, 2 }, { 2, 2 } };
	const struct report_table *rk = &t[0], *qt = &t[5];

	if (def_load_file(&r.def, unit_data("definitions/mini.xml"), &diag) < 0) {
		CHECK(0, "mini.xml loads");
		diag_release(&diag);
		return;
	}
	r.ncommunes = 2;
	r.communes = communes;
	r.fields = fields;
	r.groups = groups;
	r.criteria = calloc(2 * r.def.ncriteria, sizeof(*r.criteria));
	r.subcriteria = calloc(2 * r.def.nsubcriteria, sizeof(*r.subcriteria));
	r.questions = calloc(2 * r.def.nquestions, sizeof(*r.questions));
	r.counts = calloc(2 * r.def.ngroups * r.def.nquestions, sizeof(*r.counts));
	r.field_mean = (double[]){ 57.8, 87.5 };
	r.criterion_mean = calloc(r.def.ncriteria, sizeof(double));
	report_tables(&r, t);

	CHECK(rk->ncols == 12, "ranking: 8 columns, 2 fields, forms, note: got %zu", rk->ncols);
	CHECK_STR(rk->header[8], "Lĩnh vực 1. Lĩnh vực một (%)", "field column header: its name");
	CHECK_STR(rk->cells[0 * 12 + 5].text, "90.63", "index as published");
	CHECK_NUM(rk->cells[0 * 12 + 5].num, 90.63, "index cell holds the published number");
	CHECK_STR(rk->cells[0 * 12 + 3].text, "9.06", "points shown at 2 decimals");
	CHECK_NUM(rk->cells[0 * 12 + 3].num, 9.06, "points rounded as shown, like the index");
	CHECK_STR(rk->cells[0 * 12 + 7].text, "Hoàn thành xuất sắc nhiệm vụ", "class label");
	CHECK(rk->cells[1 * 12 + 6].kind == REPORT_EMPTY, "unranked: rank cell empty");
	CHECK_STR(rk->cells[1 * 12 + 7].text, "Chưa xếp loại", "not classified: said so");
	CHECK(rk->cells[1 * 12 + 9].kind == REPORT_EMPTY, "field without max: empty");
	CHECK_STR(rk->cells[1 * 12 + 11].text,
		  "thiếu phiếu khảo sát; chưa có điểm tự đánh giá; odd-flag", "flags in Vietnamese");
	CHECK(qt->nrows == 6, "quotas: 2 groups + total per commune: got %zu", qt->nrows);
	CHECK_STR(qt->cells[5 * 7 + 2].text, "Tổng", "total row");
	CHECK_STR(qt->cells[2 * 7 + 6].text, "đạt", "commune 1: 5 of 4, met");
	CHECK_STR(qt->cells[3 * 7 + 6].text, "thiếu 1 phiếu", "group A of commune 2: 1 of 2");
	CHECK_STR(qt->cells[5 * 7 + 6].text, "thiếu 1 phiếu", "commune 2: 3 of 4");
	CHECK(t[6].nrows == 0, "no exclusions: no row: got %zu", t[6].nrows);
	CHECK(report_ntables(&r) == 6, "no exclusions: six tables written");
	report_tables_release(t);

	/* resampled: 7 interval columns after the class, empty for a unit without one; the
	   office's exclusions with their total */
	r.resamples = 200;
	communes[0].has_interval = 1;
	communes[0].index_low = 80.004999;
	communes[0].index_high = 95.125;
	communes[0].rank_low = 1;
	communes[0].rank_high = 2;
	communes[0].survey_points = 3.5;
	communes[0].survey_low = 2.25;
	communes[0].survey_high = 4;
	r.excluded = 3;
	r.exclusions = (struct quality_reason[]){ { "sai đối tượng", 2 }, { "trùng", 1 } };
	r.nexclusions = 2;
	report_tables(&r, t);
	CHECK(rk->ncols == 19, "ranking with intervals: 19 columns: got %zu", rk->ncols);
	CHECK_STR(rk->header[8], "Chỉ số, khoảng tin cậy 95 %: từ (%)", "interval after the class");
	CHECK_STR(rk->header[15], "Lĩnh vực 1. Lĩnh vực một (%)", "the fields after the intervals");
	CHECK_STR(rk->cells[8].text, "80.00", "index low at the published decimals");
	CHECK_STR(rk->cells[9].text, "95.13", "index high rounded half-up");
	CHECK_STR(rk->cells[10].text, "1", "rank from");
	CHECK_STR(rk->cells[11].text, "2", "rank to");
	CHECK_STR(rk->cells[12].text, "3.50", "survey points");
	CHECK_STR(rk->cells[13].text, "2.25", "survey low");
	CHECK_STR(rk->cells[14].text, "4.00", "survey high");
	CHECK(rk->cells[19 + 8].kind == REPORT_EMPTY && rk->cells[19 + 10].kind == REPORT_EMPTY,
	      "no interval: empty cells");
	CHECK(t[6].nrows == 3, "exclusions: 2 reasons and the total: got %zu", t[6].nrows);
	CHECK_STR(t[6].cells[2 * 2].text, "Tổng", "the total row");
	CHECK_STR(t[6].cells[2 * 2 + 1].text, "3", "all the excluded forms");
	CHECK(report_ntables(&r) == 7, "exclusions: seven tables written");
	report_tables_release(t);
	free(r.criteria);
	free(r.subcriteria);
	free(r.questions);
	free(r.counts);
	free(r.criterion_mean);
	def_release(&r.def);
}

/* core/spawn: a program's exit status, its log, its folder, a missing program. */
static void spawn(void)
{
	char dir[] = "/tmp/parindex-unit-spawn.XXXXXX", log[300], path[300];
	struct perr err = { 0 };
	struct strbuf sb = STRBUF_INIT;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return;
	}
	snprintf(log, sizeof(log), "%s/out.log", dir);
	CHECK(spawn_run((const char *[]){ "true", NULL }, NULL, NULL, &err) == SPAWN_OK, "true");
	CHECK(spawn_run((const char *[]){ "sh", "-c", "echo 'first line'; echo two; exit 4", NULL },
			NULL, log, &err) == SPAWN_FAILED,
	      "exit 4 fails");
	CHECK_STR(err.msg, "exited with status 4: first line", "status and first line of the log");
	CHECK_STR(err.where, "sh", "the program named");
	CHECK(err.code == PERR_SYSTEM, "a system error");
	/* the child runs in dir; the log path stays relative to the caller's folder */
	CHECK(spawn_run((const char *[]){ "sh", "-c", "pwd; echo $1 > arg.txt", "sh", "a b; c", NULL },
			dir, log, &err) == SPAWN_OK,
	      "run in a folder");
	snprintf(path, sizeof(path), "%s/arg.txt", dir);
	CHECK(strbuf_read_file(&sb, path, 1000) == 0, "file written in the folder");
	CHECK_STR(strbuf_str(&sb), "a b; c\n", "an argument passes whole, no shell splits it");
	strbuf_reset(&sb);
	CHECK(strbuf_read_file(&sb, log, 1000) == 0, "log written");
	CHECK(!strncmp(strbuf_str(&sb), dir, strlen(dir)), "pwd was dir: %s", strbuf_str(&sb));
	perr_clear(&err);
	CHECK(spawn_run((const char *[]){ "parindex-no-such-program", NULL }, NULL, NULL, &err) ==
		      SPAWN_NOT_FOUND,
	      "missing program");
	CHECK_STR(err.msg, "not found on PATH", "missing program message");
	/* spawn_run_env: the child has the environment given and nothing of the caller's, and
	   the program is still found on the caller's PATH */
	setenv("PARINDEX_UNIT_SPAWN", "caller", 1);
	CHECK(spawn_run_env((const char *[]){ "sh", "-c", "echo \"$PARINDEX_X|$PARINDEX_UNIT_SPAWN\"", NULL },
			    (char *[]){ "PARINDEX_X=given", NULL }, NULL, log, &err) == SPAWN_OK,
	      "run with an environment");
	unsetenv("PARINDEX_UNIT_SPAWN");
	strbuf_reset(&sb);
	CHECK(strbuf_read_file(&sb, log, 1000) == 0, "log written");
	CHECK_STR(strbuf_str(&sb), "given|\n", "the environment given, only it");
	unlink(path);
	unlink(log);
	rmdir(dir);
	strbuf_release(&sb);
}

void test_report(void)
{
	gp_quote();
	date_vi();
	safe_name();
	colours();
	fixed();
	tables();
	spawn();
}
