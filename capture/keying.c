/* Paper forms keyed twice: checking what a keyer typed, comparing two keyings, the instance a
   keyed form becomes, and the keyings and decisions in the database. See keying.h. */
#include "keying.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "db.h"
#include "text.h"

static int asks(const struct def_question *q, size_t g)
{
	return (q->groups >> g) & 1u;
}

size_t keying_questions(const struct def *d, size_t g, size_t *out)
{
	size_t n = 0;

	/* the printed form's numbering: profile questions, then the scored ones */
	for (int profile = 1; profile >= 0; profile--)
		for (size_t i = 0; i < d->nquestions; i++)
			if (asks(&d->questions[i], g) && d->questions[i].is_profile == profile)
				out[n++] = i;
	return n;
}

void keying_form_release(struct keying_form *f)
{
	free(f->codes);
	f->codes = NULL;
}

static int problem(struct keying_problem *prob, int field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int problem(struct keying_problem *prob, int field, const char *fmt, ...)
{
	va_list ap;

	prob->field = field;
	va_start(ap, fmt);
	if (vsnprintf(prob->msg, sizeof(prob->msg), fmt, ap) >= (int)sizeof(prob->msg))
		text_mark_cut(prob->msg, sizeof(prob->msg));
	va_end(ap);
	return -1;
}

int keying_check(const struct def *d, size_t g, const struct keying_entry *e,
		 struct keying_form *f, struct keying_problem *prob)
{
	size_t *order = xcalloc(d->nquestions + 1, sizeof(*order)), n = keying_questions(d, g, order);
	const char *s = e->serial ? e->serial : "";
	long serial = 0;
	int rc = -1;

	memset(f, 0, sizeof(*f));
	if (!*s) {
		problem(prob, -2, "chưa nhập số phiếu");
		goto done;
	}
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || serial > KEYING_SERIAL_MAX) {
			problem(prob, -2, "số phiếu phải là số từ 1 đến %d", KEYING_SERIAL_MAX);
			goto done;
		}
		serial = serial * 10 + (*s - '0');
	}
	if (serial < 1 || serial > KEYING_SERIAL_MAX) {
		problem(prob, -2, "số phiếu phải là số từ 1 đến %d", KEYING_SERIAL_MAX);
		goto done;
	}
	f->serial = serial;
	if (!e->surveyor || !*e->surveyor) {
		problem(prob, -1, "chưa nhập mã số điều tra viên");
		goto done;
	}
	if (strlen(e->surveyor) > KEYING_SURVEYOR_MAX || text_has_control(e->surveyor)) {
		problem(prob, -1, "mã số điều tra viên dài quá %d byte hoặc có ký tự điều khiển",
			KEYING_SURVEYOR_MAX);
		goto done;
	}
	snprintf(f->surveyor, sizeof(f->surveyor), "%s", e->surveyor);
	f->codes = xcalloc(d->nquestions + 1, sizeof(*f->codes));
	for (size_t i = 0; i < n; i++) {
		const struct def_question *q = &d->questions[order[i]];
		const char *typed = e->answers[i];
		const struct def_option *op;

		if (!typed || !*typed) {
			problem(prob, (int)i, "câu %zu chưa nhập", i + 1);
			goto done;
		}
		op = def_find_option(d, q, typed);
		if (!op) {
			char shown[32];

			problem(prob, (int)i, "câu %zu: «%s» không phải một phương án của câu này", i + 1,
				text_cut(shown, sizeof(shown), typed));
			goto done;
		}
		f->codes[order[i]] = op->code;
	}
	rc = 0;
done:
	if (rc < 0)
		keying_form_release(f);
	free(order);
	return rc;
}

/* Question ids and option codes are names and [0-9A-Za-z_-] tokens (the definition's schema):
   nothing in them needs escaping in JSON. */
void keying_answers_json(struct strbuf *out, const struct def *d, size_t g,
			 const struct keying_form *f)
{
	int first = 1;

	strbuf_addc(out, '{');
	for (size_t i = 0; i < d->nquestions; i++) {
		if (!asks(&d->questions[i], g) || !f->codes[i])
			continue;
		strbuf_addf(out, "%s\"%s\":\"%s\"", first ? "" : ",", d->questions[i].id, f->codes[i]);
		first = 0;
	}
	strbuf_addc(out, '}');
}

