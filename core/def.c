/* Loading and checking an index definition: schema first (RELAX NG, compiled in), then the
   meaning: ids, point totals, question links, weights, tiers, quotas. Every problem is
   reported with its line, not just the first. */
#include "def.h"
#include "embedded.h"
#include "strbuf.h"
#include "text.h"
#include "xml.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <libxml/relaxng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EPS 1e-9

/* Loading context: the definition being filled, where messages go, and array capacities. */
struct loader {
	struct def *d;
	struct diag *diag;
	const char *name;
	size_t a_fields, a_criteria, a_subs, a_groups, a_scales, a_questions, a_tiers;
	size_t a_types, a_rankings, a_adjustments;
	int errors;
	/* messages, schema and meaning mixed, given out sorted by line at the end */
	struct message {
		long line;
		size_t seq;
		int warning;
		char *text;
	} *msgs;
	size_t nmsgs, a_msgs;
	/* libxml2's schema errors, before they are put in the schema's words */
	struct schema_error {
		xmlNode *node;
		long line;
		char *text;
	} *serr;
	size_t nserr, a_serr;
};

static void add_message(struct loader *L, long line, int warning, const char *fmt, va_list ap)
{
	char msg[900];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	xgrow(&L->msgs, &L->a_msgs, L->nmsgs + 1, sizeof(*L->msgs));
	L->msgs[L->nmsgs] = (struct message){ line, L->nmsgs, warning, xstrdup(msg) };
	L->nmsgs++;
	if (!warning)
		L->errors++;
}

