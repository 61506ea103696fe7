# Statistical confidence (issue 14) on tests/data/definitions/mini.xml, a case small enough
# to work out by hand. A resample draws n - 1 of a group's n forms with replacement (one of
# one; see tally/confidence.c). 90001: every form answers "a" (survey 5 of 5), full self
# scores: index 100 whatever is drawn. 90003: every form "c", self 0: index 0. 90002: group
# B's two forms answer "a", group A's two forms are one all "a" and one all "c"; a resample
# of A draws one of them: qa_A = qb = 1 or 0, each half the time. With qa = (qa_A + 1) / 2,
# 1.2 = 3 x (qa + qb) / 2 and 2.2 = 2: survey 5 or 2.75; with self 2.5 the index is 75 or
# 52.5, "completed" or "not-completed" (the point estimate, both forms: 3.875 and 63.75).
# So: 90002's survey interval is [2.75, 5.00], its index [52.50, 75.00], about half the
# resamples "completed"; the three never swap: ranks [1,1] [2,2] [3,3]; 90001 and 90003
# have zero-width intervals. Then: the same seed gives the same numbers, another seed other
# ones, 1, 2 and 3 threads the same; --resamples 0 stores none; bad options exit 2.
. "$(dirname "$0")/lib.sh"

q() { sqlite3 -batch -noheader "$1" "$2"; }

cat >communes.csv <<'CSV'
code,name,type,district_code,district
90001,Thử Một,xã,999,Huyện Thử nghiệm
90002,Thử Hai,xã,999,Huyện Thử nghiệm
90003,Thử Ba,thị trấn,999,Huyện Thử nghiệm
CSV
parindex init --db t.db --definition "$DATA/definitions/mini.xml" --communes communes.csv >/dev/null
. "$DATA/tally/mini-sql.sh"
{
	mini_forms
	for i in 1 2 3; do
		sub 90001 A '{"qa":"a","qb":"a"}'
		sub 90001 B '{"qa":"a","qc":"a"}'
		sub 90003 A '{"qa":"c","qb":"c"}'
		sub 90003 B '{"qa":"c","qc":"c"}'
	done
	sub 90002 A '{"qa":"a","qb":"a"}'
	sub 90002 A '{"qa":"c","qb":"c"}'
	sub 90002 B '{"qa":"a","qc":"a"}'
	sub 90002 B '{"qa":"a","qc":"a"}'
} >survey.sql
ok "survey inserted" sqlite3 t.db ".read survey.sql"
cat >scores.csv <<'CSV'
commune_code,criterion_id,self_score,appraised_score,not_applicable,note
90001,1.1.1,1,,,
90001,1.1.2,2,,,
90001,2.1,2,,,
90002,1.1.1,0.5,,,
90002,1.1.2,1,,,
90002,2.1,1,,,
90003,1.1.1,0,,,
90003,1.1.2,0,,,
90003,2.1,0,,,
CSV
ok "scores imported" parindex scores import --db t.db scores.csv

golden csv parindex tally --db t.db --format csv
same "published index unchanged: the point estimate" "$(q t.db "SELECT group_concat(commune_code || ':' || index_published || ':' || tier_id || ':' || rank, ' ') FROM (SELECT * FROM tally_commune ORDER BY commune_code)")" "90001:100.00:excellent:1 90002:63.75:not-completed:2 90003:0.00:not-completed:3"
same "run: resamples and seed" "$(q t.db "SELECT resamples, seed FROM tally_confidence_run")" "2000|20260101"
same "zero-width and disjoint intervals, ranks never swap" "$(q t.db "SELECT group_concat(commune_code || ':' || survey_low || '-' || survey_high || ':' || index_low || '-' || index_high || ':' || rank_low || '-' || rank_high, ' ') FROM (SELECT * FROM tally_confidence ORDER BY commune_code)")" "90001:5.0-5.0:100.0-100.0:1-1 90002:2.75-5.0:52.5-75.0:2-2 90003:0.0-0.0:0.0-0.0:3-3"
same "every resample counted in one class" "$(q t.db "SELECT group_concat(commune_code || ':' || total, ' ') FROM (SELECT commune_code, sum(resamples) AS total FROM tally_class_share GROUP BY 1 ORDER BY 1)")" "90001:2000 90002:2000 90003:2000"
same "certain classes" "$(q t.db "SELECT group_concat(commune_code || ':' || tier_id, ' ') FROM (SELECT * FROM tally_class_share WHERE resamples = 2000 ORDER BY 1)")" "90001:excellent 90003:not-completed"
# half "completed": 1000 expected, binomial sd about 22
same "about half of 90002's resamples completed" "$(q t.db "SELECT resamples BETWEEN 930 AND 1070 FROM tally_class_share WHERE commune_code = '90002' AND tier_id = 'completed'")" "1"
same "the rest not-completed" "$(q t.db "SELECT group_concat(tier_id, ' ') FROM (SELECT tier_id FROM tally_class_share WHERE commune_code = '90002' ORDER BY tier_id)")" "completed not-completed"
golden json parindex tally --db t.db --format json
golden explain parindex tally --db t.db --explain 90002
golden explain-en parindex tally --db t.db --explain 90002 --lang en

