/* Safe XML parsing on top of libxml2. */
#include "xml.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <string.h>

struct parse_state {
	int doctype;
	long doctype_line;
	size_t nodes, max_nodes;
	int too_many;
	long too_many_line;
	startElementNsSAX2Func element;
	charactersSAXFunc text, blank;
};

/* Count n nodes; past the limit stop the parser, keeping no more. */
static int more_nodes(xmlParserCtxtPtr c, size_t n)
{
	struct parse_state *st = c->_private;

	st->nodes += n;
	if (st->nodes <= st->max_nodes)
		return 1;
	if (!st->too_many) {
		st->too_many = 1;
		st->too_many_line = c->input ? c->input->line : 0;
	}
	xmlStopParser(c);
	return 0;
}

static void on_element(void *ctx, const xmlChar *localname, const xmlChar *prefix,
		       const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
		       int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
	xmlParserCtxtPtr c = ctx;

	/* an attribute is a node of the tree and its value another */
	if (more_nodes(c, 1 + 2 * (size_t)(nb_attributes > 0 ? nb_attributes : 0)))
		((struct parse_state *)c->_private)->element(ctx, localname, prefix, uri,
							     nb_namespaces, namespaces,
							     nb_attributes, nb_defaulted,
							     attributes);
}

static void on_text(void *ctx, const xmlChar *ch, int len)
{
	xmlParserCtxtPtr c = ctx;

	if (more_nodes(c, 1))
		((struct parse_state *)c->_private)->text(ctx, ch, len);
}

static void on_blank(void *ctx, const xmlChar *ch, int len)
{
	xmlParserCtxtPtr c = ctx;

	if (more_nodes(c, 1))
		((struct parse_state *)c->_private)->blank(ctx, ch, len);
}

/* SAX hooks that fire on a DOCTYPE or entity declaration: stop at once, keep nothing. */
static void on_internal_subset(void *ctx, const xmlChar *name, const xmlChar *ext,
			       const xmlChar *sys)
{
	xmlParserCtxtPtr c = ctx;
	struct parse_state *st = c->_private;

	(void)name, (void)ext, (void)sys;
	st->doctype = 1;
	st->doctype_line = c->input ? c->input->line : 0;
	xmlStopParser(c);
}

static void on_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *pub,
			   const xmlChar *sys, xmlChar *content)
{
	(void)name, (void)type, (void)pub, (void)sys, (void)content;
	on_internal_subset(ctx, NULL, NULL, NULL);
}

static int depth_exceeds(xmlNode *n, int depth, int max)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (depth > max || depth_exceeds(n->children, depth + 1, max))
			return 1;
	}
	return 0;
}

static void silent(void *ctx, const char *msg, ...)
{
	(void)ctx, (void)msg;
}