static void flag(struct loader *L, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void warn(struct loader *L, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void flag(struct loader *L, long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_message(L, line, 0, fmt, ap);
	va_end(ap);
}

static void warn(struct loader *L, long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_message(L, line, 1, fmt, ap);
	va_end(ap);
}

static int by_line(const void *a, const void *b)
{
	const struct message *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Errors and warnings sorted by line into diag; on success the warnings go to d->warnings. */
static void give_out_messages(struct loader *L)
{
	if (L->nmsgs)
		qsort(L->msgs, L->nmsgs, sizeof(*L->msgs), by_line);
	for (size_t i = 0; i < L->nmsgs; i++) {
		struct message *m = &L->msgs[i];

		diag_add(L->errors ? L->diag : &L->d->warnings, L->name, m->line, "%s%s",
			 m->warning ? "warning: " : "", m->text);
		free(m->text);
	}
	free(L->msgs);
	for (size_t i = 0; i < L->nserr; i++)
		free(L->serr[i].text);
	free(L->serr);
}

/* Marks (in xmlNode._private) of elements the schema refused: their values are not trusted by
   the meaning checks. */
static char schema_bad, schema_named;

static int bad(const xmlNode *n)
{
	return n && (n->_private == &schema_bad || n->_private == &schema_named);
}

const char *def_text_get(const struct def_text *t, const char *lang)
{
	return !strcmp(lang, "en") ? t->en : t->vi;
}

/* Read the vi/en texts held by the children of `parent` named `child`. */
static void read_text(struct loader *L, xmlNode *parent, const char *child, struct def_text *t,
		      const char *what)
{
	int refused = 0;

	for (xmlNode *n = xml_first(parent, child); n; n = xml_next(n, child)) {
		const char *lang = xml_attr(n, "lang");
		char **slot = lang && !strcmp(lang, "en") ? &t->en : &t->vi;
		char *s;

		/* the schema said what is wrong with it */
		if (bad(n)) {
			refused = 1;
			continue;
		}
		s = xml_text(n);
		if (*slot) {
			flag(L, xml_line(n), "%s: second %s text in language '%s'", what, child, lang);
			free(s);
			continue;
		}
		if (!text_is_nfc(s))
			flag(L, xml_line(n), "%s: %s text is not in Unicode NFC form", what, child);
		*slot = s;
	}
	if (!t->vi && !refused)
		flag(L, xml_line(parent), "%s: no Vietnamese (lang=\"vi\") %s", what, child);
	if (!t->en && !refused)
		flag(L, xml_line(parent), "%s: no English (lang=\"en\") %s", what, child);
	if (!t->vi)
		t->vi = xstrdup("");
	if (!t->en)
		t->en = xstrdup("");
}

/* A number the schema vouched for; NAN when it refused the element, so that no meaning check
   builds on it (comparisons with NAN are false). */
static double num_attr(const xmlNode *n, const char *name)
{
	const char *v = n ? xml_attr(n, name) : NULL;

	if (bad(n) || !v)
		return NAN;
	return strtod(v, NULL);
}

static int int_attr(const xmlNode *n, const char *name)
{
	double v = num_attr(n, name);

	return isnan(v) || v < 0 || v > 1e9 ? -1 : (int)v;
}

static char *str_attr(const xmlNode *n, const char *name)
{
	const char *v = n ? xml_attr(n, name) : NULL;
	return xstrdup(v ? v : "");
}

/* Is the attribute equal to s (a missing one is not)? */
static int attr_is(const xmlNode *n, const char *name, const char *s)
{
	const char *v = n ? xml_attr(n, name) : NULL;
	return v && !strcmp(v, s);
}

static void quiet(void *ctx, xmlErrorPtr e)
{
}

/* ---- schema errors in the schema's own words ----
   libxml2's RELAX NG messages name an element, not the attribute at fault ("Element criterion
   failed to validate attributes"). For an element with such an error each attribute is checked
   on its own against its pattern in the schema, and the message names the attribute and what
   it may hold. */

static xmlDoc *schema_doc(void)
{
	static xmlDoc *doc;

	if (!doc)
		doc = xmlReadMemory(embedded_definition_rng, (int)strlen(embedded_definition_rng),
				    "definition.rng", NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
	return doc;
}

static xmlNode *rng_define(const char *name)
{
	xmlNode *g = xmlDocGetRootElement(schema_doc());

	for (xmlNode *n = xml_first(g, "define"); n && name; n = xml_next(n, "define"))
		if (!strcmp(xml_attr(n, "name"), name))
			return n;
	return NULL;
}

static xmlNode *rng_element(xmlNode *from, const char *name)
{
	for (xmlNode *n = from->children; n; n = n->next) {
		xmlNode *found;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (xml_is(n, "element") && xml_attr(n, "name") && !strcmp(xml_attr(n, "name"), name))
			return n;
		if ((found = rng_element(n, name)))
			return found;
	}
	return NULL;
}

struct rng_attr {
	const char *name;
	xmlNode *decl;
	int optional;
};

#define RNG_MAX_ATTRS 16

/* The attributes an element pattern declares, following refs, not entering child elements. */
static void rng_attrs(xmlNode *pat, int optional, struct rng_attr *v, size_t *n, int depth)
{
	for (xmlNode *c = pat->children; c && depth < 8; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || xml_is(c, "element"))
			continue;
		if (xml_is(c, "attribute")) {
			if (*n < RNG_MAX_ATTRS && xml_attr(c, "name"))
				v[(*n)++] = (struct rng_attr){ xml_attr(c, "name"), c, optional };
		} else if (xml_is(c, "ref")) {
			xmlNode *d = rng_define(xml_attr(c, "name"));

			if (d)
				rng_attrs(d, optional, v, n, depth + 1);
		} else {
			rng_attrs(c, optional || xml_is(c, "optional") || xml_is(c, "zeroOrMore") ||
					     xml_is(c, "choice"),
				  v, n, depth + 1);
		}
	}
}

/* The pattern an attribute's value must match, refs resolved (the schema's defines of values
   hold no further ref). */
static xmlNode *rng_value_pattern(xmlNode *decl)
{
	xmlNode *p = decl->children;

	while (p && p->type != XML_ELEMENT_NODE)
		p = p->next;
	if (xml_is(p, "ref") && rng_define(xml_attr(p, "name"))) {
		p = rng_define(xml_attr(p, "name"))->children;
		while (p && p->type != XML_ELEMENT_NODE)
			p = p->next;
	}
	return p;
}

/* What a value pattern allows, in words. */
static void rng_describe(xmlNode *p, struct strbuf *sb)
{
	static const struct {
		const char *type, *words;
	} types[] = {
		{ "decimal", "a decimal number written with a point" },
		{ "integer", "a whole number" },
		{ "positiveInteger", "a whole number above 0" },
		{ "nonNegativeInteger", "a whole number, 0 or more" },
		{ "NCName", "a name (letters, digits, '.', '-', '_'; a letter or '_' first)" },
		{ "boolean", "true or false" },
		{ "token", "text" },
		{ "string", "text" },
	};
	const char *type, *lo = NULL, *hi = NULL, *frac = NULL, *pattern = NULL, *maxlen = NULL,
		   *minlen = NULL;
	size_t i;

	if (xml_is(p, "choice")) {
		const char *sep = "one of ";

		for (xmlNode *v = xml_first(p, "value"); v; v = xml_next(v, "value")) {
			char *t = xml_text(v);

			strbuf_addf(sb, "%s%s", sep, t);
			free(t);
			sep = ", ";
		}
		return;
	}
	if (xml_is(p, "list")) {
		strbuf_adds(sb, "a list of names separated by spaces");
		return;
	}
	if (!xml_is(p, "data") || !(type = xml_attr(p, "type"))) {
		strbuf_adds(sb, "what the schema allows");
		return;
	}
	for (i = 0; i < sizeof(types) / sizeof(types[0]) && strcmp(types[i].type, type); i++)
		;
	for (xmlNode *q = xml_first(p, "param"); q; q = xml_next(q, "param")) {
		const char *name = xml_attr(q, "name");
		const char *val = q->children ? (const char *)q->children->content : "";

		if (!name)
			continue;
		if (!strcmp(name, "minInclusive"))
			lo = val;
		else if (!strcmp(name, "maxInclusive"))
			hi = val;
		else if (!strcmp(name, "fractionDigits"))
			frac = val;
		else if (!strcmp(name, "pattern"))
			pattern = val;
		else if (!strcmp(name, "maxLength"))
			maxlen = val;
		else if (!strcmp(name, "minLength"))
			minlen = val;
	}
	if (pattern) {
		strbuf_addf(sb, "text matching %s", pattern);
		return;
	}
	strbuf_adds(sb, i < sizeof(types) / sizeof(types[0]) ? types[i].words : type);
	if (lo && hi)
		strbuf_addf(sb, " from %s to %s", lo, hi);
	else if (lo)
		strbuf_addf(sb, ", %s or more", lo);
	if (frac)
		strbuf_addf(sb, ", at most %s decimals", frac);
	if (minlen && !strcmp(minlen, "1"))
		strbuf_adds(sb, ", not empty");
	if (maxlen)
		strbuf_addf(sb, ", at most %s characters", maxlen);
}

/* Does value match the attribute's pattern? A one-attribute schema per declaration, compiled
   the first time it is needed; -1 when it cannot tell. */
static int rng_value_ok(xmlNode *decl, const char *value)
{
	static struct {
		xmlNode *decl;
		xmlRelaxNGPtr rng;
	} cache[64];
	static size_t ncache;
	xmlNode *p = rng_value_pattern(decl);
	xmlRelaxNGPtr rng = NULL;
	xmlRelaxNGValidCtxtPtr vc;
	xmlDoc *doc;
	xmlNode *a;
	int rc;

	for (size_t i = 0; i < ncache; i++)
		if (cache[i].decl == decl)
			rng = cache[i].rng;
	if (!rng && p && ncache < sizeof(cache) / sizeof(cache[0])) {
		xmlBufferPtr buf = xmlBufferCreate();
		struct strbuf src = STRBUF_INIT;
		xmlRelaxNGParserCtxtPtr pc;

		xmlNodeDump(buf, schema_doc(), p, 0, 0);
		strbuf_addf(&src,
			    "<element name=\"a\" xmlns=\"http://relaxng.org/ns/structure/1.0\" "
			    "datatypeLibrary=\"http://www.w3.org/2001/XMLSchema-datatypes\">"
			    "<attribute name=\"v\">%s</attribute></element>",
			    (const char *)xmlBufferContent(buf));
		xmlBufferFree(buf);
		pc = xmlRelaxNGNewMemParserCtxt(strbuf_str(&src), (int)src.len);
		rng = xmlRelaxNGParse(pc);
		xmlRelaxNGFreeParserCtxt(pc);
		strbuf_release(&src);
		cache[ncache].decl = decl;
		cache[ncache++].rng = rng;
	}
	if (!rng)
		return -1;
	doc = xmlNewDoc(BAD_CAST "1.0");
	a = xmlNewDocNode(doc, NULL, BAD_CAST "a", NULL);
	xmlDocSetRootElement(doc, a);
	xmlSetProp(a, BAD_CAST "v", BAD_CAST value);
	vc = xmlRelaxNGNewValidCtxt(rng);
	xmlRelaxNGSetValidStructuredErrors(vc, quiet, NULL);
	rc = xmlRelaxNGValidateDoc(vc, doc);
	xmlRelaxNGFreeValidCtxt(vc);
	xmlFreeDoc(doc);
	return rc == 0;
}

/* Flag what is wrong with n's attributes; returns how many problems were found. */
static int attr_problems(struct loader *L, xmlNode *n)
{
	struct rng_attr v[RNG_MAX_ATTRS];
	xmlNode *el = schema_doc() ? rng_element(xmlDocGetRootElement(schema_doc()),
						 (const char *)n->name) : NULL;
	size_t nv = 0;
	int found = 0;

	if (!el)
		return 0;
	rng_attrs(el, 0, v, &nv, 0);
	for (size_t i = 0; i < nv; i++) {
		const char *val = xml_attr(n, v[i].name);
		struct strbuf what = STRBUF_INIT;

		if (!val && v[i].optional)
			continue;
		if (val && rng_value_ok(v[i].decl, val) != 0)
			continue;
		rng_describe(rng_value_pattern(v[i].decl), &what);
		if (!val)
			flag(L, xml_line(n), "schema: element <%s>: attribute '%s' is required (%s)",
			     (const char *)n->name, v[i].name, strbuf_str(&what));
		else
			flag(L, xml_line(n), "schema: element <%s>: attribute '%s' must be %s, not '%s'",
			     (const char *)n->name, v[i].name, strbuf_str(&what), val);
		strbuf_release(&what);
		found++;
	}
	for (xmlAttr *a = n->properties; a; a = a->next) {
		size_t i;

		for (i = 0; i < nv && strcmp(v[i].name, (const char *)a->name); i++)
			;
		if (i < nv)
			continue;
		flag(L, xml_line(n), "schema: element <%s>: attribute '%s' is not allowed",
		     (const char *)n->name, (const char *)a->name);
		found++;
	}
	return found;
}

/* The schema is compiled once per process. */
static xmlRelaxNGPtr schema(void)
{
	static xmlRelaxNGPtr rng;

	if (!rng) {
		xmlRelaxNGParserCtxtPtr pc = xmlRelaxNGNewMemParserCtxt(
			embedded_definition_rng, (int)strlen(embedded_definition_rng));
		rng = xmlRelaxNGParse(pc);
		xmlRelaxNGFreeParserCtxt(pc);
	}
	return rng;
}

static void on_schema_error(void *ctx, xmlErrorPtr e)
{
	struct loader *L = ctx;
	xmlNode *node = e->node;
	char msg[600];
	size_t n;

	snprintf(msg, sizeof(msg), "%s", e->message ? e->message : "schema violation");
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	if (node && node->type == XML_ATTRIBUTE_NODE)
		node = node->parent;
	if (node && node->type != XML_ELEMENT_NODE)
		node = NULL;
	xgrow(&L->serr, &L->a_serr, L->nserr + 1, sizeof(*L->serr));
	L->serr[L->nserr++] = (struct schema_error){ node, e->line, xstrdup(msg) };
}

/* libxml2's messages that are about attributes (or that an attribute problem explains). */
static int about_attributes(const char *msg)
{
	return strstr(msg, "attribute") || strstr(msg, "doesn't allow value") ||
	       strstr(msg, "failed to validate content") || strstr(msg, "Invalid attribute");
}

/* An error without a node ("Element survey failed to validate attributes", for an optional
   element) about an element whose attributes were named already. */
static int named_elsewhere(const struct loader *L, const char *msg)
{
	for (size_t i = 0; i < L->nserr; i++) {
		const xmlNode *n = L->serr[i].node;
		char what[120];

		if (!n || n->_private != &schema_named)
			continue;
		snprintf(what, sizeof(what), "Element %s ", (const char *)n->name);
		if (strstr(msg, what))
			return 1;
	}
	return 0;
}

/* Every element libxml2 refused is marked; where its attributes explain it, they are named
   instead of libxml2's words. */
static void schema_messages(struct loader *L)
{
	for (size_t i = 0; i < L->nserr; i++) {
		struct schema_error *e = &L->serr[i];

		if (e->node && !bad(e->node))
			e->node->_private = attr_problems(L, e->node) ? &schema_named : &schema_bad;
	}
	for (size_t i = 0; i < L->nserr; i++) {
		struct schema_error *e = &L->serr[i];

		if (!(e->node && e->node->_private == &schema_named && about_attributes(e->text)) &&
		    !(!e->node && about_attributes(e->text) && named_elsewhere(L, e->text)))
			flag(L, e->line, "schema: %s", e->text);
	}
}

static int validate(struct loader *L, xmlDoc *doc)
{
	xmlRelaxNGPtr rng = schema();
	xmlRelaxNGValidCtxtPtr vc;
	int rc;

	if (!rng) {
		flag(L, 0, "internal error: the compiled-in schema does not load");
		return -1;
	}
	vc = xmlRelaxNGNewValidCtxt(rng);
	xmlRelaxNGSetValidStructuredErrors(vc, on_schema_error, L);
	rc = xmlRelaxNGValidateDoc(vc, doc);
	xmlRelaxNGFreeValidCtxt(vc);
	schema_messages(L);
	if (rc != 0 && !L->errors)
		flag(L, xml_line(xmlDocGetRootElement(doc)), "schema: document does not validate");
	return rc == 0 ? 0 : -1;
}

static const char *const default_unit_types[] = { "xã", "phường", "thị trấn" };

static void add_unit_type(struct loader *L, char *name, size_t ranking, long line)
{
	struct def *d = L->d;

	xgrow(&d->unit_types, &L->a_types, d->nunit_types + 1, sizeof(*d->unit_types));
	d->unit_types[d->nunit_types++] = (struct def_unit_type){ name, ranking, line };
}

/* The unit types and ranking groups; a ranking attribute is resolved in check_units. Without
   <ranking>, one default group ranks every type that is ranked. */
static void load_units(struct loader *L, xmlNode *units)
{
	struct def *d = L->d;

	for (xmlNode *r = units ? xml_first(units, "ranking") : NULL; r; r = xml_next(r, "ranking")) {
		struct def_ranking *rk;

		xgrow(&d->rankings, &L->a_rankings, d->nrankings + 1, sizeof(*d->rankings));
		rk = memset(&d->rankings[d->nrankings++], 0, sizeof(*rk));
		rk->id = str_attr(r, "id");
		rk->line = xml_line(r);
		read_text(L, r, "name", &rk->name, rk->id);
	}
	d->declares_rankings = d->nrankings > 0;
	if (!d->declares_rankings) {
		xgrow(&d->rankings, &L->a_rankings, 1, sizeof(*d->rankings));
		d->rankings[d->nrankings++] = (struct def_ranking){
			xstrdup(DEF_RANKING_DEFAULT), { xstrdup("Tất cả đơn vị"), xstrdup("All units") },
			0 };
	}
	if (!units) {
		for (size_t i = 0; i < sizeof(default_unit_types) / sizeof(*default_unit_types); i++)
			add_unit_type(L, xstrdup(default_unit_types[i]), 0, 0);
		return;
	}
	for (xmlNode *t = xml_first(units, "type"); t; t = xml_next(t, "type")) {
		char *text = xml_text(t), *name = text_fold(text);

		free(text);
		add_unit_type(L, name, attr_is(t, "ranked", "false") || attr_is(t, "ranked", "0")
					       ? DEF_NONE : 0,
			      xml_line(t));
	}
}

static void load_adjustments(struct loader *L, xmlNode *adj)
{
	struct def *d = L->d;

	for (xmlNode *a = adj ? adj->children : NULL; a; a = a->next) {
		struct def_adjustment *ad;

		if (!xml_is(a, "bonus") && !xml_is(a, "penalty"))
			continue;
		xgrow(&d->adjustments, &L->a_adjustments, d->nadjustments + 1,
		      sizeof(*d->adjustments));
		ad = memset(&d->adjustments[d->nadjustments++], 0, sizeof(*ad));
		ad->id = str_attr(a, "id");
		ad->max = num_attr(a, "max");
		ad->kind = xml_is(a, "bonus") ? DEF_BONUS : DEF_PENALTY;
		ad->line = xml_line(a);
		read_text(L, a, "name", &ad->name, ad->id);
	}
}

static void load_tree(struct loader *L, xmlNode *root)
{
	struct def *d = L->d;
	xmlNode *survey = xml_first(root, "survey");
	xmlNode *cls = xml_first(root, "classification");
	xmlNode *n;

	d->id = str_attr(root, "id");
	d->version = str_attr(root, "version");
	d->year = int_attr(root, "year");
	d->decimals = int_attr(root, "decimals");
	d->max = num_attr(root, "max");
	read_text(L, root, "title", &d->title, "definition");
	d->province = xml_text(xml_first(root, "province"));
	if ((n = xml_first(root, "province"))) {
		static const char city[] = "Thành phố ", city_lc[] = "thành phố ";
		const char *type = xml_attr(n, "type"), *name = d->province ? d->province : "";

		/* the schema allows "tỉnh" and "thành phố"; without it the name may say it */
		d->province_city = type ? !strcmp(type, "thành phố")
					: !strncmp(name, city, sizeof(city) - 1) ||
						  !strncmp(name, city_lc, sizeof(city_lc) - 1);
	}
	/* no <district>: the definition is the whole province's */
	if ((n = xml_first(root, "district"))) {
		d->district = xml_text(n);
		d->district_code = xml_attr(n, "code") ? str_attr(n, "code") : NULL;
	}
	if ((n = xml_first(root, "note")))
		d->note = xml_text(n);
	load_units(L, xml_first(root, "units"));
	load_adjustments(L, xml_first(root, "adjustments"));

	for (xmlNode *f = xml_first(root, "field"); f; f = xml_next(f, "field")) {
		struct def_field *fd;

		xgrow(&d->fields, &L->a_fields, d->nfields + 1, sizeof(*d->fields));
		fd = memset(&d->fields[d->nfields], 0, sizeof(*fd));
		fd->id = str_attr(f, "id");
		fd->max = num_attr(f, "max");
		fd->line = xml_line(f);
		fd->first_criterion = d->ncriteria;
		read_text(L, f, "name", &fd->name, fd->id);
		for (xmlNode *c = xml_first(f, "criterion"); c; c = xml_next(c, "criterion")) {
			struct def_criterion *cr;

			xgrow(&d->criteria, &L->a_criteria, d->ncriteria + 1, sizeof(*d->criteria));
			cr = memset(&d->criteria[d->ncriteria], 0, sizeof(*cr));
			cr->id = str_attr(c, "id");
			cr->max = num_attr(c, "max");
			cr->assessed = attr_is(c, "assessed", "survey") ? DEF_SURVEY : DEF_SELF;
			cr->field = d->nfields;
			cr->line = xml_line(c);
			cr->first_sub = d->nsubcriteria;
			read_text(L, c, "name", &cr->name, cr->id);
			for (xmlNode *s = xml_first(c, "subcriterion"); s; s = xml_next(s, "subcriterion")) {
				struct def_subcriterion *sc;

				xgrow(&d->subcriteria, &L->a_subs, d->nsubcriteria + 1,
				      sizeof(*d->subcriteria));
				sc = memset(&d->subcriteria[d->nsubcriteria], 0, sizeof(*sc));
				sc->id = str_attr(s, "id");
				sc->max = num_attr(s, "max");
				sc->criterion = d->ncriteria;
				sc->line = xml_line(s);
				read_text(L, s, "name", &sc->name, sc->id);
				d->nsubcriteria++;
				cr->nsub++;
			}
			d->ncriteria++;
			fd->ncriteria++;
		}
		d->nfields++;
	}

	d->reserve_question = DEF_NONE;
	if (!survey)
		goto classification;
	d->has_survey = 1;
	d->min_forms = xml_attr(survey, "min-forms") ? int_attr(survey, "min-forms") : 0;
	if (xml_attr(survey, "reserve-option"))
		d->reserve_option = str_attr(survey, "reserve-option");
	d->aggregation = attr_is(survey, "aggregation", "pooled") ? DEF_POOLED : DEF_GROUP_MEAN;
	d->under_quota = attr_is(survey, "under-quota", "exclude") ? DEF_UNDER_QUOTA_EXCLUDE
								   : DEF_UNDER_QUOTA_FLAG;
	for (xmlNode *g = xml_first(survey, "group"); g; g = xml_next(g, "group")) {
		struct def_group *gr;

		xgrow(&d->groups, &L->a_groups, d->ngroups + 1, sizeof(*d->groups));
		gr = memset(&d->groups[d->ngroups++], 0, sizeof(*gr));
		gr->id = str_attr(g, "id");
		gr->min_forms = int_attr(g, "min");
		gr->reserve = xml_attr(g, "reserve") ? int_attr(g, "reserve") : 0;
		gr->open_link = attr_is(g, "open-link", "true") || attr_is(g, "open-link", "1");
		gr->line = xml_line(g);
		read_text(L, g, "name", &gr->name, gr->id);
	}
	for (xmlNode *s = xml_first(survey, "scale"); s; s = xml_next(s, "scale")) {
		struct def_scale *sc;
		size_t alloc = 0;

		xgrow(&d->scales, &L->a_scales, d->nscales + 1, sizeof(*d->scales));
		sc = memset(&d->scales[d->nscales++], 0, sizeof(*sc));
		sc->id = str_attr(s, "id");
		sc->line = xml_line(s);
		for (xmlNode *o = xml_first(s, "option"); o; o = xml_next(o, "option")) {
			struct def_option *op;
			const char *ex = xml_attr(o, "excluded");
			char what[80];

			xgrow(&sc->options, &alloc, sc->noptions + 1, sizeof(*sc->options));
			op = memset(&sc->options[sc->noptions++], 0, sizeof(*op));
			op->code = str_attr(o, "code");
			op->has_weight = xml_attr(o, "weight") != NULL;
			op->weight = num_attr(o, "weight");
			op->excluded = ex && (!strcmp(ex, "true") || !strcmp(ex, "1"));
			op->line = xml_line(o);
			snprintf(what, sizeof(what), "scale %s option %s", sc->id, op->code);
			read_text(L, o, "label", &op->label, what);
		}
	}
	for (xmlNode *q = survey->children; q; q = q->next) {
		struct def_question *qu;
		int profile = xml_is(q, "profile");

		if (!profile && !xml_is(q, "question"))
			continue;
		xgrow(&d->questions, &L->a_questions, d->nquestions + 1, sizeof(*d->questions));
		qu = memset(&d->questions[d->nquestions++], 0, sizeof(*qu));
		qu->id = str_attr(q, "id");
		qu->is_profile = profile;
		qu->criterion = DEF_NONE;
		qu->scale = DEF_NONE;
		qu->line = xml_line(q);
		read_text(L, q, "text", &qu->text, qu->id);
	}

classification:
	for (xmlNode *t = cls ? cls->children : NULL; t; t = t->next) {
		struct def_tier *ti;

		if (!xml_is(t, "tier") && !xml_is(t, "otherwise"))
			continue;
		xgrow(&d->tiers, &L->a_tiers, d->ntiers + 1, sizeof(*d->tiers));
		ti = memset(&d->tiers[d->ntiers++], 0, sizeof(*ti));
		ti->id = str_attr(t, "id");
		ti->is_otherwise = xml_is(t, "otherwise");
		ti->min_index = num_attr(t, "min-index");
		ti->min_field = num_attr(t, "min-field");
		ti->line = xml_line(t);
		read_text(L, t, "label", &ti->label, ti->id);
	}
}

/* The quality checks' thresholds: the <quality> element's attributes, each defaulted when
   absent (a value the schema refused is NAN or -1 here and the definition is refused anyway). */
static void load_quality(struct loader *L, xmlNode *root)
{
	struct def_quality *q = &L->d->quality;
	xmlNode *n = xml_first(root, "quality");
	const char *v;

	q->min_seconds = DEF_QUALITY_MIN_SECONDS;
	q->burst_forms = DEF_QUALITY_BURST_FORMS;
	q->burst_minutes = DEF_QUALITY_BURST_MINUTES;
	q->near_duplicate = 1;
	q->dont_know_share = DEF_QUALITY_DONT_KNOW_SHARE;
	q->straight_lining = DEF_QUALITY_STRAIGHT_LINING;
	if (!n)
		return;
	q->line = xml_line(n);
	if (xml_attr(n, "min-seconds-per-question"))
		q->min_seconds = num_attr(n, "min-seconds-per-question");
	if ((v = xml_attr(n, "window-start")))
		snprintf(q->window_start, sizeof(q->window_start), "%s", v);
	if ((v = xml_attr(n, "window-end")))
		snprintf(q->window_end, sizeof(q->window_end), "%s", v);
	if (xml_attr(n, "burst-forms"))
		q->burst_forms = int_attr(n, "burst-forms");
	if (xml_attr(n, "burst-minutes"))
		q->burst_minutes = int_attr(n, "burst-minutes");
	if ((v = xml_attr(n, "near-duplicate")))
		q->near_duplicate = !strcmp(v, "true") || !strcmp(v, "1");
	if ((v = xml_attr(n, "dont-know")) && v[strspn(v, " \t\r\n")])
		q->dont_know = xstrdup(v);
	if (xml_attr(n, "dont-know-share"))
		q->dont_know_share = num_attr(n, "dont-know-share");
	if (xml_attr(n, "straight-lining"))
		q->straight_lining = int_attr(n, "straight-lining");
}

int def_is_dont_know(const struct def *d, const char *code)
{
	const char *p = d->quality.dont_know;
	size_t n = strlen(code);

	while (p && *p) {
		size_t len = strcspn(p, " \t\r\n");

		if (len == n && !strncmp(p, code, n))
			return 1;
		p += len;
		p += strspn(p, " \t\r\n");
	}
	return 0;
}

/* The window's dates in order; every "don't know" code an option of some scale, and one no
   scored answer is weighted by (it would count a real answer as "don't know"). */
static void check_quality(struct loader *L)
{
	const struct def *d = L->d;
	const struct def_quality *q = &d->quality;
	const char *p = q->dont_know;

	if (!q->line)
		return;
	if (*q->window_start && *q->window_end && strcmp(q->window_start, q->window_end) > 0)
		flag(L, q->line, "quality: window-start %s is after window-end %s", q->window_start,
		     q->window_end);
	while (p && *p) {
		size_t len = strcspn(p, " \t\r\n"), found = 0, weighted = 0;
		char *code = xstrndup(p, len);

		for (size_t s = 0; s < d->nscales; s++)
			for (size_t o = 0; o < d->scales[s].noptions; o++) {
				const struct def_option *op = &d->scales[s].options[o];

				if (strcmp(op->code, code))
					continue;
				found++;
				if (!op->excluded && op->has_weight)
					weighted++;
			}
		if (!found)
			flag(L, q->line, "quality: dont-know code '%s' is no option of any scale", code);
		else if (weighted)
			warn(L, q->line,
			     "quality: dont-know code '%s' is a weighted, counted option of %zu scale%s",
			     code, weighted, weighted == 1 ? "" : "s");
		free(code);
		p += len;
		p += strspn(p, " \t\r\n");
	}
}

/* Does `id` continue `parent`'s id ("1.1" under "1", "1.1.2" under "1.1")? */
static int nested_id(const char *id, const char *parent)
{
	size_t n = strlen(parent);
	return !strncmp(id, parent, n) && id[n] == '.' && id[n + 1];
}

static int differs(double a, double b)
{
	return fabs(a - b) > EPS;
}

/* Names the form generator uses itself; a question may not take one. */
static const char *const reserved_names[] = {
	"commune", "surveyor", "group", "comment", "meta", "start", "end", "deviceid",
	"today", "instanceID", "instanceName", "deprecatedID", NULL,
};

/* Ids sorted (equal ones in document order), to find duplicates and look ids up without a
   pass over every other id: a definition may hold many thousands of them. */
struct id_ref {
	const char *id;
	size_t i; /* index in its array */
	long line;
};

static int by_id(const void *a, const void *b)
{
	const struct id_ref *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

static struct id_ref *id_refs(const void *base, size_t n, size_t size, size_t id_off,
			      size_t line_off)
{
	struct id_ref *v = xcalloc(n ? n : 1, sizeof(*v));

	for (size_t i = 0; i < n; i++) {
		const char *p = (const char *)base + i * size;

		v[i] = (struct id_ref){ *(char *const *)(p + id_off), i, *(const long *)(p + line_off) };
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), by_id);
	return v;
}
#define ID_REFS(arr, n, field)                                                                \
	id_refs(arr, n, sizeof(*(arr)), offsetof(__typeof__(*(arr)), field),                  \
		offsetof(__typeof__(*(arr)), line))

/* Flag every (non-empty) id that repeats an earlier one: "WHAT 'id' (first on line N)". */
static void flag_duplicates(struct loader *L, const struct id_ref *v, size_t n, const char *what)
{
	for (size_t k = 1, first = 0; k < n; k++) {
		if (strcmp(v[k].id, v[first].id))
			first = k;
		else if (*v[k].id)
			flag(L, v[k].line, "%s '%s' (first on line %ld)", what, v[k].id,
			     v[first].line);
	}
}

/* The index of the first id equal to id in the sorted v, else DEF_NONE. */
static size_t id_lookup(const struct id_ref *v, size_t n, const char *id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(v[mid].id, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && !strcmp(v[lo].id, id) ? v[lo].i : DEF_NONE;
}

static void check_tree(struct loader *L, xmlNode *root)
{
	struct def *d = L->d;
	xmlNode *survey = xml_first(root, "survey");
	double total = 0;
	size_t qi = 0;
	int group_total = 0;
	unsigned asked_groups = 0;
	struct id_ref *fields = ID_REFS(d->fields, d->nfields, id);
	struct id_ref *criteria = ID_REFS(d->criteria, d->ncriteria, id);
	struct id_ref *subs = ID_REFS(d->subcriteria, d->nsubcriteria, id);
	struct id_ref *groups_by_id = ID_REFS(d->groups, d->ngroups, id);
	struct id_ref *scales = ID_REFS(d->scales, d->nscales, id);
	struct id_ref *questions = ID_REFS(d->questions, d->nquestions, id);
	struct id_ref *tiers = ID_REFS(d->tiers, d->ntiers, id);
	/* per scale: counted options, and those of them without a weight (the first, how many) */
	size_t *counted = xcalloc(d->nscales + 1, sizeof(*counted));
	size_t *weightless = xcalloc(d->nscales + 1, sizeof(*weightless));
	size_t *first_weightless = xcalloc(d->nscales + 1, sizeof(*first_weightless));
	char *asked = xcalloc(d->ncriteria + 1, 1);

	flag_duplicates(L, fields, d->nfields, "duplicate field id");
	flag_duplicates(L, criteria, d->ncriteria, "duplicate criterion id");
	flag_duplicates(L, subs, d->nsubcriteria, "duplicate sub-criterion id");
	flag_duplicates(L, groups_by_id, d->ngroups, "duplicate group id");
	flag_duplicates(L, scales, d->nscales, "duplicate scale id");
	flag_duplicates(L, questions, d->nquestions, "duplicate question id");
	flag_duplicates(L, tiers, d->ntiers, "duplicate tier id");

	/* ids of fields, criteria and sub-criteria share one namespace */
	for (size_t f = 0; f < d->nfields; f++) {
		struct def_field *fd = &d->fields[f];
		double sum = 0;

		total += fd->max;
		for (size_t c = fd->first_criterion; c < fd->first_criterion + fd->ncriteria; c++) {
			struct def_criterion *cr = &d->criteria[c];
			double subsum = 0;

			sum += cr->max;
			if (*cr->id && *fd->id && !nested_id(cr->id, fd->id))
				flag(L, cr->line,
					 "criterion id '%s' does not start with its field's id '%s.'",
					 cr->id, fd->id);
			if (cr->assessed == DEF_SURVEY && cr->nsub)
				flag(L, cr->line,
					 "survey-assessed criterion %s has sub-criteria; only self-assessed criteria may",
					 cr->id);
			for (size_t s = cr->first_sub; s < cr->first_sub + cr->nsub; s++) {
				struct def_subcriterion *sc = &d->subcriteria[s];

				subsum += sc->max;
				if (*sc->id && *cr->id && !nested_id(sc->id, cr->id))
					flag(L, sc->line,
						 "sub-criterion id '%s' does not start with its criterion's id '%s.'",
						 sc->id, cr->id);
			}
			if (cr->nsub && differs(subsum, cr->max))
				flag(L, cr->line,
					 "criterion %s: sub-criteria add up to %g, not its max %g", cr->id,
					 subsum, cr->max);
		}
		if (differs(sum, fd->max))
			flag(L, fd->line,
				 "field %s: criteria add up to %g, not its max %g", fd->id, sum, fd->max);
	}
	if (differs(total, d->max))
		flag(L, xml_line(root),
			 "fields add up to %g, not the definition's max %g", total, d->max);

	for (size_t g = 0; g < d->ngroups; g++) {
		struct def_group *gr = &d->groups[g];

		if (gr->min_forms < 0 || group_total < 0)
			group_total = -1;
		else
			group_total += gr->min_forms;
		if (d->min_forms > 0 && gr->min_forms > d->min_forms)
			flag(L, gr->line,
				 "group %s: quota %d is above the per-commune minimum of %d forms", gr->id,
				 gr->min_forms, d->min_forms);
	}
	if (d->ngroups > DEF_MAX_GROUPS)
		flag(L, xml_line(survey), "more than %d respondent groups",
			 DEF_MAX_GROUPS);
	else if (d->min_forms > 0 && group_total > d->min_forms)
		flag(L, xml_line(survey),
			 "group quotas add up to %d, above the per-commune minimum of %d forms",
			 group_total, d->min_forms);

	for (size_t s = 0; s < d->nscales; s++) {
		struct def_scale *sc = &d->scales[s];
		struct id_ref *codes = ID_REFS(sc->options, sc->noptions, code);
		char what[120];

		snprintf(what, sizeof(what), "scale %s: duplicate option code", sc->id);
		flag_duplicates(L, codes, sc->noptions, what);
		free(codes);
		for (size_t i = 0; i < sc->noptions; i++) {
			struct def_option *op = &sc->options[i];

			if (op->has_weight && (op->weight < 0 || op->weight > 1))
				flag(L, op->line,
					 "scale %s option %s: weight %g is outside [0, 1]", sc->id, op->code,
					 op->weight);
			if (op->excluded)
				continue;
			counted[s]++;
			if (!op->has_weight && !weightless[s]++)
				first_weightless[s] = i;
		}
	}

	for (xmlNode *q = survey ? survey->children : NULL; q; q = q->next) {
		struct def_question *qu;
		const char *groups, *crit, *scale;

		if (!xml_is(q, "profile") && !xml_is(q, "question"))
			continue;
		qu = &d->questions[qi++];
		for (const char *const *r = reserved_names; *r; r++)
			if (!strcmp(*r, qu->id))
				flag(L, qu->line,
					 "question id '%s' is a name the forms use for themselves", qu->id);
		scale = xml_attr(q, "scale");
		if (scale)
			qu->scale = id_lookup(scales, d->nscales, scale);
		if (qu->scale == DEF_NONE && scale)
			flag(L, qu->line, "question %s: unknown scale '%s'", qu->id,
				 scale);
		groups = xml_attr(q, "groups");
		while (groups && *groups) {
			size_t len = strcspn(groups, " \t\r\n"), g;
			char *gid = xstrndup(groups, len);

			if (len) {
				g = id_lookup(groups_by_id, d->ngroups, gid);
				if (g == DEF_NONE)
					flag(L, qu->line,
						 "question %s: unknown group '%s'", qu->id, gid);
				else if (g < DEF_MAX_GROUPS)
					qu->groups |= 1u << g;
			}
			free(gid);
			groups += len;
			groups += strspn(groups, " \t\r\n");
		}
		if (qu->is_profile)
			continue;
		asked_groups |= qu->groups;
		crit = xml_attr(q, "criterion");
		qu->criterion = crit ? id_lookup(criteria, d->ncriteria, crit) : DEF_NONE;
		if (qu->criterion != DEF_NONE)
			asked[qu->criterion] = 1;
		if (!crit)
			;
		else if (qu->criterion == DEF_NONE)
			flag(L, qu->line, "question %s: unknown criterion '%s'", qu->id,
				 crit);
		else if (d->criteria[qu->criterion].assessed != DEF_SURVEY &&
			 !isnan(d->criteria[qu->criterion].max)) /* NAN: refused by the schema */
			flag(L, qu->line,
				 "question %s feeds criterion %s, which is self-assessed", qu->id, crit);
		if (qu->scale != DEF_NONE) {
			struct def_scale *sc = &d->scales[qu->scale];
			size_t w = weightless[qu->scale];

			/* one message per question, however many options lack a weight */
			if (w)
				flag(L, qu->line,
					 "question %s: scale %s option %s has no weight (scored questions need one on every counted option)%s",
					 qu->id, sc->id, sc->options[first_weightless[qu->scale]].code,
					 w > 1 ? ", nor have others of its options" : "");
			if (!counted[qu->scale])
				flag(L, qu->line,
					 "question %s: scale %s has no counted option", qu->id, sc->id);
		}
	}
	for (size_t c = 0; c < d->ncriteria; c++) {
		struct def_criterion *cr = &d->criteria[c];

		if (cr->assessed == DEF_SURVEY && !asked[c] && !isnan(cr->max) && survey)
			flag(L, cr->line,
				 "survey-assessed criterion %s has no question", cr->id);
	}
	for (size_t g = 0; g < d->ngroups && g < DEF_MAX_GROUPS; g++)
		if (!(asked_groups & (1u << g)))
			flag(L, d->groups[g].line,
				 "group %s is asked no scored question", d->groups[g].id);

	for (size_t t = 0; t < d->ntiers; t++) {
		struct def_tier *ti = &d->tiers[t];

		if (t == 0 || ti->is_otherwise)
			continue;
		if (isnan(ti->min_index) || isnan(d->tiers[t - 1].min_index))
			continue;
		if (!(ti->min_index < d->tiers[t - 1].min_index))
			flag(L, ti->line,
				 "tier %s: min-index %g is not below the previous tier's %g (tiers go from the highest down)",
				 ti->id, ti->min_index, d->tiers[t - 1].min_index);
		if (ti->min_field > d->tiers[t - 1].min_field)
			flag(L, ti->line,
				 "tier %s: min-field %g is above the previous tier's %g", ti->id,
				 ti->min_field, d->tiers[t - 1].min_field);
	}
	free(fields);
	free(criteria);
	free(subs);
	free(groups_by_id);
	free(scales);
	free(questions);
	free(tiers);
	free(counted);
	free(weightless);
	free(first_weightless);
	free(asked);
}

/* Unit types and ranking groups: each type listed once, ranked in one known group (or said
   not ranked), each declared group ranking some type. */
static void check_units(struct loader *L, xmlNode *root)
{
	struct def *d = L->d;
	xmlNode *units = xml_first(root, "units");
	struct id_ref *rankings = ID_REFS(d->rankings, d->nrankings, id);
	struct id_ref *types = ID_REFS(d->unit_types, d->nunit_types, name);
	size_t *ranks = xcalloc(d->nrankings + 1, sizeof(*ranks)), i = 0, ranked = 0;

	if (d->declares_rankings)
		flag_duplicates(L, rankings, d->nrankings, "duplicate ranking group id");
	for (size_t k = 1, first = 0; k < d->nunit_types; k++) {
		if (strcmp(types[k].id, types[first].id))
			first = k;
		else
			flag(L, types[k].line,
			     "unit type '%s' is listed twice (first on line %ld): a type is ranked in one group only",
			     types[k].id, types[first].line);
	}
	for (xmlNode *t = units ? xml_first(units, "type") : NULL; t && i < d->nunit_types;
	     t = xml_next(t, "type"), i++) {
		struct def_unit_type *ut = &d->unit_types[i];
		const char *rk = xml_attr(t, "ranking");

		if (bad(t))
			continue;
		if (text_has_control(ut->name))
			flag(L, ut->line, "unit type '%s' has a control character", ut->name);
		if (ut->ranking == DEF_NONE) {
			if (rk)
				flag(L, ut->line,
				     "unit type '%s' is not ranked (ranked=\"false\") but names ranking group '%s'",
				     ut->name, rk);
			continue;
		}
		ranked++;
		if (!rk && d->declares_rankings) {
			flag(L, ut->line,
			     "unit type '%s' names no ranking group: the definition declares ranking groups, so say ranking=\"ID\" or ranked=\"false\"",
			     ut->name);
			continue;
		}
		if (!rk)
			continue;
		ut->ranking = d->declares_rankings ? id_lookup(rankings, d->nrankings, rk) : DEF_NONE;
		if (ut->ranking == DEF_NONE)
			flag(L, ut->line, "unit type '%s': unknown ranking group '%s'%s", ut->name, rk,
			     d->declares_rankings ? "" : " (the definition declares no <ranking>)");
		else
			ranks[ut->ranking]++;
	}
	for (size_t r = 0; d->declares_rankings && r < d->nrankings; r++)
		if (!ranks[r])
			flag(L, d->rankings[r].line, "ranking group '%s' ranks no unit type",
			     d->rankings[r].id);
	if (units && !bad(units) && !ranked)
		flag(L, xml_line(units), "no unit type is ranked");
	free(rankings);
	free(types);
	free(ranks);
}

/* Bonus and penalty leaves: ids apart from every criterion's (they are leaves of the same
   scores file), a max above 0. */
static void check_adjustments(struct loader *L)
{
	struct def *d = L->d;
	struct id_ref *criteria = ID_REFS(d->criteria, d->ncriteria, id);
	struct id_ref *subs = ID_REFS(d->subcriteria, d->nsubcriteria, id);
	struct id_ref *adj = ID_REFS(d->adjustments, d->nadjustments, id);

	flag_duplicates(L, adj, d->nadjustments, "duplicate bonus or penalty id");
	for (size_t i = 0; i < d->nadjustments; i++) {
		const struct def_adjustment *a = &d->adjustments[i];
		const char *kind = a->kind == DEF_BONUS ? "bonus" : "penalty";
		size_t k;

		if ((k = id_lookup(criteria, d->ncriteria, a->id)) != DEF_NONE)
			flag(L, a->line, "%s id '%s' is the id of criterion %s (line %ld)%s", kind,
			     a->id, d->criteria[k].id, d->criteria[k].line,
			     d->criteria[k].assessed == DEF_SURVEY
				     ? ": bonus and penalty points are self-assessed, never from the survey"
				     : "");
		else if ((k = id_lookup(subs, d->nsubcriteria, a->id)) != DEF_NONE)
			flag(L, a->line, "%s id '%s' is the id of sub-criterion %s (line %ld)", kind,
			     a->id, d->subcriteria[k].id, d->subcriteria[k].line);
		if (a->max == 0)
			flag(L, a->line, "%s %s: max is 0", kind, a->id);
	}
	free(criteria);
	free(subs);
	free(adj);
}

/* The survey's design: a survey-assessed criterion needs a survey; reserve forms need the
   profile question that marks them. */
static void check_survey_design(struct loader *L, xmlNode *root)
{
	struct def *d = L->d;
	xmlNode *survey = xml_first(root, "survey");
	const char *rq = survey ? xml_attr(survey, "reserve-question") : NULL;
	size_t reserving = 0;

	if (!survey) {
		for (size_t c = 0; c < d->ncriteria; c++)
			if (d->criteria[c].assessed == DEF_SURVEY)
				flag(L, d->criteria[c].line,
				     "survey-assessed criterion %s, but the definition has no <survey> (a self-assessment-only index has only self-assessed criteria)",
				     d->criteria[c].id);
		return;
	}
	if (bad(survey))
		return;
	for (size_t g = 0; g < d->ngroups; g++)
		if (d->groups[g].reserve > 0) {
			reserving++;
			if (!rq)
				flag(L, d->groups[g].line,
				     "group %s has %d reserve forms, but <survey> names no reserve-question (the profile question that marks a reserve form)",
				     d->groups[g].id, d->groups[g].reserve);
		}
	if (!rq != !d->reserve_option)
		flag(L, xml_line(survey), "<survey>: reserve-question and reserve-option go together");
	if (!rq)
		return;
	d->reserve_question = def_find_question(d, rq);
	if (d->reserve_question == DEF_NONE) {
		flag(L, xml_line(survey), "<survey>: reserve-question '%s' is no question", rq);
	} else if (!d->questions[d->reserve_question].is_profile) {
		flag(L, xml_line(survey),
		     "<survey>: reserve-question '%s' is a scored question; a reserve form is marked by a <profile> question",
		     rq);
		d->reserve_question = DEF_NONE;
	} else if (d->reserve_option &&
		   !def_find_option(d, &d->questions[d->reserve_question], d->reserve_option)) {
		flag(L, xml_line(survey), "<survey>: reserve-option '%s' is no option of question %s",
		     d->reserve_option, rq);
	}
	if (!reserving)
		warn(L, xml_line(survey),
		     "<survey>: reserve-question '%s', but no group has reserve forms", rq);
}

/* A year in a title (four digits standing alone, 1900-2199) that is not the year attribute is
   most often last year's file copied: a warning, since a title may name another year. */
static void check_title_year(struct loader *L, xmlNode *root)
{
	if (bad(root) || L->d->year < 0)
		return;
	for (xmlNode *t = xml_first(root, "title"); t; t = xml_next(t, "title")) {
		char *text = xml_text(t);

		for (const char *p = text; *p; p++) {
			long y;

			if (!(*p >= '0' && *p <= '9') || (p > text && p[-1] >= '0' && p[-1] <= '9'))
				continue;
			if (strspn(p, "0123456789") != 4)
				continue;
			y = strtol(p, NULL, 10);
			if (y >= 1900 && y < 2200 && y != L->d->year) {
				warn(L, xml_line(t), "the title says %ld, the year attribute is %d", y,
				     L->d->year);
				break;
			}
		}
		free(text);
	}
}

int def_load(struct def *d, const char *buf, size_t len, const char *name, struct diag *diag)
{
	struct loader L = { .d = d, .diag = diag, .name = name };
	struct xml_limits lim = { .max_bytes = 16 << 20, .max_depth = 16, .max_nodes = 1000000 };
	struct perr err = { 0 };
	xmlDoc *doc;
	xmlNode *root;

	memset(d, 0, sizeof(*d));
	d->file = xstrdup(name);
	doc = xml_parse(buf, len, name, &lim, &err);
	if (!doc) {
		diag_add(diag, err.where, 0, "%s", err.msg);
		def_release(d);
		return -1;
	}
	root = xmlDocGetRootElement(doc);
	validate(&L, doc);
	/* the meaning checks run on what the schema let through, values it refused left out */
	if (xml_is(root, "definition")) {
		load_tree(&L, root);
		load_quality(&L, root);
		check_tree(&L, root);
		check_units(&L, root);
		check_adjustments(&L);
		check_survey_design(&L, root);
		check_quality(&L);
		check_title_year(&L, root);
	}
	xmlFreeDoc(doc);
	give_out_messages(&L);
	if (L.errors) {
		def_release(d);
		return -1;
	}
	return 0;
}

int def_load_file(struct def *d, const char *path, struct diag *diag)
{
	struct strbuf sb = STRBUF_INIT;
	int rc;

	if (strbuf_read_file(&sb, path, 16 << 20) < 0) {
		diag_add(diag, path, 0, "cannot read: %s", strerror(errno));
		strbuf_release(&sb);
		memset(d, 0, sizeof(*d));
		return -1;
	}
	rc = def_load(d, strbuf_str(&sb), sb.len, path, diag);
	strbuf_release(&sb);
	return rc;
}

static void text_release(struct def_text *t)
{
	free(t->vi);
	free(t->en);
}

void def_release(struct def *d)
{
	diag_release(&d->warnings);
	free(d->file);
	free(d->id);
	free(d->version);
	text_release(&d->title);
	free(d->province);
	free(d->district);
	free(d->district_code);
	free(d->note);
	for (size_t i = 0; i < d->nunit_types; i++)
		free(d->unit_types[i].name);
	for (size_t i = 0; i < d->nrankings; i++)
		free(d->rankings[i].id), text_release(&d->rankings[i].name);
	for (size_t i = 0; i < d->nadjustments; i++)
		free(d->adjustments[i].id), text_release(&d->adjustments[i].name);
	free(d->unit_types);
	free(d->rankings);
	free(d->adjustments);
	free(d->reserve_option);
	for (size_t i = 0; i < d->nfields; i++)
		free(d->fields[i].id), text_release(&d->fields[i].name);
	for (size_t i = 0; i < d->ncriteria; i++)
		free(d->criteria[i].id), text_release(&d->criteria[i].name);
	for (size_t i = 0; i < d->nsubcriteria; i++)
		free(d->subcriteria[i].id), text_release(&d->subcriteria[i].name);
	for (size_t i = 0; i < d->ngroups; i++)
		free(d->groups[i].id), text_release(&d->groups[i].name);
	for (size_t i = 0; i < d->nscales; i++) {
		for (size_t j = 0; j < d->scales[i].noptions; j++)
			free(d->scales[i].options[j].code),
				text_release(&d->scales[i].options[j].label);
		free(d->scales[i].options);
		free(d->scales[i].id);
	}
	for (size_t i = 0; i < d->nquestions; i++)
		free(d->questions[i].id), text_release(&d->questions[i].text);
	for (size_t i = 0; i < d->ntiers; i++)
		free(d->tiers[i].id), text_release(&d->tiers[i].label);
	free(d->fields);
	free(d->criteria);
	free(d->subcriteria);
	free(d->groups);
	free(d->scales);
	free(d->questions);
	free(d->tiers);
	free(d->quality.dont_know);
	memset(d, 0, sizeof(*d));
}

const char *def_area(const struct def *d)
{
	return d->district ? d->district : d->province ? d->province : "";
}

const char *def_area_word(const struct def *d)
{
	if (d->district)
		return "huyện";
	return d->province_city ? "thành phố" : "tỉnh";
}

size_t def_find_unit_type(const struct def *d, const char *type)
{
	for (size_t i = 0; type && i < d->nunit_types; i++)
		if (!strcmp(d->unit_types[i].name, type))
			return i;
	return DEF_NONE;
}

size_t def_ranking_of(const struct def *d, const char *type)
{
	size_t t = def_find_unit_type(d, type);

	return t == DEF_NONE ? DEF_NONE : d->unit_types[t].ranking;
}

void def_unit_types_text(const struct def *d, struct strbuf *sb)
{
	for (size_t i = 0; i < d->nunit_types; i++)
		strbuf_addf(sb, "%s%s", i ? ", " : "", d->unit_types[i].name);
}

size_t def_find_criterion(const struct def *d, const char *id)
{
	for (size_t i = 0; id && i < d->ncriteria; i++)
		if (!strcmp(d->criteria[i].id, id))
			return i;
	return DEF_NONE;
}

size_t def_find_group(const struct def *d, const char *id)
{
	for (size_t i = 0; id && i < d->ngroups; i++)
		if (!strcmp(d->groups[i].id, id))
			return i;
	return DEF_NONE;
}

size_t def_find_question(const struct def *d, const char *id)
{
	for (size_t i = 0; id && i < d->nquestions; i++)
		if (!strcmp(d->questions[i].id, id))
			return i;
	return DEF_NONE;
}

const struct def_option *def_find_option(const struct def *d, const struct def_question *q,
					 const char *code)
{
	const struct def_scale *sc;

	if (q->scale == DEF_NONE || !code)
		return NULL;
	sc = &d->scales[q->scale];
	for (size_t i = 0; i < sc->noptions; i++)
		if (!strcmp(sc->options[i].code, code))
			return &sc->options[i];
	return NULL;
}
