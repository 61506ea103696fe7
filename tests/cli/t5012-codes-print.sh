# The printed slips of `parindex codes issue` (issue 12): every QR code of the HTML sheets
# (inline SVG, rendered by rsvg-convert) and of the PDF (printed by chromium, each slip cut out
# of its page by pdftoppm) decodes (zbarimg) to the survey link of the code printed beside it;
# the PDF's pages are A4; no temporary folder is left behind.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"

setup_db
U=https://khaosat.example.vn:8443/survey
parindex codes issue --db t.db --commune 90001 --group A --count 14 --url "$U" --out slips.html >/dev/null
grep -o 'class="code">[^<]*' slips.html | cut -d'>' -f2 >codes.txt
same "14 codes" "$(wc -l <codes.txt)" 14
py_lxml() { /usr/bin/python3 "$@"; }

# every QR code decodes to its slip's link
py_lxml - slips.html <<'EOF' >qr.txt
import re, subprocess, sys
page = open(sys.argv[1], encoding='utf-8').read()
for i, svg in enumerate(re.findall(r'<svg.*?</svg>', page, re.S)):
    open('qr.svg', 'w').write(svg)
    subprocess.run(['rsvg-convert', '-w', '240', '-o', 'qr.png', 'qr.svg'], check=True)
    out = subprocess.run(['zbarimg', '-q', '--raw', 'qr.png'], capture_output=True, text=True)
    print(out.stdout.strip())
EOF
tr -d - <codes.txt | sed "s|^|$U/s/|" >want-qr.txt
same "14 QR codes decoded" "$(wc -l <qr.txt)" 14
ok "each QR code is its slip's link" cmp want-qr.txt qr.txt

# the slips as PDF, printed by chromium: A4, and the QR codes read from the printed page
mkdir tmp
ok "issued as PDF" env TMPDIR="$PWD/tmp" "$PARINDEX" codes issue --db t.db --commune 90002 --group B --count 13 --url "$U" --out slips.pdf
same "two A4 pages" "$(pdfinfo slips.pdf | sed -n 's/^Pages: *//p; s/^Page size: *\([0-9.]* x [0-9.]*\) pts.*/\1/p' | paste -sd' ')" "2 594.96 x 841.92"
pdftotext slips.pdf - | grep -E '^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$' | tr -d - | sed "s|^|$U/s/|" | sort >want-pdf.txt
# each slip cut out of its page at 150 dpi (8 mm margin, 3 x 4 slips of 64.7 x 69 mm): zbarimg
# misses a code now and then in a page of twelve
for pg in 1 2; do
	for r in 0 1 2 3; do
		for c in 0 1 2; do
			pdftoppm -r 150 -f $pg -l $pg -singlefile -x $((47 + c * 382)) -y $((47 + r * 408)) \
				-W 382 -H 408 -png slips.pdf cell
			zbarimg -q --raw cell.png 2>/dev/null
		done
	done
done | sort >got-pdf.txt
same "13 codes printed" "$(wc -l <want-pdf.txt)" 13
ok "their QR codes read from the print are their links" cmp want-pdf.txt got-pdf.txt
# its own TMPDIR: another test printing slips at the same time leaves none of its folders here
same "no temporary folder left" "$(ls tmp)" ""
finish
