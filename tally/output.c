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

/* The class of commune i as published: the tier's label, or "Chưa xếp loại". */
static const char *class_vi(const struct def *d, const struct tally_result *r, size_t i)
{
	return r->tier[i] == TALLY_UNCLASSIFIED ? "Chưa xếp loại" : d->tiers[r->tier[i]].label.vi;
}

static const struct tally_result *sort_r;
static const struct commune_list *sort_cl;

/* ranking group by group (the definition's order, types not ranked last), then rank */
static int by_rank(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	long rx = sort_r->rank[x], ry = sort_r->rank[y];
	size_t gx = sort_r->ranking[x], gy = sort_r->ranking[y];

	if (gx != gy)
		return gx < gy ? -1 : 1;
	if (!rx != !ry)
		return rx ? -1 : 1;
	if (rx != ry)
		return rx < ry ? -1 : 1;
	return strcmp(sort_cl->v[x].code, sort_cl->v[y].code);
}

/* The share of commune i's resamples in class t (t = ntiers: without any valid answer). */
static double class_share(const struct tally_confidence *conf, size_t i, size_t t)
{
	return (double)conf->class_count[i * (conf->ntiers + 1) + t] / (double)conf->resamples;
}

/* conf's columns of commune i: intervals, then each class's share ("" where none) */
static void csv_confidence(FILE *out, const struct def *d, const struct tally_confidence *conf,
			   size_t i)
{
	int has = conf->resamples && conf->has[i], dec = d->decimals;
	long classes = 0;

	/* a commune the tally did not classify has no class counts */
	for (size_t t = 0; has && t <= conf->ntiers; t++)
		classes += conf->class_count[i * (conf->ntiers + 1) + t];
	if (has)
		fprintf(out, ",%.*f,%.*f,%.*f,%.*f", dec, conf->survey_low[i], dec,
			conf->survey_high[i], dec, conf->index_low[i], dec, conf->index_high[i]);
	else
		fputs(",,,,", out);
	if (has && conf->rank_low[i])
		fprintf(out, ",%ld,%ld", conf->rank_low[i], conf->rank_high[i]);
	else
		fputs(",,", out);
	for (size_t t = 0; t <= d->ntiers; t++)
		if (classes)
			fprintf(out, ",%.4f", class_share(conf, i, t));
		else
			fputc(',', out);
}

static void json_confidence(FILE *out, const struct def *d, const struct tally_confidence *conf,
			    size_t i)
{
	int dec = d->decimals, first = 1;

	if (!conf->resamples || !conf->has[i]) {
		fputs("null", out);
		return;
	}
	fprintf(out, "{\"survey\": [%.*f, %.*f], \"index\": [%.*f, %.*f], \"rank\": ", dec,
		conf->survey_low[i], dec, conf->survey_high[i], dec, conf->index_low[i], dec,
		conf->index_high[i]);
	if (conf->rank_low[i])
		fprintf(out, "[%ld, %ld]", conf->rank_low[i], conf->rank_high[i]);
	else
		fputs("null", out);
	fputs(", \"classes\": {", out);
	for (size_t t = 0; t <= d->ntiers; t++) {
		if (!conf->class_count[i * (conf->ntiers + 1) + t])
			continue;
		fputs(first ? "" : ", ", out);
		json_string(out, t < d->ntiers ? d->tiers[t].id : "");
		fprintf(out, ": %.4f", class_share(conf, i, t));
		first = 0;
	}
	fputs("}}", out);
}

/* Does the output say each commune's ranking group: the definition declares ranking groups,
   or one of its types is not ranked. */
static int shows_groups(const struct def *d, const struct tally_result *r)
{
	if (d->declares_rankings)
		return 1;
	for (size_t i = 0; i < r->ncommunes; i++)
		if (r->ranking[i] == DEF_NONE)
			return 1;
	return 0;
}

static const char *group_id(const struct def *d, const struct tally_result *r, size_t i)
{
	return r->ranking[i] < d->nrankings ? d->rankings[r->ranking[i]].id : "";
}

/* The heading of ranking group g's table (DEF_NONE: the types not ranked), after a blank
   line between groups. */
