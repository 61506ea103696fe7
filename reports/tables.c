/* The report's tables, laid out once and written both as CSV files (core/csvout) and as
   the sheets of one XLSX workbook (libxlsxwriter). */
#include "reports.h"
#include "../tally/tally.h"

#include "csvout.h"
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#define Q_DECIMALS 4 /* a question score q in [0, 1] */
#define NHEAD(a) (sizeof(a) / sizeof((a)[0]))

/* ---- building ---- */

/* the text of a cell nothing was put in: shared, never freed (a province's tables have
   hundreds of thousands of cells) */
static char no_text[1];

static void free_text(struct report_cell *c)
{
	if (c->text != no_text && !c->borrowed)
		free(c->text);
}

/* a streamed table: the rows held so far handed to emit, then freed */
static void flush_rows(struct report_table *t)
{
	if (!t->emit)
		return;
	for (size_t row = t->held; row < t->nrows; row++) {
		struct report_cell *cells = &t->cells[(row - t->held) * t->ncols];

		t->emit(t, row, cells, t->ctx);
		for (size_t i = 0; i < t->ncols; i++)
			free_text(&cells[i]);
	}
	t->held = t->nrows;
}

static void add_row(struct report_table *t)
{
	size_t at;

	flush_rows(t);
	at = (t->nrows - t->held) * t->ncols;
	xgrow(&t->cells, &t->alloc, at + t->ncols, sizeof(*t->cells));
	memset(&t->cells[at], 0, t->ncols * sizeof(*t->cells));
	for (size_t i = 0; i < t->ncols; i++)
		t->cells[at + i].text = no_text;
	t->nrows++;
}

static struct report_cell *cell(struct report_table *t, size_t col)
{
	struct report_cell *c = &t->cells[(t->nrows - 1 - t->held) * t->ncols + col];

	free_text(c);
	c->borrowed = 0;
	return c;
}

/* s is copied: a text made for the row */
static void put_text_copy(struct report_table *t, size_t col, const char *s)
{
	struct report_cell *c = cell(t, col);

	c->kind = REPORT_TEXT;
	c->text = s && *s ? xstrdup(s) : no_text;
}

/* s lives as long as the report (its names, ids and labels, or a constant): not copied */
static void put_text(struct report_table *t, size_t col, const char *s)
{
	struct report_cell *c = cell(t, col);

	c->kind = REPORT_TEXT;
	c->text = s && *s ? (char *)s : no_text;
	c->borrowed = 1;
}

static void put_int(struct report_table *t, size_t col, long v)
{
	struct report_cell *c = cell(t, col);
	char buf[24], *p = buf + sizeof(buf);
	unsigned long u = v < 0 ? 0ul - (unsigned long)v : (unsigned long)v;

	/* without printf: the survey table alone has a count per option of every group */
	*--p = '\0';
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	c->kind = REPORT_INT;
	c->num = (double)v;
	c->text = xstrdup(p);
}

/* A number rounded half-up at `decimals` places, the way the tally publishes the index: the
   cell holds the number it shows, so a sum in the spreadsheet adds what is printed. */
static void put_num(struct report_table *t, size_t col, double v, int decimals)
{
	struct report_cell *c = cell(t, col);
	char buf[48];

	if (isnan(v)) {
		c->kind = REPORT_EMPTY;
		c->text = no_text;
		return;
	}
	c->kind = REPORT_NUMBER;
	c->text = xstrdup(report_fixed(v, decimals, buf));
	c->num = strtod(c->text, NULL);
	c->decimals = decimals;
}

/* A value the tally published as text ("89.77"): the cell holds exactly that number. */
static void put_published(struct report_table *t, size_t col, const char *s, int decimals)
{
	struct report_cell *c = cell(t, col);

	if (!s || !*s) {
		c->kind = REPORT_EMPTY;
		c->text = no_text;
		return;
	}
	c->kind = REPORT_NUMBER;
	c->num = strtod(s, NULL);
	c->decimals = decimals;
	c->text = xstrdup(s);
}

/* header names the first nhead of the ncols columns; the caller names the rest */
static void table_init(struct report_table *t, const char *file, const char *sheet,
		       char *title, size_t ncols, const char *const *header, size_t nhead)
{
	void (*emit)(struct report_table *, size_t, const struct report_cell *, void *) = t->emit;
	void *ctx = t->ctx;

	memset(t, 0, sizeof(*t));
	t->emit = emit;
	t->ctx = ctx;
	t->file = file;
	t->sheet = sheet;
	t->title = title;
	t->ncols = ncols;
	t->header = xcalloc(ncols, sizeof(char *));
	for (size_t i = 0; i < ncols && i < nhead; i++)
		t->header[i] = xstrdup(header[i]);
}

