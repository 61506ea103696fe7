# parindex capture import must not lose data quietly (issue 10): a zip imported again retries
# what was not stored; the same submission written differently is a duplicate, not a conflict;
# Collect's last-saved.xml is not a submission; a zip inside the zip is opened (within the
# outer zip's limits);
# orx:version is read; a zip from which nothing was stored exits 1 with the likely cause
# (naming the definition's area: district, province or city); an
# over-long instanceID is refused and text is never cut inside a UTF-8 character.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"

utf8() { python3 -c 'import sys; sys.stdin.buffer.read().decode("utf-8")'; }

# ---- retry after a fix: forms not yet generated, a commune missing from the register
parindex init --db t.db --definition "$DATA/definitions/mini.xml" --communes "$CAP/communes.csv" >/dev/null
mkzip retry.zip "a1.xml=$I/a1.xml" "b1.xml=$I/b1.xml" "bad-commune.xml=$I/bad-commune.xml"
golden retry-no-forms parindex capture import --db t.db retry.zip
golden retry-unchanged parindex capture import --db t.db retry.zip
same "nothing stored yet, one batch" "$(q "SELECT count(*) FROM submission; SELECT count(*) FROM batch")" "0
1"
ok "forms generated" parindex forms --db t.db --out forms
golden retry-after-forms parindex capture import --db t.db --receipt retry.csv retry.zip
golden retry-after-forms-receipt cat retry.csv
(cat "$CAP/communes.csv"; echo "99999,Xã Mới Thêm,xã,999,Huyện Thử nghiệm") >communes2.csv
ok "commune added" parindex init --db t.db --communes communes2.csv
golden retry-after-commune parindex capture import --db t.db retry.zip
golden retry-all-stored parindex capture import --db t.db retry.zip
same "each submission stored once, by the batch that could" \
	"$(q "SELECT group_concat(substr(instance_id, -2) || ':' || batch_id, ' ') FROM (SELECT * FROM submission ORDER BY instance_id)")" \
	"01:2 22:3 31:2"
same "batches: the retries that stored something" \
	"$(q "SELECT group_concat(id || ':' || accepted || '/' || duplicates || '/' || rejected, ' ') FROM batch")" \
	"1:0/0/3 2:2/0/1 3:1/2/0"

# ---- the same submission written differently: a duplicate; other answers: a conflict
rm -f t.db* && setup_db
cat >a1-pretty.xml <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<data xmlns:orx="http://openrosa.org/xforms" version="1" id="mini-A">
  <start>2026-01-10T08:00:00.000+07:00</start>
  <end>2026-01-10T08:05:00.000+07:00</end>
  <deviceid>collect:abc123</deviceid>
  <commune>
    90001
  </commune>
  <surveyor>Nguyễn Thị Hoa</surveyor>
  <sex>2</sex>
  <qa>a</qa>
  <qb>b</qb>
  <comment></comment>
  <orx:meta>
    <orx:instanceID>uuid:00000000-0000-4000-8000-000000000001</orx:instanceID>
  </orx:meta>
</data>
XML
# as Briefcase writes what it pulled from Aggregate
sed -e 's|<data id="mini-A" version="1"[^>]*>|<data xmlns="http://opendatakit.org/submissions" xmlns:orx="http://openrosa.org/xforms" id="mini-A" instanceID="uuid:00000000-0000-4000-8000-000000000001" submissionDate="2026-01-10T01:06:00.000Z" isComplete="true" markedAsCompleteDate="2026-01-10T01:06:00.000Z" version="1">|' \
	-e 's|<meta>|<orx:meta>|; s|</meta>|</orx:meta>|; s|instanceID>|orx:instanceID>|g' \
	-e 's|instanceName>|orx:instanceName>|g' "$I/a1.xml" >a1-aggregate.xml
sed 's|<qb>b</qb>|<qb>c</qb>|' a1-pretty.xml >a1-other.xml
mkzip meaning.zip "a1.xml=$I/a1.xml" "pretty/a1.xml=a1-pretty.xml" "aggregate/submission.xml=a1-aggregate.xml" "other/a1.xml=a1-other.xml"
golden meaning parindex capture import --db t.db --receipt meaning.csv meaning.zip
golden meaning-receipt cat meaning.csv
same "stored once, as first received" "$(q "SELECT count(*), answers FROM submission")" '1|{"sex":"2","qa":"a","qb":"b"}'

