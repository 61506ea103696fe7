#!/bin/sh
# make bench-serve: `parindex serve` under load from serve-load (tests/bench/serve-load.c).
# A fresh database with the default definition and the demo register, its forms, one surveyor
# account for every commune; BENCH_SERVE_N (30000) submissions made by gen-batch (flat zip,
# kept in $BUILD/bench); the server started on a free port; serve-load sends them from
# BENCH_SERVE_CLIENTS (32) clients; the server's peak RSS (VmHWM) read before SIGTERM. Then the
# database must hold exactly the submissions answered 201 (count and the set of instanceIDs),
# and `capture import` of the same zip into a fresh database is timed for the ratio.
# Uses the plain (-O2) build. Targets: >= 3,000 submissions/s, p99 <= 50 ms, peak RSS <=
# 64 MB, 0 lost. Prints the numbers and whether each target is met; exits 1 when the database
# does not hold exactly the 201s or the server does not stop cleanly (a missed speed target is
# reported, not an error: the machine is shared).
set -eu
BUILD=${BUILD:-build}
PARINDEX=${PARINDEX:-./parindex}
GEN=${GEN_BATCH:-$BUILD/gen-batch}
LOAD=${SERVE_LOAD:-$BUILD/serve-load}
N=${BENCH_SERVE_N:-30000}
CLIENTS=${BENCH_SERVE_CLIENTS:-32}
COMMUNES=demo/cam-giang/communes.csv
USER_NAME=bench
PASSWORD=bench-password-1
dir=$BUILD/bench
mkdir -p "$dir"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/parindex-bench-serve.XXXXXX")
pid=
trap '[ -z "$pid" ] || kill -KILL "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
now() { date +%s.%N; }
verdict() { if awk "BEGIN { exit !($1) }"; then echo "met"; else echo "MISSED"; fi; }

zip=$dir/serve-$N.zip
[ -f "$zip" ] || "$GEN" --communes "$COMMUNES" --count "$N" --seed 1 --layout flat --out "$zip"
"$PARINDEX" init --db "$tmp/b.db" --communes "$COMMUNES" >/dev/null
"$PARINDEX" forms --db "$tmp/b.db" --out "$tmp/forms" >/dev/null
codes=$(tail -n +2 "$COMMUNES" | cut -d, -f1 | paste -sd, -)
echo "$PASSWORD" | "$PARINDEX" user add --db "$tmp/b.db" "$USER_NAME" --role surveyor \
	--communes "$codes" --password-stdin >/dev/null

"$PARINDEX" serve --db "$tmp/b.db" --listen 127.0.0.1:0 2>"$tmp/serve.err" &
pid=$!
i=0
until port=$(sed -n 's|^parindex: serve: listening on http://127\.0\.0\.1:\([0-9]*\)$|\1|p' \
	"$tmp/serve.err") && [ -n "$port" ]; do
	if ! kill -0 "$pid" 2>/dev/null || [ $i -ge 600 ]; then
		echo "bench-serve: the server did not start:"
		cat "$tmp/serve.err"
		exit 1
	fi
	sleep 0.1
	i=$((i + 1))
done
echo "bench-serve: $zip: $N submissions, $(du -k "$zip" | cut -f1) KiB, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
/usr/bin/time -f '%U %S' -o "$tmp/load.time" "$LOAD" --url "http://127.0.0.1:$port" \
	--user "$USER_NAME" --password "$PASSWORD" --zip "$zip" --clients "$CLIENTS" \
	--log "$tmp/load.log" >"$tmp/load.out" || status=$?
