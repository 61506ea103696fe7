# The report as part of an official document (issue 10): a commune without scores or without
# survey answers is "chưa xếp loại" (grey, no rank, out of the class counts, named in a
# warning); the definition's note on the pages and the workbook; field and group names in the
# tables, axes and legends; dates in Vietnam's time and official form; the sources and the
# version in a footer; threshold lines that show over bars of their own colour; the fields
# chart's key away from its title; answer charts as wide as the page's other charts.
. "$(dirname "$0")/lib.sh"

R="$DATA/reports"
csvrow() { python3 "$R/csvrow.py" "$@"; } # csvrow FILE CODE: the rows of CODE, '|'-joined
text() { sed -e 's/<[^>]*>//g' "$@"; } # an HTML line as a reader sees it

# the mini definition with a note, as the shipped one has
NOTE='Đây là bản tái dựng, không phải phụ lục chính thức.'
sed "s|</district>|</district>\n  <note lang=\"vi\">$NOTE</note>|" "$DATA/definitions/mini.xml" >mini-note.xml
parindex init --definition mini-note.xml --communes "$R/communes.csv" >/dev/null
sqlite3 parindex.db ".read $R/mini-tally.sql" ".read $R/unclassified.sql"
sqlite3 parindex.db .dump >before.sql

# the report at 17:05 UTC on 30 November: 00:05 on 1 December in Vietnam
golden report env PARINDEX_NOW=2026-11-30T17:05:00Z "$PARINDEX" report --out out
sqlite3 parindex.db .dump >after.sql
ok "the report changes nothing in the database" cmp before.sql after.sql

# ---- chưa xếp loại
same "unclassified row: class, no rank" "$(csvrow out/csv/ranking.csv 00006 | cut -d'|' -f2,6,7,8,12)" "00006|50.00||Chưa xếp loại|chưa có điểm tự đánh giá"
same "no survey said in Vietnamese" "$(csvrow out/csv/ranking.csv 00004 | cut -d'|' -f8,12)" "Chưa xếp loại|thiếu phiếu khảo sát; chưa có phiếu khảo sát hợp lệ"
same "the others keep their class" "$(csvrow out/csv/ranking.csv 00005 | cut -d'|' -f7,8)" "4|Hoàn thành nhiệm vụ"
same "left out of the class counts" "$(grep -o 'Số đơn vị theo xếp loại: .*</p>' out/index.html | text)" "Số đơn vị theo xếp loại: Hoàn thành xuất sắc nhiệm vụ 1 · Hoàn thành tốt nhiệm vụ 2 · Hoàn thành nhiệm vụ 1 · Không hoàn thành nhiệm vụ 0"
same "named apart, with why" "$(grep 'class="meta unclassified"' out/index.html | text)" "Chưa xếp loại (không tính vào các loại trên) 2: Ngọc Liên (thiếu phiếu khảo sát; chưa có phiếu khảo sát hợp lệ); Cẩm Vũ (chưa có điểm tự đánh giá)"
ok "grey swatch in the ranking table" grep -q '<td class="tier"><span class="swatch" style="background:#b0b0b0"></span>Chưa xếp loại</td>' out/index.html
ok "never shown as failing" sh -c '! grep "00006.html" out/index.html | grep -q "Không hoàn thành"'
ok "the commune page says why" grep -q '<dt>Lý do chưa xếp loại</dt><dd><span class="flag">chưa có điểm tự đánh giá</span></dd>' out/communes/00006.html
same "the reason said once on its page" "$(grep -o 'chưa có điểm tự đánh giá' out/communes/00006.html | wc -l)" 1
same "grey bar, no tier" "$(grep '00006' out/charts/ranking.dat)" "-	00006	Cẩm Vũ *	50.00	11579568	-"
ok "grey in the chart's key" grep -q 'keyentry with boxes lc rgb "#b0b0b0" title "Chưa xếp loại' out/charts/ranking.gp
golden chart-ranking.dat cat out/charts/ranking.dat
golden chart-ranking.gp cat out/charts/ranking.gp
ok "ranking chart drawn" python3 "$R/pngcheck.py" --min-bytes 8000 --min-colours 8 out/charts/ranking.png
golden xlsx-ranking python3 "$R/xlsxcells.py" out/report.xlsx "Xếp hạng"

