# parindex report on a hand-written tally of the mini definition (tests/data/reports/
# mini-tally.sql: six communes, every class, a tie, one unranked, one under quota): the
# refusals, the CSV tables, the gnuplot data and scripts (golden), the HTML pages, and the
# report without gnuplot.
. "$(dirname "$0")/lib.sh"

R="$DATA/reports"
csvrow() { python3 "$R/csvrow.py" "$@"; } # csvrow FILE CODE: the rows of CODE, '|'-joined

golden no-db parindex report --db missing.db
parindex init --definition "$DATA/definitions/mini.xml" --communes "$R/communes.csv" >/dev/null
golden no-tally parindex report
ok "no output folder without a tally" test ! -e report
golden bad-format parindex report --formats html,pdf
golden stray-argument parindex report extra

ok "tally fixture" sqlite3 parindex.db ".read $R/mini-tally.sql"
golden report parindex report --out out

# CSV: the ranking as the tally published it, in ranking order, the tie sharing rank 2
golden csv-ranking cat out/csv/ranking.csv
for t in fields criteria questions survey quotas; do
	golden "csv-$t" cat "out/csv/$t.csv"
done
same "byte-order mark" "$(head -c 3 out/csv/ranking.csv | od -An -tx1 | tr -d ' ')" "efbbbf"
same "first: excellent" "$(csvrow out/csv/ranking.csv 00001)" "1|00001|Đông Phong|9.06|10.00|90.63|1|Hoàn thành xuất sắc nhiệm vụ|92.71|87.50|5|"
same "tie: 00002 rank 2" "$(csvrow out/csv/ranking.csv 00002 | cut -d'|' -f1,6,7,8)" "2|84.38|2|Hoàn thành tốt nhiệm vụ"
same "tie: 00003 rank 2" "$(csvrow out/csv/ranking.csv 00003 | cut -d'|' -f1,6,7,8)" "3|84.38|2|Hoàn thành tốt nhiệm vụ"
same "field floor: 80.00 but field 2 at 50 is completed, rank 4" "$(csvrow out/csv/ranking.csv 00005 | cut -d'|' -f6-10)" "80.00|4|Hoàn thành nhiệm vụ|100.00|50.00"
same "under quota, flagged" "$(csvrow out/csv/ranking.csv 00004 | cut -d'|' -f6,7,11,12)" "28.75|5|3|thiếu phiếu khảo sát; có câu hỏi không có trả lời hợp lệ"
same "unranked last, no rank" "$(csvrow out/csv/ranking.csv 00006 | cut -d'|' -f1,6,7,12)" "6|50.00||chưa có điểm tự đánh giá"
# district mean of field 1 over the five ranked communes: 371.875 / 5 = 74.375 -> 74.38
same "district mean" "$(csvrow out/csv/fields.csv 00004 | grep '|1|' | cut -d'|' -f5-8)" "1.38|6.00|22.92|74.38"
same "quota short" "$(csvrow out/csv/quotas.csv 00004 | head -n 1 | cut -d'|' -f3,5-7)" "A|1|2|thiếu 1 phiếu"
# 00004, group B, qa: b 1, x 1 -> 50 % each of all answers
same "answer shares" "$(csvrow out/csv/survey.csv 00004 | grep '|B|Nhóm B|qa|' | cut -d'|' -f6,8,9 | tr '\n' ' ')" "a|0|0.00 b|1|50.00 c|0|0.00 x|1|50.00 "
same "criterion row" "$(csvrow out/csv/criteria.csv 00002 | grep '|1.1.2|' | cut -d'|' -f5-11)" "tiêu chí thành phần|tự đánh giá, thẩm định|1.50|2.00|2.00|1.50|thẩm định"

