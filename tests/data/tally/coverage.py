#!/usr/bin/python3
"""The coverage of the tally's 95 % interval of survey points (issue 14), for t3012.
Standard library only.

  coverage.py submissions DB SEED
      One commune's population, known exactly: for every respondent group and scored
      question of the active definition, the share of respondents choosing each option
      (drawn once from SEED; a tenth of the time an excluded option such as "Không biết",
      some left blank). Every commune of the register is then one survey of that same
      commune: each group's minimum of forms drawn from it (SEED again). Prints the true
      survey points: the tally's formula (group mean of q, criterion max x mean of its
      questions' q) on the population's shares, as an exact fraction's decimal.
  coverage.py check DB TRUE
      How many communes' stored interval [survey_low, survey_high] holds TRUE, and how wide
      the intervals are against the surveys' own spread: prints "COVERED SURVEYS RATIO",
      RATIO the mean width over 2 x 1.96 x the standard deviation of the surveys' survey
      points (about 1 for an interval as wide as the spread says, 2 decimals).
"""
import json
import random
import sqlite3
import statistics
import sys
from fractions import Fraction

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import survey  # noqa: E402  (the definition reader of the end-to-end test)


def population(d, rng):
    """{(group, question): [(code, probability as a Fraction, weight or None)]}"""
    pop = {}
    for q in d["questions"]:
        if q["profile"]:
            continue
        opts = d["scales"][q["scale"]]
        for g in q["groups"]:
            # integer weights out of 1000: exact, and every valid option has some chance
            raw = [rng.randint(1, 30) ** 2 if not o[2] else 0 for o in opts]
            excl = [o for o in opts if o[2]]
            total_valid = sum(raw)
            shares = [Fraction(r * 880, total_valid) for r in raw]  # 88 % valid answers
            if excl:
                shares[[o[0] for o in opts].index(excl[0][0])] = Fraction(100)  # 10 % excluded
            blank = 1000 - sum(shares)  # the rest left blank
            pop[(g, q["id"])] = [(o[0], s / 1000, o[1], o[2]) for o, s in zip(opts, shares)] + \
                [(None, blank / 1000, None, True)]
    return pop


def true_survey_points(d, pop):
    total = Fraction(0)
    for crit in d["criteria"].values():
        if crit["assessed"] != "survey" or not crit["questions"]:
            continue
        qs = []
        for qid in crit["questions"]:
            q = next(x for x in d["questions"] if x["id"] == qid)
            per_group = []
            for g in q["groups"]:
                valid = [(p, w) for _, p, w, ex in pop[(g, qid)] if not ex]
                per_group.append(sum(p * w for p, w in valid) / sum(p for p, _ in valid))
            qs.append(sum(per_group) / len(per_group))
        total += crit["max"] * sum(qs) / len(qs)
    return total


def draw(options, rng):
    r = Fraction(rng.random())
    acc = Fraction(0)
    for code, p, _, _ in options:
        acc += p
        if r < acc:
            return code
    return options[-1][0]


def submissions(db, seed):
    d = survey.definition(db)
    rng = random.Random(seed)
    pop = population(d, rng)
    con = sqlite3.connect(db)
    batch = survey.forms_and_batch(con, d, "coverage")
    # cumulative shares as floats for drawing (the exact ones only define the truth)
    cum = {k: [(code, float(p)) for code, p, _, _ in v] for k, v in pop.items()}
    rows, n = [], 0
    for code in survey.communes(db):
        for g, minimum in d["groups"]:
            for _ in range(minimum):
                a = {}
                for q in d["questions"]:
                    if q["profile"] or g not in q["groups"]:
                        continue
                    r, acc = rng.random(), 0.0
                    for opt, p in cum[(g, q["id"])]:
                        acc += p
                        if r < acc:
                            break
                    if opt is not None:
                        a[q["id"]] = opt
                n += 1
                rows.append((n, "uuid:cov-%d" % n, "%s-%s" % (d["id"], g), d["version"], g,
                             code, json.dumps(a), batch))
    con.executemany("INSERT INTO submission (id, instance_id, form_id, form_version, group_id, "
                    "commune_code, surveyor, answers, sha256, batch_id) "
                    "VALUES (?,?,?,?,?,?,'cov',?,'x',?)", rows)
    con.commit()
    t = true_survey_points(d, pop)
    print("%.9f" % (t.numerator / t.denominator))


def check(db, true):
    con = sqlite3.connect(db)
    t = float(true)
    covered, n = con.execute(
        "SELECT sum(survey_low <= ? AND ? <= survey_high), count(*) FROM tally_confidence",
        (t, t)).fetchone()
    points = [r[0] for r in con.execute("SELECT survey_points FROM tally_commune")]
    width = con.execute("SELECT avg(survey_high - survey_low) FROM tally_confidence").fetchone()[0]
    ratio = width / (2 * 1.96 * statistics.stdev(points))
    print(covered, n, "%.2f" % ratio)


if __name__ == "__main__":
    if sys.argv[1] == "submissions":
        submissions(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
