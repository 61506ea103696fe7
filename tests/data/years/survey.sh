# Survey rows for tests/data/definitions/mini.xml in two years (sourced by t3031 and
# t4031): years_forms VERSION prints the forms of definition mini VERSION (and batch VERSION);
# years_full VERSION CODE... prints, per commune, two forms of group A (qa a, qb a) and two
# of group B (qa a, qc a): every question scores 1, so the survey's 5 points are all had
# and the index is 50 + 10 x the self-assessed points.
years_forms() {
	echo "INSERT INTO form (id, version, def_id, def_version, group_id, sha256, content, generated_at) VALUES ('mini-A', '$1', 'mini', '$1', 'A', 'x', X'78', '2026-01-01T00:00:00Z'), ('mini-B', '$1', 'mini', '$1', 'B', 'x', X'78', '2026-01-01T00:00:00Z');"
	echo "INSERT INTO batch (id, file_name, sha256, size, entries, started_at, finished_at, accepted, duplicates, edits, rejected, ignored) VALUES ($1, 'y$1.zip', 'x$1', 0, 0, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 0, 0, 0, 0, 0);"
}
years_full() {
	v=$1
	shift
	for c in "$@"; do
		for k in 1 2 3 4; do
			if [ $k -le 2 ]; then g=A a='{"qa":"a","qb":"a"}'; else g=B a='{"qa":"a","qc":"a"}'; fi
			echo "INSERT INTO submission (instance_id, form_id, form_version, group_id, commune_code, surveyor, answers, sha256, batch_id) VALUES ('uuid:$v-$c-$k', 'mini-$g', '$v', '$g', '$c', 's', '$a', 'x', $v);"
		done
	done
}
# years_database DB: the two years of t3031 in DB, each tallied (no resamples), 2025 active.
years_database() {
	sed 's/version="1" year="2024"/version="2" year="2025"/' "$DATA/definitions/mini.xml" >mini-2025.xml
	parindex init --db "$1" --definition "$DATA/definitions/mini.xml" \
		--communes "$DATA/years/communes-2024.csv" >/dev/null &&
		{ years_forms 1; years_full 1 90001 90002 90003 90004; } | sqlite3 "$1" &&
		parindex scores import --db "$1" "$DATA/years/scores-2024.csv" >/dev/null &&
		parindex tally --db "$1" --resamples 0 >/dev/null &&
		parindex init --db "$1" --definition mini-2025.xml --communes "$DATA/years/communes-2025.csv" \
			--merges "$DATA/years/merges.csv" >/dev/null &&
		{ years_forms 2; years_full 2 90001 90005 90010 90014; } | sqlite3 "$1" &&
		parindex scores import --db "$1" "$DATA/years/scores-2025.csv" >/dev/null &&
		parindex tally --db "$1" --resamples 0 >/dev/null
}
