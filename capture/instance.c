/* The instance parser: one ODK submission instance from memory into a flat struct. Uses expat
   (a streaming parser, about twice as fast here as building a libxml2 tree) with the same
   policy as core/xml.c: the input must be UTF-8, and a DOCTYPE or entity declaration stops
   the parse at once, so no entity is ever defined, let alone expanded. Elements are matched
   by local name, whatever their prefix: JavaRosa writes the root without a namespace, ODK Web
   Forms in the XForms namespace, meta plain or in the OpenRosa namespace. */
#include "capture.h"

#include <expat.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "strbuf.h"
#include "xml.h"


enum slot { SLOT_NONE, SLOT_FIELD, SLOT_INSTANCE_ID, SLOT_INSTANCE_NAME, SLOT_DEPRECATED_ID };

/* While parsing, strings are offsets into pool (which may move); pointers come at the end. */
struct field_at {
	size_t name, value;
	long line;
	int nested;
};

struct capture_parser {
	XML_Parser xp;
	unsigned long salt; /* expat's hash salt, drawn once: a reset would draw it again */
	int max_depth;
	int depth;
	int in_meta;      /* depth-2 element is meta */
	enum slot slot;   /* where character data goes */
	size_t text_start;
	const char *stop_reason;
	long stop_line;
	struct strbuf pool;
	struct field_at *at;
	size_t nat, atalloc;
	struct capture_field *fields;
	size_t falloc;
	size_t root, form_id, form_version, iid, iname, did; /* offsets; SIZE_MAX: absent */
	long line, iid_line, did_line;
	int is_form;
};

/* The name without its prefix: namespaces are not needed to read an instance, and a parser
   that does not bind them is markedly faster on JavaRosa's five declarations a root. */
static const char *local_name(const char *name)
{
	const char *s = strrchr(name, ':');

	return s ? s + 1 : name;
}

static size_t pool_add(struct capture_parser *p, const char *s, size_t n)
{
	size_t at = p->pool.len;

	strbuf_grow(&p->pool, n + 1);
	memcpy(p->pool.buf + at, s, n);
	p->pool.buf[at + n] = '\0';
	p->pool.len += n + 1;
	return at;
}

static void stop(struct capture_parser *p, const char *reason)
{
	if (!p->stop_reason) {
		p->stop_reason = reason;
		p->stop_line = XML_GetCurrentLineNumber(p->xp);
	}
	XML_StopParser(p->xp, XML_FALSE);
}

static void on_doctype(void *ud, const XML_Char *name, const XML_Char *sys, const XML_Char *pub,
		       int internal)
{
	(void)name, (void)sys, (void)pub, (void)internal;
	stop(ud, "doctype");
}

static void on_entity(void *ud, const XML_Char *name, int param, const XML_Char *value, int len,
		      const XML_Char *base, const XML_Char *sys, const XML_Char *pub,
		      const XML_Char *notation)
{
	(void)name, (void)param, (void)value, (void)len, (void)base, (void)sys, (void)pub;
	(void)notation;
	stop(ud, "doctype");
}

/* Start collecting character data for a slot. */
static void collect(struct capture_parser *p, enum slot s)
{
	p->slot = s;
	p->text_start = p->pool.len;
}

static const char *at(const struct capture_parser *p, size_t off);

