# Several years in one database (issue 13): tests/data/definitions/mini.xml as 2024 (version 1)
# and as 2025 (version 2), each tallied; the 2025 ranking against 2024's, worked out by hand:
# every survey question scores 1 (tests/data/years/survey.sh), so the index is
# 50 + 10 x the self-assessed points of tests/data/years/scores-YEAR.csv.
#   2024: 90002 95.00 (1), 90004 90.00 (2), 90001 80.00 (3), 90003 70.00 (4)
#   2025: 90001 100.00 (1), 90010 90.00 (2), 90014 85.00 (3), 90005 75.00 (4)
# 90001 rose 2 places (+20.00); 90014 is 90004 renamed (merges.csv): fell 1 (-5.00); 90010
# was formed from 90002 and 90003: their 2024 results listed, no rank change; 90005 is new.
. "$(dirname "$0")/lib.sh"
. "$DATA/years/survey.sh"

q() { sqlite3 -batch -noheader t.db "$1"; }
sed 's/version="1" year="2024"/version="2" year="2025"/' "$DATA/definitions/mini.xml" >mini-2025.xml

ok "init 2024" parindex init --db t.db --definition "$DATA/definitions/mini.xml" \
	--communes "$DATA/years/communes-2024.csv"
{ years_forms 1; years_full 1 90001 90002 90003 90004; } | sqlite3 t.db
same "survey 2024" "$(q "SELECT count(*) FROM submission")" "16"
ok "scores 2024" parindex scores import --db t.db "$DATA/years/scores-2024.csv"
# one year alone: the ranking as before, no previous columns
golden one-year parindex tally --db t.db --resamples 0 --format csv
same "2024 kept as its year" "$(q "SELECT def_id, def_version, year FROM tally_year")" "mini|1|2024"
same "2024 ranks kept" "$(q "SELECT group_concat(commune_code || ':' || index_published || ':' || rank, ' ') FROM (SELECT * FROM tally_year_commune ORDER BY rank)")" \
	"90002:95.00:1 90004:90.00:2 90001:80.00:3 90003:70.00:4"

ok "init 2025" parindex init --db t.db --definition mini-2025.xml \
	--communes "$DATA/years/communes-2025.csv" --merges "$DATA/years/merges.csv"
{ years_forms 2; years_full 2 90001 90005 90010 90014; } | sqlite3 t.db
same "survey 2025" "$(q "SELECT count(*) FROM submission")" "32"
# the 2024 data belongs to a year whose tally is kept: no warning about it
golden scores-2025 parindex scores import --db t.db "$DATA/years/scores-2025.csv"
golden table parindex tally --db t.db --resamples 0
golden csv parindex tally --db t.db --resamples 0 --format csv
golden json parindex tally --db t.db --resamples 0 --format json
same "csv: previous index, rank, rank change, index change, formed from" \
	"$(parindex tally --db t.db --resamples 0 --format csv | cut -d, -f2,24- | tr '\n' ' ')" \
	"code,previous_index,previous_rank,rank_change,index_change,formed_from 90001,80.00,3,2,20.00, 90010,,,,,90002 90003 90014,90.00,2,-1,-5.00,90004 90005,,,,, "
same "json: 90001 rose 2 places" \
	"$(parindex tally --db t.db --resamples 0 --format json | python3 -c 'import json,sys; c=json.load(sys.stdin)["communes"][0]; p=c["previous"]; print(c["code"], p["rank"], p["rank_change"], p["index_change"])')" \
	"90001 3 2 20.0"
same "json: 90010 formed from two, no change" \
	"$(parindex tally --db t.db --resamples 0 --format json | python3 -c 'import json,sys; c=json.load(sys.stdin)["communes"][1]; p=c["previous"]; print(c["code"], p["rank_change"], [(o["code"], o["index"], o["rank"]) for o in p["formed_from"]])')" \
	"90010 None [('90002', 95.0, 1), ('90003', 70.0, 4)]"
same "json: 90005 new" \
	"$(parindex tally --db t.db --resamples 0 --format json | python3 -c 'import json,sys; c=json.load(sys.stdin)["communes"][3]; print(c["code"], c["previous"])')" \
	"90005 None"

# both years kept; the old units are not in 2025's tally
same "years kept" "$(q "SELECT group_concat(def_version || ':' || year, ' ') FROM tally_year")" "1:2024 2:2025"
same "2024 ranking unchanged" "$(q "SELECT group_concat(commune_code || ':' || rank, ' ') FROM (SELECT * FROM tally_year_commune WHERE def_version = '1' ORDER BY rank)")" \
	"90002:1 90004:2 90001:3 90003:4"
same "2025 units only" "$(q "SELECT group_concat(commune_code, ' ') FROM (SELECT commune_code FROM tally_commune ORDER BY 1)")" \
	"90001 90005 90010 90014"
