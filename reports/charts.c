/* Charts: for each, a tab-separated data file (.dat) and a gnuplot script (.gp) that draws
   it as PNG and/or SVG with the cairo terminals and the DejaVu Sans font (Vietnamese
   diacritics), then gnuplot run on each script through core/spawn (no shell). */
#include "reports.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "spawn.h"
#include "text.h"

#define CHART_FONT "DejaVu Sans,10"
#define TITLE_WIDTH 90 /* characters per title line before it wraps */

unsigned report_tier_color(const struct def *d, size_t tier)
{
	static const unsigned ladder[] = { 0x1a9850, 0x91cf60, 0xf0c419, 0xfdae61, 0xf46d43 };

	if (tier >= d->ntiers) /* chưa xếp loại: grey, never the red of "not completed" */
		return 0xb0b0b0;
	if (d->tiers[tier].is_otherwise)
		return 0xd73027;
	return ladder[tier < 5 ? tier : 4];
}

static unsigned mix(unsigned a, unsigned b, double t)
{
	unsigned out = 0;

	for (int shift = 16; shift >= 0; shift -= 8) {
		double x = (double)((a >> shift) & 0xff), y = (double)((b >> shift) & 0xff);

		out |= (unsigned)lround(x + (y - x) * t) << shift;
	}
	return out;
}

/* A threshold line and its label in the tier's colour darkened, so the line still shows where
   it crosses bars of that same colour (65 over yellow) and the label reads on white. */
static unsigned line_color(const struct def *d, size_t tier)
{
	return mix(report_tier_color(d, tier), 0x000000, 0.4);
}

unsigned report_option_color(const struct def_option *o)
{
	if (o->excluded || !o->has_weight)
		return 0xbdbdbd;
	if (o->weight <= 0.5)
		return mix(0xd73027, 0xfee08b, o->weight / 0.5);
	return mix(0xfee08b, 0x1a9850, (o->weight - 0.5) / 0.5);
}

unsigned report_group_color(size_t group)
{
	static const unsigned v[] = { 0x1f77b4, 0xff7f0e, 0x2ca02c, 0x9467bd, 0x8c564b,
				      0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf };

	return v[group % (sizeof(v) / sizeof(v[0]))];
}

/* Every text of a script that is not the script's own goes through core/escape's gnuplot
   rule (a single-quoted string: no backquote command, macro or backslash survives). */
void report_gp_quote(struct strbuf *sb, const char *s)
{
	struct strbuf line = STRBUF_INIT;

	/* one line: a line break in a name or label is a space */
	for (; *s; s++)
		strbuf_addc(&line, *s == '\n' ? ' ' : *s);
	escape_gp(sb, strbuf_str(&line));
	strbuf_release(&line);
}

/* s broken into lines ('\n') of at most width characters at spaces (characters, not bytes:
   UTF-8 continuation bytes are not counted), appended to all. */
static void wrap_words(struct strbuf *all, const char *s, size_t width)
{
	struct strbuf line = STRBUF_INIT;
	size_t chars = 0;

	while (*s) {
		size_t n = strcspn(s, " \n");
		size_t wchars = 0;

		for (size_t i = 0; i < n; i++)
			wchars += ((unsigned char)s[i] & 0xc0) != 0x80;
		if (chars && chars + 1 + wchars > width) {
			strbuf_add(all, strbuf_str(&line), line.len);
			strbuf_addc(all, '\n');
			strbuf_reset(&line);
			chars = 0;
		}
		if (chars) {
			strbuf_addc(&line, ' ');
			chars++;
		}
		strbuf_add(&line, s, n);
		chars += wchars;
		s += n;
		s += strspn(s, " \n");
	}
	strbuf_add(all, strbuf_str(&line), line.len);
	strbuf_release(&line);
}

/* A title quoted for gnuplot, broken into lines of at most TITLE_WIDTH characters: one
   string of core/escape's gnuplot rule, its lines joined by gnuplot's "\n". */
static void gp_title(struct strbuf *sb, const char *s)
{
	struct strbuf all = STRBUF_INIT;

	wrap_words(&all, s, TITLE_WIDTH);
	escape_gp(sb, strbuf_str(&all));
	strbuf_release(&all);
}

/* A text column of a data file: no control character (a tab would split the column, an ESC
   would make the SVG not XML) or double quote (gnuplot's string delimiter) can reach it; a
   control character is a space. gnuplot reads backslash escapes in a data column, quoted or not
   (a name "c\033d" would put an ESC into the SVG, which then is not XML): a backslash is
   written doubled and shown as one. */
void report_dat_text(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20)
			strbuf_addc(sb, ' ');
		else if (*s == '"')
			strbuf_addc(sb, '\'');
		else if (*s == '\\')
			strbuf_adds(sb, "\\\\");
		else
			strbuf_addc(sb, *s);
	}
}

/* A tic label column of a data file: s wrapped at width characters, in double quotes so that
   gnuplot breaks the lines at its "\n" escapes; no double quote or control character of s
   reaches it, and a backslash is doubled (shown as one, never read as an escape). Returns
   the number of lines. */
int report_dat_label(struct strbuf *sb, const char *s, size_t width)
{
	struct strbuf all = STRBUF_INIT;
	int lines = 1;

	wrap_words(&all, s, width);
	strbuf_addc(sb, '"');
	for (const char *p = strbuf_str(&all); *p; p++) {
		if (*p == '\n') {
			strbuf_adds(sb, "\\n");
			lines++;
		} else if (*p == '"')
			strbuf_addc(sb, '\'');
		else if (*p == '\\')
			strbuf_adds(sb, "\\\\");
		else if ((unsigned char)*p < 0x20)
			strbuf_addc(sb, ' ');
		else
			strbuf_addc(sb, *p);
	}
	strbuf_addc(sb, '"');
	strbuf_release(&all);
	return lines;
}

/* Characters of a tic label under each of n bars or groups of bars across a chart w pixels
   wide (8-point DejaVu Sans: about 6.5 pixels a character, and a space between labels). */
static size_t tic_width(int w, size_t n)
{
	size_t chars = (size_t)((w - 140) / 7) / (n ? n : 1);

	return chars < 12 ? 12 : chars > 40 ? 40 : chars;
}

static void dat_num(struct strbuf *sb, double x, int decimals)
{
	char buf[48];

	strbuf_adds(sb, isnan(x) ? "?" : report_fixed(x, decimals, buf));
}

/* Longest encoded id kept whole in a file name (NAME_MAX is 255, "answers-" and ".png"
   included). */
#define NAME_ID_MAX 160

