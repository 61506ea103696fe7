/* The daemon's HTTP side (serve_http.c), private to serve.c, its tests and its fuzz targets:
   libmicrohttpd started and stopped, and the two small parsers written by hand (the listen
   address, the Host header). Everything a request meets goes through serve_http.c. */
#ifndef PARINDEX_SERVE_HTTP_H
#define PARINDEX_SERVE_HTTP_H

#include <stddef.h>
#include <sys/socket.h>

#include "err.h"
#include "serve.h"

/* The announced X-OpenRosa-Accept-Content-Length: a submission's whole body at most. */
#define SERVE_MAX_SUBMISSION (10u << 20)
/* An office upload (a zip of submissions, a scores sheet), written to a file as it comes. */
#define SERVE_MAX_UPLOAD (512ull << 20)
/* Form fields of an office request kept in memory, names and values together. */
#define SERVE_MAX_FIELDS_BYTES (256u << 10)
#define SERVE_MAX_FIELDS 256
/* Parts of one submission (the XML and its attachments). */
#define SERVE_MAX_PARTS 64
/* Memory per connection: the request line and headers must fit in it. */
#define SERVE_CONNECTION_MEMORY (64u << 10)
#define SERVE_MAX_CONNECTIONS 512
#define SERVE_MAX_PER_ADDRESS 128
#define SERVE_TIMEOUT 30 /* seconds a connection may stay idle or send nothing */
/* A Digest nonce is good for this many seconds; then the client is told stale=true. */
#define SERVE_NONCE_SECONDS 300
#define SERVE_NONCE_LEN 56      /* hex: 16 of the time, 8 a serial, 32 their HMAC */
#define SERVE_NONCE_SLOTS 4096  /* the replay table's nonces */

struct serve_http_config {
	const char *listen;      /* ADDR:PORT, NULL for no listening socket (serve_http_add) */
	const char *tls_cert;    /* PEM text of the certificate and the key, or NULL */
	const char *tls_key;
	const char *public_url;  /* the base of absolute URLs, or NULL: from the Host header */
	unsigned timeout;        /* seconds; 0: SERVE_TIMEOUT */
	int quiet;               /* libmicrohttpd's own messages not logged (the fuzz target) */
	int forwarded_for;       /* a reverse proxy on this machine: the client's address from
				    X-Forwarded-For on connections from a loopback address */
};

struct serve_http;

/* Start the daemon on the database at db_path (its own connection, for accounts and forms),
   handing submissions to st and other pages to office. -1 with err when it cannot. */
int serve_http_start(struct serve_http **h, const struct serve_http_config *cfg,
		     const char *db_path, struct serve_store *st, struct serve_office *office,
		     struct perr *err);
/* The port it listens on. */
unsigned serve_http_port(const struct serve_http *h);
/* Stop accepting connections; let the requests in flight finish (at most wait_seconds), then
   close every connection and stop. */
void serve_http_stop(struct serve_http *h, unsigned wait_seconds);

/* The server's private uploads folder (serve_tmp.c): serve_tmp_make makes
   TMPDIR/parindex-serve-PID-XXXXXX (0700) into path and keeps its lock file locked through
   *lock_fd; serve_tmp_remove removes it and what is in it. serve_tmp_clean removes the folders
   of servers that are gone (killed: their process not running and their lock free), returns
   how many. */
int serve_tmp_make(char *path, size_t size, int *lock_fd, struct perr *err);
void serve_tmp_remove(char *path, int lock_fd);
int serve_tmp_clean(void);
/* TMPDIR, or /tmp when it is unset or empty. */
const char *serve_tmpdir(void);
/* Removes the folder path and everything in it (links not followed, mounts not crossed). */
void serve_remove_tree(const char *path);
/* Hand the daemon one connected socket (the fuzz target's socketpair); the daemon owns fd. */
int serve_http_add(struct serve_http *h, int fd);

/* The parameters of an Authorization: Digest header (RFC 7616), NUL-terminated, empty when
   absent. */
struct serve_digest {
	char username[ACCOUNT_NAME_MAX + 1];
	char realm[64], nonce[64], uri[1024], response[65], qop[16], nc[16], cnonce[256];
	char algorithm[16], opaque[64];
};
/* Parse the header's value ("Digest k=v, k=\"v\", ..."); -1 when it is not Digest, is
   malformed, or a known parameter does not fit its field (unknown ones are skipped). */
int serve_digest_parse(const char *header, struct serve_digest *d);

/* The client's address a reverse proxy appended to X-Forwarded-For (its last entry), into out
   as an IPv4 or IPv6 address in text; -1 when that entry is not one. */
int serve_forwarded_client(const char *xff, char out[64]);

/* Parse ADDR:PORT (IPv4 a.b.c.d:PORT, IPv6 [::1]:PORT; PORT 0 picks a free one) into ss.
   -1 when it is not one. */
int serve_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len);
/* 1 when host (len bytes, not NUL-terminated) is a plain host[:port]: a DNS name or IPv4
   address, or an IPv6 address in brackets, then an optional port of 1 to 5 digits; else 0. */
int serve_host_ok(const char *host, size_t len);
/* 1 when url may be --public-url: http:// or https://, then a plain host[:port], then an
   optional path of URL characters; else 0. */
int serve_public_url_ok(const char *url);

#endif
