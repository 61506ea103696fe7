#!/bin/sh
# gen-nation.sh: a national-scale database for measuring (make bench-report) and for tests:
# the commune-level units of Vietnam's 34 provinces after 1 July 2025, 3,321 in all (38 in
# Lai Châu to 168 in Hồ Chí Minh City), as many xã, phường and đặc khu in each province as the
# statistics office's 2025 conversion table lists (see demo/hai-phong/README.md); names and
# codes are synthetic ("Xã số 12", code = province code and a 3-digit number, e.g. 31012).
# Then the forms, PER (65) questionnaires per unit in each group's proportion (gen-batch
# --realistic --db: capture's own path, no zip) and a full scores sheet (survey.py scores
# --all), imported. Deterministic for a given seed.
#
#   tests/gen/gen-nation.sh --db FILE [--definition FILE] [--rankings province|type]
#                           [--seed N] [--per-commune N] [--provinces CODE,...] [--keep DIR]
#
# --definition: default demo/hai-phong/hai-phong-2025.xml; init accepts the register when the
# definition's province is one of its provinces. --rankings province (the default): one
# ranking per province, as each province ranks its own units: the definition is copied with
# its <units> replaced by one ranking per province (named after it) and the unit types
# "xã 01", "phường 01", "đặc khu 01", ... (type and province code), which the register uses;
# --rankings type: the definition and types as they are (xã, phường, đặc khu: the demo's two
# rankings, wards apart). --provinces: only these provinces (codes of the table below; 12,31:
# Lai Châu and Hải Phòng). --keep DIR: leave the register (communes.csv), the definition used
# (definition.xml), the forms and the scores sheet there. PARINDEX and GEN_BATCH name the
# binaries (./parindex, build/gen-batch). Prints what it made and how long it took.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
px="${PARINDEX:-$top/parindex}"
gen="${GEN_BATCH:-$top/build/gen-batch}"
db="" def="$top/demo/hai-phong/hai-phong-2025.xml" seed=1 per=65 only="" keep="" rank=province
usage() {
	echo "usage: gen-nation.sh --db FILE [--definition FILE] [--rankings province|type]" \
		"[--seed N] [--per-commune N] [--provinces CODE,...] [--keep DIR]" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage
	case "$1" in
	--db) db=$2 ;;
	--definition) def=$2 ;;
	--rankings) rank=$2 ;;
	--seed) seed=$2 ;;
	--per-commune) per=$2 ;;
	--provinces) only=$2 ;;
	--keep) keep=$2 ;;
	*) usage ;;
	esac
	shift 2
done
[ -n "$db" ] || usage
case "$rank" in province | type) ;; *) usage ;; esac
if [ -e "$db" ]; then
	echo "gen-nation.sh: $db: exists; give a new file" >&2
	exit 2
fi
if [ -n "$keep" ]; then
	dir=$keep
	mkdir -p "$dir"
else
	dir=$(mktemp -d "${TMPDIR:-/tmp}/gen-nation.XXXXXX")
	trap 'rm -rf "$dir"' EXIT
fi
t0=$(date +%s.%N)

# code|province|xã|phường|đặc khu, from the statistics office's conversion table (July 2025)
# (--rankings province: also the <units> block of the definition, into units.xml)
awk -F'|' -v only=",$only," -v rank="$rank" -v units="$dir/units.xml" '
BEGIN { print "code,name,type,province" }
/^#/ || NF != 5 { next }
only != ",," && index(only, "," $1 ",") == 0 { next }
{
	n = 0
	split("xã|phường|đặc khu", type, "|")
	split("Xã|Phường|Đặc khu", word, "|")
	suffix = rank == "province" ? " " $1 : ""
	if (rank == "province")
		rankings = rankings "    <ranking id=\"p" $1 "\"><name lang=\"vi\">" $2 "</name><name lang=\"en\">" $2 "</name></ranking>\n"
	for (t = 1; t <= 3; t++) {
		if ($(t + 2) > 0 && rank == "province")
			types = types "    <type ranking=\"p" $1 "\">" type[t] suffix "</type>\n"
		for (k = 1; k <= $(t + 2); k++)
			printf "%s%03d,%s số %d,%s%s,%s\n", $1, ++n, word[t], k, type[t], suffix, $2
	}
}
END { printf "  <units>\n%s%s  </units>\n", rankings, types >units }' >"$dir/communes.csv" <<'EOF'
01|Hà Nội|75|51|0
04|Cao Bằng|53|3|0
08|Tuyên Quang|117|7|0
11|Điện Biên|42|3|0
12|Lai Châu|36|2|0
14|Sơn La|67|8|0
15|Lào Cai|89|10|0
19|Thái Nguyên|77|15|0
20|Lạng Sơn|61|4|0
22|Quảng Ninh|22|30|2
24|Bắc Ninh|66|33|0
25|Phú Thọ|133|15|0
31|Hải Phòng|67|45|2
33|Hưng Yên|93|11|0
37|Ninh Bình|97|32|0
38|Thanh Hóa|147|19|0
40|Nghệ An|119|11|0
42|Hà Tĩnh|60|9|0
44|Quảng Trị|69|8|1
46|Huế|19|21|0
48|Đà Nẵng|70|23|1
51|Quảng Ngãi|86|9|1
52|Gia Lai|110|25|0
56|Khánh Hòa|48|16|1
66|Đắk Lắk|88|14|0
68|Lâm Đồng|103|20|1
75|Đồng Nai|72|23|0
79|Hồ Chí Minh|54|113|1
80|Tây Ninh|82|14|0
82|Đồng Tháp|82|20|0
86|Vĩnh Long|105|19|0
91|An Giang|85|14|3
92|Cần Thơ|72|31|0
96|Cà Mau|55|9|0
EOF
units=$(($(wc -l <"$dir/communes.csv") - 1))
if [ "$units" -eq 0 ]; then
	echo "gen-nation.sh: --provinces $only: no province of the table" >&2
	exit 2
fi
if [ "$rank" = province ]; then
	# the definition with its <units> block (if any) replaced by the provinces' one
	awk -v units="$dir/units.xml" '
	/<units>/ { skip = 1 }
	!done && !skip && /<field / { while ((getline l <units) > 0) print l; print ""; done = 1 }
	!skip { print }
	/<\/units>/ { skip = 0 }' "$def" >"$dir/definition.xml"
	def="$dir/definition.xml"
else
	cp "$def" "$dir/definition.xml"
fi
"$px" init --db "$db" --definition "$def" --communes "$dir/communes.csv" >/dev/null
"$px" forms --db "$db" --out "$dir/forms" >/dev/null
"$gen" --definition "$def" --communes "$dir/communes.csv" --per-commune "$per" --seed "$seed" \
	--realistic --db "$db" >/dev/null
/usr/bin/python3 "$top/tests/data/tally/survey.py" scores "$db" "$seed" "$dir/scores.csv" --all
"$px" scores import --db "$db" "$dir/scores.csv" >/dev/null
t1=$(date +%s.%N)
provinces=$(tail -n +2 "$dir/communes.csv" | awk -F, '{ print $4 }' | sort -u | wc -l)
echo "gen-nation: $db: $units units in $provinces provinces (rankings by $rank), $(sqlite3 "$db" \
	'SELECT count(*) FROM current_submission') forms, scores for $(sqlite3 "$db" \
	'SELECT count(DISTINCT commune_code) FROM score') units, in $(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }") s"
