/* Reading what the tally counts: every current submission of the active definition's forms
   (its answers decoded here, in one pass, into option counts) and the current scores. */
#include "tally.h"
#include "db.h"
#include "escape.h"
#include "strbuf.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ---- a strict decoder for flat JSON objects of string values ---- */

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static int hex4(const char *p, const char *end, unsigned *v)
{
	*v = 0;
	if (end - p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char ch = p[i];

		*v <<= 4;
		if (ch >= '0' && ch <= '9')
			*v |= (unsigned)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			*v |= (unsigned)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			*v |= (unsigned)(ch - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

const char *tally_json_string_read(const char *p, const char *end, char *out, size_t cap,
				   size_t *len)
{
	size_t n = 0;

	while (p < end && *p != '"') {
		unsigned cp;
		char ch = *p++;

		if ((unsigned char)ch < 0x20)
			return NULL;
		if (ch != '\\') {
			if (n + 1 >= cap)
				return NULL;
			out[n++] = ch;
			continue;
		}
		if (p >= end)
			return NULL;
		ch = *p++;
		switch (ch) {
		case '"': case '\\': case '/': cp = (unsigned char)ch; break;
		case 'b': cp = '\b'; break;
		case 'f': cp = '\f'; break;
		case 'n': cp = '\n'; break;
		case 'r': cp = '\r'; break;
		case 't': cp = '\t'; break;
		case 'u':
			if (hex4(p, end, &cp) < 0)
				return NULL;
			p += 4;
			if (cp >= 0xd800 && cp < 0xdc00) {
				unsigned lo;

				if (end - p < 6 || p[0] != '\\' || p[1] != 'u' ||
				    hex4(p + 2, end, &lo) < 0 || lo < 0xdc00 || lo >= 0xe000)
					return NULL;
				p += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp < 0xe000) {
				return NULL;
			}
			break;
		default:
			return NULL;
		}
		if (n + 5 >= cap || cp == 0)
			return NULL;
		if (cp < 0x80) {
			out[n++] = (char)cp;
		} else if (cp < 0x800) {
			out[n++] = (char)(0xc0 | (cp >> 6));
			out[n++] = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			out[n++] = (char)(0xe0 | (cp >> 12));
			out[n++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			out[n++] = (char)(0x80 | (cp & 0x3f));
		} else {
			out[n++] = (char)(0xf0 | (cp >> 18));
			out[n++] = (char)(0x80 | ((cp >> 12) & 0x3f));
			out[n++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			out[n++] = (char)(0x80 | (cp & 0x3f));
		}
	}
	if (p >= end)
		return NULL;
	out[n] = '\0';
	*len = n;
	return p + 1;
}

int tally_answers_decode(const char *json, size_t len,
			 void (*fn)(const char *key, size_t klen, const char *value, size_t vlen,
				    void *ctx),
			 void *ctx)
{
	const char *p = json, *end = json + len;
	char key[256], value[1024];
	size_t klen, vlen;

	p = skip_ws(p, end);
	if (p >= end || *p++ != '{')
		return -1;
	p = skip_ws(p, end);
	if (p < end && *p == '}')
		return skip_ws(p + 1, end) == end ? 0 : -1;
	for (;;) {
		int null = 0;

		if (p >= end || *p++ != '"' || !(p = tally_json_string_read(p, end, key, sizeof(key), &klen)))
			return -1;
		p = skip_ws(p, end);
		if (p >= end || *p++ != ':')
			return -1;
		p = skip_ws(p, end);
		if (end - p >= 4 && !memcmp(p, "null", 4)) {
			null = 1;
			p += 4;
		} else if (p >= end || *p++ != '"' ||
			   !(p = tally_json_string_read(p, end, value, sizeof(value), &vlen))) {
			return -1;
		}
		if (!null)
			fn(key, klen, value, vlen, ctx);
		p = skip_ws(p, end);
		if (p >= end)
			return -1;
		if (*p == '}')
			return skip_ws(p + 1, end) == end ? 0 : -1;
		if (*p++ != ',')
			return -1;
		p = skip_ws(p, end);
	}
}

/* ---- counting submissions ---- */

struct counting {
	const struct def *d;
	struct tally_survey *sv;
	size_t commune, group, pos;
	size_t *asked[DEF_MAX_GROUPS]; /* per group: the questions it is asked, in order */
	size_t nasked[DEF_MAX_GROUPS];
	size_t *sorted; /* every question, by id, for answers out of order */
};

static const struct def *sort_def;

static int by_question_id(const void *a, const void *b)
{
	return strcmp(sort_def->questions[*(const size_t *)a].id,
		      sort_def->questions[*(const size_t *)b].id);
}

static void counting_init(struct counting *k, const struct def *d, struct tally_survey *sv)
{
	memset(k, 0, sizeof(*k));
	k->d = d;
	k->sv = sv;
	for (size_t g = 0; g < d->ngroups; g++) {
		k->asked[g] = xcalloc(d->nquestions + 1, sizeof(size_t));
		for (size_t q = 0; q < d->nquestions; q++)
			if (d->questions[q].groups & (1u << g))
				k->asked[g][k->nasked[g]++] = q;
	}
	k->sorted = xcalloc(d->nquestions + 1, sizeof(size_t));
	for (size_t q = 0; q < d->nquestions; q++)
		k->sorted[q] = q;
	sort_def = d;
	qsort(k->sorted, d->nquestions, sizeof(size_t), by_question_id);
}

static void counting_release(struct counting *k)
{
	for (size_t g = 0; g < k->d->ngroups; g++)
		free(k->asked[g]);
	free(k->sorted);
}

static size_t find_question(const struct counting *k, const char *key)
{
	size_t lo = 0, hi = k->d->nquestions;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(key, k->d->questions[k->sorted[mid]].id);

		if (!cmp)
			return k->sorted[mid];
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return DEF_NONE;
}

static void count_answer(const char *key, size_t klen, const char *value, size_t vlen, void *p)
{
	struct counting *k = p;
	const struct def *d = k->d;
	const struct def_question *qu;
	const struct def_scale *sc;
	size_t q;

	(void)klen, (void)vlen;
	/* answers usually come in the form's order, the definition's order of the questions
	   the group is asked: try the next one first */
	if (k->pos < k->nasked[k->group] &&
	    !strcmp(d->questions[k->asked[k->group][k->pos]].id, key)) {
		q = k->asked[k->group][k->pos++];
	} else {
		q = find_question(k, key);
		if (q == DEF_NONE) {
			k->sv->ignored_answers++;
			return;
		}
	}
	qu = &d->questions[q];
	if (qu->is_profile)
		return;
	if (!*value)
		return; /* left blank */
	if (!(qu->groups & (1u << k->group))) {
		k->sv->ignored_answers++;
		return;
	}
	sc = &d->scales[qu->scale];
	for (size_t o = 0; o < sc->noptions; o++) {
		if (sc->options[o].code[0] == value[0] && !strcmp(sc->options[o].code, value)) {
			struct tally_survey *sv = k->sv;

			tally_count_at(sv, k->commune, k->group, q)[o]++;
			/* the same count, kept per form for the bootstrap */
			xgrow(&sv->answer_at, &sv->answers_alloc, sv->nanswers + 1,
			      sizeof(*sv->answer_at));
			sv->answer_at[sv->nanswers++] =
				(uint32_t)((k->group * sv->nquestions + q) * sv->nopt + o);
			sv->form_first[sv->nforms] = sv->nanswers;
			return;
		}
	}
	k->sv->ignored_answers++;
}

static int by_code(const void *key, const void *elem)
{
	return strcmp(key, ((const struct commune *)elem)->code);
}

static size_t find_commune(const struct commune_list *cl, const char *code, size_t last)
{
	const struct commune *c;

	if (last < cl->n && !strcmp(cl->v[last].code, code))
		return last;
	c = bsearch(code, cl->v, cl->n, sizeof(*cl->v), by_code);
	return c ? (size_t)(c - cl->v) : DEF_NONE;
}

/* Decoding the answers runs in a second thread while this one reads rows (on two cores
   it halves the time of a national tally): batches of answer texts go back and forth
   through two buffers, filled here, emptied there, in order. */
#define BATCH_BYTES (1u << 20)

struct batch {
	struct strbuf text; /* the answer texts back to back, each NUL-terminated */
	struct batch_row {
		size_t commune, group, len;
	} *rows;
	size_t n, alloc;
};

struct decoder {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct batch b[2];
	int ready[2], done;
	struct counting k;
	int failed;
	size_t fail_commune, fail_group;
};

/* A new form's answers start (the decoding thread is the only writer of these arrays);
   form_first[nforms] closes the last once all are decoded. */
static void form_begin(struct tally_survey *sv, size_t commune, size_t group)
{
	xgrow(&sv->form_cell, &sv->forms_alloc, sv->nforms + 1, sizeof(*sv->form_cell));
	xgrow(&sv->form_first, &sv->firsts_alloc, sv->nforms + 2, sizeof(*sv->form_first));
	sv->form_cell[sv->nforms] = (uint32_t)(commune * sv->ngroups + group);
	sv->form_first[sv->nforms++] = sv->nanswers;
	sv->form_first[sv->nforms] = sv->nanswers;
}

static void *decode_batches(void *p)
{
	struct decoder *dc = p;

	for (int i = 0;; i ^= 1) {
		struct batch *b = &dc->b[i];
		size_t off = 0;

		pthread_mutex_lock(&dc->lock);
		while (!dc->ready[i] && !dc->done)
			pthread_cond_wait(&dc->cond, &dc->lock);
		if (!dc->ready[i]) {
			pthread_mutex_unlock(&dc->lock);
			return NULL;
		}
		pthread_mutex_unlock(&dc->lock);
		for (size_t r = 0; r < b->n; off += b->rows[r++].len + 1) {
			dc->k.commune = b->rows[r].commune;
			dc->k.group = b->rows[r].group;
			dc->k.pos = 0;
			form_begin(dc->k.sv, b->rows[r].commune, b->rows[r].group);
			if (!dc->failed && tally_answers_decode(b->text.buf + off, b->rows[r].len,
								count_answer, &dc->k) < 0) {
				dc->failed = 1;
				dc->fail_commune = b->rows[r].commune;
				dc->fail_group = b->rows[r].group;
			}
		}
		pthread_mutex_lock(&dc->lock);
		dc->ready[i] = 0;
		pthread_cond_broadcast(&dc->cond);
		pthread_mutex_unlock(&dc->lock);
	}
}

/* Hand batch *cur to the decoder and wait for the other one to be free. */
static void pass_batch(struct decoder *dc, int *cur)
{
	pthread_mutex_lock(&dc->lock);
	dc->ready[*cur] = 1;
	pthread_cond_broadcast(&dc->cond);
	*cur ^= 1;
	while (dc->ready[*cur])
		pthread_cond_wait(&dc->cond, &dc->lock);
	pthread_mutex_unlock(&dc->lock);
	strbuf_reset(&dc->b[*cur].text);
	dc->b[*cur].n = 0;
}

static void add_to_batch(struct batch *b, size_t c, size_t g, const char *text, size_t len)
{
	xgrow(&b->rows, &b->alloc, b->n + 1, sizeof(*b->rows));
	b->rows[b->n++] = (struct batch_row){ c, g, len };
	strbuf_add(&b->text, text, len);
	strbuf_addc(&b->text, '\0');
}

/* The commune and group of a submission (-1: a form of another definition, an earlier
   year's, does not count; one of a group the definition lacks, or of a commune outside the
   register's area, is counted as ignored). */
static int cell_of(const struct def *d, const struct commune_list *cl, char **forms,
		   size_t nforms, const char *code, const char *group, const char *form,
		   const char *version, size_t *last, struct tally_survey *sv, size_t *c,
		   size_t *g)
{
	size_t flen = strlen(form), f;

	for (f = 0; f < nforms; f++)
		if (!strncmp(forms[f], form, flen) && forms[f][flen] == '\n' &&
		    !strcmp(forms[f] + flen + 1, version))
			break;
	if (f == nforms)
		return -1;
	for (*g = 0; *g < d->ngroups; (*g)++)
		if (!strcmp(d->groups[*g].id, group))
			break;
	*c = find_commune(cl, code, *last);
	if (*g == d->ngroups || *c == DEF_NONE) {
		sv->ignored_submissions++;
		return -1;
	}
	*last = *c;
	return 0;
}

/* Reserve forms (dự phòng), in the order received: each fills its group up to the group's
   quota (min) and is counted like any other form; the rest are received, not counted. */
static int load_reserve(sqlite3 *db, const struct def *d, const struct commune_list *cl,
			struct tally_survey *sv, char **forms, size_t nforms, struct decoder *dc,
			int *cur, struct perr *err)
{
	sqlite3_stmt *st;
	size_t last = 0;
	int rc;

	if (db_prepare(db, &st,
		       "SELECT commune_code, group_id, form_id, form_version, answers "
		       "FROM counted_submission WHERE json_extract(answers, '$.\"' || ?1 || '\"') IS ?2 "
		       "ORDER BY id",
		       err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, d->questions[d->reserve_question].id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, d->reserve_option, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		size_t g, c, cell;

		if (cell_of(d, cl, forms, nforms, (const char *)sqlite3_column_text(st, 0),
			    (const char *)sqlite3_column_text(st, 1),
			    (const char *)sqlite3_column_text(st, 2),
			    (const char *)sqlite3_column_text(st, 3), &last, sv, &c, &g) < 0)
			continue;
		cell = c * d->ngroups + g;
		sv->reserve[cell]++;
		if ((long)sv->forms[cell] >= d->groups[g].min_forms)
			continue;
		sv->reserve_counted[cell]++;
		sv->forms[cell]++;
		sv->submissions++;
		add_to_batch(&dc->b[*cur], c, g, (const char *)sqlite3_column_text(st, 4),
			     (size_t)sqlite3_column_bytes(st, 4));
		if (dc->b[*cur].text.len >= BATCH_BYTES)
			pass_batch(dc, cur);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, err, "reading reserve forms");
}

static int load_submissions(sqlite3 *db, const struct def *d, const struct commune_list *cl,
			    struct tally_survey *sv, struct perr *err)
{
	sqlite3_stmt *st;
	struct decoder *dc = xcalloc(1, sizeof(*dc));
	pthread_t thread;
	char **forms = NULL; /* ids of the active definition's forms, "id\nversion" */
	size_t nforms = 0, aforms = 0, last = 0;
	int rc, cur = 0, started = 0;

	counting_init(&dc->k, d, sv);
	pthread_mutex_init(&dc->lock, NULL);
	pthread_cond_init(&dc->cond, NULL);
	if (db_prepare(db, &st,
		       "SELECT id || char(10) || version FROM form WHERE def_id = ? AND def_version = ?",
		       err) < 0) {
		rc = -1;
		goto done;
	}
	sqlite3_bind_text(st, 1, d->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, d->version, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		xgrow(&forms, &aforms, nforms + 1, sizeof(*forms));
		forms[nforms++] = xstrdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rc = db_fail(db, err, "reading forms");
		goto done;
	}
	/* reserve forms (marked by a profile answer) are read apart, after the others */
	if (db_prepare(db, &st,
		       d->reserve_question == DEF_NONE
			       ? "SELECT commune_code, group_id, form_id, form_version, answers "
				 "FROM counted_submission"
			       : "SELECT commune_code, group_id, form_id, form_version, answers "
				 "FROM counted_submission "
				 "WHERE json_extract(answers, '$.\"' || ?1 || '\"') IS NOT ?2",
		       err) < 0) {
		rc = -1;
		goto done;
	}
	if (d->reserve_question != DEF_NONE) {
		sqlite3_bind_text(st, 1, d->questions[d->reserve_question].id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, d->reserve_option, -1, SQLITE_STATIC);
	}
	if (pthread_create(&thread, NULL, decode_batches, dc) != 0) {
		sqlite3_finalize(st);
		rc = perr_set(err, PERR_SYSTEM, "tally", "cannot start a thread");
		goto done;
	}
	started = 1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *code = (const char *)sqlite3_column_text(st, 0);
		const char *group = (const char *)sqlite3_column_text(st, 1);
		const char *form = (const char *)sqlite3_column_text(st, 2);
		const char *version = (const char *)sqlite3_column_text(st, 3);
		const char *answers = (const char *)sqlite3_column_text(st, 4);
		size_t g, c;

		if (cell_of(d, cl, forms, nforms, code, group, form, version, &last, sv, &c,
			    &g) < 0)
			continue;
		sv->forms[c * d->ngroups + g]++;
		sv->submissions++;
		add_to_batch(&dc->b[cur], c, g, answers, (size_t)sqlite3_column_bytes(st, 4));
		if (dc->b[cur].text.len >= BATCH_BYTES)
			pass_batch(dc, &cur);
	}
	sqlite3_finalize(st);
	rc = rc == SQLITE_DONE ? 0 : db_fail(db, err, "reading submissions");
	if (!rc && d->reserve_question != DEF_NONE)
		rc = load_reserve(db, d, cl, sv, forms, nforms, dc, &cur, err);
done:
	if (started) {
		pass_batch(dc, &cur);
		pthread_mutex_lock(&dc->lock);
		dc->done = 1;
		pthread_cond_broadcast(&dc->cond);
		pthread_mutex_unlock(&dc->lock);
		pthread_join(thread, NULL);
		if (!rc && dc->failed) {
			char where[300];

			snprintf(where, sizeof(where), "%s(submission of commune %s, group %s)",
				 sqlite3_db_filename(db, "main"), cl->v[dc->fail_commune].code,
				 d->groups[dc->fail_group].id);
			rc = perr_set(err, PERR_SYSTEM, where,
				      "answers are not a JSON object of text values");
		}
	}
	for (size_t i = 0; i < nforms; i++)
		free(forms[i]);
	free(forms);
	for (int i = 0; i < 2; i++) {
		strbuf_release(&dc->b[i].text);
		free(dc->b[i].rows);
	}
	pthread_mutex_destroy(&dc->lock);
	pthread_cond_destroy(&dc->cond);
	counting_release(&dc->k);
	free(dc);
	return rc;
}

static int load_scores(sqlite3 *db, const struct def *d, const struct commune_list *cl,
		       struct tally_scores *sc, struct perr *err)
{
	sqlite3_stmt *st;
	struct tally_leaf *leaves;
	size_t nleaves = tally_leaves(d, &leaves), last = 0, hint = 0;
	int rc;

	if (db_prepare(db, &st,
		       "SELECT commune_code, criterion_id, self_score, appraised_score, not_applicable "
		       "FROM current_score WHERE def_id = ? AND def_version = ?",
		       err) < 0) {
		free(leaves);
		return -1;
	}
	sqlite3_bind_text(st, 1, d->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, d->version, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *code = (const char *)sqlite3_column_text(st, 0);
		const char *leaf = (const char *)sqlite3_column_text(st, 1);
		size_t c = find_commune(cl, code, last), l = hint;
		struct tally_leaf_score *s;

		if (c == DEF_NONE)
			continue;
		last = c;
		if (l >= nleaves || strcmp(leaves[l].id, leaf))
			for (l = 0; l < nleaves && strcmp(leaves[l].id, leaf); l++)
				;
		if (l == nleaves)
			continue; /* the import checked its ids against this very definition */
		hint = l + 1;
		s = &sc->v[c * nleaves + l];
		sc->has_scores[c] = 1;
		s->has_self = sqlite3_column_type(st, 2) != SQLITE_NULL;
		s->self_score = sqlite3_column_double(st, 2);
		s->has_appraised = sqlite3_column_type(st, 3) != SQLITE_NULL;
		s->appraised_score = sqlite3_column_double(st, 3);
		s->not_applicable = sqlite3_column_int(st, 4) != 0;
	}
	sqlite3_finalize(st);
	free(leaves);
	return rc == SQLITE_DONE ? 0 : db_fail(db, err, "reading scores");
}

int tally_load(sqlite3 *db, const struct def *d, const struct commune_list *cl,
	       struct tally_survey *sv, struct tally_scores *sc, struct perr *err)
{
	struct tally_leaf *leaves;
	size_t nleaves = tally_leaves(d, &leaves);

	free(leaves);
	tally_survey_init(sv, d, cl->n);
	tally_scores_init(sc, cl->n, nleaves);
	for (size_t c = 0; c < cl->n; c++)
		sv->ranking[c] = def_ranking_of(d, cl->v[c].type);
	if (load_submissions(db, d, cl, sv, err) < 0 || load_scores(db, d, cl, sc, err) < 0) {
		tally_survey_release(sv);
		tally_scores_release(sc);
		return -1;
	}
	return 0;
}

/* ---- data of other definitions ---- */

int tally_other_definitions(sqlite3 *db, const char *stage, const char *where,
			    struct perr *err)
{
	static const char sql[] =
		"SELECT def_id, def_version, sum(subs), sum(communes) FROM ("
		" SELECT f.def_id, f.def_version, count(*) AS subs, 0 AS communes"
		" FROM counted_submission s CROSS JOIN form f"
		" ON f.id = s.form_id AND f.version = s.form_version"
		" WHERE (f.def_id <> ?1 OR f.def_version <> ?2)"
		" GROUP BY 1, 2"
		" UNION ALL"
		" SELECT i.def_id, i.def_version, 0, count(DISTINCT s.commune_code)"
		" FROM score_import i JOIN score s ON s.import_id = i.id"
		" WHERE s.superseded_by IS NULL AND (i.def_id <> ?1 OR i.def_version <> ?2)"
		" GROUP BY 1, 2"
		") x GROUP BY 1, 2"
		/* another year with its tally kept is a year of its own, not a mistake (0014) */
		" HAVING NOT EXISTS (SELECT 1 FROM tally_year y WHERE y.def_id = x.def_id AND"
		" y.def_version = x.def_version AND y.year IS NOT (SELECT year FROM definition"
		" WHERE id = ?1 AND version = ?2))"
		" ORDER BY 1, 2";
	char active[400], *sp;
	sqlite3_stmt *st;
	int rc, other;

	rc = db_setting_get(db, "active_definition", active, sizeof(active), err);
	if (rc < 0)
		return -1;
	if (rc == 1 || !(sp = strchr(active, ' ')))
		return 0;
	*sp = '\0';
	/* the count scans every current submission and score: only when another definition
	   has forms or scores at all */
	if (db_prepare(db, &st,
		       "SELECT EXISTS (SELECT 1 FROM form WHERE def_id <> ?1 OR def_version <> ?2)"
		       " OR EXISTS (SELECT 1 FROM score_import WHERE def_id <> ?1 OR def_version <> ?2)",
		       err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, active, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, sp + 1, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	other = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return db_fail(db, err, "looking for other definitions");
	if (!other)
		return 0;
	if (db_prepare(db, &st, sql, err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, active, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, sp + 1, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long subs = sqlite3_column_int(st, 2), communes = sqlite3_column_int(st, 3);

		fprintf(stderr, "parindex: %s: ", stage);
		escape_term_fputs(stderr, where);
		fputs(": ", stderr);
		if (subs)
			fprintf(stderr, "%ld submission%s%s", subs, subs == 1 ? "" : "s",
				communes ? " and " : "");
		if (communes)
			fprintf(stderr, "the scores of %ld commune%s", communes,
				communes == 1 ? "" : "s");
		fprintf(stderr,
			" belong to definition %s %s, not the active %s %s, and do not count; to count them make that definition active again ('parindex init --definition FILE'), or collect the survey with the forms of %s %s ('parindex forms') and import its scores ('parindex scores import')\n",
			(const char *)sqlite3_column_text(st, 0),
			(const char *)sqlite3_column_text(st, 1), active, sp + 1, active, sp + 1);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, err, "counting data of other definitions");
}
