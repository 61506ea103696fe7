# Units merged away in a new year (issue 13): a unit whose merger took effect by the
# definition's year is offered nowhere in that year, and a unit formed later is not offered
# before: the forms' commune list (XForm, codebook), capture (a submission for one to a form of
# that year is rejected, naming file and entry; the past year's forms still take it), codes
# issue, the web survey's code page, paper keying's commune list and the office's dashboard.
# Its past results stay readable (tally --year). The mapping is tests/data/years/merges.csv:
# 90002 and 90003 merged into 90010, 90004 renamed 90014, on 2025-07-01.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"
. "$TOP/tests/cli/serve.sh"

cat "$DATA/years/communes-2024.csv" >reg.csv
tail -n +2 "$DATA/years/communes-2025.csv" | grep -v '^90001,' >>reg.csv
sed 's/version="1" year="2024"/version="2" year="2025"/' "$DATA/definitions/mini.xml" >mini-2025.xml
units() { grep -o '<value>9[0-9]*</value>' "$1" | sed 's/<[^>]*>//g' | sort -u | tr '\n' ' '; }

ok "2024 with the mapping" parindex init --db t.db --definition "$DATA/definitions/mini.xml" \
	--communes reg.csv --merges "$DATA/years/merges.csv"
ok "2024 forms" parindex forms --db t.db --out f24
same "2024: the old units, not those formed in 2025" "$(units f24/mini-A.xml)" "90001 90002 90003 90004 90005 "
ok "2025" parindex init --db t.db --definition mini-2025.xml
golden forms-2025 parindex forms --db t.db --out f25
same "2025: the new units, none merged away" "$(units f25/mini-A.xml)" "90001 90005 90010 90014 "
same "the codebook too" "$(grep -a '^mini-A,2,A,/data/commune,' f25/codebook.csv | grep -o '(9[0-9]*)' | tr -d '()' | sort -u | tr '\n' ' ')" "90001 90005 90010 90014 "

# ---- capture: a form of 2025 for a unit merged away, a form of 2024 for one not yet formed ----
instance new-gone A 90002 s1 d1 2026-01-10T08:00:00 2026-01-10T08:10:00 1 a a
instance new-ok A 90010 s1 d1 2026-01-10T08:20:00 2026-01-10T08:30:00 1 a a
instance old-ok A 90002 s1 d1 2026-01-10T08:40:00 2026-01-10T08:50:00 1 a a
instance old-early A 90010 s1 d1 2026-01-10T09:00:00 2026-01-10T09:10:00 1 a a
for f in new-gone new-ok; do sed -i 's/version="1"/version="2"/' "in/$f.xml"; done
mkzip b.zip a/new-gone.xml=in/new-gone.xml b/new-ok.xml=in/new-ok.xml \
	c/old-ok.xml=in/old-ok.xml d/old-early.xml=in/old-early.xml
golden import parindex capture import --db t.db --receipt r.csv b.zip
golden receipt cat r.csv
same "stored: only the units of each form's year" \
	"$(q "SELECT instance_id, form_version, commune_code FROM submission ORDER BY instance_id")" \
	"uuid:new-ok|2|90010
uuid:old-ok|1|90002"
same "the entries' reasons" "$(q "SELECT path, status, reason FROM batch_entry ORDER BY seq")" \
	"a/new-gone.xml|rejected|merged-commune
b/new-ok.xml|accepted|ok
c/old-ok.xml|accepted|ok
d/old-early.xml|rejected|merged-commune"

# ---- codes ----
golden codes-gone parindex codes issue --db t.db --commune 90003 --group A --count 2 --url http://x/ --out gone.html
ok "codes for a unit of 2025" parindex codes issue --db t.db --commune 90010 --group A --count 1 --url http://x/ --out new.html
same "none for the merged unit, no slips" "$(q "SELECT commune_code, count(*) FROM survey_code GROUP BY 1")|$(test -e gone.html && echo file)" "90010|1|"
# a code printed in 2024 for 90002 (a unit then), shown once 2025 is the year
ok "2024 again" parindex definition use --db t.db mini 1
ok "a 2024 code" parindex codes issue --db t.db --commune 90002 --group A --count 1 --url http://x/ --out old.html
ok "2025 again" parindex definition use --db t.db mini 2
OLD=$(grep -o 'class="code">[^<]*' old.html | cut -d'>' -f2 | tr -d -)

# ---- the server: the code's page, paper keying, the dashboard ----
printf 'correct horse\n' | parindex user add --db t.db --password-stdin --role office office1 >/dev/null
printf 'battery staple\n' | parindex user add --db t.db --password-stdin --role keyer --communes 90002,90010,90014 k1 >/dev/null
ok "server starts" serve_start t.db
U=$SERVE_URL
code() { hc -o out -w '%{http_code}' "$@"; }
same "the 2024 code of a merged unit: gone" "$(code "$U/s/$OLD")" 410
ok "says so" grep -q 'Đơn vị đã sáp nhập' out
same "keyer login" "$(code -c kjar -d name=k1 --data-urlencode 'password=battery staple' "$U/login")" 303
same "keying: the choice" "$(code -b kjar "$U/key")" 200
same "only the keyer's units of 2025" "$(grep -o '<option value="9[0-9]*"' out | cut -d'"' -f2 | tr '\n' ' ')" "90010 90014 "
same "keying a merged unit: refused" "$(code -b kjar "$U/key?commune=90002&group=A")" 403
ok "says why" grep -q 'đã sáp nhập vào đơn vị khác' out
same "office login" "$(code -c jar -d name=office1 --data-urlencode 'password=correct horse' "$U/login")" 303
same "dashboard" "$(code -b jar "$U/")" 200
sed -n '/<table id="quota">/,/<\/table>/p' out | grep -o '<tr><td>[^<]*' | cut -d'>' -f3 | grep . >rows.txt
same "the dashboard's quotas: the units of 2025" "$(tr '\n' ' ' <rows.txt)" "90001 90005 90010 90014 "
ok "server stops" serve_stop

# past results stay readable: 2024's tally lists 90002 after 2025 became the year
ok "2024 tallied" sh -c "'$PARINDEX' definition use --db t.db mini 1 && '$PARINDEX' tally --db t.db --resamples 0"
ok "2025 again" parindex definition use --db t.db mini 2
same "2024's ranking, read in 2025" "$(parindex tally --db t.db --year 2024 --format csv | cut -d, -f2 | tail -n +2 | sort | tr '\n' ' ')" "90001 90002 90003 90004 90005 "
finish
