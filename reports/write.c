/* What 'parindex report' writes, as a library function, so that the command and the server's
   office pages (capture/serve_office.c) write a report folder the same way. */
#include "reports.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "spawn.h"

/* mkdir -p */
int report_make_dir(const char *path, struct perr *err)
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

/* gnuplot draws in the background while the tables are written */
struct render_job {
	struct report_written *w;
	int status;
};

static void *render_job(void *arg)
{
	struct render_job *job = arg;

	job->status = report_render(&job->w->charts, job->w->charts_dir, &job->w->render_err);
	return NULL;
}

int report_write(const struct report *r, const char *out, unsigned formats, int bom,
		 struct report_written *w, struct perr *err)
{
	struct render_job job = { w, SPAWN_OK };
	pthread_t renderer;
	int rc = -1, rendering = 0;

	if (report_make_dir(out, err) < 0)
		return -1;
	if (formats & (REPORT_PNG | REPORT_SVG)) {
		w->charts_dir = xasprintf("%s/charts", out);
		if (report_make_dir(w->charts_dir, err) < 0 ||
		    report_charts(r, w->charts_dir, formats, &w->charts, err) < 0)
			goto done;
		/* a chart that failed, or no gnuplot: the rest of the report is still written */
		if (pthread_create(&renderer, NULL, render_job, &job) == 0)
			rendering = 1;
		else
			render_job(&job);
	}
	if (formats & REPORT_CSV) {
		w->csv_dir = xasprintf("%s/csv", out);
		if (report_make_dir(w->csv_dir, err) < 0)
			goto done;
	}
	if (formats & REPORT_XLSX)
		w->xlsx = xasprintf("%s/report.xlsx", out);
	if ((formats & (REPORT_CSV | REPORT_XLSX)) &&
	    report_write_tables(r, w->csv_dir, bom, w->xlsx, err) < 0)
		goto done;
	if (rendering)
		pthread_join(renderer, NULL);
	rendering = 0;
	if (formats & (REPORT_PNG | REPORT_SVG)) {
		w->gnuplot_missing = job.status == SPAWN_NOT_FOUND;
		w->render_failed = job.status == SPAWN_FAILED;
		for (size_t i = 0; i < w->charts.n; i++)
			w->drawn += w->charts.v[i].drawn;
	}
	if ((formats & REPORT_HTML) &&
	    report_html(r, &w->charts, w->charts_dir, formats, out, err) < 0)
		goto done;
	rc = 0;
done:
	if (rendering)
		pthread_join(renderer, NULL);
	return rc;
}

void report_written_release(struct report_written *w)
{
	report_charts_release(&w->charts);
	free(w->csv_dir);
	free(w->xlsx);
	free(w->charts_dir);
	memset(w, 0, sizeof(*w));
}
