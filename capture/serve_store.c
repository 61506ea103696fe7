/* The server's submission path (serve.h): a submission is parsed and validated as `capture
   import` does it, checked against the surveyor's scope and against what is stored or spooled
   under its instanceID, then written to the spool, an SQLite file beside the database
   (DB.spool, WAL, synchronous FULL). One writer thread takes every pending submission at once,
   writes them in one transaction (one sync), and wakes their callers: a 201 is sent only
   when the submission is on disk, even while another process holds the database's write
   lock. An applier thread moves spooled rows into the database through capture's writer
   (capture_writer_*), many per transaction, one batch per surveyor per day (Vietnam's date),
   and records the spool position it applied in the same transaction, so that applying twice
   is harmless; the writer then deletes the applied rows. Rejected submissions (400, 403, 409)
   are spooled and applied too, as rejected entries of the surveyor's batch. */
#include "serve.h"
#include "serve_store.h"
#include "capture.h"
#include "encrypted.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "text.h"

#define APPLY_MAX 2000    /* spooled submissions applied per transaction */
/* the applier's rounds start at least this far apart: the 201s do not wait for it (the spool
   is durable), and larger transactions cost the database fewer syncs per submission */
#define APPLY_GAP_NS 50000000L
#define KEEP 200          /* bytes kept of an id, form or commune for the entry row */
#define SETTING "serve_spool" /* setting: "SPOOLID SEQ", the spool position applied */
/* a web survey's code spooled and not applied yet is kept in the pending map under this
   prefix and its hash (an instanceID never starts with a space) */
#define CODE_CLAIM " code "

static const char spool_schema[] =
	"CREATE TABLE IF NOT EXISTS spool_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) "
	"STRICT;"
	"CREATE TABLE IF NOT EXISTS spool ("
	" seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	" received_at TEXT NOT NULL,"  /* db_now() when it came */
	" account TEXT NOT NULL,"      /* who sent it */
	" status INTEGER NOT NULL,"    /* what the sender was told: 201, 400, 403, 409 */
	" reason TEXT NOT NULL,"
	" message TEXT NOT NULL,"
	" instance_id TEXT, form_id TEXT, commune TEXT,"
	" xml BLOB NOT NULL,"
	" checked BLOB," /* a 201's validated submission: checked_encode */
	" channel TEXT, code TEXT) STRICT;"; /* the web survey's and paper's (serve_user): NULL
						for Collect */

/* The spool of a server from before `checked` (a crash, then the new binary) gets it. */
static int spool_upgrade(sqlite3 *db, struct perr *err)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, "SELECT checked FROM spool LIMIT 0", -1, &st, NULL) ==
	    SQLITE_OK)
		sqlite3_finalize(st);
	else if (db_exec(db, "ALTER TABLE spool ADD COLUMN checked BLOB", err) < 0)
		return -1;
	/* and from before the web survey (migration 0015), its channel and code */
	if (sqlite3_prepare_v2(db, "SELECT channel, code FROM spool LIMIT 0", -1, &st, NULL) ==
	    SQLITE_OK) {
		sqlite3_finalize(st);
		return 0;
	}
	return db_exec(db, "ALTER TABLE spool ADD COLUMN channel TEXT; "
			   "ALTER TABLE spool ADD COLUMN code TEXT", err);
}

char *serve_spool_path(const char *db_path)
{
	return xasprintf("%s.spool", db_path);
}

/* ---- the spool file ---- */

/* Sync the folder of path: a file just made there survives a power cut with its name. */
static void sync_folder(const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int fd;

	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

static int spool_open(const char *path, int create, sqlite3 **out, char id[40],
		      struct perr *err)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	unsigned char r[8];
	char hex[17];
	int rc;

	*out = NULL;
	if (db_open_file(&db, path,
			 SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
				 (create ? SQLITE_OPEN_CREATE : 0), err) < 0)
		return -1;
	if (db_exec(db, "PRAGMA journal_mode = WAL", err) < 0 ||
	    db_exec(db, "PRAGMA synchronous = FULL", err) < 0 ||
	    db_exec(db, spool_schema, err) < 0 || spool_upgrade(db, err) < 0)
		goto fail;
	/* the spool's own id: a spool made anew (the old one lost) starts its positions again */
	if (getrandom(r, sizeof(r), 0) != sizeof(r)) {
		perr_set(err, PERR_SYSTEM, path, "no random bytes: %s", strerror(errno));
		goto fail;
	}
	text_hex(r, sizeof(r), hex);
	if (db_prepare(db, &st, "INSERT OR IGNORE INTO spool_meta VALUES ('id', ?)", err) < 0)
		goto fail;
	sqlite3_bind_text(st, 1, hex, -1, SQLITE_STATIC);
	if (db_step_done(db, st, err) < 0)
		goto fail;
	sqlite3_finalize(st);
	if (db_prepare(db, &st, "SELECT value FROM spool_meta WHERE key = 'id'", err) < 0)
		goto fail;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		db_fail(db, err, "reading the spool");
		goto fail;
	}
	snprintf(id, 40, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (create)
		sync_folder(path);
	*out = db;
	return 0;
fail:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return -1;
}

/* ---- applying the spool to a database ---- */

/* Vietnam's date (UTC+7) of an ISO 8601 UTC time, "YYYY-MM-DD". */
static void vietnam_date(const char *utc, char out[16])
{
	struct tm tm = { 0 };
	time_t t;

	if (sscanf(utc, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
		   &tm.tm_min, &tm.tm_sec) != 6) {
		snprintf(out, 16, "%.10s", utc);
		return;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm) + 7 * 3600;
	gmtime_r(&t, &tm);
	strftime(out, 16, "%Y-%m-%d", &tm);
}

/* A validated submission as the spool keeps it, so that the applier need not parse and
   validate it again while the forms and the register are those it was checked against:
   the registry's signature (64 hex), the sha256 of the XML (64 hex), then 10 strings (the
   form's id and version, instance_id, deprecated_id, commune, surveyor, started, ended,
   device_id, comment), each '\1', its bytes and a NUL, or a NUL alone when absent, then the
   answers (JSON) to the end. */
#define CHECKED_NSTR 10

static void checked_encode(struct strbuf *b, const char sig[65], const char sha[65],
			   const struct capture_submission *sub)
{
	const char *v[CHECKED_NSTR] = {
		sub->form->id,	 sub->form->version, sub->instance_id, sub->deprecated_id,
		sub->commune,	 sub->surveyor,	     sub->started,     sub->ended,
		sub->device_id, sub->comment
	};

	strbuf_reset(b);
	strbuf_add(b, sig, 64);
	strbuf_add(b, sha, 64);
	for (int i = 0; i < CHECKED_NSTR; i++) {
		if (v[i]) {
			strbuf_addc(b, '\1');
			strbuf_add(b, v[i], strlen(v[i]));
		}
		strbuf_addc(b, '\0');
	}
	strbuf_add(b, sub->answers.buf, sub->answers.len);
}

/* Fill sub and sha from a checked blob when it was made against a registry of signature sig
   (reg): 0, or -1 when it was checked against other forms or another register, or does not
   decode (then the XML is parsed and validated again). */