char *report_safe_name(const char *prefix, const char *id)
{
	struct strbuf sb = STRBUF_INIT;
	size_t keep = 0;

	strbuf_adds(&sb, prefix);
	for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_')
			strbuf_addc(&sb, (char)*p);
		else
			strbuf_addf(&sb, "~%02x", *p);
		if (sb.len - strlen(prefix) <= NAME_ID_MAX - 18)
			keep = sb.len;
	}
	if (sb.len - strlen(prefix) > NAME_ID_MAX) {
		char sha[65];

		/* too long: the start, then "~~" and 64 bits of the id's sha256 */
		text_sha256_hex(id, strlen(id), sha);
		sb.len = keep;
		strbuf_addf(&sb, "~~%.16s", sha);
	}
	return strbuf_detach(&sb, NULL);
}

static int write_file(const char *dir, const char *name, const char *ext,
		      const struct strbuf *sb, struct perr *err)
{
	char *path = xasprintf("%s/%s.%s", dir, name, ext);
	FILE *f = fopen(path, "wb");
	int bad;

	if (!f) {
		perr_set(err, PERR_SYSTEM, path, "cannot write: %s", strerror(errno));
		free(path);
		return -1;
	}
	bad = fwrite(strbuf_str(sb), 1, sb->len, f) != sb->len;
	if (fclose(f) != 0 || bad) {
		perr_set(err, PERR_SYSTEM, path, "cannot write: %s", strerror(errno));
		free(path);
		return -1;
	}
	free(path);
	return 0;
}

/* Bars side by side per x value, a light grid, the key under the plot. */
#define GP_CLUSTERED                                                                          \
	"set grid ytics lc rgb \"#dddddd\"\n"                                                   \
	"set style data histograms\n"                                                         \
	"set style histogram clustered gap 1\n"                                               \
	"set style fill solid 0.9 border rgb \"#404040\"\n"                                     \
	"set key outside bottom center horizontal\n"

/* The script's head: what it is, the data format, the size; then the first terminal. */
static void gp_begin(struct strbuf *gp, const char *name, const char *title, int w, int h,
		     unsigned formats)
{
	strbuf_addf(gp, "# parindex report: chart '%s' from %s.dat; redraw with: gnuplot %s.gp\n",
		    name, name, name);
	/* no "set encoding": the cairo terminals take the UTF-8 text as it is, whatever the
	   locale, while "set encoding utf8" warns under LC_ALL=C */
	strbuf_adds(gp, "set datafile separator \"\\t\"\n"
			"set datafile missing \"?\"\n");
	strbuf_addf(gp, "set terminal %s size %d,%d font \"" CHART_FONT "\" noenhanced "
			"background \"#ffffff\"\n",
		    formats & REPORT_PNG ? "pngcairo" : "svg", w, h);
	strbuf_addf(gp, "set output \"%s.%s\"\n", name, formats & REPORT_PNG ? "png" : "svg");
	strbuf_adds(gp, "set title ");
	gp_title(gp, title);
	strbuf_adds(gp, "\n");
}

/* After the plot: the same chart again as SVG when both formats are wanted. */
static void gp_end(struct strbuf *gp, const char *name, int w, int h, unsigned formats)
{
	if ((formats & REPORT_PNG) && (formats & REPORT_SVG)) {
		strbuf_addf(gp, "set terminal svg size %d,%d font \"" CHART_FONT "\" noenhanced "
				"background \"#ffffff\"\n",
			    w, h);
		strbuf_addf(gp, "set output \"%s.svg\"\nreplot\n", name);
	}
	strbuf_adds(gp, "unset output\n");
}

/* A district's 15-25 communes: a bar (or group of bars) per commune across the usual width.
   Past REPORT_DISTRICT_UNITS (a province, the country) the charts change shape instead of growing
   wider: the ranking as horizontal bars in parts of at most RANKING_PART units (one printed
   A4 page each), the quotas as a histogram of coverage, the appraisal as a scatter plot. */
#define DISTRICT_WIDTH 1100
#define RANKING_PART 35
#define BAR_HEIGHT 20 /* pixels per unit of a horizontal ranking */

static int is_large(const struct report *r)
{
	return r->ncommunes > REPORT_DISTRICT_UNITS;
}

static void add_chart(struct report_charts *charts, const char *name, const char *title,
		      size_t commune)
{
	xgrow(&charts->v, &charts->alloc, charts->n + 1, sizeof(*charts->v));
	charts->v[charts->n++] = (struct report_chart){ xstrdup(name), xstrdup(title), commune, 0 };
}

/* Write a chart's data and script, list it, and release what was built for it. */
static int save_chart(const char *dir, const char *name, char *title, size_t commune,
		      struct strbuf *dat, struct strbuf *gp, struct report_charts *charts,
		      struct perr *err)
{
	int rc = write_file(dir, name, "dat", dat, err) < 0 ||
		 write_file(dir, name, "gp", gp, err) < 0;

	if (!rc)
		add_chart(charts, name, title, commune);
	free(title);
	strbuf_release(dat);
	strbuf_release(gp);
	return rc ? -1 : 0;
}


static const char *where_of(const struct def *d, char *buf, size_t size)
{
	/* the definition's area: its district, else (a province's) its province */
	snprintf(buf, size, "%s, năm %d",
		 d->district && *d->district ? d->district : d->province ? d->province : "",
		 d->year);
	return buf;
}

/* The key of a ranking chart: each tier's colour and thresholds, and grey for not
   classified when some unit is. */
static void ranking_key(const struct report *r, struct strbuf *gp)
{
	const struct def *d = &r->def;

	for (size_t t = 0; t < d->ntiers; t++) {
		const struct def_tier *tier = &d->tiers[t];
		char *key = tier->is_otherwise
				    ? xasprintf("%s", def_text_get(&tier->label, "vi"))
				    : xasprintf("%s (≥ %g; lĩnh vực ≥ %g)",
						def_text_get(&tier->label, "vi"), tier->min_index,
						tier->min_field);

		strbuf_addf(gp, ", \\\n     keyentry with boxes lc rgb \"#%06x\" title ",
			    report_tier_color(d, t));
		report_gp_quote(gp, key);
		free(key);
	}
	if (r->nunclassified)
		strbuf_addf(gp, ", \\\n     keyentry with boxes lc rgb \"#%06x\" title "
				"\"Chưa xếp loại (thiếu điểm hoặc phiếu khảo sát)\"",
			    report_tier_color(d, DEF_NONE));
	strbuf_adds(gp, "\n");
}

/* The note "* không xếp hạng" when a unit is not ranked, and the tiers' index thresholds
   with their labels: lines across a chart of columns, down a chart of horizontal bars. */
