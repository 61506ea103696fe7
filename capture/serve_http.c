/* parindex serve's HTTP side on libmicrohttpd (thread per connection): limits, Digest (and,
   over TLS, Basic) authentication for OpenRosa, the OpenRosa paths (formList, the forms,
   HEAD and POST /submission), every other request parsed (query, urlencoded and multipart
   bodies through MHD_PostProcessor, the session cookie) into a struct serve_request for
   serve_office_handle, and the headers every reply carries. See serve.h and serve_http.h. */
#include "serve_http.h"
#include "serve_web.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <ctype.h>
#include <nettle/hmac.h>
#include <nettle/md5.h>
#include <nettle/memops.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "encrypted.h"
#include "escape.h"
#include "strbuf.h"
#include "text.h"
#include "xml.h"

struct serve_http {
	struct MHD_Daemon *d;
	struct serve_store *st;
	struct serve_office *office;
	struct serve_web *web; /* the web survey's pages (serve_web.c) */
	int tls;
	int forwarded_for;
	char *public_url; /* without a trailing '/' */
	sqlite3 *db;      /* accounts and forms, one request at a time */
	sqlite3_stmt *account_st; /* role and HA1s of an enabled account by name */
	pthread_mutex_t db_lock;
	char realm[64];
	unsigned char nonce_secret[32];
	struct nonce_slot {
		char nonce[SERVE_NONCE_LEN + 1];
		unsigned long nc;
	} slots[SERVE_NONCE_SLOTS];
	pthread_mutex_t slots_lock;
	atomic_uint nonce_serial;
	char tmpdir[PATH_MAX]; /* private (0700) folder of the uploads in flight */
	int tmp_lock;          /* its lock file, locked while the server runs (serve_tmp.c) */
	atomic_uint inflight;  /* requests begun and not yet completed */
	unsigned port;
};

enum req_kind { REQ_SUBMISSION, REQ_OFFICE };

/* One request, from its headers to its completion (MHD's con_cls). */
struct req {
	struct serve_http *h;
	enum req_kind kind;
	int begun;                  /* begin() ran */
	int replied;                /* a response is queued: the rest of the body is dropped */
	int too_large;              /* the body passed its limit: 413 at its end */
	int bad;                    /* the body was malformed or broke a rule: 400 at its end */
	char bad_msg[128];
	struct MHD_PostProcessor *pp;
	unsigned long long body;    /* body bytes seen */
	struct serve_user user;
	/* POST /submission */
	struct strbuf xml;
	int xml_parts;
	unsigned parts;
	struct enc_part {           /* an encrypted submission's .enc parts: NAME.xml.enc */
		char *name;         /* and its media files' */
		struct strbuf data;
	} *encs;
	size_t nencs;
	/* office: query and body fields, an uploaded file */
	struct serve_field *fields;
	size_t nfields, afields, field_bytes;
	char *last_key;             /* the field the post processor is in, for continued values */
	int last_file;              /* that field is the file part */
	char *upload_path, *upload_name;
	int upload_fd;
	unsigned long long upload_size;
};

/* ---- logging: the server's log is stderr, every outside text through escape_term ---- */

static void serve_log(const char *address, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void serve_log(const char *address, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	char *msg;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	strbuf_adds(&sb, "parindex: serve: ");
	if (address) {
		escape_term(&sb, address);
		strbuf_adds(&sb, ": ");
	}
	escape_term(&sb, msg ? msg : "out of memory");
	strbuf_addc(&sb, '\n');
	fputs(strbuf_str(&sb), stderr);
	strbuf_release(&sb);
	free(msg);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	if (cls)
		return; /* quiet */
	char buf[512];
	size_t n;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '.'))
		buf[--n] = 0;
	if (n)
		buf[0] = (char)(buf[0] >= 'A' && buf[0] <= 'Z' ? buf[0] - 'A' + 'a' : buf[0]);
	serve_log(NULL, "%s", buf);
}

/* ---- the hand-written parsers ---- */

static int is_host_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.';
}

int serve_host_ok(const char *host, size_t len)
{
	size_t i = 0, port;

	if (!host || !len || len > 255)
		return 0;
	if (host[0] == '[') {
		for (i = 1; i < len && host[i] != ']'; i++)
			if (!((host[i] >= '0' && host[i] <= '9') || (host[i] >= 'a' && host[i] <= 'f') ||
			      (host[i] >= 'A' && host[i] <= 'F') || host[i] == ':' || host[i] == '.'))
				return 0;
		if (i >= len || i == 1)
			return 0;
		i++;
	} else {
		while (i < len && is_host_char((unsigned char)host[i]))
			i++;
		if (i == 0 || host[0] == '.' || host[0] == '-')
			return 0;
	}
	if (i == len)
		return 1;
	if (host[i] != ':')
		return 0;
	port = ++i;
	while (i < len && host[i] >= '0' && host[i] <= '9')
		i++;
	return i == len && i - port >= 1 && i - port <= 5;
}

int serve_public_url_ok(const char *url)
{
	const char *p, *h;

	if (!strncmp(url, "http://", 7))
		h = url + 7;
	else if (!strncmp(url, "https://", 8))
		h = url + 8;
	else
		return 0;
	p = h + strcspn(h, "/");
	if (!serve_host_ok(h, (size_t)(p - h)))
		return 0;
	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr("/-._~%!$&'()*+,;=:@", *p)))
			return 0;
	return 1;
}

int serve_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[64];
	const char *colon, *hb = s, *he;
	char *end;
	unsigned long port;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		hb = s + 1;
		he = strchr(hb, ']');
		if (!he || he[1] != ':')
			return -1;
		colon = he + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -1;
		he = colon;
	}
	if (he == hb || (size_t)(he - hb) >= sizeof(host) || !colon[1] || colon[1] == '-' ||
	    colon[1] == '+' || colon[1] == ' ')
		return -1;
	memcpy(host, hb, (size_t)(he - hb));
	host[he - hb] = 0;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end || port > 65535)
		return -1;
	if (s[0] == '[') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			return -1;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return -1;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		*len = sizeof(*a);
	}
	return 0;
}

int serve_forwarded_client(const char *xff, char out[64])
{
	const char *last = strrchr(xff, ',');
	char addr[64];
	unsigned char bin[sizeof(struct in6_addr)];
	size_t n;

	last = last ? last + 1 : xff;
	while (*last == ' ' || *last == '\t')
		last++;
	n = strlen(last);
	while (n && (last[n - 1] == ' ' || last[n - 1] == '\t'))
		n--;
	if (!n || n >= sizeof(addr))
		return -1;
	memcpy(addr, last, n);
	addr[n] = 0;
	if (inet_pton(AF_INET, addr, bin) != 1 && inet_pton(AF_INET6, addr, bin) != 1)
		return -1;
	memcpy(out, addr, n + 1);
	return 0;
}

