#!/usr/bin/env python3
"""Reads back the report's workbook (zip + sheet XML, see xlsxcells.py) and compares every
number of every sheet with the tally tables of the database it was written from: points and
scores rounded half-up at the decimals they are shown with, as the tally rounds the index.
Prints the count of cells compared, and every mismatch; exits 1 on any mismatch.
  xlsxcheck.py REPORT.xlsx DATABASE"""
import math
import os
from decimal import ROUND_HALF_UP, Decimal
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from xlsxcells import read_sheet  # noqa: E402

bad = []
checked = 0


def rounded(x, d=2):
    """x rounded half-up at d decimals on its decimal text at d + 6 places (tally_round)."""
    if x is None:
        return None
    return float(Decimal(f"{x:.{d + 6}f}").quantize(Decimal(1).scaleb(-d), ROUND_HALF_UP))


def same(where, got, want):
    """A cell against the tally's value: whole numbers exactly, others to 14 significant
    digits, text as text."""
    global checked
    checked += 1
    if want is None:
        ok = got == ""
    elif isinstance(want, int):
        ok = got != "" and float(got) == want
    elif isinstance(want, float):
        # libxlsxwriter writes 16 significant digits (Excel keeps 15): equal to 1e-14
        ok = got != "" and math.isclose(float(got), want, rel_tol=1e-14, abs_tol=1e-300)
    else:
        ok = got == want
    if not ok:
        bad.append(f"{where}: got '{got}', want '{want}'")


def rows(path, sheet):
    got = read_sheet(path, sheet)
    if got is None:
        bad.append(f"no sheet '{sheet}'")
        return []
    r, pane = got
    if pane != ("2", "frozen"):
        bad.append(f"{sheet}: header rows not frozen: {pane}")
    # the table ends at the first row without a commune: the ranking's note and sources, one
    # text in the first column each, come after it
    out = []
    for row in r[2:]:
        if len(row) < 2 or not row[1]:
            break
        out.append(row)
    return out


def main(xlsx, dbfile):
    db = sqlite3.connect(dbfile)
    q = db.execute
    rank = {c: (p, m, i, r, f) for c, p, m, i, r, f in q(
        "SELECT commune_code, points, max, index_published, rank, forms FROM tally_commune")}
    fields = [f for (f,) in q("SELECT id FROM criterion WHERE kind = 'field' ORDER BY seq")]
    pct = {(c, f): p for c, f, p in q(
        "SELECT commune_code, field_id, pct_published FROM tally_field")}
    # when the tally resampled: 7 interval columns after the class (index low, high, rank
    # low, high, survey points, low, high), empty for a unit without an interval
    resampled = q("SELECT count(*) FROM tally_confidence_run").fetchone()[0] > 0
    conf = {c: v for c, *v in q(
        "SELECT commune_code, index_low, index_high, rank_low, rank_high, survey_low, "
        "survey_high FROM tally_confidence")}
    survey = dict(q("SELECT commune_code, survey_points FROM tally_commune"))
    first = 8 + (7 if resampled else 0)
    for n, row in enumerate(rows(xlsx, "Xếp hạng"), 1):
        code = row[1]
        p, m, i, r, forms = rank.pop(code)
        row += [""] * (first + len(fields) + 1 - len(row))
        same(f"ranking {code} STT", row[0], n)
        same(f"ranking {code} points", row[3], rounded(p))
        same(f"ranking {code} max", row[4], rounded(m))
        same(f"ranking {code} index", row[5], float(i))
        same(f"ranking {code} rank", row[6], r)
        if resampled:
            il, ih, rl, rh, sl, sh = conf.get(code, [None] * 6)
            same(f"ranking {code} index low", row[8], rounded(il))
            same(f"ranking {code} index high", row[9], rounded(ih))
            same(f"ranking {code} rank low", row[10], rl if r else None)
            same(f"ranking {code} rank high", row[11], rh if r else None)
            same(f"ranking {code} survey points", row[12], rounded(survey[code]))
            same(f"ranking {code} survey low", row[13], rounded(sl))
            same(f"ranking {code} survey high", row[14], rounded(sh))
        for k, f in enumerate(fields):
            same(f"ranking {code} field {f}", row[first + k], float(pct[(code, f)]))
        same(f"ranking {code} forms", row[first + len(fields)], forms)
    if rank:
        bad.append(f"ranking: communes missing: {sorted(rank)}")

    field = {(c, f): (p, m, pp) for c, f, p, m, pp in q(
        "SELECT commune_code, field_id, points, max, pct_published FROM tally_field")}
    for row in rows(xlsx, "Lĩnh vực"):
        p, m, pp = field.pop((row[0], row[2]))
        same(f"fields {row[0]} {row[2]} points", row[4], rounded(p))
        same(f"fields {row[0]} {row[2]} max", row[5], rounded(m))
        same(f"fields {row[0]} {row[2]} %", row[6], float(pp))
    if field:
        bad.append(f"fields: rows missing: {sorted(field)}")

    crit = {(c, i): v for c, i, *v in q(
        "SELECT commune_code, criterion_id, points, max, self_score, appraised_score "
        "FROM tally_criterion")}
    for row in rows(xlsx, "Tiêu chí"):
        row += [""] * (11 - len(row))
        p, m, s, a = crit.pop((row[0], row[2]))
        where = f"criteria {row[0]} {row[2]}"
        same(where + " points", row[6], rounded(p))
        same(where + " max", row[7], rounded(m))
        same(where + " self", row[8], rounded(s))
        same(where + " appraised", row[9], rounded(a))
    if crit:
        bad.append(f"criteria: rows missing: {sorted(crit)}")

    ques = {(c, i): v for c, i, *v in q(
        "SELECT commune_code, question_id, n_valid, score, groups_used FROM tally_question")}
    for row in rows(xlsx, "Câu hỏi"):
        n, s, g = ques.pop((row[0], row[2]))
        same(f"questions {row[0]} {row[2]} valid", row[5], n)
        same(f"questions {row[0]} {row[2]} score", row[6], rounded(s, 4))
        same(f"questions {row[0]} {row[2]} groups", row[7], g)
    if ques:
        bad.append(f"questions: rows missing: {sorted(ques)}")

    count = {(c, g, qu, o): n for c, qu, g, o, n in q(
        "SELECT commune_code, question_id, group_id, option_code, n FROM tally_count")}
    for row in rows(xlsx, "Khảo sát"):
        same(f"survey {row[0]} {row[2]} {row[4]} {row[5]}", row[7],
             count.pop((row[0], row[2], row[4], row[5])))
    if count:
        bad.append(f"survey: rows missing: {sorted(count)}")

    group = {(c, g): v for c, g, *v in q(
        "SELECT commune_code, group_id, forms, min_forms FROM tally_group")}
    for row in rows(xlsx, "Chỉ tiêu phiếu"):
        if row[2] == "Tổng":
            same(f"quotas {row[0]} total", row[4], rank_forms(q, row[0]))
            continue
        f, m = group.pop((row[0], row[2]))
        same(f"quotas {row[0]} {row[2]} forms", row[4], f)
        same(f"quotas {row[0]} {row[2]} min", row[5], m)
    if group:
        bad.append(f"quotas: rows missing: {sorted(group)}")

    for b in bad:
        print(b)
    print(f"{checked} cells compared, {len(bad)} wrong")
    return 1 if bad else 0


def rank_forms(q, code):
    return q("SELECT forms FROM tally_commune WHERE commune_code = ?", (code,)).fetchone()[0]


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
