# The printable forms in a real browser: chromium prints each to PDF on A4 paper, every page
# A4 portrait, the short form on one page, the longest of the shipped definition on at most
# three. Needs chromium (make deps); a missing browser fails the test.
. "$(dirname "$0")/lib.sh"

BROWSER=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$BROWSER" ]; then
	fail "chromium is missing: this test prints the forms with it (run 'make deps')"
	finish
	exit 1
fi
print() { # HTML PDF
	"$BROWSER" --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
		--user-data-dir="$T/chromium" --print-to-pdf="$2" "file://$T/$1" >>print.log 2>&1
}
# "pages N" and one "WxH" per page, from the PDF's page objects
pages() {
	python3 - "$1" <<'PY'
import re, sys
pdf = open(sys.argv[1], 'rb').read()
boxes = re.findall(rb'/Type\s*/Page\b(?!s).*?/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]', pdf, re.S)
if not boxes:  # MediaBox before /Type
	boxes = re.findall(rb'/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]', pdf)
print('pages', len(boxes))
for b in boxes:
	print('%.0fx%.0f' % (float(b[2]) - float(b[0]), float(b[3]) - float(b[1])))
PY
}

parindex init --definition "$DATA/definitions/mini.xml" --communes "$DATA/forms/communes-999.csv" >/dev/null
parindex forms --out mini >/dev/null
ok "mini-A printed" print mini/mini-A.html mini-A.pdf
same "mini-A: one A4 page" "$(pages mini-A.pdf | tr '\n' ' ')" "pages 1 595x842 "

parindex init --db hd.db --communes "$DATA/communes/cam-giang.csv" >/dev/null
parindex forms --db hd.db --out hd >/dev/null
for g in G1 G4 G5; do
	f=hai-duong-commune-par-$g
	ok "$g printed" print "hd/$f.html" "$f.pdf"
	pages "$f.pdf" >"$f.pages"
	n=$(sed -n 's/^pages //p' "$f.pages")
	ok "$g: 1 to 3 pages ($n)" test "$n" -ge 1 -a "$n" -le 3
	same "$g: every page A4 portrait" "$(sed 1d "$f.pages" | sort -u)" "595x842"
done

finish
