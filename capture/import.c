/* Importing one zip as one batch. Worker threads take directory records in turn, inflate,
   parse and validate the entry into a slot of a small ring; the calling thread takes the slots
   back in directory order and writes them to the database, all inside one transaction, so the
   outcome is the same as a one-thread run and memory does not grow with the batch. */
#include "capture.h"
#include "csvout.h"
#include "encrypted.h"
#include "escape.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "text.h"

#define RING 1024 /* results in flight: enough to ride out the scheduler on a busy machine */
#define CLAIM 16 /* records a worker takes at once */
#define KEEP 200 /* bytes kept of an id, form or commune for the receipt (cut with "…") */
#define LIST 3 /* messages shown per reason; the receipt keeps every row */

static const char *const status_names[] = { "accepted", "duplicate", "edit", "rejected",
					    "ignored" };

const char *capture_status_name(enum capture_status s)
{
	return s < CAPTURE_NSTATUS ? status_names[s] : "?";
}

void capture_options_default(struct capture_options *o)
{
	memset(o, 0, sizeof(*o));
	zipin_limits_default(&o->limits);
	o->max_depth = 32;
}

struct slot {
	int state; /* 0 free, 1 being worked on, 2 ready */
	int skip;  /* a folder: not an entry of the batch */
	int nested; /* a zip inside the zip: the writer opens it */
	int table;  /* a CSV (ODK Central's export): the writer reads its rows */
	uint64_t inflated; /* bytes read from the entry */
	struct zipin_entry e;
	struct capture_outcome out;
	char instance_id[KEEP], form_id[KEEP], form_version[KEEP], commune[KEEP];
	char sha256[65];
	int valid; /* sub holds a validated submission */
	struct capture_submission sub;
};

/* The .enc entries of the zip, sorted by name, and the key that opens them (--key): how a
   manifest finds its encrypted file. */
struct enc_file {
	char *name;
	struct zipin_entry e; /* its name left empty: name above */
};

struct encrypted_files {
	EVP_PKEY *key;
	struct enc_file *v;
	size_t n;
};

struct run {
	struct zipin *z;
	const struct encrypted_files *enc;
	const char *name; /* the zip as named on the command line */
	const struct capture_registry *reg;
	const struct capture_options *o;
	pthread_mutex_t mu;
	pthread_cond_t ready, space;
	struct slot *ring;
	uint64_t next, done; /* next record to take; records the writer has finished */
	int end, fatal;
	int workers_waiting, writer_waiting;
	struct perr fatal_err;
};

static void keep_str(char dst[KEEP], const char *s)
{
	text_cut(dst, KEEP, s);
}

/* Does name end with ext (".xml"), in any case? */
static int ends_with(const char *name, size_t n, const char *ext)
{
	size_t k = strlen(ext);

	if (n < k)
		return 0;
	for (size_t i = 0; i < k; i++)
		if ((name[n - k + i] | 0x20) != ext[i])
			return 0;
	return 1;
}

/* snprintf into o->msg, cut visibly at a character boundary when it does not fit */
static void say(struct capture_outcome *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(struct capture_outcome *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(o->msg, sizeof(o->msg), fmt, ap) >= (int)sizeof(o->msg))
		text_mark_cut(o->msg, sizeof(o->msg));
	va_end(ap);
}

static void set(struct capture_outcome *o, enum capture_status st, const char *reason,
		long line, const char *msg)
{
	o->status = st;
	o->reason = reason;
	o->line = line;
	text_cut(o->msg, sizeof(o->msg), msg);
}

/* A name in a legacy code page (zips made on Windows without the UTF-8 flag): shown with
   its bytes escaped as \xNN, so that messages and the receipt stay UTF-8; the entry is read
   as any other. */
static void escape_name(struct zipin_entry *e)
{
	char shown[sizeof(e->name)];
	size_t n = 0;

	for (size_t i = 0; i < e->name_len && n + 5 < sizeof(shown); i++) {
		unsigned char c = (unsigned char)e->name[i];

		if (c < 0x80 && c != '\\')
			shown[n++] = (char)c;
		else
			n += (size_t)snprintf(shown + n, sizeof(shown) - n, "\\x%02x", c);
	}
	shown[n] = '\0';
	memcpy(e->name, shown, n + 1);
	e->name_len = n;
	e->name_utf8 = 1;
}

/* Read and inflate the entry into data: 0 (s rejected when the entry alone is refused), or
   -1 when the whole archive is (err). */
static int read_entry(struct zipin *z, struct zipin_reader *zr, struct slot *s,
		      struct strbuf *data, struct perr *err)
{
	enum zipin_fail fail;

	s->out.status = CAPTURE_ACCEPTED;
	if (zipin_read(z, zr, &s->e, data, &fail, err) == 0)
		return 0;
	if (fail == ZIPIN_ARCHIVE)
		return -1;
	set(&s->out, CAPTURE_REJECTED,
	    s->e.flags & 1 ? "encrypted"
	    : s->e.method != 0 && s->e.method != 8 ? "unsupported-compression"
						    : "too-large",
	    0, err->msg);
	return 0;
}

static int enc_cmp(const void *a, const void *b)
{
	return strcmp(((const struct enc_file *)a)->name, ((const struct enc_file *)b)->name);
}

/* Index the zip's .enc entries (a second pass over its directory): 0, or -1 with err. */
static int index_encrypted(const char *path, const struct zipin_limits *lim,
			   struct encrypted_files *ef, struct perr *err)
{
	struct zipin *z;
	struct zipin_entry *e = xcalloc(1, sizeof(*e));
	size_t alloc = 0;
	int got;

	if (zipin_open_file(&z, path, lim, err) < 0) {
		free(e);
		return -1;
	}
	while ((got = zipin_next(z, e, err)) > 0) {
		if (e->is_dir || !ends_with(e->name, e->name_len, ".enc"))
			continue;
		if (ef->n == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			ef->v = xrealloc(ef->v, alloc * sizeof(*ef->v));
		}
		ef->v[ef->n].name = xstrdup(e->name);
		ef->v[ef->n].e = *e;
		ef->v[ef->n].e.name[0] = '\0';
		ef->n++;
	}
	zipin_close(z);
	free(e);
	if (got < 0)
		return -1;
	if (ef->n)
		qsort(ef->v, ef->n, sizeof(*ef->v), enc_cmp);
	return 0;
}

static void release_encrypted(struct encrypted_files *ef)
{
	for (size_t i = 0; i < ef->n; i++)
		free(ef->v[i].name);
	free(ef->v);
	ef->v = NULL;
	ef->n = 0;
}

/* inst is the manifest of an encrypted submission (entry s): find its .enc beside it, decrypt
   it into plain with the --key, check the signature and parse the instance into inst.
   0 with inst the instance; 1 with s rejected; -1 when the whole archive is refused (err). */
static int examine_instance(const struct capture_registry *reg, struct slot *s,
			    const struct capture_instance *inst_);

/* Reads NAME, beside the manifest (in the folder of ENTRY, its first DIR bytes), into BUF;
   *PATH gets NAME's path in the zip (the caller frees it). READ_BESIDE_TOO_LARGE leaves why in
   err, READ_BESIDE_ARCHIVE too (the whole archive is refused). */
enum read_beside { READ_BESIDE_OK, READ_BESIDE_MISSING, READ_BESIDE_TOO_LARGE, READ_BESIDE_ARCHIVE };

static enum read_beside read_beside(struct zipin *z, struct zipin_reader *zr,
				    const struct encrypted_files *ef, const char *entry, int dir,
				    const char *name, struct strbuf *buf, char **path,
				    struct perr *err)
{
	struct enc_file key = { 0 }, *f;
	struct zipin_entry *e;
	enum zipin_fail fail;
	int rc;

	key.name = *path = xasprintf("%.*s%s", dir, entry, name);
	f = ef->n ? bsearch(&key, ef->v, ef->n, sizeof(*ef->v), enc_cmp) : NULL;
	if (!f)
		return READ_BESIDE_MISSING;
	e = xcalloc(1, sizeof(*e));
	*e = f->e;
	text_cut(e->name, sizeof(e->name), f->name);
	e->name_len = strlen(e->name);
	rc = zipin_read(z, zr, e, buf, &fail, err);
	free(e);
	if (rc < 0)
		return fail == ZIPIN_ARCHIVE ? READ_BESIDE_ARCHIVE : READ_BESIDE_TOO_LARGE;
	return READ_BESIDE_OK;
}

