# serve: the submission path (capture/serve_store.c) driven without HTTP by serve-submit
# (tests/gen/serve-submit.c): what each submission is answered, the per-surveyor-per-day
# batches `capture list` shows and `capture undo` takes back (later submissions of the day
# then open a new batch), and a backup taken while the spool holds submissions that had their
# 201 but are not in the database yet: the copy holds them. Then the same through
# `parindex serve` over HTTP: scope 403, conflict 409, a resend stored once, and a 201 within
# 2 s while a long capture import holds the database, applied once the import commits.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"
. "$TOP/tests/cli/serve.sh"

submit() { "$SERVE_SUBMIT" "$@"; }
user() { echo 'correct horse' | "$PARINDEX" user add --db t.db --password-stdin "$@" >/dev/null; }

setup_db
ok "a surveyor of commune 90001, group A" user --role surveyor lan --communes 90001 --groups A
ok "an office account" user --role office van
ok "an analyst" user --role analyst minh

# a1 stored; sent again (Collect resends when a response was lost): 201, stored once; a1 with
# other answers: 409; b1 is of commune 90002 and group B: 403; invalid ones: 400 with
# capture's reason; an edit of a1: 201
golden submit-lan submit --db t.db --user lan "$I/a1.xml" "$I/a1.xml" "$I/a1-conflict.xml" \
	"$I/b1.xml" "$I/bad-missing-answer.xml" "$I/bad-malformed.xml" "$I/bad-unknown-form.xml" \
	"$I/a1-edit.xml"
golden submit-analyst submit --db t.db --user minh "$I/a2.xml"
golden submit-office submit --db t.db --user van "$I/b1.xml"
same "stored: a1, its edit, b1" \
	"$(q "SELECT instance_id, superseded_by IS NOT NULL FROM submission ORDER BY id")" \
"uuid:00000000-0000-4000-8000-000000000001|1
uuid:00000000-0000-4000-8000-000000000011|0
uuid:00000000-0000-4000-8000-000000000031|0"
same "one batch per surveyor per day, source serve, counts up to date" \
	"$(q "SELECT file_name, source, operator, entries, accepted, duplicates, edits, rejected, ignored FROM batch ORDER BY id")" \
"serve lan 2026-01-15|serve|lan|8|1|1|1|5|0
serve minh 2026-01-15|serve|minh|1|0|0|0|1|0
serve van 2026-01-15|serve|van|1|1|0|0|0|0"
same "every submission an entry of its batch, refusals with their reasons" \
	"$(q "SELECT batch_id, seq, status, reason, coalesce(commune_code, '-') FROM batch_entry ORDER BY batch_id, seq")" \
"1|1|accepted|ok|90001
1|2|duplicate|duplicate|90001
1|3|rejected|conflict|90001
1|4|rejected|out-of-scope|90002
1|5|rejected|missing-answer|90002
1|6|rejected|malformed|-
1|7|rejected|unknown-form|90002
1|8|edit|edit|90001
2|1|rejected|out-of-scope|90001
3|1|accepted|ok|90002"
same "the spool is empty once applied" "$(sqlite3 t.db.spool 'SELECT count(*) FROM spool')" 0
golden list parindex capture list --db t.db

# undo lan's batch: a1 and its edit go; lan's next submission that day opens a new batch
golden undo parindex capture undo --db t.db 1
same "lan's submissions removed" "$(q "SELECT count(*) FROM submission")" 1
golden submit-after-undo submit --db t.db --user lan "$I/a2.xml" "$I/a1.xml"
same "a new batch for lan" \
	"$(q "SELECT id, file_name, entries, accepted, undone_at IS NOT NULL FROM batch WHERE operator = 'lan' ORDER BY id")" \
"1|serve lan 2026-01-15|8|1|1
4|serve lan 2026-01-15|2|2|0"
# the next day (Vietnam's date: 17:30 UTC is 00:30 the day after in Hà Nội)
PARINDEX_NOW=2026-01-15T17:30:00Z submit --db t.db --user van "$I/a1-edit.xml" >next-day.out
same "the next day's batch" "$(q "SELECT file_name, edits FROM batch ORDER BY id DESC LIMIT 1")" \
	"serve van 2026-01-16|1"

# submissions that had their 201 while another process held the database (a long import):
# in the spool, not yet in the database; the server is then killed
ok "generate 20" "$GEN_BATCH" --definition "$DATA/definitions/mini.xml" \
	--communes "$CAP/communes.csv" --count 20 --seed 5 --out twenty.zip
