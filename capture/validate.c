/* Matching an instance to its registered form and checking every answer: what the forms, the
   definition and the commune register allow. */
#include "capture.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "store.h"
#include "text.h"

/* Elements every form has besides its questions (the forms stage writes them). */
static const char *const plain_fields[] = { "start", "end", "today", "deviceid", "commune",
					    "surveyor", "comment" };
#define NPLAIN (sizeof(plain_fields) / sizeof(plain_fields[0]))

static int cmp_code(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_def(struct capture_registry *reg, sqlite3 *db, const char *id,
		    const char *version, struct perr *err)
{
	struct def d;

	for (size_t i = 0; i < reg->ndefs; i++)
		if (!strcmp(reg->defs[i].id, id) && !strcmp(reg->defs[i].version, version))
			return 0;
	if (store_load_definition(db, id, version, &d, err) < 0)
		return -1;
	reg->defs = xrealloc(reg->defs, (reg->ndefs + 1) * sizeof(*reg->defs));
	reg->defs[reg->ndefs++] = d;
	return 0;
}

int capture_registry_load(struct capture_registry *reg, sqlite3 *db, struct perr *err)
{
	sqlite3_stmt *st = NULL;
	size_t alloc = 0;
	int rc;

	memset(reg, 0, sizeof(*reg));
	if (db_prepare(db, &st, "SELECT id, version, def_id, def_version, group_id FROM form "
				"ORDER BY id, version", err) < 0)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct capture_form *f;

		xgrow(&reg->forms, &alloc, reg->nforms + 1, sizeof(*reg->forms));
		f = &reg->forms[reg->nforms++];
		memset(f, 0, sizeof(*f));
		f->id = xstrdup((const char *)sqlite3_column_text(st, 0));
		f->version = xstrdup((const char *)sqlite3_column_text(st, 1));
		f->group_id = xstrdup((const char *)sqlite3_column_text(st, 4));
		/* remember the definition's index for now; pointers once all are loaded */
		if (load_def(reg, db, (const char *)sqlite3_column_text(st, 2),
			     (const char *)sqlite3_column_text(st, 3), err) < 0)
			goto fail;
	}
	if (rc != SQLITE_DONE) {
		db_fail(db, err, "reading forms");
		goto fail;
	}
	sqlite3_reset(st);
	for (size_t i = 0; sqlite3_step(st) == SQLITE_ROW; i++) {
		const char *did = (const char *)sqlite3_column_text(st, 2);
		const char *dv = (const char *)sqlite3_column_text(st, 3);
		struct capture_form *f = &reg->forms[i];

		for (size_t k = 0; k < reg->ndefs; k++)
			if (!strcmp(reg->defs[k].id, did) && !strcmp(reg->defs[k].version, dv))
				f->def = &reg->defs[k];
		f->group = def_find_group(f->def, f->group_id);
		if (f->group == DEF_NONE) {
			perr_set(err, PERR_DATA, "database", "form %s: group %s is not in its definition",
				 f->id, f->group_id);
			goto fail;
		}
	}
	sqlite3_finalize(st);
	st = NULL;

	alloc = 0;
	if (db_prepare(db, &st, "SELECT code FROM commune", err) < 0)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		xgrow(&reg->communes, &alloc, reg->ncommunes + 1, sizeof(*reg->communes));
		reg->communes[reg->ncommunes++] = xstrdup((const char *)sqlite3_column_text(st, 0));
	}
	if (rc != SQLITE_DONE) {
		db_fail(db, err, "reading communes");
		goto fail;
	}
	sqlite3_finalize(st);
	if (reg->ncommunes) /* an empty register: communes is NULL, which qsort may not take */
		qsort(reg->communes, reg->ncommunes, sizeof(*reg->communes), cmp_code);
	if (merge_map_load(db, &reg->merges, err) < 0)
		goto fail;
	return 0;
fail:
	sqlite3_finalize(st);
	capture_registry_release(reg);
	return -1;
}

