# The web survey with single-use codes (issue 12), driven with curl against the real server:
# `codes issue` (usage errors, the slips, only hashes in the database, 80 random bits a code;
# their QR codes and the PDF are t5012's), a code's page (XML,
# lang="vi", under 50 KB, the group's questions in the definition's order), a page with an
# unanswered question sent back with nothing stored, a submission (batch "web COMMUNE DAY",
# channel web, the code used with it, no address stored), the same code again, a voided code,
# an unknown one, `codes list`, the per-address and the global rate limits of code checks
# (addresses through --forwarded-for), the open link (only where the definition allows it,
# channel open, its per-address limit), `capture list` and undo of a web batch, and the same
# answers taken as a Collect zip tallied identically.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"
. "$TOP/tests/cli/serve.sh"

# the mini definition with an open link for group B only
setup_open_db
cp t.db unregistered.db
sqlite3 unregistered.db "DELETE FROM form WHERE group_id = 'B'"

ok "server starts" serve_start t.db --forwarded-for
U=$SERVE_URL
code() { hc -o out -w '%{http_code}' "$@"; }

# ---- codes issue ----
golden issue-usage parindex codes issue --db t.db --commune 90001 --group A --count 3
golden issue-count parindex codes issue --db t.db --commune 90001 --group A --count 0 --url "$U" --out s.html
golden issue-url parindex codes issue --db t.db --commune 90001 --group A --count 3 --url 'javascript:alert(1)' --out s.html
golden issue-out parindex codes issue --db t.db --commune 90001 --group A --count 3 --url "$U" --out s.txt
golden issue-commune parindex codes issue --db t.db --commune 99999 --group A --count 3 --url "$U" --out s.html
golden issue-group parindex codes issue --db t.db --commune 90001 --group Z --count 3 --url "$U" --out s.html
golden issue-form parindex codes issue --db unregistered.db --commune 90001 --group B --count 3 --url "$U" --out s.html
same "nothing issued by the refusals" "$(q 'SELECT count(*) FROM survey_code')|$(test -e s.html && echo file)" "0|"
parindex codes issue --db t.db --commune 90001 --group A --count 14 --url "$U/" --out slips.html >issue.out
same "issue says what it did" "$(sed "s|$U|URL|" issue.out)" "issued 14 codes for commune 90001, group A (sheet 1): slips.html"
parindex codes issue --db t.db --commune 90002 --group B --count 2 --url "$U" --out slips-b.html >/dev/null
grep -o 'class="code">[^<]*' slips.html | cut -d'>' -f2 >codes.txt
same "14 slips, 14 different codes" "$(sort -u codes.txt | wc -l)" 14
same "each 4 groups of 4 from Crockford's alphabet" "$(grep -cE '^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{4}(-[0-9ABCDEFGHJKMNPQRSTVWXYZ]{4}){3}$' codes.txt)" 14
same "two A4 sheets of 12 slips" "$(grep -c 'class="sheet"' slips.html)|$(grep -c '@page { size: A4' slips.html)" "2|1"
ok "the slips are XML" xmllint --noout slips.html
C1=$(sed -n 1p codes.txt | tr -d -)
C2=$(sed -n 2p codes.txt | tr -d -)
C3=$(sed -n 3p codes.txt | tr -d -)
same "the database keeps the SHA-256 of each code, never the code" \
	"$(q "SELECT count(*) FROM survey_code WHERE hash = '$(printf %s "$C1" | sha256sum | cut -c1-64)'")|$(sqlite3 t.db .dump | grep -c -e "$C1" -e "$C2")" "1|0"
same "codes per commune and group, by sheet" "$(q 'SELECT commune_code, group_id, sheet, count(*) FROM survey_code GROUP BY 1, 2, 3')" \
	"90001|A|1|14
90002|B|2|2"

# ---- a code's page ----
same "the code's page" "$(code "$U/s/$C1")" 200
ok "the page is XML" xmllint --noout out
ok "in Vietnamese" grep -q '<html lang="vi"' out
same "under 50 KB" "$(test "$(wc -c <out)" -lt 51200 && echo yes)" yes
same "the group's questions in the definition's order, each in a fieldset" \
	"$(grep -o '<fieldset id="q-[a-z]*"' out | cut -d'"' -f2 | paste -sd' ')" "q-sex q-qa q-qb"
