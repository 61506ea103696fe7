/* 'parindex tally --year YEAR': the ranking a year's tally published, as tally_year_commune
   (migration 0014) keeps it, so an earlier year stays readable after a later one is tallied
   (its units may since have merged into others). Nothing is computed or stored. */
#include "tally.h"
#include "csvout.h"
#include "db.h"
#include "escape.h"
#include "store.h"

#include <stdlib.h>
#include <string.h>
#include <uniwidth.h>

struct year_row {
	char *code, *name, *index, *tier, *flags, *group;
	long rank;
};

static char *text_or_empty(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return xstrdup(s ? (const char *)s : "");
}

static const char *class_of(const struct def *d, const char *tier)
{
	for (size_t t = 0; *tier && t < d->ntiers; t++)
		if (!strcmp(d->tiers[t].id, tier))
			return d->tiers[t].label.vi;
	return "Chưa xếp loại";
}

static void print_rows(FILE *out, enum tally_format fmt, const struct def *d, int year,
		       const char *computed_at, const struct year_row *v, size_t n)
{
	if (fmt == TALLY_CSV) {
		fputs("rank,code,commune,index,tier,class,flags,ranking_group\n", out);
		for (size_t i = 0; i < n; i++) {
			if (v[i].rank)
				fprintf(out, "%ld", v[i].rank);
			fputc(',', out);
			csvout_text(out, v[i].code);
			fputc(',', out);
			csvout_text(out, v[i].name);
			fprintf(out, ",%s,", v[i].index);
			csvout_text(out, v[i].tier);
			fputc(',', out);
			csvout_text(out, class_of(d, v[i].tier));
			fputc(',', out);
			csvout_text(out, v[i].flags);
			fputc(',', out);
			csvout_text(out, v[i].group);
			fputc('\n', out);
		}
	} else if (fmt == TALLY_JSON) {
		fputs("{\n  \"definition\": ", out);
		tally_json_string(out, d->id);
		fputs(",\n  \"version\": ", out);
		tally_json_string(out, d->version);
		fprintf(out, ",\n  \"year\": %d,\n  \"computed_at\": ", year);
		tally_json_string(out, computed_at);
		fputs(",\n  \"communes\": [", out);
		for (size_t i = 0; i < n; i++) {
			fprintf(out, "%s\n    {\"rank\": ", i ? "," : "");
			if (v[i].rank)
				fprintf(out, "%ld", v[i].rank);
			else
				fputs("null", out);
			fputs(", \"code\": ", out);
			tally_json_string(out, v[i].code);
			fputs(", \"commune\": ", out);
			tally_json_string(out, v[i].name);
			fprintf(out, ", \"index\": %s, \"tier\": ", v[i].index);
			if (*v[i].tier)
				tally_json_string(out, v[i].tier);
			else
				fputs("null", out);
			fputs(", \"class\": ", out);
			tally_json_string(out, class_of(d, v[i].tier));
			fputs(", \"flags\": [", out);
			for (const char *p = v[i].flags, *sp; *p; p = sp + (*sp == ' ')) {
				sp = p + strcspn(p, " ");
				fprintf(out, "%s\"%.*s\"", p == v[i].flags ? "" : ", ", (int)(sp - p), p);
			}
			fputs("], \"ranking_group\": ", out);
			tally_json_string(out, v[i].group);
			fputs("}", out);
		}
		fprintf(out, "%s]\n}\n", n ? "\n  " : "");
	} else {
		int wname = 7, groups = 0;

		for (size_t i = 0; i < n; i++) {
			int w = u8_strwidth((const uint8_t *)v[i].name, "UTF-8");

			wname = w > wname ? w : wname;
			groups |= strcmp(v[i].group, v[0].group) != 0;
		}
		fprintf(out, "năm %d (%s %s), tính lúc %s\n", year, d->id, d->version, computed_at);
		fprintf(out, "%-5s %-8s %-*s %8s  %s\n", "rank", "code", wname, "commune", "index",
			"class");
		for (size_t i = 0; i < n; i++) {
			char rank[24] = "-";
			int w = u8_strwidth((const uint8_t *)v[i].name, "UTF-8");

			if (v[i].rank)
				snprintf(rank, sizeof(rank), "%ld", v[i].rank);
			fprintf(out, "%-5s %-8s %s%*s %8s  %s%s%s", rank, v[i].code, v[i].name,
				wname - w, "", v[i].index, class_of(d, v[i].tier),
				*v[i].flags ? " " : "", v[i].flags);
			/* several rankings: each unit's group said */
			if (groups) {
				fputs(" (", out);
				escape_term_fputs(out, *v[i].group ? v[i].group : "không xếp hạng");
				fputc(')', out);
			}
			fputc('\n', out);
		}
	}
}

