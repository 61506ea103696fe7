# The second shipped definition (schemas/definitions/thua-thien-hue-2022.xml: Thừa Thiên Huế's
# frame, a whole province, two groups of 25 and 20 forms each with an equal reserve sample,
# five classes without floors) through init, forms, capture and tally. The register's codes
# are the test's own (90101...), its names real units of the province.
#
# Reserve forms: gen-batch answers the profile question du_phong at random, so some forms
# of every group are reserve forms (du_phong = 1). The tally's counts are checked against
# the rule computed here in SQL from the stored submissions: every main form counts, and the
# reserve forms in the order received (submission id) fill each group up to its quota.
. "$(dirname "$0")/lib.sh"

q() { sqlite3 -batch -noheader parindex.db "$1"; }
DEF="$TOP/schemas/definitions/thua-thien-hue-2022.xml"

golden check parindex definition check "$DEF"
parindex definition default >default.xml
ok "default is still the first definition" cmp default.xml "$TOP/schemas/definitions/hai-duong-2021.xml"
golden init parindex init --definition "$DEF" --communes "$DATA/hue/communes.csv"
golden forms parindex forms --out forms
ok "the reserve question is in the form" grep -q 'du_phong' forms/thua-thien-hue-commune-par-HT.xml
ok "generate" "$GEN_BATCH" --definition "$DEF" --communes "$DATA/hue/communes.csv" \
	--per-commune 60 --seed 7 --out batch.zip
golden capture parindex capture import batch.zip
parindex scores template >template.csv
# every leaf at a share of its max that depends on the commune: 1, 0.75, 0.5, 0.9
ok "scores" python3 -c '
import csv, sys
rows = list(csv.DictReader(open("template.csv", encoding="utf-8")))
w = csv.DictWriter(open("scores.csv", "w", encoding="utf-8", newline=""), fieldnames=rows[0].keys())
w.writeheader()
for r in rows:
    r["self_score"] = "%g" % (float(r["max"]) * [1, 0.75, 0.5, 0.9][int(r["commune_code"][-1]) - 1])
    w.writerow(r)
'
ok "scores import" parindex scores import scores.csv
golden tally parindex tally --resamples 0

expected_counts='
WITH f AS (
  SELECT s.id, s.commune_code AS c, s.group_id AS g, s.answers,
         json_extract(s.answers, "$.du_phong") IS "1" AS r
  FROM current_submission s),
main AS (SELECT c, g, count(*) AS n FROM f WHERE NOT r GROUP BY 1, 2),
reserve AS (SELECT f.*, row_number() OVER (PARTITION BY c, g ORDER BY id) AS k FROM f WHERE r),
counted AS (
  SELECT c, g, answers FROM f WHERE NOT r
  UNION ALL
  SELECT v.c, v.g, v.answers FROM reserve v
  JOIN respondent_group q ON q.id = v.g AND q.def_id = "thua-thien-hue-commune-par"
  LEFT JOIN main m ON m.c = v.c AND m.g = v.g
  WHERE v.k <= q.min_forms - ifnull(m.n, 0))'
same "forms per group: main forms and the reserve filling the quota" \
	"$(q "$expected_counts SELECT group_concat(c || g || '=' || n, ' ') FROM (SELECT c, g, count(*) AS n FROM counted GROUP BY 1, 2 ORDER BY 1, 2)")" \
	"$(q "SELECT group_concat(commune_code || group_id || '=' || forms, ' ') FROM (SELECT * FROM tally_group ORDER BY 1, 2)")"
same "reserve forms received and counted" \
	"$(q "WITH f AS (SELECT commune_code AS c, group_id AS g, json_extract(answers, '\$.du_phong') IS '1' AS r FROM current_submission), m AS (SELECT c, g, sum(NOT r) AS main, sum(r) AS res FROM f GROUP BY 1, 2) SELECT group_concat(c || g || '=' || res || ':' || n, ' ') FROM (SELECT c, m.g AS g, res, min(res, max(0, q.min_forms - main)) AS n FROM m JOIN respondent_group q ON q.id = m.g AND q.def_id = 'thua-thien-hue-commune-par' WHERE res > 0 ORDER BY 1, 2)")" \
	"$(q "SELECT group_concat(commune_code || group_id || '=' || reserve_forms || ':' || reserve_counted, ' ') FROM (SELECT * FROM tally_reserve ORDER BY 1, 2)")"
same "answers counted are the main forms' and the first reserve forms'" \
	"$(q "$expected_counts SELECT group_concat(c || g || o || '=' || n, ' ') FROM (SELECT c, g, json_extract(answers, '\$.q17') AS o, count(*) AS n FROM counted WHERE o IS NOT NULL AND o <> '' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3)")" \
	"$(q "SELECT group_concat(commune_code || group_id || option_code || '=' || n, ' ') FROM (SELECT * FROM tally_count WHERE question_id = 'q17' AND n > 0 ORDER BY 1, 3, 4)")"
same "some reserve form counted, some not" \
	"$(q "SELECT sum(reserve_counted) > 0, sum(reserve_forms) > sum(reserve_counted) FROM tally_reserve")" "1|1"
same "five classes, one ranking" \
	"$(q "SELECT group_concat(commune_code || ':' || tier_id || ':' || rank || ':' || ranking_group, ' ') FROM (SELECT * FROM tally_commune JOIN tally_ranking USING (commune_code) ORDER BY rank)")" \
	"$(q "SELECT group_concat(commune_code || ':' || tier_id || ':' || rank || ':all', ' ') FROM (SELECT * FROM tally_commune ORDER BY rank)")"
finish
