# parindex serve, paper keying after `capture undo` (migration 0018): undoing the batch that
# holds a keyed form's submission reopens the form. Its two keyings and its paper_form row move
# to paper_keying_undone and paper_form_undone, the audit log records the reopen, and the form
# is keyed again from the start (by the same keyers too), becomes one submission again and
# counts once in the tally. An agreed form undone at the command line, a decided one through
# the office's /undo; a batch without paper forms reopens nothing. (Before 0018 the form stayed
# agreed and every new keying was refused.)
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"
. "$TOP/tests/cli/serve.sh"

setup_db
adduser() { _p=$1; shift; printf '%s\n' "$_p" | parindex user add --db t.db --password-stdin "$@" >/dev/null; }
adduser 'keyer one secret' --role keyer --communes 90001 k1
adduser 'keyer two secret' --role keyer --communes 90001 k2
adduser 'keyer three secret' --role keyer --communes 90001 k3
adduser 'correct horse' --role office office1

ok "server starts" serve_start t.db
U=$SERVE_URL
code() { hc -o out -w '%{http_code}' "$@"; }
csrf() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' out | head -n 1; }
login() {
	code -c "$1" -d "name=$1" --data-urlencode "password=$2" "$U/login" >/dev/null
	code -b "$1" "$U/key?commune=90001&group=A" >/dev/null
	csrf >"$1.csrf"
}
# key KEYER SERIAL SURVEYOR SEX QA QB: one form of group A of commune 90001
key() {
	code -b "$1" -d "csrf=$(cat "$1.csrf")" -d commune=90001 -d group=A -d "serial=$2" \
		--data-urlencode "surveyor=$3" -d "q1=$4" -d "q2=$5" -d "q3=$6" -D h "$U/key"
}
# wait until the spool is applied: N submissions of device paper:90001-A-SERIAL
applied() {
	_i=0
	while [ "$_i" -lt 100 ] &&
		[ "$(q "SELECT count(*) FROM submission WHERE device_id = 'paper:90001-A-$1'")" != "$2" ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	q "SELECT count(*) FROM submission WHERE device_id = 'paper:90001-A-$1'"
}
login k1 'keyer one secret'
login k2 'keyer two secret'
login k3 'keyer three secret'
code -c office1 -d name=office1 --data-urlencode 'password=correct horse' "$U/login" >/dev/null
code -b office1 "$U/key/review" >/dev/null
csrf >office1.csrf

# form 1 agreed, form 2 decided by the office; a Collect zip as a third batch
same "form 1: k1" "$(key k1 1 DTV01 1 a b)" 303
same "form 1: k2 agrees" "$(key k2 1 DTV01 1 a b)" 303
same "form 1 submitted" "$(applied 1 1)" 1
same "form 2: k1" "$(key k1 2 DTV02 2 b c)" 303
same "form 2: k2 differs" "$(key k2 2 DTV02 2 c c)" 303
same "the office decides form 2" "$(code -b office1 -d "csrf=$(cat office1.csrf)" -d commune=90001 -d group=A -d serial=2 -d surveyor=DTV02 -d q2=b "$U/key/decide")" 303
same "form 2 submitted" "$(applied 2 1)" 1
mkzip c.zip a1.xml="$I/a1.xml"
ok "a Collect batch" sh -c "\"$PARINDEX\" capture import --db t.db c.zip >/dev/null"
B1=$(q "SELECT id FROM batch WHERE file_name = 'paper k2 2026-01-15'")
B2=$(q "SELECT id FROM batch WHERE file_name = 'paper office1 2026-01-15'")
BC=$(q "SELECT id FROM batch WHERE file_name = 'c.zip'")
IID1=$(q "SELECT instance_id FROM paper_form WHERE serial = 1")
same "before: agreed and decided, keyed twice each" \
	"$(q "SELECT serial, state FROM paper_form ORDER BY serial" | paste -sd' ')|$(q "SELECT count(*) FROM paper_keying")" "1|agreed 2|decided|4"

# a batch without paper forms reopens nothing
golden undo-collect parindex capture undo --db t.db "$BC"
same "paper forms untouched" "$(q "SELECT count(*) FROM paper_form")|$(q "SELECT count(*) FROM paper_keying")|$(q "SELECT count(*) FROM paper_form_undone")" "2|4|0"

# the agreed form's batch undone at the command line: the form can be keyed again
golden undo-agreed parindex capture undo --db t.db "$B1"
same "its submission gone" "$(applied 1 0)" 0
same "form 1 no longer keyed" "$(q "SELECT count(*) FROM paper_form WHERE serial = 1")|$(q "SELECT count(*) FROM paper_keying WHERE serial = 1")" "0|0"
same "form 2 untouched" "$(q "SELECT serial, state FROM paper_form")|$(q "SELECT count(*) FROM paper_keying WHERE serial = 2")" "2|decided|2"
same "its keyings kept apart, with the undone batch" \
	"$(q "SELECT serial, keyer, surveyor, answers, batch_id = $B1, undone_at FROM paper_keying_undone ORDER BY id" | paste -sd' ')" \
	'1|k1|DTV01|{"sex":"1","qa":"a","qb":"b"}|1|2026-01-15T08:00:00Z 1|k2|DTV01|{"sex":"1","qa":"a","qb":"b"}|1|2026-01-15T08:00:00Z'
same "and the form as it was" \
	"$(q "SELECT serial, state, instance_id = '$IID1', differing, batch_id = $B1 FROM paper_form_undone")" "1|agreed|1|0|1"
same "audited: who, from where, what" \
	"$(q "SELECT who = '$(id -un)', address, what FROM audit WHERE what LIKE 'paper reopen%'")" \
	"1|cli|paper reopen 90001-A-1: batch $B1 undone, the form was agreed; its keyings start over"

# keyed again by the same two keyers: first, then agreed, one submission
same "k1 keys form 1 again" "$(key k1 1 DTV01 1 a a)" 303
ok "a first keying" grep -q 'saved=first' h
same "k2 keys it again, agreeing" "$(key k2 1 DTV01 1 a a)" 303
ok "agreed" grep -q 'saved=agreed' h
same "one submission again, the new answers, the same instanceID" \
	"$(applied 1 1)|$(q "SELECT answers, instance_id = '$IID1' FROM current_submission WHERE device_id = 'paper:90001-A-1'")" \
	'1|{"sex":"1","qa":"a","qb":"a"}|1'
same "in a new batch of k2's" "$(q "SELECT b.id <> $B1, b.file_name, b.undone_at IS NULL FROM batch b JOIN submission s ON s.batch_id = b.id WHERE s.device_id = 'paper:90001-A-1'")" \
	"1|paper k2 2026-01-15|1"
same "agreed again" "$(q "SELECT state FROM paper_form WHERE serial = 1")" agreed
same "a third keying still refused" "$(key k3 1 DTV01 1 a a)" 409

# the decided form's batch undone through the office's page: audited as the office
same "undo on the office's page" "$(code -b office1 -d "csrf=$(cat office1.csrf)" -d batch="$B2" "$U/undo")" 200
ok "says a paper form is to be keyed again" grep -q '1 phiếu giấy cần nhập lại' out
same "form 2 reopened" "$(applied 2 0)|$(q "SELECT count(*) FROM paper_form WHERE serial = 2")|$(q "SELECT state, decided_by, answers FROM paper_form_undone WHERE serial = 2")" \
	'0|0|decided|office1|{"sex":"2","qa":"b","qb":"c"}'
same "audited as the office" "$(q "SELECT who, address, what FROM audit WHERE what LIKE 'paper reopen 90001-A-2%'")" \
	"office1|127.0.0.1|paper reopen 90001-A-2: batch $B2 undone, the form was decided; its keyings start over"
same "k3 keys form 2" "$(key k3 2 DTV02 2 b b)" 303
same "k1 keys it again, agreeing" "$(key k1 2 DTV02 2 b b)" 303
same "form 2 submitted again" "$(applied 2 1)|$(q "SELECT state FROM paper_form WHERE serial = 2")" "1|agreed"
serve_stop
same "server stops" "$?" 0

# the tally counts each paper form once
ok "tally" sh -c "\"$PARINDEX\" tally --db t.db --resamples 0 >/dev/null 2>&1"
same "two forms of group A in 90001" "$(q "SELECT forms FROM tally_group WHERE commune_code = '90001' AND group_id = 'A'")" 2
same "current submissions: the two paper forms" "$(q "SELECT device_id FROM current_submission ORDER BY device_id" | paste -sd' ')" "paper:90001-A-1 paper:90001-A-2"
finish
