# Encrypted submissions with media files (docs.getodk.org/encrypted-forms; Collect's
# EncryptionUtils): the manifest lists each as <media><file>NAME.enc</file></media>, encrypted
# before submission.xml (the IV's counter moves one a file) and signed with a line
# "NAME::md5hex" each. `capture import --key` and `serve --key` decrypt every one and check
# the signature over all of them; the media are then dropped, as a plain submission's media
# are (ignored in a zip, dropped by the server), so the database equals the plain import's.
# A media file missing, altered or badly named is a rejection naming it; nothing stored.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"
. "$TOP/tests/cli/serve.sh"

make_keys || { fail "openssl genrsa"; finish; exit 1; }
setup_encrypted_db --communes 90001,90002 --groups A,B || fail "init, forms, user add"
cp t.db empty.db
head -c 3001 /dev/urandom >photo.jpg
printf 'parindex-media-marker' >voice.m4a

# ---- plain: the instances with their media files beside them
mkzip plain.zip "a1/submission.xml=$I/a1.xml" "a1/photo.jpg=photo.jpg" "a1/voice.m4a=voice.m4a" \
	"a2/submission.xml=$I/a2.xml" "a2/photo.jpg=photo.jpg" "b1/submission.xml=$I/b1.xml"
ok "plain import" parindex capture import --db t.db plain.zip
dump >plain.dump
cp t.db plain.db

# ---- encrypted: two media files, one, none
cp empty.db t.db
encrypt --media photo.jpg --media voice.m4a forms/mini-A.xml enc a1="$I/a1.xml"
encrypt --media photo.jpg forms/mini-A.xml enc a2="$I/a2.xml"
encrypt forms/mini-B.xml enc b1="$I/b1.xml"
same "the manifest lists the media in order, each in its own <media>" \
	"$(grep -o '<media><file>[^<]*</file></media>' enc/a1/submission.xml | tr '\n' ' ')" \
	"<media><file>photo.jpg.enc</file></media> <media><file>voice.m4a.enc</file></media> "
files() { for _d; do for _f in enc/"$_d"/*; do printf '%s=%s\n' "$_d/${_f##*/}" "$_f"; done; done; }
# shellcheck disable=SC2046
mkzip enc.zip $(files a1 a2 b1)
golden import parindex capture import --db t.db --key priv.pem --receipt enc.receipt enc.zip
golden import-receipt cat enc.receipt
dump >enc.dump
ok "the same database as the plain instances with their media" diff -u plain.dump enc.dump
same "no media bytes in the database" "$(sqlite3 t.db .dump | grep -c 'parindex-media-marker')" 0

# ---- rejections: a media file missing, altered after signing, badly named; nothing stored
cp empty.db t.db
encrypt --alter-media --media photo.jpg forms/mini-A.xml altered a1="$I/a1.xml"
mkdir -p badname
sed 's|<file>photo.jpg.enc</file>|<file>../photo.jpg.enc</file>|' enc/a2/submission.xml >badname/submission.xml
sed 's|<media><file>photo.jpg.enc</file></media>|&&|' enc/a2/submission.xml >twice.xml
mkzip bad.zip \
	"missing/submission.xml=enc/a1/submission.xml" "missing/submission.xml.enc=enc/a1/submission.xml.enc" \
	"missing/photo.jpg.enc=enc/a1/photo.jpg.enc" \
	"altered/submission.xml=altered/a1/submission.xml" "altered/submission.xml.enc=altered/a1/submission.xml.enc" \
	"altered/photo.jpg.enc=altered/a1/photo.jpg.enc" \
	"badname/submission.xml=badname/submission.xml" "badname/submission.xml.enc=enc/a2/submission.xml.enc" \
	"twice/submission.xml=twice.xml" "twice/submission.xml.enc=enc/a2/submission.xml.enc" \
	"twice/photo.jpg.enc=enc/a2/photo.jpg.enc"
golden rejections parindex capture import --db t.db --key priv.pem bad.zip
same "rejections: nothing stored" "$(q "SELECT count(*) FROM submission")" 0

# ---- serve --key: the media as parts of the request, named as the manifest names them
cp empty.db t.db
post() {
	_n=$1
	_d=$2
	shift 2
	set -- -F "xml_submission_file=@$_d/submission.xml;type=text/xml" \
		-F "submission.xml.enc=@$_d/submission.xml.enc;type=application/octet-stream" "$@"
	_c=$(hc --digest -u 'lan:correct horse' -o "$_n.out" -w '%{http_code}' "$@" "$SERVE_URL/submission")
	sed -n 's|.*<message nature="\([^"]*\)">\([^<]*\)<.*|\1 \2|p' "$_n.out" >"$_n.reply"
	echo "$_c"
}
part() { printf '%s=@%s;type=application/octet-stream' "$1" "enc/$2/$1"; }
ok "server with --key starts" serve_start t.db --key priv.pem
same "a media part missing: 400" "$(post m1 enc/a1 -F "$(part photo.jpg.enc a1)")" 400
same "names it" "$(cat m1.reply)" \
	"missing-enc line 2: the manifest names voice.m4a.enc, which did not come with it: the submission cannot be decrypted"
same "a media part altered: 400" "$(post m2 altered/a1 -F "photo.jpg.enc=@altered/a1/photo.jpg.enc")" 400
same "says so" "$(cut -d' ' -f1 m2.reply)" bad-signature
same "a1 with both media: 201" "$(post a1 enc/a1 -F "$(part photo.jpg.enc a1)" -F "$(part voice.m4a.enc a1)")" 201
same "a2 with its one: 201" "$(post a2 enc/a2 -F "$(part photo.jpg.enc a2)")" 201
same "b1 without media: 201" "$(post b1 enc/b1)" 201
ok "stopped" serve_stop
cols="instance_id, form_id, commune_code, surveyor, device_id, answers, sha256"
same "stored as the plain instances" "$(q "SELECT $cols FROM submission ORDER BY instance_id")" \
	"$(sqlite3 -batch -noheader plain.db "SELECT $cols FROM submission ORDER BY instance_id")"
same "the refusals in the surveyor's batch" "$(q "SELECT status, reason FROM batch_entry WHERE status = 'rejected' ORDER BY seq" | paste -sd' ')" \
	"rejected|missing-enc rejected|bad-signature"
finish
