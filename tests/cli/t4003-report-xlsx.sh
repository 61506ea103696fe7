# The report's workbook read back without Excel (unzip + the sheets' XML): every number of
# every sheet equals the tally tables; header rows frozen; the published decimals as number
# formats; a changed tally is caught.
. "$(dirname "$0")/lib.sh"

R="$DATA/reports"
parindex init --definition "$DATA/definitions/mini.xml" --communes "$R/communes.csv" >/dev/null
sqlite3 parindex.db ".read $R/mini-tally.sql"
ok "report xlsx" parindex report --out out --formats xlsx
ok "a zip with six sheets" test "$(unzip -Z1 out/report.xlsx | grep -c '^xl/worksheets/sheet[0-9]*.xml$')" = 6
ok "every sheet is well-formed XML" sh -c 'for i in 1 2 3 4 5 6; do unzip -p out/report.xlsx xl/worksheets/sheet$i.xml | xmllint --noout - || exit 1; done'

# the cells, number formats included, as golden text
golden sheet-ranking python3 "$R/xlsxcells.py" out/report.xlsx "Xếp hạng" --pane --formats
golden sheet-quotas python3 "$R/xlsxcells.py" out/report.xlsx "Chỉ tiêu phiếu" --pane
ok "question scores with four decimals" sh -c 'python3 "$0/xlsxcells.py" out/report.xlsx "Câu hỏi" --formats | grep -q "^00001	Đông Phong	qb	.*	0\.8333 \[0.0000\]	"' "$R"

ok "printed on A4 landscape, one page wide" sh -c 'unzip -p out/report.xlsx xl/worksheets/sheet1.xml | grep -q "<pageSetup paperSize=\"9\" fitToHeight=\"0\" orientation=\"landscape\""'
ok "fitted to the page width" sh -c 'unzip -p out/report.xlsx xl/worksheets/sheet1.xml | grep -q "<pageSetUpPr fitToPage=\"1\""'
ok "title and header repeated on each page" sh -c 'unzip -p out/report.xlsx xl/workbook.xml | grep -q "_xlnm.Print_Titles"'
ok "a filter on the header row" sh -c 'unzip -p out/report.xlsx xl/worksheets/sheet1.xml | grep -q "<autoFilter ref=\"A2:L8\""'
# written a row at a time (libxlsxwriter's constant_memory: the memory does not grow with the
# units, measured in HACKING.md): strings inline in the sheets, no shared string table kept
ok "strings inline, row by row" sh -c '! unzip -Z1 out/report.xlsx | grep -q sharedStrings && unzip -p out/report.xlsx xl/worksheets/sheet1.xml | grep -q "t=\"inlineStr\"><is><t>STT</t>"'

# every number against the database, rounded as shown
golden cells python3 "$R/xlsxcheck.py" out/report.xlsx parindex.db
# 00001's points (9.0725 shows as 9.07, not 9.06), and 00002's count of 'a' from group B for
# qc (its third question)
sqlite3 parindex.db "UPDATE tally_commune SET points = 9.0725 WHERE commune_code = '00001'"
sqlite3 parindex.db "UPDATE tally_detail SET questions = json_set(questions, '\$[2][6].B[3].a', 3) WHERE commune_code = '00002'"
golden changed-tally-caught python3 "$R/xlsxcheck.py" out/report.xlsx parindex.db
finish
