# parindex export: the current submissions for analysts. CSV in the shape of ODK Central's
# export (exact golden, formula-safe), XLSX read back from its XML, SPSS .sav read back by PSPP
# and Stata .dta by pandas, with the same values, variable labels and value labels as the
# database holds.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"

# Debian's python3 (pandas is a Debian package, not in every other Python on the PATH)
DEBIAN_PY=/usr/bin/python3

setup_db
golden empty parindex export --db t.db --out empty.csv
golden empty-csv cat empty.csv

# a1, a2, b1, an edit of a1, and one whose comment a spreadsheet would take for a formula and
# whose surveyor's name has a comma and quotes
sed -e 's/000000000002</000000000005</' -e 's/<comment>[^<]*</<comment>=HYPERLINK("http:\/\/x","y")</' \
	-e 's/Trần Văn Hùng/Lê, Văn "Út"/' "$I/a2.xml" >a5.xml
mkzip one.zip "a1.xml=$I/a1.xml" "a2.xml=$I/a2.xml" "b1.xml=$I/b1.xml" "a5.xml=a5.xml"
mkzip two.zip "a1-edit.xml=$I/a1-edit.xml"
ok "import" parindex capture import --db t.db one.zip
PARINDEX_NOW=2026-01-16T09:30:00Z ok "import the edit" parindex capture import --db t.db two.zip

# ---- CSV: Central's columns, one row per current submission, exact
golden csv parindex export --db t.db --format csv --out s.csv
golden csv-file cat s.csv
ok "csv: the format follows the name" parindex export --db t.db --out by-name.csv
ok "csv: same bytes" cmp s.csv by-name.csv
same "csv: a row per current submission" "$(($(wc -l <s.csv) - 1))" \
	"$(q "SELECT count(*) FROM current_submission")"

# ---- XLSX: the same cells as the CSV (strings as strings, never formulas)
golden xlsx parindex export --db t.db --out s.xlsx
python3 "$DATA/reports/xlsxcells.py" s.xlsx submissions >xlsx.tsv
python3 - s.csv >csv.tsv <<'PY'
import csv, sys
for row in csv.reader(open(sys.argv[1], encoding="utf-8")):
    # the CSV's apostrophe before a formula's first character is the CSV's own mark
    print("\t".join(c[1:] if c[:1] == "'" and c[1:2] in ("=", "+", "-", "@", "'") else c
                    for c in row))
PY
ok "xlsx: the same cells as the CSV" diff -u csv.tsv xlsx.tsv
ok "xlsx: no formula cell" sh -c '! unzip -p s.xlsx "xl/worksheets/*.xml" | grep -q "<f>"'

# ---- what the database says: values, question texts, option labels
q "SELECT instance_id, commune_code, group_id, surveyor, coalesce(comment, ''),
	coalesce(json_extract(answers, '\$.sex'), ''), coalesce(json_extract(answers, '\$.qa'), ''),
	coalesce(json_extract(answers, '\$.qb'), ''), coalesce(json_extract(answers, '\$.qc'), '')
	FROM current_submission ORDER BY id" >db-values.txt
q "SELECT s.instance_id, coalesce(o.label_vi, '') FROM current_submission s
	LEFT JOIN scale_option o ON o.def_id = 'mini' AND o.scale_id = 's3'
	AND o.code = json_extract(s.answers, '\$.qa') ORDER BY s.id" >db-qa-labels.txt
q "SELECT id || '|' || text_vi FROM question WHERE def_id = 'mini' ORDER BY seq" >db-questions.txt
q "SELECT scale_id || '|' || code || '|' || label_vi FROM scale_option WHERE def_id = 'mini'
	ORDER BY scale_id, seq" >db-options.txt

# ---- SPSS: PSPP reads the dictionary and the data back
golden sav parindex export --db t.db --format sav --out s.sav
cat >read.sps <<'SPS'
GET FILE='s.sav'.
DISPLAY DICTIONARY.
LIST.
SAVE TRANSLATE /OUTFILE='sav-values.csv' /TYPE=CSV /REPLACE /FIELDNAMES /CELLS=VALUES.
SAVE TRANSLATE /OUTFILE='sav-labels.csv' /TYPE=CSV /REPLACE /FIELDNAMES /CELLS=LABELS.
SPS
golden pspp pspp -O format=txt -O box=ascii -o - read.sps
python3 - sav-values.csv sav-labels.csv >sav-check.txt <<'PY'
import csv, sys
values = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
labels = list(csv.DictReader(open(sys.argv[2], encoding="utf-8")))
with open("sav-values.txt", "w", encoding="utf-8") as f:
    for r in values:
        f.write("|".join(r[k].strip() for k in
                         ("instanceID", "commune", "group", "surveyor", "comment", "sex", "qa",
                          "qb", "qc")) + "\n")