int report_grouped(const struct report *r)
{
	if (r->def.nrankings > 1)
		return 1;
	for (size_t c = 0; c < r->ncommunes; c++)
		if (r->communes[c].ranking == DEF_NONE)
			return 1;
	return 0;
}

const char *report_ranking_label(const struct def *d, size_t ranking)
{
	const char *name;

	if (ranking >= d->nrankings)
		return "Không xếp hạng";
	name = def_text_get(&d->rankings[ranking].name, "vi");
	return name && *name ? name : d->rankings[ranking].id;
}

const char *report_tier_label(const struct def *d, size_t tier)
{
	return tier < d->ntiers ? def_text_get(&d->tiers[tier].label, "vi") : "Chưa xếp loại";
}

static char *title_of(const struct report *r, const char *what)
{
	const struct def *d = &r->def;

	if (!d->district || !*d->district) /* a province's definition */
		return xasprintf("%s — %s, năm %d", what, d->province ? d->province : "", d->year);
	return xasprintf("%s — %s, %s, năm %d", what, d->district,
			 d->province ? d->province : "", d->year);
}

/* the previous year's columns of the ranking (when one is kept), from column col */
#define PREVIOUS_COLUMNS 5
static void previous_header(const struct report *r, struct report_table *t, size_t col)
{
	t->header[col] = xasprintf("Chỉ số năm %d (%%)", r->prev.year);
	t->header[col + 1] = xasprintf("Xếp hạng năm %d", r->prev.year);
	t->header[col + 2] = xstrdup("Thay đổi hạng");
	t->header[col + 3] = xstrdup("Thay đổi chỉ số");
	t->header[col + 4] = xasprintf("So với năm %d", r->prev.year);
}

static void previous_cells(const struct report *r, struct report_table *t, size_t c, size_t col)
{
	const struct years_unit *u = &r->prev.v[c];
	char *rank = report_rank_change_vi(r, c), *index = report_index_change(r, c);
	char *was = report_previous_vi(r, c);

	if (u->has)
		put_published(t, col, u->same.index, r->def.decimals);
	if (u->has && u->same.rank)
		put_int(t, col + 1, u->same.rank);
	put_text_copy(t, col + 2, rank);
	/* a signed number: the cell holds it as a number, never text starting with '+' */
	if (*index)
		put_published(t, col + 3, index + (index[0] == '+'), r->def.decimals);
	put_text_copy(t, col + 4, was);
	free(rank);
	free(index);
	free(was);
}

/* the bootstrap's 95 % intervals (when the tally resampled), from column col: the index's,
   the rank's and the survey part's with its points, at the published decimals (the HTML's
   text); empty cells for a unit the tally gave none */
#define INTERVAL_COLUMNS 7
static void interval_header(struct report_table *t, size_t col)
{
	static const char *const head[INTERVAL_COLUMNS] = {
		"Chỉ số, khoảng tin cậy 95 %: từ (%)", "Chỉ số, khoảng tin cậy 95 %: đến (%)",
		"Xếp hạng, khoảng 95 %: từ hạng", "Xếp hạng, khoảng 95 %: đến hạng",
		"Điểm điều tra xã hội học", "Điểm điều tra xã hội học, khoảng tin cậy 95 %: từ",
		"Điểm điều tra xã hội học, khoảng tin cậy 95 %: đến",
	};

	for (size_t i = 0; i < INTERVAL_COLUMNS; i++)
		t->header[col + i] = xstrdup(head[i]);
}

static void interval_cells(const struct report *r, struct report_table *t,
			   const struct report_commune *v, size_t col)
{
	int dec = r->def.decimals;

	put_num(t, col + 4, v->survey_points, dec);
	if (!v->has_interval)
		return;
	put_num(t, col, v->index_low, dec);
	put_num(t, col + 1, v->index_high, dec);
	/* as the unit's page: a rank range only for a ranked unit */
	if (v->rank && v->rank_low) {
		put_int(t, col + 2, v->rank_low);
		put_int(t, col + 3, v->rank_high);
	}
	put_num(t, col + 5, v->survey_low, dec);
	put_num(t, col + 6, v->survey_high, dec);
}

