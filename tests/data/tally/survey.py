#!/usr/bin/python3
"""Survey and scores data for the tally's end-to-end test and bench, and an independent
recomputation of the tally to check parindex against. Standard library only.

  survey.py submissions DB SEED [--uniform]
      Register the active definition's forms and insert, for every commune of the register,
      submissions as capture stores them (answers as a JSON object). Without --uniform the
      communes differ: each group gets its minimum plus 0-3 forms, a quality per commune
      biases the answers, the second commune's last group is under quota, and the
      second-to-last commune repeats the first one's answers and scores (a tie).
      --uniform (the bench): exactly the minimum per group, answers drawn from a pool.
  survey.py scores DB SEED OUT.csv [--all]
      A filled scores sheet for every commune but the third (left without scores); with
      --all for every commune (the demo province, the national bench).
  survey.py check DB RANKING.csv
      Recompute every commune from the database's raw rows (submission, score, definition
      XML) with exact fractions and half-up rounding, and compare with `parindex tally
      --format csv`. Prints one line per difference; exits 1 if there is any.
"""
import csv
import json
import random
import sqlite3
import sys
import xml.etree.ElementTree as ET
from fractions import Fraction

NS = {"d": "urn:parindex:definition:1"}


def definition(db):
    con = sqlite3.connect(db)
    active = con.execute("SELECT value FROM setting WHERE key = 'active_definition'").fetchone()[0]
    did, ver = active.split(" ", 1)
    content = con.execute("SELECT content FROM definition WHERE id = ? AND version = ?",
                          (did, ver)).fetchone()[0]
    root = ET.fromstring(content)
    d = {"id": did, "version": ver, "decimals": int(root.get("decimals")),
         "fields": [], "criteria": {}, "leaves": [], "groups": [], "scales": {},
         "questions": [], "tiers": []}
    for f in root.findall("d:field", NS):
        field = {"id": f.get("id"), "criteria": []}
        d["fields"].append(field)
        for c in f.findall("d:criterion", NS):
            crit = {"id": c.get("id"), "max": Fraction(c.get("max")), "field": f.get("id"),
                    "assessed": c.get("assessed"), "questions": []}
            d["criteria"][crit["id"]] = crit
            field["criteria"].append(crit["id"])
            subs = c.findall("d:subcriterion", NS)
            if crit["assessed"] == "self":
                if subs:
                    for s in subs:
                        d["leaves"].append((s.get("id"), Fraction(s.get("max")), crit["id"]))
                else:
                    d["leaves"].append((crit["id"], crit["max"], crit["id"]))
    survey = root.find("d:survey", NS)
    d["min_forms"] = int(survey.get("min-forms"))
    d["aggregation"] = survey.get("aggregation")
    d["under_quota"] = survey.get("under-quota")
    for g in survey.findall("d:group", NS):
        d["groups"].append((g.get("id"), int(g.get("min"))))
    for s in survey.findall("d:scale", NS):
        d["scales"][s.get("id")] = [
            (o.get("code"), Fraction(o.get("weight")) if o.get("weight") is not None else None,
             o.get("excluded") == "true") for o in s.findall("d:option", NS)]
    for q in survey:
        tag = q.tag.split("}")[1]
        if tag not in ("question", "profile"):
            continue
        d["questions"].append({"id": q.get("id"), "profile": tag == "profile",
                               "criterion": q.get("criterion"), "scale": q.get("scale"),
                               "groups": q.get("groups").split()})
        if tag == "question":
            d["criteria"][q.get("criterion")]["questions"].append(q.get("id"))
    for t in root.find("d:classification", NS):
        tag = t.tag.split("}")[1]
        if tag == "tier":
            d["tiers"].append((t.get("id"), Fraction(t.get("min-index")),
                               Fraction(t.get("min-field"))))
        elif tag == "otherwise":
            d["tiers"].append((t.get("id"), None, None))
    return d


