# parindex backup: a consistent copy of a database in use, checked (integrity_check, schema
# version, counts against the source at the copy's time) and only then given its name. A
# backup taken while another process imports a batch holds the batch wholly or not at all,
# and everything committed before it began; it restores to a database parindex works with.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"

gen() { "$GEN_BATCH" --definition "$DATA/definitions/mini.xml" --communes "$CAP/communes.csv" "$@"; }
setup_db
ok "generate 60" gen --count 60 --seed 3 --out first.zip
ok "generate 400" gen --count 400 --seed 4 --out big.zip
ok "import the first batch" parindex capture import --db t.db first.zip
ok "an account" sh -c 'echo "correct horse" | "$PARINDEX" user add --db t.db --role office hoa --password-stdin'

golden backup parindex backup --db t.db --out copy.db
ok "no temporary file left" sh -c '! ls copy.db.tmp* 2>/dev/null | grep -q .'
ok "the copy is one file: no -wal beside it" test ! -e copy.db-wal
same "the copy is in rollback-journal mode" "$(sqlite3 copy.db 'PRAGMA journal_mode')" delete
same "the copy passes integrity_check" "$(sqlite3 copy.db 'PRAGMA integrity_check')" ok
same "the copy holds the same rows" "$(sqlite3 copy.db .dump | sha256sum)" "$(sqlite3 t.db .dump | sha256sum)"

# the temporary copy has a name of its own: another backup's copy.db.tmp is not touched, and
# two backups to one file at once both finish
echo "another backup's copy" >copy.db.tmp
ok "backup beside another's temporary file" parindex backup --db t.db --out copy.db --force
same "the other temporary file is left alone" "$(cat copy.db.tmp)" "another backup's copy"
rm copy.db.tmp
"$PARINDEX" backup --db t.db --out twice.db --force >twice1.out 2>&1 &
pid1=$!
"$PARINDEX" backup --db t.db --out twice.db --force >twice2.out 2>&1 &
pid2=$!
wait $pid1
same "the first of two backups at once" "$?" 0
wait $pid2
same "the second of two backups at once" "$?" 0
same "their copy passes integrity_check" "$(sqlite3 twice.db 'PRAGMA integrity_check')" ok
ok "no temporary file left by either" sh -c '! ls twice.db.* 2>/dev/null | grep -q .'

golden exists parindex backup --db t.db --out copy.db
echo keep >other.db
golden exists-other parindex backup --db t.db --out other.db
same "an existing file is left alone" "$(cat other.db)" keep
golden force parindex backup --db t.db --out other.db --force
same "overwritten with --force" "$(sqlite3 other.db 'SELECT count(*) FROM submission')" 60
golden itself parindex backup --db t.db --out t.db --force
golden no-out parindex backup --db t.db
golden no-db parindex backup --db none.db --out x.db
golden no-folder parindex backup --db t.db --out nosuch/x.db
ok "no copy for a missing database" test ! -e x.db
ok "nothing left in a missing folder" test ! -e nosuch

echo 'not a database' >text.db
golden not-a-database parindex backup --db text.db --out x.db
ok "no copy of a text file" test ! -e x.db

# a database of an older schema version (before accounts) is backed up as it is: a copy is
# wanted before 'parindex init' upgrades it
cp t.db old.db
sqlite3 old.db "DROP TABLE audit; DROP TABLE account_group; DROP TABLE account_commune;
	DROP TABLE account; PRAGMA user_version = 6"
golden older-schema parindex backup --db old.db --out old-copy.db
same "the older copy keeps its version" "$(sqlite3 old-copy.db 'PRAGMA user_version')" 6
not_ok "other commands refuse the older database" parindex capture list --db old-copy.db

# restore: copy back and parindex works with it as with the original
cp copy.db restored.db
same "capture list of the restored copy" "$(parindex capture list --db restored.db)" \
	"$(parindex capture list --db t.db)"
ok "user list of the restored copy" sh -c '"$PARINDEX" user list --db restored.db | grep -q "^hoa	office"'

# a damaged source: the copy fails its check and is not kept
cp t.db bad.db
# the question index's page gets a bad page type: no count reads it, integrity_check does
page=$(sqlite3 bad.db "SELECT pageno FROM dbstat WHERE name = 'sqlite_autoindex_question_1' LIMIT 1")
python3 - bad.db "$page" <<'PY'
import sys
f = open(sys.argv[1], "r+b")
f.seek((int(sys.argv[2]) - 1) * 16384)
f.write(b"\xa5")
PY
golden damaged parindex backup --db bad.db --out bad-copy.db
ok "no copy of it kept" sh -c '! ls bad-copy.db* 2>/dev/null | grep -q .'

# while another process imports 400 submissions in one transaction (slowed down so the backup
# surely falls inside it): the backup does not wait for it and holds none of the batch
slow_import big.zip
ok "the import holds the write lock" kill -0 $pid
ok "backup during the import" parindex backup --db t.db --out during.db
ok "the import was still running when the backup finished" kill -0 $pid
wait $pid
same "the import finished" "$?" 0
same "the import stored its batch" "$(q 'SELECT count(*) FROM submission')" 460
same "the copy passes integrity_check" "$(sqlite3 during.db 'PRAGMA integrity_check')" ok
same "the copy holds what was committed before it, none of the batch" \
	"$(sqlite3 during.db "SELECT count(*), (SELECT group_concat(file_name) FROM batch) FROM submission")" "60|first.zip"
ok "backup after the import" parindex backup --db t.db --out after.db
same "then the batch is in it, whole" \
	"$(sqlite3 after.db "SELECT count(*), (SELECT group_concat(file_name) FROM batch) FROM submission")" "460|first.zip,big.zip"

finish
