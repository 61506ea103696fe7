# parindex serve, the office's pages driven with curl against the real server: login (the
# cookie's flags; a wrong password; a surveyor refused), the dashboard's numbers against the
# database, a zip upload with its receipt on screen and as CSV (equal to `capture import
# --receipt` of the same zip), a POST without the CSRF token refused with nothing done, an
# analyst's POST refused, undo, a file that is not a zip refused, scores (with errors, then
# stored), tally, the report written and opened (nothing served from outside its folder), the
# lock-out after 5 failed logins, the audit log; SIGTERM exits 0.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"
. "$TOP/tests/cli/serve.sh"

setup_db
adduser() { _p=$1; shift; printf '%s\n' "$_p" | parindex user add --db t.db --password-stdin "$@" >/dev/null; }
adduser 'correct horse' --role office office1
adduser 'analyst secret' --role analyst minh
adduser 'surveyor secret' --role surveyor --communes 90001 lan
mkzip up.zip "a1.xml=$I/a1.xml" "a2.xml=$I/a2.xml" "b1.xml=$I/b1.xml" "bad-commune.xml=$I/bad-commune.xml"
# the command line's receipt of the same zip, on a copy of the database
cp t.db cli.db
parindex capture import --db cli.db --receipt cli-receipt.csv up.zip >/dev/null 2>&1

ok "server starts" serve_start t.db
U=$SERVE_URL
code() { hc -o out -w '%{http_code}' "$@"; }
csrf() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' out | head -n 1; }

same "no session: to the login page" "$(code -D h "$U/")" 303
ok "redirect to /login" grep -q '^Location: /login' h
same "login page" "$(code "$U/login")" 200
ok "login page in Vietnamese" grep -q 'Tên đăng nhập' out
same "style sheet" "$(code -D h "$U/static/office.css")" 200
ok "style sheet is CSS" grep -qi '^Content-Type: text/css' h

same "wrong password" "$(code -d name=office1 -d 'password=wrong one' "$U/login")" 403
ok "says so" grep -q 'mật khẩu không đúng' out
same "a surveyor may not log in" "$(code -d name=lan -d 'password=surveyor secret' "$U/login")" 403

same "login" "$(code -D h -c jar -d name=office1 --data-urlencode 'password=correct horse' "$U/login")" 303
same "cookie: HttpOnly, SameSite=Strict, Path=/, not Secure without TLS" \
	"$(tr -d '\r' <h | sed -n 's/^Set-Cookie: parindex_session=[0-9a-f]\{64\}; //p')" "Path=/; HttpOnly; SameSite=Strict; Max-Age=43200"
same "session stored hashed, not the cookie's token" \
	"$(q "SELECT count(*) FROM web_session WHERE token_sha256 = '$(awk '$6 == "parindex_session" { print $7 }' jar)'")|$(q "SELECT count(*) FROM web_session")" "0|1"
same "dashboard" "$(code -b jar "$U/")" 200
TOKEN=$(csrf)
same "a form token on the page" "${#TOKEN}" 64

# upload: the receipt on screen and as CSV
same "upload without the token" "$(code -b jar -F file=@up.zip "$U/upload")" 403
same "nothing imported" "$(q "SELECT count(*) FROM batch")" 0
same "upload" "$(code -b jar -F "csrf=$TOKEN" -F file=@up.zip "$U/upload")" 200
ok "counts on the receipt" grep -q 'Đợt 1: up.zip: 4 mục: 3 nhận, 0 trùng, 0 sửa, 1 bị từ chối, 0 bỏ qua' out
same "receipt rows on screen" "$(grep -c '<tr data-status=' out)" 4
same "receipt CSV" "$(code -D h -b jar "$U/receipt.csv?batch=1")" 200
cp out receipt.csv
ok "receipt CSV as a download" grep -q '^Content-Disposition: attachment; filename="receipt-1.csv"' h
ok "receipt CSV equals capture import's" cmp receipt.csv cli-receipt.csv
same "database: the batch" "$(q "SELECT file_name, source, operator, accepted, rejected FROM batch")" "up.zip|web|office1|3|1"