# ---- not submissions: Collect's last-saved.xml; orx:version read; zips inside the zip opened
rm -f t.db* && setup_db
sed 's|uuid:00000000-0000-4000-8000-000000000002|uuid:00000000-0000-4000-8000-000000000052|' "$I/a2.xml" >last-saved.xml
sed -e 's|version="1"|orx:version="1"|' -e 's|000000000001<|000000000051<|' "$I/a1.xml" >a1-orx-version.xml
(cd "$I" && zip -q -X "$T/deeper.zip" a2.xml)
(cd "$I" && zip -q -X "$T/inner.zip" b1.xml && cd "$T" && zip -q -X inner.zip deeper.zip)
echo "not a zip" >broken.zip
mkzip odd.zip "forms/Phiếu A-media/last-saved.xml=last-saved.xml" "instances/a/a.xml=a1-orx-version.xml" \
	"instances/more.zip=inner.zip" "broken.zip=broken.zip"
golden odd parindex capture import --db t.db --receipt odd.csv odd.zip
golden odd-receipt cat odd.csv
same "stored: the orx:version instance, the one in the zip inside" \
	"$(q "SELECT group_concat(instance_id || ' ' || form_version, ';') FROM (SELECT * FROM submission ORDER BY id)")" \
	"uuid:00000000-0000-4000-8000-000000000051 1;uuid:00000000-0000-4000-8000-000000000031 1"
same "the inner entries recorded in the batch" \
	"$(q "SELECT group_concat(path || ':' || status, ' ') FROM (SELECT * FROM batch_entry ORDER BY seq)")" \
	"forms/Phiếu A-media/last-saved.xml:ignored instances/a/a.xml:accepted instances/more.zip:ignored broken.zip:rejected instances/more.zip/b1.xml:accepted instances/more.zip/deeper.zip:rejected"
# the outer zip's limits hold for what is inside: entries, and a bomb refuses the upload
rm -f t.db* && setup_db
golden odd-max-entries parindex capture import --db t.db --max-entries 5 odd.zip
python3 -c 'import zipfile; zipfile.ZipFile("bomb.zip", "w", zipfile.ZIP_DEFLATED).writestr("bomb.xml", b" " * 900000)'
mkzip bomb-outer.zip "a1.xml=$I/a1.xml" "bomb.zip=bomb.zip"
golden nested-bomb parindex capture import --db t.db bomb-outer.zip
same "nothing stored from a refused upload" "$(q "SELECT count(*) FROM submission WHERE instance_id LIKE '%0001'")" "0"
# an outer zip whose end record under-announces its entries (20 of 41) cannot lend a zip inside
# it the room of the entries it hides: its directory holding more than its count refuses the
# whole upload (whether or not the zip inside, its first entry, was read by then), and nothing
# of it is kept
python3 - "$I" under.zip <<'PY'
import io, struct, sys, zipfile
inner = io.BytesIO()
with zipfile.ZipFile(inner, "w") as z:
    z.write(sys.argv[1] + "/b1.xml", "b1.xml")
    z.write(sys.argv[1] + "/a2.xml", "a2.xml")
out = io.BytesIO()
with zipfile.ZipFile(out, "w") as z:
    z.writestr("more.zip", inner.getvalue())
    for n in range(40):
        z.writestr("notes/%02d.txt" % n, "x")
b = bytearray(out.getvalue())
end = b.rfind(b"PK\x05\x06")
assert struct.unpack_from("<HH", b, end + 8) == (41, 41)
struct.pack_into("<HH", b, end + 8, 20, 20)
open(sys.argv[2], "wb").write(b)
PY
rm -f t.db* && setup_db
golden nested-under-announced parindex capture import --db t.db --max-entries 22 under.zip
same "nothing stored from the under-announcing zip" \
	"$(q "SELECT (SELECT count(*) FROM submission), (SELECT count(*) FROM batch), (SELECT count(*) FROM batch_entry)")" "0|0|0"

# ---- nothing stored: exit 1, the first few per reason, the rest counted, the likely cause
rm -f t.db* && setup_db
set --
for n in 1 2 3 4 5 6 7 8; do
	sed -e 's|id="mini-A" version="1"|id="hai-duong-commune-par" version="2021.1"|' \
		-e "s|000000000001<|00000000010$n<|" "$I/a1.xml" >other-$n.xml
	set -- "$@" "instances/other-$n.xml=other-$n.xml"