/* capture_decrypt's media files, read from the zip beside the manifest, one at a time */
struct media_in_zip {
	struct zipin *z;
	struct zipin_reader *zr;
	const struct encrypted_files *ef;
	const struct capture_manifest *m;
	const char *entry; /* the manifest's entry: its folder is the media's */
	int dir;
	long line;
	struct slot *s;
	struct strbuf buf;
	struct perr *err;
};

static int media_from_zip(void *arg, size_t i, struct capture_enc_file *out,
			  struct capture_problem *prob)
{
	struct media_in_zip *mz = arg;
	char *path;
	int rc = 1;

	prob->line = mz->line;
	strbuf_reset(&mz->buf);
	switch (read_beside(mz->z, mz->zr, mz->ef, mz->entry, mz->dir, mz->m->media[i], &mz->buf,
			    &path, mz->err)) {
	case READ_BESIDE_MISSING:
		prob->reason = "missing-enc";
		if (snprintf(prob->msg, sizeof(prob->msg), "the manifest names %s, which is not in "
			     "the zip: the submission cannot be decrypted", path) >=
		    (int)sizeof(prob->msg))
			text_mark_cut(prob->msg, sizeof(prob->msg));
		goto done;
	case READ_BESIDE_TOO_LARGE:
		prob->reason = "too-large";
		if (snprintf(prob->msg, sizeof(prob->msg), "%s: %s", path, mz->err->msg) >=
		    (int)sizeof(prob->msg))
			text_mark_cut(prob->msg, sizeof(prob->msg));
		perr_clear(mz->err);
		goto done;
	case READ_BESIDE_ARCHIVE:
		rc = -1;
		goto done;
	case READ_BESIDE_OK:
		break;
	}
	mz->s->inflated += mz->buf.len;
	out->name = mz->m->media[i];
	out->data = (const unsigned char *)mz->buf.buf;
	out->len = mz->buf.len;
	rc = 0;
done:
	free(path);
	return rc;
}

static int open_encrypted(struct zipin *z, struct zipin_reader *zr,
			  const struct encrypted_files *ef, struct slot *s,
			  struct capture_parser *p, struct capture_instance *inst,
			  struct strbuf *plain, struct perr *err)
{
	struct capture_manifest m;
	struct capture_problem prob;
	struct strbuf enc = STRBUF_INIT;
	char iid[CAPTURE_MAX_ID + 1], *path = NULL;
	const char *slash = strrchr(s->e.name, '/');
	int dir = slash ? (int)(slash - s->e.name + 1) : 0, rc = 1;

	if (!ef) {
		set(&s->out, CAPTURE_REJECTED, "encrypted", inst->line,
		    "an encrypted submission in a zip inside the zip is not read; unzip it and "
		    "import it on its own with --key PRIVATE.pem");
		return 1;
	}
	if (!ef->key) {
		set(&s->out, CAPTURE_REJECTED, "encrypted", inst->line,
		    "an encrypted submission (its form has a base64RsaPublicKey): import with --key "
		    "PRIVATE.pem");
		return 1;
	}
	if (capture_manifest_read(inst, &m, &prob) < 0) {
		set(&s->out, CAPTURE_REJECTED, prob.reason, prob.line, prob.msg);
		return 1;
	}
	if (strlen(m.instance_id) > CAPTURE_MAX_ID) {
		set(&s->out, CAPTURE_REJECTED, "long-instance-id", inst->instance_id_line,
		    "meta/instanceID of the manifest is too long");
		return 1;
	}
	strcpy(iid, m.instance_id);
	switch (read_beside(z, zr, ef, s->e.name, dir, m.xml_file, &enc, &path, err)) {
	case READ_BESIDE_MISSING:
		set(&s->out, CAPTURE_REJECTED, "missing-enc", inst->line, "");
		say(&s->out, "the manifest names %s, which is not in the zip: the submission cannot "
			     "be decrypted",
		    path);
		goto done;
	case READ_BESIDE_TOO_LARGE:
		set(&s->out, CAPTURE_REJECTED, "too-large", 0, "");
		say(&s->out, "%s: %s", path, err->msg);
		goto done;
	case READ_BESIDE_ARCHIVE:
		rc = -1;
		goto done;
	case READ_BESIDE_OK:
		break;
	}
	s->inflated += enc.len;
	{
		struct media_in_zip mz = { z, zr, ef, &m, s->e.name, dir, inst->line, s,
					   STRBUF_INIT, err };
		int got = capture_decrypt(ef->key, &m, media_from_zip, &mz,
					  (const unsigned char *)enc.buf, enc.len, plain, &prob);

		strbuf_release(&mz.buf);
		if (got == -2) {
			rc = -1;
			goto done;
		}
		if (got < 0) {
			set(&s->out, CAPTURE_REJECTED, prob.reason, prob.line, prob.msg);
			goto done;
		}
	}
	text_sha256_hex(plain->buf, plain->len, s->sha256);
	if (capture_encrypted_parse(p, path, iid, plain, inst, &prob) < 0) {
		set(&s->out, CAPTURE_REJECTED, prob.reason, prob.line, prob.msg);
		goto done;
	}
	rc = 0;
done:
	free(path);
	strbuf_release(&enc);
	return rc;
}

/* Everything about one entry that needs no database: runs in a worker (or in the writer, for
   the entries of a zip inside the zip: inner). Returns -1 when the whole archive is refused
   (err). */
static int examine(struct zipin *z, const struct capture_registry *reg, int inner,
		   const struct encrypted_files *ef, struct slot *s, struct zipin_reader *zr,
		   struct capture_parser *p, struct strbuf *data, struct perr *err)
{
	struct capture_instance inst;
	struct capture_problem prob;
	struct strbuf plain = STRBUF_INIT;
	const char *base;
	int got;

	s->valid = 0;
	s->skip = 0;
	s->nested = 0;
	s->table = 0;
	s->inflated = 0;
	s->instance_id[0] = s->form_id[0] = s->form_version[0] = s->commune[0] = '\0';
	s->sha256[0] = '\0';
	s->out.line = 0;
	if (s->e.is_dir) {
		s->skip = 1;
		return 0;
	}
	if (!s->e.name_utf8)
		escape_name(&s->e);
	base = strrchr(s->e.name, '/');
	base = base ? base + 1 : s->e.name;
	if (!strncmp(s->e.name, "__MACOSX/", 9) || !strncmp(base, "._", 2)) {
		set(&s->out, CAPTURE_IGNORED, "metadata", 0, "archiver metadata, ignored");
		return 0;
	}
	if (!strcmp(base, "last-saved.xml")) {
		set(&s->out, CAPTURE_IGNORED, "last-saved", 0,
		    "ODK Collect's copy of the last answers saved (forms/NAME-media/last-saved.xml), "
		    "not a submission; ignored");
		return 0;
	}
	if (ends_with(s->e.name, s->e.name_len, ".zip")) {
		if (inner) {
			set(&s->out, CAPTURE_REJECTED, "nested-zip", 0,
			    "a zip inside a zip inside the zip: not read; unzip it and import it on "
			    "its own");
			return 0;
		}
		s->nested = 1; /* read by the writer, in its turn */
		set(&s->out, CAPTURE_IGNORED, "zip", 0, "");
		return 0;
	}
	if (ends_with(s->e.name, s->e.name_len, ".csv")) {
		s->table = 1; /* read by the writer, in its turn: its rows are the entries */
		set(&s->out, CAPTURE_IGNORED, "table", 0, "");
		return 0;
	}
	if (ends_with(s->e.name, s->e.name_len, ".enc")) {
		set(&s->out, CAPTURE_IGNORED, "encrypted-file", 0,
		    "an encrypted file, read through the submission.xml manifest beside it");
		return 0;
	}
	if (!ends_with(s->e.name, s->e.name_len, ".xml")) {
		set(&s->out, CAPTURE_IGNORED, "not-xml", 0, "not an XML file (media or other), ignored");
		return 0;
	}
	if (read_entry(z, zr, s, data, err) < 0)
		return -1;
	if (s->out.status == CAPTURE_REJECTED)
		return 0;
	s->inflated = data->len;
	text_sha256_hex(data->buf, data->len, s->sha256);
	if (capture_parse(p, data->buf, data->len, &inst, &prob) < 0) {
		set(&s->out, CAPTURE_REJECTED, prob.reason, prob.line, prob.msg);
		return 0;
	}
	if (!inst.is_form && capture_is_manifest(&inst)) {
		keep_str(s->instance_id, inst.instance_id);
		keep_str(s->form_id, inst.form_id);
		keep_str(s->form_version, inst.form_version);
		got = open_encrypted(z, zr, inner ? NULL : ef, s, p, &inst, &plain, err);
		if (got != 0) {
			strbuf_release(&plain);
			return got < 0 ? -1 : 0;
		}
	}
	got = examine_instance(reg, s, &inst);
	strbuf_release(&plain);
	return got;
}