int keying_answers_read(sqlite3 *db, const char *json, const struct def *d, size_t g,
			struct keying_form *f, struct perr *err)
{
	sqlite3_stmt *st = NULL;
	int rc = -1, s;

	if (!f->codes)
		f->codes = xcalloc(d->nquestions + 1, sizeof(*f->codes));
	if (db_prepare(db, &st, "SELECT key, value FROM json_each(?)", err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, json, -1, SQLITE_STATIC);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *code = (const char *)sqlite3_column_text(st, 1);

		for (size_t i = 0; i < d->nquestions; i++) {
			const struct def_option *op;

			if (strcmp(d->questions[i].id, id) || !asks(&d->questions[i], g))
				continue;
			op = def_find_option(d, &d->questions[i], code);
			if (!op) {
				perr_set(err, PERR_DATA, "paper_keying",
					 "'%s' is not an option of question '%s'", code ? code : "",
					 id);
				goto done;
			}
			f->codes[i] = op->code;
		}
	}
	if (s != SQLITE_DONE) {
		db_fail(db, err, "reading keyed answers");
		goto done;
	}
	for (size_t i = 0; i < d->nquestions; i++)
		if (asks(&d->questions[i], g) && !f->codes[i]) {
			perr_set(err, PERR_DATA, "paper_keying", "question '%s' has no keyed answer",
				 d->questions[i].id);
			goto done;
		}
	rc = 0;
done:
	sqlite3_finalize(st);
	return rc;
}

void keying_instance_id(const char *form_id, const char *commune, long serial, char out[48])
{
	struct strbuf name = STRBUF_INIT;
	char hex[65];

	strbuf_addf(&name, "parindex-paper%c%s%c%s%c%ld", 0, form_id, 0, commune, 0, serial);
	text_sha256_hex(name.buf, name.len, hex);
	strbuf_release(&name);
	/* version 5's layout: the version digit and the variant's two bits */
	hex[12] = '5';
	hex[16] = "89ab"[(hex[16] >= 'a' ? hex[16] - 'a' + 10 : hex[16] - '0') & 3];
	snprintf(out, 48, "uuid:%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
		 hex + 20);
}

void keying_instance_xml(struct strbuf *out, const struct def *d, size_t g, const char *commune,
			 const struct keying_form *f, const char *instance_id)
{
	char device[128], *form_id = xasprintf("%s-%s", d->id, d->groups[g].id);
	struct serve_instance in = {
		.form_id = form_id, .form_version = d->version, .device = device,
		.commune = commune, .surveyor = f->surveyor, .d = d, .group = g,
		.answers = f->codes, .instance_id = instance_id, .instance_name = device,
	};

	snprintf(device, sizeof(device), "paper:%s-%s-%ld", commune, d->groups[g].id, f->serial);
	strbuf_adds(out, "<?xml version='1.0' ?>");
	serve_instance_xml(out, &in);
	free(form_id);
}

size_t keying_differences(const struct def *d, size_t g, const struct keying_form *a,
			  const struct keying_form *b)
{
	size_t n = strcmp(a->surveyor, b->surveyor) != 0;

	for (size_t i = 0; i < d->nquestions; i++)
		if (asks(&d->questions[i], g) && strcmp(a->codes[i], b->codes[i]))
			n++;
	return n;
}

/* ---- the database ---- */

