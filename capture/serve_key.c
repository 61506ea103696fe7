/* parindex serve: the paper keying's pages. A keyer (role keyer, scoped to communes and
   groups like a surveyor) picks a commune and a respondent group once for a pile of paper
   forms, then keys each form on /key: the serial number, the surveyor's code, one option code
   per question, in the printed order. The page works without script (Tab moves on, Enter
   saves); /static/key.js makes Enter move to the next field. The office sees on /key/review
   the forms whose two keyings differ, side by side, decides each from the paper
   (/key/decide), and each keyer's speed and disagreement. The work is keying.c's. */
#include "serve_page.h"
#include "keying.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "merge.h"
#include "store.h"
#include "text.h"

const char serve_key_js[] =
	"/* parindex: on the paper keying page, Enter moves to the next field; on the last one it\n"
	"   saves. Without this script Tab moves on and Enter saves. */\n"
	"document.addEventListener('keydown', function (e) {\n"
	"  var t = e.target, f, i;\n"
	"  if (e.key !== 'Enter' || !t.form || t.form.id !== 'key' || t.tagName !== 'INPUT')\n"
	"    return;\n"
	"  f = Array.prototype.filter.call(t.form.elements, function (x) {\n"
	"    return x.tagName === 'INPUT' && x.type !== 'hidden';\n"
	"  });\n"
	"  i = f.indexOf(t);\n"
	"  if (i >= 0 && i + 1 < f.length) {\n"
	"    e.preventDefault();\n"
	"    f[i + 1].focus();\n"
	"    f[i + 1].select();\n"
	"  }\n"
	"});\n";

static void h(struct strbuf *sb, const char *s)
{
	strbuf_add_xml(sb, s);
}

static size_t group_index(const struct def *d, const char *id)
{
	for (size_t g = 0; id && g < d->ngroups; g++)
		if (!strcmp(d->groups[g].id, id))
			return g;
	return SIZE_MAX;
}

/* A serial number from a field: 1 to KEYING_SERIAL_MAX, else 0. */
static long serial_of(const struct serve_request *rq, const char *name)
{
	int64_t v = office_field_id(rq, name);

	return v <= KEYING_SERIAL_MAX ? (long)v : 0;
}

/* The commune's name; 0 found, 1 not in the register, -1 error. */
static int commune_name(sqlite3 *db, const char *code, char *out, size_t size, struct perr *err)
{
	sqlite3_stmt *st = NULL;
	int s;

	if (db_prepare(db, &st, "SELECT name FROM commune WHERE code = ?", err) < 0)
		return -1;
	db_bind_text(st, 1, code);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW)
		snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		return db_fail(db, err, "reading the register");
	return s == SQLITE_ROW ? 0 : 1;
}

/* Is commune × group within the keyer's scope? 1 yes, 0 no, -1 error. */
static int in_scope(sqlite3 *db, const char *keyer, const char *commune, const char *group,
		    struct perr *err)
{
	sqlite3_stmt *st = NULL;
	int s, yes = 0;

	if (db_prepare(db, &st,
		       "SELECT EXISTS (SELECT 1 FROM account_commune WHERE account_id = a.id AND "
		       "code = ?2) AND (NOT EXISTS (SELECT 1 FROM account_group WHERE account_id = "
		       "a.id) OR EXISTS (SELECT 1 FROM account_group WHERE account_id = a.id AND "
		       "group_id = ?3)) FROM account a WHERE a.name = ?1", err) < 0)
		return -1;
	db_bind_text(st, 1, keyer);
	db_bind_text(st, 2, commune);
	db_bind_text(st, 3, group);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW)
		yes = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		return db_fail(db, err, "reading accounts");
	return yes;
}

/* ---- the keyer's pages ---- */

/* The choice of commune and group for a pile of forms: the keyer's communes and groups. */
static int page_choose(sqlite3 *db, const struct office_user *u, const struct def *d,
		       struct serve_reply *rp, const char *say, struct perr *err)
{
	struct strbuf *sb = &rp->body;
	struct merge_map merges;
	sqlite3_stmt *st = NULL;
	int s;

