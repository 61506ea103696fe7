# A province's report with ranking groups (issue 13) on t3013's province (tests/data/
# definitions/province.xml, worked out by hand there): each group its own ranking table, class
# counts, chart and rank "N / M" on a unit's page; the type not ranked listed apart, never
# ranked, in no count and no chart; the CSV and XLSX ranking tables say each unit's group in
# a last column. Expected, by hand (t3013): phường 10001 (1, xuất sắc), 10003 (2, tốt, its
# bonus lifts it over 10002), 10002 (3, tốt): xuất sắc 1, tốt 2; xã và đặc khu 20001 (1,
# xuất sắc, 101.00 with its bonus), 20002 (2, trung bình), 20003 (3, trung bình): xuất sắc 1,
# trung bình 2; 30001 (khu thử) not ranked.
. "$(dirname "$0")/lib.sh"

text() { sed -e 's/<[^>]*>//g' "$@"; } # an HTML line as a reader sees it
parindex init --definition "$DATA/definitions/province.xml" --communes "$DATA/province/communes.csv" >/dev/null
sqlite3 parindex.db ".read $DATA/province/survey.sql"
parindex scores import "$DATA/province/scores.csv" >/dev/null
parindex tally --resamples 0 >/dev/null
golden report env PARINDEX_NOW=2026-11-30T17:05:00Z "$PARINDEX" report --out out

# index: a section per group, in the definition's order, then the type not ranked
same "groups in order" "$(grep -o '<h3>[^<]*</h3>' out/index.html | text)" "Nhóm xếp hạng: Phường (3 đơn vị)
Nhóm xếp hạng: Xã và đặc khu (3 đơn vị)
Đơn vị không xếp hạng (1 đơn vị)"
# STT, name, index, rank, class of each row, group by group
same "each group's ranking" "$(grep -o '<tr[^>]*><td class="num">.*' out/index.html | sed -e 's/<td class="num">\([^<]*\)<\/td>/\1|/g' -e 's/<[^>]*>/|/g' | tr -s '|' | cut -d'|' -f2,3,6,7,8)" "1|Phường An|90.00|1|Xuất sắc
2|Phường Cát|87.00|2|Tốt
3|Phường Bình|86.67|3|Tốt
1|Xã Đông|101.00|1|Xuất sắc
2|Xã Tây|69.00|2|Trung bình
3|Đặc khu Bạch Long|53.33|3|Trung bình
1|Khu Thử|100.00|–|Xuất sắc"
same "class counts per group, none for the type not ranked" "$(grep -o 'Số đơn vị theo xếp loại: .*</p>' out/index.html | text)" "Số đơn vị theo xếp loại: Xuất sắc 1 · Tốt 2 · Khá 0 · Trung bình 0 · Yếu 0
Số đơn vị theo xếp loại: Xuất sắc 1 · Tốt 0 · Khá 0 · Trung bình 2 · Yếu 0"
same "the area is the province alone (no district)" "$(grep -o '<p class="meta">[^·]*' out/index.html | head -n 1)" '<p class="meta">Thành phố Thử nghiệm '
same "the page's title names it" "$(grep -o '<title>[^<]*' out/index.html)" '<title>Chỉ số CCHC 2025 — Thành phố Thử nghiệm'
ok "a page per group when printed" grep -q 'section.group+section.group{break-before:page}' out/index.html

# a chart per group, named by its id, titled by its name and the province; the type not ranked
# in none
same "ranking charts" "$(ls out/charts/ranking*.gp | tr '\n' ' ')" "out/charts/ranking-phuong.gp out/charts/ranking-xa.gp "
same "wards' chart" "$(cut -f1-4 out/charts/ranking-phuong.dat)" "# rank	code	name	index
1	10001	Phường An	90.00
2	10003	Phường Cát	87.00
3	10002	Phường Bình	86.67"
same "communes' chart" "$(cut -f1-4 out/charts/ranking-xa.dat | tail -n +2 | tr '\n' ' ')" "1	20001	Xã Đông	101.00 2	20002	Xã Tây	69.00 3	20003	Đặc khu Bạch Long	53.33 "
ok "titled by group and province" grep -q "^set title 'Xếp hạng Chỉ số CCHC — Xã và đặc khu — Thành phố Thử nghiệm, năm 2025'" out/charts/ranking-xa.gp
same "not in a chart" "$(cat out/charts/ranking-*.dat | grep -c 30001)" 0
ok "every chart drawn" test "$(ls out/charts/*.png | wc -l)" = "$(ls out/charts/*.gp | wc -l)"

