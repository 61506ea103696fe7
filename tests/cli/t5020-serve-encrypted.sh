# parindex serve --key PRIVATE.pem: an encrypted submission as ODK Collect posts it (the
# manifest as xml_submission_file, submission.xml.enc beside it; made by
# tests/data/capture/encrypt.py, written from the spec) is decrypted with the same code as
# `capture import --key` and stored as the same submission in plain XML would be; each way
# it can fail (no key, a wrong key, a bad signature, no .enc) is a 400 with capture's reason in
# the OpenRosa reply and a rejected entry of the surveyor's batch; the key never reaches the
# database.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"
. "$TOP/tests/cli/serve.sh"

make_keys || { fail "openssl genrsa"; finish; exit 1; }

setup_encrypted_db --communes 90001 --groups A || fail "init, forms, user add"
cp t.db plain.db

encrypt forms/mini-A.xml enc a1="$I/a1.xml" a2="$I/a2.xml"
encrypt --alter forms/mini-A.xml altered a2="$I/a2.xml"

# post NAME MANIFEST [ENC]: the status, the reply's nature and text in NAME.reply
post() {
	_n=$1
	set -- -F "xml_submission_file=@$2;type=text/xml" ${3:+-F "submission.xml.enc=@$3;type=application/octet-stream"}
	_c=$(hc --digest -u 'lan:correct horse' -o "$_n.out" -w '%{http_code}' "$@" "$SERVE_URL/submission")
	py_lxml - "$_n.out" >"$_n.reply" <<'PY'
import sys
from lxml import etree
m = etree.parse(sys.argv[1]).getroot().find("{http://openrosa.org/http/response}message")
print(m.get("nature"), m.text)
PY
	echo "$_c"
}

# ---- without --key: refused, recorded
ok "server without --key starts" serve_start t.db
same "no key: 400" "$(post nokey enc/a1/submission.xml enc/a1/submission.xml.enc)" 400
same "no key: the reason" "$(cat nokey.reply)" \
	"encrypted line 2: an encrypted submission (its form has a base64RsaPublicKey): this server has no key to open it (parindex serve --key PRIVATE.pem)"
ok "stopped" serve_stop

# ---- with --key: decrypted and stored
ok "server with --key starts" serve_start t.db --key priv.pem
same "encrypted a1: 201" "$(post a1 enc/a1/submission.xml enc/a1/submission.xml.enc)" 201
same "encrypted a1: stored" "$(cat a1.reply)" "submit_success stored"
same "resent: a duplicate" "$(post a1again enc/a1/submission.xml enc/a1/submission.xml.enc)" 201
same "no .enc: 400" "$(post missing enc/a2/submission.xml)" 400
same "no .enc: the reason" "$(cat missing.reply)" \
	"missing-enc line 2: the manifest names submission.xml.enc, which did not come with it: the submission cannot be decrypted"
same "altered after signing: 400" "$(post altered altered/a2/submission.xml altered/a2/submission.xml.enc)" 400
same "altered: the reason" "$(cut -d' ' -f1 altered.reply)" "bad-signature"
# a plain submission still goes through as before
cp "$I/a2.xml" a2.xml
same "plain a2 beside: 201" "$(post a2 a2.xml)" 201
ok "stopped" serve_stop

# ---- a wrong key
ok "server with another key starts" serve_start t.db --key other.pem
same "wrong key: 400" "$(post wrong enc/a2/submission.xml enc/a2/submission.xml.enc)" 400
same "wrong key: the reason" "$(cut -d' ' -f1 wrong.reply)" "wrong-key"
ok "stopped" serve_stop

# the surveyor's batch holds every outcome, the rejections with their reasons
same "batch entries" "$(q "SELECT status, reason, instance_id FROM batch_entry ORDER BY batch_id, seq")" \
"rejected|encrypted|uuid:00000000-0000-4000-8000-000000000001
accepted|ok|uuid:00000000-0000-4000-8000-000000000001
duplicate|duplicate|uuid:00000000-0000-4000-8000-000000000001
rejected|missing-enc|uuid:00000000-0000-4000-8000-000000000002
rejected|bad-signature|uuid:00000000-0000-4000-8000-000000000002
accepted|ok|uuid:00000000-0000-4000-8000-000000000002
rejected|wrong-key|uuid:00000000-0000-4000-8000-000000000002"

# a1 decrypted is the submission a1 is in plain XML: the same row but for its batch
cp "$I/a1.xml" a1.xml
mkzip plain.zip "a1/submission.xml=a1.xml"
parindex capture import --db plain.db plain.zip >/dev/null || fail "plain import"
cols="instance_id, form_id, form_version, group_id, commune_code, surveyor, started, ended, device_id, comment, answers, sha256"
same "a1 stored once" "$(q "SELECT count(*) FROM submission WHERE instance_id = 'uuid:00000000-0000-4000-8000-000000000001'")" 1
same "a1: as in plain XML" "$(q "SELECT $cols FROM submission WHERE instance_id = 'uuid:00000000-0000-4000-8000-000000000001'")" \
	"$(sqlite3 plain.db "SELECT $cols FROM submission WHERE instance_id = 'uuid:00000000-0000-4000-8000-000000000001'")"

# the private key is in no row of the database
same "the key's PEM is not in the database" "$(sqlite3 t.db .dump | grep -c -F "$(sed -n 2p priv.pem)")" "0"

# --key that is not a private key, or missing: the server does not start
"$PARINDEX" serve --db t.db --listen 127.0.0.1:0 --key pub.pem 2>bad.err
same "public key as --key: usage" "$? $(cat bad.err)" "2 parindex: serve: pub.pem: not an RSA private key in PEM (the key pair of the form's base64RsaPublicKey)"
"$PARINDEX" serve --db t.db --listen 127.0.0.1:0 --key none.pem 2>bad.err
same "missing --key: system error" "$? $(cat bad.err)" "3 parindex: serve: none.pem: cannot open the private key: No such file or directory"

finish