same "every option of the scale" "$(grep -c 'name="qa" value=' out)" 4
# against the XForm itself: its questions (but the commune, fixed by the link) and their
# option values in its order, and the page's
py_lxml - forms/mini-A.xml out <<'EOF' >form-vs-page.txt
import sys
from lxml import etree
xf = etree.parse(sys.argv[1])
form = [(s.get('ref').rsplit('/', 1)[1], [v.text for v in s.iterfind('.//{*}item/{*}value')])
        for s in xf.iterfind('.//{*}body//{*}select1')]
form = [f for f in form if f[0] != 'commune']
page = etree.parse(sys.argv[2])
got = [(f.get('id')[2:], [i.get('value') for i in f.iterfind('.//{*}input')])
       for f in page.iterfind('.//{*}fieldset')]
print('same' if form == got else 'form %s page %s' % (form, got))
EOF
same "the XForm's questions and options, in its order" "$(cat form-vs-page.txt)" same
same "no script" "$(grep -ci '<script' out)" 0
same "typed with dashes and lower case, O for 0" "$(code "$U/s/$(sed -n 1p codes.txt | tr 'A-Z0' 'a-zo')")" 200
same "the code entry page sends to the code's page" "$(code -D h "$U/s?code=$(sed -n 1p codes.txt)")" 303
ok "to /s/CODE" grep -q "^Location: /s/$C1" h
same "style sheet" "$(code -D h "$U/s.css")" 200
T1=$(sed -n 's/.*name="t" value="\([^"]*\)".*/\1/p' out)

same "a question unanswered: the page again" "$(code -d "t=$T1" -d sex=2 -d qa=a "$U/s/$C1")" 422
ok "says how many" grep -q 'Còn 1 câu chưa trả lời' out
ok "keeps what was answered" grep -q 'name="qa" value="a" required="required" checked="checked"' out
same "an option that is not the scale's counts as unanswered" "$(code -d "t=$T1" -d sex=2 -d qa=a -d qb=zzz "$U/s/$C1")" 422
same "nothing stored, the code unused" "$(q 'SELECT count(*) FROM submission')|$(q 'SELECT count(*) FROM survey_code WHERE used_at IS NOT NULL')" "0|0"

same "submitted" "$(code -d "t=$T1" -d sex=2 -d qa=a -d qb=b --data-urlencode 'comment=Cán bộ <b>nhiệt tình</b>' "$U/s/$C1")" 200
ok "thanks" grep -q 'Cảm ơn ông/bà' out
# the spool applied to the database (the code used there), at most 10 s
i=0
while [ $i -lt 100 ] && [ "$(q 'SELECT count(*) FROM survey_code WHERE used_at IS NOT NULL')" = 0 ]; do
	sleep 0.1
	i=$((i + 1))
done
same "the same code again: refused" "$(code -d "t=$T1" -d sex=1 -d qa=c -d qb=c "$U/s/$C1")" 410
ok "says it was used" grep -q 'Mã này đã được sử dụng' out
same "its page: refused" "$(code "$U/s/$C1")" 410
same "the code of group B on its page" "$(code "$U/s/$(sed -n 's/.*class="code">\([^<]*\).*/\1/p' slips-b.html | head -n 1 | tr -d -)")" 200
ok "is group B's" grep -q 'q-qc' out

ok "void a code" parindex codes void --db t.db "$(sed -n 2p codes.txt)"
golden void-unknown parindex codes void --db t.db AAAA-AAAA-AAAA-AAAA
golden void-bad parindex codes void --db t.db not-a-code
parindex codes void --db t.db "$(sed -n 1p codes.txt)" >void.out 2>&1
same "a used code is not voided" "$?|$(sed "s/$(sed -n 1p codes.txt)/CODE/" void.out)" \
	"1|parindex: codes: CODE: used at 2026-01-15T08:00:00Z: a used code cannot be voided"
golden void-again parindex codes void --db t.db "$C2"
same "a voided code: refused" "$(code "$U/s/$C2")" 410
ok "says it was voided" grep -q 'Mã này đã bị hủy' out
same "and its POST" "$(code -d "t=$T1" -d sex=1 -d qa=c -d qb=c "$U/s/$C2")" 410
same "an unknown code" "$(code "$U/s/ABCDEFGHJKMNPQRS")" 404
ok "says so" grep -q 'Không tìm thấy mã khảo sát' out
same "one submission, in the web batch of its commune and day, channel web" \
	"$(q "SELECT b.file_name, b.source, b.channel, coalesce(b.operator, '-'), b.accepted, s.commune_code, s.group_id, s.answers, s.comment FROM submission s JOIN batch b ON b.id = s.batch_id")" \
	'web 90001 2026-01-15|web|web|-|1|90001|A|{"sex":"2","qa":"a","qb":"b"}|Cán bộ <b>nhiệt tình</b>'