void capture_registry_release(struct capture_registry *reg)
{
	for (size_t i = 0; i < reg->nforms; i++) {
		free(reg->forms[i].id);
		free(reg->forms[i].version);
		free(reg->forms[i].group_id);
	}
	free(reg->forms);
	for (size_t i = 0; i < reg->ndefs; i++)
		def_release(&reg->defs[i]);
	free(reg->defs);
	for (size_t i = 0; i < reg->ncommunes; i++)
		free(reg->communes[i]);
	free(reg->communes);
	merge_map_release(&reg->merges);
	memset(reg, 0, sizeof(*reg));
}

void capture_submission_release(struct capture_submission *s)
{
	strbuf_release(&s->answers);
	strbuf_release(&s->pool);
	memset(s, 0, sizeof(*s));
}

static int problem(struct capture_problem *prob, const char *reason, long line, const char *fmt,
		   ...) __attribute__((format(printf, 4, 5)));

static int problem(struct capture_problem *prob, const char *reason, long line, const char *fmt,
		   ...)
{
	va_list ap;

	prob->reason = reason;
	prob->line = line;
	va_start(ap, fmt);
	if (vsnprintf(prob->msg, sizeof(prob->msg), fmt, ap) >= (int)sizeof(prob->msg))
		text_mark_cut(prob->msg, sizeof(prob->msg));
	va_end(ap);
	return -1;
}

static void json_string(struct strbuf *sb, const char *s)
{
	size_t n = 0;

	while (s[n] && s[n] != '"' && s[n] != '\\' && (unsigned char)s[n] >= 0x20)
		n++;
	if (!s[n]) { /* nothing to escape: the usual case, written in one go */
		strbuf_grow(sb, n + 2);
		sb->buf[sb->len] = '"';
		memcpy(sb->buf + sb->len + 1, s, n);
		sb->buf[sb->len + n + 1] = '"';
		sb->len += n + 2;
		sb->buf[sb->len] = '\0';
		return;
	}
	strbuf_addc(sb, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			strbuf_addc(sb, '\\');
			strbuf_addc(sb, (char)c);
		} else if (c < 0x20) {
			strbuf_addf(sb, "\\u%04x", c);
		} else {
			strbuf_addc(sb, (char)c);
		}
	}
	strbuf_addc(sb, '"');
}

/* def_find_option, with the first byte compared before the rest: it runs for every answer */
static const struct def_option *find_option(const struct def *d, const struct def_question *q,
					    const char *code)
{
	const struct def_scale *sc;

	if (q->scale == DEF_NONE)
		return NULL;
	sc = &d->scales[q->scale];
	for (size_t i = 0; i < sc->noptions; i++)
		if (sc->options[i].code[0] == code[0] && !strcmp(sc->options[i].code, code))
			return &sc->options[i];
	return NULL;
}

/* "2026-01-05T08:30" at least, as ODK writes dateTime values. */
static int looks_like_datetime(const char *s)
{
	static const char pat[] = "dddd-dd-ddTdd:dd";

	for (size_t i = 0; pat[i]; i++) {
		if (pat[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != pat[i])
			return 0;
	}
	return 1;
}

/* Is s surely in NFC? Text made only of code points below U+0300 (Latin, with ơ ư đ) and
   of Latin Extended Additional (the other Vietnamese letters) is, and checking that is much
   cheaper than normalising. */
static int surely_nfc(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		if (*p < 0x80) {
			p++;
		} else if (*p < 0xcc) { /* two bytes, below U+0300 */
			p += 2;
		} else if (*p == 0xe1 && (p[1] == 0xb8 || p[1] == 0xb9 || p[1] == 0xba || p[1] == 0xbb)) {
			p += 3; /* U+1E00..U+1EFF */
		} else {
			return 0;
		}
	}
	return 1;
}

/* Offsets into s->pool, turned into pointers once the pool stops moving. */
static size_t keep(struct capture_submission *s, const char *v)
{
	size_t at = s->pool.len;
	char *nfc = NULL;

	if (!v)
		return SIZE_MAX;
	if (!surely_nfc(v) && !text_is_nfc(v))
		v = nfc = text_nfc(v);
	strbuf_add(&s->pool, v, strlen(v) + 1);
	free(nfc);
	return at;
}

