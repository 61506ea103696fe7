/* parindex report: the command. Reads the last tally, writes the formats asked for into one
   folder, and says what it wrote. */
#include "reports.h"
#include "../tally/tally.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "db.h"
#include "escape.h"
#include "spawn.h"

#define NAMED 20 /* communes named in the warning about those not classified */
#define ALL_FORMATS (REPORT_HTML | REPORT_XLSX | REPORT_CSV | REPORT_PNG | REPORT_SVG)

static const struct {
	const char *name;
	unsigned bit;
} format_names[] = {
	{ "html", REPORT_HTML }, { "xlsx", REPORT_XLSX }, { "csv", REPORT_CSV },
	{ "png", REPORT_PNG },   { "svg", REPORT_SVG },
};

/* "html,csv" into bits; -1 naming the first unknown word. */
static int parse_formats(const char *list, unsigned *out)
{
	const char *p = list;

	*out = 0;
	while (*p) {
		size_t n = strcspn(p, ","), i;

		for (i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
			if (n == strlen(format_names[i].name) && !strncmp(p, format_names[i].name, n))
				break;
		if (i == sizeof(format_names) / sizeof(format_names[0])) {
			cmd_usage_error("report", "unknown format '%.*s' in --formats (say html, xlsx, "
						  "csv, png, svg)",
					(int)n, p);
			return -1;
		}
		*out |= format_names[i].bit;
		p += n + (p[n] == ',');
	}
	if (!*out) {
		cmd_usage_error("report", "--formats names no format");
		return -1;
	}
	return 0;
}

/* mkdir -p */
static int make_dir(const char *path, struct perr *err)
{
	char *p = xstrdup(path);

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST)
			goto fail;
		*s = '/';
	}
	if (mkdir(p, 0777) != 0 && errno != EEXIST)
		goto fail;
	free(p);
	return 0;