submit --db t.db --user van --hold-lock --kill twenty.zip >killed.out 2>&1
same "20 answered 201 before the kill" "$(grep -c ': 201 ok: stored$' killed.out)" 20
same "they wait in the spool" "$(sqlite3 t.db.spool 'SELECT count(*) FROM spool')" 20
same "none is in the database yet" "$(q "SELECT count(*) FROM submission")" 4
golden backup parindex backup --db t.db --out copy.db
same "the copy holds them" "$(sqlite3 copy.db "SELECT count(*) FROM submission")" 24
same "in van's batch of the day" \
	"$(sqlite3 copy.db "SELECT entries, accepted FROM batch WHERE file_name = 'serve van 2026-01-15'")" "21|21"
same "the copy passes integrity_check" "$(sqlite3 copy.db 'PRAGMA integrity_check')" ok
same "the database itself is untouched by the backup" "$(q "SELECT count(*) FROM submission")" 4
same "so is the spool" "$(sqlite3 t.db.spool 'SELECT count(*) FROM spool')" 20
# the store applies the spool when it opens again: the database then equals the copy
ok "the store opened again" submit --db t.db --user van "$I/a1-edit.xml"
same "the database holds them too" "$(q "SELECT count(*) FROM submission")" 24
same "the copy's data as the database's" \
	"$(sqlite3 copy.db 'SELECT instance_id, batch_id FROM submission ORDER BY id' | sha256sum)" \
	"$(q 'SELECT instance_id, batch_id FROM submission ORDER BY id' | sha256sum)"
# a backup of a database whose spool was applied already applies nothing again
golden backup-applied parindex backup --db t.db --out copy2.db
same "no row twice" "$(sqlite3 copy2.db "SELECT count(*) FROM submission")" 24

# over HTTP, as ODK Collect sends them
ok "server starts" serve_start t.db
U=$SERVE_URL
post() { # USER:PASSWORD FILE: the status; the OpenRosaResponse in out.xml
	hc --digest -u "$1" -o out.xml -w '%{http_code}' -F "xml_submission_file=@$2" "$U/submission"
}
same "b1 outside lan's communes" "$(post 'lan:correct horse' "$I/b1.xml")" 403
ok "says why" grep -q 'commune 90002 is not among the communes of surveyor' out.xml
same "a1 with other answers" "$(post 'lan:correct horse' "$I/a1-conflict.xml")" 409
ok "says why" grep -q "instance 'uuid:00000000-0000-4000-8000-000000000001' is stored already with different content (answers)" out.xml
sed 's/8000-000000000002/8000-000000000099/' "$I/a2.xml" >a99.xml
same "a new submission" "$(post 'van:correct horse' a99.xml)" 201
same "sent again (a lost response)" "$(post 'van:correct horse' a99.xml)" 201
same "an answer not among the options" "$(post 'lan:correct horse' "$I/bad-option.xml")" 400
ok "says why, with capture's reason" grep -q 'unknown-option' out.xml
# a long capture import holds the write lock (slowed down so that it surely does)
ok "generate 400" "$GEN_BATCH" --definition "$DATA/definitions/mini.xml" \
	--communes "$CAP/communes.csv" --count 400 --seed 6 --out big.zip
slow_import big.zip
ok "the import holds the write lock" kill -0 $pid
hc --digest -u 'lan:correct horse' -o locked.xml -w '%{http_code} %{time_total}\n' \
	-F "xml_submission_file=@$I/a1-edit2.xml" "$U/submission" >locked.out
same "201 while the import runs" "$(cut -d' ' -f1 locked.out)" 201
ok "within 2 s" awk '{ exit !($2 < 2) }' locked.out
ok "the import was still running" kill -0 $pid
same "not in the database yet" \
	"$(q "SELECT count(*) FROM submission WHERE instance_id = 'uuid:00000000-0000-4000-8000-000000000012'")" 0
wait $pid
same "the import finished" "$?" 0
i=0
while [ $i -lt 100 ] && [ "$(q "SELECT count(*) FROM submission WHERE instance_id = 'uuid:00000000-0000-4000-8000-000000000012'")" != 1 ]; do
	sleep 0.1
	i=$((i + 1))
done
ok "stops on SIGTERM" serve_stop
same "applied once the import committed" \
	"$(q "SELECT count(*) FROM submission WHERE instance_id = 'uuid:00000000-0000-4000-8000-000000000012'")" 1
same "each stored once" "$(q "SELECT count(*) - count(DISTINCT instance_id) FROM submission")" 0
same "the day's HTTP entries, in order" \
	"$(q "SELECT operator, status, reason FROM (SELECT e.rowid AS r, b.operator, e.status, e.reason FROM batch_entry e JOIN batch b ON b.id = e.batch_id WHERE e.path LIKE 'submission %' ORDER BY e.rowid DESC LIMIT 6) ORDER BY r")" \
"lan|rejected|out-of-scope
lan|rejected|conflict
van|accepted|ok
van|duplicate|duplicate
lan|rejected|unknown-option
lan|edit|edit"
same "the spool is empty after the stop" "$(sqlite3 t.db.spool 'SELECT count(*) FROM spool')" 0

finish