/* The rest of examine, on a parsed instance: 0 */
static int examine_instance(const struct capture_registry *reg, struct slot *s,
			    const struct capture_instance *inst_)
{
	struct capture_instance inst = *inst_;
	struct capture_problem prob;

	keep_str(s->instance_id, inst.instance_id);
	keep_str(s->form_id, inst.form_id);
	keep_str(s->form_version, inst.form_version);
	for (size_t i = 0; i < inst.nfields; i++)
		if (!strcmp(inst.fields[i].name, "commune"))
			keep_str(s->commune, inst.fields[i].value);
	if (inst.is_form) {
		set(&s->out, CAPTURE_IGNORED, "form-definition", 0, "a form definition, not a submission; ignored");
		return 0;
	}
	if (capture_validate(reg, &inst, &s->sub, &prob) < 0) {
		set(&s->out, CAPTURE_REJECTED, prob.reason, prob.line, prob.msg);
		return 0;
	}
	s->valid = 1;
	set(&s->out, CAPTURE_ACCEPTED, "ok", 0, "stored");
	return 0;
}

static void *worker(void *arg)
{
	struct run *r = arg;
	struct zipin_reader *zr = zipin_reader_new();
	struct capture_parser *p = capture_parser_new(r->o->max_depth);
	struct strbuf data = STRBUF_INIT;
	struct perr err;

	pthread_mutex_lock(&r->mu);
	for (;;) {
		uint64_t first, n = 0;
		int got = 1;

		while (!r->end && !r->fatal && r->next + CLAIM > r->done + RING) {
			r->workers_waiting++;
			pthread_cond_wait(&r->space, &r->mu);
			r->workers_waiting--;
		}
		if (r->end || r->fatal)
			break;
		/* claim a few records at once: fewer wake-ups */
		first = r->next;
		while (n < CLAIM) {
			struct slot *s = &r->ring[(first + n) % RING];

			perr_clear(&err);
			got = zipin_next(r->z, &s->e, &err);
			if (got <= 0)
				break;
			s->state = 1;
			n++;
		}
		r->next += n;
		if (got <= 0) {
			if (got < 0) {
				r->fatal = 1;
				r->fatal_err = err;
			}
			r->end = 1;
			pthread_cond_broadcast(&r->space);
			pthread_cond_broadcast(&r->ready);
		}
		pthread_mutex_unlock(&r->mu);

		got = 0;
		for (uint64_t i = 0; i < n && got == 0; i++) {
			got = examine(r->z, r->reg, 0, r->enc, &r->ring[(first + i) % RING], zr, p, &data,
				      &err);
		}

		pthread_mutex_lock(&r->mu);
		if (got < 0 && !r->fatal) {
			r->fatal = 1;
			r->fatal_err = err;
		}
		for (uint64_t i = 0; i < n; i++)
			r->ring[(first + i) % RING].state = 2;
		if (r->writer_waiting || r->fatal)
			pthread_cond_signal(&r->ready);
	}
	pthread_mutex_unlock(&r->mu);
	strbuf_release(&data);
	capture_parser_free(p);
	zipin_reader_free(zr);
	return NULL;
}

/* ---- the writer: the calling thread ---- */

struct reason_count {
	const char *reason;
	enum capture_status status;
	uint64_t n;
};

/* An unknown form (id and version) and how many entries were of it: for the summary. */
struct unknown_form {
	char id[KEEP], version[KEEP];
	uint64_t n;
};

struct writer {
	sqlite3 *db;
	sqlite3_stmt *find, *find_edit, *insert, *supersede, *set_replaces, *entry;
	int64_t batch;
	int waiting; /* some stored edit may wait for its original */
	struct reason_count reasons[64];
	size_t nreasons;
	struct unknown_form unknown[8];
	size_t nunknown;
	char unknown_commune[KEEP];
	uint64_t inflated; /* bytes read from every entry so far, zips inside included */
	uint64_t inner;    /* entries of zips inside the zip so far */
};

/* The columns of find that hold a submission's meaning, from 2 on, in this order. */
static const char *const meaning_names[] = { "form", "form version", "meta/deprecatedID",
					     "commune", "surveyor", "start", "end", "deviceid",
					     "comment", "answers" };

/* Look up a stored submission by instance id: 1 found (id, superseded, form copied out; the
   row stays on w->find until it is reset), 0 not, -1 error. */
static int find(struct writer *w, const char *iid, int64_t *id, int *superseded,
		char form[KEEP], struct perr *err)
{
	int rc;

	sqlite3_reset(w->find);
	sqlite3_bind_text(w->find, 1, iid, -1, SQLITE_STATIC);
	rc = sqlite3_step(w->find);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(w->find, 0);
		*superseded = sqlite3_column_type(w->find, 1) != SQLITE_NULL;
		keep_str(form, (const char *)sqlite3_column_text(w->find, 2));
		return 1;
	}
	sqlite3_reset(w->find);
	if (rc == SQLITE_DONE)
		return 0;
	return db_fail(w->db, err, "looking up a submission");
}

/* The stored edit that names iid as its original: 1 (its id, instance id and form copied
   out), 0 none, -1 error. */
static int find_edit(struct writer *w, const char *iid, int64_t *id, char edit[KEEP],
		     char form[KEEP], struct perr *err)
{
	int rc;

	sqlite3_bind_text(w->find_edit, 1, iid, -1, SQLITE_STATIC);
	rc = sqlite3_step(w->find_edit);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(w->find_edit, 0);
		keep_str(edit, (const char *)sqlite3_column_text(w->find_edit, 1));
		keep_str(form, (const char *)sqlite3_column_text(w->find_edit, 2));
	}
	sqlite3_reset(w->find_edit);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return db_fail(w->db, err, "looking up an edit");
}

/* The parts of a submission's meaning, in the order of meaning_names; NULL when absent. */
static void meaning(const struct capture_submission *sub, const char *mine[10])
{
	const char *const m[] = { sub->form->id, sub->form->version, sub->deprecated_id,
				  sub->commune, sub->surveyor, sub->started, sub->ended,
				  sub->device_id, sub->comment, strbuf_str(&sub->answers) };

	memcpy(mine, m, sizeof(m));
}

void capture_meaning_sha256(const struct capture_submission *sub, char out[65])
{
	struct strbuf b = STRBUF_INIT;
	const char *mine[10];

	meaning(sub, mine);
	/* each part with its length, or '-' when absent: no two meanings give one text */
	for (int i = 0; i < 10; i++)
		if (mine[i])
			strbuf_addf(&b, "%zu:%s;", strlen(mine[i]), mine[i]);
		else
			strbuf_adds(&b, "-;");
	text_sha256_hex(b.buf, b.len, out);
	strbuf_release(&b);
}

/* The first part of the submission's meaning that differs from the row on w->find, or NULL
   when they mean the same: form, version, meta and answers, not the bytes they came in. */
static const char *differs(struct writer *w, const struct capture_submission *sub)
{
	const char *mine[10];

	meaning(sub, mine);
	for (int i = 0; i < 10; i++) {
		const char *stored = (const char *)sqlite3_column_text(w->find, 3 + i);

		if (!stored != !mine[i] || (stored && strcmp(stored, mine[i])))
			return meaning_names[i];
	}
	return NULL;
}

