/* Charts: for each, a tab-separated data file (.dat) and a gnuplot script (.gp) that draws
   it as PNG and/or SVG with the cairo terminals and the DejaVu Sans font (Vietnamese
   diacritics), then gnuplot run on each script through core/spawn (no shell). */
#include "reports.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* The width of a chart with a bar (or group of bars) per commune: a district's 15-25
   communes fit the usual width; a province's get about 27 pixels each. */
static int district_width(const struct report *r)
{
	return r->ncommunes > 30 ? 300 + 27 * (int)r->ncommunes : 1100;
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
	snprintf(buf, size, "%s, năm %d", d->district ? d->district : "", d->year);
	return buf;
}

/* The ranking: one bar per commune in ranking order, coloured by class, with the index
   thresholds of the tiers drawn across. */
static int chart_ranking(const struct report *r, const char *dir, unsigned formats,
			 struct report_charts *charts, struct perr *err)
{
	const struct def *d = &r->def;
	struct strbuf dat = STRBUF_INIT, gp = STRBUF_INIT;
	char where[300], *title;
	int unranked = 0;

	strbuf_adds(&dat, "# rank\tcode\tname\tindex\tcolour\ttier\n");
	for (size_t c = 0; c < r->ncommunes; c++) {
		const struct report_commune *v = &r->communes[c];

		if (v->rank)
			strbuf_addf(&dat, "%ld\t", v->rank);
		else
			strbuf_adds(&dat, "-\t");
		report_dat_text(&dat, v->code);
		strbuf_addc(&dat, '\t');
		report_dat_text(&dat, v->name);
		if (!v->rank) {
			strbuf_adds(&dat, " *");
			unranked = 1;
		}
		strbuf_addf(&dat, "\t%s\t%u\t", v->index_published, report_tier_color(d, v->tier));
		report_dat_text(&dat, v->tier < d->ntiers ? d->tiers[v->tier].id : "-");
		strbuf_addc(&dat, '\n');
	}
	title = xasprintf("Xếp hạng Chỉ số CCHC — %s", where_of(d, where, sizeof(where)));
	gp_begin(&gp, "ranking", title, district_width(r), 620, formats);
	strbuf_adds(&gp, "set ylabel \"Chỉ số CCHC (%)\"\n"
			 "set yrange [0:105]\n");
	strbuf_addf(&gp, "set xrange [-0.6:%zu.4]\n", r->ncommunes - 1);
	strbuf_adds(&gp, "set xtics rotate by 45 right nomirror\n"
			 "set ytics 10 nomirror\n"
			 "set grid ytics lc rgb \"#dddddd\"\n"
			 "set style fill solid 0.9 border rgb \"#404040\"\n"
			 "set boxwidth 0.7\n"
			 "set rmargin 6\n"
			 "set key outside bottom center horizontal\n");
	if (unranked)
		strbuf_adds(&gp, "set label \"* không xếp hạng\" at graph 1, graph 1 right "
				 "font \",8\" offset 0,0.8\n");
	for (size_t t = 0; t < d->ntiers; t++) {
		const struct def_tier *tier = &d->tiers[t];
		char *text;

		if (tier->is_otherwise)
			continue;
		strbuf_addf(&gp, "set arrow from graph 0, first %g to graph 1, first %g nohead dt 2 "
				 "lw 2 lc rgb \"#%06x\" front\n",
			    tier->min_index, tier->min_index, line_color(d, t));
		text = xasprintf("%g", tier->min_index);
		strbuf_adds(&gp, "set label ");
		report_gp_quote(&gp, text);
		strbuf_addf(&gp, " at graph 1, first %g offset 1,0 left font \",8\" tc rgb \"#%06x\"\n",
			    tier->min_index, line_color(d, t));
		free(text);
	}
	strbuf_adds(&gp, "plot \"ranking.dat\" using 0:4:5:xtic(3) with boxes lc rgb variable "
			 "notitle, \\\n"
			 "     \"\" using 0:4:(strcol(4)) with labels offset 0,0.7 font \",8\" "
			 "notitle");
	for (size_t t = 0; t < d->ntiers; t++) {
		const struct def_tier *tier = &d->tiers[t];
		char *key = tier->is_otherwise
				    ? xasprintf("%s", def_text_get(&tier->label, "vi"))
				    : xasprintf("%s (≥ %g; lĩnh vực ≥ %g)",
						def_text_get(&tier->label, "vi"), tier->min_index,
						tier->min_field);

		strbuf_addf(&gp, ", \\\n     keyentry with boxes lc rgb \"#%06x\" title ",
			    report_tier_color(d, t));
		report_gp_quote(&gp, key);
		free(key);
	}
	if (r->nunclassified)
		strbuf_addf(&gp, ", \\\n     keyentry with boxes lc rgb \"#%06x\" title "
				 "\"Chưa xếp loại (thiếu điểm hoặc phiếu khảo sát)\"",
			    report_tier_color(d, DEF_NONE));
	strbuf_adds(&gp, "\n");
	gp_end(&gp, "ranking", district_width(r), 620, formats);
	return save_chart(dir, "ranking", title, (size_t)-1, &dat, &gp, charts, err);
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
	title = xasprintf("%s %s: tỷ lệ điểm theo lĩnh vực so với trung bình huyện", v->type,
			  v->name);
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
			 "set grid ytics lc rgb \"#dddddd\"\n"
			 "set style data histograms\n"
			 "set style histogram clustered gap 1\n"
			 "set style fill solid 0.9 border rgb \"#404040\"\n"
			 "set key outside bottom center horizontal\n"
			 "plot ");
	report_gp_quote(&gp, file);
	strbuf_adds(&gp, " using 3:xtic(2) lc rgb \"#2b8cbe\" title ");
	report_gp_quote(&gp, v->name);
	strbuf_adds(&gp, ", \\\n     \"\" using 4 lc rgb \"#bdbdbd\" title \"Trung bình huyện\"\n");
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

