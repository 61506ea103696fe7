/* The merged-units mapping: reading and checking the file, storing it, and which units of
   the register exist in a year. */
#include "merge.h"
#include "csvin.h"
#include "db.h"
#include "strbuf.h"
#include "text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const columns[] = { "new_code", "old_code", "effective" };
#define NCOLUMNS 3

struct load {
	struct merge_list *l;
	struct diag *diag;
	const char *name;
	int col[NCOLUMNS];
	size_t width;
	int have_header, errors;
};

static int on_header(struct load *L, const struct csvin_record *rec)
{
	L->have_header = 1;
	L->width = rec->nfields;
	L->errors += csvin_header_columns(rec, columns, NCOLUMNS, NCOLUMNS, 0, L->col, L->diag,
					  L->name);
	return L->errors ? -1 : 0;
}

static int on_row(const struct csvin_record *rec, void *ctx)
{
	struct load *L = ctx;
	struct merge m = { .line = rec->number };
	char *date, shown[3][64];
	int bad = 0, year = 0;

	if (!L->have_header)
		return on_header(L, rec);
	if (rec->nfields != L->width) {
		diag_add_capped(L->diag, "column count", L->name, rec->number,
				"%zu columns, the header has %zu", rec->nfields, L->width);
		L->errors++;
		return 0;
	}
	m.new_code = commune_cell(rec->fields[L->col[0]]);
	m.old_code = commune_cell(rec->fields[L->col[1]]);
	date = commune_cell(rec->fields[L->col[2]]);
	text_cut(shown[0], sizeof(shown[0]), m.new_code);
	text_cut(shown[1], sizeof(shown[1]), m.old_code);
	text_cut(shown[2], sizeof(shown[2]), date);
	for (int k = 0; k < 2; k++)
		if (!commune_code_ok(k ? m.old_code : m.new_code))
			diag_add_capped(L->diag, "unit code", L->name, rec->number,
					"%s '%s' is missing or not a code (letters, digits, '-' or '_', at most 20)",
					columns[k], shown[k]), bad++;
	if (!commune_date_ok(date, &year))
		diag_add_capped(L->diag, "effective date", L->name, rec->number,
				"effective date '%s' is not a date YYYY-MM-DD", shown[2]), bad++;
	else if (year < MERGE_YEAR_MIN || year > MERGE_YEAR_MAX)
		diag_add_capped(L->diag, "effective date", L->name, rec->number,
				"effective date %s is out of range (%d to %d)", shown[2],
				MERGE_YEAR_MIN, MERGE_YEAR_MAX), bad++;
	if (bad) {
		L->errors += bad;
		free(m.new_code);
		free(m.old_code);
		free(date);
		return 0;
	}
	memcpy(m.effective, date, 11);
	free(date);
	xgrow(&L->l->v, &L->l->alloc, L->l->n + 1, sizeof(*L->l->v));
	L->l->v[L->l->n++] = m;
	return 0;
}