	strbuf_reset(sb);
	office_page_begin(sb, "Nhập phiếu giấy", u, "/key");
	if (say) {
		strbuf_adds(sb, "<p class=\"error\">");
		h(sb, say);
		strbuf_adds(sb, "</p>\n");
	}
	strbuf_adds(sb, "<p>Chọn xã và nhóm đối tượng của tập phiếu sắp nhập.</p>\n"
			"<form method=\"get\" action=\"/key\">\n<p><label for=\"commune\">Xã</label> "
			"<select id=\"commune\" name=\"commune\">\n");
	/* the keyer's units of the definition's year: none merged away (core/merge.h) */
	if (merge_map_load(db, &merges, err) < 0)
		return -1;
	if (db_prepare(db, &st, "SELECT c.code, c.name FROM account_commune ac JOIN account a ON "
				"a.id = ac.account_id JOIN commune c ON c.code = ac.code WHERE "
				"a.name = ? ORDER BY c.code", err) < 0) {
		merge_map_release(&merges);
		return -1;
	}
	db_bind_text(st, 1, u->name);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (merge_map_state(&merges, (const char *)sqlite3_column_text(st, 0), d->year, NULL) !=
		    MERGE_UNIT)
			continue;
		strbuf_adds(sb, "<option value=\"");
		h(sb, (const char *)sqlite3_column_text(st, 0));
		strbuf_adds(sb, "\">");
		h(sb, (const char *)sqlite3_column_text(st, 1));
		strbuf_adds(sb, " (");
		h(sb, (const char *)sqlite3_column_text(st, 0));
		strbuf_adds(sb, ")</option>\n");
	}
	sqlite3_finalize(st);
	merge_map_release(&merges);
	if (s != SQLITE_DONE)
		return db_fail(db, err, "reading accounts");
	strbuf_adds(sb, "</select></p>\n<p><label for=\"group\">Nhóm</label> "
			"<select id=\"group\" name=\"group\">\n");
	for (size_t g = 0; g < d->ngroups; g++) {
		int yes = 0;

		if (db_prepare(db, &st, "SELECT NOT EXISTS (SELECT 1 FROM account_group WHERE "
					"account_id = a.id) OR EXISTS (SELECT 1 FROM account_group "
					"WHERE account_id = a.id AND group_id = ?2) FROM account a "
					"WHERE a.name = ?1", err) < 0)
			return -1;
		db_bind_text(st, 1, u->name);
		db_bind_text(st, 2, d->groups[g].id);
		if (sqlite3_step(st) == SQLITE_ROW)
			yes = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
		if (!yes)
			continue;
		strbuf_adds(sb, "<option value=\"");
		h(sb, d->groups[g].id);
		strbuf_adds(sb, "\">");
		h(sb, d->groups[g].id);
		strbuf_adds(sb, ": ");
		h(sb, d->groups[g].name.vi);
		strbuf_adds(sb, "</option>\n");
	}
	strbuf_adds(sb, "</select></p>\n<p><button type=\"submit\">Bắt đầu nhập</button></p>\n"
			"</form>\n");
	office_page_end(sb);
	return 0;
}

/* Does every option code of question q consist of digits (the field then asks for digits)? */
static int digits_only(const struct def *d, const struct def_question *q)
{
	const struct def_scale *sc = &d->scales[q->scale];

	for (size_t k = 0; k < sc->noptions; k++)
		for (const char *c = sc->options[k].code; *c; c++)
			if (*c < '0' || *c > '9')
				return 0;
	return 1;
}

static void text_input(struct strbuf *sb, const char *id, const char *label, const char *value,
		       int numeric, int size, int focus, const char *hint)
{
	strbuf_addf(sb, "<li><label for=\"%s\">", id);
	h(sb, label);
	strbuf_addf(sb, "</label> <input type=\"text\" id=\"%s\" name=\"%s\" size=\"%d\" "
			"maxlength=\"%d\" autocomplete=\"off\"%s%s value=\"",
		    id, id, size, size > 8 ? 64 : 20, numeric ? " inputmode=\"numeric\"" : "",
		    focus ? " autofocus=\"autofocus\"" : "");
	h(sb, value ? value : "");
	strbuf_adds(sb, "\" />");
	if (hint) {
		strbuf_adds(sb, " <span class=\"note\">");
		h(sb, hint);
		strbuf_adds(sb, "</span>");
	}
	strbuf_adds(sb, "</li>\n");
}

/* The keying form of commune × group g: the fields in the paper's order, values kept from rq
   when keep (a refused form is shown again), focus on field (-2 serial, -1 surveyor, else
   question i). */
