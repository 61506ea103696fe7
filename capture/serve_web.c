/* The web survey's pages (serve_web.h): the questionnaire generated from the active
   definition, a submitted page turned into an XForm instance for serve_submit, the pages that
   refuse a used, voided or unknown code, and the in-memory rate limits. */
#include "serve_web.h"
#include "codes.h"

#include <nettle/hmac.h>
#include <nettle/memops.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistr.h>

#include "db.h"
#include "def.h"
#include "merge.h"
#include "store.h"
#include "text.h"

#define COMMENT_MAX 2000 /* bytes of the free comment kept */

/* ---- rate limits: a small table of addresses, in memory only ---- */

struct limit_slot {
	char address[64];
	long long start; /* the window's start (seconds) */
	unsigned n;
};

struct limiter {
	pthread_mutex_t mu;
	unsigned max;
	long long window;
	struct limit_slot slot[WEB_LIMIT_SLOTS];
};

static void limiter_init(struct limiter *l, unsigned max, long long window)
{
	memset(l, 0, sizeof(*l));
	pthread_mutex_init(&l->mu, NULL);
	l->max = max;
	l->window = window;
}

/* The slot of address (probing 8 places from its hash; else the one whose window is oldest
   is taken over), its window restarted when over. Under l->mu. */
static struct limit_slot *limit_slot(struct limiter *l, const char *address, long long now)
{
	size_t h = 5381;
	struct limit_slot *s = NULL, *spare = NULL;

	for (const char *p = address; *p; p++)
		h = h * 33 + (unsigned char)*p;
	for (size_t k = 0; k < 8 && !s; k++) {
		struct limit_slot *c = &l->slot[(h + k) % WEB_LIMIT_SLOTS];

		if (!strcmp(c->address, address))
			s = c;
		else if (!spare || (spare->address[0] && (!c->address[0] || c->start < spare->start)))
			spare = c; /* an empty one, else the oldest */
	}
	if (!s) {
		s = spare;
		snprintf(s->address, sizeof(s->address), "%s", address);
		s->start = now;
		s->n = 0;
	}
	if (now - s->start >= l->window) {
		s->start = now;
		s->n = 0;
	}
	return s;
}

/* 1 when address is over its limit now. */
static int limit_over(struct limiter *l, const char *address, long long now)
{
	int over;

	pthread_mutex_lock(&l->mu);
	over = limit_slot(l, address, now)->n >= l->max;
	pthread_mutex_unlock(&l->mu);
	return over;
}

static void limit_count(struct limiter *l, const char *address, long long now)
{
	pthread_mutex_lock(&l->mu);
	limit_slot(l, address, now)->n++;
	pthread_mutex_unlock(&l->mu);
}

/* ---- the web survey ---- */

struct serve_web {
	char *db_path;
	struct serve_store *st;
	unsigned char secret[32]; /* signs the time a page was served (field t) */
	struct limiter code_fails, open_sent;
	pthread_mutex_t global_mu;
	long long global_start;
	unsigned global_fails;
	pthread_rwlock_t def_lock; /* read by requests, written to load another definition */
	struct def *def; /* the active definition, loaded again when another one is active */
	char def_key[256];
};

int serve_web_open(struct serve_web **out, const char *db_path, struct serve_store *st,
		   struct perr *err)
{
	struct serve_web *w = xcalloc(1, sizeof(*w));

	if (getrandom(w->secret, sizeof(w->secret), 0) != (ssize_t)sizeof(w->secret)) {
		free(w);
		return perr_set(err, PERR_SYSTEM, "getrandom", "no random bytes");
	}
	w->db_path = xstrdup(db_path);
	w->st = st;
	limiter_init(&w->code_fails, WEB_CODE_FAILS_PER_ADDRESS, WEB_CODE_WINDOW);
	limiter_init(&w->open_sent, WEB_OPEN_PER_ADDRESS, WEB_OPEN_WINDOW);
	pthread_mutex_init(&w->global_mu, NULL);
	pthread_rwlock_init(&w->def_lock, NULL);
	*out = w;
	return 0;
}

void serve_web_close(struct serve_web *w)
{
	if (!w)
		return;
	if (w->def) {
		def_release(w->def);
		free(w->def);
	}
	pthread_mutex_destroy(&w->code_fails.mu);
	pthread_mutex_destroy(&w->open_sent.mu);
	pthread_mutex_destroy(&w->global_mu);
	pthread_rwlock_destroy(&w->def_lock);
	free(w->db_path);
	free(w);
}

