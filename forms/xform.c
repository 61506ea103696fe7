/* Building one respondent group's XForm (ODK XForms 1.0): the title, the Vietnamese (default)
   and English itext translations, the flat primary instance, its binds and the body. */
#include "forms.h"
#include "text.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LANG_VI "Vietnamese (vi)"
#define LANG_EN "English (en)"

/* The fixed fields every form carries, in both languages. */
static const struct def_text commune_label = {
	"Xã, phường, thị trấn được khảo sát", "Commune surveyed",
};
static const struct def_text surveyor_label = {
	"Mã số điều tra viên", "Surveyor code",
};
static const struct def_text comment_label = {
	"Ông/bà có ý kiến, kiến nghị gì khác về công tác cải cách hành chính của xã không?",
	"Any other comments or suggestions about the commune's administrative reform?",
};

char *form_id(const struct def *d, size_t g)
{
	return xasprintf("%s-%s", d->id, d->groups[g].id);
}

size_t form_communes(const struct def *d, const struct commune_list *l,
		     const struct commune ***out)
{
	size_t n = 0;

	*out = xcalloc(l->n + 1, sizeof(**out));
	for (size_t i = 0; i < l->n; i++)
		if (!d->district_code || !strcmp(l->v[i].district_code, d->district_code))
			(*out)[n++] = &l->v[i];
	return n;
}

static int asks(const struct def_question *q, size_t g)
{
	return (q->groups >> g) & 1u;
}

/* "<text id="ID"><value>TEXT</value></text>" */
static void itext(struct strbuf *sb, const char *id, const char *text)
{
	strbuf_adds(sb, "          <text id=\"");
	strbuf_add_xml(sb, id);
	strbuf_adds(sb, "\"><value>");
	strbuf_add_xml(sb, text);
	strbuf_adds(sb, "</value></text>\n");
}

static void translation(struct strbuf *sb, const struct def *d, size_t g,
			const struct commune *const *cv, size_t nc, const char *lang)
{
	char id[256];

	strbuf_addf(sb, "        <translation lang=\"%s\"%s>\n",
		    !strcmp(lang, "vi") ? LANG_VI : LANG_EN,
		    !strcmp(lang, "vi") ? " default=\"true()\"" : "");
	itext(sb, "/" FORM_ROOT "/commune:label", def_text_get(&commune_label, lang));
	for (size_t i = 0; i < nc; i++) {
		char *label = xasprintf("%s (%s)", cv[i]->name, cv[i]->code);

		snprintf(id, sizeof(id), "/%s/commune/%s:label", FORM_ROOT, cv[i]->code);
		itext(sb, id, label);
		free(label);
	}
	itext(sb, "/" FORM_ROOT "/surveyor:label", def_text_get(&surveyor_label, lang));
	for (size_t i = 0; i < d->nquestions; i++) {
		const struct def_question *q = &d->questions[i];
		const struct def_scale *sc = &d->scales[q->scale];

		if (!asks(q, g))
			continue;
		snprintf(id, sizeof(id), "/%s/%s:label", FORM_ROOT, q->id);
		itext(sb, id, def_text_get(&q->text, lang));
		for (size_t k = 0; k < sc->noptions; k++) {
			snprintf(id, sizeof(id), "/%s/%s/%s:label", FORM_ROOT, q->id,
				 sc->options[k].code);
			itext(sb, id, def_text_get(&sc->options[k].label, lang));
		}
	}
	itext(sb, "/" FORM_ROOT "/comment:label", def_text_get(&comment_label, lang));
	strbuf_adds(sb, "        </translation>\n");
}

static void bind(struct strbuf *sb, const char *name, const char *rest)
{
	strbuf_addf(sb, "      <bind nodeset=\"/%s/%s\" %s/>\n", FORM_ROOT, name, rest);
}