static void page_key(const struct def *d, size_t g, const char *commune, const char *name,
		     const struct office_user *u, const struct serve_request *rq, int keep,
		     int focus, int status, const char *say, int ok, struct serve_reply *rp)
{
	struct strbuf *sb = &rp->body;
	size_t *order = xcalloc(d->nquestions + 1, sizeof(*order)), n = keying_questions(d, g, order);

	rp->status = status;
	rp->script = 1;
	strbuf_reset(sb);
	office_page_begin(sb, "Nhập phiếu giấy", u, "/key");
	strbuf_adds(sb, "<p class=\"note\">Xã ");
	h(sb, name);
	strbuf_adds(sb, " (");
	h(sb, commune);
	strbuf_adds(sb, "), nhóm ");
	h(sb, d->groups[g].id);
	strbuf_adds(sb, ": ");
	h(sb, d->groups[g].name.vi);
	strbuf_adds(sb, ". <a href=\"/key\">Đổi xã hoặc nhóm</a></p>\n");
	if (say) {
		strbuf_addf(sb, "<p class=\"%s\" id=\"said\">", ok ? "ok" : "error");
		h(sb, say);
		strbuf_adds(sb, "</p>\n");
	}
	strbuf_adds(sb, "<form method=\"post\" action=\"/key\" id=\"key\" autocomplete=\"off\">\n");
	office_csrf_field(sb, u);
	strbuf_adds(sb, "<input type=\"hidden\" name=\"commune\" value=\"");
	h(sb, commune);
	strbuf_adds(sb, "\" /><input type=\"hidden\" name=\"group\" value=\"");
	h(sb, d->groups[g].id);
	strbuf_adds(sb, "\" />\n<ol class=\"key\">\n");
	text_input(sb, "serial", "Số phiếu", keep ? office_field(rq, "serial") : NULL, 1, 5,
		   focus == -2, NULL);
	text_input(sb, "surveyor", "Mã ĐTV", keep ? office_field(rq, "surveyor") : NULL, 0, 10,
		   focus == -1, NULL);
	for (size_t i = 0; i < n; i++) {
		const struct def_question *q = &d->questions[order[i]];
		const struct def_scale *sc = &d->scales[q->scale];
		struct strbuf hint = STRBUF_INIT;
		char id[24], label[32];

		for (size_t k = 0; k < sc->noptions; k++)
			strbuf_addf(&hint, "%s%s", k ? " " : "", sc->options[k].code);
		snprintf(id, sizeof(id), "q%zu", i + 1);
		snprintf(label, sizeof(label), "Câu %zu", i + 1);
		text_input(sb, id, label, keep ? office_field(rq, id) : NULL, digits_only(d, q), 2,
			   focus == (int)i, hint.buf);
		strbuf_release(&hint);
	}
	strbuf_adds(sb, "</ol>\n<p><button type=\"submit\">Lưu phiếu</button></p>\n</form>\n"
			"<p class=\"note\">Enter: sang ô tiếp theo; ở ô cuối, Enter lưu phiếu. Mỗi phiếu "
			"giấy do hai người khác nhau nhập; khi hai lần nhập khớp nhau phiếu được nhận, "
			"khi khác nhau văn phòng đối chiếu với phiếu giấy.</p>\n"
			"<script src=\"/static/key.js\"></script>\n");
	office_page_end(sb);
	free(order);
}

static const char *saved_vi(const char *outcome)
{
	return !outcome ? NULL
	       : !strcmp(outcome, "first") ? "đã lưu lần nhập thứ nhất; phiếu chờ người thứ hai nhập"
	       : !strcmp(outcome, "agreed") ? "hai lần nhập khớp nhau: phiếu đã được nhận"
	       : !strcmp(outcome, "differ") ? "đã lưu; hai lần nhập khác nhau, văn phòng sẽ đối chiếu "
					     "với phiếu giấy"
					   : NULL;
}

static int key_post(struct serve_store *st, sqlite3 *db, const struct def *d, size_t g,
		    const char *commune, const char *name, const struct serve_request *rq,
		    const struct office_user *u, struct serve_reply *rp, struct perr *err)
{
	size_t *order = xcalloc(d->nquestions + 1, sizeof(*order)), n = keying_questions(d, g, order);
	const char **answers = xcalloc(n + 1, sizeof(*answers));
	struct keying_entry e = { office_field(rq, "serial"), office_field(rq, "surveyor"), answers };
	struct keying_form f = { 0 };
	struct keying_problem prob;
	struct serve_user user = { 0 };
	struct serve_answer ans = { 0 };
	enum keying_saved saved;
	size_t differing;
	char say[700];
	int rc = -1;

	for (size_t i = 0; i < n; i++) {
		char id[24];

		snprintf(id, sizeof(id), "q%zu", i + 1);
		answers[i] = office_field(rq, id);
	}
	if (keying_check(d, g, &e, &f, &prob) < 0) {
		page_key(d, g, commune, name, u, rq, 1, prob.field, 422, prob.msg, 0, rp);
		rc = 0;
		goto done;
	}
	if (!st) {
		page_key(d, g, commune, name, u, rq, 1, -2, 503, "máy chủ chưa nhận phiếu được lúc "
			 "này; thử lại sau", 0, rp);
		rc = 0;
		goto done;
	}
	snprintf(user.name, sizeof(user.name), "%s", u->name);
	snprintf(user.role, sizeof(user.role), "%s", u->role);
	snprintf(user.address, sizeof(user.address), "%s", rq->address);
	if (keying_save(db, st, &user, d, g, commune, &f, &saved, &differing, &ans, err) < 0)
		goto done;
	switch (saved) {
	case KEYING_SAME_KEYER:
		snprintf(say, sizeof(say), "bạn đã nhập phiếu số %ld rồi: mỗi phiếu phải do hai người "
			 "khác nhau nhập; không lưu gì", f.serial);
		page_key(d, g, commune, name, u, rq, 1, -2, 409, say, 0, rp);
		break;
	case KEYING_TWICE:
		snprintf(say, sizeof(say), "phiếu số %ld đã được hai người nhập; không lưu gì",
			 f.serial);
		page_key(d, g, commune, name, u, rq, 1, -2, 409, say, 0, rp);
		break;
	case KEYING_REFUSED:
		snprintf(say, sizeof(say), "phiếu bị từ chối (%s): %s; không lưu gì", ans.reason,
			 ans.message);
		page_key(d, g, commune, name, u, rq, 1, -2, 422, say, 0, rp);
		break;
	default:
		rp->status = 303;
		snprintf(rp->location, sizeof(rp->location), "/key?commune=%s&group=%s&serial=%ld&saved=%s",
			 commune, d->groups[g].id, f.serial,
			 saved == KEYING_FIRST ? "first" : saved == KEYING_AGREED ? "agreed" : "differ");
		strbuf_reset(&rp->body);
		break;
	}
	rc = 0;
done:
	keying_form_release(&f);
	free(answers);
	free(order);
	return rc;
}

