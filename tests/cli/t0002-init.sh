# parindex init: creating, loading, idempotence, refusals that leave the database as it was.
. "$(dirname "$0")/lib.sh"

COMMUNES="$DATA/communes/cam-giang.csv"
dump() { sqlite3 "$1" .dump; }

golden first-init parindex init --communes "$COMMUNES"
dump parindex.db >first.sql
golden second-init parindex init --communes "$COMMUNES"
dump parindex.db >second.sql
ok "init twice leaves an identical dump" cmp first.sql second.sql
same "17 communes" "$(sqlite3 parindex.db 'SELECT count(*) FROM commune')" 17
same "commune name kept byte-exact" "$(sqlite3 parindex.db "SELECT name FROM commune WHERE code = '10888'")" "Cẩm Giang"
same "criterion tree stored" "$(sqlite3 parindex.db "SELECT count(*), sum(max) FROM criterion WHERE kind = 'field'")" "8|100.0"
same "schema version" "$(sqlite3 parindex.db 'PRAGMA user_version')" "$(ls "$TOP"/schemas/migrations/*.sql | wc -l)"
same "WAL mode" "$(sqlite3 parindex.db 'PRAGMA journal_mode')" wal

# the same id and version with other content is refused and nothing changes
sed 's/Cải cách tài chính công/Cải cách tài chính công (sửa)/' "$TOP/schemas/definitions/hai-duong-2021.xml" >changed.xml
golden changed-same-version parindex init --definition changed.xml
dump parindex.db >after.sql
ok "refused definition changed nothing" cmp first.sql after.sql

# a bad register is refused as a whole, every bad row named
printf 'code,name,type,district_code,district\n10888,Cẩm Giang,thị trấn,295,Cẩm Giàng\n10888,Lai Cách,thị trấn,295,Cẩm Giàng\n10894,,xã,295,Cẩm Giàng\n10897,Cẩm Hoàng,xã,295\n' >bad.csv
golden bad-register parindex init --communes bad.csv
dump parindex.db >after.sql
ok "refused register changed nothing" cmp first.sql after.sql

# a control character in a name would reach the forms' XML, the report and the terminal: the
# register is refused at init, the line named, the character shown escaped
printf 'code,name,type,district_code,district\n10888,Cẩm\aGiang,thị trấn,295,Cẩm Giàng\n10891,Lai Cách,thị trấn,295,Cẩm\tGiàng\n' >control.csv
golden control-register parindex init --communes control.csv
dump parindex.db >after.sql
ok "register with control characters changed nothing" cmp first.sql after.sql
# a register saved in another encoding: the line of the first bad byte named
printf 'code,name,type,district_code,district\n10888,Cẩm Giang,thị trấn,295,Cẩm Giàng\n10891,Lai C\341ch,thị trấn,295,Cẩm Giàng\n' >latin1.csv
golden not-utf8-register parindex init --communes latin1.csv
dump parindex.db >after.sql
ok "register not in UTF-8 changed nothing" cmp first.sql after.sql

# a changed name is an update; a new code is an addition; absent communes stay
printf 'code,name,type,district_code,district\n10888,Cẩm Giang Mới,thị trấn,295,Cẩm Giàng\n99999,Xã Thử,xã,295,Cẩm Giàng\n' >update.csv
golden update-register parindex init --communes update.csv
same "18 communes after update" "$(sqlite3 parindex.db 'SELECT count(*) FROM commune')" 18

# a definition and a register of different districts are refused with both districts named,
# whichever of them is given and whichever is already stored, and nothing is stored
dump parindex.db >before.sql
golden other-district-stored-register parindex init --definition "$DATA/definitions/mini.xml"
golden other-district-stored-definition parindex init --communes "$DATA/communes/nam-sach.csv"
dump parindex.db >after.sql
ok "refused districts changed nothing" cmp before.sql after.sql
same "register still of Cẩm Giàng only" "$(sqlite3 parindex.db 'SELECT group_concat(DISTINCT district_code) FROM commune')" 295
same "still the default definition" "$(sqlite3 parindex.db "SELECT value FROM setting WHERE key = 'active_definition'")" "hai-duong-commune-par 2021.1"
golden other-district-both parindex init --db fresh.db --definition "$DATA/definitions/mini.xml" --communes "$DATA/communes/nam-sach.csv"
golden other-district-built-in parindex init --db fresh.db --communes "$DATA/communes/nam-sach.csv"
ok "no database created for a register of another district" test ! -e fresh.db
# a database without a definition (an old schema's) is checked against the built-in one
sqlite3 nodef.db <"$TOP/schemas/migrations/0001-definition-communes.sql"
sqlite3 nodef.db "PRAGMA user_version = 1"
golden other-district-no-definition parindex init --db nodef.db --communes "$DATA/communes/nam-sach.csv"
same "nothing stored in the database without a definition" "$(sqlite3 nodef.db 'SELECT count(*) FROM commune') $(sqlite3 nodef.db 'SELECT count(*) FROM definition')" "0 0"
# a register listing several districts, the definition's among them, is accepted
# a new definition (another id) becomes the active one; the old one stays
golden load-mini parindex init --definition "$DATA/definitions/mini.xml" --communes "$DATA/forms/communes-999.csv"
same "active definition" "$(sqlite3 parindex.db "SELECT value FROM setting WHERE key = 'active_definition'")" "mini 1"
same "both definitions kept" "$(sqlite3 parindex.db 'SELECT count(*) FROM definition')" 2

# a doubtful definition (another year in its title) is loaded with the warning shown
golden title-year-warning parindex init --db warned.db --definition "$DATA/definitions/title-year.xml"
same "the warned definition is loaded" "$(sqlite3 warned.db "SELECT value FROM setting WHERE key = 'active_definition'")" "mini 1"

# --db and PARINDEX_DB choose the file
golden db-option parindex init --db other.db --communes "$COMMUNES"
ok "--db wrote other.db" test -s other.db
PARINDEX_DB=env.db golden db-env parindex init
ok "PARINDEX_DB wrote env.db" test -s env.db

# a database from a newer parindex is refused, and left alone
sqlite3 other.db 'PRAGMA user_version = 99'
golden future-version parindex init --db other.db
same "future version untouched" "$(sqlite3 other.db 'PRAGMA user_version')" 99

# an older database is upgraded in place, its data kept
sqlite3 old.db <"$TOP/schemas/migrations/0001-definition-communes.sql"
sqlite3 old.db "PRAGMA user_version = 1; INSERT INTO commune VALUES ('1', 'Xã Cũ', 'xã', '9', 'Huyện')"
ok "an old schema is upgraded" sh -c '"$PARINDEX" init --db old.db | grep -q "^database old.db: upgraded from schema version 1 to "'
same "upgrade kept the data" "$(sqlite3 old.db "SELECT name FROM commune WHERE code = '1'")" "Xã Cũ"
same "upgrade reached the current version" "$(sqlite3 old.db 'PRAGMA user_version')" "$(ls "$TOP"/schemas/migrations/*.sql | wc -l)"

# a file that is not a database
echo "not a database" >text.db
golden not-a-database parindex init --db text.db

# an invalid definition is refused before the database is created
golden bad-definition parindex init --db never.db --definition "$DATA/definitions/bad/08-fields-sum.xml"
ok "no database created for a bad definition" test ! -e never.db
golden missing-file parindex init --db never.db --communes nosuch.csv
golden stray-argument parindex init extra

finish