# a unit's page: its rank in its group
same "ranks on the pages" "$(for c in 10001 10002 10003 20001 20002 20003 30001; do grep -o '<dt>Xếp hạng</dt><dd>[^<]*' out/communes/$c.html | text; done)" "Xếp hạng1 / 3 (nhóm xếp hạng: Phường)
Xếp hạng3 / 3 (nhóm xếp hạng: Phường)
Xếp hạng2 / 3 (nhóm xếp hạng: Phường)
Xếp hạng1 / 3 (nhóm xếp hạng: Xã và đặc khu)
Xếp hạng2 / 3 (nhóm xếp hạng: Xã và đặc khu)
Xếp hạng3 / 3 (nhóm xếp hạng: Xã và đặc khu)
Xếp hạngkhông xếp hạng (loại hình không xếp hạng)"

# tables: the group in the last column, a district's columns in their places
golden csv-ranking cat out/csv/ranking.csv
golden xlsx-ranking python3 "$DATA/reports/xlsxcells.py" out/report.xlsx "Xếp hạng"

# the area's word (def_area_word): "Thành phố Thử nghiệm" is a city by its name, so every
# mean and the answers' heading say "thành phố", never "huyện"
same "html: the key's mean" "$(grep -o '<th>Trung bình [^<]*' out/index.html | text)" "Trung bình thành phố (%)"
same "html: the answers over the area" "$(grep -o '<h2>Phân bố[^<]*' out/index.html | text)" "Phân bố trả lời khảo sát toàn thành phố"
same "html: a unit's two tables" "$(grep -o '<th>Trung bình [^<]*' out/communes/20001.html | text | tr '\n' '|')" "Trung bình thành phố (%)|Trung bình thành phố (điểm)|"
ok "chart: the mean's key" grep -q 'title "Trung bình thành phố"$' out/charts/fields-20001.gp
ok "chart: the title" grep -q "^set title '.*: tỷ lệ điểm theo lĩnh vực so với trung bình thành phố'$" out/charts/fields-20001.gp
same "csv: the fields table's header" "$(head -n 1 out/csv/fields.csv | cut -d, -f8 | tr -d "\r")" '"Trung bình thành phố (%)"'
same "xlsx: the fields sheet's header" "$(python3 "$DATA/reports/xlsxcells.py" out/report.xlsx "Lĩnh vực" | sed -n 2p | cut -f8)" "Trung bình thành phố (%)"
same "no huyện anywhere" "$(grep -rl 'huyện' out/index.html out/communes out/charts/*.gp out/csv | wc -l)" 0
# a province by its type attribute: <province type="thành phố"> whatever its name, and a
# bare name is a tỉnh
for p in 'type="thành phố">Thử nghiệm:thành phố' '>Thử nghiệm:tỉnh' 'type="tỉnh">Thử nghiệm:tỉnh'; do
	sed "s|<province>Thành phố Thử nghiệm</province>|<province ${p%%:*}</province>|" \
		"$DATA/definitions/province.xml" >p.xml
	rm -f p.db && parindex init --db p.db --definition p.xml --communes "$DATA/province/communes.csv" >/dev/null &&
		sqlite3 p.db ".read $DATA/province/survey.sql" &&
		parindex scores import --db p.db "$DATA/province/scores.csv" >/dev/null &&
		parindex tally --db p.db --resamples 0 >/dev/null &&
		parindex report --db p.db --out p --formats csv >/dev/null
	same "<province ${p%%:*}>: the word" "$(head -n 1 p/csv/fields.csv | cut -d, -f8 | tr -d "\r")" "\"Trung bình ${p#*:} (%)\""
done
sed 's|<province>|<province type="huyện">|' "$DATA/definitions/province.xml" >q.xml
not_ok "a province type the schema does not know" parindex definition check q.xml

# a district's report has no group column and no group sections (t4001's goldens hold it)
parindex init --db d.db --definition "$DATA/definitions/mini.xml" --communes "$DATA/reports/communes.csv" >/dev/null
sqlite3 d.db ".read $DATA/reports/mini-tally.sql"
ok "district report" parindex report --db d.db --out d --formats csv,html
same "no group column" "$(head -n 1 d/csv/ranking.csv | grep -c 'Nhóm xếp hạng')" 0
same "no group section" "$(grep -c '<h3>Nhóm xếp hạng' d/index.html)" 0
same "a district's mean is the huyện's" "$(head -n 1 d/csv/fields.csv | cut -d, -f8 | tr -d "\r")" '"Trung bình huyện (%)"'
finish
