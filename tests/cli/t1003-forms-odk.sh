# The generated forms in ODK's own engine (@getodk/xforms-engine under jsdom, pinned in
# tests/odk/package-lock.json, installed with npm ci into the build folder): every form of the
# shipped definition loads, every question is answered with one of its options, the submission
# is serialised and checked: well-formed, the form's id and version, valid answers, and the
# Vietnamese text byte-exact (NFC) from definition to form to engine to submission. Also: the
# engine accepts the lint fixtures that ODK Collect refuses, which is why parindex has a lint.
# When parindex has a capture command, the engine-made submissions are imported with it.
. "$(dirname "$0")/lib.sh"

case ${BUILD:-build} in
/*) ODK_DIR=${ODK_DIR:-$BUILD/odk} ;;
*) ODK_DIR=${ODK_DIR:-$TOP/${BUILD:-build}/odk} ;;
esac
need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	fail "'$1' is missing: this test needs Node.js and npm (run 'make deps', or apt-get install nodejs npm)"
	finish
	exit 1
}
need node
need npm
need xmllint
need python3

# install the pinned engine once per build folder, again when the lock file changes
if ! cmp -s "$TOP/tests/odk/package-lock.json" "$ODK_DIR/node_modules/.parindex-lock.json"; then
	mkdir -p "$ODK_DIR"
	cp "$TOP/tests/odk/package.json" "$TOP/tests/odk/package-lock.json" "$ODK_DIR/"
	if (cd "$ODK_DIR" && npm ci --no-audit --no-fund --ignore-scripts) >npm.log 2>&1; then
		cp "$TOP/tests/odk/package-lock.json" "$ODK_DIR/node_modules/.parindex-lock.json"
	else
		fail "npm ci in $ODK_DIR failed (it needs the npm registry once):"
		tail -n 20 npm.log
		finish
		exit 1
	fi
fi
cp "$TOP/tests/odk/fill.mjs" "$ODK_DIR/fill.mjs"
fill() { node "$ODK_DIR/fill.mjs" "$@"; }

# typed by the "respondent": NFC, with the letters Vietnamese needs (đ, ơ, ư, stacked marks)
FILL_SURVEYOR='ĐTV-07 Nguyễn Thị Thu Hằng'
FILL_TEXT='Đề nghị niêm yết đầy đủ thủ tục; cán bộ một cửa rất nhiệt tình, chu đáo.'
export FILL_SURVEYOR FILL_TEXT
ok "the typed texts are NFC" python3 -c 'import os, sys, unicodedata
sys.exit(any(unicodedata.normalize("NFC", os.environ[k]) != os.environ[k] for k in ("FILL_SURVEYOR", "FILL_TEXT")))'

parindex init --communes "$DATA/communes/cam-giang.csv" >/dev/null
parindex forms --out forms >forms.log 2>&1
ok "forms generated" test -s forms/formList.xml
GROUPS=$(sqlite3 parindex.db "SELECT id FROM respondent_group ORDER BY seq")
same "five groups" "$(echo $GROUPS)" "G1 G2 G3 G4 G5"

# two fillings of every form with different answers
mkdir sub0 sub1
ok "the engine fills every form (answers 0)" fill sub0 0 forms/hai-duong-commune-par-G*.xml
ok "the engine fills every form (answers 1)" fill sub1 1 forms/hai-duong-commune-par-G*.xml

# one python3 check per submission: well-formed, id and version, meta, answers are options
cat >check.py <<'PY'
import re, sqlite3, sys, unicodedata, xml.etree.ElementTree as ET
path, group = sys.argv[1], sys.argv[2]
raw = open(path, 'rb').read()
text = raw.decode('utf-8')
assert text == unicodedata.normalize('NFC', text), 'not NFC'
root = ET.fromstring(raw)
local = lambda e: e.tag.split('}')[-1]
assert local(root) == 'data', f'root {root.tag}'
db = sqlite3.connect('parindex.db')
assert root.get('id') == f'hai-duong-commune-par-{group}', f'id {root.get("id")}'
assert root.get('version') == '2021.1', f'version {root.get("version")}'
questions = [r[0] for r in db.execute(
    "SELECT id FROM question WHERE ' ' || groups || ' ' LIKE ? ORDER BY seq", (f'% {group} %',))]
names = [local(e) for e in root]
want = ['start', 'end', 'deviceid', 'commune', 'surveyor'] + questions + ['comment', 'meta']
assert names == want, f'instance layout {names}'
values = {local(e): (e.text or '') for e in root}
for q in questions:
    ok = db.execute("SELECT count(*) FROM question q JOIN scale_option o ON o.def_id = q.def_id "
                    "AND o.def_version = q.def_version AND o.scale_id = q.scale_id "
                    "WHERE q.id = ? AND o.code = ?", (q, values[q])).fetchone()[0]
    assert ok == 1, f'{q} = {values[q]!r} is not an option'
assert db.execute("SELECT count(*) FROM commune WHERE code = ?", (values['commune'],)).fetchone()[0] == 1
assert re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)', values['start']), values['start']
assert values['deviceid'] == 'parindex-test-device'
meta = {local(e): e.text for e in root.find('{*}meta')}
assert re.fullmatch(r'uuid:[0-9a-f-]{36}', meta['instanceID']), meta
assert meta['instanceName'] == f"{values['commune']}-{group}", meta
print(values['surveyor'])
print(values['comment'])
PY
for n in 0 1; do
	for g in $GROUPS; do
		s=sub$n/hai-duong-commune-par-$g.submission.xml
		ok "$s well-formed" xmllint --noout "$s"
		if python3 check.py "$s" "$g" >check.out 2>check.err; then
			pass
			same "$s: surveyor byte-exact" "$(sed -n 1p check.out)" "$FILL_SURVEYOR"
			same "$s: comment byte-exact" "$(sed -n 2p check.out)" "$FILL_TEXT"
		else
			fail "$s: $(tail -n 1 check.err)"
		fi
	done
done
ok "the two fillings answer differently" sh -c '! cmp -s sub0/hai-duong-commune-par-G5.submission.xml sub1/hai-duong-commune-par-G5.submission.xml'

# labels as the engine shows them, in both languages, equal the definition's texts byte for byte
for g in $GROUPS; do
	sqlite3 -separator '	' parindex.db "
		WITH q AS (SELECT * FROM question WHERE ' ' || groups || ' ' LIKE '% $g %'),
		rows AS (
			SELECT l.n AS ln, l.name AS lang, q.seq AS qs, -1 AS os, '/data/' || q.id AS path,
			       'required' AS req, CASE l.n WHEN 0 THEN q.text_vi ELSE q.text_en END AS label
			FROM q, (SELECT 0 AS n, 'Vietnamese (vi)' AS name UNION ALL SELECT 1, 'English (en)') l
			UNION ALL
			SELECT l.n, l.name, q.seq, o.seq, '/data/' || q.id || '/' || o.code, '-',
			       CASE l.n WHEN 0 THEN o.label_vi ELSE o.label_en END
			FROM q JOIN scale_option o ON o.def_id = q.def_id AND o.def_version = q.def_version
			     AND o.scale_id = q.scale_id,
			     (SELECT 0 AS n, 'Vietnamese (vi)' AS name UNION ALL SELECT 1, 'English (en)') l)
		SELECT lang, path, req, label FROM rows ORDER BY ln, qs, os" >want-$g.tsv
	grep -v -e '	/data/commune' -e '	/data/surveyor	' -e '	/data/comment	' \
		sub0/hai-duong-commune-par-$g.labels.tsv >got-$g.tsv
	ok "$g: question and option labels byte-exact, every question required" cmp want-$g.tsv got-$g.tsv
	sqlite3 -separator '	' parindex.db "SELECT 'Vietnamese (vi)', '/data/commune/' || code, '-',
		name || ' (' || code || ')' FROM commune WHERE district_code = '295' ORDER BY code" >want-c.tsv
	grep '^Vietnamese (vi)	/data/commune/' sub0/hai-duong-commune-par-$g.labels.tsv >got-c.tsv
	ok "$g: commune labels are the register's names (code)" cmp want-c.tsv got-c.tsv
	ok "$g: surveyor required, comment optional" sh -c 'grep -q "	/data/surveyor	required	" "$1" &&
		grep -q "	/data/comment	optional	" "$1"' sh sub0/hai-duong-commune-par-$g.labels.tsv
done
# and the form's texts equal the definition file's, read by another XML parser
cat >defcheck.py <<'PY'
import sys, unicodedata, xml.etree.ElementTree as ET
D = '{urn:parindex:definition:1}'
X = '{http://www.w3.org/2002/xforms}'
definition, form, group = sys.argv[1:4]
d = ET.parse(definition).getroot()
texts = lambda e, tag: {t.get('lang'): t.text for t in e.findall(D + tag)}
scales = {s.get('id'): [(o.get('code'), texts(o, 'label')) for o in s.findall(D + 'option')]
          for s in d.iter(D + 'scale')}
itext = {}
for tr in ET.parse(form).getroot().iter(X + 'translation'):
    lang = 'vi' if tr.get('lang') == 'Vietnamese (vi)' else 'en'
    for t in tr.findall(X + 'text'):
        itext[lang, t.get('id')] = t.find(X + 'value').text
n = 0
for q in d.iter():
    if q.tag not in (D + 'profile', D + 'question') or group not in q.get('groups').split():
        continue
    for lang, text in texts(q, 'text').items():
        assert text == unicodedata.normalize('NFC', text), f'{q.get("id")} not NFC'
        assert itext[lang, f'/data/{q.get("id")}:label'] == text, (q.get('id'), lang)
        n += 1
    for code, labels in scales[q.get('scale')]:
        for lang, text in labels.items():
            assert itext[lang, f'/data/{q.get("id")}/{code}:label'] == text, (q.get('id'), code, lang)
            n += 1
print(n)
PY
for g in $GROUPS; do
	ok "$g: the form's texts are the definition file's, byte for byte" python3 defcheck.py \
		"$TOP/schemas/definitions/hai-duong-2021.xml" forms/hai-duong-commune-par-$g.xml $g
done
ok "a definition text with diacritics reached the engine" \
	grep -qF 'Ông/bà đánh giá thế nào về sự quan tâm của lãnh đạo UBND xã đối với công tác cải cách hành chính?' sub0/hai-duong-commune-par-G1.labels.tsv

# the committed sample submissions (for capture's tests) still fit the generated forms
for s in "$DATA"/forms/submissions/*.xml; do
	g=$(sed -n 's/.*<data id="hai-duong-commune-par-\(G[0-9]\)".*/\1/p' "$s")
	ok "sample $(basename "$s") fits form $g" python3 check.py "$s" "$g"