int tally_print_year(FILE *out, enum tally_format fmt, sqlite3 *db, int year,
		     const char *where, struct perr *err)
{
	sqlite3_stmt *st = NULL;
	struct year_row *v = NULL;
	size_t n = 0, alloc = 0;
	struct def d = { 0 };
	char *def_id = NULL, *def_version = NULL, *computed_at = NULL;
	int rc = -1, step;

	if (db_prepare(db, &st,
		       "SELECT def_id, def_version, computed_at FROM tally_year WHERE year = ? "
		       "ORDER BY computed_at DESC, def_id, def_version LIMIT 1",
		       err) < 0)
		return -1;
	sqlite3_bind_int(st, 1, year);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		def_id = text_or_empty(st, 0);
		def_version = text_or_empty(st, 1);
		computed_at = text_or_empty(st, 2);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (step != SQLITE_ROW) {
		if (step == SQLITE_DONE)
			perr_set(err, PERR_DATA, where,
				 "no tally of year %d is kept; 'parindex definition use ID VERSION' chooses a definition of that year, then 'parindex tally' tallies it",
				 year);
		else
			db_fail(db, err, "reading the tallied years");
		goto done;
	}
	if (store_load_definition(db, def_id, def_version, &d, err) < 0 ||
	    db_prepare(db, &st,
		       "SELECT commune_code, name, index_published, coalesce(tier_id, ''), rank, "
		       "flags, ranking_group FROM tally_year_commune WHERE def_id = ? AND "
		       "def_version = ? ORDER BY rank IS NULL, ranking_group, rank, commune_code",
		       err) < 0)
		goto done;
	sqlite3_bind_text(st, 1, def_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, def_version, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		xgrow(&v, &alloc, n + 1, sizeof(*v));
		v[n].code = text_or_empty(st, 0);
		v[n].name = text_or_empty(st, 1);
		v[n].index = text_or_empty(st, 2);
		v[n].tier = text_or_empty(st, 3);
		v[n].rank = sqlite3_column_type(st, 4) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 4);
		v[n].flags = text_or_empty(st, 5);
		v[n].group = text_or_empty(st, 6);
		n++;
	}
	if (step != SQLITE_DONE) {
		db_fail(db, err, "reading the tallied years");
		goto done;
	}
	if (fmt == TALLY_TABLE) {
		/* for a terminal: names from the register shown with control characters escaped */
		for (size_t i = 0; i < n; i++) {
			char *shown = escape_term_dup(v[i].name);

			free(v[i].name);
			v[i].name = shown;
		}
	}
	print_rows(out, fmt, &d, year, computed_at, v, n);
	rc = 0;
done:
	sqlite3_finalize(st);
	for (size_t i = 0; i < n; i++) {
		free(v[i].code);
		free(v[i].name);
		free(v[i].index);
		free(v[i].tier);
		free(v[i].flags);
		free(v[i].group);
	}
	free(v);
	free(def_id);
	free(def_version);
	free(computed_at);
	def_release(&d);
	return rc;
}
