# Data never becomes code in an output (issue 16): a register and a definition with a
# backquote command in a commune name, a question, a tier label and the district; a commune
# named as a spreadsheet formula; question ids qé and qè; control characters in a zip entry
# name, a commune name, a register code and a scores cell. Checked on what the user gets: no
# command ran (report, then a redraw with gnuplot NAME.gp), no CSV cell a spreadsheet reads as
# a formula, the terminal shown escapes, one chart per question under its own caption.
. "$(dirname "$0")/lib.sh"

ESC=$(printf '\033')
BEL=$(printf '\007')
CR=$(printf '\r')
sed -e 's/id="qb"/id="qé"/; s/id="qc"/id="qè"/' \
	-e 's/>Câu hỏi a</>Câu hỏi a `touch PWNED-question`</' \
	-e 's/>Hoàn thành tốt nhiệm vụ</>Hoàn thành `touch PWNED-tier` tốt nhiệm vụ</' \
	-e 's/>Huyện Thử nghiệm</>Huyện `touch PWNED-district` @x</' \
	-e 's/>Lĩnh vực một</>Lĩnh vực \&#x9b;31m một</' \
	"$DATA/definitions/mini.xml" >def.xml
{
	echo 'code,name,type,district_code,district'
	echo '90001,Lai Cách`touch PWNED-commune`,xã,999,Huyện Thử nghiệm'
	echo '90002,"=HYPERLINK(""http://evil.example/"",""bấm"")",xã,999,Huyện Thử nghiệm'
	echo '90003,-2+3,thị trấn,999,Huyện Thử nghiệm'
} >communes.csv
sed -e 's/"qb"/"qé"/g; s/"qc"/"qè"/g' "$DATA/tally/mini-survey.sql" >survey.sql
ok "init" parindex init --definition def.xml --communes communes.csv
ok "survey" sqlite3 parindex.db ".read survey.sql"
ok "scores" parindex scores import "$DATA/scores/mini.csv"

# 1. gnuplot: the report draws every chart, and no backquote ran, then or on a redraw
ok "tally" parindex tally
ok "report" parindex report --out out
same "no command ran during the report" "$(find "$T" -name 'PWNED*' | wc -l)" 0
same "every chart drawn" "$(ls out/charts/*.png | wc -l)" "$(ls out/charts/*.gp | wc -l)"
rm out/charts/*.png out/charts/*.svg
for f in out/charts/*.gp; do
	(cd out/charts && gnuplot "$(basename "$f")") >>redraw.log 2>&1
done
same "no command ran on a redraw with gnuplot NAME.gp" "$(find "$T" -name 'PWNED*' | wc -l)" 0
same "the redraw drew every chart" "$(ls out/charts/*.png | wc -l)" 9
same "gnuplot said nothing" "$(cat redraw.log)" ""
# the texts are drawn as text, backquotes and all
ok "commune name drawn" grep -q 'Lai Cách`touch PWNED-commune`' out/charts/ranking.svg
ok "tier label drawn" grep -q 'Hoàn thành `touch PWNED-tier` tốt' out/charts/ranking.svg
ok "question drawn" grep -q 'Câu hỏi a `touch PWNED-question`' out/charts/answers-qa.svg
ok "district and macro drawn" grep -q 'Huyện `touch PWNED-district` @x' out/charts/ranking.svg

# 8. chart names: qé and qè each have a chart, under their own caption in the page
same "one chart per question" "$(ls out/charts/answers-*.gp | sed 's|.*/||' | tr '\n' ' ')" \
	"answers-qa.gp answers-q~c3~a8.gp answers-q~c3~a9.gp "
same "each page figure shows its own chart" "$(python3 - out/index.html <<'PY'
import base64, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
for src, cap in re.findall(r'<img alt="[^"]*" src="data:image/svg\+xml;base64,([^"]*)"><figcaption>(Câu [^<]*)</figcaption>', page):
    svg = base64.b64decode(src).decode("utf-8")
    print(cap.split(".")[0], "ok" if cap.replace("&#96;", "`") in svg else "WRONG CHART")
PY
)" "Câu qa ok
Câu qé ok
Câu qè ok"

# HTML: every text escaped, the formula and the backquotes shown as text
ok "HTML: the formula as text" grep -q '=HYPERLINK(&quot;http://evil.example/&quot;,&quot;bấm&quot;)' out/index.html
ok "HTML: the backquotes as text" grep -q 'Lai Cách`touch PWNED-commune`' out/index.html
same "HTML: no raw quote from the name" "$(grep -c 'HYPERLINK("' out/index.html)" 0