/* /key for a keyer: the choice of commune and group, the keying form, a keyed form saved. */
static int page_keyer(struct serve_store *st, sqlite3 *db, const struct def *d,
		      const struct serve_request *rq, const struct office_user *u,
		      struct serve_reply *rp, struct perr *err)
{
	const char *commune = office_field(rq, "commune"), *group = office_field(rq, "group");
	size_t g = group_index(d, group);
	char name[256], say[200];
	const char *said;
	int r;

	if (!commune && !group && strcmp(rq->method, "POST"))
		return page_choose(db, u, d, rp, NULL, err);
	r = !commune || g == SIZE_MAX ? 1 : commune_name(db, commune, name, sizeof(name), err);
	if (r == 0) {
		r = in_scope(db, u->name, commune, group, err);
		r = r < 0 ? -1 : !r;
	}
	if (r == 0) {
		r = merge_unit_exists(db, commune, d->year, say, sizeof(say), err);
		if (r == 0) {
			rp->status = 403;
			return page_choose(db, u, d, rp, "xã này đã sáp nhập vào đơn vị khác: năm nay "
					   "không còn nhập phiếu của xã này", err);
		}
		r = r < 0 ? -1 : 0;
	}
	if (r < 0)
		return -1;
	if (r == 1) {
		rp->status = 403;
		return page_choose(db, u, d, rp, "xã hoặc nhóm này không nằm trong phạm vi nhập phiếu "
				   "của bạn", err);
	}
	if (!strcmp(rq->method, "POST"))
		return key_post(st, db, d, g, commune, name, rq, u, rp, err);
	said = saved_vi(office_field(rq, "saved"));
	if (said) {
		snprintf(say, sizeof(say), "Phiếu số %ld: %s.", serial_of(rq, "serial"),
			 said);
		said = say;
	}
	page_key(d, g, commune, name, u, rq, 0, -2, 200, said, 1, rp);
	return 0;
}

/* ---- the office's pages ---- */

static void td_num(struct strbuf *sb, long long n)
{
	strbuf_addf(sb, "<td class=\"num\">%lld</td>", n);
}

/* Each keyer's forms, time per form, forms per hour and disagreement. */
static int keyer_stats(sqlite3 *db, struct strbuf *sb, struct perr *err)
{
	sqlite3_stmt *st = NULL;
	int s, rows = 0;

	strbuf_adds(sb, "<h2>Người nhập phiếu</h2>\n<p class=\"note\">Thời gian một phiếu: từ lần "
			"lưu trước của cùng người (quá 10 phút là nghỉ, không tính). Khác nhau: "
			"phần trăm phiếu đã nhập đủ hai lần mà hai lần nhập không khớp. Sai so với "
			"quyết định: lần nhập khác với phiếu giấy theo quyết định của văn phòng.</p>\n"
			"<div class=\"scroll\"><table id=\"keyers\"><thead><tr><th>Người nhập</th>"
			"<th class=\"num\">Phiếu đã nhập</th><th class=\"num\">Giây / phiếu</th>"
			"<th class=\"num\">Phiếu / giờ</th><th class=\"num\">Đã nhập hai lần</th>"
			"<th class=\"num\">Khác nhau</th><th class=\"num\">Tỉ lệ khác nhau</th>"
			"<th class=\"num\">Sai so với quyết định</th></tr></thead><tbody>\n");
	if (db_prepare(db, &st,
		       "SELECT k.keyer, count(*), avg(k.seconds), count(f.state), "
		       "coalesce(sum(f.state IN ('differ', 'decided')), 0), "
		       "coalesce(sum(f.state = 'decided' AND k.answers <> f.answers), 0) "
		       "FROM paper_keying k LEFT JOIN paper_form f ON f.commune = k.commune AND "
		       "f.group_id = k.group_id AND f.serial = k.serial GROUP BY k.keyer "
		       "ORDER BY k.keyer", err) < 0)
		return -1;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		long long paired = sqlite3_column_int64(st, 3), differ = sqlite3_column_int64(st, 4);
		double secs = sqlite3_column_double(st, 2);

		rows++;
		strbuf_adds(sb, "<tr data-keyer=\"");
		h(sb, (const char *)sqlite3_column_text(st, 0));
		strbuf_adds(sb, "\"><td>");
		h(sb, (const char *)sqlite3_column_text(st, 0));
		strbuf_adds(sb, "</td>");
		td_num(sb, sqlite3_column_int64(st, 1));
		if (sqlite3_column_type(st, 2) == SQLITE_NULL || secs <= 0)
			strbuf_adds(sb, "<td class=\"num\">–</td><td class=\"num\">–</td>");
		else
			strbuf_addf(sb, "<td class=\"num\">%.1f</td><td class=\"num\">%.0f</td>", secs,
				    3600.0 / secs);
		td_num(sb, paired);
		td_num(sb, differ);
		if (paired)
			strbuf_addf(sb, "<td class=\"num\">%.1f %%</td>", 100.0 * (double)differ /
									 (double)paired);
		else
			strbuf_adds(sb, "<td class=\"num\">–</td>");
		td_num(sb, sqlite3_column_int64(st, 5));
		strbuf_adds(sb, "</tr>\n");
	}
	sqlite3_finalize(st);
	if (s != SQLITE_DONE)
		return db_fail(db, err, "reading keyings");
	if (!rows)
		strbuf_adds(sb, "<tr><td colspan=\"8\">Chưa có phiếu nào được nhập.</td></tr>\n");
	strbuf_adds(sb, "</tbody></table></div>\n");
	return 0;
}

