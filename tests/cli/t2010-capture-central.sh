# parindex capture import of ODK Central's CSV export (the zip of FORMID.csv, repeat join
# tables and files/, and the bare CSV): the same submissions, an edit and a resend included,
# give the same submission table as their XML; a bad table is refused whole, named by file,
# line and column; a bad row is rejected alone, named by file, row and column.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"

central() { python3 "$CAP/central.py" "$@"; }

# the submission table without bookkeeping (ids as the instance ids they stand for; batch_id
# and sha256 left out)
state() {
	sqlite3 -batch -noheader "${1:-t.db}" "SELECT s.instance_id, s.form_id, s.form_version,
		s.group_id, s.commune_code, s.surveyor, s.started, s.ended, s.device_id, s.comment,
		s.answers, s.deprecated_id,
		(SELECT r.instance_id FROM submission r WHERE r.id = s.replaces),
		(SELECT r.instance_id FROM submission r WHERE r.id = s.superseded_by)
		FROM submission s ORDER BY s.instance_id"
}

setup_db
cp t.db empty.db

# ---- the same submissions as XML: a1, a2, b1, then an edit of a1 and a2 sent again
mkzip xml-1.zip "a1.xml=$I/a1.xml" "a2.xml=$I/a2.xml" "b1.xml=$I/b1.xml"
mkzip xml-2.zip "a1-edit.xml=$I/a1-edit.xml" "a2.xml=$I/a2.xml"
ok "xml: first" parindex capture import --db t.db xml-1.zip
ok "xml: second" parindex capture import --db t.db xml-2.zip
state >xml.state
same "xml: four rows" "$(wc -l <xml.state)" "4"

# ---- Central: the export downloaded before the edit (a zip: root tables, a repeat group's
# table, an attachment), then the bare CSV of mini-A downloaded after it: the edit is one row
# under its first version's KEY with Edits 1, a2 is in it again
cp empty.db t.db
central "$T/forms/mini-A.xml" mini-A.csv "$I/a1.xml" "$I/a2.xml"
central "$T/forms/mini-B.xml" mini-B.csv "$I/b1.xml"
printf 'q,PARENT_KEY,KEY\n1,uuid:x,uuid:x/r[1]\n' >mini-A-r.csv
mkzip export-1.zip "mini-A.csv=mini-A.csv" "mini-A-r.csv=mini-A-r.csv" "mini-B.csv=mini-B.csv" \
	"files/uuid00000000-0000-4000-8000-000000000001/1736496000000.jpg=$CAP/communes.csv"
golden export-1 parindex capture import --db t.db --receipt export-1.receipt export-1.zip
golden export-1-receipt cat export-1.receipt
mkdir later
central "$T/forms/mini-A.xml" later/mini-A.csv \
	"$I/a1-edit.xml@uuid:00000000-0000-4000-8000-000000000001@1" "$I/a2.xml"
golden export-2 parindex capture import --db t.db --receipt export-2.receipt later/mini-A.csv
golden export-2-receipt cat export-2.receipt
state >central.state
ok "central and xml: the same submission table" diff -u xml.state central.state
same "batches: the CSV is one batch, its rows the entries" \
	"$(q "SELECT group_concat(file_name || ' ' || entries || ' ' || size, ';') FROM batch")" \
	"export-1.zip 5 $(wc -c <export-1.zip | tr -d ' ');mini-A.csv 2 $(wc -c <later/mini-A.csv | tr -d ' ')"
golden again parindex capture import --db t.db later/mini-A.csv

# the export with a meta-deprecatedID column: an edit of an edit (KEY is the first version,
# the column names the one it replaces) in one go, in either order
cp empty.db t.db
mkzip chain-xml.zip "a1.xml=$I/a1.xml" "a1-edit.xml=$I/a1-edit.xml" "a1-edit2.xml=$I/a1-edit2.xml"
ok "chain: xml" parindex capture import --db t.db chain-xml.zip
state >chain-xml.state
cp empty.db t.db
central --deprecated-column "$T/forms/mini-A.xml" mini-A.csv \
	"$I/a1-edit2.xml@uuid:00000000-0000-4000-8000-000000000001@2" \
	"$I/a1-edit.xml@uuid:00000000-0000-4000-8000-000000000001@1" "$I/a1.xml"
ok "chain: csv" parindex capture import --db t.db mini-A.csv
state >chain-csv.state
ok "chain: the same submission table" diff -u chain-xml.state chain-csv.state

# an edit of an edit exported without meta-deprecatedID (KEY the first version, Edits 2):
# it replaces the version stored, the first when the middle one never came, else the middle one
mkdir twice
central "$T/forms/mini-A.xml" twice/mini-A.csv \
	"$I/a1-edit2.xml@uuid:00000000-0000-4000-8000-000000000001@2"
