# parindex report on a real tally (the tally stage's own mini fixture: submissions, scores
# imported, 'parindex tally'): every number of the report's ranking equals what 'parindex
# tally' prints, the workbook equals the tally tables, a not-applicable sub-criterion shows as
# such, and a new tally is what the next report shows.
. "$(dirname "$0")/lib.sh"

parindex init --definition "$DATA/definitions/mini.xml" --communes "$DATA/tally/communes.csv" >/dev/null
sqlite3 parindex.db ".read $DATA/tally/mini-survey.sql"
parindex scores import "$DATA/scores/mini.csv" >/dev/null
ok "tally" parindex tally --format csv
parindex tally --format csv >tally.csv
ok "report" parindex report --out out --formats csv,xlsx,html,svg

# the report's ranking against the tally's: rank, points, max, index, fields, class, forms
compare() {
	python3 - "$1" "$2" <<'PY'
import csv, sys
tally = {r["code"]: r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8"))}
report = list(csv.reader(open(sys.argv[2], encoding="utf-8-sig")))
# the fields after the class, or after the bootstrap's 7 interval columns when it resampled
f = 8 + 7 * report[0][8].startswith("Chỉ số, khoảng tin cậy 95 %")
bad = 0
for row in report[1:]:
    t = tally.pop(row[1])
    got = [row[6], row[3], row[4], row[5], row[f], row[f + 1], row[7], row[f + 2]]
    want = [t["rank"], t["points"], t["max"], t["index"], t["field_1"], t["field_2"], t["class"],
            t["forms"]]
    if got != want:
        print(row[1], "report", got, "tally", want)
        bad = 1
print("left out:", sorted(tally)) if tally else None
sys.exit(bad or len(tally))
PY
}
ok "ranking equals the tally's" compare tally.csv out/csv/ranking.csv
same "one row per commune of the tally" "$(grep -c '^[0-9]' out/csv/ranking.csv)" "$(tail -n +2 tally.csv | wc -l)"
ok "workbook equals the tally tables" python3 "$DATA/reports/xlsxcheck.py" out/report.xlsx parindex.db
# 90001: 5.25 / 8 = 65.625 -> 65.63, 1.1.2 not applicable (max 8, not 10)
same "index and applicable max" "$(grep '"90001"' out/csv/ranking.csv | cut -d, -f4-6)" "5.25,8.00,65.63"
same "not-applicable sub-criterion" "$(python3 -c 'import csv, sys
for r in csv.reader(open(sys.argv[1], encoding="utf-8-sig")):
    if r[0] == "90001" and r[2] == "1.1.2":
        print("|".join(r[6:]))' out/csv/criteria.csv)" "0.00|0.00|||không áp dụng"
ok "page of an unranked commune" grep -q '<dt>Xếp hạng</dt><dd>không xếp hạng</dd>' out/communes/90002.html

# scores imported after the tally: the report warns that its numbers are old; a new tally is
# what the next report shows (90001's 1.1.1 appraised 1 instead of 0.5: 5.75 / 8 = 71.875)
sed 's/^90001,Thử Một,1.1.1,\(.*\),1,1,0.5,,.*/90001,Thử Một,1.1.1,\1,1,1,1,,Đủ tài liệu/' "$DATA/scores/mini.csv" | grep -e '^commune_code' -e '^90001' >later.csv
ok "later scores import" env PARINDEX_NOW=2026-01-16T09:00:00Z "$PARINDEX" scores import later.csv
golden stale parindex report --out out --formats csv
same "the stale report still shows the tally's numbers" "$(grep '"90001"' out/csv/ranking.csv | cut -d, -f6)" "65.63"
ok "tally again" sh -c 'PARINDEX_NOW=2026-01-16T10:00:00Z "$PARINDEX" tally --format csv >tally2.csv'
golden after-tally parindex report --out out --formats csv
ok "ranking follows the new tally" compare tally2.csv out/csv/ranking.csv
same "new index" "$(grep '"90001"' out/csv/ranking.csv | cut -d, -f6)" "71.88"
finish