/* The instance id is stored already: a duplicate, or a conflict. The row is on w->find. */
static void same_id(struct writer *w, const struct capture_submission *sub,
		    const char *sha256, struct capture_outcome *o)
{
	const char *what = differs(w, sub);
	const char *sha = (const char *)sqlite3_column_text(w->find, 13);

	if (!what) {
		set(o, CAPTURE_DUPLICATE, "duplicate", 0, "");
		say(o, sha && !strcmp(sha, sha256)
			       ? "already stored, identical; not stored again"
			       : "already stored with the same answers (written differently); "
				 "not stored again");
	} else {
		set(o, CAPTURE_REJECTED, "conflict", o->line, "");
		say(o, "instance '%s' is stored already with different content (%s)",
		    sub->instance_id, what);
	}
	sqlite3_reset(w->find);
}

/* Decide duplicate / conflict / edit and store the submission. The outcome depends on the
   set of submissions stored, not on their order: an edit whose original is not stored waits
   for it (and counts meanwhile); an original whose edit is stored comes in replaced. */
static int store(struct writer *w, const struct capture_submission *sub, const char *sha256,
		 struct capture_outcome *o, struct perr *err)
{
	int64_t old = 0, edit = 0, id;
	int superseded = 0, rc;
	char form[KEEP], other[KEEP];

