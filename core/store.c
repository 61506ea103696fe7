/* Definition and register in the database. */
#include "store.h"
#include "db.h"
#include "strbuf.h"
#include "text.h"

#include <stdio.h>
#include <string.h>
#include <stdlib.h>

static const char *assessed_name(enum def_assessed a)
{
	return a == DEF_SURVEY ? "survey" : "self";
}

/* One row of the criterion tree. */
static int put_node(sqlite3 *db, sqlite3_stmt *st, const struct def *d, const char *id,
		    const char *kind, const char *parent, int seq, const struct def_text *name,
		    double max, const char *assessed, struct perr *err)
{
	sqlite3_bind_text(st, 1, d->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, d->version, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
	db_bind_text(st, 5, parent);
	sqlite3_bind_int(st, 6, seq);
	sqlite3_bind_text(st, 7, name->vi, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, name->en, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 9, max);
	db_bind_text(st, 10, assessed);
	return db_step_done(db, st, err);
}

static int put_tree(sqlite3 *db, const struct def *d, struct perr *err)
{
	sqlite3_stmt *st;
	int rc = 0, seq = 0;

	if (db_prepare(db, &st,
		       "INSERT INTO criterion (def_id, def_version, id, kind, parent_id, seq, "
		       "name_vi, name_en, max, assessed) VALUES (?,?,?,?,?,?,?,?,?,?)",
		       err) < 0)
		return -1;
	for (size_t f = 0; !rc && f < d->nfields; f++) {
		const struct def_field *fd = &d->fields[f];

		rc = put_node(db, st, d, fd->id, "field", NULL, seq++, &fd->name, fd->max, NULL, err);
		for (size_t c = fd->first_criterion; !rc && c < fd->first_criterion + fd->ncriteria;
		     c++) {
			const struct def_criterion *cr = &d->criteria[c];

			rc = put_node(db, st, d, cr->id, "criterion", fd->id, seq++, &cr->name, cr->max,
				      assessed_name(cr->assessed), err);
			for (size_t s = cr->first_sub; !rc && s < cr->first_sub + cr->nsub; s++)
				rc = put_node(db, st, d, d->subcriteria[s].id, "subcriterion", cr->id,
					      seq++, &d->subcriteria[s].name, d->subcriteria[s].max,
					      assessed_name(cr->assessed), err);
		}
	}
	sqlite3_finalize(st);
	return rc;
}

static int put_survey(sqlite3 *db, const struct def *d, struct perr *err)
{
	sqlite3_stmt *g = NULL, *q = NULL, *o = NULL;
	int rc = -1;

	if (db_prepare(db, &g,
		       "INSERT INTO respondent_group (def_id, def_version, id, seq, name_vi, name_en, "
		       "min_forms) VALUES (?1,?2,?3,?4,?5,?6,?7)",
		       err) < 0 ||
	    db_prepare(db, &q,
		       "INSERT INTO question (def_id, def_version, id, seq, is_profile, criterion_id, "
		       "scale_id, groups, text_vi, text_en) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
		       err) < 0 ||
	    db_prepare(db, &o,
		       "INSERT INTO scale_option (def_id, def_version, scale_id, code, seq, label_vi, "
		       "label_en, weight, excluded) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
		       err) < 0)
		goto done;
	for (sqlite3_stmt **s = (sqlite3_stmt *[]){ g, q, o }, **e = s + 3; s < e; s++) {
		sqlite3_bind_text(*s, 1, d->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(*s, 2, d->version, -1, SQLITE_STATIC);
	}
	for (size_t i = 0; i < d->ngroups; i++) {
		const struct def_group *gr = &d->groups[i];

		sqlite3_bind_text(g, 3, gr->id, -1, SQLITE_STATIC);
		sqlite3_bind_int(g, 4, (int)i);
		sqlite3_bind_text(g, 5, gr->name.vi, -1, SQLITE_STATIC);
		sqlite3_bind_text(g, 6, gr->name.en, -1, SQLITE_STATIC);
		sqlite3_bind_int(g, 7, gr->min_forms);
		if (db_step_done(db, g, err) < 0)
			goto done;
	}
	for (size_t i = 0; i < d->nquestions; i++) {
		const struct def_question *qu = &d->questions[i];
		char groups[DEF_MAX_GROUPS * 42] = "";

		for (size_t k = 0; k < d->ngroups; k++)
			if (qu->groups & (1u << k))
				snprintf(groups + strlen(groups), sizeof(groups) - strlen(groups), "%s%s",
					 groups[0] ? " " : "", d->groups[k].id);
		sqlite3_bind_text(q, 3, qu->id, -1, SQLITE_STATIC);
		sqlite3_bind_int(q, 4, (int)i);
		sqlite3_bind_int(q, 5, qu->is_profile);
		db_bind_text(q, 6, qu->is_profile ? NULL : d->criteria[qu->criterion].id);
		sqlite3_bind_text(q, 7, d->scales[qu->scale].id, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 8, groups, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 9, qu->text.vi, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 10, qu->text.en, -1, SQLITE_STATIC);
		if (db_step_done(db, q, err) < 0)
			goto done;
	}
	for (size_t i = 0; i < d->nscales; i++) {
		const struct def_scale *sc = &d->scales[i];

		for (size_t k = 0; k < sc->noptions; k++) {
			const struct def_option *op = &sc->options[k];

			sqlite3_bind_text(o, 3, sc->id, -1, SQLITE_STATIC);
			sqlite3_bind_text(o, 4, op->code, -1, SQLITE_STATIC);
			sqlite3_bind_int(o, 5, (int)k);
			sqlite3_bind_text(o, 6, op->label.vi, -1, SQLITE_STATIC);
			sqlite3_bind_text(o, 7, op->label.en, -1, SQLITE_STATIC);
			if (op->has_weight)
				sqlite3_bind_double(o, 8, op->weight);
			else
				sqlite3_bind_null(o, 8);
			sqlite3_bind_int(o, 9, op->excluded);
			if (db_step_done(db, o, err) < 0)
				goto done;
		}
	}
	rc = 0;
done:
	sqlite3_finalize(g);
	sqlite3_finalize(q);
	sqlite3_finalize(o);
	return rc;
}

int store_definition(sqlite3 *db, const struct def *d, const char *content, size_t len,
		     const char *source, struct store_counts *n, struct perr *err)
{
	sqlite3_stmt *st;
	char sha[65], now[32], active[200];
	int rc;

	text_sha256_hex(content, len, sha);
	if (db_prepare(db, &st, "SELECT sha256 FROM definition WHERE id = ? AND version = ?",
		       err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, d->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, d->version, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		int same = !strcmp((const char *)sqlite3_column_text(st, 0), sha);

		sqlite3_finalize(st);
		if (!same)
			return perr_set(err, PERR_DATA, source,
					"definition '%s' version '%s' is already loaded with different content; give the changed definition a new version",
					d->id, d->version);
		n->unchanged++;
	} else {
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return db_fail(db, err, "reading definitions");
		if (db_prepare(db, &st,
			       "INSERT INTO definition (id, version, year, title, decimals, max, sha256, "
			       "source, content, loaded_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
			       err) < 0)
			return -1;
		sqlite3_bind_text(st, 1, d->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, d->version, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, d->year);
		sqlite3_bind_text(st, 4, d->title.vi, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 5, d->decimals);
		sqlite3_bind_double(st, 6, d->max);
		sqlite3_bind_text(st, 7, sha, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, source, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 9, content, (int)len, SQLITE_STATIC);
		sqlite3_bind_text(st, 10, db_now(now), -1, SQLITE_STATIC);
		rc = db_step_done(db, st, err);
		sqlite3_finalize(st);
		if (rc < 0 || put_tree(db, d, err) < 0 || put_survey(db, d, err) < 0)
			return -1;
		n->added++;
	}
	snprintf(active, sizeof(active), "%s %s", d->id, d->version);
	return db_setting_set(db, "active_definition", active, err);
}

int store_communes(sqlite3 *db, const struct commune_list *l, struct store_counts *n,
		   struct perr *err)
{
	sqlite3_stmt *get = NULL, *put = NULL, *valid = NULL, *clear = NULL;
	int rc = -1;

	/* the validity (0019) only when the register has its columns: one without keeps it */
	if (db_prepare(db, &get,
		       "SELECT (name, type, district_code, district) IS (?2, ?3, ?4, ?5) AND "
		       "(NOT ?6 OR (SELECT valid_from, valid_to FROM commune_validity WHERE "
		       "code = ?1) IS (nullif(?7, ''), nullif(?8, ''))) FROM commune WHERE code = ?1",
		       err) < 0 ||
	    db_prepare(db, &put,
		       "INSERT INTO commune (code, name, type, district_code, district) "
		       "VALUES (?1,?2,?3,?4,?5) ON CONFLICT (code) DO UPDATE SET name = ?2, "
		       "type = ?3, district_code = ?4, district = ?5",
		       err) < 0 ||
	    db_prepare(db, &valid,
		       "INSERT INTO commune_validity (code, valid_from, valid_to) SELECT ?1, "
		       "nullif(?2, ''), nullif(?3, '') WHERE ?2 <> '' OR ?3 <> '' ON CONFLICT (code) "
		       "DO UPDATE SET valid_from = excluded.valid_from, valid_to = excluded.valid_to",
		       err) < 0 ||
	    db_prepare(db, &clear,
		       "DELETE FROM commune_validity WHERE code = ?1 AND ?2 = '' AND ?3 = ''", err) < 0)
		goto done;
	sqlite3_bind_int(get, 6, l->has_validity);
	for (size_t i = 0; i < l->n; i++) {
		const struct commune *c = &l->v[i];
		const char *values[] = { c->code, c->name, c->type, c->district_code, c->district };
		const char *from = c->valid_from ? c->valid_from : "", *to = c->valid_to ? c->valid_to : "";
		int step;

		for (int k = 0; k < 5; k++) {
			sqlite3_bind_text(get, k + 1, values[k], -1, SQLITE_STATIC);
			sqlite3_bind_text(put, k + 1, values[k], -1, SQLITE_STATIC);
		}
		sqlite3_bind_text(get, 7, from, -1, SQLITE_STATIC);
		sqlite3_bind_text(get, 8, to, -1, SQLITE_STATIC);
		step = sqlite3_step(get);
		if (step == SQLITE_ROW && sqlite3_column_int(get, 0)) {
			n->unchanged++;
		} else if (step == SQLITE_ROW || step == SQLITE_DONE) {
			if (step == SQLITE_ROW)
				n->updated++;
			else
				n->added++;
			if (db_step_done(db, put, err) < 0)
				goto done;
			/* kept or replaced when given, removed when both cells are empty */
			for (int k = 0; l->has_validity && k < 2; k++) {
				sqlite3_stmt *st = k ? clear : valid;

				sqlite3_bind_text(st, 1, c->code, -1, SQLITE_STATIC);
				sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
				sqlite3_bind_text(st, 3, to, -1, SQLITE_STATIC);
				if (db_step_done(db, st, err) < 0)
					goto done;
			}
		} else {
			db_fail(db, err, "reading communes");
			goto done;
		}
		sqlite3_reset(get);
	}
	rc = 0;
done:
	sqlite3_finalize(get);
	sqlite3_finalize(put);
	sqlite3_finalize(valid);
	sqlite3_finalize(clear);
	return rc;
}

/* A province definition against a register with a province column: at least one commune of
   the definition's province (names compared folded). */
static int store_check_province(const struct def *d, const char *def_desc,
				const struct commune_list *l, const char *reg_desc,
				const char *where, struct perr *err)
{
	char *want = text_fold(d->province ? d->province : "");
	const char *other = NULL;
	int found = 0;

	for (size_t i = 0; i < l->n && !found; i++) {
		char *p;

		if (!l->v[i].province || !*l->v[i].province)
			continue;
		p = text_fold(l->v[i].province);
		found = !strcmp(p, want);
		if (!other)
			other = l->v[i].province;
		free(p);
	}
	free(want);
	if (found || !other)
		return 0;
	return perr_set(err, PERR_DATA, where,
			"the definition%s%s is for province %s, the register%s%s lists communes of %s",
			*def_desc ? " " : "", def_desc, d->province, *reg_desc ? " " : "", reg_desc,
			other);
}

int store_check_district(const struct def *d, const char *def_desc, const struct commune_list *l,
			 const char *reg_desc, const char *where, struct perr *err)
{
	struct strbuf others = STRBUF_INIT;
	size_t named = 0, more = 0;

	if (!d->district_code)
		return store_check_province(d, def_desc, l, reg_desc, where, err);
	if (!l->n)
		return 0;
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].district_code, d->district_code))
			return 0;
	/* the register's districts, in the order they first appear, three at most by name */
	for (size_t i = 0; i < l->n; i++) {
		const struct commune *c = &l->v[i];
		size_t j;

		if (!*c->district_code)
			continue;
		for (j = 0; j < i && strcmp(l->v[j].district_code, c->district_code); j++)
			;
		if (j < i)
			continue;
		if (named == 3) {
			more++;
			continue;
		}
		strbuf_addf(&others, "%s%s (%s)", named ? ", " : "", c->district, c->district_code);
		named++;
	}
	if (more)
		strbuf_addf(&others, " and %zu other district%s", more, more == 1 ? "" : "s");
	if (!named)
		strbuf_adds(&others, "no district (a province's register: no district_code column)");
	perr_set(err, PERR_DATA, where,
		 "the definition%s%s is for district %s (%s), the register%s%s lists communes of %s",
		 *def_desc ? " " : "", def_desc, d->district, d->district_code, *reg_desc ? " " : "",
		 reg_desc, strbuf_str(&others));
	strbuf_release(&others);
	return -1;
}

