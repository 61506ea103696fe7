# parindex backup taken while parindex serve is under load from serve-load
# (tests/bench/serve-load.c, 2 clients, 2,000 submissions: few enough that the load outlasts the
# backup on a fast build too): the copy passes integrity_check,
# holds every submission answered 201 before the backup began (the times in serve-load's log)
# and nothing half-stored; restored (copied back, the server stopped), `capture list` shows
# the server's batch, and the server started on it takes the rest.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"
. "$TOP/tests/cli/serve.sh"
. "$TOP/tests/cli/serve-load.sh"

load_setup 2000 51

serve_start t.db
load_start load.zip lan load.log --clients 2
ok "a quarter answered 201 before the backup" wait_answers load.log $((N / 4))
began=$(date +%s.%N)
ok "backup under load" parindex backup --db t.db --out copy.db
ended=$(date +%s.%N)
wait "$LOAD_PID"
same "every submission answered 201" "$?" 0
ok "answers came after the backup ended: it ran under load" \
	awk -F'\t' -v t="$ended" '$3 > t { n++ } END { exit !(n > 0) }' load.log
serve_stop
same "SIGTERM: the server exits 0" "$?" 0
answered_201 load.log >answered.txt

same "the copy passes integrity_check" "$(sqlite3 copy.db 'PRAGMA integrity_check')" ok
awk -F'\t' -v t="$began" '$2 == 201 && $3 < t { print $1 }' load.log | sort >before.txt
sqlite3 copy.db 'SELECT instance_id FROM submission' | sort >copy.txt
ok "answered 201 before the backup began: $(wc -l <before.txt)" test "$(wc -l <before.txt)" -ge $((N / 4))
same "the copy holds every one of them" "$(comm -23 before.txt copy.txt | head -n 3)" ""
same "the copy holds nothing that was not sent" "$(comm -13 all.txt copy.txt | head -n 3)" ""
same "nothing half-stored in the copy" "$(q_half_stored copy.db)" ""
same "the database holds every one answered 201" \
	"$(q 'SELECT instance_id FROM submission' | sort | comm -13 - answered.txt | head -n 3)" ""

# restore: the server stopped, the database and its spool moved aside, the copy in its place
mkdir damaged && mv t.db* damaged/
cp copy.db t.db
ok "capture list of the restored copy" parindex capture list --db t.db
parindex capture list --db t.db >list.txt
same "it shows the server's batch and what the copy holds" \
	"$(awk -F'\t' 'NR > 1 && $11 == "lan" && $12 == "serve" { n += $4 } END { print n + 0 }' list.txt)" \
	"$(wc -l <copy.txt)"
# what came after the copy is sent again, as Collect does for what the office lost
serve_start t.db
comm -23 all.txt copy.txt >after.txt
ok "the rest resent, each answered 201" load_run load.zip lan resend.log --only after.txt
serve_stop
same "SIGTERM: the server exits 0" "$?" 0
same "the restored database holds all $N, once each" \
	"$(q 'SELECT count(*), count(DISTINCT instance_id) FROM submission')" "$N|$N"
same "nothing half-stored in the restored database" "$(q_half_stored)" ""

finish