static int by_pair(const void *a, const void *b)
{
	const struct merge *x = *(const struct merge *const *)a, *y = *(const struct merge *const *)b;
	int c = strcmp(x->new_code, y->new_code);

	if (!c)
		c = strcmp(x->old_code, y->old_code);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* A pair given twice, and one new unit with two dates, found through a sort (a pairwise look
   is quadratic in the rows); each said at its row, in the file's order. */
static int check_pairs(const struct merge_list *l, const char *name, struct diag *diag)
{
	const struct merge **v = xcalloc(l->n ? l->n : 1, sizeof(*v));
	const struct merge **dup = xcalloc(l->n ? l->n : 1, sizeof(*dup));
	const struct merge **date = xcalloc(l->n ? l->n : 1, sizeof(*date));
	int errors = 0;

	for (size_t i = 0; i < l->n; i++)
		v[i] = &l->v[i];
	qsort(v, l->n, sizeof(*v), by_pair);
	for (size_t i = 1, first = 0; i < l->n; i++) {
		size_t k = (size_t)(v[i] - l->v);

		if (strcmp(v[i]->new_code, v[first]->new_code)) {
			first = i;
			continue;
		}
		if (!strcmp(v[i]->old_code, v[i - 1]->old_code))
			dup[k] = v[i - 1];
		else if (strcmp(v[i]->effective, v[first]->effective))
			date[k] = v[first];
	}
	for (size_t k = 0; k < l->n; k++) {
		char shown[2][64];

		text_cut(shown[0], sizeof(shown[0]), l->v[k].new_code);
		text_cut(shown[1], sizeof(shown[1]), l->v[k].old_code);
		if (dup[k])
			diag_add_capped(diag, "duplicate", name, l->v[k].line,
					"duplicate: %s formed from %s is already on line %ld", shown[0],
					shown[1], dup[k]->line), errors++;
		else if (date[k])
			diag_add_capped(diag, "effective date", name, l->v[k].line,
					"%s is formed on %s here but on %s on line %ld", shown[0],
					l->v[k].effective, date[k]->effective, date[k]->line), errors++;
	}
	free(v);
	free(dup);
	free(date);
	return errors;
}

int merge_load(struct merge_list *l, const char *buf, size_t len, const char *name,
	       struct diag *diag)
{
	struct load L = { .l = l, .diag = diag, .name = name };
	struct perr err = { 0 };

	memset(l, 0, sizeof(*l));
	if (csvin_read(buf, len, name, on_row, &L, &err) < 0 && !L.errors) {
		diag_add(diag, err.where, 0, "%s", err.msg);
		L.errors++;
	}
	if (!L.errors && !L.have_header) {
		diag_add(diag, name, 0, "empty file: no header and no merged units");
		L.errors++;
	}
	L.errors += check_pairs(l, name, diag);
	if (L.errors) {
		merge_list_release(l);
		return -1;
	}
	l->source = xstrdup(name);
	return 0;
}

int merge_load_file(struct merge_list *l, const char *path, struct diag *diag)
{
	struct strbuf sb = STRBUF_INIT;
	int rc;

	memset(l, 0, sizeof(*l));
	if (csvin_read_file(&sb, path, diag) < 0)
		return -1;
	rc = merge_load(l, strbuf_str(&sb), sb.len, path, diag);
	strbuf_release(&sb);
	return rc;
}

/* the rows' codes and the rows */
static void rows_free(struct merge *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].new_code);
		free(v[i].old_code);
	}
	free(v);
}

void merge_list_release(struct merge_list *l)
{
	rows_free(l->v, l->n);
	free(l->source);
	memset(l, 0, sizeof(*l));
}

/* ---- cycles over the stored mapping and the file together ---- */

struct edge {
	const char *from, *to; /* new code -> old code */
	const char *source;
	long line;
};

static int edge_cmp(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;
	int c = strcmp(x->from, y->from);

	return c ? c : strcmp(x->to, y->to);
}

/* the first edge leaving `code`, or ne */
static size_t edges_from(const struct edge *e, size_t ne, const char *code)
{
	size_t lo = 0, hi = ne;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(e[mid].from, code) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ne && !strcmp(e[lo].from, code) ? lo : ne;
}

/* Depth-first from every edge; an edge back into the path is a cycle, reported at the line
   of that edge with the path. state: 0 new, 1 on the path, 2 done (per edge's source node,
   kept by edge index of the node's first edge). */
static void find_cycles(const struct edge *e, size_t ne, struct diag *diag)
{
	unsigned char *state = xcalloc(ne ? ne : 1, 1);
	size_t *stack = xcalloc(ne + 1, sizeof(*stack)), *next = xcalloc(ne + 1, sizeof(*next));

	for (size_t s = 0; s < ne; s++) {
		size_t depth = 0;

		if (s && !strcmp(e[s - 1].from, e[s].from))
			continue;
		if (state[s])
			continue;
		stack[depth] = s, next[depth] = s, depth = 1, state[s] = 1;
		while (depth) {
			size_t node = stack[depth - 1], k = next[depth - 1], to;

			if (k >= ne || strcmp(e[k].from, e[node].from)) {
				state[node] = 2;
				depth--;
				continue;
			}
			next[depth - 1]++;
			to = edges_from(e, ne, e[k].to);
			if (to == ne)
				continue;
			if (state[to] == 1) {
				struct strbuf path = STRBUF_INIT;
				size_t from = 0;

				while (stack[from] != to)
					from++;
				for (size_t i = from; i < depth; i++)
					strbuf_addf(&path, "%s formed from ", e[stack[i]].from);
				strbuf_adds(&path, e[k].to);
				diag_add(diag, e[k].source, e[k].line, "cycle: %s", strbuf_str(&path));
				strbuf_release(&path);
			} else if (!state[to]) {
				state[to] = 1;
				stack[depth] = to, next[depth] = to, depth++;
			}
		}
	}
	free(state);
	free(stack);
	free(next);
}

