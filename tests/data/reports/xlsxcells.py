#!/usr/bin/env python3
"""Prints one sheet of an XLSX workbook as tab-separated rows, read from the zip's XML only
(workbook, relationships, shared strings, the sheet): numbers as stored, strings resolved.
Also prints the frozen pane and each numeric cell's number format when asked.
  xlsxcells.py FILE.xlsx SHEET-NAME [--pane] [--formats]"""
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "p": "http://schemas.openxmlformats.org/package/2006/relationships"}


def col_index(ref):
    letters = re.match(r"[A-Z]+", ref).group(0)
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def read_sheet(path, sheet, opts=()):
    """The sheet's rows as lists of strings (number formats appended with --formats), and
    its frozen pane as (ySplit, state); None when there is no such sheet."""
    z = zipfile.ZipFile(path)
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = None
    for s in wb.find("m:sheets", NS):
        if s.get("name") == sheet:
            rid = s.get("{%s}id" % NS["r"])
            for rel in rels:
                if rel.get("Id") == rid:
                    target = "xl/" + rel.get("Target").lstrip("/").replace("xl/", "", 1)
    if not target:
        return None
    strings = []
    if "xl/sharedStrings.xml" in z.namelist():
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS):
            strings.append("".join(t.text or "" for t in si.iter("{%s}t" % NS["m"])))
    formats = {}
    styles = ET.fromstring(z.read("xl/styles.xml"))
    numfmts = {int(f.get("numFmtId")): f.get("formatCode")
               for f in styles.iter("{%s}numFmt" % NS["m"])}
    xfs = styles.find("m:cellXfs", NS)
    for i, xf in enumerate(xfs):
        fid = int(xf.get("numFmtId", "0"))
        formats[i] = numfmts.get(fid, "builtin-%d" % fid)
    ws = ET.fromstring(z.read(target))
    p = ws.find(".//m:pane", NS)
    pane = (p.get("ySplit"), p.get("state")) if p is not None else ("-", "-")
    rows = []
    for row in ws.iter("{%s}row" % NS["m"]):
        cells = {}
        for c in row.findall("m:c", NS):
            v = c.find("m:v", NS)
            t = c.get("t")
            if t == "s":
                text = strings[int(v.text)]
            elif t == "inlineStr":
                text = "".join(x.text or "" for x in c.iter("{%s}t" % NS["m"]))
            elif v is not None:
                text = v.text
                if "--formats" in opts:
                    text += " [" + formats.get(int(c.get("s", "0")), "?") + "]"
            else:
                text = ""
            cells[col_index(c.get("r"))] = text
        if cells:
            rows.append([cells.get(i, "") for i in range(max(cells) + 1)])
    return rows, pane


def main(path, sheet, *opts):
    got = read_sheet(path, sheet, opts)
    if got is None:
        print(f"no sheet '{sheet}'")
        return 1
    rows, pane = got
    if "--pane" in opts:
        print("pane", *pane)
    for row in rows:
        print("\t".join(row))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