static void ranking_table(const struct report *r, struct report_table *t)
{
	const struct def *d = &r->def;
	int grouped = report_grouped(r);
	/* the intervals after the class, so the first eight columns keep their places */
	size_t fixed = 8 + (r->resamples ? INTERVAL_COLUMNS : 0);
	size_t ncols = fixed + d->nfields + 2 + (grouped != 0), col;

	if (r->prev.year)
		ncols += PREVIOUS_COLUMNS;
	const char *head[] = { "STT", "Mã đơn vị", "Đơn vị", "Điểm đạt được", "Điểm tối đa",
			       "Chỉ số CCHC (%)", "Xếp hạng", "Xếp loại" };

	table_init(t, "ranking", "Xếp hạng",
		   title_of(r, "Kết quả Chỉ số CCHC"), ncols, head, NHEAD(head));
	if (r->resamples)
		interval_header(t, NHEAD(head));
	for (size_t f = 0; f < d->nfields; f++)
		t->header[fixed + f] = xasprintf("Lĩnh vực %s. %s (%%)", d->fields[f].id,
						 def_text_get(&d->fields[f].name, "vi"));
	t->header[fixed + d->nfields] = xstrdup("Số phiếu khảo sát");
	t->header[fixed + d->nfields + 1] = xstrdup("Ghi chú");
	/* a province's groups: the last column, so a district's columns keep their places */
	if (grouped)
		t->header[fixed + d->nfields + 2] = xstrdup("Nhóm xếp hạng");
	if (r->prev.year)
		previous_header(r, t, fixed + d->nfields + 2 + (grouped != 0));
	for (size_t c = 0; c < r->ncommunes; c++) {
		const struct report_commune *v = &r->communes[c];
		char *note = tally_flags_say(v->flags, ~0u, 0);

		add_row(t);
		put_int(t, 0, (long)c + 1);
		put_text(t, 1, v->code);
		put_text(t, 2, v->name);
		put_num(t, 3, v->points, d->decimals);
		put_num(t, 4, v->max, d->decimals);
		put_published(t, 5, v->index_published, d->decimals);
		if (v->rank)
			put_int(t, 6, v->rank);
		put_text(t, 7, report_tier_label(d, v->tier));
		if (r->resamples)
			interval_cells(r, t, v, 8);
		col = fixed;
		for (size_t f = 0; f < d->nfields; f++, col++)
			put_published(t, col, r->fields[c * d->nfields + f].pct_published, d->decimals);
		put_int(t, col++, v->forms);
		put_text_copy(t, col++, note);
		if (grouped)
			put_text(t, col++, report_ranking_label(d, v->ranking));
		free(note);
		if (r->prev.year)
			previous_cells(r, t, c, col);
	}
}

static void fields_table(const struct report *r, struct report_table *t)
{
	const struct def *d = &r->def;
	/* the area's mean: "Trung bình huyện", "Trung bình tỉnh", ... */
	char *mean = xasprintf("Trung bình %s (%%)", def_area_word(d));
	const char *head[] = { "Mã đơn vị", "Đơn vị", "Lĩnh vực", "Tên lĩnh vực", "Điểm đạt được",
			       "Điểm tối đa", "Tỷ lệ (%)", mean };

	table_init(t, "fields", "Lĩnh vực",
		   title_of(r, "Điểm theo lĩnh vực"), 8, head, NHEAD(head));
	free(mean);
	for (size_t c = 0; c < r->ncommunes; c++) {
		for (size_t f = 0; f < d->nfields; f++) {
			const struct report_field *v = &r->fields[c * d->nfields + f];

			add_row(t);
			put_text(t, 0, r->communes[c].code);
			put_text(t, 1, r->communes[c].name);
			put_text(t, 2, d->fields[f].id);
			put_text(t, 3, def_text_get(&d->fields[f].name, "vi"));
			if (!v->present)
				continue;
			put_num(t, 4, v->points, d->decimals);
			put_num(t, 5, v->max, d->decimals);
			put_published(t, 6, v->pct_published, d->decimals);
			put_num(t, 7, r->field_mean[f], d->decimals);
		}
	}
}

static const char *source_vi(const char *source)
{
	if (!strcmp(source, "appraised"))
		return "thẩm định";
	if (!strcmp(source, "self"))
		return "tự chấm";
	if (!strcmp(source, "not-applicable"))
		return "không áp dụng";
	if (!strcmp(source, "none"))
		return "chưa chấm";
	return "";
}

static void criterion_cells(const struct report *r, struct report_table *t,
			    const struct report_criterion *v)
{
	int dec = r->def.decimals;

	if (!v->present)
		return;
	put_num(t, 6, v->points, dec);
	put_num(t, 7, v->max, dec);
	if (v->has_self)
		put_num(t, 8, v->self_score, dec);
	if (v->has_appraised)
		put_num(t, 9, v->appraised_score, dec);
	put_text(t, 10, source_vi(v->source));
}