int merge_store(sqlite3 *db, const struct merge_list *l, struct store_counts *n,
		struct diag *diag, struct perr *err)
{
	sqlite3_stmt *known = NULL, *stored = NULL, *get = NULL, *put = NULL;
	struct edge *e = NULL;
	size_t ne = 0, alloc = 0, problems = diag->n;
	char **keep = NULL;
	size_t nkeep = 0, akeep = 0;
	int rc = -1, step;

	if (db_prepare(db, &known, "SELECT 1 FROM commune WHERE code = ?", err) < 0 ||
	    db_prepare(db, &stored, "SELECT new_code, old_code, source, line FROM commune_merge",
		       err) < 0 ||
	    db_prepare(db, &get,
		       "SELECT effective = ?3 FROM commune_merge WHERE new_code = ?1 AND old_code = ?2",
		       err) < 0 ||
	    db_prepare(db, &put,
		       "INSERT INTO commune_merge (new_code, old_code, effective, source, line) "
		       "VALUES (?1,?2,?3,?4,?5) ON CONFLICT (new_code, old_code) DO UPDATE SET "
		       "effective = ?3, source = ?4, line = ?5",
		       err) < 0)
		goto done;
	for (size_t i = 0; i < l->n; i++)
		for (int k = 0; k < 2; k++) {
			const char *code = k ? l->v[i].old_code : l->v[i].new_code;

			sqlite3_bind_text(known, 1, code, -1, SQLITE_STATIC);
			step = sqlite3_step(known);
			sqlite3_reset(known);
			if (step == SQLITE_DONE)
				diag_add_capped(diag, "unknown code", l->source, l->v[i].line,
						"unknown %s unit code '%s': not in the register (load it with 'parindex init --communes FILE' first)",
						k ? "old" : "new", code);
			else if (step != SQLITE_ROW) {
				db_fail(db, err, "reading communes");
				goto done;
			}
		}
	/* the stored pairs the file does not give again, then the file's */
	while ((step = sqlite3_step(stored)) == SQLITE_ROW) {
		const char *from = (const char *)sqlite3_column_text(stored, 0);
		const char *to = (const char *)sqlite3_column_text(stored, 1);
		size_t i;

		for (i = 0; i < l->n && (strcmp(l->v[i].new_code, from) || strcmp(l->v[i].old_code, to));
		     i++)
			;
		if (i < l->n || !strcmp(from, to))
			continue;
		xgrow(&keep, &akeep, nkeep + 3, sizeof(*keep));
		keep[nkeep++] = xstrdup(from);
		keep[nkeep++] = xstrdup(to);
		keep[nkeep++] = xstrdup((const char *)sqlite3_column_text(stored, 2));
		xgrow(&e, &alloc, ne + 1, sizeof(*e));
		e[ne++] = (struct edge){ keep[nkeep - 3], keep[nkeep - 2], keep[nkeep - 1],
					 sqlite3_column_int64(stored, 3) };
	}
	if (step != SQLITE_DONE) {
		db_fail(db, err, "reading the merged units");
		goto done;
	}
	for (size_t i = 0; i < l->n; i++) {
		if (!strcmp(l->v[i].new_code, l->v[i].old_code))
			continue; /* a new unit keeping an old one's code */
		xgrow(&e, &alloc, ne + 1, sizeof(*e));
		e[ne++] = (struct edge){ l->v[i].new_code, l->v[i].old_code, l->source, l->v[i].line };
	}
	if (ne)
		qsort(e, ne, sizeof(*e), edge_cmp);
	find_cycles(e, ne, diag);
	if (diag->n > problems) {
		rc = 1;
		goto done;
	}
	for (size_t i = 0; i < l->n; i++) {
		const struct merge *m = &l->v[i];

		sqlite3_bind_text(get, 1, m->new_code, -1, SQLITE_STATIC);
		sqlite3_bind_text(get, 2, m->old_code, -1, SQLITE_STATIC);
		sqlite3_bind_text(get, 3, m->effective, -1, SQLITE_STATIC);
		step = sqlite3_step(get);
		if (step == SQLITE_ROW && sqlite3_column_int(get, 0))
			n->unchanged++;
		else if (step == SQLITE_ROW)
			n->updated++;
		else if (step == SQLITE_DONE)
			n->added++;
		else {
			db_fail(db, err, "reading the merged units");
			goto done;
		}
		sqlite3_reset(get);
		sqlite3_bind_text(put, 1, m->new_code, -1, SQLITE_STATIC);
		sqlite3_bind_text(put, 2, m->old_code, -1, SQLITE_STATIC);
		sqlite3_bind_text(put, 3, m->effective, -1, SQLITE_STATIC);
		sqlite3_bind_text(put, 4, l->source, -1, SQLITE_STATIC);
		sqlite3_bind_int64(put, 5, m->line);
		if (db_step_done(db, put, err) < 0)
			goto done;
	}
	rc = 0;
done:
	sqlite3_finalize(known);
	sqlite3_finalize(stored);
	sqlite3_finalize(get);
	sqlite3_finalize(put);
	for (size_t i = 0; i < nkeep; i++)
		free(keep[i]);
	free(keep);
	free(e);
	return rc;
}