/* A path the server answers at all: absolute, no "." or ".." segment, no backslash or
   control byte (MHD has decoded it: "%2e%2e" is ".." here). */
static int path_ok(const char *p)
{
	if (p[0] != '/')
		return 0;
	for (const char *s = p; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '\\')
			return 0;
	for (const char *s = p; *s;) {
		size_t n;

		s++;
		n = strcspn(s, "/");
		if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return 0;
		s += n;
	}
	return 1;
}

/* ---- replies ---- */

/* The policy of every reply: nothing but the server's own style sheet and images, no script at
   all. The report's files (served from its folder) are the same self-contained HTML that is
   mailed and printed, its style inline: they alone may use inline style, still no script. */
#define CSP_REST "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
#define CSP "default-src 'none'; style-src 'self'; " CSP_REST
#define CSP_REPORT "default-src 'none'; style-src 'self' 'unsafe-inline'; " CSP_REST
/* the paper keying's page (rp.script): the server's own script file too, never inline */
#define CSP_SCRIPT "default-src 'none'; style-src 'self'; script-src 'self'; " CSP_REST

static void add_headers(struct MHD_Response *resp, const char *csp)
{
	MHD_add_response_header(resp, "X-OpenRosa-Version", "1.0");
	MHD_add_response_header(resp, "Content-Security-Policy", csp);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
}

static struct MHD_Response *response_csp(const void *body, size_t len, const char *type,
					 const char *csp)
{
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);

	if (!resp)
		return NULL;
	if (type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	add_headers(resp, csp);
	return resp;
}

static struct MHD_Response *response_new(const void *body, size_t len, const char *type)
{
	return response_csp(body, len, type, CSP);
}

static enum MHD_Result queue(struct MHD_Connection *c, struct req *r, unsigned status,
			     struct MHD_Response *resp)
{
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	r->replied = 1;
	return ret;
}

/* A short plain-text reply (errors, 404, 405). */
static enum MHD_Result reply_text(struct MHD_Connection *c, struct req *r, unsigned status,
				  const char *text)
{
	char buf[256];
	struct MHD_Response *resp;

	snprintf(buf, sizeof(buf), "%s\n", text);
	resp = response_new(buf, strlen(buf), "text/plain; charset=utf-8");
	if (resp && status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD, POST");
	return queue(c, r, status, resp);
}

/* A system error: the details to the log, a short text to the client. */
static enum MHD_Result reply_500(struct MHD_Connection *c, struct req *r, const struct perr *err)
{
	serve_log(r->user.address, "%s%s%s", err->where, err->where[0] ? ": " : "", err->msg);
	return reply_text(c, r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal server error");
}

/* An OpenRosaResponse (namespace http://openrosa.org/http/response). */
static enum MHD_Result reply_openrosa(struct MHD_Connection *c, struct req *r, unsigned status,
				      const char *nature, const char *message)
{
	struct strbuf sb = STRBUF_INIT;
	struct MHD_Response *resp;

	strbuf_adds(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			 "<OpenRosaResponse xmlns=\"http://openrosa.org/http/response\">"
			 "<message nature=\"");
	strbuf_add_xml(&sb, nature);
	strbuf_adds(&sb, "\">");
	strbuf_add_xml(&sb, message);
	strbuf_adds(&sb, "</message></OpenRosaResponse>\n");
	resp = response_new(strbuf_str(&sb), sb.len, "text/xml; charset=utf-8");
	strbuf_release(&sb);
	return queue(c, r, status, resp);
}

/* ---- authentication ---- */

/* The Authorization: Digest header's parameters (RFC 7616 3.4): token or quoted-string
   values, quoted-pair escapes undone; each kept only if it fits its field. */
int serve_digest_parse(const char *v, struct serve_digest *d)
{
	static const struct {
		const char *name;
		size_t off, size;
	} fields[] = {
#define F(n) { #n, offsetof(struct serve_digest, n), sizeof(((struct serve_digest *)0)->n) }
		F(username), F(realm), F(nonce), F(uri), F(response), F(qop), F(nc), F(cnonce),
		F(algorithm), F(opaque),
#undef F
	};
	memset(d, 0, sizeof(*d));
	if (strncasecmp(v, "Digest", 6) || (v[6] != ' ' && v[6] != '\t'))
		return -1;
	v += 6;
	for (;;) {
		char key[32], val[1024];
		size_t kn = 0, vn = 0;

		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		if (!*v)
			return 0;
		while (*v && *v != '=' && *v != ' ' && *v != '\t' && *v != ',') {
			if (kn + 1 >= sizeof(key))
				return -1;
			key[kn++] = *v++;
		}
		key[kn] = 0;
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v++ != '=' || !kn)
			return -1;
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v == '"') {
			for (v++; *v != '"'; v++) {
				if (!*v || vn + 1 >= sizeof(val))
					return -1;
				if (*v == '\\' && !*++v)
					return -1;
				val[vn++] = *v;
			}
			v++;
		} else {
			while (*v && *v != ',' && *v != ' ' && *v != '\t') {
				if (vn + 1 >= sizeof(val) || *v == '"')
					return -1;
				val[vn++] = *v++;
			}
		}
		val[vn] = 0;
		if (memchr(val, 0, vn) || strlen(val) != vn)
			return -1;
		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
			char *f = (char *)d + fields[i].off;

			if (strcasecmp(key, fields[i].name))
				continue;
			if (vn >= fields[i].size)
				return -1;
			memcpy(f, val, vn + 1);
		}
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v && *v != ',')
			return -1;
	}
}

/* A nonce: when it was made (16 hex digits of seconds), a serial number (8 hex digits: two
   challenges in one second differ) and an HMAC-SHA256 of both under the secret drawn at start
   (32 hex digits), so no nonce needs to be kept and none outlives a restart. */
static void nonce_make(struct serve_http *h, uint64_t t, uint32_t serial,
		       char out[SERVE_NONCE_LEN + 1])
{
	struct hmac_sha256_ctx ctx;
	uint8_t msg[12], mac[SHA256_DIGEST_SIZE];

	for (int i = 0; i < 8; i++)
		msg[i] = (uint8_t)(t >> (56 - 8 * i));
	for (int i = 0; i < 4; i++)
		msg[8 + i] = (uint8_t)(serial >> (24 - 8 * i));
	hmac_sha256_set_key(&ctx, sizeof(h->nonce_secret), h->nonce_secret);
	hmac_sha256_update(&ctx, sizeof(msg), msg);
	hmac_sha256_digest(&ctx, sizeof(mac), mac);
	snprintf(out, 25, "%016llx%08lx", (unsigned long long)t, (unsigned long)serial);
	text_hex(mac, 16, out + 24);
}

