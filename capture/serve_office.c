/* parindex serve: the Home Affairs office's pages. The daemon (serve.c, serve_http.c) parses a
   request into a struct serve_request and sends the struct serve_reply filled here, with the
   security headers. Pages are written on the server in Vietnamese, with no script; every value
   from the database or the request goes through strbuf_add_xml. Roles: office (everything)
   and analyst (reads only: no upload, undo, tally or report buttons, and their POSTs are
   refused). Sessions and failed logins live in the database (migration 0010); the work itself
   is the stages' library functions: capture_import and capture_undo, tally_scores_import,
   tally_pass_run, report_write. */
#include "serve.h"
#include "serve_page.h"
#include "serve_web.h"
#include "serve_http.h"
#include "capture.h"
#include "quality.h"
#include "../reports/reports.h"
#include "../tally/tally.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "csvout.h"
#include "db.h"
#include "embedded.h"
#include "merge.h"
#include "store.h"
#include "text.h"

#define COOKIE "parindex_session"
#define TOKEN_BYTES 32
#define SESSION_IDLE (12 * 3600) /* seconds a session lives without a request */
#define LOGIN_WINDOW (15 * 60)   /* failed logins counted over this long */
#define LOGIN_MAX_FAILURES 5     /* then the address is locked out */
#define LOCK_FIRST (15 * 60)     /* the first lock-out; each next one doubles */
#define LOCK_MAX (24 * 3600)
#define ROWS_SHOWN 500           /* receipt rows on the page; the CSV has all */
#define SCORES_MAX (64 << 20)    /* as 'parindex scores import' reads */

struct serve_office {
	char *db_path;
	struct serve_store *store; /* the submission path, for the paper keying; may be NULL */
	char *report_dir;
	pthread_mutex_t report_mu; /* one report written into the folder at a time */
	char report_real[PATH_MAX]; /* report_dir resolved, for the check that a file is inside */
};

/* ---- time: db_now (PARINDEX_NOW in tests) as seconds, and back ---- */