static int checked_decode(const void *blob, size_t len, const char sig[65],
			  const struct capture_registry *reg, struct capture_submission *sub,
			  char sha[65])
{
	const char *at = blob, *end;
	const struct capture_form *form = NULL;
	size_t off[CHECKED_NSTR];

	/* a spool row of the old shape has no blob: NULL, never offset (UBSan) */
	if (!blob || len < 128 || memcmp(at, sig, 64))
		return -1;
	end = at + len;
	memcpy(sha, at + 64, 64);
	sha[64] = '\0';
	at += 128;
	strbuf_reset(&sub->pool);
	for (int i = 0; i < CHECKED_NSTR; i++) {
		const char *nul;

		if (at >= end)
			return -1;
		if (*at == '\0') {
			off[i] = SIZE_MAX;
			at++;
			continue;
		}
		if (*at != '\1' || !(nul = memchr(at + 1, '\0', (size_t)(end - at - 1))))
			return -1;
		off[i] = sub->pool.len;
		strbuf_add(&sub->pool, at + 1, (size_t)(nul - at)); /* with its NUL */
		at = nul + 1;
	}
	/* the form, the instanceID, the commune and the surveyor are never absent */
	if (off[0] == SIZE_MAX || off[1] == SIZE_MAX || off[2] == SIZE_MAX ||
	    off[4] == SIZE_MAX || off[5] == SIZE_MAX)
		return -1;
	for (size_t i = 0; i < reg->nforms && !form; i++)
		if (!strcmp(reg->forms[i].id, sub->pool.buf + off[0]) &&
		    !strcmp(reg->forms[i].version, sub->pool.buf + off[1]))
			form = &reg->forms[i];
	if (!form)
		return -1;
	strbuf_reset(&sub->answers);
	strbuf_add(&sub->answers, at, (size_t)(end - at));
	capture_submission_point(sub, form, off + 2);
	return 0;
}

/* The applier's state: its statements are prepared once (apply_prepare) and kept as long as
   the store is open; the rest is reset by each apply_rows. */
struct apply {
	sqlite3 *db;
	const struct capture_registry *reg;
	const char *sig; /* reg's signature */
	struct capture_parser *p;
	struct capture_submission *sub;
	struct capture_writer *w;
	sqlite3_stmt *find_batch, *new_batch, *next_seq, *count;
	sqlite3_stmt *find_web, *new_web, *code_free, *code_use; /* the web survey's */
	sqlite3_stmt *row; /* the spool's rows past a position */
	char account[KEEP + 16], day[16]; /* the batch in hand: its account, or channel and commune */
	int64_t batch, seq; /* and its next entry's seq */
	/* what the batch in hand got since its counts were last written */
	long long entries, size, got[CAPTURE_NSTATUS];
	char finished[32];
	struct serve_applied *done;
};

static void apply_release(struct apply *a)
{
	capture_writer_free(a->w);
	sqlite3_finalize(a->find_batch);
	sqlite3_finalize(a->new_batch);
	sqlite3_finalize(a->next_seq);
	sqlite3_finalize(a->count);
	sqlite3_finalize(a->find_web);
	sqlite3_finalize(a->new_web);
	sqlite3_finalize(a->code_free);
	sqlite3_finalize(a->code_use);
	sqlite3_finalize(a->row);
	memset(a, 0, sizeof(*a));
}

/* Prepare a's statements on db (the database) and spool, for apply_rows. */
static int apply_prepare(struct apply *a, sqlite3 *db, sqlite3 *spool, struct capture_parser *p,
			 struct capture_submission *sub, struct perr *err)
{
	memset(a, 0, sizeof(*a));
	a->db = db;
	a->p = p;
	a->sub = sub;
	if (capture_writer_new(&a->w, a->db, 0, err) < 0 ||
	    db_prepare(a->db, &a->find_batch,
		       "SELECT id FROM batch WHERE source = ?3 AND operator = ?1 AND "
		       "file_name = ?2 AND undone_at IS NULL ORDER BY id DESC LIMIT 1", err) < 0 ||
	    db_prepare(a->db, &a->new_batch,
		       "INSERT INTO batch (file_name, sha256, size, entries, source, operator, "
		       "channel, started_at, finished_at, accepted, duplicates, edits, rejected, "
		       "ignored) VALUES (?1, '', 0, 0, ?4, ?2, ?5, ?3, ?3, 0, 0, 0, 0, 0)", err) < 0 ||
	    db_prepare(a->db, &a->find_web,
		       "SELECT id FROM batch WHERE source = 'web' AND channel = ? AND "
		       "file_name = ? AND undone_at IS NULL ORDER BY id DESC LIMIT 1", err) < 0 ||
	    db_prepare(a->db, &a->new_web,
		       "INSERT INTO batch (file_name, sha256, size, entries, source, channel, "
		       "started_at, finished_at, accepted, duplicates, edits, rejected, ignored) "
		       "VALUES (?1, '', 0, 0, 'web', ?2, ?3, ?3, 0, 0, 0, 0, 0)", err) < 0 ||
	    db_prepare(a->db, &a->code_free, "SELECT used_at IS NULL FROM survey_code "
					     "WHERE hash = ?", err) < 0 ||
	    db_prepare(a->db, &a->code_use, "UPDATE survey_code SET used_at = ?2, instance_id = ?3 "
					    "WHERE hash = ?1 AND used_at IS NULL", err) < 0 ||
	    db_prepare(a->db, &a->next_seq, "SELECT coalesce(max(seq), 0) + 1 FROM batch_entry "
					    "WHERE batch_id = ?", err) < 0 ||
	    db_prepare(a->db, &a->count,
		       "UPDATE batch SET entries = entries + ?8, size = size + ?2, finished_at = ?3, "
		       "accepted = accepted + ?4, duplicates = duplicates + ?5, edits = edits + ?6, "
		       "rejected = rejected + ?7 WHERE id = ?1", err) < 0 ||
	    db_prepare(spool, &a->row, "SELECT seq, received_at, account, status, reason, message, "
				       "instance_id, form_id, commune, xml, checked, channel, code "
				       "FROM spool "
				       "WHERE seq > ? "
				       "ORDER BY seq LIMIT ?", err) < 0) {
		apply_release(a);
		return -1;
	}
	return 0;
}

/* Add what the batch in hand got to its row. */
static int flush_counts(struct apply *a, struct perr *err)
{
	if (!a->batch || !a->entries)
		return 0;
	sqlite3_bind_int64(a->count, 1, a->batch);
	sqlite3_bind_int64(a->count, 2, a->size);
	sqlite3_bind_text(a->count, 3, a->finished, -1, SQLITE_STATIC);
	sqlite3_bind_int64(a->count, 4, a->got[CAPTURE_ACCEPTED]);
	sqlite3_bind_int64(a->count, 5, a->got[CAPTURE_DUPLICATE]);
	sqlite3_bind_int64(a->count, 6, a->got[CAPTURE_EDIT]);
	sqlite3_bind_int64(a->count, 7, a->got[CAPTURE_REJECTED]);
	sqlite3_bind_int64(a->count, 8, a->entries);
	if (db_step_done(a->db, a->count, err) < 0)
		return -1;
	a->entries = a->size = 0;
	memset(a->got, 0, sizeof(a->got));
	return 0;
}

/* The open batch of account on the day of received, opened when there is none (or the last
   one was undone): "serve NAME YYYY-MM-DD", or "paper NAME YYYY-MM-DD" (source and channel
   paper) for forms keyed twice. A web survey's row (channel web or open) goes to the batch
   of its channel, commune and day instead: "web COMMUNE YYYY-MM-DD", source web, no
   operator. */