# ---- the definition's note: on every page and under the ranking sheet
same "note on the index" "$(grep -c "<p class=\"note\"><strong>Lưu ý về bộ chỉ số:</strong> $NOTE</p>" out/index.html)" 1
same "note on each commune page" "$(grep -l "$NOTE" out/communes/*.html | wc -l)" 6
ok "note in the workbook" sh -c 'python3 "$0/xlsxcells.py" out/report.xlsx "Xếp hạng" | grep -q -F "Lưu ý về bộ chỉ số: $1"' "$R" "$NOTE"

# ---- names, not only codes
same "field names in the ranking header" "$(head -n 1 out/csv/ranking.csv | cut -d, -f9,10)" '"Lĩnh vực 1. Lĩnh vực một (%)","Lĩnh vực 2. Lĩnh vực hai (%)"'
ok "the LV columns' key" grep -q '<tr><td>LV 2</td><td>Lĩnh vực hai</td><td class="num">4.00</td><td class="num">81.25</td></tr>' out/index.html
same "field names under the bars" "$(cut -f2 out/charts/fields-00001.dat | tail -n +2 | tr '\n' '|')" '"1. Lĩnh vực một"|"2. Lĩnh vực hai"|'
same "group names under the answer bars" "$(cut -f1 out/charts/answers-qa.dat | tail -n +2 | tr '\n' '|')" '"A. Nhóm A (n=12)"|"B. Nhóm B (n=12)"|'
ok "group names in the quota key" grep -q "title 'B. Nhóm B (tối thiểu 2)'" out/charts/quota.gp
same "group names in the survey table" "$(csvrow out/csv/survey.csv 00001 | awk "NR == 1" | cut -d'|' -f3,4)" "A|Nhóm A"

# ---- dates and footer
VERSION=$("$PARINDEX" --version | cut -d' ' -f2)
same "footer" "$(sed -n '/<footer>/,/<\/footer>/p' out/index.html | text | grep .)" "Bộ chỉ số: mini phiên bản 1 — Định nghĩa thu nhỏ dùng cho kiểm thử
Nguồn số liệu: 24 phiếu khảo sát; điểm tự đánh giá, thẩm định từ tệp diem-tham-dinh-2024.csv
Số liệu tính lúc ngày 15 tháng 01 năm 2026, 15:00; báo cáo lập lúc ngày 01 tháng 12 năm 2026, 00:05 (giờ Việt Nam)
Lập bằng phần mềm parindex $VERSION"
same "the same footer on a commune page" "$(sed -n '/<footer>/,/<\/footer>/p' out/communes/00003.html | text | grep -c .)" 4
ok "tally time in the heading" grep -q 'số liệu tính lúc ngày 15 tháng 01 năm 2026, 15:00 từ 24 phiếu khảo sát' out/index.html
ok "footer in the workbook" sh -c 'python3 "$0/xlsxcells.py" out/report.xlsx "Xếp hạng" | grep -q -F "Lập bằng phần mềm parindex $1"' "$R" "$VERSION"
ok "printed footer of each sheet" sh -c 'unzip -p out/report.xlsx xl/worksheets/sheet2.xml | grep -q "<oddFooter>&amp;Lparindex $0 — số liệu tính lúc ngày 15 tháng 01 năm 2026, 15:00&amp;RTrang &amp;P / &amp;N</oddFooter>"' "$VERSION"

# ---- layout
# the class thresholds in the tier colours darkened: 65 over yellow (#f0c419) is #90760f
ok "65 drawn darker than the yellow bars" grep -q 'first 65 to graph 1, first 65 nohead dt 2 lw 2 lc rgb "#90760f" front' out/charts/ranking.gp
ok "yellow bars are #f0c419" grep -q '	15778841	completed$' out/charts/ranking.dat
# on the image: the 65 line, in the colour its script gives it, drawn across 00005's yellow bar
# (#f0c419 filled at 0.9 over white is #f2ca30) with a contrast of at least 2:1
LINE=$(sed -n 's/.*first 65 nohead .* lc rgb "#\([0-9a-f]*\)".*/\1/p' out/charts/ranking.gp)
ok "65 shows over the yellow bars" python3 "$R/pngcheck.py" --crossing "$LINE" f2ca30 out/charts/ranking.png
ok "fields key under the plot, not over the title" grep -q '^set key outside bottom center horizontal$' out/charts/fields-00001.gp
same "answer charts as wide as the district's" "$(sed -n 's/^set terminal pngcairo size \([0-9]*\),.*/\1/p' out/charts/answers-qa.gp)" "$(sed -n 's/^set terminal pngcairo size \([0-9]*\),.*/\1/p' out/charts/ranking.gp)"
ok "commune names do not wrap in the ranking" grep -q 'table.ranking td.name,table.ranking td.tier{white-space:nowrap}' out/index.html

