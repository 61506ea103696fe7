# Encrypted forms (docs.getodk.org/encrypted-forms): parindex forms --encrypt PUBLIC.pem writes
# forms with <submission base64RsaPublicKey>; submissions encrypted to them as ODK Collect does
# (tests/data/capture/encrypt.py, written from the spec) import with --key PRIVATE.pem into the
# same database as the same instances in plain XML; each way one can fail is a clear rejection
# that stores nothing; the private key never reaches the database.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"

make_keys || { fail "openssl genrsa"; finish; exit 1; }

# ---- the forms: the public key as Collect reads it (base64 DER), the lint content
parindex init --db t.db --definition "$DATA/definitions/mini.xml" \
	--communes "$CAP/communes.csv" >/dev/null || fail "init"
golden forms parindex forms --db t.db --out "$T/forms" --encrypt pub.pem
same "forms: the key in the form" \
	"$(sed -n 's|.*<submission base64RsaPublicKey="\([^"]*\)"/>.*|\1|p' forms/mini-A.xml)" \
	"$(openssl rsa -pubin -in pub.pem -outform DER 2>/dev/null | base64 -w0)"
same "forms: registered with the key" \
	"$(q "SELECT count(*) FROM form WHERE instr(CAST(content AS TEXT), 'base64RsaPublicKey') > 0")" "2"
golden lint parindex forms lint forms/mini-A.xml forms/mini-B.xml
golden forms-bad-key parindex forms --db t.db --out "$T/forms2" --encrypt priv.pem
golden forms-no-key parindex forms --db t.db --out "$T/forms2" --encrypt missing.pem
cp t.db empty.db

# ---- round trip: the same instances plain and encrypted give the same database
mkzip plain.zip "a1/submission.xml=$I/a1.xml" "a2/submission.xml=$I/a2.xml" \
	"b1/submission.xml=$I/b1.xml"
ok "plain import" parindex capture import --db t.db plain.zip
dump >plain.dump
cp empty.db t.db
encrypt forms/mini-A.xml enc a1="$I/a1.xml" a2="$I/a2.xml"
encrypt forms/mini-B.xml enc b1="$I/b1.xml"
mkzip enc.zip "a1/submission.xml=enc/a1/submission.xml" "a1/submission.xml.enc=enc/a1/submission.xml.enc" \
	"a2/submission.xml=enc/a2/submission.xml" "a2/submission.xml.enc=enc/a2/submission.xml.enc" \
	"b1/submission.xml=enc/b1/submission.xml" "b1/submission.xml.enc=enc/b1/submission.xml.enc"
golden no-key parindex capture import --db t.db enc.zip
same "no key: nothing stored" "$(q "SELECT count(*) FROM submission")" "0"
cp empty.db t.db
golden round-trip parindex capture import --db t.db --key priv.pem --receipt rt.receipt enc.zip
golden round-trip-receipt cat rt.receipt
dump >enc.dump
ok "round trip: the same database as the plain instances" diff -u plain.dump enc.dump

# ---- the private key is in no row of the database
key_body=$(sed -n 2p priv.pem)
same "the key's PEM is not in the database" "$(sqlite3 t.db .dump | grep -c -F "$key_body")" "0"
same "the key's DER is not in the database" \
	"$(sqlite3 t.db .dump | grep -c -F "$(openssl rsa -in priv.pem -outform DER 2>/dev/null | base64 -w0 | cut -c1-64)")" "0"

# ---- rejections, one a case, nothing stored from any
cp empty.db t.db
golden wrong-key parindex capture import --db t.db --key other.pem enc.zip
encrypt --alter forms/mini-A.xml altered a1="$I/a1.xml"
encrypt --drop base64EncryptedElementSignature forms/mini-A.xml nosig a1="$I/a1.xml"
encrypt --drop base64EncryptedKey forms/mini-A.xml nokey a1="$I/a1.xml"
printf '<data xmlns="http://opendatakit.org/submissions" encrypted="yes" id="mini-A" version="1"><base64EncryptedKey>AAAA</base64EncryptedKey><extra/></data>\n' >unknown.xml
# the first .enc under a second name: decrypts with the key, but not the file it was signed for
mkzip bad.zip \
	"altered/submission.xml=altered/a1/submission.xml" "altered/submission.xml.enc=altered/a1/submission.xml.enc" \
	"missing/submission.xml=enc/a2/submission.xml" \
	"swapped/submission.xml=enc/a1/submission.xml" "swapped/submission.xml.enc=enc/a2/submission.xml.enc" \
	"nosig/submission.xml=nosig/a1/submission.xml" "nosig/submission.xml.enc=nosig/a1/submission.xml.enc" \
	"nokey/submission.xml=nokey/a1/submission.xml" "nokey/submission.xml.enc=nokey/a1/submission.xml.enc" \
	"unknown/submission.xml=unknown.xml"
golden rejections parindex capture import --db t.db --key priv.pem --receipt bad.receipt bad.zip
golden rejections-receipt cat bad.receipt
same "rejections: nothing stored" "$(q "SELECT count(*) FROM submission")" "0"

# ---- --key itself
golden key-missing parindex capture import --db t.db --key missing.pem enc.zip
golden key-not-private parindex capture import --db t.db --key pub.pem enc.zip
same "bad --key: no batch" "$(q "SELECT count(*) FROM batch WHERE file_name = 'enc.zip'")" "1"

finish
