# parindex serve, driven as ODK Collect drives it (OpenRosa): HEAD then POST /submission with
# the Digest challenge and retry, a wrong password and a disabled account 401, an analyst 403,
# the form list in the OpenRosa shape (a surveyor sees only their groups), the forms
# byte-identical to `parindex forms` output, a Date header in Collect's 12-hour format,
# oversize 413 (from Content-Length, and while reading a chunked body), X-OpenRosa-Version on
# every reply, SIGTERM exits 0.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"
. "$TOP/tests/cli/serve.sh"

setup_db
adduser() { _p=$1; shift; printf '%s\n' "$_p" | parindex user add --db t.db --password-stdin "$@" >/dev/null; }
adduser 'correct horse' --role surveyor --communes 90001 --groups A lan
adduser 'battery staple' --role surveyor --communes 90002 tuan
adduser 'office secret' --role office 'Nguyễn Văn Hòa'
adduser 'analyst secret' --role analyst minh
adduser 'old password' --role surveyor --communes 90001 cu
parindex user disable --db t.db cu >/dev/null

ok "server starts" serve_start t.db
U=$SERVE_URL
mkdir hdr
# every request's response headers kept in hdr/ (and the last in last.hdr), to check
# X-OpenRosa-Version on all of them at the end; code prints the status, the body goes to out
next_hdr() { _k=$(($(cat .k 2>/dev/null || echo 0) + 1)); echo "$_k" >.k; }
req() { next_hdr; hc -D "hdr/$_k" "$@"; cp "hdr/$_k" last.hdr; }
code() { next_hdr; hc -D "hdr/$_k" -o out -w '%{http_code}' "$@"; cp "hdr/$_k" last.hdr; }

# Collect: HEAD /submission without credentials -> 401 with a Digest challenge (MD5, qop=auth)
same "HEAD without credentials" "$(code -I "$U/submission")" 401
ok "challenge is Digest, qop auth, the database's realm" grep -q \
	"^WWW-Authenticate: Digest realm=\"$(q "SELECT value FROM setting WHERE key = 'digest_realm'")\", qop=\"auth\", nonce=\"[0-9a-f]\{56\}\", opaque=\"parindex\", algorithm=MD5.$" last.hdr
# then with them: 204 and the size it accepts
same "HEAD with credentials" "$(code -I --digest -u 'lan:correct horse' "$U/submission")" 204
ok "challenged, then answered on the retry" sh -c "grep '^HTTP/' last.hdr | tr -d '\r' | cut -d' ' -f2 | tr '\n' ' ' | grep -qx '401 204 '"
ok "announces X-OpenRosa-Accept-Content-Length" grep -q '^X-OpenRosa-Accept-Content-Length: 10485760' last.hdr

# POST: challenged, retried, 201 with an OpenRosaResponse
cp "$I/a1.xml" a1.xml
same "POST a submission" "$(code --digest -u 'lan:correct horse' -F xml_submission_file=@a1.xml "$U/submission")" 201
ok "POST challenged first" sh -c "grep '^HTTP/' last.hdr | tr -d '\r' | cut -d' ' -f2 | tr '\n' ' ' | grep -qx '401 201 '"
py_lxml - out >resp.txt <<'PY'
import sys
from lxml import etree
r = etree.parse(sys.argv[1]).getroot()
ns = "{http://openrosa.org/http/response}"
m = r.find(ns + "message")
print(r.tag == ns + "OpenRosaResponse", m.get("nature"), bool(m.text))
PY
same "OpenRosaResponse with submit_success" "$(cat resp.txt)" "True submit_success True"

# attachments are counted and dropped; Collect's odd 12-hour Date header is not used
head -c 5000 /dev/urandom >photo.jpg
same "with an attachment and a 12-hour Date header" "$(code --digest -u 'lan:correct horse' \
	-H 'Date: Thu, 15 Jan 2026 08:00:00 PM GMT+07:00' -F xml_submission_file=@a1.xml \
	-F 'photo.jpg=@photo.jpg;type=image/jpeg' "$U/submission")" 201