cp empty.db t.db
central "$T/forms/mini-A.xml" mini-A.csv "$I/a1.xml"
ok "twice: the first version" parindex capture import --db t.db mini-A.csv
golden twice-first parindex capture import --db t.db twice/mini-A.csv
same "twice-first: the last version replaces the first" \
	"$(q "SELECT substr(instance_id, -2) || '>' || substr(deprecated_id, -2) || ' ' || (SELECT substr(r.instance_id, -2) FROM submission r WHERE r.id = s.replaces) FROM submission s WHERE replaces IS NOT NULL")" \
	"12>01 01"
cp empty.db t.db
mkzip two-xml.zip "a1.xml=$I/a1.xml" "a1-edit.xml=$I/a1-edit.xml"
ok "twice: the first two versions as XML" parindex capture import --db t.db two-xml.zip
golden twice-middle parindex capture import --db t.db twice/mini-A.csv
state >twice.state
ok "twice-middle: the same submission table as the chain in XML" diff -u chain-xml.state twice.state
golden twice-again parindex capture import --db t.db --receipt twice.receipt twice/mini-A.csv
golden twice-again-receipt cat twice.receipt

# ---- bad rows: each rejected alone with file, row and column; the good row stored
cp empty.db t.db
central "$T/forms/mini-A.xml" rows.csv "$I/a1.xml" "$I/a2.xml" "$I/a2.xml" "$I/a2.xml" "$I/a2.xml"
python3 - rows.csv <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
h = rows[0]
def put(r, col, v): rows[r][h.index(col)] = v
put(2, "qa", "z")                                         # not an option
put(3, "commune", "99999")                                # not in the register
put(3, "meta-instanceID", "uuid:00000000-0000-4000-8000-000000000003")
put(4, "Status", "not decrypted")                         # Central could not decrypt it
put(4, "meta-instanceID", "uuid:00000000-0000-4000-8000-000000000004")
rows[5] = rows[5][:-1]                                    # a cell short
with open("mini-A.csv", "w", encoding="utf-8", newline="") as f:
    csv.writer(f, lineterminator="\n").writerows(rows)
PY
golden bad-rows parindex capture import --db t.db --receipt bad-rows.receipt mini-A.csv
golden bad-rows-receipt cat bad-rows.receipt
same "bad rows: only a1 stored" "$(q "SELECT group_concat(instance_id) FROM submission")" \
	"uuid:00000000-0000-4000-8000-000000000001"

# ---- bad tables: refused whole, nothing stored from them
cp empty.db t.db
central "$T/forms/mini-A.xml" good.csv "$I/a1.xml" "$I/a2.xml"
mkdir bad
sed '1s/,qb,/,qz,/' good.csv >bad/mini-A.csv
golden unknown-column parindex capture import --db t.db bad/mini-A.csv
sed '1s/,FormVersion$/,Version/' good.csv >bad/mini-A.csv
golden no-form-version parindex capture import --db t.db bad/mini-A.csv
sed '1s/^SubmissionDate,start,/SubmissionDate,start,start,/; 2,$s/^\([^,]*\),\([^,]*\),/\1,\2,\2,/' good.csv >bad/mini-A.csv
golden repeated-column parindex capture import --db t.db bad/mini-A.csv
cp good.csv bad/mini-Z.csv
golden unknown-form parindex capture import --db t.db bad/mini-Z.csv
cut -d, -f2- good.csv >bad/mini-A.csv
golden not-central parindex capture import --db t.db bad/mini-A.csv
{ cat good.csv; printf '2026-01-12T03:00:00.000Z,"unterminated\n'; } >bad/mini-A.csv
golden malformed parindex capture import --db t.db bad/mini-A.csv
{ head -n 2 good.csv; printf '2026-01-12T03:00:00.000Z,\377\n'; } >bad/mini-A.csv
golden not-utf8 parindex capture import --db t.db bad/mini-A.csv
: >bad/mini-A.csv
golden empty parindex capture import --db t.db bad/mini-A.csv
# in a zip, a table of an unknown form is rejected; a CSV that is not Central's is ignored
mkzip bad.zip "mini-Z.csv=bad/mini-Z.csv" "mini-A.csv=good.csv" "codebook.csv=$CAP/communes.csv"
golden bad-in-zip parindex capture import --db t.db --receipt bad-in-zip.receipt bad.zip
golden bad-in-zip-receipt cat bad-in-zip.receipt
same "bad tables: only the good table of the zip stored" \
	"$(q "SELECT count(*) FROM submission")" "2"

finish