static void on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct capture_parser *p = ud;
	const char *local = local_name(name);

	if (p->slot != SLOT_NONE) {
		/* an element inside an answer or a meta value */
		if (p->slot == SLOT_FIELD)
			p->at[p->nat - 1].nested = 1;
		p->slot = SLOT_NONE;
		p->pool.len = p->text_start;
	}
	if (++p->depth > p->max_depth) {
		stop(p, "too-deep");
		return;
	}
	if (p->depth == 1) {
		p->line = XML_GetCurrentLineNumber(p->xp);
		p->root = pool_add(p, local, strlen(local));
		p->is_form = !strcmp(local, "html");
		/* by local name: older XLSForm output, as Collect serializes it, has orx:version */
		for (size_t i = 0; atts[i]; i += 2) {
			const char *att = local_name(atts[i]);

			if (!strncmp(atts[i], "xmlns", 5))
				continue;
			if (!strcmp(att, "id") && p->form_id == SIZE_MAX)
				p->form_id = pool_add(p, atts[i + 1], strlen(atts[i + 1]));
			else if (!strcmp(att, "version") && p->form_version == SIZE_MAX)
				p->form_version = pool_add(p, atts[i + 1], strlen(atts[i + 1]));
		}
	} else if (p->depth == 2) {
		p->in_meta = !strcmp(local, "meta");
		if (!p->in_meta) {
			struct field_at *f;

			xgrow(&p->at, &p->atalloc, p->nat + 1, sizeof(*p->at));
			f = &p->at[p->nat++];
			f->name = pool_add(p, local, strlen(local));
			f->value = SIZE_MAX;
			f->line = XML_GetCurrentLineNumber(p->xp);
			f->nested = 0;
			collect(p, SLOT_FIELD);
		}
	} else if (p->depth == 3 && !p->in_meta && p->nat && !strcmp(local, "file") &&
		   !strcmp(at(p, p->at[p->nat - 1].name), "media")) {
		/* an encrypted submission's manifest: <media><file>NAME.enc</file></media>, each
		   file a field "media" whose value is its name (a second file in one <media>, as
		   old Aggregate clients wrote, another such field) */
		if (p->at[p->nat - 1].value != SIZE_MAX) {
			struct field_at *f;

			xgrow(&p->at, &p->atalloc, p->nat + 1, sizeof(*p->at));
			f = &p->at[p->nat++];
			f->name = p->at[p->nat - 2].name;
			f->value = SIZE_MAX;
			f->line = XML_GetCurrentLineNumber(p->xp);
			f->nested = 1;
		}
		collect(p, SLOT_FIELD);
	} else if (p->depth == 3 && p->in_meta) {
		if (!strcmp(local, "instanceID")) {
			p->iid_line = XML_GetCurrentLineNumber(p->xp);
			collect(p, SLOT_INSTANCE_ID);
		} else if (!strcmp(local, "instanceName")) {
			collect(p, SLOT_INSTANCE_NAME);
		} else if (!strcmp(local, "deprecatedID")) {
			p->did_line = XML_GetCurrentLineNumber(p->xp);
			collect(p, SLOT_DEPRECATED_ID);
		}
	}
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void on_end(void *ud, const XML_Char *name)
{
	struct capture_parser *p = ud;
	size_t *to = NULL;

	(void)name;
	if (p->slot != SLOT_NONE) {
		/* trim the collected text in place and close it */
		char *s = p->pool.buf + p->text_start;
		size_t n = p->pool.len - p->text_start, lead = 0;

		while (lead < n && is_space(s[lead]))
			lead++;
		while (n > lead && is_space(s[n - 1]))
			n--;
		memmove(s, s + lead, n - lead);
		p->pool.len = p->text_start + (n - lead);
		strbuf_addc(&p->pool, '\0');
		switch (p->slot) {
		case SLOT_FIELD: to = &p->at[p->nat - 1].value; break;
		case SLOT_INSTANCE_ID: to = &p->iid; break;
		case SLOT_INSTANCE_NAME: to = &p->iname; break;
		case SLOT_DEPRECATED_ID: to = &p->did; break;
		default: break;
		}
		if (to && *to == SIZE_MAX)
			*to = p->text_start;
		p->slot = SLOT_NONE;
	}
	if (p->depth == 2)
		p->in_meta = 0;
	p->depth--;
}

static void on_text(void *ud, const XML_Char *s, int len)
{
	struct capture_parser *p = ud;

	if (p->slot != SLOT_NONE)
		strbuf_add(&p->pool, s, (size_t)len);
}

/* UTF-8 validity, with a fast path over the ASCII that makes up most of an instance. */
static int utf8_valid(const char *buf, size_t len)
{
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, buf + i, 8);
		if (w & 0x8080808080808080ull)
			break;
	}
	while (i < len && !(buf[i] & 0x80))
		i++;
	return xml_utf8_valid(buf + i, len - i);
}

struct capture_parser *capture_parser_new(int max_depth)
{
	struct capture_parser *p = xcalloc(1, sizeof(*p));