static void group_heading(FILE *out, const struct def *d, const struct tally_result *r,
			  size_t g, int first)
{
	size_t n = 0, ranked = 0;

	for (size_t i = 0; i < r->ncommunes; i++)
		if (r->ranking[i] == g) {
			n++;
			ranked += r->rank[i] != 0;
		}
	if (!first)
		fputc('\n', out);
	if (g == DEF_NONE) {
		fprintf(out, "not ranked (unit types the definition does not rank): %zu unit%s\n", n,
			n == 1 ? "" : "s");
		return;
	}
	fputs("ranking group ", out);
	escape_term_fputs(out, d->rankings[g].id);
	fputs(" (", out);
	escape_term_fputs(out, d->rankings[g].name.vi);
	fprintf(out, "): %zu ranked of %zu unit%s\n", ranked, n, n == 1 ? "" : "s");
}

/* "classes: Xuất sắc 1, Tốt 2, ...; chưa xếp loại 1": the class counts of group g. */
static void group_classes(FILE *out, const struct def *d, const struct tally_result *r,
			  size_t g)
{
	size_t unclassified = 0;

	fputs("classes:", out);
	for (size_t t = 0; t < d->ntiers; t++) {
		size_t n = 0;

		for (size_t i = 0; i < r->ncommunes; i++)
			n += r->ranking[i] == g && r->tier[i] == t;
		fputs(t ? ", " : " ", out);
		escape_term_fputs(out, d->tiers[t].label.vi);
		fprintf(out, " %zu", n);
	}
	for (size_t i = 0; i < r->ncommunes; i++)
		unclassified += r->ranking[i] == g && r->tier[i] == TALLY_UNCLASSIFIED;
	if (unclassified)
		fprintf(out, "; Chưa xếp loại %zu", unclassified);
	fputc('\n', out);
}

/* "ranking_groups": each group's units, ranked units and class counts (tier id: count; ""
   for chưa xếp loại) */
static void json_groups(FILE *out, const struct def *d, const struct tally_result *r)
{
	fputs(",\n  \"ranking_groups\": [", out);
	for (size_t g = 0; g < d->nrankings; g++) {
		size_t n = 0, ranked = 0;

		for (size_t i = 0; i < r->ncommunes; i++)
			if (r->ranking[i] == g) {
				n++;
				ranked += r->rank[i] != 0;
			}
		fprintf(out, "%s\n    {\"id\": ", g ? "," : "");
		json_string(out, d->rankings[g].id);
		fputs(", \"name\": ", out);
		json_string(out, d->rankings[g].name.vi);
		fprintf(out, ", \"units\": %zu, \"ranked\": %zu, \"classes\": {", n, ranked);
		for (size_t t = 0; t <= d->ntiers; t++) {
			size_t k = 0;

			for (size_t i = 0; i < r->ncommunes; i++)
				k += r->ranking[i] == g &&
				     r->tier[i] == (t < d->ntiers ? t : TALLY_UNCLASSIFIED);
			if (t == d->ntiers && !k)
				continue;
			fputs(t ? ", " : "", out);
			json_string(out, t < d->ntiers ? d->tiers[t].id : "");
			fprintf(out, ": %zu", k);
		}
		fputs("}}", out);
	}
	fputs("\n  ]", out);
}

