# parindex init --communes with the register as Excel writes it (issue 10): ';' or tab
# between fields, unit types in any case (Xã, PHƯỜNG), and at most 20 errors of one kind on
# screen, then a count; a refused register changes nothing.
. "$(dirname "$0")/lib.sh"

q() { sqlite3 -batch -noheader t.db "$1"; }

parindex init --db t.db --definition "$DATA/definitions/mini.xml" >/dev/null

# Excel's "CSV UTF-8" in a Vietnamese locale: byte-order mark, ';', CRLF; types as typed
printf '\357\273\277code;name;type;district_code;district\r\n' >semicolon.csv
printf '90001;Thử Một;Xã;999;Huyện Thử nghiệm\r\n90002;Thử Hai;PHƯỜNG;999;Huyện Thử nghiệm\r\n' >>semicolon.csv
printf '90003;"Thử Ba; thị trấn";Thị Trấn;999;Huyện Thử nghiệm\r\n' >>semicolon.csv
golden semicolon parindex init --db t.db --communes semicolon.csv
same "semicolon: stored, types in lower case" "$(q "SELECT group_concat(code || ':' || name || ':' || type, ' | ') FROM commune")" \
	"90001:Thử Một:xã | 90002:Thử Hai:phường | 90003:Thử Ba; thị trấn:thị trấn"

# tab between fields; the same communes again change nothing
printf 'code\tname\ttype\tdistrict_code\tdistrict\n90001\tThử Một\txã\t999\tHuyện Thử nghiệm\n90004\tThử Bốn\tXÃ\t999\tHuyện Thử nghiệm\n' >tab.tsv
golden tab parindex init --db t.db --communes tab.tsv
same "tab: stored" "$(q "SELECT count(*), sum(type = 'xã') FROM commune")" "4|2"

# 25 rows of an unknown type and one other error: 20 lines, a count of the rest, the other
# kind still shown; nothing stored
sqlite3 t.db .dump >before.sql
{
	echo 'code,name,type,district_code,district'
	i=10
	while [ $i -lt 35 ]; do echo "900$i,Xã $i,huyện,999,Huyện Thử nghiệm"; i=$((i + 1)); done
	echo '90099,,xã,999,Huyện Thử nghiệm'
} >many.csv
golden capped parindex init --db t.db --communes many.csv
sqlite3 t.db .dump >after.sql
ok "capped: nothing stored" cmp before.sql after.sql
finish