# ---- printed: a district's 25 communes with the shipped definition's 8 fields, the ranking on
# the first A4 landscape page, no name or class wrapped onto a second line (t4004's playwright)
parindex init --communes "$R/communes-25.csv" --db d25.db >/dev/null
sqlite3 d25.db ".read $R/tally-25.sql"
# charts written, not drawn (no gnuplot on PATH: exit 3), but for the one looked at below
mkdir nognuplot
env PATH="$T/nognuplot" "$PARINDEX" report --db d25.db --out d25 --formats html,png >/dev/null 2>&1
if [ ! -d "$TOP/tests/browser/node_modules/playwright-core" ]; then
	fail "tests/browser/node_modules is missing: run 'make deps' (npm ci in tests/browser)"
else
	golden ranking-printed node "$TOP/tests/browser/ranking-print.js" d25/index.html
fi
# the long field names wrapped under their bars, with room kept for the longest (4 lines)
same "field 5 named on 4 lines" "$(sed -n 's/^5	\("[^"]*"\).*/\1/p' d25/charts/fields-20001.dat)" '"5. Xây dựng và\nnâng cao chất\nlượng đội ngũ cán\nbộ, công chức"'
ok "room under the plot for 4 lines and the key" grep -q '^set bmargin 7$' d25/charts/fields-20001.gp
ok "district fields chart drawn" sh -c 'cd d25/charts && gnuplot fields-20001.gp'
ok "district fields chart checks" python3 "$R/pngcheck.py" --min-bytes 8000 --min-colours 8 d25/charts/fields-20001.png

# a name with a terminal escape (C0 ESC, C1 CSI) reaches the terminal escaped, as the tally
# shows it (core/escape's escape_term)
sqlite3 parindex.db "UPDATE commune SET name = 'Cẩm' || char(27) || '[2JVũ' || char(155) || '1m' WHERE code = '00006'"
parindex report --out esc --formats csv 2>esc.err
same "escape shown escaped" "$(grep -o '00006 [^(]*' esc.err)" '00006 Cẩm\x1b[2JVũ\u009b1m '
same "no escape character on stderr" "$(tr -d -c '\033' <esc.err | wc -c)" 0
same "no C1 control on stderr" "$(grep -c "$(printf '\302\233')" esc.err)" 0
same "the reason in the tally's words" "$(grep -o '00006 [^)]*)' esc.err | sed 's/.*(//')" "no self-assessment scores)"

# a province's hundreds are not all named: the first 20, then how many more
sqlite3 d25.db "UPDATE tally_commune SET tier_id = NULL, rank = NULL, flags = 'no-survey'"
golden many-unclassified parindex report --db d25.db --out d25b --formats csv
same "all 25 in the table, none ranked" "$(grep -c ',"Chưa xếp loại","Lĩnh vực' d25b/csv/ranking.csv; grep -c ',,"Chưa xếp loại",' d25b/csv/ranking.csv)" "0
25"

# ---- without a note, without scores files: nothing invented
parindex init --definition "$DATA/definitions/mini.xml" --communes "$R/communes.csv" --db plain.db >/dev/null
sqlite3 plain.db ".read $R/mini-tally.sql"
ok "plain report" parindex report --db plain.db --out plain --formats html
same "no note" "$(grep -c 'class="note"' plain/index.html)" 0
ok "no scores file said" grep -q 'Nguồn số liệu: 24 phiếu khảo sát; chưa nhập tệp điểm tự đánh giá, thẩm định' plain/index.html
finish