done
mkzip other.zip "$@" "instances/photo.jpg=$CAP/communes.csv"
golden other-district parindex capture import --db t.db other.zip
golden other-district-receipt sh -c '"$PARINDEX" capture import --db t.db --dry-run --receipt r.csv other.zip >/dev/null 2>&1; cat r.csv'
same "nothing stored; the batch records every entry" \
	"$(q "SELECT count(*) FROM submission; SELECT entries, rejected, ignored FROM batch; SELECT count(*) FROM batch_entry WHERE reason = 'unknown-form'")" "0
9|8|1
8"
mkzip media.zip "a.jpg=$CAP/communes.csv" "b.jpg=$CAP/communes.csv"
golden only-media parindex capture import --db t.db media.zip

# ---- the likely cause names the definition's area: a province's, a city's (a province whose
# name begins "Thành phố"); "area" above, where no form is registered yet
sed 's|<province>Thành phố Thử nghiệm</province>|<province>Tỉnh Thử nghiệm</province>|' \
	"$DATA/definitions/province.xml" >province.xml
for area in province city; do
	def=province.xml
	[ $area = city ] && def=$DATA/definitions/province.xml
	rm -f t.db* && parindex init --db t.db --definition "$def" --communes "$DATA/province/communes.csv" >/dev/null
	ok "$area: forms" parindex forms --db t.db --out forms-$area
	golden $area-other-form parindex capture import --db t.db other.zip
	printf '<data id="province-test-CB" version="1"><commune>99999</commune><surveyor>s</surveyor><dp>0</dp><q1>a</q1><meta><instanceID>uuid:p1</instanceID></meta></data>\n' >p1.xml
	sed 's|uuid:p1|uuid:p2|' p1.xml >p2.xml
	mkzip unknown-commune.zip "p1.xml=p1.xml" "p2.xml=p2.xml"
	golden $area-unknown-commune parindex capture import --db t.db unknown-commune.zip
	same "$area: nothing stored" "$(q "SELECT count(*) FROM submission; SELECT reason, count(*) FROM batch_entry GROUP BY reason ORDER BY reason")" "0
not-xml|1
unknown-commune|2
unknown-form|8"
done

# ---- an over-long instanceID, a long bad value: refused, cut visibly, never inside a character
rm -f t.db* && setup_db
long=$(python3 -c 'print("uuid:" + "ễ" * 70)')
sed "s|uuid:00000000-0000-4000-8000-000000000001|$long|" "$I/a1.xml" >long-id.xml
value=$(python3 -c 'print("đđ" + "ễ" * 300)')
sed -e "s|<qa>a</qa>|<qa>$value</qa>|" -e 's|000000000001<|000000000061<|' "$I/a1.xml" >long-value.xml
mkzip long.zip "long-id.xml=long-id.xml" "long-value.xml=long-value.xml"
parindex capture import --db t.db --receipt long.csv long.zip >out.txt 2>err.txt
same "long: exit 1" "$?" "1"
same "long: reasons" "$(q "SELECT group_concat(reason, ' ') FROM batch_entry")" "long-instance-id unknown-option"
same "long: nothing stored" "$(q "SELECT count(*) FROM submission")" "0"
ok "batch_entry ids are UTF-8" sh -c "sqlite3 t.db 'SELECT instance_id FROM batch_entry' | python3 -c 'import sys; sys.stdin.buffer.read().decode(\"utf-8\")'"
ok "batch_entry messages are UTF-8" sh -c "sqlite3 t.db 'SELECT message FROM batch_entry' | python3 -c 'import sys; sys.stdin.buffer.read().decode(\"utf-8\")'"
ok "the receipt is UTF-8" utf8 <long.csv
ok "stderr is UTF-8" utf8 <err.txt
same "the cut id ends with …" "$(q "SELECT substr(instance_id, -1), length(CAST(instance_id AS BLOB)) < 200 FROM batch_entry WHERE seq = 0")" "…|1"
same "the cut message ends with …" "$(q "SELECT substr(message, -1) FROM batch_entry WHERE seq = 1")" "…"
golden long-receipt cat long.csv

finish
