# Paper keying in Debian's headless Chromium (tests/browser/keying.js) against the real
# server, on a phone-sized viewport, keyboard only: the focus on the serial number, Enter
# moving on (the page's script; Tab without script is t5016's); a form keyed twice alike becomes one
# submission; twice otherwise is shown side by side and the office's decision becomes the
# submission; the same keyer twice refused; no console error or CSP violation, no sideways
# scrolling. The database is then checked.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"
. "$TOP/tests/cli/serve.sh"

need_browser
setup_db
for k in k1 k2; do
	printf '%s secret\n' "$k" | parindex user add --db t.db --password-stdin --role keyer --communes 90001 "$k" >/dev/null
done
printf 'office1 secret\n' | parindex user add --db t.db --password-stdin --role office office1 >/dev/null

ok "server starts" serve_start t.db
golden browser node "$TOP/tests/browser/keying.js" test "$SERVE_URL"
ok "server exits 0 on SIGTERM" serve_stop
same "two submissions: form 1 as both keyed it, form 2 as the office decided" \
	"$(q "SELECT device_id, surveyor, answers FROM submission ORDER BY device_id")" \
	"$(printf '%s\n' 'paper:90001-A-1|DTV01|{"sex":"1","qa":"a","qb":"b"}' 'paper:90001-A-2|DTV02|{"sex":"2","qa":"b","qb":"c"}')"
same "paper forms" "$(q "SELECT serial, state, differing, coalesce(decided_by, '') FROM paper_form ORDER BY serial" | paste -sd' ')" \
	"1|agreed|0| 2|decided|2|office1"
same "k2's second keying of form 1 not stored" "$(q "SELECT count(*) FROM paper_keying WHERE serial = 1")" 2
same "batches of source paper" "$(q "SELECT file_name, accepted FROM batch WHERE source = 'paper' ORDER BY id" | paste -sd' ')" \
	"paper k2 2026-01-15|1 paper office1 2026-01-15|1"
finish
