# A full disk: capture import, scores import and tally stopped by a file size limit
# (RLIMIT_FSIZE through ulimit -f, POSIX 512-byte blocks; parindex ignores SIGXFSZ itself so
# the write fails with EFBIG), and by a really full filesystem (a tmpfs 160 KiB larger than
# the database, in a private mount namespace, where unshare and mount are permitted). Each gives a clear error naming the
# database (golden), exit status 3, and leaves the database as it was (dump equal,
# integrity_check ok); without the limit the same command then succeeds.
. "$(dirname "$0")/lib.sh"

REG="$DATA/communes/cam-giang.csv"

# scores SHEET FACTOR: a scores sheet for every commune, self = max, appraised = max x FACTOR
scores() {
	parindex scores template --db full.db | python3 -c '
import csv, sys
rows = csv.reader(sys.stdin)
out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(next(rows))
for r in rows:
    r[5] = r[4]
    r[6] = "%g" % (float(r[4]) * float(sys.argv[1]))
    out.writerow(r)' "$2" >"$1"
}
# limited NAME BLOCKS ARGS...: 'parindex ARGS' on a copy of full.db under a file size limit;
# the golden holds its status and message; the database must be as before
limited() {
	_name=$1 _blocks=$2
	shift 2
	rm -f t.db t.db-wal t.db-shm && cp full.db t.db
	golden "$_name" sh -c 'ulimit -f "$1" && shift && PARINDEX_DB=t.db exec "$PARINDEX" "$@"' \
		sh "$_blocks" "$@"
	ok "$_name: integrity" sh -c '[ "$(sqlite3 t.db "PRAGMA integrity_check")" = ok ]'
	ok "$_name: nothing lost, nothing added" sh -c 'sqlite3 t.db .dump | cmp -s - before.sql'
	PARINDEX_DB=t.db "$PARINDEX" "$@" >/dev/null 2>&1
	same "$_name: without the limit it succeeds" "$?" 0
}

parindex init --db full.db --communes "$REG" >/dev/null
parindex forms --db full.db --out forms >/dev/null
ok "generate a batch" "$GEN_BATCH" --communes "$REG" --per-commune 4 --seed 5 --out small.zip
ok "generate a big batch" "$GEN_BATCH" --communes "$REG" --per-commune 20 --seed 9 --out big.zip
ok "import" parindex capture import --db full.db small.zip
scores first.csv 0.5
scores second.csv 1
ok "scores" parindex scores import --db full.db first.csv
ok "tally" parindex tally --db full.db
sqlite3 full.db .dump >before.sql
same "stored before" "$(sqlite3 full.db "SELECT (SELECT count(*) FROM submission) || '/' || (SELECT count(*) FROM score) || '/' || (SELECT count(*) FROM tally_commune)")" "68/493/17"

# the write-ahead log grows past the limit inside the transaction
limited import 600 capture import big.zip
limited scores 100 scores import second.csv
limited tally 100 tally
# too small even for the shared-memory index beside the database: refused at open, still a
# system error (not "not a parindex database", not status 1)
limited open 20 tally

# a filesystem that is really full (ENOSPC): room for the database, its shared-memory index
# and a little of the write-ahead log; needs a private mount namespace
if unshare -m true 2>/dev/null; then
	mkdir small
	size=$(($(stat -c %s full.db) / 1024 + 160))k
	golden tmpfs-import unshare -m sh -c 'mount -t tmpfs -o size='$size' tmpfs small &&
		cp full.db small/t.db && "$PARINDEX" capture import --db small/t.db big.zip
		status=$?
		[ "$(sqlite3 small/t.db "PRAGMA integrity_check")" = ok ] || echo "integrity failed"
		sqlite3 small/t.db .dump | cmp -s - before.sql || echo "database changed"
		exit $status'
else
	echo "# tmpfs part skipped: no private mount namespace here (unshare -m)"
fi

finish