/* Seconds since the epoch, from db_now (PARINDEX_NOW in tests). */
static long long web_now(void)
{
	char buf[32];
	struct tm tm = { 0 };

	db_now(buf);
	if (sscanf(buf, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
		   &tm.tm_min, &tm.tm_sec) != 6)
		return (long long)time(NULL);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (long long)timegm(&tm);
}

/* 1 when the code checks of every address are refused now (too many failed lately). */
static int global_over(struct serve_web *w, long long now, int count_failure)
{
	int over;

	pthread_mutex_lock(&w->global_mu);
	if (now - w->global_start >= WEB_GLOBAL_WINDOW) {
		w->global_start = now;
		w->global_fails = 0;
	}
	if (count_failure)
		w->global_fails++;
	over = w->global_fails >= WEB_CODE_FAILS_GLOBAL;
	pthread_mutex_unlock(&w->global_mu);
	return over;
}

/* ---- what a page is about: the definition, the commune, the group and its form ---- */

struct target {
	const struct def *d;
	size_t g;
	char commune[64];
	char *commune_name;
	char *form_id, *form_version;
	int gone; /* the commune is no unit in the definition's year (merged away) */
};

static void target_release(struct target *t)
{
	free(t->commune_name);
	free(t->form_id);
	free(t->form_version);
}

/* Hold w->def_lock for reading with the active definition in w->def, loaded (under the
   write lock) when another one is active: 0, or -1 with err and no lock held. Requests
   answer in parallel; only a change of definition waits for them. */
static int def_hold(struct serve_web *w, sqlite3 *db, struct perr *err)
{
	char key[256];
	int rc = db_setting_get(db, "active_definition", key, sizeof(key), err);

	if (rc < 0)
		return -1;
	if (rc != 0)
		return perr_set(err, PERR_DATA, w->db_path, "no active definition");
	for (;;) {
		pthread_rwlock_rdlock(&w->def_lock);
		if (w->def && !strcmp(key, w->def_key))
			return 0;
		pthread_rwlock_unlock(&w->def_lock);
		pthread_rwlock_wrlock(&w->def_lock);
		if (!w->def || strcmp(key, w->def_key)) {
			if (w->def) {
				def_release(w->def);
				free(w->def);
			}
			w->def = xcalloc(1, sizeof(*w->def));
			if (store_active_definition(db, w->def, err) < 0) {
				free(w->def);
				w->def = NULL;
				pthread_rwlock_unlock(&w->def_lock);
				return -1;
			}
			snprintf(w->def_key, sizeof(w->def_key), "%s", key);
		}
		pthread_rwlock_unlock(&w->def_lock);
	}
}

/* Fill t for commune and group of the active definition: 1 found (its form registered), 0
   not, -1 error. The definition stays w's: the caller holds it (def_hold). */
