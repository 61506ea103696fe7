# parindex serve's private uploads folder (TMPDIR/parindex-serve-PID-XXXXXX, its .lock locked
# while the server runs): a server killed with SIGKILL leaves it behind; the next server to
# start removes it, with what is in it, and every other such folder whose process is gone and
# whose lock is free, and leaves alone those of a running process (the pid alive, or the lock
# held) and anything else in TMPDIR. A server stopped with SIGTERM removes its own.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"
. "$TOP/tests/cli/serve.sh"

setup_db
mkdir tmp
TMPDIR=$T/tmp
export TMPDIR
dead_pid() { sh -c 'echo $$'; }

ok "server A starts" serve_start t.db
A=$SERVE_PID
ADIR=$(ls -d tmp/parindex-serve-"$A"-*)
same "its folder names its process" "$(echo "$ADIR" | grep -c "^tmp/parindex-serve-$A-......\$")" 1
same "0700, with its lock" "$(stat -c %a "$ADIR")|$(ls -A "$ADIR")" "700|.lock"
ok "A holds the lock" sh -c "! flock -n \"$ADIR/.lock\" true"
: >"$ADIR/upload-left"
kill -KILL "$A"
wait "$A" 2>/dev/null
SERVE_PID=
ok "A's folder left behind by SIGKILL" test -e "$ADIR/upload-left"

# other folders: a gone process with a free lock, one killed before its lock, one whose
# process runs (the test's shell), one whose lock is held, one not of the server's name
D1=tmp/parindex-serve-$(dead_pid)-aaaaaa
D2=tmp/parindex-serve-$(dead_pid)-bbbbbb
L1=tmp/parindex-serve-$$-cccccc
L2=tmp/parindex-serve-$(dead_pid)-dddddd
mkdir -m 700 "$D1" "$D2" "$L1" "$L2" tmp/parindex-serve-x tmp/parindex-serve-1-toolong
: >"$D1/.lock"
: >"$L1/.lock"
: >"$L2/.lock"
: >tmp/parindex-serve-plainfile
flock "$L2/.lock" sleep 60 &
HOLDER=$!
i=0
while [ $i -lt 50 ] && flock -n "$L2/.lock" true; do sleep 0.1; i=$((i + 1)); done

ok "server B starts" serve_start t.db
B=$SERVE_PID
BURL=$SERVE_URL
ok "A's folder removed, with its upload" test ! -e "$ADIR"
ok "a gone process's folder removed" test ! -e "$D1"
ok "one killed before its lock removed" test ! -e "$D2"
ok "a running process's folder kept" test -e "$L1/.lock"
ok "a held lock's folder kept" test -e "$L2/.lock"
ok "other names kept" test -d tmp/parindex-serve-x -a -d tmp/parindex-serve-1-toolong -a -f tmp/parindex-serve-plainfile
same "B's own folder" "$(ls -d tmp/parindex-serve-"$B"-* | wc -l)" 1
same "B answers" "$(hc -o /dev/null -w '%{http_code}' "$BURL/login")" 200

# a second server while B runs leaves B's folder alone
SERVE_PID=
ok "server C starts" serve_start t.db
C=$SERVE_PID
same "both folders there" "$(ls -d tmp/parindex-serve-"$B"-* tmp/parindex-serve-"$C"-* | wc -l)" 2
serve_stop
same "C stops" "$?" 0
same "C removed its folder, B's stays" "$(ls -d tmp/parindex-serve-"$C"-* 2>/dev/null | wc -l)|$(ls -d tmp/parindex-serve-"$B"-* | wc -l)" "0|1"
SERVE_PID=$B
serve_stop
same "B stops" "$?" 0
same "B removed its folder" "$(ls -d tmp/parindex-serve-"$B"-* 2>/dev/null | wc -l)" 0
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null
finish
