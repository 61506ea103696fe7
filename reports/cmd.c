/* parindex report: the command. Reads the last tally, writes the formats asked for into one
   folder, and says what it wrote. */
#include "reports.h"
#include "../tally/tally.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "db.h"
#include "escape.h"

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

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "out", required_argument, NULL, 'o' },
		{ "formats", required_argument, NULL, 'f' },
		{ "no-bom", no_argument, NULL, 'b' },
		{ "year", required_argument, NULL, 'y' },
		{ 0 },
	};
	const char *dbopt = NULL, *out = "report";
	unsigned formats = ALL_FORMATS;
	int c, bom = 1, rc = PERR_OK, year = 0;
	char *end;
	struct perr err = { 0 };
	struct report r = { 0 };
	struct report_written w = { 0 };
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
		case 'y': {
			long y = strtol(optarg, &end, 10);

			if (end == optarg || *end || y < 1945 || y > 2100)
				return cmd_usage_error("report", "--year takes a year from 1945 to 2100, "
								  "not '%s'", optarg);
			year = (int)y;
			break;
		}
		default: return cmd_bad_option("report", argv);
		}
	}
	if (optind < argc)
		return cmd_usage_error("report", "unexpected argument '%s'", argv[optind]);
	if (!*out)
		return cmd_usage_error("report", "--out names no folder");

	if (db_open(&db, db_path(dbopt), DB_EXISTING, &err) < 0 ||
	    (year ? report_load_year(db, db_path(dbopt), year, &r, &err)
		  : report_load(db, &r, &err)) < 0)
		goto fail;
	db_close(db);
	db = NULL;
	if (report_make_dir(out, &err) < 0)
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

	if (report_write(&r, out, formats, bom, &w, &err) < 0)
		goto fail;
	if (formats & REPORT_CSV) {
		printf("csv: %zu tables in ", report_ntables(&r));
		escape_term_fputs(stdout, w.csv_dir);
		printf("/ (%s)\n", bom ? "UTF-8 with byte-order mark" : "UTF-8");
	}
	if (formats & REPORT_XLSX) {
		fputs("xlsx: ", stdout);
		escape_term_fputs(stdout, w.xlsx);
		printf(" (%zu sheets)\n", report_ntables(&r));
	}
	if (formats & (REPORT_PNG | REPORT_SVG)) {
		printf("charts: %zu of %zu drawn (%s%s%s) in ", w.drawn, w.charts.n,
		       formats & REPORT_PNG ? "png" : "",
		       (formats & REPORT_PNG) && (formats & REPORT_SVG) ? ", " : "",
		       formats & REPORT_SVG ? "svg" : "");
		escape_term_fputs(stdout, w.charts_dir);
		fputs("/\n", stdout);
	}
	if (formats & REPORT_HTML) {
		fputs("html: ", stdout);
		escape_term_fputs(stdout, out);
		printf("/index.html and %zu commune pages in ", r.ncommunes);
		escape_term_fputs(stdout, out);
		fputs("/communes/\n", stdout);
	}
	if (w.gnuplot_missing) {
		fprintf(stderr, "parindex: report: gnuplot not found: charts skipped (install "
				"gnuplot-nox)\n");
		rc = PERR_SYSTEM;
	} else if (w.render_failed) {
		rc = perr_print(&w.render_err, "report");
		if (w.charts.failed > 1) {
			fputs("parindex: report: ", stderr);
			escape_term_fputs(stderr, w.charts_dir);
			fprintf(stderr, "/: %zu more charts not drawn (gnuplot's output in NAME.log "
					"beside each script)\n",
				w.charts.failed - 1);
		}
	}
	goto done;
fail:
	rc = perr_print(&err, "report");
done:
	db_close(db);
	report_written_release(&w);
	report_release(&r);
	return rc;
}