static int target_find(struct serve_web *w, sqlite3 *db, const char *commune, const char *group,
		       struct target *t, struct perr *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	memset(t, 0, sizeof(*t));
	t->d = w->def;
	t->g = def_find_group(t->d, group);
	if (t->g == DEF_NONE)
		return 0;
	snprintf(t->commune, sizeof(t->commune), "%s", commune);
	t->form_id = xasprintf("%s-%s", t->d->id, group);
	if (db_prepare(db, &st, "SELECT (SELECT name FROM commune WHERE code = ?1), (SELECT version "
				"FROM form WHERE id = ?2 AND def_id = ?3 AND def_version = ?4)",
		       err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, commune, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, t->form_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, t->d->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, t->d->version, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = db_fail(db, err, "reading the register");
	} else if (sqlite3_column_type(st, 0) != SQLITE_NULL &&
		   sqlite3_column_type(st, 1) != SQLITE_NULL) {
		t->commune_name = xstrdup((const char *)sqlite3_column_text(st, 0));
		t->form_version = xstrdup((const char *)sqlite3_column_text(st, 1));
		rc = 1;
	}
	sqlite3_finalize(st);
	/* a unit merged away by the definition's year is surveyed no more (core/merge.h) */
	if (rc == 1) {
		char why[160];
		int unit = merge_unit_exists(db, commune, t->d->year, why, sizeof(why), err);

		rc = unit < 0 ? -1 : unit;
		t->gone = !unit;
	}
	return rc;
}


/* ---- pages ---- */

static const char style[] =
	"*,*::before,*::after{box-sizing:border-box}\n"
	"html{-webkit-text-size-adjust:100%;text-size-adjust:100%}\n"
	"body{margin:0;font:18px/1.5 \"DejaVu Sans\",\"Noto Sans\",Arial,sans-serif;color:#111;"
	"background:#fff;overflow-wrap:anywhere}\n"
	"header{background:#0b3d66;color:#fff;padding:.75rem 1rem}\n"
	"header p{margin:0;font-size:.95rem}\n"
	"main{padding:.5rem 1rem 2rem;max-width:40rem;margin:0 auto}\n"
	"h1{font-size:1.3rem;margin:.2rem 0 .3rem}\n"
	"fieldset{border:1px solid #6b7785;border-radius:6px;margin:0 0 1rem;padding:.5rem .75rem}\n"
	"legend{font-weight:bold;padding:0 .25rem}\n"
	".o{display:flex;align-items:center;gap:.75rem;min-height:48px;padding:.35rem .25rem;"
	"border-top:1px solid #e1e5ea;cursor:pointer}\n"
	".o:first-of-type{border-top:0}\n"
	".o input{width:1.5rem;height:1.5rem;flex:none;margin:0}\n"
	"textarea{width:100%;min-height:6rem;font:inherit;padding:.5rem;border:1px solid #6b7785;"
	"border-radius:6px}\n"
	"label.c{display:block;font-weight:bold;margin:0 0 .3rem}\n"
	"button,.b{display:block;width:100%;min-height:52px;font:inherit;font-weight:bold;"
	"color:#fff;background:#0b3d66;border:0;border-radius:6px;margin:1rem 0;padding:.6rem;"
	"text-align:center;text-decoration:none}\n"
	"input[type=text]{width:100%;min-height:48px;font:inherit;padding:.4rem;"
	"border:1px solid #6b7785;border-radius:6px;text-transform:uppercase}\n"
	".alert{border:2px solid #a40000;background:#fff0f0;color:#700;padding:.5rem .75rem;"
	"border-radius:6px}\n"
	".miss{border:2px solid #a40000}\n"
	".miss .m{color:#a40000;font-weight:bold;margin:0}\n";

static void page_begin(struct strbuf *b, const char *title)
{
	strbuf_adds(b, "<!DOCTYPE html>\n<html lang=\"vi\" xmlns=\"http://www.w3.org/1999/xhtml\">"
		       "<head><meta charset=\"utf-8\"/><meta name=\"viewport\" content=\"width="
		       "device-width, initial-scale=1\"/><title>");
	strbuf_add_xml(b, title);
	strbuf_adds(b, "</title><link rel=\"stylesheet\" href=\"/s.css\"/></head>\n<body>\n"
		       "<header><p>Khảo sát sự hài lòng của người dân về cải cách hành chính"
		       "</p></header>\n<main>\n");
}

static void page_end(struct strbuf *b)
{
	strbuf_adds(b, "</main>\n</body></html>\n");
}

/* A page that says something and offers no form. */
static void page_message(struct serve_reply *rp, int status, const char *title, const char *text)
{
	rp->status = status;
	page_begin(&rp->body, title);
	strbuf_adds(&rp->body, "<h1>");
	strbuf_add_xml(&rp->body, title);
	strbuf_adds(&rp->body, "</h1>\n<p>");
	strbuf_add_xml(&rp->body, text);
	strbuf_adds(&rp->body, "</p>\n");
	page_end(&rp->body);
}

static void page_gone(struct serve_reply *rp)
{
	page_message(rp, 410, "Đơn vị đã sáp nhập",
		     "Xã này đã sáp nhập vào đơn vị khác: năm nay không còn khảo sát riêng xã này. "
		     "Xin liên hệ Ủy ban nhân dân xã mới.");
}

/* The page to type a code on (GET /s). */
static void page_enter(struct serve_reply *rp, int status, const char *problem)
{
	rp->status = status;
	page_begin(&rp->body, "Nhập mã khảo sát");
	strbuf_adds(&rp->body, "<h1>Nhập mã khảo sát</h1>\n");
	if (problem) {
		strbuf_adds(&rp->body, "<p class=\"alert\" role=\"alert\">");
		strbuf_add_xml(&rp->body, problem);
		strbuf_adds(&rp->body, "</p>\n");
	}
	strbuf_adds(&rp->body,
		    "<form method=\"get\" action=\"/s\">\n<label class=\"c\" for=\"code\">Mã in "
		    "trên phiếu (16 chữ và số)</label>\n<input type=\"text\" id=\"code\" name=\"code\" "
		    "autocomplete=\"off\" required=\"required\" maxlength=\"40\"/>\n"
		    "<button type=\"submit\">Mở phiếu khảo sát</button>\n</form>\n");
	page_end(&rp->body);
}

static const char *field_value(const struct serve_request *rq, const char *name)
{
	for (size_t i = rq->nfields; i-- > 0;)
		if (!strcmp(rq->fields[i].name, name) && strlen(rq->fields[i].value) == rq->fields[i].len)
			return rq->fields[i].value;
	return NULL;
}

/* The signed time the page was served: "SECONDS.HMACHEX" over the path. */
static void stamp_make(struct serve_web *w, const char *path, long long t, char out[96])
{
	struct hmac_sha256_ctx c;
	unsigned char mac[SHA256_DIGEST_SIZE];
	char msg[600], hex[2 * SHA256_DIGEST_SIZE + 1];
	int n = snprintf(msg, sizeof(msg), "%lld %s", t, path);

	hmac_sha256_set_key(&c, sizeof(w->secret), w->secret);
	hmac_sha256_update(&c, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1,
			   (const uint8_t *)msg);
	hmac_sha256_digest(&c, sizeof(mac), mac);
	text_hex(mac, 16, hex);
	snprintf(out, 96, "%lld.%s", t, hex);
}

/* The time in a stamp of this server for path, or -1. */
static long long stamp_read(struct serve_web *w, const char *path, const char *stamp, long long now)
{
	char want[96];
	long long t;

	if (!stamp || sscanf(stamp, "%lld.", &t) != 1 || t > now || now - t > 24 * 3600)
		return -1;
	stamp_make(w, path, t, want);
	return strlen(stamp) == strlen(want) && memeql_sec(stamp, want, strlen(want)) ? t : -1;
}

static void iso(long long t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The questionnaire of t. chosen: the answers already given (a page sent back with questions
   unanswered), NULL for a new one. */
static void page_form(struct serve_web *w, struct serve_reply *rp, const char *path,
		      const struct target *t, const struct serve_request *chosen, size_t missing)
{
	const struct def *d = t->d;
	const char *gname = def_text_get(&d->groups[t->g].name, "vi");
	const char *comment = chosen ? field_value(chosen, "comment") : NULL;
	char stamp[96];
	unsigned n = 0;

	page_begin(&rp->body, d->title.vi ? d->title.vi : "Phiếu khảo sát");
	strbuf_adds(&rp->body, "<h1>");
	strbuf_add_xml(&rp->body, def_text_get(&d->title, "vi"));
	strbuf_adds(&rp->body, "</h1>\n<p>");
	strbuf_add_xml(&rp->body, t->commune_name);
	strbuf_adds(&rp->body, " · ");
	strbuf_add_xml(&rp->body, gname);
	strbuf_adds(&rp->body, "</p>\n<p>Ông/bà chọn một câu trả lời cho mỗi câu hỏi rồi bấm "
			       "\"Gửi phiếu\" ở cuối trang. Phiếu không ghi tên người trả lời.</p>\n");
	if (missing)
		strbuf_addf(&rp->body, "<p class=\"alert\" role=\"alert\">Còn %zu câu chưa trả lời "
				       "(đánh dấu bên dưới). Xin ông/bà trả lời rồi gửi lại.</p>\n",
			    missing);
	strbuf_adds(&rp->body, "<form method=\"post\" action=\"");
	strbuf_add_xml(&rp->body, path);
	strbuf_adds(&rp->body, "\">\n<input type=\"hidden\" name=\"t\" value=\"");
	{
		long long began = chosen ? stamp_read(w, path, field_value(chosen, "t"), web_now())
					 : -1;

		/* a page sent back keeps the time it was first served */
		stamp_make(w, path, began >= 0 ? began : web_now(), stamp);
	}
	strbuf_adds(&rp->body, stamp);
	strbuf_adds(&rp->body, "\"/>\n");
	for (size_t i = 0; i < d->nquestions; i++) {
		const struct def_question *q = &d->questions[i];
		const struct def_scale *sc = &d->scales[q->scale];
		const char *got = chosen ? field_value(chosen, q->id) : NULL;
		int answered = 0;

		if (!((q->groups >> t->g) & 1u))
			continue;
		for (size_t k = 0; got && k < sc->noptions; k++)
			answered |= !strcmp(got, sc->options[k].code);
		strbuf_addf(&rp->body, "<fieldset id=\"q-");
		strbuf_add_xml(&rp->body, q->id);
		strbuf_addf(&rp->body, "\"%s><legend>%u. ", chosen && !answered ? " class=\"miss\"" : "",
			    ++n);
		strbuf_add_xml(&rp->body, def_text_get(&q->text, "vi"));
		strbuf_adds(&rp->body, "</legend>\n");
		if (chosen && !answered)
			strbuf_adds(&rp->body, "<p class=\"m\">Chưa trả lời</p>\n");
		for (size_t k = 0; k < sc->noptions; k++) {
			const struct def_option *o = &sc->options[k];

			strbuf_adds(&rp->body, "<label class=\"o\"><input type=\"radio\" name=\"");
			strbuf_add_xml(&rp->body, q->id);
			strbuf_adds(&rp->body, "\" value=\"");
			strbuf_add_xml(&rp->body, o->code);
			strbuf_adds(&rp->body, "\" required=\"required\"");
			if (answered && !strcmp(got, o->code))
				strbuf_adds(&rp->body, " checked=\"checked\"");
			strbuf_adds(&rp->body, "/><span>");
			strbuf_add_xml(&rp->body, def_text_get(&o->label, "vi"));
			strbuf_adds(&rp->body, "</span></label>\n");
		}
		strbuf_adds(&rp->body, "</fieldset>\n");
	}
	strbuf_adds(&rp->body, "<label class=\"c\" for=\"comment\">Ông/bà có ý kiến, kiến nghị gì "
			       "khác về công tác cải cách hành chính của xã không? (không bắt buộc)"
			       "</label>\n<textarea id=\"comment\" name=\"comment\" maxlength=\"1000\">");
	if (comment)
		strbuf_add_xml(&rp->body, comment);
	strbuf_adds(&rp->body, "</textarea>\n<button type=\"submit\">Gửi phiếu</button>\n</form>\n");
	page_end(&rp->body);
}

/* ---- a submitted page into an XForm instance ---- */

/* The comment as it may go into XML: valid UTF-8, no control characters but line breaks and
   tabs, at most COMMENT_MAX bytes (cut on a character). */
static char *clean_comment(const char *s)
{
	size_t len = s ? strlen(s) : 0, n = 0;
	char *out;

	if (!s || u8_check((const uint8_t *)s, len))
		return xstrdup("");
	out = xmalloc(len + 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 && c != '\n' && c != '\t')
			continue;
		if (c == 0x7f)
			continue;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	if (n > COMMENT_MAX) {
		char *cut = xmalloc(COMMENT_MAX + 1);

		text_cut(cut, COMMENT_MAX + 1, out);
		free(out);
		return cut;
	}
	return out;
}

/* Build the instance of the page rq answered for t; the number of questions of the group it
   leaves unanswered (then nothing is built). */
static size_t build_instance(struct serve_web *w, const struct serve_request *rq, const char *path,
			     const struct target *t, const char *surveyor, const char *device,
			     struct strbuf *x, struct perr *err)
{
	const struct def *d = t->d;
	unsigned char r[16];
	char iid[48], start[32], end[32], *comment, *name;
	const char **answers;
	struct serve_instance in;
	size_t missing = 0;
	long long now = web_now(), began;

	for (size_t i = 0; i < d->nquestions; i++) {
		const struct def_question *q = &d->questions[i];
		const struct def_scale *sc = &d->scales[q->scale];
		const char *got = field_value(rq, q->id);
		int ok = 0;

		if (!((q->groups >> t->g) & 1u))
			continue;
		for (size_t k = 0; got && k < sc->noptions; k++)
			ok |= !strcmp(got, sc->options[k].code);
		missing += !ok;
	}
	if (missing)
		return missing;
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		perr_set(err, PERR_SYSTEM, "getrandom", "no random bytes");
		return 0;
	}
	/* a version 4 UUID */
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	{
		char hex[33];

		text_hex(r, sizeof(r), hex);
		snprintf(iid, sizeof(iid), "uuid:%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
			 hex + 16, hex + 20);
	}
	began = stamp_read(w, path, field_value(rq, "t"), now);
	iso(now, end);
	iso(began >= 0 ? began : now, start);
	answers = xcalloc(d->nquestions ? d->nquestions : 1, sizeof(*answers));
	for (size_t i = 0; i < d->nquestions; i++)
		answers[i] = field_value(rq, d->questions[i].id);
	comment = clean_comment(field_value(rq, "comment"));
	name = xasprintf("%s-%s", t->commune, d->groups[t->g].id);
	in = (struct serve_instance){
		.form_id = t->form_id, .form_version = t->form_version, .start = start,
		.end = end, .device = device, .commune = t->commune, .surveyor = surveyor,
		.d = d, .group = t->g, .answers = answers, .comment = comment,
		.instance_id = iid, .instance_name = name,
	};
	serve_instance_xml(x, &in);
	strbuf_addc(x, '\n');
	free(answers);
	free(comment);
	free(name);
	return 0;
}

/* ---- the two ways in ---- */

static void refuse_code(struct serve_reply *rp, const char *why)
{
	if (!strcmp(why, "used"))
		page_message(rp, 410, "Mã này đã được sử dụng",
			     "Mỗi mã chỉ dùng được cho một phiếu, và phiếu của mã này đã được gửi. "
			     "Nếu ông/bà chưa gửi phiếu, xin liên hệ bộ phận một cửa của xã để nhận "
			     "mã khác.");
	else if (!strcmp(why, "void"))
		page_message(rp, 410, "Mã này đã bị hủy",
			     "Mã khảo sát này đã bị hủy và không dùng được nữa. Xin liên hệ bộ phận "
			     "một cửa của xã để nhận mã khác.");
	else
		page_message(rp, 404, "Không tìm thấy mã khảo sát",
			     "Mã này không có trong danh sách mã khảo sát. Xin kiểm tra lại mã in "
			     "trên phiếu (chữ O và số 0 được coi là một).");
}

static void refuse_busy(struct serve_reply *rp)
{
	page_message(rp, 429, "Quá nhiều lần thử mã",
		     "Có quá nhiều lần nhập mã không đúng. Xin thử lại sau 15 phút.");
}

/* Submit the page rq answered for t on the channel given; the reply is the thanks, the page
   again with what is missing, or a refusal. */
static int submit_page(struct serve_web *w, const struct serve_request *rq, const char *path,
		       const struct target *t, const char *channel, const char *code_hash,
		       struct serve_reply *rp, struct perr *err)
{
	struct serve_user u = { 0 };
	struct serve_answer ans = { 0 };
	struct strbuf x = STRBUF_INIT;
	char device[40];
	size_t missing;

	snprintf(u.name, sizeof(u.name), "%s", channel);
	snprintf(u.role, sizeof(u.role), "respondent");
	snprintf(u.channel, sizeof(u.channel), "%s", channel);
	if (code_hash)
		snprintf(u.code, sizeof(u.code), "%s", code_hash);
	/* no person behind it: the surveyor is the channel, the device a pseudonym of the code
	   (the survey_code row says the same) or the open link's, so the quality checks see one
	   device a code */
	snprintf(device, sizeof(device), "%s%s%.12s", channel, code_hash ? "-" : "",
		 code_hash ? code_hash : "");
	missing = build_instance(w, rq, path, t, channel, device, &x, err);
	if (err->msg[0]) {
		strbuf_release(&x);
		return -1;
	}
	if (missing) {
		rp->status = 422;
		page_form(w, rp, path, t, rq, missing);
		return 1;
	}
	if (!w->st || serve_submit(w->st, &u, x.buf, x.len, &ans, err) < 0) {
		strbuf_release(&x);
		if (!w->st)
			ans.status = 503;
		else
			return -1;
	}
	strbuf_release(&x);
	if (ans.status == 201)
		page_message(rp, 200, "Cảm ơn ông/bà",
			     "Phiếu khảo sát đã được gửi. Cảm ơn ông/bà đã dành thời gian góp ý cho "
			     "công tác cải cách hành chính của xã.");
	else if (ans.reason && !strcmp(ans.reason, "code-used"))
		refuse_code(rp, "used");
	else if (ans.reason && !strcmp(ans.reason, "code-void"))
		refuse_code(rp, "void");
	else if (ans.reason && !strcmp(ans.reason, "code-unknown"))
		refuse_code(rp, "unknown");
	else if (ans.status == 503)
		page_message(rp, 503, "Chưa gửi được phiếu",
			     "Máy chủ tạm thời chưa nhận được phiếu. Xin bấm quay lại và gửi lại "
			     "sau ít phút.");
	else
		page_message(rp, 400, "Phiếu chưa hợp lệ", ans.message);
	return 1;
}

/* /s/CODE: GET the questionnaire, POST the answers. */
static int code_page(struct serve_web *w, sqlite3 *db, const struct serve_request *rq,
		     const char *typed, struct serve_reply *rp, struct perr *err)
{
	char canon[SURVEY_CODE_LEN + 1], hash[65], path[8 + SURVEY_CODE_LEN];
	char commune[64] = "", group[64] = "";
	const char *why = NULL;
	long long now = web_now();
	sqlite3_stmt *st = NULL;
	struct target t;
	int rc, step;

	if (limit_over(&w->code_fails, rq->address, now) || global_over(w, now, 0)) {
		refuse_busy(rp);
		return 1;
	}
	if (survey_code_canonical(typed, strlen(typed), canon) < 0) {
		why = "unknown";
	} else {
		survey_code_hash(canon, hash);
		if (db_prepare(db, &st, "SELECT commune_code, group_id, used_at IS NOT NULL, "
					"voided_at IS NOT NULL FROM survey_code WHERE hash = ?",
			       err) < 0)
			return -1;
		sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
		step = sqlite3_step(st);
		if (step == SQLITE_ROW) {
			snprintf(commune, sizeof(commune), "%s", (const char *)sqlite3_column_text(st, 0));
			snprintf(group, sizeof(group), "%s", (const char *)sqlite3_column_text(st, 1));
			why = sqlite3_column_int(st, 2) ? "used" : sqlite3_column_int(st, 3) ? "void" : NULL;
			/* sent a moment ago: in the spool, not yet in the database */
			if (!why && w->st && serve_code_spooled(w->st, hash))
				why = "used";
		} else if (step == SQLITE_DONE) {
			why = "unknown";
		}
		sqlite3_finalize(st);
		if (step != SQLITE_ROW && step != SQLITE_DONE)
			return db_fail(db, err, "reading the survey codes");
	}
	if (why) {
		limit_count(&w->code_fails, rq->address, now);
		global_over(w, now, 1);
		refuse_code(rp, why);
		return 1;
	}
	snprintf(path, sizeof(path), "/s/%s", canon);
	memset(&t, 0, sizeof(t));
	if (def_hold(w, db, err) < 0)
		return -1;
	rc = target_find(w, db, commune, group, &t, err);
	if (rc == 0 && t.gone)
		page_gone(rp);
	else if (rc == 0)
		page_message(rp, 404, "Phiếu khảo sát chưa sẵn sàng",
			     "Phiếu của nhóm này chưa được tạo. Xin liên hệ bộ phận một cửa của xã.");
	else if (rc > 0 && !strcmp(rq->method, "POST")) {
		rc = submit_page(w, rq, path, &t, "web", hash, rp, err);
		/* used or voided since the check above (spooled, not yet in the database) */
		if (rc > 0 && (rp->status == 410 || rp->status == 404)) {
			limit_count(&w->code_fails, rq->address, now);
			global_over(w, now, 1);
		}
	}
	else if (rc > 0)
		page_form(w, rp, path, &t, NULL, 0);
	pthread_rwlock_unlock(&w->def_lock);
	target_release(&t);
	return rc < 0 ? -1 : 1;
}

/* /o/COMMUNE/GROUP: a commune's open link, when the definition allows one for the group. */
static int open_page(struct serve_web *w, sqlite3 *db, const struct serve_request *rq,
		     const char *rest, struct serve_reply *rp, struct perr *err)
{
	char commune[64], group[64], path[160];
	const char *slash = strchr(rest, '/');
	long long now = web_now();
	struct target t = { 0 };
	int rc;

	if (!slash || (size_t)(slash - rest) >= sizeof(commune) || strlen(slash + 1) >= sizeof(group) ||
	    strchr(slash + 1, '/')) {
		page_message(rp, 404, "Không có đường dẫn này", "Đường dẫn khảo sát không đúng.");
		return 1;
	}
	snprintf(commune, sizeof(commune), "%.*s", (int)(slash - rest), rest);
	snprintf(group, sizeof(group), "%s", slash + 1);
	snprintf(path, sizeof(path), "/o/%s/%s", commune, group);
	memset(&t, 0, sizeof(t));
	if (def_hold(w, db, err) < 0)
		return -1;
	rc = target_find(w, db, commune, group, &t, err);
	if (rc > 0 && !t.d->groups[t.g].open_link)
		rc = 0;
	if (rc == 0 && t.gone) {
		page_gone(rp);
	} else if (rc == 0) {
		page_message(rp, 404, "Không có đường dẫn này",
			     "Nhóm này không khảo sát qua đường dẫn mở. Xin dùng mã khảo sát in trên "
			     "phiếu được phát.");
	} else if (rc > 0 && limit_over(&w->open_sent, rq->address, now)) {
		page_message(rp, 429, "Đã gửi quá nhiều phiếu",
			     "Từ mạng này đã gửi nhiều phiếu qua đường dẫn mở trong một giờ qua. Xin "
			     "thử lại sau.");
	} else if (rc > 0 && !strcmp(rq->method, "POST")) {
		rc = submit_page(w, rq, path, &t, "open", NULL, rp, err);
		if (rc > 0 && rp->status == 200)
			limit_count(&w->open_sent, rq->address, now);
	} else if (rc > 0) {
		page_form(w, rp, path, &t, NULL, 0);
	}
	pthread_rwlock_unlock(&w->def_lock);
	target_release(&t);
	return rc < 0 ? -1 : 1;
}

int serve_web_handle(struct serve_web *w, const struct serve_request *rq, struct serve_reply *rp,
		     struct perr *err)
{
	const char *p = rq->path;
	sqlite3 *db = NULL;
	int rc;

	if (!w)
		return 0;
	if (!strcmp(p, "/s.css")) {
		rp->content_type = "text/css; charset=utf-8";
		strbuf_adds(&rp->body, style);
		return 1;
	}
	if (strcmp(p, "/s") && strncmp(p, "/s/", 3) && strncmp(p, "/o/", 3))
		return 0;
	if (strcmp(rq->method, "GET") && strcmp(rq->method, "HEAD") && strcmp(rq->method, "POST")) {
		page_message(rp, 405, "Không hỗ trợ", "Yêu cầu này không được hỗ trợ.");
		return 1;
	}
	if (!strcmp(p, "/s") || !strcmp(p, "/s/")) {
		const char *code = field_value(rq, "code");
		char canon[SURVEY_CODE_LEN + 1];

		if (!code)
			page_enter(rp, 200, NULL);
		else if (survey_code_canonical(code, strlen(code), canon) < 0)
			page_enter(rp, 422, "Mã gồm 16 chữ và số, như in trên phiếu. Xin nhập lại.");
		else {
			rp->status = 303;
			snprintf(rp->location, sizeof(rp->location), "/s/%s", canon);
		}
		return 1;
	}
	if (db_open(&db, w->db_path, DB_EXISTING, err) < 0)
		return -1;
	sqlite3_busy_timeout(db, 5000);
	if (!strncmp(p, "/s/", 3))
		rc = code_page(w, db, rq, p + 3, rp, err);
	else
		rc = open_page(w, db, rq, p + 3, rp, err);
	db_close(db);
	return rc;
}

/* ---- the office's dashboard: forms per channel ---- */

int serve_web_channels(sqlite3 *db, struct strbuf *sb, const char *def_id,
		       const char *def_version, struct perr *err)
{
	static const char *const channel[] = { "collect", "web", "open", "paper" };
	sqlite3_stmt *st;
	int step, rows = 0;

	if (db_prepare(db, &st, "SELECT s.commune_code, s.group_id, sum(b.channel = 'collect'), "
				"sum(b.channel = 'web'), sum(b.channel = 'open'), "
				"sum(b.channel = 'paper'), count(*) FROM current_submission s "
				"JOIN batch b ON b.id = s.batch_id "
				"JOIN form f ON f.id = s.form_id AND f.version = s.form_version "
				"WHERE f.def_id = ? AND f.def_version = ? GROUP BY 1, 2 ORDER BY 1, 2",
		       err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, def_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, def_version, -1, SQLITE_STATIC);
	strbuf_adds(sb, "<h2>Theo kênh thu phiếu</h2>\n<div class=\"scroll\"><table id=\"channels\">\n"
			"<thead><tr><th>Xã</th><th>Nhóm</th><th class=\"num\">ODK Collect</th>"
			"<th class=\"num\">Mã QR</th><th class=\"num\">Đường dẫn mở</th>"
			"<th class=\"num\">Phiếu giấy</th><th class=\"num\">Tổng</th></tr></thead>\n"
			"<tbody>\n");
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *commune = (const char *)sqlite3_column_text(st, 0);
		const char *group = (const char *)sqlite3_column_text(st, 1);

		/* the row says where, its cells which channel (other names than the quota
		   table's data-commune and data-group, which the office's tests read) */
		strbuf_adds(sb, "<tr data-row-commune=\"");
		strbuf_add_xml(sb, commune);
		strbuf_adds(sb, "\" data-row-group=\"");
		strbuf_add_xml(sb, group);
		strbuf_adds(sb, "\"><td>");
		strbuf_add_xml(sb, commune);
		strbuf_adds(sb, "</td><td>");
		strbuf_add_xml(sb, group);
		strbuf_adds(sb, "</td>");
		for (int c = 0; c < 4; c++)
			strbuf_addf(sb, "<td class=\"num\" data-channel=\"%s\">%lld</td>", channel[c],
				    (long long)sqlite3_column_int64(st, 2 + c));
		strbuf_addf(sb, "<td class=\"num\">%lld</td></tr>\n",
			    (long long)sqlite3_column_int64(st, 6));
		rows++;
	}
	if (step != SQLITE_DONE) {
		db_fail(db, err, "counting submissions per channel");
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	if (!rows)
		strbuf_adds(sb, "<tr><td colspan=\"7\">Chưa có phiếu nào.</td></tr>\n");
	strbuf_adds(sb, "</tbody></table></div>\n");
	return 0;
}
