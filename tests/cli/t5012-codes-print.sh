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

# every QR code decodes to its slip's link (one zbarimg for all, in the slips' order)
py_lxml - slips.html <<'EOF' >qr.txt
import re, subprocess, sys
page = open(sys.argv[1], encoding='utf-8').read()
pngs = []
for i, svg in enumerate(re.findall(r'<svg.*?</svg>', page, re.S)):
    open(f'qr{i}.svg', 'w').write(svg)
    subprocess.run(['rsvg-convert', '-w', '240', '-o', f'qr{i}.png', f'qr{i}.svg'], check=True)
    pngs.append(f'qr{i}.png')
out = subprocess.run(['zbarimg', '-q', '--raw'] + pngs, capture_output=True, text=True)
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
# misses a code now and then in a page of twelve. Each page rendered once (PPM), its cells
# cut out here, one zbarimg for all
for pg in 1 2; do
	pdftoppm -r 150 -f $pg -l $pg -singlefile slips.pdf page$pg
done
python3 - page1.ppm page2.ppm <<'EOF'
import sys
for pg, path in enumerate(sys.argv[1:], 1):
    data = open(path, 'rb').read()
    # P6 WIDTH HEIGHT 255, one whitespace byte after each
    fields, at = [], 0
    while len(fields) < 4:
        while data[at:at + 1].isspace():
            at += 1
        end = at
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[at:end])
        at = end
    assert fields[0] == b'P6' and fields[3] == b'255', fields
    width, at = int(fields[1]), at + 1
    for r in range(4):
        for c in range(3):
            x, y = 47 + c * 382, 47 + r * 408
            offsets = (at + ((y + k) * width + x) * 3 for k in range(408))
            rows = (data[o:o + 382 * 3] for o in offsets)
            with open(f'cell-{pg}-{r}-{c}.ppm', 'wb') as out:
                out.write(b'P6\n382 408\n255\n' + b''.join(rows))
EOF
zbarimg -q --raw cell-*.ppm 2>/dev/null | sort >got-pdf.txt
same "13 codes printed" "$(wc -l <want-pdf.txt)" 13
ok "their QR codes read from the print are their links" cmp want-pdf.txt got-pdf.txt
# its own TMPDIR: another test printing slips at the same time leaves none of its folders here
same "no temporary folder left" "$(ls tmp)" ""
finish