static int batch_of(struct apply *a, const char *account, const char *channel,
		    const char *commune, const char *received, struct perr *err)
{
	char day[16], key[KEEP + 16], *name;
	const char *source = channel && !strcmp(channel, "paper") ? "paper" : "serve";
	const char *web = strcmp(source, "paper") ? channel : NULL;
	sqlite3_stmt *find = web ? a->find_web : a->find_batch;
	sqlite3_stmt *add = web ? a->new_web : a->new_batch;
	int rc;

	vietnam_date(received, day);
	if (web)
		snprintf(key, sizeof(key), "%s %s", web, commune);
	else
		snprintf(key, sizeof(key), "%s %s", source, account);
	if (a->batch && !strcmp(a->account, key) && !strcmp(a->day, day))
		return 0;
	if (flush_counts(a, err) < 0)
		return -1;
	name = xasprintf("%s %s", key, day);
	sqlite3_bind_text(find, 1, web ? web : account, -1, SQLITE_STATIC);
	sqlite3_bind_text(find, 2, name, -1, SQLITE_STATIC);
	if (!web)
		sqlite3_bind_text(find, 3, source, -1, SQLITE_STATIC);
	rc = sqlite3_step(find);
	if (rc == SQLITE_ROW)
		a->batch = sqlite3_column_int64(find, 0);
	sqlite3_reset(find);
	if (rc == SQLITE_DONE) {
		sqlite3_bind_text(add, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(add, 2, web ? web : account, -1, SQLITE_STATIC);
		if (!web) {
			sqlite3_bind_text(add, 4, source, -1, SQLITE_STATIC);
			sqlite3_bind_text(add, 5, channel ? channel : "collect", -1, SQLITE_STATIC);
		}
		sqlite3_bind_text(add, 3, received, -1, SQLITE_STATIC);
		if (db_step_done(a->db, add, err) < 0) {
			free(name);
			return -1;
		}
		a->batch = sqlite3_last_insert_rowid(a->db);
		a->done->batches++;
	} else if (rc != SQLITE_ROW) {
		free(name);
		return db_fail(a->db, err, "looking up batches");
	}
	free(name);
	sqlite3_bind_int64(a->next_seq, 1, a->batch);
	rc = sqlite3_step(a->next_seq);
	a->seq = rc == SQLITE_ROW ? sqlite3_column_int64(a->next_seq, 0) : 0;
	sqlite3_reset(a->next_seq);
	if (rc != SQLITE_ROW)
		return db_fail(a->db, err, "numbering an entry");
	snprintf(a->account, sizeof(a->account), "%s", key);
	snprintf(a->day, sizeof(a->day), "%s", day);
	capture_writer_batch(a->w, a->batch);
	return 0;
}

/* Whether the code of a web submission spooled as 201 was used meanwhile (by another server
   on the same database, or a spool applied twice over a copy): 0 free, 1 taken (out filled,
   the submission rejected), -1 error. */
static int code_taken(struct apply *a, const char *code, struct capture_outcome *out,
		      struct perr *err)
{
	int rc, free_ = 0;

	sqlite3_bind_text(a->code_free, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(a->code_free);
	if (rc == SQLITE_ROW)
		free_ = sqlite3_column_int(a->code_free, 0);
	sqlite3_reset(a->code_free);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		out->status = CAPTURE_NSTATUS;
		return db_fail(a->db, err, "reading the survey codes");
	}
	if (free_)
		return 0;
	out->status = CAPTURE_REJECTED;
	out->reason = "code-used";
	out->line = 0;
	snprintf(out->msg, sizeof(out->msg), "the survey code was used already");
	return 1;
}

/* One spooled row (the spool statement's current row) into the database. */
static int apply_row(struct apply *a, sqlite3_stmt *row, struct perr *err)
{
	const char *received = (const char *)sqlite3_column_text(row, 1);
	const char *account = (const char *)sqlite3_column_text(row, 2);
	int status = sqlite3_column_int(row, 3);
	const char *xml = sqlite3_column_blob(row, 9);
	size_t len = (size_t)sqlite3_column_bytes(row, 9);
	struct capture_outcome out;
	char path[64], iid[KEEP], form[KEEP], commune[KEEP], sha[65];
	const char *channel = (const char *)sqlite3_column_text(row, 11);
	const char *code = (const char *)sqlite3_column_text(row, 12);

	text_cut(iid, sizeof(iid), (const char *)sqlite3_column_text(row, 6));
	text_cut(form, sizeof(form), (const char *)sqlite3_column_text(row, 7));
	text_cut(commune, sizeof(commune), (const char *)sqlite3_column_text(row, 8));
	if (batch_of(a, account, channel, commune, received, err) < 0)
		return -1;
	if (status == 201 && code && code_taken(a, code, &out, err) != 0) {
		if (out.status != CAPTURE_REJECTED)
			return -1;
	} else if (status == 201 && checked_decode(sqlite3_column_blob(row, 10),
					    (size_t)sqlite3_column_bytes(row, 10), a->sig, a->reg,
					    a->sub, sha) == 0) {
		/* checked before it was spooled, against the same forms and register */
		if (capture_writer_store(a->w, a->sub, sha, &out, err) < 0)
			return -1;
		if (out.status == CAPTURE_ACCEPTED || out.status == CAPTURE_EDIT)
			a->done->submissions++;
	} else if (status == 201) {
		struct capture_instance inst;
		struct capture_problem prob;

		/* checked before it was spooled; checked again, since the forms or the register
		   have changed since */
		int parsed = capture_parse(a->p, xml ? xml : "", len, &inst, &prob) == 0;

		if (parsed && inst.is_form) {
			prob.reason = "form-definition";
			prob.line = 0;
			snprintf(prob.msg, sizeof(prob.msg), "a form definition, not a submission");
		}
		if (!parsed || inst.is_form || capture_validate(a->reg, &inst, a->sub, &prob) < 0) {
			out.status = CAPTURE_REJECTED;
			out.reason = prob.reason;
			out.line = prob.line;
			text_cut(out.msg, sizeof(out.msg), prob.msg);
		} else {
			text_sha256_hex(xml, len, sha);
			if (capture_writer_store(a->w, a->sub, sha, &out, err) < 0)
				return -1;
			if (out.status == CAPTURE_ACCEPTED || out.status == CAPTURE_EDIT)
				a->done->submissions++;
		}
	} else {
		out.status = CAPTURE_REJECTED;
		out.reason = (const char *)sqlite3_column_text(row, 4);
		out.line = 0;
		text_cut(out.msg, sizeof(out.msg), (const char *)sqlite3_column_text(row, 5));
	}
	/* the code is used in the transaction that stores its submission, and only then */
	if (code && out.status == CAPTURE_ACCEPTED) {
		sqlite3_bind_text(a->code_use, 1, code, -1, SQLITE_STATIC);
		sqlite3_bind_text(a->code_use, 2, received, -1, SQLITE_STATIC);
		sqlite3_bind_text(a->code_use, 3, iid, -1, SQLITE_STATIC);
		if (db_step_done(a->db, a->code_use, err) < 0)
			return -1;
	}
	snprintf(path, sizeof(path), "submission %" PRId64, (int64_t)sqlite3_column_int64(row, 0));
	if (capture_writer_entry(a->w, (uint64_t)a->seq++, path, iid, form, commune, &out,
				 err) < 0)
		return -1;
	a->entries++;
	a->size += (long long)len;
	a->got[out.status]++;
	snprintf(a->finished, sizeof(a->finished), "%s", received);
	a->done->entries++;
	return 0;
}

/* The spool position db has applied for the spool spool_id (0: none of it). */
static int applied_position(sqlite3 *db, const char *spool_id, int64_t *pos, struct perr *err)
{
	char v[128], id[64];
	long long n;
	int rc = db_setting_get(db, SETTING, v, sizeof(v), err);

	*pos = 0;
	if (rc < 0)
		return -1;
	if (rc == 0 && sscanf(v, "%63s %lld", id, &n) == 2 && !strcmp(id, spool_id))
		*pos = n;
	return 0;
}

/* Inside the caller's write transaction on a's database: apply at most max rows of the spool
   past what the database has applied, and record the position. *last: the last seq applied
   (0 when none was); iids (if not NULL) gets the instance ids of the rows spooled as 201,
   each NUL-ended. */
static int apply_rows(struct apply *a, const char *spool_id, const struct capture_registry *reg,
		      const char *sig, int max, int64_t *last, struct strbuf *iids,
		      struct serve_applied *done, struct perr *err)
{
	sqlite3_stmt *row = a->row;
	int64_t pos;
	char v[128];
	int rc = -1, step;

	/* the batch in hand is looked up again in each transaction: an undo may come between */
	a->reg = reg;
	a->sig = sig;
	a->done = done;
	a->account[0] = '\0';
	a->batch = 0;
	a->entries = a->size = 0;
	memset(a->got, 0, sizeof(a->got));
	*last = 0;
	if (applied_position(a->db, spool_id, &pos, err) < 0)
		goto done;
	sqlite3_bind_int64(row, 1, pos);
	sqlite3_bind_int(row, 2, max);
	while ((step = sqlite3_step(row)) == SQLITE_ROW) {
		if (apply_row(a, row, err) < 0)
			goto done;
		*last = sqlite3_column_int64(row, 0);
		if (iids && sqlite3_column_int(row, 3) == 201 &&
		    sqlite3_column_type(row, 6) != SQLITE_NULL)
			strbuf_add(iids, sqlite3_column_text(row, 6),
				   (size_t)sqlite3_column_bytes(row, 6) + 1);
		if (iids && sqlite3_column_int(row, 3) == 201 &&
		    sqlite3_column_type(row, 12) != SQLITE_NULL)
		{
			strbuf_adds(iids, CODE_CLAIM);
			strbuf_add(iids, sqlite3_column_text(row, 12),
				   (size_t)sqlite3_column_bytes(row, 12) + 1);
		}
	}
	if (step != SQLITE_DONE) {
		db_fail(sqlite3_db_handle(row), err, "reading the spool");
		goto done;
	}
	if (flush_counts(a, err) < 0)
		goto done;
	if (*last) {
		snprintf(v, sizeof(v), "%s %lld", spool_id, (long long)*last);
		if (db_setting_set(a->db, SETTING, v, err) < 0)
			goto done;
	} else {
		*last = pos; /* nothing new: what was applied before */
	}
	rc = 0;
done:
	sqlite3_reset(row); /* ends the spool's read transaction */
	return rc;
}

static int registry_signature(sqlite3 *db, char out[65], struct perr *err);

int serve_spool_apply_file(sqlite3 *db, const char *spool_path, struct serve_applied *done,
			   struct perr *err)
{
	struct capture_registry reg = { 0 };
	struct capture_parser *p = NULL;
	struct capture_submission sub = { 0 };
	struct apply a = { 0 };
	sqlite3 *spool = NULL;
	char id[40], sig[65];
	int64_t last;
	int rc = -1, in_tx = 0;
	FILE *f;

	memset(done, 0, sizeof(*done));
	f = fopen(spool_path, "rb");
	if (!f)
		return errno == ENOENT ? 0
				       : perr_set(err, PERR_SYSTEM, spool_path, "cannot read: %s",
						  strerror(errno));
	fclose(f);
	if (spool_open(spool_path, 0, &spool, id, err) < 0)
		return -1;
	if (db_exec(db, "BEGIN IMMEDIATE", err) < 0)
		goto done;
	in_tx = 1;
	if (capture_registry_load(&reg, db, err) < 0)
		goto done;
	p = capture_parser_new(32);
	if (apply_prepare(&a, db, spool, p, &sub, err) < 0)
		goto done;
	if (registry_signature(db, sig, err) < 0 ||
	    apply_rows(&a, id, &reg, sig, INT32_MAX, &last, NULL, done, err) < 0 ||
	    db_exec(db, "COMMIT", err) < 0)
		goto done;
	in_tx = 0;
	rc = 0;
done:
	if (in_tx) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		memset(done, 0, sizeof(*done));
	}
	apply_release(&a);
	capture_submission_release(&sub);
	capture_parser_free(p);
	capture_registry_release(&reg);
	sqlite3_close(spool);
	return rc;
}

