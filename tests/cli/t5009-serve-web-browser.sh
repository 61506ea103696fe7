# The web survey in Debian's headless Chromium on a phone (tests/browser/survey.js,
# playwright-core, axe-core): slips issued for the running server, their QR codes decoded
# (rsvg-convert, zbarimg) and the decoded links opened as a phone's camera would; a form sent
# by tapping; the same link again refused; a voided code refused; a page sent with JavaScript
# off; no serious or critical axe-core violation on the survey page and on a refusal page;
# then the database holds exactly the two submissions, their codes used.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"
. "$TOP/tests/cli/serve.sh"

for m in playwright-core axe-core; do
	if [ ! -d "$TOP/tests/browser/node_modules/$m" ]; then
		fail "tests/browser/node_modules/$m is missing: run 'make deps' (npm ci in tests/browser)"
		finish
		exit 1
	fi
done
setup_db
ok "server starts" serve_start t.db
ok "codes issued" parindex codes issue --db t.db --commune 90001 --group A --count 4 --url "$SERVE_URL" --out slips.html
grep -o 'class="code">[^<]*' slips.html | cut -d'>' -f2 >codes.txt
ok "one voided" parindex codes void --db t.db "$(sed -n 4p codes.txt)"
# scan: each slip's QR code decoded
py_lxml - slips.html <<'PY' >links.txt
import re, subprocess, sys
page = open(sys.argv[1], encoding='utf-8').read()
for svg in re.findall(r'<svg.*?</svg>', page, re.S):
    open('qr.svg', 'w').write(svg)
    subprocess.run(['rsvg-convert', '-w', '240', '-o', 'qr.png', 'qr.svg'], check=True)
    print(subprocess.run(['zbarimg', '-q', '--raw', 'qr.png'], capture_output=True, text=True).stdout.strip())
PY
same "four links scanned" "$(grep -c "^$SERVE_URL/s/" links.txt)" 4
golden browser node "$TOP/tests/browser/survey.js" "$SERVE_URL" $(cat links.txt)
ok "server exits 0 on SIGTERM" serve_stop
same "two submissions, from the web batch" "$(q "SELECT count(*), group_concat(DISTINCT b.channel) FROM submission s JOIN batch b ON b.id = s.batch_id")" "2|web"
same "their codes used, the voided one not" "$(q 'SELECT count(used_at), count(voided_at), count(*) FROM survey_code')" "2|1|4"
same "the answers tapped: each question's first option" "$(q 'SELECT DISTINCT answers FROM submission')" '{"sex":"1","qa":"a","qb":"a"}'
finish