# the dashboard's numbers are the database's
code -b jar "$U/" >/dev/null
q "SELECT c.code, g.id, (SELECT count(*) FROM current_submission s WHERE s.commune_code = c.code AND s.group_id = g.id) FROM commune c, respondent_group g ORDER BY 1, 2" >want
grep -o 'data-commune="[0-9]*" data-group="[A-Z]">[0-9]*<' out |
	sed 's/data-commune="\([0-9]*\)" data-group="\([A-Z]\)">\([0-9]*\)</\1|\2|\3/' >got
ok "per commune x group as in the database" cmp want got
same "total as in the database" "$(grep -o 'data-total="all">[0-9]*<' out | tr -dc 0-9)" "$(q "SELECT count(*) FROM current_submission")"
same "per surveyor" "$(grep -c '<tr><td>[^<]*</td><td class="num">1</td><td class="num">1</td></tr>' out)" \
	"$(q "SELECT count(DISTINCT surveyor) FROM current_submission")"
ok "the rejected entry with its reason" grep -q 'bad-commune.xml.*unknown-commune' out

# an analyst sees, cannot change
same "analyst login" "$(code -c jar2 -d name=minh --data-urlencode 'password=analyst secret' "$U/login")" 303
same "analyst: batches" "$(code -b jar2 "$U/batches")" 200
not_ok "analyst: no undo button" grep -q 'Hoàn tác…' out
ATOKEN=$(csrf)
same "analyst: undo refused" "$(code -b jar2 -d "csrf=$ATOKEN" -d batch=1 "$U/undo")" 403
same "analyst: tally refused" "$(code -b jar2 -d "csrf=$ATOKEN" "$U/tally")" 403

# undo, confirmed; without the token nothing happens
same "undo without the token" "$(code -b jar -d batch=1 "$U/undo")" 403
same "undo confirmation page" "$(code -b jar "$U/undo?batch=1")" 200
same "still there" "$(q "SELECT count(*) FROM current_submission")|$(q "SELECT count(*) FROM batch WHERE undone_at IS NULL")" "3|1"
same "undo" "$(code -b jar -d "csrf=$TOKEN" -d batch=1 "$U/undo")" 200
ok "says what it removed" grep -q 'Đã hoàn tác đợt 1: bỏ 3 phiếu' out
same "undone in the database" "$(q "SELECT count(*) FROM current_submission")|$(q "SELECT undone_at FROM batch")" "0|2026-01-15T08:00:00Z"

# a file that is not a zip: refused, its name and the reason said, nothing stored
printf 'not a zip\n' >notes.zip
same "not a zip" "$(code -b jar -F "csrf=$TOKEN" -F file=@notes.zip "$U/upload")" 422
ok "says the zip was refused" grep -q 'Tệp zip bị từ chối, không lưu gì' out
ok "names the file and the reason" grep -q '<code>notes.zip: not a zip file (too short)</code>' out
same "nothing stored from it" "$(q "SELECT count(*) FROM batch")" 1