void capture_submission_point(struct capture_submission *s, const struct capture_form *form,
			      const size_t off[8])
{
#define PTR(i) (off[i] == SIZE_MAX ? NULL : s->pool.buf + off[i])
	s->form = form;
	s->instance_id = PTR(0);
	s->deprecated_id = PTR(1);
	s->commune = PTR(2);
	s->surveyor = PTR(3);
	s->started = PTR(4);
	s->ended = PTR(5);
	s->device_id = PTR(6);
	s->comment = PTR(7);
#undef PTR
}

int capture_validate(const struct capture_registry *reg, const struct capture_instance *inst,
		     struct capture_submission *s, struct capture_problem *prob)
{
	const struct capture_form *form = NULL;
	const struct def *d;
	const struct capture_field *plain[NPLAIN] = { 0 };
	const struct capture_field **answer;
	const struct capture_field *stack_answer[64];
	unsigned bit;
	size_t off[8], cursor = 0;
	int rc = -1;

	prob->reason = NULL;
	if (!inst->form_id)
		return problem(prob, "not-a-submission", inst->line,
			       "root element <%s> has no id attribute: not a form submission",
			       inst->root);
	for (size_t i = 0; i < reg->nforms; i++)
		if (!strcmp(reg->forms[i].id, inst->form_id) && inst->form_version &&
		    !strcmp(reg->forms[i].version, inst->form_version))
			form = &reg->forms[i];
	if (!form)
		return problem(prob, "unknown-form", inst->line,
			       "no registered form '%s' version '%s'", inst->form_id,
			       inst->form_version ? inst->form_version : "(none)");
	if (!inst->instance_id || !*inst->instance_id)
		return problem(prob, "missing-instance-id", inst->instance_id_line ? inst->instance_id_line : inst->line,
			       "meta/instanceID is missing or empty");
	if (strlen(inst->instance_id) > CAPTURE_MAX_ID ||
	    (inst->deprecated_id && strlen(inst->deprecated_id) > CAPTURE_MAX_ID))
		return problem(prob, "long-instance-id",
			       strlen(inst->instance_id) > CAPTURE_MAX_ID ? inst->instance_id_line
									  : inst->deprecated_id_line,
			       "meta/%s is longer than %d bytes",
			       strlen(inst->instance_id) > CAPTURE_MAX_ID ? "instanceID"
									  : "deprecatedID",
			       CAPTURE_MAX_ID);
	if (inst->deprecated_id && !strcmp(inst->deprecated_id, inst->instance_id))
		return problem(prob, "bad-value", inst->deprecated_id_line,
			       "meta/deprecatedID names the submission itself");
	d = form->def;
	bit = 1u << form->group;
	answer = d->nquestions <= 64 ? stack_answer : xcalloc(d->nquestions, sizeof(*answer));
	memset(answer, 0, d->nquestions * sizeof(*answer));

