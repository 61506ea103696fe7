/* serve-load: the load generator of `make bench-serve` and of the server's crash and backup
   tests (t5004, t5005). It sends the XML entries of a zip (gen-batch --layout flat) to a
   running `parindex serve` as ODK Collect sends a finalized form: HEAD /submission once per
   client (Digest challenge, then 204), then each submission as a multipart/form-data POST
   with the part xml_submission_file, on a kept-alive connection with Digest authentication
   (the nonce of the HEAD reused, as libcurl does on one handle). CLIENTS clients at once
   (libcurl multi interface, one thread), each sending its next submission when the previous
   one is answered.
     serve-load --url URL --user NAME --password PASSWORD --zip FILE.zip [--clients N]
                [--total N] [--only FILE] [--log FILE]
   --total N sends the zip's first N entries; --only FILE only the entries whose instanceID is
   a line of FILE (a resend of the lost ones). --log FILE writes one line per submission:
   instanceID, HTTP status (0: no answer), the time of the answer (seconds since the epoch,
   wall clock) and the latency in milliseconds, tab-separated, in the order of the answers.
   Prints the submissions sent, the count per status, the seconds from the first request to
   the last answer, submissions per second and the p50, p99 and max latency of the answered
   ones. Exit status 0 when every submission was answered 201, 1 when not, 2 usage, 3 system
   error. */
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zip.h>

#include "err.h"
#include "strbuf.h"

/* one submission: the zip entry's bytes and its instanceID */
struct submission {
	char *name; /* the entry's name, sent as the part's file name */
	char *xml;
	size_t len;
	char *id;
};

struct client {
	CURL *easy;
	struct strbuf body;
	long current;  /* index of the submission in flight; -1 during the HEAD */
	double started; /* monotonic seconds */
};

#define MAX_STATUS 600
#define BOUNDARY "parindex-serve-load-1f0c6a2e9b7d"

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: serve-load --url URL --user NAME --password PASSWORD --zip FILE.zip "
			"[--clients N] [--total N] [--only FILE] [--log FILE]\n");
	exit(2);
}

static size_t discard(char *data, size_t size, size_t n, void *arg)
{
	return size * n;
}

/* The instanceID of an instance: the text of its first (meta/)instanceID element, with or
   without a namespace prefix. NULL when there is none. */