/* The list: counts by state, the forms waiting for a decision, the keyers. */
static int page_review_list(sqlite3 *db, const struct office_user *u, const char *say,
			    struct serve_reply *rp, struct perr *err)
{
	struct strbuf *sb = &rp->body;
	sqlite3_stmt *st = NULL;
	int s, rows = 0;

	strbuf_reset(sb);
	office_page_begin(sb, "Phiếu giấy", u, "/key/review");
	if (say) {
		strbuf_adds(sb, "<p class=\"ok\">");
		h(sb, say);
		strbuf_adds(sb, "</p>\n");
	}
	if (db_prepare(db, &st, "SELECT (SELECT count(*) FROM (SELECT 1 FROM paper_keying k WHERE "
				"NOT EXISTS (SELECT 1 FROM paper_form f WHERE f.commune = k.commune AND "
				"f.group_id = k.group_id AND f.serial = k.serial) GROUP BY commune, "
				"group_id, serial)), (SELECT count(*) FROM paper_form WHERE state = "
				"'agreed'), (SELECT count(*) FROM paper_form WHERE state = 'differ'), "
				"(SELECT count(*) FROM paper_form WHERE state = 'decided')", err) < 0)
		return -1;
	if ((s = sqlite3_step(st)) == SQLITE_ROW)
		strbuf_addf(sb, "<p id=\"states\">Chờ người nhập thứ hai: <b>%lld</b>. Khớp, đã nhận: "
				"<b>%lld</b>. Khác nhau, chờ đối chiếu: <b>%lld</b>. Đã đối chiếu: "
				"<b>%lld</b>.</p>\n",
			    (long long)sqlite3_column_int64(st, 0),
			    (long long)sqlite3_column_int64(st, 1),
			    (long long)sqlite3_column_int64(st, 2),
			    (long long)sqlite3_column_int64(st, 3));
	sqlite3_finalize(st);
	if (s != SQLITE_ROW)
		return db_fail(db, err, "reading paper forms");
	strbuf_adds(sb, "<h2>Phiếu chờ đối chiếu</h2>\n<div class=\"scroll\"><table id=\"differ\">"
			"<thead><tr><th>Xã</th><th>Nhóm</th><th class=\"num\">Số phiếu</th>"
			"<th class=\"num\">Chỗ khác nhau</th><th></th></tr></thead><tbody>\n");
	if (db_prepare(db, &st, "SELECT commune, group_id, serial, differing FROM paper_form "
				"WHERE state = 'differ' ORDER BY commune, group_id, serial LIMIT 500",
		       err) < 0)
		return -1;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(st, 0);
		const char *g = (const char *)sqlite3_column_text(st, 1);
		long long n = sqlite3_column_int64(st, 2);