static int by_old_code(const void *a, const void *b)
{
	const struct merge *x = a, *y = b;
	int c = strcmp(x->old_code, y->old_code);

	return c ? c : strcmp(x->new_code, y->new_code);
}

static int by_new_code(const void *a, const void *b, void *rows)
{
	const struct merge *v = rows, *x = &v[*(const size_t *)a], *y = &v[*(const size_t *)b];

	return strcmp(x->new_code, y->new_code);
}

/* the register's validity dates, sorted by code (the query's order) */
static int load_validity(sqlite3 *db, struct merge_map *m, struct perr *err)
{
	sqlite3_stmt *st;
	size_t alloc = 0;
	int rc;

	if (db_prepare(db, &st,
		       "SELECT code, coalesce(valid_from, ''), coalesce(valid_to, '') FROM "
		       "commune_validity ORDER BY code",
		       err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct merge_validity *v;

		xgrow(&m->valid, &alloc, m->nvalid + 1, sizeof(*m->valid));
		v = &m->valid[m->nvalid++];
		v->code = xstrdup((const char *)sqlite3_column_text(st, 0));
		snprintf(v->from, sizeof(v->from), "%s", (const char *)sqlite3_column_text(st, 1));
		snprintf(v->to, sizeof(v->to), "%s", (const char *)sqlite3_column_text(st, 2));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, err, "reading the register's validity");
}

static int validity_cmp(const void *code, const void *v)
{
	return strcmp(code, ((const struct merge_validity *)v)->code);
}

static const struct merge_validity *validity_of(const struct merge_map *m, const char *code)
{
	return m->nvalid ? bsearch(code, m->valid, m->nvalid, sizeof(*m->valid), validity_cmp)
			 : NULL;
}

int merge_map_load(sqlite3 *db, struct merge_map *m, struct perr *err)
{
	sqlite3_stmt *st;
	size_t alloc = 0;
	int rc;

	memset(m, 0, sizeof(*m));
	if (db_prepare(db, &st, "SELECT new_code, old_code, effective, line FROM commune_merge",
		       err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct merge *r;

		xgrow(&m->v, &alloc, m->n + 1, sizeof(*m->v));
		r = &m->v[m->n++];
		memset(r, 0, sizeof(*r));
		r->new_code = xstrdup((const char *)sqlite3_column_text(st, 0));
		r->old_code = xstrdup((const char *)sqlite3_column_text(st, 1));
		snprintf(r->effective, sizeof(r->effective), "%s",
			 (const char *)sqlite3_column_text(st, 2));
		r->line = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		merge_map_release(m);
		return db_fail(db, err, "reading the merged units");
	}
	if (load_validity(db, m, err) < 0) {
		merge_map_release(m);
		return -1;
	}
	m->by_new = xcalloc(m->n + 1, sizeof(*m->by_new));
	if (m->n) {
		qsort(m->v, m->n, sizeof(*m->v), by_old_code);
		for (size_t i = 0; i < m->n; i++)
			m->by_new[i] = i;
		qsort_r(m->by_new, m->n, sizeof(*m->by_new), by_new_code, m->v);
	}
	return 0;
}

void merge_map_release(struct merge_map *m)
{
	rows_free(m->v, m->n);
	free(m->by_new);
	for (size_t i = 0; i < m->nvalid; i++)
		free(m->valid[i].code);
	free(m->valid);
	memset(m, 0, sizeof(*m));
}

/* the first row (by old code, else through by_new) whose code is `code` */
static size_t first_old(const struct merge_map *m, const char *code)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(m->v[mid].old_code, code) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static size_t first_new(const struct merge_map *m, const char *code)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(m->v[m->by_new[mid]].new_code, code) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int year_of(const struct merge *r)
{
	return atoi(r->effective);
}

enum merge_state merge_map_state(const struct merge_map *m, const char *code, int year,
				 const struct merge **why)
{
	const struct merge *gone = NULL, *later = NULL;
	const struct merge_validity *valid = validity_of(m, code);
	int kept_by = 0, keeps = 0;

	if (why)
		*why = NULL;
	if (valid && !commune_valid_in(valid->from, valid->to, year))
		return MERGE_INVALID;

	/* as the new unit: one that keeps its code (a self-row) is there before and after */
	for (size_t i = first_new(m, code); i < m->n && !strcmp(m->v[m->by_new[i]].new_code, code);
	     i++) {
		const struct merge *r = &m->v[m->by_new[i]];

		if (!strcmp(r->old_code, code)) {
			keeps = 1;
			kept_by |= year_of(r) <= year;
		} else if (year_of(r) > year && !later) {
			later = r;
		}
	}
	/* as an old unit: gone from the year its merger took effect */
	for (size_t i = first_old(m, code); i < m->n && !strcmp(m->v[i].old_code, code); i++)
		if (strcmp(m->v[i].new_code, code) && year_of(&m->v[i]) <= year && !gone)
			gone = &m->v[i];
	if (why)
		*why = NULL;
	if (gone && !kept_by) {
		if (why)
			*why = gone;
		return MERGE_GONE;
	}
	if (later && !keeps) {
		if (why)
			*why = later;
		return MERGE_NOT_YET;
	}
	return MERGE_UNIT;
}

enum merge_state merge_map_say(const struct merge_map *m, const char *code, int year, char *buf,
			       size_t size)
{
	const struct merge *why;
	enum merge_state s = merge_map_state(m, code, year, &why);
	const struct merge_validity *v = validity_of(m, code);

	if (s == MERGE_INVALID && v) {
		char from[24] = "", to[24] = "";

		if (*v->from)
			snprintf(from, sizeof(from), " from %s", v->from);
		if (*v->to)
			snprintf(to, sizeof(to), " to %s", v->to);
		snprintf(buf, size, "valid%s%s (the register), not a unit in %d", from, to, year);
	} else if (s == MERGE_GONE && why) {
		snprintf(buf, size, "merged into %s on %s, not a unit in %d", why->new_code,
			 why->effective, year);
	} else if (s == MERGE_NOT_YET && why) {
		snprintf(buf, size, "formed on %s, not a unit yet in %d", why->effective, year);
	} else {
		snprintf(buf, size, "a unit in %d", year);
	}
	return s;
}

int merge_unit_exists(sqlite3 *db, const char *code, int year, char *buf, size_t size,
		      struct perr *err)
{
	struct merge_map m;
	enum merge_state s;

	if (merge_map_load(db, &m, err) < 0)
		return -1;
	s = merge_map_say(&m, code, year, buf, size);
	merge_map_release(&m);
	return s == MERGE_UNIT;
}

int merge_year_units(sqlite3 *db, int year, struct commune_list *cl, struct perr *err)
{
	struct merge_map m;
	size_t n = 0;

	if (merge_map_load(db, &m, err) < 0)
		return -1;
	for (size_t i = 0; i < cl->n; i++) {
		struct commune *c = &cl->v[i];

		/* the dates read with the register, else the stored ones (through the map) */
		if (commune_valid_in(c->valid_from, c->valid_to, year) &&
		    merge_map_state(&m, c->code, year, NULL) == MERGE_UNIT) {
			cl->v[n++] = *c;
			continue;
		}
		commune_release(c);
	}
	cl->n = n;
	merge_map_release(&m);
	return 0;
}
