# Paper keying in Debian's headless Chromium with JavaScript turned off (tests/browser/keying.js
# nojs), beside t5011 so that the two run at once: a keyer keys a form with the keyboard only,
# Tab moving on and Enter saving; no console error or CSP violation, no sideways scrolling.
# The keying is stored as the first of its form, nothing submitted.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"
. "$TOP/tests/cli/serve.sh"

need_browser
setup_db
printf 'k3 secret\n' | parindex user add --db t.db --password-stdin --role keyer --communes 90001 k3 >/dev/null

ok "server starts" serve_start t.db
golden browser node "$TOP/tests/browser/keying.js" nojs "$SERVE_URL"
ok "server exits 0 on SIGTERM" serve_stop
same "keyings: form 3 once, without script" "$(q "SELECT serial, keyer, surveyor, answers FROM paper_keying")" \
	'3|k3|DTV03|{"sex":"1","qa":"c","qb":"x"}'
same "waiting for its second keying, nothing submitted" \
	"$(q "SELECT count(*) FROM paper_form")|$(q "SELECT count(*) FROM submission")" "0|0"
finish