		rows++;
		strbuf_adds(sb, "<tr><td>");
		h(sb, c);
		strbuf_adds(sb, "</td><td>");
		h(sb, g);
		strbuf_adds(sb, "</td>");
		td_num(sb, n);
		td_num(sb, sqlite3_column_int64(st, 3));
		strbuf_adds(sb, "<td><a href=\"/key/review?commune=");
		h(sb, c);
		strbuf_adds(sb, "&amp;group=");
		h(sb, g);
		strbuf_addf(sb, "&amp;serial=%lld\">Đối chiếu</a></td></tr>\n", n);
	}
	sqlite3_finalize(st);
	if (s != SQLITE_DONE)
		return db_fail(db, err, "reading paper forms");
	if (!rows)
		strbuf_adds(sb, "<tr><td colspan=\"5\">Không có phiếu nào chờ đối chiếu.</td></tr>\n");
	strbuf_adds(sb, "</tbody></table></div>\n");
	if (keyer_stats(db, sb, err) < 0)
		return -1;
	office_page_end(sb);
	return 0;
}

/* The two keyings of a form: names and forms (answers read back). 0; 1 when the form has not
   two keyings (rp says so, 404); -1 error. */
static int two_keyings(sqlite3 *db, const struct def *d, size_t g, const char *commune,
		       long serial, char names[2][ACCOUNT_NAME_MAX + 1], struct keying_form k[2],
		       const struct office_user *u, struct serve_reply *rp, struct perr *err)
{
	sqlite3_stmt *st = NULL;
	int s, n = 0;

	if (db_prepare(db, &st, "SELECT keyer, surveyor, answers FROM paper_keying WHERE commune = ? "
				"AND group_id = ? AND serial = ? ORDER BY id LIMIT 2", err) < 0)
		return -1;
	db_bind_text(st, 1, commune);
	db_bind_text(st, 2, d->groups[g].id);
	sqlite3_bind_int64(st, 3, serial);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(names[n], ACCOUNT_NAME_MAX + 1, "%s", (const char *)sqlite3_column_text(st, 0));
		k[n].serial = serial;
		snprintf(k[n].surveyor, sizeof(k[n].surveyor), "%s",
			 (const char *)sqlite3_column_text(st, 1));
		if (keying_answers_read(db, (const char *)sqlite3_column_text(st, 2), d, g, &k[n],
					err) < 0) {
			sqlite3_finalize(st);
			return -1;
		}
		n++;
	}
	sqlite3_finalize(st);
	if (s != SQLITE_DONE)
		return db_fail(db, err, "reading keyings");
	if (n == 2)
		return 0;
	office_page_message(rp, 404, u, "Phiếu giấy", "Phiếu này chưa được nhập đủ hai lần.", NULL);
	return 1;
}

