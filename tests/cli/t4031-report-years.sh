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
finish