same "a server-made instanceID, the code used with it" \
	"$(q "SELECT count(*) FROM submission s JOIN survey_code c ON c.instance_id = s.instance_id AND c.used_at IS NOT NULL WHERE s.instance_id GLOB 'uuid:????????-????-4???-????-????????????'")" 1
same "no address stored" "$(sqlite3 t.db .dump | grep -c '127\.0\.0\.1')" 0
golden list parindex codes list --db t.db

# ---- one code, 20 phones at once: one submission, nothing recorded of the others ----
C4=$(sed -n 4p codes.txt | tr -d -)
i=0
pids=
while [ $i -lt 20 ]; do
	hc -o /dev/null -w '%{http_code}\n' -H "X-Forwarded-For: 10.5.0.$i" -d "t=$T1" -d sex=1 -d qa=b -d qb=b "$U/s/$C4" >race.$i &
	pids="$pids $!"
	i=$((i + 1))
done
# shellcheck disable=SC2086
wait $pids
same "20 at once with one code: one 200, 19 refused" "$(cat race.* | sort | uniq -c | sed 's/^ *//' | paste -sd' ')" "1 200 19 410"

# ---- killed right after its answer: the submission and its code's use survive ----
C5=$(sed -n 5p codes.txt | tr -d -)
same "a submission" "$(code -d "t=$T1" -d sex=2 -d qa=c -d qb=c "$U/s/$C5")" 200
kill -KILL "$SERVE_PID"
wait "$SERVE_PID" 2>/dev/null
SERVE_PID=
ok "server starts again (the spool applied)" serve_start t.db --forwarded-for
U=$SERVE_URL
same "both stored, with their codes used" \
	"$(q "SELECT count(*) FROM survey_code c JOIN submission s ON s.instance_id = c.instance_id WHERE c.hash IN ('$(printf %s "$C4" | sha256sum | cut -c1-64)', '$(printf %s "$C5" | sha256sum | cut -c1-64)')")|$(q 'SELECT count(*) FROM submission')" "2|3"
same "the killed one's code refused" "$(code "$U/s/$C5")" 410

# ---- rate limits of code checks (addresses through --forwarded-for) ----
i=0
while [ $i -lt 10 ]; do
	code -H 'X-Forwarded-For: 10.9.0.1' "$U/s/ABCDEFGHJKMNPQR$i" >/dev/null
	i=$((i + 1))
done
same "the 11th wrong code from one address: 429" "$(code -H 'X-Forwarded-For: 10.9.0.1' "$U/s/ABCDEFGHJKMNPQRS")" 429
ok "says so" grep -q 'Quá nhiều lần thử mã' out
same "then even a good code from it" "$(code -H 'X-Forwarded-For: 10.9.0.1' "$U/s/$C3")" 429
same "another address is not held up" "$(code -H 'X-Forwarded-For: 10.9.0.2' "$U/s/$C3")" 200
# the global limit: 200 failures in all (11 since the restart), the rest spread over addresses, 9 each
i=0
set --
while [ $i -lt 189 ]; do
	# one curl for all (--next between requests), not 189 processes
	[ $i -gt 0 ] && set -- "$@" --next
	set -- "$@" -s -o /dev/null -w '%{http_code}\n' -H "X-Forwarded-For: 10.8.$((i / 9)).1" \
		"$U/s/ABCDEFGHJKMNPQ$((i % 9))X"
	i=$((i + 1))
done
hc "$@" >guesses.txt
same "189 wrong codes from 21 addresses: 404 each" "$(sort guesses.txt | uniq -c | sed 's/^ *//')" "189 404"
same "the global limit: a new address's good code refused" "$(code -H 'X-Forwarded-For: 10.7.0.1' "$U/s/$C3")" 429
same "nothing stored by the guessing" "$(q 'SELECT count(*) FROM submission')|$(q 'SELECT count(*) FROM survey_code WHERE used_at IS NOT NULL')" "3|3"

# ---- the open link ----
same "no open link for group A" "$(code "$U/o/90001/A")" 404
ok "says so" grep -q 'không khảo sát qua đường dẫn mở' out
same "nor for an unknown commune" "$(code "$U/o/99999/B")" 404
same "group B's open link" "$(code "$U/o/90002/B")" 200
TO=$(sed -n 's/.*name="t" value="\([^"]*\)".*/\1/p' out)
i=0
while [ $i -lt 10 ]; do
	code -H 'X-Forwarded-For: 10.6.0.1' -d "t=$TO" -d sex=1 -d qa=b -d qc=c "$U/o/90002/B" >>open.txt
	i=$((i + 1))
