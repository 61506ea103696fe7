#!/bin/sh
# make bench-report (issue 13): the report at a province's and at the country's scale.
# The databases come from tests/gen/gen-nation.sh (prov-demo's generator: 65 questionnaires
# and a full scores sheet per unit, one ranking per province): Hồ Chí Minh City's 168 units
# (province 79), then all 34 provinces' 3,321 units in one database. For each: 'parindex tally
# --resamples 0' and then 'parindex report' (every format: charts PNG and SVG, HTML, XLSX,
# CSV), each timed with /usr/bin/time (elapsed, CPU, peak RSS), against the goals: province
# tally + report <= 4 s; national tally <= 3 s, report <= 60 s, peak RSS <= 512 MB.
# BENCH_REPORT_NATIONAL=0 skips the national run (its generation takes a minute or more).
# Uses the plain (-O2) build. No assertion: the numbers are for the report; the machine's load
# average is printed with them, since other work on its cores lengthens the elapsed times.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
PARINDEX=${PARINDEX:-$top/parindex}
export PARINDEX GEN_BATCH="${GEN_BATCH:-$top/build/gen-batch}"
dir=$(mktemp -d "${TMPDIR:-/tmp}/parindex-bench-report.XXXXXX")
trap 'rm -rf "$dir"' EXIT

# timed LABEL CMD...: elapsed, CPU and peak RSS of one command; its output in $dir/out
timed() {
	label=$1
	shift
	/usr/bin/time -o "$dir/time" -f "%e %U %S %M" "$@" >"$dir/out" 2>"$dir/err" || {
		echo "bench-report: $label failed:" >&2
		cat "$dir/err" >&2
		exit 1
	}
	set -- $(tail -n 1 "$dir/time")
	elapsed=$1
	echo "bench-report: $label: $1 s elapsed, $(awk "BEGIN { printf \"%.2f\", $2 + $3 }") s CPU, peak RSS $(($4 / 1024)) MB"
}

run() { # run NAME DB GOAL-TEXT
	timed "$1: parindex tally --resamples 0" "$PARINDEX" tally --db "$2" --resamples 0
	t=$elapsed
	timed "$1: parindex report (png, svg, html, xlsx, csv)" "$PARINDEX" report --db "$2" --out "$dir/$1-report"
	grep '^charts:' "$dir/out" | sed "s/^/bench-report: $1: /"
	echo "bench-report: $1: tally + report $(awk "BEGIN { printf \"%.2f\", $t + $elapsed }") s elapsed ($3); load average $(cut -d' ' -f1-3 /proc/loadavg)"
	rm -rf "$dir/$1-report"
}

t0=$(date +%s)
# the demo province's definition, for Hồ Chí Minh City (init wants the definition's province)
sed -E 's|(<province[^>]*>)[^<]*</province>|\1Hồ Chí Minh</province>|' \
	"$top/demo/hai-phong/hai-phong-2025.xml" >"$dir/hcm.xml"
sh "$top/tests/gen/gen-nation.sh" --db "$dir/province.db" --provinces 79 --definition "$dir/hcm.xml" >/dev/null
echo "bench-report: province: $(sqlite3 "$dir/province.db" 'SELECT count(*) FROM commune') units, $(sqlite3 "$dir/province.db" 'SELECT count(*) FROM current_submission') submissions (generated in $(($(date +%s) - t0)) s)"
run province "$dir/province.db" "goal 4 s"
rm -f "$dir/province.db"*

[ "${BENCH_REPORT_NATIONAL:-1}" = 0 ] && exit 0
t0=$(date +%s)
sh "$top/tests/gen/gen-nation.sh" --db "$dir/national.db" >/dev/null
echo "bench-report: national: $(sqlite3 "$dir/national.db" 'SELECT count(*) FROM commune') units, $(sqlite3 "$dir/national.db" 'SELECT count(*) FROM current_submission') submissions (generated in $(($(date +%s) - t0)) s)"
run national "$dir/national.db" "goals: tally 3 s, report 60 s, peak RSS 512 MB"