	if (sub->deprecated_id || w->waiting) {
		rc = find(w, sub->instance_id, &id, &superseded, form, err);
		if (rc < 0)
			return -1;
		if (rc == 1) {
			same_id(w, sub, sha256, o);
			return 0;
		}
	}
	if (sub->deprecated_id) {
		rc = find(w, sub->deprecated_id, &old, &superseded, form, err);
		sqlite3_reset(w->find);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			old = 0;
			rc = find_edit(w, sub->deprecated_id, &id, other, form, err);
			if (rc < 0)
				return -1;
			if (rc == 1) {
				set(o, CAPTURE_REJECTED, "already-edited", 0, "");
				say(o, "edit of '%s', which '%s', stored before it, already edits",
				    sub->deprecated_id, other);
				return 0;
			}
		}
		if (superseded) {
			set(o, CAPTURE_REJECTED, "already-edited", 0, "");
			say(o, "edit of '%s', which another edit has already replaced",
			    sub->deprecated_id);
			return 0;
		}
		if (old && strcmp(form, sub->form->id)) {
			set(o, CAPTURE_REJECTED, "edit-form-mismatch", 0, "");
			say(o, "edit of '%s', which was filled in on form '%s'", sub->deprecated_id,
			    form);
			return 0;
		}
	}
	if (w->waiting) {
		rc = find_edit(w, sub->instance_id, &edit, other, form, err);
		if (rc < 0)
			return -1;
		if (rc == 1 && strcmp(form, sub->form->id)) {
			set(o, CAPTURE_REJECTED, "edit-form-mismatch", 0, "");
			say(o, "'%s', stored before it, is an edit of it on form '%s'", other, form);
			return 0;
		}
	}
	sqlite3_bind_text(w->insert, 1, sub->instance_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(w->insert, 2, sub->form->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(w->insert, 3, sub->form->version, -1, SQLITE_STATIC);
	sqlite3_bind_text(w->insert, 4, sub->form->group_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(w->insert, 5, sub->commune, -1, SQLITE_STATIC);
	sqlite3_bind_text(w->insert, 6, sub->surveyor, -1, SQLITE_STATIC);
	db_bind_text(w->insert, 7, sub->started);
	db_bind_text(w->insert, 8, sub->ended);
	db_bind_text(w->insert, 9, sub->device_id);
	db_bind_text(w->insert, 10, sub->comment);
	sqlite3_bind_text(w->insert, 11, strbuf_str(&sub->answers), (int)sub->answers.len,
			  SQLITE_STATIC);
	sqlite3_bind_text(w->insert, 12, sha256, 64, SQLITE_STATIC);
	sqlite3_bind_int64(w->insert, 13, w->batch);
	if (old)
		sqlite3_bind_int64(w->insert, 14, old);
	else
		sqlite3_bind_null(w->insert, 14);
	db_bind_text(w->insert, 15, sub->deprecated_id);
	if (edit)
		sqlite3_bind_int64(w->insert, 16, edit);
	else
		sqlite3_bind_null(w->insert, 16);
	rc = sqlite3_step(w->insert);
	sqlite3_reset(w->insert);
	if (rc != SQLITE_DONE)
		return db_fail(w->db, err, "storing a submission");
	if (sqlite3_changes(w->db) == 0) {
		/* the instance id is stored already */
		rc = find(w, sub->instance_id, &id, &superseded, form, err);
		if (rc <= 0)
			return rc < 0 ? -1 : db_fail(w->db, err, "finding a stored submission");
		same_id(w, sub, sha256, o);
		return 0;
	}
	id = sqlite3_last_insert_rowid(w->db);
	if (old) {
		sqlite3_bind_int64(w->supersede, 1, id);
		sqlite3_bind_int64(w->supersede, 2, old);
		if (db_step_done(w->db, w->supersede, err) < 0)
			return -1;
		set(o, CAPTURE_EDIT, "edit", 0, "");
		say(o, "replaces '%s'", sub->deprecated_id);
	} else if (sub->deprecated_id) {
		w->waiting = 1;
		set(o, CAPTURE_EDIT, "edit-waiting", 0, "");
		say(o, "edit of '%s', which is not stored (yet): counted instead of it until it "
		       "arrives, then kept as replaced", sub->deprecated_id);
	}
	if (edit) {
		sqlite3_bind_int64(w->set_replaces, 1, id);
		sqlite3_bind_int64(w->set_replaces, 2, edit);
		if (db_step_done(w->db, w->set_replaces, err) < 0)
			return -1;
		if (old) {
			say(o, "replaces '%s'; stored as replaced by '%s', an edit stored before it",
			    sub->deprecated_id, other);
		} else if (sub->deprecated_id) {
			say(o, "edit of '%s', which is not stored (yet); stored as replaced by '%s', "
			       "an edit stored before it", sub->deprecated_id, other);
		} else {
			set(o, CAPTURE_ACCEPTED, "replaced", 0, "");
			say(o, "stored as replaced by '%s', an edit stored before it", other);
		}
	}
	return 0;
}

/* Count an entry not stored under its reason (and its form, when unknown): returns how many
   entries that reason has now. */
static uint64_t count_reason(struct writer *w, const struct slot *s)
{
	struct reason_count *rc = NULL;

	for (size_t i = 0; i < w->nreasons && !rc; i++)
		if (!strcmp(w->reasons[i].reason, s->out.reason))
			rc = &w->reasons[i];
	if (!rc) {
		if (w->nreasons == sizeof(w->reasons) / sizeof(w->reasons[0]))
			return LIST + 1; /* not a fixed reason code: cannot happen; list no more */
		rc = &w->reasons[w->nreasons++];
		rc->reason = s->out.reason;
		rc->status = s->out.status;
		rc->n = 0;
	}
	if (!strcmp(s->out.reason, "unknown-form")) {
		const char *version = s->form_version[0] ? s->form_version : "(none)";
		size_t i = 0;

		while (i < w->nunknown && (strcmp(w->unknown[i].id, s->form_id) ||
					   strcmp(w->unknown[i].version, version)))
			i++;
		if (i == w->nunknown && i < sizeof(w->unknown) / sizeof(w->unknown[0])) {
			keep_str(w->unknown[i].id, s->form_id);
			keep_str(w->unknown[i].version, version);
			w->unknown[i].n = 0;
			w->nunknown++;
		}
		if (i < w->nunknown)
			w->unknown[i].n++;
	}
	if (!strcmp(s->out.reason, "unknown-commune") && !w->unknown_commune[0])
		keep_str(w->unknown_commune, s->commune);
	return ++rc->n;
}

/* The area the database's definitions are of, in English for a hint: "district", "province"
   or "city" (def_area_word), "area" when they differ or no form is registered. */
static const char *area_word_en(const struct capture_registry *reg)
{
	const char *word = NULL;

	for (size_t i = 0; i < reg->ndefs; i++) {
		const char *vi = def_area_word(&reg->defs[i]);
		const char *en = !strcmp(vi, "huyện") ? "district"
				 : !strcmp(vi, "tỉnh") ? "province"
							: "city";

		if (word && strcmp(word, en))
			return "area";
		word = en;
	}
	return word ? word : "area";
}

/* After the batch: how many more entries each reason had than were listed, and, when one
   reason covers most entries, its likely cause, once. */
static void summarize(const struct writer *w, const struct run *r,
		      const struct capture_result *res)
{
	FILE *f = r->o->messages;
	const struct reason_count *top = NULL;
	uint64_t stored = res->count[CAPTURE_ACCEPTED] + res->count[CAPTURE_EDIT];
	unsigned long long n, all = (unsigned long long)res->entries;
	char *name, *id, *version, *commune;
	const char *area = area_word_en(r->reg);

	if (!f)
		return;
	/* the file name is the operator's, the form ids and the commune come from the zip: all
	   shown through escape_term */
	name = escape_term_dup(r->name);
	for (size_t i = 0; i < w->nreasons; i++) {
		const struct reason_count *rc = &w->reasons[i];

		if (rc->status == CAPTURE_REJECTED && rc->n > LIST)
			fprintf(f, "parindex: capture: %s: and %llu more entries rejected as %s (%s)\n",
				name, (unsigned long long)(rc->n - LIST), rc->reason,
				r->o->receipt ? "the receipt lists every entry"
					      : "--receipt FILE lists every entry");
		if (!top || rc->n > top->n)
			top = rc;
	}
	if (!top || top->n * 2 <= res->entries) {
		free(name);
		return;
	}
	n = (unsigned long long)top->n;
	id = escape_term_dup(w->nunknown ? w->unknown[0].id : "");
	version = escape_term_dup(w->nunknown ? w->unknown[0].version : "");
	commune = escape_term_dup(w->unknown_commune);
	if (!strcmp(top->reason, "unknown-form") && w->nunknown == 1) {
		fprintf(f, "parindex: capture: %s: %llu of %llu entries are forms %s %s, which this "
			   "database does not have: another %s or year? run `parindex forms` "
			   "first?\n", name, n, all, id, version, area);
	} else if (!strcmp(top->reason, "unknown-form")) {
		fprintf(f, "parindex: capture: %s: %llu of %llu entries are of forms this database "
			   "does not have (%s %s and %zu more): another %s or year? run "
			   "`parindex forms` first?\n", name, n, all, id, version,
			w->nunknown - 1, area);
	} else if (!strcmp(top->reason, "unknown-commune")) {
		fprintf(f, "parindex: capture: %s: %llu of %llu entries name communes that are not "
			   "in the register (the first: '%s'): another %s? or is the register "
			   "given to `parindex init --communes` incomplete?\n", name, n, all,
			commune, area);
	} else if (top->status == CAPTURE_IGNORED && stored == 0) {
		fprintf(f, "parindex: capture: %s: %llu of %llu entries were ignored as %s: is this "
			   "a zip of ODK submissions (Collect's instances folder, a Briefcase "
			   "export)?\n", name, n, all, top->reason);
	} else if (top->status == CAPTURE_REJECTED && n > LIST) {
		fprintf(f, "parindex: capture: %s: %llu of %llu entries were rejected as %s\n",
			name, n, all, top->reason);
	}
	free(commune);
	free(version);
	free(id);
	free(name);
}

/* The batch_entry row of one entry; an empty id, form or commune is stored as NULL. */
static int entry_row(struct writer *w, uint64_t seq, const char *path, size_t path_len,
		     const char *iid, const char *form, const char *commune,
		     const struct capture_outcome *out, struct perr *err)
{
	sqlite3_bind_int64(w->entry, 1, w->batch);
	sqlite3_bind_int64(w->entry, 2, (sqlite3_int64)seq);
	sqlite3_bind_text(w->entry, 3, path, (int)path_len, SQLITE_STATIC);
	db_bind_text(w->entry, 4, iid && iid[0] ? iid : NULL);
	db_bind_text(w->entry, 5, form && form[0] ? form : NULL);
	db_bind_text(w->entry, 6, commune && commune[0] ? commune : NULL);
	sqlite3_bind_text(w->entry, 7, capture_status_name(out->status), -1, SQLITE_STATIC);
	sqlite3_bind_text(w->entry, 8, out->reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(w->entry, 9, out->msg, -1, SQLITE_STATIC);
	return db_step_done(w->db, w->entry, err);
}

static int record(struct writer *w, struct run *r, struct slot *s, struct perr *err)
{
	const struct capture_options *o = r->o;
	char where[1400];

	if (entry_row(w, s->e.seq, s->e.name, s->e.name_len, s->instance_id, s->form_id,
		      s->commune, &s->out, err) < 0)
		return -1;
	if (o->receipt) {
		csvout_field(o->receipt, r->name, 0);
		csvout_field(o->receipt, s->e.name, 0);
		csvout_field(o->receipt, s->instance_id, 0);
		csvout_field(o->receipt, s->form_id, 0);
		csvout_field(o->receipt, s->commune, 0);
		csvout_field(o->receipt, capture_status_name(s->out.status), 0);
		csvout_field(o->receipt, s->out.reason, 0);
		csvout_field(o->receipt, s->out.msg, 1);
	}
	if (s->out.status == CAPTURE_REJECTED || s->out.status == CAPTURE_IGNORED) {
		if (count_reason(w, s) > LIST || s->out.status == CAPTURE_IGNORED)
			return 0;
	}
	if (o->messages && s->out.status == CAPTURE_REJECTED) {
		if (o->progress && o->progress == o->messages)
			fputs("\r\033[K", o->messages); /* the message replaces the progress line */
		if ((s->out.line > 0 ? snprintf(where, sizeof(where), "%s(%s):%ld", r->name, s->e.name,
					    s->out.line)
				 : snprintf(where, sizeof(where), "%s(%s)", r->name, s->e.name)) >=
		    (int)sizeof(where))
			text_mark_cut(where, sizeof(where));
		/* the entry name and message are the zip's: shown escaped, never as control */
		fputs("parindex: capture: ", o->messages);
		escape_term_fputs(o->messages, where);
		fputs(": ", o->messages);
		escape_term_fputs(o->messages, s->out.msg);
		fputc('\n', o->messages);
	}
	return 0;
}

/* seq of the entries of zips inside the zip: past any seq of the outer directory */
#define INNER_SEQ ((uint64_t)1 << 40)

/* The rows of a Central CSV, each an entry of the batch named TABLE:LINE. */
struct table_run {
	struct writer *w;
	struct run *r;
	struct slot *e; /* the row's entry */
	sqlite3_stmt *edit_of;
	struct capture_result *res;
	const char *name;
	struct perr *err;
};

/* One row: validated and stored as an XML entry is; a problem names its column. */
static int table_row(const struct capture_row *row, void *ctx)
{
	struct table_run *t = ctx;
	struct slot *e = t->e;
	struct capture_problem prob = row->prob;
	struct capture_instance inst = row->inst;
	char original[CAPTURE_MAX_ID + 1];
	int rc = capture_central_edit_of(t->w->db, &t->edit_of, row, original, t->err);

	if (rc < 0)
		return -1;
	if (rc == 1)
		inst.deprecated_id = original;
	e->valid = 0;
	e->out.line = 0;
	e->instance_id[0] = e->form_id[0] = e->form_version[0] = e->commune[0] = '\0';
	if (snprintf(e->e.name, sizeof(e->e.name), "%s:%ld", t->name, row->line) >=
	    (int)sizeof(e->e.name))
		text_mark_cut(e->e.name, sizeof(e->e.name));
	e->e.name_len = strlen(e->e.name);
	e->e.seq = INNER_SEQ + t->w->inner++;
	memcpy(e->sha256, row->sha256, sizeof(e->sha256));
	keep_str(e->instance_id, row->inst.instance_id);
	keep_str(e->form_id, row->inst.form_id);
	keep_str(e->form_version, row->inst.form_version);
	for (size_t i = 0; i < row->inst.nfields; i++)
		if (!strcmp(row->inst.fields[i].name, "commune"))
			keep_str(e->commune, row->inst.fields[i].value);
	if (!row->bad && capture_validate(t->r->reg, &inst, &e->sub, &prob) == 0) {
		e->valid = 1;
		set(&e->out, CAPTURE_ACCEPTED, "ok", 0, "stored");
		if (store(t->w, &e->sub, e->sha256, &e->out, t->err) < 0)
			return -1;
	} else if (prob.line > 0) {
		set(&e->out, CAPTURE_REJECTED, prob.reason, 0, "");
		say(&e->out, "column %ld (%s): %s", prob.line, row->columns[prob.line - 1], prob.msg);
	} else {
		set(&e->out, CAPTURE_REJECTED, prob.reason, 0, prob.msg);
	}
	if (record(t->w, t->r, e, t->err) < 0)
		return -1;
	t->res->entries++;
	t->res->count[e->out.status]++;
	return 0;
}

/* A Central CSV (slot s, its bytes in buf): its rows become entries; a table refused as a
   whole, or a repeat group's, is one entry (s). -1 on a system error (err). */
static int import_table(struct writer *w, struct run *r, struct slot *s, const char *buf,
			size_t len, struct capture_result *res, struct perr *err)
{
	struct table_run t = { w, r, xcalloc(1, sizeof(*t.e)), NULL, res, s->e.name, err };
	struct capture_problem prob;
	int rc = capture_central_read(r->reg, buf, len, s->e.name, table_row, &t, &prob);

	if (rc == 1) {
		set(&s->out, CAPTURE_IGNORED, "repeat-table", 0,
		    "a repeat group's table of a Central export (parindex forms have no repeat "
		    "groups); ignored");
	} else if (rc == 2 && r->z) { /* another CSV in the zip, as any other file */
		set(&s->out, CAPTURE_IGNORED, "not-central", 0,
		    "a CSV file that is not an ODK Central export (column 1 is not SubmissionDate), "
		    "ignored");
		rc = 1;
	} else if (rc == -1 || rc == 2) {
		set(&s->out, CAPTURE_REJECTED, prob.reason, prob.line, prob.msg);
		rc = -1;
	}
	if (rc == -1 && !strcmp(prob.reason, "unknown-form"))
		capture_central_form_id(s->e.name, s->form_id, sizeof(s->form_id));
	if (rc == 1 || rc == -1) {
		rc = record(w, r, s, err);
		res->entries++;
		res->count[s->out.status]++;
	}
	sqlite3_finalize(t.edit_of);
	capture_submission_release(&t.e->sub);
	free(t.e);
	return rc < 0 ? -1 : 0;
}

/* A CSV entry of the zip z, read here in the writer when its turn comes. */
static int import_table_entry(struct writer *w, struct run *r, struct zipin *z, struct slot *s,
			      struct capture_result *res, struct perr *err)
{
	struct zipin_reader *zr = zipin_reader_new();
	struct strbuf data = STRBUF_INIT;
	int rc = -1;

	if (read_entry(z, zr, s, &data, err) < 0)
		goto done;
	w->inflated += data.len;
	if (s->out.status == CAPTURE_REJECTED) {
		rc = record(w, r, s, err);
		res->entries++;
		res->count[s->out.status]++;
	} else {
		rc = import_table(w, r, s, data.buf ? data.buf : "", data.len, res, err);
	}
done:
	strbuf_release(&data);
	zipin_reader_free(zr);
	return rc;
}

/* A zip inside the zip (slot s), read here in the writer when its turn comes: its entries
   are entries of the batch, named ENTRY.zip/NAME, checked and stored like the others, under
   what is left of the outer zip's limits (entries, inflated total; the ratio and the size of
   an entry as they are). One inner zip is in memory at a time; a zip inside it is not opened.
   Returns -1 when the whole upload is refused (err) or on a system error. */
static int import_nested(struct writer *w, struct run *r, struct slot *s,
			 struct capture_result *res, struct perr *err)
{
	const struct zipin_limits *lim = &r->o->limits;
	struct zipin_limits inner = *lim;
	struct zipin_reader *zr = zipin_reader_new();
	struct capture_parser *p = capture_parser_new(r->o->max_depth);
	struct strbuf zip = STRBUF_INIT, data = STRBUF_INIT;
	struct slot *e = xcalloc(1, sizeof(*e));
	struct zipin *z = NULL;
	char label[sizeof(s->e.name) + 1100], name[sizeof(s->e.name) * 2 + 2];
	uint64_t before = zipin_count(r->z) + w->inner;
	int rc = -1, got;

	if (read_entry(r->z, zr, s, &zip, err) < 0)
		goto done;
	if (s->out.status != CAPTURE_REJECTED) {
		w->inflated += zip.len;
		inner.max_entries = lim->max_entries > before ? lim->max_entries - before : 0;
		inner.max_total = lim->max_total > w->inflated ? lim->max_total - w->inflated : 0;
		if (snprintf(label, sizeof(label), "%s(%s)", r->name, s->e.name) >=
		    (int)sizeof(label))
			text_mark_cut(label, sizeof(label));
		if (zipin_open_mem(&z, zip.buf, zip.len, label, &inner, err) < 0) {
			if (err->code != PERR_DATA)
				goto done;
			z = NULL;
			set(&s->out, CAPTURE_REJECTED, "nested-zip", 0, "");
			say(&s->out, "a zip inside the zip that cannot be read, so none of its entries is: %s",
			    err->msg);
		} else {
			set(&s->out, CAPTURE_IGNORED, "zip", 0, "");
			say(&s->out, "a zip inside the zip: its entries follow as %s/NAME", s->e.name);
		}
	}
	if (record(w, r, s, err) < 0)
		goto done;
	res->entries++;
	res->count[s->out.status]++;
	while (z && (got = zipin_next(z, &e->e, err)) != 0) {
		if (got < 0 || examine(z, r->reg, 1, NULL, e, zr, p, &data, err) < 0)
			goto done;
		if (e->skip)
			continue;
		w->inflated += e->inflated;
		snprintf(name, sizeof(name), "%s/%s", s->e.name, e->e.name);
		text_cut(e->e.name, sizeof(e->e.name), name);
		e->e.name_len = strlen(e->e.name);
		e->e.seq = INNER_SEQ + w->inner++;
		if (e->table) {
			if (import_table_entry(w, r, z, e, res, err) < 0)
				goto done;
			continue;
		}
		if (e->valid && store(w, &e->sub, e->sha256, &e->out, err) < 0)
			goto done;
		if (record(w, r, e, err) < 0)
			goto done;
		res->entries++;
		res->count[e->out.status]++;
	}
	rc = 0;
done:
	zipin_close(z);
	capture_submission_release(&e->sub);
	free(e);
	strbuf_release(&zip);
	strbuf_release(&data);
	capture_parser_free(p);
	zipin_reader_free(zr);
	return rc;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress(FILE *f, uint64_t done, uint64_t total, double t0, int last)
{
	double dt = now_seconds() - t0, rate = dt > 0 ? (double)done / dt : 0;
	double left = rate > 0 && total > done ? (double)(total - done) / rate : 0;

	fprintf(f, "\rcapture: %llu/%llu entries, %.0f/s, %d:%02d left  ", (unsigned long long)done,
		(unsigned long long)total, rate, (int)left / 60, (int)left % 60);
	if (last)
		fputc('\n', f);
	fflush(f);
}

/* The first batch (not undone) of the file whose sha256 is res->sha256, into res->already. */
static int batch_of_sha256(sqlite3 *db, struct capture_result *res, struct perr *err)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, &st, "SELECT id FROM batch WHERE sha256 = ? AND undone_at IS NULL "
				"ORDER BY id LIMIT 1", err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, res->sha256, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		res->already = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, err, "looking up batches");
	return 0;
}

/* Has a batch (not undone) stored this zip? Only batches of the same size can have, so the
   zip's sha256 is computed here only when there is one; otherwise later, beside the import
   (hash_thread). *sha_done says whether res->sha256 is filled. */
static int already_imported(sqlite3 *db, struct zipin *z, struct capture_result *res,
			    int *sha_done, struct perr *err)
{
	sqlite3_stmt *st;
	int rc, same_size;

	res->already = 0;
	*sha_done = 0;
	if (db_prepare(db, &st, "SELECT count(*) FROM batch WHERE size = ? AND undone_at IS NULL",
		       err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)zipin_size(z));
	rc = sqlite3_step(st);
	same_size = rc == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return db_fail(db, err, "looking up batches");
	if (!same_size)
		return 0;
	if (zipin_sha256(z, res->sha256, err) < 0)
		return -1;
	*sha_done = 1;
	return batch_of_sha256(db, res, err);
}

struct hash_job {
	struct zipin *z;
	char *out;
	struct perr err;
	int rc;
};

static void *hash_thread(void *arg)
{
	struct hash_job *h = arg;

	h->rc = zipin_sha256(h->z, h->out, &h->err);
	return NULL;
}

/* The batch's row, first with counts 0 and (when it is still being computed) no sha256;
   end_batch fills them in. */
static int begin_batch(struct writer *w, const char *path, const struct capture_options *o,
		       const char *sha256, uint64_t size, const char *started, struct perr *err)
{
	sqlite3_stmt *st;
	const char *base = strrchr(path, '/');

	if (db_prepare(w->db, &st,
		       "INSERT INTO batch (file_name, sha256, size, entries, source, operator, "
		       "started_at, finished_at, accepted, duplicates, edits, rejected, ignored) "
		       "VALUES (?, ?, ?, 0, ?, ?, ?, ?, 0, 0, 0, 0, 0)", err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, base ? base + 1 : path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)size);
	db_bind_text(st, 4, o->source);
	db_bind_text(st, 5, o->operator_name);
	sqlite3_bind_text(st, 6, started, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, started, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		return db_fail(w->db, err, "recording the batch");
	}
	sqlite3_finalize(st);
	w->batch = sqlite3_last_insert_rowid(w->db);
	return 0;
}

static int end_batch(struct writer *w, const struct capture_result *res, struct perr *err)
{
	sqlite3_stmt *st;
	char now[32];

	if (db_prepare(w->db, &st,
		       "UPDATE batch SET entries = ?, finished_at = ?, accepted = ?, duplicates = ?, "
		       "edits = ?, rejected = ?, ignored = ?, sha256 = ? WHERE id = ?", err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)res->entries);
	sqlite3_bind_text(st, 2, db_now(now), -1, SQLITE_TRANSIENT);
	for (int i = 0; i < CAPTURE_NSTATUS; i++)
		sqlite3_bind_int64(st, 3 + i, (sqlite3_int64)res->count[i]);
	sqlite3_bind_text(st, 8, res->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, w->batch);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		return db_fail(w->db, err, "recording the batch");
	}
	sqlite3_finalize(st);
	return 0;
}

/* Edits of this batch still without their original. */
static int waiting_count(struct writer *w, uint64_t *n, struct perr *err)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(w->db, &st, "SELECT count(*) FROM submission WHERE batch_id = ? AND "
				   "deprecated_id IS NOT NULL AND replaces IS NULL", err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, w->batch);
	rc = sqlite3_step(st);
	*n = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : db_fail(w->db, err, "counting edits");
}