xmlDoc *xml_parse(const char *buf, size_t len, const char *name,
		  const struct xml_limits *lim, struct perr *err)
{
	struct parse_state st = { 0 };
	xmlParserCtxtPtr c;
	xmlDoc *doc = NULL;
	const xmlError *xe;
	char where[300];

	if (lim && lim->max_bytes && len > lim->max_bytes)
		return perr_set(err, PERR_DATA, name, "document is %zu bytes, over the limit of %zu",
				len, lim->max_bytes), NULL;
	if (len > (size_t)0x7fffffff)
		return perr_set(err, PERR_DATA, name, "document too large"), NULL;
	if (!xml_utf8_valid(buf, len))
		return perr_set(err, PERR_DATA, name, "not valid UTF-8"), NULL;
	c = xmlCreateMemoryParserCtxt(buf, (int)len);
	if (!c)
		return perr_set(err, PERR_SYSTEM, name, "cannot create XML parser"), NULL;
	c->_private = &st;
	c->sax->internalSubset = on_internal_subset;
	c->sax->externalSubset = on_internal_subset;
	c->sax->entityDecl = on_entity_decl;
	c->sax->warning = silent;
	c->sax->error = silent;
	c->sax->serror = NULL;
	c->vctxt.error = silent;
	c->vctxt.warning = silent;
	xmlCtxtUseOptions(c, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
			     XML_PARSE_BIG_LINES | XML_PARSE_NOCDATA);
	if (lim && lim->max_nodes && c->sax->startElementNs && c->sax->characters &&
	    c->sax->ignorableWhitespace) {
		st.max_nodes = lim->max_nodes;
		st.element = c->sax->startElementNs;
		st.text = c->sax->characters;
		st.blank = c->sax->ignorableWhitespace;
		c->sax->startElementNs = on_element;
		c->sax->characters = on_text;
		c->sax->ignorableWhitespace = on_blank;
	}
	xmlParseDocument(c);
	if (st.too_many) {
		snprintf(where, sizeof(where), "%s:%ld", name, st.too_many_line);
		perr_set(err, PERR_DATA, where, "more than %zu elements, attributes and texts: too large",
			 st.max_nodes);
		goto cleanup;
	}
	if (st.doctype) {
		snprintf(where, sizeof(where), "%s:%ld", name, st.doctype_line);
		perr_set(err, PERR_DATA, where, "DOCTYPE or entity declaration refused");
		goto cleanup;
	}
	if (!c->wellFormed || !c->myDoc) {
		xe = xmlCtxtGetLastError(c);
		snprintf(where, sizeof(where), "%s:%d", name, xe ? xe->line : 0);
		perr_set(err, PERR_DATA, where, "not well-formed XML: %s",
			 xe && xe->message ? xe->message : "parse error");
		/* libxml2 messages end with a newline; messages here do not */
		if (err) {
			size_t n = strlen(err->msg);
			while (n && (err->msg[n - 1] == '\n' || err->msg[n - 1] == ' '))
				err->msg[--n] = '\0';
		}
		goto cleanup;
	}
	doc = c->myDoc;
	c->myDoc = NULL;
	if (lim && lim->max_depth && depth_exceeds(doc->children, 1, lim->max_depth)) {
		perr_set(err, PERR_DATA, name, "elements nested deeper than %d", lim->max_depth);
		xmlFreeDoc(doc);
		doc = NULL;
	}
cleanup:
	if (c->myDoc)
		xmlFreeDoc(c->myDoc);
	c->myDoc = NULL;
	xmlFreeParserCtxt(c);
	return doc;
}

int xml_utf8_valid(const char *buf, size_t len)
{
	const unsigned char *s = (const unsigned char *)buf, *end = s + len;

	while (s < end) {
		unsigned c = *s;
		size_t n;
		unsigned cp;

		if (c < 0x80) {
			s++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, cp = c & 0x07;
		else
			return 0;
		if ((size_t)(end - s) <= n)
			return 0;
		for (size_t i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		s += n + 1;
	}
	return 1;
}

int xml_is(const xmlNode *node, const char *name)
{
	return node && node->type == XML_ELEMENT_NODE && !strcmp((const char *)node->name, name);
}

xmlNode *xml_next(xmlNode *node, const char *name)
{
	for (node = node ? node->next : NULL; node; node = node->next)
		if (node->type == XML_ELEMENT_NODE && (!name || xml_is(node, name)))
			return node;
	return NULL;
}

xmlNode *xml_first(xmlNode *parent, const char *name)
{
	xmlNode *n = parent ? parent->children : NULL;

	if (n && n->type == XML_ELEMENT_NODE && (!name || xml_is(n, name)))
		return n;
	return xml_next(n, name);
}

const char *xml_attr(const xmlNode *node, const char *name)
{
	for (xmlAttr *a = node->properties; a; a = a->next)
		if (!strcmp((const char *)a->name, name) && a->children &&
		    a->children->type == XML_TEXT_NODE)
			return (const char *)a->children->content;
		else if (!strcmp((const char *)a->name, name))
			return "";
	return NULL;
}

char *xml_text(const xmlNode *node)
{
	xmlChar *t = xmlNodeGetContent(node);
	const char *s = t ? (const char *)t : "";
	size_t len;
	char *out;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' ||
		       s[len - 1] == '\r'))
		len--;
	out = xstrndup(s, len);
	xmlFree(t);
	return out;
}

long xml_line(const xmlNode *node)
{
	return xmlGetLineNo(node);
}