void tally_print_ranking(FILE *out, enum tally_format fmt, const struct def *d,
			 const struct commune_list *cl, const struct tally_result *r,
			 const struct tally_confidence *conf)
{
	size_t *order = xcalloc(cl->n ? cl->n : 1, sizeof(*order));
	int wname = 7, wtier = 5, dec = d->decimals, groups = shows_groups(d, r);
	int adjusted = d->nadjustments > 0;
	char b[64], flags[128];

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
			shown[3 * i + 2] = escape_term_dup(class_vi(d, r, i));
			w = u8_strwidth((const uint8_t *)shown[3 * i + 1], "UTF-8");
			t = u8_strwidth((const uint8_t *)shown[3 * i + 2], "UTF-8");

			wname = w > wname ? w : wname;
			wtier = t > wtier ? t : wtier;
		}
		for (size_t k = 0; k < cl->n; k++) {
			size_t i = order[k];
			char rank[24] = "-";

			/* a heading and the columns' names at each group's start */
			if (k == 0 || (groups && r->ranking[i] != r->ranking[order[k - 1]])) {
				if (k && groups && r->ranking[order[k - 1]] != DEF_NONE)
					group_classes(out, d, r, r->ranking[order[k - 1]]);
				if (groups)
					group_heading(out, d, r, r->ranking[i], k == 0);
				fprintf(out, "%-5s %-8s ", "rank", "code");
				pad(out, "commune", wname + 1);
				fprintf(out, "%8s %8s ", "points", "max");
				if (adjusted)
					fprintf(out, "%8s %7s %7s ", "base", "bonus", "penalty");
				fprintf(out, "%8s  ", "index");
				pad(out, "class", wtier + 1);
				fprintf(out, "flags\n");
			}
			if (r->rank[i])
				snprintf(rank, sizeof(rank), "%ld", r->rank[i]);
			fprintf(out, "%-5s %-8s ", rank, shown[3 * i]);
			pad(out, shown[3 * i + 1], wname + 1);
			fprintf(out, "%8s %8s ", r->points_text[i], num(r->max[i], dec, b));
			if (adjusted) {
				char bonus[64], penalty[64];

				fprintf(out, "%8s %7s %7s ", r->base_index_text[i],
					num(r->bonus[i], dec, bonus), num(r->penalty[i], dec, penalty));
			}
			fprintf(out, "%8s  ", r->index_text[i]);
			tally_flags_text(r->flags[i], flags, sizeof(flags));
			if (flags[0])
				pad(out, shown[3 * i + 2], wtier + 1);
			else
				fputs(shown[3 * i + 2], out);
			fprintf(out, "%s\n", flags);
		}
		if (groups && cl->n && r->ranking[order[cl->n - 1]] != DEF_NONE)
			group_classes(out, d, r, r->ranking[order[cl->n - 1]]);
		for (size_t i = 0; i < 3 * cl->n; i++)
			free(shown[i]);
		free(shown);
	} else if (fmt == TALLY_CSV) {
		fprintf(out, "rank,code,commune,points,max,index");
		for (size_t f = 0; f < d->nfields; f++)
			fprintf(out, ",field_%s", d->fields[f].id);
		fprintf(out, ",tier,class,forms,flags");
		fprintf(out, ",survey_low,survey_high,index_low,index_high,rank_low,rank_high");
		for (size_t t = 0; t < d->ntiers; t++) {
			/* the tier id is the definition's: written as a CSV text cell */
			char *h = xmalloc(strlen(d->tiers[t].id) + 8);

			sprintf(h, "share_%s", d->tiers[t].id);
			fputc(',', out);
			csvout_text(out, h);
			free(h);
		}
		fprintf(out, ",share_unclassified");
		if (groups)
			fprintf(out, ",ranking_group");
		if (adjusted)
			fprintf(out, ",base_index,bonus,penalty");
		fputc('\n', out);
		for (size_t k = 0; k < cl->n; k++) {
			size_t i = order[k];

			if (r->rank[i])
				fprintf(out, "%ld", r->rank[i]);
			fputc(',', out);
			csvout_text(out, cl->v[i].code);
			fputc(',', out);
			csvout_text(out, cl->v[i].name);
			fprintf(out, ",%s,%s,%s", r->points_text[i], num(r->max[i], dec, b),
				r->index_text[i]);
			for (size_t f = 0; f < d->nfields; f++)
				fprintf(out, ",%s",
					r->field_max[i * d->nfields + f] > 0
						? r->field_text[i * d->nfields + f]
						: "");
			fputc(',', out);
			csvout_text(out, r->tier[i] == TALLY_UNCLASSIFIED ? "" : d->tiers[r->tier[i]].id);
			fputc(',', out);
			csvout_text(out, class_vi(d, r, i));
			fprintf(out, ",%ld,%s", r->forms[i],
				tally_flags_text(r->flags[i], flags, sizeof(flags)));
			csv_confidence(out, d, conf, i);
			if (groups) {
				fputc(',', out);
				csvout_text(out, group_id(d, r, i));
			}
			if (adjusted)
				fprintf(out, ",%s,%s,%s", r->base_index_text[i],
					num(r->bonus[i], dec, b), num(r->penalty[i], dec, flags));
			fputc('\n', out);
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
				r->points_text[i], num(r->max[i], dec, b), r->index_text[i]);
			for (size_t f = 0; f < d->nfields; f++) {
				size_t cf = i * d->nfields + f;

				fprintf(out, "%s", f ? ", " : "");
				json_string(out, d->fields[f].id);
				fprintf(out, ": %s", r->field_max[cf] > 0 ? r->field_text[cf] : "null");
			}
			fprintf(out, "}, \"tier\": ");
			if (r->tier[i] == TALLY_UNCLASSIFIED)
				fprintf(out, "null");
			else
				json_string(out, d->tiers[r->tier[i]].id);
			fprintf(out, ", \"class\": ");
			json_string(out, class_vi(d, r, i));
			fprintf(out, ", \"forms\": %ld, \"flags\": [", r->forms[i]);
			tally_flags_text(r->flags[i], flags, sizeof(flags));
			for (char *p = flags, *sp; *p; p = sp + (*sp == ' ')) {
				sp = p + strcspn(p, " ");
				fprintf(out, "%s\"%.*s\"", p == flags ? "" : ", ", (int)(sp - p), p);
			}
			fprintf(out, "], \"confidence\": ");
			json_confidence(out, d, conf, i);
			if (groups) {
				fprintf(out, ", \"ranking_group\": ");
				if (r->ranking[i] < d->nrankings)
					json_string(out, d->rankings[r->ranking[i]].id);
				else
					fputs("null", out);
			}
			if (adjusted)
				fprintf(out, ", \"base_index\": %s, \"bonus\": %s, \"penalty\": %s",
					r->base_index_text[i], num(r->bonus[i], dec, b),
					num(r->penalty[i], dec, flags));
			fprintf(out, "}");
		}
		fprintf(out, "%s]", cl->n ? "\n  " : "");
		if (groups)
			json_groups(out, d, r);
		fprintf(out, "\n}\n");
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


