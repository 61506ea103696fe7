#!/usr/bin/env python3
"""Prints the rows of an HTML page's ranking table (table.ranking), cells tab-separated, and
each <dt>/<dd> pair of a commune page's summary, as text.
  ranking.py index.html | ranking.py --summary communes/CODE.html"""
import sys
from html.parser import HTMLParser


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.in_ranking = False
        self.rows, self.row, self.cell, self.pairs = [], None, None, []
        self.dt = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and "ranking" in (a.get("class") or "").split():
            self.in_ranking = True
        elif self.in_ranking and tag == "tr":
            self.row = []
        elif self.in_ranking and tag in ("td", "th"):
            self.cell = ""
        elif tag in ("dt", "dd"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table" and self.in_ranking:
            self.in_ranking = False
        elif self.in_ranking and tag == "tr" and self.row is not None:
            self.rows.append(self.row)
            self.row = None
        elif self.in_ranking and tag in ("td", "th") and self.cell is not None:
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "dt":
            self.dt, self.cell = self.cell, None
        elif tag == "dd" and self.dt is not None:
            self.pairs.append((self.dt, self.cell))
            self.dt = self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


page = Page()
summary = sys.argv[1] == "--summary"
with open(sys.argv[-1], encoding="utf-8") as f:
    page.feed(f.read())
if summary:
    for dt, dd in page.pairs:
        print(f"{dt}: {dd}")
else:
    for row in page.rows:
        print("\t".join(row))
