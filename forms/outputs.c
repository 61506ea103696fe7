/* What is generated beside the XForms: the OpenRosa form list, the printable A4 questionnaires
   and the codebook an analyst needs to read raw submissions without parindex. */
#include "forms.h"
#include "csvout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int asks(const struct def_question *q, size_t g)
{
	return (q->groups >> g) & 1u;
}

void form_list(struct strbuf *out, const struct form *fs, size_t n, const char *base_url)
{
	size_t bl = base_url ? strlen(base_url) : 0;

	strbuf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			 "<xforms xmlns=\"http://openrosa.org/xforms/xformsList\">\n");
	for (size_t i = 0; i < n; i++) {
		strbuf_adds(out, "  <xform>\n    <formID>");
		strbuf_add_xml(out, fs[i].id);
		strbuf_adds(out, "</formID>\n    <name>");
		strbuf_add_xml(out, fs[i].title);
		strbuf_adds(out, "</name>\n    <version>");
		strbuf_add_xml(out, fs[i].version);
		strbuf_addf(out, "</version>\n    <hash>md5:%s</hash>\n    <downloadUrl>", fs[i].md5);
		if (base_url) {
			strbuf_add_xml(out, base_url);
			if (bl && base_url[bl - 1] != '/')
				strbuf_addc(out, '/');
		}
		strbuf_add_xml(out, fs[i].file);
		strbuf_adds(out, "</downloadUrl>\n  </xform>\n");
	}
	strbuf_adds(out, "</xforms>\n");
}

/* ---- printable form ---- */

static const char html_style[] =
	"@page { size: A4; margin: 15mm 15mm 18mm 18mm; }\n"
	"* { box-sizing: border-box; }\n"
	"body { font-family: \"DejaVu Serif\", \"Times New Roman\", serif; font-size: 11pt;"
	" line-height: 1.35; color: #000; background: #fff; margin: 0; }\n"
	"@media screen { body { max-width: 177mm; margin: 10mm auto; } }\n"
	".top { display: flex; justify-content: space-between; font-size: 10pt; }\n"
	"h1 { font-size: 14pt; text-align: center; margin: 6mm 0 1mm; }\n"
	"p.sub { text-align: center; font-weight: bold; margin: 0 0 1mm; }\n"
	"p.group { text-align: center; font-style: italic; margin: 0 0 4mm; }\n"
	"table.head { width: 100%; border-collapse: collapse; margin: 0 0 4mm; }\n"
	"table.head td { border: 0.3mm solid #000; padding: 2mm; height: 11mm; vertical-align: top;"
	" width: 33%; }\n"
	".instructions { border: 0.3mm dashed #000; padding: 2mm 3mm; margin: 0 0 4mm;"
	" font-size: 10pt; }\n"
	"h2 { font-size: 12pt; margin: 4mm 0 2mm; break-after: avoid; page-break-after: avoid; }\n"
	".q { margin: 0 0 3mm; break-inside: avoid; page-break-inside: avoid; }\n"
	".q p { margin: 0; }\n"
	"ul.opts { list-style: none; margin: 1mm 0 0; padding: 0 0 0 6mm; }\n"
	"ul.opts li { display: inline-block; margin: 0 7mm 1mm 0; max-width: 100%; }\n"
	".box { display: inline-block; width: 4mm; height: 4mm; border: 0.3mm solid #000;"
	" vertical-align: -0.6mm; margin-right: 1.5mm; }\n"
	".code { font-size: 7pt; color: #444; vertical-align: super; margin-left: 0.5mm; }\n"
	".comment { border: 0.3mm solid #000; height: 35mm; margin: 1mm 0 0; }\n"
	".end { text-align: center; font-style: italic; margin: 6mm 0 0; }\n"
	".formid { font-size: 8pt; color: #444; margin: 4mm 0 0; text-align: right; }\n"
	".serial { border: 0.6mm solid #000; padding: 1.5mm 3mm; margin: 0 0 4mm; font-size: 10pt; }\n"
	".digit { display: inline-block; width: 5mm; height: 6mm; border: 0.3mm solid #000;"
	" vertical-align: middle; margin-left: -0.3mm; }\n"
	".serial b.g { font-size: 12pt; margin: 0 2mm; }\n";