/* Forms per commune and group as a percentage of the group's minimum; 100 % drawn across. */
static int chart_quota(const struct report *r, const char *dir, unsigned formats,
		       struct report_charts *charts, struct perr *err)
{
	const struct def *d = &r->def;
	struct strbuf dat = STRBUF_INIT, gp = STRBUF_INIT;
	char where[300], *title;
	int points = 0;

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
	gp_begin(&gp, "quota", title, district_width(r), 620, formats);
	if (!points) {
		/* no group's minimum in the tally (no tally_group rows): gnuplot would stop at a
		   data file without a valid point, so the chart says so instead */
		strbuf_adds(&gp, "unset border\n"
				 "unset tics\n"
				 "unset key\n"
				 "set label \"Không có số phiếu theo nhóm trong kết quả tổng hợp\" "
				 "at graph 0.5, graph 0.5 center font \",14\"\n"
				 "plot [0:1] [0:1] 2 notitle\n");
		gp_end(&gp, "quota", district_width(r), 620, formats);
		return save_chart(dir, "quota", title, (size_t)-1, &dat, &gp, charts, err);
	}
	strbuf_adds(&gp, "set ylabel \"Số phiếu / số phiếu tối thiểu (%)\"\n"
			 "set yrange [0:*]\n"
			 "set ytics nomirror\n"
			 "set xtics rotate by 45 right nomirror\n"
			 "set grid ytics lc rgb \"#dddddd\"\n"
			 "set style data histograms\n"
			 "set style histogram clustered gap 1\n"
			 "set style fill solid 0.9 border rgb \"#404040\"\n"
			 "set key outside bottom center horizontal\n"
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
	gp_end(&gp, "quota", district_width(r), 620, formats);
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
		report_dat_text(&dat, r->communes[c].code);
		strbuf_addc(&dat, '\t');
		report_dat_text(&dat, r->communes[c].name);
		strbuf_addc(&dat, '\t');
		dat_num(&dat, r->communes[c].self_score_total, d->decimals);
		strbuf_addc(&dat, '\t');
		dat_num(&dat, r->communes[c].self_points, d->decimals);
		strbuf_addc(&dat, '\n');
	}
	title = xasprintf("Điểm tự đánh giá và điểm thẩm định — %s",
			  where_of(d, where, sizeof(where)));
	gp_begin(&gp, "appraisal", title, district_width(r), 620, formats);
	strbuf_adds(&gp, "set ylabel \"Điểm (phần tự đánh giá)\"\n"
			 "set yrange [0:*]\n"
			 "set ytics nomirror\n"
			 "set xtics rotate by 45 right nomirror\n"
			 "set grid ytics lc rgb \"#dddddd\"\n"
			 "set style data histograms\n"
			 "set style histogram clustered gap 1\n"
			 "set style fill solid 0.9 border rgb \"#404040\"\n"
			 "set key outside bottom center horizontal\n"
			 "plot \"appraisal.dat\" using 3:xtic(2) lc rgb \"#fdae61\" "
			 "title \"Điểm tự đánh giá\", \\\n"
			 "     \"\" using 4 lc rgb \"#2b8cbe\" title \"Điểm thẩm định\"\n");
	gp_end(&gp, "appraisal", district_width(r), 620, formats);
	return save_chart(dir, "appraisal", title, (size_t)-1, &dat, &gp, charts, err);
}

int report_charts(const struct report *r, const char *dir, unsigned formats,
		  struct report_charts *charts, struct perr *err)
{
	const struct def *d = &r->def;

	if (chart_ranking(r, dir, formats, charts, err) < 0 ||
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

int report_render(struct report_charts *charts, const char *dir, struct perr *err)
{
	for (size_t i = 0; i < charts->n; i++) {
		struct report_chart *ch = &charts->v[i];
		char *script = xasprintf("%s.gp", ch->name);
		char *log = xasprintf("%s/%s.log", dir, ch->name);
		const char *argv[] = { "gnuplot", script, NULL };
		int rc = spawn_run(argv, dir, log, err);
		FILE *f;

		if (rc == SPAWN_FAILED) /* name the script, not the program */
			snprintf(err->where, sizeof(err->where), "%s/%s", dir, script);
		/* gnuplot's warnings are kept next to the script; an empty log is not */
		f = fopen(log, "rb");
		if (f) {
			int empty = fgetc(f) == EOF;

			fclose(f);
			if (empty)
				unlink(log);
		}
		free(script);
		free(log);
		if (rc != SPAWN_OK)
			return rc;
		ch->drawn = 1;
	}
	return 0;
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