# refused: wrong password, a disabled account, no such account, an analyst, Basic over plain HTTP
same "wrong password" "$(code --digest -u 'lan:wrong password' -F xml_submission_file=@a1.xml "$U/submission")" 401
same "disabled account" "$(code --digest -u 'cu:old password' -F xml_submission_file=@a1.xml "$U/submission")" 401
same "no such account" "$(code --digest -u 'nobody:whatever1' -F xml_submission_file=@a1.xml "$U/submission")" 401
same "an analyst may not submit" "$(code --digest -u 'minh:analyst secret' -F xml_submission_file=@a1.xml "$U/submission")" 403
same "an office account may" "$(code --digest -u 'Nguyễn Văn Hòa:office secret' -F xml_submission_file=@a1.xml "$U/submission")" 201
same "Basic without TLS" "$(code --basic -u 'lan:correct horse' -F xml_submission_file=@a1.xml "$U/submission")" 401
# bodies that are not a submission
echo 'not xml' >junk.txt
same "not an instance" "$(code --digest -u 'lan:correct horse' -F xml_submission_file=@junk.txt "$U/submission")" 400
same "no xml_submission_file part" "$(code --digest -u 'lan:correct horse' -F other=@a1.xml "$U/submission")" 400
same "not multipart" "$(code --digest -u 'lan:correct horse' --data-binary @a1.xml "$U/submission")" 400
ok "says why" grep -q '<message nature="error">not a multipart/form-data submission</message>' out
same "GET /submission" "$(code --digest -u 'lan:correct horse' "$U/submission")" 405

# the store's answers through the daemon: a resend after a lost response is 201 and stored once,
# the same instanceID with other answers 409, a commune outside the surveyor's scope 403
same "resend after a lost response" "$(code --digest -u 'lan:correct horse' -F xml_submission_file=@a1.xml "$U/submission")" 201
ok "says it is stored already" grep -q 'nature="submit_success"' out
cp "$I/a1-conflict.xml" "$I/b1.xml" .
same "a commune outside lan's scope" "$(code --digest -u 'lan:correct horse' -F xml_submission_file=@b1.xml "$U/submission")" 403
ok "says why" grep -q '<message nature="out-of-scope">' out
same "the same in tuan's scope" "$(code --digest -u 'tuan:battery staple' -F xml_submission_file=@b1.xml "$U/submission")" 201

# oversize: refused from Content-Length before the body is read, and a chunked body at its end
head -c 10485761 /dev/zero >big.bin
same "Content-Length over the limit" "$(code --digest -u 'lan:correct horse' -F xml_submission_file=@a1.xml -F big=@big.bin "$U/submission")" 413
ok "says so" grep -q '<message nature="error">submission too large</message>' out
same "chunked body over the limit" "$(code --digest -u 'lan:correct horse' -H 'Transfer-Encoding: chunked' -F xml_submission_file=@a1.xml -F big=@big.bin "$U/submission")" 413
head -c 10000000 /dev/zero >under.bin
same "chunked body under the limit" "$(code --digest -u 'lan:correct horse' -H 'Transfer-Encoding: chunked' -F xml_submission_file=@a1.xml -F big=@under.bin "$U/submission")" 201
same "same instanceID, other answers" "$(code --digest -u 'lan:correct horse' -F xml_submission_file=@a1-conflict.xml "$U/submission")" 409
ok "says why, as capture does" grep -q '<message nature="conflict">' out
same "the original sent again after the conflict" "$(code --digest -u 'lan:correct horse' -F xml_submission_file=@a1.xml "$U/submission")" 201