/* ---- the store: callers, the spool writer, the applier ---- */

/* A submission decided and waiting for the spool writer; lives on its caller's stack. */
struct job {
	struct job *next;
	const char *account, *reason, *msg, *iid, *form, *commune, *xml;
	const char *channel, *code; /* the web survey's, else NULL */
	size_t len;
	const struct strbuf *checked; /* a 201's validated submission (NULL: none) */
	int status;
	char received[32];
	int failed;
	sem_t written; /* posted by the writer once the job is on disk (or failed) */
};

/* An instanceID spooled (201) and not applied yet, with the sum of its meaning. */
struct pend {
	struct pend *next;
	char meaning[65];
	unsigned n; /* spooled this many times, not applied yet */
	char iid[];
};

/* What one caller at a time uses: a read connection, its statements, a parser. */
struct reader {
	struct reader *next;
	sqlite3 *db;
	sqlite3_stmt *account, *scope;
	struct capture_writer *look;
	struct capture_parser *p;
	struct capture_submission sub;
	sqlite3_stmt *code; /* a web survey's code by its hash */
};

#define PEND_BUCKETS 4096

struct serve_store {
	char *db_path, *spool_path;
	char spool_id[40];
	sqlite3 *spool_w;    /* the writer thread's */
	sqlite3 *spool_r;    /* the applier's, to read */
	sqlite3 *db;         /* the applier's */
	pthread_mutex_t mu;  /* queue, stop, delete_upto, apply_wanted */
	pthread_mutex_t pmu; /* pending */
	pthread_mutex_t rmu; /* readers */
	pthread_cond_t work, apply;
	struct job *queue, **tail;
	int stop, stop_writer, apply_wanted;
	int64_t delete_upto, deleted;
	struct pend *pending[PEND_BUCKETS];
	struct reader *readers;
	pthread_rwlock_t reg_lock; /* the registry: read by callers, swapped by the applier */
	struct capture_registry *reg;
	char reg_sig[65];
	long long data_version;
	struct timespec reg_checked;
	struct capture_parser *ap; /* the applier's */
	struct capture_submission asub;
	struct apply apl;   /* the applier's statements, prepared when first needed */
	int apl_prepared;
	pthread_t writer, applier;
	int started;
	EVP_PKEY *key; /* --key: opens encrypted submissions; borrowed, never stored */
};

static size_t pend_hash(const char *iid)
{
	size_t h = 5381;

	for (; *iid; iid++)
		h = h * 33 + (unsigned char)*iid;
	return h % PEND_BUCKETS;
}

static struct pend **pend_find(struct serve_store *st, const char *iid)
{
	struct pend **pp = &st->pending[pend_hash(iid)];

	while (*pp && strcmp((*pp)->iid, iid))
		pp = &(*pp)->next;
	return pp;
}

/* Under st->pmu: one spooling of iid fewer waits. */
static void pend_drop(struct serve_store *st, const char *iid)
{
	struct pend **pp = pend_find(st, iid), *p = *pp;

	if (p && --p->n == 0) {
		*pp = p->next;
		free(p);
	}
}

/* The registry's signature: forms, register codes, the merged units and validity dates. */
static int registry_signature(sqlite3 *db, char out[65], struct perr *err)
{
	struct strbuf b = STRBUF_INIT;
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, &st, "SELECT id || ' ' || version || ' ' || sha256 FROM form UNION ALL "
				"SELECT * FROM (SELECT code FROM commune ORDER BY code) UNION ALL "
				"SELECT * FROM (SELECT new_code || ' ' || old_code || ' ' || effective "
				"FROM commune_merge ORDER BY 1) UNION ALL SELECT * FROM (SELECT code || ' ' "
				"|| coalesce(valid_from, '') || ' ' || coalesce(valid_to, '') FROM "
				"commune_validity ORDER BY 1)", err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		strbuf_adds(&b, (const char *)sqlite3_column_text(st, 0));
		strbuf_addc(&b, '\n');
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		strbuf_release(&b);
		return db_fail(db, err, "reading the forms");
	}
	text_sha256_hex(b.buf ? b.buf : "", b.len, out);
	strbuf_release(&b);
	return 0;
}

