# The register's validity dates (issue 13): optional columns valid_from and valid_to (a unit's
# first and last day), so that a unit in no merger is not a unit of every year. A unit is one
# of year Y when it exists on Y's last day. Bad dates are named with file and line and nothing
# is stored; the dates are kept (table commune_validity), kept by a register without the
# columns and cleared by empty cells; the year's units are the tally's, the forms' and
# capture's (a submission for a unit not valid in its form's year is rejected).
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"

q() { sqlite3 -batch -noheader t.db "$1"; }
printf 'code,name,type,district_code,district,valid_from,valid_to\n90001,Một,xã,999,H,,\n90002,Hai,xã,999,H,1999-02-30,\n90003,Ba,xã,999,H,1900-01-01,2030-01-01\n90004,Bốn,xã,999,H,2025-01-01,2024-12-31\n90005,Năm,xã,999,H,,1.7.2024\n' >bad.csv
golden bad parindex init --db t.db --definition "$DATA/definitions/mini.xml" --communes bad.csv
same "nothing stored" "$(test -e t.db && q 'SELECT count(*) FROM commune' || echo none)" "none"

# 90002 ends mid-2024 (not a unit of 2024), 90005 begins in 2025, 90006 in March 2024
printf 'code,name,type,district_code,district,valid_from,valid_to\n90001,Một,xã,999,H,,\n90002,Hai,xã,999,H,,2024-06-30\n90005,Năm,xã,999,H,2025-01-01,\n90006,Sáu,xã,999,H,2024-03-01,\n' >reg.csv
golden init parindex init --db t.db --definition "$DATA/definitions/mini.xml" --communes reg.csv
same "the dates stored, only where given" "$(q 'SELECT code, valid_from, valid_to FROM commune_validity ORDER BY code')" "90002||2024-06-30
90005|2025-01-01|
90006|2024-03-01|"
units() { parindex scores template --db t.db | cut -d, -f1 | tail -n +2 | sort -u | tr '\n' ' '; }
same "2024's units" "$(units)" "90001 90006 "
ok "forms 2024" parindex forms --db t.db --out f24
same "the forms offer them" "$(grep -o '<value>9[0-9]*</value>' f24/mini-A.xml | sed 's/<[^>]*>//g' | sort -u | tr '\n' ' ')" "90001 90006 "
instance early A 90005 s1 d1 2026-01-10T08:00:00 2026-01-10T08:10:00 1 a a
instance ok A 90006 s1 d1 2026-01-10T08:20:00 2026-01-10T08:30:00 1 a a
mkzip b.zip a/early.xml=in/early.xml b/ok.xml=in/ok.xml
golden import parindex capture import --db t.db b.zip
same "stored: 90006 only" "$(q 'SELECT commune_code FROM submission')" "90006"
sed 's/version="1" year="2024"/version="2" year="2025"/' "$DATA/definitions/mini.xml" >mini-2025.xml
ok "2025" parindex init --db t.db --definition mini-2025.xml
same "2025's units" "$(units)" "90001 90005 90006 "

# a register without the columns keeps the dates; empty cells clear them
printf 'code,name,type,district_code,district\n90002,Hai,xã,999,H\n' >plain.csv
ok "a register without dates" parindex init --db t.db --communes plain.csv
same "kept" "$(q 'SELECT count(*) FROM commune_validity')" 3
printf 'code,name,type,district_code,district,valid_from,valid_to\n90002,Hai,xã,999,H,,\n' >clear.csv
golden clear parindex init --db t.db --communes clear.csv
same "cleared for 90002" "$(q 'SELECT group_concat(code) FROM commune_validity')" "90005,90006"
finish