/* The serial number box that paper keying starts from: commune code, the group (printed) and
   the form's number, which whoever hands the forms out writes, counting from 1 per commune
   and group (see README, "Paper forms"). */
static void serial_box(struct strbuf *out, const struct def_group *gr)
{
	strbuf_adds(out, "<div class=\"serial\"><b>SỐ PHIẾU</b> (do bưu điện hoặc văn phòng ghi "
			 "khi phát phiếu) &#8212; mã xã ");
	for (int i = 0; i < 5; i++)
		strbuf_adds(out, "<span class=\"digit\"></span>");
	strbuf_adds(out, " nhóm<b class=\"g\">");
	strbuf_add_xml(out, gr->id);
	strbuf_adds(out, "</b> số thứ tự ");
	for (int i = 0; i < 5; i++)
		strbuf_adds(out, "<span class=\"digit\"></span>");
	strbuf_adds(out, "</div>\n");
}

static void html_question(struct strbuf *out, const struct def *d, const struct def_question *q,
			  int number)
{
	const struct def_scale *sc = &d->scales[q->scale];

	strbuf_addf(out, "<div class=\"q\" id=\"%s\">\n<p><b>Câu %d.</b> ", q->id, number);
	strbuf_add_xml(out, q->text.vi);
	strbuf_adds(out, "</p>\n<ul class=\"opts\">\n");
	for (size_t k = 0; k < sc->noptions; k++) {
		strbuf_adds(out, "<li><span class=\"box\"></span>");
		strbuf_add_xml(out, sc->options[k].label.vi);
		strbuf_adds(out, "<span class=\"code\">");
		strbuf_add_xml(out, sc->options[k].code);
		strbuf_adds(out, "</span></li>\n");
	}
	strbuf_adds(out, "</ul>\n</div>\n");
}

/* "If you do not know, choose «Không biết»": named after the group's excluded options. */
static void excluded_hint(struct strbuf *out, const struct def *d, size_t g)
{
	const char *seen[16];
	size_t n = 0;

	for (size_t i = 0; i < d->nquestions; i++) {
		const struct def_scale *sc = &d->scales[d->questions[i].scale];

		if (!asks(&d->questions[i], g))
			continue;
		for (size_t k = 0; k < sc->noptions; k++) {
			const char *label = sc->options[k].label.vi;
			size_t j = 0;

			if (!sc->options[k].excluded)
				continue;
			while (j < n && strcmp(seen[j], label))
				j++;
			if (j == n && n < sizeof(seen) / sizeof(seen[0]))
				seen[n++] = label;
		}
	}
	if (!n)
		return;
	strbuf_adds(out, "Nếu không có ý kiến, xin chọn ");
	for (size_t j = 0; j < n; j++) {
		strbuf_adds(out, j == 0 ? "«" : j + 1 < n ? ", «" : " hoặc «");
		strbuf_add_xml(out, seen[j]);
		strbuf_adds(out, "»");
	}
	strbuf_adds(out, ". ");
}

