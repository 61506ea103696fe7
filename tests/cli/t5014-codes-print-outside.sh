# `parindex codes issue --out FILE.pdf` prints the slips before its write transaction and
# stores the codes in a short one after: a printer (chromium) that fails leaves no code stored
# and no file; while it prints, the database's write lock is free and another process stores
# a submission. A fake chromium on PATH plays the printer: it looks at the lock (sqlite3,
# no waiting), imports a zip, then writes a PDF or fails. (Before, the codes were inserted
# first and chromium ran inside the transaction: the lock was held and the import refused.)
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"

setup_db
U=https://khaosat.example.vn/survey
mkdir bin tmp
cat >bin/chromium <<'SH'
#!/bin/sh
# the fake printer: FAKE_PRINT=ok writes a PDF, fail exits 1, empty exits 0 without a PDF
if sqlite3 -cmd '.timeout 0' "$FAKE_DB" 'BEGIN IMMEDIATE; ROLLBACK' >/dev/null 2>&1; then
	echo free >"$FAKE_DIR/lock"
	"$PARINDEX" capture import --db "$FAKE_DB" "$FAKE_DIR/$FAKE_ZIP" >"$FAKE_DIR/import.out" 2>&1
	echo "$?" >>"$FAKE_DIR/import.out"
else
	echo held >"$FAKE_DIR/lock"
fi
for a; do case $a in --print-to-pdf=*) pdf=${a#--print-to-pdf=} ;; esac; done
case $FAKE_PRINT in
ok) printf '%%PDF-1.4 fake slips\n' >"$pdf" ;;
fail) echo "chromium: cannot print" >&2; exit 1 ;;
esac
exit 0
SH
chmod +x bin/chromium
instance p1 A 90001 lan dev1 2026-01-10T08:00:00 2026-01-10T08:10:00 1 a b
instance p2 A 90001 lan dev1 2026-01-10T09:00:00 2026-01-10T09:10:00 1 a b
mkzip p1.zip p1.xml="$T/in/p1.xml"
mkzip p2.zip p2.xml="$T/in/p2.xml"
issue() {
	env PATH="$T/bin:$PATH" TMPDIR="$T/tmp" FAKE_DB="$T/t.db" FAKE_DIR="$T" FAKE_ZIP="$1" \
		FAKE_PRINT="$2" "$PARINDEX" codes issue --db t.db --commune 90001 --group A --count 5 \
		--url "$U" --out slips.pdf
}

# the printer fails: nothing issued, no file
golden print-fails issue p1.zip fail
same "the lock was free while it printed" "$(cat lock)" free
same "no code stored, no slips" "$(q "SELECT count(*) FROM survey_code")|$(ls slips.pdf 2>/dev/null)" "0|"
same "the submission sent meanwhile stored" "$(q "SELECT instance_id FROM submission")|$(tail -n 1 import.out)" "uuid:p1|0"
golden print-nothing issue p1.zip empty
same "a printer writing no PDF: no code stored" "$(q "SELECT count(*) FROM survey_code")|$(ls slips.pdf 2>/dev/null)" "0|"

# the printer prints: the codes stored after it, the submission sent meanwhile too
rm -f lock
golden print-ok issue p2.zip ok
same "the lock was free while it printed" "$(cat lock)" free
same "the import meanwhile succeeded" "$(tail -n 1 import.out)|$(q "SELECT count(*) FROM submission WHERE instance_id = 'uuid:p2'")" "0|1"
same "5 codes stored, sheet 1" "$(q "SELECT count(*), min(sheet), max(sheet) FROM survey_code")" "5|1|1"
same "the slips are the printer's PDF" "$(cat slips.pdf)" "%PDF-1.4 fake slips"
same "no temporary folder left" "$(ls tmp)" ""
finish