done
same "10 submissions from one address" "$(tr -d '\n' <open.txt)" 200200200200200200200200200200
same "the 11th: 429" "$(code -H 'X-Forwarded-For: 10.6.0.1' -d "t=$TO" -d sex=1 -d qa=b -d qc=c "$U/o/90002/B")" 429
same "another address may" "$(code -H 'X-Forwarded-For: 10.6.0.2' -d "t=$TO" -d sex=2 -d qa=a -d qc=a "$U/o/90002/B")" 200
# the office's dashboard: forms per commune, group and channel, as the database has them
printf 'correct horse\n' | parindex user add --db t.db --password-stdin --role office office1 >/dev/null
same "office login" "$(code -c jar -d name=office1 --data-urlencode 'password=correct horse' "$U/login")" 303
same "dashboard" "$(code -b jar "$U/")" 200
py_lxml - out <<'EOF' >cells.txt
import sys
from lxml import etree
page = etree.parse(sys.argv[1])
for tr in page.iterfind('.//{*}table[@id="channels"]/{*}tbody/{*}tr'):
    for td in tr.iterfind('{*}td[@data-channel]'):
        print('%s|%s|%s|%s' % (tr.get('data-row-commune'), tr.get('data-row-group'), td.get('data-channel'), td.text))
EOF
same "the dashboard's cells per channel = the database" "$(grep -v '|0$' cells.txt | sort)" \
	"$(q "SELECT s.commune_code, s.group_id, b.channel, count(*) FROM current_submission s JOIN batch b ON b.id = s.batch_id GROUP BY 1, 2, 3 ORDER BY 1, 2, 3")"
same "four channels a row" "$(wc -l <cells.txt)" 8
ok "server exits 0 on SIGTERM" serve_stop

same "open submissions in their own batch, channel open" \
	"$(q "SELECT b.file_name, b.channel, b.accepted, count(*) FROM submission s JOIN batch b ON b.id = s.batch_id WHERE b.channel = 'open' GROUP BY b.id")" \
	"open 90002 2026-01-15|open|11|11"
same "channels per submission" "$(q 'SELECT channel, count(*) FROM submission_channel GROUP BY 1 ORDER BY 1')" "open|11
web|3"
golden capture-list parindex capture list --db t.db
# the quality view: each channel apart; the open link's 11 forms from one "device" within
# minutes are a burst, the codes' forms are not (its surveyor is the channel, not a person);
# both too short here, since the test's clock stands still
parindex quality --db t.db --format json >quality.json
same "quality per channel: forms, flagged, bursts" "$(py_lxml -c '
import json, sys
q = json.load(open("quality.json"))
print(" ".join("%s:%d:%d:%d" % (c["channel"], c["forms"], c["flagged"], c["checks"]["burst"]) for c in q["channels"]))')" \
	"open:11:11:11 web:3:3:0"

# the same answers as Collect submissions: identical tallies
q "SELECT instance_id, group_id, commune_code, json_extract(answers, '$.sex'), json_extract(answers, '$.qa'), coalesce(json_extract(answers, '$.qb'), json_extract(answers, '$.qc')) FROM submission ORDER BY id" >answers.txt
set --
while IFS='|' read -r iid g c sex a2 a3; do
	n=${iid#uuid:}
	instance "$n" "$g" "$c" "Điều tra viên" dev-1 2026-01-10T08:00:00 2026-01-10T08:10:00 "$sex" "$a2" "$a3"
	set -- "$@" "$n.xml=$T/in/$n.xml"
done <answers.txt
mkzip collect.zip "$@"
cp unregistered.db collect.db
parindex forms --db collect.db --out forms2 >/dev/null
ok "the Collect zip imports" parindex capture import --db collect.db collect.zip
ok "tally of the web answers" sh -c '"$PARINDEX" tally --db t.db --format csv --resamples 0 >web.csv'
ok "tally of the same answers from Collect" sh -c '"$PARINDEX" tally --db collect.db --format csv --resamples 0 >collect.csv'
ok "identical tallies" cmp web.csv collect.csv
same "the survey points are there" "$(grep -c . web.csv)" 3

# undo of the web batch: its submission gone, the code stays used
ok "undo the web batch" parindex capture undo --db t.db 1
same "undone" "$(q "SELECT count(*) FROM current_submission s JOIN batch b ON b.id = s.batch_id WHERE b.channel = 'web'")|$(q 'SELECT count(*) FROM survey_code WHERE used_at IS NOT NULL')" "0|3"
finish