sed 's/^serve-load/bench-serve: serve-load/' "$tmp/load.out"
rss_kb=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB$/\1/p' "/proc/$pid/status")
# the server's CPU time so far (utime + stime, clock ticks): on a shared machine the CPU time
# per submission says more than the elapsed time
server_cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); print ($12 + $13) / hz }' "/proc/$pid/stat")
# (the last line: time puts "Command exited with non-zero status" before it)
load_cpu=$(tail -n 1 "$tmp/load.time" | awk '{ print $1 + $2 }')
t0=$(now)
kill -TERM "$pid"
serve_status=0
wait "$pid" || serve_status=$?
t1=$(now)
pid=
echo "bench-serve: SIGTERM: the server exited $serve_status after $(awk "BEGIN { printf \"%.2f\", $t1 - $t0 }") s"

rate=$(sed -n 's/^serve-load: .* s, \([0-9.]*\) submissions\/s$/\1/p' "$tmp/load.out")
p99=$(sed -n 's/^serve-load: latency p50 .* ms, p99 \([0-9.]*\) ms, max .*/\1/p' "$tmp/load.out")
awk -F'\t' '$2 == 201 { print $1 }' "$tmp/load.log" | sort >"$tmp/answered"
sqlite3 "$tmp/b.db" "SELECT instance_id FROM submission" | sort >"$tmp/stored"
answered=$(wc -l <"$tmp/answered")
stored=$(wc -l <"$tmp/stored")
lost=$(comm -23 "$tmp/answered" "$tmp/stored" | wc -l)
extra=$(comm -13 "$tmp/answered" "$tmp/stored" | wc -l)
echo "bench-serve: $answered answered 201, $stored stored; $lost answered 201 but not stored, $extra stored without a 201"
echo "bench-serve: $(sqlite3 "$tmp/b.db" "SELECT count(*) || ' batch(es) from serve: ' || group_concat(operator || ' ' || accepted, ', ') FROM batch WHERE source = 'serve'")"

# capture import of the same zip into a fresh database, for the ratio
rm -f "$tmp"/b.db*
"$PARINDEX" init --db "$tmp/b.db" --communes "$COMMUNES" >/dev/null
"$PARINDEX" forms --db "$tmp/b.db" --out "$tmp/forms" >/dev/null
/usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$PARINDEX" capture import --db "$tmp/b.db" "$zip" \
	>"$tmp/import.out" 2>&1 || { cat "$tmp/import.out"; exit 1; }
read -r isecs iuser isys irss <"$tmp/time"
echo "bench-serve: capture import of the same zip: $isecs s ($iuser user + $isys system s CPU, peak RSS $((irss / 1024)) MB), $(awk "BEGIN { printf \"%.1f\", $N / $isecs }") submissions/s"

echo "bench-serve: CPU per submission: server $(awk "BEGIN { printf \"%.0f\", $server_cpu / $N * 1e6 }") us, serve-load $(awk "BEGIN { printf \"%.0f\", $load_cpu / $N * 1e6 }") us, capture import $(awk "BEGIN { printf \"%.0f\", ($iuser + $isys) / $N * 1e6 }") us; so on $(nproc) idle cores at most $(awk "BEGIN { printf \"%.0f\", $(nproc) * $N / ($server_cpu + $load_cpu) }") submissions/s"
echo "bench-serve: submissions/s ${rate:-?} (target >= 3000): $(verdict "${rate:-0} >= 3000")"
echo "bench-serve: p99 latency ${p99:-?} ms (target <= 50): $(verdict "${p99:-1e9} <= 50")"
echo "bench-serve: server peak RSS $((rss_kb / 1024)) MB (target <= 64): $(verdict "$rss_kb <= 65536")"
echo "bench-serve: lost 0 (the database holds exactly the 201s): $(verdict "$lost == 0 && $extra == 0 && $answered == $stored")"
echo "bench-serve: all $N answered 201: $(verdict "$answered == $N")"
echo "bench-serve: serve takes $(awk "BEGIN { printf \"%.2f\", ($N / ${rate:-1}) / $isecs }")x the time of capture import of the same zip"
echo "bench-serve: load average $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$serve_status" = 0 ] && [ "$lost" = 0 ] && [ "$extra" = 0 ]