static void select1(struct strbuf *sb, const char *name, const char *const *codes, size_t n)
{
	strbuf_addf(sb, "    <select1 ref=\"/%s/%s\">\n", FORM_ROOT, name);
	strbuf_addf(sb, "      <label ref=\"jr:itext('/%s/%s:label')\"/>\n", FORM_ROOT, name);
	for (size_t k = 0; k < n; k++) {
		strbuf_addf(sb, "      <item>\n        <label ref=\"jr:itext('/%s/%s/", FORM_ROOT,
			    name);
		strbuf_add_xml(sb, codes[k]);
		strbuf_adds(sb, ":label')\"/>\n        <value>");
		strbuf_add_xml(sb, codes[k]);
		strbuf_adds(sb, "</value>\n      </item>\n");
	}
	strbuf_adds(sb, "    </select1>\n");
}

void form_build(struct form *f, const struct def *d, size_t g, const struct commune_list *l)
{
	const struct def_group *gr = &d->groups[g];
	const struct commune **cv;
	size_t nc = form_communes(d, l, &cv);
	struct strbuf *sb = &f->xml;
	const char **codes;

	memset(f, 0, sizeof(*f));
	f->group = g;
	f->id = form_id(d, g);
	f->version = xstrdup(d->version);
	f->title = xasprintf("Phiếu khảo sát Chỉ số CCHC năm %d – %s: %s", d->year, gr->id,
			     gr->name.vi);
	f->file = xasprintf("%s.xml", f->id);

	strbuf_adds(sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			"<h:html xmlns=\"http://www.w3.org/2002/xforms\""
			" xmlns:h=\"http://www.w3.org/1999/xhtml\""
			" xmlns:jr=\"http://openrosa.org/javarosa\""
			" xmlns:odk=\"http://www.opendatakit.org/xforms\""
			" xmlns:orx=\"http://openrosa.org/xforms\">\n"
			"  <h:head>\n    <h:title>");
	strbuf_add_xml(sb, f->title);
	strbuf_adds(sb, "</h:title>\n    <model odk:xforms-version=\"1.0.0\">\n      <itext>\n");
	translation(sb, d, g, cv, nc, "vi");
	translation(sb, d, g, cv, nc, "en");
	strbuf_adds(sb, "      </itext>\n      <instance>\n        <" FORM_ROOT " id=\"");
	strbuf_add_xml(sb, f->id);
	strbuf_adds(sb, "\" version=\"");
	strbuf_add_xml(sb, f->version);
	strbuf_adds(sb, "\">\n");
	for (const char *const *n = (const char *[]){ "start", "end", "deviceid", "commune",
						      "surveyor", NULL };
	     *n; n++)
		strbuf_addf(sb, "          <%s/>\n", *n);
	for (size_t i = 0; i < d->nquestions; i++)
		if (asks(&d->questions[i], g))
			strbuf_addf(sb, "          <%s/>\n", d->questions[i].id);
	strbuf_adds(sb, "          <comment/>\n          <meta>\n            <instanceID/>\n"
			"            <instanceName/>\n          </meta>\n        </" FORM_ROOT
			">\n      </instance>\n");

	bind(sb, "start", "type=\"dateTime\" jr:preload=\"timestamp\" jr:preloadParams=\"start\"");
	bind(sb, "end", "type=\"dateTime\" jr:preload=\"timestamp\" jr:preloadParams=\"end\"");
	bind(sb, "deviceid", "type=\"string\" jr:preload=\"property\" jr:preloadParams=\"deviceid\"");
	bind(sb, "commune", "type=\"string\" required=\"true()\"");
	bind(sb, "surveyor", "type=\"string\" required=\"true()\"");
	for (size_t i = 0; i < d->nquestions; i++)
		if (asks(&d->questions[i], g))
			bind(sb, d->questions[i].id, "type=\"string\" required=\"true()\"");
	bind(sb, "comment", "type=\"string\"");
	bind(sb, "meta/instanceID", "type=\"string\" readonly=\"true()\" jr:preload=\"uid\"");
	strbuf_addf(sb, "      <bind nodeset=\"/%s/meta/instanceName\" type=\"string\" "
			"calculate=\"concat(/%s/commune, '-%s')\"/>\n",
		    FORM_ROOT, FORM_ROOT, gr->id);
	strbuf_adds(sb, "    </model>\n  </h:head>\n  <h:body>\n");

	codes = xcalloc(nc + 1, sizeof(*codes));
	for (size_t i = 0; i < nc; i++)
		codes[i] = cv[i]->code;
	select1(sb, "commune", codes, nc);
	free(codes);
	strbuf_addf(sb, "    <input ref=\"/%s/surveyor\">\n"
			"      <label ref=\"jr:itext('/%s/surveyor:label')\"/>\n    </input>\n",
		    FORM_ROOT, FORM_ROOT);
	for (size_t i = 0; i < d->nquestions; i++) {
		const struct def_question *q = &d->questions[i];
		const struct def_scale *sc = &d->scales[q->scale];

		if (!asks(q, g))
			continue;
		codes = xcalloc(sc->noptions + 1, sizeof(*codes));
		for (size_t k = 0; k < sc->noptions; k++)
			codes[k] = sc->options[k].code;
		select1(sb, q->id, codes, sc->noptions);
		free(codes);
	}
	strbuf_addf(sb, "    <input ref=\"/%s/comment\" appearance=\"multiline\">\n"
			"      <label ref=\"jr:itext('/%s/comment:label')\"/>\n    </input>\n",
		    FORM_ROOT, FORM_ROOT);
	strbuf_adds(sb, "  </h:body>\n</h:html>\n");
	free(cv);

	text_sha256_hex(sb->buf, sb->len, f->sha256);
	text_md5_hex(sb->buf, sb->len, f->md5);
}