/* the explanation's words: Vietnamese, or English with --lang en */
#define T(vi, en) (lang == TALLY_EN ? (en) : (vi))

static const char *text_in(enum tally_lang lang, const struct def_text *t)
{
	return lang == TALLY_EN && t->en ? t->en : t->vi;
}

/* "thiếu phiếu khảo sát (under-quota), ..." : the words, the code beside them */
static void print_flags(FILE *out, enum tally_lang lang, unsigned flags)
{
	static const unsigned order[] = { TALLY_UNDER_QUOTA, TALLY_NO_SCORES, TALLY_NO_SURVEY,
					  TALLY_NO_ANSWERS, TALLY_GROUP_NO_ANSWERS };
	int first = 1;
	char code[64];

	if (!flags) {
		fputs(T("không có", "none"), out);
		return;
	}
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!(flags & order[i]))
			continue;
		fprintf(out, "%s%s (%s)", first ? "" : ", ", tally_flag_words(order[i], lang == TALLY_EN),
			tally_flags_text(order[i], code, sizeof(code)));
		first = 0;
	}
}

static void explain_survey(FILE *out, enum tally_lang lang, const struct def *d,
			   const struct tally_survey *sv, const struct tally_result *r, size_t c)
{
	size_t nq = d->nquestions, ng = d->ngroups;
	char a[64], b[64];

	fprintf(out, "\n%s (%s)\n",
		T("2. câu hỏi khảo sát: q = tổng (số trả lời x trọng số) / số trả lời hợp lệ",
		  "2. survey questions: q = sum of n x weight / N valid"),
		d->aggregation == DEF_POOLED
			? T("gộp: một q trên mọi phiếu của các nhóm được hỏi",
			    "pooled: one q over every form of the groups asked")
			: T("trung bình nhóm: q của từng nhóm, rồi trung bình các nhóm được hỏi có trả lời hợp lệ",
			    "group-mean: q per group, then the mean over the groups asked that have valid answers"));
	for (size_t q = 0; q < nq; q++) {
		const struct def_question *qu = &d->questions[q];
		const struct def_scale *sc = &d->scales[qu->scale];
		size_t cq = c * nq + q;

		if (qu->is_profile)
			continue;
		fprintf(out, "   %s (%s %s, %s %s): %s\n", qu->id, T("tiêu chí", "criterion"),
			d->criteria[qu->criterion].id, T("thang", "scale"), sc->id,
			text_in(lang, &qu->text));
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
				fprintf(out, " = 0 / 0: %s",
					T("không có trả lời hợp lệ, không tính",
					  "no valid answer, left out"));
			if (r->qg_excluded[cgq]) {
				fprintf(out, " (%s", T("loại trừ:", "excluded:"));
				for (size_t o = 0; o < sc->noptions; o++)
					if (sc->options[o].excluded)
						fprintf(out, " %u x %s", n[o], sc->options[o].code);
				fprintf(out, ")");
			}
			fprintf(out, "\n");
		}
		if (r->q_flag[cq] == TALLY_NO_ANSWERS) {
			fprintf(out, "     %s\n",
				T("không nhóm nào được hỏi trả lời hợp lệ: câu hỏi không tính vào trung bình của tiêu chí (có câu hỏi không có trả lời hợp lệ, no-answers)",
				  "no group asked gave a valid answer: the question is left out of its criterion's mean (flagged no-answers)"));
		} else if (d->aggregation == DEF_POOLED) {
			fprintf(out, "     %s: q = %s %s %ld %s\n", T("gộp", "pooled"),
				exact(r->q_score[cq], a), T("trên", "over"), r->q_valid[cq],
				T("trả lời hợp lệ", "valid answers"));
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
				r->q_flag[cq] ? T(" (có nhóm được hỏi không trả lời hợp lệ, group-without-answers)",
						  " (a group asked has no valid answer: flagged group-without-answers)")
					      : "");
		}
	}

	fprintf(out, "\n%s\n",
		T("3. tiêu chí khảo sát: điểm = điểm tối đa x trung bình q của các câu hỏi có trả lời hợp lệ",
		  "3. survey criteria: points = max x mean of the q of its questions with valid answers"));
	for (size_t k = 0; k < d->ncriteria; k++) {
		const struct def_criterion *cr = &d->criteria[k];
		int n = 0, first = 1;

		if (cr->assessed != DEF_SURVEY)
			continue;
		if (r->crit_no_answers[c * d->ncriteria + k]) {
			fprintf(out, "   %-6s %s\n", cr->id,
				T("không câu hỏi nào có trả lời hợp lệ: 0 điểm (no-answers)",
				  "no question has a valid answer: 0 points (flagged no-answers)"));
			continue;
		}
		fprintf(out, "   %-6s %s x (", cr->id, exact(cr->max, a));
		for (size_t q = 0; q < nq; q++) {
			if (d->questions[q].is_profile || d->questions[q].criterion != k ||
			    isnan(r->q_score[c * nq + q]))
				continue;
			fprintf(out, "%s%s", first ? "" : " + ", exact(r->q_score[c * nq + q], a));
			first = 0;
			n++;
		}
		fprintf(out, ") / %d = %s\n", n, exact(r->crit_points[c * d->ncriteria + k], a));
	}
	fprintf(out, "   %s: %s\n", T("điểm khảo sát", "survey points"),
		exact(r->survey_points[c], a));
}