with open("sav-qa-labels.txt", "w", encoding="utf-8") as f:
    for r in labels:
        f.write(r["instanceID"].strip() + "|" + (r["qa"].strip() if r["qa"].strip() else "") + "\n")
PY
ok "sav: the same values as the database" diff -u db-values.txt sav-values.txt
# a value without a label (qa left empty) shows as itself: keep only the labelled ones
ok "sav: qa shows the database's option labels" diff -u db-qa-labels.txt sav-qa-labels.txt

# ---- Stata: pandas reads values, variable labels and value labels back
golden dta parindex export --db t.db --format dta --out s.dta
ok "dta: pandas reads it" $DEBIAN_PY - s.dta <<'PY'
import sys, pandas as pd
r = pd.io.stata.StataReader(sys.argv[1])
with r:
    data = r.read(convert_categoricals=False)
    var = r.variable_labels()
    val = r.value_labels()
labelled = pd.read_stata(sys.argv[1])
with open("dta-values.txt", "w", encoding="utf-8") as f:
    s3 = ["a", "b", "c", "x"]  # the scale's codes in order: a .dta holds their place 1..4
    for i, row in data.iterrows():
        def code(c, numeric):
            v = row[c]
            if pd.isna(v):
                return ""
            return str(int(v)) if numeric else s3[int(v) - 1]
        f.write("|".join([row["instanceID"], row["commune"], row["group"], row["surveyor"],
                          row["comment"], code("sex", True), code("qa", False),
                          code("qb", False), code("qc", False)]) + "\n")
with open("dta-qa-labels.txt", "w", encoding="utf-8") as f:
    for i, row in labelled.iterrows():
        v = row["qa"]
        f.write(row["instanceID"] + "|" + ("" if pd.isna(v) else str(v)) + "\n")
with open("dta-questions.txt", "w", encoding="utf-8") as f:
    for q in ("sex", "qa", "qb", "qc"):
        f.write(q + "|" + var[q] + "\n")
with open("dta-options.txt", "w", encoding="utf-8") as f:
    for scale, name in (("s3", "l_s3"), ("sex", "l_sex")):
        for k in sorted(val[name]):
            code = s3[k - 1] if scale == "s3" else str(k)
            f.write(scale + "|" + code + "|" + val[name][k] + "\n")
PY
ok "dta: the same values as the database" diff -u db-values.txt dta-values.txt
ok "dta: qa shows the database's option labels" diff -u db-qa-labels.txt dta-qa-labels.txt
ok "dta: variable labels are the questions' texts" diff -u db-questions.txt dta-questions.txt
ok "dta: value labels are the options' labels" diff -u db-options.txt dta-options.txt

# ---- question ids SPSS or Stata would refuse as names: a reserved word (BY), one equal to
# another but for case (QA beside qa): renamed, both files still read
sed -e 's/<question id="qb"/<question id="BY"/' -e 's/<question id="qc"/<question id="QA"/' \
	"$DATA/definitions/mini.xml" >names.xml
parindex init --db names.db --definition names.xml --communes "$CAP/communes.csv" >/dev/null &&
	parindex forms --db names.db --out names-forms >/dev/null
sed -e 's/<qb>\([a-z]*\)<\/qb>/<BY>\1<\/BY>/' "$I/a1.xml" >n-a1.xml
sed -e 's/<qc>\([a-z]*\)<\/qc>/<QA>\1<\/QA>/' "$I/b1.xml" >n-b1.xml
mkzip names.zip "a1.xml=n-a1.xml" "b1.xml=n-b1.xml"
ok "names: import" parindex capture import --db names.db names.zip
ok "names: sav" parindex export --db names.db --out names.sav
ok "names: dta" parindex export --db names.db --out names.dta
printf "GET FILE='names.sav'.\nSAVE TRANSLATE /OUTFILE='names.csv' /TYPE=CSV /REPLACE /FIELDNAMES /CELLS=LABELS.\n" >names.sps
ok "names: pspp reads it" pspp names.sps
same "names: sav columns and labels" "$(cut -d, -f8-11 names.csv)" \
	"$(printf 'sex,qa,v_BY,QA_2\nNữ,Tốt,Trung bình,\nNữ,Tốt,,Không biết')"
same "names: dta columns and labels" "$(PYTHONIOENCODING=utf-8 $DEBIAN_PY -c "
import pandas as pd
d = pd.read_stata('names.dta').iloc[:, 7:11]
print(','.join(d.columns))
for r in d.itertuples(index=False): print(','.join('' if pd.isna(v) else str(v) for v in r))")" \
	"$(printf 'sex,qa,v_BY,QA_2\nNữ,Tốt,Trung bình,\nNữ,Tốt,,Không biết')"

# ---- usage and refusals
golden bad-format parindex export --db t.db --format ods
golden extra-argument parindex export --db t.db s.csv
golden no-folder parindex export --db t.db --out nowhere/s.csv
same "no-folder: nothing left behind" "$(ls nowhere 2>/dev/null | wc -l)" "0"

finish