static int data_version(sqlite3 *db, long long *v)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "PRAGMA data_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* Load the registry again when another connection committed a change to the forms or the
   register: looked at most once a second, from the applier. */
static int registry_refresh(struct serve_store *st, int force, struct perr *err)
{
	struct capture_registry *reg, *old;
	struct timespec now;
	long long v = 0;
	char sig[65];

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!force && now.tv_sec == st->reg_checked.tv_sec)
		return 0;
	st->reg_checked = now;
	if (data_version(st->db, &v) < 0)
		return db_fail(st->db, err, "reading the data version");
	if (!force && v == st->data_version)
		return 0;
	st->data_version = v;
	if (registry_signature(st->db, sig, err) < 0)
		return -1;
	if (!force && !strcmp(sig, st->reg_sig))
		return 0;
	reg = xcalloc(1, sizeof(*reg));
	if (capture_registry_load(reg, st->db, err) < 0) {
		capture_registry_release(reg);
		free(reg);
		return -1;
	}
	pthread_rwlock_wrlock(&st->reg_lock); /* callers read reg_sig under it */
	memcpy(st->reg_sig, sig, sizeof(sig));
	old = st->reg;
	st->reg = reg;
	pthread_rwlock_unlock(&st->reg_lock);
	if (old) {
		capture_registry_release(old);
		free(old);
	}
	return 0;
}

/* Apply one transaction's worth of the spool: 1 a full one applied (more may wait), 0 the
   rest applied, 2 the database is busy (another process writes), -1 error. */
static int apply_some(struct serve_store *st, struct perr *err)
{
	struct strbuf iids = STRBUF_INIT;
	struct serve_applied done = { 0 };
	int64_t last = 0;
	int rc = 0;

	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		if ((sqlite3_errcode(st->db) & 0xff) == SQLITE_BUSY)
			return 2;
		return db_fail(st->db, err, "starting to apply the spool");
	}
	if (!st->apl_prepared) {
		rc = apply_prepare(&st->apl, st->db, st->spool_r, st->ap, &st->asub, err);
		st->apl_prepared = rc == 0;
	}
	if (st->apl_prepared)
		rc = apply_rows(&st->apl, st->spool_id, st->reg, st->reg_sig, APPLY_MAX, &last,
				&iids, &done, err);
	if (rc == 0 && db_exec(st->db, "COMMIT", err) < 0)
		rc = -1;
	if (rc < 0) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		/* prepared again on the next round, from a clean state */
		if (st->apl_prepared)
			apply_release(&st->apl);
		st->apl_prepared = 0;
		strbuf_release(&iids);
		return -1;
	}
	pthread_mutex_lock(&st->pmu);
	for (size_t i = 0; i < iids.len; i += strlen(iids.buf + i) + 1)
		pend_drop(st, iids.buf + i);
	pthread_mutex_unlock(&st->pmu);
	pthread_mutex_lock(&st->mu);
	if (last > st->delete_upto) {
		st->delete_upto = last;
		pthread_cond_signal(&st->work);
	}
	pthread_mutex_unlock(&st->mu);
	strbuf_release(&iids);
	return done.entries >= APPLY_MAX; /* a full round: more may wait */
}

/* Apply until the spool is empty or the database busy: 0 all applied, 2 busy, -1 error. */
static int apply_all(struct serve_store *st, struct perr *err)
{
	int rc;

	while ((rc = apply_some(st, err)) == 1)
		;
	return rc;
}

static void *applier(void *arg)
{
	struct serve_store *st = arg;
	struct perr err = { 0 };
	struct timespec gap_end = { 0 }; /* no round before (CLOCK_REALTIME) */
	int busy = 0, stopping;

	sqlite3_busy_timeout(st->db, 200);
	for (;;) {
		pthread_mutex_lock(&st->mu);
		if (!st->apply_wanted && !st->stop) {
			struct timespec until;

			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += busy ? 100000000 : 500000000;
			if (until.tv_nsec >= 1000000000) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&st->apply, &st->mu, &until);
		}
		/* wanted soon after the last round: let more gather (a stop ends the wait) */
		while (st->apply_wanted && !st->stop &&
		       pthread_cond_timedwait(&st->apply, &st->mu, &gap_end) != ETIMEDOUT)
			;
		st->apply_wanted = 0;
		stopping = st->stop;
		pthread_mutex_unlock(&st->mu);
		perr_clear(&err);
		if (registry_refresh(st, 0, &err) < 0)
			perr_print(&err, "serve");
		perr_clear(&err);
		busy = 0;
		switch (apply_all(st, &err)) {
		case -1:
			/* kept in the spool; tried again on the next round */
			perr_print(&err, "serve");
			busy = 1;
			break;
		case 2:
			busy = 1;
			break;
		default:
			break;
		}
		clock_gettime(CLOCK_REALTIME, &gap_end);
		gap_end.tv_nsec += APPLY_GAP_NS;
		if (gap_end.tv_nsec >= 1000000000) {
			gap_end.tv_sec++;
			gap_end.tv_nsec -= 1000000000;
		}
		if (stopping)
			break;
	}
	return NULL;
}

static int write_jobs(struct serve_store *st, struct job *list, int64_t delete_upto,
		      struct perr *err)
{
	sqlite3_stmt *ins = NULL, *del = NULL;