static void criteria_table(const struct report *r, struct report_table *t)
{
	const struct def *d = &r->def;
	const char *head[] = { "Mã đơn vị", "Đơn vị", "Mã tiêu chí", "Tiêu chí", "Cấp",
			       "Phương thức đánh giá", "Điểm đạt được", "Điểm tối đa",
			       "Điểm tự chấm", "Điểm thẩm định", "Điểm được tính theo" };

	table_init(t, "criteria", "Tiêu chí",
		   title_of(r, "Điểm theo tiêu chí"), 11, head, NHEAD(head));
	for (size_t c = 0; c < r->ncommunes; c++) {
		for (size_t i = 0; i < d->ncriteria; i++) {
			const struct def_criterion *cr = &d->criteria[i];
			const char *how = cr->assessed == DEF_SURVEY ? "điều tra xã hội học"
								     : "tự đánh giá, thẩm định";

			add_row(t);
			put_text(t, 0, r->communes[c].code);
			put_text(t, 1, r->communes[c].name);
			put_text(t, 2, cr->id);
			put_text(t, 3, def_text_get(&cr->name, "vi"));
			put_text(t, 4, "tiêu chí");
			put_text(t, 5, how);
			criterion_cells(r, t, &r->criteria[c * d->ncriteria + i]);
			for (size_t s = cr->first_sub; s < cr->first_sub + cr->nsub; s++) {
				add_row(t);
				put_text(t, 0, r->communes[c].code);
				put_text(t, 1, r->communes[c].name);
				put_text(t, 2, d->subcriteria[s].id);
				put_text(t, 3, def_text_get(&d->subcriteria[s].name, "vi"));
				put_text(t, 4, "tiêu chí thành phần");
				put_text(t, 5, how);
				criterion_cells(r, t, &r->subcriteria[c * d->nsubcriteria + s]);
			}
		}
	}
}

/* a question's flag: the question itself has no valid answer (the commune's words, "có câu
   hỏi ...", would be wrong on its row), else the tally's words */
static const char *question_flag_vi(const char *flag)
{
	const char *vi = tally_flag_code_words(flag, strlen(flag), 0);

	if (!strcmp(flag, "no-answers"))
		return "không có trả lời hợp lệ";
	return vi ? vi : flag;
}

static void questions_table(const struct report *r, struct report_table *t)
{
	const struct def *d = &r->def;
	const char *head[] = { "Mã đơn vị", "Đơn vị", "Câu hỏi", "Nội dung", "Tiêu chí",
			       "Số trả lời hợp lệ", "Điểm câu hỏi (0–1)", "Số nhóm tính",
			       "Ghi chú" };

	table_init(t, "questions", "Câu hỏi",
		   title_of(r, "Điểm câu hỏi khảo sát"), 9, head, NHEAD(head));
	for (size_t c = 0; c < r->ncommunes; c++) {
		for (size_t q = 0; q < d->nquestions; q++) {
			const struct def_question *dq = &d->questions[q];
			const struct report_question *v = &r->questions[c * d->nquestions + q];

			if (dq->is_profile)
				continue;
			add_row(t);
			put_text(t, 0, r->communes[c].code);
			put_text(t, 1, r->communes[c].name);
			put_text(t, 2, dq->id);
			put_text(t, 3, def_text_get(&dq->text, "vi"));
			put_text(t, 4, d->criteria[dq->criterion].id);
			if (!v->present)
				continue;
			put_int(t, 5, v->n_valid);
			if (v->has_score)
				put_num(t, 6, v->score, Q_DECIMALS);
			put_int(t, 7, v->groups_used);
			put_text(t, 8, question_flag_vi(v->flag));
		}
	}
}

static void survey_table(const struct report *r, struct report_table *t)
{
	const struct def *d = &r->def;
	const char *head[] = { "Mã đơn vị", "Đơn vị", "Nhóm", "Đối tượng", "Câu hỏi",
			       "Mã phương án", "Phương án", "Số phiếu", "Tỷ lệ (%)" };

	table_init(t, "survey", "Khảo sát",
		   title_of(r, "Phân bố trả lời khảo sát"), 9, head, NHEAD(head));
	for (size_t c = 0; c < r->ncommunes; c++) {
		for (size_t g = 0; g < d->ngroups; g++) {
			for (size_t q = 0; q < d->nquestions; q++) {
				const struct report_count *v =
					&r->counts[(c * d->ngroups + g) * d->nquestions + q];
				const struct def_scale *sc = &d->scales[d->questions[q].scale];
				long all = v->n_valid + v->n_excluded;

				if (!v->present)
					continue;
				for (size_t o = 0; o < sc->noptions; o++) {
					add_row(t);
					put_text(t, 0, r->communes[c].code);
					put_text(t, 1, r->communes[c].name);
					put_text(t, 2, d->groups[g].id);
					put_text(t, 3, def_text_get(&d->groups[g].name, "vi"));
					put_text(t, 4, d->questions[q].id);
					put_text(t, 5, sc->options[o].code);
					put_text(t, 6, def_text_get(&sc->options[o].label, "vi"));
					put_int(t, 7, v->counts[o]);
					if (all > 0)
						put_num(t, 8, 100.0 * (double)v->counts[o] / (double)all,
							d->decimals);
				}
			}
		}
	}
}

