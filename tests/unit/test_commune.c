/* The commune register: the shipped samples load, and each bad row is named with its line. */
#include "unit.h"

#include "commune.h"
#include "merge.h"
#include "csvin.h"
#include "strbuf.h"
#include "text.h"

#include <stdlib.h>

static void samples(void)
{
	static const struct {
		const char *file;
		size_t n;
		const char *first_code, *first_name;
	} cases[] = {
		{ "communes/cam-giang.csv", 17, "10888", "C\xe1\xba\xa9m Giang" },
		{ "communes/nam-sach.csv", 19, "10606", "Nam S\xc3\xa1" "ch" },
		{ "communes/gia-loc.csv", 18, "10999", "Gia L\xe1\xbb\x99" "c" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct commune_list l;
		struct diag diag = { 0 };

		CHECK(commune_load_file(&l, unit_data(cases[i].file), &diag) == 0, "%s loads: %s",
		      cases[i].file, diag.n ? diag.lines[0] : "");
		CHECK(l.n == cases[i].n, "%s: %zu communes, want %zu", cases[i].file, l.n, cases[i].n);
		if (l.n) {
			CHECK_STR(l.v[0].code, cases[i].first_code, "first code");
			CHECK_STR(l.v[0].name, cases[i].first_name, "first name");
		}
		commune_list_release(&l);
		diag_release(&diag);
	}
}

static void bad_rows(void)
{
	static const struct {
		const char *csv, *message;
	} cases[] = {
		{ "code,name,type,district_code,district\n1,A,xã,9,D\n1,B,xã,9,D\n",
		  "r.csv:3: duplicate commune code '1' (first on line 2)" },
		{ "code,name,type,district_code,district\n1,,xã,9,D\n", "r.csv:2: commune 1 has no name" },
		{ "code,name,type,district_code,district\n1,A,xã,9\n", "r.csv:2: 4 columns, the header has 5" },
		{ "code,name,type,district_code,district\n1,A,huyện,9,D\n",
		  "r.csv:2: commune 1: type 'huyện' is not one of xã, phường, thị trấn" },
		{ "code,name,type,district\n1,A,xã,D\n",
		  "r.csv:1: header has no column 'district_code' (expected code,name,type,district_code,district)" },
		{ "code,name,type,district_code,district\n1 2,A,xã,9,D\n",
		  "r.csv:2: commune code '1 2' is missing or not a code" },
		{ "code,name,type,district_code,district\n\"1,A,xã,9,D\n", "r.csv:2: malformed CSV" },
		{ "", "r.csv: empty file: no header and no communes" },
		{ "code,name,type,district_code,district\n\n1,A,x\xc3\xa3,9,D\n\r\n1,B,x\xc3\xa3,9,D\n",
		  "r.csv:5: duplicate commune code '1' (first on line 3)" },
		{ "code,name,type,district_code,district\r\n1,\"A\r\nB\",x\xc3\xa3,9\r\n",
		  "r.csv:2: 4 columns, the header has 5" },
		{ "code,name,type,district_code,district\n", "r.csv: no communes, only a header" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct commune_list l;
		struct diag diag = { 0 };

		CHECK(commune_load(&l, cases[i].csv, strlen(cases[i].csv), "r.csv", &diag) == -1,
		      "case %zu refused", i);
		CHECK(diag.n >= 1 && !strncmp(diag.lines[0], cases[i].message, strlen(cases[i].message)),
		      "case %zu: got '%s', want '%s'", i, diag.n ? diag.lines[0] : "", cases[i].message);
		diag_release(&diag);
	}
}

static void nfc(void)
{
	/* "Cẩm" written decomposed (a + combining circumflex + combining hook above) */
	const char *csv = "code,name,type,district_code,district\n1,Ca\xcc\x82\xcc\x89m,x\xc3\xa3,9,D\n";
	struct commune_list l;
	struct diag diag = { 0 };

	CHECK(commune_load(&l, csv, strlen(csv), "n.csv", &diag) == 0, "NFD name loads");
	if (l.n)
		CHECK_STR(l.v[0].name, "C\xe1\xba\xa9m", "name brought to NFC");
	commune_list_release(&l);
	diag_release(&diag);
}

/* The separator is the header's most frequent of , ; tab outside quotes. */
struct fields_seen {
	char sep;
	size_t nrecords, nfields;
	char last[64];
};

static int count_fields(const struct csvin_record *rec, void *p)
{
	struct fields_seen *f = p;

	f->sep = rec->sep;
	f->nrecords++;
	f->nfields = rec->nfields;
	snprintf(f->last, sizeof(f->last), "%s", rec->fields[rec->nfields - 1]);
	return 0;
}

static void separators(void)
{
	static const struct {
		const char *csv;
		char sep;
		size_t nfields;
		const char *last;
	} cases[] = {
		{ "a,b,c\n1,2,3\n", ',', 3, "3" },
		{ "a;b;c\n1;2,5;3\n", ';', 3, "3" },
		{ "a\tb\tc\n1\t2,5\t3\n", '\t', 3, "3" },
		/* the commas inside the quoted name do not count */
		{ "\"x,y,z\";b;c\n1;2;\"3;4\"\n", ';', 3, "3;4" },
		{ "a;b,c;d\n1;2,3;4\n", ';', 3, "4" },
		{ "single\nvalue\n", ',', 1, "value" },
		{ "a;b\r\n1;2\r\n", ';', 2, "2" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fields_seen f = { 0 };
		struct perr err = { 0 };

		CHECK(csvin_read(cases[i].csv, strlen(cases[i].csv), "s.csv", count_fields, &f, &err) == 0,
		      "separator case %zu reads: %s", i, err.msg);
		CHECK(f.sep == cases[i].sep, "separator case %zu: '%c', want '%c'", i, f.sep,
		      cases[i].sep);
		CHECK(f.nrecords == 2 && f.nfields == cases[i].nfields,
		      "separator case %zu: %zu records, %zu fields", i, f.nrecords, f.nfields);
		CHECK_STR(f.last, cases[i].last, "separator case: last field");
	}
}

static void too_wide(void)
{
	size_t n = CSVIN_MAX_FIELDS + 1;
	char *csv = malloc(n + 2);
	struct fields_seen f = { 0 };
	struct perr err = { 0 };

	memset(csv, ',', n);
	memcpy(csv + n, "\n", 2);
	CHECK(csvin_read(csv, n + 1, "w.csv", count_fields, &f, &err) == -1, "wide record refused");
	CHECK_STR(err.where, "w.csv:1", "wide record: where");
	CHECK_STR(err.msg, "more than 16384 fields in one record", "wide record: message");
	CHECK(f.nrecords == 0, "wide record: no record given");
	free(csv);
}

/* Unit types in any case: "Xã", "PHƯỜNG", "Thị Trấn"; kept in lower case. */
static void types_any_case(void)
{
	const char *csv = "code,name,type,district_code,district\n"
			  "1,A,X\xc3\xa3,9,D\n2,B,PH\xc6\xaf\xe1\xbb\x9cNG,9,D\n"
			  "3,C,Th\xe1\xbb\x8b Tr\xe1\xba\xa5n,9,D\n";
	struct commune_list l;
	struct diag diag = { 0 };

	CHECK(commune_load(&l, csv, strlen(csv), "t.csv", &diag) == 0, "types in any case load: %s",
	      diag.n ? diag.lines[0] : "");
	if (l.n == 3) {
		CHECK_STR(l.v[0].type, "x\xc3\xa3", "Xã kept as xã");
		CHECK_STR(l.v[1].type, "ph\xc6\xb0\xe1\xbb\x9dng", "PHƯỜNG kept as phường");
		CHECK_STR(l.v[2].type, "th\xe1\xbb\x8b tr\xe1\xba\xa5n", "Thị Trấn kept as thị trấn");
	}
	commune_list_release(&l);
	diag_release(&diag);
}

/* A province's register: no district columns (both or neither), an optional province
   column; types are the definition's. */
static void province_register(void)
{
	static struct def_unit_type types[] = { { "ph\xc6\xb0\xe1\xbb\x9dng", 0, 0 },
						{ "\xc4\x91\xe1\xba\xb7" "c khu", 0, 0 } };
	static const struct def d = { .unit_types = types, .nunit_types = 2 };
	const char *csv = "code,name,type,province\n1,A,Ph\xc6\xb0\xe1\xbb\x9dng,P\n"
			  "2,B,\xc4\x90\xe1\xba\xb7" "c khu,P\n";
	const char *half = "code,name,type,district\n1,A,x\xc3\xa3,D\n";
	const char *xa = "code,name,type\n1,A,x\xc3\xa3\n";
	struct commune_list l;
	struct diag diag = { 0 };

	CHECK(commune_load_def(&l, csv, strlen(csv), "p.csv", &d, &diag) == 0,
	      "a province's register loads: %s", diag.n ? diag.lines[0] : "");
	if (l.n == 2) {
		CHECK(!*l.v[0].district_code && !*l.v[0].district && !strcmp(l.v[1].province, "P"),
		      "no district, the province kept");
		CHECK_STR(l.v[1].type, "\xc4\x91\xe1\xba\xb7" "c khu", "Đặc khu kept as đặc khu");
	}
	commune_list_release(&l);
	diag_release(&diag);
	CHECK(commune_load(&l, half, strlen(half), "h.csv", &diag) == -1 && diag.n == 1,
	      "district without district_code refused");
	if (diag.n)
		CHECK_STR(diag.lines[0],
			  "h.csv:1: header has no column 'district_code' (expected code,name,type,district_code,district)",
			  "the missing column named");
	diag_release(&diag);
	CHECK(commune_load_def(&l, xa, strlen(xa), "x.csv", &d, &diag) == -1 && diag.n == 1,
	      "a type the definition does not list refused");
	if (diag.n)
		CHECK_STR(diag.lines[0],
			  "x.csv:2: commune 1: type 'x\xc3\xa3' is not one of ph\xc6\xb0\xe1\xbb\x9dng, \xc4\x91\xe1\xba\xb7" "c khu",
			  "the definition's types listed");
	diag_release(&diag);
}

/* At most DIAG_CAP lines of one kind; every problem still counted. */
static void capped(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct commune_list l;
	struct diag diag = { 0 };

	strbuf_adds(&sb, "code,name,type,district_code,district\n");
	for (int i = 0; i < 25; i++)
		strbuf_addf(&sb, "%d,A,huyen,9,D\n", i);
	strbuf_adds(&sb, "x y,A,x\xc3\xa3,9,D\n");
	CHECK(commune_load(&l, sb.buf, sb.len, "c.csv", &diag) == -1, "capped: refused");
	CHECK(diag.n == 26, "capped: %zu problems counted, want 26", diag.n);
	CHECK(diag.nlines == 21, "capped: %zu lines kept, want 21", diag.nlines);
	CHECK(diag.nlines == 21 && !strncmp(diag.lines[20], "c.csv:27: commune code 'x y'", 28),
	      "capped: another kind still shown");
	CHECK(diag.nkinds == 2 && diag.kinds[0].n == 25, "capped: 25 type errors counted");
	strbuf_release(&sb);
	diag_release(&diag);
}

static void cut(void)
{
	static const struct {
		const char *s;
		size_t size;
		const char *want;
	} cases[] = {
		{ "abc", 8, "abc" },
		{ "abcdefg", 8, "abcdefg" },
		{ "abcdefgh", 8, "abcd\xe2\x80\xa6" },
		/* "ệ" is three bytes: never half of it */
		{ "\xe1\xbb\x87\xe1\xbb\x87\xe1\xbb\x87", 8, "\xe1\xbb\x87\xe2\x80\xa6" },
		{ "a\xe1\xbb\x87\xe1\xbb\x87\xe1\xbb\x87", 7, "a\xe2\x80\xa6" },
		{ "ab\xe1\xbb\x87\xe1\xbb\x87\xe1\xbb\x87", 8, "ab\xe2\x80\xa6" },
		{ "a\xe1\xbb\x87\xe1\xbb\x87\xe1\xbb\x87", 8, "a\xe1\xbb\x87\xe2\x80\xa6" },
		{ "abcd\xe1\xbb\x87\xe1\xbb\x87", 9, "abcd\xe2\x80\xa6" },
		{ "abcdef", 4, "\xe2\x80\xa6" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[16];

		CHECK_STR(text_cut(out, cases[i].size, cases[i].s), cases[i].want, "text_cut");
	}
}

/* Which units exist in a year (merge_map_state): one row per case, on a mapping where 20 and
   21 merged into 30 (2025-07-01), 40 took 41 in keeping its own code (2025-07-01), 50 was
   renamed 51 (2026-01-01) and 60 keeps its code in a merger of 2027. */
static void merge_states(void)
{
	static const struct {
		const char *code;
		int year;
		enum merge_state want;
		const char *said;
	} cases[] = {
		{ "20", 2024, MERGE_UNIT, "a unit in 2024" },
		{ "20", 2025, MERGE_GONE, "merged into 30 on 2025-07-01, not a unit in 2025" },
		{ "21", 2030, MERGE_GONE, "merged into 30 on 2025-07-01, not a unit in 2030" },
		{ "30", 2024, MERGE_NOT_YET, "formed on 2025-07-01, not a unit yet in 2024" },
		{ "30", 2025, MERGE_UNIT, "a unit in 2025" },
		{ "40", 2024, MERGE_UNIT, "a unit in 2024" }, /* keeps its code: before and after */
		{ "40", 2025, MERGE_UNIT, "a unit in 2025" },
		{ "41", 2025, MERGE_GONE, "merged into 40 on 2025-07-01, not a unit in 2025" },
		{ "50", 2025, MERGE_UNIT, "a unit in 2025" },
		{ "50", 2026, MERGE_GONE, "merged into 51 on 2026-01-01, not a unit in 2026" },
		{ "51", 2025, MERGE_NOT_YET, "formed on 2026-01-01, not a unit yet in 2025" },
		{ "60", 2026, MERGE_UNIT, "a unit in 2026" },
		{ "99", 1999, MERGE_UNIT, "a unit in 1999" }, /* in no merger */
		/* the register's dates: 70 from 2026-01-01, 71 to 2024-06-30, 72 to 2025-12-31 */
		{ "70", 2025, MERGE_INVALID, "valid from 2026-01-01 (the register), not a unit in 2025" },
		{ "70", 2026, MERGE_UNIT, "a unit in 2026" },
		{ "71", 2024, MERGE_INVALID, "valid to 2024-06-30 (the register), not a unit in 2024" },
		{ "71", 2023, MERGE_UNIT, "a unit in 2023" },
		{ "72", 2025, MERGE_UNIT, "a unit in 2025" },
		{ "72", 2026, MERGE_INVALID, "valid to 2025-12-31 (the register), not a unit in 2026" },
	};
	struct merge_map m;
	struct perr err = { 0 };
	sqlite3 *db = NULL;
	char buf[160];

	CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK &&
		      sqlite3_exec(db,
				   "CREATE TABLE commune_merge (new_code, old_code, effective, line);"
				   "INSERT INTO commune_merge VALUES ('30', '20', '2025-07-01', 2), "
				   "('30', '21', '2025-07-01', 3), ('40', '40', '2025-07-01', 4), "
				   "('40', '41', '2025-07-01', 5), ('51', '50', '2026-01-01', 6), "
				   "('60', '60', '2027-01-01', 7), ('60', '61', '2027-01-01', 8);"
				   "CREATE TABLE commune_validity (code, valid_from, valid_to);"
				   "INSERT INTO commune_validity VALUES ('70', '2026-01-01', NULL), "
				   "('71', NULL, '2024-06-30'), ('72', NULL, '2025-12-31')",
				   NULL, NULL, NULL) == SQLITE_OK,
	      "merges: the mapping");
	CHECK(merge_map_load(db, &m, &err) == 0 && m.n == 7, "merges: loaded");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum merge_state got = merge_map_state(&m, cases[i].code, cases[i].year, NULL);

		CHECK(got == cases[i].want, "merges: %s in %d: state %d, want %d", cases[i].code,
		      cases[i].year, got, cases[i].want);
		CHECK(merge_map_say(&m, cases[i].code, cases[i].year, buf, sizeof(buf)) == got,
		      "merges: the same state said");
		CHECK(!strcmp(buf, cases[i].said), "merges: said '%s', want '%s'", buf,
		      cases[i].said);
	}
	merge_map_release(&m);
	sqlite3_close(db);
}

void test_commune(void)
{
	merge_states();
	samples();
	bad_rows();
	nfc();
	separators();
	too_wide();
	types_any_case();
	province_register();
	capped();
	cut();
}
