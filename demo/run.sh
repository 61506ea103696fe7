#!/bin/sh
# The whole pipeline on the bundled demo district (Cẩm Giàng, Hải Dương), into demo/out/:
# definition → database → survey forms → a generated upload of filled questionnaires (70 per
# commune) → capture → the appraised scores sheet → tally → report.
# Run by `make demo` after the build.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/demo/out"
px="$top/parindex"
gen="${GEN_BATCH:-$top/build/gen-batch}"
rm -rf "$out"
mkdir -p "$out"
export PARINDEX_DB="$out/parindex.db"

step() { printf '\n== %s\n' "$1"; }

step "index definition (the built-in reconstruction)"
"$px" definition check "$top/schemas/definitions/hai-duong-2021.xml"
step "database: default definition, Cẩm Giàng's commune register"
"$px" init --communes "$top/demo/cam-giang/communes.csv"
step "survey forms (ODK XForms, printable forms, codebook) into demo/out/forms"
"$px" forms --out "$out/forms"
step "post-office upload: 70 filled questionnaires per commune, ODK Collect layout"
"$gen" --communes "$top/demo/cam-giang/communes.csv" --per-commune 70 --seed 2022 --realistic \
	--out "$out/upload-2022-01-15.zip"
step "capture the upload"
"$px" capture import --source "Bưu điện huyện Cẩm Giàng" --operator "Phòng Nội vụ" \
	--receipt "$out/receipt.csv" "$out/upload-2022-01-15.zip"
"$px" capture list
step "check the survey: suspect forms, per surveyor and phone (into demo/out/quality.csv)"
"$px" quality --format csv >"$out/quality.csv"
"$px" quality | head -n 1
step "appraised self-assessment scores"
"$px" scores import "$top/demo/cam-giang/scores.csv"
step "tally: index, class and rank"
"$px" tally
step "report into demo/out/report"
"$px" report --out "$out/report"
printf '\ndemo done: open %s/report/index.html\n' "$out"
