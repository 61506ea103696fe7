# parindex capture import on hostile input. Entries: DOCTYPE with an external entity (XXE),
# billion laughs, over the size limit, not UTF-8, nested too deep: each rejected with a
# message naming it, nothing of it stored, the rest of the batch stored. Zips: a bomb (by
# ratio and by total), too many entries, truncated, damaged, lying about sizes, overlapping
# entries, not a zip, truncated by another process while it is imported: each refused whole,
# nothing stored. Every fixture is built here.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"

setup_db
py() { python3 -c "$@"; }
batches() { q "SELECT count(*) FROM batch"; }
stored() { q "SELECT count(*) FROM submission"; }

# --- hostile entries
echo secret >secret.txt
sed "s|<?xml version='1.0' ?>|<?xml version='1.0' ?><!DOCTYPE data [<!ENTITY x SYSTEM \"file://$T/secret.txt\">]>|; s|<surveyor>Nguyễn Thị Hoa</surveyor>|<surveyor>\&x;</surveyor>|; s/0001</0051</" "$I/a1.xml" >xxe.xml
{
	printf '<?xml version="1.0"?>\n<!DOCTYPE data [\n <!ENTITY a "aaaaaaaaaa">\n'
	for i in 1 2 3 4 5 6 7 8 9; do
		printf ' <!ENTITY %s "&%s;&%s;&%s;&%s;&%s;&%s;&%s;&%s;&%s;&%s;">\n' \
			"$(printf "\\$(printf %03o $((98 + i - 1)))")" $(for k in 1 2 3 4 5 6 7 8 9 10; do printf "\\$(printf %03o $((97 + i - 1)))" ; echo; done)
	done
	printf ']>\n<data id="mini-A" version="1"><surveyor>&j;</surveyor></data>\n'
} >laughs.xml
py "import sys; s=open('$I/a1.xml').read().replace('<comment/>', '<comment>' + 'x' * (1 << 20) + '</comment>').replace('0001<', '0052<'); open('big.xml', 'w').write(s)"
py "import sys; s=open('$I/a1.xml', 'rb').read().replace('Nguyễn Thị Hoa'.encode(), 'Nguy\u1ec5n'.encode('utf-16-le')).replace(b'0001<', b'0053<'); open('utf16.xml', 'wb').write(s)"
sed 's/Nguyễn Thị Hoa/Nguy\xe1n/; s/0001</0054</' "$I/a1.xml" >latin.xml
py "s=open('$I/a1.xml').read().replace('<comment/>', '<comment>' + '<p>' * 100 + '</p>' * 100 + '</comment>').replace('0001<', '0055<'); open('deep.xml', 'w').write(s)"
mkzip entries.zip "a1.xml=$I/a1.xml" "xxe.xml=xxe.xml" "laughs.xml=laughs.xml" "big.xml=big.xml" \
	"utf16.xml=utf16.xml" "latin.xml=latin.xml" "deep.xml=deep.xml" "b1.xml=$I/b1.xml"
golden entries parindex capture import --db t.db --receipt entries.csv entries.zip
golden entries-receipt cut -d, -f2,6,7 entries.csv
same "only the two valid entries stored" "$(q "SELECT group_concat(substr(instance_id, -2), ' ') FROM submission")" "01 31"
not_ok "the secret never reaches the database" grep -q secret t.db
mkzip limits.zip "a1.xml=$I/a1.xml" "b1.xml=$I/b1.xml" "a2.xml=$I/a2.xml"
golden limits-options parindex capture import --db t.db --dry-run --max-depth 3 --max-entry-size 540 limits.zip
# a stored (not deflated) entry is held to the same limit: one byte over it rejected as
# too-large, exactly at it accepted
(cd "$I" && zip -q -X -0 "$T/stored-a2.zip" a2.xml)
same "a2.xml is stored" "$(unzip -Z -v stored-a2.zip | grep -c 'compression method: *none (stored)')" "1"
a2=$(wc -c <"$I/a2.xml")
golden stored-over parindex capture import --db t.db --dry-run --receipt stored-over.csv \
	--max-entry-size $((a2 - 1)) stored-a2.zip
golden stored-over-receipt cut -d, -f2,6,7 stored-over.csv
golden stored-at parindex capture import --db t.db --dry-run --max-entry-size "$a2" stored-a2.zip

# entries this reader will not open: encrypted, or compressed with a method it lacks (bzip2);
# rejected by name, the rest stored
python3 -c "
import struct, zipfile
z = zipfile.ZipFile('methods.zip', 'w', zipfile.ZIP_DEFLATED)
for n in ('enc.xml', 'bz.xml', 'ok.xml'):
    z.writestr(n, open('$I/a2.xml').read())
z.close()
d = bytearray(open('methods.zip', 'rb').read())
def patch(name, flags=None, method=None):
    for sig, fl, me, nl in ((b'PK\x03\x04', 6, 8, 26), (b'PK\x01\x02', 8, 10, 28)):
        i = 0
        while True:
            i = d.index(sig, i)
            n = struct.unpack_from('<H', d, i + nl)[0]
            if d[i + nl + (4 if sig == b'PK\x03\x04' else 18):][:n] == name:
                break
            i += 4
        if flags is not None: struct.pack_into('<H', d, i + fl, flags)
        if method is not None: struct.pack_into('<H', d, i + me, method)
patch(b'enc.xml', flags=1)
patch(b'bz.xml', method=12)
open('methods.zip', 'wb').write(bytes(d))"
golden methods parindex capture import --db t.db --dry-run --receipt methods.csv methods.zip
golden methods-receipt cut -d, -f2,6,7 methods.csv