# the form list: OpenRosa's xformsList; a surveyor sees only their groups
formlist() {
	code --digest -u "$1" "$U/formList" >/dev/null
	cp out "$2"
}
formlist 'lan:correct horse' lan.xml
formlist 'tuan:battery staple' tuan.xml
formlist 'minh:analyst secret' minh.xml
cat >check.py <<'PY'
import hashlib, re, sys
from lxml import etree
ns = "{http://openrosa.org/xforms/xformsList}"
doc = etree.parse(sys.argv[1]).getroot()
assert doc.tag == ns + "xforms", doc.tag
for x in doc:
    assert x.tag == ns + "xform"
    kids = [c.tag[len(ns):] for c in x]
    assert kids == ["formID", "name", "version", "hash", "downloadUrl"], kids
    f = {c.tag[len(ns):]: c.text for c in x}
    assert re.fullmatch(r"md5:[0-9a-f]{32}", f["hash"]), f["hash"]
    url = f["downloadUrl"]
    assert url.startswith(sys.argv[2] + "/"), url
    data = open(sys.argv[3] + "/" + f["formID"] + ".xml", "rb").read()
    assert f["hash"] == "md5:" + hashlib.md5(data).hexdigest(), "hash"
    print(f["formID"], f["version"], f["name"], url[len(sys.argv[2]):])
PY
same "lan (group A): mini-A only" "$(py_lxml check.py lan.xml "$U" "$T/forms" 2>&1)" \
	"mini-A 1 Phiếu khảo sát Chỉ số CCHC năm 2024 – A: Nhóm A /forms/mini-A.xml"
same "tuan (every group): both" "$(py_lxml check.py tuan.xml "$U" "$T/forms" 2>&1 | cut -d' ' -f1)" "mini-A
mini-B"
same "an analyst: both" "$(py_lxml check.py minh.xml "$U" "$T/forms" 2>&1 | cut -d' ' -f1)" "mini-A
mini-B"
same "formList names as parindex forms' formList.xml does" \
	"$(py_lxml -c 'import sys; from lxml import etree; print([e.text for e in etree.parse(sys.argv[1]).iter("{*}name")])' "$T/forms/formList.xml")" \
	"$(py_lxml -c 'import sys; from lxml import etree; print([e.text for e in etree.parse(sys.argv[1]).iter("{*}name")])' minh.xml)"
same "formList without credentials" "$(code "$U/formList")" 401
# each form as parindex forms wrote it, byte for byte, from its downloadUrl
for f in mini-A mini-B; do
	req --digest -u 'minh:analyst secret' -o "got-$f.xml" "$U/forms/$f.xml"
	ok "$f byte-identical to parindex forms" cmp "got-$f.xml" "$T/forms/$f.xml"
done
same "a form outside lan's groups" "$(code --digest -u 'lan:correct horse' "$U/forms/mini-B.xml")" 404
same "no such form" "$(code --digest -u 'lan:correct horse' "$U/forms/mini-C.xml")" 404
# absolute URLs only from a plain Host header
same "Host header with a quote" "$(code --digest -u 'lan:correct horse' -H 'Host: x"><a' "$U/formList")" 400
same "Host header with a path" "$(code --digest -u 'lan:correct horse' -H 'Host: example.org/evil' "$U/formList")" 400
same "Host name with a port" "$(code --digest -u 'lan:correct horse' -H 'Host: par.example.vn:8443' "$U/formList")" 200
ok "its URLs use it" grep -q '<downloadUrl>http://par.example.vn:8443/forms/mini-A.xml</downloadUrl>' out

