# Survey rows of tests/data/definitions/mini.xml as capture stores them, for the CLI tests
# that write them by hand (sourced): mini_forms prints its two forms and one batch;
# sub COMMUNE GROUP ANSWERS-JSON prints one submission, ids counted in $n.
n=0
mini_forms() {
	echo "INSERT INTO form (id, version, def_id, def_version, group_id, sha256, content, generated_at) VALUES ('mini-A', '1', 'mini', '1', 'A', 'x', X'78', '2026-01-01T00:00:00Z'), ('mini-B', '1', 'mini', '1', 'B', 'x', X'78', '2026-01-01T00:00:00Z');"
	echo "INSERT INTO batch (id, file_name, sha256, size, entries, started_at, finished_at, accepted, duplicates, edits, rejected, ignored) VALUES (1, 't.zip', 'x', 0, 0, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 0, 0, 0, 0, 0);"
}
sub() {
	n=$((n + 1))
	echo "INSERT INTO submission (id, instance_id, form_id, form_version, group_id, commune_code, surveyor, answers, sha256, batch_id) VALUES ($n, 'uuid:$n', 'mini-$2', '1', '$2', '$1', 's', '$3', 'x', 1);"
}
