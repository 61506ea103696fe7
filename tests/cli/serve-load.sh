# Sourced by the server's load tests (t5004, t5005) after lib.sh, capture/setup.sh and
# serve.sh: the load generator (tests/bench/serve-load.c, $SERVE_LOAD) against the server
# serve_start started, and what its log and the database say afterwards.
#   load_setup N SEED         t.db (setup_db) with the surveyor lan, load.zip of N submissions
#                             of the mini definition (flat), their instanceIDs in all.txt;
#                             sets N
#   add_surveyor DB NAME      a surveyor for every commune of the capture tests' register,
#                             password "$NAME-password"
#   zip_ids ZIP               the instanceIDs of the zip's entries, sorted
#   load_start ZIP NAME LOG [OPTION...]
#                             serve-load in the background as surveyor NAME (sets LOAD_PID)
#   load_run ZIP NAME LOG [OPTION...]
#                             serve-load in the foreground, its output shown; its status
#   wait_answers LOG N        wait until LOG holds N answers 201; 1 when serve-load ended or
#                             60 s passed first
#   answered_201 LOG          the instanceIDs LOG says were answered 201, sorted
#   q_half_stored [DB]        one line per submission or batch that is not whole: a
#                             submission without its batch or its batch entry, a batch whose
#                             counts differ from its entries; nothing when all is whole
load_setup() {
	N=$1
	setup_db
	ok "a surveyor for every commune" add_surveyor t.db lan
	ok "generate $N" "$GEN_BATCH" --definition "$DATA/definitions/mini.xml" \
		--communes "$CAP/communes.csv" --count "$N" --seed "$2" --layout flat --out load.zip
	zip_ids load.zip >all.txt
	same "$N instanceIDs in the zip" "$(wc -l <all.txt)" "$N"
}

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
	SELECT 'submission ' || instance_id || ': no batch ' || batch_id FROM submission
		WHERE batch_id NOT IN (SELECT id FROM batch WHERE undone_at IS NULL);
	SELECT 'submission ' || instance_id || ': no entry in batch ' || batch_id FROM (
		SELECT batch_id, instance_id FROM submission EXCEPT
		SELECT batch_id, instance_id FROM batch_entry WHERE status IN ('accepted', 'edit'));
	WITH e AS (SELECT batch_id, count(*) AS entries,
			sum(status = 'accepted') AS accepted, sum(status = 'duplicate') AS duplicates,
			sum(status = 'edit') AS edits, sum(status = 'rejected') AS rejected,
			sum(status = 'ignored') AS ignored FROM batch_entry GROUP BY batch_id),
		s AS (SELECT batch_id, count(*) AS stored FROM submission GROUP BY batch_id)
	SELECT 'batch ' || b.id || ': counts differ from its entries' FROM batch b
		LEFT JOIN e ON e.batch_id = b.id LEFT JOIN s ON s.batch_id = b.id
		WHERE b.entries != coalesce(e.entries, 0) OR b.accepted != coalesce(e.accepted, 0)
		OR b.duplicates != coalesce(e.duplicates, 0) OR b.edits != coalesce(e.edits, 0)
		OR b.rejected != coalesce(e.rejected, 0) OR b.ignored != coalesce(e.ignored, 0)
		OR (b.undone_at IS NULL AND b.accepted + b.edits != coalesce(s.stored, 0));"
}
