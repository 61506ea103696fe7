# parindex serve, paper forms keyed twice (/key), with curl against the real server: the keyer
# role (user add and list, its scope), the keying page (its fields in the paper's order, the
# script allowed by the policy), a first keying kept and no submission, the same keyer twice
# refused, a second keyer agreeing -> one submission (source paper, serial in the device id,
# the server-made instanceID, a batch in `capture list`, undoable), a third keying refused, bad
# input refused with the question named and nothing stored, a form outside the keyer's scope
# refused; two keyings that differ -> no submission, the office sees both side by side, its
# decision (audited) becomes the submission; an analyst may look, not decide; a keyer reaches
# no other page; the dashboard's forms per commune x group x channel; the keyers' statistics.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"
. "$TOP/tests/cli/serve.sh"

setup_db
adduser() { _p=$1; shift; printf '%s\n' "$_p" | parindex user add --db t.db --password-stdin "$@"; }
golden user-add-keyer adduser 'keyer one secret' --role keyer --communes 90001 k1
adduser 'keyer two secret' --role keyer --communes 90001,90002 --groups A k2 >/dev/null
adduser 'keyer three secret' --role keyer --communes 90001 k3 >/dev/null
adduser 'correct horse' --role office office1 >/dev/null
adduser 'analyst secret' --role analyst minh >/dev/null
golden keyer-needs-communes adduser 'keyer four secret' --role keyer k4
golden user-list parindex user list --db t.db
same "keyer role in the database" "$(q "SELECT name, role FROM account WHERE role = 'keyer' ORDER BY id" | tr '\n' ' ')" "k1|keyer k2|keyer k3|keyer "

