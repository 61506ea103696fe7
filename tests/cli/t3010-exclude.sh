# parindex capture exclude / include: an excluded submission is left out of the tally exactly
# as if it had never been imported (the tally's tables compared with those of a database
# without it), including it again restores the tally byte for byte, both are recorded (table
# exclusion, audit log), capture list and the tally say so; refusals.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"

D=2026-01-10
instance e-a1 A 90001 "Nguyễn Thị Hoa" dev-1 ${D}T08:00:00 ${D}T08:10:00 1 a b
instance e-a2 A 90001 "Nguyễn Thị Hoa" dev-1 ${D}T09:00:00 ${D}T09:10:00 2 b c
instance e-a3 A 90001 "Lê Văn Nam" dev-2 ${D}T10:00:00 ${D}T10:10:00 1 a a
instance e-b1 B 90001 "Lê Văn Nam" dev-2 ${D}T11:00:00 ${D}T11:10:00 2 a c
instance e-b2 B 90001 "Lê Văn Nam" dev-2 ${D}T12:00:00 ${D}T12:10:00 1 c b
instance e-a4 A 90002 "Phạm Thu Hương" dev-3 ${D}T08:00:00 ${D}T08:10:00 2 c b
instance e-a5 A 90002 "Phạm Thu Hương" dev-3 ${D}T09:00:00 ${D}T09:10:00 1 b b
instance e-b3 B 90002 "Phạm Thu Hương" dev-3 ${D}T10:00:00 ${D}T10:10:00 2 a a
instance e-b4 B 90002 "Phạm Thu Hương" dev-3 ${D}T11:00:00 ${D}T11:10:00 1 b x
mkzip all.zip $(cd in && for f in *.xml; do printf '%s=%s ' "$f" "$T/in/$f"; done) \
	"a1.xml=$I/a1.xml" "a1-edit.xml=$I/a1-edit.xml"
# the same without e-a1 (the submission to exclude)
mkzip without.zip $(cd in && for f in *.xml; do [ "$f" = e-a1.xml ] || printf '%s=%s ' "$f" "$T/in/$f"; done) \
	"a1.xml=$I/a1.xml" "a1-edit.xml=$I/a1-edit.xml"

# tally_dump DB: the published tally (the run's row without its id, every table of results)
tally_dump() {
	sqlite3 "$1" "SELECT def_id, def_version, computed_at, aggregation, under_quota, submissions FROM tally_run ORDER BY id DESC LIMIT 1" &&
		sqlite3 "$1" '.dump tally_commune tally_field tally_group tally_detail'
}
for db in t.db never.db; do
	ok "init $db" setup_db $db
	ok "scores $db" parindex scores import --db $db "$DATA/scores/mini.csv"
done
ok "import" parindex capture import --db t.db all.zip
ok "import without e-a1" parindex capture import --db never.db without.zip
ok "tally" parindex tally --db t.db
ok "tally without e-a1" parindex tally --db never.db
tally_dump t.db >before.sql
tally_dump never.db >never.sql
not_ok "e-a1 counts in the tally" cmp -s before.sql never.sql

golden exclude parindex capture exclude --db t.db --reason "phỏng vấn qua điện thoại, không gặp trực tiếp" uuid:e-a1
same "recorded" "$(q "SELECT instance_id, reason, excluded_by = '$(id -un)', excluded_at, coalesce(included_at, '-') FROM exclusion")" \
	"uuid:e-a1|phỏng vấn qua điện thoại, không gặp trực tiếp|1|2026-01-15T08:00:00Z|-"
golden tally-excluded parindex tally --db t.db
tally_dump t.db >excluded.sql
ok "the tally with e-a1 excluded is the tally without it" cmp excluded.sql never.sql
golden tally-never parindex tally --db never.db
# the system user's name, which the exclusion records, shown as USER
as_user() {
	"$@" >user.out 2>user.err
	_s=$?
	_e="s/\t$(id -un)\t/\tUSER\t/; s/ by $(id -un): / by USER: /"
	sed "$_e" user.out
	sed "$_e" user.err >&2
	return $_s
}
golden list-excluded as_user parindex capture list --db t.db

# the report says how many were excluded and why (a section of index.html); none without
ok "report with the exclusion" parindex report --db t.db --out rep-excluded --formats html
same "the report's section" "$(sed -n '/<h2>Phiếu khảo sát bị loại/,/<\/section>/p' rep-excluded/index.html)" \
	"<h2>Phiếu khảo sát bị loại</h2>
<p>1 phiếu khảo sát bị loại khỏi tổng hợp theo quyết định của cơ quan tổ chức khảo sát, không tính vào kết quả trên. Lý do:</p>
<ul class=\"exclusions\">
<li>phỏng vấn qua điện thoại, không gặp trực tiếp: 1 phiếu</li>
</ul>
</section>"
same "counted from the tally" "$(grep -c 'từ 9 phiếu khảo sát' rep-excluded/index.html)" 1
ok "report of the database that never had it" parindex report --db never.db --out rep-never --formats html
same "no section without exclusions" "$(grep -c 'Phiếu khảo sát bị loại' rep-never/index.html)" 0