	for (size_t i = 0; i < inst->nfields; i++) {
		const struct capture_field *f = &inst->fields[i];
		const struct capture_field **slot = NULL;
		size_t q;

		/* answers usually come in the definition's order: try the next question first */
		q = DEF_NONE;
		while (cursor < d->nquestions && !(d->questions[cursor].groups & bit))
			cursor++;
		if (cursor < d->nquestions && !strcmp(f->name, d->questions[cursor].id))
			q = cursor++;
		for (size_t k = 0; q == DEF_NONE && k < NPLAIN; k++)
			if (!strcmp(f->name, plain_fields[k]))
				slot = &plain[k];
		if (!slot) {
			if (q == DEF_NONE)
				q = def_find_question(d, f->name);
			if (q == DEF_NONE) {
				problem(prob, "unknown-element", f->line,
					"unknown element <%s> in form '%s'", f->name, form->id);
				goto done;
			}
			if (!(d->questions[q].groups & bit)) {
				problem(prob, "unknown-element", f->line,
					"question '%s' is not asked of group %s", f->name,
					form->group_id);
				goto done;
			}
			slot = &answer[q];
		}
		if (*slot) {
			problem(prob, "repeated-element", f->line, "element <%s> appears twice",
				f->name);
			goto done;
		}
		if (f->nested) {
			problem(prob, "nested-element", f->line, "element <%s> holds elements",
				f->name);
			goto done;
		}
		*slot = f;
	}
	/* plain_fields: 0 start, 1 end, 2 today, 3 deviceid, 4 commune, 5 surveyor, 6 comment */
	if (!plain[4] || !*plain[4]->value) {
		problem(prob, "missing-commune", plain[4] ? plain[4]->line : inst->line,
			"commune code is missing or empty");
		goto done;
	}
	if (!bsearch(&plain[4]->value, reg->communes, reg->ncommunes, sizeof(*reg->communes),
		     cmp_code)) {
		problem(prob, "unknown-commune", plain[4]->line,
			"unknown commune code '%s' (not in the register)", plain[4]->value);
		goto done;
	}
	/* a unit merged away (or not formed yet) in the form's year: rejected, so nothing is
	   stored for a unit the year's forms, tally and dashboard do not have */
	{
		char said[160];

		if (merge_map_say(&reg->merges, plain[4]->value, d->year, said, sizeof(said)) !=
		    MERGE_UNIT) {
			problem(prob, "merged-commune", plain[4]->line, "commune '%s' %s (form '%s')",
				plain[4]->value, said, form->id);
			goto done;
		}
	}
	if (!plain[5] || !*plain[5]->value) {
		problem(prob, "missing-surveyor", plain[5] ? plain[5]->line : inst->line,
			"surveyor is missing or empty");
		goto done;
	}
	for (int k = 0; k < 2; k++) {
		if (plain[k] && *plain[k]->value && !looks_like_datetime(plain[k]->value)) {
			problem(prob, "bad-value", plain[k]->line,
				"<%s> is not a date and time: '%s'", plain_fields[k], plain[k]->value);
			goto done;
		}
	}
	strbuf_reset(&s->answers);
	strbuf_addc(&s->answers, '{');
	for (size_t q = 0; q < d->nquestions; q++) {
		const struct def_question *dq = &d->questions[q];

		if (!(dq->groups & bit))
			continue;
		if (!answer[q] || !*answer[q]->value) {
			problem(prob, "missing-answer", answer[q] ? answer[q]->line : inst->line,
				"question '%s' is not answered", dq->id);
			goto done;
		}
		if (!find_option(d, dq, answer[q]->value)) {
			problem(prob, "unknown-option", answer[q]->line,
				"'%s' is not an option of question '%s'", answer[q]->value, dq->id);
			goto done;
		}
		if (s->answers.len > 1)
			strbuf_addc(&s->answers, ',');
		json_string(&s->answers, dq->id);
		strbuf_addc(&s->answers, ':');
		json_string(&s->answers, answer[q]->value);
	}
	strbuf_addc(&s->answers, '}');

	strbuf_reset(&s->pool);
	off[0] = keep(s, inst->instance_id);
	off[1] = keep(s, inst->deprecated_id && *inst->deprecated_id ? inst->deprecated_id : NULL);
	off[2] = keep(s, plain[4]->value);
	off[3] = keep(s, plain[5]->value);
	off[4] = keep(s, plain[0] && *plain[0]->value ? plain[0]->value : NULL);
	off[5] = keep(s, plain[1] && *plain[1]->value ? plain[1]->value : NULL);
	off[6] = keep(s, plain[3] && *plain[3]->value ? plain[3]->value : NULL);
	off[7] = keep(s, plain[6] && *plain[6]->value ? plain[6]->value : NULL);
	capture_submission_point(s, form, off);
	rc = 0;
done:
	if (answer != stack_answer)
		free(answer);
	return rc;
}
