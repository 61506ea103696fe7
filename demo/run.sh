#!/bin/sh
# The whole pipeline on the bundled demo district (Cẩm Giàng, Hải Dương), into demo/out/.
# Run by `make demo` after the build; every stage that exists runs here.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/demo/out"
px="$top/parindex"
rm -rf "$out"
mkdir -p "$out"
export PARINDEX_DB="$out/parindex.db"

echo "== definition"
"$px" definition check "$top/schemas/definitions/hai-duong-2021.xml"
echo "== init: default definition, Cẩm Giàng register"
"$px" init --communes "$top/demo/cam-giang/communes.csv"
echo
echo "demo done: database $PARINDEX_DB"