# charts: the data and scripts are golden; drawing them is t4002
for f in out/charts/*.dat out/charts/*.gp; do
	golden "chart-$(basename "$f")" cat "$f"
done
same "12 charts" "$(ls out/charts/*.gp | wc -l)" 12
same "no gnuplot warnings" "$(ls out/charts/*.log 2>/dev/null | wc -l)" 0

# HTML: single files, nothing fetched from the network, every text escaped
same "7 pages" "$(ls out/index.html out/communes/*.html | wc -l)" 7
same "no network reference" "$(grep -l -i -E 'https?:|//[a-z]' out/index.html out/communes/*.html | wc -l)" 0
same "every image inline" "$(grep -o '<img[^>]*src="[^d][^"]*"' out/index.html out/communes/*.html | wc -l)" 0
same "district charts inline as SVG" "$(grep -o 'src="data:image/svg+xml;base64,' out/index.html | wc -l)" 6
same "commune chart inline" "$(grep -o 'src="data:image/svg+xml;base64,' out/communes/00004.html | wc -l)" 1
ok "index is well-formed" xmllint --html --noout out/index.html
ok "a print stylesheet for A4" grep -q '@page{size:A4' out/index.html
same "a district's ranking kept on its page, no province's rules" "$(grep -c 'figure.ranking' out/index.html)" 0
ok "link to the commune page" grep -q 'href="communes/00004.html">Ngọc Liên</a>' out/index.html
# 00005: 80.00 reaches "good" but field 2 at 50.00 is under its floor of 70
ok "why the class" grep -q 'chỉ số đạt ngưỡng 80 của “Hoàn thành tốt nhiệm vụ” nhưng lĩnh vực 2 (50.00 %) dưới mức sàn 70 %' out/communes/00005.html
same "only where a field held the class back" "$(grep -l 'Lý do xếp loại' out/communes/*.html | wc -l)" 1
# classes: 1 excellent (00001), 2 good (00002, 00003), 1 completed (00005), 2 not (00004, 00006)
same "communes per class" "$(grep -o 'Số đơn vị theo xếp loại: .*</p>' out/index.html | sed -e 's/<[^>]*>//g')" "Số đơn vị theo xếp loại: Hoàn thành xuất sắc nhiệm vụ 1 · Hoàn thành tốt nhiệm vụ 2 · Hoàn thành nhiệm vụ 1 · Không hoàn thành nhiệm vụ 2"
ok "commune page has its rank" grep -q '<dt>Xếp hạng</dt><dd>5 / 5</dd>' out/communes/00004.html
# 00004's criteria by share of max: 1.2 (0.375/3), 2.2 (0.5/2), 1.1 (1/3), 2.1 (1/2)
same "lowest criteria first" "$(sed -n '/thấp nhất/,/<\/table>/p' out/communes/00004.html | grep -o '<tr><td>[0-9.]*</td>' | tr -d '<>/trd' | tr '\n' ' ')" "1.2 2.2 1.1 2.1 "
same "lowest criterion against max and mean" "$(grep -o '<tr><td>1.2</td>.*' out/communes/00004.html | head -n 1 | grep -o 'num">[^<]*' | cut -c6- | tr '\n' ' ')" "0.38 3.00 12.50 2.16 "

# a commune name that needs escaping reaches HTML escaped and gnuplot quoted
sqlite3 parindex.db "UPDATE commune SET name = 'A<b>&\"c' WHERE code = '00006'"
ok "odd name" parindex report --out odd
ok "escaped in HTML" grep -q 'A&lt;b&gt;&amp;&quot;c' odd/index.html
same "no raw markup" "$(grep -c 'A<b>' odd/index.html)" 0
ok "quoted in a gnuplot string" grep -q "title 'A<b>&\"c'" odd/charts/fields-00006.gp
ok "odd charts drawn" test -s odd/charts/fields-00006.png

# subsets of formats; --no-bom
golden csv-only parindex report --out only --formats csv --no-bom
same "only csv written" "$(ls only)" "csv"
same "no byte-order mark" "$(head -c 4 only/csv/ranking.csv)" '"STT'
golden html-png parindex report --out hp --formats html,png
same "png inline when no svg" "$(grep -o 'src="data:image/png;base64,' hp/index.html | wc -l)" 6
golden html-only parindex report --out ho --formats html
ok "html without charts says so" grep -q 'Biểu đồ không được yêu cầu' ho/index.html

# without gnuplot: tables and pages written, charts skipped, exit 3
mkdir empty
golden no-gnuplot env PATH="$T/empty" "$PARINDEX" report --out nognu
ok "tables written without gnuplot" test -s nognu/report.xlsx -a -s nognu/csv/ranking.csv
ok "pages written without gnuplot" test -s nognu/index.html -a -s nognu/communes/00001.html
ok "scripts written without gnuplot" test -s nognu/charts/ranking.gp
same "no image drawn" "$(ls nognu/charts | grep -c -E 'png|svg')" 0
ok "the page says why" grep -q 'không tìm thấy gnuplot' nognu/index.html

# a gnuplot that fails: the script and gnuplot's first line named, tables and pages written
mkdir bin
printf '#!/bin/sh\necho "line 7: unknown terminal" >&2\nexit 1\n' >bin/gnuplot
chmod +x bin/gnuplot
golden gnuplot-fails env PATH="$T/bin:$PATH" "$PARINDEX" report --out badgnu
ok "pages written when gnuplot fails" test -s badgnu/index.html -a -s badgnu/report.xlsx
ok "gnuplot's output kept beside the script" grep -q "unknown terminal" badgnu/charts/ranking.log

# gnuplot failing on one chart of a batch (several charts per gnuplot run): that chart is named
# with gnuplot's own words about it, its output kept beside its script, every other chart
# drawn, and the batch goes on after it
mkdir bin2
printf '#!/bin/sh\necho run >>"%s/runs"\nrm -f fields-00003.dat\nexec "%s" "$@"\n' "$T" "$(command -v gnuplot)" >bin2/gnuplot
chmod +x bin2/gnuplot
golden chart-fails env PATH="$T/bin2:$PATH" "$PARINDEX" report --out onebad --formats png,svg
same "the others drawn" "$(ls onebad/charts/*.png | wc -l) $(ls onebad/charts/*.svg | wc -l)" "11 11"
ok "not the failed one" test ! -e onebad/charts/fields-00003.png
ok "its output kept beside its script" grep -q 'No data in plot' onebad/charts/fields-00003.log
same "no other log, no batch log left" "$(ls -A onebad/charts | grep -c log)" 1
ok "fewer gnuplot runs than charts" test "$(wc -l <runs)" -lt 12

# a definition loaded after the tally: the report is of the tally's, and says so
ok "another definition" parindex init --definition "$TOP/schemas/definitions/hai-duong-2021.xml" --communes "$DATA/communes/cam-giang.csv"
golden other-definition parindex report --out other --formats csv
same "still the tally's definition" "$(grep -c '"Lĩnh vực 1. Lĩnh vực một (%)"' other/csv/ranking.csv)" 1

# an output folder that cannot be made
touch file
golden out-not-a-folder parindex report --out file/sub
finish