/* 0 a nonce of ours still good, 1 ours but older than SERVE_NONCE_SECONDS (stale), -1 not
   ours */
static int nonce_check(struct serve_http *h, const char *nonce)
{
	char want[SERVE_NONCE_LEN + 1], part[17];
	unsigned long long t, now = (unsigned long long)time(NULL);
	unsigned long serial;
	char *end;

	if (strlen(nonce) != SERVE_NONCE_LEN)
		return -1;
	errno = 0;
	memcpy(part, nonce, 16);
	part[16] = 0;
	t = strtoull(part, &end, 16);
	if (errno || *end)
		return -1;
	memcpy(part, nonce + 16, 8);
	part[8] = 0;
	serial = strtoul(part, &end, 16);
	if (errno || *end)
		return -1;
	nonce_make(h, t, (uint32_t)serial, want);
	if (!memeql_sec(want, nonce, SERVE_NONCE_LEN))
		return -1;
	return now > t + SERVE_NONCE_SECONDS || t > now + 5 ? 1 : 0;
}

/* Replay: the highest nonce count seen per nonce, in a table of NONCE_SLOTS slots; a count not
   above it is refused. A slot taken by another nonce is taken over (the older nonce's counts
   are then forgotten: a replay of it in that window passes, as in libmicrohttpd's table). */
static int nc_fresh(struct serve_http *h, const char *nonce, unsigned long nc)
{
	struct nonce_slot *s;
	uint32_t hash = 2166136261u;
	int fresh = 1;

	for (const char *p = nonce; *p; p++)
		hash = (hash ^ (unsigned char)*p) * 16777619u;
	s = &h->slots[hash % SERVE_NONCE_SLOTS];
	pthread_mutex_lock(&h->slots_lock);
	if (!strcmp(s->nonce, nonce)) {
		if (nc <= s->nc)
			fresh = 0;
		else
			s->nc = nc;
	} else {
		memcpy(s->nonce, nonce, SERVE_NONCE_LEN + 1);
		s->nc = nc;
	}
	pthread_mutex_unlock(&h->slots_lock);
	return fresh;
}

/* name's HA1 (hex) for alg and its role, of an enabled account: 1 found, 0 not, -1 error.
   The same row account_get_ha1 reads, with the role, through one statement prepared at start
   (account_get_ha1 prepares its own at every call: a tenth of a submission's time). */
static int account_lookup(struct serve_http *h, const char *name, enum account_digest alg,
			  char ha1[65], char role[16], struct perr *err)
{
	int rc;

	pthread_mutex_lock(&h->db_lock);
	sqlite3_reset(h->account_st);
	db_bind_text(h->account_st, 1, name);
	rc = sqlite3_step(h->account_st);
	if (rc == SQLITE_ROW) {
		const char *hex = (const char *)sqlite3_column_text(h->account_st,
								    alg == ACCOUNT_MD5 ? 1 : 2);

		snprintf(role, 16, "%s", (const char *)sqlite3_column_text(h->account_st, 0));
		snprintf(ha1, 65, "%s", hex ? hex : "");
		rc = 1;
	} else if (rc == SQLITE_DONE)
		rc = 0;
	else
		rc = db_fail(h->db, err, "reading the account");
	sqlite3_reset(h->account_st);
	pthread_mutex_unlock(&h->db_lock);
	return rc;
}

/* 401 with a Digest challenge (a fresh nonce; stale=true when the client's was only old) */
static enum MHD_Result challenge(struct serve_http *h, struct MHD_Connection *c, struct req *r,
				 int stale)
{
	static const char text[] = "authentication required\n";
	struct MHD_Response *resp = response_new(text, sizeof(text) - 1, "text/plain; charset=utf-8");
	char nonce[SERVE_NONCE_LEN + 1], *hdr;

	if (!resp)
		return MHD_NO;
	nonce_make(h, (uint64_t)time(NULL), atomic_fetch_add(&h->nonce_serial, 1), nonce);
	hdr = xasprintf("Digest realm=\"%s\", qop=\"auth\", nonce=\"%s\", opaque=\"parindex\", "
			"algorithm=MD5%s", h->realm, nonce, stale ? ", stale=true" : "");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, hdr);
	free(hdr);
	return queue(c, r, MHD_HTTP_UNAUTHORIZED, resp);
}

/* Does the Digest uri (as the client sent it) name the path requested (as MHD decoded it)? */
static int uri_matches(const char *uri, const char *url)
{
	const char *q = strchr(uri, '?');
	size_t n = q ? (size_t)(q - uri) : strlen(uri);

	/* an absolute URI (a proxy's form) is compared from its path */
	if (!strncmp(uri, "http://", 7) || !strncmp(uri, "https://", 8)) {
		const char *p = strchr(uri + 8, '/');

		if (!p || (q && p > q))
			return 0;
		n -= (size_t)(p - uri);
		uri = p;
	}
	for (size_t i = 0; i < n; i++, url++) {
		char ch = uri[i];

		if (ch == '%' && i + 2 < n && isxdigit((unsigned char)uri[i + 1]) &&
		    isxdigit((unsigned char)uri[i + 2])) {
			char hx[3] = { uri[i + 1], uri[i + 2], 0 };

			ch = (char)strtol(hx, NULL, 16);
			i += 2;
		}
		if (*url != ch)
			return 0;
	}
	return *url == 0;
}

/* Basic over TLS: the password checked against the MD5 HA1 (the same password as Digest's,
   without the slow web hash at every request). 1 ok, 0 wrong, -1 error. */
static int basic_check(struct serve_http *h, const char *name, const char *password,
		       char role[16], struct perr *err)
{
	char want[65], got[33];
	int rc;

	if (account_check_name(name, NULL) < 0 || strlen(password) > ACCOUNT_PASSWORD_MAX)
		return 0;
	rc = account_lookup(h, name, ACCOUNT_MD5, want, role, err);
	if (rc <= 0)
		return rc;
	account_ha1(ACCOUNT_MD5, name, h->realm, password, got);
	return strlen(want) == 32 && memeql_sec(want, got, 32) ? 1 : 0;
}

/* Authenticate an OpenRosa request from its headers alone. 1: r->user is filled; 0: a reply
   (401 or 500) is queued. */