void form_html(struct strbuf *out, const struct def *d, size_t g)
{
	const struct def_group *gr = &d->groups[g];
	char *id = form_id(d, g);
	int number = 0, any_profile = 0;

	strbuf_adds(out, "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n"
			 "<title>Phiếu khảo sát – ");
	strbuf_add_xml(out, gr->id);
	strbuf_adds(out, ": ");
	strbuf_add_xml(out, gr->name.vi);
	strbuf_adds(out, "</title>\n<style>\n");
	strbuf_adds(out, html_style);
	strbuf_adds(out, "</style>\n</head>\n<body>\n<div class=\"top\"><span>");
	strbuf_add_xml(out, d->province);
	if (d->district) { /* a province's form names the province alone */
		strbuf_adds(out, " – ");
		strbuf_add_xml(out, d->district);
	}
	strbuf_adds(out, "</span><span>Mẫu phiếu ");
	strbuf_add_xml(out, gr->id);
	strbuf_adds(out, "</span></div>\n<h1>PHIẾU KHẢO SÁT XÃ HỘI HỌC</h1>\n<p class=\"sub\">");
	strbuf_add_xml(out, d->title.vi);
	strbuf_adds(out, "</p>\n<p class=\"group\">Dành cho nhóm đối tượng: ");
	strbuf_add_xml(out, gr->name.vi);
	strbuf_adds(out, "</p>\n"
			 "<table class=\"head\"><tr>\n"
			 "<td>Xã, phường, thị trấn (tên và mã):</td>\n"
			 "<td>Mã số điều tra viên:</td>\n"
			 "<td>Ngày khảo sát (ngày/tháng/năm):</td>\n"
			 "</tr></table>\n");
	serial_box(out, gr);
	strbuf_adds(out, "<div class=\"instructions\"><b>Hướng dẫn trả lời phiếu.</b> "
			 "Với mỗi câu hỏi, ông/bà đánh dấu X vào <b>một</b> ô vuông "
			 "(<span class=\"box\"></span>) ứng với câu trả lời phù hợp nhất; "
			 "mỗi câu chỉ chọn một phương án và trả lời tất cả các câu. ");
	excluded_hint(out, d, g);
	strbuf_adds(out, "Phiếu không ghi tên người trả lời; thông tin chỉ dùng để đánh giá "
			 "Chỉ số cải cách hành chính của xã.</div>\n");
	for (size_t i = 0; i < d->nquestions; i++)
		if (d->questions[i].is_profile && asks(&d->questions[i], g))
			any_profile = 1;
	if (any_profile) {
		strbuf_adds(out, "<h2>I. THÔNG TIN VỀ NGƯỜI TRẢ LỜI PHIẾU</h2>\n");
		for (size_t i = 0; i < d->nquestions; i++)
			if (d->questions[i].is_profile && asks(&d->questions[i], g))
				html_question(out, d, &d->questions[i], ++number);
	}
	strbuf_addf(out, "<h2>%s. ĐÁNH GIÁ VỀ CÔNG TÁC CẢI CÁCH HÀNH CHÍNH CỦA XÃ</h2>\n",
		    any_profile ? "II" : "I");
	for (size_t i = 0; i < d->nquestions; i++)
		if (!d->questions[i].is_profile && asks(&d->questions[i], g))
			html_question(out, d, &d->questions[i], ++number);
	strbuf_addf(out, "<h2>%s. Ý KIẾN KHÁC</h2>\n<div class=\"q\" id=\"comment\">\n"
			 "<p><b>Câu %d.</b> Ông/bà có ý kiến, kiến nghị gì khác về công tác cải "
			 "cách hành chính của xã không?</p>\n<div class=\"comment\"></div>\n</div>\n",
		    any_profile ? "III" : "II", ++number);
	strbuf_adds(out, "<p class=\"end\">Xin trân trọng cảm ơn sự hợp tác của ông/bà!</p>\n"
			 "<p class=\"formid\">Mẫu phiếu ");
	strbuf_add_xml(out, id);
	strbuf_adds(out, ", phiên bản ");
	strbuf_add_xml(out, d->version);
	strbuf_adds(out, "</p>\n</body>\n</html>\n");
	free(id);
}

/* ---- codebook ---- */

struct row {
	const char *path, *question, *kind, *criterion, *required, *text_vi, *text_en;
};

static void codebook_row(struct strbuf *out, const struct form *f, const char *group,
			 const struct row *r, const char *code, const char *label_vi,
			 const char *label_en, const char *weight, const char *excluded)
{
	const char *v[] = { f->id,	  f->version, group,	r->path,  r->question,
			    r->kind,	  r->criterion, r->required, r->text_vi, r->text_en,
			    code,	  label_vi,	label_en, weight,   excluded };
	size_t n = sizeof(v) / sizeof(v[0]);

	for (size_t i = 0; i < n; i++) {
		if (i == n - 2) /* the weight: a number */
			csvout_add_number(out, v[i]);
		else
			csvout_add_text(out, v[i], 0);
		strbuf_addc(out, i + 1 == n ? '\n' : ',');
	}
}