# reproducible: the same seed, the same numbers; any number of threads, the same numbers
parindex tally --db t.db --format csv >seed-default.csv 2>/dev/null
parindex tally --db t.db --format csv --seed 20260101 >seed-same.csv 2>/dev/null
parindex tally --db t.db --format csv --seed 7 >seed-7.csv 2>/dev/null
parindex tally --db t.db --format csv --threads 1 >threads-1.csv 2>/dev/null
parindex tally --db t.db --format csv --threads 2 >threads-2.csv 2>/dev/null
parindex tally --db t.db --format csv --threads 3 >threads-3.csv 2>/dev/null
ok "same seed, same numbers" cmp seed-default.csv seed-same.csv
not_ok "another seed, other class shares" cmp seed-default.csv seed-7.csv
same "another seed: the same intervals here (every outcome is drawn)" "$(cut -d, -f13-18 seed-7.csv)" "$(cut -d, -f13-18 seed-default.csv)"
same "the last run's seed stored" "$(q t.db "SELECT seed FROM tally_confidence_run")" "20260101"
ok "1 and 2 threads, the same numbers" cmp threads-1.csv threads-2.csv
ok "1 and 3 threads, the same numbers" cmp threads-1.csv threads-3.csv
ok "threads do not change the seed's numbers" cmp threads-1.csv seed-default.csv

# a resample may hold no valid answer at all (90001 here: half the time group A's draw is its
# form of "x" only, and group B answered only "x"): such resamples count as chưa xếp loại
parindex init --db x.db --definition "$DATA/definitions/mini.xml" --communes communes.csv >/dev/null
n=0
{
	mini_forms
	sub 90001 A '{"qa":"a","qb":"a"}'
	sub 90001 A '{"qa":"x","qb":"x"}'
	sub 90001 B '{"qa":"x","qc":"x"}'
	sub 90001 B '{"qa":"x","qc":"x"}'
} >survey-x.sql
ok "survey with don't-knows inserted" sqlite3 x.db ".read survey-x.sql"
grep -e '^commune_code' -e '^90001' scores.csv >scores-x.csv
ok "its scores imported" parindex scores import --db x.db scores-x.csv
ok "tally" parindex tally --db x.db
same "about half of the resamples without any valid answer" "$(q x.db "SELECT resamples BETWEEN 930 AND 1070 FROM tally_class_share WHERE commune_code = '90001' AND tier_id = ''")" "1"
ok "explain says so" sh -c '"$PARINDEX" tally --db x.db --explain 90001 | grep -q "chưa xếp loại (không có trả lời hợp lệ) [45][0-9]\.[0-9] %"'