static void quotas_table(const struct report *r, struct report_table *t)
{
	const struct def *d = &r->def;
	const char *head[] = { "Mã đơn vị", "Đơn vị", "Nhóm", "Đối tượng", "Số phiếu",
			       "Tối thiểu", "Đánh giá" };
	char buf[64];

	table_init(t, "quotas", "Chỉ tiêu phiếu", title_of(r, "Số phiếu khảo sát so với chỉ tiêu"),
		   7, head, NHEAD(head));
	for (size_t c = 0; c < r->ncommunes; c++) {
		for (size_t g = 0; g <= d->ngroups; g++) {
			long forms = g < d->ngroups ? r->groups[c * d->ngroups + g].forms
						    : r->communes[c].forms;
			long min = g < d->ngroups ? r->groups[c * d->ngroups + g].min_forms
						  : d->min_forms;

			add_row(t);
			put_text(t, 0, r->communes[c].code);
			put_text(t, 1, r->communes[c].name);
			put_text(t, 2, g < d->ngroups ? d->groups[g].id : "Tổng");
			put_text(t, 3, g < d->ngroups ? def_text_get(&d->groups[g].name, "vi")
						      : "Tất cả các nhóm");
			put_int(t, 4, forms);
			put_int(t, 5, min);
			if (forms >= min)
				put_text(t, 6, "đạt");
			else {
				snprintf(buf, sizeof(buf), "thiếu %ld phiếu", min - forms);
				put_text_copy(t, 6, buf);
			}
		}
	}
}

/* the submissions the office left out (capture exclude): each reason with its forms, most
   first, and the total; no row when none was */
static void exclusions_table(const struct report *r, struct report_table *t)
{
	const char *head[] = { "Lý do loại", "Số phiếu" };

	table_init(t, "exclusions", "Phiếu bị loại",
		   title_of(r, "Phiếu khảo sát bị loại khỏi tổng hợp"), 2, head, NHEAD(head));
	if (!r->excluded)
		return;
	for (size_t i = 0; i < r->nexclusions; i++) {
		add_row(t);
		put_text(t, 0, r->exclusions[i].reason);
		put_int(t, 1, r->exclusions[i].n);
	}
	add_row(t);
	put_text(t, 0, "Tổng");
	put_int(t, 1, r->excluded);
}

typedef void table_layout(const struct report *r, struct report_table *t);
static table_layout *const layouts[REPORT_NTABLES] = {
	ranking_table, fields_table, criteria_table, questions_table, survey_table, quotas_table,
	exclusions_table,
};
#define EXCLUSIONS_TABLE 6

size_t report_ntables(const struct report *r)
{
	return REPORT_NTABLES - (r->excluded ? 0 : 1);
}

void report_tables(const struct report *r, struct report_table t[REPORT_NTABLES])
{
	for (size_t i = 0; i < REPORT_NTABLES; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		layouts[i](r, &t[i]);
	}
}

static void table_release(struct report_table *t)
{
	for (size_t j = 0; j < (t->nrows - t->held) * t->ncols; j++)
		free_text(&t->cells[j]);
	for (size_t j = 0; j < t->ncols; j++)
		free(t->header[j]);
	free(t->header);
	free(t->cells);
	free(t->title);
	memset(t, 0, sizeof(*t));
}

void report_tables_release(struct report_table t[REPORT_NTABLES])
{
	for (size_t i = 0; i < REPORT_NTABLES; i++)
		table_release(&t[i]);
}

/* ---- CSV ---- */

/* Text cells quoted always (as before), numbers as they are; core/csvout keeps a formula
   text. */
static void csv_cell(struct strbuf *row, const char *s, int number, int first)
{
	if (!first)
		strbuf_addc(row, ',');
	if (number)
		csvout_add_number(row, s);
	else
		csvout_add_text(row, s, 1);
}

/* ---- XLSX ---- */