	p->xp = XML_ParserCreate("UTF-8");
	if (!p->xp) {
		fprintf(stderr, "parindex: out of memory\n");
		abort();
	}
	p->max_depth = max_depth > 0 ? max_depth : 32;
	if (getrandom(&p->salt, sizeof(p->salt), 0) != sizeof(p->salt))
		p->salt = (unsigned long)(uintptr_t)p ^ (unsigned long)time(NULL);
	return p;
}

void capture_parser_free(struct capture_parser *p)
{
	if (!p)
		return;
	XML_ParserFree(p->xp);
	strbuf_release(&p->pool);
	free(p->at);
	free(p->fields);
	free(p);
}

static const char *at(const struct capture_parser *p, size_t off)
{
	return off == SIZE_MAX ? NULL : p->pool.buf + off;
}

int capture_parse(struct capture_parser *p, const char *buf, size_t len,
		  struct capture_instance *inst, struct capture_problem *prob)
{
	enum XML_Status st;

	memset(inst, 0, sizeof(*inst));
	prob->reason = NULL;
	prob->line = 0;
	prob->msg[0] = '\0';
	if (!utf8_valid(buf, len)) {
		prob->reason = "not-utf8";
		snprintf(prob->msg, sizeof(prob->msg), "not valid UTF-8");
		return -1;
	}
	if (len > 0x7fffffff) {
		prob->reason = "too-large";
		snprintf(prob->msg, sizeof(prob->msg), "document too large");
		return -1;
	}
	XML_ParserReset(p->xp, "UTF-8");
	XML_SetHashSalt(p->xp, p->salt);
	XML_SetUserData(p->xp, p);
	XML_SetElementHandler(p->xp, on_start, on_end);
	XML_SetCharacterDataHandler(p->xp, on_text);
	XML_SetStartDoctypeDeclHandler(p->xp, on_doctype);
	XML_SetEntityDeclHandler(p->xp, on_entity);
	XML_SetParamEntityParsing(p->xp, XML_PARAM_ENTITY_PARSING_NEVER);
	p->depth = 0;
	p->in_meta = 0;
	p->slot = SLOT_NONE;
	p->stop_reason = NULL;
	p->stop_line = 0;
	strbuf_reset(&p->pool);
	p->nat = 0;
	p->root = p->form_id = p->form_version = p->iid = p->iname = p->did = SIZE_MAX;
	p->line = p->iid_line = p->did_line = 0;
	p->is_form = 0;

	st = XML_Parse(p->xp, buf, (int)len, XML_TRUE);
	if (p->stop_reason) {
		prob->reason = p->stop_reason;
		prob->line = p->stop_line;
		if (!strcmp(p->stop_reason, "doctype"))
			snprintf(prob->msg, sizeof(prob->msg), "DOCTYPE or entity declaration refused");
		else
			snprintf(prob->msg, sizeof(prob->msg), "elements nested deeper than %d",
				 p->max_depth);
		return -1;
	}
	if (st != XML_STATUS_OK) {
		prob->reason = "malformed";
		prob->line = XML_GetCurrentLineNumber(p->xp);
		snprintf(prob->msg, sizeof(prob->msg), "not well-formed XML: %s",
			 XML_ErrorString(XML_GetErrorCode(p->xp)));
		return -1;
	}
	xgrow(&p->fields, &p->falloc, p->nat + 1, sizeof(*p->fields));
	for (size_t i = 0; i < p->nat; i++) {
		p->fields[i].name = at(p, p->at[i].name);
		p->fields[i].value = p->at[i].value == SIZE_MAX ? "" : at(p, p->at[i].value);
		p->fields[i].line = p->at[i].line;
		p->fields[i].nested = p->at[i].nested;
	}
	inst->root = at(p, p->root);
	inst->form_id = at(p, p->form_id);
	inst->form_version = at(p, p->form_version);
	inst->line = p->line;
	inst->is_form = p->is_form;
	inst->fields = p->fields;
	inst->nfields = p->nat;
	inst->instance_id = at(p, p->iid);
	inst->instance_name = at(p, p->iname);
	inst->deprecated_id = at(p, p->did);
	inst->instance_id_line = p->iid_line;
	inst->deprecated_id_line = p->did_line;
	return 0;
}
