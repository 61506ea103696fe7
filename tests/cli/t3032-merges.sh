# The merged-units mapping (issue 13): parindex init --merges FILE, each kind of error with
# its file and line, nothing stored from a file with an error; added to an existing database;
# a cycle through what is stored; which units a year's tally holds.
. "$(dirname "$0")/lib.sh"

q() { sqlite3 -batch -noheader t.db "$1"; }
cat "$DATA/years/communes-2024.csv" >reg.csv
tail -n +2 "$DATA/years/communes-2025.csv" | grep -v '^90001,' >>reg.csv
ok "init" parindex init --db t.db --definition "$DATA/definitions/mini.xml" --communes reg.csv

m() { printf 'new_code,old_code,effective\n%s' "$1" >"$2"; }
m '90010,90002,2025-07-01
90010,90003,2025-07-01
' good.csv
m '90010,90002,2025-07-01
90010,90002,2025-07-01
' dup.csv
m '90010,90002,2025-02-30
90010,90003,1900-01-01
90014,90004,1.7.2025
' dates.csv
m '90010,90002,2025-07-01
90010,90003,2025-08-01
' two-dates.csv
m '90010,99999,2025-07-01
88888,90002,2025-07-01
' unknown.csv
m '90010,90002,2025-07-01
90002,90005,2025-07-01
90005,90010,2025-07-01
' cycle.csv
m '90010,90#02,2025-07-01
,90003,2025-07-01
90014,90004
' codes.csv
printf 'new,old_code,effective\n90010,90002,2025-07-01\n' >header.csv
printf 'new_code,old_code,effective\n' >empty.csv
m '90002,90010,2024-01-01
' back.csv

golden duplicate parindex init --db t.db --merges dup.csv
golden dates parindex init --db t.db --merges dates.csv
golden two-dates parindex init --db t.db --merges two-dates.csv
golden unknown parindex init --db t.db --merges unknown.csv
golden cycle parindex init --db t.db --merges cycle.csv
golden codes parindex init --db t.db --merges codes.csv
golden header parindex init --db t.db --merges header.csv
golden missing parindex init --db t.db --merges nothere.csv
same "nothing stored from a file with an error" "$(q "SELECT count(*) FROM commune_merge")" "0"

# an existing database takes the mapping with init alone; again: unchanged
golden added parindex init --db t.db --merges good.csv
golden again parindex init --db t.db --merges good.csv
same "stored" "$(q "SELECT group_concat(new_code || '<' || old_code || '@' || effective || ':' || line, ' ') FROM commune_merge")" \
	"90010<90002@2025-07-01:2 90010<90003@2025-07-01:3"
golden header-only parindex init --db t.db --merges empty.csv
# a cycle through a stored row is named at the stored row's file and line
golden stored-cycle parindex init --db t.db --merges back.csv
same "still two" "$(q "SELECT count(*) FROM commune_merge")" "2"
# a new unit keeping one old unit's code is no cycle
m '90001,90001,2025-07-01
90001,90004,2025-07-01
' keep.csv
golden keep-code parindex init --db t.db --merges keep.csv

# the units of a year: 2024 has the old ones, not 90010 (formed in 2025); 2025 has 90010,
# not 90002 and 90003 (merged into it) nor 90004 (90001 kept its code and took it in); 90005
# and 90014 are in no mapping: there in both
sed 's/version="1" year="2024"/version="2" year="2025"/' "$DATA/definitions/mini.xml" >mini-2025.xml
parindex scores template --db t.db | cut -d, -f1 | sort -u | tr '\n' ' ' >units-2024
same "2024 units" "$(cat units-2024)" "90001 90002 90003 90004 90005 90014 commune_code "
ok "2025" parindex init --db t.db --definition mini-2025.xml
same "2025 units" "$(parindex scores template --db t.db | cut -d, -f1 | sort -u | tr '\n' ' ')" \
	"90001 90005 90010 90014 commune_code "
finish
