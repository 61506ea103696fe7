# parindex scores import in memory bounded by the input's size (issue 16, findings 4 and 5):
# each input is built here, imported, and its peak resident memory must stay under 256 MB.
# On the code before the fix the first took 1.97 GB and the second 1.34 GB.
# Under ASan the quarantine is turned off (ASAN_OPTIONS), so that freed memory held back for
# use-after-free checks does not count; ASan's shadow and redzones still do, and the plain
# build (CHECK_SANITIZE=) stays far lower (about 26 MB for each input here).
. "$(dirname "$0")/lib.sh"

LIMIT_KB=262144
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0
export ASAN_OPTIONS
# under NAME CMD...: run CMD, its output and status kept in NAME.out; fail if its peak RSS is
# 256 MB or more
under() {
	_name=$1
	shift
	_kb=$(python3 -c '
import resource, subprocess, sys
with open(sys.argv[1], "w") as out:
    r = subprocess.run(sys.argv[2:], stdout=out, stderr=subprocess.STDOUT)
    out.write("status: %d\n" % r.returncode)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$_name.out" "$@")
	if [ "$_kb" -lt "$LIMIT_KB" ]; then pass; else fail "$_name: peak RSS $_kb KB, limit $LIMIT_KB KB"; fi
}
stored() { sqlite3 -batch -noheader t.db "SELECT count(*) || '/' || (SELECT count(*) FROM score_import) FROM score"; }

parindex init --db t.db --definition "$DATA/definitions/mini.xml" \
	--communes "$DATA/tally/communes.csv" >/dev/null
NS=http://schemas.openxmlformats.org/spreadsheetml/2006/main
# book NAME: zip the hand-made workbook with the parts written into parts/ since (zip's
# default level: -9 took 13 s over the 8 MiB of empty cells, for a ratio of 14 instead of 11,
# both far under the reader's 200)
book() { (cd parts && zip -q -X -r "../$1" '[Content_Types].xml' _rels xl); }

# 4. one shared string of 1,000,000 bytes (under the 1 MiB from which the ratio is checked),
# referenced by 2,000 cells after a good header: a workbook of a few KB
rm -rf parts && cp -r "$DATA/scores/xlsx" parts
awk -v ns="$NS" 'BEGIN { printf "<sst xmlns=\"%s\">", ns
	split("commune_code criterion_id self_score appraised_score not_applicable note", h, " ")
	for (i = 1; i <= 6; i++) printf "<si><t>%s</t></si>", h[i]
	printf "<si><t>"; for (i = 0; i < 1000000; i++) printf "a"; print "</t></si></sst>" }' >parts/xl/sharedStrings.xml
awk -v ns="$NS" 'BEGIN { printf "<worksheet xmlns=\"%s\"><sheetData><row r=\"1\">", ns
	for (i = 0; i < 6; i++) printf "<c t=\"s\"><v>%d</v></c>", i
	printf "</row>"
	for (r = 2; r <= 201; r++) { printf "<row r=\"%d\">", r
		for (i = 0; i < 10; i++) printf "<c t=\"s\"><v>6</v></c>"
		printf "</row>" }
	print "</sheetData></worksheet>" }' >parts/xl/worksheets/sheet1.xml
book shared.xlsx
ok "shared-string workbook is small" test "$(wc -c <shared.xlsx)" -lt 10000
under shared-string "$PARINDEX" scores import --db t.db shared.xlsx
golden shared-string cat shared-string.out
same "shared-string: nothing stored" "$(stored)" "0/0"

# 5. a 16 MB scores CSV of commas: one record of 16 million empty fields
awk 'BEGIN { for (k = 0; k < 1024; k++) s = s ","; for (i = 0; i < 16384; i++) printf "%s", s }' >commas.csv
under commas "$PARINDEX" scores import --db t.db commas.csv
golden commas cat commas.out
# the same 16 MB as rows: a header, then rows of nine empty fields (blank rows, skipped)
{ echo 'commune_code,criterion_id,self_score,appraised_score,not_applicable,note'
  awk 'BEGIN { for (i = 0; i < 1864135; i++) print ",,,,,,,," }'; } >rows.csv
under blank-rows "$PARINDEX" scores import --db t.db rows.csv
golden blank-rows cat blank-rows.out
# 4 MB of rows with one bad cell each: four million errors counted, twenty of each kind
# shown (a line kept for each took 440 MB)
{ echo 'commune_code,criterion_id,self_score,appraised_score,not_applicable,note'
  awk 'BEGIN { for (i = 0; i < 2097152; i++) print "x" }'; } >bad-rows.csv
under bad-rows "$PARINDEX" scores import --db t.db bad-rows.csv
golden bad-rows cat bad-rows.out

# an 8 MiB worksheet of cells without values, blanks between them at random so that it
# compresses less than the zip-bomb ratio: a tree of it took 382 MB
rm -rf parts && cp -r "$DATA/scores/xlsx" parts
awk -v ns="$NS" 'BEGIN { srand(1); split("<c/>|<c/> |<c/>\n| <c/>", c, "|")
	printf "<worksheet xmlns=\"%s\"><sheetData>", ns
	for (n = 0; n < 8300000; ) { printf "<row>"; for (i = 0; i < 200; i++) { s = c[int(rand() * 4) + 1]; printf "%s", s; n += length(s) }; printf "</row>"; n += 11 }
	print "</sheetData></worksheet>" }' >parts/xl/worksheets/sheet1.xml
book empty-cells.xlsx
under empty-cells "$PARINDEX" scores import --db t.db empty-cells.xlsx
golden empty-cells cat empty-cells.out
# 8 MiB of short shared strings
rm -rf parts && cp -r "$DATA/scores/xlsx" parts
awk -v ns="$NS" 'BEGIN { srand(2); printf "<sst xmlns=\"%s\">", ns
	for (n = 0; n < 8000000; n += 22) printf "<si><t>%06d</t></si>", int(rand() * 1000000)
	print "</sst>" }' >parts/xl/sharedStrings.xml
book many-strings.xlsx
under many-strings "$PARINDEX" scores import --db t.db many-strings.xlsx
golden many-strings cat many-strings.out
same "nothing stored from any" "$(stored)" "0/0"
finish