static int authenticate(struct serve_http *h, struct MHD_Connection *c, struct req *r,
			const char *url, const char *method, enum MHD_Result *ret)
{
	const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						       MHD_HTTP_HEADER_AUTHORIZATION);
	struct serve_digest *d;
	enum account_digest alg = ACCOUNT_MD5;
	struct perr err = { 0 };
	char ha1[65], want[65];
	unsigned long nc;
	char *end;
	int rc, nonce;

	if (auth && !strncasecmp(auth, "Basic ", 6)) {
		char *name, *pass = NULL;

		if (!h->tls) {
			*ret = challenge(h, c, r, 0);
			return 0;
		}
		name = MHD_basic_auth_get_username_password(c, &pass);
		rc = name && pass ? basic_check(h, name, pass, r->user.role, &err) : 0;
		if (rc == 1)
			snprintf(r->user.name, sizeof(r->user.name), "%s", name);
		MHD_free(name);
		MHD_free(pass);
		if (rc < 0)
			*ret = reply_500(c, r, &err);
		else if (rc == 0)
			*ret = challenge(h, c, r, 0);
		return rc == 1;
	}
	d = xmalloc(sizeof(*d));
	rc = 0;
	if (!auth || serve_digest_parse(auth, d) < 0 || account_check_name(d->username, NULL) < 0 ||
	    strcmp(d->realm, h->realm) || strcmp(d->qop, "auth") || !d->cnonce[0] ||
	    strlen(d->nc) != 8 || !uri_matches(d->uri, url))
		goto refuse;
	if (!strcasecmp(d->algorithm, "SHA-256"))
		alg = ACCOUNT_SHA256;
	else if (d->algorithm[0] && strcasecmp(d->algorithm, "MD5"))
		goto refuse;
	errno = 0;
	nc = strtoul(d->nc, &end, 16);
	if (errno || *end || nc == 0)
		goto refuse;
	nonce = nonce_check(h, d->nonce);
	if (nonce < 0)
		goto refuse;
	rc = account_lookup(h, d->username, alg, ha1, r->user.role, &err);
	if (rc < 0) {
		free(d);
		*ret = reply_500(c, r, &err);
		return 0;
	}
	if (rc == 0)
		goto refuse;
	account_digest_response(alg, ha1, d->nonce, d->nc, d->cnonce, d->qop, method, d->uri, want);
	for (char *p = d->response; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	rc = strlen(d->response) == strlen(want) && memeql_sec(d->response, want, strlen(want));
	if (!rc)
		goto refuse;
	/* the right password: an old nonce or a count seen before asks for a new nonce */
	if (nonce == 1 || !nc_fresh(h, d->nonce, nc)) {
		free(d);
		*ret = challenge(h, c, r, 1);
		return 0;
	}
	snprintf(r->user.name, sizeof(r->user.name), "%s", d->username);
	free(d);
	return 1;
refuse:
	free(d);
	*ret = challenge(h, c, r, 0);
	return 0;
}

/* ---- OpenRosa: formList and the forms ---- */

/* The base of absolute URLs: --public-url, else the scheme and a plain Host header; NULL when
   the Host header is missing or not plain. */
static char *base_url(struct serve_http *h, struct MHD_Connection *c)
{
	const char *host;

	if (h->public_url)
		return xstrdup(h->public_url);
	host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	if (!host || !serve_host_ok(host, strlen(host)))
		return NULL;
	return xasprintf("%s://%s", h->tls ? "https" : "http", host);
}

static void add_url_component(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '.' || ch == '_' || ch == '~')
			strbuf_addc(sb, (char)ch);
		else
			strbuf_addf(sb, "%%%02X", ch);
	}
}

/* The forms of the active definition that user may fill (a surveyor: their groups, all when
   they have none; every other role: all), optionally only form id. */
static const char forms_sql[] =
	"SELECT f.id, f.version, f.content FROM form f"
	" WHERE f.def_id || ' ' || f.def_version ="
	"  (SELECT value FROM setting WHERE key = 'active_definition')"
	" AND (?2 IS NULL OR f.id = ?2)"
	" AND (?3 <> 'surveyor'"
	"  OR NOT EXISTS (SELECT 1 FROM account_group g JOIN account a ON a.id = g.account_id"
	"   WHERE a.name = ?1)"
	"  OR f.group_id IN (SELECT g.group_id FROM account_group g"
	"   JOIN account a ON a.id = g.account_id WHERE a.name = ?1))"
	" ORDER BY f.id";

/* the form's title (h:title), as `parindex forms` put it into its formList.xml */
static char *form_title(const char *content, size_t len, const char *id)
{
	static const struct xml_limits lim = { 0, 256, 1000000 };
	struct perr err = { 0 };
	xmlDoc *doc = xml_parse(content, len, id, &lim, &err);
	xmlNode *root, *head, *title;
	char *t = NULL;

	if (doc && (root = xmlDocGetRootElement(doc)) && (head = xml_first(root, "head")) &&
	    (title = xml_first(head, "title")))
		t = xml_text(title);
	if (doc)
		xmlFreeDoc(doc);
	return t && *t ? t : (free(t), xstrdup(id));
}

static enum MHD_Result form_list_reply(struct serve_http *h, struct MHD_Connection *c,
				       struct req *r)
{
	struct strbuf sb = STRBUF_INIT;
	struct perr err = { 0 };
	sqlite3_stmt *st = NULL;
	char *base = base_url(h, c);
	int rc;