# --- hostile zips: refused whole, nothing stored, the database as it was
dump >before.sql
refused() { # NAME ZIP [OPTIONS]: refused with exit 1, nothing stored
	_n=$1 _z=$2
	shift 2
	golden "$_n" parindex capture import --db t.db "$@" "$_z"
	ok "$_n: database unchanged" cmp -s before.sql "$(dump >now.sql; echo now.sql)"
}
# ratio: an entry under the size limit that inflates 1000 times: the zip is refused whole
py "
import zipfile
a = open('$I/a2.xml').read()
z = zipfile.ZipFile('bomb.zip', 'w', zipfile.ZIP_DEFLATED)
z.writestr('a1.xml', open('$I/a1.xml').read())
z.writestr('bomb.xml', a.replace('<comment>', '<comment>' + ' ' * 900000))
z.close()"
refused bomb bomb.zip
# 20 MB that deflate to 20 KB: inflating stops at the entry limit, that entry is rejected
py "
import zipfile
a = open('$I/a2.xml').read()
z = zipfile.ZipFile('huge.zip', 'w', zipfile.ZIP_DEFLATED)
z.writestr('huge.xml', a.replace('<comment>', '<comment>' + ' ' * 20000000))
z.close()"
golden huge parindex capture import --db t.db --dry-run huge.zip
# total: many small entries that add up
py "
import zipfile
z = zipfile.ZipFile('total.zip', 'w', zipfile.ZIP_DEFLATED)
for i in range(12):
    z.writestr('e%02d.xml' % i, open('$I/a1.xml').read().replace('0001<', '%04d<' % (100 + i)))
z.close()"
refused total total.zip --max-total 5000
# its receipt: no row of the entries read before the refusal, one row for the zip
"$PARINDEX" capture import --db t.db --max-total 5000 --receipt total.csv total.zip >/dev/null 2>&1
golden total-receipt cat total.csv
mkzip many.zip "a1.xml=$I/a1.xml" "a2.xml=$I/a2.xml" "b1.xml=$I/b1.xml"
refused too-many many.zip --max-entries 2
head -c 600 entries.zip >truncated.zip
refused truncated truncated.zip
# damaged: one byte of the second entry's data flipped (stored, so the CRC catches it)
(cd "$I" && zip -q -X -0 "$T/stored.zip" a2.xml b1.xml)
py "
d = bytearray(open('stored.zip', 'rb').read())
i = d.index('Phạm Thu'.encode())
d[i] ^= 0x20
open('damaged.zip', 'wb').write(bytes(d))"
refused damaged damaged.zip
# a header that claims a smaller inflated size than the data has
py "
import struct, zipfile
z = zipfile.ZipFile('deflated.zip', 'w', zipfile.ZIP_DEFLATED)
z.writestr('a2.xml', open('$I/a2.xml').read())
z.close()
d = bytearray(open('deflated.zip', 'rb').read())
c = d.index(b'PK\x01\x02')
struct.pack_into('<I', d, c + 24, 100)
struct.pack_into('<I', d, 22, 100)
open('liar.zip', 'wb').write(bytes(d))"
refused liar liar.zip
# two directory records pointing at the same data (overlapping entries, the other bomb)
py "
import struct
d = bytearray(open('stored.zip', 'rb').read())
c1 = d.index(b'PK\x01\x02'); c2 = d.index(b'PK\x01\x02', c1 + 4)
struct.pack_into('<I', d, c2 + 42, struct.unpack_from('<I', d, c1 + 42)[0])
open('overlap.zip', 'wb').write(bytes(d))"
refused overlap overlap.zip
cp "$I/a1.xml" notzip.zip
refused not-a-zip notzip.zip
: >empty.zip
refused empty empty.zip
same "no batch recorded for a refused zip" "$(batches)" "1"

# truncated by another process while it is imported (a copy being rewritten): refused with a
# message, nothing stored, a receipt row; a mapped zip once died of SIGBUS here. The writer
# sleeps 1 ms an entry and the readers run at most 1024 entries ahead of it, so 5000 entries
# take 5 s at least: the truncation, 0.5 s after the import has the file open, lands when
# thousands of entries are still to be read.
ok "generate 5000" "$GEN_BATCH" --definition "$DATA/definitions/mini.xml" \
	--communes "$CAP/communes.csv" --count 5000 --seed 41 --out cut.zip
has_open() { # FILE: some process has FILE open or mapped (the import, or it under a wrapper)
	for _p in /proc/[0-9]*; do
		ls -l "$_p/fd" 2>/dev/null | grep -q -F " -> $1" && return 0
		grep -q -F " $1" "$_p/maps" 2>/dev/null && return 0
	done
	return 1
}
PARINDEX_CAPTURE_TEST_DELAY_MS=1 "$PARINDEX" capture import --db t.db --receipt cut.csv cut.zip \
	>cut.out 2>cut.err &
pid=$!
for _i in $(seq 100); do has_open "$T/cut.zip" && break; sleep 0.1; done
ok "the import has the zip open" has_open "$T/cut.zip"
sleep 0.5
ok "still importing when truncated" kill -0 $pid
truncate -s 1000 cut.zip
wait $pid
golden cut sh -c 'echo "exit $1"; cat cut.out; cat cut.err >&2' - "$?"
golden cut-receipt cat cut.csv
ok "cut: database unchanged" cmp -s before.sql "$(dump >now.sql; echo now.sql)"
same "cut: no batch recorded" "$(batches)" "1"

# one refused zip does not stop the next
golden refused-then-good parindex capture import --db t.db notzip.zip many.zip
same "the good zip stored" "$(stored)" "3"

finish
