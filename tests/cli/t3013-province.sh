# A province's tally (issue 13) on tests/data/definitions/province.xml: two ranking groups
# (phường; xã and đặc khu) ranked apart, a unit type listed but not ranked, reserve forms
# counted apart from the quota, bonus and penalty points after the 100-point index.
#
# Worked out by hand (max 10 = 1.1 (4, self) + 2.1 (4, self) + 1.2 (2, survey, q1 of group CB:
# a = 1, b = 0.5, c = 0); index = points / 10 x 100, then + bonus - penalty; five classes
# without floors: xuất sắc >= 90, tốt >= 80, khá >= 70, trung bình >= 50, else yếu):
#   10001 phường  4 + 3 + 2 x (1+1+1)/3 = 9.00        -> 90.00                 xuất sắc
#   10002 phường  3.5 + 3.5 + 2 x (1+1+0.5)/3 = 8.6667 -> 86.67                tốt
#   10003 phường  3.5 + 3 + 2 x 1 = 8.50 -> 85.00, bonus T.1 2 -> 87.00        tốt
#   20001 xã      4 + 4 + 2 = 10 -> 100.00, bonus T.1 appraised 1 -> 101.00   xuất sắc
#   20002 xã      3 + 3 + 2 x (1+0.5+0)/3 = 7 -> 70.00, penalty P.1 1 -> 69.00 trung bình
#   20003 đặc khu 2 + 2 + 2 x (1+1+0)/3 = 5.3333 -> 53.33                      trung bình
#                 (2 forms a a, below the quota of 3: the first reserve form received, c,
#                 fills it; the other two reserve forms (a, c) are received, not counted)
#   30001 khu thử 4 + 4 + 2 = 10 -> 100.00                                      xuất sắc,
#                 never ranked, in no class count
# Rankings: phường 10001 (1), 10003 (2), 10002 (3): the bonus lifts 10003 over 10002;
# without it 10002 (86.67) is 2 and 10003 (85.00) is 3. Xã và đặc khu: 20001 (1), 20002 (2),
# 20003 (3). Across groups 30001's 100.00 and 20001's 101.00 do not move the wards' ranks.
# Class counts: phường xuất sắc 1, tốt 2; xã và đặc khu xuất sắc 1, trung bình 2.
. "$(dirname "$0")/lib.sh"

q() { sqlite3 -batch -noheader t.db "$1"; }

golden init parindex init --db t.db --definition "$DATA/definitions/province.xml" \
	--communes "$DATA/province/communes.csv"
same "province register: no district stored" \
	"$(q "SELECT group_concat(code || ':' || type || ':' || district_code || district, ' ') FROM commune")" \
	"10001:phường: 10002:phường: 10003:phường: 20001:xã: 20002:xã: 20003:đặc khu: 30001:khu thử:"
ok "survey inserted" sqlite3 t.db ".read $DATA/province/survey.sql"
ok "scores import" parindex scores import --db t.db "$DATA/province/scores.csv"

golden table parindex tally --db t.db --resamples 0
golden csv parindex tally --db t.db --resamples 0 --format csv
golden json parindex tally --db t.db --resamples 0 --format json
golden explain-reserve parindex tally --db t.db --resamples 0 --explain 20003
golden explain-not-ranked parindex tally --db t.db --resamples 0 --explain 30001

same "ranks within each group" \
	"$(q "SELECT group_concat(commune_code || ':' || ifnull(ranking_group, '-') || ':' || ifnull(rank, '-') || ':' || index_published || ':' || tier_id, ' ') FROM (SELECT * FROM tally_commune JOIN tally_ranking USING (commune_code) ORDER BY commune_code)")" \
	"10001:phuong:1:90.00:xuat-sac 10002:phuong:3:86.67:tot 10003:phuong:2:87.00:tot 20001:xa:1:101.00:xuat-sac 20002:xa:2:69.00:trung-binh 20003:xa:3:53.33:trung-binh 30001:-:-:100.00:xuat-sac"
same "class counts per group (the type not ranked in none)" \
	"$(q "SELECT group_concat(g || ':' || tier_id || '=' || n, ' ') FROM (SELECT ranking_group AS g, tier_id, count(*) AS n FROM tally_commune JOIN tally_ranking USING (commune_code) WHERE ranking_group IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2)")" \
	"phuong:tot=2 phuong:xuat-sac=1 xa:trung-binh=2 xa:xuat-sac=1"