# the same on generated data: 17 communes of the demo district, about 70 forms each
parindex init --db g.db --communes "$TOP/demo/cam-giang/communes.csv" >/dev/null
ok "generated submissions" /usr/bin/python3 "$DATA/tally/survey.py" submissions g.db 7
ok "generated scores" /usr/bin/python3 "$DATA/tally/survey.py" scores g.db 7 g.scores.csv
ok "generated scores imported" parindex scores import --db g.db g.scores.csv
parindex tally --db g.db --format csv --threads 1 >g1.csv 2>/dev/null
parindex tally --db g.db --format csv --threads 2 >g2.csv 2>/dev/null
parindex tally --db g.db --format csv --seed 8 >g8.csv 2>/dev/null
ok "generated: 1 and 2 threads, the same numbers" cmp g1.csv g2.csv
not_ok "generated: another seed, other numbers" cmp g1.csv g8.csv
# columns by name: the default definition has 8 fields
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{ print $c["rank"] "|" $c["index"] "|" $c["index_low"] "|" $c["index_high"] "|" $c["rank_low"] "|" $c["rank_high"] }' g1.csv >g1.cols
same "generated: every ranked commune has a rank interval around its rank" "$(awk -F'|' '$1 != "" && !($5 <= $1 && $1 <= $6) { bad++ } END { print bad + 0 "/" NR }' g1.cols)" "0/17"
same "generated: each published index inside its interval" "$(awk -F'|' '$3 != "" && !($3 <= $2 && $2 <= $4) { bad++ } END { print bad + 0 }' g1.cols)" "0"
same "generated: wide enough to mean something" "$(awk -F'|' '$3 != "" && $4 - $3 > 0.5 { n++ } END { print n + 0 }' g1.cols)" "17"
# the report: the interval beside each index, and "≈" before a rank whose index interval
# overlaps the one of the commune ranked just above (counted here from the tally's CSV)
ok "generated: tally for the report" parindex tally --db g.db
ok "generated: report" parindex report --db g.db --out rep --formats html
awk -F'|' '$1 != "" { if (prev != "" && $3 <= plow_high && plow <= $4) n++; prev = $1; plow = $3; plow_high = $4 } END { print n + 0 }' g1.cols >overlaps
same "≈ marks the adjacent ranks within noise ($(cat overlaps) pairs)" "$(grep -o '<td class="num">≈ [0-9]*</td>' rep/index.html | wc -l)" "$(cat overlaps)"
same "some adjacent ranks are within noise, some are not" "$(awk '{ print ($1 > 0 && $1 < 16) ? "yes" : "no" }' overlaps)" "yes"
same "each index interval beside its index" "$(grep -o '<td class="num">[0-9.][0-9.]*–[0-9.][0-9.]*</td>' rep/index.html | sed 's/<[^>]*>//g' | tr '\n' ' ')" "$(awk -F'|' '{ printf "%s–%s ", $3, $4 }' g1.cols)"
ok "the ranking's note says what the interval and ≈ mean" grep -q 'Dấu ≈ trước thứ hạng: khoảng tin cậy của đơn vị này và của đơn vị xếp ngay trên chồng lên nhau' rep/index.html
ok "report of the hand-worked case" parindex report --db t.db --out rep-t --formats html
ok "commune page: index interval" grep -q '<dd>63.75 % (khoảng tin cậy 95 %: 52.50–75.00)</dd>' rep-t/communes/90002.html
ok "commune page: rank interval" grep -q '<dd>2 / 3 (khoảng 95 %: hạng 2 đến 2)</dd>' rep-t/communes/90002.html
ok "commune page: survey interval" grep -q 'điều tra xã hội học 3.88, khoảng tin cậy 95 %: 2.75–5.00)' rep-t/communes/90002.html
ok "commune page: class shares" grep -q '<dt>Khả năng xếp loại</dt><dd>Hoàn thành nhiệm vụ 49 %, Không hoàn thành nhiệm vụ 51 %</dd>' rep-t/communes/90002.html
ok "commune page: the note" grep -q 'Độ tin cậy:' rep-t/communes/90002.html

# --resamples 0 turns it off: nothing stored, empty columns
ok "no resamples" parindex tally --db t.db --resamples 0
same "no resamples: none stored" "$(q t.db "SELECT (SELECT count(*) FROM tally_confidence), (SELECT count(*) FROM tally_class_share), (SELECT count(*) FROM tally_confidence_run)")" "0|0|0"
golden explain-off parindex tally --db t.db --explain 90002 --resamples 0
ok "report without resamples" parindex report --db t.db --out rep-off --formats html
not_ok "no interval column without resamples" grep -q 'Khoảng tin cậy' rep-off/index.html
not_ok "no interval on the commune page" grep -q 'khoảng tin cậy' rep-off/communes/90002.html
golden bad-resamples parindex tally --db t.db --resamples -1
golden bad-resamples-big parindex tally --db t.db --resamples 1000001
golden bad-seed parindex tally --db t.db --seed x1
golden bad-threads parindex tally --db t.db --threads 0
# memory grows with communes x resamples: 60 communes x 1,000,000 is refused before anything
awk 'BEGIN { print "code,name,type,district_code,district"; for (i = 0; i < 60; i++) printf "%d,Xã %d,xã,999,Huyện Thử nghiệm\n", 91000 + i, i }' >communes60.csv
parindex init --db m.db --definition "$DATA/definitions/mini.xml" --communes communes60.csv >/dev/null
golden too-many-resamples parindex tally --db m.db --resamples 1000000
same "too many resamples: nothing stored" "$(q m.db "SELECT count(*) FROM tally_run")" "0"
finish
