/* The HTML report: index.html (the ranking, the district's charts) and one page per commune
   (its fields, lowest criteria, quota status and answers). Every page is one file: the CSS
   is inline and the charts are data: URIs, so nothing is fetched from anywhere. */
#include "reports.h"
#include "../tally/tally.h"

#include <errno.h>
#include <math.h>
#include <nettle/base64.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define LOWEST_CRITERIA 5
#define GROUPS_CSS "@media print{section.group+section.group{break-before:page}}\n"
#define LARGE_CSS                                                                            \
	"@media print{table.ranking{break-inside:auto}section.group+section.group{break-before:page}" \
	"figure.ranking{break-before:page}figure.ranking img{max-height:165mm}}\n"
#define MAX_CHART_BYTES (32u << 20)

static const char css[] =
	"body{font-family:\"DejaVu Sans\",Arial,sans-serif;margin:2em auto;max-width:1100px;"
	"padding:0 1em;color:#222;line-height:1.4;font-size:14px}\n"
	"h1{font-size:1.5em;margin-bottom:.2em}\n"
	"h2{font-size:1.2em;border-bottom:2px solid #2b8cbe;padding-bottom:.2em;margin-top:1.6em}\n"
	"h3{font-size:1em;margin:1.2em 0 .3em}\n"
	"p.meta{color:#555;margin-top:0}\n"
	"table{border-collapse:collapse;width:100%;margin:.5em 0;font-size:.9em}\n"
	"th,td{border:1px solid #bbb;padding:.25em .4em;vertical-align:top}\n"
	"th{background:#ddebf7;text-align:center}\n"
	"td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	"tr.unranked td{color:#777}\n"
	"table.ranking td.name,table.ranking td.tier{white-space:nowrap}\n"
	".note{border-left:4px solid #f0c419;background:#fffbea;padding:.4em .8em;margin:.8em 0}\n"
	"footer{margin-top:2em;border-top:1px solid #bbb;font-size:.85em;color:#555}\n"
	".swatch{display:inline-block;width:.8em;height:.8em;border:1px solid #555;"
	"margin-right:.35em;vertical-align:-.05em}\n"
	".flag{color:#b2182b}\n"
	"figure{margin:1em 0;break-inside:avoid}\n"
	"figure img{width:100%;height:auto;border:1px solid #ddd}\n"
	"figcaption{font-size:.85em;color:#555}\n"
	".bar{display:flex;height:1em;min-width:14em;border:1px solid #999;background:#fff}\n"
	".bar span{display:block;height:100%}\n"
	".legend span{margin-right:1em;white-space:nowrap}\n"
	"dl.summary{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}\n"
	"dl.summary dt{font-weight:bold}\ndl.summary dd{margin:0}\n"
	"nav a{text-decoration:none}\n"
	"@page{size:A4;margin:14mm}\n"
	"@media print{body{margin:0;max-width:none;padding:0;font-size:9.5pt}"
	"nav{display:none}h2{break-after:avoid}tr,figure,.question{break-inside:avoid}"
	"thead{display:table-header-group}a{color:inherit;text-decoration:none}"
	"table.ranking{font-size:8pt;break-inside:avoid}"
	"table.ranking td,table.ranking th{padding:.1em .3em;line-height:1.25}.note{font-size:8pt}"
	"footer,table.fields{break-inside:avoid}"
	"section.page{break-before:page}figure img{width:auto;max-width:100%;max-height:120mm}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n";

static void head(struct strbuf *sb, const char *title, const char *extra_css)
{
	strbuf_adds(sb, "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n"
			"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
			"<title>");
	strbuf_add_xml(sb, title);
	strbuf_adds(sb, "</title>\n<style>\n");
	strbuf_adds(sb, css);
	if (extra_css)
		strbuf_adds(sb, extra_css);
	strbuf_adds(sb, "</style>\n</head>\n<body>\n");
}

static void esc(struct strbuf *sb, const char *s)
{
	strbuf_add_xml(sb, s ? s : "");
}

static void td_num(struct strbuf *sb, const char *text)
{
	strbuf_adds(sb, "<td class=\"num\">");
	esc(sb, text);
	strbuf_adds(sb, "</td>");
}

static void td_fixed(struct strbuf *sb, double x, int decimals)
{
	char buf[48];

	td_num(sb, isnan(x) ? "–" : report_fixed(x, decimals, buf));
}

static void swatch(struct strbuf *sb, unsigned color)
{
	strbuf_addf(sb, "<span class=\"swatch\" style=\"background:#%06x\"></span>", color);
}

/* The flags of f in words, those whose bit is in mask (an unknown word counts as bit 0, so
   only a mask of ~0u shows it). */
static void flags(struct strbuf *sb, const char *f, unsigned mask)
{
	int first = 1;

	while (*f) {
		size_t n;
		const char *vi;
		unsigned bit;

		f += strspn(f, " ");
		n = strcspn(f, " ");
		if (!n)
			break;
		bit = tally_flag_code_bit(f, n);
		if (bit ? !(mask & bit) : mask != ~0u) {
			f += n;
			continue;
		}
		vi = tally_flag_code_words(f, n, 0);
		strbuf_adds(sb, first ? "<span class=\"flag\">" : "; <span class=\"flag\">");
		if (vi)
			esc(sb, vi);
		else {
			char *raw = xstrndup(f, n);

			esc(sb, raw);
			free(raw);
		}
		strbuf_adds(sb, "</span>");
		first = 0;
		f += n;
	}
}

/* The chart as a data: URI image (SVG preferred: sharp on screen and paper). */
static int figure(struct strbuf *sb, const struct report_chart *ch, const char *cls,
		  const char *chart_dir, unsigned formats, struct perr *err)
{
	const char *ext = formats & REPORT_SVG ? "svg" : "png";
	const char *mime = formats & REPORT_SVG ? "image/svg+xml" : "image/png";
	struct strbuf data = STRBUF_INIT;
	char *path, *b64;

	if (!ch->drawn)
		return 0;
	path = xasprintf("%s/%s.%s", chart_dir, ch->name, ext);
	if (strbuf_read_file(&data, path, MAX_CHART_BYTES) < 0) {
		perr_set(err, PERR_SYSTEM, path, "cannot read the chart: %s", strerror(errno));
		free(path);
		strbuf_release(&data);
		return -1;
	}
	b64 = xmalloc(BASE64_ENCODE_RAW_LENGTH(data.len) + 1);
	base64_encode_raw(b64, data.len, (const uint8_t *)strbuf_str(&data));
	b64[BASE64_ENCODE_RAW_LENGTH(data.len)] = '\0';
	strbuf_adds(sb, cls ? "<figure class=\"" : "<figure");
	strbuf_adds(sb, cls ? cls : "");
	strbuf_adds(sb, cls ? "\"><img alt=\"" : "><img alt=\"");
	esc(sb, ch->title);
	strbuf_addf(sb, "\" src=\"data:%s;base64,", mime);
	strbuf_adds(sb, b64);
	strbuf_adds(sb, "\"><figcaption>");
	esc(sb, ch->title);
	strbuf_adds(sb, "</figcaption></figure>\n");
	free(b64);
	free(path);
	strbuf_release(&data);
	return 0;
}

static const struct report_chart *find_chart(const struct report_charts *charts,
					     const char *name)
{
	for (size_t i = 0; i < charts->n; i++)
		if (!strcmp(charts->v[i].name, name))
			return &charts->v[i];
	return NULL;
}

static int write_page(const char *path, const struct strbuf *sb, struct perr *err)
{
	FILE *f = fopen(path, "wb");
	int bad;

	if (!f)
		return perr_set(err, PERR_SYSTEM, path, "cannot write: %s", strerror(errno));
	bad = fwrite(strbuf_str(sb), 1, sb->len, f) != sb->len;
	if (fclose(f) != 0 || bad)
		return perr_set(err, PERR_SYSTEM, path, "cannot write: %s", strerror(errno));
	return 0;
}

static void meta_line(struct strbuf *sb, const struct report *r)
{
	const struct def *d = &r->def;
	char when[64];

	strbuf_adds(sb, "<p class=\"meta\">");
	if (d->district && *d->district) { /* a province's definition has none */
		esc(sb, d->district);
		strbuf_adds(sb, ", ");
	}
	esc(sb, d->province);
	strbuf_addf(sb, " · năm %d · bộ chỉ số ", d->year);
	esc(sb, d->id);
	strbuf_adds(sb, " ");
	esc(sb, d->version);
	strbuf_adds(sb, " · số liệu tính lúc ");
	esc(sb, report_date_vi(r->computed_at, when));
	strbuf_addf(sb, " từ %ld phiếu khảo sát</p>\n", r->submissions);
}

/* The definition's note (the shipped one says it is a reconstruction): on every page, since
   a commune's page may be printed alone; under the ranking on the index. */
static void note(struct strbuf *sb, const struct report *r)
{
	if (!r->def.note || !*r->def.note)
		return;
	strbuf_adds(sb, "<p class=\"note\"><strong>Lưu ý về bộ chỉ số:</strong> ");
	esc(sb, r->def.note);
	strbuf_adds(sb, "</p>\n");
}

/* "52.50–75.00": an interval at the published decimals */
static void add_interval(struct strbuf *sb, double low, double high, int decimals)
{
	char a[48], b[48];

	strbuf_addf(sb, "%s–%s", report_fixed(low, decimals, a), report_fixed(high, decimals, b));
}

/* What the intervals and the ≈ mark mean, in plain words (when the tally resampled). */
static void confidence_note(struct strbuf *sb, const struct report *r)
{
	if (!r->resamples)
		return;
	strbuf_addf(sb,
		    "<p class=\"note confidence\"><strong>Độ tin cậy:</strong> phần điểm khảo sát "
		    "dựa trên một số phiếu có hạn, nên nếu hỏi những người khác cùng nhóm thì "
		    "điểm có thể khác đi. Khoảng tin cậy 95 %% là khoảng mà chỉ số (và điểm "
		    "khảo sát) rơi vào trong 95 %% của %ld lần tính lại, mỗi lần rút ngẫu "
		    "nhiên lại các phiếu trong từng nhóm đối tượng; chỉ số công bố vẫn là chỉ số "
		    "tính trên toàn bộ phiếu. Khoảng thứ hạng và khả năng xếp loại tính theo "
		    "cùng các lần đó. Dấu ≈ trước thứ hạng: khoảng tin cậy của đơn vị này và "
		    "của đơn vị xếp ngay trên chồng lên nhau, nên chênh lệch giữa hai hạng nằm "
		    "trong sai số của khảo sát.</p>\n",
		    r->resamples);
}

/* Where the numbers come from, when, and the software: the last thing on every page. */
static void footer(struct strbuf *sb, const struct report *r)
{
	char *lines[REPORT_NSOURCES];

	report_sources(r, lines);
	strbuf_adds(sb, "<footer>\n");
	for (size_t i = 0; i < REPORT_NSOURCES; i++) {
		strbuf_adds(sb, "<p class=\"meta source\">");
		esc(sb, lines[i]);
		strbuf_adds(sb, "</p>\n");
		free(lines[i]);
	}
	strbuf_adds(sb, "</footer>\n</body>\n</html>\n");
}

static void charts_note(struct strbuf *sb, const struct report_charts *charts,
			unsigned formats)
{
	int drawn = 0;

	for (size_t i = 0; i < charts->n; i++)
		drawn |= charts->v[i].drawn;
	if (drawn)
		return;
	strbuf_adds(sb, "<p class=\"flag\">");
	if (formats & (REPORT_PNG | REPORT_SVG))
		strbuf_adds(sb, "Biểu đồ chưa được vẽ: không tìm thấy gnuplot.");
	else
		strbuf_adds(sb, "Biểu đồ không được yêu cầu (--formats).");
	strbuf_adds(sb, "</p>\n");
}

/* The submissions the office left out (capture exclude), and why: only when there are. */
static void exclusions(struct strbuf *sb, const struct report *r)
{
	if (!r->excluded)
		return;
	strbuf_addf(sb, "<section>\n<h2>Phiếu khảo sát bị loại</h2>\n<p>%ld phiếu khảo sát bị "
			"loại khỏi tổng hợp theo quyết định của cơ quan tổ chức khảo sát, không "
			"tính vào kết quả trên. Lý do:</p>\n<ul class=\"exclusions\">\n",
		    r->excluded);
	for (size_t i = 0; i < r->nexclusions; i++) {
		strbuf_adds(sb, "<li>");
		esc(sb, r->exclusions[i].reason);
		strbuf_addf(sb, ": %ld phiếu</li>\n", r->exclusions[i].n);
	}
	strbuf_adds(sb, "</ul>\n</section>\n");
}

/* The last quality run (parindex quality), only when there is one: forms flagged per check on
   the index page (c (size_t)-1), the commune's flagged forms on its page. */
static void quality_section(struct strbuf *sb, const struct report *r, size_t c)
{
	char when[64];

	if (!r->has_quality)
		return;
	strbuf_adds(sb, "<section class=\"quality\">\n<h2>Chất lượng khảo sát</h2>\n<p>");
	if (c == (size_t)-1)
		strbuf_addf(sb, "Lần kiểm tra chất lượng phiếu gần nhất (%s): %ld phiếu, %ld phiếu "
				"có dấu hiệu cần xem lại.",
			    report_date_vi(r->quality_at, when), r->quality_submissions,
			    r->quality_flagged);
	else
		strbuf_addf(sb, "Lần kiểm tra chất lượng phiếu gần nhất (%s): %ld phiếu của xã có "
				"dấu hiệu cần xem lại.",
			    report_date_vi(r->quality_at, when), r->quality_commune[c]);
	strbuf_adds(sb, " Dấu hiệu chỉ để cơ quan tổ chức khảo sát xem xét, không làm thay đổi "
			"kết quả tổng hợp; chỉ phiếu bị loại mới không được tính.</p>\n");
	if (c == (size_t)-1) {
		strbuf_adds(sb, "<table class=\"quality\">\n<thead><tr><th>Kiểm tra</th>"
				"<th>Số phiếu có dấu hiệu</th></tr></thead>\n<tbody>\n");
		for (int k = 0; k < QUALITY_NCHECKS; k++)
			strbuf_addf(sb, "<tr><td>%s</td><td class=\"num\">%ld</td></tr>\n",
				    quality_check_vi(k), r->quality_per_check[k]);
		strbuf_adds(sb, "</tbody>\n</table>\n");
	}
	strbuf_adds(sb, "</section>\n");
}

/* ---- the previous year: columns of the ranking, a line of a commune's summary ---- */

static void previous_th(struct strbuf *sb, const struct report *r)
{
	if (!r->prev.year)
		return;
	strbuf_addf(sb, "<th>Năm %d</th><th>Thay đổi hạng</th><th>Thay đổi chỉ số</th>",
		    r->prev.year);
}

/* commune c against the previous year, in words (reports/load.c) */
struct previous_words {
	char *was, *rank, *index;
};

static void previous_words(const struct report *r, size_t c, struct previous_words *w)
{
	w->was = report_previous_vi(r, c);
	w->rank = report_rank_change_vi(r, c);
	w->index = report_index_change(r, c);
}

static void previous_words_free(struct previous_words *w)
{
	free(w->was);
	free(w->rank);
	free(w->index);
}

static void previous_td(struct strbuf *sb, const struct report *r, size_t c)
{
	struct previous_words w;

	if (!r->prev.year)
		return;
	previous_words(r, c, &w);
	strbuf_adds(sb, "<td class=\"previous\">");
	esc(sb, *w.was ? w.was : "–");
	strbuf_adds(sb, "</td><td>");
	esc(sb, *w.rank ? w.rank : "–");
	strbuf_adds(sb, "</td>");
	td_num(sb, *w.index ? w.index : "–");
	previous_words_free(&w);
}

static void previous_dd(struct strbuf *sb, const struct report *r, size_t c)
{
	struct previous_words w;

	if (!r->prev.year)
		return;
	previous_words(r, c, &w);
	strbuf_addf(sb, "<dt>So với năm %d</dt><dd>", r->prev.year);
	if (!r->prev.v[c].has && !r->prev.v[c].nfrom)
		strbuf_addf(sb, "mới (không có kết quả năm %d)", r->prev.year);
	esc(sb, w.was);
	if (*w.rank && !r->prev.v[c].nfrom && r->prev.v[c].has) {
		strbuf_adds(sb, "; ");
		esc(sb, w.rank);
	}
	if (*w.index) {
		strbuf_adds(sb, "; chỉ số ");
		esc(sb, w.index);
	}
	strbuf_adds(sb, "</dd>\n");
	previous_words_free(&w);
}

/* The ranking table of the units [from, to) of r->communes (a ranking group's, or the types
   not ranked), then, for a ranking, its units per class and those not classified. */
static void ranking_table(struct strbuf *sb, const struct report *r, size_t from, size_t to,
			  int counts)
{
	const struct def *d = &r->def;
	size_t unclassified = 0;

	for (size_t c = from; c < to; c++)
		unclassified += r->communes[c].tier == DEF_NONE;
	strbuf_adds(sb, "<table class=\"ranking\">\n"
			 "<thead><tr><th>STT</th><th>Đơn vị</th><th>Điểm đạt được</th>"
			 "<th>Điểm tối đa</th><th>Chỉ số CCHC (%)</th>");
	if (r->resamples)
		strbuf_adds(sb, "<th>Khoảng tin cậy 95 %</th>");
	strbuf_adds(sb, "<th>Xếp hạng</th><th>Xếp loại</th>");
	previous_th(sb, r);
	for (size_t f = 0; f < d->nfields; f++) {
		strbuf_adds(sb, "<th title=\"");
		esc(sb, def_text_get(&d->fields[f].name, "vi"));
		strbuf_adds(sb, "\">LV ");
		esc(sb, d->fields[f].id);
		strbuf_adds(sb, " (%)</th>");
	}
	strbuf_adds(sb, "<th>Số phiếu</th><th>Ghi chú</th></tr></thead>\n<tbody>\n");
	for (size_t c = from; c < to; c++) {
		const struct report_commune *v = &r->communes[c];
		char *page = report_safe_name("", v->code);
		char rank[32];

		strbuf_adds(sb, v->rank ? "<tr>" : "<tr class=\"unranked\">");
		strbuf_addf(sb, "<td class=\"num\">%zu</td><td class=\"name\"><a href=\"communes/",
			    c - from + 1);
		esc(sb, page);
		strbuf_adds(sb, ".html\">");
		esc(sb, v->name);
		strbuf_adds(sb, "</a></td>");
		td_fixed(sb, v->points, d->decimals);
		td_fixed(sb, v->max, d->decimals);
		td_num(sb, v->index_published);
		if (r->resamples) {
			strbuf_adds(sb, "<td class=\"num\">");
			if (v->has_interval)
				add_interval(sb, v->index_low, v->index_high, d->decimals);
			else
				strbuf_adds(sb, "–");
			strbuf_adds(sb, "</td>");
		}
		snprintf(rank, sizeof(rank), "%s%ld", report_within_noise(r, c) ? "≈ " : "",
			 v->rank);
		td_num(sb, v->rank ? rank : "–");
		strbuf_adds(sb, "<td class=\"tier\">");
		swatch(sb, report_tier_color(d, v->tier));
		esc(sb, report_tier_label(d, v->tier));
		strbuf_adds(sb, "</td>");
		previous_td(sb, r, c);
		for (size_t f = 0; f < d->nfields; f++) {
			const struct report_field *fv = &r->fields[c * d->nfields + f];

			td_num(sb, fv->has_pct ? fv->pct_published : "–");
		}
		snprintf(rank, sizeof(rank), "%ld", v->forms);
		td_num(sb, rank);
		strbuf_adds(sb, "<td>");
		flags(sb, v->flags, ~0u);
		strbuf_adds(sb, "</td></tr>\n");
		free(page);
	}
	strbuf_adds(sb, "</tbody>\n</table>\n");
	if (!counts)
		return;
	strbuf_adds(sb, "<p class=\"meta\">Số đơn vị theo xếp loại: ");
	for (size_t t = 0; t < d->ntiers; t++) {
		size_t n = 0;

		for (size_t c = from; c < to; c++)
			n += r->communes[c].tier == t;
		strbuf_adds(sb, t ? " · " : "");
		swatch(sb, report_tier_color(d, t));
		esc(sb, def_text_get(&d->tiers[t].label, "vi"));
		strbuf_addf(sb, " %zu", n);
	}
	strbuf_adds(sb, "</p>\n");
	/* not classified is no class: said apart from the counts, with whom and why */
	if (unclassified) {
		int first = 1;

		strbuf_adds(sb, "<p class=\"meta unclassified\">");
		swatch(sb, report_tier_color(d, DEF_NONE));
		strbuf_addf(sb, "Chưa xếp loại (không tính vào các loại trên) %zu: ",
			    unclassified);
		for (size_t c = from; c < to; c++) {
			if (r->communes[c].tier != DEF_NONE)
				continue;
			strbuf_adds(sb, first ? "" : "; ");
			esc(sb, r->communes[c].name);
			strbuf_adds(sb, " (");
			flags(sb, r->communes[c].flags, ~0u);
			strbuf_adds(sb, ")");
			first = 0;
		}
		strbuf_adds(sb, "</p>\n");
	}
}

static int index_page(const struct report *r, const struct report_charts *charts,
		      const char *chart_dir, unsigned formats, const char *dir, struct perr *err)
{
	const struct def *d = &r->def;
	struct strbuf sb = STRBUF_INIT;
	char *title = xasprintf("Chỉ số CCHC %d — %s", d->year,
				d->district && *d->district ? d->district
				: d->province ? d->province : "");
	char *path = xasprintf("%s/index.html", dir);
	int rc = -1;

	/* a district's ranking fits one landscape page and is kept whole on it; a province's
	   runs over pages, its header repeated, no row split, each part of the ranking chart on
	   a page of its own */
	head(&sb, title,
	     r->ncommunes > REPORT_DISTRICT_UNITS ? "@page{size:A4 landscape}\n" LARGE_CSS
	     : report_grouped(r) ? "@page{size:A4 landscape}\n" GROUPS_CSS
				 : "@page{size:A4 landscape}\n");
	strbuf_adds(&sb, "<header>\n<h1>");
	esc(&sb, def_text_get(&d->title, "vi"));
	strbuf_adds(&sb, "</h1>\n");
	meta_line(&sb, r);
	strbuf_adds(&sb, "</header>\n<section>\n<h2>Kết quả xếp hạng</h2>\n");
	if (!report_grouped(r)) {
		ranking_table(&sb, r, 0, r->ncommunes, 1);
	} else {
		/* a table per ranking group (a page each when printed), the types not ranked
		   after them */
		size_t c = 0;

		for (size_t g = 0; g <= d->nrankings; g++) {
			size_t from = c, rg = g < d->nrankings ? g : DEF_NONE;

			while (c < r->ncommunes && r->communes[c].ranking == rg)
				c++;
			if (from == c)
				continue;
			strbuf_adds(&sb, "<section class=\"group\">\n<h3>");
			if (rg != DEF_NONE) {
				strbuf_adds(&sb, "Nhóm xếp hạng: ");
				esc(&sb, report_ranking_label(d, rg));
			} else {
				strbuf_adds(&sb, "Đơn vị không xếp hạng");
			}
			strbuf_addf(&sb, " (%zu đơn vị)</h3>\n", c - from);
			ranking_table(&sb, r, from, c, rg != DEF_NONE);
			strbuf_adds(&sb, "</section>\n");
		}
	}
	/* under the ranking, as the notes under a table of an official document: the ranking
	   stays on the first printed page */
	confidence_note(&sb, r);
	note(&sb, r);
	/* the key of the LV columns: each field's name, and its district mean */
	strbuf_addf(&sb, "<table class=\"fields\">\n<thead><tr><th>Lĩnh vực</th><th>Tên lĩnh vực"
			 "</th><th>Điểm tối đa</th><th>Trung bình %s (%%)</th></tr></thead>\n"
			 "<tbody>\n", def_area_word(d));
	for (size_t f = 0; f < d->nfields; f++) {
		strbuf_adds(&sb, "<tr><td>LV ");
		esc(&sb, d->fields[f].id);
		strbuf_adds(&sb, "</td><td>");
		esc(&sb, def_text_get(&d->fields[f].name, "vi"));
		strbuf_adds(&sb, "</td>");
		td_fixed(&sb, d->fields[f].max, d->decimals);
		td_fixed(&sb, r->field_mean[f], d->decimals);
		strbuf_adds(&sb, "</tr>\n");
	}
	strbuf_adds(&sb, "</tbody>\n</table>\n</section>\n");
	exclusions(&sb, r);
	quality_section(&sb, r, (size_t)-1);

	strbuf_adds(&sb, "<section class=\"page\">\n<h2>Biểu đồ</h2>\n");
	charts_note(&sb, charts, formats);
	for (size_t i = 0; i < charts->n; i++) {
		const struct report_chart *ch = &charts->v[i];

		if (ch->commune != (size_t)-1 || !strncmp(ch->name, "answers-", 8))
			continue;
		/* a province's ranking parts: a page each */
		if (figure(&sb, ch,
			   r->ncommunes > REPORT_DISTRICT_UNITS && !strncmp(ch->name, "ranking", 7)
				   ? "ranking"
				   : NULL,
			   chart_dir, formats, err) < 0)
			goto done;
	}
	strbuf_addf(&sb, "</section>\n<section class=\"page\">\n"
			 "<h2>Phân bố trả lời khảo sát toàn %s</h2>\n", def_area_word(d));
	for (size_t i = 0; i < charts->n; i++) {
		const struct report_chart *ch = &charts->v[i];

		if (strncmp(ch->name, "answers-", 8))
			continue;
		if (figure(&sb, ch, NULL, chart_dir, formats, err) < 0)
			goto done;
	}
	strbuf_adds(&sb, "</section>\n");
	footer(&sb, r);
	rc = write_page(path, &sb, err);
done:
	free(title);
	free(path);
	strbuf_release(&sb);
	return rc;
}

/* The criteria of commune c, applicable ones only, lowest share of their max first. */
static size_t lowest_criteria(const struct report *r, size_t c, size_t *out, size_t want)
{
	const struct def *d = &r->def;
	size_t n = 0;

	for (size_t i = 0; i < d->ncriteria; i++) {
		const struct report_criterion *v = &r->criteria[c * d->ncriteria + i];
		double share;
		size_t at;

		if (!v->present || v->max <= 0)
			continue;
		share = v->points / v->max;
		/* insertion into the sorted prefix; equal shares keep the definition's order */
		for (at = n; at > 0; at--) {
			const struct report_criterion *u = &r->criteria[c * d->ncriteria + out[at - 1]];

			if (u->points / u->max <= share)
				break;
		}
		if (at >= want)
			continue;
		if (n < want)
			n++;
		memmove(out + at + 1, out + at, (n - 1 - at) * sizeof(*out));
		out[at] = i;
	}
	return n;
}

/* Why a commune whose index reaches a higher tier did not get it: the fields under that
   tier's floor (published values against the definition's thresholds; the class itself is
   the tally's). Nothing when the index decided the class. */
static void class_reason(struct strbuf *sb, const struct report *r, size_t c)
{
	const struct def *d = &r->def;
	const struct report_commune *v = &r->communes[c];

	if (v->tier == DEF_NONE) {
		strbuf_adds(sb, "<dt>Lý do chưa xếp loại</dt><dd>");
		flags(sb, v->flags, TALLY_UNCLASSIFIED_FLAGS);
		strbuf_adds(sb, "</dd>\n");
		return;
	}
	for (size_t t = 0; t < v->tier && t < d->ntiers; t++) {
		const struct def_tier *tier = &d->tiers[t];
		int first = 1;

		if (tier->is_otherwise || v->index_pub < tier->min_index)
			continue;
		strbuf_addf(sb, "<dt>Lý do xếp loại</dt><dd>chỉ số đạt ngưỡng %g của “", tier->min_index);
		esc(sb, def_text_get(&tier->label, "vi"));
		strbuf_adds(sb, "” nhưng ");
		for (size_t f = 0; f < d->nfields; f++) {
			const struct report_field *fv = &r->fields[c * d->nfields + f];

			if (!fv->has_pct || strtod(fv->pct_published, NULL) >= tier->min_field)
				continue;
			strbuf_adds(sb, first ? "lĩnh vực " : ", lĩnh vực ");
			esc(sb, d->fields[f].id);
			strbuf_adds(sb, " (");
			esc(sb, fv->pct_published);
			strbuf_adds(sb, " %)");
			first = 0;
		}
		strbuf_addf(sb, " dưới mức sàn %g %%</dd>\n", tier->min_field);
		return;
	}
}

static void commune_summary(struct strbuf *sb, const struct report *r, size_t c)
{
	const struct def *d = &r->def;
	const struct report_commune *v = &r->communes[c];
	struct strbuf note = STRBUF_INIT;
	long ranked = 0;
	char buf[48];

	/* ranked within its own ranking group */
	for (size_t i = 0; i < r->ncommunes; i++)
		ranked += r->communes[i].rank > 0 && r->communes[i].ranking == v->ranking;
	strbuf_adds(sb, "<dl class=\"summary\">\n<dt>Chỉ số CCHC</dt><dd>");
	esc(sb, v->index_published);
	strbuf_adds(sb, " %");
	if (v->has_interval) {
		strbuf_adds(sb, " (khoảng tin cậy 95 %: ");
		add_interval(sb, v->index_low, v->index_high, d->decimals);
		strbuf_adds(sb, ")");
	}
	strbuf_adds(sb, "</dd>\n<dt>Xếp hạng</dt><dd>");
	if (v->rank)
		strbuf_addf(sb, "%ld / %ld", v->rank, ranked);
	else
		strbuf_adds(sb, "không xếp hạng");
	if (report_grouped(r)) {
		strbuf_adds(sb, v->ranking != DEF_NONE ? " (nhóm xếp hạng: " : " (");
		esc(sb, v->ranking != DEF_NONE ? report_ranking_label(&r->def, v->ranking)
					       : "loại hình không xếp hạng");
		strbuf_adds(sb, ")");
	}
	if (v->rank && v->has_interval && v->rank_low)
		strbuf_addf(sb, " (khoảng 95 %%: hạng %ld đến %ld)", v->rank_low, v->rank_high);
	strbuf_adds(sb, "</dd>\n<dt>Xếp loại</dt><dd>");
	swatch(sb, report_tier_color(d, v->tier));
	esc(sb, report_tier_label(d, v->tier));
	strbuf_adds(sb, "</dd>\n");
	previous_dd(sb, r, c);
	if (v->has_interval && r->resamples) {
		const long *n = &r->class_resamples[c * (d->ntiers + 1)];
		int first = 1;

		for (size_t t = 0; t <= d->ntiers; t++) {
			if (!n[t])
				continue;
			strbuf_adds(sb, first ? "<dt>Khả năng xếp loại</dt><dd>" : ", ");
			esc(sb, t < d->ntiers ? def_text_get(&d->tiers[t].label, "vi")
					      : "Chưa xếp loại (không có trả lời hợp lệ)");
			strbuf_addf(sb, " %s %%",
				    report_fixed(100.0 * (double)n[t] / (double)r->resamples, 0, buf));
			first = 0;
		}
		if (!first)
			strbuf_adds(sb, "</dd>\n");
	}
	class_reason(sb, r, c);
	strbuf_addf(sb, "<dt>Điểm</dt><dd>%s", report_fixed(v->points, d->decimals, buf));
	strbuf_addf(sb, " / %s (tự đánh giá, thẩm định ", report_fixed(v->max, d->decimals, buf));
	strbuf_addf(sb, "%s; ", report_fixed(v->self_points, d->decimals, buf));
	strbuf_addf(sb, "điều tra xã hội học %s", report_fixed(v->survey_points, d->decimals, buf));
	if (v->has_interval) {
		strbuf_adds(sb, ", khoảng tin cậy 95 %: ");
		add_interval(sb, v->survey_low, v->survey_high, d->decimals);
	}
	strbuf_adds(sb, ")</dd>\n");
	strbuf_addf(sb, "<dt>Phiếu khảo sát</dt><dd>%ld (tối thiểu %d)</dd>\n", v->forms,
		    d->min_forms);
	/* the reasons it is not classified are said above, under "Lý do chưa xếp loại" */
	flags(&note, v->flags, v->tier == DEF_NONE ? ~(unsigned)TALLY_UNCLASSIFIED_FLAGS : ~0u);
	if (note.len) {
		strbuf_adds(sb, "<dt>Ghi chú</dt><dd>");
		strbuf_add(sb, strbuf_str(&note), note.len);
		strbuf_adds(sb, "</dd>\n");
	}
	strbuf_release(&note);
	strbuf_adds(sb, "</dl>\n");
}

static void commune_fields(struct strbuf *sb, const struct report *r, size_t c)
{
	const struct def *d = &r->def;

	strbuf_addf(sb, "<table>\n<thead><tr><th>Lĩnh vực</th><th>Tên</th><th>Điểm đạt được</th>"
			"<th>Điểm tối đa</th><th>Tỷ lệ (%%)</th><th>Trung bình %s (%%)</th></tr>"
			"</thead>\n<tbody>\n", def_area_word(d));
	for (size_t f = 0; f < d->nfields; f++) {
		const struct report_field *v = &r->fields[c * d->nfields + f];

		strbuf_adds(sb, "<tr><td>");
		esc(sb, d->fields[f].id);
		strbuf_adds(sb, "</td><td>");
		esc(sb, def_text_get(&d->fields[f].name, "vi"));
		strbuf_adds(sb, "</td>");
		td_fixed(sb, v->present ? v->points : NAN, d->decimals);
		td_fixed(sb, v->present ? v->max : NAN, d->decimals);
		td_num(sb, v->has_pct ? v->pct_published : "–");
		td_fixed(sb, r->field_mean[f], d->decimals);
		strbuf_adds(sb, "</tr>\n");
	}
	strbuf_adds(sb, "</tbody>\n</table>\n");
}

static void commune_lowest(struct strbuf *sb, const struct report *r, size_t c)
{
	const struct def *d = &r->def;
	size_t low[LOWEST_CRITERIA], n = lowest_criteria(r, c, low, LOWEST_CRITERIA);

	strbuf_addf(sb, "<table>\n<thead><tr><th>Tiêu chí</th><th>Nội dung</th>"
			"<th>Đánh giá bằng</th><th>Điểm đạt được</th><th>Điểm tối đa</th>"
			"<th>Tỷ lệ (%%)</th><th>Trung bình %s (điểm)</th></tr></thead>\n<tbody>\n",
		    def_area_word(d));
	for (size_t k = 0; k < n; k++) {
		const struct def_criterion *cr = &d->criteria[low[k]];
		const struct report_criterion *v = &r->criteria[c * d->ncriteria + low[k]];

		strbuf_adds(sb, "<tr><td>");
		esc(sb, cr->id);
		strbuf_adds(sb, "</td><td>");
		esc(sb, def_text_get(&cr->name, "vi"));
		strbuf_adds(sb, cr->assessed == DEF_SURVEY ? "</td><td>điều tra xã hội học</td>"
							   : "</td><td>tự đánh giá, thẩm định</td>");
		td_fixed(sb, v->points, d->decimals);
		td_fixed(sb, v->max, d->decimals);
		td_fixed(sb, 100.0 * v->points / v->max, d->decimals);
		td_fixed(sb, r->criterion_mean[low[k]], d->decimals);
		strbuf_adds(sb, "</tr>\n");
	}
	if (!n)
		strbuf_adds(sb, "<tr><td colspan=\"7\">Không có tiêu chí nào được áp dụng.</td></tr>\n");
	strbuf_adds(sb, "</tbody>\n</table>\n");
}

static void commune_quota(struct strbuf *sb, const struct report *r, size_t c)
{
	const struct def *d = &r->def;

	strbuf_adds(sb, "<table>\n<thead><tr><th>Nhóm</th><th>Đối tượng</th><th>Số phiếu</th>"
			"<th>Tối thiểu</th><th>Đánh giá</th></tr></thead>\n<tbody>\n");
	for (size_t g = 0; g <= d->ngroups; g++) {
		long forms = g < d->ngroups ? r->groups[c * d->ngroups + g].forms
					    : r->communes[c].forms;
		long min = g < d->ngroups ? r->groups[c * d->ngroups + g].min_forms : d->min_forms;
		char buf[32];

		strbuf_adds(sb, "<tr><td>");
		esc(sb, g < d->ngroups ? d->groups[g].id : "Tổng");
		strbuf_adds(sb, "</td><td>");
		esc(sb, g < d->ngroups ? def_text_get(&d->groups[g].name, "vi") : "Tất cả các nhóm");
		strbuf_adds(sb, "</td>");
		snprintf(buf, sizeof(buf), "%ld", forms);
		td_num(sb, buf);
		snprintf(buf, sizeof(buf), "%ld", min);
		td_num(sb, buf);
		if (forms >= min)
			strbuf_adds(sb, "<td>đạt</td></tr>\n");
		else
			strbuf_addf(sb, "<td class=\"flag\">thiếu %ld phiếu</td></tr>\n", min - forms);
	}
	strbuf_adds(sb, "</tbody>\n</table>\n");
}

static void commune_answers(struct strbuf *sb, const struct report *r, size_t c)
{
	const struct def *d = &r->def;

	for (size_t q = 0; q < d->nquestions; q++) {
		const struct def_question *dq = &d->questions[q];
		const struct def_scale *sc = &d->scales[dq->scale];
		const struct report_question *qv = &r->questions[c * d->nquestions + q];
		char buf[48];

		if (dq->is_profile)
			continue;
		strbuf_adds(sb, "<div class=\"question\">\n<h3>Câu ");
		esc(sb, dq->id);
		strbuf_adds(sb, ". ");
		esc(sb, def_text_get(&dq->text, "vi"));
		strbuf_adds(sb, " <small>(tiêu chí ");
		esc(sb, d->criteria[dq->criterion].id);
		if (qv->present && qv->has_score)
			strbuf_addf(sb, "; điểm câu hỏi %s", report_fixed(qv->score, 4, buf));
		strbuf_adds(sb, ")</small></h3>\n<p class=\"legend\">");
		for (size_t o = 0; o < sc->noptions; o++) {
			strbuf_adds(sb, "<span>");
			swatch(sb, report_option_color(&sc->options[o]));
			esc(sb, def_text_get(&sc->options[o].label, "vi"));
			strbuf_adds(sb, "</span>");
		}
		strbuf_adds(sb, "</p>\n<table>\n<thead><tr><th>Nhóm</th><th>Phân bố</th>"
				"<th>Số phiếu theo phương án</th><th>Hợp lệ</th><th>Điểm nhóm</th>"
				"</tr></thead>\n<tbody>\n");
		for (size_t g = 0; g < d->ngroups; g++) {
			const struct report_count *v =
				&r->counts[(c * d->ngroups + g) * d->nquestions + q];
			long all = v->n_valid + v->n_excluded;
			char n[32];

			if (!(dq->groups & (1u << g)))
				continue;
			strbuf_adds(sb, "<tr><td>");
			esc(sb, d->groups[g].id);
			strbuf_adds(sb, "</td><td><div class=\"bar\">");
			for (size_t o = 0; v->present && all > 0 && o < sc->noptions; o++) {
				if (!v->counts[o])
					continue;
				strbuf_addf(sb, "<span style=\"width:%s%%;background:#%06x\" title=\"",
					    report_fixed(100.0 * (double)v->counts[o] / (double)all, 2,
							 buf),
					    report_option_color(&sc->options[o]));
				esc(sb, def_text_get(&sc->options[o].label, "vi"));
				strbuf_addf(sb, ": %ld\"></span>", v->counts[o]);
			}
			strbuf_adds(sb, "</div></td><td>");
			for (size_t o = 0; v->present && o < sc->noptions; o++) {
				strbuf_adds(sb, o ? " · " : "");
				esc(sb, def_text_get(&sc->options[o].label, "vi"));
				strbuf_addf(sb, " %ld", v->counts[o]);
			}
			strbuf_adds(sb, "</td>");
			snprintf(n, sizeof(n), "%ld", v->n_valid);
			td_num(sb, v->present ? n : "0");
			td_fixed(sb, v->present && v->has_score ? v->score : NAN, 4);
			strbuf_adds(sb, "</tr>\n");
		}
		strbuf_adds(sb, "</tbody>\n</table>\n</div>\n");
	}
}

static int commune_page(const struct report *r, size_t c, const struct report_charts *charts,
			const char *chart_dir, unsigned formats, const char *dir,
			struct perr *err)
{
	const struct report_commune *v = &r->communes[c];
	struct strbuf sb = STRBUF_INIT;
	char *name = report_safe_name("", v->code), *chart = report_safe_name("fields-", v->code);
	char *path = xasprintf("%s/communes/%s.html", dir, name);
	char *title = xasprintf("%s — Chỉ số CCHC %d", v->name, r->def.year);
	const struct report_chart *ch = find_chart(charts, chart);
	int rc = -1;

	head(&sb, title, NULL);
	strbuf_adds(&sb, "<nav><a href=\"../index.html\">← Bảng xếp hạng</a></nav>\n<header>\n<h1>");
	esc(&sb, v->name);
	strbuf_adds(&sb, "</h1>\n");
	meta_line(&sb, r);
	strbuf_adds(&sb, "<p class=\"meta\">");
	esc(&sb, v->type);
	strbuf_adds(&sb, ", mã đơn vị ");
	esc(&sb, v->code);
	strbuf_adds(&sb, "</p>\n</header>\n");
	commune_summary(&sb, r, c);
	strbuf_adds(&sb, "<section>\n<h2>Điểm theo lĩnh vực</h2>\n");
	commune_fields(&sb, r, c);
	if (ch && figure(&sb, ch, NULL, chart_dir, formats, err) < 0)
		goto done;
	strbuf_adds(&sb, "</section>\n<section>\n<h2>Các tiêu chí đạt tỷ lệ thấp nhất</h2>\n");
	commune_lowest(&sb, r, c);
	strbuf_adds(&sb, "</section>\n<section>\n<h2>Số phiếu khảo sát so với chỉ tiêu</h2>\n");
	commune_quota(&sb, r, c);
	strbuf_adds(&sb, "</section>\n");
	quality_section(&sb, r, c);
	strbuf_adds(&sb, "<section class=\"page\">\n<h2>Phân bố trả lời khảo sát</h2>\n");
	commune_answers(&sb, r, c);
	strbuf_adds(&sb, "</section>\n");
	confidence_note(&sb, r);
	note(&sb, r);
	footer(&sb, r);
	rc = write_page(path, &sb, err);
done:
	free(name);
	free(chart);
	free(path);
	free(title);
	strbuf_release(&sb);
	return rc;
}

int report_html(const struct report *r, const struct report_charts *charts,
		const char *chart_dir, unsigned formats, const char *dir, struct perr *err)
{
	char *sub = xasprintf("%s/communes", dir);

	if (mkdir(sub, 0777) != 0 && errno != EEXIST) {
		perr_set(err, PERR_SYSTEM, sub, "cannot create folder: %s", strerror(errno));
		free(sub);
		return -1;
	}
	free(sub);
	if (index_page(r, charts, chart_dir, formats, dir, err) < 0)
		return -1;
	for (size_t c = 0; c < r->ncommunes; c++)
		if (commune_page(r, c, charts, chart_dir, formats, dir, err) < 0)
			return -1;
	return 0;
}