int store_load_definition(sqlite3 *db, const char *id, const char *version, struct def *d,
			  struct perr *err)
{
	sqlite3_stmt *st;
	struct diag diag = { 0 };
	int rc;

	if (db_prepare(db, &st, "SELECT content, source FROM definition WHERE id = ? AND version = ?",
		       err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, version, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return perr_set(err, PERR_DATA, "database", "definition %s %s is missing", id,
				version);
	}
	rc = def_load(d, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
		      (const char *)sqlite3_column_text(st, 1), &diag);
	sqlite3_finalize(st);
	if (rc < 0) {
		perr_set(err, PERR_SYSTEM, "database", "stored definition no longer loads: %s",
			 diag.n ? diag.lines[0] : "?");
		diag_release(&diag);
		return -1;
	}
	return 0;
}

int store_active_definition(sqlite3 *db, struct def *d, struct perr *err)
{
	char active[200], *sp;
	int rc;

	rc = db_setting_get(db, "active_definition", active, sizeof(active), err);
	if (rc < 0)
		return -1;
	if (rc == 1)
		return perr_set(err, PERR_USAGE, sqlite3_db_filename(db, "main"),
				"no definition loaded; run 'parindex init --definition FILE --communes FILE'");
	sp = strchr(active, ' ');
	if (!sp)
		return perr_set(err, PERR_SYSTEM, "database", "bad active_definition setting");
	*sp++ = '\0';
	return store_load_definition(db, active, sp, d, err);
}

int store_load_communes(sqlite3 *db, struct commune_list *l, struct perr *err)
{
	sqlite3_stmt *st;
	int rc;

	memset(l, 0, sizeof(*l));
	if (db_prepare(db, &st,
		       "SELECT c.code, name, type, district_code, district, coalesce(valid_from, ''), "
		       "coalesce(valid_to, '') FROM commune c LEFT JOIN commune_validity v ON "
		       "v.code = c.code ORDER BY c.code",
		       err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct commune *c;

		xgrow(&l->v, &l->alloc, l->n + 1, sizeof(*l->v));
		c = &l->v[l->n++];
		memset(c, 0, sizeof(*c));
		c->code = xstrdup((const char *)sqlite3_column_text(st, 0));
		c->name = xstrdup((const char *)sqlite3_column_text(st, 1));
		c->type = xstrdup((const char *)sqlite3_column_text(st, 2));
		c->district_code = xstrdup((const char *)sqlite3_column_text(st, 3));
		c->district = xstrdup((const char *)sqlite3_column_text(st, 4));
		c->province = xstrdup(""); /* the register's province column is not stored */
		c->valid_from = xstrdup((const char *)sqlite3_column_text(st, 5));
		c->valid_to = xstrdup((const char *)sqlite3_column_text(st, 6));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		commune_list_release(l);
		return db_fail(db, err, "reading communes");
	}
	return 0;
}