static lxw_format *number_format(lxw_workbook *wb, lxw_format **cache, int decimals)
{
	char fmt[32] = "0";

	if (decimals < 0 || decimals > 9)
		decimals = 9;
	if (cache[decimals])
		return cache[decimals];
	if (decimals) {
		fmt[1] = '.';
		memset(fmt + 2, '0', (size_t)decimals);
		fmt[2 + decimals] = '\0';
	}
	cache[decimals] = workbook_add_format(wb);
	format_set_num_format(cache[decimals], fmt);
	format_set_border(cache[decimals], LXW_BORDER_THIN);
	return cache[decimals];
}

/* Characters, not bytes, of UTF-8 text: Vietnamese letters take two or three bytes. */
static size_t chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* The definition's note and the report's sources, a line per row from row `at` down. */
static void sheet_sources(lxw_worksheet *ws, const struct report *r, lxw_row_t at)
{
	char *lines[REPORT_NSOURCES];

	if (r->def.note && *r->def.note) {
		char *line = xasprintf("Lưu ý về bộ chỉ số: %s", r->def.note);

		worksheet_write_string(ws, at++, 0, line, NULL);
		free(line);
	}
	report_sources(r, lines);
	for (size_t i = 0; i < REPORT_NSOURCES; i++) {
		worksheet_write_string(ws, at++, 0, lines[i], NULL);
		free(lines[i]);
	}
}

static int xlsx_fail(struct perr *err, const char *path, lxw_error e)
{
	return perr_set(err, PERR_SYSTEM, path, "cannot write the workbook: %s", lxw_strerror(e));
}

/* ---- writing, a row at a time ---- */

/* names of communes and criteria get room (from the text of the first rows); numbers stay
   narrow */
#define WIDTH_ROWS 200
#define CSV_BUFFER (1 << 16)
#define SHEET_BUFFER (1 << 18)

struct table_out {
	const struct report *r;
	struct perr *err;
	int failed;
	/* CSV: the open file of the table (csv_dir NULL: none) */
	const char *csv_dir;
	int bom, csv_bad;
	char *csv_path;
	FILE *csv;
	char *csv_buffer; /* CSV_BUFFER bytes, the file's stdio buffer */
	struct strbuf line;
	/* XLSX (wb NULL: none): the table's sheet, its column widths */
	const char *xlsx;
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *title, *head, *text, *integer, *nums[10];
	char *sheet_buffer[REPORT_NTABLES]; /* SHEET_BUFFER bytes each, see table_begin */
	size_t nsheets;
	size_t *width;
	int begun;
};

static void csv_row(struct table_out *o, const struct report_table *t, const char *const *text,
		    const struct report_cell *cells)
{
	for (size_t j = 0; j < t->ncols; j++)
		csv_cell(&o->line, text ? text[j] : cells[j].text,
			 !text && cells[j].kind != REPORT_TEXT, j == 0);
	strbuf_adds(&o->line, "\r\n");
	o->csv_bad |= fwrite(o->line.buf, 1, o->line.len, o->csv) != o->line.len;
	strbuf_reset(&o->line);
}