# Digest by hand (Python): a response for nc 1 is taken once; the same again is a replay (401,
# stale=true, a new nonce); nc 2 is taken; a forged nonce, a uri other than the request's and
# RFC 2069 (no qop) are refused without stale
py_lxml - "$SERVE_PORT" "$(q "SELECT value FROM setting WHERE key = 'digest_realm'")" >digest.txt <<'PY'
import hashlib, http.client, re, sys
port, realm = int(sys.argv[1]), sys.argv[2]
md5 = lambda s: hashlib.md5(s.encode()).hexdigest()
def get(auth=None, path="/formList"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    c.request("GET", path, headers={"Authorization": auth} if auth else {})
    r = c.getresponse(); r.read(); c.close()
    return r.status, r.getheader("WWW-Authenticate") or ""
def auth(nonce, nc, uri="/formList", qop=True, path="/formList"):
    ha1 = md5("lan:%s:correct horse" % realm)
    ha2 = md5("GET:" + uri)
    if qop:
        resp = md5("%s:%s:%08x:abc:auth:%s" % (ha1, nonce, nc, ha2))
        h = 'Digest username="lan", realm="%s", nonce="%s", uri="%s", qop=auth, nc=%08x, cnonce="abc", response="%s", opaque="parindex"' % (realm, nonce, uri, nc, resp)
    else:
        resp = md5("%s:%s:%s" % (ha1, nonce, ha2))
        h = 'Digest username="lan", realm="%s", nonce="%s", uri="%s", response="%s"' % (realm, nonce, uri, resp)
    return get(h, path)
st, ch = get()
nonce = re.search(r'nonce="([0-9a-f]+)"', ch).group(1)
print("challenge", st)
print("nc 1", auth(nonce, 1)[0])
st, ch = auth(nonce, 1)
print("nc 1 again", st, "stale=true" in ch)
print("nc 2", auth(nonce, 2)[0])
forged = nonce[:-1] + ("0" if nonce[-1] != "0" else "1")
st, ch = auth(forged, 1)
print("forged nonce", st, "stale=true" in ch)
st, ch = auth(nonce, 3, uri="/forms/mini-A.xml")
print("other uri", st, "stale=true" in ch)
st, ch = auth(nonce, 4, qop=False)
print("no qop", st, "stale=true" in ch)
PY
same "Digest by hand" "$(cat digest.txt)" "challenge 401
nc 1 200
nc 1 again 401 True
nc 2 200
forged nonce 401 False
other uri 401 False
no qop 401 False"

# X-OpenRosa-Version on every reply (each response's header block)
ok "X-OpenRosa-Version: 1.0 on every reply" py_lxml - hdr <<'PY'
import os, sys
bad = []
for f in sorted(os.listdir(sys.argv[1])):
    blocks = open(os.path.join(sys.argv[1], f), encoding="latin-1", newline="").read().split("\r\n\r\n")
    for b in blocks:
        if b.startswith("HTTP/") and not b.startswith("HTTP/1.1 100") and "\r\nX-OpenRosa-Version: 1.0" not in b:
            bad.append((f, b.splitlines()[0]))
print(len(os.listdir(sys.argv[1])), "replies" if not bad else bad)
sys.exit(1 if bad or len(os.listdir(sys.argv[1])) < 25 else 0)
PY

# SIGTERM: stops accepting, finishes, exits 0
ok "SIGTERM exits 0" serve_stop
ok "says so" grep -qx 'parindex: serve: stopped' "$T/serve.err"
# what the database holds: each instance once, in server batches per surveyor and day
same "stored once each" "$(q "SELECT instance_id, count(*) FROM submission GROUP BY instance_id")" \
	"uuid:00000000-0000-4000-8000-000000000001|1
uuid:00000000-0000-4000-8000-000000000031|1"
same "server batches" "$(q "SELECT source, operator FROM batch ORDER BY id")" "serve|lan
serve|Nguyễn Văn Hòa
serve|tuan"
golden capture-list parindex capture list --db t.db
not_ok "no longer listening" hc -o /dev/null "$U/formList"

# --public-url: the base of the download URLs
ok "server starts with --public-url" serve_start t.db --public-url https://par.example.vn/odk/
code --digest -u 'lan:correct horse' "$SERVE_URL/formList" >/dev/null
ok "URLs from --public-url" grep -q '<downloadUrl>https://par.example.vn/odk/forms/mini-A.xml</downloadUrl>' out
ok "SIGTERM exits 0" serve_stop

finish