	if (!base)
		return reply_text(c, r, MHD_HTTP_BAD_REQUEST, "bad or missing host header");
	strbuf_adds(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			 "<xforms xmlns=\"http://openrosa.org/xforms/xformsList\">\n");
	pthread_mutex_lock(&h->db_lock);
	if (db_prepare(h->db, &st, forms_sql, &err) == 0) {
		db_bind_text(st, 1, r->user.name);
		db_bind_text(st, 3, r->user.role);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *id = (const char *)sqlite3_column_text(st, 0);
			const char *version = (const char *)sqlite3_column_text(st, 1);
			const char *content = sqlite3_column_blob(st, 2);
			size_t len = (size_t)sqlite3_column_bytes(st, 2);
			uint8_t md5[MD5_DIGEST_SIZE];
			struct md5_ctx m;
			char *title = form_title(content ? content : "", len, id);

			md5_init(&m);
			md5_update(&m, len, (const uint8_t *)content);
			md5_digest(&m, sizeof(md5), md5);
			strbuf_adds(&sb, "  <xform>\n    <formID>");
			strbuf_add_xml(&sb, id);
			strbuf_adds(&sb, "</formID>\n    <name>");
			strbuf_add_xml(&sb, title);
			strbuf_adds(&sb, "</name>\n    <version>");
			strbuf_add_xml(&sb, version);
			strbuf_adds(&sb, "</version>\n    <hash>md5:");
			for (size_t i = 0; i < sizeof(md5); i++)
				strbuf_addf(&sb, "%02x", md5[i]);
			strbuf_adds(&sb, "</hash>\n    <downloadUrl>");
			{
				struct strbuf url = STRBUF_INIT;

				strbuf_adds(&url, base);
				strbuf_adds(&url, "/forms/");
				add_url_component(&url, id);
				strbuf_adds(&url, ".xml");
				strbuf_add_xml(&sb, strbuf_str(&url));
				strbuf_release(&url);
			}
			strbuf_adds(&sb, "</downloadUrl>\n  </xform>\n");
			free(title);
		}
		if (rc != SQLITE_DONE)
			db_fail(h->db, &err, "reading the forms");
		sqlite3_finalize(st);
	}
	pthread_mutex_unlock(&h->db_lock);
	free(base);
	if (err.msg[0]) {
		strbuf_release(&sb);
		return reply_500(c, r, &err);
	}
	strbuf_adds(&sb, "</xforms>\n");
	{
		struct MHD_Response *resp =
			response_new(strbuf_str(&sb), sb.len, "text/xml; charset=utf-8");

		strbuf_release(&sb);
		return queue(c, r, MHD_HTTP_OK, resp);
	}
}

/* GET /forms/ID.xml: the form's bytes exactly as stored */
static enum MHD_Result form_reply(struct serve_http *h, struct MHD_Connection *c, struct req *r,
				  const char *url)
{
	const char *name = url + strlen("/forms/");
	size_t n = strlen(name);
	struct perr err = { 0 };
	struct MHD_Response *resp = NULL;
	sqlite3_stmt *st = NULL;
	char *id;
	int rc = SQLITE_DONE;

	if (n <= 4 || strcmp(name + n - 4, ".xml") || strchr(name, '/'))
		return reply_text(c, r, MHD_HTTP_NOT_FOUND, "not found");
	id = xstrndup(name, n - 4);
	pthread_mutex_lock(&h->db_lock);
	if (db_prepare(h->db, &st, forms_sql, &err) == 0) {
		db_bind_text(st, 1, r->user.name);
		db_bind_text(st, 2, id);
		db_bind_text(st, 3, r->user.role);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			resp = response_new(sqlite3_column_blob(st, 2),
					    (size_t)sqlite3_column_bytes(st, 2),
					    "text/xml; charset=utf-8");
		else if (rc != SQLITE_DONE)
			db_fail(h->db, &err, "reading the form");
		sqlite3_finalize(st);
	}
	pthread_mutex_unlock(&h->db_lock);
	free(id);
	if (err.msg[0])
		return reply_500(c, r, &err);
	if (rc != SQLITE_ROW)
		return reply_text(c, r, MHD_HTTP_NOT_FOUND, "not found");
	return queue(c, r, MHD_HTTP_OK, resp);
}

/* ---- bodies: MHD_PostProcessor's parts into the request ---- */

static void req_bad(struct req *r, const char *msg)
{
	if (!r->bad) {
		r->bad = 1;
		snprintf(r->bad_msg, sizeof(r->bad_msg), "%s", msg);
	}
}

static enum MHD_Result submission_part(void *cls, enum MHD_ValueKind kind, const char *key,
				       const char *filename, const char *content_type,
				       const char *transfer_encoding, const char *data,
				       uint64_t off, size_t size)
{
	struct req *r = cls;

	if (off == 0 && ++r->parts > SERVE_MAX_PARTS) {
		req_bad(r, "too many parts");
		return MHD_NO;
	}
	if (key && strlen(key) > 4 && !strcmp(key + strlen(key) - 4, ".enc")) {
		/* an encrypted submission's file (its manifest is the xml_submission_file): the
		   submission's NAME.xml.enc or a media file's NAME.enc, kept for its manifest */
		if (off == 0) {
			int xml = strlen(key) > 8 && !strcmp(key + strlen(key) - 8, ".xml.enc");

			for (size_t i = 0; i < r->nencs; i++) {
				const char *n = r->encs[i].name;

				if (!strcmp(n, key) ||
				    (xml && strlen(n) > 8 && !strcmp(n + strlen(n) - 8, ".xml.enc"))) {
					req_bad(r, xml ? "more than one encrypted submission file (.xml.enc)"
						       : "two encrypted files of one name");
					return MHD_NO;
				}
			}
			r->encs = xrealloc(r->encs, (r->nencs + 1) * sizeof(*r->encs));
			r->encs[r->nencs].name = xstrdup(key);
			r->encs[r->nencs].data = (struct strbuf)STRBUF_INIT;
			r->nencs++;
		}
		if (r->nencs)
			strbuf_add(&r->encs[r->nencs - 1].data, data, size);
		return MHD_YES;
	}
	if (!key || strcmp(key, "xml_submission_file"))
		return MHD_YES; /* an attachment: counted, its bytes within the body limit, dropped */
	if (off == 0 && ++r->xml_parts > 1) {
		req_bad(r, "more than one xml_submission_file");
		return MHD_NO;
	}
	strbuf_add(&r->xml, data, size);
	return MHD_YES;
}

