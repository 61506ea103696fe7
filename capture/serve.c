/* parindex serve: the command. Checks the database, opens the submission store and the
   office's pages, starts the HTTP daemon (serve_http.c), prints the listening line, and on
   SIGTERM or SIGINT stops accepting, lets the requests in flight finish, closes the store
   (which drains its spool) and exits 0. */
#include "serve.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup.h"
#include "cmd.h"
#include "db.h"
#include "encrypted.h"
#include "escape.h"
#include "serve_http.h"
#include "strbuf.h"

/* how long requests in flight may take to finish after SIGTERM */
#define SERVE_STOP_SECONDS 30

static int read_pem(const char *path, const char *what, struct strbuf *sb, struct perr *err)
{
	if (strbuf_read_file(sb, path, 1 << 20) < 0)
		return perr_set(err, PERR_SYSTEM, path, "cannot read the TLS %s: %s", what,
				strerror(errno));
	if (!strstr(strbuf_str(sb), "-----BEGIN "))
		return perr_set(err, PERR_DATA, path, "the TLS %s is not PEM", what);
	return 0;
}

int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' },
		{ "tls-cert", required_argument, NULL, 'c' },
		{ "tls-key", required_argument, NULL, 'k' },
		{ "public-url", required_argument, NULL, 'u' },
		{ "report-dir", required_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 't' },
		{ "forwarded-for", no_argument, NULL, 'f' },
		{ "key", required_argument, NULL, 'K' },
		{ 0 },
	};
	const char *dbopt = NULL, *cert = NULL, *key = NULL, *report_dir = NULL, *path;
	const char *decrypt_key_path = NULL;
	EVP_PKEY *decrypt_key = NULL; /* --key: in memory only, never stored */
	struct serve_http_config cfg = { .listen = "127.0.0.1:8080" };
	struct strbuf cert_pem = STRBUF_INIT, key_pem = STRBUF_INIT;
	struct serve_store *st = NULL;
	struct serve_office *office = NULL;
	struct serve_http *h = NULL;
	struct perr err = { 0 };
	sqlite3 *db = NULL;
	char *report_default = NULL;
	sigset_t sigs;
	int c, sig, rc = 0;
	unsigned long long n;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dbopt = optarg; break;
		case 'l': cfg.listen = optarg; break;
		case 'c': cert = optarg; break;
		case 'k': key = optarg; break;
		case 'u': cfg.public_url = optarg; break;
		case 'r': report_dir = optarg; break;
		case 'f': cfg.forwarded_for = 1; break;
		case 'K': decrypt_key_path = optarg; break;
		case 't':
			if (cmd_parse_count(optarg, 1, 3600, &n) < 0)
				return cmd_usage_error("serve", "--timeout: '%s' is not 1 to 3600 seconds",
						       optarg);
			cfg.timeout = (unsigned)n;
			break;
		default: return cmd_bad_option("serve", argv);
		}
	}
	if (optind < argc)
		return cmd_usage_error("serve", "unexpected argument '%s'", argv[optind]);
	if (!cert != !key)
		return cmd_usage_error("serve", "give both --tls-cert and --tls-key, or neither");
	{
		struct sockaddr_storage ss;
		socklen_t len;

		if (serve_parse_listen(cfg.listen, &ss, &len) < 0)
			return cmd_usage_error("serve", "--listen: '%s' is not ADDR:PORT (e.g. 127.0.0.1:8080)",
					       cfg.listen);
	}
	if (cfg.public_url && !serve_public_url_ok(cfg.public_url))
		return cmd_usage_error("serve", "--public-url: '%s' is not http(s)://HOST[:PORT][/PATH]",
				       cfg.public_url);
	path = db_path(dbopt);
	if (decrypt_key_path && capture_key_load(&decrypt_key, decrypt_key_path, &err) < 0)
		goto out;
	if (cert) {
		if (read_pem(cert, "certificate", &cert_pem, &err) < 0 ||
		    read_pem(key, "key", &key_pem, &err) < 0)
			goto out;
		cfg.tls_cert = strbuf_str(&cert_pem);
		cfg.tls_key = strbuf_str(&key_pem);
	}
	if (!report_dir) {
		char *copy = xstrdup(path);

		report_default = xasprintf("%s/report", dirname(copy));
		free(copy);
		report_dir = report_default;
	}

	/* a damaged database is refused before anything writes to it */
	if (db_open(&db, path, DB_EXISTING, &err) < 0)
		goto out;
	if (db_quick_check(db, &err) < 0) {
		if (err.code == PERR_DATA) {
			char *p = escape_term_dup(path);

			rc = perr_print(&err, "serve");
			fprintf(stderr,
				"parindex: serve: %s: not started; to restore, copy the latest 'parindex backup' copy over %s, remove %s-wal and %s-shm beside it, and start again\n",
				p, p, p, p);
			free(p);
			err.msg[0] = 0;
		}
		goto out;
	}
	db_close(db);
	db = NULL;

	/* the signals are taken by sigwait below: every thread started from here blocks them */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (serve_store_open(&st, path, &err) < 0)
		goto out;
	serve_store_set_key(st, decrypt_key);
	if (serve_office_open(&office, path, report_dir, &err) < 0)
		goto out;
	serve_office_set_store(office, st);
	if (serve_http_start(&h, &cfg, path, st, office, &err) < 0)
		goto out;
	{
		struct sockaddr_storage ss;
		socklen_t len;
		char host[64];

		serve_parse_listen(cfg.listen, &ss, &len);
		snprintf(host, sizeof(host), "%.*s", (int)(strrchr(cfg.listen, ':') - cfg.listen),
			 cfg.listen);
		fprintf(stderr, "parindex: serve: listening on %s://%s:%u\n", cert ? "https" : "http",
			host, serve_http_port(h));
		fflush(stderr);
	}
	while (sigwait(&sigs, &sig) != 0)
		;
	fprintf(stderr, "parindex: serve: %s: finishing the requests in flight\n",
		sig == SIGTERM ? "SIGTERM" : "SIGINT");
	serve_http_stop(h, SERVE_STOP_SECONDS);
	h = NULL;
	serve_office_close(office);
	office = NULL;
	serve_store_close(st);
	st = NULL;
	fprintf(stderr, "parindex: serve: stopped\n");
out:
	if (err.msg[0])
		rc = perr_print(&err, "serve");
	if (h)
		serve_http_stop(h, 0);
	if (office)
		serve_office_close(office);
	if (st)
		serve_store_close(st);
	if (db)
		db_close(db);
	strbuf_release(&cert_pem);
	strbuf_release(&key_pem);
	EVP_PKEY_free(decrypt_key);
	free(report_default);
	return rc;
}
