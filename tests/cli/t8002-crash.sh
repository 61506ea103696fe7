# Crash safety: parindex capture import, scores import and tally, each killed with SIGKILL
# at 20 random points of its database work (PARINDEX_TEST_KILL_AT, core/db.c: one point
# every 100 SQLite virtual-machine steps; 20 strata of the run, a random point in each).
# After every kill the database passes PRAGMA integrity_check and its dump equals either the
# dump before the command or the dump after an uninterrupted run: all or nothing. After a
# kill the command run again gives the uninterrupted result. PARINDEX_CRASH_SEED=N repeats
# the points of a failed run (the seed is printed).
. "$(dirname "$0")/lib.sh"

REG="$DATA/communes/cam-giang.csv"
SEED=${PARINDEX_CRASH_SEED:-$$}
echo "# seed $SEED"

integrity() { sqlite3 "$1" "PRAGMA integrity_check"; }
# fresh DB: a copy of SRC without any journal left beside it
fresh() { rm -f "$2" "$2-wal" "$2-shm" "$2-journal" && cp "$1" "$2"; }

# crash NAME BEFORE.db ARGS...: 'parindex ARGS' on copies of BEFORE.db (through $PARINDEX_DB);
# leaves NAME.db, the uninterrupted result, for the next step
crash() {
	_name=$1 _before=$2
	shift 2
	sqlite3 "$_before" .dump >"$_name.pre.sql"
	fresh "$_before" "$_name.db"
	PARINDEX_DB=$_name.db PARINDEX_TEST_KILL_AT=0 "$PARINDEX" "$@" >/dev/null 2>"$_name.steps"
	same "$_name: uninterrupted run" "$?" 0
	sqlite3 "$_name.db" .dump >"$_name.post.sql"
	ok "$_name: the run changes the database" sh -c "! cmp -s $_name.pre.sql $_name.post.sql"
	_steps=$(sed -n 's/^parindex: test: \([0-9]*\) database steps$/\1/p' "$_name.steps")
	ok "$_name: at least 40 steps to kill at (got '$_steps')" test "${_steps:-0}" -ge 40
	_killed=0 _nothing=0 _all=0 _bad=
	for _n in $(awk -v s="$SEED" -v n="${_steps:-40}" \
		'BEGIN { srand(s); for (i = 0; i < 20; i++) print 1 + int((n - 1) * (i + rand()) / 20) }'); do
		fresh "$_before" k.db
		PARINDEX_DB=k.db PARINDEX_TEST_KILL_AT=$_n "$PARINDEX" "$@" >/dev/null 2>&1
		[ $? = 137 ] && _killed=$((_killed + 1))
		[ "$(integrity k.db)" = ok ] || _bad="$_bad $_n:integrity"
		sqlite3 k.db .dump >k.sql
		if cmp -s k.sql "$_name.pre.sql"; then
			_nothing=$((_nothing + 1))
		elif cmp -s k.sql "$_name.post.sql"; then
			_all=$((_all + 1))
		else
			_bad="$_bad $_n:partial"
		fi
	done
	echo "# $_name: $_steps steps; 20 kills: $_nothing left nothing, $_all left all"
	same "$_name: killed at each of 20 points" "$_killed" 20
	same "$_name: integrity ok and all or nothing after every kill" "$_bad" ""
	# killed in the middle, then run again: the uninterrupted result
	fresh "$_before" k.db
	PARINDEX_DB=k.db PARINDEX_TEST_KILL_AT=$((${_steps:-40} / 2)) "$PARINDEX" "$@" >/dev/null 2>&1
	same "$_name: killed in the middle" "$?" 137
	PARINDEX_DB=k.db "$PARINDEX" "$@" >/dev/null 2>&1
	same "$_name: run again after the kill" "$?" 0
	ok "$_name: run again gives the uninterrupted result" sh -c \
		"sqlite3 k.db .dump | cmp -s - $_name.post.sql"
}

parindex init --db base.db --communes "$REG" >/dev/null
parindex forms --db base.db --out forms >/dev/null
ok "generate a batch" "$GEN_BATCH" --communes "$REG" --per-commune 4 --seed 5 --out batch.zip
# a scores sheet for every commune: self = max, every fourth appraised at half, every ninth
# not applicable
parindex scores template --db base.db | python3 -c '
import csv, sys
rows = csv.reader(sys.stdin)
out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(next(rows))
for i, r in enumerate(rows):
    r[5] = r[4]
    if i % 4 == 0:
        r[6] = "%g" % (float(r[4]) / 2)
    if i % 9 == 0:
        r[5] = r[6] = ""
        r[7] = "x"
    out.writerow(r)' >scores.csv

crash import base.db capture import batch.zip
same "import: the batch whole" "$(sqlite3 import.db "SELECT count(*) FROM submission")" 68
crash scores import.db scores import scores.csv
same "scores: every row" "$(sqlite3 scores.db "SELECT count(*) FROM score")" 493
crash tally scores.db tally
same "tally: every commune" "$(sqlite3 tally.db "SELECT count(*) FROM tally_commune")" 17

finish
