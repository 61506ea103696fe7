# The report's CSV and XLSX carry what the HTML shows of the bootstrap and of the office's
# exclusions: when the tally resampled, the ranking has the 95 % intervals of the index, the
# rank and the survey part (each cell the text the unit's page shows), empty for a unit without
# one; after 'capture exclude', an exclusions table and sheet (reason, forms, total); none of
# it when there is nothing to show, and a stale exclusions.csv of an earlier report goes.
. "$(dirname "$0")/lib.sh"

R="$DATA/reports"
parindex init --definition "$DATA/definitions/mini.xml" --communes "$DATA/tally/communes.csv" >/dev/null
sqlite3 parindex.db ".read $DATA/tally/mini-survey.sql"
parindex scores import "$DATA/scores/mini.csv" >/dev/null
ok "exclude uuid:2" parindex capture exclude --reason "phỏng vấn sai đối tượng" uuid:2
# a reason that reads as a formula stays text in both files
ok "exclude uuid:7" parindex capture exclude --reason '=HYPERLINK("http://x","y")' uuid:7
ok "tally with resamples" parindex tally --resamples 200 --seed 7 --format csv
sqlite3 parindex.db .dump >before.sql
golden report parindex report --out out --formats csv,xlsx,html
sqlite3 parindex.db .dump >after.sql
ok "the report changes nothing in the database" cmp before.sql after.sql
golden csv-ranking cat out/csv/ranking.csv
golden csv-exclusions cat out/csv/exclusions.csv
golden sheet-exclusions python3 "$R/xlsxcells.py" out/report.xlsx "Phiếu bị loại" --pane --formats
golden sheet-ranking python3 "$R/xlsxcells.py" out/report.xlsx "Xếp hạng" --formats
ok "the workbook's intervals equal tally_confidence" python3 "$R/xlsxcheck.py" out/report.xlsx parindex.db
same "the exclusions' total is the excluded forms in the database" \
	"$(grep '^"Tổng",' out/csv/exclusions.csv | cut -d, -f2 | tr -d '\r')" \
	"$(sqlite3 parindex.db 'SELECT count(*) FROM exclusion WHERE included_at IS NULL')"
ok "a formula reason written as text" grep -q "^\"'=HYPERLINK" out/csv/exclusions.csv

# each unit's intervals in the CSV are the text of its page and of the index page's table
ok "the same intervals as the HTML" python3 - out <<'PY'
import csv, html, re, sys
out = sys.argv[1]
rows = list(csv.reader(open(f"{out}/csv/ranking.csv", encoding="utf-8-sig")))
head, rows = rows[0], rows[1:]
assert head[8:15] == ["Chỉ số, khoảng tin cậy 95 %: từ (%)", "Chỉ số, khoảng tin cậy 95 %: đến (%)",
                      "Xếp hạng, khoảng 95 %: từ hạng", "Xếp hạng, khoảng 95 %: đến hạng",
                      "Điểm điều tra xã hội học",
                      "Điểm điều tra xã hội học, khoảng tin cậy 95 %: từ",
                      "Điểm điều tra xã hội học, khoảng tin cậy 95 %: đến"], head
index = html.unescape(open(f"{out}/index.html", encoding="utf-8").read())
seen = 0
for r in rows:
    page = html.unescape(open(f"{out}/communes/{r[1]}.html", encoding="utf-8").read())
    idx = re.search(r"<dt>Chỉ số CCHC</dt><dd>[^<]*?\(khoảng tin cậy 95 %: ([^)]*)\)", page)
    rank = re.search(r"\(khoảng 95 %: hạng (\d+) đến (\d+)\)", page)
    sv = re.search(r"điều tra xã hội học ([0-9.]+)(?:, khoảng tin cậy 95 %: ([^)]*))?\)", page)
    assert sv and sv.group(1) == r[12], (r[1], r[12], sv and sv.group(1))
    if not idx:
        assert r[8:12] == ["", "", "", ""] and r[13:15] == ["", ""], r
        continue
    assert idx.group(1) == f"{r[8]}–{r[9]}", (r[1], idx.group(1), r[8:10])
    assert sv.group(2) == f"{r[13]}–{r[14]}", (r[1], sv.group(2), r[13:15])
    assert (rank.groups() if rank else ("", "")) == (r[10], r[11]), (r[1], r[10:12])
    # the index page's table: the unit's row has the same interval
    row = re.search(r">%s</a></td>.*?</tr>" % re.escape(r[2]), index)
    assert row and f">{r[8]}–{r[9]}<" in row.group(0), (r[1], row and row.group(0))
    seen += 1
assert seen >= 2, seen
print(seen, "units with intervals, the same as the HTML")
PY

# both included again, tallied without resamples: no interval columns, no exclusions file
# (the earlier report's goes), no sheet
ok "include uuid:2" parindex capture include uuid:2
ok "include uuid:7" parindex capture include uuid:7
ok "tally without resamples" parindex tally --resamples 0 --format csv
golden report-plain parindex report --out out --formats csv,xlsx
ok "the earlier exclusions.csv is gone" test ! -e out/csv/exclusions.csv
same "no interval columns" "$(head -n 1 out/csv/ranking.csv | grep -c 'khoảng tin cậy')" 0
same "the district's columns as before" "$(head -n 1 out/csv/ranking.csv | tr ',' '\n' | wc -l)" 12
same "six sheets" "$(unzip -Z1 out/report.xlsx | grep -c '^xl/worksheets/sheet[0-9]*.xml$')" 6
ok "the workbook equals the tally" python3 "$R/xlsxcheck.py" out/report.xlsx parindex.db

finish