static char *instance_id(const char *xml, size_t len)
{
	const char *end = xml + len, *p = xml;

	while ((p = memmem(p, (size_t)(end - p), "instanceID>", 11))) {
		const char *open = p, *close;
		char *id;

		p += 11;
		/* an opening tag: '<' or '<prefix:' before the name ('</' closes) */
		if (open > xml && open[-1] == ':')
			for (open--; open > xml && !strchr("</> \t\r\n", open[-1]); open--)
				;
		if (open == xml || open[-1] != '<')
			continue;
		close = memchr(p, '<', (size_t)(end - p));
		if (!close || close == p)
			return NULL;
		id = xmalloc((size_t)(close - p) + 1);
		memcpy(id, p, (size_t)(close - p));
		id[close - p] = 0;
		return id;
	}
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The lines of path (instanceIDs), sorted for bsearch. */
static char **read_ids(const char *path, size_t *n)
{
	struct strbuf sb = STRBUF_INIT;
	char **ids = NULL, *p, *line;
	size_t alloc = 0;

	*n = 0;
	if (strbuf_read_file(&sb, path, (size_t)1 << 30) < 0) {
		fprintf(stderr, "serve-load: %s: cannot read: %s\n", path, strerror(errno));
		exit(3);
	}
	p = sb.buf ? sb.buf : (char *)"";
	while ((line = strsep(&p, "\n"))) {
		if (!*line)
			continue;
		if (*n == alloc) {
			alloc = alloc ? 2 * alloc : 1024;
			ids = xrealloc(ids, alloc * sizeof(*ids));
		}
		ids[(*n)++] = xstrdup(line);
	}
	strbuf_release(&sb);
	if (*n)
		qsort(ids, *n, sizeof(*ids), cmp_str);
	return ids;
}

/* Every .xml entry of the zip at path, in the zip's order (only those in only, when given). */
static struct submission *read_zip(const char *path, char **only, size_t nonly, size_t *n)
{
	struct submission *subs;
	zip_int64_t entries;
	int zerr;
	zip_t *z = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);

	if (!z) {
		zip_error_t e;

		zip_error_init_with_code(&e, zerr);
		fprintf(stderr, "serve-load: %s: %s\n", path, zip_error_strerror(&e));
		exit(3);
	}
	entries = zip_get_num_entries(z, 0);
	subs = xmalloc((size_t)(entries > 0 ? entries : 1) * sizeof(*subs));
	*n = 0;
	for (zip_int64_t i = 0; i < entries; i++) {
		struct submission *s = &subs[*n];
		zip_stat_t zs;
		zip_file_t *f;
		size_t nlen;

		if (zip_stat_index(z, (zip_uint64_t)i, 0, &zs) < 0 || !(zs.valid & ZIP_STAT_SIZE)) {
			fprintf(stderr, "serve-load: %s: entry %lld: %s\n", path, (long long)i,
				zip_strerror(z));
			exit(3);
		}
		nlen = strlen(zs.name);
		if (nlen < 4 || strcmp(zs.name + nlen - 4, ".xml"))
			continue;
		s->len = (size_t)zs.size;
		s->xml = xmalloc(s->len + 1);
		f = zip_fopen_index(z, (zip_uint64_t)i, 0);
		if (!f || zip_fread(f, s->xml, s->len) != (zip_int64_t)s->len) {
			fprintf(stderr, "serve-load: %s(%s): cannot read: %s\n", path, zs.name,
				f ? zip_file_strerror(f) : zip_strerror(z));
			exit(3);
		}
		zip_fclose(f);
		s->xml[s->len] = 0;
		s->id = instance_id(s->xml, s->len);
		if (!s->id) {
			fprintf(stderr, "serve-load: %s(%s): no instanceID\n", path, zs.name);
			exit(1);
		}
		if (memmem(s->xml, s->len, BOUNDARY, strlen(BOUNDARY))) {
			fprintf(stderr, "serve-load: %s(%s): holds the multipart boundary\n", path,
				zs.name);
			exit(1);
		}
		if (only && !bsearch(&s->id, only, nonly, sizeof(*only), cmp_str)) {
			free(s->xml);
			free(s->id);
			continue;
		}
		/* the part's file name: the entry's, unless it cannot be quoted as it is */
		s->name = xstrdup(strpbrk(zs.name, "\"\\\r\n") ? "submission.xml" : zs.name);
		(*n)++;
	}
	zip_close(z);
	return subs;
}

/* The multipart/form-data body of s, written once into the client's buffer: one part,
   xml_submission_file, as Collect sends it. Written by hand rather than with curl_mime so that
   libcurl sends headers and body in one write (the generator shares the cores with the server
   it measures: this halves its system calls). */
