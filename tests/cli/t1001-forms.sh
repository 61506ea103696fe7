# parindex forms: what is written (golden for the small definition), registration in the
# database, byte-identical regeneration, a changed register, a new definition version, and
# refusals that leave the folder and the database as they were.
. "$(dirname "$0")/lib.sh"

MINI="$DATA/definitions/mini.xml"
COMMUNES="$DATA/forms/communes-999.csv"
q() { sqlite3 parindex.db "$1"; }
nfc() { python3 -c 'import sys, unicodedata
t = open(sys.argv[1], encoding="utf-8").read()
sys.exit(0 if t == unicodedata.normalize("NFC", t) else 1)' "$1"; }

golden no-database parindex forms --out out
ok "no folder without a database" test ! -e out

parindex init --definition "$MINI" >/dev/null
golden no-communes parindex forms --out out
ok "no folder without communes" test ! -e out
same "nothing registered without communes" "$(q 'SELECT count(*) FROM form')" 0

parindex init --communes "$COMMUNES" >/dev/null
golden generate parindex forms --out out
same "files written" "$(cd out && ls | tr '\n' ' ')" \
	"codebook.csv formList.xml mini-A.html mini-A.xml mini-B.html mini-B.xml "
ok "no temporary file left" sh -c '! ls -A out | grep -q "^\."'
# the bytes of everything generated from the small definition, reviewed by hand
golden xform-A cat out/mini-A.xml
golden xform-B cat out/mini-B.xml
golden formlist cat out/formList.xml
golden codebook cat out/codebook.csv
golden html-A cat out/mini-A.html
ok "the serial number box, the group printed in it" grep -q '<div class="serial"><b>SỐ PHIẾU</b>.*nhóm<b class="g">A</b> số thứ tự' out/mini-A.html
golden lint-generated parindex forms lint out/mini-A.xml out/mini-B.xml

# group B is asked qa and qc, not qb (mini.xml); the district filter leaves out 88801
ok "B asks qc" grep -q '<qc/>' out/mini-B.xml
not_ok "B does not ask qb" grep -q '<qb' out/mini-B.xml
not_ok "a commune of another district is not offered" grep -q 88801 out/mini-A.xml
ok "a commune label is name (code)" grep -qF '<value>Quỳnh Lưu (99903)</value>' out/mini-A.xml
for f in out/*; do ok "$f is NFC" nfc "$f"; done
ok "the XForms are well-formed" xmllint --noout out/mini-A.xml out/mini-B.xml out/formList.xml

# registration: one row per group, the sha256 of the exact bytes written
same "registered forms" "$(q "SELECT id || ' ' || version || ' ' || def_id || ' ' || def_version || ' ' || group_id || ' ' || generated_at FROM form ORDER BY id")" \
"mini-A 1 mini 1 A 2026-01-15T08:00:00Z
mini-B 1 mini 1 B 2026-01-15T08:00:00Z"
for g in A B; do
	same "sha256 of mini-$g" "$(q "SELECT sha256 FROM form WHERE id = 'mini-$g'")" \
		"$(sha256sum <out/mini-$g.xml | cut -d' ' -f1)"
	same "content of mini-$g" "$(q "SELECT hex(content) FROM form WHERE id = 'mini-$g'")" \
		"$(od -An -v -tx1 out/mini-$g.xml | tr -d ' \n' | tr a-f A-F)"
	same "formList md5 of mini-$g" \
		"$(xmllint --xpath "string(//*[local-name()='xform'][*[local-name()='formID']='mini-$g']/*[local-name()='hash'])" out/formList.xml)" \
		"md5:$(md5sum <out/mini-$g.xml | cut -d' ' -f1)"
done

# generating again, at another time, gives the same bytes and changes nothing
sqlite3 parindex.db .dump >before.sql
PARINDEX_NOW=2026-02-01T00:00:00Z golden again parindex forms --out out2
for f in out/*; do ok "$(basename "$f") identical when generated again" cmp "$f" "out2/$(basename "$f")"; done
sqlite3 parindex.db .dump >after.sql
ok "the database is unchanged" cmp before.sql after.sql

# the default folder, and PARINDEX_DB
mkdir elsewhere
(cd elsewhere && PARINDEX_DB=../parindex.db "$PARINDEX" forms >../default.out 2>&1)
ok "default folder is parindex-forms" cmp out/mini-A.xml elsewhere/parindex-forms/mini-A.xml

# a changed register: same id and version, new bytes, a warning; the database follows
printf 'code,name,type,district_code,district\n99904,Tân Tiến,xã,999,Huyện Thử nghiệm\n' >more.csv
parindex init --communes more.csv >/dev/null
golden register-changed parindex forms --out out
ok "the new commune is offered" grep -qF 'Tân Tiến (99904)' out/mini-A.xml
same "still one row per group" "$(q 'SELECT count(*) FROM form')" 2
same "new sha256 registered" "$(q "SELECT sha256 FROM form WHERE id = 'mini-A'")" \
	"$(sha256sum <out/mini-A.xml | cut -d' ' -f1)"
not_ok "the form changed" cmp out/mini-A.xml out2/mini-A.xml

# a new definition version gives new form versions; the old ones stay registered
sed 's/id="mini" version="1"/id="mini" version="2"/' "$MINI" >mini-2.xml
parindex init --definition mini-2.xml >/dev/null
golden new-version parindex forms --out out
same "both versions registered" "$(q "SELECT group_concat(id || '@' || version, ' ') FROM (SELECT * FROM form ORDER BY version, id)")" \
	"mini-A@1 mini-B@1 mini-A@2 mini-B@2"
ok "the root carries the new version" grep -q '<data id="mini-A" version="2">' out/mini-A.xml
ok "formList carries the new version" grep -q '<version>2</version>' out/formList.xml

# --base-url: absolute download URLs for ODK Collect; the forms themselves are the same
golden base-url parindex forms --out served --base-url http://192.168.1.10:8000/forms
same "absolute download URL" "$(xmllint --xpath "string(//*[local-name()='downloadUrl'])" served/formList.xml)" \
	"http://192.168.1.10:8000/forms/mini-A.xml"
ok "the forms do not depend on the base URL" cmp served/mini-A.xml out/mini-A.xml
golden bad-base-url parindex forms --out never --base-url 'ftp://host/forms'
ok "no folder for a bad base URL" test ! -e never

# a folder that cannot be written: nothing registered
parindex init --definition "$MINI" >/dev/null
sqlite3 parindex.db "DELETE FROM form WHERE version = '1'"
echo "a file" >blocker
golden unwritable parindex forms --out blocker/sub
same "nothing registered when writing fails" "$(q "SELECT count(*) FROM form WHERE version = '1'")" 0

# usage
golden stray-argument parindex forms extra
golden bad-option parindex forms --bogus
golden empty-out parindex forms --out ''
golden lint-no-file parindex forms lint
golden lint-missing-file parindex forms lint nosuch.xml
golden help parindex forms --help

finish
