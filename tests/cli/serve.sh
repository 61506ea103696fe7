# Sourced by the server's CLI tests (tests/cli/t5*.sh) after lib.sh: a `parindex serve` in the
# background, driven with curl.
#   serve_start DB [ARGS...]  start 'parindex serve --db DB --listen 127.0.0.1:0 ARGS' (stderr
#                             in $T/serve.err), wait for its listening line (at most 30 s);
#                             sets SERVE_PID, SERVE_URL (http[s]://127.0.0.1:PORT) and
#                             SERVE_PORT; fails, printing its stderr, if it exits first
#   serve_stop                SIGTERM, wait for it; returns its exit status
#   hc ARGS...                curl, silent but for errors, no proxy, at most 30 s a request
#   py_lxml ARGS...           Debian's python3, the one python3-lxml is installed for
#   setup_open_db             t.db with the mini definition, an open link for group B
#                             (mini-open.xml), the capture test communes and its forms
#                             (needs $CAP from tests/data/capture/setup.sh)
# A server still running when the script ends is killed.
SERVE_PID=
serve_start() {
	_db=$1
	shift
	: >"$T/serve.err"
	"$PARINDEX" serve --db "$_db" --listen 127.0.0.1:0 "$@" 2>"$T/serve.err" &
	SERVE_PID=$!
	_i=0
	while [ "$_i" -lt 300 ]; do
		SERVE_URL=$(sed -n 's|^parindex: serve: listening on \(https*://.*\)$|\1|p' "$T/serve.err")
		if [ -n "$SERVE_URL" ]; then
			SERVE_PORT=${SERVE_URL##*:}
			return 0
		fi
		if ! kill -0 "$SERVE_PID" 2>/dev/null; then
			wait "$SERVE_PID"
			echo "serve_start: the server exited ($?):"
			cat "$T/serve.err"
			SERVE_PID=
			return 1
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "serve_start: no listening line in 30 s:"
	cat "$T/serve.err"
	return 1
}

serve_stop() {
	[ -n "$SERVE_PID" ] || return 1
	kill -TERM "$SERVE_PID"
	wait "$SERVE_PID"
	_status=$?
	SERVE_PID=
	return "$_status"
}

py_lxml() { /usr/bin/python3 "$@"; }

setup_open_db() {
	sed 's|<group id="B" min="2">|<group id="B" min="2" open-link="true">|' "$DATA/definitions/mini.xml" >mini-open.xml &&
		parindex init --db t.db --definition mini-open.xml --communes "$CAP/communes.csv" >/dev/null &&
		parindex forms --db t.db --out forms >/dev/null
}

hc() { curl -sS --noproxy '*' --max-time 30 "$@"; }

trap '[ -n "$SERVE_PID" ] && kill -KILL "$SERVE_PID" 2>/dev/null; rm -rf "$T"' EXIT
