# The demo province (demo/hai-phong, make demo DEMO=province): its register and definition as
# shipped, then demo/run.sh itself on a reduced copy (every unit type, both rankings), with
# the counts checked in the database: units per type, two rankings each ranked from 1, every
# unit tallied and classified. Then the generators behind it: gen-batch --db stores what
# capture import of the same zip stores, and gen-nation.sh makes a province-scale database.
. "$(dirname "$0")/lib.sh"

GEN_BATCH=${GEN_BATCH:-$TOP/${BUILD:-build}/gen-batch}
case $GEN_BATCH in /*) ;; *) GEN_BATCH=$TOP/$GEN_BATCH ;; esac
HP="$TOP/demo/hai-phong"
q() { sqlite3 -batch -noheader "$1" "$2"; }

# the shipped register and definition: 114 units (67 xã, 45 phường, 2 đặc khu), two rankings
golden check parindex definition check "$HP/hai-phong-2025.xml"
golden init parindex init --db full.db --definition "$HP/hai-phong-2025.xml" --communes "$HP/communes.csv"
same "units per type" "$(q full.db "SELECT group_concat(type || ' ' || n, ', ') FROM (SELECT type, count(*) AS n FROM commune GROUP BY type ORDER BY type)")" "phường 45, xã 67, đặc khu 2"
same "codes are the published five-digit ones" "$(q full.db "SELECT count(*) || ' ' || min(code) || '-' || max(code) FROM commune WHERE code GLOB '1[01][0-9][0-9][0-9]'")" "114 10507-11948"
same "the scores sheet covers every unit" "$(tail -n +2 "$HP/scores.csv" | cut -d, -f1 | sort -u | wc -l)" 114

# a reduced copy: the first 6 phường and 6 xã by code and both đặc khu, their scores
mkdir -p hp
cp "$HP/hai-phong-2025.xml" hp/
{
	head -n 1 "$HP/communes.csv"
	grep ',phường,' "$HP/communes.csv" | head -n 6
	grep ',xã,' "$HP/communes.csv" | head -n 6
	grep ',đặc khu,' "$HP/communes.csv"
} >hp/communes.csv
awk -F, 'NR == FNR { if (FNR > 1) keep[$1] = 1; next } FNR == 1 || ($1 in keep)' \
	hp/communes.csv "$HP/scores.csv" >hp/scores.csv
same "reduced copy: 14 units" "$(tail -n +2 hp/communes.csv | wc -l)" 14

golden run env DEMO_DATA="$T/hp" DEMO_OUT="$T/out" GEN_BATCH="$GEN_BATCH" sh "$TOP/demo/run.sh" province
DB=out/parindex.db
same "units per type" "$(q $DB "SELECT group_concat(type || ' ' || n, ', ') FROM (SELECT type, count(*) AS n FROM commune GROUP BY type ORDER BY type)")" "phường 6, xã 6, đặc khu 2"
same "70 forms per unit" "$(q $DB "SELECT min(n) || '-' || max(n) || ' ' || count(*) FROM (SELECT count(*) AS n FROM current_submission GROUP BY commune_code)")" "70-70 14"
same "every unit tallied" "$(q $DB "SELECT count(*) FROM tally_commune")" 14
same "every unit ranked and classified" "$(q $DB "SELECT count(*) FROM tally_commune WHERE rank IS NOT NULL AND tier_id IS NOT NULL")" 14
same "two rankings: wards apart from communes and special zones" "$(q $DB "SELECT group_concat(g, '; ') FROM (SELECT ranking_group || ': ' || group_concat(type, ',') AS g FROM (SELECT DISTINCT r.ranking_group, c.type FROM tally_ranking r JOIN commune c ON c.code = r.commune_code ORDER BY 1, 2) GROUP BY ranking_group ORDER BY ranking_group)")" "phuong: phường; xa: xã,đặc khu"
same "each ranking from 1 to its size" "$(q $DB "SELECT group_concat(ranking_group || ' ' || n || ' ' || lo || '-' || hi, '; ') FROM (SELECT r.ranking_group, count(*) AS n, min(t.rank) AS lo, max(t.rank) AS hi FROM tally_commune t JOIN tally_ranking r USING (commune_code) GROUP BY r.ranking_group ORDER BY r.ranking_group)")" "phuong 6 1-6; xa 8 1-8"
same "nothing flagged by the quality checks" "$(tail -n +2 out/quality.csv | wc -l)" 0
ok "report written" test -f out/report/index.html
same "a page per unit" "$(ls out/report/communes/*.html | wc -l)" 14

# gen-batch --db: the same rows as capture import of the zip gen-batch writes
rows() { q "$1" "SELECT instance_id, form_id, form_version, group_id, commune_code, surveyor, started, ended, device_id, comment, answers, sha256, replaces, superseded_by, deprecated_id FROM submission ORDER BY id; SELECT seq, path, instance_id, form_id, commune_code, status, reason, message FROM batch_entry ORDER BY seq"; }
for d in z g; do
	ok "$d: init" parindex init --db $d.db --definition hp/hai-phong-2025.xml --communes hp/communes.csv
	ok "$d: forms" parindex forms --db $d.db --out forms-$d
done
ok "zip generated" "$GEN_BATCH" --definition hp/hai-phong-2025.xml --communes hp/communes.csv --per-commune 9 --seed 5 --realistic --out b.zip
ok "zip imported" parindex capture import --db z.db b.zip
golden gen-db "$GEN_BATCH" --definition hp/hai-phong-2025.xml --communes hp/communes.csv --per-commune 9 --seed 5 --realistic --db g.db
rows z.db >z.rows
rows g.db >g.rows
same "126 submissions" "$(q g.db "SELECT count(*) FROM submission")" 126
ok "submissions and entries as capture import stores them" cmp z.rows g.rows
golden gen-db-again "$GEN_BATCH" --definition hp/hai-phong-2025.xml --communes hp/communes.csv --per-commune 9 --seed 5 --realistic --db g.db
golden gen-db-missing "$GEN_BATCH" --definition hp/hai-phong-2025.xml --communes hp/communes.csv --per-commune 9 --db none.db
golden gen-types "$GEN_BATCH" --communes hp/communes.csv --per-commune 9 --db g.db

# gen-nation.sh: Lai Châu (36 xã, 2 phường) and Hải Phòng, 10 forms a unit, scores for all,
# one ranking per province
ok "nation generated" env PARINDEX="$PARINDEX" GEN_BATCH="$GEN_BATCH" sh "$TOP/tests/gen/gen-nation.sh" --db n.db --provinces 12,31 --per-commune 10 --seed 3 --keep nation
same "nation: its register" "$(head -n 3 nation/communes.csv)" "code,name,type,province
12001,Xã số 1,xã 12,Lai Châu
12002,Xã số 2,xã 12,Lai Châu"
same "nation: units per province and type" "$(q n.db "SELECT group_concat(type || ' ' || n, ', ') FROM (SELECT type, count(*) AS n FROM commune GROUP BY type ORDER BY substr(code, 1, 2), type)")" "phường 12 2, xã 12 36, phường 31 45, xã 31 67, đặc khu 31 2"
same "nation: forms" "$(q n.db "SELECT count(*) FROM current_submission")" 1520
ok "nation: tally" parindex tally --db n.db --resamples 0
same "nation: one ranking per province" "$(q n.db "SELECT group_concat(ranking_group || ' ' || n || ' ' || hi, ', ') FROM (SELECT r.ranking_group, count(*) AS n, max(t.rank) AS hi FROM tally_commune t JOIN tally_ranking r USING (commune_code) GROUP BY r.ranking_group ORDER BY r.ranking_group)")" "p12 38 38, p31 114 114"
not_ok "nation: an existing database refused" sh "$TOP/tests/gen/gen-nation.sh" --db n.db
ok "nation by unit type" env PARINDEX="$PARINDEX" GEN_BATCH="$GEN_BATCH" sh "$TOP/tests/gen/gen-nation.sh" --db t.db --provinces 12,31 --per-commune 10 --rankings type
ok "nation by unit type: tally" parindex tally --db t.db --resamples 0
same "nation by unit type: wards apart" "$(q t.db "SELECT group_concat(ranking_group || ' ' || n, ', ') FROM (SELECT ranking_group, count(*) AS n FROM tally_ranking GROUP BY ranking_group ORDER BY ranking_group)")" "phuong 47, xa 105"

finish