ok "server starts" serve_start t.db
U=$SERVE_URL
code() { hc -o out -w '%{http_code}' "$@"; }
csrf() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' out | head -n 1; }
login() { code -c "$1" -d "name=$2" --data-urlencode "password=$3" "$U/login"; }
# key JAR SERIAL SURVEYOR SEX QA QB: one form of group A of commune 90001
key() {
	code -b "$1" -d "csrf=$(cat "$1.csrf")" -d commune=90001 -d group=A -d "serial=$2" \
		--data-urlencode "surveyor=$3" -d "q1=$4" -d "q2=$5" -d "q3=$6" -D h "$U/key"
}
applied() {
	_i=0
	while [ "$_i" -lt 100 ] && [ "$(q "SELECT count(*) FROM submission")" != "$1" ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	q "SELECT count(*) FROM submission"
}

same "keyer logs in" "$(login k1 k1 'keyer one secret')" 303
same "the dashboard sends a keyer to /key" "$(code -D h -b k1 "$U/")" 303
ok "to /key" grep -q '^Location: /key' h
same "choose commune and group" "$(code -b k1 "$U/key")" 200
ok "the choice is XML" xmllint --noout out
ok "only the keyer's communes" sh -c "grep -c '<option value=\"9000' out | grep -qx 1"
same "the keying page" "$(code -D h -b k1 "$U/key?commune=90001&group=A")" 200
ok "the keying page is XML" xmllint --noout out
csrf >k1.csrf
ok "its policy lets the server's own script run" grep -q "script-src 'self';" h
ok "the script from its file, none inline" grep -q '<script src="/static/key.js"></script>' out
same "fields in the paper's order, serial first, with autofocus" \
	"$(grep -o '<input type="text" id="[a-z0-9]*"' out | sed 's/.*id="//; s/"//' | tr '\n' ' ')" "serial surveyor q1 q2 q3 "
ok "serial has autofocus and a numeric keyboard" grep -q 'id="serial" name="serial" size="5" maxlength="20" autocomplete="off" inputmode="numeric" autofocus="autofocus"' out
same "the script" "$(code -D h "$U/static/key.js")" 200
ok "served as JavaScript" grep -qi '^Content-Type: text/javascript' h
same "another commune refused" "$(code -b k1 "$U/key?commune=90002&group=A")" 403
ok "says so" grep -q 'không nằm trong phạm vi' out

# the first keying is kept, nothing submitted
same "first keying" "$(key k1 1 DTV01 1 a b)" 303
ok "saved: waits for the second keyer" grep -q '^Location: /key?commune=90001&group=A&serial=1&saved=first' h
same "kept" "$(q "SELECT commune, group_id, serial, keyer, surveyor, answers FROM paper_keying")" '90001|A|1|k1|DTV01|{"sex":"1","qa":"a","qb":"b"}'
same "no submission yet" "$(q "SELECT count(*) FROM submission")|$(q "SELECT count(*) FROM paper_form")" "0|0"
same "the same keyer twice refused" "$(key k1 1 DTV01 1 a b)" 409
ok "says so" grep -q 'bạn đã nhập phiếu số 1 rồi' out
same "nothing stored" "$(q "SELECT count(*) FROM paper_keying")" 1

# bad input: the question named, nothing stored
same "an option that is not one" "$(key k1 2 DTV01 1 z b)" 422
ok "names the question" grep -q 'câu 2: «z» không phải một phương án của câu này' out
ok "keeps what was typed" grep -q 'id="q2" name="q2" size="2" maxlength="20" autocomplete="off" autofocus="autofocus" value="z"' out
same "a question left empty" "$(key k1 2 DTV01 1 a '')" 422
ok "names it" grep -q 'câu 3 chưa nhập' out
same "serial 0" "$(key k1 0 DTV01 1 a b)" 422
ok "says what a serial is" grep -q 'số phiếu phải là số từ 1 đến 99999' out
same "serial not a number" "$(key k1 1x DTV01 1 a b)" 422
same "no surveyor code" "$(key k1 2 '' 1 a b)" 422
ok "says so" grep -q 'chưa nhập mã số điều tra viên' out
same "nothing stored from them" "$(q "SELECT count(*) FROM paper_keying")" 1
same "a keyer posting for a commune outside the scope" \
	"$(code -b k1 -d "csrf=$(cat k1.csrf)" -d commune=90002 -d group=A -d serial=5 -d surveyor=x -d q1=1 -d q2=a -d q3=a "$U/key")" 403
same "without the form token" "$(code -b k1 -d commune=90001 -d group=A -d serial=9 -d surveyor=x -d q1=1 -d q2=a -d q3=a "$U/key")" 403
same "still nothing" "$(q "SELECT count(*) FROM paper_keying")" 1

# a second keyer agrees: one submission through the server's spool
same "k2 logs in" "$(login k2 k2 'keyer two secret')" 303
code -b k2 "$U/key?commune=90001&group=A" >/dev/null
csrf >k2.csrf
same "second keying, agreeing" "$(key k2 1 DTV01 1 a b)" 303
ok "saved: agreed" grep -q 'saved=agreed' h
same "one submission" "$(applied 1)" 1
IID=$(q "SELECT instance_id FROM paper_form WHERE serial = 1")
same "the form agreed, with a server-made instanceID" "$(q "SELECT state, differing FROM paper_form")|$(echo "$IID" | grep -c '^uuid:[0-9a-f]\{8\}-[0-9a-f]\{4\}-5[0-9a-f]\{3\}-[89ab][0-9a-f]\{3\}-[0-9a-f]\{12\}$')" "agreed|0|1"
same "the submission: commune, group, surveyor, answers, serial in the device id" \
	"$(q "SELECT instance_id = '$IID', commune_code, group_id, surveyor, answers, device_id, started IS NULL FROM submission")" \
	'1|90001|A|DTV01|{"sex":"1","qa":"a","qb":"b"}|paper:90001-A-1|1'
same "its batch: source and channel paper, the keyer's, per day" \
	"$(q "SELECT b.file_name, b.source, b.channel, b.operator, b.accepted FROM batch b JOIN submission s ON s.batch_id = b.id")" "paper k2 2026-01-15|paper|paper|k2|1"
golden capture-list parindex capture list --db t.db
same "the page says so" "$(code -b k2 "$U/key?commune=90001&group=A&serial=1&saved=agreed")" 200
ok "agreed" grep -q 'Phiếu số 1: hai lần nhập khớp nhau: phiếu đã được nhận.' out
same "a third keying refused" "$(login k3 k3 'keyer three secret')" 303
code -b k3 "$U/key?commune=90001&group=A" >/dev/null
csrf >k3.csrf
same "third keyer" "$(key k3 1 DTV01 1 a b)" 409
ok "keyed twice already" grep -q 'phiếu số 1 đã được hai người nhập' out

# two keyings that differ: the office decides from the paper
same "k1 keys form 2" "$(key k1 2 DTV02 2 b c)" 303
same "k2 keys it otherwise" "$(key k2 2 DTV20 2 c c)" 303
ok "saved: differ" grep -q 'saved=differ' h
same "waits for the office, nothing submitted" "$(q "SELECT state, differing FROM paper_form WHERE serial = 2")|$(applied 1)" "differ|2|1"
same "office logs in" "$(login office1 office1 'correct horse')" 303
same "the review page" "$(code -b office1 "$U/key/review")" 200
ok "the review page is XML" xmllint --noout out
OTOKEN=$(csrf)
ok "counts by state" grep -q 'Chờ người nhập thứ hai: <b>0</b>. Khớp, đã nhận: <b>1</b>. Khác nhau, chờ đối chiếu: <b>1</b>. Đã đối chiếu: <b>0</b>.' out
ok "the differing form listed" grep -q 'href="/key/review?commune=90001&amp;group=A&amp;serial=2"' out
same "side by side" "$(code -b office1 "$U/key/review?commune=90001&group=A&serial=2")" 200
ok "side by side is XML" xmllint --noout out
same "the differing rows" "$(grep -o 'data-differ="[a-z]*"' out | tr '\n' ' ')" 'data-differ="surveyor" data-differ="q" '
ok "both keyers' answers" grep -q '<td>b Trung bình</td><td>c Kém</td>' out
same "a decision missing a choice" "$(code -b office1 -d "csrf=$OTOKEN" -d commune=90001 -d group=A -d serial=2 -d surveyor=DTV02 "$U/key/decide")" 422
ok "names the question" grep -q 'câu 2: chưa chọn câu trả lời theo phiếu giấy' out
same "an analyst may look" "$(login minh minh 'analyst secret')|$(code -b minh "$U/key/review?commune=90001&group=A&serial=2")" "303|200"
not_ok "no decision button for an analyst" grep -q 'Lưu quyết định' out
same "an analyst may not decide" "$(code -b minh -d "csrf=$(csrf)" -d commune=90001 -d group=A -d serial=2 -d surveyor=DTV02 -d q2=b "$U/key/decide")" 403
same "a keyer may not decide" "$(code -b k1 -d "csrf=$(cat k1.csrf)" -d commune=90001 -d group=A -d serial=2 -d surveyor=DTV02 -d q2=b "$U/key/decide")" 403
same "still nothing submitted" "$(applied 1)|$(q "SELECT state FROM paper_form WHERE serial = 2")" "1|differ"
same "the office decides" "$(code -D h -b office1 -d "csrf=$OTOKEN" -d commune=90001 -d group=A -d serial=2 -d surveyor=DTV02 -d q2=b "$U/key/decide")" 303
ok "back to the list" grep -q '^Location: /key/review?decided=2' h
same "the decision is the submission" "$(applied 2)|$(q "SELECT surveyor, answers, device_id FROM submission WHERE device_id = 'paper:90001-A-2'")" \
	'2|DTV02|{"sex":"2","qa":"b","qb":"c"}|paper:90001-A-2'
same "in the office's batch" "$(q "SELECT b.file_name, b.source FROM batch b JOIN submission s ON s.batch_id = b.id WHERE s.device_id = 'paper:90001-A-2'")" "paper office1 2026-01-15|paper"
same "decided, by whom" "$(q "SELECT state, decided_by, answers FROM paper_form WHERE serial = 2")" 'decided|office1|{"sex":"2","qa":"b","qb":"c"}'
same "audited" "$(q "SELECT who, address, what FROM audit WHERE what LIKE 'paper decide%'")" \
	'office1|127.0.0.1|paper decide 90001-A-2: surveyor DTV02, answers {"sex":"2","qa":"b","qb":"c"}'
same "decided twice refused" "$(code -b office1 -d "csrf=$OTOKEN" -d commune=90001 -d group=A -d serial=2 -d surveyor=DTV02 -d q2=b "$U/key/decide")" 409

# the keyers' statistics: forms keyed, paired, differing, wrong against the decision
same "review list" "$(code -b office1 "$U/key/review")" 200
# (the clock stands still in tests: no time per form, "–"; the times are unit-tested)
same "k1: 2 keyed, 2 paired, 1 differing (50 %), none wrong against the decision" \
	"$(grep -o '<tr data-keyer="k1">.*</tr>' out)" \
	'<tr data-keyer="k1"><td>k1</td><td class="num">2</td><td class="num">–</td><td class="num">–</td><td class="num">2</td><td class="num">1</td><td class="num">50.0 %</td><td class="num">0</td></tr>'
same "k2: the same, 1 wrong against the decision" \
	"$(grep -o '<tr data-keyer="k2">.*</tr>' out)" \
	'<tr data-keyer="k2"><td>k2</td><td class="num">2</td><td class="num">–</td><td class="num">–</td><td class="num">2</td><td class="num">1</td><td class="num">50.0 %</td><td class="num">1</td></tr>'
same "k3: nothing stored" "$(grep -c 'data-keyer="k3"' out)" 0

# a keyer reaches nothing else
same "a keyer's GET elsewhere goes to /key" "$(code -D h -b k1 "$U/batches")" 303
same "a keyer's POST elsewhere refused" "$(code -b k1 -d "csrf=$(cat k1.csrf)" -d batch=1 "$U/undo")" 403
same "a keyer cannot see the review" "$(code -D h -b k1 "$U/key/review")" 303
same "the office does not key" "$(code -b office1 -d "csrf=$OTOKEN" -d commune=90001 -d group=A -d serial=7 -d surveyor=x -d q1=1 -d q2=a -d q3=a "$U/key")" 403

# the dashboard: forms per commune x group x channel, as the database has them
same "dashboard" "$(code -b office1 "$U/")" 200
q "SELECT s.commune_code, s.group_id, sum(ch.channel = 'collect'), sum(ch.channel = 'web'), sum(ch.channel = 'open'), sum(ch.channel = 'paper') FROM current_submission s JOIN submission_channel ch ON ch.submission_id = s.id GROUP BY 1, 2 ORDER BY 1, 2" >want
sed -n 's/.*<tr data-row-commune="\([0-9]*\)" data-row-group="\([A-Z]\)">.*data-channel="collect">\([0-9]*\)<.*data-channel="web">\([0-9]*\)<.*data-channel="open">\([0-9]*\)<.*data-channel="paper">\([0-9]*\)<.*/\1|\2|\3|\4|\5|\6/p' out >got
ok "per commune x group x channel as in the database" cmp want got
same "two paper forms" "$(cat got)" "90001|A|0|0|0|2"

# undo: the paper batch's submission goes
B=$(q "SELECT id FROM batch WHERE file_name = 'paper k2 2026-01-15'")
ok "undo the keyers' batch" sh -c "\"$PARINDEX\" capture undo --db t.db $B >/dev/null"
same "its submission gone, the other stays" "$(q "SELECT device_id FROM current_submission")" "paper:90001-A-2"
serve_stop
same "server stops" "$?" 0
finish