static void ranking_thresholds(const struct def *d, struct strbuf *gp, int unranked, int bars)
{
	if (unranked)
		strbuf_adds(gp, "set label \"* không xếp hạng\" at graph 1, graph 1 right "
				"font \",8\" offset 0,0.8\n");
	for (size_t t = 0; t < d->ntiers; t++) {
		const struct def_tier *tier = &d->tiers[t];
		char *text;

		if (tier->is_otherwise)
			continue;
		strbuf_addf(gp, bars ? "set arrow from first %g, graph 0 to first %g, graph 1 nohead "
				       "dt 2 lw 2 lc rgb \"#%06x\" front\n"
				     : "set arrow from graph 0, first %g to graph 1, first %g nohead "
				       "dt 2 lw 2 lc rgb \"#%06x\" front\n",
			    tier->min_index, tier->min_index, line_color(d, t));
		text = xasprintf("%g", tier->min_index);
		strbuf_adds(gp, "set label ");
		report_gp_quote(gp, text);
		strbuf_addf(gp, bars ? " at first %g, graph 1 offset 0,0.6 center font \",8\" "
				       "tc rgb \"#%06x\"\n"
				     : " at graph 1, first %g offset 1,0 left font \",8\" "
				       "tc rgb \"#%06x\"\n",
			    tier->min_index, line_color(d, t));
		free(text);
	}
}

/* A ranking row of a data file: rank, code, name (" *" when not ranked), index, colour,
   tier, and the label shown beside a horizontal bar ("12. name"). */
static int ranking_row(const struct report *r, size_t c, struct strbuf *dat, int label)
{
	const struct def *d = &r->def;
	const struct report_commune *v = &r->communes[c];

	if (v->rank)
		strbuf_addf(dat, "%ld\t", v->rank);
	else
		strbuf_adds(dat, "-\t");
	report_dat_text(dat, v->code);
	strbuf_addc(dat, '\t');
	report_dat_text(dat, v->name);
	if (!v->rank)
		strbuf_adds(dat, " *");
	strbuf_addf(dat, "\t%s\t%u\t", v->index_published, report_tier_color(d, v->tier));
	report_dat_text(dat, v->tier < d->ntiers ? d->tiers[v->tier].id : "-");
	if (label) {
		if (v->rank)
			strbuf_addf(dat, "\t%ld. ", v->rank);
		else
			strbuf_adds(dat, "\t– ");
		report_dat_text(dat, v->name);
		if (!v->rank)
			strbuf_adds(dat, " *");
	}
	strbuf_addc(dat, '\n');
	return !v->rank;
}

/* The units one ranking chart shows: a ranking group's, [from, to) of r->communes; name is
   the chart's ("ranking" when the definition has one group, else "ranking-" and the group's
   id), label the group's name for the title (NULL: one group). */
struct ranking_set {
	size_t from, to;
	char *name;
	const char *label;
};

/* Part `part` (1-based) of `parts` of a large ranking: the units [from, to) in ranking order
   as horizontal bars, best at the top, names readable beside them, coloured by class, the
   tiers' index thresholds drawn down the chart. */
static int chart_ranking_bars(const struct report *r, const struct ranking_set *set,
			      size_t from, size_t to, size_t part, size_t parts, const char *dir,
			      unsigned formats, struct report_charts *charts, struct perr *err)
{
	const struct def *d = &r->def;
	struct strbuf dat = STRBUF_INIT, gp = STRBUF_INIT;
	char where[300], *title, *name, *file;
	size_t rows = to - from, label_chars = 0;
	int unranked = 0, height = 190 + BAR_HEIGHT * (int)rows, rc;

	/* "~p" cannot come out of report_safe_name (a "~" there is followed by hex digits) */
	name = parts > 1 ? xasprintf("%s~p%zu", set->name, part) : xstrdup(set->name);
	strbuf_adds(&dat, "# rank\tcode\tname\tindex\tcolour\ttier\tlabel\n");
	for (size_t c = from; c < to; c++) {
		size_t chars = 6;

		unranked |= ranking_row(r, c, &dat, 1);
		for (const char *p = r->communes[c].name; *p; p++)
			chars += ((unsigned char)*p & 0xc0) != 0x80;
		label_chars = chars > label_chars ? chars : label_chars;
	}
	if (parts > 1)
		title = xasprintf("Xếp hạng Chỉ số CCHC — %s%s%s (phần %zu/%zu: thứ tự %zu–%zu)",
				  set->label ? set->label : "", set->label ? " — " : "",
				  where_of(d, where, sizeof(where)), part, parts,
				  from - set->from + 1, to - set->from);
	else
		title = xasprintf("Xếp hạng Chỉ số CCHC — %s%s%s", set->label ? set->label : "",
				  set->label ? " — " : "", where_of(d, where, sizeof(where)));
	gp_begin(&gp, name, title, DISTRICT_WIDTH, height, formats);
	file = xasprintf("%s.dat", name);
	/* gnuplot sizes the margins before it reads the names: room for the longest */
	strbuf_addf(&gp, "set lmargin %zu\n", label_chars > 48 ? 48 : label_chars + 1);
	strbuf_addf(&gp, "set format x \"%%g %%%%\"\n"
			 "set xrange [0:105]\n"
			 "set yrange [%zu.6:-0.6]\n", rows - 1);
	strbuf_adds(&gp, "set xtics 10 nomirror\n"
			 "set ytics nomirror scale 0 font \",9\"\n"
			 "set grid xtics lc rgb \"#dddddd\"\n"
			 "set style fill solid 0.9 border rgb \"#404040\"\n"
			 "set rmargin 6\n"
			 "set key outside bottom center horizontal\n");
	ranking_thresholds(d, &gp, unranked, 1);
	strbuf_adds(&gp, "plot ");
	report_gp_quote(&gp, file);
	strbuf_adds(&gp, " using (column(4)/2):0:(column(4)/2):(0.35):5:ytic(7) with boxxyerror "
			 "lc rgb variable notitle, \\\n"
			 "     \"\" using 4:0:(strcol(4)) with labels left offset 0.5,0 font \",8\" "
			 "notitle");
	ranking_key(r, &gp);
	gp_end(&gp, name, DISTRICT_WIDTH, height, formats);
	rc = save_chart(dir, name, title, (size_t)-1, &dat, &gp, charts, err);
	free(file);
	free(name);
	return rc;
}

/* The ranking: one bar per commune in ranking order, coloured by class, with the index
   thresholds of the tiers drawn across. */
static int chart_ranking(const struct report *r, const struct ranking_set *set,
			 const char *dir, unsigned formats, struct report_charts *charts,
			 struct perr *err)
{
	const struct def *d = &r->def;
	struct strbuf dat = STRBUF_INIT, gp = STRBUF_INIT;
	char where[300], *title;
	size_t n = set->to - set->from;
	int unranked = 0;

