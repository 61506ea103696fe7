#!/usr/bin/python3
"""What a printed report's PDF shows page by page (the text of `pdftotext -layout`, pages
split at form feeds), against the report's ranking.csv: whether each row of the ranking
table is whole on one page (its STT, name and index on one line) and on a page whose ranking
header is repeated, and whether each part of the ranking chart (its caption "phần K/N" and
every bar's label "RANK. NAME") is on one page.

  printcheck.py PDF.txt ranking.csv
"""
import csv
import re
import sys


def main():
    pages = open(sys.argv[1], encoding="utf-8").read().split("\f")
    with open(sys.argv[2], encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))[1:]
    whole, where = 0, set()
    for row in rows:
        stt, name, index, rank = row[0], row[2], row[5], row[6]
        line = re.compile(r"^\s*%s\s+%s\s+.*\b%s\b" % (re.escape(stt), re.escape(name),
                                                         re.escape(index)), re.M)
        found = [i for i, p in enumerate(pages) if line.search(p)]
        if len(found) == 1:
            whole += 1
            where.add(found[0])
        else:
            print("row %s (%s): on %d pages" % (stt, name, len(found)))
    header = re.compile(r"^\s*STT\s+Đơn vị", re.M)
    headed = sum(1 for i in where if header.search(pages[i]))
    print("ranking: %d rows, %d whole on one page, over %d pages, %d of them headed"
          % (len(rows), whole, len(where), headed))
    # the chart's parts: caption and bar labels on one page
    parts = sorted({int(m.group(2)) for p in pages for m in re.finditer(r"phần (\d+)/(\d+)", p)})
    nparts = parts[0] if parts else 0
    cut = 0
    for k in range(1, nparts + 1):
        on = [i for i, p in enumerate(pages) if "phần %d/%d" % (k, nparts) in p]
        labels = re.compile(r"thứ tự (\d+)–(\d+)").search(pages[on[0]]) if on else None
        bad = len(on) != 1 or not labels
        if not bad:
            first, last = int(labels.group(1)), int(labels.group(2))
            for row in rows[first - 1:last]:
                label = "%s. %s" % (row[6], row[2]) if row[6] else "– %s *" % row[2]
                if label not in pages[on[0]]:
                    bad = True
                    print("part %d: '%s' not on its page" % (k, label))
        cut += bad
    print("ranking chart: %d parts, %d cut or spread over pages" % (nparts, cut))


main()