same "bonus, penalty and the 100-point index" \
	"$(q "SELECT group_concat(commune_code || ':' || base_index_published || '+' || bonus_points || '-' || penalty_points || '=' || index_published, ' ') FROM (SELECT * FROM tally_commune JOIN tally_ranking USING (commune_code) WHERE bonus_points > 0 OR penalty_points > 0 ORDER BY commune_code)")" \
	"10003:85.00+2.0-0.0=87.00 20001:100.00+1.0-0.0=101.00 20002:70.00+0.0-1.0=69.00"
same "reserve forms received and counted" \
	"$(q "SELECT group_concat(commune_code || ':' || forms || '/' || min_forms || ' reserve ' || reserve_forms || ':' || reserve_counted, ', ') FROM (SELECT * FROM tally_group JOIN tally_reserve USING (commune_code, group_id) ORDER BY commune_code)")" \
	"10001:3/3 reserve 1:0, 20003:3/3 reserve 3:1"
same "the reserve form counted is the first received" \
	"$(q "SELECT counts FROM tally_question_group WHERE commune_code = '20003' AND question_id = 'q1'")" \
	'{"a":2,"b":0,"c":1}'
# 24 submissions, 3 reserve forms not counted
same "submissions counted" "$(q "SELECT submissions FROM tally_run")" "21"

# the bonus changes a rank: without it 10002 is second and 10003 third
ok "scores without the bonus" sh -c "grep -v '^10003,.*T\.1' '$DATA/province/scores.csv' >no-bonus.csv"
ok "re-import 10003" parindex scores import --db t.db no-bonus.csv
ok "tally again" parindex tally --db t.db --resamples 0
same "ranks without the bonus" \
	"$(q "SELECT group_concat(commune_code || ':' || rank || ':' || index_published, ' ') FROM (SELECT * FROM tally_commune JOIN tally_ranking USING (commune_code) WHERE ranking_group = 'phuong' ORDER BY rank)")" \
	"10001:1:90.00 10002:2:86.67 10003:3:85.00"

# the bootstrap ranks within the group too: 30001 has no rank interval, a ward's interval
# never passes the 3 wards
ok "tally with resamples" parindex tally --db t.db --resamples 200
same "rank intervals within the group" \
	"$(q "SELECT count(*) FROM tally_confidence f JOIN tally_ranking c USING (commune_code) WHERE (c.ranking_group IS NULL AND f.rank_low IS NOT NULL) OR f.rank_high > 3")" "0"

# a register type the definition does not list, and another province's register
printf 'code,name,type\n10001,Phường An,phường\n40001,Huyện Cũ,huyện\n' >bad-type.csv
golden unknown-type parindex init --db u.db --definition "$DATA/definitions/province.xml" --communes bad-type.csv
not_ok "nothing created" test -e u.db
printf 'code,name,type,province\n10001,Phường An,phường,Tỉnh Khác\n' >other-province.csv
golden other-province parindex init --db u.db --definition "$DATA/definitions/province.xml" --communes other-province.csv
printf 'code,name,type,province\n10001,Phường An,phường,thành phố thử nghiệm\n' >same-province.csv
ok "the province named in any case" parindex init --db v.db --definition "$DATA/definitions/province.xml" --communes same-province.csv
# a district definition against a province's register names both
printf 'code,name,type\n10001,Phường An,phường\n20001,Xã Đông,xã\n' >province-register.csv
golden district-def-province-register parindex init --db u.db --definition "$DATA/definitions/mini.xml" --communes province-register.csv
golden district-def-province-types parindex init --db u.db --definition "$DATA/definitions/mini.xml" --communes "$DATA/province/communes.csv"
# a definition given for a database whose register holds types it does not list
golden new-definition-old-types parindex init --db t.db --definition "$DATA/definitions/mini.xml"
same "the database's definition stays" "$(q "SELECT value FROM setting WHERE key = 'active_definition'")" "province-test 1"