static int prepare_writer(struct writer *w, struct perr *err)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(w->db, &w->find,
		       "SELECT id, superseded_by, form_id, form_id, form_version, deprecated_id, "
		       "commune_code, surveyor, started, ended, device_id, comment, answers, sha256 "
		       "FROM submission WHERE instance_id = ?", err) < 0 ||
	    db_prepare(w->db, &w->find_edit, "SELECT id, instance_id, form_id FROM submission "
					     "WHERE deprecated_id = ? ORDER BY id LIMIT 1", err) < 0 ||
	    db_prepare(w->db, &w->insert,
		       "INSERT INTO submission (instance_id, form_id, form_version, group_id, "
		       "commune_code, surveyor, started, ended, device_id, comment, answers, sha256, "
		       "batch_id, replaces, deprecated_id, superseded_by) "
		       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
		       "ON CONFLICT (instance_id) DO NOTHING", err) < 0 ||
	    db_prepare(w->db, &w->supersede,
		       "UPDATE submission SET superseded_by = ? WHERE id = ?", err) < 0 ||
	    db_prepare(w->db, &w->set_replaces,
		       "UPDATE submission SET replaces = ? WHERE id = ?", err) < 0 ||
	    db_prepare(w->db, &w->entry,
		       "INSERT INTO batch_entry (batch_id, seq, path, instance_id, form_id, "
		       "commune_code, status, reason, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		       err) < 0)
		return -1;
	/* the lookups an edit waiting for its original needs are made only when there is one */
	if (db_prepare(w->db, &st, "SELECT EXISTS (SELECT 1 FROM submission WHERE deprecated_id "
				   "IS NOT NULL AND replaces IS NULL)", err) < 0)
		return -1;
	rc = sqlite3_step(st);
	w->waiting = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return db_fail(w->db, err, "looking up edits");
	return 0;
}

