# parindex serve --forwarded-for (a reverse proxy on this machine): every per-address limit
# keys on the client the proxy names in X-Forwarded-For, so two clients behind the same proxy
# are limited apart: the web survey's failed code checks (10 per address in 15 minutes), the
# open link's submissions (10 per address an hour) and the lock-out after 5 failed logins. The
# 128 connections per address cannot see the header (a connection is the proxy's): with the
# option it is not applied, so the 129th connection through the proxy is answered. Without
# the option the header is ignored: every limit is the connection's address's.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"
. "$TOP/tests/cli/serve.sh"

# the mini definition with an open link for group B
setup_open_db
printf 'office secret\n' | parindex user add --db t.db --password-stdin --role office hoa >/dev/null
code() { hc -o out -w '%{http_code}' "$@"; }
# N wrong codes from the client ADDR
wrong_codes() {
	_i=0
	while [ $_i -lt "$2" ]; do
		code -H "X-Forwarded-For: 198.51.100.1, $1" "$U/s/ABCDEFGHJKMNPQR$_i" >/dev/null
		_i=$((_i + 1))
	done
}
# N open-link submissions from ADDR: their statuses
open_sends() {
	code "$U/o/90002/B" >/dev/null
	_t=$(sed -n 's/.*name="t" value="\([^"]*\)".*/\1/p' out)
	_i=0
	while [ $_i -lt "$2" ]; do
		code -H "X-Forwarded-For: $1" -d "t=$_t" -d sex=1 -d qa=b -d qc=c "$U/o/90002/B"
		_i=$((_i + 1))
	done
}
badlogins() {
	_i=0
	while [ $_i -lt "$2" ]; do
		code -H "X-Forwarded-For: $1" -d name=hoa -d 'password=wrong password' "$U/login"
		_i=$((_i + 1))
	done
}
# 129 idle connections, then a request on the 130th: its status line, or "closed"
cat >conns.py <<'PY'
import socket, sys
port = int(sys.argv[1])
idle = [socket.create_connection(("127.0.0.1", port)) for i in range(129)]
s = socket.create_connection(("127.0.0.1", port))
s.settimeout(20)
try:
    s.sendall(b"GET /s HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: 203.0.113.77\r\nConnection: close\r\n\r\n")
    line = s.recv(100).split(b"\r\n")[0].decode()
except OSError:
    line = ""
print(line or "closed")
for c in idle:
    c.close()
PY

# ---- behind the proxy: --forwarded-for ----
ok "server starts with --forwarded-for" serve_start t.db --forwarded-for
U=$SERVE_URL
same "the 130th connection from the proxy is answered" "$(py_lxml conns.py "$SERVE_PORT")" "HTTP/1.1 200 OK"
wrong_codes 203.0.113.1 10
same "client 1's 11th wrong code: 429" "$(code -H 'X-Forwarded-For: 203.0.113.1' "$U/s/ABCDEFGHJKMNPQRS")" 429
same "client 2 behind the same proxy is not held up" "$(code -H 'X-Forwarded-For: 203.0.113.2' "$U/s/ABCDEFGHJKMNPQRS")" 404
same "client 1's 10 open-link forms, then 429" "$(open_sends 203.0.113.1 11)" 200200200200200200200200200200429
same "client 2 may send" "$(open_sends 203.0.113.2 1)" 200
same "client 1's 5 failed logins lock it out" "$(badlogins 203.0.113.1 5)" 403403403403429
same "client 1 locked" "$(code -H 'X-Forwarded-For: 203.0.113.1' -d name=hoa --data-urlencode 'password=office secret' "$U/login")" 429
same "client 2 logs in" "$(code -H 'X-Forwarded-For: 203.0.113.2' -d name=hoa --data-urlencode 'password=office secret' "$U/login")" 303
ok "SIGTERM exits 0" serve_stop
same "the lock-out is client 1's" "$(q 'SELECT address, failures, lockouts FROM login_failure ORDER BY address')" "203.0.113.1|0|1"
same "11 open-link forms stored" "$(q "SELECT count(*) FROM submission_channel WHERE channel = 'open'")" 11

# ---- the header without the option: ignored ----
sqlite3 t.db 'DELETE FROM login_failure'
ok "server starts without it" serve_start t.db
U=$SERVE_URL
same "the 130th connection from one address is refused" "$(py_lxml conns.py "$SERVE_PORT")" closed
wrong_codes 203.0.113.1 10
same "a 'client 2' is the same address: 429" "$(code -H 'X-Forwarded-For: 203.0.113.2' "$U/s/ABCDEFGHJKMNPQRS")" 429
same "10 open-link forms, then 429 for a 'client 2'" "$(open_sends 203.0.113.1 10)$(open_sends 203.0.113.2 1)" 200200200200200200200200200200429
same "5 failed logins, then a 'client 2' is locked out" "$(badlogins 203.0.113.1 5)$(badlogins 203.0.113.2 1)" 403403403403429429
ok "SIGTERM exits 0" serve_stop
same "the lock-out is the connection's address's" "$(q 'SELECT address, failures, lockouts FROM login_failure')" "127.0.0.1|0|1"
same "21 open-link forms stored" "$(q "SELECT count(*) FROM submission_channel WHERE channel = 'open'")" 21

finish