# Migration 0013 on a database of the schema before it (every earlier migration applied):
# the register's rows kept with the submissions and scores that refer to them, the fixed
# type CHECK gone, the stored tally's communes in the default ranking group.
for m in "$TOP"/schemas/migrations/*.sql; do
	case $(basename "$m") in 0013-*) break ;; esac
	sqlite3 old.db ".read $m"
done
sqlite3 old.db "PRAGMA user_version = $(ls "$TOP"/schemas/migrations/*.sql | sed -n '/0013-/=' | awk '{print $1 - 1}')"
not_ok "the fixed CHECK before" sqlite3 old.db "INSERT INTO commune VALUES ('3', 'Đặc khu', 'đặc khu', '9', 'Huyện')"
ok "old data" sqlite3 old.db "PRAGMA foreign_keys = ON;
INSERT INTO commune VALUES ('1', 'Xã Cũ', 'xã', '9', 'Huyện'), ('2', 'Phường Cũ', 'phường', '9', 'Huyện');
INSERT INTO definition VALUES ('d', '1', 2024, 't', 2, 10, 'x', 'f', X'00', 'now');
INSERT INTO respondent_group VALUES ('d', '1', 'A', 1, 'A', 'A', 1);
INSERT INTO form (id, version, def_id, def_version, group_id, sha256, content, generated_at) VALUES ('d-A', '1', 'd', '1', 'A', 'x', X'78', 'now');
INSERT INTO batch (id, file_name, sha256, size, entries, started_at, finished_at, accepted, duplicates, edits, rejected, ignored) VALUES (1, 'b.zip', 'x', 0, 0, 'now', 'now', 0, 0, 0, 0, 0);
INSERT INTO submission (id, instance_id, form_id, form_version, group_id, commune_code, surveyor, answers, sha256, batch_id) VALUES (1, 'uuid:1', 'd-A', '1', 'A', '1', 's', '{}', 'x', 1);
INSERT INTO tally_commune VALUES ('1', 1, 5, 0, 5, 10, 50, '50.00', NULL, NULL, 0, 1, 'no-scores');"
ok "upgrade" sh -c '"$PARINDEX" init --db old.db | grep -q "^database old.db: upgraded from schema version"'
same "register kept" "$(sqlite3 -batch -noheader old.db "SELECT group_concat(code || ':' || name || ':' || type || ':' || district_code || ':' || district, ' ') FROM commune")" "1:Xã Cũ:xã:9:Huyện 2:Phường Cũ:phường:9:Huyện"
same "foreign keys hold" "$(sqlite3 -batch -noheader old.db "PRAGMA foreign_key_check")" ""
same "the stored tally in the default group" "$(sqlite3 -batch -noheader old.db "SELECT commune_code, ranking_group, bonus_points FROM tally_ranking")" "1|all|0.0"
ok "any type now" sqlite3 old.db "INSERT INTO commune VALUES ('3', 'Đặc khu', 'đặc khu', '', '')"

# A self-assessment-only definition (no survey; tests/data/definitions/self-only.xml, 7
# points): the index is the appraised points rescaled to 100, no-survey is no flag.
#   10001 1 + 2 + 1 + 3 = 7 of 7                        -> 100.00 tốt   rank 1
#   20001 0.5 (appraised) + 1.5 + 2 = 4 of 6 (1.2 not applicable) -> 66.67 khá rank 3
#   20002 1 + 2 + 0 + 2.5 = 5.5 of 7 = 78.5714          -> 78.57  khá   rank 2
printf 'code,name,type\n10001,Phường An,phường\n20001,Xã Đông,xã\n20002,Xã Tây,xã\n' >self.csv
ok "self-only init" parindex init --db s.db --definition "$DATA/definitions/self-only.xml" --communes self.csv
golden self-only-forms parindex forms --db s.db --out forms
not_ok "no forms folder" test -e forms
ok "self-only scores" parindex scores import --db s.db "$DATA/province/self-only-scores.csv"
golden self-only-table parindex tally --db s.db --resamples 0
same "self-only stored" \
	"$(sqlite3 -batch -noheader s.db "SELECT group_concat(commune_code || ':' || points || '/' || max || '=' || index_published || ':' || tier_id || ':' || rank || ':' || flags || ':' || forms, ' ') FROM (SELECT * FROM tally_commune ORDER BY commune_code)")" \
	"10001:7.0/7.0=100.00:tot:1::0 20001:4.0/6.0=66.67:kha:3::0 20002:5.5/7.0=78.57:kha:2::0"
finish
