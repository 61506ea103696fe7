# The office's pages in Debian's headless Chromium (tests/browser/office.js, playwright-core)
# against the real server: login, every page at 360x740 and 1366x768 without sideways
# scrolling, no console error and no CSP violation; the dashboard's numbers against the
# database before and after a zip upload; the receipt on screen and as CSV (equal to
# `capture import --receipt` of the same zip); a form whose CSRF token was taken out refused
# with nothing done; undo; the survey quality page with flagged forms, one excluded with a
# reason and included again; a wrong password locked out after 5 tries.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"
. "$TOP/tests/cli/serve.sh"

need_browser
setup_db
printf 'correct horse\n' | parindex user add --db t.db --password-stdin --role office office1 >/dev/null
mkzip up.zip "a1.xml=$I/a1.xml" "a2.xml=$I/a2.xml" "b1.xml=$I/b1.xml" "bad-commune.xml=$I/bad-commune.xml"
cp t.db cli.db
parindex capture import --db cli.db --receipt cli-receipt.csv up.zip >/dev/null 2>&1
quota() {
	q "SELECT c.code, g.id, (SELECT count(*) FROM current_submission s WHERE s.commune_code = c.code AND s.group_id = g.id) FROM commune c, respondent_group g ORDER BY 1, 2"
}
quota >want-before.txt
# forms the quality checks flag: too short (a long surveyor's name), near-duplicates
D=2026-01-10
instance q-short A 90001 "Nguyễn Thị Phương Thảo Điều Tra Viên Xã Thử Nghiệm Một" dev-s1 ${D}T11:00:00 ${D}T11:00:05 1 a c
instance q-dup-1 B 90002 "Dup One" dev-d1 ${D}T12:00:00 ${D}T12:05:00 1 c a
instance q-dup-2 B 90002 "Dup Two" dev-d2 ${D}T13:00:00 ${D}T13:05:00 1 c a
mkzip quality.zip "q-short.xml=$T/in/q-short.xml" "q-dup-1.xml=$T/in/q-dup-1.xml" "q-dup-2.xml=$T/in/q-dup-2.xml"

ok "server starts" serve_start t.db
mkdir out
golden browser node "$TOP/tests/browser/office.js" "$SERVE_URL" office1 'correct horse' up.zip out quality.zip
ok "server exits 0 on SIGTERM" serve_stop
ok "dashboard before the upload = the database" cmp want-before.txt out/quota-before.txt
# the upload is undone at the end: the numbers after it are the database's with batch 1
cp cli.db after.db
q() { sqlite3 -batch -noheader after.db "$1"; }
quota >want-after.txt
ok "dashboard after the upload = the database with it" cmp want-after.txt out/quota-after.txt
ok "receipt CSV equals capture import's" cmp cli-receipt.csv out/receipt.csv
q() { sqlite3 -batch -noheader t.db "$1"; }
same "undone in the database, once" "$(q "SELECT id, undone_at FROM batch WHERE id = 1")|$(q "SELECT count(*) FROM current_submission WHERE batch_id = 1")" \
	"1|2026-01-15T08:00:00Z|0"
same "excluded from the page, then included, by the user from the address" \
	"$(q "SELECT instance_id, reason, excluded_by, included_by, included_at IS NOT NULL FROM exclusion")|$(q "SELECT who, address FROM audit WHERE what LIKE 'capture %' ORDER BY id" | paste -sd' ')" \
	"uuid:q-short|quá nhanh, đã gọi lại người trả lời|office1|office1|1|office1|127.0.0.1 office1|127.0.0.1"
same "locked out in the database" "$(q "SELECT lockouts, locked_until FROM login_failure")" "1|2026-01-15T08:15:00Z"
finish