static long long now_seconds(void)
{
	char buf[32];
	struct tm tm = { 0 };

	if (!strptime(db_now(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return (long long)time(NULL);
	return (long long)timegm(&tm);
}

static const char *iso_time(long long t, char buf[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static long long iso_seconds(const char *iso)
{
	struct tm tm = { 0 };

	if (!iso || !strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return 0;
	return (long long)timegm(&tm);
}

/* ---- the request ---- */

/* A field's value; NULL when absent or holding a NUL byte. */
static const char *field(const struct serve_request *rq, const char *name)
{
	for (size_t i = 0; i < rq->nfields; i++)
		if (!strcmp(rq->fields[i].name, name))
			return strlen(rq->fields[i].value) == rq->fields[i].len ? rq->fields[i].value
										: NULL;
	return NULL;
}

/* A positive whole number from a field; 0 when it is not one. */
static int64_t field_id(const struct serve_request *rq, const char *name)
{
	const char *s = field(rq, name);
	int64_t v = 0;

	if (!s || !*s || strlen(s) > 18)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (*s - '0');
	}
	return v;
}

static int is_post(const struct serve_request *rq)
{
	return !strcmp(rq->method, "POST");
}

/* ---- pages ---- */

static void h(struct strbuf *sb, const char *s)
{
	strbuf_add_xml(sb, s);
}

static void page_begin(struct strbuf *sb, const char *title, const struct office_user *u,
		       const char *here, int refresh)
{
	static const struct {
		const char *path, *label;
	} nav[] = {
		{ "/", "Tổng quan" },          { "/batches", "Các đợt nhận phiếu" },
		{ "/upload", "Tải lên tệp zip" }, { "/scores", "Điểm tự đánh giá" },
		{ "/tally", "Tổng hợp" },      { "/report", "Báo cáo" },
		{ "/quality", "Chất lượng phiếu" }, { "/key/review", "Phiếu giấy" },
		{ "/key", "Nhập phiếu giấy" },
	};
	int keyer = u && !strcmp(u->role, "keyer");

	strbuf_adds(sb, "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\" />\n"
			"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n");
	if (refresh)
		strbuf_addf(sb, "<meta http-equiv=\"refresh\" content=\"%d\" />\n", refresh);
	strbuf_adds(sb, "<title>");
	h(sb, title);
	strbuf_adds(sb, " – Chỉ số CCHC</title>\n"
			"<link rel=\"stylesheet\" href=\"/static/office.css\" />\n</head>\n<body>\n"
			"<header>\n<p class=\"title\">Chỉ số cải cách hành chính cấp xã</p>\n");
	if (u) {
		strbuf_adds(sb, "<p class=\"who\">Đăng nhập: ");
		h(sb, u->name);
		strbuf_adds(sb, !strcmp(u->role, "office") ? " (văn phòng)"
				: keyer ? " (nhập phiếu giấy)" : " (phân tích, chỉ xem)");
		strbuf_adds(sb, "</p>\n<nav>\n");
		for (size_t i = 0; i < sizeof(nav) / sizeof(nav[0]); i++) {
			if (!strcmp(nav[i].path, "/upload") && strcmp(u->role, "office"))
				continue;
			/* a keyer sees only the keying; the others do not key */
			if (keyer != !strcmp(nav[i].path, "/key"))
				continue;
			strbuf_addf(sb, "<a href=\"%s\"%s>%s</a>\n", nav[i].path,
				    here && !strcmp(here, nav[i].path) ? " class=\"here\"" : "",
				    nav[i].label);
		}
		strbuf_adds(sb, "<form method=\"post\" action=\"/logout\">"
				"<input type=\"hidden\" name=\"csrf\" value=\"");
		h(sb, u->csrf);
		strbuf_adds(sb, "\" /><button type=\"submit\">Đăng xuất</button></form>\n</nav>\n");
	}
	strbuf_adds(sb, "</header>\n<main>\n<h1>");
	h(sb, title);
	strbuf_adds(sb, "</h1>\n");
}

static void page_end(struct strbuf *sb)
{
	strbuf_adds(sb, "</main>\n</body>\n</html>\n");
}

static void csrf_field(struct strbuf *sb, const struct office_user *u)
{
	strbuf_adds(sb, "<input type=\"hidden\" name=\"csrf\" value=\"");
	h(sb, u->csrf);
	strbuf_adds(sb, "\" />");
}

/* A page that only says something: status, title, a sentence, and a detail (a stage's
   message, shown as data) when not NULL. */
static void page_message(struct serve_reply *rp, int status, const struct office_user *u,
			 const char *title, const char *say, const char *detail)
{
	rp->status = status;
	strbuf_reset(&rp->body);
	page_begin(&rp->body, title, u, NULL, 0);
	strbuf_adds(&rp->body, "<p class=\"error\">");
	h(&rp->body, say);
	strbuf_adds(&rp->body, "</p>\n");
	if (detail && *detail) {
		strbuf_adds(&rp->body, "<p class=\"note\">Chi tiết: <code>");
		h(&rp->body, detail);
		strbuf_adds(&rp->body, "</code></p>\n");
	}
	strbuf_adds(&rp->body, u ? "<p><a href=\"/\">Về trang tổng quan</a></p>\n"
				 : "<p><a href=\"/login\">Đăng nhập</a></p>\n");
	page_end(&rp->body);
}

static void redirect(struct serve_reply *rp, const char *to)
{
	rp->status = 303;
	snprintf(rp->location, sizeof(rp->location), "%s", to);
	strbuf_reset(&rp->body);
}

/* "where: message" of err, or its message alone */
static const char *err_text(const struct perr *err, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s", err->where, err->where[0] ? ": " : "", err->msg);
	return buf;
}

static void date_vi(struct strbuf *sb, const char *iso)
{
	char buf[64];

	h(sb, iso ? report_date_vi(iso, buf) : "");
}

/* A cell of column c of the row st is on: text escaped, or a time as the office reads it. */
static void td_text(struct strbuf *sb, sqlite3_stmt *st, int c)
{
	strbuf_adds(sb, "<td>");
	h(sb, (const char *)sqlite3_column_text(st, c));
	strbuf_adds(sb, "</td>");
}

static void td_date(struct strbuf *sb, sqlite3_stmt *st, int c)
{
	strbuf_adds(sb, "<td>");
	date_vi(sb, (const char *)sqlite3_column_text(st, c));
	strbuf_adds(sb, "</td>");
}

static void td_code(struct strbuf *sb, sqlite3_stmt *st, int c)
{
	strbuf_adds(sb, "<td><code>");
	h(sb, (const char *)sqlite3_column_text(st, c));
	strbuf_adds(sb, "</code></td>");
}

/* After a table's rows (s the last sqlite3_step): st finalized, -1 with err when the rows did
   not all come, else a row saying `empty` when there was none, and the table closed. */
static int table_end(sqlite3 *db, struct strbuf *sb, sqlite3_stmt *st, int s, int rows,
		     int ncols, const char *empty, const char *doing, struct perr *err)
{
	sqlite3_finalize(st);
	if (s != SQLITE_DONE)
		return db_fail(db, err, doing);
	if (!rows && empty)
		strbuf_addf(sb, "<tr><td colspan=\"%d\">%s</td></tr>\n", ncols, empty);
	strbuf_adds(sb, "</tbody></table></div>\n");
	return 0;
}

/* ---- sessions ---- */

static void token_hash(const char *token, char out[65])
{
	text_sha256_hex(token, strlen(token), out);
}

/* A session's form token: derived from its cookie token, which the database does not hold,
   so neither the file nor a page of another session gives it away. */
static void csrf_of(const char *token, char out[65])
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "parindex-csrf:%s", token);
	text_sha256_hex(sb.buf, sb.len, out);
	strbuf_release(&sb);
}

static int is_token(const char *s)
{
	size_t n = 0;

	for (; s && s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return 0;
	return s && n == 2 * TOKEN_BYTES;
}

/* The user of rq's session: 1 found (u filled), 2 found and kept alive for another 12 hours
   (the cookie is to be sent again), 0 none or expired, -1 error. */
static int session_user(sqlite3 *db, const struct serve_request *rq, struct office_user *u,
			struct perr *err)
{
	sqlite3_stmt *st;
	char hash[65], now[32], until[32];
	long long t = now_seconds(), seen = 0, idle = 0;
	int rc, found = 0;

	if (!is_token(rq->session))
		return 0;
	token_hash(rq->session, hash);
	if (db_prepare(db, &st, "SELECT a.name, a.role, s.seen_at, s.idle_until FROM web_session s "
				"JOIN account a ON a.id = s.account_id "
				"WHERE s.token_sha256 = ? AND a.disabled_at IS NULL", err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(u->name, sizeof(u->name), "%s", (const char *)sqlite3_column_text(st, 0));
		snprintf(u->role, sizeof(u->role), "%s", (const char *)sqlite3_column_text(st, 1));
		seen = iso_seconds((const char *)sqlite3_column_text(st, 2));
		idle = iso_seconds((const char *)sqlite3_column_text(st, 3));
		found = 1;
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "reading the session");
	if (!found)
		return 0;
	if (idle <= t || strcmp(u->role, "surveyor") == 0) {
		if (db_prepare(db, &st, "DELETE FROM web_session WHERE token_sha256 = ?", err) < 0)
			return -1;
		sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
		rc = db_step_done(db, st, err);
		sqlite3_finalize(st);
		return rc < 0 ? -1 : 0;
	}
	csrf_of(rq->session, u->csrf);
	/* kept alive at most once a minute: a page view is not a write each time */
	if (t - seen >= 60) {
		if (db_prepare(db, &st, "UPDATE web_session SET seen_at = ?, idle_until = ? "
					"WHERE token_sha256 = ?", err) < 0)
			return -1;
		sqlite3_bind_text(st, 1, iso_time(t, now), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, iso_time(t + SESSION_IDLE, until), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
		rc = db_step_done(db, st, err);
		sqlite3_finalize(st);
		return rc < 0 ? -1 : 2;
	}
	return 1;
}

static void cookie(struct serve_reply *rp, const struct serve_request *rq, const char *value,
		   int max_age)
{
	snprintf(rp->set_cookie, sizeof(rp->set_cookie),
		 COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", value, max_age,
		 rq->tls ? "; Secure" : "");
}

/* A new session for account name: the token (hex) in token, the row stored. */
static int session_new(sqlite3 *db, const char *name, const char *address,
		       char token[2 * TOKEN_BYTES + 1], struct perr *err)
{
	unsigned char raw[TOKEN_BYTES];
	sqlite3_stmt *st;
	char hash[65], now[32], until[32];
	long long t = now_seconds();
	int rc;

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return perr_set(err, PERR_SYSTEM, "session", "no random bytes: %s", strerror(errno));
	text_hex(raw, sizeof(raw), token);
	token_hash(token, hash);
	iso_time(t, now);
	/* sessions idle past their time are removed as new ones come */
	if (db_prepare(db, &st, "DELETE FROM web_session WHERE idle_until <= ?", err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	rc = db_step_done(db, st, err);
	sqlite3_finalize(st);
	if (rc < 0)
		return -1;
	if (db_prepare(db, &st, "INSERT INTO web_session (token_sha256, account_id, address, "
				"created_at, seen_at, idle_until) SELECT ?, id, ?, ?, ?, ? "
				"FROM account WHERE name = ?", err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, address, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, iso_time(t + SESSION_IDLE, until), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, name, -1, SQLITE_STATIC);
	rc = db_step_done(db, st, err);
	sqlite3_finalize(st);
	return rc;
}

/* ---- failed logins per address ---- */

struct lock_state {
	long long failures, window_at, lockouts, locked_until;
};

static int lock_read(sqlite3 *db, const char *address, struct lock_state *ls, struct perr *err)
{
	sqlite3_stmt *st;
	int rc;

	memset(ls, 0, sizeof(*ls));
	if (db_prepare(db, &st, "SELECT failures, window_at, lockouts, locked_until "
				"FROM login_failure WHERE address = ?", err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, address, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ls->failures = sqlite3_column_int64(st, 0);
		ls->window_at = iso_seconds((const char *)sqlite3_column_text(st, 1));
		ls->lockouts = sqlite3_column_int64(st, 2);
		ls->locked_until = iso_seconds((const char *)sqlite3_column_text(st, 3));
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, err, "reading failed logins");
}

static int lock_write(sqlite3 *db, const char *address, const struct lock_state *ls,
		      struct perr *err)
{
	sqlite3_stmt *st;
	char window[32], until[32];
	int rc;

	if (db_prepare(db, &st, "INSERT OR REPLACE INTO login_failure (address, failures, "
				"window_at, lockouts, locked_until) VALUES (?, ?, ?, ?, ?)", err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, address, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, ls->failures);
	sqlite3_bind_text(st, 3, iso_time(ls->window_at, window), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, ls->lockouts);
	if (ls->locked_until)
		sqlite3_bind_text(st, 5, iso_time(ls->locked_until, until), -1, SQLITE_STATIC);
	rc = db_step_done(db, st, err);
	sqlite3_finalize(st);
	return rc;
}

/* One more failed login from address at t, in a write transaction; *locked_until set when
   this failure locks the address out. */
static int lock_fail(sqlite3 *db, const char *address, long long t, long long *locked_until,
		     struct perr *err)
{
	struct lock_state ls;

	*locked_until = 0;
	if (db_exec(db, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	if (lock_read(db, address, &ls, err) < 0)
		goto rollback;
	if (ls.locked_until && t - ls.locked_until >= LOCK_MAX)
		ls.lockouts = 0; /* a lock-out a day old is forgotten */
	if (t - ls.window_at >= LOGIN_WINDOW) {
		ls.failures = 0;
		ls.window_at = t;
	}
	if (++ls.failures >= LOGIN_MAX_FAILURES) {
		long long span = LOCK_FIRST;

		for (long long i = 0; i < ls.lockouts && span < LOCK_MAX; i++)
			span *= 2;
		ls.locked_until = *locked_until = t + (span < LOCK_MAX ? span : LOCK_MAX);
		ls.lockouts++;
		ls.failures = 0;
		ls.window_at = t;
	}
	if (lock_write(db, address, &ls, err) < 0 || db_exec(db, "COMMIT", err) < 0)
		goto rollback;
	return 0;
rollback:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* Vietnam's time of day (UTC+7) of t, "14:05 ngày 15/01/2026". */
static const char *time_vi(long long t, char buf[48])
{
	time_t tt = (time_t)(t + 7 * 3600);
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, 48, "%H:%M ngày %d/%m/%Y", &tm);
	return buf;
}

static void login_form(struct serve_reply *rp, int status, const char *say, const char *name)
{
	rp->status = status;
	strbuf_reset(&rp->body);
	page_begin(&rp->body, "Đăng nhập", NULL, NULL, 0);
	if (say) {
		strbuf_adds(&rp->body, "<p class=\"error\">");
		h(&rp->body, say);
		strbuf_adds(&rp->body, "</p>\n");
	}
	strbuf_adds(&rp->body, "<form class=\"login box\" method=\"post\" action=\"/login\">\n"
			       "<label for=\"name\">Tên đăng nhập</label>\n"
			       "<input type=\"text\" id=\"name\" name=\"name\" autocomplete=\"username\" "
			       "required=\"required\" value=\"");
	h(&rp->body, name);
	strbuf_adds(&rp->body, "\" />\n<label for=\"password\">Mật khẩu</label>\n"
			       "<input type=\"password\" id=\"password\" name=\"password\" "
			       "autocomplete=\"current-password\" required=\"required\" />\n"
			       "<button type=\"submit\">Đăng nhập</button>\n</form>\n"
			       "<p class=\"note\">Tài khoản điều tra viên chỉ dùng để gửi phiếu từ ODK "
			       "Collect.</p>\n");
	page_end(&rp->body);
}

static int audit(sqlite3 *db, const char *who, const struct serve_request *rq, struct perr *err,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int audit(sqlite3 *db, const char *who, const struct serve_request *rq, struct perr *err,
		 const char *fmt, ...)
{
	va_list ap;
	char what[1024];

	va_start(ap, fmt);
	if (vsnprintf(what, sizeof(what), fmt, ap) >= (int)sizeof(what))
		text_mark_cut(what, sizeof(what));
	va_end(ap);
	return audit_record(db, who, rq->address ? rq->address : "", what, err);
}

static int do_login(sqlite3 *db, const struct serve_request *rq, struct serve_reply *rp,
		    struct perr *err)
{
	const char *name = field(rq, "name"), *password = field(rq, "password");
	char who[ACCOUNT_NAME_MAX * 2 + 8], role[16] = "", token[2 * TOKEN_BYTES + 1], when[48];
	struct lock_state ls;
	long long t = now_seconds(), until;
	int ok = 0;

	/* the name as typed, cut, for the log: it may be anything */
	text_cut(who, sizeof(who), name && *name ? name : "-");
	if (lock_read(db, rq->address, &ls, err) < 0)
		return -1;
	if (ls.locked_until > t) {
		if (audit(db, who, rq, err, "login refused: address locked out until %s",
			  iso_time(ls.locked_until, token)) < 0)
			return -1;
		rp->status = 429;
		strbuf_reset(&rp->body);
		page_begin(&rp->body, "Đăng nhập", NULL, NULL, 0);
		strbuf_addf(&rp->body, "<p class=\"error\">Đăng nhập sai quá nhiều lần từ địa chỉ "
				       "này: tạm khóa đến %s (giờ Việt Nam). Mỗi lần bị khóa lại, "
				       "thời gian khóa tăng gấp đôi.</p>\n",
			    time_vi(ls.locked_until, when));
		page_end(&rp->body);
		return 0;
	}
	if (name && password && *name && strlen(name) <= ACCOUNT_NAME_MAX &&
	    strlen(password) <= ACCOUNT_PASSWORD_MAX) {
		ok = account_login(db, name, password, role, err);
		if (ok < 0)
			return -1;
	}
	if (!ok) {
		if (lock_fail(db, rq->address, t, &until, err) < 0)
			return -1;
		if (until) {
			char say[256];

			if (audit(db, who, rq, err, "login failed; address locked out until %s",
				  iso_time(until, token)) < 0)
				return -1;
			snprintf(say, sizeof(say), "Tên đăng nhập hoặc mật khẩu không đúng. Đăng nhập "
				 "sai %d lần: địa chỉ này bị tạm khóa đến %s (giờ Việt Nam).",
				 LOGIN_MAX_FAILURES, time_vi(until, when));
			login_form(rp, 429, say, name);
			return 0;
		}
		if (audit(db, who, rq, err, "login failed") < 0)
			return -1;
		login_form(rp, 403, "Tên đăng nhập hoặc mật khẩu không đúng.", name);
		return 0;
	}
	if (!strcmp(role, "surveyor")) {
		if (audit(db, who, rq, err, "login refused: a surveyor account") < 0)
			return -1;
		login_form(rp, 403, "Tài khoản điều tra viên không dùng được trang này: chỉ văn phòng "
				    "và người phân tích đăng nhập ở đây.", name);
		return 0;
	}
	if (db_exec(db, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	if (session_new(db, name, rq->address, token, err) < 0)
		goto rollback;
	{
		sqlite3_stmt *st;

		/* a login that works forgets the address's failures, not its lock-outs */
		if (db_prepare(db, &st, "UPDATE login_failure SET failures = 0 WHERE address = ?",
			       err) < 0)
			goto rollback;
		sqlite3_bind_text(st, 1, rq->address, -1, SQLITE_STATIC);
		if (db_step_done(db, st, err) < 0) {
			sqlite3_finalize(st);
			goto rollback;
		}
		sqlite3_finalize(st);
	}
	if (audit(db, name, rq, err, "login (%s)", role) < 0 || db_exec(db, "COMMIT", err) < 0)
		goto rollback;
	cookie(rp, rq, token, SESSION_IDLE);
	redirect(rp, "/");
	return 0;
rollback:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static int do_logout(sqlite3 *db, const struct serve_request *rq, const struct office_user *u,
		     struct serve_reply *rp, struct perr *err)
{
	sqlite3_stmt *st;
	char hash[65];
	int rc;

	token_hash(rq->session, hash);
	if (db_prepare(db, &st, "DELETE FROM web_session WHERE token_sha256 = ?", err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	rc = db_step_done(db, st, err);
	sqlite3_finalize(st);
	if (rc < 0 || audit(db, u->name, rq, err, "logout") < 0)
		return -1;
	cookie(rp, rq, "", 0);
	redirect(rp, "/login");
	return 0;
}

/* ---- the dashboard ---- */

struct commune_index {
	const char *code;
	size_t i;
};

static int by_code(const void *a, const void *b)
{
	return strcmp(((const struct commune_index *)a)->code,
		      ((const struct commune_index *)b)->code);
}

static const char *cell_class(long n, long min)
{
	return n <= 0 ? "none" : n >= min ? "done" : "under";
}

/* Words for capture's reason codes, for the office (the code stays beside them). */
static const char *reason_vi(const char *code)
{
	static const struct {
		const char *code, *vi;
	} words[] = {
		{ "ok", "hợp lệ" },
		{ "replaced", "đã được bản sửa thay" },
		{ "duplicate", "trùng phiếu đã nhận" },
		{ "edit", "bản sửa" },
		{ "edit-waiting", "bản sửa chờ phiếu gốc" },
		{ "conflict", "trùng mã phiếu, khác nội dung" },
		{ "already-edited", "phiếu gốc đã có bản sửa khác" },
		{ "edit-form-mismatch", "bản sửa khác mẫu phiếu gốc" },
		{ "nested-zip", "zip lồng không mở được" },
		{ "too-large", "tệp quá lớn" },
		{ "encrypted", "tệp mã hóa" },
		{ "unsupported-compression", "kiểu nén không hỗ trợ" },
		{ "not-utf8", "không phải UTF-8" },
		{ "doctype", "có DOCTYPE" },
		{ "too-deep", "lồng quá sâu" },
		{ "malformed", "XML hỏng" },
		{ "not-a-submission", "không phải phiếu trả lời" },
		{ "unknown-form", "mẫu phiếu không có trong cơ sở dữ liệu" },
		{ "unknown-element", "trường lạ" },
		{ "repeated-element", "trường lặp lại" },
		{ "nested-element", "trường lồng" },
		{ "missing-answer", "thiếu câu trả lời" },
		{ "unknown-option", "phương án không có" },
		{ "missing-commune", "thiếu mã xã" },
		{ "unknown-commune", "xã không có trong danh mục" },
		{ "missing-surveyor", "thiếu điều tra viên" },
		{ "missing-instance-id", "thiếu mã phiếu" },
		{ "long-instance-id", "mã phiếu quá dài" },
		{ "bad-value", "giá trị sai" },
		{ "zip-refused", "tệp zip bị từ chối" },
		{ "out-of-scope", "ngoài phạm vi được giao" },
		{ "not-xml", "không phải XML" },
		{ "metadata", "tệp hệ thống" },
		{ "form-definition", "mẫu phiếu, không phải phiếu" },
		{ "last-saved", "bản lưu tạm của ODK Collect" },
		{ "zip", "zip lồng" },
	};

	for (size_t i = 0; code && i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(words[i].code, code))
			return words[i].vi;
	return NULL;
}

static void reason_cell(struct strbuf *sb, const char *code)
{
	const char *vi = reason_vi(code);

	strbuf_adds(sb, "<td>");
	if (vi) {
		h(sb, vi);
		strbuf_adds(sb, " ");
	}
	strbuf_adds(sb, "<code>");
	h(sb, code);
	strbuf_adds(sb, "</code></td>");
}

static const char *status_vi(const char *status)
{
	return !status ? "" : !strcmp(status, "accepted") ? "nhận" : !strcmp(status, "duplicate") ? "trùng"
	       : !strcmp(status, "edit") ? "sửa" : !strcmp(status, "rejected") ? "bị từ chối"
	       : !strcmp(status, "ignored") ? "bỏ qua" : status;
}

/* The active definition and its area's communes of its year (none merged away); -1 with
   err. */
static int load_scope(sqlite3 *db, struct def *d, struct commune_list *cl, struct perr *err)
{
	if (store_active_definition(db, d, err) < 0 || store_load_communes(db, cl, err) < 0 ||
	    tally_district_communes(d, cl, "cơ sở dữ liệu", err) < 0)
		return -1;
	return merge_year_units(db, d->year, cl, err);
}

static int dashboard_quota(sqlite3 *db, struct strbuf *sb, const struct def *d,
			   const struct commune_list *cl, struct perr *err)
{
	size_t nc = cl->n, ng = d->ngroups;
	long *count = xcalloc(nc * ng + 1, sizeof(*count)), *gsum = xcalloc(ng + 1, sizeof(long));
	struct commune_index *idx = xcalloc(nc + 1, sizeof(*idx));
	long all = 0, done = 0;
	sqlite3_stmt *st = NULL;
	int rc = -1, s;

	for (size_t i = 0; i < nc; i++)
		idx[i] = (struct commune_index){ cl->v[i].code, i };
	qsort(idx, nc, sizeof(*idx), by_code);
	if (db_prepare(db, &st, "SELECT s.commune_code, s.group_id, count(*) FROM current_submission s "
				"JOIN form f ON f.id = s.form_id AND f.version = s.form_version "
				"WHERE f.def_id = ? AND f.def_version = ? GROUP BY 1, 2", err) < 0)
		goto done;
	sqlite3_bind_text(st, 1, d->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, d->version, -1, SQLITE_STATIC);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		struct commune_index key = { (const char *)sqlite3_column_text(st, 0), 0 }, *c;
		const char *g = (const char *)sqlite3_column_text(st, 1);

		c = bsearch(&key, idx, nc, sizeof(*idx), by_code);
		for (size_t j = 0; c && j < ng; j++)
			if (!strcmp(d->groups[j].id, g))
				count[c->i * ng + j] = sqlite3_column_int64(st, 2);
	}
	if (s != SQLITE_DONE) {
		db_fail(db, err, "counting submissions");
		goto done;
	}
	for (size_t i = 0; i < nc; i++) {
		long total = 0;
		int met = 1;

		for (size_t j = 0; j < ng; j++) {
			total += count[i * ng + j];
			gsum[j] += count[i * ng + j];
			met &= count[i * ng + j] >= d->groups[j].min_forms;
		}
		all += total;
		done += met && total >= d->min_forms;
	}
	strbuf_addf(sb, "<p>Đã nhận <strong>%ld</strong> phiếu; <strong>%ld</strong> trên %zu xã "
			"đủ chỉ tiêu (ít nhất %d phiếu mỗi xã).</p>\n", all, done, nc, d->min_forms);
	strbuf_adds(sb, "<div class=\"legend\"><span class=\"done\">đủ chỉ tiêu</span>"
			"<span class=\"under\">đang thu</span><span class=\"none\">chưa bắt đầu</span>"
			"</div>\n<div class=\"scroll\"><table id=\"quota\">\n<thead><tr><th>Mã</th>"
			"<th>Xã, phường, thị trấn</th>");
	for (size_t j = 0; j < ng; j++) {
		strbuf_adds(sb, "<th class=\"num\" title=\"");
		h(sb, def_text_get(&d->groups[j].name, "vi"));
		strbuf_adds(sb, "\">");
		h(sb, d->groups[j].id);
		strbuf_addf(sb, " (≥%d)</th>", d->groups[j].min_forms);
	}
	strbuf_addf(sb, "<th class=\"num\">Tổng (≥%d)</th></tr></thead>\n<tbody>\n", d->min_forms);
	for (size_t i = 0; i < nc; i++) {
		long total = 0;
		int met = 1;

		strbuf_adds(sb, "<tr><td>");
		h(sb, cl->v[i].code);
		strbuf_adds(sb, "</td><td>");
		h(sb, cl->v[i].name);
		strbuf_adds(sb, "</td>");
		for (size_t j = 0; j < ng; j++) {
			long n = count[i * ng + j];

			total += n;
			met &= n >= d->groups[j].min_forms;
			strbuf_addf(sb, "<td class=\"num %s\" data-commune=\"", cell_class(n, d->groups[j].min_forms));
			h(sb, cl->v[i].code);
			strbuf_adds(sb, "\" data-group=\"");
			h(sb, d->groups[j].id);
			strbuf_addf(sb, "\">%ld</td>", n);
		}
		strbuf_addf(sb, "<td class=\"num %s\" data-commune=\"",
			    cell_class(total, met ? total : total + 1));
		h(sb, cl->v[i].code);
		strbuf_addf(sb, "\" data-group=\"\">%ld</td></tr>\n", total);
	}
	strbuf_adds(sb, "</tbody>\n<tfoot><tr><td></td><td>Tổng</td>");
	for (size_t j = 0; j < ng; j++)
		strbuf_addf(sb, "<td class=\"num\" data-total=\"%zu\">%ld</td>", j, gsum[j]);
	strbuf_addf(sb, "<td class=\"num\" data-total=\"all\">%ld</td></tr></tfoot>\n</table></div>\n",
		    all);
	rc = 0;
done:
	sqlite3_finalize(st);
	free(idx);
	free(gsum);
	free(count);
	return rc;
}

static int dashboard_surveyors(sqlite3 *db, struct strbuf *sb, const struct def *d,
			       struct perr *err)
{
	sqlite3_stmt *st;
	char now[32];
	int s, rows = 0;

	/* today is Vietnam's day (UTC+7) of the batch that brought the submission */
	if (db_prepare(db, &st, "SELECT s.surveyor, sum(date(b.started_at, '+7 hours') = "
				"date(?, '+7 hours')), count(*) FROM current_submission s "
				"JOIN batch b ON b.id = s.batch_id "
				"JOIN form f ON f.id = s.form_id AND f.version = s.form_version "
				"WHERE f.def_id = ? AND f.def_version = ? GROUP BY s.surveyor "
				"ORDER BY s.surveyor", err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, db_now(now), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, d->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, d->version, -1, SQLITE_STATIC);
	strbuf_adds(sb, "<h2>Theo điều tra viên</h2>\n<div class=\"scroll\"><table id=\"surveyors\">\n"
			"<thead><tr><th>Điều tra viên</th><th class=\"num\">Hôm nay</th>"
			"<th class=\"num\">Tổng</th></tr></thead>\n<tbody>\n");
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		strbuf_adds(sb, "<tr><td>");
		h(sb, (const char *)sqlite3_column_text(st, 0));
		strbuf_addf(sb, "</td><td class=\"num\">%lld</td><td class=\"num\">%lld</td></tr>\n",
			    (long long)sqlite3_column_int64(st, 1), (long long)sqlite3_column_int64(st, 2));
		rows++;
	}
	if (table_end(db, sb, st, s, rows, 3, "Chưa có phiếu nào.", "counting per surveyor", err) < 0)
		return -1;
	return 0;
}

static int dashboard_rejected(sqlite3 *db, struct strbuf *sb, struct perr *err)
{
	sqlite3_stmt *st;
	int s, rows = 0;

	if (db_prepare(db, &st, "SELECT b.id, b.started_at, b.file_name, e.path, e.commune_code, "
				"e.reason, e.message FROM batch_entry e JOIN batch b ON b.id = e.batch_id "
				"WHERE e.status = 'rejected' AND b.undone_at IS NULL "
				"ORDER BY e.batch_id DESC, e.seq DESC LIMIT 20", err) < 0)
		return -1;
	strbuf_adds(sb, "<h2>Phiếu bị từ chối gần đây</h2>\n<div class=\"scroll\"><table id=\"rejected\">\n"
			"<thead><tr><th>Đợt</th><th>Lúc</th><th>Tệp, mục</th><th>Xã</th>"
			"<th>Lý do</th><th>Thông báo</th></tr></thead>\n<tbody>\n");
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		strbuf_addf(sb, "<tr><td class=\"num\">%lld</td>",
			    (long long)sqlite3_column_int64(st, 0));
		td_date(sb, st, 1);
		strbuf_adds(sb, "<td>");
		h(sb, (const char *)sqlite3_column_text(st, 2));
		strbuf_adds(sb, ": ");
		h(sb, (const char *)sqlite3_column_text(st, 3));
		strbuf_adds(sb, "</td>");
		td_text(sb, st, 4);
		reason_cell(sb, (const char *)sqlite3_column_text(st, 5));
		td_code(sb, st, 6);
		strbuf_adds(sb, "</tr>\n");
		rows++;
	}
	if (table_end(db, sb, st, s, rows, 6, "Không có phiếu nào bị từ chối.", "reading rejected entries", err) < 0)
		return -1;
	return 0;
}

static int quality_stored(sqlite3 *db, struct strbuf *sb, int link, struct perr *err);

static int page_dashboard(sqlite3 *db, const struct office_user *u, struct serve_reply *rp,
			  struct perr *err)
{
	struct def d = { 0 };
	struct commune_list cl = { 0 };
	struct strbuf *sb = &rp->body;
	char now[32];
	int rc = -1;

	if (load_scope(db, &d, &cl, err) < 0) {
		if (err->code == PERR_SYSTEM)
			goto done;
		page_message(rp, 200, u, "Tổng quan", "Cơ sở dữ liệu chưa có định nghĩa chỉ số hoặc "
			     "danh mục xã: chạy 'parindex init' trước.", err->msg);
		rc = 0;
		goto done;
	}
	/* live: the page reloads itself every minute (a meta refresh, no script) */
	page_begin(sb, "Tổng quan", u, "/", 60);
	strbuf_adds(sb, "<p class=\"note\">Định nghĩa ");
	h(sb, d.id);
	strbuf_adds(sb, " ");
	h(sb, d.version);
	strbuf_adds(sb, " (");
	h(sb, def_text_get(&d.title, "vi"));
	strbuf_adds(sb, "). Số liệu lúc ");
	date_vi(sb, db_now(now));
	strbuf_adds(sb, "; trang tự tải lại mỗi phút. <a href=\"/\">Tải lại ngay</a></p>\n");
	if (dashboard_quota(db, sb, &d, &cl, err) < 0 ||
	    serve_web_channels(db, sb, d.id, d.version, err) < 0 ||
	    dashboard_surveyors(db, sb, &d, err) < 0 || dashboard_rejected(db, sb, err) < 0)
		goto done;
	strbuf_adds(sb, "<h2>Chất lượng phiếu</h2>\n");
	if (quality_stored(db, sb, 1, err) < 0)
		goto done;
	page_end(sb);
	rc = 0;
done:
	commune_list_release(&cl);
	def_release(&d);
	return rc;
}

/* ---- uploads ---- */

/* The uploaded file's name as the batch and the receipt show it: its last part, control
   characters and separators made '_', at most 120 bytes, "upload" when nothing is left. */
static void upload_base(const char *name, const char *fallback, char out[128])
{
	const char *b = name ? name : "";
	size_t n = 0;

	for (const char *p = b; *p; p++)
		if (*p == '/' || *p == '\\')
			b = p + 1;
	text_cut(out, 121, b);
	for (char *p = out; *p; p++, n++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '/')
			*p = '_';
	if (!n || !strcmp(out, ".") || !strcmp(out, ".."))
		snprintf(out, 128, "%s", fallback);
}

static void receipt_rows(sqlite3 *db, struct strbuf *sb, int64_t batch, uint64_t entries,
			 struct perr *err, int *rc)
{
	sqlite3_stmt *st;
	int s, n = 0;

	*rc = -1;
	if (db_prepare(db, &st, "SELECT seq, path, instance_id, form_id, commune_code, status, "
				"reason, message FROM batch_entry WHERE batch_id = ? ORDER BY seq "
				"LIMIT ?", err) < 0)
		return;
	sqlite3_bind_int64(st, 1, batch);
	sqlite3_bind_int(st, 2, ROWS_SHOWN);
	strbuf_adds(sb, "<div class=\"scroll\"><table id=\"receipt\">\n<thead><tr><th>Mục</th>"
			"<th>Mã phiếu</th><th>Mẫu</th><th>Xã</th><th>Kết quả</th><th>Lý do</th>"
			"<th>Thông báo</th></tr></thead>\n<tbody>\n");
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *status = (const char *)sqlite3_column_text(st, 5);

		strbuf_addf(sb, "<tr data-status=\"%s\">", status);
		for (int c = 1; c <= 4; c++)
			td_text(sb, st, c);
		strbuf_adds(sb, "<td>");
		h(sb, status_vi(status));
		strbuf_adds(sb, "</td>");
		reason_cell(sb, (const char *)sqlite3_column_text(st, 6));
		td_code(sb, st, 7);
		strbuf_adds(sb, "</tr>\n");
		n++;
	}
	if (table_end(db, sb, st, s, 1, 7, NULL, "reading the receipt", err) < 0)
		return;
	if (entries > (uint64_t)n)
		strbuf_addf(sb, "<p class=\"note\">%d mục đầu tiên trên %llu; tệp CSV có đủ mọi mục.</p>\n",
			    n, (unsigned long long)entries);
	*rc = 0;
}

static void counts_vi(struct strbuf *sb, const struct capture_result *res)
{
	strbuf_addf(sb, "%llu mục: %llu nhận, %llu trùng, %llu sửa, %llu bị từ chối, %llu bỏ qua",
		    (unsigned long long)res->entries,
		    (unsigned long long)res->count[CAPTURE_ACCEPTED],
		    (unsigned long long)res->count[CAPTURE_DUPLICATE],
		    (unsigned long long)res->count[CAPTURE_EDIT],
		    (unsigned long long)res->count[CAPTURE_REJECTED],
		    (unsigned long long)res->count[CAPTURE_IGNORED]);
	if (res->waiting)
		strbuf_addf(sb, "; %llu bản sửa chờ phiếu gốc", (unsigned long long)res->waiting);
}

static void upload_form(struct strbuf *sb, const struct office_user *u, const char *action,
			const char *label, const char *accept, const char *button)
{
	strbuf_addf(sb, "<form class=\"box\" method=\"post\" action=\"%s\" "
			"enctype=\"multipart/form-data\">", action);
	csrf_field(sb, u);
	strbuf_addf(sb, "\n<label for=\"file\">%s</label>\n<input type=\"file\" id=\"file\" "
			"name=\"file\" accept=\"%s\" required=\"required\" />\n<button type=\"submit\">%s</button>\n"
			"</form>\n", label, accept, button);
}

static int page_upload(sqlite3 *db, const struct serve_request *rq, const struct office_user *u,
		       struct serve_reply *rp, struct perr *err)
{
	struct capture_options o;
	struct capture_result res;
	struct perr ierr = { 0 };
	struct strbuf *sb = &rp->body;
	char base[128], *dir, *link_path = NULL, msg[800];
	int rc = -1, got;

	if (!is_post(rq)) {
		page_begin(sb, "Tải lên tệp zip", u, "/upload", 0);
		strbuf_adds(sb, "<p>Tệp zip phiếu trả lời (thư mục instances của ODK Collect, bản xuất "
				"ODK Briefcase, hoặc các tệp XML): mỗi tệp là một đợt nhận phiếu.</p>\n");
		upload_form(sb, u, "/upload", "Tệp zip", ".zip,application/zip", "Nhập phiếu");
		page_end(sb);
		return 0;
	}
	if (!rq->upload_path) {
		page_message(rp, 400, u, "Tải lên tệp zip", "Chưa chọn tệp zip nào.", NULL);
		return 0;
	}
	/* the batch keeps the file's name: the upload is linked under it in a folder of its own,
	   beside the upload (in the server's folder, removed with it when the server is killed) */
	upload_base(rq->upload_name, "upload.zip", base);
	{
		const char *slash = strrchr(rq->upload_path, '/');

		if (slash)
			dir = xasprintf("%.*s/link-XXXXXX", (int)(slash - rq->upload_path),
					rq->upload_path);
		else
			dir = xasprintf("%s/parindex-upload-XXXXXX", serve_tmpdir());
	}
	if (!mkdtemp(dir)) {
		perr_set(err, PERR_SYSTEM, dir, "cannot create folder: %s", strerror(errno));
		free(dir);
		return -1;
	}
	link_path = xasprintf("%s/%s", dir, base);
	if (symlink(rq->upload_path, link_path) != 0) {
		perr_set(err, PERR_SYSTEM, link_path, "cannot link the upload: %s", strerror(errno));
		goto done;
	}
	capture_options_default(&o);
	o.source = "web";
	o.operator_name = u->name;
	got = capture_import(db, link_path, &o, &res, &ierr);
	if (got < 0 && ierr.code == PERR_SYSTEM && !res.refused) {
		*err = ierr;
		goto done;
	}
	/* the stage's message names the link; the office knows the file by its own name */
	if (got < 0 && !strncmp(ierr.where, link_path, strlen(link_path))) {
		char where[sizeof(ierr.where)];

		snprintf(where, sizeof(where), "%s%s", base, ierr.where + strlen(link_path));
		snprintf(ierr.where, sizeof(ierr.where), "%s", where);
	}
	if (got < 0) {
		if (audit(db, u->name, rq, err, "upload %s refused: %s", base,
			  err_text(&ierr, msg, sizeof(msg))) < 0)
			goto done;
		page_message(rp, 422, u, "Tải lên tệp zip",
			     "Tệp zip bị từ chối, không lưu gì.", err_text(&ierr, msg, sizeof(msg)));
		rc = 0;
		goto done;
	}
	if (audit(db, u->name, rq, err, "upload %s: batch %lld: %llu entries, %llu accepted, "
		  "%llu duplicate, %llu edit, %llu rejected, %llu ignored", base,
		  (long long)res.batch_id, (unsigned long long)res.entries,
		  (unsigned long long)res.count[CAPTURE_ACCEPTED],
		  (unsigned long long)res.count[CAPTURE_DUPLICATE],
		  (unsigned long long)res.count[CAPTURE_EDIT],
		  (unsigned long long)res.count[CAPTURE_REJECTED],
		  (unsigned long long)res.count[CAPTURE_IGNORED]) < 0)
		goto done;
	page_begin(sb, "Biên nhận", u, "/upload", 0);
	strbuf_adds(sb, "<p class=\"ok\" id=\"counts\">");
	if (res.batch_id)
		strbuf_addf(sb, "Đợt %lld: ", (long long)res.batch_id);
	h(sb, base);
	strbuf_adds(sb, ": ");
	counts_vi(sb, &res);
	if (res.already)
		strbuf_addf(sb, ". Tệp này đã nhập trước đây (đợt %lld): các mục được thử lại",
			    (long long)res.already);
	if (!res.batch_id)
		strbuf_adds(sb, "; không có gì thay đổi");
	strbuf_adds(sb, ".</p>\n");
	if (res.batch_id) {
		strbuf_addf(sb, "<p><a class=\"button\" href=\"/receipt.csv?batch=%lld\">Tải biên nhận "
				"(CSV)</a></p>\n", (long long)res.batch_id);
		receipt_rows(db, sb, res.batch_id, res.entries, err, &rc);
		if (rc < 0)
			goto done;
	}
	strbuf_adds(sb, "<h2>Nhập tệp khác</h2>\n");
	upload_form(sb, u, "/upload", "Tệp zip", ".zip,application/zip", "Nhập phiếu");
	page_end(sb);
	rc = 0;
done:
	if (link_path)
		unlink(link_path);
	rmdir(dir);
	free(dir);
	free(link_path);
	return rc;
}

/* The receipt of a batch as CSV, the columns of 'capture import --receipt'; the batch column
   holds the zip's name. */
static int page_receipt_csv(sqlite3 *db, const struct serve_request *rq,
			    const struct office_user *u, struct serve_reply *rp, struct perr *err)
{
	int64_t batch = field_id(rq, "batch");
	sqlite3_stmt *st;
	char *text = NULL;
	size_t len = 0;
	FILE *mem;
	int s, found = 0;

	if (db_prepare(db, &st, "SELECT b.file_name, e.path, e.instance_id, e.form_id, "
				"e.commune_code, e.status, e.reason, e.message FROM batch b "
				"LEFT JOIN batch_entry e ON e.batch_id = b.id WHERE b.id = ? "
				"ORDER BY e.seq", err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, batch);
	mem = open_memstream(&text, &len);
	if (!mem) {
		sqlite3_finalize(st);
		return perr_set(err, PERR_SYSTEM, "receipt", "cannot write: %s", strerror(errno));
	}
	fputs("batch,entry,instance_id,form,commune,status,reason,message\n", mem);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		found = 1;
		if (sqlite3_column_type(st, 1) == SQLITE_NULL)
			continue;
		for (int c = 0; c < 8; c++)
			csvout_field(mem, (const char *)sqlite3_column_text(st, c), c == 7);
	}
	sqlite3_finalize(st);
	fclose(mem);
	if (s != SQLITE_DONE) {
		free(text);
		return db_fail(db, err, "reading the receipt");
	}
	if (!found) {
		free(text);
		page_message(rp, 404, u, "Biên nhận", "Không có đợt này.", NULL);
		return 0;
	}
	strbuf_add(&rp->body, text, len);
	free(text);
	rp->content_type = "text/csv; charset=utf-8";
	snprintf(rp->disposition, sizeof(rp->disposition),
		 "attachment; filename=\"receipt-%lld.csv\"", (long long)batch);
	return 0;
}

/* ---- batches and undo ---- */

static int page_batches(sqlite3 *db, const struct office_user *u, struct serve_reply *rp,
			struct perr *err)
{
	struct strbuf *sb = &rp->body;
	sqlite3_stmt *st;
	int s, office = !strcmp(u->role, "office"), rows = 0;

	if (db_prepare(db, &st, "SELECT id, file_name, coalesce(source, ''), coalesce(operator, ''), "
				"started_at, entries, accepted, duplicates, edits, rejected, ignored, "
				"undone_at FROM batch ORDER BY id DESC LIMIT 500", err) < 0)
		return -1;
	page_begin(sb, "Các đợt nhận phiếu", u, "/batches", 0);
	strbuf_adds(sb, "<p>Mỗi tệp zip tải lên, và mỗi ngày của một điều tra viên gửi từ ODK "
			"Collect, là một đợt. Hoàn tác một đợt bỏ các phiếu nó đã thêm và khôi phục "
			"những gì nó đã sửa.</p>\n<div class=\"scroll\"><table id=\"batches\">\n"
			"<thead><tr><th class=\"num\">Đợt</th><th>Tệp</th><th>Nguồn</th>"
			"<th>Người nhập</th><th>Lúc</th><th class=\"num\">Mục</th>"
			"<th class=\"num\">Nhận</th><th class=\"num\">Trùng</th><th class=\"num\">Sửa</th>"
			"<th class=\"num\">Từ chối</th><th class=\"num\">Bỏ qua</th><th></th></tr></thead>\n"
			"<tbody>\n");
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(st, 0);
		int undone = sqlite3_column_type(st, 11) != SQLITE_NULL;

		strbuf_addf(sb, "<tr data-batch=\"%lld\"><td class=\"num\">%lld</td>", id, id);
		for (int c = 1; c <= 3; c++)
			td_text(sb, st, c);
		td_date(sb, st, 4);
		for (int c = 5; c <= 10; c++)
			strbuf_addf(sb, "<td class=\"num\">%lld</td>",
				    (long long)sqlite3_column_int64(st, c));
		strbuf_addf(sb, "<td><a href=\"/receipt.csv?batch=%lld\">Biên nhận</a>", id);
		if (undone) {
			strbuf_adds(sb, " · đã hoàn tác ");
			date_vi(sb, (const char *)sqlite3_column_text(st, 11));
		} else if (office) {
			strbuf_addf(sb, " <form class=\"inline\" method=\"get\" action=\"/undo\">"
					"<input type=\"hidden\" name=\"batch\" value=\"%lld\" />"
					"<button type=\"submit\" class=\"danger\">Hoàn tác…</button></form>",
				    id);
		}
		strbuf_adds(sb, "</td></tr>\n");
		rows++;
	}
	if (table_end(db, sb, st, s, rows, 12, "Chưa có đợt nào.", "reading batches", err) < 0)
		return -1;
	page_end(sb);
	return 0;
}

static int page_undo(sqlite3 *db, const struct serve_request *rq, const struct office_user *u,
		     struct serve_reply *rp, struct perr *err)
{
	int64_t batch = field_id(rq, "batch");
	struct strbuf *sb = &rp->body;
	struct capture_result res;
	struct perr uerr = { 0 };
	sqlite3_stmt *st;
	char title[64];
	int s, found = 0, undone = 0;

	snprintf(title, sizeof(title), "Hoàn tác đợt %lld", (long long)batch);
	if (!is_post(rq)) {
		if (db_prepare(db, &st, "SELECT file_name, entries, accepted, edits, undone_at "
					"FROM batch WHERE id = ?", err) < 0)
			return -1;
		sqlite3_bind_int64(st, 1, batch);
		if ((s = sqlite3_step(st)) == SQLITE_ROW) {
			found = 1;
			undone = sqlite3_column_type(st, 4) != SQLITE_NULL;
			page_begin(sb, title, u, "/batches", 0);
			strbuf_adds(sb, "<p>Đợt ");
			strbuf_addf(sb, "%lld (", (long long)batch);
			h(sb, (const char *)sqlite3_column_text(st, 0));
			strbuf_addf(sb, "): %lld mục, %lld phiếu nhận, %lld bản sửa.</p>\n",
				    (long long)sqlite3_column_int64(st, 1),
				    (long long)sqlite3_column_int64(st, 2),
				    (long long)sqlite3_column_int64(st, 3));
			s = SQLITE_DONE;
		}
		sqlite3_finalize(st);
		if (s != SQLITE_DONE)
			return db_fail(db, err, "reading the batch");
		if (!found) {
			page_message(rp, 404, u, title, "Không có đợt này.", NULL);
			return 0;
		}
		if (undone) {
			strbuf_adds(sb, "<p class=\"error\">Đợt này đã được hoàn tác.</p>\n");
		} else if (strcmp(u->role, "office")) {
			strbuf_adds(sb, "<p class=\"note\">Chỉ văn phòng được hoàn tác.</p>\n");
		} else {
			strbuf_adds(sb, "<p>Hoàn tác sẽ bỏ mọi phiếu đợt này đã thêm và khôi phục các "
					"phiếu nó đã sửa. Đợt vẫn được giữ trong danh sách.</p>\n"
					"<form method=\"post\" action=\"/undo\">");
			csrf_field(sb, u);
			strbuf_addf(sb, "<input type=\"hidden\" name=\"batch\" value=\"%lld\" />"
					"<button type=\"submit\" class=\"danger\">Xác nhận hoàn tác</button>"
					" <a href=\"/batches\">Thôi</a></form>\n", (long long)batch);
		}
		page_end(sb);
		return 0;
	}
	if (capture_undo(db, batch, u->name, rq->address ? rq->address : "", &res, &uerr) < 0) {
		if (uerr.code == PERR_SYSTEM) {
			*err = uerr;
			return -1;
		}
		page_message(rp, 409, u, title, "Không hoàn tác được đợt này.", uerr.msg);
		return 0;
	}
	if (audit(db, u->name, rq, err, "undo batch %lld: %llu submissions removed, %llu edited "
		  "submissions restored", (long long)batch,
		  (unsigned long long)res.count[CAPTURE_ACCEPTED],
		  (unsigned long long)res.count[CAPTURE_EDIT]) < 0)
		return -1;
	page_begin(sb, title, u, "/batches", 0);
	strbuf_addf(sb, "<p class=\"ok\" id=\"undone\">Đã hoàn tác đợt %lld: bỏ %llu phiếu, khôi phục "
			"%llu phiếu đã sửa", (long long)batch,
		    (unsigned long long)res.count[CAPTURE_ACCEPTED],
		    (unsigned long long)res.count[CAPTURE_EDIT]);
	if (res.waiting)
		strbuf_addf(sb, "; %llu bản sửa ở đợt khác chờ lại phiếu gốc",
			    (unsigned long long)res.waiting);
	if (res.reopened)
		strbuf_addf(sb, "; %llu phiếu giấy cần nhập lại", (unsigned long long)res.reopened);
	strbuf_adds(sb, ".</p>\n<p><a href=\"/batches\">Về danh sách các đợt</a></p>\n");
	page_end(sb);
	return 0;
}

/* ---- scores, tally, report ---- */

static int page_scores(sqlite3 *db, const struct serve_request *rq, const struct office_user *u,
		       struct serve_reply *rp, struct perr *err)
{
	struct strbuf *sb = &rp->body, content = STRBUF_INIT;
	struct tally_score_file f = { 0 };
	struct diag diag = { 0 };
	struct perr serr = { 0 };
	sqlite3_stmt *st;
	char base[128], msg[800];
	long import_id = 0;
	int s, got, rc = -1;

	if (is_post(rq)) {
		if (!rq->upload_path) {
			page_message(rp, 400, u, "Điểm tự đánh giá", "Chưa chọn tệp nào.", NULL);
			return 0;
		}
		upload_base(rq->upload_name, "scores.csv", base);
		if (rq->upload_size > SCORES_MAX) {
			page_message(rp, 413, u, "Điểm tự đánh giá", "Tệp điểm lớn hơn 64 MiB; không "
				     "lưu gì.", NULL);
			return 0;
		}
		if (strbuf_read_file(&content, rq->upload_path, SCORES_MAX) < 0) {
			perr_set(err, PERR_SYSTEM, base, "cannot read the upload: %s", strerror(errno));
			goto done;
		}
		got = tally_scores_import(db, "cơ sở dữ liệu", &content, base, &f, &diag,
					  &import_id, &serr);
		if (got < 0 && serr.code == PERR_SYSTEM) {
			*err = serr;
			goto done;
		}
		if (got != 0) {
			if (audit(db, u->name, rq, err, "scores import %s refused: %zu errors", base,
				  got > 0 ? diag.n : (size_t)1) < 0)
				goto done;
			rp->status = 422;
			page_begin(sb, "Điểm tự đánh giá", u, "/scores", 0);
			strbuf_adds(sb, "<p class=\"error\">Tệp ");
			h(sb, base);
			if (got > 0) {
				strbuf_addf(sb, " có %zu lỗi; không lưu gì.</p>\n<pre id=\"errors\">",
					    diag.n);
				for (size_t i = 0; i < diag.nlines; i++) {
					h(sb, diag.lines[i]);
					strbuf_adds(sb, "\n");
				}
				if (diag.hint) {
					h(sb, diag.hint);
					strbuf_adds(sb, "\n");
				}
				strbuf_adds(sb, "</pre>\n");
			} else {
				strbuf_adds(sb, " bị từ chối; không lưu gì.</p>\n<p class=\"note\">"
						"Chi tiết: <code>");
				h(sb, err_text(&serr, msg, sizeof(msg)));
				strbuf_adds(sb, "</code></p>\n");
			}
		} else {
			if (audit(db, u->name, rq, err, "scores import %s: import %ld: %zu rows for "
				  "%zu communes", base, import_id, f.nrows, f.ncommunes) < 0)
				goto done;
			page_begin(sb, "Điểm tự đánh giá", u, "/scores", 0);
			strbuf_addf(sb, "<p class=\"ok\" id=\"stored\">Lần nhập %ld: ", import_id);
			h(sb, base);
			strbuf_addf(sb, ": %zu dòng của %zu xã đã lưu", f.nrows, f.ncommunes);
			if (f.skipped)
				strbuf_addf(sb, "; %zu xã để trống, bỏ qua", f.skipped);
			strbuf_adds(sb, ". Chạy lại tổng hợp để số liệu mới được tính.</p>\n");
		}
	} else {
		page_begin(sb, "Điểm tự đánh giá", u, "/scores", 0);
	}
	strbuf_adds(sb, "<p>Bảng điểm tự đánh giá và điểm thẩm định của các xã (CSV hoặc XLSX, theo "
			"mẫu của <code>parindex scores template</code>). Mỗi lần nhập thay điểm của "
			"các xã có trong tệp.</p>\n");
	if (!strcmp(u->role, "office"))
		upload_form(sb, u, "/scores", "Tệp điểm (CSV hoặc XLSX)",
			    ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			    "Nhập điểm");
	if (db_prepare(db, &st, "SELECT id, file_name, imported_at, communes, rows FROM score_import "
				"ORDER BY id DESC LIMIT 50", err) < 0)
		goto done;
	strbuf_adds(sb, "<h2>Các lần nhập</h2>\n<div class=\"scroll\"><table id=\"imports\">\n<thead><tr>"
			"<th class=\"num\">Lần</th><th>Tệp</th><th>Lúc</th><th class=\"num\">Xã</th>"
			"<th class=\"num\">Dòng</th></tr></thead>\n<tbody>\n");
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		strbuf_addf(sb, "<tr><td class=\"num\">%lld</td>",
			    (long long)sqlite3_column_int64(st, 0));
		td_text(sb, st, 1);
		td_date(sb, st, 2);
		strbuf_addf(sb, "<td class=\"num\">%lld</td><td class=\"num\">%lld</td></tr>\n",
			    (long long)sqlite3_column_int64(st, 3),
			    (long long)sqlite3_column_int64(st, 4));
	}
	if (table_end(db, sb, st, s, 1, 5, NULL, "reading score imports", err) < 0)
		goto done;
	page_end(sb);
	rc = 0;
done:
	tally_score_file_release(&f);
	diag_release(&diag);
	strbuf_release(&content);
	return rc;
}

static int ranking_table(sqlite3 *db, struct strbuf *sb, struct perr *err)
{
	struct def d = { 0 };
	sqlite3_stmt *st;
	int s, rows = 0;

	if (db_prepare(db, &st, "SELECT r.computed_at, r.def_id, r.def_version, r.communes, "
				"r.submissions FROM tally_run r ORDER BY r.id DESC LIMIT 1", err) < 0)
		return -1;
	if ((s = sqlite3_step(st)) == SQLITE_ROW) {
		strbuf_adds(sb, "<p id=\"last-tally\">Lần tổng hợp gần nhất: ");
		date_vi(sb, (const char *)sqlite3_column_text(st, 0));
		strbuf_adds(sb, ", định nghĩa ");
		h(sb, (const char *)sqlite3_column_text(st, 1));
		strbuf_adds(sb, " ");
		h(sb, (const char *)sqlite3_column_text(st, 2));
		strbuf_addf(sb, ", %lld xã, %lld phiếu.</p>\n", (long long)sqlite3_column_int64(st, 3),
			    (long long)sqlite3_column_int64(st, 4));
		if (store_load_definition(db, (const char *)sqlite3_column_text(st, 1),
					  (const char *)sqlite3_column_text(st, 2), &d, err) < 0) {
			sqlite3_finalize(st);
			return -1;
		}
		rows = 1;
		s = SQLITE_DONE;
	}
	sqlite3_finalize(st);
	if (s != SQLITE_DONE)
		return db_fail(db, err, "reading the tally");
	if (!rows) {
		strbuf_adds(sb, "<p id=\"last-tally\">Chưa tổng hợp lần nào.</p>\n");
		return 0;
	}
	if (db_prepare(db, &st, "SELECT t.rank, t.commune_code, c.name, t.index_published, "
				"t.tier_id, t.forms, t.flags FROM tally_commune t "
				"LEFT JOIN commune c ON c.code = t.commune_code "
				"ORDER BY t.rank IS NULL, t.rank, t.commune_code", err) < 0) {
		def_release(&d);
		return -1;
	}
	strbuf_adds(sb, "<div class=\"scroll\"><table id=\"ranking\">\n<thead><tr><th class=\"num\">Hạng</th>"
			"<th>Mã</th><th>Xã</th><th class=\"num\">Chỉ số</th><th>Xếp loại</th>"
			"<th class=\"num\">Phiếu</th><th>Ghi chú</th></tr></thead>\n<tbody>\n");
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *tier = (const char *)sqlite3_column_text(st, 4);
		size_t ti = DEF_NONE;
		char *say;

		for (size_t i = 0; tier && i < d.ntiers; i++)
			if (!strcmp(d.tiers[i].id, tier))
				ti = i;
		if (sqlite3_column_type(st, 0) == SQLITE_NULL)
			strbuf_adds(sb, "<tr><td class=\"num\">–</td>");
		else
			strbuf_addf(sb, "<tr><td class=\"num\">%lld</td>",
				    (long long)sqlite3_column_int64(st, 0));
		td_text(sb, st, 1);
		td_text(sb, st, 2);
		strbuf_adds(sb, "<td class=\"num\">");
		h(sb, (const char *)sqlite3_column_text(st, 3));
		strbuf_adds(sb, "</td><td>");
		h(sb, ti != DEF_NONE || !tier ? report_tier_label(&d, ti) : tier);
		strbuf_addf(sb, "</td><td class=\"num\">%lld</td><td>",
			    (long long)sqlite3_column_int64(st, 5));
		say = tally_flags_say((const char *)sqlite3_column_text(st, 6), ~0u, 0);
		h(sb, say);
		free(say);
		strbuf_adds(sb, "</td></tr>\n");
	}
	def_release(&d);
	return table_end(db, sb, st, s, 1, 7, NULL, "reading the ranking", err);
}

static int page_tally(sqlite3 *db, const struct serve_request *rq, const struct office_user *u,
		      struct serve_reply *rp, struct perr *err)
{
	struct strbuf *sb = &rp->body;
	struct tally_pass t = { 0 };
	struct perr terr = { 0 };
	char msg[800];
	int rc = -1;

	tally_pass_defaults(&t); /* the bootstrap as `parindex tally` makes it */
	if (is_post(rq)) {
		if (tally_pass_run(db, "cơ sở dữ liệu", NULL, &t, &terr) < 0) {
			if (terr.code == PERR_SYSTEM) {
				*err = terr;
				goto done;
			}
			if (audit(db, u->name, rq, err, "tally refused: %s",
				  err_text(&terr, msg, sizeof(msg))) < 0)
				goto done;
			page_message(rp, 422, u, "Tổng hợp", "Không tổng hợp được; không lưu gì.",
				     terr.msg);
			rc = 0;
			goto done;
		}
		if (audit(db, u->name, rq, err, "tally: %zu communes, %ld submissions", t.cl.n,
			  t.sv.submissions) < 0)
			goto done;
		page_begin(sb, "Tổng hợp", u, "/tally", 0);
		strbuf_addf(sb, "<p class=\"ok\" id=\"tallied\">Đã tổng hợp %zu xã từ %ld phiếu.</p>\n",
			    t.cl.n, t.sv.submissions);
	} else {
		page_begin(sb, "Tổng hợp", u, "/tally", 0);
	}
	if (!strcmp(u->role, "office")) {
		strbuf_adds(sb, "<form class=\"box\" method=\"post\" action=\"/tally\">");
		csrf_field(sb, u);
		strbuf_adds(sb, "<p>Tính lại điểm, chỉ số, xếp loại và thứ hạng của mọi xã từ các phiếu "
				"và điểm hiện có.</p><button type=\"submit\">Chạy tổng hợp</button>"
				"</form>\n");
	}
	if (ranking_table(db, sb, err) < 0)
		goto done;
	page_end(sb);
	rc = 0;
done:
	tally_pass_release(&t);
	return rc;
}

static int report_exists(const struct serve_office *o)
{
	struct stat stt;
	char *p = xasprintf("%s/index.html", o->report_dir);
	int ok = stat(p, &stt) == 0 && S_ISREG(stt.st_mode);

	free(p);
	return ok;
}

static int page_report(sqlite3 *db, struct serve_office *o, const struct serve_request *rq,
		       const struct office_user *u, struct serve_reply *rp, struct perr *err)
{
	struct strbuf *sb = &rp->body;
	struct report r = { 0 };
	struct report_written w = { 0 };
	struct perr rerr = { 0 };
	char msg[800];
	int rc = -1;

	if (is_post(rq)) {
		int wrote;

		pthread_mutex_lock(&o->report_mu);
		wrote = report_load(db, &r, &rerr) == 0 &&
			report_write(&r, o->report_dir, REPORT_HTML | REPORT_XLSX | REPORT_CSV |
				     REPORT_PNG | REPORT_SVG, 1, &w, &rerr) == 0;
		pthread_mutex_unlock(&o->report_mu);
		if (!wrote) {
			if (rerr.code == PERR_SYSTEM) {
				*err = rerr;
				goto done;
			}
			if (audit(db, u->name, rq, err, "report refused: %s",
				  err_text(&rerr, msg, sizeof(msg))) < 0)
				goto done;
			page_message(rp, 422, u, "Báo cáo", "Không lập được báo cáo (đã tổng hợp "
				     "chưa?).", rerr.msg);
			rc = 0;
			goto done;
		}
		if (audit(db, u->name, rq, err, "report: %zu communes, %zu of %zu charts drawn",
			  r.ncommunes, w.drawn, w.charts.n) < 0)
			goto done;
		page_begin(sb, "Báo cáo", u, "/report", 0);
		strbuf_addf(sb, "<p class=\"ok\" id=\"reported\">Đã lập báo cáo %zu xã; %zu trên %zu "
				"biểu đồ được vẽ.</p>\n", r.ncommunes, w.drawn, w.charts.n);
		if (w.gnuplot_missing)
			strbuf_adds(sb, "<p class=\"error\">Không có gnuplot trên máy chủ: báo cáo không "
					"có biểu đồ.</p>\n");
		else if (w.render_failed)
			strbuf_adds(sb, "<p class=\"error\">Có biểu đồ không vẽ được.</p>\n");
		if (r.changed_at[0])
			strbuf_adds(sb, "<p class=\"error\">Dữ liệu đã thay đổi sau lần tổng hợp: chạy lại "
					"tổng hợp để có số liệu mới.</p>\n");
	} else {
		page_begin(sb, "Báo cáo", u, "/report", 0);
	}
	if (report_exists(o))
		strbuf_adds(sb, "<p><a class=\"button\" href=\"/report/index.html\">Mở báo cáo</a> "
				"<a href=\"/report/report.xlsx\">Tải bảng tính (XLSX)</a></p>\n");
	else
		strbuf_adds(sb, "<p id=\"no-report\">Chưa có báo cáo.</p>\n");
	if (!strcmp(u->role, "office")) {
		strbuf_adds(sb, "<form class=\"box\" method=\"post\" action=\"/report\">");
		csrf_field(sb, u);
		strbuf_adds(sb, "<p>Lập báo cáo (trang HTML, bảng tính, CSV, biểu đồ) từ lần tổng hợp "
				"gần nhất.</p><button type=\"submit\">Lập báo cáo</button></form>\n");
	}
	page_end(sb);
	rc = 0;
done:
	report_written_release(&w);
	report_release(&r);
	return rc;
}

/* A file of the report folder: rel (after "/report/") must name a regular file whose real path
   is inside the folder's real path (no "..", no symlink out). 1 set, 0 not found. */
static int report_file(struct serve_office *o, const char *rel, struct serve_reply *rp)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ ".html", "text/html; charset=utf-8" }, { ".css", "text/css; charset=utf-8" },
		{ ".png", "image/png" }, { ".svg", "image/svg+xml" },
		{ ".csv", "text/csv; charset=utf-8" },
		{ ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" },
	};
	char real[PATH_MAX], *path;
	struct stat stt;
	size_t n = strlen(o->report_real), len = strlen(rel);
	const char *type = NULL;

	if (!*rel)
		rel = "index.html", len = strlen(rel);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t e = strlen(types[i].ext);

		if (len > e && !strcmp(rel + len - e, types[i].ext))
			type = types[i].type;
	}
	if (!type || strstr(rel, "..") || rel[0] == '/' || !o->report_real[0])
		return 0;
	path = xasprintf("%s/%s", o->report_real, rel);
	if (!realpath(path, real) || strncmp(real, o->report_real, n) || real[n] != '/' ||
	    stat(real, &stt) != 0 || !S_ISREG(stt.st_mode)) {
		free(path);
		return 0;
	}
	free(path);
	/* the path lives in the reply's body, which a file reply does not otherwise use */
	strbuf_reset(&rp->body);
	strbuf_adds(&rp->body, real);
	rp->file = rp->body.buf;
	rp->content_type = type;
	if (!strcmp(type + strlen(type) - 5, "sheet") || !strncmp(type, "text/csv", 8))
		snprintf(rp->disposition, sizeof(rp->disposition), "attachment");
	return 1;
}

/* ---- survey quality (issue 14): the checks of quality.h, exclusions as 'capture exclude' ---- */

static void seconds_td(struct strbuf *sb, double s)
{
	if (isnan(s))
		strbuf_adds(sb, "<td class=\"num\">–</td>");
	else
		strbuf_addf(sb, "<td class=\"num\">%.0f</td>", s);
}

/* Forms, median duration and flag rate per surveyor, device or channel (quality_summary). */
static void quality_stats(struct strbuf *sb, const struct quality_result *r, enum quality_by by)
{
	struct quality_stat *v;
	size_t n;
	const char *what = by == QUALITY_BY_SURVEYOR ? "surveyor"
			   : by == QUALITY_BY_CHANNEL ? "channel" : "device";

	quality_summary(r, by, NULL, &v, &n);
	strbuf_addf(sb, "<h2>Theo %s</h2>\n<div class=\"scroll\"><table id=\"quality-%ss\">\n"
			"<thead><tr><th>%s</th><th class=\"num\">Phiếu</th>"
			"<th class=\"num\">Trung vị (giây)</th><th class=\"num\">Có dấu hiệu</th>"
			"<th class=\"num\">Tỷ lệ</th></tr></thead>\n<tbody>\n",
		    by == QUALITY_BY_SURVEYOR ? "điều tra viên"
		    : by == QUALITY_BY_CHANNEL ? "kênh thu phiếu" : "thiết bị", what,
		    by == QUALITY_BY_SURVEYOR ? "Điều tra viên"
		    : by == QUALITY_BY_CHANNEL ? "Kênh" : "Thiết bị");
	for (size_t i = 0; i < n; i++) {
		strbuf_addf(sb, "<tr data-%s=\"", what);
		h(sb, v[i].key);
		strbuf_adds(sb, "\"><td>");
		h(sb, *v[i].key ? v[i].key : "(không ghi)");
		strbuf_addf(sb, "</td><td class=\"num\">%zu</td>", v[i].forms);
		seconds_td(sb, v[i].median_seconds);
		strbuf_addf(sb, "<td class=\"num\">%zu</td><td class=\"num\">%.1f%%</td></tr>\n",
			    v[i].flagged, v[i].forms ? 100.0 * (double)v[i].flagged / (double)v[i].forms
						     : 0.0);
	}
	if (!n)
		strbuf_adds(sb, "<tr><td colspan=\"5\">Chưa có phiếu nào.</td></tr>\n");
	strbuf_adds(sb, "</tbody></table></div>\n");
	free(v);
}

static void quality_instance_form(struct strbuf *sb, const struct office_user *u,
				  const struct quality_submission *s)
{
	if (!s->excluded) {
		strbuf_adds(sb, "<form method=\"post\" action=\"/exclude\">");
		csrf_field(sb, u);
		strbuf_adds(sb, "<input type=\"hidden\" name=\"instance\" value=\"");
		h(sb, s->instance_id);
		strbuf_adds(sb, "\" /><label>Lý do <input type=\"text\" name=\"reason\" "
				"required=\"required\" maxlength=\"500\" /></label> "
				"<button type=\"submit\" class=\"danger\">Loại khỏi tổng hợp</button>"
				"</form>");
	} else {
		strbuf_adds(sb, "<form method=\"post\" action=\"/include\">");
		csrf_field(sb, u);
		strbuf_adds(sb, "<input type=\"hidden\" name=\"instance\" value=\"");
		h(sb, s->instance_id);
		strbuf_adds(sb, "\" /><button type=\"submit\">Tính lại vào tổng hợp</button></form>");
	}
}

/* Rows of the flagged (excluded == 0) or the excluded (1) submissions, at most ROWS_SHOWN. */
static void quality_rows(struct strbuf *sb, const struct office_user *u,
			 const struct quality_result *r, int excluded)
{
	int office = !strcmp(u->role, "office");
	size_t rows = 0, all = 0;

	strbuf_addf(sb, "<div class=\"scroll\"><table id=\"quality-%s\">\n<thead><tr>"
			"<th>instanceID</th><th>Xã</th><th>Nhóm</th><th>Điều tra viên</th>"
			"<th>Dấu hiệu</th>%s</tr></thead>\n<tbody>\n",
		    excluded ? "excluded" : "flagged", office ? "<th></th>" : "");
	for (size_t i = 0; i < r->nsubs; i++) {
		const struct quality_submission *s = &r->subs[i];

		if (excluded ? !s->excluded : !s->checks)
			continue;
		if (++all > ROWS_SHOWN)
			continue;
		rows++;
		strbuf_adds(sb, "<tr data-instance=\"");
		h(sb, s->instance_id);
		strbuf_adds(sb, "\"><td class=\"id\"><code>");
		h(sb, s->instance_id);
		strbuf_adds(sb, "</code></td><td>");
		h(sb, s->commune);
		strbuf_adds(sb, "</td><td>");
		h(sb, s->group);
		strbuf_adds(sb, "</td><td>");
		h(sb, s->surveyor);
		strbuf_adds(sb, "</td><td class=\"checks\">");
		if (!s->checks)
			strbuf_adds(sb, "–");
		for (int c = 0; c < QUALITY_NCHECKS; c++) {
			if (!s->detail[c])
				continue;
			strbuf_addf(sb, "<p class=\"check\" data-check=\"%s\"><b>%s</b>: ",
				    quality_check_code(c), quality_check_vi(c));
			h(sb, s->detail[c]);
			strbuf_adds(sb, "</p>");
		}
		if (!excluded && s->excluded)
			strbuf_adds(sb, "<p class=\"note\">Đã loại khỏi tổng hợp.</p>");
		strbuf_adds(sb, "</td>");
		if (office) {
			strbuf_adds(sb, "<td class=\"act\">");
			quality_instance_form(sb, u, s);
			strbuf_adds(sb, "</td>");
		}
		strbuf_adds(sb, "</tr>\n");
	}
	if (!all)
		strbuf_addf(sb, "<tr><td colspan=\"%d\">%s</td></tr>\n", office ? 6 : 5,
			    excluded ? "Không có phiếu nào bị loại." : "Không có phiếu nào có dấu hiệu.");
	strbuf_adds(sb, "</tbody></table></div>\n");
	if (all > rows)
		strbuf_addf(sb, "<p class=\"note\">Chỉ hiện %zu trong %zu phiếu; 'parindex quality "
				"--format csv' liệt kê tất cả.</p>\n", rows, all);
}

/* A line on the last stored quality run (the one the report states), with a link to the
   quality page when link is set (the dashboard). */
static int quality_stored(sqlite3 *db, struct strbuf *sb, int link, struct perr *err)
{
	sqlite3_stmt *st;
	int s;

	if (db_prepare(db, &st, "SELECT computed_at, submissions, flagged FROM quality_run "
				"ORDER BY id DESC LIMIT 1", err) < 0)
		return -1;
	strbuf_adds(sb, "<p class=\"note\" id=\"quality-stored\">");
	if ((s = sqlite3_step(st)) == SQLITE_ROW) {
		strbuf_adds(sb, "Lần kiểm tra chất lượng lưu gần nhất (báo cáo dùng lần này): ");
		date_vi(sb, (const char *)sqlite3_column_text(st, 0));
		strbuf_addf(sb, ", %lld phiếu, <span data-count=\"stored-flagged\">%lld</span> có "
				"dấu hiệu.", (long long)sqlite3_column_int64(st, 1),
			    (long long)sqlite3_column_int64(st, 2));
	} else if (s == SQLITE_DONE) {
		strbuf_adds(sb, "Chưa lưu lần kiểm tra chất lượng nào.");
	}
	sqlite3_finalize(st);
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		return db_fail(db, err, "reading the last quality run");
	strbuf_adds(sb, link ? " <a href=\"/quality\">Xem chất lượng phiếu</a></p>\n" : "</p>\n");
	return 0;
}

/* The quality page: the checks run now (quality_run, reading only), or run and stored as
   'parindex quality' does when store is set (the office's button); say, when not NULL, a
   sentence above (what a POST did). */
static int page_quality(sqlite3 *db, const struct serve_request *rq, const struct office_user *u,
			struct serve_reply *rp, int store, const char *say, int status,
			struct perr *err)
{
	struct strbuf *sb = &rp->body;
	struct quality_result r = { 0 };
	struct def d = { 0 };
	size_t per_check[QUALITY_NCHECKS] = { 0 };
	int rc = -1;

	if (store) {
		if (db_exec(db, "BEGIN IMMEDIATE", err) < 0)
			return -1;
		if (store_active_definition(db, &d, err) < 0 || quality_run(db, &d, &r, err) < 0 ||
		    quality_store(db, &d, &r, err) < 0 ||
		    audit(db, u->name, rq, err, "quality: %zu submissions checked, %zu flagged",
			  r.nsubs, r.flagged) < 0 ||
		    db_exec(db, "COMMIT", err) < 0) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			goto done;
		}
	} else if (store_active_definition(db, &d, err) < 0 || quality_run(db, &d, &r, err) < 0) {
		goto done;
	}
	rp->status = status;
	strbuf_reset(sb);
	page_begin(sb, "Chất lượng phiếu", u, "/quality", 0);
	if (say)
		strbuf_addf(sb, "<p class=\"%s\" id=\"said\">%s</p>\n", status == 200 ? "ok" : "error",
			    say);
	strbuf_addf(sb, "<p id=\"quality-summary\">Kiểm tra lúc ");
	date_vi(sb, r.computed_at);
	strbuf_addf(sb, ": <span data-count=\"submissions\">%zu</span> phiếu, "
			"<span data-count=\"flagged\">%zu</span> phiếu có dấu hiệu cần xem lại. "
			"Dấu hiệu chỉ để văn phòng xem xét, không làm thay đổi kết quả tổng hợp; "
			"chỉ phiếu bị loại mới không được tính.</p>\n", r.nsubs, r.flagged);
	if (quality_stored(db, sb, 0, err) < 0)
		goto done;
	if (!strcmp(u->role, "office")) {
		strbuf_adds(sb, "<form method=\"post\" action=\"/quality/run\">");
		csrf_field(sb, u);
		strbuf_adds(sb, "<button type=\"submit\">Kiểm tra lại và lưu</button></form>\n");
	}
	for (size_t i = 0; i < r.nsubs; i++)
		for (int c = 0; c < QUALITY_NCHECKS; c++)
			per_check[c] += (r.subs[i].checks >> c) & 1;
	strbuf_adds(sb, "<h2>Theo loại kiểm tra</h2>\n<div class=\"scroll\"><table id=\"quality-checks\">\n"
			"<thead><tr><th>Kiểm tra</th><th class=\"num\">Phiếu có dấu hiệu</th></tr>"
			"</thead>\n<tbody>\n");
	for (int c = 0; c < QUALITY_NCHECKS; c++)
		strbuf_addf(sb, "<tr><td>%s <code>%s</code></td><td class=\"num\" data-flagged=\"%s\">%zu"
				"</td></tr>\n", quality_check_vi(c), quality_check_code(c),
			    quality_check_code(c), per_check[c]);
	strbuf_adds(sb, "</tbody></table></div>\n");
	quality_stats(sb, &r, QUALITY_BY_SURVEYOR);
	quality_stats(sb, &r, QUALITY_BY_DEVICE);
	/* the web survey's open link (the poster) apart from the rest */
	quality_stats(sb, &r, QUALITY_BY_CHANNEL);
	strbuf_adds(sb, "<h2>Phiếu có dấu hiệu</h2>\n");
	quality_rows(sb, u, &r, 0);
	strbuf_adds(sb, "<h2>Phiếu đã loại khỏi tổng hợp</h2>\n");
	quality_rows(sb, u, &r, 1);
	page_end(sb);
	rc = 0;
done:
	quality_release(&r);
	def_release(&d);
	return rc;
}

/* POST /exclude and /include: what 'capture exclude' and 'capture include' do, the audit log
   naming the user and the address. */
static int do_exclusion(sqlite3 *db, const struct serve_request *rq, const struct office_user *u,
			struct serve_reply *rp, int exclude, struct perr *err)
{
	const char *instance = field(rq, "instance"), *reason = field(rq, "reason");
	struct perr xerr = { 0 };
	struct strbuf say = STRBUF_INIT;
	int rc;

	if (!instance || !*instance) {
		page_message(rp, 422, u, "Chất lượng phiếu", "Thiếu mã phiếu (instanceID); không có "
			     "gì được thực hiện.", NULL);
		return 0;
	}
	if (exclude && (!reason || !*reason)) {
		page_message(rp, 422, u, "Chất lượng phiếu", "Cần ghi lý do loại phiếu; không có gì "
			     "được thực hiện.", instance);
		return 0;
	}
	rc = exclude ? capture_exclude_from(db, instance, reason, u->name, rq->address ? rq->address : "",
					    &xerr)
		     : capture_include_from(db, instance, u->name, rq->address ? rq->address : "",
					    &xerr);
	if (rc < 0) {
		char buf[1024];

		if (xerr.code == PERR_SYSTEM) {
			*err = xerr;
			return -1;
		}
		page_message(rp, 409, u, "Chất lượng phiếu", exclude ? "Không loại được phiếu này." :
			     "Không tính lại được phiếu này.", err_text(&xerr, buf, sizeof(buf)));
		return 0;
	}
	strbuf_adds(&say, exclude ? "Đã loại phiếu <code>" : "Đã tính lại phiếu <code>");
	strbuf_add_xml(&say, instance);
	strbuf_adds(&say, exclude ? "</code> khỏi tổng hợp." : "</code> vào tổng hợp.");
	rc = page_quality(db, rq, u, rp, 0, strbuf_str(&say), 200, err);
	strbuf_release(&say);
	return rc;
}

/* ---- the interface ---- */

int serve_office_open(struct serve_office **out, const char *db_path, const char *report_dir,
		      struct perr *err)
{
	struct serve_office *o = xcalloc(1, sizeof(*o));

	o->db_path = xstrdup(db_path);
	o->report_dir = xstrdup(report_dir);
	pthread_mutex_init(&o->report_mu, NULL);
	if (report_make_dir(report_dir, err) < 0 || !realpath(report_dir, o->report_real)) {
		if (!err->msg[0])
			perr_set(err, PERR_SYSTEM, report_dir, "cannot resolve: %s", strerror(errno));
		serve_office_close(o);
		return -1;
	}
	*out = o;
	return 0;
}

void serve_office_close(struct serve_office *o)
{
	if (!o)
		return;
	pthread_mutex_destroy(&o->report_mu);
	free(o->db_path);
	free(o->report_dir);
	free(o);
}

/* Which page, and whether it takes a POST. */
enum office_page { P_NONE, P_CSS, P_LOGIN, P_LOGOUT, P_HOME, P_UPLOAD, P_RECEIPT, P_BATCHES,
		   P_UNDO, P_SCORES, P_TALLY, P_REPORT, P_REPORT_FILE, P_QUALITY, P_QUALITY_RUN,
		   P_EXCLUDE, P_INCLUDE, P_KEY, P_KEY_JS };

static enum office_page page_of(const char *path, int *post_ok)
{
	static const struct {
		const char *path;
		enum office_page page;
		int post;
	} pages[] = {
		{ "/static/office.css", P_CSS, 0 }, { "/login", P_LOGIN, 1 },
		{ "/logout", P_LOGOUT, 1 },         { "/", P_HOME, 0 },
		{ "/upload", P_UPLOAD, 1 },         { "/receipt.csv", P_RECEIPT, 0 },
		{ "/batches", P_BATCHES, 0 },       { "/undo", P_UNDO, 1 },
		{ "/scores", P_SCORES, 1 },         { "/tally", P_TALLY, 1 },
		{ "/report", P_REPORT, 1 },         { "/quality", P_QUALITY, 0 },
		{ "/quality/run", P_QUALITY_RUN, 1 }, { "/exclude", P_EXCLUDE, 1 },
		{ "/include", P_INCLUDE, 1 },
	};

	*post_ok = 0;
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		if (!strcmp(path, pages[i].path)) {
			*post_ok = pages[i].post;
			return pages[i].page;
		}
	if (!strncmp(path, "/report/", 8))
		return P_REPORT_FILE;
	if (!strcmp(path, "/static/key.js"))
		return P_KEY_JS;
	if (!strcmp(path, "/key") || !strncmp(path, "/key/", 5)) {
		*post_ok = 1;
		return P_KEY;
	}
	return P_NONE;
}

static int csrf_ok(const struct serve_request *rq, const struct office_user *u)
{
	const char *got = field(rq, "csrf");
	unsigned char diff = 0;

	if (!got || strlen(got) != 64)
		return 0;
	for (size_t i = 0; i < 64; i++)
		diff |= (unsigned char)(got[i] ^ u->csrf[i]);
	return diff == 0;
}

int serve_office_handle(struct serve_office *o, const struct serve_request *rq,
			struct serve_reply *rp, struct perr *err)
{
	struct office_user u = { 0 };
	sqlite3 *db = NULL;
	int post_ok, rc = -1, known;
	enum office_page page = page_of(rq->path, &post_ok);

	if (page == P_NONE)
		return 0;
	if (strcmp(rq->method, "GET") && strcmp(rq->method, "HEAD") &&
	    !(is_post(rq) && post_ok)) {
		page_message(rp, 405, NULL, "Không được phép", "Trang này không nhận yêu cầu kiểu này.",
			     NULL);
		return 1;
	}
	if (page == P_CSS) {
		strbuf_adds(&rp->body, embedded_office_css);
		rp->content_type = "text/css; charset=utf-8";
		return 1;
	}
	if (page == P_KEY_JS) {
		strbuf_adds(&rp->body, serve_key_js);
		rp->content_type = "text/javascript; charset=utf-8";
		return 1;
	}
	if (db_open(&db, o->db_path, DB_EXISTING, err) < 0)
		return -1;
	known = session_user(db, rq, &u, err);
	if (known < 0)
		goto done;
	/* the cookie lives as long as the session: sent again when the session was kept alive */
	if (known == 2 && page != P_LOGOUT)
		cookie(rp, rq, rq->session, SESSION_IDLE);
	if (page == P_LOGIN) {
		/* no session yet, so no form token: the login is limited per address instead */
		rc = 1;
		if (is_post(rq))
			rc = do_login(db, rq, rp, err) < 0 ? -1 : 1;
		else if (known)
			redirect(rp, "/");
		else
			login_form(rp, 200, NULL, NULL);
		goto done;
	}
	if (!known) {
		if (is_post(rq))
			page_message(rp, 403, NULL, "Phiên đăng nhập đã hết",
				     "Phiên đăng nhập không còn: đăng nhập lại; không có gì được thực "
				     "hiện.", NULL);
		else
			redirect(rp, "/login");
		rc = 1;
		goto done;
	}
	if (is_post(rq) && !csrf_ok(rq, &u)) {
		page_message(rp, 403, &u, "Yêu cầu bị từ chối", "Biểu mẫu thiếu mã bảo vệ hoặc mã đã "
			     "cũ: tải lại trang rồi làm lại; không có gì được thực hiện.", NULL);
		rc = 1;
		goto done;
	}
	/* the paper keying's pages decide for themselves who may do what */
	if (page == P_KEY) {
		rc = serve_key_handle(o->store, db, rq, &u, rp, err) < 0 ? -1 : 1;
		goto done;
	}
	if (!strcmp(u.role, "keyer") && page != P_LOGOUT) {
		if (is_post(rq))
			page_message(rp, 403, &u, "Yêu cầu bị từ chối", "Tài khoản nhập phiếu chỉ "
				     "được nhập phiếu giấy.", NULL);
		else
			redirect(rp, "/key");
		rc = 1;
		goto done;
	}
	if (is_post(rq) && page != P_LOGOUT && strcmp(u.role, "office")) {
		page_message(rp, 403, &u, "Yêu cầu bị từ chối", "Tài khoản phân tích chỉ được xem, "
			     "không được thay đổi dữ liệu.", NULL);
		rc = 1;
		goto done;
	}
	if (page == P_UPLOAD && strcmp(u.role, "office")) {
		page_message(rp, 403, &u, "Tải lên tệp zip", "Chỉ văn phòng được tải lên.", NULL);
		rc = 1;
		goto done;
	}
	switch (page) {
	case P_LOGOUT: rc = do_logout(db, rq, &u, rp, err); break;
	case P_HOME: rc = page_dashboard(db, &u, rp, err); break;
	case P_UPLOAD: rc = page_upload(db, rq, &u, rp, err); break;
	case P_RECEIPT: rc = page_receipt_csv(db, rq, &u, rp, err); break;
	case P_BATCHES: rc = page_batches(db, &u, rp, err); break;
	case P_UNDO: rc = page_undo(db, rq, &u, rp, err); break;
	case P_SCORES: rc = page_scores(db, rq, &u, rp, err); break;
	case P_TALLY: rc = page_tally(db, rq, &u, rp, err); break;
	case P_REPORT: rc = page_report(db, o, rq, &u, rp, err); break;
	case P_QUALITY: rc = page_quality(db, rq, &u, rp, 0, NULL, 200, err); break;
	/* the buttons' pages take only a POST: a GET shows the quality page */
	case P_QUALITY_RUN:
		rc = is_post(rq) ? page_quality(db, rq, &u, rp, 1, "Đã kiểm tra lại và lưu kết quả.",
						200, err)
				 : (redirect(rp, "/quality"), 0);
		break;
	case P_EXCLUDE:
	case P_INCLUDE:
		rc = is_post(rq) ? do_exclusion(db, rq, &u, rp, page == P_EXCLUDE, err)
				 : (redirect(rp, "/quality"), 0);
		break;
	case P_REPORT_FILE:
		rc = 0;
		if (!report_file(o, rq->path + 8, rp))
			page_message(rp, 404, &u, "Không tìm thấy", "Báo cáo không có tệp này.", NULL);
		break;
	default: rc = 0; break;
	}
	if (rc == 0)
		rc = 1;
done:
	db_close(db);
	return rc;
}

/* ---- lent to serve_key.c (serve_page.h) ---- */

void serve_office_set_store(struct serve_office *o, struct serve_store *st)
{
	o->store = st;
}

void office_page_begin(struct strbuf *sb, const char *title, const struct office_user *u,
		       const char *here)
{
	page_begin(sb, title, u, here, 0);
}

void office_page_end(struct strbuf *sb)
{
	page_end(sb);
}

void office_csrf_field(struct strbuf *sb, const struct office_user *u)
{
	csrf_field(sb, u);
}

void office_page_message(struct serve_reply *rp, int status, const struct office_user *u,
			 const char *title, const char *say, const char *detail)
{
	page_message(rp, status, u, title, say, detail);
}

const char *office_field(const struct serve_request *rq, const char *name)
{
	return field(rq, name);
}

int64_t office_field_id(const struct serve_request *rq, const char *name)
{
	return field_id(rq, name);
}
