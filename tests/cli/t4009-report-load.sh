# The report reads each commune's detail as the tally wrote it (tally_detail's two JSON arrays,
# migration 0005), not through the views that take them apart: any JSON layout of the same
# values gives the same report byte for byte (white space, escaped characters, members in
# another order where JSON allows it); a damaged array or an id the definition lacks is
# refused with the commune and the column named, exit 1, and no report folder is made.
. "$(dirname "$0")/lib.sh"

R="$DATA/reports"
parindex init --definition "$DATA/definitions/mini.xml" --communes "$R/communes.csv" >/dev/null
sqlite3 parindex.db ".read $R/mini-tally.sql"
ok "report from the tally as written" parindex report --out before --formats csv
cp parindex.db tally.db

# the same values in another layout: indented, every character escaped as \uXXXX, the groups
# of each question and the options of each group in reverse order (JSON objects: no order)
cat >relayout.py <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
def rev(v):
    return {k: v[k] for k in reversed(list(v))} if isinstance(v, dict) else v
for code, crit, ques in db.execute("SELECT commune_code, criteria, questions FROM tally_detail").fetchall():
    q = json.loads(ques)
    for e in q:
        e[6] = rev({g: v[:3] + [rev(v[3])] for g, v in e[6].items()})
    esc = lambda x: json.dumps(x, indent=1, ensure_ascii=False).replace('"q', '"\\u0071')
    db.execute("UPDATE tally_detail SET criteria = ?, questions = ? WHERE commune_code = ?",
               (esc(json.loads(crit)), esc(q), code))
db.commit()
PY
ok "tally_detail laid out another way" python3 relayout.py parindex.db
ok "the layout did change" sh -c '[ "$(sqlite3 parindex.db "SELECT questions FROM tally_detail LIMIT 1")" != "$(sqlite3 tally.db "SELECT questions FROM tally_detail LIMIT 1")" ]'
ok "report of the other layout" parindex report --out after --formats csv
ok "the same six tables byte for byte" diff -r before/csv after/csv

# damaged: cut short, a wrong type, an unknown question, group, option and criterion
damage() { # damage NAME SQL: the report of the tally changed by SQL, golden; no folder made
	cp tally.db bad.db
	sqlite3 bad.db "$2"
	golden "$1" parindex report --db bad.db --out "out-$1"
	ok "$1: no report folder" test ! -e "out-$1"
}
damage cut "UPDATE tally_detail SET questions = substr(questions, 1, 60) WHERE commune_code = '00003'"
damage not-a-number "UPDATE tally_detail SET questions = json_set(questions, '\$[1][2]', 'many') WHERE commune_code = '00002'"
damage trailing "UPDATE tally_detail SET criteria = criteria || ' x' WHERE commune_code = '00001'"
damage unknown-question "UPDATE tally_detail SET questions = json_set(questions, '\$[0][0]', 'qz') WHERE commune_code = '00004'"
damage unknown-group "UPDATE tally_detail SET questions = replace(questions, '\"B\":', '\"Z\":') WHERE commune_code = '00002'"
damage unknown-option "UPDATE tally_detail SET questions = replace(questions, '\"a\":', '\"z\":') WHERE commune_code = '00002'"
damage unknown-criterion "UPDATE tally_detail SET criteria = json_set(criteria, '\$[0][0]', 'c9') WHERE commune_code = '00005'"
finish