static void release_writer(struct writer *w)
{
	sqlite3_finalize(w->find);
	sqlite3_finalize(w->find_edit);
	sqlite3_finalize(w->set_replaces);
	sqlite3_finalize(w->insert);
	sqlite3_finalize(w->supersede);
	sqlite3_finalize(w->entry);
}

/* The batch's end: its counts, the summary, and COMMIT unless it is to be rolled back (then
   *in_tx stays set and the caller rolls back). */
static int finish_batch(struct writer *w, struct run *r, struct capture_result *res,
			int *in_tx, struct perr *err)
{
	const struct capture_options *o = r->o;

	if (w->waiting && waiting_count(w, &res->waiting, err) < 0)
		return -1;
	summarize(w, r, res);
	if (end_batch(w, res, err) < 0)
		return -1;
	/* a zip imported before is imported again, its entries retried (what was stored then
	   comes out duplicate); when that stores nothing, nothing changes, not even a batch */
	if (o->dry_run || (o->all_or_nothing && res->count[CAPTURE_REJECTED]) ||
	    (res->already && !res->count[CAPTURE_ACCEPTED] && !res->count[CAPTURE_EDIT]))
		return 0;
	if (db_exec(w->db, "COMMIT", err) < 0)
		return -1;
	*in_tx = 0;
	res->batch_id = w->batch;
	return 0;
}

/* ---- one submission at a time, outside a zip (the server's spool) ---- */

struct capture_writer {
	struct writer w;
};

int capture_writer_new(struct capture_writer **out, sqlite3 *db, int64_t batch,
		       struct perr *err)
{
	struct capture_writer *cw = xcalloc(1, sizeof(*cw));

	cw->w.db = db;
	cw->w.batch = batch;
	if (prepare_writer(&cw->w, err) < 0) {
		capture_writer_free(cw);
		*out = NULL;
		return -1;
	}
	*out = cw;
	return 0;
}

void capture_writer_free(struct capture_writer *cw)
{
	if (!cw)
		return;
	release_writer(&cw->w);
	free(cw);
}

void capture_writer_batch(struct capture_writer *cw, int64_t batch)
{
	cw->w.batch = batch;
}

int capture_writer_store(struct capture_writer *cw, const struct capture_submission *sub,
			 const char *sha256, struct capture_outcome *out, struct perr *err)
{
	set(out, CAPTURE_ACCEPTED, "ok", 0, "stored");
	return store(&cw->w, sub, sha256, out, err);
}

int capture_writer_lookup(struct capture_writer *cw, const struct capture_submission *sub,
			  const char *sha256, struct capture_outcome *out, struct perr *err)
{
	int64_t id;
	int superseded, rc;
	char form[KEEP];

	rc = find(&cw->w, sub->instance_id, &id, &superseded, form, err);
	if (rc == 1) {
		set(out, CAPTURE_ACCEPTED, "ok", 0, "");
		same_id(&cw->w, sub, sha256, out);
	}
	return rc;
}

int capture_writer_entry(struct capture_writer *cw, uint64_t seq, const char *path,
			 const char *instance_id, const char *form_id, const char *commune,
			 const struct capture_outcome *out, struct perr *err)
{
	return entry_row(&cw->w, seq, path, strlen(path), instance_id, form_id, commune, out,
			 err);
}

static int worker_count(const struct capture_options *o)
{
	long n = o->threads > 0 ? o->threads : sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 8 ? 8 : (int)n;
}

/* A bare CSV (ODK Central's export of one form, unzipped) as one batch: its rows are the
   entries. Read whole into memory, at most max_total bytes. */
