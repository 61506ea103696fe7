# parindex scores with XLSX workbooks: the template written with libxlsxwriter, and a
# hand-made workbook (tests/data/scores/xlsx) with shared, rich, inline and formula strings,
# numbers and booleans, rows with gaps; broken workbooks refused with the part named, bad
# rows with the spreadsheet's row number.
. "$(dirname "$0")/lib.sh"

q() { sqlite3 -batch -noheader t.db "$1"; }
# book NAME [SED-SCRIPT]: zip the hand-made parts, the worksheet edited by SED-SCRIPT
book() {
	rm -rf parts && cp -r "$DATA/scores/xlsx" parts
	[ -n "${2:-}" ] && sed -i "$2" parts/xl/worksheets/sheet1.xml
	(cd parts && zip -q -X -r "../$1" '[Content_Types].xml' _rels xl)
}
stored() { q "SELECT count(*) || '/' || (SELECT count(*) FROM score_import) FROM score"; }

parindex init --db t.db --definition "$DATA/definitions/mini.xml" \
	--communes "$DATA/tally/communes.csv" >/dev/null

golden template parindex scores template --db t.db --out tpl.xlsx
ok "template is a zip with a worksheet" sh -c 'unzip -l tpl.xlsx | grep -q xl/worksheets/sheet1.xml'
ok "template header frozen" sh -c 'unzip -p tpl.xlsx xl/worksheets/sheet1.xml | grep -q "<pane ySplit=\"1\""'
ok "template checks typed scores against the row's max" sh -c 'unzip -p tpl.xlsx xl/worksheets/sheet1.xml | grep -q "<dataValidation type=\"custom\"[^>]*sqref=\"F2:G10\"><formula1>AND(ISNUMBER(F2),F2&gt;=0,F2&lt;=\$E2)"'
ok "template offers x for not applicable" sh -c 'unzip -p tpl.xlsx xl/worksheets/sheet1.xml | grep -q "sqref=\"H2:H10\"><formula1>\"x\"</formula1>"'
ok "template code columns are Text (1.1.1 typed there stays 1.1.1)" sh -c 'unzip -p tpl.xlsx xl/styles.xml | grep -q "numFmtId=\"49\"[^>]*applyNumberFormat=\"1\""'
# read back through our own reader: 9 blank rows, so nothing to import
golden template-read-back parindex scores import --db t.db tpl.xlsx

book good.xlsx
golden good parindex scores import --db t.db good.xlsx
same "stored from the workbook" "$(q "SELECT group_concat(criterion_id || ':' || ifnull(self_score, '-') || ':' || ifnull(appraised_score, '-') || ':' || not_applicable || ':' || row || ':' || note, ' ') FROM current_score")" "1.1.1:1.0:0.5:0:3:Thiếu tài liệu kiểm chứng 1.1.2:-:-:1:4: 2.1:2.0:-:0:6:"
same "format recorded" "$(q "SELECT format FROM score_import")" "xlsx"

# bad rows carry the spreadsheet's row numbers (row 2 and 5 are absent from the sheet)
book above-max.xlsx 's|<c r="C6"><v>2</v></c>|<c r="C6"><v>2.5</v></c>|'
before=$(stored)
golden above-max parindex scores import --db t.db above-max.xlsx
same "above-max: nothing stored" "$(stored)" "$before"
book text-score.xlsx 's|<c r="C3"><v>1</v></c>|<c r="C3" t="inlineStr"><is><t>một</t></is></c>|'
golden text-score parindex scores import --db t.db text-score.xlsx
# 1.1.1 typed into a General cell became the date 01/01/2001, stored as its serial number
book date-code.xlsx 's|<c r="B3" t="s"><v>6</v></c>|<c r="B3" s="1"><v>36892</v></c>|'
golden date-code parindex scores import --db t.db date-code.xlsx
book error-cell.xlsx 's|<c r="C3"><v>1</v></c>|<c r="C3" t="e"><v>#DIV/0!</v></c>|'
golden error-cell parindex scores import --db t.db error-cell.xlsx
book bad-string.xlsx 's|<c r="B6" t="s"><v>8</v></c>|<c r="B6" t="s"><v>42</v></c>|'
golden bad-string parindex scores import --db t.db bad-string.xlsx
book bad-ref.xlsx 's|<c r="B6" t="s">|<c r="B7" t="s">|'
golden bad-ref parindex scores import --db t.db bad-ref.xlsx
book doctype.xlsx 's|<worksheet |<!DOCTYPE worksheet [<!ENTITY x "y">]><worksheet |'
golden doctype parindex scores import --db t.db doctype.xlsx
rm -rf parts && cp -r "$DATA/scores/xlsx" parts && rm parts/xl/worksheets/sheet1.xml
(cd parts && zip -q -X -r ../no-sheet.xlsx '[Content_Types].xml' _rels xl)
golden no-sheet parindex scores import --db t.db no-sheet.xlsx
# 300 rows, each with one value in the last column Excel has (XFD): refused before it costs
# gigabytes, with the cell named
rm -rf parts && cp -r "$DATA/scores/xlsx" parts
awk 'BEGIN { printf "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
	for (r = 1; r <= 300; r++) printf "<row r=\"%d\"><c r=\"XFD%d\"><v>1</v></c></row>", r, r
	print "</sheetData></worksheet>" }' >parts/xl/worksheets/sheet1.xml
(cd parts && zip -q -X -r ../wide.xlsx '[Content_Types].xml' _rels xl)
golden too-wide parindex scores import --db t.db wide.xlsx
# shared strings of 2 MiB of empty items squeezed into a few KiB: refused as a zip bomb before
# libxml2 builds a tree of it
rm -rf parts && cp -r "$DATA/scores/xlsx" parts
awk 'BEGIN { printf "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
	for (i = 0; i < 419430; i++) printf "<si/>"
	print "</sst>" }' >parts/xl/sharedStrings.xml
(cd parts && zip -q -X -r ../bomb.xlsx '[Content_Types].xml' _rels xl)
golden zip-bomb parindex scores import --db t.db bomb.xlsx
# a worksheet named by 300 'ệ' in the relationships: the message quotes it cut on a
# character, with "…"
rm -rf parts && cp -r "$DATA/scores/xlsx" parts
long=$(awk 'BEGIN { for (i = 0; i < 300; i++) printf "ệ" }')
sed -i "s|Target=\"[^\"]*sheet1.xml\"|Target=\"worksheets/$long.xml\"|" parts/xl/_rels/workbook.xml.rels
(cd parts && zip -q -X -r ../long-name.xlsx '[Content_Types].xml' _rels xl)
golden long-part-name parindex scores import --db t.db long-name.xlsx
ok "long part name: valid UTF-8" sh -c '"$PARINDEX" scores import --db t.db long-name.xlsx 2>&1 | iconv -f UTF-8 -t UTF-8 >/dev/null'
printf 'PK\003\004 not really a zip' >fake.xlsx
golden not-a-zip parindex scores import --db t.db fake.xlsx
same "nothing stored by any bad workbook" "$(stored)" "$before"
finish
