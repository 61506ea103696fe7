# parindex scores import of the CSV files Excel writes (issue 10): ';' or tab between fields
# with decimal commas, codes a spreadsheet turned into numbers or dates (one hint, not one
# per row), at most 20 errors of one kind on screen, and long or cut text (issue 16).
. "$(dirname "$0")/lib.sh"

q() { sqlite3 -batch -noheader t.db "$1"; }
stored() { q "SELECT count(*) || '/' || (SELECT count(*) FROM score_import) FROM score"; }
# import FILE expecting a refusal; the golden holds the messages; nothing may be stored
refused() {
	_before=$(stored)
	golden "$1" parindex scores import --db t.db "$2"
	same "$1: nothing stored" "$(stored)" "$_before"
}

parindex init --db t.db --definition "$DATA/definitions/mini.xml" \
	--communes "$DATA/tally/communes.csv" >/dev/null
# a commune whose code starts with zeros, as statistics codes in some provinces do
printf 'code,name,type,district_code,district\n00006,Thử Sáu,xã,999,Huyện Thử nghiệm\n' >more.csv
parindex init --db t.db --communes more.csv >/dev/null

# Excel's "CSV UTF-8" in a Vietnamese locale: byte-order mark, ';' between fields, decimal
# commas; a comma inside a note is no separator
printf '\357\273\277commune_code;criterion_id;self_score;appraised_score;not_applicable;note\r\n' >semicolon.csv
printf '90001;1.1.1;0,5;0,25;;Thiếu hồ sơ, chưa đủ\r\n90001;1.1.2;1,5;;;\r\n90001;2.1;2;1.75;;\r\n' >>semicolon.csv
golden semicolon parindex scores import --db t.db semicolon.csv
same "semicolon: decimal commas read as points" \
	"$(q "SELECT group_concat(criterion_id || ':' || self_score || ':' || ifnull(appraised_score, '-') || ':' || note, ' ') FROM current_score WHERE commune_code = '90001'")" \
	"1.1.1:0.5:0.25:Thiếu hồ sơ, chưa đủ 1.1.2:1.5:-: 2.1:2.0:1.75:"

# tab between fields ("Text (Tab delimited)"), decimal commas too
printf 'commune_code\tcriterion_id\tself_score\tappraised_score\tnot_applicable\tnote\n' >tab.tsv
printf '90002\t1.1.1\t1\t\t\t\n90002\t1.1.2\t\t\tx\t\n90002\t2.1\t0,5\t\t\t\n' >>tab.tsv
golden tab parindex scores import --db t.db tab.tsv
same "tab: stored" "$(q "SELECT group_concat(criterion_id || ':' || ifnull(self_score, '-') || ':' || not_applicable, ' ') FROM current_score WHERE commune_code = '90002'")" \
	"1.1.1:1.0:0 1.1.2:-:1 2.1:0.5:0"

# with ',' between fields a decimal comma is still refused, with the hint to use a point
printf 'commune_code,criterion_id,self_score,appraised_score,not_applicable,note\n90003,1.1.1,"0,5",,,\n90003,1.1.2,1,,,\n90003,2.1,1,,,\n' >comma.csv
refused decimal-comma-in-comma-file comma.csv

# 1.1.1 typed into a General cell: a date serial (36892) or a date; one hint after the errors
printf 'commune_code;criterion_id;self_score;appraised_score;not_applicable;note\n' >dates.csv
printf '90003;36892;1;;;\n90003;01/01/2001;1;;;\n90003;2.1;1;;;\n90003;1.1.2;1;;;\n' >>dates.csv
refused criterion-as-date dates.csv
# 00006 became 6
printf 'commune_code,criterion_id,self_score,appraised_score,not_applicable,note\n6,1.1.1,1,,,\n6,1.1.2,1,,,\n6,2.1,1,,,\n' >zeros.csv
refused code-lost-zeros zeros.csv
# an unknown code that is not a spreadsheet's doing gets no hint
printf 'commune_code,criterion_id,self_score,appraised_score,not_applicable,note\n7,1.1.1,1,,,\n' >nohint.csv
refused unknown-code-no-hint nohint.csv

# 30 rows of an unknown commune and one other error: 20 lines of the first kind, a count of
# the rest, the other kind still shown; the total counts every error
{
	echo 'commune_code,criterion_id,self_score,appraised_score,not_applicable,note'
	i=0
	while [ $i -lt 30 ]; do echo "99999,1.1.1,1,,,"; i=$((i + 1)); done
	echo '90003,1.1.1,1,,maybe,'
} >many.csv
refused capped many.csv

# a note of 1500 'ệ' (4500 bytes) is stored whole, not cut at 1024 bytes
note=$(awk 'BEGIN { for (i = 0; i < 1500; i++) printf "ệ" }')
printf 'commune_code,criterion_id,self_score,appraised_score,not_applicable,note\n90003,1.1.1,1,,,%s\n90003,1.1.2,1,,,\n90003,2.1,1,,,\n' "$note" >long-note.csv
ok "long note imported" parindex scores import --db t.db long-note.csv
same "long note stored whole" "$(q "SELECT length(note), note = '$note' FROM current_score WHERE commune_code = '90003' AND criterion_id = '1.1.1'")" "1500|1"

# a long unknown code is quoted cut on a character, with "…", never inside one
id=$(awk 'BEGIN { for (i = 0; i < 400; i++) printf "ệ" }')
printf 'commune_code,criterion_id,self_score,appraised_score,not_applicable,note\n90003,%s,1,,,\n' "$id" >long-id.csv
refused long-code-cut long-id.csv
ok "messages are valid UTF-8" sh -c '"$PARINDEX" scores import --db t.db long-id.csv 2>&1 | iconv -f UTF-8 -t UTF-8 >/dev/null'

# a record wider than Excel's 16384 columns is refused, not held
awk 'BEGIN { print "commune_code,criterion_id,self_score,appraised_score,not_applicable,note"; for (i = 0; i < 20000; i++) printf ","; print "" }' >wide.csv
refused too-many-fields wide.csv
finish