def communes(db):
    con = sqlite3.connect(db)
    return [r[0] for r in con.execute("SELECT code FROM commune ORDER BY code")]


def answers(d, group, rng, quality):
    a = {}
    for q in d["questions"]:
        if group not in q["groups"]:
            continue
        opts = d["scales"][q["scale"]]
        if q["profile"]:
            a[q["id"]] = rng.choice(opts)[0]
            continue
        r = rng.random()
        if r < 0.05:
            excluded = [o for o in opts if o[2]]
            if excluded:
                a[q["id"]] = excluded[0][0]
                continue
        if r < 0.08:
            continue  # left unanswered
        # a better commune picks higher-weighted options more often
        scored = sorted([o for o in opts if not o[2]], key=lambda o: -o[1])
        k = min(int(rng.random() ** (quality * 3) * len(scored)), len(scored) - 1)
        a[q["id"]] = scored[k][0]
    return a


def forms_and_batch(con, d, name):
    """Register d's forms and open a batch named name, as capture would; its id."""
    for g, _ in d["groups"]:
        con.execute("INSERT OR IGNORE INTO form (id, version, def_id, def_version, group_id, "
                    "sha256, content, generated_at) VALUES (?,?,?,?,?,'x',X'78',"
                    "'2026-01-01T00:00:00Z')",
                    ("%s-%s" % (d["id"], g), d["version"], d["id"], d["version"], g))
    con.execute("INSERT INTO batch (file_name, sha256, size, entries, started_at, finished_at, "
                "accepted, duplicates, edits, rejected, ignored) VALUES "
                "(?, 'x', 0, 0, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', "
                "0, 0, 0, 0, 0)", (name,))
    return con.execute("SELECT max(id) FROM batch").fetchone()[0]


def submissions(db, seed, uniform=False):
    d = definition(db)
    rng = random.Random(seed)
    con = sqlite3.connect(db)
    con.execute("PRAGMA foreign_keys = ON")
    batch = forms_and_batch(con, d, "generated")
    codes = communes(db)
    pools = {}
    if uniform:
        for g, _ in d["groups"]:
            pools[g] = [json.dumps(answers(d, g, rng, 0.5 + rng.random() / 2),
                                   separators=(",", ":")) for _ in range(400)]
    rows = []
    n = con.execute("SELECT count(*) FROM submission").fetchone()[0]
    for ci, code in enumerate(codes):
        twin = ci >= len(codes) - 2 and not uniform and len(codes) > 4
        # the last two communes repeat the first two's answers: equal indexes, shared ranks
        crng = random.Random(seed * 1000 + (ci - (len(codes) - 2) if twin else ci))
        quality = 0.4 + 0.6 * crng.random()
        if ci == 0 or (twin and ci == len(codes) - 2):
            quality = 1.6  # the best commune and its twin
        for g, minimum in d["groups"]:
            count = minimum
            if not uniform:
                count = minimum + crng.randrange(0, 4)
                if ci == 1 and g == d["groups"][-1][0]:
                    count = max(minimum - 3, 0)  # under quota
            for _ in range(count):
                n += 1
                text = (rng.choice(pools[g]) if uniform else
                        json.dumps(answers(d, g, crng, quality), ensure_ascii=False))
                rows.append((n, "uuid:gen-%d" % n, "%s-%s" % (d["id"], g), d["version"], g,
                             code, text, batch))
        if len(rows) > 50000:
            insert(con, rows)
            rows = []
    insert(con, rows)
    con.commit()


def insert(con, rows):
    con.executemany("INSERT INTO submission (id, instance_id, form_id, form_version, group_id, "
                    "commune_code, surveyor, answers, sha256, batch_id) "
                    "VALUES (?,?,?,?,?,?,'gen',?,'x',?)", rows)