static void setup_post(struct client *c, const struct submission *s,
		       struct curl_slist *post_headers)
{
	strbuf_reset(&c->body);
	strbuf_addf(&c->body, "--" BOUNDARY "\r\nContent-Disposition: form-data; "
			      "name=\"xml_submission_file\"; filename=\"%s\"\r\n"
			      "Content-Type: text/xml\r\n\r\n", s->name);
	strbuf_add(&c->body, s->xml, s->len);
	strbuf_adds(&c->body, "\r\n--" BOUNDARY "--\r\n");
	curl_easy_setopt(c->easy, CURLOPT_NOBODY, 0L);
	curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, post_headers);
	curl_easy_setopt(c->easy, CURLOPT_POSTFIELDSIZE, (long)c->body.len);
	curl_easy_setopt(c->easy, CURLOPT_POSTFIELDS, c->body.buf);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "user", required_argument, NULL, 'n' },
		{ "password", required_argument, NULL, 'p' },
		{ "zip", required_argument, NULL, 'z' },
		{ "clients", required_argument, NULL, 'c' },
		{ "total", required_argument, NULL, 't' },
		{ "only", required_argument, NULL, 'o' },
		{ "log", required_argument, NULL, 'l' },
		{ 0 },
	};
	const char *url = NULL, *user = NULL, *password = NULL, *zip = NULL, *only_path = NULL,
		   *log_path = NULL;
	long clients = 32, total = -1;
	char **only = NULL, *end, first_error[CURL_ERROR_SIZE] = "";
	size_t nonly = 0, nsubs = 0, nread, nanswered = 0;
	long next = 0, done = 0, status_count[MAX_STATUS] = { 0 }, head_failed = 0;
	struct strbuf target = STRBUF_INIT;
	struct submission *subs;
	struct client *cl;
	struct curl_slist *headers = NULL, *post_headers = NULL;
	double *latency, t_first, t_last = 0;
	FILE *log = NULL;
	CURLM *multi;
	int active = 0, c, rc = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'u': url = optarg; break;
		case 'n': user = optarg; break;
		case 'p': password = optarg; break;
		case 'z': zip = optarg; break;
		case 'c':
			clients = strtol(optarg, &end, 10);
			if (*end || clients < 1 || clients > 1024)
				usage();
			break;
		case 't':
			total = strtol(optarg, &end, 10);
			if (*end || total < 0)
				usage();
			break;
		case 'o': only_path = optarg; break;
		case 'l': log_path = optarg; break;
		default: usage();
		}
	}
	if (!url || !user || !password || !zip || optind != argc)
		usage();
	if (only_path)
		only = read_ids(only_path, &nonly);
	subs = read_zip(zip, only, nonly, &nsubs);
	nread = nsubs;
	if (only && nsubs != nonly) {
		fprintf(stderr, "serve-load: %s: %zu of its %zu instanceIDs are not in %s\n",
			only_path, nonly - nsubs, nonly, zip);
		return 1;
	}
	if (total >= 0) {
		if ((size_t)total > nsubs) {
			fprintf(stderr, "serve-load: --total %ld: %s holds %zu submissions\n", total,
				zip, nsubs);
			return 2;
		}
		nsubs = (size_t)total;
	}
	if (log_path && !(log = fopen(log_path, "w"))) {
		fprintf(stderr, "serve-load: %s: cannot create: %s\n", log_path, strerror(errno));
		return 3;
	}
	latency = xmalloc((nsubs ? nsubs : 1) * sizeof(*latency));
	/* Collect's server URL is the base; the submission URL is under it */
	strbuf_adds(&target, url);
	while (target.len && target.buf[target.len - 1] == '/')
		target.buf[--target.len] = 0;
	strbuf_adds(&target, "/submission");

	if (curl_global_init(CURL_GLOBAL_DEFAULT) || !(multi = curl_multi_init())) {
		fprintf(stderr, "serve-load: cannot start libcurl\n");
		return 3;
	}
	curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, clients);
	curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, clients);
	/* Collect's header; no Expect: 100-continue (Collect sends none, and it costs a round
	   trip) */
	headers = curl_slist_append(headers, "X-OpenRosa-Version: 1.0");
	headers = curl_slist_append(headers, "Expect:");
	post_headers = curl_slist_append(post_headers, "X-OpenRosa-Version: 1.0");
	post_headers = curl_slist_append(post_headers, "Expect:");
	post_headers = curl_slist_append(post_headers,
					 "Content-Type: multipart/form-data; boundary=" BOUNDARY);
	cl = xmalloc((size_t)clients * sizeof(*cl));
	t_first = now_mono();
	for (long i = 0; i < clients && (size_t)i < nsubs; i++) {
		struct client *k = &cl[i];

		k->easy = curl_easy_init();
		k->body = (struct strbuf)STRBUF_INIT;
		k->current = -1;
		k->started = now_mono();
		if (!k->easy) {
			fprintf(stderr, "serve-load: cannot start libcurl\n");
			return 3;
		}
		curl_easy_setopt(k->easy, CURLOPT_URL, strbuf_str(&target));
		curl_easy_setopt(k->easy, CURLOPT_HTTPAUTH, CURLAUTH_DIGEST);
		curl_easy_setopt(k->easy, CURLOPT_USERNAME, user);
		curl_easy_setopt(k->easy, CURLOPT_PASSWORD, password);
		curl_easy_setopt(k->easy, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(k->easy, CURLOPT_WRITEFUNCTION, discard);
		curl_easy_setopt(k->easy, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(k->easy, CURLOPT_TIMEOUT, 60L);
		curl_easy_setopt(k->easy, CURLOPT_PRIVATE, k);
		curl_easy_setopt(k->easy, CURLOPT_NOBODY, 1L); /* HEAD /submission first */
		curl_multi_add_handle(multi, k->easy);
		active++;
	}
	while (active > 0) {
		CURLMsg *msg;
		int running, left;

		if (curl_multi_perform(multi, &running) != CURLM_OK) {
			fprintf(stderr, "serve-load: libcurl failed\n");
			return 3;
		}
		while ((msg = curl_multi_info_read(multi, &left))) {
			struct client *k;
			long status = 0;
			double t = now_mono();

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&k);
			if (msg->data.result == CURLE_OK)
				curl_easy_getinfo(k->easy, CURLINFO_RESPONSE_CODE, &status);
			else if (!*first_error)
				snprintf(first_error, sizeof(first_error), "%s",
					 curl_easy_strerror(msg->data.result));
			curl_multi_remove_handle(multi, k->easy);
			active--;
			if (k->current < 0) {
				if (status != 204) {
					head_failed++;
					if (status && !*first_error)
						snprintf(first_error, sizeof(first_error),
							 "HEAD /submission answered %ld", status);
				}
			} else {
				const struct submission *s = &subs[k->current];

				if (status < 0 || status >= MAX_STATUS)
					status = 0;
				status_count[status]++;
				if (status)
					latency[nanswered++] = (t - k->started) * 1e3;
				if (log)
					fprintf(log, "%s\t%ld\t%.6f\t%.3f\n", s->id, status, now_wall(),
						(t - k->started) * 1e3);
				done++;
				t_last = t;
			}
			if ((size_t)next < nsubs) {
				k->current = next++;
				setup_post(k, &subs[k->current], post_headers);
				k->started = now_mono();
				curl_multi_add_handle(multi, k->easy);
				active++;
			}
		}
		/* the log as the answers come (the crash and backup tests read it while it grows) */
		if (log)
			fflush(log);
		/* only now: what perform finished is taken and sent again without a wait */
		if (active && curl_multi_poll(multi, NULL, 0, 1000, NULL) != CURLM_OK) {
			fprintf(stderr, "serve-load: libcurl failed\n");
			return 3;
		}
	}
	if (!done)
		t_last = now_mono();

	printf("serve-load: %ld submissions from %ld clients to %s\n", done,
	       clients < (long)nsubs ? clients : (long)nsubs, strbuf_str(&target));
	for (int s = 0; s < MAX_STATUS; s++) {
		if (!status_count[s])
			continue;
		if (s)
			printf("serve-load: status %d: %ld\n", s, status_count[s]);
		else
			printf("serve-load: no answer: %ld (%s)\n", status_count[s], first_error);
		if (s != 201)
			rc = 1;
	}
	if (head_failed) {
		printf("serve-load: HEAD /submission not answered 204: %ld of %ld clients (%s)\n",
		       head_failed, clients < (long)nsubs ? clients : (long)nsubs, first_error);
		rc = 1;
	}
	printf("serve-load: %.2f s, %.1f submissions/s\n", t_last - t_first,
	       t_last > t_first ? (double)done / (t_last - t_first) : 0.0);
	if (nanswered) {
		qsort(latency, nanswered, sizeof(*latency), cmp_double);
		printf("serve-load: latency p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
		       latency[(size_t)ceil(0.50 * (double)nanswered) - 1],
		       latency[(size_t)ceil(0.99 * (double)nanswered) - 1], latency[nanswered - 1]);
	}
	if (log && fclose(log)) {
		fprintf(stderr, "serve-load: %s: cannot write: %s\n", log_path, strerror(errno));
		rc = 3;
	}
	for (long i = 0; i < clients && (size_t)i < nsubs; i++) {
		curl_easy_cleanup(cl[i].easy);
		strbuf_release(&cl[i].body);
	}
	curl_multi_cleanup(multi);
	curl_slist_free_all(headers);
	curl_slist_free_all(post_headers);
	curl_global_cleanup();
	for (size_t i = 0; i < nread; i++) {
		free(subs[i].name);
		free(subs[i].xml);
		free(subs[i].id);
	}
	for (size_t i = 0; i < nonly; i++)
		free(only[i]);
	free(only);
	free(subs);
	free(cl);
	free(latency);
	strbuf_release(&target);
	return rc;
}
