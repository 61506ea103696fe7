# The whole pipeline on the demo district, through parindex's own commands only: init → forms →
# a generated upload (ODK Collect layout, 70 questionnaires per commune) → capture import →
# a scores sheet → tally → report. Every number of the ranking is recomputed independently
# from the raw rows (tests/data/tally/survey.py: exact fractions, half-up rounding), and the
# report's ranking must equal the tally's. Re-importing the upload changes nothing; undoing it
# takes the survey out of the next tally. CI runs this script under valgrind too.
. "$(dirname "$0")/lib.sh"

GEN_BATCH=${GEN_BATCH:-$TOP/${BUILD:-build}/gen-batch}
case $GEN_BATCH in /*) ;; *) GEN_BATCH=$TOP/$GEN_BATCH ;; esac
COMMUNES="$TOP/demo/cam-giang/communes.csv"
q() { sqlite3 -batch -noheader parindex.db "$1"; }
survey() { /usr/bin/python3 "$DATA/tally/survey.py" "$@"; }

ok "gen-batch is built" test -x "$GEN_BATCH"
golden init parindex init --communes "$COMMUNES"
golden forms parindex forms --out forms
ok "upload generated" "$GEN_BATCH" --communes "$COMMUNES" --per-commune 70 --seed 9 --out upload.zip
golden import parindex capture import --source "Bưu điện huyện" --operator "Phòng Nội vụ" --receipt receipt.csv upload.zip
same "receipt: a row per entry" "$(tail -n +2 receipt.csv | grep -c ',accepted,')" 1190
same "submissions stored" "$(q 'SELECT count(*) FROM current_submission')" 1190
same "every commune has 70" "$(q 'SELECT min(n) || "-" || max(n) FROM (SELECT count(*) AS n FROM submission GROUP BY commune_code)')" "70-70"

ok "scores sheet generated" survey scores parindex.db 9 scores.csv
golden scores parindex scores import scores.csv
ok "tally" sh -c '"$PARINDEX" tally --format csv >tally.csv'
ok "every number recomputed independently" survey check parindex.db tally.csv
same "ranked communes" "$(tail -n +2 tally.csv | wc -l)" 17

ok "report" parindex report --out report --formats csv,xlsx,html
ok "report's ranking equals the tally's" python3 - tally.csv report/csv/ranking.csv <<'PY'
import csv, sys
tally = {r["code"]: r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8"))}
rows = list(csv.reader(open(sys.argv[2], encoding="utf-8-sig")))[1:]
assert len(rows) == len(tally), (len(rows), len(tally))
for r in rows:
    t = tally[r[1]]
    assert [r[6], r[3], r[4], r[5], r[7]] == [t["rank"], t["points"], t["max"], t["index"], t["class"]], (r, t)
PY
ok "workbook equals the tally tables" python3 "$DATA/reports/xlsxcheck.py" report/report.xlsx parindex.db
ok "a page per commune" test "$(ls report/communes/*.html | wc -l)" = 17

# the same upload again: reported, nothing changes
sqlite3 parindex.db .dump >before.sql
golden reimport parindex capture import upload.zip
sqlite3 parindex.db .dump >after.sql
ok "re-import changed nothing" cmp before.sql after.sql

# undo the batch: the survey is gone from the next tally, the scores stay
golden undo parindex capture undo 1
same "no current submissions" "$(q 'SELECT count(*) FROM current_submission')" 0
ok "tally after undo" sh -c '"$PARINDEX" tally --format csv >tally2.csv'
ok "recomputed after undo" survey check parindex.db tally2.csv
same "every commune flagged under quota" "$(q "SELECT count(*) FROM tally_commune WHERE flags LIKE '%under-quota%'")" 17
same "survey points gone" "$(q 'SELECT sum(survey_points) FROM tally_commune')" "0.0"

finish