static void codebook_plain(struct strbuf *out, const struct form *f, const char *group,
			   const struct row *r)
{
	codebook_row(out, f, group, r, "", "", "", "", "");
}

void form_codebook(struct strbuf *out, const struct def *d, const struct form *fs, size_t n,
		   const struct commune_list *l)
{
	const struct commune **cv;
	size_t nc = form_communes(d, l, &cv);

	/* a UTF-8 byte-order mark, so that spreadsheet programs read the Vietnamese right */
	strbuf_adds(out, "\xEF\xBB\xBF"
			 "form_id,form_version,group_id,field_path,question_id,kind,criterion_id,"
			 "required,text_vi,text_en,option_code,option_vi,option_en,weight,excluded\n");
	for (size_t i = 0; i < n; i++) {
		const struct form *f = &fs[i];
		const char *group = d->groups[f->group].id;
		struct row r;

		r = (struct row){ "/" FORM_ROOT "/start", "", "metadata", "", "no",
				  "Thời điểm bắt đầu phỏng vấn", "Interview start time" };
		codebook_plain(out, f, group, &r);
		r = (struct row){ "/" FORM_ROOT "/end", "", "metadata", "", "no",
				  "Thời điểm kết thúc phỏng vấn", "Interview end time" };
		codebook_plain(out, f, group, &r);
		r = (struct row){ "/" FORM_ROOT "/deviceid", "", "metadata", "", "no",
				  "Mã thiết bị", "Device id" };
		codebook_plain(out, f, group, &r);
		r = (struct row){ "/" FORM_ROOT "/commune", "", "commune", "", "yes",
				  "Xã, phường, thị trấn được khảo sát", "Commune surveyed" };
		for (size_t k = 0; k < nc; k++) {
			char *label = xasprintf("%s (%s)", cv[k]->name, cv[k]->code);

			codebook_row(out, f, group, &r, cv[k]->code, label, label, "", "");
			free(label);
		}
		r = (struct row){ "/" FORM_ROOT "/surveyor", "", "surveyor", "", "yes",
				  "Mã số điều tra viên", "Surveyor code" };
		codebook_plain(out, f, group, &r);
		for (size_t k = 0; k < d->nquestions; k++) {
			const struct def_question *q = &d->questions[k];
			const struct def_scale *sc = &d->scales[q->scale];
			char path[64];

			if (!asks(q, f->group))
				continue;
			snprintf(path, sizeof(path), "/%s/%s", FORM_ROOT, q->id);
			r = (struct row){ path, q->id, q->is_profile ? "profile" : "scored",
					  q->is_profile ? "" : d->criteria[q->criterion].id, "yes",
					  q->text.vi, q->text.en };
			for (size_t o = 0; o < sc->noptions; o++) {
				const struct def_option *op = &sc->options[o];
				char weight[32] = "";

				if (op->has_weight)
					snprintf(weight, sizeof(weight), "%g", op->weight);
				codebook_row(out, f, group, &r, op->code, op->label.vi, op->label.en,
					     weight, op->excluded ? "yes" : "no");
			}
		}
		r = (struct row){ "/" FORM_ROOT "/comment", "", "comment", "", "no",
				  "Ý kiến, kiến nghị khác", "Other comments" };
		codebook_plain(out, f, group, &r);
		r = (struct row){ "/" FORM_ROOT "/meta/instanceID", "", "metadata", "", "no",
				  "Mã định danh phiếu (uuid)", "Submission id (uuid)" };
		codebook_plain(out, f, group, &r);
		r = (struct row){ "/" FORM_ROOT "/meta/instanceName", "", "metadata", "", "no",
				  "Tên phiếu: mã xã và nhóm đối tượng", "Name: commune code and group" };
		codebook_plain(out, f, group, &r);
	}
	free(cv);
}