static enum MHD_Result office_part(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *filename, const char *content_type,
				   const char *transfer_encoding, const char *data, uint64_t off,
				   size_t size)
{
	struct req *r = cls;
	int continued = r->last_key && key && !strcmp(r->last_key, key) && off > 0;

	if (!key) {
		req_bad(r, "a part without a name");
		return MHD_NO;
	}
	if (filename && (!continued || !r->last_file)) {
		/* a new file part */
		if (r->upload_path) {
			req_bad(r, "more than one file");
			return MHD_NO;
		}
		r->upload_path = xasprintf("%s/upload-XXXXXX", r->h->tmpdir);
		r->upload_fd = mkstemp(r->upload_path);
		if (r->upload_fd < 0) {
			serve_log(r->user.address, "%s: cannot create: %s", r->upload_path,
				  strerror(errno));
			free(r->upload_path);
			r->upload_path = NULL;
			req_bad(r, "cannot store the file");
			return MHD_NO;
		}
		r->upload_name = xstrdup(filename);
		r->last_file = 1;
		free(r->last_key);
		r->last_key = xstrdup(key);
	}
	if (filename) {
		if (r->upload_size + size > SERVE_MAX_UPLOAD) {
			req_bad(r, "file too large");
			return MHD_NO;
		}
		for (size_t done = 0; done < size;) {
			ssize_t w = write(r->upload_fd, data + done, size - done);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				serve_log(r->user.address, "%s: cannot write: %s", r->upload_path,
					  strerror(errno));
				req_bad(r, "cannot store the file");
				return MHD_NO;
			}
			done += (size_t)w;
		}
		r->upload_size += size;
		return MHD_YES;
	}
	r->field_bytes += size + (continued ? 0 : strlen(key));
	if (r->field_bytes > SERVE_MAX_FIELDS_BYTES) {
		req_bad(r, "form fields too large");
		return MHD_NO;
	}
	if (continued && !r->last_file && r->nfields) {
		struct serve_field *f = &r->fields[r->nfields - 1];
		char *v = xrealloc((char *)f->value, f->len + size + 1);

		memcpy(v + f->len, data, size);
		f->len += size;
		v[f->len] = 0;
		f->value = v;
		return MHD_YES;
	}
	if (r->nfields >= SERVE_MAX_FIELDS) {
		req_bad(r, "too many form fields");
		return MHD_NO;
	}
	xgrow(&r->fields, &r->afields, r->nfields + 1, sizeof(*r->fields));
	{
		char *v = xmalloc(size + 1);

		memcpy(v, data, size);
		v[size] = 0;
		r->fields[r->nfields++] = (struct serve_field){ xstrdup(key), v, size };
	}
	r->last_file = 0;
	free(r->last_key);
	r->last_key = xstrdup(key);
	return MHD_YES;
}

static enum MHD_Result query_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				 size_t key_size, const char *value, size_t value_size)
{
	struct req *r = cls;
	char *v;

	r->field_bytes += key_size + value_size;
	if (r->nfields >= SERVE_MAX_FIELDS || r->field_bytes > SERVE_MAX_FIELDS_BYTES) {
		req_bad(r, "too many query arguments");
		return MHD_NO;
	}
	xgrow(&r->fields, &r->afields, r->nfields + 1, sizeof(*r->fields));
	v = xmalloc(value_size + 1);
	if (value_size)
		memcpy(v, value, value_size);
	v[value_size] = 0;
	r->fields[r->nfields++] = (struct serve_field){ xstrndup(key, key_size), v, value_size };
	return MHD_YES;
}

/* Content-Length, when given and a number: > limit is refused before the body is read */
static int too_long(struct MHD_Connection *c, unsigned long long limit)
{
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_LENGTH);
	char *end;
	unsigned long long n;

	if (!cl)
		return 0;
	errno = 0;
	n = strtoull(cl, &end, 10);
	return errno == ERANGE || (end != cl && n > limit);
}

/* ---- the office's pages ---- */

static enum MHD_Result office_reply(struct serve_http *h, struct MHD_Connection *c,
				    struct req *r, const char *url, const char *method)
{
	struct serve_request rq = { 0 };
	struct serve_reply rp = { 0 };
	struct perr err = { 0 };
	struct MHD_Response *resp = NULL;
	int rc;