/* the table's file and sheet, up to its header: once the layout has named every column */
static void table_begin(struct table_out *o, const struct report_table *t)
{
	size_t head_lines = 0;

	if (o->begun || o->failed)
		return;
	o->begun = 1;
	if (o->csv_dir) {
		o->csv_path = xasprintf("%s/%s.csv", o->csv_dir, t->file);
		o->csv = fopen(o->csv_path, "wb");
		if (!o->csv) {
			perr_set(o->err, PERR_SYSTEM, o->csv_path, "cannot write: %s",
				 strerror(errno));
			o->failed = 1;
			return;
		}
		/* written in 64 KiB pieces, not stdio's 4 KiB (glibc takes no size without a
		   buffer) */
		if (!o->csv_buffer)
			o->csv_buffer = xmalloc(CSV_BUFFER);
		setvbuf(o->csv, o->csv_buffer, _IOFBF, CSV_BUFFER);
		/* Excel reads a CSV as UTF-8 only when it starts with the byte-order mark */
		if (o->bom)
			o->csv_bad |= fputs("\xEF\xBB\xBF", o->csv) == EOF;
		csv_row(o, t, (const char *const *)t->header, NULL);
	}
	if (!o->wb)
		return;
	o->ws = workbook_add_worksheet(o->wb, t->sheet);
	if (!o->ws) {
		perr_set(o->err, PERR_SYSTEM, o->xlsx, "cannot add sheet '%s'", t->sheet);
		o->failed = 1;
		return;
	}
	/* constant_memory writes the sheet's rows to a temporary file (optimize_tmpfile, a
	   member of the library's public struct) through stdio's 4 KiB buffer: 10,000 write(2)s
	   for a province's 40 MB of XML, 200,000 for the country's. A buffer of 256 KiB, set
	   before anything is written to it and kept until the workbook is closed, when the
	   library reads the file back and closes it. */
	if (o->ws->optimize_tmpfile && o->nsheets < REPORT_NTABLES) {
		o->sheet_buffer[o->nsheets] = xmalloc(SHEET_BUFFER);
		setvbuf(o->ws->optimize_tmpfile, o->sheet_buffer[o->nsheets++], _IOFBF,
			SHEET_BUFFER);
	}
	/* row 0 the title, row 1 the header: both stay in view */
	worksheet_write_string(o->ws, 0, 0, t->title, o->title);
	worksheet_freeze_panes(o->ws, 2, 0);
	/* printed like an annex: A4 landscape, one page wide, title and header on each page */
	worksheet_set_paper(o->ws, 9);
	worksheet_set_landscape(o->ws);
	worksheet_fit_to_pages(o->ws, 1, 0);
	worksheet_repeat_rows(o->ws, 0, 1);
	o->width = xcalloc(t->ncols, sizeof(*o->width));
	for (size_t j = 0; j < t->ncols; j++) {
		/* a long header (a field's name) wraps in a column of at most 16 characters */
		size_t w = chars(t->header[j]) / 2 + 4, lines;

		if (w > 16)
			w = 16;
		lines = (chars(t->header[j]) + w - 3) / (w - 2);
		if (lines > head_lines)
			head_lines = lines;
		o->width[j] = w;
		worksheet_write_string(o->ws, 1, (lxw_col_t)j, t->header[j], o->head);
	}
	worksheet_set_row(o->ws, 1, 15.0 * (double)(head_lines < 3 ? 3 : head_lines), NULL);
}

static void table_row(struct report_table *t, size_t row, const struct report_cell *cells,
		      void *ctx)
{
	struct table_out *o = ctx;

	table_begin(o, t);
	if (o->failed)
		return;
	if (o->csv)
		csv_row(o, t, NULL, cells);
	if (!o->ws)
		return;
	for (size_t j = 0; j < t->ncols; j++) {
		const struct report_cell *c = &cells[j];
		lxw_row_t xr = (lxw_row_t)(row + 2);
		lxw_col_t xc = (lxw_col_t)j;

		switch (c->kind) {
		case REPORT_TEXT:
			worksheet_write_string(o->ws, xr, xc, c->text, o->text);
			if (row < WIDTH_ROWS && chars(c->text) + 2 > o->width[j])
				o->width[j] = chars(c->text) + 2;
			break;
		case REPORT_INT:
			worksheet_write_number(o->ws, xr, xc, c->num, o->integer);
			break;
		case REPORT_NUMBER:
			worksheet_write_number(o->ws, xr, xc, c->num,
					       number_format(o->wb, o->nums, c->decimals));
			break;
		case REPORT_EMPTY:
			worksheet_write_blank(o->ws, xr, xc, o->text);
			break;
		}
	}
}

/* the table's file closed, its sheet finished: filter, widths, footer (and the sources under
   the ranking) */
static void table_end(struct table_out *o, const struct report_table *t, int ranking,
		      const char *footer)
{
	table_begin(o, t);
	if (o->csv) {
		o->csv_bad |= ferror(o->csv) != 0;
		if ((fclose(o->csv) != 0 || o->csv_bad) && !o->failed) {
			perr_set(o->err, PERR_SYSTEM, o->csv_path, "cannot write: %s",
				 strerror(errno));
			o->failed = 1;
		}
	}
	if (o->ws && !o->failed) {
		if (t->nrows)
			worksheet_autofilter(o->ws, 1, 0, (lxw_row_t)(t->nrows + 1),
					     (lxw_col_t)(t->ncols - 1));
		for (size_t j = 0; j < t->ncols; j++)
			worksheet_set_column(o->ws, (lxw_col_t)j, (lxw_col_t)j,
					     o->width[j] > 60 ? 60 : (double)o->width[j], NULL);
		/* printed: the software, the time of the numbers and the page on every page */
		worksheet_set_footer(o->ws, footer);
		/* under the ranking, as under a table of an official document: the definition's
		   note and where the numbers come from */
		if (ranking)
			sheet_sources(o->ws, o->r, (lxw_row_t)(t->nrows + 3));
	}
	free(o->csv_path);
	free(o->width);
	o->csv_path = NULL;
	o->csv = NULL;
	o->csv_bad = 0;
	o->ws = NULL;
	o->width = NULL;
	o->begun = 0;
}

