# parindex tally on tests/data/definitions/mini.xml: the numbers worked out by hand in
# tests/data/tally/mini-survey.sql and tests/unit/test_tally.c, in every output format, in the
# tables, and step by step with --explain.
. "$(dirname "$0")/lib.sh"

q() { sqlite3 -batch -noheader t.db "$1"; }

parindex init --db t.db --definition "$DATA/definitions/mini.xml" \
	--communes "$DATA/tally/communes.csv" >/dev/null
golden no-data parindex tally --db t.db
ok "survey inserted" sqlite3 t.db ".read $DATA/tally/mini-survey.sql"
golden no-scores parindex tally --db t.db
ok "scores import" parindex scores import --db t.db "$DATA/scores/mini.csv"

# 90001: group-mean qa = (2.5/3 + 0/1)/2, qb = 1.5/2, 1.2 = 3*(qa+qb)/2 = 1.75; qc = 0.5,
# 2.2 = 1; self 0.5 (appraised) + 2, 1.1.2 not applicable: 5.25 / 8 = 65.625 -> 65.63
golden table parindex tally --db t.db
golden csv parindex tally --db t.db --format csv
golden json parindex tally --db t.db --format json
golden explain parindex tally --db t.db --explain 90001
golden explain-under-quota parindex tally --db t.db --explain 90002
# the report says the flags in the same words as the explanation (one table of flag words);
# the note is the ranking's last column (after the bootstrap's intervals: this tally resampled)
parindex report --db t.db --formats csv --out rep >/dev/null
same "report's flags are the explanation's words" \
	"$(python3 "$DATA/reports/csvrow.py" rep/csv/ranking.csv 90002 | awk -F'|' '{ print $NF }')" \
	"$(parindex tally --db t.db --explain 90002 | sed -n 's/^ *cờ: //p' | sed 's/ ([a-z-]*)//g; s/, /; /g')"
same "a question's group flag in the tally's words" \
	"$(python3 "$DATA/reports/csvrow.py" rep/csv/questions.csv 90002 | grep '|qa|' | cut -d'|' -f9)" \
	"có nhóm được hỏi không trả lời hợp lệ"

same "index stored at full precision" "$(q "SELECT index_value, index_published, tier_id, rank FROM tally_commune WHERE commune_code = '90001'")" "65.625|65.63|completed|1"
same "unranked commune has NULL rank" "$(q "SELECT rank IS NULL, under_quota, no_scores, flags FROM tally_commune WHERE commune_code = '90002'")" "1|1|1|under-quota no-scores no-answers group-without-answers"
same "field rows" "$(q "SELECT group_concat(field_id || ':' || points || '/' || max || '=' || pct_published, ' ') FROM tally_field WHERE commune_code = '90001'")" "1:2.25/4.0=56.25 2:3.0/4.0=75.00"
same "not-applicable leaf" "$(q "SELECT points, max, source, kind FROM tally_criterion WHERE commune_code = '90001' AND criterion_id = '1.1.2'")" "0|0|not-applicable|subcriterion"
same "appraised leaf" "$(q "SELECT points, self_score, appraised_score, source FROM tally_criterion WHERE commune_code = '90001' AND criterion_id = '1.1.1'")" "0.5|1|0.5|appraised"
same "criterion sums its leaves" "$(q "SELECT points, max, source IS NULL FROM tally_criterion WHERE commune_code = '90001' AND criterion_id = '1.1'")" "0.5|1|1"
same "criterion without sub-criteria is its own leaf" "$(q "SELECT points, max, self_score, source FROM tally_criterion WHERE commune_code = '90001' AND criterion_id = '2.1'")" "2|2|2|self"
same "criteria in the definition's order" "$(q "SELECT group_concat(criterion_id, ' ') FROM (SELECT criterion_id FROM tally_criterion WHERE commune_code = '90001' ORDER BY seq)")" "1.1 1.1.1 1.1.2 1.2 2.1 2.2"
same "survey criterion" "$(q "SELECT points, max, assessed FROM tally_criterion WHERE commune_code = '90001' AND criterion_id = '1.2'")" "1.75|3|survey"
same "group counts (edited form counted once, as edited)" "$(q "SELECT counts, n_valid, n_excluded, score FROM tally_question_group WHERE commune_code = '90001' AND group_id = 'A' AND question_id = 'qa'")" '{"a":2,"b":1,"c":0,"x":0}|3|0|0.833333333'
same "excluded option" "$(q "SELECT counts, n_valid, n_excluded, score FROM tally_question_group WHERE commune_code = '90001' AND group_id = 'B' AND question_id = 'qa'")" '{"a":0,"b":0,"c":1,"x":1}|1|1|0'
same "one count per option" "$(q "SELECT group_concat(group_id || option_code || '=' || n, ' ') FROM tally_count WHERE commune_code = '90001' AND question_id = 'qb'")" "Aa=1 Ab=1 Ac=0 Ax=1"
same "no valid answer: score null" "$(q "SELECT n_valid, n_excluded, score IS NULL FROM tally_question_group WHERE commune_code = '90002' AND group_id = 'B' AND question_id = 'qa'")" "0|0|1"
same "question after the group mean" "$(q "SELECT score, n_valid, groups_used, flag, criterion_id FROM tally_question WHERE commune_code = '90001' AND question_id = 'qa'")" "0.416666667|4|2||1.2"
same "group left out of the mean" "$(q "SELECT score, groups_used, flag FROM tally_question WHERE commune_code = '90002' AND question_id = 'qa'")" "1|1|group-without-answers"
same "quota per group" "$(q "SELECT group_concat(group_id || ':' || forms || '/' || min_forms, ' ') FROM tally_group WHERE commune_code = '90001'")" "A:3/2 B:2/2"
same "run" "$(q "SELECT def_id, aggregation, communes, submissions FROM tally_run")" "mini|group-mean|3|6"

# a second run replaces the first
ok "second run" parindex tally --db t.db
same "one run kept" "$(q "SELECT count(*) FROM tally_run")" "1"
same "one row per commune" "$(q "SELECT count(*) FROM tally_commune")" "3"

# an answer with an option the scale lacks, or to a question the group is not asked, is
# ignored and reported
ok "odd answers" q "UPDATE submission SET answers = '{\"qa\":\"z\",\"qc\":\"a\",\"qb\":\"a\"}' WHERE id = 6"
golden ignored parindex tally --db t.db --format csv

# stored answers that are no JSON object: refused, and the previous results stay
ok "corrupt answers" q "UPDATE submission SET answers = '{\"qa\":1}' WHERE id = 4"
golden corrupt parindex tally --db t.db
same "previous results kept" "$(q "SELECT count(*), max(computed_at) FROM tally_run")" "1|2026-01-15T08:00:00Z"
ok "repair" q "UPDATE submission SET answers = '{\"sex\":\"1\",\"qa\":\"c\",\"qc\":\"b\"}' WHERE id = 4"

golden bad-format parindex tally --db t.db --format xml
golden unknown-commune parindex tally --db t.db --explain 99999
# the register's commune of another district is not the definition's to rank
golden other-district parindex tally --db t.db --explain 10888
same "only the definition's district tallied" "$(q "SELECT count(*) FROM tally_commune WHERE commune_code = '10888'")" "0"
golden no-db parindex tally --db missing.db
finish