	rq.method = method;
	rq.path = url;
	rq.address = r->user.address;
	rq.tls = h->tls;
	rq.session = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "parindex_session");
	rq.fields = r->fields;
	rq.nfields = r->nfields;
	rq.upload_path = r->upload_path;
	rq.upload_name = r->upload_name;
	rq.upload_size = r->upload_size;
	rc = serve_web_handle(h->web, &rq, &rp, &err);
	if (rc == 0)
		rc = serve_office_handle(h->office, &rq, &rp, &err);
	if (rc < 0) {
		strbuf_release(&rp.body);
		return reply_500(c, r, &err);
	}
	if (rc == 0) {
		strbuf_release(&rp.body);
		return reply_text(c, r, MHD_HTTP_NOT_FOUND, "not found");
	}
	if (rp.file) {
		struct stat sb;
		int fd = open(rp.file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

		if (fd < 0 || fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
			if (fd >= 0)
				close(fd);
			strbuf_release(&rp.body);
			return reply_text(c, r, MHD_HTTP_NOT_FOUND, "not found");
		}
		resp = MHD_create_response_from_fd((size_t)sb.st_size, fd);
		if (!resp)
			close(fd);
		else {
			MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
						rp.content_type ? rp.content_type
								: "application/octet-stream");
			add_headers(resp, CSP_REPORT);
		}
	} else
		resp = response_csp(strbuf_str(&rp.body), rp.body.len,
				    rp.content_type ? rp.content_type : "text/html; charset=utf-8",
				    rp.script ? CSP_SCRIPT : CSP);
	strbuf_release(&rp.body);
	if (!resp)
		return MHD_NO;
	if (rp.location[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, rp.location);
	if (rp.set_cookie[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, rp.set_cookie);
	if (rp.disposition[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, rp.disposition);
	return queue(c, r, rp.status ? (unsigned)rp.status : MHD_HTTP_OK, resp);
}

/* ---- routing ---- */

static enum MHD_Result submission_done(struct serve_http *h, struct MHD_Connection *c,
				       struct req *r)
{
	struct serve_answer ans = { 0 };
	struct perr err = { 0 };
	struct capture_enc_file parts[SERVE_MAX_PARTS];

	if (r->bad)
		return reply_openrosa(c, r, MHD_HTTP_BAD_REQUEST, "error", r->bad_msg);
	if (!r->xml_parts)
		return reply_openrosa(c, r, MHD_HTTP_BAD_REQUEST, "error",
				      "no xml_submission_file part");
	if (!h->st)
		return reply_openrosa(c, r, MHD_HTTP_SERVICE_UNAVAILABLE, "error",
				      "the server cannot take submissions now");
	for (size_t i = 0; i < r->nencs && i < SERVE_MAX_PARTS; i++)
		parts[i] = (struct capture_enc_file){ r->encs[i].name,
						      (const unsigned char *)r->encs[i].data.buf,
						      r->encs[i].data.len };
	if (serve_submit_parts(h->st, &r->user, r->xml.buf ? r->xml.buf : "", r->xml.len, parts,
			       r->nencs < SERVE_MAX_PARTS ? r->nencs : SERVE_MAX_PARTS, &ans, &err) < 0) {
		serve_log(r->user.address, "%s: submission: %s%s%s", r->user.name, err.where,
			  err.where[0] ? ": " : "", err.msg);
		return reply_openrosa(c, r, MHD_HTTP_INTERNAL_SERVER_ERROR, "error",
				      "internal server error");
	}
	if (ans.status == 201)
		return reply_openrosa(c, r, 201, "submit_success",
				      ans.message[0] ? ans.message : "submission received");
	if (ans.status == 500)
		serve_log(r->user.address, "%s: submission: %s", r->user.name, ans.message);
	return reply_openrosa(c, r, ans.status >= 400 && ans.status < 600 ? (unsigned)ans.status : 500,
			      ans.reason ? ans.reason : "error",
			      ans.status == 500 ? "internal server error" : ans.message);
}

/* The request's headers are in: answer now, or set up reading its body. */
static enum MHD_Result begin(struct serve_http *h, struct MHD_Connection *c, struct req *r,
			     const char *url, const char *method)
{
	int get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
	int post = !strcmp(method, "POST");
	enum MHD_Result ret = MHD_YES;

	if (!path_ok(url))
		return reply_text(c, r, MHD_HTTP_NOT_FOUND, "not found");
	if (!strcmp(url, "/formList") || !strncmp(url, "/forms/", 7)) {
		if (!get)
			return reply_text(c, r, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed");
		if (!authenticate(h, c, r, url, method, &ret))
			return ret;
		return !strcmp(url, "/formList") ? form_list_reply(h, c, r) : form_reply(h, c, r, url);
	}
	if (!strcmp(url, "/submission")) {
		const char *type;

		if (!post && strcmp(method, "HEAD"))
			return reply_text(c, r, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed");
		if (!authenticate(h, c, r, url, method, &ret))
			return ret;
		if (strcmp(r->user.role, "surveyor") && strcmp(r->user.role, "office"))
			return reply_openrosa(c, r, MHD_HTTP_FORBIDDEN, "forbidden",
					      "this account may not submit");
		if (!post) {
			char limit[32];
			struct MHD_Response *resp = response_new("", 0, NULL);

			snprintf(limit, sizeof(limit), "%u", SERVE_MAX_SUBMISSION);
			if (resp)
				MHD_add_response_header(resp, "X-OpenRosa-Accept-Content-Length", limit);
			return queue(c, r, MHD_HTTP_NO_CONTENT, resp);
		}
		if (too_long(c, SERVE_MAX_SUBMISSION))
			return reply_openrosa(c, r, MHD_HTTP_CONTENT_TOO_LARGE, "error",
					      "submission too large");
		type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
		if (!type || strncasecmp(type, "multipart/form-data", 19) ||
		    !(r->pp = MHD_create_post_processor(c, 16 << 10, submission_part, r)))
			return reply_openrosa(c, r, MHD_HTTP_BAD_REQUEST, "error",
					      "not a multipart/form-data submission");
		r->kind = REQ_SUBMISSION;
		return MHD_YES;
	}
	if (!get && !post)
		return reply_text(c, r, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed");
	r->kind = REQ_OFFICE;
	MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND, query_arg, r);
	if (r->bad)
		return reply_text(c, r, MHD_HTTP_BAD_REQUEST, r->bad_msg);
	if (get)
		return office_reply(h, c, r, url, method);
	if (too_long(c, SERVE_MAX_UPLOAD))
		return reply_text(c, r, MHD_HTTP_CONTENT_TOO_LARGE, "request too large");
	if (MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE) &&
	    !(r->pp = MHD_create_post_processor(c, 16 << 10, office_part, r)))
		return reply_text(c, r, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
				  "a form body must be urlencoded or multipart/form-data");
	return MHD_YES;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	struct serve_http *h = cls;
	struct req *r = *con_cls;

	if (!r) {
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		const struct sockaddr *sa = ci ? ci->client_addr : NULL;

		r = xcalloc(1, sizeof(*r));
		r->upload_fd = -1;
		r->h = h;
		*con_cls = r;
		atomic_fetch_add(&h->inflight, 1);
		r->begun = !strcmp(method, "POST");
		snprintf(r->user.address, sizeof(r->user.address), "local");
		if (sa && sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
				  r->user.address, sizeof(r->user.address));
		else if (sa && sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
				  r->user.address, sizeof(r->user.address));
		/* behind a reverse proxy on this machine the client is the one it names */
		if (h->forwarded_for && sa &&
		    ((sa->sa_family == AF_INET &&
		      (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127) ||
		     (sa->sa_family == AF_INET6 &&
		      IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr)))) {
			const char *xff = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
								      "X-Forwarded-For");

			if (xff)
				serve_forwarded_client(xff, r->user.address);
		}
		/* answered at once only what must not have its body read (a POST refused from its
		   headers); the rest on the next call, which keeps the connection alive */
		if (!strcmp(method, "POST"))
			return begin(h, c, r, url, method);
		return MHD_YES;
	}
	if (!r->begun) {
		enum MHD_Result ret;

		r->begun = 1;
		ret = begin(h, c, r, url, method);
		if (r->replied)
			*upload_size = 0;
		return ret;
	}
	if (r->replied) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size) {
		unsigned long long limit =
			r->kind == REQ_SUBMISSION ? SERVE_MAX_SUBMISSION : SERVE_MAX_UPLOAD;
		size_t size = *upload_size;

		r->body += size;
		*upload_size = 0;
		/* libmicrohttpd 0.9.75 cannot answer in the middle of a body (a body without a
		   Content-Length, chunked): the rest is read and dropped and 413 sent at its end,
		   or the connection closed past twice the limit */
		if (r->body > 2 * limit) {
			serve_log(r->user.address, "a body past twice its limit: connection closed");
			return MHD_NO;
		}
		if (r->body > limit) {
			r->too_large = 1;
			return MHD_YES;
		}
		if (!r->bad && r->pp && MHD_post_process(r->pp, upload, size) != MHD_YES)
			req_bad(r, "malformed body");
		else if (!r->pp)
			req_bad(r, "a body without a content type");
		return MHD_YES;
	}
	if (r->too_large)
		return r->kind == REQ_SUBMISSION
			       ? reply_openrosa(c, r, MHD_HTTP_CONTENT_TOO_LARGE, "error",
						"submission too large")
			       : reply_text(c, r, MHD_HTTP_CONTENT_TOO_LARGE, "request too large");
	if (r->pp && MHD_destroy_post_processor(r->pp) != MHD_YES)
		req_bad(r, "malformed body");
	r->pp = NULL;
	if (r->kind == REQ_SUBMISSION)
		return submission_done(h, c, r);
	if (r->bad)
		return reply_text(c, r, MHD_HTTP_BAD_REQUEST, r->bad_msg);
	return office_reply(h, c, r, url, method);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct serve_http *h = cls;
	struct req *r = *con_cls;

	if (!r)
		return;
	if (r->pp)
		MHD_destroy_post_processor(r->pp);
	strbuf_release(&r->xml);
	for (size_t i = 0; i < r->nencs; i++) {
		free(r->encs[i].name);
		strbuf_release(&r->encs[i].data);
	}
	free(r->encs);
	for (size_t i = 0; i < r->nfields; i++) {
		free((char *)r->fields[i].name);
		free((char *)r->fields[i].value);
	}
	free(r->fields);
	free(r->last_key);
	if (r->upload_fd >= 0)
		close(r->upload_fd);
	if (r->upload_path)
		unlink(r->upload_path);
	free(r->upload_path);
	free(r->upload_name);
	free(r);
	*con_cls = NULL;
	atomic_fetch_sub(&h->inflight, 1);
}

/* ---- start and stop ---- */

/* what serve_http_start made, the daemon stopped or never started */
static void http_free(struct serve_http *h)
{
	serve_web_close(h->web);
	sqlite3_finalize(h->account_st);
	if (h->db)
		db_close(h->db);
	serve_tmp_remove(h->tmpdir, h->tmp_lock);
	free(h->public_url);
	pthread_mutex_destroy(&h->db_lock);
	pthread_mutex_destroy(&h->slots_lock);
	free(h);
}

int serve_http_start(struct serve_http **out, const struct serve_http_config *cfg,
		     const char *db_path, struct serve_store *st, struct serve_office *office,
		     struct perr *err)
{
	struct serve_http *h = xcalloc(1, sizeof(*h));
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_POLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	struct MHD_OptionItem opts[16];
	int n = 0;

	*out = NULL;
	h->tmp_lock = -1;
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log,
					     cfg->quiet ? (void *)cfg : NULL };
	h->st = st;
	h->office = office;
	h->forwarded_for = cfg->forwarded_for;
	pthread_mutex_init(&h->db_lock, NULL);
	pthread_mutex_init(&h->slots_lock, NULL);
	if (serve_web_open(&h->web, db_path, st, err) < 0) {
		http_free(h);
		return -1;
	}
	if (cfg->listen && serve_parse_listen(cfg->listen, &ss, &sslen) < 0) {
		perr_set(err, PERR_USAGE, "", "--listen: '%s' is not ADDR:PORT (e.g. 127.0.0.1:8080)",
			 cfg->listen);
		goto fail;
	}
	if (cfg->public_url) {
		size_t l = strlen(cfg->public_url);

		if (!serve_public_url_ok(cfg->public_url)) {
			perr_set(err, PERR_USAGE, "",
				 "--public-url: '%s' is not http(s)://HOST[:PORT][/PATH]",
				 cfg->public_url);
			goto fail;
		}
		h->public_url = xstrdup(cfg->public_url);
		while (l && h->public_url[l - 1] == '/')
			h->public_url[--l] = 0;
	}
	if (db_open(&h->db, db_path, DB_EXISTING, err) < 0)
		goto fail;
	if (db_exec(h->db, "BEGIN IMMEDIATE", err) < 0 || account_realm(h->db, h->realm, err) < 0 ||
	    db_exec(h->db, "COMMIT", err) < 0)
		goto fail;
	if (sqlite3_prepare_v3(h->db,
			       "SELECT role, ha1_md5, ha1_sha256 FROM account"
			       " WHERE name = ?1 AND disabled_at IS NULL",
			       -1, SQLITE_PREPARE_PERSISTENT, &h->account_st, NULL) != SQLITE_OK) {
		db_fail(h->db, err, "preparing the account lookup");
		goto fail;
	}
	if (getrandom(h->nonce_secret, sizeof(h->nonce_secret), 0) != sizeof(h->nonce_secret)) {
		perr_set(err, PERR_SYSTEM, "", "no random numbers for the digest nonces: %s",
			 strerror(errno));
		goto fail;
	}
	/* the folders of servers killed before they could remove theirs, then our own */
	serve_tmp_clean();
	if (serve_tmp_make(h->tmpdir, sizeof(h->tmpdir), &h->tmp_lock, err) < 0)
		goto fail;
	if (cfg->tls_cert) {
		if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
			perr_set(err, PERR_SYSTEM, "", "this libmicrohttpd has no TLS");
			goto fail;
		}
		h->tls = 1;
		flags |= MHD_USE_TLS;
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)cfg->tls_cert };
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)cfg->tls_key };
	}
	if (cfg->listen) {
		if (ss.ss_family == AF_INET6)
			flags |= MHD_USE_IPv6;
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0, &ss };
	} else
		flags |= MHD_USE_NO_LISTEN_SOCKET;
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT, SERVE_MAX_CONNECTIONS, NULL };
	/* a connection cannot see X-Forwarded-For: behind a proxy every connection is the proxy's,
	   so per address only the requests are limited (web survey, logins), not the connections */
	if (!cfg->forwarded_for)
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_PER_IP_CONNECTION_LIMIT,
						     SERVE_MAX_PER_ADDRESS, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT,
					     cfg->timeout ? cfg->timeout : SERVE_TIMEOUT, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_MEMORY_LIMIT,
					     SERVE_CONNECTION_MEMORY, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_THREAD_STACK_SIZE, 256 << 10, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)completed, h };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	h->d = MHD_start_daemon(flags, 0, NULL, NULL, handle, h, MHD_OPTION_ARRAY, opts,
				MHD_OPTION_END);
	if (!h->d) {
		perr_set(err, PERR_SYSTEM, cfg->listen ? cfg->listen : "",
			 "cannot listen (address in use, not this machine's, or a bad TLS key or certificate?)");
		goto fail;
	}
	if (cfg->listen) {
		const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);

		h->port = di ? di->port : 0;
	}
	*out = h;
	return 0;
fail:
	http_free(h);
	return -1;
}

unsigned serve_http_port(const struct serve_http *h)
{
	return h->port;
}

int serve_http_add(struct serve_http *h, int fd)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	return MHD_add_connection(h->d, fd, (const struct sockaddr *)&a, sizeof(a)) == MHD_YES ? 0
												  : -1;
}

void serve_http_stop(struct serve_http *h, unsigned wait_seconds)
{
	MHD_socket ls;
	struct timespec pause = { 0, 20 * 1000 * 1000 };

	if (!h)
		return;
	ls = MHD_quiesce_daemon(h->d);
	if (ls != MHD_INVALID_SOCKET)
		close(ls);
	for (unsigned i = 0; i < wait_seconds * 50 && atomic_load(&h->inflight); i++)
		nanosleep(&pause, NULL);
	if (atomic_load(&h->inflight))
		serve_log(NULL, "%u requests still in flight after %u s: closed",
			  atomic_load(&h->inflight), wait_seconds);
	MHD_stop_daemon(h->d);
	http_free(h);
}