static long long seconds_of(const char *iso)
{
	struct tm tm = { 0 };

	if (!iso || !strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return -1;
	return (long long)timegm(&tm);
}

/* Hand the keyed form to the submission path as user (source paper): 0 when it is stored
   (201), 1 refused (ans says why), -1 error. */
static int submit(struct serve_store *st, const struct serve_user *user, const struct def *d,
		  size_t g, const char *commune, const struct keying_form *f,
		  struct serve_answer *ans, struct perr *err)
{
	struct serve_user u = *user;
	struct strbuf xml = STRBUF_INIT;
	char *fid = xasprintf("%s-%s", d->id, d->groups[g].id), iid[48];
	int rc;

	snprintf(u.channel, sizeof(u.channel), "paper");
	keying_instance_id(fid, commune, f->serial, iid);
	keying_instance_xml(&xml, d, g, commune, f, iid);
	rc = serve_submit(st, &u, xml.buf, xml.len, ans, err);
	strbuf_release(&xml);
	free(fid);
	if (rc < 0)
		return -1;
	return ans->status == 201 ? 0 : 1;
}

int keying_save(sqlite3 *db, struct serve_store *st, const struct serve_user *keyer,
		const struct def *d, size_t g, const char *commune, const struct keying_form *f,
		enum keying_saved *saved, size_t *differing, struct serve_answer *ans,
		struct perr *err)
{
	sqlite3_stmt *sel = NULL, *last = NULL, *ins = NULL, *form = NULL;
	struct keying_form first = { 0 };
	struct strbuf json = STRBUF_INIT;
	char now[32], first_keyer[ACCOUNT_NAME_MAX + 1] = "", iid[48];
	char *fid = xasprintf("%s-%s", d->id, d->groups[g].id), *first_json = NULL;
	int n = 0, rc = -1, s, mine = 0;
	long long previous = -1;

	*differing = 0;
	db_now(now);
	if (db_exec(db, "BEGIN IMMEDIATE", err) < 0)
		goto out;
	if (db_prepare(db, &sel, "SELECT keyer, surveyor, answers FROM paper_keying WHERE commune = ? "
				 "AND group_id = ? AND serial = ? ORDER BY id", err) < 0)
		goto fail;
	sqlite3_bind_text(sel, 1, commune, -1, SQLITE_STATIC);
	sqlite3_bind_text(sel, 2, d->groups[g].id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(sel, 3, f->serial);
	while ((s = sqlite3_step(sel)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(sel, 0);

		if (!strcmp(k, keyer->name))
			mine = 1;
		if (n++ == 0) {
			snprintf(first_keyer, sizeof(first_keyer), "%s", k);
			snprintf(first.surveyor, sizeof(first.surveyor), "%s",
				 (const char *)sqlite3_column_text(sel, 1));
			first_json = xstrdup((const char *)sqlite3_column_text(sel, 2));
		}
	}
	if (s != SQLITE_DONE) {
		db_fail(db, err, "reading keyings");
		goto fail;
	}
	if (mine || n >= 2) {
		*saved = mine ? KEYING_SAME_KEYER : KEYING_TWICE;
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		rc = 0;
		goto out;
	}
	/* time on this form: since the keyer's previous keying, unless that was a pause */
	if (db_prepare(db, &last, "SELECT max(keyed_at) FROM paper_keying WHERE keyer = ?", err) < 0)
		goto fail;
	sqlite3_bind_text(last, 1, keyer->name, -1, SQLITE_STATIC);
	if (sqlite3_step(last) == SQLITE_ROW)
		previous = seconds_of((const char *)sqlite3_column_text(last, 0));
	keying_answers_json(&json, d, g, f);
	if (db_prepare(db, &ins, "INSERT INTO paper_keying (commune, group_id, serial, keyer, "
				 "form_id, form_version, surveyor, answers, keyed_at, seconds) "
				 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err) < 0)
		goto fail;
	sqlite3_bind_text(ins, 1, commune, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 2, d->groups[g].id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ins, 3, f->serial);
	sqlite3_bind_text(ins, 4, keyer->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 5, fid, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 6, d->version, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 7, f->surveyor, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 8, json.buf, (int)json.len, SQLITE_STATIC);
	sqlite3_bind_text(ins, 9, now, -1, SQLITE_STATIC);
	if (previous >= 0 && seconds_of(now) - previous < KEYING_PAUSE &&
	    seconds_of(now) >= previous)
		sqlite3_bind_double(ins, 10, (double)(seconds_of(now) - previous));
	else
		sqlite3_bind_null(ins, 10);
	if (db_step_done(db, ins, err) < 0)
		goto fail;
	if (n == 0) {
		*saved = KEYING_FIRST;
	} else {
		if (keying_answers_read(db, first_json, d, g, &first, err) < 0)
			goto fail;
		*differing = keying_differences(d, g, &first, f);
		if (*differing == 0) {
			int r = submit(st, keyer, d, g, commune, f, ans, err);

			if (r < 0)
				goto fail;
			if (r == 1) {
				*saved = KEYING_REFUSED;
				sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
				rc = 0;
				goto out;
			}
		}
		*saved = *differing ? KEYING_DIFFER : KEYING_AGREED;
		keying_instance_id(fid, commune, f->serial, iid);
		if (db_prepare(db, &form, "INSERT INTO paper_form (commune, group_id, serial, state, "
					  "instance_id, differing) VALUES (?, ?, ?, ?, ?, ?)", err) < 0)
			goto fail;
		sqlite3_bind_text(form, 1, commune, -1, SQLITE_STATIC);
		sqlite3_bind_text(form, 2, d->groups[g].id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(form, 3, f->serial);
		sqlite3_bind_text(form, 4, *differing ? "differ" : "agreed", -1, SQLITE_STATIC);
		sqlite3_bind_text(form, 5, iid, -1, SQLITE_STATIC);
		sqlite3_bind_int64(form, 6, (sqlite3_int64)*differing);
		if (db_step_done(db, form, err) < 0)
			goto fail;
	}
	if (db_exec(db, "COMMIT", err) < 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
out:
	sqlite3_finalize(sel);
	sqlite3_finalize(last);
	sqlite3_finalize(ins);
	sqlite3_finalize(form);
	keying_form_release(&first);
	strbuf_release(&json);
	free(first_json);
	free(fid);
	return rc;
}

int keying_decide(sqlite3 *db, struct serve_store *st, const struct serve_user *office,
		  const struct def *d, size_t g, const char *commune, const struct keying_form *f,
		  struct serve_answer *ans, struct perr *err)
{
	sqlite3_stmt *sel = NULL, *upd = NULL;
	struct strbuf json = STRBUF_INIT;
	char now[32], *what = NULL;
	int rc = -1, s, r;

	if (db_exec(db, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	if (db_prepare(db, &sel, "SELECT 1 FROM paper_form WHERE commune = ? AND group_id = ? "
				 "AND serial = ? AND state = 'differ'", err) < 0)
		goto fail;
	sqlite3_bind_text(sel, 1, commune, -1, SQLITE_STATIC);
	sqlite3_bind_text(sel, 2, d->groups[g].id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(sel, 3, f->serial);
	s = sqlite3_step(sel);
	if (s == SQLITE_DONE) {
		rc = 1;
		goto fail;
	}
	if (s != SQLITE_ROW) {
		db_fail(db, err, "reading paper forms");
		goto fail;
	}
	r = submit(st, office, d, g, commune, f, ans, err);
	if (r != 0) {
		rc = r < 0 ? -1 : 2;
		goto fail;
	}
	keying_answers_json(&json, d, g, f);
	if (db_prepare(db, &upd, "UPDATE paper_form SET state = 'decided', decided_by = ?, "
				 "decided_at = ?, answers = ? WHERE commune = ? AND group_id = ? "
				 "AND serial = ?", err) < 0)
		goto fail;
	sqlite3_bind_text(upd, 1, office->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(upd, 2, db_now(now), -1, SQLITE_STATIC);
	sqlite3_bind_text(upd, 3, json.buf, (int)json.len, SQLITE_STATIC);
	sqlite3_bind_text(upd, 4, commune, -1, SQLITE_STATIC);
	sqlite3_bind_text(upd, 5, d->groups[g].id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(upd, 6, f->serial);
	if (db_step_done(db, upd, err) < 0)
		goto fail;
	what = xasprintf("paper decide %s-%s-%ld: surveyor %s, answers %s", commune,
			 d->groups[g].id, f->serial, f->surveyor, json.buf);
	if (audit_record(db, office->name, office->address, what, err) < 0 ||
	    db_exec(db, "COMMIT", err) < 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
out:
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	strbuf_release(&json);
	free(what);
	return rc;
}