def scores(db, seed, out, every=False):
    d = definition(db)
    codes = communes(db)
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["commune_code", "criterion_id", "self_score", "appraised_score",
                    "not_applicable", "note"])
        for ci, code in enumerate(codes):
            if ci == 2 and not every:
                continue  # this commune sends no scores
            twin = ci >= len(codes) - 2 and len(codes) > 4
            rng = random.Random(seed * 1000 + (ci - (len(codes) - 2) if twin else ci))
            level = 0.6 + 0.4 * rng.random()
            best = ci == 0 or (twin and ci == len(codes) - 2)
            if best:
                level = 0.95
            for leaf, mx, _ in d["leaves"]:
                r = rng.random()
                if r < 0.04:
                    w.writerow([code, leaf, "", "", "x", "không áp dụng"])
                    continue
                self_score = mx * Fraction(round(min(1, level + 0.2 * rng.random()) * 4), 4)
                appraised = ""
                if r < 0.3 and not best:
                    appraised = fmt(self_score * Fraction(rng.randrange(0, 5), 4))
                    if Fraction(appraised) > mx:
                        appraised = fmt(mx)
                w.writerow([code, leaf, fmt(self_score), appraised, "", ""])


def fmt(x):
    return format(float(x), ".4f").rstrip("0").rstrip(".")


def round_half_up(x, decimals):
    """x (a Fraction) rounded half-up, as the text of its decimal digits."""
    scale = 10 ** decimals
    n = (x * scale + Fraction(1, 2)).__floor__()
    s = str(n).rjust(decimals + 1, "0")
    return s[:-decimals] + "." + s[-decimals:] if decimals else s


