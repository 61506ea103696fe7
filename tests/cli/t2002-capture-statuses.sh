# parindex capture import: every status and reason code in one batch; valid entries stored,
# rejected ones not; an edit whose original is not stored counts until it arrives; dry run;
# importing the same zip again; --all-or-nothing.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"

setup_db
set -- "a1.xml=$I/a1.xml" "a2.xml=$I/a2.xml" "b1.xml=$I/b1.xml" \
	"again/a1.xml=$I/a1.xml" "a1-conflict.xml=$I/a1-conflict.xml" \
	"a1-edit.xml=$I/a1-edit.xml" "a1-edit-stale.xml=$I/a1-edit-stale.xml" \
	"edit-unknown.xml=$I/edit-unknown.xml" "edit-other-form.xml=$I/edit-other-form.xml" \
	"photo.jpg=$CAP/communes.csv"
for f in "$I"/bad-*.xml; do set -- "$@" "$(basename "$f")=$f"; done
mkzip all.zip "$@"

ok "empty database dump" sh -c 'sqlite3 t.db .dump > before.sql'
golden dry-run parindex capture import --db t.db --dry-run --receipt dry.csv all.zip
ok "dry run stores nothing" cmp -s before.sql "$(sqlite3 t.db .dump > after.sql; echo after.sql)"
golden all-or-nothing parindex capture import --db t.db --all-or-nothing all.zip
ok "all-or-nothing stores nothing" cmp -s before.sql "$(sqlite3 t.db .dump > after.sql; echo after.sql)"

golden import parindex capture import --db t.db --source "Bưu điện huyện" --operator "Đỗ Minh Quyết" --receipt all.csv all.zip
golden receipt cat all.csv
ok "dry run wrote the same receipt" cmp -s dry.csv all.csv
same "stored: the valid ones, the edit replacing a1, the edit whose original is not stored" \
	"$(q "SELECT group_concat(substr(instance_id, -2) || ':' || coalesce(replaces, '-') || ':' || coalesce(superseded_by, '-'), ' ') FROM (SELECT * FROM submission ORDER BY id)")" \
	"01:-:4 02:-:- 31:-:- 11:1:- 14:-:-"
same "current submissions" "$(q "SELECT group_concat(substr(instance_id, -2), ' ') FROM (SELECT * FROM current_submission ORDER BY id)")" "02 31 11 14"
same "the edit's answers count" "$(q "SELECT question_id || '=' || value FROM answer WHERE submission_id = 4 ORDER BY question_id")" "qa=x
qb=a
sex=2"
same "nothing of a rejected entry stored" "$(q "SELECT count(*) FROM submission WHERE instance_id IN (SELECT instance_id FROM batch_entry WHERE status = 'rejected')")" "1"
same "... except the original a conflicting copy collides with" "$(q "SELECT instance_id FROM submission WHERE instance_id IN (SELECT instance_id FROM batch_entry WHERE status = 'rejected')")" "uuid:00000000-0000-4000-8000-000000000001"
same "batch record" "$(q "SELECT file_name, length(sha256), size > 0, entries, accepted, duplicates, edits, rejected, ignored, source, operator, started_at, finished_at FROM batch")" \
	"all.zip|64|1|26|3|1|2|19|1|Bưu điện huyện|Đỗ Minh Quyết|2026-01-15T08:00:00Z|2026-01-15T08:00:00Z"
same "zip sha256 recorded" "$(q "SELECT sha256 FROM batch")" "$(sha256sum all.zip | cut -d' ' -f1)"
same "every entry recorded" "$(q "SELECT count(*) FROM batch_entry WHERE batch_id = 1")" "26"

ok "dump after the import" sh -c 'sqlite3 t.db .dump > imported.sql'
golden reimport parindex capture import --db t.db all.zip
ok "importing the same zip again (its rejected entries retried, still rejected) changes nothing" cmp -s imported.sql "$(sqlite3 t.db .dump > again.sql; echo again.sql)"
golden list parindex capture list --db t.db

# a zip of the same size as an imported one is not taken for it: only the same bytes are
sed 's/Trần Văn Hùng/Trần Văn Hưng/; s/0002</0092</' "$I/a2.xml" >a2-other.xml
(cd "$I" && zip -q -X -0 "$T/same-1.zip" a2.xml)
cp a2-other.xml a2.xml && zip -q -X -0 same-2.zip a2.xml
same "same size" "$(wc -c <same-1.zip)" "$(wc -c <same-2.zip)"
ok "first of the same size" parindex capture import --db t.db same-1.zip
ok "second of the same size" parindex capture import --db t.db same-2.zip
same "both recorded, each with its own sha256" \
	"$(q "SELECT group_concat(sha256, ' ') FROM (SELECT sha256 FROM batch WHERE file_name LIKE 'same-%' ORDER BY id)")" \
	"$(sha256sum same-1.zip | cut -d' ' -f1) $(sha256sum same-2.zip | cut -d' ' -f1)"
same "the second one's instance stored" "$(q "SELECT surveyor FROM submission WHERE instance_id LIKE '%0092'")" "Trần Văn Hưng"
golden same-again parindex capture import --db t.db same-2.zip

finish
