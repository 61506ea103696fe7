# parindex scores template and import (CSV): every bad row is refused with file and row,
# and a file with any error stores nothing; a new import supersedes and keeps history.
. "$(dirname "$0")/lib.sh"

q() { sqlite3 -batch -noheader t.db "$1"; }
H=commune_code,criterion_id,self_score,appraised_score,not_applicable,note
# a file: the header, then the rows given as arguments
sheet() { f=$1; shift; { echo "$H"; for r in "$@"; do echo "$r"; done; } >"$f"; }
# import FILE expecting a refusal; the golden holds the messages; nothing may be stored
refused() {
	_before=$(q "SELECT count(*) || '/' || (SELECT count(*) FROM score_import) FROM score")
	golden "$1" parindex scores import --db t.db "$2"
	same "$1: nothing stored" "$(q "SELECT count(*) || '/' || (SELECT count(*) FROM score_import) FROM score")" "$_before"
}

parindex init --db t.db --definition "$DATA/definitions/mini.xml" \
	--communes "$DATA/tally/communes.csv" >/dev/null

golden template-csv parindex scores template --db t.db
golden template-out parindex scores template --db t.db --out tpl.csv
ok "template file is the same as stdout" sh -c '"$PARINDEX" scores template --db t.db | cmp - tpl.csv'
golden template-bad-ext parindex scores template --db t.db --out tpl.ods

OK1='90001,1.1.1,1,0.5,,'
OK2='90001,1.1.2,,,x,không áp dụng'
OK3='90001,2.1,2,,,'

# 10888 is in the register, but of another district than the definition's
sheet unknown-commune.csv "$OK1" "$OK2" "$OK3" '99999,2.1,1,,,' '10888,2.1,1,,,'
refused unknown-commune unknown-commune.csv
sheet unknown-criterion.csv "$OK1" "$OK2" "$OK3" '90002,9.9,1,,,' '90002,1,1,,,' '90002,1.1,1,,,'
refused unknown-criterion unknown-criterion.csv
sheet survey-criterion.csv "$OK1" "$OK2" "$OK3" '90002,1.2,1,,,'
refused survey-criterion survey-criterion.csv
sheet out-of-range.csv '90001,1.1.1,1.5,,,' '90001,1.1.2,-1,,,' '90001,2.1,2,2.01,,'
refused out-of-range out-of-range.csv
sheet not-a-number.csv '90001,1.1.1,một,,,' '90001,1.1.2,"1,5",,,' '90001,2.1,0x1,inf,,'
refused not-a-number not-a-number.csv
sheet duplicate.csv "$OK1" "$OK2" "$OK3" '90001,2.1,1,,,'
refused duplicate duplicate.csv
sheet not-applicable.csv '90001,1.1.1,1,,x,' '90001,1.1.2,,,maybe,' "$OK3"
refused not-applicable not-applicable.csv
sheet incomplete.csv "$OK1" '90001,2.1,,,,'
refused incomplete incomplete.csv
sheet blank.csv '90001,1.1.1,,,,' '90001,1.1.2,,,,'
refused blank blank.csv
printf 'commune_code,criterion_id,self_score,note\n90001,1.1.1,1,\n' >header.csv
refused missing-columns header.csv
printf '' >empty.csv
refused empty empty.csv
printf '%s\n90001,1.1.1,"1\n' "$H" >malformed.csv
refused malformed malformed.csv
printf '%s\n90001,1.1.1,1,,,\377\n' "$H" >latin1.csv
refused not-utf8 latin1.csv
golden no-file parindex scores import --db t.db nothere.csv
golden no-subcommand parindex scores export

# good: columns in another order, extra columns ignored
printf 'note,not_applicable,appraised_score,self_score,criterion_id,commune_code,extra\n' >good.csv
printf 'Thiếu tài liệu kiểm chứng,,0.5,1,1.1.1,90001,?\n,x,,,1.1.2,90001,\n,,,2,2.1,90001,\n' >>good.csv
golden import-good parindex scores import --db t.db good.csv
same "stored" "$(q "SELECT group_concat(criterion_id || ':' || ifnull(self_score, '-') || ':' || ifnull(appraised_score, '-') || ':' || not_applicable || ':' || row, ' ') FROM current_score")" "1.1.1:1.0:0.5:0:2 1.1.2:-:-:1:3 2.1:2.0:-:0:4"
same "import recorded" "$(q "SELECT file_name, format, def_id, communes, rows, length(sha256) FROM score_import")" "good.csv|csv|mini|1|3|64"

# a new import for the commune supersedes its rows and keeps them
sheet second.csv '90001,1.1.1,1,,,' '90001,1.1.2,2,1.5,,' '90001,2.1,0,,,' '90002,1.1.1,1,,,' '90002,1.1.2,2,,,' '90002,2.1,2,,,'
golden import-second parindex scores import --db t.db second.csv
same "history kept" "$(q "SELECT count(*), sum(superseded_by IS NULL), sum(superseded_by = 2) FROM score")" "9|6|3"
same "current scores are the new ones" "$(q "SELECT group_concat(self_score, ' ') FROM current_score WHERE commune_code = '90001'")" "1.0 2.0 0.0"
ok "tally" parindex tally --db t.db
# 90001 now: 1 + 1.5 (appraised) + 0 of 5 self points, no survey: 2.5 / 10
same "tally uses the current scores" "$(q "SELECT points, max, index_published FROM tally_commune WHERE commune_code = '90001'")" "2.5|10.0|25.00"
finish