done

# the engine is lenient: it loads and fills forms that ODK Collect refuses; the lint does not
mkdir lenient
set --
for f in 01 02 03 04 06 08 09 15; do
	x=$(ls "$DATA"/forms/lint/$f-*.xml)
	not_ok "the lint refuses $(basename "$x")" parindex forms lint --for central "$x"
	set -- "$@" "$x"
done
ok "the engine loads and fills all eight (one node process)" fill lenient 0 "$@"
same "eight submissions from lenient forms" "$(ls lenient/*.submission.xml | wc -l)" 8

# with a capture stage, the engine-made submissions go through parindex's own parser
if parindex help capture >/dev/null 2>&1; then
	for n in 0 1; do
		for g in $GROUPS; do
			d=zip/instances/$g-$n
			mkdir -p "$d"
			cp sub$n/hai-duong-commune-par-$g.submission.xml "$d/$g-$n.xml"
		done
	done
	(cd zip && zip -qr ../batch.zip instances)
	ok "capture imports the engine-made batch" parindex capture import batch.zip
	same "ten submissions stored" "$(sqlite3 parindex.db 'SELECT count(*) FROM submission')" 10
	same "matched to their forms and groups" "$(sqlite3 parindex.db "SELECT group_concat(n, ' ') FROM
		(SELECT group_id || ':' || form_id || '@' || form_version || 'x' || count(*) AS n
		 FROM submission GROUP BY group_id, form_id, form_version ORDER BY group_id)")" \
		"$(for g in $GROUPS; do printf '%s:hai-duong-commune-par-%s@2021.1x2 ' $g $g; done | sed 's/ $//')"
	same "commune and instance ids as the engine wrote them" \
		"$(sqlite3 parindex.db 'SELECT commune_code, instance_id FROM submission ORDER BY instance_id')" \
		"$(for f in sub0/*.submission.xml sub1/*.submission.xml; do
			printf '%s|%s\n' "$(sed -n 's/.*<commune>\([^<]*\)<.*/\1/p' "$f")" \
				"$(sed -n 's/.*<instanceID>\([^<]*\)<.*/\1/p' "$f")"
		done | sort -t '|' -k 2)"
	same "surveyor stored byte-exact" \
		"$(sqlite3 parindex.db 'SELECT DISTINCT surveyor FROM submission')" "$FILL_SURVEYOR"
	same "comment stored byte-exact" \
		"$(sqlite3 parindex.db 'SELECT DISTINCT comment FROM submission')" "$FILL_TEXT"
	same "every answer stored" "$(sqlite3 parindex.db 'SELECT count(*) FROM answer')" \
		"$(sqlite3 parindex.db "SELECT 2 * count(*) FROM question q, respondent_group g
			WHERE ' ' || q.groups || ' ' LIKE '% ' || g.id || ' %'")"
fi

finish
