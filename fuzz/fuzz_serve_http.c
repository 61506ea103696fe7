/* Raw HTTP requests (request line, headers, cookies, query, urlencoded and multipart bodies,
   chunked or not) fed to parindex serve's real request handling: one daemon per process
   without a listening socket, on a database of its own in a temporary folder, each input
   written into one end of a loopback TCP connection whose other end is handed to the daemon
   (MHD_add_connection; a TCP pair rather than socketpair(2), whose AF_UNIX sockets
   libmicrohttpd complains of at every TCP option), then the reply read until the daemon closes. Aborts when a reply shows
   SQL or a database message, or an upload file is left behind. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../capture/serve_http.h"
#include "db.h"
#include "fuzz_db.h"
#include "strbuf.h"

static struct serve_http *http;
static struct serve_store *store;
static struct serve_office *office;
static char dir[] = "/tmp/parindex-fuzz-serve-XXXXXX";

static void cleanup(void)
{
	char path[sizeof(dir) + 300];
	DIR *d;
	struct dirent *de;

	serve_http_stop(http, 5);
	if (office)
		serve_office_close(office);
	if (store)
		serve_store_close(store);
	/* the database, the store's spool, the report folder */
	snprintf(path, sizeof(path), "%s/report", dir);
	rmdir(path);
	if ((d = opendir(dir))) {
		while ((de = readdir(d)))
			if (de->d_name[0] != '.') {
				snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
				unlink(path);
			}
		closedir(d);
	}
	rmdir(dir);
}

static void start(void)
{
	struct serve_http_config cfg = { .quiet = 1 };
	struct perr err = { 0 };
	char path[sizeof(dir) + 16], report[sizeof(dir) + 16];
	sqlite3 *db;

	if (!mkdtemp(dir))
		fuzz_die("mkdtemp", NULL);
	snprintf(path, sizeof(path), "%s/t.db", dir);
	snprintf(report, sizeof(report), "%s/report", dir);
	if (db_open(&db, path, DB_MIGRATE, &err) < 0)
		fuzz_die("creating the database", &err);
	db_close(db);
	/* the store and the pages may refuse a database without a definition: the daemon then
	   answers without them (503, 404), its parsing is the same */
	if (serve_store_open(&store, path, &err) < 0)
		store = NULL;
	if (serve_office_open(&office, path, report, &err) < 0)
		office = NULL;
	if (serve_http_start(&http, &cfg, path, store, office, &err) < 0)
		fuzz_die("starting the daemon", &err);
	atexit(cleanup);
}

static int uploads_left(void)
{
	/* the daemon's private upload folder is under TMPDIR: any "upload-" file there after a
	   reply was not removed */
	const char *tmp = getenv("TMPDIR");
	DIR *d = opendir(tmp && *tmp ? tmp : "/tmp"), *sub;
	struct dirent *de, *se;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char p[4096];

		if (strncmp(de->d_name, "parindex-serve-", 15))
			continue;
		snprintf(p, sizeof(p), "%s/%s", tmp && *tmp ? tmp : "/tmp", de->d_name);
		if (!(sub = opendir(p)))
			continue;
		while ((se = readdir(sub)))
			n += !strncmp(se->d_name, "upload-", 7);
		closedir(sub);
	}
	closedir(d);
	return n;
}

/* a connected pair of loopback TCP sockets, through a listener made once */
static int tcp_pair(int sv[2])
{
	static int lfd = -1;
	static struct sockaddr_in a;
	socklen_t len = sizeof(a);

	if (lfd < 0) {
		a.sin_family = AF_INET;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
		    listen(lfd, 8) < 0 || getsockname(lfd, (struct sockaddr *)&a, &len) < 0)
			return -1;
	}
	sv[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sv[0] < 0 || connect(sv[0], (struct sockaddr *)&a, sizeof(a)) < 0)
		return -1;
	sv[1] = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	return sv[1] < 0 ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf reply = STRBUF_INIT;
	size_t off = 0;
	int sv[2], wr_open = 1, before;

	if (!http)
		start();
	before = uploads_left();
	if (tcp_pair(sv) < 0)
		fuzz_die("a loopback connection", NULL);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	if (serve_http_add(http, sv[1]) < 0) {
		close(sv[0]);
		return 0;
	}
	for (;;) {
		struct pollfd p = { sv[0], POLLIN | (wr_open ? POLLOUT : 0), 0 };
		char buf[16384];
		ssize_t n;

		if (poll(&p, 1, 5000) <= 0)
			break; /* the daemon waits for more: the input is done with */
		if (wr_open && (p.revents & POLLOUT)) {
			n = off < size ? write(sv[0], data + off, size - off) : 0;
			if (n > 0)
				off += (size_t)n;
			if (off >= size || (n < 0 && errno != EAGAIN)) {
				shutdown(sv[0], SHUT_WR);
				wr_open = 0;
			}
		}
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(sv[0], buf, sizeof(buf));
			if (n <= 0 && !(n < 0 && errno == EAGAIN))
				break;
			if (n > 0 && reply.len < (1u << 20))
				strbuf_add(&reply, buf, (size_t)n);
		}
	}
	close(sv[0]);
	if (reply.len && (memmem(reply.buf, reply.len, "SELECT ", 7) ||
			  memmem(reply.buf, reply.len, "sqlite", 6) ||
			  memmem(reply.buf, reply.len, "SQLITE", 6))) {
		fwrite(reply.buf, 1, reply.len, stderr);
		fuzz_die("a reply shows SQL or the database's message", NULL);
	}
	strbuf_release(&reply);
	/* the connection is closed: its request completed and its upload file removed (the
	   daemon's thread may still be finishing; give it a moment) */
	for (int i = 0; i < 200 && uploads_left() > before; i++)
		usleep(10000);
	if (uploads_left() > before)
		fuzz_die("an upload file left after its request", NULL);
	return 0;
}