golden include parindex capture include --db t.db uuid:e-a1
ok "tally after include" parindex tally --db t.db
tally_dump t.db >included.sql
ok "including it again restores the tally byte for byte" cmp before.sql included.sql
same "the exclusion kept, taken back" "$(q "SELECT instance_id, included_by = '$(id -un)', included_at FROM exclusion")" \
	"uuid:e-a1|1|2026-01-15T08:00:00Z"
same "both in the audit log" "$(q "SELECT who = '$(id -un)', address, what FROM audit ORDER BY id")" \
	"1|cli|capture exclude uuid:e-a1: phỏng vấn qua điện thoại, không gặp trực tiếp
1|cli|capture include uuid:e-a1"
golden list-none parindex capture list --db t.db

# refusals: nothing recorded by any of them
ok "dump before the refusals" sh -c 'sqlite3 t.db .dump >refusals-before.sql'
golden unknown parindex capture exclude --db t.db --reason "?" uuid:nobody
golden replaced parindex capture exclude --db t.db --reason "an old copy" uuid:00000000-0000-4000-8000-000000000001
golden include-not-excluded parindex capture include --db t.db uuid:e-a2
golden include-unknown parindex capture include --db t.db uuid:nobody
golden no-reason parindex capture exclude --db t.db uuid:e-a2
golden blank-reason parindex capture exclude --db t.db --reason "  " uuid:e-a2
golden no-instance parindex capture exclude --db t.db --reason why
ok "nothing recorded by a refusal" cmp refusals-before.sql "$(sqlite3 t.db .dump >refusals-after.sql; echo refusals-after.sql)"
ok "exclude e-a2" parindex capture exclude --db t.db --reason "twice" uuid:e-a2
golden twice as_user parindex capture exclude --db t.db --reason "twice again" uuid:e-a2

# a reason is data: shown escaped on the terminal, as text in the HTML
ok "exclude with a hostile reason" parindex capture exclude --db t.db --reason "$(printf 'x\033[31m<b>=1+2')" uuid:e-a3
same "listed escaped" "$("$PARINDEX" capture list --db t.db | grep '^uuid:e-a3' | cut -f 6)" 'x\x1b[31m<b>=1+2'
ok "tally" parindex tally --db t.db
ok "report" parindex report --db t.db --out rep-hostile --formats html
same "in the HTML as text" "$(grep -c '<li>x\[31m&lt;b&gt;=1+2: 1 phiếu</li>' rep-hostile/index.html)" 1

# an excluded edit: the submission it replaced counts again, as if the edit had never been
# imported; that one can then be excluded too, as if neither had been
A1=uuid:00000000-0000-4000-8000-000000000001 A1EDIT=uuid:00000000-0000-4000-8000-000000000011
mkzip no-edit.zip $(cd in && for f in *.xml; do printf '%s=%s ' "$f" "$T/in/$f"; done) "a1.xml=$I/a1.xml"
mkzip neither.zip $(cd in && for f in *.xml; do printf '%s=%s ' "$f" "$T/in/$f"; done)
for db in c.db c-no-edit.db c-neither.db; do
	ok "init $db" setup_db $db
	ok "scores $db" parindex scores import --db $db "$DATA/scores/mini.csv"
done
ok "import all" parindex capture import --db c.db all.zip
ok "import without the edit" parindex capture import --db c-no-edit.db no-edit.zip
ok "import without a1 and its edit" parindex capture import --db c-neither.db neither.zip
for db in c.db c-no-edit.db c-neither.db; do ok "tally $db" parindex tally --db $db; done
tally_dump c.db >c-before.sql
tally_dump c-no-edit.db >c-no-edit.sql
tally_dump c-neither.db >c-neither.sql
not_ok "the edit counts in the tally" cmp -s c-before.sql c-no-edit.sql
not_ok "a1 counts without its edit" cmp -s c-no-edit.sql c-neither.sql
ok "exclude the edit" parindex capture exclude --db c.db --reason "sửa sai" $A1EDIT
ok "tally" parindex tally --db c.db
tally_dump c.db >c-edit-excluded.sql
ok "the edit excluded: the tally of a database without it" cmp c-edit-excluded.sql c-no-edit.sql
ok "a1 counts again, so it can be excluded" parindex capture exclude --db c.db --reason "trùng" $A1
golden tally-chain parindex tally --db c.db
tally_dump c.db >c-both-excluded.sql
ok "both excluded: the tally of a database without either" cmp c-both-excluded.sql c-neither.sql
same "quality checks both, marked" "$("$PARINDEX" quality --db c.db --format json | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["submissions"])')" 11
ok "include a1" parindex capture include --db c.db $A1
ok "include the edit" parindex capture include --db c.db $A1EDIT
ok "tally" parindex tally --db c.db
tally_dump c.db >c-after.sql
ok "both included: the tally as before, byte for byte" cmp c-before.sql c-after.sql

# an exclusion names the instance: undoing its batch and importing it again keeps it
ok "undo" parindex capture undo --db t.db 1
ok "import again" parindex capture import --db t.db all.zip
same "still excluded after undo and import" "$(q "SELECT count(*) FROM counted_submission WHERE instance_id = 'uuid:e-a2'") $(q "SELECT count(*) FROM current_submission WHERE instance_id = 'uuid:e-a2'")" "0 1"

finish