/* A workbook that failed: libxlsxwriter 1.1.4 closes a sheet's temporary file only when it
   assembles the sheet, so after a failure some stay open, and glibc flushes them at exit
   through their buffers. Those are kept, reachable from here, never freed (256 KiB a sheet,
   once per failed workbook). */
static pthread_mutex_t kept_lock = PTHREAD_MUTEX_INITIALIZER;
static char **kept;
static size_t nkept, kept_alloc;

static void keep_sheet_buffers(struct table_out *o)
{
	pthread_mutex_lock(&kept_lock);
	for (size_t i = 0; i < o->nsheets; i++) {
		xgrow(&kept, &kept_alloc, nkept + 1, sizeof(*kept));
		kept[nkept++] = o->sheet_buffer[i];
	}
	pthread_mutex_unlock(&kept_lock);
	o->nsheets = 0;
}

static void workbook_formats(struct table_out *o)
{
	o->title = workbook_add_format(o->wb);
	format_set_bold(o->title);
	format_set_font_size(o->title, 13);
	o->head = workbook_add_format(o->wb);
	format_set_bold(o->head);
	format_set_text_wrap(o->head);
	format_set_align(o->head, LXW_ALIGN_CENTER);
	format_set_align(o->head, LXW_ALIGN_VERTICAL_CENTER);
	format_set_bg_color(o->head, 0xDDEBF7);
	format_set_border(o->head, LXW_BORDER_THIN);
	o->text = workbook_add_format(o->wb);
	format_set_border(o->text, LXW_BORDER_THIN);
	o->integer = workbook_add_format(o->wb);
	format_set_num_format(o->integer, "0");
	format_set_border(o->integer, LXW_BORDER_THIN);
}

static int remove_stale(const char *csv_dir, const char *file, struct perr *err)
{
	char *path = xasprintf("%s/%s.csv", csv_dir, file);
	int rc = 0;

	if (unlink(path) < 0 && errno != ENOENT)
		rc = perr_set(err, PERR_SYSTEM, path, "cannot remove: %s", strerror(errno));
	free(path);
	return rc;
}

int report_write_tables(const struct report *r, const char *csv_dir, int bom, const char *xlsx,
			struct perr *err)
{
	struct table_out o = { .r = r, .err = err, .csv_dir = csv_dir, .bom = bom,
			       .line = STRBUF_INIT, .xlsx = xlsx };
	char subject[] = "Chỉ số cải cách hành chính", author[] = "parindex", comments[80];
	char footer[200] = "", when[64];
	lxw_error e;

	if (xlsx) {
		/* rows written in order and flushed to a temporary file as the next one begins */
		lxw_workbook_options opts = { .constant_memory = LXW_TRUE, .tmpdir = NULL };

		o.wb = workbook_new_opt(xlsx, &opts);
		if (!o.wb)
			return perr_set(err, PERR_SYSTEM, xlsx, "cannot create the workbook");
		snprintf(comments, sizeof(comments), "tally %s", r->computed_at);
		workbook_set_properties(o.wb, &(lxw_doc_properties){ .title = r->def.title.vi,
								      .subject = subject,
								      .author = author,
								      .comments = comments });
		snprintf(footer, sizeof(footer),
			 "&Lparindex " PARINDEX_VERSION " — số liệu tính lúc %s&RTrang &P / &N",
			 report_date_vi(r->computed_at, when));
		workbook_formats(&o);
	}
	for (size_t i = 0; i < REPORT_NTABLES && !o.failed; i++) {
		struct report_table t = { .emit = table_row, .ctx = &o };

		if (i == EXCLUSIONS_TABLE && !r->excluded) {
			/* no file, no sheet; a file of an earlier report in the folder goes, so
			   the folder never shows exclusions the tally no longer has */
			if (csv_dir && remove_stale(csv_dir, "exclusions", err) < 0)
				o.failed = 1;
			continue;
		}
		layouts[i](r, &t);
		flush_rows(&t);
		table_end(&o, &t, i == 0, footer);
		table_release(&t);
	}
	strbuf_release(&o.line);
	free(o.csv_buffer);
	if (!o.wb)
		return o.failed ? -1 : 0;
	if (o.failed) {
		lxw_workbook_free(o.wb);
		keep_sheet_buffers(&o);
		return -1;
	}
	e = workbook_close(o.wb);
	if (e != LXW_NO_ERROR) {
		keep_sheet_buffers(&o);
		return xlsx_fail(err, xlsx, e);
	}
	/* every sheet's temporary file was read back and closed (each has its title row: the
	   library leaves the file of a sheet without rows open): the buffers can go */
	for (size_t i = 0; i < o.nsheets; i++)
		free(o.sheet_buffer[i]);
	return 0;
}