def check(db, ranking):
    d = definition(db)
    con = sqlite3.connect(db)
    codes = communes(db)
    gids = [g for g, _ in d["groups"]]
    forms_ok = {("%s-%s" % (d["id"], g), d["version"]) for g in gids}
    counts = {}  # (commune, group, question) -> {code: n}
    nforms = {}
    for code, group, fid, fver, text in con.execute(
            "SELECT commune_code, group_id, form_id, form_version, answers FROM submission "
            "WHERE superseded_by IS NULL"):
        if (fid, fver) not in forms_ok:
            continue
        nforms[code, group] = nforms.get((code, group), 0) + 1
        for qid, opt in json.loads(text).items():
            counts.setdefault((code, group, qid), {}).setdefault(opt, 0)
            counts[code, group, qid][opt] += 1
    leafscore = {}
    has_scores = set()
    for code, leaf, s, a, na in con.execute(
            "SELECT commune_code, criterion_id, self_score, appraised_score, not_applicable "
            "FROM score WHERE superseded_by IS NULL"):
        leafscore[code, leaf] = (s, a, na)
        has_scores.add(code)

    expected = {}
    for code in codes:
        flags = []
        forms = sum(nforms.get((code, g), 0) for g in gids)
        under = forms < d["min_forms"] or any(nforms.get((code, g), 0) < m for g, m in d["groups"])
        if under:
            flags.append("under-quota")
        if code not in has_scores:
            flags.append("no-scores")
        no_answers = gap = False
        valid_total = 0
        fpoints = {f["id"]: Fraction(0) for f in d["fields"]}
        fmax = {f["id"]: Fraction(0) for f in d["fields"]}
        for cid, crit in d["criteria"].items():
            if crit["assessed"] != "survey":
                continue
            qs = []
            for qid in crit["questions"]:
                q = next(x for x in d["questions"] if x["id"] == qid)
                scale = d["scales"][q["scale"]]
                per_group, s_all, n_all = [], Fraction(0), 0
                for g in q["groups"]:
                    c = counts.get((code, g, qid), {})
                    n = sum(c.get(o, 0) for o, w, ex in scale if not ex)
                    s = sum(c.get(o, 0) * w for o, w, ex in scale if not ex)
                    if n:
                        per_group.append(Fraction(s) / n)
                    s_all += s
                    n_all += n
                valid_total += n_all
                if not per_group:
                    # no valid answer: no information, left out of the criterion's mean
                    no_answers = True
                elif d["aggregation"] == "pooled":
                    qs.append(Fraction(s_all) / n_all)
                else:
                    qs.append(sum(per_group) / len(per_group))
                    gap = gap or len(per_group) < len(q["groups"])
            # a criterion none of whose questions has a valid answer scores 0
            fpoints[crit["field"]] += crit["max"] * sum(qs) / len(qs) if qs else 0
            fmax[crit["field"]] += crit["max"]
        for leaf, mx, cid in d["leaves"]:
            s, a, na = leafscore.get((code, leaf), (None, None, 0))
            field = d["criteria"][cid]["field"]
            if na:
                continue
            fmax[field] += mx
            if a is not None:
                fpoints[field] += Fraction(str(a))
            elif s is not None:
                fpoints[field] += Fraction(str(s))
        if not valid_total:
            flags.append("no-survey")
        if no_answers:
            flags.append("no-answers")
        if gap and d["aggregation"] != "pooled":
            flags.append("group-without-answers")
        points, mx = sum(fpoints.values()), sum(fmax.values())
        index = round_half_up(points / mx * 100, d["decimals"])
        fields = {f: (round_half_up(fpoints[f] / fmax[f] * 100, d["decimals"]) if fmax[f] else "")
                  for f in fpoints}
        # no scores or no survey: chưa xếp loại (tier column empty), not ranked
        unclassified = code not in has_scores or not valid_total
        tier = ""
        for tid, mi, mf in d["tiers"]:
            if unclassified:
                break
            if mi is None or (Fraction(index) >= mi and
                              all(Fraction(v) >= mf for v in fields.values() if v != "")):
                tier = tid
                break
        unranked = unclassified or (under and d["under_quota"] == "exclude")
        expected[code] = {"points": round_half_up(points, d["decimals"]),
                          "max": round_half_up(mx, d["decimals"]), "index": index,
                          "tier": tier, "forms": str(forms), "flags": " ".join(flags),
                          "ranked": not unranked, **{"field_" + f: v for f, v in fields.items()}}
    values = sorted(Fraction(e["index"]) for e in expected.values() if e["ranked"])
    for e in expected.values():
        e["rank"] = str(sum(1 for v in values if v > Fraction(e["index"])) + 1) if e["ranked"] else ""

    bad = 0
    with open(ranking, encoding="utf-8") as f:
        got = {r["code"]: r for r in csv.DictReader(f)}
    if sorted(got) != sorted(expected):
        print("communes differ: %s vs %s" % (sorted(got), sorted(expected)))
        return 1
    for code, e in expected.items():
        for k, v in e.items():
            if k != "ranked" and got[code][k] != v:
                print("%s %s: parindex %r, recomputed %r" % (code, k, got[code][k], v))
                bad += 1
    ranks = [r["rank"] for r in got.values()]
    print("%d communes checked, %d ranked, %d not classified, %d shared ranks, tiers %s" % (
        len(expected), sum(1 for r in ranks if r),
        sum(1 for e in expected.values() if not e["tier"]),
        sum(1 for r in ranks if r and ranks.count(r) > 1),
        " ".join(sorted({e["tier"] for e in expected.values() if e["tier"]}))))
    return 1 if bad else 0


def main():
    cmd = sys.argv[1]
    if cmd == "submissions":
        submissions(sys.argv[2], int(sys.argv[3]), uniform="--uniform" in sys.argv)
    elif cmd == "scores":
        scores(sys.argv[2], int(sys.argv[3]), sys.argv[4], every="--all" in sys.argv)
    elif cmd == "check":
        sys.exit(check(sys.argv[2], sys.argv[3]))
    else:
        sys.exit("usage: survey.py submissions|scores|check ...")


if __name__ == "__main__":
    main()