	if (n > REPORT_DISTRICT_UNITS) {
		/* parts of equal size, none over RANKING_PART */
		size_t parts = (n + RANKING_PART - 1) / RANKING_PART;

		for (size_t p = 0; p < parts; p++)
			if (chart_ranking_bars(r, set, set->from + n * p / parts,
					       set->from + n * (p + 1) / parts, p + 1, parts, dir,
					       formats, charts, err) < 0)
				return -1;
		return 0;
	}
	strbuf_adds(&dat, "# rank\tcode\tname\tindex\tcolour\ttier\n");
	for (size_t c = set->from; c < set->to; c++)
		unranked |= ranking_row(r, c, &dat, 0);
	title = xasprintf("Xếp hạng Chỉ số CCHC — %s%s%s", set->label ? set->label : "",
			  set->label ? " — " : "", where_of(d, where, sizeof(where)));
	gp_begin(&gp, set->name, title, DISTRICT_WIDTH, 620, formats);
	strbuf_adds(&gp, "set ylabel \"Chỉ số CCHC (%)\"\n"
			 "set yrange [0:105]\n");
	strbuf_addf(&gp, "set xrange [-0.6:%zu.4]\n", n - 1);
	strbuf_adds(&gp, "set xtics rotate by 45 right nomirror\n"
			 "set ytics 10 nomirror\n"
			 "set grid ytics lc rgb \"#dddddd\"\n"
			 "set style fill solid 0.9 border rgb \"#404040\"\n"
			 "set boxwidth 0.7\n"
			 "set rmargin 6\n"
			 "set key outside bottom center horizontal\n");
	ranking_thresholds(d, &gp, unranked, 0);
	strbuf_addf(&gp, "plot \"%s.dat\" using 0:4:5:xtic(3) with boxes lc rgb variable "
			 "notitle, \\\n", set->name);
	strbuf_adds(&gp, ""
			 "     \"\" using 0:4:(strcol(4)) with labels offset 0,0.7 font \",8\" "
			 "notitle");
	ranking_key(r, &gp);
	gp_end(&gp, set->name, DISTRICT_WIDTH, 620, formats);
	return save_chart(dir, set->name, title, (size_t)-1, &dat, &gp, charts, err);
}

/* A ranking chart per ranking group of the definition (its units are together in
   r->communes); the types it does not rank are in none. */
static int chart_rankings(const struct report *r, const char *dir, unsigned formats,
			  struct report_charts *charts, struct perr *err)
{
	const struct def *d = &r->def;
	size_t c = 0;