# 2. CSV: no cell of any CSV written reads as a formula; the formula is still there as text
noformula() { # noformula FILE...: cells starting with = + - @ tab CR, other than -NUMBER
	python3 - "$@" <<'PY'
import csv, re, sys
bad = 0
for f in sys.argv[1:]:
    for row in csv.reader(open(f, encoding="utf-8-sig", newline="")):
        for cell in row:
            if cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(r"-[0-9]+(\.[0-9]+)?", cell):
                print(f, repr(cell))
                bad = 1
sys.exit(bad)
PY
}
ok "report tables" noformula out/csv/*.csv
ok "kept as text" grep -q "\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"bấm\"\")\"" out/csv/ranking.csv
parindex tally --format csv >tally.csv
ok "tally --format csv" noformula tally.csv
ok "tally csv: the name as text" grep -q "^,90002,\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"bấm\"\")\",[0-9]" tally.csv
ok "tally csv: a formula-like name" grep -q "^,90003,\"'-2+3\",0.00," tally.csv
ok "scores template" parindex scores template --out template.csv
ok "scores template cells" noformula template.csv
# a code the template writes with the apostrophe ('-9001) imports back as the code
printf 'code,name,type,district_code,district\n-9001,Thử,xã,999,H\n' >neg.csv
ok "register with a code starting with -" parindex init --db neg.db --definition "$DATA/definitions/mini.xml" --communes neg.csv
ok "its template" parindex scores template --db neg.db --out neg-template.csv
same "the code kept as text" "$(cut -d, -f1 neg-template.csv | sort -u | tr '\n' ' ')" "\"'-9001\" commune_code "
python3 -c 'import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
w = csv.writer(open(sys.argv[2], "w", encoding="utf-8", newline=""))
w.writerow(rows[0])
for r in rows[1:]:
    r[5] = r[4]
    w.writerow(r)' neg-template.csv neg-filled.csv
ok "the filled template imports" parindex scores import --db neg.db neg-filled.csv
same "stored under the register's code" "$(sqlite3 neg.db "SELECT DISTINCT commune_code FROM score")" "-9001"
ok "forms" parindex forms --out forms
ok "codebook" noformula forms/codebook.csv
ok "codebook names the commune as text" grep -q "'=HYPERLINK" forms/codebook.csv

# the capture receipt, from an untrusted zip: an instanceID and a commune written as formulas;
# entry names with ESC, BEL and CR (a fake "all entries OK" line) shown escaped on stderr
ok "capture database" parindex init --db c.db --definition "$DATA/definitions/mini.xml" --communes "$DATA/capture/communes.csv"
ok "capture forms" parindex forms --db c.db --out cforms
python3 - "$DATA/capture/instances/a1.xml" <<'PY'
import sys, zipfile
a1 = open(sys.argv[1], encoding="utf-8").read()
formula_id = a1.replace("uuid:00000000-0000-4000-8000-000000000001", '=1+2*HYPERLINK("http://evil.example/")')
formula_commune = a1.replace("<commune>90001</commune>", "<commune>=cmd|' /C calc'!A0</commune>").replace("000000000001", "000000000099")
with zipfile.ZipFile("evil.zip", "w") as z:
    for name, data in (("id.xml", formula_id),
                       ("a\x1b]0;owned\x07b\x1b[2J.xml", formula_commune),
                       ("c\rparindex: all entries OK\x1b[K.xml", "<not xml")):
        info = zipfile.ZipInfo(name, date_time=(2026, 1, 10, 8, 0, 0))
        z.writestr(info, data)
PY
parindex capture import --db c.db --dry-run evil.zip 2>dry.err >/dev/null
same "two messages on stderr" "$(wc -l <dry.err)" 2
same "no control byte on stderr" "$(tr -d '\n\040-\176\200-\377' <dry.err | wc -c)" 0
golden capture-escaped parindex capture import --db c.db --receipt receipt.csv evil.zip
ok "receipt" noformula receipt.csv
cells() { # cells FILE COLUMN: that column of each data row of the CSV, one a line
	python3 -c 'import csv, sys
for row in list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))[1:]:
    print(row[int(sys.argv[2])])' "$@"
}
same "receipt: the instanceID kept as text" "$(cells receipt.csv 2 | head -n 1)" "'=1+2*HYPERLINK(\"http://evil.example/\")"
same "receipt: the commune kept as text" "$(cells receipt.csv 4 | sed -n 2p)" "'=cmd|' /C calc'!A0"
same "stored as it came" "$(sqlite3 c.db "SELECT instance_id FROM submission")" '=1+2*HYPERLINK("http://evil.example/")'

# 3. terminal: a commune name, a register code and a scores cell with control characters
{
	echo 'code,name,type,district_code,district'
	echo "90003,\"Thử${ESC}]0;owned${BEL} Ba${CR}1 Đông Phong\",thị trấn,999,Huyện Thử nghiệm"
} >esc-name.csv
# the register refuses it at init (t0002); a database written before that check may hold
# one, so it is written in directly and every output must still show it escaped
golden register-control-name parindex init --communes esc-name.csv
ok "a name with control characters" sqlite3 parindex.db "UPDATE commune SET name = 'Thử${ESC}]0;owned${BEL} Ba${CR}1 Đông Phong', type = 'thị trấn' WHERE code = '90003'"
# XML has no place for an ESC or BEL: the XForms and the printable forms leave them out
ok "forms with that name" parindex forms --out escforms
ok "its XForms are XML" xmllint --noout escforms/mini-A.xml escforms/mini-B.xml
ok "the name in the XForm without them" grep -q 'Thử\]0;owned Ba' escforms/mini-A.xml
ok "tally again" parindex tally --format csv
golden tally-escaped parindex tally
parindex tally --explain 90003 >explain.txt
ok "explain: the name escaped" grep -q 'Thử\\x1b]0;owned\\x07 Ba\\r1 Đông Phong' explain.txt
ok "explain: a C1 control of the definition escaped" grep -q 'Lĩnh vực \\u009b31m một' explain.txt
same "explain: no control byte" "$(tr -d '\n\040-\176\200-\377' <explain.txt | wc -c)" 0
printf 'code,name,type,district_code,district\n9%s[31m1,Thử,xã,999,H\n' "$ESC" >esc-code.csv
golden register-code parindex init --db e.db --definition "$DATA/definitions/mini.xml" --communes esc-code.csv
head -n 1 "$DATA/scores/mini.csv" >esc-scores.csv
echo "90001,Thử Một,1.1.1,x,1,1${ESC}[2J${ESC}[H,0.5,," >>esc-scores.csv
golden scores-cell parindex scores import esc-scores.csv
# 1 again, the data files: a commune name (ranking.dat) and a group name (a tic label of
# answers-*.dat) with a backquote command, an @macro, backslash sequences gnuplot reads in a
# data column (\101 is 'A', \033 an ESC) and a raw ESC: nothing runs, every SVG stays XML, and
# the names are drawn as typed (the ESC as a space), on the report and on a redraw
sed -e 's/>Nhóm A</>Nhóm `touch PWNED-group` @x \\101 \\033 \\\\ A</' "$DATA/definitions/mini.xml" >gdef.xml
{
	echo 'code,name,type,district_code,district'
	printf '90001,Xã `touch PWNED-name` @x \\101\\033 \\\\ yQz,xã,999,Huyện Thử nghiệm\n'
	echo '90002,Hai,xã,999,Huyện Thử nghiệm'
	echo '90003,Ba,thị trấn,999,Huyện Thử nghiệm'
} >gcommunes.csv
ok "init (data files)" parindex init --db g.db --definition gdef.xml --communes gcommunes.csv
# the register refuses a raw ESC (t0002): an older database may hold one, so it is written in
ok "a raw ESC in the name" sqlite3 g.db "UPDATE commune SET name = replace(name, 'yQz', 'y' || char(27) || 'z') WHERE code = '90001'"
ok "survey (data files)" sqlite3 g.db ".read $DATA/tally/mini-survey.sql"
ok "tally (data files)" parindex tally --db g.db
ok "report (data files)" parindex report --db g.db --out gout --formats svg,html
same "data files: no command ran" "$(find "$T" -name 'PWNED*' | wc -l)" 0
ok "data files: every SVG is XML" xmllint --noout gout/charts/*.svg
ok "the commune name drawn as typed" grep -qF 'Xã `touch PWNED-name` @x \101\033 \\ y z' gout/charts/ranking.svg
ok "the group name drawn as typed" grep -qF '<text>A. Nhóm `touch PWNED-group` @x \101 \033</text>' gout/charts/answers-qa.svg
ok "its second line" grep -qF '<text>\\ A (n=4)</text>' gout/charts/answers-qa.svg
rm gout/charts/*.svg
for f in gout/charts/*.gp; do
	(cd gout/charts && gnuplot "$(basename "$f")") >>gredraw.log 2>&1
done
same "data files: no command ran on a redraw" "$(find "$T" -name 'PWNED*' | wc -l)" 0
# (appraisal.gp, no scores imported: gnuplot's warning about an empty y range, nothing else)
same "data files: the redraw said nothing else" "$(grep -v '^Warning: empty y range' gredraw.log)" ""
ok "data files: every redrawn SVG is XML" xmllint --noout gout/charts/*.svg
ok "the commune name redrawn as typed" grep -qF 'Xã `touch PWNED-name` @x \101\033 \\ y z' gout/charts/ranking.svg
finish