	if (db_exec(st->spool_w, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	if (db_prepare(st->spool_w, &ins,
		       "INSERT INTO spool (received_at, account, status, reason, message, "
		       "instance_id, form_id, commune, xml, checked, channel, code) "
		       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		       err) < 0)
		goto fail;
	for (struct job *j = list; j; j = j->next) {
		sqlite3_bind_text(ins, 1, j->received, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, j->account, -1, SQLITE_STATIC);
		sqlite3_bind_int(ins, 3, j->status);
		sqlite3_bind_text(ins, 4, j->reason, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 5, j->msg, -1, SQLITE_STATIC);
		db_bind_text(ins, 6, j->iid && *j->iid ? j->iid : NULL);
		db_bind_text(ins, 7, j->form && *j->form ? j->form : NULL);
		db_bind_text(ins, 8, j->commune && *j->commune ? j->commune : NULL);
		sqlite3_bind_blob(ins, 9, j->xml ? j->xml : "", (int)j->len, SQLITE_STATIC);
		if (j->checked && j->checked->len)
			sqlite3_bind_blob(ins, 10, j->checked->buf, (int)j->checked->len,
					  SQLITE_STATIC);
		else
			sqlite3_bind_null(ins, 10);
		db_bind_text(ins, 11, j->channel);
		db_bind_text(ins, 12, j->code);
		if (db_step_done(st->spool_w, ins, err) < 0)
			goto fail;
	}
	/* rows the database has applied go in the same transaction: one sync for both */
	if (delete_upto > st->deleted) {
		if (db_prepare(st->spool_w, &del, "DELETE FROM spool WHERE seq <= ?", err) < 0)
			goto fail;
		sqlite3_bind_int64(del, 1, delete_upto);
		if (db_step_done(st->spool_w, del, err) < 0)
			goto fail;
	}
	if (db_exec(st->spool_w, "COMMIT", err) < 0)
		goto fail;
	sqlite3_finalize(ins);
	sqlite3_finalize(del);
	return 0;
fail:
	sqlite3_finalize(ins);
	sqlite3_finalize(del);
	sqlite3_exec(st->spool_w, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* The group commit: every submission waiting is written in one transaction, one sync. */
static void *spool_writer(void *arg)
{
	struct serve_store *st = arg;
	struct perr err = { 0 };

	pthread_mutex_lock(&st->mu);
	for (;;) {
		struct job *list;
		int64_t upto;
		int rc;

		while (!st->queue && st->delete_upto <= st->deleted && !st->stop_writer)
			pthread_cond_wait(&st->work, &st->mu);
		if (!st->queue && st->delete_upto <= st->deleted)
			break;
		list = st->queue;
		st->queue = NULL;
		st->tail = &st->queue;
		upto = st->delete_upto;
		pthread_mutex_unlock(&st->mu);
		perr_clear(&err);
		rc = write_jobs(st, list, upto, &err);
		if (rc < 0)
			perr_print(&err, "serve");
		/* each caller woken alone: no herd on one condition and one mutex */
		for (struct job *j = list, *next; j; j = next) {
			next = j->next; /* j is gone once posted */
			j->failed = rc < 0;
			sem_post(&j->written);
		}
		pthread_mutex_lock(&st->mu);
		if (rc == 0)
			st->deleted = upto;
		if (rc == 0 && list) {
			/* once: the applier may be waiting out its gap, and each wake is a switch */
			if (!st->apply_wanted)
				pthread_cond_signal(&st->apply);
			st->apply_wanted = 1;
		} else if (rc < 0 && !list) {
			st->deleted = upto; /* tried again when the next rows are applied */
		}
	}
	pthread_mutex_unlock(&st->mu);
	return NULL;
}

static void reader_free(struct reader *r)
{
	if (!r)
		return;
	capture_writer_free(r->look);
	sqlite3_finalize(r->account);
	sqlite3_finalize(r->scope);
	sqlite3_finalize(r->code);
	db_close(r->db);
	capture_parser_free(r->p);
	capture_submission_release(&r->sub);
	free(r);
}

static struct reader *reader_take(struct serve_store *st, struct perr *err)
{
	struct reader *r;

	pthread_mutex_lock(&st->rmu);
	r = st->readers;
	if (r)
		st->readers = r->next;
	pthread_mutex_unlock(&st->rmu);
	if (r)
		return r;
	r = xcalloc(1, sizeof(*r));
	/* a small page cache: a reader looks up a few index pages per submission, and there is
	   one per connection in flight */
	if (db_open(&r->db, st->db_path, DB_EXISTING, err) < 0 ||
	    db_exec(r->db, "PRAGMA cache_size = -256", err) < 0 ||
	    capture_writer_new(&r->look, r->db, 0, err) < 0 ||
	    db_prepare(r->db, &r->account, "SELECT id, role, disabled_at IS NULL FROM account "
					   "WHERE name = ?", err) < 0 ||
	    db_prepare(r->db, &r->scope,
		       "SELECT EXISTS (SELECT 1 FROM account_commune WHERE account_id = ?1 AND "
		       "code = ?2), NOT EXISTS (SELECT 1 FROM account_group WHERE account_id = ?1) "
		       "OR EXISTS (SELECT 1 FROM account_group WHERE account_id = ?1 AND "
		       "group_id = ?3)", err) < 0 ||
	    db_prepare(r->db, &r->code, "SELECT commune_code, group_id, used_at IS NOT NULL, "
					"voided_at IS NOT NULL FROM survey_code WHERE hash = ?",
		       err) < 0) {
		reader_free(r);
		return NULL;
	}
	r->p = capture_parser_new(32);
	return r;
}

static void reader_give(struct serve_store *st, struct reader *r)
{
	pthread_mutex_lock(&st->rmu);
	r->next = st->readers;
	st->readers = r;
	pthread_mutex_unlock(&st->rmu);
}

int serve_store_open(struct serve_store **out, const char *db_path, struct perr *err)
{
	struct serve_store *st = xcalloc(1, sizeof(*st));
	int rc;

	*out = NULL;
	st->db_path = xstrdup(db_path);
	st->spool_path = serve_spool_path(db_path);
	st->tail = &st->queue;
	pthread_mutex_init(&st->mu, NULL);
	pthread_mutex_init(&st->pmu, NULL);
	pthread_mutex_init(&st->rmu, NULL);
	pthread_cond_init(&st->work, NULL);
	pthread_cond_init(&st->apply, NULL);
	pthread_rwlock_init(&st->reg_lock, NULL);
	if (db_open(&st->db, db_path, DB_EXISTING, err) < 0 ||
	    db_exec(st->db, "PRAGMA synchronous = FULL", err) < 0 ||
	    spool_open(st->spool_path, 1, &st->spool_w, st->spool_id, err) < 0 ||
	    spool_open(st->spool_path, 0, &st->spool_r, st->spool_id, err) < 0 ||
	    db_exec(st->spool_r, "PRAGMA synchronous = NORMAL", err) < 0 ||
	    registry_refresh(st, 1, err) < 0)
		goto fail;
	/* the database does not check these again: capture's writer checked them in C */
	if (db_exec(st->db, "PRAGMA foreign_keys = OFF", err) < 0)
		goto fail;
	st->ap = capture_parser_new(32);
	sqlite3_busy_timeout(st->db, 2000);
	/* what the spool holds from before (a crash, a stop while the database was busy) */
	rc = apply_all(st, err);
	if (rc < 0)
		goto fail;
	if (pthread_create(&st->writer, NULL, spool_writer, st) != 0) {
		perr_set(err, PERR_SYSTEM, db_path, "cannot start a thread");
		goto fail;
	}
	if (pthread_create(&st->applier, NULL, applier, st) != 0) {
		pthread_mutex_lock(&st->mu);
		st->stop_writer = 1;
		pthread_cond_signal(&st->work);
		pthread_mutex_unlock(&st->mu);
		pthread_join(st->writer, NULL);
		perr_set(err, PERR_SYSTEM, db_path, "cannot start a thread");
		goto fail;
	}
	st->started = 1;
	*out = st;
	return 0;
fail:
	serve_store_close(st);
	return -1;
}

void serve_store_close(struct serve_store *st)
{
	struct perr err = { 0 };

	if (!st)
		return;
	if (st->started) {
		/* the applier's last round applies what was spooled before it saw stop; the
		   writer stops once no caller waits (the daemon has finished its requests) */
		pthread_mutex_lock(&st->mu);
		st->stop = 1;
		pthread_cond_signal(&st->apply);
		pthread_mutex_unlock(&st->mu);
		pthread_join(st->applier, NULL);
		pthread_mutex_lock(&st->mu);
		st->stop_writer = 1;
		pthread_cond_signal(&st->work);
		pthread_mutex_unlock(&st->mu);
		pthread_join(st->writer, NULL);
		/* anything spooled after the applier's last round */
		sqlite3_busy_timeout(st->db, 2000);
		if (apply_all(st, &err) < 0)
			perr_print(&err, "serve");
		if (st->delete_upto > st->deleted && write_jobs(st, NULL, st->delete_upto, &err) < 0)
			perr_print(&err, "serve");
	}
	while (st->readers) {
		struct reader *r = st->readers;

		st->readers = r->next;
		reader_free(r);
	}
	for (size_t i = 0; i < PEND_BUCKETS; i++)
		while (st->pending[i]) {
			struct pend *p = st->pending[i];

			st->pending[i] = p->next;
			free(p);
		}
	if (st->reg) {
		capture_registry_release(st->reg);
		free(st->reg);
	}
	if (st->apl_prepared)
		apply_release(&st->apl);
	capture_submission_release(&st->asub);
	capture_parser_free(st->ap);
	sqlite3_close(st->spool_w);
	sqlite3_close(st->spool_r);
	db_close(st->db);
	pthread_rwlock_destroy(&st->reg_lock);
	pthread_cond_destroy(&st->apply);
	pthread_cond_destroy(&st->work);
	pthread_mutex_destroy(&st->rmu);
	pthread_mutex_destroy(&st->pmu);
	pthread_mutex_destroy(&st->mu);
	free(st->spool_path);
	free(st->db_path);
	free(st);
}

static void answer(struct serve_answer *ans, int status, const char *reason, const char *fmt,
		   ...) __attribute__((format(printf, 4, 5)));

static void answer(struct serve_answer *ans, int status, const char *reason, const char *fmt,
		   ...)
{
	va_list ap;

	ans->status = status;
	ans->reason = reason;
	va_start(ap, fmt);
	if (vsnprintf(ans->message, sizeof(ans->message), fmt, ap) >= (int)sizeof(ans->message))
		text_mark_cut(ans->message, sizeof(ans->message));
	va_end(ap);
}

/* 400 with capture's reason and message (and line, when known). */
static void invalid(struct serve_answer *ans, const struct capture_problem *prob)
{
	if (prob->line > 0)
		answer(ans, 400, prob->reason, "line %ld: %s", prob->line, prob->msg);
	else
		answer(ans, 400, prob->reason, "%s", prob->msg);
}

/* The account's scope for the submission: 0 in scope, 1 not (ans filled), -1 error. */
static int check_scope(struct reader *r, const struct serve_user *user,
		       const struct capture_submission *sub, struct serve_answer *ans,
		       struct perr *err)
{
	int rc, commune = 0, group = 0;
	int64_t id = 0;
	char role[16] = "";
	int enabled = 0;

	/* the web survey's: the link fixed the commune and group (serve_web.c), no account */
	if (user->channel[0] && strcmp(user->channel, "paper"))
		return 0;
	sqlite3_bind_text(r->account, 1, user->name, -1, SQLITE_STATIC);
	rc = sqlite3_step(r->account);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(r->account, 0);
		snprintf(role, sizeof(role), "%s", (const char *)sqlite3_column_text(r->account, 1));
		enabled = sqlite3_column_int(r->account, 2);
	}
	sqlite3_reset(r->account);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(r->db, err, "reading accounts");
	if (!enabled) {
		answer(ans, 403, "out-of-scope", "account '%s' is unknown or disabled", user->name);
		return 1;
	}
	if (!strcmp(role, "office"))
		return 0;
	/* a keyer's forms come only through /key (OpenRosa takes surveyors and the office) */
	if (strcmp(role, "surveyor") && !(!strcmp(role, "keyer") && !strcmp(user->channel, "paper"))) {
		answer(ans, 403, "out-of-scope", "account '%s' is an %s's: it may not submit",
		       user->name, role);
		return 1;
	}
	sqlite3_bind_int64(r->scope, 1, id);
	sqlite3_bind_text(r->scope, 2, sub->commune, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->scope, 3, sub->form->group_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(r->scope);
	if (rc == SQLITE_ROW) {
		commune = sqlite3_column_int(r->scope, 0);
		group = sqlite3_column_int(r->scope, 1);
	}
	sqlite3_reset(r->scope);
	if (rc != SQLITE_ROW)
		return db_fail(r->db, err, "reading accounts");
	if (!commune) {
		answer(ans, 403, "out-of-scope", "commune %s is not among the communes of %s '%s'",
		       sub->commune, role, user->name);
		return 1;
	}
	if (!group) {
		answer(ans, 403, "out-of-scope",
		       "respondent group %s is not among the groups of %s '%s'",
		       sub->form->group_id, role, user->name);
		return 1;
	}
	return 0;
}

/* Take a web survey's code for sub: one caller at a time, so that two submissions with one
   code cannot both pass (the pending map holds it from here until the spool is applied, the
   database from then on). 0 taken (*claimed set), 1 refused (ans filled), -1 error. */
static int claim_code(struct serve_store *st, struct reader *r, const char *hash,
		      const struct capture_submission *sub, int *claimed, struct serve_answer *ans,
		      struct perr *err)
{
	char key[sizeof(CODE_CLAIM) + 65];
	struct pend **pp;
	int rc, used = 0, voided = 0, fits = 0, found;

	snprintf(key, sizeof(key), "%s%s", CODE_CLAIM, hash);
	pthread_mutex_lock(&st->pmu);
	pp = pend_find(st, key);
	if (*pp) {
		pthread_mutex_unlock(&st->pmu);
		answer(ans, 409, "code-used", "the survey code was used already");
		return 1;
	}
	*pp = xcalloc(1, sizeof(**pp) + strlen(key) + 1);
	memcpy((*pp)->iid, key, strlen(key) + 1);
	(*pp)->n = 1;
	pthread_mutex_unlock(&st->pmu);
	sqlite3_bind_text(r->code, 1, hash, -1, SQLITE_STATIC);
	rc = sqlite3_step(r->code);
	found = rc == SQLITE_ROW;
	if (found) {
		fits = !strcmp((const char *)sqlite3_column_text(r->code, 0), sub->commune) &&
		       !strcmp((const char *)sqlite3_column_text(r->code, 1), sub->form->group_id);
		used = sqlite3_column_int(r->code, 2);
		voided = sqlite3_column_int(r->code, 3);
	}
	sqlite3_reset(r->code);
	if (found && fits && !used && !voided) {
		*claimed = 1;
		return 0;
	}
	pthread_mutex_lock(&st->pmu);
	pend_drop(st, key);
	pthread_mutex_unlock(&st->pmu);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(r->db, err, "reading the survey codes");
	if (!found || !fits)
		answer(ans, 403, "code-unknown", "no such survey code for this commune and group");
	else if (used)
		answer(ans, 409, "code-used", "the survey code was used already");
	else
		answer(ans, 403, "code-void", "the survey code was voided");
	return 1;
}

int serve_code_spooled(struct serve_store *st, const char *code_hash)
{
	char key[sizeof(CODE_CLAIM) + 65];
	int found;

	snprintf(key, sizeof(key), "%s%s", CODE_CLAIM, code_hash);
	pthread_mutex_lock(&st->pmu);
	found = *pend_find(st, key) != NULL;
	pthread_mutex_unlock(&st->pmu);
	return found;
}

/* Decide a submission as far as no writing is needed: ans filled; iid, form and commune get
   what the spool row keeps; *pending set when iid was added to the pending map (to drop on failure). */
static int decide(struct serve_store *st, struct reader *r, const struct serve_user *user,
		  const char *xml, size_t len, char iid[KEEP], char form[KEEP],
		  char commune[KEEP], int *pending, int *claimed, struct strbuf *checked,
		  struct serve_answer *ans, struct perr *err)
{
	struct capture_instance inst;
	struct capture_problem prob;
	struct capture_outcome out;
	char meaning[65], sha[65];
	struct pend **pp;
	int rc, resend;

	if (capture_parse(r->p, xml, len, &inst, &prob) < 0) {
		invalid(ans, &prob);
		return 0;
	}
	text_cut(iid, KEEP, inst.instance_id);
	text_cut(form, KEEP, inst.form_id);
	for (size_t i = 0; i < inst.nfields; i++)
		if (!strcmp(inst.fields[i].name, "commune"))
			text_cut(commune, KEEP, inst.fields[i].value);
	if (inst.is_form) {
		answer(ans, 400, "form-definition", "a form definition, not a submission");
		return 0;
	}
	pthread_rwlock_rdlock(&st->reg_lock);
	if (capture_validate(st->reg, &inst, &r->sub, &prob) < 0) {
		pthread_rwlock_unlock(&st->reg_lock);
		invalid(ans, &prob);
		return 0;
	}
	rc = check_scope(r, user, &r->sub, ans, err);
	if (rc == 0 && user->code[0])
		rc = claim_code(st, r, user->code, &r->sub, claimed, ans, err);
	if (rc != 0) {
		pthread_rwlock_unlock(&st->reg_lock);
		return rc < 0 ? -1 : 0;
	}
	text_cut(iid, KEEP, r->sub.instance_id);
	/* the same instanceID spooled and not applied yet, else stored */
	capture_meaning_sha256(&r->sub, meaning);
	pthread_mutex_lock(&st->pmu);
	pp = pend_find(st, r->sub.instance_id);
	if (*pp && strcmp((*pp)->meaning, meaning)) {
		pthread_mutex_unlock(&st->pmu);
		pthread_rwlock_unlock(&st->reg_lock);
		answer(ans, 409, "conflict",
		       "instance '%s' was received already with different content",
		       r->sub.instance_id);
		return 0;
	}
	resend = *pp != NULL;
	if (*pp) {
		(*pp)->n++;
	} else {
		size_t n = strlen(r->sub.instance_id) + 1;

		*pp = xcalloc(1, sizeof(**pp) + n);
		memcpy((*pp)->iid, r->sub.instance_id, n);
		memcpy((*pp)->meaning, meaning, sizeof(meaning));
		(*pp)->n = 1;
	}
	*pending = 1;
	pthread_mutex_unlock(&st->pmu);
	text_sha256_hex(xml, len, sha);
	rc = capture_writer_lookup(r->look, &r->sub, sha, &out, err);
	if (rc == 0 || (rc == 1 && out.status != CAPTURE_REJECTED))
		checked_encode(checked, st->reg_sig, sha, &r->sub);
	pthread_rwlock_unlock(&st->reg_lock);
	if (rc < 0)
		return -1;
	if (rc == 1 && out.status == CAPTURE_REJECTED) {
		answer(ans, 409, out.reason, "%s", out.msg);
		return 0;
	}
	if (rc == 1)
		answer(ans, 201, "duplicate", "%s", out.msg);
	else if (resend)
		answer(ans, 201, "duplicate", "received already, identical; not stored again");
	else
		answer(ans, 201, "ok", "stored");
	return 0;
}

/* Hand the writer the outcome ans of a submission (its bytes xml, its validated form checked
   for a 201) and wait until it is on disk or failed (j->failed). */
static void spool_wait(struct serve_store *st, struct job *j, const struct serve_user *user,
		       const char *iid, const char *form, const char *commune, const char *xml,
		       size_t len, const struct serve_answer *ans, const struct strbuf *checked)
{
	j->account = user->name;
	j->status = ans->status;
	j->reason = ans->reason;
	j->msg = ans->message;
	j->iid = iid;
	j->form = form;
	j->commune = commune;
	j->xml = xml;
	j->len = len;
	j->checked = checked;
	j->channel = user->channel[0] ? user->channel : NULL;
	db_now(j->received);
	sem_init(&j->written, 0, 0);
	pthread_mutex_lock(&st->mu);
	*st->tail = j;
	st->tail = &j->next;
	pthread_cond_signal(&st->work);
	pthread_mutex_unlock(&st->mu);
	while (sem_wait(&j->written) < 0)
		; /* EINTR */
	sem_destroy(&j->written);
}

void serve_store_set_key(struct serve_store *st, EVP_PKEY *key)
{
	st->key = key;
}

int serve_submit_parts(struct serve_store *st, const struct serve_user *user, const char *xml,
		       size_t len, const struct capture_enc_file *parts, size_t nparts,
		       struct serve_answer *ans, struct perr *err)
{
	struct capture_instance manifest, inst;
	struct capture_problem prob;
	struct strbuf plain = STRBUF_INIT;
	struct job j = { 0 };
	struct reader *r;
	char iid[KEEP] = "", form[KEEP] = "";
	int rc;

	/* a manifest names base64EncryptedKey, encryptedXmlFile or
	   base64EncryptedElementSignature: without "ncrypted" it is a plain submission */
	if (!nparts && !memmem(xml, len, "ncrypted", 8))
		return serve_submit(st, user, xml, len, ans, err);
	r = reader_take(st, err);
	if (!r) {
		answer(ans, 500, "error", "the server could not take the submission");
		return -1;
	}
	if (capture_parse(r->p, xml, len, &manifest, &prob) < 0 || manifest.is_form ||
	    !capture_is_manifest(&manifest)) {
		/* not encrypted: as any submission (its parse problems found again there) */
		reader_give(st, r);
		return serve_submit(st, user, xml, len, ans, err);
	}
	text_cut(iid, KEEP, manifest.instance_id);
	text_cut(form, KEEP, manifest.form_id);
	if (capture_open_encrypted(st->key, &manifest, parts, nparts, r->p, &plain, &inst,
				   &prob) < 0) {
		reader_give(st, r);
		strbuf_release(&plain);
		/* refused as any invalid submission is: in the reply and the surveyor's batch */
		invalid(ans, &prob);
		spool_wait(st, &j, user, iid, form, "", xml, len, ans, NULL);
		return 0;
	}
	reader_give(st, r);
	rc = serve_submit(st, user, plain.buf, plain.len, ans, err);
	strbuf_release(&plain);
	return rc;
}

int serve_submit(struct serve_store *st, const struct serve_user *user, const char *xml,
		 size_t len, struct serve_answer *ans, struct perr *err)
{
	struct job j = { 0 };
	struct reader *r;
	char iid[KEEP] = "", form[KEEP] = "", commune[KEEP] = "";
	struct strbuf checked = STRBUF_INIT;
	int pending = 0, claimed = 0;

	answer(ans, 500, "error", "the server could not take the submission");
	r = reader_take(st, err);
	if (!r)
		return -1;
	if (decide(st, r, user, xml, len, iid, form, commune, &pending, &claimed, &checked, ans,
		   err) < 0) {
		reader_give(st, r);
		answer(ans, 500, "error", "the server could not take the submission");
		goto undo;
	}
	reader_give(st, r);
	/* a web survey's code refused: the page says so, nothing is recorded (as when the page's
	   own check refuses it first) */
	if (user->code[0] && ans->status != 201 && !strncmp(ans->reason, "code-", 5))
		goto undo;
	/* to the spool: the submission (201) or the record of its rejection */
	j.code = user->code[0] && claimed ? user->code : NULL;
	spool_wait(st, &j, user, iid, form, commune, xml, len, ans,
		   ans->status == 201 ? &checked : NULL);
	if (j.failed && ans->status == 201)
		answer(ans, 503, "unavailable",
		       "the server cannot store submissions now (is its disk full?); send it again "
		       "later");
undo:
	/* an instanceID taken in but not spooled as 201 (a conflict found in the database, a
	   spool that failed) is not waiting */
	if (pending && ans->status != 201) {
		pthread_mutex_lock(&st->pmu);
		pend_drop(st, iid);
		pthread_mutex_unlock(&st->pmu);
	}
	if (claimed && ans->status != 201) {
		char key[sizeof(CODE_CLAIM) + 65];

		snprintf(key, sizeof(key), "%s%s", CODE_CLAIM, user->code);
		pthread_mutex_lock(&st->pmu);
		pend_drop(st, key);
		pthread_mutex_unlock(&st->pmu);
	}
	strbuf_release(&checked);
	return ans->status == 500 ? -1 : 0;
}
