# The report against the previous year (issue 13), on t3031's two years: the HTML ranking's
# columns, each commune page's "So với năm 2024", the XLSX ranking sheet and the CSV, with the
# hand-computed values of t3031 (90001 rose 2 places, +20.00; 90014 renamed from 90004, fell 1,
# -5.00; 90010 formed from 90002 and 90003, their results listed, no rank change; 90005 new).
. "$(dirname "$0")/lib.sh"
. "$DATA/years/survey.sh"

ok "two years" years_database t.db
ok "report" parindex report --db t.db --out out --formats html,xlsx,csv
golden html-ranking python3 "$DATA/years/ranking.py" out/index.html
for c in 90001 90005 90010 90014; do
	golden "summary-$c" python3 "$DATA/years/ranking.py" --summary "out/communes/$c.html"
done
golden xlsx-ranking python3 "$DATA/reports/xlsxcells.py" out/report.xlsx "Xếp hạng" --formats
same "xlsx: 90001 rose 2 places, +20.00" \
	"$(python3 "$DATA/reports/xlsxcells.py" out/report.xlsx "Xếp hạng" | grep '	90001	' | cut -f13-17)" \
	"80	3	tăng 2 bậc	20	80.00, hạng 3"
same "xlsx: 90014 fell 1 place, -5.00" \
	"$(python3 "$DATA/reports/xlsxcells.py" out/report.xlsx "Xếp hạng" | grep '	90014	' | cut -f13-16)" \
	"90	2	giảm 1 bậc	-5"
same "csv: 90010 formed from two, no combined rank" \
	"$(python3 "$DATA/reports/csvrow.py" out/csv/ranking.csv 90010 | cut -d'|' -f13-17)" \
	"||hình thành từ nhiều đơn vị||hình thành từ: Thử Hai (95.00, hạng 1), Thử Ba (70.00, hạng 4)"
# 2024 alone, made active again and reported: no previous year, no new columns (90005,
# in the register since 2025 and in no merger, is a unit of 2024 too: not ranked, no data)
ok "2024" parindex definition use --db t.db mini 1
ok "tally 2024" parindex tally --db t.db --resamples 0
ok "report 2024" parindex report --db t.db --out out24 --formats html,csv
same "no comparison without a previous year" "$(head -1 out24/csv/ranking.csv | grep -c 'năm 2023')" "0"
same "2024 ranking" "$(python3 "$DATA/years/ranking.py" out24/index.html | cut -f2,6 | tr '\t\n' ': ')" \
	"Đơn vị:Xếp hạng Thử Hai:1 Thử Bốn:2 Thử Một:3 Thử Ba:4 Thử Năm:– "

# report --year: a kept year's report. 2025 tallied with 200 resamples (seed 7) and reported;
# then 2024 tallied last: 'report --year 2025' computes 2025 again (rolled back, the database
# unchanged) and writes the very report 2025's own tally gave, intervals and the comparison
# with 2024 included; 'report --year 2024' reads the last tally as it is
ok "2025 again" parindex definition use --db t.db mini 2
ok "tally 2025 with resamples" parindex tally --db t.db --resamples 200 --seed 7
ok "report 2025" parindex report --db t.db --out r25 --formats html,csv
ok "intervals in it" grep -q 'khoảng tin cậy' r25/index.html
ok "2024 tallied last" sh -c "'$PARINDEX' definition use --db t.db mini 1 >/dev/null && '$PARINDEX' tally --db t.db --resamples 0 >/dev/null"
sqlite3 t.db .dump >before.sql
golden year-2025 parindex report --db t.db --out y25 --formats html,csv --year 2025
ok "the same report as 2025's own tally gave" diff -r r25 y25
sqlite3 t.db .dump >after.sql
ok "the database unchanged" cmp before.sql after.sql
golden year-2024 parindex report --db t.db --out y24 --formats html,csv --year 2024
same "2024's ranking (hand-checked in t3031), no previous year" \
	"$(python3 "$DATA/years/ranking.py" y24/index.html | cut -f2,5,6 | tr '\t\n' ': ')|$(head -1 y24/csv/ranking.csv | grep -c 'năm 2023')" \
	"Đơn vị:Chỉ số CCHC (%):Xếp hạng Thử Hai:95.00:1 Thử Bốn:90.00:2 Thử Một:80.00:3 Thử Ba:70.00:4 Thử Năm:0.00:– |0"
# refused, nothing written: a year with no definition, a definition not tallied, not a year,
# and a year whose data changed after its tally (a 2025 form of 90001 answered 'c' since)
golden year-none parindex report --db t.db --out n --year 2023
sed 's/version="1" year="2024"/version="3" year="2026"/' "$DATA/definitions/mini.xml" >mini-2026.xml
ok "2026 loaded" parindex init --db t.db --definition mini-2026.xml
golden year-untallied parindex report --db t.db --out n --year 2026
golden year-bad parindex report --db t.db --out n --year 20x
sqlite3 t.db "UPDATE submission SET answers = '{\"qa\":\"c\",\"qb\":\"c\"}' WHERE instance_id = 'uuid:2-90001-1'"
sqlite3 t.db .dump >before.sql
golden year-changed parindex report --db t.db --out n --year 2025
sqlite3 t.db .dump >after.sql
ok "the database unchanged" cmp before.sql after.sql
same "nothing written" "$(test -e n && echo n)" ""
finish
