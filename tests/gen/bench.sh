#!/bin/sh
# make bench: 'parindex capture import' against its two yardsticks, in one run on the same zip
# (so the ratios hold on a noisy machine): tests/bench/floor.c -d (one core reading and
# DOM-parsing every entry, nothing stored) and tests/bench/peer_import.py (zipfile + lxml +
# sqlite3). BENCH_N (100000) submissions of the shipped definition over the Cẩm Giàng
# register, made by gen-batch; imports into a fresh database each time, best of BENCH_RUNS (3).
# Then peak RSS at BENCH_BIG (1000000; 0 skips) submissions. Uses the plain (-O2) build.
# Targets: import >= 6x faster than the peer, no slower than the floor, peak RSS <= 64 MB and
# no higher at BENCH_BIG than at BENCH_N. Prints the numbers and whether each target is met.
set -eu
BUILD=${BUILD:-build}
PARINDEX=${PARINDEX:-./parindex}
GEN=${GEN_BATCH:-$BUILD/gen-batch}
SHARED=${BENCH_SHARED:-tests/bench}
N=${BENCH_N:-100000}
BIG=${BENCH_BIG:-1000000}
RUNS=${BENCH_RUNS:-3}
COMMUNES=tests/data/communes/cam-giang.csv
dir=$BUILD/bench
mkdir -p "$dir"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/parindex-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

cc -O2 -o "$dir/floor" "$SHARED/floor.c" $(pkg-config --cflags --libs libzip libxml-2.0)
batch() { # N: the zip of N submissions, made once and kept in $dir
	[ -f "$dir/batch-$1.zip" ] ||
		"$GEN" --communes "$COMMUNES" --count "$1" --seed 1 --out "$dir/batch-$1.zip"
	echo "$dir/batch-$1.zip"
}
fresh_db() {
	rm -f "$tmp"/b.db*
	"$PARINDEX" init --db "$tmp/b.db" --communes "$COMMUNES" >/dev/null
	"$PARINDEX" forms --db "$tmp/b.db" --out "$tmp/forms" >/dev/null
}
# timed CMD...: sets secs and rss_kb (GNU time)
timed() {
	/usr/bin/time -f '%e %M' -o "$tmp/time" "$@" >"$tmp/out" 2>"$tmp/err" ||
		{ cat "$tmp/err" >&2; exit 1; }
	read -r secs rss_kb <"$tmp/time"
}
best() { awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a < b) ? a : b }'; }
verdict() { if awk "BEGIN { exit !($1) }"; then echo "met"; else echo "MISSED"; fi; }

zip=$(batch "$N")
echo "bench: $zip: $N submissions, $(du -k "$zip" | cut -f1) KiB, $(nproc) CPUs"
imp= flr= rss=
for run in $(seq "$RUNS"); do
	fresh_db
	timed "$PARINDEX" capture import --db "$tmp/b.db" "$zip"
	imp=$(best "$secs" "$imp")
	rss=$rss_kb
	grep -q "$N accepted" "$tmp/out" || { echo "bench: import did not accept all: $(cat "$tmp/out")"; exit 1; }
	timed "$dir/floor" "$zip" -d
	flr=$(best "$secs" "$flr")
	echo "bench: run $run: import $imp s (peak RSS $((rss / 1024)) MB), floor -d $flr s"
done
rm -f "$tmp/peer.db"
timed /usr/bin/python3 "$SHARED/peer_import.py" "$zip" "$tmp/peer.db"
peer=$secs
echo "bench: peer_import.py $peer s (peak RSS $((rss_kb / 1024)) MB)"
echo "bench: import is $(awk "BEGIN { printf \"%.2f\", $peer / $imp }")x faster than the peer (target 6x): $(verdict "$peer / $imp >= 6")"
echo "bench: import takes $(awk "BEGIN { printf \"%.2f\", $imp / $flr }") of the floor's time (target <= 1): $(verdict "$imp <= $flr")"
echo "bench: peak RSS at $N: $((rss / 1024)) MB (target <= 64): $(verdict "$rss <= 65536")"
if [ "$BIG" != 0 ]; then
	zip=$(batch "$BIG")
	fresh_db
	timed "$PARINDEX" capture import --db "$tmp/b.db" "$zip"
	grep -q "$BIG accepted" "$tmp/out" || { echo "bench: import did not accept all: $(cat "$tmp/out")"; exit 1; }
	echo "bench: $BIG submissions: import $secs s, peak RSS $((rss_kb / 1024)) MB against $((rss / 1024)) MB at $N (target <= 64, and flat: within 5 %, the WAL index of one big transaction grows by about 8 bytes a page): $(verdict "$rss_kb <= 65536 && $rss_kb <= $rss * 1.05")"
fi
