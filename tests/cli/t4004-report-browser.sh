# The HTML report opened in Debian's headless Chromium (tests/browser/check.js, playwright-core
# installed by 'make deps' with npm ci): every page loads with nothing missing and nothing
# fetched from the network, as screen and as print; the check itself fails a page with a
# missing image, a missing stylesheet or a network reference.
. "$(dirname "$0")/lib.sh"

R="$DATA/reports"
CHECK="$TOP/tests/browser/check.js"
need_browser
parindex init --definition "$DATA/definitions/mini.xml" --communes "$R/communes.csv" >/dev/null
sqlite3 parindex.db ".read $R/mini-tally.sql"
ok "report" parindex report --out out
mkdir shots
golden browser node "$CHECK" shots out/index.html out/communes/*.html
ok "screenshot of the index" test -s shots/index.png
ok "screenshot as printed" test -s shots/index-print.png
ok "a PDF of a commune page" test -s shots/00004.pdf
# keep the screenshots for a human to look at (Vietnamese text, charts) when asked
[ -n "${PARINDEX_KEEP_SHOTS:-}" ] && cp shots/*.png "$PARINDEX_KEEP_SHOTS"/

# the check must fail what did not load
printf '<!DOCTYPE html><html><head><link rel="stylesheet" href="gone.css"></head><body><img alt="lost chart" src="lost.png"></body></html>\n' >broken.html
printf '<!DOCTYPE html><html><body><img alt="remote" src="http://192.0.2.1/x.png"></body></html>\n' >remote.html
golden broken-page node "$CHECK" shots broken.html remote.html
finish
