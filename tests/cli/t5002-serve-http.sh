# parindex serve's HTTP side: TLS with a self-signed certificate made here, Basic refused
# without TLS and accepted with it, a refused start on a damaged database (and on bad
# options), the security headers on every reply, path traversal 404, 405 with Allow, a header
# past the connection's memory refused, a slow client's connection closed after --timeout.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"
. "$TOP/tests/cli/serve.sh"

setup_db
printf 'correct horse\n' | parindex user add --db t.db --password-stdin --role surveyor --communes 90001 lan >/dev/null
cp "$I/a1.xml" a1.xml

# refused starts: usage, a missing database, a damaged one
golden bad-listen parindex serve --db t.db --listen localhost
golden bad-listen-port parindex serve --db t.db --listen 127.0.0.1:70000
golden cert-without-key parindex serve --db t.db --tls-cert cert.pem
golden bad-public-url parindex serve --db t.db --public-url 'javascript:alert(1)'
golden bad-timeout parindex serve --db t.db --timeout 0
golden no-database parindex serve --db none.db --listen 127.0.0.1:0
cp t.db bad.db
# the question index's page gets a bad page type: the quick check finds it
page=$(sqlite3 bad.db "SELECT pageno FROM dbstat WHERE name = 'sqlite_autoindex_question_1' LIMIT 1")
py_lxml - bad.db "$page" <<'PY'
import sys
f = open(sys.argv[1], "r+b")
f.seek((int(sys.argv[2]) - 1) * 16384)
f.write(b"\xa5")
PY
golden damaged parindex serve --db bad.db --listen 127.0.0.1:0
echo 'not a certificate' >junk.pem
golden cert-not-pem parindex serve --db t.db --listen 127.0.0.1:0 --tls-cert junk.pem --tls-key junk.pem

# plain HTTP: Basic refused (401 and a Digest challenge), Digest accepted
ok "server starts" serve_start t.db --timeout 2
U=$SERVE_URL
same "Basic without TLS" "$(hc -o /dev/null -D basic.hdr -w '%{http_code}' --basic -u 'lan:correct horse' "$U/formList")" 401
ok "challenged with Digest" grep -q '^WWW-Authenticate: Digest ' basic.hdr

# the security headers on every kind of reply: 401, 200, 404, 405
check_headers() {
	for h in "Content-Security-Policy: default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'" \
		'X-Content-Type-Options: nosniff' 'X-Frame-Options: DENY' 'Referrer-Policy: no-referrer' \
		'Cache-Control: no-store' 'X-OpenRosa-Version: 1.0'; do
		tr -d '\r' <"$1" | grep -qxF "$h" || { echo "$1: no $h"; return 1; }
	done
}
hc -o /dev/null -D h401 "$U/formList"
hc -o /dev/null -D h200 --digest -u 'lan:correct horse' "$U/formList"
hc -o /dev/null -D h404 "$U/no-such-page"
hc -o /dev/null -D h405 -X DELETE "$U/formList"
for f in h401 h200 h404 h405; do ok "security headers on $f" check_headers "$f"; done
ok "405 says which methods" grep -q '^Allow: GET, HEAD, POST' h405
same "404 is plain text" "$(hc "$U/no-such-page")" "not found"

# path traversal: a . or .. segment (also percent-encoded), a backslash: 404, nothing of the file
for p in /../../../../etc/passwd /forms/../../../../etc/passwd '/%2e%2e/%2e%2e/etc/passwd' \
	'/forms/..%2f..%2f..%2fetc%2fpasswd' '/static/..%5c..%5cetc%5cpasswd' '/./formList'; do
	same "traversal $p" "$(hc --path-as-is -o trav.out -w '%{http_code}' --digest -u 'lan:correct horse' "$U$p")" 404
	not_ok "nothing of /etc/passwd for $p" grep -q 'root:' trav.out
done

# a request line and headers past the connection's memory (64 KiB): refused, not stored
head -c 70000 /dev/zero | tr '\0' 'a' >long.txt
same "a 70 KB header refused" "$(hc -o /dev/null -w '%{http_code}' -H "X-Long: $(cat long.txt)" "$U/formList")" 431

# a slow client (headers never finished) is closed after --timeout (2 s), not kept forever
py_lxml - "$SERVE_PORT" >slow.txt <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /formList HTTP/1.1\r\nHost: 127.0.0.1\r\n")
s.settimeout(20)
try:
    data = s.recv(100)
    print("closed" if data == b"" else "answered")
except socket.timeout:
    print("still open after 20 s")
PY
same "slow client closed by the server" "$(cat slow.txt)" closed
ok "SIGTERM exits 0" serve_stop

# SIGTERM while a request is in flight: the server stops accepting, the request (its body
# sent in two halves, SIGTERM between them) is answered, then the server exits 0
ok "server starts" serve_start t.db
cat >inflight.py <<'PY'
import socket, sys, time
port, flag = int(sys.argv[1]), sys.argv[2]
body = b"name=lan&note=" + b"x" * 2000
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"POST /no-such-page HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n" % len(body) + body[:1000])
open(flag, "w").close()
# the server got SIGTERM: wait until it no longer accepts, then finish the request
for i in range(200):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        time.sleep(0.1)
    except OSError:
        break
print("refused new connections" if i < 199 else "still accepting")
s.sendall(body[1000:])
s.settimeout(20)
print(s.recv(100).split(b"\r\n")[0].decode())
PY
py_lxml inflight.py "$SERVE_PORT" sent.flag >inflight.txt &
client=$!
i=0
while [ ! -e sent.flag ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
ok "SIGTERM with a request in flight exits 0" serve_stop
wait $client
same "the request in flight was answered" "$(cat inflight.txt)" "refused new connections
HTTP/1.1 404 Not Found"

# TLS: a self-signed certificate for 127.0.0.1, made here
ok "certificate made" openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout key.pem -out cert.pem -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1
ok "server starts with TLS" serve_start t.db --tls-cert cert.pem --tls-key key.pem
U=$SERVE_URL
same "listening on https" "${U%%:*}" https
same "Basic over TLS" "$(hc --cacert cert.pem -o list.xml -w '%{http_code}' --basic -u 'lan:correct horse' "$U/formList")" 200
ok "download URLs are https" grep -q "<downloadUrl>https://127.0.0.1:$SERVE_PORT/forms/mini-A.xml</downloadUrl>" list.xml
same "Basic over TLS, wrong password" "$(hc --cacert cert.pem -o /dev/null -w '%{http_code}' --basic -u 'lan:wrong password' "$U/formList")" 401
same "Digest over TLS" "$(hc --cacert cert.pem -o /dev/null -w '%{http_code}' --digest -u 'lan:correct horse' "$U/formList")" 200
same "POST over TLS with Basic" "$(hc --cacert cert.pem -o /dev/null -w '%{http_code}' --basic -u 'lan:correct horse' -F xml_submission_file=@a1.xml "$U/submission")" 201
not_ok "plain HTTP to the TLS port fails" hc -o /dev/null "http://127.0.0.1:$SERVE_PORT/formList"
ok "SIGTERM exits 0" serve_stop

finish