/* ---- encrypted forms ---- */

int form_public_key(const char *path, struct strbuf *out, struct perr *err)
{
	FILE *f = fopen(path, "rb");
	EVP_PKEY *k;
	unsigned char *der = NULL;
	int n;

	if (!f) {
		perr_set(err, PERR_SYSTEM, path, "cannot open the public key: %s", strerror(errno));
		return -1;
	}
	k = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	ERR_clear_error();
	if (!k || EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA || EVP_PKEY_get_bits(k) < 2048) {
		EVP_PKEY_free(k);
		perr_set(err, PERR_USAGE, path,
			 "not an RSA public key of 2048 bits or more in PEM (openssl rsa -pubout)");
		return -1;
	}
	n = i2d_PUBKEY(k, &der);
	EVP_PKEY_free(k);
	if (n <= 0) {
		perr_set(err, PERR_SYSTEM, path, "cannot encode the public key");
		return -1;
	}
	strbuf_reset(out);
	strbuf_grow(out, (size_t)n / 3 * 4 + 8);
	out->len = (size_t)EVP_EncodeBlock((unsigned char *)out->buf, der, n);
	out->buf[out->len] = '\0';
	OPENSSL_free(der);
	return 0;
}

void form_encrypt(struct form *f, const char *base64_key)
{
	static const char model_end[] = "    </model>\n";
	const char *at = strstr(f->xml.buf, model_end);
	size_t pos = (size_t)(at - f->xml.buf);
	struct strbuf sb = STRBUF_INIT;

	strbuf_add(&sb, f->xml.buf, pos);
	strbuf_addf(&sb, "      <submission base64RsaPublicKey=\"%s\"/>\n", base64_key);
	strbuf_add(&sb, f->xml.buf + pos, f->xml.len - pos);
	strbuf_release(&f->xml);
	f->xml = sb;
	text_sha256_hex(f->xml.buf, f->xml.len, f->sha256);
	text_md5_hex(f->xml.buf, f->xml.len, f->md5);
}

void form_release(struct form *f)
{
	free(f->id);
	free(f->version);
	free(f->title);
	free(f->file);
	strbuf_release(&f->xml);
	memset(f, 0, sizeof(*f));
}