/* 9: how far chance in the choice of respondents could move the survey points, the index,
   the class and the rank */
static void explain_confidence(FILE *out, enum tally_lang lang, const struct def *d,
			       const struct tally_result *r, const struct tally_confidence *conf,
			       size_t c)
{
	int dec = d->decimals, first = 1;
	long classes = 0;
	char b[64];

	fprintf(out, "\n%s", T("9. độ tin cậy", "9. confidence"));
	if (!conf->resamples) {
		fprintf(out, ": %s\n", T("không tính (--resamples 0)", "not computed (--resamples 0)"));
		return;
	}
	fprintf(out, T(" (lấy mẫu lại %ld lần: mỗi lần, từ mỗi nhóm có n phiếu, rút ngẫu nhiên có hoàn lại n - 1 phiếu (1 nếu nhóm chỉ có 1), rồi tính lại như trên; hạt giống %llu)\n",
		       " (%ld resamples: each draws, from each group of n forms, n - 1 forms at random with replacement (1 of 1), and computes again as above; seed %llu)\n"),
		conf->resamples, (unsigned long long)conf->seed);
	if (!conf->has[c]) {
		fprintf(out, "   %s\n", T("không có phiếu khảo sát hợp lệ để lấy mẫu lại",
					 "no valid survey form to resample"));
		return;
	}
	fprintf(out, T("   điểm khảo sát %s: khoảng tin cậy 95 %% từ %.*f đến %.*f\n",
		       "   survey points %s: 95 %% interval from %.*f to %.*f\n"),
		num(r->survey_points[c], dec, b), dec, conf->survey_low[c], dec,
		conf->survey_high[c]);
	fprintf(out, T("   chỉ số %s: khoảng tin cậy 95 %% từ %.*f đến %.*f\n",
		       "   index %s: 95 %% interval from %.*f to %.*f\n"),
		r->index_text[c], dec, conf->index_low[c], dec, conf->index_high[c]);
	for (size_t t = 0; t <= conf->ntiers; t++)
		classes += conf->class_count[c * (conf->ntiers + 1) + t];
	if (classes) {
		fprintf(out, "   %s: ", T("xác suất xếp loại", "probability of each class"));
		for (size_t t = 0; t <= conf->ntiers; t++) {
			long n = conf->class_count[c * (conf->ntiers + 1) + t];

			if (!n)
				continue;
			fprintf(out, "%s%s %s %%", first ? "" : ", ",
				t < d->ntiers ? text_in(lang, &d->tiers[t].label)
					      : T("chưa xếp loại (không có trả lời hợp lệ)",
						  "not classified (no valid answer)"),
				num(100.0 * (double)n / (double)conf->resamples, 1, b));
			first = 0;
		}
		fputc('\n', out);
	}
	if (conf->rank_low[c])
		fprintf(out, T("   thứ hạng %ld: khoảng 95 %% từ hạng %ld đến hạng %ld\n",
			       "   rank %ld: 95 %% interval from rank %ld to rank %ld\n"),
			r->rank[c], conf->rank_low[c], conf->rank_high[c]);
}

