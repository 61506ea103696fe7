# parindex serve killed with SIGKILL under load from serve-load (tests/bench/serve-load.c, 32
# clients, 2,000 submissions), then started again on the same database: every submission
# answered 201 is stored once the spool is applied, nothing is half-stored (integrity_check,
# every submission in a batch that exists and holds its entry, every batch's counts equal to
# its entries), and a resend of those that got no 201 completes the set.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"
. "$TOP/tests/cli/serve.sh"
. "$TOP/tests/cli/serve-load.sh"

load_setup 2000 41

serve_start t.db
load_start load.zip lan load.log
# a third answered: the kill falls in the middle, with 32 submissions in flight
ok "a third answered 201 before the kill" wait_answers load.log $((N / 3))
kill -KILL "$SERVE_PID"
wait "$SERVE_PID"
same "the server killed by SIGKILL" "$?" 137
SERVE_PID=
wait "$LOAD_PID"
same "serve-load says not every submission had its 201" "$?" 1
answered_201 load.log >answered.txt
answered=$(wc -l <answered.txt)
ok "some answered 201 ($answered)" test "$answered" -ge $((N / 3))
ok "some not ($((N - answered)))" test "$answered" -lt $N
same "every submission in the log once" "$(cut -f1 load.log | sort -u | wc -l)" $N

# started again: the spool left by the kill is applied before it listens
serve_start t.db
same "integrity_check" "$(q 'PRAGMA integrity_check')" ok
q 'SELECT instance_id FROM submission' | sort >stored.txt
same "every submission answered 201 is stored" "$(comm -23 answered.txt stored.txt | head -n 3)" ""
same "nothing stored that was not sent" "$(comm -13 all.txt stored.txt | head -n 3)" ""
same "nothing half-stored" "$(q_half_stored)" ""
same "the server's batches: for lan, from serve" \
	"$(q "SELECT group_concat(DISTINCT operator), group_concat(DISTINCT source) FROM batch")" "lan|serve"

# Collect sends again what got no 201
comm -23 all.txt answered.txt >lost.txt
ok "the lost ones resent, each answered 201" load_run load.zip lan resend.log --only lost.txt
same "as many answers as resent" "$(wc -l <resend.log)" "$(wc -l <lost.txt)"
serve_stop
same "SIGTERM: the server exits 0" "$?" 0
same "integrity_check after the resend" "$(q 'PRAGMA integrity_check')" ok
q 'SELECT instance_id FROM submission' | sort >stored.txt
ok "the set is complete" cmp -s all.txt stored.txt
same "each stored once" "$(q 'SELECT count(*), count(DISTINCT instance_id) FROM submission')" "$N|$N"
same "nothing half-stored after the resend" "$(q_half_stored)" ""

finish
