# Sourced by the capture CLI tests (tests/cli/t2*.sh) after lib.sh.
#   setup_db [DB]          a database with the mini definition, its two forms (mini-A, mini-B)
#                          registered by 'parindex forms', and two communes
#   mkzip OUT PATH=FILE... a zip of FILEs stored under PATHs, in that order, with fixed times
#   instance NAME GROUP COMMUNE SURVEYOR DEVICE START END SEX ANSWER1 ANSWER2
#                          writes in/NAME.xml, a submission of form mini-GROUP (A asks qa qb,
#                          B asks qa qc) with instanceID uuid:NAME, times in +07:00
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

instance() {
	_q2=qb
	[ "$2" = B ] && _q2=qc
	mkdir -p "$T/in"
	printf '<data xmlns="http://www.w3.org/2002/xforms" xmlns:orx="http://openrosa.org/xforms" id="mini-%s" version="1"><start>%s</start><end>%s</end><deviceid>%s</deviceid><commune>%s</commune><surveyor>%s</surveyor><sex>%s</sex><qa>%s</qa><%s>%s</%s><comment/><orx:meta><orx:instanceID>uuid:%s</orx:instanceID></orx:meta></data>\n' \
		"$2" "$6+07:00" "$7+07:00" "$5" "$3" "$4" "$8" "$9" "$_q2" "${10}" "$_q2" "$1" >"$T/in/$1.xml"
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

# encrypt ARGS...   tests/data/capture/encrypt.py: instances encrypted as ODK Collect does
# make_keys         priv.pem, its public half pub.pem, and an unrelated other.pem (RSA 2048)
# setup_encrypted_db USER-ADD-ARGS...
#                   t.db with the mini definition, its forms written to forms/ encrypted to
#                   pub.pem, and a surveyor lan (password 'correct horse') with those args
encrypt() { python3 "$CAP/encrypt.py" "$@"; }
setup_encrypted_db() {
	parindex init --db t.db --definition "$DATA/definitions/mini.xml" \
		--communes "$CAP/communes.csv" >/dev/null &&
		parindex forms --db t.db --out "$T/forms" --encrypt pub.pem >/dev/null &&
		printf 'correct horse\n' | parindex user add --db t.db --password-stdin \
			--role surveyor "$@" lan >/dev/null
}
make_keys() {
	openssl genrsa -out priv.pem 2048 2>/dev/null &&
		openssl rsa -in priv.pem -pubout -out pub.pem 2>/dev/null &&
		openssl genrsa -out other.pem 2048 2>/dev/null
}
