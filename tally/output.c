/* Printing a tally: the ranking as a table, CSV or JSON, and the step-by-step explanation of
   one commune. Numbers are printed as published (rounded half-up at the definition's
   decimals); the ranking lists ranked communes by rank then code, the others after by code. */
#include "tally.h"
#include "csvout.h"
#include "escape.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>
#include <uniwidth.h>

/* Print s padded with spaces to `width` columns of display (Vietnamese has combining marks). */
static void pad(FILE *out, const char *s, int width)
{
	int w = u8_strwidth((const uint8_t *)s, "UTF-8");

	fputs(s, out);
	for (; w < width; w++)
		fputc(' ', out);
}

static const char *num(double x, int decimals, char buf[64])
{
	tally_round(x, decimals, buf, 64);
	return buf;
}

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(out, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

static const struct tally_result *sort_r;
static const struct commune_list *sort_cl;

static int by_rank(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	long rx = sort_r->rank[x], ry = sort_r->rank[y];

	if (!rx != !ry)
		return rx ? -1 : 1;
	if (rx != ry)
		return rx < ry ? -1 : 1;
	return strcmp(sort_cl->v[x].code, sort_cl->v[y].code);
}

void tally_print_ranking(FILE *out, enum tally_format fmt, const struct def *d,
			 const struct commune_list *cl, const struct tally_result *r)
{
	size_t *order = xcalloc(cl->n ? cl->n : 1, sizeof(*order));
	int wname = 7, wtier = 5, dec = d->decimals;
	char a[64], b[64], flags[128];

	for (size_t i = 0; i < cl->n; i++)
		order[i] = i;
	sort_r = r;
	sort_cl = cl;
	qsort(order, cl->n, sizeof(*order), by_rank);

	if (fmt == TALLY_TABLE) {
		/* the table is for a terminal: codes, names and labels with control characters
		   shown escaped */
		char **shown = xcalloc(3 * cl->n + 1, sizeof(*shown));

		for (size_t i = 0; i < cl->n; i++) {
			int w, t;

			shown[3 * i] = escape_term_dup(cl->v[i].code);
			shown[3 * i + 1] = escape_term_dup(cl->v[i].name);
			shown[3 * i + 2] = escape_term_dup(d->tiers[r->tier[i]].label.vi);
			w = u8_strwidth((const uint8_t *)shown[3 * i + 1], "UTF-8");
			t = u8_strwidth((const uint8_t *)shown[3 * i + 2], "UTF-8");

			wname = w > wname ? w : wname;
			wtier = t > wtier ? t : wtier;
		}
		fprintf(out, "%-5s %-8s ", "rank", "code");
		pad(out, "commune", wname + 1);
		fprintf(out, "%8s %8s %8s  ", "points", "max", "index");
		pad(out, "class", wtier + 1);
		fprintf(out, "flags\n");
		for (size_t k = 0; k < cl->n; k++) {
			size_t i = order[k];
			char rank[24] = "-";

			if (r->rank[i])
				snprintf(rank, sizeof(rank), "%ld", r->rank[i]);
			fprintf(out, "%-5s %-8s ", rank, shown[3 * i]);
			pad(out, shown[3 * i + 1], wname + 1);
			fprintf(out, "%8s %8s %8s  ", num(r->points[i], dec, a), num(r->max[i], dec, b),
				r->index_text[i]);
			tally_flags_text(r->flags[i], flags, sizeof(flags));
			if (flags[0])
				pad(out, shown[3 * i + 2], wtier + 1);
			else
				fputs(shown[3 * i + 2], out);
			fprintf(out, "%s\n", flags);
		}
		for (size_t i = 0; i < 3 * cl->n; i++)
			free(shown[i]);
		free(shown);
	} else if (fmt == TALLY_CSV) {
		fprintf(out, "rank,code,commune,points,max,index");
		for (size_t f = 0; f < d->nfields; f++)
			fprintf(out, ",field_%s", d->fields[f].id);
		fprintf(out, ",tier,class,forms,flags\n");
		for (size_t k = 0; k < cl->n; k++) {
			size_t i = order[k];

			if (r->rank[i])
				fprintf(out, "%ld", r->rank[i]);
			fputc(',', out);
			csvout_text(out, cl->v[i].code);
			fputc(',', out);
			csvout_text(out, cl->v[i].name);
			fprintf(out, ",%s,%s,%s", num(r->points[i], dec, a), num(r->max[i], dec, b),
				r->index_text[i]);
			for (size_t f = 0; f < d->nfields; f++)
				fprintf(out, ",%s",
					r->field_max[i * d->nfields + f] > 0
						? r->field_text[i * d->nfields + f]
						: "");
			fputc(',', out);
			csvout_text(out, d->tiers[r->tier[i]].id);
			fputc(',', out);
			csvout_text(out, d->tiers[r->tier[i]].label.vi);
			fprintf(out, ",%ld,%s\n", r->forms[i],
				tally_flags_text(r->flags[i], flags, sizeof(flags)));
		}
	} else {
		fprintf(out, "{\n  \"definition\": ");
		json_string(out, d->id);
		fprintf(out, ",\n  \"version\": ");
		json_string(out, d->version);
		fprintf(out, ",\n  \"decimals\": %d,\n  \"communes\": [", dec);
		for (size_t k = 0; k < cl->n; k++) {
			size_t i = order[k];

			fprintf(out, "%s\n    {\"rank\": ", k ? "," : "");
			if (r->rank[i])
				fprintf(out, "%ld", r->rank[i]);
			else
				fprintf(out, "null");
			fprintf(out, ", \"code\": ");
			json_string(out, cl->v[i].code);
			fprintf(out, ", \"commune\": ");
			json_string(out, cl->v[i].name);
			fprintf(out, ", \"points\": %s, \"max\": %s, \"index\": %s, \"fields\": {",
				num(r->points[i], dec, a), num(r->max[i], dec, b), r->index_text[i]);
			for (size_t f = 0; f < d->nfields; f++) {
				size_t cf = i * d->nfields + f;

				fprintf(out, "%s", f ? ", " : "");
				json_string(out, d->fields[f].id);
				fprintf(out, ": %s", r->field_max[cf] > 0 ? r->field_text[cf] : "null");
			}
			fprintf(out, "}, \"tier\": ");
			json_string(out, d->tiers[r->tier[i]].id);
			fprintf(out, ", \"class\": ");
			json_string(out, d->tiers[r->tier[i]].label.vi);
			fprintf(out, ", \"forms\": %ld, \"flags\": [", r->forms[i]);
			tally_flags_text(r->flags[i], flags, sizeof(flags));
			for (char *p = flags, *sp; *p; p = sp + (*sp == ' ')) {
				sp = p + strcspn(p, " ");
				fprintf(out, "%s\"%.*s\"", p == flags ? "" : ", ", (int)(sp - p), p);
			}
			fprintf(out, "]}");
		}
		fprintf(out, "%s]\n}\n", cl->n ? "\n  " : "");
	}
	free(order);
}

/* A full-precision number as an official would write it down: up to 6 decimals, no noise. */
static const char *exact(double x, char buf[64])
{
	char *p;

	snprintf(buf, 64, "%.6f", x);
	p = buf + strlen(buf) - 1;
	while (*p == '0')
		*p-- = '\0';
	if (*p == '.')
		*p = '\0';
	if (!strcmp(buf, "-0"))
		strcpy(buf, "0");
	return buf;
}

static void explain_survey(FILE *out, const struct def *d, const struct tally_survey *sv,
			   const struct tally_result *r, size_t c)
{
	size_t nq = d->nquestions, ng = d->ngroups;
	char a[64], b[64];

	fprintf(out, "\n2. survey questions: q = sum of n x weight / N valid (%s)\n",
		d->aggregation == DEF_POOLED
			? "pooled: one q over every form of the groups asked"
			: "group-mean: q per group, then the mean over the groups asked that have valid answers");
	for (size_t q = 0; q < nq; q++) {
		const struct def_question *qu = &d->questions[q];
		const struct def_scale *sc = &d->scales[qu->scale];
		size_t cq = c * nq + q;

		if (qu->is_profile)
			continue;
		fprintf(out, "   %s (criterion %s, scale %s): %s\n", qu->id,
			d->criteria[qu->criterion].id, sc->id, qu->text.vi);
		for (size_t g = 0; g < ng; g++) {
			const uint32_t *n = tally_count_at(sv, c, g, q);
			size_t cgq = (c * ng + g) * nq + q;
			double sum = 0;
			int first = 1;

			if (!(qu->groups & (1u << g)))
				continue;
			fprintf(out, "     %s:", d->groups[g].id);
			for (size_t o = 0; o < sc->noptions; o++) {
				if (sc->options[o].excluded)
					continue;
				fprintf(out, "%s %u x %s", first ? "" : " +", n[o],
					exact(sc->options[o].weight, a));
				sum += n[o] * sc->options[o].weight;
				first = 0;
			}
			if (r->qg_valid[cgq] > 0)
				fprintf(out, " = %s / %ld = %s", exact(sum, a), r->qg_valid[cgq],
					exact(r->qg_score[cgq], b));
			else
				fprintf(out, " = 0 / 0: no valid answer, left out");
			if (r->qg_excluded[cgq]) {
				fprintf(out, " (excluded:");
				for (size_t o = 0; o < sc->noptions; o++)
					if (sc->options[o].excluded)
						fprintf(out, " %u x %s", n[o], sc->options[o].code);
				fprintf(out, ")");
			}
			fprintf(out, "\n");
		}
		if (r->q_flag[cq] == TALLY_NO_ANSWERS) {
			fprintf(out, "     q = 0: no group asked gave a valid answer (flagged no-answers)\n");
		} else if (d->aggregation == DEF_POOLED) {
			fprintf(out, "     pooled: q = %s over %ld valid answers\n",
				exact(r->q_score[cq], a), r->q_valid[cq]);
		} else {
			int first = 1;

			fprintf(out, "     q = (");
			for (size_t g = 0; g < ng; g++) {
				size_t cgq = (c * ng + g) * nq + q;

				if (!(qu->groups & (1u << g)) || isnan(r->qg_score[cgq]))
					continue;
				fprintf(out, "%s%s", first ? "" : " + ", exact(r->qg_score[cgq], a));
				first = 0;
			}
			fprintf(out, ") / %d = %s%s\n", r->q_groups[cq], exact(r->q_score[cq], b),
				r->q_flag[cq] ? " (a group asked has no valid answer: flagged)" : "");
		}
	}

	fprintf(out, "\n3. survey criteria: points = max x mean of the questions' q\n");
	for (size_t k = 0; k < d->ncriteria; k++) {
		const struct def_criterion *cr = &d->criteria[k];
		int n = 0, first = 1;

		if (cr->assessed != DEF_SURVEY)
			continue;
		fprintf(out, "   %-6s %s x (", cr->id, exact(cr->max, a));
		for (size_t q = 0; q < nq; q++) {
			if (d->questions[q].is_profile || d->questions[q].criterion != k)
				continue;
			fprintf(out, "%s%s", first ? "" : " + ", exact(r->q_score[c * nq + q], a));
			first = 0;
			n++;
		}
		fprintf(out, ") / %d = %s\n", n, exact(r->crit_points[c * d->ncriteria + k], a));
	}
	fprintf(out, "   survey points: %s\n", exact(r->survey_points[c], a));
}

void tally_print_explain(FILE *out, const struct def *d, const struct commune_list *cl,
			 const struct tally_survey *sv, const struct tally_scores *sc,
			 const struct tally_result *r, size_t c)
{
	const struct commune *cm = &cl->v[c];
	struct tally_leaf *leaves;
	size_t nleaves = tally_leaves(d, &leaves), nf = d->nfields;
	char a[64], b[64], e[64], flags[128];
	long ranked = 0;

	fprintf(out, "commune %s %s (%s, %s)\n", cm->code, cm->name, cm->type, cm->district);
	fprintf(out, "definition %s %s: published with %d decimals, rounded half-up\n", d->id,
		d->version, d->decimals);

	fprintf(out, "\n1. survey forms against the quota\n");
	for (size_t g = 0; g < d->ngroups; g++) {
		uint32_t n = sv->forms[c * d->ngroups + g];

		fprintf(out, "   %-6s %5u forms, minimum %3d: %s\n", d->groups[g].id, n,
			d->groups[g].min_forms, (long)n < d->groups[g].min_forms ? "UNDER" : "ok");
	}
	fprintf(out, "   %-6s %5ld forms, minimum %3d: %s\n", "total", r->forms[c], d->min_forms,
		r->forms[c] < d->min_forms ? "UNDER" : "ok");

	explain_survey(out, d, sv, r, c);

	fprintf(out, "\n4. self-assessment: the appraised score where given, else the self score;\n"
		     "   a not-applicable leaf leaves both the points and the maximum\n");
	if (!sc->has_scores[c])
		fprintf(out, "   no scores imported: every leaf counts 0 (flagged no-scores)\n");
	for (size_t l = 0; l < nleaves; l++) {
		const struct tally_leaf_score *s = &sc->v[c * nleaves + l];
		size_t cl_ = c * nleaves + l;
		char self[64] = "-", appr[64] = "-";

		if (s->has_self)
			exact(s->self_score, self);
		if (s->has_appraised)
			exact(s->appraised_score, appr);
		fprintf(out, "   %-8s max %-5s self %-5s appraised %-5s -> ", leaves[l].id,
			exact(leaves[l].max, a), self, appr);
		if (s->not_applicable)
			fprintf(out, "not applicable: 0 of 0\n");
		else
			fprintf(out, "%s of %s%s\n", exact(r->leaf_points[cl_], b),
				exact(r->leaf_max[cl_], e),
				s->has_appraised ? " (appraised)" : s->has_self ? " (self)" : "");
	}
	fprintf(out, "   self-assessment points: %s\n", exact(r->self_points[c], a));

	fprintf(out, "\n5. fields: points / applicable max x 100\n");
	for (size_t f = 0; f < nf; f++) {
		size_t cf = c * nf + f;

		fprintf(out, "   %-3s %s / %s", d->fields[f].id, exact(r->field_points[cf], a),
			exact(r->field_max[cf], b));
		if (r->field_max[cf] > 0)
			fprintf(out, " x 100 = %s -> %s %%", exact(r->field_pct[cf], a),
				r->field_text[cf]);
		else
			fprintf(out, ": nothing applicable, no floor");
		fprintf(out, "  %s\n", d->fields[f].name.vi);
	}

	fprintf(out, "\n6. index: (%s self + %s survey) / %s x 100 = %s -> %s\n",
		exact(r->self_points[c], a), exact(r->survey_points[c], b), exact(r->max[c], e),
		exact(r->index[c], flags), r->index_text[c]);

	fprintf(out, "\n7. classification, tiers tried from the top on the published values\n");
	for (size_t t = 0; t < d->ntiers; t++) {
		const struct def_tier *ti = &d->tiers[t];

		if (ti->is_otherwise) {
			fprintf(out, "   %s: fits no tier above\n", ti->id);
			break;
		}
		fprintf(out, "   %s: index %s >= %s", ti->id, r->index_text[c],
			exact(ti->min_index, a));
		if (r->index_pub[c] < ti->min_index) {
			fprintf(out, "? no\n");
			continue;
		}
		fprintf(out, "? yes; every field >= %s", exact(ti->min_field, a));
		{
			int ok = 1;

			for (size_t f = 0; f < nf; f++) {
				size_t cf = c * nf + f;

				if (r->field_max[cf] > 0 && r->field_pub[cf] < ti->min_field) {
					fprintf(out, "%s field %s at %s", ok ? "? no:" : ",",
						d->fields[f].id, r->field_text[cf]);
					ok = 0;
				}
			}
			fprintf(out, "%s\n", ok ? "? yes" : "");
		}
		if (t == r->tier[c])
			break;
	}
	fprintf(out, "   -> %s\n", d->tiers[r->tier[c]].label.vi);

	for (size_t i = 0; i < r->ncommunes; i++)
		ranked += r->rank[i] != 0;
	fprintf(out, "\n8. rank (equal published indexes share a rank): ");
	if (r->rank[c])
		fprintf(out, "%ld of %ld ranked\n", r->rank[c], ranked);
	else if (r->flags[c] & TALLY_NO_SCORES)
		fprintf(out, "not ranked: no self-assessment scores\n");
	else
		fprintf(out, "not ranked: under quota, and the definition excludes such communes\n");
	fprintf(out, "   flags: %s\n",
		r->flags[c] ? tally_flags_text(r->flags[c], flags, sizeof(flags)) : "none");
	free(leaves);
}