# the zip again, scores, tally, report: the same as the commands
same "upload again" "$(code -b jar -F "csrf=$TOKEN" -F file=@up.zip "$U/upload")" 200
cp "$DATA/scores/mini.csv" scores.csv
printf 'commune_code,criterion_id,self_score,appraised_score,not_applicable,note\n90001,9.9,1,,,\n' >bad-scores.csv
same "scores with errors" "$(code -b jar -F "csrf=$TOKEN" -F file=@bad-scores.csv "$U/scores")" 422
ok "the errors listed, nothing stored" sh -c "grep -q 'bad-scores.csv:2' out && test \"\$(sqlite3 t.db 'SELECT count(*) FROM score_import')\" = 0"
same "scores" "$(code -b jar -F "csrf=$TOKEN" -F file=@scores.csv "$U/scores")" 200
same "scores stored as 'scores import' stores them" "$(q "SELECT file_name, format, communes, rows FROM score_import")" "scores.csv|csv|1|3"
same "tally" "$(code -b jar -d "csrf=$TOKEN" "$U/tally")" 200
ok "says what it tallied" grep -q 'Đã tổng hợp 2 xã từ 3 phiếu' out
same "tally stored" "$(q "SELECT communes, submissions FROM tally_run")" "2|3"
same "report" "$(code -b jar -d "csrf=$TOKEN" "$U/report")" 200
same "report opened" "$(code -D h -b jar "$U/report/index.html")" 200
ok "report page is HTML" grep -qi '^Content-Type: text/html' h
# the report is the self-contained page that is also mailed and printed: its inline style is
# allowed (nothing else: no script), the office's own pages keep the strict policy
ok "report page may use its inline style" grep -q "^Content-Security-Policy: default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:;" h
ok "report page may run no script" sh -c "! grep -qi '^Content-Security-Policy:.*script' h"
ok "report page is the written one" cmp out report/index.html
ln -s "$T/t.db" report/out.csv
same "a symlink out of the report folder" "$(code -b jar "$U/report/out.csv")" 404
same "a path out of the report folder" "$(code -b jar --path-as-is "$U/report/../t.db")" 404

# survey quality: the page's numbers are 'parindex quality's, exclude and include through it do
# what 'capture exclude' and 'capture include' do; analysts and forms without the token refused
D=2026-01-10
instance q-short A 90001 "Short One" dev-s1 ${D}T11:00:00 ${D}T11:00:05 1 a c
instance q-dup-1 B 90002 "Dup &lt;One&gt;" dev-d1 ${D}T12:00:00 ${D}T12:05:00 1 c a
instance q-dup-2 B 90002 "Dup Two" dev-d2 ${D}T13:00:00 ${D}T13:05:00 1 c a
mkzip quality.zip "q-short.xml=$T/in/q-short.xml" "q-dup-1.xml=$T/in/q-dup-1.xml" "q-dup-2.xml=$T/in/q-dup-2.xml"
ok "import forms to flag" parindex capture import --db t.db quality.zip
same "quality page" "$(code -b jar "$U/quality")" 200
cp out quality.html
ok "in the menu" grep -q '<a href="/quality" class="here">Chất lượng phiếu</a>' quality.html
ok "the page is well-formed XHTML" py_lxml -c 'import lxml.etree, sys; lxml.etree.parse(sys.argv[1])' quality.html
parindex quality --db t.db --format json >quality.json
same "checked and flagged as 'parindex quality'" \
	"$(grep -o 'data-count="[a-z]*">[0-9]*<' quality.html | tr -dc '0-9\n' | paste -sd' ')" \
	"$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d["submissions"], d["flagged"])' quality.json)"
same "flagged per check as 'parindex quality'" \
	"$(grep -o 'data-flagged="[a-z-]*">[0-9]*<' quality.html | sed 's/data-flagged="\([a-z-]*\)">\([0-9]*\)</\1=\2/' | paste -sd' ')" \
	"$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(" ".join("%s=%d" % (c, sum(c in f["checks"] for f in d["flags"])) for c in ["too-short", "impossible-time", "straight-lining", "burst", "near-duplicate", "outside-assignment", "dont-know"]))' quality.json)"
same "some are flagged" "$(grep -o 'data-count="flagged">[0-9]*<' quality.html | tr -dc 0-9)" 3
same "per surveyor and device as 'parindex quality'" \
	"$(py_lxml -c 'import lxml.html, sys; t = lxml.html.parse(sys.argv[1]); [print(by, *[c.text_content() for c in r.findall("td")]) for by in ("surveyor", "device") for r in t.iter("tr") if r.get("data-" + by) is not None]' quality.html)" \
	"$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); [print(by, s[by] or "(không ghi)", s["forms"], "–" if s["median_seconds"] is None else s["median_seconds"], s["flagged"], "%.1f%%" % s["flag_rate"]) for by in ("surveyor", "device") for s in d[by + "s"]]' quality.json)"
