# Missing data is not failure (issue 10, REFERENCE.md §4), from the user's side on
# tests/data/definitions/mini.xml: a tally with nothing imported exits 1 and stores nothing;
# a commune without scores or without any valid survey answer is "chưa xếp loại" (tier and
# rank NULL, flags no-scores / no-survey) and named in a warning, capped at 10 names; a
# question everyone answered "don't know" is left out of its criterion's mean; published
# values are rounded from the exact value (79.995 -> 80.00, 3e-9 under it -> 79.99); --explain
# stores nothing, speaks Vietnamese, names the communes sharing the rank; data of another
# definition version is counted out loud by init and tally.
. "$(dirname "$0")/lib.sh"

q() { sqlite3 -batch -noheader "$1" "$2"; }
dump() { sqlite3 "$1" .dump | md5sum; }

# ---- nothing imported
parindex init --db t.db --definition "$DATA/definitions/mini.xml" \
	--communes "$DATA/tally/communes.csv" >/dev/null
before=$(dump t.db)
golden no-data parindex tally --db t.db
golden no-data-explain parindex tally --db t.db --explain 90001
same "no data: nothing stored" "$(dump t.db)" "$before"
same "no data: no tally run" "$(q t.db "SELECT count(*) FROM tally_run")" "0"

# ---- survey only: nobody has scores, nobody is published as failing
ok "survey inserted" sqlite3 t.db ".read $DATA/tally/mini-survey.sql"
golden survey-only parindex tally --db t.db
same "survey only: none classified or ranked" "$(q t.db "SELECT count(*) FROM tally_commune WHERE tier_id IS NULL AND rank IS NULL")" "3"

# ---- scores for 90001 and 90003; 90002 has none, 90003 has no survey form
cat >scores.csv <<'CSV'
commune_code,criterion_id,self_score,appraised_score,not_applicable,note
90001,1.1.1,1,0.5,,
90001,1.1.2,,,x,
90001,2.1,2,,,
90003,1.1.1,1,,,
90003,1.1.2,2,,,
90003,2.1,2,,,
CSV
ok "scores imported" parindex scores import --db t.db scores.csv
golden mixed parindex tally --db t.db
same "scored and surveyed: classified" "$(q t.db "SELECT tier_id, rank, flags FROM tally_commune WHERE commune_code = '90001'")" "completed|1|"
same "no scores: chưa xếp loại" "$(q t.db "SELECT tier_id IS NULL, rank IS NULL, no_scores, flags FROM tally_commune WHERE commune_code = '90002'")" "1|1|1|under-quota no-scores no-answers group-without-answers"
same "no survey: chưa xếp loại, though its 5 self points would pass nothing" "$(q t.db "SELECT tier_id IS NULL, rank IS NULL, no_scores, flags, index_published FROM tally_commune WHERE commune_code = '90003'")" "1|1|0|under-quota no-survey no-answers|50.00"
# 90002: qb only "x" (don't know): no score, left out; 1.2 = 3 * qa = 3 * 1 (0 x weight
# would have made it 1.5)
same "question without a valid answer: no score, flagged" "$(q t.db "SELECT score IS NULL, n_valid, flag FROM tally_question WHERE commune_code = '90002' AND question_id = 'qb'")" "1|0|no-answers"
same "left out of the criterion's mean" "$(q t.db "SELECT points, source FROM tally_criterion WHERE commune_code = '90002' AND criterion_id = '1.2'")" "3|"
same "criterion without any valid answer: 0, marked" "$(q t.db "SELECT points, max, source FROM tally_criterion WHERE commune_code = '90003' AND criterion_id = '1.2'")" "0|3|no-answers"

