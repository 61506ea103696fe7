/* The commune register: the shipped samples load, and each bad row is named with its line. */
#include "unit.h"

#include "commune.h"

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

void test_commune(void)
{
	samples();
	bad_rows();
	nfc();
}
