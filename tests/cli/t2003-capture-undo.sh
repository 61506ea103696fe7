# parindex capture undo: a chain of two edits over three batches, undone in turn, each undo
# leaving the database as it was without its batch (undoing an edited batch makes the later
# edits wait for their original again); a batch undone can be imported again.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"

setup_db
mkzip first.zip "a1.xml=$I/a1.xml" "a2.xml=$I/a2.xml" "b1.xml=$I/b1.xml"
mkzip second.zip "a1-edit.xml=$I/a1-edit.xml"
mkzip third.zip "a1-edit2.xml=$I/a1-edit2.xml"
cur() { q "SELECT group_concat(substr(instance_id, -2) || '=' || answers, ' ') FROM (SELECT * FROM current_submission ORDER BY id)"; }

dump >dump0.sql
ok "first batch" parindex capture import --db t.db first.zip
dump >dump1.sql
golden second parindex capture import --db t.db second.zip
dump >dump2.sql
golden third parindex capture import --db t.db third.zip
same "current: the last edit of a1, a2, b1" "$(cur)" \
	'02={"sex":"1","qa":"b","qb":"c"} 31={"sex":"2","qa":"a","qc":"x"} 12={"sex":"2","qa":"c","qb":"a"}'
same "history: a1 -> edit -> edit2" \
	"$(q "SELECT group_concat(substr(instance_id, -2) || ':' || coalesce(substr((SELECT instance_id FROM submission r WHERE r.id = s.replaces), -2), '-') || ':' || (superseded_by IS NOT NULL), ' ') FROM (SELECT * FROM submission ORDER BY id) s")" \
	"01:-:1 02:-:0 31:-:0 11:01:1 12:11:0"

# undoing the middle of the chain: a1 is current again, and the second edit, whose original
# is gone, waits for it and counts meanwhile (as if batch 2 had never come)
golden undo-second parindex capture undo --db t.db 2
same "current: a1 and the waiting second edit" "$(cur)" \
	'01={"sex":"2","qa":"a","qb":"b"} 02={"sex":"1","qa":"b","qb":"c"} 31={"sex":"2","qa":"a","qc":"x"} 12={"sex":"2","qa":"c","qb":"a"}'
same "the second edit waits for its original" \
	"$(q "SELECT substr(instance_id, -2) || ':' || substr(deprecated_id, -2) || ':' || coalesce(replaces, '-') FROM submission WHERE deprecated_id IS NOT NULL")" "12:11:-"
golden list-waiting parindex capture list --db t.db
golden undo-second-again parindex capture undo --db t.db 2
golden undo-third parindex capture undo --db t.db 3
ok "undo of batches 2 and 3: database as before them" cmp dump1.sql "$(dump >now.sql; echo now.sql)"
golden undo-first parindex capture undo --db t.db 1
ok "undo of batch 1: database as before it" cmp dump0.sql "$(dump >now.sql; echo now.sql)"
same "undo kept the batch records" "$(q "SELECT group_concat(id || ':' || undone_at, ' ') FROM batch")" \
	"1:2026-01-15T08:00:00Z 2:2026-01-15T08:00:00Z 3:2026-01-15T08:00:00Z"
golden list parindex capture list --db t.db

# an undone zip may come in again, and its edits apply as before
golden reimport parindex capture import --db t.db first.zip second.zip third.zip
same "current again" "$(cur)" \
	'02={"sex":"1","qa":"b","qb":"c"} 31={"sex":"2","qa":"a","qc":"x"} 12={"sex":"2","qa":"c","qb":"a"}'

# usage
golden undo-unknown parindex capture undo --db t.db 99
golden undo-bad-arg parindex capture undo --db t.db two
golden no-subcommand parindex capture
golden bad-subcommand parindex capture export
golden import-no-file parindex capture import --db t.db
golden import-bad-limit parindex capture import --db t.db --max-entries -3 first.zip
golden import-no-db parindex capture import --db nothing.db first.zip
golden import-missing-zip parindex capture import --db t.db missing.zip

finish