golden year-2024 parindex tally --db t.db --year 2024
golden year-2024-csv parindex tally --db t.db --year 2024 --format csv
golden year-2024-json parindex tally --db t.db --year 2024 --format json
golden year-none parindex tally --db t.db --year 2023
golden year-explain parindex tally --db t.db --year 2024 --explain 90001

# choosing the year: 2024 again, tallied again, ranks as before; then back to 2025
golden use-2024 parindex definition use --db t.db mini 1
ok "tally 2024 again" parindex tally --db t.db --resamples 0
same "2024 ranks as before" "$(q "SELECT group_concat(commune_code || ':' || rank, ' ') FROM (SELECT * FROM tally_year_commune WHERE def_version = '1' AND rank IS NOT NULL ORDER BY rank)")" \
	"90002:1 90004:2 90001:3 90003:4"
same "2025 kept meanwhile" "$(q "SELECT count(*) FROM tally_year_commune WHERE def_version = '2'")" "4"
golden use-unknown parindex definition use --db t.db mini 9
ok "back to 2025" parindex definition use --db t.db mini 2
same "2025 compared again" "$(parindex tally --db t.db --resamples 0 --format csv | cut -d, -f2,24-27 | sed -n 2p)" "90001,80.00,3,2,20.00"

# 2026 ranks phường apart from xã (prov-model's ranking groups): 2025 had one ranking, so
# no rank is compared (previous rank shown, no change), the index change still is (0.00)
sed -e 's/version="1" year="2024"/version="3" year="2026"/' \
	-e 's|^\(  <district .*\)$|\1\n  <units><ranking id="phuong"><name lang="vi">Phường</name><name lang="en">Wards</name></ranking><ranking id="xa"><name lang="vi">Xã</name><name lang="en">Communes</name></ranking><type ranking="phuong">phường</type><type ranking="xa">xã</type><type ranking="xa">thị trấn</type></units>|' \
	"$DATA/definitions/mini.xml" >mini-2026.xml
ok "init 2026" parindex init --db t.db --definition mini-2026.xml
{ years_forms 3; years_full 3 90001 90005 90010 90014; } | sqlite3 t.db
ok "scores 2026" parindex scores import --db t.db "$DATA/years/scores-2025.csv"
golden groups-2026 parindex tally --db t.db --resamples 0 --format csv
same "2026 compared with 2025, not ranks across groups" \
	"$(parindex tally --db t.db --resamples 0 --format csv | cut -d, -f2,24- | tr '\n' ' ')" \
	"code,ranking_group,previous_index,previous_rank,rank_change,index_change,formed_from 90014,phuong,85.00,3,,0.00, 90001,xa,100.00,1,,0.00, 90010,xa,90.00,2,,0.00, 90005,xa,75.00,4,,0.00, "
golden year-2026 parindex tally --db t.db --year 2026
ok "back to 2025 again" parindex definition use --db t.db mini 2
ok "tally 2025 again" parindex tally --db t.db --resamples 0

# an old database (before 0014) keeps its one tally as its definition's year: what 0014 and the
# migrations after it (0015 web survey, 0016 paper keying, 0018 paper reopen, 0019 the bootstrap
# columns of tally_year and the register's validity) made is taken out again
ok "copy" cp t.db old.db
ok "made old" sqlite3 old.db "DROP TABLE paper_form_undone; DROP TABLE paper_keying_undone; DROP TABLE paper_form; DROP TABLE paper_keying; DROP VIEW submission_channel; ALTER TABLE batch DROP COLUMN channel; DROP TABLE survey_code; DROP TABLE tally_year_commune; DROP TABLE tally_year; DROP TABLE commune_merge; DROP TABLE commune_validity; PRAGMA user_version = $(($(ls "$TOP"/schemas/migrations/*.sql | sed -n '/0014-/=') - 1))"
not_ok "an old database is refused" parindex tally --db old.db --year 2025
ok "upgraded" parindex init --db old.db
same "its tally kept as its year" "$(sqlite3 old.db "SELECT def_id, def_version, year, communes FROM tally_year")" "mini|2|2025|4"
same "its bootstrap known (0019): none made" "$(sqlite3 old.db "SELECT resamples, seed IS NULL FROM tally_year")" "0|1"
same "every unit's result kept" "$(sqlite3 old.db "SELECT group_concat(commune_code || ':' || index_published || ':' || rank || ':' || tier_id || ':' || name, ' ') FROM (SELECT * FROM tally_year_commune ORDER BY rank)")" \
	"90001:100.00:1:excellent:Thử Một 90010:90.00:2:excellent:Thử Mới 90014:85.00:3:good:Thử Bốn Mới 90005:75.00:4:completed:Thử Năm"
golden old-year parindex tally --db old.db --year 2025 --format csv
finish