static int import_csv_file(sqlite3 *db, const char *path, const struct capture_options *o,
			   struct capture_result *res, struct perr *err)
{
	struct capture_registry reg = { 0 };
	struct writer w = { .db = db };
	struct run r = { .name = path, .reg = &reg, .o = o };
	struct slot *s = xcalloc(1, sizeof(*s));
	struct strbuf buf = STRBUF_INIT;
	const char *base = strrchr(path, '/');
	char started[32];
	int rc = -1, in_tx = 0;
	double t0 = now_seconds();

	memset(res, 0, sizeof(*res));
	if (strbuf_read_file(&buf, path, o->limits.max_total) < 0) {
		res->refused = errno == EFBIG;
		perr_set(err, errno == EFBIG ? PERR_DATA : PERR_SYSTEM, path, "cannot read: %s",
			 errno == EFBIG ? "larger than --max-total" : strerror(errno));
		goto done;
	}
	text_sha256_hex(buf.buf, buf.len, res->sha256);
	text_cut(s->e.name, sizeof(s->e.name), base ? base + 1 : path);
	s->e.name_len = strlen(s->e.name);
	if (db_exec(db, "PRAGMA foreign_keys = OFF", err) < 0 ||
	    db_exec(db, "BEGIN IMMEDIATE", err) < 0)
		goto done;
	in_tx = 1;
	if (batch_of_sha256(db, res, err) < 0 || capture_registry_load(&reg, db, err) < 0 ||
	    prepare_writer(&w, err) < 0 ||
	    begin_batch(&w, path, o, res->sha256, buf.len, db_now(started), err) < 0 ||
	    import_table(&w, &r, s, buf.buf, buf.len, res, err) < 0 ||
	    finish_batch(&w, &r, res, &in_tx, err) < 0)
		goto done;
	rc = 0;
done:
	release_writer(&w);
	if (in_tx)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	db_exec(db, "PRAGMA foreign_keys = ON", NULL);
	capture_registry_release(&reg);
	capture_submission_release(&s->sub);
	free(s);
	strbuf_release(&buf);
	res->seconds = now_seconds() - t0;
	return rc;
}

int capture_import(sqlite3 *db, const char *path, const struct capture_options *o,
		   struct capture_result *res, struct perr *err)
{
	struct capture_registry reg = { 0 };
	struct writer w = { .db = db };
	struct run r = { 0 };
	struct encrypted_files ef = { .key = o->key };
	pthread_t threads[8];
	int nthreads = 0, in_tx = 0, rc = -1, sha_done = 0, hashing = 0;
	struct hash_job hash = { 0 };
	pthread_t hasher;
	uint64_t size = 0;
	char started[32];
	double t0 = now_seconds(), last = t0;
	const char *delay_env = getenv("PARINDEX_CAPTURE_TEST_DELAY_MS");
	long delay_ms = delay_env ? atol(delay_env) : 0;

	if (ends_with(path, strlen(path), ".csv"))
		return import_csv_file(db, path, o, res, err);
	memset(res, 0, sizeof(*res));
	if (zipin_open_file(&r.z, path, &o->limits, err) < 0) {
		res->refused = err->code == PERR_DATA;
		return -1;
	}
	size = zipin_size(r.z);
	/* every reference a submission makes (form, commune, batch) is checked in C before it is
	   written, so the database need not look each one up again */
	if (db_exec(db, "PRAGMA foreign_keys = OFF", err) < 0 ||
	    db_exec(db, "BEGIN IMMEDIATE", err) < 0)
		goto done;
	in_tx = 1;
	if (already_imported(db, r.z, res, &sha_done, err) < 0)
		goto done;
	if (!sha_done) {
		hash.z = r.z;
		hash.out = res->sha256;
		if (pthread_create(&hasher, NULL, hash_thread, &hash) != 0) {
			perr_set(err, PERR_SYSTEM, path, "cannot start a thread");
			goto done;
		}
		hashing = 1;
	}
	if (capture_registry_load(&reg, db, err) < 0)
		goto done;
	db_exec(db, "PRAGMA cache_size = -16384", NULL);
	if (prepare_writer(&w, err) < 0 ||
	    begin_batch(&w, path, o, sha_done ? res->sha256 : "", size, db_now(started), err) < 0)
		goto done;

	if (o->key && index_encrypted(path, &o->limits, &ef, err) < 0) {
		res->refused = err->code == PERR_DATA;
		goto done;
	}
	r.name = path;
	r.enc = &ef;
	r.reg = &reg;
	r.o = o;
	r.ring = xcalloc(RING, sizeof(*r.ring));
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.ready, NULL);
	pthread_cond_init(&r.space, NULL);
	for (int i = worker_count(o); nthreads < i; nthreads++)
		if (pthread_create(&threads[nthreads], NULL, worker, &r) != 0)
			break;
	if (nthreads == 0) {
		perr_set(err, PERR_SYSTEM, path, "cannot start a thread");
		goto stop;
	}

	for (;;) {
		uint64_t n = 0;

		pthread_mutex_lock(&r.mu);
		for (;;) {
			while (r.done + n < r.next && r.ring[(r.done + n) % RING].state == 2)
				n++;
			if (r.fatal || n > 0 || (r.end && r.done == r.next))
				break;
			r.writer_waiting = 1;
			pthread_cond_wait(&r.ready, &r.mu);
			r.writer_waiting = 0;
		}
		if (r.fatal) {
			*err = r.fatal_err;
			res->refused = err->code == PERR_DATA;
			pthread_mutex_unlock(&r.mu);
			goto stop;
		}
		pthread_mutex_unlock(&r.mu);
		if (n == 0)
			break;

		for (uint64_t i = 0; i < n; i++) {
			struct slot *s = &r.ring[(r.done + i) % RING];

			if (s->nested) {
				if (import_nested(&w, &r, s, res, err) < 0) {
					res->refused = err->code == PERR_DATA;
					goto stop;
				}
			} else if (s->table) {
				if (import_table_entry(&w, &r, r.z, s, res, err) < 0) {
					res->refused = err->code == PERR_DATA;
					goto stop;
				}
			} else if (!s->skip) {
				w.inflated += s->inflated;
				if (s->valid && store(&w, &s->sub, s->sha256, &s->out, err) < 0)
					goto stop;
				if (record(&w, &r, s, err) < 0)
					goto stop;
				res->entries++;
				res->count[s->out.status]++;
			}
			if (s->sub.pool.alloc > 65536 || s->sub.answers.alloc > 65536)
				capture_submission_release(&s->sub);
			if (delay_ms > 0)
				usleep((useconds_t)delay_ms * 1000);
		}

		pthread_mutex_lock(&r.mu);
		for (uint64_t i = 0; i < n; i++)
			r.ring[(r.done + i) % RING].state = 0;
		r.done += n;
		if (r.workers_waiting)
			pthread_cond_broadcast(&r.space);
		pthread_mutex_unlock(&r.mu);
		if (o->progress && zipin_count(r.z) > 2000 && now_seconds() - last > 0.25) {
			last = now_seconds();
			progress(o->progress, r.done, zipin_count(r.z), t0, 0);
		}
	}
	if (o->progress && zipin_count(r.z) > 2000)
		progress(o->progress, r.done, zipin_count(r.z), t0, 1);
	if (hashing) {
		pthread_join(hasher, NULL);
		hashing = 0;
		if (hash.rc < 0) {
			*err = hash.err;
			res->refused = err->code == PERR_DATA; /* e.g. truncated while it was read */
			goto stop;
		}
	}
	if (finish_batch(&w, &r, res, &in_tx, err) < 0)
		goto stop;
	rc = 0;
stop:
	pthread_mutex_lock(&r.mu);
	r.fatal = r.fatal || rc < 0;
	r.end = 1;
	pthread_cond_broadcast(&r.space);
	pthread_mutex_unlock(&r.mu);
	for (int i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	if (r.ring) {
		for (int i = 0; i < RING; i++)
			capture_submission_release(&r.ring[i].sub);
		free(r.ring);
		pthread_mutex_destroy(&r.mu);
		pthread_cond_destroy(&r.ready);
		pthread_cond_destroy(&r.space);
	}
done:
	if (hashing)
		pthread_join(hasher, NULL);
	release_writer(&w);
	if (in_tx)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	db_exec(db, "PRAGMA foreign_keys = ON", NULL);
	capture_registry_release(&reg);
	release_encrypted(&ef);
	zipin_close(r.z);
	res->seconds = now_seconds() - t0;
	return rc;
}
