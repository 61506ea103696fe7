# parindex capture import killed with SIGKILL in the middle of a batch: the database holds
# nothing of that batch, and importing the zip again stores it whole. Two imports into one
# database at the same time both finish and lose nothing. PARINDEX_CAPTURE_TEST_DELAY_MS
# slows the writer down (per entry) so that the kill lands mid-batch.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"

gen() { "$GEN_BATCH" --definition "$DATA/definitions/mini.xml" --communes "$CAP/communes.csv" "$@"; }
setup_db
ok "generate 400" gen --count 400 --seed 11 --out big.zip
dump >before.sql

PARINDEX_CAPTURE_TEST_DELAY_MS=5 "$PARINDEX" capture import --db t.db big.zip >kill.out 2>&1 &
pid=$!
# wait until it is well inside the batch: the write transaction holds the database lock
sleep 1
ok "still running when killed" kill -0 $pid
kill -KILL $pid
wait $pid
same "killed by SIGKILL" "$?" "137"
same "no batch recorded" "$(q "SELECT count(*) FROM batch")" "0"
same "no submission stored" "$(q "SELECT count(*) FROM submission")" "0"
ok "database as before" cmp -s before.sql "$(dump >now.sql; echo now.sql)"
ok "integrity" sh -c '[ "$(sqlite3 t.db "PRAGMA integrity_check")" = ok ]'
golden again parindex capture import --db t.db big.zip
same "stored whole" "$(q "SELECT count(*), count(DISTINCT instance_id) FROM submission")" "400|400"

# two at once: different zips, one database; the second waits for the first's lock
ok "generate a" gen --count 150 --seed 21 --out a.zip
ok "generate b" gen --count 150 --seed 22 --layout flat --out b.zip
PARINDEX_CAPTURE_TEST_DELAY_MS=2 "$PARINDEX" capture import --db t.db a.zip >a.out 2>&1 &
pa=$!
PARINDEX_CAPTURE_TEST_DELAY_MS=2 "$PARINDEX" capture import --db t.db b.zip >b.out 2>&1 &
pb=$!
wait $pa
same "first finished" "$?" "0"
wait $pb
same "second finished" "$?" "0"
same "both stored, nothing lost" "$(q "SELECT count(*) FROM submission")" "700"
same "three batches" "$(q "SELECT group_concat(file_name || ':' || accepted, ' ') FROM (SELECT * FROM batch ORDER BY file_name)")" "a.zip:150 b.zip:150 big.zip:400"

# the same zip twice at once: one stores it, the other finds it imported
ok "generate c" gen --count 100 --seed 23 --out c.zip
PARINDEX_CAPTURE_TEST_DELAY_MS=2 "$PARINDEX" capture import --db t.db c.zip >c1.out 2>&1 &
pa=$!
PARINDEX_CAPTURE_TEST_DELAY_MS=2 "$PARINDEX" capture import --db t.db c.zip >c2.out 2>&1 &
pb=$!
wait $pa
wait $pb
same "stored once" "$(q "SELECT count(*) FROM batch WHERE file_name = 'c.zip'")" "1"
same "one of them says so" "$(cat c1.out c2.out | grep -c 'imported before as batch')" "1"

finish