	for (size_t g = 0; g < d->nrankings; g++) {
		struct ranking_set set = { c, c, NULL, NULL };
		int rc;

		while (set.to < r->ncommunes && r->communes[set.to].ranking == g)
			set.to++;
		c = set.to;
		if (set.from == set.to)
			continue;
		if (d->nrankings > 1) {
			set.name = report_safe_name("ranking-", d->rankings[g].id);
			set.label = report_ranking_label(d, g);
		} else {
			set.name = xstrdup("ranking");
		}
		rc = chart_ranking(r, &set, dir, formats, charts, err);
		free(set.name);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* One commune's field percentages beside the district mean. */
static int chart_fields(const struct report *r, size_t c, const char *dir, unsigned formats,
			struct report_charts *charts, struct perr *err)
{
	const struct def *d = &r->def;
	const struct report_commune *v = &r->communes[c];
	struct strbuf dat = STRBUF_INIT, gp = STRBUF_INIT;
	char *name = report_safe_name("fields-", v->code), *title, *file;
	int rc, lines = 1, n;

	strbuf_adds(&dat, "# field\tname\tcommune %\tdistrict mean %\n");
	for (size_t f = 0; f < d->nfields; f++) {
		const struct report_field *fv = &r->fields[c * d->nfields + f];

		char *label = xasprintf("%s. %s", d->fields[f].id,
					def_text_get(&d->fields[f].name, "vi"));

		report_dat_text(&dat, d->fields[f].id);
		strbuf_addc(&dat, '\t');
		/* the field's name under its bars, wrapped to the width of its group of bars */
		n = report_dat_label(&dat, label, tic_width(1100, d->nfields));
		lines = n > lines ? n : lines;
		free(label);
		strbuf_addf(&dat, "\t%s\t", fv->has_pct ? fv->pct_published : "?");
		dat_num(&dat, r->field_mean[f], d->decimals);
		strbuf_addc(&dat, '\n');
	}
	title = xasprintf("%s %s: tỷ lệ điểm theo lĩnh vực so với trung bình %s", v->type,
			  v->name, def_area_word(d));
	/* the register writes the type in lower case ("xã"); a title starts with a capital */
	if (title[0] >= 'a' && title[0] <= 'z')
		title[0] = (char)(title[0] - 'a' + 'A');
	gp_begin(&gp, name, title, 1100, 600, formats);
	file = xasprintf("%s.dat", name);
	/* the field floors of the tiers, so a field that held the class back shows */
	for (size_t t = 0; t < d->ntiers; t++) {
		if (d->tiers[t].is_otherwise)
			continue;
		strbuf_addf(&gp, "set arrow from graph 0, first %g to graph 1, first %g nohead dt 2 "
				 "lw 2 lc rgb \"#%06x\" front\n",
			    d->tiers[t].min_field, d->tiers[t].min_field, line_color(d, t));
		strbuf_addf(&gp, "set label \"sàn %g\" at graph 1, first %g offset 1,0 left "
				 "font \",8\" tc rgb \"#%06x\"\n",
			    d->tiers[t].min_field, d->tiers[t].min_field, line_color(d, t));
	}
	/* room under the plot for the names (gnuplot sizes margins before it reads them) and
	   the key under them, away from the title */
	strbuf_addf(&gp, "set bmargin %d\n", lines + 3);
	strbuf_adds(&gp, "set rmargin 9\n"
			 "set ylabel \"Tỷ lệ điểm đạt được (%)\"\n"
			 "set yrange [0:105]\n"
			 "set ytics 10 nomirror\n"
			 "set xtics nomirror font \",8\"\n"
			 GP_CLUSTERED
			 "plot ");
	report_gp_quote(&gp, file);
	strbuf_adds(&gp, " using 3:xtic(2) lc rgb \"#2b8cbe\" title ");
	report_gp_quote(&gp, v->name);
	strbuf_addf(&gp, ", \\\n     \"\" using 4 lc rgb \"#bdbdbd\" title \"Trung bình %s\"\n",
		    def_area_word(d));
	gp_end(&gp, name, 1100, 600, formats);
	rc = save_chart(dir, name, title, c, &dat, &gp, charts, err);
	free(file);
	free(name);
	return rc ? -1 : 0;
}

/* One question's answers over the district, one 100 % bar per group asked. */
static int chart_distribution(const struct report *r, size_t q, const char *dir,
			      unsigned formats, struct report_charts *charts, struct perr *err)
{
	const struct def *d = &r->def;
	const struct def_question *dq = &d->questions[q];
	const struct def_scale *sc = &d->scales[dq->scale];
	struct strbuf dat = STRBUF_INIT, gp = STRBUF_INIT;
	char *name = report_safe_name("answers-", dq->id), *title, *file, *label;
	long *sum = xcalloc(sc->noptions, sizeof(long));
	int rc, lines = 1, n;
	size_t ngroups = 0;

	for (size_t g = 0; g < d->ngroups; g++)
		ngroups += (dq->groups & (1u << g)) != 0;

	strbuf_adds(&dat, "Nhóm\tMã nhóm");
	for (size_t o = 0; o < sc->noptions; o++) {
		strbuf_addc(&dat, '\t');
		report_dat_text(&dat, def_text_get(&sc->options[o].label, "vi"));
	}
	strbuf_addc(&dat, '\n');
	for (size_t g = 0; g < d->ngroups; g++) {
		long all = 0;

		if (!(dq->groups & (1u << g)))
			continue;
		memset(sum, 0, sc->noptions * sizeof(long));
		for (size_t c = 0; c < r->ncommunes; c++) {
			const struct report_count *v =
				&r->counts[(c * d->ngroups + g) * d->nquestions + q];

			if (!v->present)
				continue;
			for (size_t o = 0; o < sc->noptions; o++)
				sum[o] += v->counts[o];
		}
		for (size_t o = 0; o < sc->noptions; o++)
			all += sum[o];
		label = xasprintf("%s. %s (n=%ld)", d->groups[g].id,
				  def_text_get(&d->groups[g].name, "vi"), all);
		/* a rowstacked histogram leaves half a bar's room on each side */
		n = report_dat_label(&dat, label, tic_width(1100, ngroups + 1));
		lines = n > lines ? n : lines;
		free(label);
		strbuf_addc(&dat, '\t');
		report_dat_text(&dat, d->groups[g].id);
		for (size_t o = 0; o < sc->noptions; o++) {
			strbuf_addc(&dat, '\t');
			dat_num(&dat, all ? 100.0 * (double)sum[o] / (double)all : 0, d->decimals);
		}
		strbuf_addc(&dat, '\n');
	}
	title = xasprintf("Câu %s. %s", dq->id, def_text_get(&dq->text, "vi"));
	gp_begin(&gp, name, title, 1100, 480, formats);
	file = xasprintf("%s.dat", name);
	strbuf_addf(&gp, "set bmargin %d\n", lines + 3);
	strbuf_adds(&gp, "set ylabel \"Tỷ lệ trả lời (%)\"\n"
			 "set yrange [0:100]\n"
			 "set ytics 20 nomirror\n"
			 "set xtics nomirror font \",8\"\n"
			 "set grid ytics lc rgb \"#dddddd\"\n"
			 "set style data histograms\n"
			 "set style histogram rowstacked\n"
			 "set style fill solid 0.9 border rgb \"#404040\"\n"
			 "set boxwidth 0.6\n"
			 "set key outside bottom center horizontal\n"
			 "plot ");
	for (size_t o = 0; o < sc->noptions; o++) {
		if (o)
			strbuf_adds(&gp, ", \\\n     \"\"");
		else
			report_gp_quote(&gp, file);
		strbuf_addf(&gp, " using %zu%s title columnheader(%zu) lc rgb \"#%06x\"", o + 3,
			    o ? "" : ":xtic(1)", o + 3, report_option_color(&sc->options[o]));
	}
	strbuf_adds(&gp, "\n");
	gp_end(&gp, name, 1100, 480, formats);
	rc = save_chart(dir, name, title, (size_t)-1, &dat, &gp, charts, err);
	free(sum);
	free(file);
	free(name);
	return rc;
}

/* The chart that says there is nothing to draw (gnuplot stops at a data file without a valid
   point, and would take the charts after it in its batch along). */
static void gp_nothing(struct strbuf *gp, const char *text)
{
	strbuf_adds(gp, "unset border\n"
			"unset tics\n"
			"unset key\n"
			"set label ");
	report_gp_quote(gp, text);
	strbuf_adds(gp, " at graph 0.5, graph 0.5 center font \",14\"\n"
			"plot [0:1] [0:1] 2 notitle\n");
}

/* A large area's quotas: for each group, how many units reached what share of the group's
   minimum (a bar per unit would not fit a page). */
static const struct {
	int below; /* the bin holds forms × 100 < below × min (0: no upper bound) */
	const char *label;
} coverage_bins[] = {
	{ 50, "dưới 50 %" }, { 80, "50–79 %" }, { 100, "80–99 %" },
	{ 120, "100–119 %" }, { 0, "từ 120 %" },
};
#define NBINS (sizeof(coverage_bins) / sizeof(coverage_bins[0]))

static int chart_quota_coverage(const struct report *r, const char *dir, unsigned formats,
				struct report_charts *charts, struct perr *err)
{
	const struct def *d = &r->def;
	struct strbuf dat = STRBUF_INIT, gp = STRBUF_INIT;
	char where[300], *title;
	size_t *n = xcalloc(NBINS * (d->ngroups ? d->ngroups : 1), sizeof(size_t));
	int points = 0;

	for (size_t c = 0; c < r->ncommunes; c++)
		for (size_t g = 0; g < d->ngroups; g++) {
			const struct report_group *v = &r->groups[c * d->ngroups + g];
			size_t b = 0;

			if (v->min_forms <= 0)
				continue;
			while (coverage_bins[b].below &&
			       v->forms * 100 >= (long)coverage_bins[b].below * v->min_forms)
				b++;
			n[b * d->ngroups + g]++;
			points = 1;
		}
	strbuf_adds(&dat, "# share of the minimum");
	for (size_t g = 0; g < d->ngroups; g++)
		strbuf_addf(&dat, "\t%s units", d->groups[g].id);
	strbuf_addc(&dat, '\n');
	for (size_t b = 0; b < NBINS; b++) {
		report_dat_label(&dat, coverage_bins[b].label, 20);
		for (size_t g = 0; g < d->ngroups; g++)
			strbuf_addf(&dat, "\t%zu", n[b * d->ngroups + g]);
		strbuf_addc(&dat, '\n');
	}
	free(n);
	title = xasprintf("Số đơn vị theo tỷ lệ số phiếu khảo sát so với chỉ tiêu tối thiểu của "
			  "từng nhóm — %s",
			  where_of(d, where, sizeof(where)));
	gp_begin(&gp, "quota", title, DISTRICT_WIDTH, 620, formats);
	if (!points) {
		gp_nothing(&gp, "Không có số phiếu theo nhóm trong kết quả tổng hợp");
	} else {
		strbuf_adds(&gp, "set ylabel \"Số đơn vị\"\n"
				 "set xlabel \"Số phiếu / số phiếu tối thiểu của nhóm\"\n"
				 "set yrange [0:*]\n"
				 "set ytics nomirror\n"
				 "set xtics nomirror\n"
				 GP_CLUSTERED
				 "plot ");
		for (size_t g = 0; g < d->ngroups; g++) {
			char *key = xasprintf("%s. %s (tối thiểu %d)", d->groups[g].id,
					      def_text_get(&d->groups[g].name, "vi"),
					      d->groups[g].min_forms);

			if (g)
				strbuf_adds(&gp, ", \\\n     \"\"");
			else
				strbuf_adds(&gp, "\"quota.dat\"");
			strbuf_addf(&gp, " using %zu%s lc rgb \"#%06x\" title ", g + 2,
				    g ? "" : ":xtic(1)", report_group_color(g));
			report_gp_quote(&gp, key);
			free(key);
		}
		strbuf_adds(&gp, "\n");
	}
	gp_end(&gp, "quota", DISTRICT_WIDTH, 620, formats);
	return save_chart(dir, "quota", title, (size_t)-1, &dat, &gp, charts, err);
}

/* Forms per commune and group as a percentage of the group's minimum; 100 % drawn across. */
static int chart_quota(const struct report *r, const char *dir, unsigned formats,
		       struct report_charts *charts, struct perr *err)
{
	const struct def *d = &r->def;
	struct strbuf dat = STRBUF_INIT, gp = STRBUF_INIT;
	char where[300], *title;
	int points = 0;

	if (is_large(r))
		return chart_quota_coverage(r, dir, formats, charts, err);
	strbuf_adds(&dat, "# code\tname");
	for (size_t g = 0; g < d->ngroups; g++)
		strbuf_addf(&dat, "\t%s %% of min", d->groups[g].id);
	for (size_t g = 0; g < d->ngroups; g++)
		strbuf_addf(&dat, "\t%s forms", d->groups[g].id);
	strbuf_addc(&dat, '\n');
	for (size_t c = 0; c < r->ncommunes; c++) {
		report_dat_text(&dat, r->communes[c].code);
		strbuf_addc(&dat, '\t');
		report_dat_text(&dat, r->communes[c].name);
		for (size_t g = 0; g < d->ngroups; g++) {
			const struct report_group *v = &r->groups[c * d->ngroups + g];

			points += v->min_forms > 0;
			strbuf_addc(&dat, '\t');
			dat_num(&dat, v->min_forms > 0 ? 100.0 * (double)v->forms / (double)v->min_forms
						       : NAN,
				d->decimals);
		}
		for (size_t g = 0; g < d->ngroups; g++)
			strbuf_addf(&dat, "\t%ld", r->groups[c * d->ngroups + g].forms);
		strbuf_addc(&dat, '\n');
	}
	title = xasprintf("Số phiếu khảo sát so với chỉ tiêu tối thiểu của từng nhóm — %s",
			  where_of(d, where, sizeof(where)));
	gp_begin(&gp, "quota", title, DISTRICT_WIDTH, 620, formats);
	if (!points) {
		/* no group's minimum in the tally (no tally_group rows): gnuplot would stop at a
		   data file without a valid point, so the chart says so instead */
		strbuf_adds(&gp, "unset border\n"
				 "unset tics\n"
				 "unset key\n"
				 "set label \"Không có số phiếu theo nhóm trong kết quả tổng hợp\" "
				 "at graph 0.5, graph 0.5 center font \",14\"\n"
				 "plot [0:1] [0:1] 2 notitle\n");
		gp_end(&gp, "quota", DISTRICT_WIDTH, 620, formats);
		return save_chart(dir, "quota", title, (size_t)-1, &dat, &gp, charts, err);
	}
	strbuf_adds(&gp, "set ylabel \"Số phiếu / số phiếu tối thiểu (%)\"\n"
			 "set yrange [0:*]\n"
			 "set ytics nomirror\n"
			 "set xtics rotate by 45 right nomirror\n"
			 GP_CLUSTERED
			 "set rmargin 8\n"
			 "set arrow from graph 0, first 100 to graph 1, first 100 nohead dt 2 lw 1.5 "
			 "lc rgb \"#d73027\" front\n"
			 "set label \"chỉ tiêu\" at graph 1, first 100 offset 1,0 left font \",8\" "
			 "tc rgb \"#d73027\"\n"
			 "plot ");
	for (size_t g = 0; g < d->ngroups; g++) {
		char *key = xasprintf("%s. %s (tối thiểu %d)", d->groups[g].id,
				      def_text_get(&d->groups[g].name, "vi"), d->groups[g].min_forms);

		if (g)
			strbuf_adds(&gp, ", \\\n     \"\"");
		else
			strbuf_adds(&gp, "\"quota.dat\"");
		strbuf_addf(&gp, " using %zu%s lc rgb \"#%06x\" title ", g + 3, g ? "" : ":xtic(2)",
			    report_group_color(g));
		report_gp_quote(&gp, key);
		free(key);
	}
	strbuf_adds(&gp, "\n");
	gp_end(&gp, "quota", DISTRICT_WIDTH, 620, formats);
	return save_chart(dir, "quota", title, (size_t)-1, &dat, &gp, charts, err);
}

/* Self-assessed against appraised points (the self-assessment part of the index). */
static int chart_appraisal(const struct report *r, const char *dir, unsigned formats,
			   struct report_charts *charts, struct perr *err)
{
	const struct def *d = &r->def;
	struct strbuf dat = STRBUF_INIT, gp = STRBUF_INIT;
	char where[300], *title;

	strbuf_adds(&dat, "# code\tname\tself-assessed\tappraised\n");
	for (size_t c = 0; c < r->ncommunes; c++) {
		/* a point at 0, 0 for a unit without scores would read as scored 0 */
		int none = is_large(r) && r->communes[c].no_scores;

		report_dat_text(&dat, r->communes[c].code);
		strbuf_addc(&dat, '\t');
		report_dat_text(&dat, r->communes[c].name);
		strbuf_addc(&dat, '\t');
		dat_num(&dat, none ? NAN : r->communes[c].self_score_total, d->decimals);
		strbuf_addc(&dat, '\t');
		dat_num(&dat, none ? NAN : r->communes[c].self_points, d->decimals);
		strbuf_addc(&dat, '\n');
	}
	title = xasprintf("Điểm tự đánh giá và điểm thẩm định — %s",
			  where_of(d, where, sizeof(where)));
	gp_begin(&gp, "appraisal", title, DISTRICT_WIDTH, 620, formats);
	if (is_large(r)) {
		/* a point per unit: self-assessed across, appraised up, equal on the diagonal */
		int points = 0;

		for (size_t c = 0; c < r->ncommunes; c++)
			points |= !r->communes[c].no_scores;
		if (!points)
			gp_nothing(&gp, "Chưa có điểm tự đánh giá, thẩm định");
		else
			strbuf_adds(&gp, "set xlabel \"Điểm tự đánh giá\"\n"
					 "set ylabel \"Điểm thẩm định\"\n"
					 "set xrange [0:*]\n"
					 "set yrange [0:*]\n"
					 "set tics nomirror\n"
					 "set grid lc rgb \"#dddddd\"\n"
					 "set key outside bottom center horizontal\n"
					 "plot \"appraisal.dat\" using 3:4 with points pt 7 ps 0.8 "
					 "lc rgb \"#2b8cbe\" title \"Mỗi điểm là một đơn vị\", \\\n"
					 "     x with lines dt 2 lc rgb \"#777777\" "
					 "title \"Điểm thẩm định bằng điểm tự đánh giá\"\n");
		gp_end(&gp, "appraisal", DISTRICT_WIDTH, 620, formats);
		return save_chart(dir, "appraisal", title, (size_t)-1, &dat, &gp, charts, err);
	}
	strbuf_adds(&gp, "set ylabel \"Điểm (phần tự đánh giá)\"\n"
			 "set yrange [0:*]\n"
			 "set ytics nomirror\n"
			 "set xtics rotate by 45 right nomirror\n"
			 GP_CLUSTERED
			 "plot \"appraisal.dat\" using 3:xtic(2) lc rgb \"#fdae61\" "
			 "title \"Điểm tự đánh giá\", \\\n"
			 "     \"\" using 4 lc rgb \"#2b8cbe\" title \"Điểm thẩm định\"\n");
	gp_end(&gp, "appraisal", DISTRICT_WIDTH, 620, formats);
	return save_chart(dir, "appraisal", title, (size_t)-1, &dat, &gp, charts, err);
}

int report_charts(const struct report *r, const char *dir, unsigned formats,
		  struct report_charts *charts, struct perr *err)
{
	const struct def *d = &r->def;

	if (chart_rankings(r, dir, formats, charts, err) < 0 ||
	    chart_quota(r, dir, formats, charts, err) < 0 ||
	    chart_appraisal(r, dir, formats, charts, err) < 0)
		return -1;
	for (size_t q = 0; q < d->nquestions; q++)
		if (!d->questions[q].is_profile &&
		    chart_distribution(r, q, dir, formats, charts, err) < 0)
			return -1;
	for (size_t c = 0; c < r->ncommunes; c++)
		if (chart_fields(r, c, dir, formats, charts, err) < 0)
			return -1;
	return 0;
}

/* ---- drawing: several charts per gnuplot process, several processes at once ----

   A batch is one 'gnuplot -e CMDS' (an argument vector, no shell, no file of our own): for
   each chart a marker printed to the log, 'reset', 'load "NAME.gp"', then a throwaway plot
   that clears what gnuplot's svg terminal would otherwise carry into the next chart (the
   <title> of a plot group takes the last tic label read: another chart's text). Names are
   report_safe_name's, so they stand in double quotes as they are. gnuplot stops at the first
   error of a loaded script: the last marker in the log names the chart that failed; the
   charts before it are drawn, the batch goes on from the one after it in a new process.
   The log is cut at the markers into NAME.log, kept only when gnuplot said something. */
#define RENDER_BATCH_MAX 32
#define RENDER_BATCH_MIN 4
#define RENDER_WORKERS_MAX 4
#define RENDER_SCRUB "set terminal svg; set output \"/dev/null\"; set samples 2; " \
		     "plot [0:1] \"+\" using 1:1:xtic(\"\") with boxes notitle; unset output"

struct render {
	struct report_charts *charts;
	const char *dir;
	char **env;       /* gnuplot's environment: ours, with the PNG encoder in LD_PRELOAD */
	char marker[48]; /* "parindex-chart NONCE ": a line no chart output can make */
	size_t nworkers;
	pthread_mutex_t lock;
	size_t next;      /* the first chart no worker has taken */
	int not_found;    /* gnuplot is not on PATH: every worker stops */
	size_t failed, first_failed;
	struct perr err;  /* the failure of first_failed */
};

/* "exited with status 1" or "killed by signal 9" from spawn's message, then the chart's own
   last line of output, what gnuplot stopped on (spawn's would be the batch's first line: a
   marker or another chart's). */
static void failure_message(struct perr *e, const struct perr *spawned, const char *dir,
			    const char *name, const char *line)
{
	int status;
	const char *how = "exited with status %d%s%s";

	if (sscanf(spawned->msg, "exited with status %d", &status) != 1) {
		how = "killed by signal %d%s%s";
		if (sscanf(spawned->msg, "killed by signal %d", &status) != 1) {
			*e = *spawned;
			snprintf(e->where, sizeof(e->where), "%s/%s.gp", dir, name);
			return;
		}
	}
	perr_clear(e);
	e->code = PERR_SYSTEM;
	snprintf(e->where, sizeof(e->where), "%s/%s.gp", dir, name);
	snprintf(e->msg, sizeof(e->msg), how, status, *line ? ": " : "", line);
}

/* The batch's log cut at the markers into each chart's NAME.log (from chart `from`, whose
   section also holds anything before the first marker); returns the last chart that had a
   marker and puts that chart's last non-empty line in last_line: when gnuplot stopped, what
   it stopped on. */
static size_t split_log(struct render *rd, const char *log, size_t from, size_t to,
			char *last_line, size_t size)
{
	FILE *in = fopen(log, "rb"), *out = NULL;
	char *line = NULL;
	size_t cap = 0, cur = from, mlen = strlen(rd->marker);
	ssize_t n;
	int open_cur = 0;

	last_line[0] = '\0';
	/* charts with no output keep no log (one from an earlier report is stale) */
	for (size_t i = from; i < to; i++) {
		char *path = xasprintf("%s/%s.log", rd->dir, rd->charts->v[i].name);

		unlink(path);
		free(path);
	}
	if (!in)
		return cur;
	while ((n = getline(&line, &cap, in)) > 0) {
		size_t k;
		char end;

		if ((size_t)n > mlen && !strncmp(line, rd->marker, mlen) &&
		    sscanf(line + mlen, "%zu%c", &k, &end) == 2 && end == '\n' && k >= from &&
		    k < to) {
			if (out)
				fclose(out);
			out = NULL;
			open_cur = 0;
			cur = k;
			last_line[0] = '\0';
			continue;
		}
		if (!open_cur) {
			char *path = xasprintf("%s/%s.log", rd->dir, rd->charts->v[cur].name);

			out = fopen(path, "ab");
			free(path);
			open_cur = 1;
		}
		if (out)
			fwrite(line, 1, (size_t)n, out);
		if (line[strspn(line, " \t\r\n")]) {
			snprintf(last_line, size, "%s", line);
			last_line[strcspn(last_line, "\r\n")] = '\0';
		}
	}
	if (out)
		fclose(out);
	free(line);
	fclose(in);
	return cur;
}

/* Draw charts [from, to) in as many gnuplot runs as failures need. */
static void render_batch(struct render *rd, unsigned worker, size_t from, size_t to)
{
	char *log = xasprintf("%s/.render-%u.log", rd->dir, worker);

	while (from < to) {
		struct strbuf cmds = STRBUF_INIT;
		struct perr err = { 0 };
		const char *argv[] = { "gnuplot", "-e", NULL, NULL };
		char last_line[300];
		size_t last;
		int rc;

		for (size_t i = from; i < to; i++)
			strbuf_addf(&cmds, "print \"%s%zu\"; reset; load \"%s.gp\"; " RENDER_SCRUB "; ",
				    rd->marker, i, rd->charts->v[i].name);
		argv[2] = strbuf_str(&cmds);
		rc = spawn_run_env(argv, rd->env, rd->dir, log, &err);
		strbuf_release(&cmds);
		if (rc == SPAWN_NOT_FOUND) {
			pthread_mutex_lock(&rd->lock);
			rd->not_found = 1;
			rd->err = err;
			pthread_mutex_unlock(&rd->lock);
			break;
		}
		last = split_log(rd, log, from, to, last_line, sizeof(last_line));
		if (rc == SPAWN_OK)
			last = to;
		for (size_t i = from; i < last; i++)
			rd->charts->v[i].drawn = 1;
		if (rc == SPAWN_OK)
			break;
		/* what gnuplot wrote of it before it stopped is not the chart */
		for (size_t k = 0; k < 2; k++) {
			char *path = xasprintf("%s/%s.%s", rd->dir, rd->charts->v[last].name,
					       k ? "svg" : "png");

			unlink(path);
			free(path);
		}
		pthread_mutex_lock(&rd->lock);
		if (!rd->failed++ || last < rd->first_failed) {
			rd->first_failed = last;
			failure_message(&rd->err, &err, rd->dir, rd->charts->v[last].name, last_line);
		}
		pthread_mutex_unlock(&rd->lock);
		from = last + 1;
	}
	unlink(log);
	free(log);
}

struct render_worker {
	struct render *rd;
	unsigned id;
	pthread_t thread;
};

static void *render_worker(void *arg)
{
	struct render_worker *w = arg;
	struct render *rd = w->rd;

	for (;;) {
		size_t from, to, size;

		pthread_mutex_lock(&rd->lock);
		from = rd->next;
		/* batches shrink as the charts left do (a quarter of them per two workers, at
		   least RENDER_BATCH_MIN): the last ones end together, no worker left alone with a
		   long batch while the others wait, for a few more gnuplot starts (~20 ms each) */
		size = (rd->charts->n - from + rd->nworkers * 2 - 1) / (rd->nworkers * 2);
		size = size < RENDER_BATCH_MIN ? RENDER_BATCH_MIN
		       : size > RENDER_BATCH_MAX ? RENDER_BATCH_MAX : size;
		to = rd->not_found ? from : from + size;
		if (to > rd->charts->n)
			to = rd->charts->n;
		rd->next = to;
		pthread_mutex_unlock(&rd->lock);
		if (from >= to)
			break;
		render_batch(rd, w->id, from, to);
	}
	return NULL;
}

/* gnuplot's faster PNG encoding (reports/pngfast.c, built as PNGFAST): beside the running
   binary (a build tree), else, for a binary running from the folder it was installed to,
   in the folder the shared object was installed to. NULL when there is none: the charts are
   then drawn with libpng's defaults, the same pixels, only slower. */
#ifndef PARINDEX_BINDIR /* the Makefile's BINDIR and LIBDIR */
#define PARINDEX_BINDIR "/usr/local/bin"
#endif
#ifndef PARINDEX_LIBDIR
#define PARINDEX_LIBDIR "/usr/local/lib/parindex"
#endif
#define PNGFAST "parindex-pngfast.so"

static char *pngfast_path(void)
{
	char exe[PATH_MAX], *slash, *path = NULL;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	if (!(slash = strrchr(exe, '/')))
		return NULL;
	*slash = '\0';
	path = xasprintf("%s/" PNGFAST, exe);
	if (access(path, R_OK) != 0) {
		free(path);
		path = strcmp(exe, PARINDEX_BINDIR) ? NULL : xstrdup(PARINDEX_LIBDIR "/" PNGFAST);
	}
	/* the dynamic loader splits LD_PRELOAD at spaces and colons */
	if (path && (access(path, R_OK) != 0 || strpbrk(path, " :"))) {
		free(path);
		path = NULL;
	}
	return path;
}

/* The environment for gnuplot: ours, with pngfast appended to any LD_PRELOAD already set
   (kept as it is), or as it is when there is no pngfast. */
static char **gnuplot_env(void)
{
	char *fast = pngfast_path();
	size_t n = 0, i, out = 0;
	const char *preload = NULL;
	char **env;

	while (environ[n])
		n++;
	env = xcalloc(n + 2, sizeof(*env));
	for (i = 0; i < n; i++) {
		if (!strncmp(environ[i], "LD_PRELOAD=", 11))
			preload = environ[i] + 11;
		else
			env[out++] = xstrdup(environ[i]);
	}
	if (fast && preload && *preload)
		env[out++] = xasprintf("LD_PRELOAD=%s:%s", preload, fast);
	else if (fast)
		env[out++] = xasprintf("LD_PRELOAD=%s", fast);
	else if (preload)
		env[out++] = xasprintf("LD_PRELOAD=%s", preload);
	free(fast);
	return env;
}

static void gnuplot_env_free(char **env)
{
	for (size_t i = 0; env[i]; i++)
		free(env[i]);
	free(env);
}

int report_render(struct report_charts *charts, const char *dir, struct perr *err)
{
	struct render rd = { .charts = charts, .dir = dir };
	struct render_worker workers[RENDER_WORKERS_MAX];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nworkers = cpus < 1 ? 1 : cpus > RENDER_WORKERS_MAX ? RENDER_WORKERS_MAX : (size_t)cpus;
	struct timespec now;

	if (!charts->n)
		return SPAWN_OK;
	clock_gettime(CLOCK_REALTIME, &now);
	snprintf(rd.marker, sizeof(rd.marker), "parindex-chart %lx%lx ",
		 (unsigned long)now.tv_nsec ^ (unsigned long)getpid() << 20,
		 (unsigned long)now.tv_sec);
	if (nworkers > charts->n)
		nworkers = charts->n;
	rd.nworkers = nworkers;
	rd.env = gnuplot_env();
	pthread_mutex_init(&rd.lock, NULL);
	for (size_t i = 0; i < nworkers; i++) {
		workers[i] = (struct render_worker){ &rd, (unsigned)i, 0 };
		/* the calling thread is the first worker */
		if (i && pthread_create(&workers[i].thread, NULL, render_worker, &workers[i]) != 0)
			nworkers = i;
	}
	render_worker(&workers[0]);
	for (size_t i = 1; i < nworkers; i++)
		pthread_join(workers[i].thread, NULL);
	pthread_mutex_destroy(&rd.lock);
	gnuplot_env_free(rd.env);
	if (rd.not_found) {
		*err = rd.err;
		return SPAWN_NOT_FOUND;
	}
	if (rd.failed) {
		*err = rd.err;
		charts->failed = rd.failed;
		return SPAWN_FAILED;
	}
	return SPAWN_OK;
}

void report_charts_release(struct report_charts *charts)
{
	for (size_t i = 0; i < charts->n; i++) {
		free(charts->v[i].name);
		free(charts->v[i].title);
	}
	free(charts->v);
	memset(charts, 0, sizeof(*charts));
}
