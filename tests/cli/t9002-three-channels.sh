# Three channels tally alike: the same filled questionnaires through ODK Collect (a zip of
# instances, `capture import`), the web survey (a single-use code each, its page posted with
# curl) and paper keying (each form keyed by two keyers on /key, with curl), each into a
# database of its own, give the same answers, the same ranking, points and intervals (`tally
# --format csv`) and the same stored tally rows.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"
. "$TOP/tests/cli/serve.sh"

# name group commune surveyor sex answer1 answer2 (group A asks qa qb, B asks qa qc)
FORMS='f01 A 90001 DTV1 1 a b
f02 A 90001 DTV1 2 b b
f03 A 90001 DTV2 1 c a
f04 A 90001 DTV2 2 x c
f05 B 90001 DTV1 1 a a
f06 B 90001 DTV2 2 b x
f07 B 90001 DTV2 1 a c
f08 A 90002 DTV3 1 c c
f09 A 90002 DTV3 2 b a
f10 A 90002 DTV4 1 a x
f11 B 90002 DTV3 2 c b
f12 B 90002 DTV4 1 b b
f13 B 90002 DTV4 2 a a'

# wait_applied DB N: until the server's spool brought DB to N submissions (at most 10 s)
wait_applied() {
	_i=0
	while [ "$_i" -lt 100 ] && [ "$(sqlite3 "$1" 'SELECT count(*) FROM submission')" != "$2" ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
}

for db in collect.db paper.db web.db; do
	setup_db "$db"
	parindex scores import --db "$db" "$DATA/scores/mini.csv" >/dev/null
done

# Collect: one zip of the instances
set --
echo "$FORMS" >forms.txt
while read -r n g c s sex a1 a2; do
	instance "$n" "$g" "$c" "$s" "collect:$n" 2026-01-10T08:00:00 2026-01-10T08:10:00 "$sex" "$a1" "$a2"
	set -- "$@" "$n.xml=$T/in/$n.xml"
done <forms.txt
mkzip collect.zip "$@"
same "collect: imported" "$(parindex capture import --db collect.db collect.zip >/dev/null 2>&1; echo $?)" 0

# paper: two keyers key every form
for k in k1 k2; do
	printf '%s secret\n' "$k" | parindex user add --db paper.db --password-stdin --role keyer --communes 90001,90002 "$k" >/dev/null
done
ok "server starts" serve_start paper.db
U=$SERVE_URL
for k in k1 k2; do
	hc -o /dev/null -c "$k" -d "name=$k" --data-urlencode "password=$k secret" "$U/login"
	hc -o page -b "$k" "$U/key?commune=90001&group=A"
	sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' page | head -n 1 >"$k.csrf"
done
keyed=0
while read -r n g c s sex a1 a2; do
	serial=${n#f}
	for k in k1 k2; do
		st=$(hc -o /dev/null -w '%{http_code}' -b "$k" -d "csrf=$(cat "$k.csrf")" -d "commune=$c" -d "group=$g" \
			-d "serial=$serial" -d "surveyor=$s" -d "q1=$sex" -d "q2=$a1" -d "q3=$a2" "$U/key")
		[ "$st" = 303 ] && keyed=$((keyed + 1))
	done
done <forms.txt
same "paper: every form keyed twice" "$keyed" 26
wait_applied paper.db 13
ok "server exits 0 on SIGTERM" serve_stop
same "paper: 13 submissions, all agreed" "$(sqlite3 paper.db "SELECT count(*) FROM submission")|$(sqlite3 paper.db "SELECT count(*) FROM paper_form WHERE state = 'agreed'")" "13|13"
same "paper: the surveyors' codes as on paper" "$(sqlite3 collect.db "SELECT surveyor, answers FROM submission ORDER BY 1, 2")" \
	"$(sqlite3 paper.db "SELECT surveyor, answers FROM submission ORDER BY 1, 2")"

# the web survey: a code for each form, its page answered
ok "server starts for the web survey" serve_start web.db
U=$SERVE_URL
answered=0
while read -r n g c s sex a1 a2; do
	q2=qb
	[ "$g" = B ] && q2=qc
	parindex codes issue --db web.db --commune "$c" --group "$g" --count 1 --url "$U" --out "$n.html" >/dev/null
	code=$(sed -n 's/.*class="code">\([^<]*\).*/\1/p' "$n.html" | head -n 1 | tr -d -)
	hc -o page "$U/s/$code"
	t=$(sed -n 's/.*name="t" value="\([^"]*\)".*/\1/p' page)
	st=$(hc -o /dev/null -w '%{http_code}' -d "t=$t" -d "sex=$sex" -d "qa=$a1" -d "$q2=$a2" "$U/s/$code")
	[ "$st" = 200 ] && answered=$((answered + 1))
done <forms.txt
same "web: every form answered" "$answered" 13
wait_applied web.db 13
ok "server exits 0 on SIGTERM" serve_stop
same "web: 13 submissions" "$(sqlite3 web.db "SELECT count(*) FROM submission")" 13

# the tallies
same "the channels" "$(for db in collect paper web; do sqlite3 $db.db "SELECT DISTINCT channel FROM submission_channel"; done | paste -sd' ')" "collect paper web"
answers() { sqlite3 "$1" "SELECT commune_code, group_id, answers FROM submission ORDER BY 1, 2, 3"; }
answers collect.db >collect.answers
ok "paper: the same answers" sh -c "sqlite3 paper.db \"SELECT commune_code, group_id, answers FROM submission ORDER BY 1, 2, 3\" | cmp collect.answers -"
ok "web: the same answers" sh -c "sqlite3 web.db \"SELECT commune_code, group_id, answers FROM submission ORDER BY 1, 2, 3\" | cmp collect.answers -"
for db in collect paper web; do
	parindex tally --db $db.db --format csv >$db.csv 2>$db.err
	sed -i "s/$db.db/DB/" $db.err
done
ok "collect: a tally with survey points" grep -q '90001' collect.csv
ok "identical tallies: paper" cmp collect.csv paper.csv
ok "identical tallies: web" cmp collect.csv web.csv
ok "identical warnings: paper" cmp collect.err paper.err
ok "identical warnings: web" cmp collect.err web.err
tables() {
	for t in $(sqlite3 "$1" "SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'tally%' AND name NOT LIKE '%run%' ORDER BY name"); do
		echo "== $t"
		sqlite3 "$1" "SELECT * FROM $t ORDER BY 1, 2, 3"
	done
}
tables collect.db >collect.tables
tables paper.db >paper.tables
tables web.db >web.tables
ok "tally tables hold rows" test "$(grep -vc '^==' collect.tables)" -gt 10
ok "identical tally tables: paper" cmp collect.tables paper.tables
ok "identical tally tables: web" cmp collect.tables web.tables
finish
