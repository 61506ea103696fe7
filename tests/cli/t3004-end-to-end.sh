# End to end on the demo district (Cẩm Giàng, the shipped default definition): generated
# submissions for every commune (one under quota, two with equal data), a generated scores
# sheet (one commune without), 'parindex tally', and every number of the ranking recomputed
# independently by tests/data/tally/survey.py from the raw rows (exact fractions, half-up
# rounding). Then the same with a copy of the definition that pools the groups, excludes
# communes under quota and publishes 3 decimals.
. "$(dirname "$0")/lib.sh"

gen() { /usr/bin/python3 "$DATA/tally/survey.py" "$@"; }
q() { sqlite3 -batch -noheader "$1" "$2"; }

run() { # DB: data, tally, independent check
	ok "$1: submissions generated" gen submissions "$1" 7
	ok "$1: scores generated" gen scores "$1" 7 "$1.scores.csv"
	ok "$1: scores imported" parindex scores import --db "$1" "$1.scores.csv"
	ok "$1: tally" sh -c '"$PARINDEX" tally --db "$1" --format csv >"$1.csv"' sh "$1"
	ok "$1: every number recomputed independently" gen check "$1" "$1.csv"
	gen check "$1" "$1.csv" | tail -n 1 >"$1.summary"
}

parindex init --db a.db --communes "$TOP/demo/cam-giang/communes.csv" >/dev/null
run a.db
same "group-mean summary" "$(cat a.db.summary)" "17 communes checked, 16 ranked, 1 not classified, 2 shared ranks, tiers completed excellent good not-completed"
same "ties share rank 1, next is 3" "$(cut -d, -f1 a.db.csv | sed -n 2,4p | tr '\n' ' ')" "1 1 3 "
same "under quota flagged, still ranked" "$(q a.db "SELECT under_quota, rank IS NOT NULL FROM tally_commune WHERE commune_code = '10891'")" "1|1"
same "no scores: flagged, not ranked" "$(q a.db "SELECT flags, rank IS NULL FROM tally_commune WHERE commune_code = '10894'")" "no-scores|1"
same "stored published index agrees with the printed one" "$(q a.db "SELECT group_concat(commune_code || ':' || index_published, ' ') FROM (SELECT * FROM tally_commune ORDER BY commune_code)")" "$(tail -n +2 a.db.csv | sort -t, -k2,2 | awk -F, '{printf "%s%s:%s", (NR > 1 ? " " : ""), $2, $6}')"
ok "explain the under-quota commune" sh -c '"$PARINDEX" tally --db a.db --explain 10891 | grep -q "G5 .* phiếu, tối thiểu .*: THIẾU"'

parindex definition default | sed -e 's/version="2021.1"/version="2021.1-pooled"/' \
	-e 's/decimals="2"/decimals="3"/' \
	-e 's/aggregation="group-mean" under-quota="flag"/aggregation="pooled" under-quota="exclude"/' >pooled.xml
ok "pooled definition checks" parindex definition check pooled.xml
parindex init --db b.db --definition pooled.xml --communes "$TOP/demo/cam-giang/communes.csv" >/dev/null
run b.db
same "3 decimals published" "$(sed -n 2p b.db.csv | cut -d, -f6 | sed 's/.*\.//' | wc -c)" "4"
same "pooled: under quota not ranked" "$(q b.db "SELECT flags, rank IS NULL FROM tally_commune WHERE commune_code = '10891'")" "under-quota|1"
same "pooled summary" "$(cat b.db.summary)" "17 communes checked, 15 ranked, 1 not classified, 2 shared ranks, tiers completed excellent good not-completed"
same "pooled differs from group-mean for most communes" "$(q b.db "ATTACH 'a.db' AS a; SELECT count(*) >= 12 FROM tally_commune b JOIN a.tally_commune x USING (commune_code) WHERE b.index_value <> x.index_value")" "1"
finish