/* One form whose keyings differ: its answers side by side, a choice where they differ. */
static int page_review_form(sqlite3 *db, const struct def *d, size_t g, const char *commune,
			    long serial, const struct office_user *u, struct serve_reply *rp,
			    const char *say, struct perr *err)
{
	struct strbuf *sb = &rp->body;
	struct keying_form k[2] = { 0 };
	char names[2][ACCOUNT_NAME_MAX + 1], title[64];
	size_t *order = xcalloc(d->nquestions + 1, sizeof(*order)), n = keying_questions(d, g, order);
	int office = !strcmp(u->role, "office"), rc = -1, r;

	r = two_keyings(db, d, g, commune, serial, names, k, u, rp, err);
	if (r != 0) {
		rc = r < 0 ? -1 : 0;
		goto done;
	}
	snprintf(title, sizeof(title), "Đối chiếu phiếu số %ld", serial);
	strbuf_reset(sb);
	office_page_begin(sb, title, u, "/key/review");
	if (say) {
		strbuf_adds(sb, "<p class=\"error\">");
		h(sb, say);
		strbuf_adds(sb, "</p>\n");
	}
	strbuf_adds(sb, "<p>Xã ");
	h(sb, commune);
	strbuf_adds(sb, ", nhóm ");
	h(sb, d->groups[g].id);
	strbuf_addf(sb, ", phiếu số %ld. Những câu hai lần nhập khác nhau được tô màu: xem phiếu "
			"giấy rồi chọn câu trả lời đúng.</p>\n", serial);
	strbuf_adds(sb, "<form method=\"post\" action=\"/key/decide\">\n");
	office_csrf_field(sb, u);
	strbuf_adds(sb, "<input type=\"hidden\" name=\"commune\" value=\"");
	h(sb, commune);
	strbuf_adds(sb, "\" /><input type=\"hidden\" name=\"group\" value=\"");
	h(sb, d->groups[g].id);
	strbuf_addf(sb, "\" /><input type=\"hidden\" name=\"serial\" value=\"%ld\" />\n", serial);
	strbuf_adds(sb, "<div class=\"scroll\"><table id=\"sidebyside\"><thead><tr><th>Câu</th>"
			"<th>");
	h(sb, names[0]);
	strbuf_adds(sb, "</th><th>");
	h(sb, names[1]);
	strbuf_adds(sb, "</th><th>Theo phiếu giấy</th></tr></thead><tbody>\n");
	/* the surveyor's code */
	strbuf_addf(sb, "<tr%s><td>Mã ĐTV</td><td>", strcmp(k[0].surveyor, k[1].surveyor) ?
							  " class=\"differ\" data-differ=\"surveyor\"" : "");
	h(sb, k[0].surveyor);
	strbuf_adds(sb, "</td><td>");
	h(sb, k[1].surveyor);
	strbuf_adds(sb, "</td><td>");
	if (strcmp(k[0].surveyor, k[1].surveyor)) {
		strbuf_adds(sb, "<input type=\"text\" name=\"surveyor\" aria-label=\"Mã ĐTV theo phiếu "
				"giấy\" value=\"\" />");
	} else {
		h(sb, k[0].surveyor);
	}
	strbuf_adds(sb, "</td></tr>\n");
	for (size_t i = 0; i < n; i++) {
		const struct def_question *q = &d->questions[order[i]];
		const struct def_scale *sc = &d->scales[q->scale];
		const char *a = k[0].codes[order[i]], *b = k[1].codes[order[i]];
		int differ = strcmp(a, b) != 0;

		strbuf_addf(sb, "<tr%s><td>Câu %zu. ", differ ? " class=\"differ\" data-differ=\"q\"" : "",
			    i + 1);
		h(sb, q->text.vi);
		strbuf_adds(sb, "</td><td>");
		h(sb, a);
		strbuf_adds(sb, " ");
		h(sb, def_find_option(d, q, a)->label.vi);
		strbuf_adds(sb, "</td><td>");
		h(sb, b);
		strbuf_adds(sb, " ");
		h(sb, def_find_option(d, q, b)->label.vi);
		strbuf_adds(sb, "</td><td>");
		if (!differ) {
			h(sb, a);
		} else {
			for (size_t o = 0; o < sc->noptions; o++) {
				strbuf_addf(sb, "<label><input type=\"radio\" name=\"q%zu\" value=\"", i + 1);
				h(sb, sc->options[o].code);
				strbuf_adds(sb, "\" /> ");
				h(sb, sc->options[o].code);
				strbuf_adds(sb, " ");
				h(sb, sc->options[o].label.vi);
				strbuf_adds(sb, "</label> ");
			}
		}
		strbuf_adds(sb, "</td></tr>\n");
	}
	strbuf_adds(sb, "</tbody></table></div>\n");
	if (office)
		strbuf_adds(sb, "<p><button type=\"submit\">Lưu quyết định: phiếu được nhận theo các "
				"câu trả lời này</button></p>\n");
	strbuf_adds(sb, "</form>\n");
	office_page_end(sb);
	rc = 0;
done:
	keying_form_release(&k[0]);
	keying_form_release(&k[1]);
	free(order);
	return rc;
}

/* /key/decide: the office's choice where the keyings differ; where they agree, theirs. */
static int decide_post(struct serve_store *st, sqlite3 *db, const struct def *d, size_t g,
		       const char *commune, long serial, const struct serve_request *rq,
		       const struct office_user *u, struct serve_reply *rp, struct perr *err)
{
	struct keying_form k[2] = { 0 }, f = { 0 };
	char names[2][ACCOUNT_NAME_MAX + 1], say[400] = "";
	size_t *order = xcalloc(d->nquestions + 1, sizeof(*order)), n = keying_questions(d, g, order);
	struct serve_user user = { 0 };
	struct serve_answer ans = { 0 };
	int rc = -1, r;

	r = two_keyings(db, d, g, commune, serial, names, k, u, rp, err);
	if (r != 0) {
		rc = r < 0 ? -1 : 0;
		goto done;
	}
	f.serial = serial;
	f.codes = xcalloc(d->nquestions + 1, sizeof(*f.codes));
	if (strcmp(k[0].surveyor, k[1].surveyor)) {
		const char *v = office_field(rq, "surveyor");

		if (!v || !*v || strlen(v) > KEYING_SURVEYOR_MAX || text_has_control(v))
			snprintf(say, sizeof(say), "chưa nhập mã số điều tra viên theo phiếu giấy");
		else
			snprintf(f.surveyor, sizeof(f.surveyor), "%s", v);
	} else {
		snprintf(f.surveyor, sizeof(f.surveyor), "%s", k[0].surveyor);
	}
	for (size_t i = 0; i < n && !*say; i++) {
		const struct def_question *q = &d->questions[order[i]];
		const char *a = k[0].codes[order[i]];
		const struct def_option *op;
		char id[24];

		if (!strcmp(a, k[1].codes[order[i]])) {
			f.codes[order[i]] = a;
			continue;
		}
		snprintf(id, sizeof(id), "q%zu", i + 1);
		op = def_find_option(d, q, office_field(rq, id));
		if (!op)
			snprintf(say, sizeof(say), "câu %zu: chưa chọn câu trả lời theo phiếu giấy", i + 1);
		else
			f.codes[order[i]] = op->code;
	}
	if (*say) {
		rc = page_review_form(db, d, g, commune, serial, u, rp, say, err);
		if (rc == 0 && rp->status == 0)
			rp->status = 422;
		goto done;
	}
	if (!st) {
		office_page_message(rp, 503, u, "Phiếu giấy", "Máy chủ chưa nhận phiếu được lúc này; "
				    "thử lại sau.", NULL);
		rc = 0;
		goto done;
	}
	snprintf(user.name, sizeof(user.name), "%s", u->name);
	snprintf(user.role, sizeof(user.role), "%s", u->role);
	snprintf(user.address, sizeof(user.address), "%s", rq->address);
	r = keying_decide(db, st, &user, d, g, commune, &f, &ans, err);
	if (r < 0)
		goto done;
	if (r == 1)
		office_page_message(rp, 409, u, "Phiếu giấy", "Phiếu này không chờ đối chiếu (đã có "
				    "quyết định, hoặc hai lần nhập khớp nhau).", NULL);
	else if (r == 2)
		office_page_message(rp, 422, u, "Phiếu giấy", "Phiếu bị từ chối; không lưu gì.",
				    ans.message);
	else {
		rp->status = 303;
		snprintf(rp->location, sizeof(rp->location), "/key/review?decided=%ld", serial);
		strbuf_reset(&rp->body);
	}
	rc = 0;
done:
	keying_form_release(&k[0]);
	keying_form_release(&k[1]);
	keying_form_release(&f);
	free(order);
	return rc;
}