same "flagged submissions listed" "$(grep -o '<tr data-instance="uuid:q-[a-z0-9-]*">' quality.html | paste -sd' ')" \
	'<tr data-instance="uuid:q-short"> <tr data-instance="uuid:q-dup-1"> <tr data-instance="uuid:q-dup-2">'
ok "with the check's Vietnamese name and detail" grep -q 'data-check="too-short"><b>Làm quá nhanh</b>: 5 s for 2 scored questions' quality.html
ok "a surveyor's name escaped" grep -q '<td>Dup &lt;One&gt;</td>' quality.html
same "an exclude form per flagged submission" "$(grep -o 'action="/exclude"' quality.html | wc -l)" 3

same "analyst: quality page" "$(code -b jar2 "$U/quality")" 200
not_ok "analyst: no exclude form" grep -q 'action="/exclude"' out
not_ok "analyst: no button to run the checks" grep -q 'action="/quality/run"' out
same "analyst: exclude refused" "$(code -b jar2 -d "csrf=$ATOKEN" -d instance=uuid:q-short -d reason=x "$U/exclude")" 403
same "exclude without the token" "$(code -b jar -d instance=uuid:q-short -d reason=x "$U/exclude")" 403
same "exclude without a reason" "$(code -b jar -d "csrf=$TOKEN" -d instance=uuid:q-short -d reason= "$U/exclude")" 422
ok "says a reason is needed" grep -q 'Cần ghi lý do loại phiếu' out
same "nothing excluded" "$(q "SELECT count(*) FROM exclusion")" 0

# the command on a copy, the page on the served database: the same list and tally
sqlite3 t.db ".backup cli.db"
parindex capture exclude --db cli.db --reason 'quá nhanh' uuid:q-short >/dev/null
same "exclude" "$(code -b jar -d "csrf=$TOKEN" -d instance=uuid:q-short --data-urlencode 'reason=quá nhanh' "$U/exclude")" 200
ok "says so" grep -q 'Đã loại phiếu <code>uuid:q-short</code> khỏi tổng hợp' out
ok "listed as excluded, with an include button" sh -c "sed -n '/id=\"quality-excluded\"/,/<\/table>/p' out | grep -q 'data-instance=\"uuid:q-short\".*action=\"/include\"'"
same "stored as the command stores it" "$(q "SELECT instance_id, reason, excluded_by, excluded_at FROM exclusion")" \
	"uuid:q-short|quá nhanh|office1|2026-01-15T08:00:00Z"
