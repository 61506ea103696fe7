# A province's report (issue 13): 168 units, past a district's 30. The ranking drawn as
# horizontal bars, best at the top, in parts of at most 35 units (a printed A4 page each);
# the quotas as a histogram of coverage and the appraisal as a scatter plot instead of a bar
# per unit; the index page printed to an A4 PDF by headless Chromium (tests/browser/
# report-print.js) with no table row split across pages, the ranking's header on every page
# it runs over, and no chart cut (pdftotext's text of each page, tests/data/reports/
# printcheck.py). The tally is tally-25.sql's, which fits any register of the shipped
# definition's district.
. "$(dirname "$0")/lib.sh"

R="$DATA/reports"
# 168 units of varied names, two types
awk 'BEGIN { split("Tân Bình Hưng Phú An Thạnh Lợi Hòa Đông Tây Nam Bắc Thới Long Mỹ Phước Hiệp Chánh Nhơn Khánh Vĩnh Xuân Trung Sơn", w, " ")
	print "code,name,type,district_code,district"
	for (i = 1; i <= 168; i++) {
		n = 1 + (i % 4); s = ""
		for (k = 0; k < n; k++) s = s (k ? " " : "") w[1 + (i * 7 + k * 13) % 24]
		printf "%05d,%s %s,%s,295,Cẩm Giàng\n", 26000 + i, (i % 3 ? "Phường" : "Xã"), s, (i % 3 ? "phường" : "xã")
	} }' >communes-168.csv
parindex init --communes communes-168.csv >/dev/null
sqlite3 parindex.db ".read $R/tally-25.sql"
same "168 units in the tally" "$(sqlite3 parindex.db 'SELECT count(*) FROM tally_commune')" 168

# svg alone: the PNGs are t4002's and the bench's; under the sanitizers they take long
ok "report" parindex report --out out --formats html,svg,csv
same "five parts of the ranking" "$(ls out/charts/ranking*.gp | tr '\n' ' ')" "out/charts/ranking~p1.gp out/charts/ranking~p2.gp out/charts/ranking~p3.gp out/charts/ranking~p4.gp out/charts/ranking~p5.gp "
same "parts of 33 or 34 units" "$(for p in 1 2 3 4 5; do grep -c -v '^#' "out/charts/ranking~p$p.dat"; done | tr '\n' ' ')" "33 34 33 34 34 "
golden chart-ranking-p1.gp cat 'out/charts/ranking~p1.gp'
same "the first part's first rows" "$(sed -n 2,3p 'out/charts/ranking~p1.dat')" "1	26001	Phường Hòa Vĩnh	87.50	1742928	excellent	1. Phường Hòa Vĩnh
2	26002	Phường Mỹ Phú Hiệp	87.00	1742928	excellent	2. Phường Mỹ Phú Hiệp"
same "unranked units last, marked" "$(tail -n 1 'out/charts/ranking~p5.dat')" "-	26162	Xã Lợi Khánh Đông *	7.00	11579568	-	– Xã Lợi Khánh Đông *"
same "every unit in one part" "$(cat out/charts/ranking~p*.dat | grep -v '^#' | cut -f2 | sort -u | wc -l)" 168
golden chart-quota cat out/charts/quota.gp out/charts/quota.dat
same "every unit counted once per group" "$(awk -F'\t' 'NR > 1 { s += $2 } END { print s }' out/charts/quota.dat)" 168
golden chart-appraisal.gp cat out/charts/appraisal.gp
same "no point for a unit without scores" "$(grep -c '	?	?$' out/charts/appraisal.dat)" 18
ok "every chart drawn" test "$(ls out/charts/*.svg | wc -l)" = "$(ls out/charts/*.gp | wc -l)"
for f in out/charts/ranking~p3.svg out/charts/quota.svg out/charts/appraisal.svg; do
	ok "$(basename "$f") is well-formed" xmllint --noout "$f"
done
# the fixture has no score rows: every unit's self-assessed total is 0
same "gnuplot warned of nothing else" "$(cat out/charts/*.log)" "Warning: empty x range [0:0], adjusting to [0:1]"
ok "a print rule of a province's index" grep -q 'figure.ranking{break-before:page}' out/index.html

# printed: every row whole on a page, the header repeated, each part of the chart on one page
if [ ! -d "$TOP/tests/browser/node_modules/playwright-core" ]; then
	fail "tests/browser/node_modules is missing: run 'make deps' (npm ci in tests/browser)"
else
	# the checks fail what cuts: the same page without its print rules for figures, printed
	# by the same browser into cut.pdf, its lines in cut.out
	sed -e 's/figure.ranking img{max-height:165mm}//' -e 's/figure{margin:1em 0;break-inside:avoid}//' -e 's/figure img{width:auto;max-width:100%;max-height:120mm}//' \
		-e 's/tr,figure,.question{break-inside:avoid}/tr{break-inside:avoid}/' out/index.html >out/cut.html
	golden printed node "$TOP/tests/browser/report-print.js" out/index.html index.pdf \
		out/cut.html cut.pdf cut.out
	ok "pdftotext" pdftotext -layout index.pdf index.txt
	golden printed-pages python3 "$R/printcheck.py" index.txt out/csv/ranking.csv
	same "figures too tall for a page are seen" "$(grep -c 'taller than a page: 0$' cut.out)" 0
	same "figures that may break are seen" "$(grep -c 'may break: 0$' cut.out)" 0
	pdftotext -layout cut.pdf cut.txt
	ok "a cut chart is seen" sh -c '! python3 "$0" cut.txt out/csv/ranking.csv | grep -q "^ranking chart: 5 parts, 0 cut"' "$R/printcheck.py"
fi
finish
