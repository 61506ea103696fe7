#!/bin/sh
# The whole pipeline on a bundled demo: definition → database → survey forms → a generated
# upload of filled questionnaires (70 per unit) → capture → survey checks → the appraised
# scores sheet → tally → report.
#   demo/run.sh [district]  Cẩm Giàng district (Hải Dương) as in 2022, into demo/out/
#   demo/run.sh province    Hải Phòng city after 1 July 2025 (114 units, two rankings), into
#                           demo/hai-phong/out/
# Run by `make demo` after the build (DEMO=district, DEMO=province or both, the default).
# PARINDEX and GEN_BATCH name the binaries (default ./parindex and build/gen-batch); for
# tests, DEMO_DATA names another copy of the demo's folder and DEMO_OUT another output folder.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
px="${PARINDEX:-$top/parindex}"
gen="${GEN_BATCH:-$top/build/gen-batch}"
case "${1:-district}" in
district)
	data="${DEMO_DATA:-$top/demo/cam-giang}"
	out="${DEMO_OUT:-$top/demo/out}"
	def="$top/schemas/definitions/hai-duong-2021.xml"
	seed=2022 day=2022-01-05 upload=upload-2022-01-15.zip
	area="Cẩm Giàng's commune register" office="Phòng Nội vụ"
	post="Bưu điện huyện Cẩm Giàng" what="per commune"
	;;
province)
	data="${DEMO_DATA:-$top/demo/hai-phong}"
	out="${DEMO_OUT:-$data/out}"
	def="$data/hai-phong-2025.xml"
	seed=2025 day=2026-01-05 upload=upload-2026-01-15.zip
	area="Hải Phòng's register of xã, phường and đặc khu" office="Sở Nội vụ"
	post="Bưu điện thành phố Hải Phòng" what="per unit"
	;;
*)
	echo "usage: demo/run.sh [district|province]" >&2
	exit 2
	;;
esac
rm -rf "$out"
mkdir -p "$out"
export PARINDEX_DB="$out/parindex.db"

step() { printf '\n== %s\n' "$1"; }

if [ "${1:-district}" = district ]; then
	step "index definition (the built-in reconstruction)"
	"$px" definition check "$def"
	step "database: default definition, $area"
	"$px" init --communes "$data/communes.csv"
else
	step "index definition (Hải Phòng 2025, reconstructed: see demo/hai-phong/README.md)"
	"$px" definition check "$def"
	step "database: the province's definition, $area"
	"$px" init --definition "$def" --communes "$data/communes.csv"
fi
step "survey forms (ODK XForms, printable forms, codebook) into ${out#"$top"/}/forms"
"$px" forms --out "$out/forms"
step "post-office upload: 70 filled questionnaires $what, ODK Collect layout"
"$gen" --definition "$def" --communes "$data/communes.csv" --per-commune 70 --seed "$seed" \
	--start-date "$day" --realistic --out "$out/$upload"
step "capture the upload"
"$px" capture import --source "$post" --operator "$office" \
	--receipt "$out/receipt.csv" "$out/$upload"
"$px" capture list
step "check the survey: suspect forms, per surveyor and phone (into ${out#"$top"/}/quality.csv)"
"$px" quality --format csv >"$out/quality.csv"
"$px" quality | head -n 1
step "appraised self-assessment scores"
"$px" scores import "$data/scores.csv"
step "tally: index, class and rank"
"$px" tally
step "report into ${out#"$top"/}/report"
"$px" report --out "$out/report"
printf '\ndemo done: open %s/report/index.html\n' "$out"