same "capture list as after the command" "$(parindex capture list --db t.db)" "$(parindex capture list --db cli.db | sed "s/	$(id -un)	/	office1	/")"
same "tally as after the command" "$(parindex tally --db t.db 2>&1)" "$(parindex tally --db cli.db 2>&1 | sed 's/: cli.db: /: t.db: /')"
same "excluded twice" "$(code -b jar -d "csrf=$TOKEN" -d instance=uuid:q-short -d reason=again "$U/exclude")" 409
ok "says it is already excluded" grep -q 'uuid:q-short: already excluded on' out
parindex capture include --db cli.db uuid:q-short >/dev/null
same "include" "$(code -b jar -d "csrf=$TOKEN" -d instance=uuid:q-short "$U/include")" 200
ok "says so" grep -q 'Đã tính lại phiếu <code>uuid:q-short</code> vào tổng hợp' out
same "capture list as after the command's include" "$(parindex capture list --db t.db)" "$(parindex capture list --db cli.db)"
same "tally as after the command's include" "$(parindex tally --db t.db 2>&1)" "$(parindex tally --db cli.db 2>&1 | sed 's/: cli.db: /: t.db: /')"
same "analyst: running the checks refused" "$(code -b jar2 -d "csrf=$ATOKEN" "$U/quality/run")" 403
same "no run stored yet by the page" "$(q "SELECT count(*) FROM quality_run")" 1
q "DELETE FROM quality_run; DELETE FROM quality_flag"
same "run the checks" "$(code -b jar -d "csrf=$TOKEN" "$U/quality/run")" 200
same "the dashboard: the stored run's flags, linked" "$(code -b jar "$U/")|$(grep -o 'data-count="stored-flagged">[0-9]*</span> có dấu hiệu. <a href="/quality">' out | tr -dc 0-9)" "200|3"
same "stored as 'parindex quality' stores it" "$(q "SELECT computed_at, submissions, flagged FROM quality_run")|$(q "SELECT group_concat(instance_id || ':' || check_code, ' ') FROM (SELECT * FROM quality_flag ORDER BY 1, 2)")" \
	"$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print("%s|%d|%d|%s" % (d["computed_at"], d["submissions"], d["flagged"], " ".join(sorted(f["instance_id"] + ":" + c for f in d["flags"] for c in f["checks"]))))' quality.json)"

# 5 failed logins lock the address out, the right password too
for n in 1 2 3 4; do code -d name=office1 -d 'password=nope nope' "$U/login" >/dev/null; done
same "5th failure: locked out" "$(code -d name=office1 -d 'password=nope nope' "$U/login")" 429
ok "says until when" grep -q 'tạm khóa đến 15:15 ngày 15/01/2026 (giờ Việt Nam)' out
same "the right password is refused while locked" "$(code -d name=office1 --data-urlencode 'password=correct horse' "$U/login")" 429
same "the lock in the database" "$(q "SELECT address, lockouts, locked_until FROM login_failure")" "127.0.0.1|1|2026-01-15T08:15:00Z"

same "logout" "$(code -b jar -c jar -d "csrf=$TOKEN" "$U/logout")" 303
same "logged out" "$(code -b jar "$U/")" 303
ok "server exits 0 on SIGTERM" serve_stop

same "audit log" "$(q "SELECT who || ' ' || address || ' ' || what FROM audit WHERE address != 'cli' ORDER BY id")" \
"office1 127.0.0.1 login failed
lan 127.0.0.1 login refused: a surveyor account
office1 127.0.0.1 login (office)
office1 127.0.0.1 upload up.zip: batch 1: 4 entries, 3 accepted, 0 duplicate, 0 edit, 1 rejected, 0 ignored
minh 127.0.0.1 login (analyst)
office1 127.0.0.1 undo batch 1: 3 submissions removed, 0 edited submissions restored
office1 127.0.0.1 upload notes.zip refused: notes.zip: not a zip file (too short)
office1 127.0.0.1 upload up.zip: batch 2: 4 entries, 3 accepted, 0 duplicate, 0 edit, 1 rejected, 0 ignored
office1 127.0.0.1 scores import bad-scores.csv refused: 1 errors
office1 127.0.0.1 scores import scores.csv: import 1: 3 rows for 1 communes
office1 127.0.0.1 tally: 2 communes, 3 submissions
office1 127.0.0.1 report: 2 communes, 8 of 8 charts drawn
office1 127.0.0.1 capture exclude uuid:q-short: quá nhanh
office1 127.0.0.1 capture include uuid:q-short
office1 127.0.0.1 quality: 6 submissions checked, 3 flagged
office1 127.0.0.1 login failed
office1 127.0.0.1 login failed
office1 127.0.0.1 login failed
office1 127.0.0.1 login failed
office1 127.0.0.1 login failed; address locked out until 2026-01-15T08:15:00Z
office1 127.0.0.1 login refused: address locked out until 2026-01-15T08:15:00Z
office1 127.0.0.1 logout"

finish
