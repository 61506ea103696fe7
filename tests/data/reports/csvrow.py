#!/usr/bin/env python3
"""Prints the rows of a report CSV whose code or STT column (the first two) is CODE, fields
joined by '|'. The byte-order mark is read away.
  csvrow.py FILE.csv CODE"""
import csv
import sys

for row in csv.reader(open(sys.argv[1], encoding="utf-8-sig")):
    if sys.argv[2] in row[:2]:
        print("|".join(row))
