# Sourced by the server's load tests (t5004, t5005) after lib.sh, capture/setup.sh and
# serve.sh: the load generator (tests/bench/serve-load.c, $SERVE_LOAD) against the server
# serve_start started, and what its log and the database say afterwards.
#   add_surveyor DB NAME      a surveyor for every commune of the capture tests' register,
#                             password "$NAME-password"
#   zip_ids ZIP               the instanceIDs of the zip's entries, sorted
#   load_start ZIP NAME LOG [OPTION...]
#                             serve-load in the background as surveyor NAME (sets LOAD_PID)
#   load_run ZIP NAME LOG [OPTION...]
#                             serve-load in the foreground; its status
#   wait_answers LOG N        wait until LOG holds N answers 201; 1 when serve-load ended or
#                             60 s passed first
#   answered_201 LOG          the instanceIDs LOG says were answered 201, sorted
#   q_half_stored [DB]        one line per submission or batch that is not whole: a
#                             submission without its batch or its batch entry, a batch whose
#                             counts differ from its entries; nothing when all is whole
add_surveyor() {
	tail -n +2 "$CAP/communes.csv" | cut -d, -f1 | paste -sd, - >"$T/.codes"
	echo "$2-password" | "$PARINDEX" user add --db "$1" "$2" --role surveyor \
		--communes "$(cat "$T/.codes")" --password-stdin
}

zip_ids() {
	unzip -p "$1" | grep -o '<instanceID>[^<]*' | sed 's/^<instanceID>//' | sort
}

load_start() {
	_zip=$1 _name=$2 _log=$3
	shift 3
	"$SERVE_LOAD" --url "http://127.0.0.1:$SERVE_PORT" --user "$_name" \
		--password "$_name-password" --zip "$_zip" --log "$_log" "$@" >"$_log.out" 2>&1 &
	LOAD_PID=$!
}

load_run() {
	_zip=$1 _name=$2 _log=$3
	shift 3
	"$SERVE_LOAD" --url "http://127.0.0.1:$SERVE_PORT" --user "$_name" \
		--password "$_name-password" --zip "$_zip" --log "$_log" "$@" >"$_log.out" 2>&1
	_status=$?
	cat "$_log.out"
	return $_status
}

wait_answers() {
	_i=0
	while [ "$(awk -F'\t' '$2 == 201' "$1" 2>/dev/null | wc -l)" -lt "$2" ]; do
		kill -0 "$LOAD_PID" 2>/dev/null && [ $_i -lt 600 ] || return 1
		sleep 0.1
		_i=$((_i + 1))
	done
}

answered_201() {
	awk -F'\t' '$2 == 201 { print $1 }' "$1" | sort
}

q_half_stored() {
	sqlite3 -batch -noheader "${1:-t.db}" "
	SELECT 'submission ' || s.instance_id || ': no batch ' || s.batch_id FROM submission s
		WHERE NOT EXISTS (SELECT 1 FROM batch b WHERE b.id = s.batch_id AND b.undone_at IS NULL);
	SELECT 'submission ' || s.instance_id || ': no entry in batch ' || s.batch_id
		FROM submission s WHERE NOT EXISTS (SELECT 1 FROM batch_entry e WHERE e.batch_id = s.batch_id
			AND e.instance_id = s.instance_id AND e.status IN ('accepted', 'edit'));
	SELECT 'batch ' || b.id || ': counts differ from its entries' FROM batch b WHERE
		b.entries != (SELECT count(*) FROM batch_entry e WHERE e.batch_id = b.id)
		OR b.accepted != (SELECT count(*) FROM batch_entry e WHERE e.batch_id = b.id AND e.status = 'accepted')
		OR b.duplicates != (SELECT count(*) FROM batch_entry e WHERE e.batch_id = b.id AND e.status = 'duplicate')
		OR b.edits != (SELECT count(*) FROM batch_entry e WHERE e.batch_id = b.id AND e.status = 'edit')
		OR b.rejected != (SELECT count(*) FROM batch_entry e WHERE e.batch_id = b.id AND e.status = 'rejected')
		OR b.ignored != (SELECT count(*) FROM batch_entry e WHERE e.batch_id = b.id AND e.status = 'ignored')
		OR (b.undone_at IS NULL AND b.accepted + b.edits != (SELECT count(*) FROM submission s WHERE s.batch_id = b.id));"
}