# ---- --explain stores nothing: change the data and the clock, explain, compare the dump
ok "data changed after the tally" q t.db "UPDATE submission SET answers = '{\"qa\":\"c\",\"qb\":\"c\"}' WHERE id = 6"
before=$(dump t.db)
golden explain-no-survey env PARINDEX_NOW=2026-02-01T00:00:00Z "$PARINDEX" tally --db t.db --explain 90003
golden explain-no-scores-en env PARINDEX_NOW=2026-02-01T00:00:00Z "$PARINDEX" tally --db t.db --explain 90002 --lang en
same "explain changed nothing" "$(dump t.db)" "$before"
golden explain-unknown parindex tally --db t.db --explain 90009
golden bad-lang parindex tally --db t.db --explain 90001 --lang fr

# ---- another definition version: init and tally say what no longer counts
sed 's/ version="1" / version="2" /' "$DATA/definitions/mini.xml" >mini2.xml
golden init-new-version parindex init --db t.db --definition mini2.xml
golden tally-new-version parindex tally --db t.db
same "the previous tally stays" "$(q t.db "SELECT def_version, count(*) FROM tally_run")" "1|1"

# ---- exact rounding, shared ranks and the warning's cap: 15 communes, 4 with data
{
	echo "code,name,type,district_code,district"
	for i in $(seq 1 15); do printf '%d,Xã %d,xã,999,Huyện Thử nghiệm\n' $((90000 + i)) "$i"; done
} >communes15.csv
parindex init --db e.db --definition "$DATA/definitions/mini.xml" --communes communes15.csv >/dev/null
. "$DATA/tally/mini-sql.sh"
{
	mini_forms
	# 90001-90003: the tie 79.995; 90004: 2 a + 1 b for qc, 3.3e-9 under it
	for c in 90001 90002 90003 90004; do
		sub $c A '{"qa":"a","qb":"a"}'
		sub $c A '{"qa":"a","qb":"a"}'
		sub $c B '{"qa":"a","qc":"a"}'
		sub $c B '{"qa":"a","qc":"a"}'
	done
	for c in 90001 90002 90003; do sub $c B '{"qa":"a","qc":"a"}'; done
	sub 90004 B '{"qa":"a","qc":"b"}'
} >survey.sql
ok "survey inserted" sqlite3 e.db ".read survey.sql"
{
	echo "commune_code,criterion_id,self_score,appraised_score,not_applicable,note"
	# 0.9995 + 1 + 1 self, 5 survey: 7.9995 / 10 = 79.995 -> 80.00, "good"
	for c in 90001 90002 90003; do
		printf '%s,1.1.1,0.9995,,,\n%s,1.1.2,1,,,\n%s,2.1,1,,,\n' $c $c $c
	done
	# 0 + 1.332833333 + 2 self, 3 + 5/3 survey: 79.99499999666... -> 79.99
	printf '90004,1.1.1,0,,,\n90004,1.1.2,1.332833333,,,\n90004,2.1,2,,,\n'
} >scores15.csv
ok "scores imported" parindex scores import --db e.db scores15.csv
same "explain before any tally: says nothing is published" "$("$PARINDEX" tally --db e.db --explain 90004 2>&1 >/dev/null)" "parindex: tally: e.db: commune 90004: this explains the data as it is now; no tally of definition mini 1 is published: run 'parindex tally' to publish it"
golden exact parindex tally --db e.db --format csv
same "the tie publishes up, the one under it down" "$(q e.db "SELECT group_concat(commune_code || ':' || index_published || ':' || tier_id || ':' || rank, ' ') FROM (SELECT * FROM tally_commune WHERE tier_id IS NOT NULL ORDER BY commune_code)")" "90001:80.00:good:1 90002:80.00:good:1 90003:80.00:good:1 90004:79.99:completed:4"
same "11 communes chưa xếp loại" "$(q e.db "SELECT count(*) FROM tally_commune WHERE tier_id IS NULL AND rank IS NULL AND flags = 'under-quota no-scores no-survey no-answers'")" "11"
golden explain-shared-rank parindex tally --db e.db --explain 90002
finish