fail:
	perr_set(err, PERR_SYSTEM, p, "cannot create folder: %s", strerror(errno));
	free(p);
	return -1;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "out", required_argument, NULL, 'o' },
		{ "formats", required_argument, NULL, 'f' },
		{ "no-bom", no_argument, NULL, 'b' },
		{ 0 },
	};
	const char *dbopt = NULL, *out = "report";
	unsigned formats = ALL_FORMATS;
	int c, bom = 1, rc = PERR_OK, gnuplot_missing = 0, render_failed = 0;
	struct perr err = { 0 }, render_err = { 0 };
	struct report r = { 0 };
	struct report_table tables[REPORT_NTABLES] = { 0 };
	struct report_charts charts = { 0 };
	char *dir = NULL, *xlsx = NULL, *charts_dir = NULL;
	size_t drawn = 0;
	sqlite3 *db = NULL;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dbopt = optarg; break;
		case 'o': out = optarg; break;
		case 'f':
			if (parse_formats(optarg, &formats) < 0)
				return PERR_USAGE;
			break;
		case 'b': bom = 0; break;
		default: return cmd_bad_option("report", argv);
		}
	}
	if (optind < argc)
		return cmd_usage_error("report", "unexpected argument '%s'", argv[optind]);
	if (!*out)
		return cmd_usage_error("report", "--out names no folder");

	if (db_open(&db, db_path(dbopt), DB_EXISTING, &err) < 0 || report_load(db, &r, &err) < 0)
		goto fail;
	db_close(db);
	db = NULL;
	if (make_dir(out, &err) < 0)
		goto fail;
	printf("report: %zu communes, tally of %s (definition %s %s)\n", r.ncommunes,
	       r.computed_at, r.def.id, r.def.version);
	if (r.active[0])
		fprintf(stderr, "parindex: report: warning: the tally used definition %s %s, the "
				"database now works with %s: run 'parindex tally' to use it\n",
			r.def.id, r.def.version, r.active);
	if (r.changed_at[0])
		fprintf(stderr, "parindex: report: warning: data changed at %s, after the tally of "
				"%s: run 'parindex tally' for current numbers\n",
			r.changed_at, r.computed_at);
	/* not failing, not in a class: named, so the missing data can be sent for; a province's
	   hundreds are counted past the first NAMED */
	if (r.nunclassified) {
		size_t shown = 0;

		fprintf(stderr, "parindex: report: warning: %zu commune%s chưa xếp loại (not "
				"classified, left out of the class counts): ",
			r.nunclassified, r.nunclassified == 1 ? "" : "s");
		for (size_t i = 0; i < r.ncommunes && shown < NAMED; i++) {
			const struct report_commune *v = &r.communes[i];
			char *why;

			if (v->tier != DEF_NONE)
				continue;
			fputs(shown++ ? ", " : "", stderr);
			escape_term_fputs(stderr, v->code);
			fputc(' ', stderr);
			escape_term_fputs(stderr, v->name);
			fputs(" (", stderr);
			/* the flags that leave it unclassified, else all it has */
			why = tally_flags_say(v->flags, TALLY_UNCLASSIFIED_FLAGS, 1);
			if (!*why) {
				free(why);
				why = tally_flags_say(v->flags, ~0u, 1);
			}
			escape_term_fputs(stderr, *why ? why : "no class in the tally");
			free(why);
			fputc(')', stderr);
		}
		if (r.nunclassified > shown)
			fprintf(stderr, " và %zu đơn vị khác", r.nunclassified - shown);
		fputc('\n', stderr);
	}

	if (formats & (REPORT_CSV | REPORT_XLSX))
		report_tables(&r, tables);
	if (formats & REPORT_CSV) {
		dir = xasprintf("%s/csv", out);
		if (make_dir(dir, &err) < 0 || report_write_csv(tables, dir, bom, &err) < 0)
			goto fail;
		printf("csv: %d tables in ", REPORT_NTABLES);
		escape_term_fputs(stdout, dir);
		printf("/ (%s)\n", bom ? "UTF-8 with byte-order mark" : "UTF-8");
	}
	if (formats & REPORT_XLSX) {
		xlsx = xasprintf("%s/report.xlsx", out);
		if (report_write_xlsx(&r, tables, xlsx, &err) < 0)
			goto fail;
		fputs("xlsx: ", stdout);
		escape_term_fputs(stdout, xlsx);
		printf(" (%d sheets)\n", REPORT_NTABLES);
	}
	if (formats & (REPORT_PNG | REPORT_SVG)) {
		int s;

		charts_dir = xasprintf("%s/charts", out);
		if (make_dir(charts_dir, &err) < 0 ||
		    report_charts(&r, charts_dir, formats, &charts, &err) < 0)
			goto fail;
		/* a chart that failed, or no gnuplot: the rest of the report is still written */
		s = report_render(&charts, charts_dir, &render_err);
		gnuplot_missing = s == SPAWN_NOT_FOUND;
		render_failed = s == SPAWN_FAILED;
		for (size_t i = 0; i < charts.n; i++)
			drawn += charts.v[i].drawn;
		printf("charts: %zu of %zu drawn (%s%s%s) in ", drawn, charts.n,
		       formats & REPORT_PNG ? "png" : "",
		       (formats & REPORT_PNG) && (formats & REPORT_SVG) ? ", " : "",
		       formats & REPORT_SVG ? "svg" : "");
		escape_term_fputs(stdout, charts_dir);
		fputs("/\n", stdout);
	}
	if (formats & REPORT_HTML) {
		if (report_html(&r, &charts, charts_dir, formats, out, &err) < 0)
			goto fail;
		fputs("html: ", stdout);
		escape_term_fputs(stdout, out);
		printf("/index.html and %zu commune pages in ", r.ncommunes);
		escape_term_fputs(stdout, out);
		fputs("/communes/\n", stdout);
	}
	if (gnuplot_missing) {
		fprintf(stderr, "parindex: report: gnuplot not found: charts skipped (install "
				"gnuplot-nox)\n");
		rc = PERR_SYSTEM;
	} else if (render_failed) {
		rc = perr_print(&render_err, "report");
	}
	goto done;
fail:
	rc = perr_print(&err, "report");
done:
	db_close(db);
	report_tables_release(tables);
	report_charts_release(&charts);
	report_release(&r);
	free(dir);
	free(xlsx);
	free(charts_dir);
	return rc;
}
