# Sourced by the capture CLI tests (tests/cli/t2*.sh) after lib.sh.
#   setup_db [DB]          a database with the mini definition, its two forms (mini-A, mini-B)
#                          registered by 'parindex forms', and two communes
#   mkzip OUT PATH=FILE... a zip of FILEs stored under PATHs, in that order, with fixed times
#   q SQL                  run SQL on t.db, one row a line, columns joined by |
#   dump                   the database as SQL, without the batch records (batch, batch_entry),
#                          which undo keeps on purpose
#   slow_import ZIP        a capture import of ZIP into t.db in the background, slowed to 10 ms
#                          an entry (its pid in $pid, its output in import.out); returns once
#                          it holds the write lock (it holds it from its first statement to
#                          its commit), or after 30 s
CAP="$DATA/capture"
I="$CAP/instances"

setup_db() {
	parindex init --db "${1:-t.db}" --definition "$DATA/definitions/mini.xml" \
		--communes "$CAP/communes.csv" >/dev/null &&
		parindex forms --db "${1:-t.db}" --out "$T/forms" >/dev/null
}

mkzip() {
	_out=$1
	shift
	rm -rf "$T/.stage" && mkdir -p "$T/.stage"
	for _m in "$@"; do
		_d=${_m%%=*}
		mkdir -p "$T/.stage/$(dirname "$_d")"
		cp "${_m#*=}" "$T/.stage/$_d"
		touch -d 2026-01-10T08:00:00Z "$T/.stage/$_d"
	done
	rm -f "$T/$_out"
	(
		cd "$T/.stage" || exit 3
		for _m in "$@"; do printf '%s\n' "${_m%%=*}"; done | zip -q -X -D -@ "$T/$_out"
	)
}

q() { sqlite3 -batch -noheader t.db "$1"; }

dump() { sqlite3 "${1:-t.db}" .dump | grep -v -e '^INSERT INTO batch' -e '^INSERT INTO "batch'; }

slow_import() {
	PARINDEX_CAPTURE_TEST_DELAY_MS=10 "$PARINDEX" capture import --db t.db "$1" >import.out 2>&1 &
	pid=$!
	_i=0
	while [ $_i -lt 300 ] &&
		sqlite3 -cmd '.timeout 0' t.db 'BEGIN IMMEDIATE; ROLLBACK' >/dev/null 2>&1; do
		sleep 0.1
		_i=$((_i + 1))
	done
}