void tally_print_explain(FILE *out, enum tally_lang lang, const struct def *d,
			 const struct commune_list *cl, const struct tally_survey *sv,
			 const struct tally_scores *sc, const struct tally_result *r,
			 const struct tally_confidence *conf, size_t c)
{
	const struct commune *cm = &cl->v[c];
	struct tally_leaf *leaves;
	size_t nleaves = tally_leaves(d, &leaves), nf = d->nfields;
	char a[64], b[64], e[64], f64[64], pen[64];
	long ranked = 0;

	/* a province's register may have no district */
	if (*cm->district)
		fprintf(out, "%s %s %s (%s, %s)\n", T("đơn vị", "commune"), cm->code, cm->name,
			cm->type, cm->district);
	else
		fprintf(out, "%s %s %s (%s)\n", T("đơn vị", "commune"), cm->code, cm->name,
			cm->type);
	fprintf(out, T("bộ chỉ số %s %s: công bố %d chữ số thập phân, làm tròn nửa lên từ giá trị chính xác\n",
		       "definition %s %s: published with %d decimals, rounded half-up from the exact value\n"),
		d->id, d->version, d->decimals);

	fprintf(out, "\n%s\n", T("1. số phiếu khảo sát so với chỉ tiêu", "1. survey forms against the quota"));
	for (size_t g = 0; g < d->ngroups; g++) {
		uint32_t n = sv->forms[c * d->ngroups + g];

		fprintf(out, T("   %-6s %5u phiếu, tối thiểu %3d: %s\n",
			       "   %-6s %5u forms, minimum %3d: %s\n"),
			d->groups[g].id, n, d->groups[g].min_forms,
			(long)n < d->groups[g].min_forms ? T("THIẾU", "UNDER") : T("đủ", "ok"));
		if (sv->reserve[c * d->ngroups + g])
			fprintf(out, T("          %u phiếu dự phòng nhận được, %u tính để đủ chỉ tiêu\n",
				       "          %u reserve forms received, %u counted to fill the quota\n"),
				sv->reserve[c * d->ngroups + g],
				sv->reserve_counted[c * d->ngroups + g]);
	}
	fputs("   ", out);
	pad(out, T("tổng", "total"), 6);
	fprintf(out, T(" %5ld phiếu, tối thiểu %3d: %s\n", " %5ld forms, minimum %3d: %s\n"),
		r->forms[c], d->min_forms,
		r->forms[c] < d->min_forms ? T("THIẾU", "UNDER") : T("đủ", "ok"));

	explain_survey(out, lang, d, sv, r, c);

	fprintf(out, "\n%s\n",
		T("4. tự đánh giá: điểm thẩm định nếu có, nếu không thì điểm tự chấm;\n"
		  "   tiêu chí không áp dụng không tính vào cả điểm lẫn điểm tối đa",
		  "4. self-assessment: the appraised score where given, else the self score;\n"
		  "   a not-applicable leaf leaves both the points and the maximum"));
	if (!sc->has_scores[c])
		fprintf(out, "   %s\n",
			T("chưa nhập điểm tự đánh giá: mọi tiêu chí tính 0 (no-scores)",
			  "no scores imported: every leaf counts 0 (flagged no-scores)"));
	for (size_t l = 0; l < nleaves; l++) {
		const struct tally_leaf_score *s = &sc->v[c * nleaves + l];
		size_t cl_ = c * nleaves + l;
		char self[64] = "-", appr[64] = "-";

		if (leaves[l].adjustment != DEF_NONE)
			continue; /* bonus and penalty: in step 6 */
		if (s->has_self)
			exact(s->self_score, self);
		if (s->has_appraised)
			exact(s->appraised_score, appr);
		fprintf(out, T("   %-8s tối đa %-5s tự chấm %-5s thẩm định %-5s -> ",
			       "   %-8s max %-5s self %-5s appraised %-5s -> "),
			leaves[l].id, exact(leaves[l].max, a), self, appr);
		if (s->not_applicable)
			fprintf(out, "%s\n", T("không áp dụng: 0 trên 0", "not applicable: 0 of 0"));
		else
			fprintf(out, "%s %s %s%s\n", exact(r->leaf_points[cl_], b), T("trên", "of"),
				exact(r->leaf_max[cl_], e),
				s->has_appraised ? T(" (thẩm định)", " (appraised)")
				: s->has_self	 ? T(" (tự chấm)", " (self)")
						 : "");
	}
	fprintf(out, "   %s: %s\n", T("điểm tự đánh giá", "self-assessment points"),
		exact(r->self_points[c], a));

	fprintf(out, "\n%s\n", T("5. lĩnh vực: điểm / điểm tối đa áp dụng x 100",
				 "5. fields: points / applicable max x 100"));
	for (size_t f = 0; f < nf; f++) {
		size_t cf = c * nf + f;

		fprintf(out, "   %-3s %s / %s", d->fields[f].id, exact(r->field_points[cf], a),
			exact(r->field_max[cf], b));
		if (r->field_max[cf] > 0)
			fprintf(out, " x 100 = %s -> %s %%", exact(r->field_pct[cf], a),
				r->field_text[cf]);
		else
			fprintf(out, ": %s", T("không có tiêu chí áp dụng, không xét ngưỡng",
					       "nothing applicable, no floor"));
		fprintf(out, "  %s\n", text_in(lang, &d->fields[f].name));
	}

	if (!d->nadjustments)
		fprintf(out, T("\n6. chỉ số: (%s tự đánh giá + %s khảo sát) / %s x 100 = %s -> %s\n",
			       "\n6. index: (%s self + %s survey) / %s x 100 = %s -> %s\n"),
			exact(r->self_points[c], a), exact(r->survey_points[c], b),
			exact(r->max[c], e), exact(r->index[c], f64), r->index_text[c]);
	else
		fprintf(out, T("\n6. chỉ số: (%s tự đánh giá + %s khảo sát) / %s x 100 -> %s;\n"
			       "   + %s điểm thưởng - %s điểm trừ (không dưới 0) -> %s\n",
			       "\n6. index: (%s self + %s survey) / %s x 100 -> %s;\n"
			       "   + %s bonus - %s penalty (not below 0) -> %s\n"),
			exact(r->self_points[c], a), exact(r->survey_points[c], b),
			exact(r->max[c], e), r->base_index_text[c], exact(r->bonus[c], f64),
			exact(r->penalty[c], pen), r->index_text[c]);

	fprintf(out, "\n%s\n", T("7. xếp loại: xét từ mức cao nhất, trên các giá trị công bố",
				 "7. classification, tiers tried from the top on the published values"));
	if (r->tier[c] == TALLY_UNCLASSIFIED) {
		fprintf(out, "   %s: ", T("chưa xếp loại", "not classified"));
		print_flags(out, lang, r->flags[c] & TALLY_UNCLASSIFIED_FLAGS);
		fprintf(out, "\n   -> %s\n", T("Chưa xếp loại", "Not classified (chưa xếp loại)"));
	} else {
		for (size_t t = 0; t < d->ntiers; t++) {
			const struct def_tier *ti = &d->tiers[t];
			int ok = 1;

			if (ti->is_otherwise) {
				fprintf(out, "   %s: %s\n", ti->id,
					T("không đạt mức nào ở trên", "fits no tier above"));
				break;
			}
			fprintf(out, T("   %s: chỉ số %s >= %s", "   %s: index %s >= %s"), ti->id,
				r->index_text[c], exact(ti->min_index, a));
			if (r->index_pub[c] < ti->min_index) {
				fprintf(out, "? %s\n", T("không", "no"));
				continue;
			}
			fprintf(out, T("? có; mọi lĩnh vực >= %s", "? yes; every field >= %s"),
				exact(ti->min_field, a));
			for (size_t f = 0; f < nf; f++) {
				size_t cf = c * nf + f;

				if (r->field_max[cf] > 0 && r->field_pub[cf] < ti->min_field) {
					fprintf(out, T("%s lĩnh vực %s đạt %s", "%s field %s at %s"),
						ok ? T("? không:", "? no:") : ",", d->fields[f].id,
						r->field_text[cf]);
					ok = 0;
				}
			}
			fprintf(out, "%s\n", ok ? T("? có", "? yes") : "");
			if (t == r->tier[c])
				break;
		}
		fprintf(out, "   -> %s\n", text_in(lang, &d->tiers[r->tier[c]].label));
	}

	/* the rank is within the commune's ranking group */
	for (size_t i = 0; i < r->ncommunes; i++)
		ranked += r->rank[i] != 0 && r->ranking[i] == r->ranking[c];
	fprintf(out, "\n%s: ", T("8. thứ hạng (chỉ số công bố bằng nhau thì cùng hạng)",
				 "8. rank (equal published indexes share a rank)"));
	if (r->ranking[c] == DEF_NONE) {
		fprintf(out, T("không xếp hạng: bộ chỉ số không xếp hạng loại hình %s\n",
			       "not ranked: the definition does not rank the type %s\n"),
			cm->type);
	} else if (r->rank[c]) {
		int first = 1;

		if (d->declares_rankings)
			fprintf(out, T("%ld trên %ld đơn vị được xếp hạng trong nhóm %s (%s)\n",
				       "%ld of %ld ranked in group %s (%s)\n"),
				r->rank[c], ranked, d->rankings[r->ranking[c]].id,
				text_in(lang, &d->rankings[r->ranking[c]].name));
		else
			fprintf(out, T("%ld trên %ld đơn vị được xếp hạng\n", "%ld of %ld ranked\n"),
				r->rank[c], ranked);
		for (size_t i = 0; i < r->ncommunes; i++) {
			if (i == c || r->rank[i] != r->rank[c] || r->ranking[i] != r->ranking[c])
				continue;
			fprintf(out, "%s%s %s", first ? T("   cùng hạng với: ", "   shares the rank with: ")
						      : ", ",
				cl->v[i].code, cl->v[i].name);
			first = 0;
		}
		if (!first)
			fputc('\n', out);
	} else if (r->tier[c] == TALLY_UNCLASSIFIED) {
		fprintf(out, "%s\n", T("không xếp hạng: chưa xếp loại",
				       "not ranked: not classified"));
	} else {
		fprintf(out, "%s\n",
			T("không xếp hạng: thiếu phiếu, và bộ chỉ số loại các đơn vị thiếu phiếu",
			  "not ranked: under quota, and the definition excludes such communes"));
	}
	fprintf(out, "   %s: ", T("cờ", "flags"));
	print_flags(out, lang, r->flags[c]);
	fputc('\n', out);
	explain_confidence(out, lang, d, r, conf, c);
	free(leaves);
}
