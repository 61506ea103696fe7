#!/usr/bin/env python3
"""Checks PNG files without extra packages: the signature, the IHDR size, that the image data
decodes (zlib + the five scanline filters) and that it is not blank. Prints one line per file:
NAME WIDTHxHEIGHT COLOURS; exits 1 when a file is not a PNG, is smaller than --min-bytes, or
has fewer than --min-colours distinct colours.
  pngcheck.py [--min-bytes N] [--min-colours N] FILE...
  pngcheck.py --crossing LINE BAR FILE: whether a line of colour LINE (RRGGBB) shows where it
  crosses bars of colour BAR: prints the contrast ratio of the two colours (WCAG relative
  luminance) and the count of LINE pixels with BAR pixels 4 rows above and below; fails unless
  the ratio is at least 2 and at least 20 such pixels are drawn."""
import struct
import sys
import zlib


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode(data, keep=None):
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG signature")
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + length
    if not ihdr:
        raise ValueError("no IHDR chunk")
    width, height, depth, ctype, _, _, interlace = ihdr
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
    if depth != 8 or interlace:
        raise ValueError("only 8-bit, non-interlaced images are checked")
    raw = zlib.decompress(idat)
    stride = width * channels
    prev = bytearray(stride)
    colours = set()
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                line[i] = (line[i] + paeth(a, b, c)) & 255
        if keep is not None:
            keep.append(bytes(line))
        # every 7th row is enough to count the colours of a chart
        if y % 7 == 0:
            for x in range(0, stride, channels):
                colours.add(bytes(line[x:x + channels]))
        prev = line
    return width, height, len(colours)


def luminance(rgb):
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def crossing(name, line_hex, bar_hex):
    line_rgb, bar_rgb = bytes.fromhex(line_hex), bytes.fromhex(bar_hex)
    rows = []
    data = open(name, "rb").read()
    width, _, _ = decode(data, rows)
    channels = len(rows[0]) // width

    def near(px, rgb):
        return all(abs(px[i] - rgb[i]) <= 24 for i in range(3))

    n = 0
    for y in range(4, len(rows) - 4):
        for x in range(0, width * channels, channels):
            if (near(rows[y][x:x + 3], line_rgb) and near(rows[y - 4][x:x + 3], bar_rgb)
                    and near(rows[y + 4][x:x + 3], bar_rgb)):
                n += 1
    hi, lo = sorted((luminance(line_rgb), luminance(bar_rgb)), reverse=True)
    ratio = (hi + 0.05) / (lo + 0.05)
    print(f"{name}: contrast {ratio:.2f}, {n} line pixels across the bars")
    return 0 if ratio >= 2 and n >= 20 else 1


def main(argv):
    if argv[:1] == ["--crossing"]:
        return crossing(argv[3], argv[1], argv[2])
    min_bytes, min_colours, files, bad = 0, 2, [], 0
    while argv:
        a = argv.pop(0)
        if a == "--min-bytes":
            min_bytes = int(argv.pop(0))
        elif a == "--min-colours":
            min_colours = int(argv.pop(0))
        else:
            files.append(a)
    for name in files:
        data = open(name, "rb").read()
        try:
            w, h, n = decode(data)
        except (ValueError, KeyError, zlib.error, struct.error) as e:
            print(f"{name}: {e}")
            bad = 1
            continue
        print(f"{name} {w}x{h} {n}")
        if len(data) < min_bytes:
            print(f"{name}: only {len(data)} bytes")
            bad = 1
        if n < min_colours:
            print(f"{name}: blank ({n} colours)")
            bad = 1
    return bad


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
