/* serve-submit: drives the server's submission path (capture/serve_store.c) without HTTP, for
   tests (t5003) and for measuring it. Built by `make check` only.
     serve-submit --db DB --user NAME [--clients N] [--hold-lock] [--kill] FILE...
   Each FILE is one submission (its bytes as xml_submission_file), or a zip whose .xml
   entries are each one. With one client, prints a line per submission, in order:
   "NAME: STATUS REASON: MESSAGE". With --clients N, N threads share the submissions and a
   summary is printed: count, seconds, submissions per second, p99 latency, statuses.
   --hold-lock: another connection holds the database's write lock (BEGIN IMMEDIATE) while
   submitting, as a long capture import does: answers still come, nothing is applied.
   --kill: SIGKILL itself after the last answer, without closing the store: what had its 201
   must be applied when the store is opened next. */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../capture/serve.h"
#include "db.h"
#include "escape.h"
#include "zipin.h"

struct item {
	char *name, *xml;
	size_t len;
	struct serve_answer ans;
	double ms;
};

struct run {
	struct serve_store *st;
	struct serve_user user;
	struct item *items;
	size_t n, next;
	pthread_mutex_t mu;
	int failed;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void add(struct item **items, size_t *n, size_t *alloc, const char *name,
		const char *buf, size_t len)
{
	struct item *it;

	xgrow(items, alloc, *n + 1, sizeof(**items));
	it = &(*items)[(*n)++];
	memset(it, 0, sizeof(*it));
	it->name = xstrdup(name);
	it->xml = xmalloc(len + 1);
	memcpy(it->xml, buf, len);
	it->xml[len] = '\0';
	it->len = len;
}

static int load(const char *path, struct item **items, size_t *n, size_t *alloc)
{
	struct strbuf b = STRBUF_INIT;
	struct perr err = { 0 };
	size_t k = strlen(path);

	if (k > 4 && !strcmp(path + k - 4, ".zip")) {
		struct zipin_limits lim;
		struct zipin *z = NULL;
		struct zipin_reader *r = zipin_reader_new();
		struct zipin_entry e;
		enum zipin_fail fail;
		int got;

		zipin_limits_default(&lim);
		if (zipin_open_file(&z, path, &lim, &err) < 0)
			goto fail;
		while ((got = zipin_next(z, &e, &err)) == 1) {
			if (e.is_dir || e.name_len < 4 || strcmp(e.name + e.name_len - 4, ".xml"))
				continue;
			if (zipin_read(z, r, &e, &b, &fail, &err) < 0)
				break;
			add(items, n, alloc, e.name, b.buf ? b.buf : "", b.len);
		}
		zipin_close(z);
		zipin_reader_free(r);
		strbuf_release(&b);
		if (got != 0)
			goto fail;
		return 0;
	}
	if (strbuf_read_file(&b, path, 16 << 20) < 0) {
		perror(path);
		strbuf_release(&b);
		return -1;
	}
	add(items, n, alloc, path, b.buf ? b.buf : "", b.len);
	strbuf_release(&b);
	return 0;
fail:
	fprintf(stderr, "serve-submit: %s: %s\n", path, err.msg);
	return -1;
}

static void *client(void *arg)
{
	struct run *r = arg;

	for (;;) {
		struct item *it;
		struct perr err = { 0 };
		double t0;

		pthread_mutex_lock(&r->mu);
		it = r->next < r->n ? &r->items[r->next++] : NULL;
		pthread_mutex_unlock(&r->mu);
		if (!it)
			break;
		t0 = now_ms();
		if (serve_submit(r->st, &r->user, it->xml, it->len, &it->ans, &err) < 0) {
			fprintf(stderr, "serve-submit: %s: %s\n", it->name, err.msg);
			r->failed = 1;
		}
		it->ms = now_ms() - t0;
	}
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "user", required_argument, NULL, 'u' },
		{ "clients", required_argument, NULL, 'c' },
		{ "hold-lock", no_argument, NULL, 'l' },
		{ "kill", no_argument, NULL, 'k' },
		{ 0 },
	};
	struct run r = { 0 };
	struct perr err = { 0 };
	const char *db = NULL, *user = NULL;
	int clients = 1, hold = 0, kill_self = 0, c;
	size_t alloc = 0;
	pthread_t *t;
	sqlite3 *lock = NULL;
	double t0, secs;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'u': user = optarg; break;
		case 'c': clients = atoi(optarg); break;
		case 'l': hold = 1; break;
		case 'k': kill_self = 1; break;
		default: return 2;
		}
	}
	if (!db || !user || optind == argc || clients < 1 || clients > 256) {
		fprintf(stderr, "usage: serve-submit --db DB --user NAME [--clients N] [--hold-lock] "
				"[--kill] FILE...\n");
		return 2;
	}
	for (int i = optind; i < argc; i++)
		if (load(argv[i], &r.items, &r.n, &alloc) < 0)
			return 3;
	snprintf(r.user.name, sizeof(r.user.name), "%s", user);
	snprintf(r.user.role, sizeof(r.user.role), "surveyor");
	snprintf(r.user.address, sizeof(r.user.address), "127.0.0.1");
	pthread_mutex_init(&r.mu, NULL);
	if (serve_store_open(&r.st, db, &err) < 0)
		return perr_print(&err, "serve");
	if (hold && (db_open(&lock, db, DB_EXISTING, &err) < 0 ||
		     db_exec(lock, "BEGIN IMMEDIATE", &err) < 0))
		return perr_print(&err, "serve");
	t = xcalloc((size_t)clients, sizeof(*t));
	t0 = now_ms();
	for (int i = 0; i < clients; i++)
		pthread_create(&t[i], NULL, client, &r);
	for (int i = 0; i < clients; i++)
		pthread_join(t[i], NULL);
	secs = (now_ms() - t0) / 1e3;
	if (clients == 1) {
		for (size_t i = 0; i < r.n; i++) {
			printf("%s: %d %s: ", r.items[i].name, r.items[i].ans.status,
			       r.items[i].ans.reason);
			escape_term_fputs(stdout, r.items[i].ans.message);
			putchar('\n');
		}
	} else {
		double *ms = xcalloc(r.n + 1, sizeof(*ms));
		int counts[6] = { 0 };

		for (size_t i = 0; i < r.n; i++) {
			ms[i] = r.items[i].ms;
			counts[r.items[i].ans.status / 100 % 6]++;
		}
		qsort(ms, r.n, sizeof(*ms), cmp_double);
		printf("%zu submissions from %d clients in %.2f s: %.0f/s, p50 %.1f ms, p99 %.1f ms, "
		       "2xx %d, 4xx %d, 5xx %d\n", r.n, clients, secs, (double)r.n / secs,
		       ms[r.n / 2], ms[r.n * 99 / 100], counts[2], counts[4], counts[5]);
		free(ms);
	}
	fflush(stdout);
	if (kill_self)
		raise(SIGKILL);
	if (lock) {
		sqlite3_exec(lock, "ROLLBACK", NULL, NULL, NULL);
		db_close(lock);
	}
	serve_store_close(r.st);
	for (size_t i = 0; i < r.n; i++) {
		free(r.items[i].name);
		free(r.items[i].xml);
	}
	free(r.items);
	free(t);
	pthread_mutex_destroy(&r.mu);
	return r.failed ? 3 : 0;
}