/* A page this user may not use: a POST refused (403, why), a GET sent to the one for them. */
static int elsewhere(const struct serve_request *rq, const struct office_user *u,
		     struct serve_reply *rp, const char *why, const char *to)
{
	if (!strcmp(rq->method, "POST")) {
		office_page_message(rp, 403, u, "Yêu cầu bị từ chối", why, NULL);
	} else {
		rp->status = 303;
		snprintf(rp->location, sizeof(rp->location), "%s", to);
	}
	return 0;
}

int serve_key_handle(struct serve_store *st, sqlite3 *db, const struct serve_request *rq,
		     const struct office_user *u, struct serve_reply *rp, struct perr *err)
{
	int post = !strcmp(rq->method, "POST"), keyer = !strcmp(u->role, "keyer"), rc = -1;
	const char *commune = office_field(rq, "commune");
	long serial = serial_of(rq, "serial");
	struct def d = { 0 };
	size_t g;
	char say[96];

	if (!strcmp(rq->path, "/key") && !keyer)
		return elsewhere(rq, u, rp, "Chỉ tài khoản nhập phiếu được nhập phiếu giấy.",
				 "/key/review");
	if (strcmp(rq->path, "/key") && strcmp(rq->path, "/key/review") &&
	    strcmp(rq->path, "/key/decide")) {
		office_page_message(rp, 404, u, "Không tìm thấy", "Không có trang này.", NULL);
		return 0;
	}
	if (keyer && strcmp(rq->path, "/key"))
		return elsewhere(rq, u, rp, "Tài khoản nhập phiếu chỉ được nhập phiếu giấy.", "/key");
	if (!strcmp(rq->path, "/key/decide") && (!post || strcmp(u->role, "office")))
		return elsewhere(rq, u, rp, "Chỉ văn phòng được quyết định phiếu giấy.",
				 "/key/review");
	if (!strcmp(rq->path, "/key/review") && post) {
		office_page_message(rp, 405, u, "Không được phép", "Trang này không nhận yêu cầu kiểu "
				    "này.", NULL);
		return 0;
	}
	if (store_active_definition(db, &d, err) < 0) {
		if (err->code == PERR_SYSTEM)
			return -1;
		office_page_message(rp, 200, u, "Phiếu giấy", "Cơ sở dữ liệu chưa có định nghĩa chỉ "
				    "số: chạy 'parindex init' trước.", err->msg);
		return 0;
	}
	if (keyer) {
		rc = page_keyer(st, db, &d, rq, u, rp, err);
		goto done;
	}
	g = group_index(&d, office_field(rq, "group"));
	if (!strcmp(rq->path, "/key/decide")) {
		if (!commune || g == SIZE_MAX || !serial)
			office_page_message(rp, 422, u, "Phiếu giấy", "Thiếu xã, nhóm hoặc số phiếu; "
					    "không lưu gì.", NULL);
		else {
			rc = decide_post(st, db, &d, g, commune, serial, rq, u, rp, err);
			goto done;
		}
		rc = 0;
		goto done;
	}
	if (commune && g != SIZE_MAX && serial) {
		rc = page_review_form(db, &d, g, commune, serial, u, rp, NULL, err);
		goto done;
	}
	serial = serial_of(rq, "decided");
	if (serial)
		snprintf(say, sizeof(say), "Đã lưu quyết định cho phiếu số %ld: phiếu đã được nhận.",
			 serial);
	rc = page_review_list(db, u, serial ? say : NULL, rp, err);
done:
	def_release(&d);
	return rc;
}
