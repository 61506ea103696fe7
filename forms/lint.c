/* The XForm lint: what ODK Collect (JavaRosa) refuses or mishandles but lenient engines load
   without a word. Run on every form parindex writes, and on any file by `parindex forms lint`. */
#include "forms.h"
#include "strbuf.h"
#include "xml.h"
#include "xpath.h"

#include <libxml/tree.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_XFORMS "http://www.w3.org/2002/xforms"
#define NS_XHTML "http://www.w3.org/1999/xhtml"
#define NS_ODK "http://www.opendatakit.org/xforms"
#define NS_ORX "http://openrosa.org/xforms"

struct node_path {
	char *path;	    /* local names: /data/meta/instanceID, /data/meta/entity/@id */
	const char *prefix; /* the prefix <h:html> declares for the node's namespace, or NULL */
	int has_control;
};

/* A calculate, relevant, readonly or required of a bind: JavaRosa's triggerable. It is
   evaluated again when a node it reads (a trigger) changes, and changes its target (a
   relevant or readonly also the target's descendants). */
struct triggerable {
	const char *attr;
	long line;
	char *target; /* the bind's nodeset, canonical */
	char **triggers; /* canonical paths into the primary instance */
	size_t ntriggers;
	const char *unsupported; /* a path JavaRosa cannot read: why */
};

struct lint {
	const char *name;
	struct diag *diag;
	struct diag *warn; /* what JavaRosa accepts but is suspect; NULL: counted as errors */
	enum lint_for mode;
	xmlNode *html; /* the root, whose namespace declarations JavaRosa maps URIs by */
	const char *root; /* the primary instance root's name */
	xmlNode *model;
	struct node_path *paths;
	size_t npaths, alloc;
	size_t *hidx, hcap; /* the paths' hash table (find_path) */
	/* translations: their names and text ids */
	size_t ntr, def_tr;
	char **tr_lang;
	char ***tr_ids;
	size_t *tr_n;
	struct triggerable *trig;
	size_t ntrig, trig_alloc;
	char **repeats; /* the body's repeats' nodesets, canonical */
	size_t nrepeats;
	const char *in_repeat; /* the innermost repeat check_body is in, or NULL */
};

static int in_ns(const xmlNode *n, const char *ns)
{
	return n && n->type == XML_ELEMENT_NODE && n->ns && !strcmp((const char *)n->ns->href, ns);
}

static int is(const xmlNode *n, const char *ns, const char *name)
{
	return in_ns(n, ns) && !strcmp((const char *)n->name, name);
}

static xmlNode *child(xmlNode *parent, const char *ns, const char *name)
{
	for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
		if (is(c, ns, name))
			return c;
	return NULL;
}

static const char *attr_ns(const xmlNode *n, const char *ns, const char *name)
{
	for (xmlAttr *a = n->properties; a; a = a->next)
		if (!strcmp((const char *)a->name, name) && a->ns &&
		    !strcmp((const char *)a->ns->href, ns))
			return a->children ? (const char *)a->children->content : "";
	return NULL;
}

/* A plain (namespace-less) attribute. */
static const char *attr(const xmlNode *n, const char *name)
{
	for (xmlAttr *a = n->properties; a; a = a->next)
		if (!strcmp((const char *)a->name, name) && !a->ns)
			return a->children ? (const char *)a->children->content : "";
	return NULL;
}

/* A warning: what JavaRosa loads but is suspect. On parindex's own forms it is an error. */
static void lint_warn(struct lint *l, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void lint_warn(struct lint *l, long line, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	msg = xmalloc((size_t)(n > 0 ? n : 0) + 1);
	va_start(ap, fmt);
	vsnprintf(msg, (size_t)(n > 0 ? n : 0) + 1, fmt, ap);
	va_end(ap);
	if (l->mode == LINT_OWN || !l->warn)
		diag_add(l->diag, l->name, line, "%s", msg);
	else
		diag_add(l->warn, l->name, line, "warning: %s", msg);
	free(msg);
}

/* The prefix JavaRosa gives a node of namespace ns: the one <h:html> declares for its URI
   (the last, if several), NULL when none does or it is the default namespace. A ref's step
   P:NAME names the node when P is that prefix; a bare NAME names it whatever its namespace. */
static const char *jr_prefix(const struct lint *l, const xmlNs *ns)
{
	const char *prefix = NULL;

	for (const xmlNs *d = ns && l->html ? l->html->nsDef : NULL; d; d = d->next)
		if (d->href && !strcmp((const char *)d->href, (const char *)ns->href))
			prefix = (const char *)d->prefix;
	return prefix;
}

static int ncname(const char *s)
{
	return *s && xmlValidateNCName((const xmlChar *)s, 0) == 0;
}

/* A name as ODK accepts it: an NCName, or prefix:NCName in the OpenRosa namespace (orx:meta). */
static int name_ok(const char *s, int allow_prefix)
{
	const char *colon = strchr(s, ':');
	char *prefix;
	int ok;

	if (!colon)
		return ncname(s);
	if (!allow_prefix)
		return 0;
	prefix = xstrndup(s, (size_t)(colon - s));
	ok = ncname(prefix) && ncname(colon + 1);
	free(prefix);
	return ok;
}

static size_t path_hash(const char *path)
{
	size_t h = 5381;

	for (; *path; path++)
		h = h * 33 + (unsigned char)*path;
	return h;
}

/* The paths are found through an open-addressing table of their indexes (plus one; 0 free),
   at most half full: a form of 100,000 nodes is not 10^10 comparisons. */
static struct node_path *find_path(struct lint *l, const char *path)
{
	if (!l->hcap)
		return NULL;
	for (size_t i = path_hash(path) & (l->hcap - 1); l->hidx[i]; i = (i + 1) & (l->hcap - 1))
		if (!strcmp(l->paths[l->hidx[i] - 1].path, path))
			return &l->paths[l->hidx[i] - 1];
	return NULL;
}

static void hash_insert(struct lint *l, size_t k)
{
	size_t i = path_hash(l->paths[k].path) & (l->hcap - 1);

	while (l->hidx[i])
		i = (i + 1) & (l->hcap - 1);
	l->hidx[i] = k + 1;
}

static void add_path(struct lint *l, const char *path, const char *prefix)
{
	/* siblings of one name (a repeat's template and instances) share a path */
	if (find_path(l, path))
		return;
	xgrow(&l->paths, &l->alloc, l->npaths + 1, sizeof(*l->paths));
	l->paths[l->npaths++] = (struct node_path){ xstrdup(path), prefix, 0 };
	if (l->npaths * 2 > l->hcap) {
		free(l->hidx);
		l->hcap = l->hcap ? l->hcap * 2 : 64;
		l->hidx = xcalloc(l->hcap, sizeof(*l->hidx));
		for (size_t k = 0; k < l->npaths; k++)
			hash_insert(l, k);
	} else {
		hash_insert(l, l->npaths - 1);
	}
}

/* The attributes of an instance element are nodes too (binds on @id in entity forms). */
static void attribute_paths(struct lint *l, const xmlNode *n, const char *path)
{
	for (const xmlAttr *a = n->properties; a; a = a->next) {
		char *p = xasprintf("%s/@%s", path, (const char *)a->name);

		add_path(l, p, jr_prefix(l, a->ns));
		free(p);
	}
}

/* Collect the primary instance's element paths, checking each name. */
static void instance_paths(struct lint *l, xmlNode *n, const char *parent)
{
	for (; n; n = n->next) {
		char *path, *qname;
		int orx;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		orx = n->ns && !strcmp((const char *)n->ns->href, NS_ORX);
		qname = n->ns && n->ns->prefix
				? xasprintf("%s:%s", (const char *)n->ns->prefix, (const char *)n->name)
				: xstrdup((const char *)n->name);
		/* JavaRosa reads a name with any declared prefix; ODK writes only orx: */
		if (!name_ok(qname, 1))
			diag_add(l->diag, l->name, xml_line(n),
				 "instance element name '%s' is not an XML NCName", qname);
		else if (!orx && strchr(qname, ':'))
			lint_warn(l, xml_line(n),
				  "instance element name '%s' is not an XML NCName (a prefix of "
				  "another namespace than OpenRosa's)",
				  qname);
		free(qname);
		path = xasprintf("%s/%s", parent, (const char *)n->name);
		add_path(l, path, jr_prefix(l, n->ns));
		attribute_paths(l, n, path);
		instance_paths(l, n->children, path);
		free(path);
	}
}

/* ref (a location path into the primary instance, read at node n) as the lint compares it:
   relative to context (canonical; NULL: the instance root, as JavaRosa resolves top-level
   refs), "." and ".." applied, each P:NAME step made NAME when P is the prefix JavaRosa gives
   that node (else kept, so the path is not found). NULL when a step is not a name, with a
   diagnostic unless what is NULL. */
static char *canon_path(struct lint *l, xmlNode *n, const char *ref, const char *context,
			long line, const char *what)
{
	char *out, *copy = xstrdup(ref), *save = NULL;

	if (ref[0] == '/')
		out = xstrdup("");
	else
		out = context ? xstrdup(context) : xasprintf("/%s", l->root);
	for (char *step = strtok_r(copy, "/", &save); step; step = strtok_r(NULL, "/", &save)) {
		int is_attr = step[0] == '@';
		const char *name = step + is_attr, *colon;
		char *next;

		/* current() in a ref is the node the ref is read from */
		if (!strcmp(step, ".") || (step == copy && !strcmp(step, "current()")))
			continue;
		if (!strcmp(step, "..")) {
			char *slash = strrchr(out, '/');

			if (slash)
				*slash = '\0';
			continue;
		}
		if (!name_ok(name, 1)) {
			if (what)
				diag_add(l->diag, l->name, line,
					 "name '%s' in %s '%s' is not an XML NCName", step, what, ref);
			free(copy);
			free(out);
			return NULL;
		}
		colon = strchr(name, ':');
		next = xasprintf("%s/%s%s", out, is_attr ? "@" : "", colon ? colon + 1 : name);
		if (colon) {
			struct node_path *p = find_path(l, next);

			if (!p || !p->prefix || strncmp(p->prefix, name, (size_t)(colon - name)) ||
			    p->prefix[colon - name]) {
				free(next);
				next = xasprintf("%s/%s", out, step);
			}
		}
		free(out);
		out = next;
	}
	free(copy);
	if (!*out) {
		free(out);
		out = xstrdup("/");
	}
	return out;
}

/* What JavaRosa's XPathPathExpr.getReference refuses in path x ("filter expression", "step
   other than 'child::name', '.', '..'"), or NULL. */
static const char *jr_unsupported_path(const struct xpath *x)
{
	int parents = !x->absolute;

	if (x->base) {
		const struct xpath *f = x->base;

		if (f->kind != XPATH_FUNCTION)
			return "a filter expression";
		if (!strcmp(f->text, "instance")) {
			if (f->nargs != 1 || f->args[0]->kind != XPATH_STRING)
				return "instance() without one string literal";
			parents = 0;
		} else if (!strcmp(f->text, "current")) {
			parents = 1;
		} else {
			return "a filter expression";
		}
	}
	for (size_t i = 0; i < x->nsteps; i++) {
		const struct xpath_step *st = &x->steps[i];
		int node = st->test == XPATH_DOT || st->test == XPATH_DOTDOT ||
			   (st->test == XPATH_NODETYPE && !strcmp(st->name, "node"));

		switch (st->axis) {
		case XPATH_SELF:
			if (!node)
				return "a step other than child::name, '.', '..'";
			break;
		case XPATH_PARENT:
			if (!node || !parents)
				return "a step other than child::name, '.', '..'";
			break;
		case XPATH_ATTRIBUTE:
			if (st->test != XPATH_NAME)
				return "an attribute step other than attribute::name";
			parents = 0;
			break;
		case XPATH_CHILD:
			if (st->test != XPATH_NAME && !(st->test == XPATH_ANY && !st->name))
				return "a step other than child::name, '.', '..'";
			parents = 1;
			break;
		default:
			return "a step other than child::name, '.', '..'";
		}
	}
	return NULL;
}

/* Is ref a location path JavaRosa reads? (No message: xpath_is_path gives them.) */
static int xpath_quiet_path(const char *ref)
{
	struct xpath *x;
	char msg[160];
	int ok;

	if (xpath_parse(ref, &x, msg, sizeof(msg)) < 0)
		return 0;
	ok = x->kind == XPATH_PATH && !jr_unsupported_path(x);
	xpath_free(x);
	return ok;
}

/* Is ref XPath, and a location path, as JavaRosa requires of a ref or nodeset? Else an error. */
static int xpath_is_path(struct lint *l, xmlNode *n, const char *ref, const char *what)
{
	struct xpath *x;
	char msg[160];
	int ok;

	if (xpath_parse(ref, &x, msg, sizeof(msg)) < 0) {
		diag_add(l->diag, l->name, xml_line(n), "%s '%s' is not valid XPath: %s", what, ref,
			 msg);
		return 0;
	}
	ok = x->kind == XPATH_PATH;
	if (!ok)
		diag_add(l->diag, l->name, xml_line(n), "%s '%s' is not a path", what, ref);
	else if (jr_unsupported_path(x)) {
		diag_add(l->diag, l->name, xml_line(n), "%s '%s' has %s, which JavaRosa cannot read",
			 what, ref, jr_unsupported_path(x));
		ok = 0;
	}
	xpath_free(x);
	return ok;
}

/* Check that ref (read at n, relative to context) names an instance node; returns it or NULL.
   *canon (when not NULL) gets the canonical path, or NULL. A missing node is an error, or a
   warning when only_warn (JavaRosa ignores a bind for a node that is not there). */
static struct node_path *check_ref(struct lint *l, xmlNode *n, const char *ref,
				   const char *context, const char *what, int only_warn,
				   char **canon)
{
	long line = xml_line(n);
	char *path = xpath_is_path(l, n, ref, what) ? canon_path(l, n, ref, context, line, what)
						    : NULL;
	struct node_path *p = path ? find_path(l, path) : NULL;

	if (path && !p && only_warn)
		lint_warn(l, line, "%s '%s' is not in the instance", what, ref);
	else if (path && !p)
		diag_add(l->diag, l->name, line, "%s '%s' is not in the instance", what, ref);
	if (canon)
		*canon = path;
	else
		free(path);
	return p;
}

static int name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.' || c == ':' || (unsigned char)c >= 0x80;
}

/* A path of x as a ref canon_path reads ("a/../@b", "/data/x"), its steps up to step upto
   (exclusive); NULL when a step is not a name, '.' or '..' on the child or attribute axis. */
static char *path_ref(const struct xpath *x, size_t upto)
{
	struct strbuf sb = STRBUF_INIT;

	if (x->absolute)
		strbuf_addc(&sb, '/');
	for (size_t i = 0; i < upto; i++) {
		const struct xpath_step *st = &x->steps[i];

		if (i && sb.len && sb.buf[sb.len - 1] != '/')
			strbuf_addc(&sb, '/');
		if (st->test == XPATH_DOT || st->test == XPATH_DOTDOT)
			strbuf_adds(&sb, st->test == XPATH_DOT ? "." : "..");
		else if (st->test == XPATH_NAME && st->axis == XPATH_CHILD)
			strbuf_adds(&sb, st->name);
		else if (st->test == XPATH_NAME && st->axis == XPATH_ATTRIBUTE)
			strbuf_addf(&sb, "@%s", st->name);
		else {
			strbuf_release(&sb);
			return NULL;
		}
	}
	if (!sb.len)
		strbuf_addc(&sb, '.');
	return strbuf_detach(&sb, NULL);
}

/* A path t reads (one read twice is kept twice: check_cycles makes one edge of them). */
static void add_trigger(struct triggerable *t, char *path)
{
	t->triggers = xrealloc(t->triggers, (t->ntriggers + 1) * sizeof(*t->triggers));
	t->triggers[t->ntriggers++] = path;
}

/* The nodes of the primary instance that x reads, as JavaRosa's XPathConditional.getTriggers
   finds them: every location path, relative ones read at ctx (NULL: not in the primary
   instance, so only absolute paths count), current() the bind's node orig; paths in
   predicates read at the step they filter. A path from instance('id') reads a secondary
   instance, but absolute paths in its predicates read the primary one. */
static void triggers_of(struct lint *l, xmlNode *n, const struct xpath *x, const char *ctx,
			const char *orig, struct triggerable *t)
{
	const char *start = ctx, *bad;
	int primary = 1;

	if (!x)
		return;
	if (x->kind == XPATH_BINARY || x->kind == XPATH_NEGATE || x->kind == XPATH_FUNCTION) {
		for (size_t i = 0; i < x->nargs; i++)
			triggers_of(l, n, x->args[i], ctx, orig, t);
		return;
	}
	if (x->kind != XPATH_PATH)
		return;
	bad = jr_unsupported_path(x);
	if (bad) {
		if (!t->unsupported)
			t->unsupported = bad;
		return;
	}
	if (x->base) {
		if (!strcmp(x->base->text, "current"))
			start = orig;
		else
			primary = 0;
	}
	if (primary && !x->absolute && !start)
		primary = 0;
	for (size_t i = 0; i < x->nsteps; i++) {
		const struct xpath_step *st = &x->steps[i];
		char *ref, *here;

		if (!st->npreds)
			continue;
		ref = primary ? path_ref(x, i + 1) : NULL;
		here = ref ? canon_path(l, n, ref, start, 0, NULL) : NULL;
		for (size_t k = 0; k < st->npreds; k++)
			triggers_of(l, n, st->preds[k], here, orig, t);
		free(here);
		free(ref);
	}
	if (primary && (x->nsteps || !x->absolute)) {
		char *ref = path_ref(x, x->nsteps), *path;

		path = ref ? canon_path(l, n, ref, start, 0, NULL) : NULL;
		if (path)
			add_trigger(t, path);
		free(ref);
	}
}

/* The functions JavaRosa evaluates (XPathFuncExpr, current() in a path, the handlers FormDef
   adds) and ODK Collect's pulldata. */
static const char *const jr_functions[] = {
	"abs", "acos", "area", "asin", "atan", "atan2", "base64-decode", "boolean",
	"boolean-from-string", "checklist", "coalesce", "concat", "contains", "cos", "count",
	"count-non-empty", "count-selected", "current", "date", "date-time", "decimal-date-time",
	"decimal-time", "depend", "digest", "distance", "enclosed-area", "ends-with", "exp",
	"exp10", "extract-signed", "false", "format-date", "format-date-time", "geofence", "if",
	"indexed-repeat", "instance", "int", "is-selected", "join", "jr:choice-name", "jr:itext",
	"log", "log10", "max", "min", "normalize-space", "not", "now", "number", "once", "pi",
	"position", "pow", "property", "pulldata", "random", "randomize", "regex", "round",
	"selected", "selected-at", "sin", "sqrt", "starts-with", "string", "string-length",
	"substr", "substring-after", "substring-before", "sum", "tan", "today", "translate", "true",
	"uuid", "version", "weighted-checklist", NULL,
};

/* A function JavaRosa does not know fails when Collect evaluates the expression (for a
   calculate or relevant, as the form opens); the parser loads it. */
static void check_functions(struct lint *l, xmlNode *n, const struct xpath *x, const char *what)
{
	if (!x)
		return;
	if (x->kind == XPATH_BINARY && !strcmp(x->op, "|"))
		lint_warn(l, xml_line(n),
			  "%s has a union ('|'), which JavaRosa cannot evaluate: it fails when it "
			  "evaluates it",
			  what);
	else if (x->kind == XPATH_VARIABLE)
		lint_warn(l, xml_line(n),
			  "%s reads the variable '$%s': JavaRosa has none, it fails when it evaluates it",
			  what, x->text);
	else if (x->kind == XPATH_FILTER)
		lint_warn(l, xml_line(n),
			  "%s has a filter expression ('(...)[...]'), which JavaRosa cannot evaluate: "
			  "it fails when it evaluates it",
			  what);
	if (x->kind == XPATH_FUNCTION) {
		const char *const *f = jr_functions;

		while (*f && strcmp(*f, x->text))
			f++;
		if (!*f)
			lint_warn(l, xml_line(n),
				  "%s calls '%s()', a function ODK Collect does not know: it fails when "
				  "it evaluates it",
				  what, x->text);
	}
	for (size_t i = 0; i < x->nargs; i++)
		check_functions(l, n, x->args[i], what);
	check_functions(l, n, x->base, what);
	for (size_t i = 0; i < x->nsteps; i++)
		for (size_t k = 0; k < x->steps[i].npreds; k++)
			check_functions(l, n, x->steps[i].preds[k], what);
}

/* The nodes expression x of bind b reads (at its nodeset target). JavaRosa finds them as it
   parses the form for a triggerable (then a path it cannot read refuses the form), as it
   evaluates for a constraint (then it fails only then). A triggerable joins the graph. */
static void add_triggerable(struct lint *l, xmlNode *b, const char *what, const char *expr,
			    const struct xpath *x, const char *target, int triggerable)
{
	struct triggerable t = { what, xml_line(b), xstrdup(target), NULL, 0, NULL };

	triggers_of(l, b, x, target, target, &t);
	if (t.unsupported && triggerable)
		diag_add(l->diag, l->name, t.line, "%s '%s' has %s, which JavaRosa cannot read",
			 what, expr, t.unsupported);
	else if (t.unsupported)
		lint_warn(l, t.line,
			  "%s '%s' has %s, which JavaRosa cannot read: it fails when it evaluates it",
			  what, expr, t.unsupported);
	if (!triggerable) {
		for (size_t k = 0; k < t.ntriggers; k++)
			free(t.triggers[k]);
		free(t.triggers);
		free(t.target);
		return;
	}
	xgrow(&l->trig, &l->trig_alloc, l->ntrig + 1, sizeof(*l->trig));
	l->trig[l->ntrig++] = t;
}

/* An expression of a bind: XPath as JavaRosa parses it; its absolute paths into the primary
   instance must be there. target (when not NULL) is the bind's canonical nodeset, for the
   triggerables (calculate, relevant, readonly, required other than true() and false()). */
static void check_expression(struct lint *l, xmlNode *n, const char *expr, const char *what,
			     const char *target)
{
	long line = xml_line(n);
	size_t rl = strlen(l->root);
	char quote = 0;
	int depth = 0;
	struct xpath *x;
	char msg[160];

	if (xpath_parse(expr, &x, msg, sizeof(msg)) < 0) {
		diag_add(l->diag, l->name, line, "%s '%s' is not valid XPath: %s", what, expr, msg);
		return;
	}
	if (target)
		add_triggerable(l, n, what, expr, x, target,
				strcmp(what, "constraint") &&
					(!strcmp(what, "calculate") ||
					 (strcmp(expr, "true()") && strcmp(expr, "false()"))));
	check_functions(l, n, x, what);
	xpath_free(x);

	for (const char *s = expr; *s; s++) {
		const char *e;
		char *path;

		if (quote) {
			if (*s == quote)
				quote = 0;
			continue;
		}
		if (*s == '\'' || *s == '"') {
			quote = *s;
			continue;
		}
		if (*s == '(' || *s == ')') {
			depth += *s == '(' ? 1 : -1;
			if (depth < 0)
				break;
			continue;
		}
		if (*s != '/' || (s > expr && (name_char(s[-1]) || s[-1] == ')' || s[-1] == ']')))
			continue;
		if (strncmp(s + 1, l->root, rl) || name_char(s[1 + rl]))
			continue;
		for (e = s + 1; name_char(*e) || *e == '/'; e++)
			;
		path = xstrndup(s, (size_t)(e - s));
		while (path[strlen(path) - 1] == '/')
			path[strlen(path) - 1] = '\0';
		check_ref(l, n, path, NULL, what, 0, NULL);
		free(path);
		s = e - 1;
	}
}

static const char *const bind_types[] = {
	"string", "int", "integer", "decimal", "date", "time", "dateTime", "select", "select1",
	"geopoint", "geotrace", "geoshape", "binary", "barcode", "boolean", "intent",
	"xsd:string", "xsd:int", "xsd:integer", "xsd:decimal", "xsd:date", "xsd:time",
	"xsd:dateTime", "xsd:boolean", "odk:rank", NULL,
};

/* Strings each with the line they were first seen on: open addressing, at most half full, so
   the binds' duplicate ids and nodesets are found in one pass (a form of 20,000 binds is not
   2 x 10^8 comparisons). Keys are borrowed. */
struct first_seen {
	const char **key;
	long *line;
	size_t cap;
};

static void first_seen_init(struct first_seen *f, size_t n)
{
	f->cap = 16;
	while (f->cap < 2 * n + 2)
		f->cap *= 2;
	f->key = xcalloc(f->cap, sizeof(*f->key));
	f->line = xcalloc(f->cap, sizeof(*f->line));
}

static void first_seen_release(struct first_seen *f)
{
	free(f->key);
	free(f->line);
}

/* The line key was first seen on (0: never, and it is kept with line now). */
static long first_seen(struct first_seen *f, const char *key, long line)
{
	size_t i = path_hash(key) & (f->cap - 1);

	for (; f->key[i]; i = (i + 1) & (f->cap - 1))
		if (!strcmp(f->key[i], key))
			return f->line[i] > 0 ? f->line[i] : -1;
	f->key[i] = key;
	f->line[i] = line > 0 ? line : -1;
	return 0;
}

static void check_binds(struct lint *l, xmlNode *model)
{
	char **canons; /* the canonical nodeset of each bind, NULL if unknown */
	size_t nbinds = 0, nseen = 0;
	struct first_seen ids, nodesets;

	for (xmlNode *b = model->children; b; b = b->next)
		nbinds += is(b, NS_XFORMS, "bind");
	canons = xcalloc(nbinds + 1, sizeof(*canons));
	first_seen_init(&ids, nbinds);
	first_seen_init(&nodesets, nbinds);
	for (xmlNode *b = model->children; b; b = b->next) {
		static const char *const exprs[] = { "calculate", "relevant", "constraint",
						     "required", "readonly", NULL };
		const char *ns, *type, *id;
		char *canon = NULL;
		long line = xml_line(b), first;

		if (!is(b, NS_XFORMS, "bind"))
			continue;
		ns = attr(b, "nodeset");
		id = attr(b, "id");
		if (!ns) {
			diag_add(l->diag, l->name, line, "bind without a nodeset");
			if (id)
				(void)first_seen(&ids, id, line); /* a later bind's id is still twice */
			continue;
		}
		check_ref(l, b, ns, NULL, "bind nodeset", 1, &canon);
		canons[nseen++] = canon;
		/* JavaRosa refuses a bind id used twice */
		if (id && (first = first_seen(&ids, id, line)) != 0)
			diag_add(l->diag, l->name, line,
				 "bind id '%s' is used twice (the first is on line %ld)", id,
				 first > 0 ? first : 0);
		/* two binds on one node JavaRosa merges: suspect, not wrong */
		if (canon && (first = first_seen(&nodesets, canon, line)) != 0)
			lint_warn(l, line,
				  "a second bind for '%s' (the first is on line %ld): JavaRosa merges them",
				  ns, first > 0 ? first : 0);
		type = attr(b, "type");
		if (type) {
			const char *const *t = bind_types;

			while (*t && strcmp(*t, type))
				t++;
			if (!*t)
				lint_warn(l, line, "bind '%s' has unknown type '%s'", ns, type);
		}
		for (const char *const *x = exprs; *x; x++) {
			const char *e = attr(b, *x);

			if (e)
				check_expression(l, b, e, *x, canon);
		}
	}
	first_seen_release(&ids);
	first_seen_release(&nodesets);
	for (size_t k = 0; k < nseen; k++)
		free(canons[k]);
	free(canons);
}

static void check_translations(struct lint *l, xmlNode *model)
{
	xmlNode *itext = child(model, NS_XFORMS, "itext");
	int defaults = 0;

	for (xmlNode *t = itext ? itext->children : NULL; t; t = t->next) {
		const char *lang, *def;
		size_t i;

		if (!is(t, NS_XFORMS, "translation"))
			continue;
		lang = attr(t, "lang");
		if (!lang || !*lang) {
			diag_add(l->diag, l->name, xml_line(t), "translation without a lang");
			lang = "";
		}
		for (size_t k = 0; k < l->ntr; k++)
			if (!strcmp(l->tr_lang[k], lang)) {
				diag_add(l->diag, l->name, xml_line(t),
					 "translation language '%s' is defined twice", lang);
				break;
			}
		i = l->ntr++;
		l->tr_lang = xrealloc(l->tr_lang, l->ntr * sizeof(*l->tr_lang));
		l->tr_ids = xrealloc(l->tr_ids, l->ntr * sizeof(*l->tr_ids));
		l->tr_n = xrealloc(l->tr_n, l->ntr * sizeof(*l->tr_n));
		l->tr_lang[i] = xstrdup(lang);
		l->tr_ids[i] = NULL;
		l->tr_n[i] = 0;
		def = attr(t, "default");
		if (def && (!strcmp(def, "true()") || !strcmp(def, "true"))) {
			if (defaults++)
				diag_add(l->diag, l->name, xml_line(t),
					 "more than one default translation ('%s')", lang);
			else
				l->def_tr = i;
		}
		for (xmlNode *x = t->children; x; x = x->next) {
			const char *id;

			if (!is(x, NS_XFORMS, "text"))
				continue;
			id = attr(x, "id");
			if (!id || !*id) {
				diag_add(l->diag, l->name, xml_line(x), "itext text without an id");
				continue;
			}
			for (size_t k = 0; k < l->tr_n[i]; k++)
				if (!strcmp(l->tr_ids[i][k], id)) {
					diag_add(l->diag, l->name, xml_line(x),
						 "itext id '%s' defined twice in language '%s'", id, lang);
					break;
				}
			if (!child(x, NS_XFORMS, "value")) {
				diag_add(l->diag, l->name, xml_line(x), "itext id '%s' has no value", id);
			} else {
				int any = 0;

				for (xmlNode *v = x->children; v && !any; v = v->next)
					if (is(v, NS_XFORMS, "value")) {
						char *txt = xml_text(v);

						any = *txt || v->children;
						free(txt);
					}
				/* JavaRosa loads an empty <value/> as an empty text */
				if (!any)
					lint_warn(l, xml_line(x), "itext id '%s' is empty in language '%s'",
						  id, lang);
			}
			l->tr_ids[i] = xrealloc(l->tr_ids[i], (l->tr_n[i] + 1) * sizeof(char *));
			l->tr_ids[i][l->tr_n[i]++] = xstrdup(id);
		}
	}
}

static int has_id(struct lint *l, size_t tr, const char *id)
{
	for (size_t k = 0; k < l->tr_n[tr]; k++)
		if (!strcmp(l->tr_ids[tr][k], id))
			return 1;
	return 0;
}

/* A label or hint: an itext reference must exist in every language, above all the default. */
static void check_text_ref(struct lint *l, xmlNode *n)
{
	const char *ref = attr(n, "ref");
	const char *p, *q;
	char *id;

	if (!ref)
		return;
	p = strstr(ref, "jr:itext(");
	if (!p)
		return;
	p += strlen("jr:itext(");
	while (*p == ' ')
		p++;
	/* an id computed at run time (itemsets: jr:itext(itextId)) cannot be checked here */
	if (*p != '\'' && *p != '"')
		return;
	q = strchr(p + 1, *p);
	if (!q) {
		diag_add(l->diag, l->name, xml_line(n), "unterminated jr:itext() id: '%s'", ref);
		return;
	}
	id = xstrndup(p + 1, (size_t)(q - p - 1));
	if (!l->ntr)
		diag_add(l->diag, l->name, xml_line(n),
			 "itext id '%s' is used but the form has no itext translations", id);
	else if (!has_id(l, l->def_tr, id))
		diag_add(l->diag, l->name, xml_line(n),
			 "itext id '%s' is missing in the default language '%s'", id,
			 l->tr_lang[l->def_tr]);
	for (size_t t = 0; t < l->ntr; t++)
		if (t != l->def_tr && !has_id(l, t, id))
			lint_warn(l, xml_line(n), "itext id '%s' is missing in language '%s'", id,
				  l->tr_lang[t]);
	free(id);
}

static void check_items(struct lint *l, xmlNode *sel, const char *ref)
{
	char **seen = NULL;
	size_t n = 0;
	int multiple = !strcmp((const char *)sel->name, "select");

	if (child(sel, NS_XFORMS, "itemset"))
		return;
	for (xmlNode *it = sel->children; it; it = it->next) {
		xmlNode *v;
		char *value;

		if (!is(it, NS_XFORMS, "item"))
			continue;
		for (xmlNode *lab = it->children; lab; lab = lab->next)
			if (is(lab, NS_XFORMS, "label"))
				check_text_ref(l, lab);
		v = child(it, NS_XFORMS, "value");
		if (!v) {
			diag_add(l->diag, l->name, xml_line(it), "option of '%s' has no value", ref);
			continue;
		}
		value = xml_text(v);
		if (!*value)
			diag_add(l->diag, l->name, xml_line(v), "option of '%s' has an empty value", ref);
		else if (multiple && strpbrk(value, " \t\r\n"))
			diag_add(l->diag, l->name, xml_line(v),
				 "option value '%s' of select-multiple '%s' contains a space", value, ref);
		for (size_t k = 0; k < n; k++)
			if (!strcmp(seen[k], value)) {
				diag_add(l->diag, l->name, xml_line(v),
					 "duplicate option value '%s' in '%s'", value, ref);
				break;
			}
		seen = xrealloc(seen, (n + 1) * sizeof(*seen));
		seen[n++] = value;
	}
	/* JavaRosa: "Select question '...' has no choices" */
	if (!n)
		diag_add(l->diag, l->name, xml_line(sel), "select '%s' has no options", ref);
	for (size_t k = 0; k < n; k++)
		free(seen[k]);
	free(seen);
}

static int is_control(const xmlNode *n)
{
	static const char *const controls[] = { "input", "select1", "select", "trigger",
						"upload", "range", NULL };

	if (is(n, NS_ODK, "rank"))
		return 1;
	for (const char *const *c = controls; *c; c++)
		if (is(n, NS_XFORMS, *c))
			return 1;
	return 0;
}

/* The nodeset of the bind with this id (a control may name its node through bind="id"). */
static const char *bind_nodeset(struct lint *l, const char *id)
{
	for (xmlNode *b = l->model->children; b; b = b->next)
		if (is(b, NS_XFORMS, "bind") && attr(b, "id") && !strcmp(attr(b, "id"), id))
			return attr(b, "nodeset");
	return NULL;
}

/* The body's repeats' nodesets, canonical (read at their groups, as check_body does). */
static void find_repeats(struct lint *l, xmlNode *n, const char *context)
{
	for (; n; n = n->next) {
		const char *ref;
		char *path = NULL;

		if (!is(n, NS_XFORMS, "group") && !is(n, NS_XFORMS, "repeat")) {
			if (n->type == XML_ELEMENT_NODE && !is_control(n))
				find_repeats(l, n->children, context);
			continue;
		}
		ref = attr(n, "ref") ? attr(n, "ref") : attr(n, "nodeset");
		if (ref && xpath_quiet_path(ref))
			path = canon_path(l, n, ref, context, 0, NULL);
		if (path && is(n, NS_XFORMS, "repeat")) {
			l->repeats = xrealloc(l->repeats, (l->nrepeats + 1) * sizeof(*l->repeats));
			l->repeats[l->nrepeats++] = xstrdup(path);
		}
		find_repeats(l, n->children, path ? path : context);
		free(path);
	}
}

/* A control's node inside a repeat must be asked inside that repeat, the innermost around it
   (JavaRosa: "<repeat> member's binding ... is within the scope of a <repeat> that is not its
   closest containing <repeat>!"). */
static void check_repeat_scope(struct lint *l, xmlNode *n, const char *path, const char *ref)
{
	const char *closest = NULL;

	for (size_t i = 0; i < l->nrepeats; i++) {
		size_t k = strlen(l->repeats[i]);

		if (!strncmp(path, l->repeats[i], k) && path[k] == '/' &&
		    (!closest || k > strlen(closest)))
			closest = l->repeats[i];
	}
	if (closest && (!l->in_repeat || strcmp(closest, l->in_repeat)))
		diag_add(l->diag, l->name, xml_line(n),
			 "control '%s' asks a node of the repeat '%s' but is not inside that repeat",
			 ref, closest);
}

static void check_body(struct lint *l, xmlNode *n, const char *context)
{
	for (; n; n = n->next) {
		const char *ref;
		char *path;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (is(n, NS_XFORMS, "group") || is(n, NS_XFORMS, "repeat")) {
			ref = attr(n, "ref") ? attr(n, "ref") : attr(n, "nodeset");
			for (xmlNode *lab = n->children; lab; lab = lab->next)
				if (is(lab, NS_XFORMS, "label"))
					check_text_ref(l, lab);
			path = NULL;
			if (ref)
				check_ref(l, n, ref, context, "group ref", 0, &path);
			{
				const char *outer = l->in_repeat;

				if (path && is(n, NS_XFORMS, "repeat"))
					l->in_repeat = path;
				check_body(l, n->children, path ? path : context);
				l->in_repeat = outer;
			}
			free(path);
			continue;
		}
		if (!is_control(n)) {
			check_body(l, n->children, context);
			continue;
		}
		ref = attr(n, "ref");
		if (!ref && attr(n, "bind"))
			ref = bind_nodeset(l, attr(n, "bind"));
		if (!ref) {
			diag_add(l->diag, l->name, xml_line(n), "<%s> without a ref%s",
				 (const char *)n->name, attr(n, "bind") ? " (its bind id is unknown)" : "");
			continue;
		}
		{
			/* a control's bind="id" names a nodeset of the model, not of the group */
			struct node_path *p = check_ref(l, n, ref, attr(n, "ref") ? context : NULL,
							"control ref", 0, &path);

			if (p)
				p->has_control = 1;
		}
		if (!path)
			continue;
		check_repeat_scope(l, n, path, ref);
		if (!child(n, NS_XFORMS, "label"))
			lint_warn(l, xml_line(n), "control '%s' has no label", ref);
		for (xmlNode *c = n->children; c; c = c->next)
			if (is(c, NS_XFORMS, "label") || is(c, NS_XFORMS, "hint"))
				check_text_ref(l, c);
		if (is(n, NS_XFORMS, "select1") || is(n, NS_XFORMS, "select"))
			check_items(l, n, path);
		free(path);
	}
}

/* A required node nobody can answer makes the form impossible to finalize. */
static void check_required(struct lint *l, xmlNode *model)
{
	for (xmlNode *b = model->children; b; b = b->next) {
		const char *ns, *req;
		struct node_path *p;
		char *path;

		if (!is(b, NS_XFORMS, "bind") || !(ns = attr(b, "nodeset")) ||
		    !(req = attr(b, "required")) || !strcmp(req, "false()") || attr(b, "calculate") ||
		    attr_ns(b, "http://openrosa.org/javarosa", "preload"))
			continue;
		path = canon_path(l, b, ns, NULL, 0, NULL);
		p = path ? find_path(l, path) : NULL;
		free(path);
		if (p && !p->has_control)
			lint_warn(l, xml_line(b), "'%s' is required but no control asks for it", ns);
	}
}

struct trigger_key {
	const char *path;
	size_t trig;
};

static int trigger_key_cmp(const void *a, const void *b)
{
	return strcmp(((const struct trigger_key *)a)->path, ((const struct trigger_key *)b)->path);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* In v, n elements of size bytes sorted by the string at offset off of each: the first whose
   string is >= s. */
static size_t lower_bound(const void *v, size_t n, size_t size, size_t off, const char *s)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *at = *(const char *const *)((const char *)v + mid * size + off);

		if (strcmp(at, s) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Edges from trigger t to every triggerable that reads path. */
static void edges_to(const struct trigger_key *k, size_t nk, const char *path, size_t t,
		     size_t *stamp, size_t **adj, size_t *nadj, size_t *alloc)
{
	for (size_t i = lower_bound(k, nk, sizeof(*k), offsetof(struct trigger_key, path), path);
	     i < nk && !strcmp(k[i].path, path); i++) {
		if (stamp[k[i].trig] == t + 1)
			continue;
		stamp[k[i].trig] = t + 1;
		xgrow(adj, alloc, *nadj + 1, sizeof(**adj));
		(*adj)[(*nadj)++] = k[i].trig;
	}
}

/* JavaRosa's triggerable graph: an edge from a triggerable to every one that reads its target
   (for relevant and readonly, also the target's descendants, attributes aside). A cycle, a
   triggerable reading its own target among them, and JavaRosa refuses the form ("Cycle
   detected in form's relevant and calculation logic!"). Reported once, the cycle named. */
static void check_cycles(struct lint *l)
{
	struct trigger_key *keys = NULL;
	size_t nkeys = 0, kalloc = 0, nadj = 0, aalloc = 0;
	size_t *first, *adj = NULL, *stamp, *next, *stack, *state;
	char **sorted;
	size_t nstack = 0, cycle_from = (size_t)-1;

	if (!l->ntrig)
		return;
	for (size_t t = 0; t < l->ntrig; t++)
		for (size_t i = 0; i < l->trig[t].ntriggers; i++) {
			xgrow(&keys, &kalloc, nkeys + 1, sizeof(*keys));
			keys[nkeys++] = (struct trigger_key){ l->trig[t].triggers[i], t };
		}
	if (nkeys)
		qsort(keys, nkeys, sizeof(*keys), trigger_key_cmp);
	sorted = xcalloc(l->npaths + 1, sizeof(*sorted));
	for (size_t i = 0; i < l->npaths; i++)
		sorted[i] = l->paths[i].path;
	qsort(sorted, l->npaths, sizeof(*sorted), str_cmp);
	first = xcalloc(l->ntrig + 1, sizeof(*first));
	stamp = xcalloc(l->ntrig, sizeof(*stamp));
	for (size_t t = 0; t < l->ntrig; t++) {
		const struct triggerable *tr = &l->trig[t];

		first[t] = nadj;
		edges_to(keys, nkeys, tr->target, t, stamp, &adj, &nadj, &aalloc);
		if (!strcmp(tr->attr, "relevant") || !strcmp(tr->attr, "readonly")) {
			size_t tl = strlen(tr->target);
			char *prefix = xasprintf("%s/", tr->target);

			for (size_t i = lower_bound(sorted, l->npaths, sizeof(*sorted), 0, prefix);
			     i < l->npaths && !strncmp(sorted[i], prefix, tl + 1); i++)
				if (!strstr(sorted[i] + tl, "/@"))
					edges_to(keys, nkeys, sorted[i], t, stamp, &adj, &nadj, &aalloc);
			free(prefix);
		}
	}
	first[l->ntrig] = nadj;
	/* depth first, without recursion: state 0 unseen, 1 on the stack, 2 done */
	state = xcalloc(l->ntrig, sizeof(*state));
	next = xcalloc(l->ntrig, sizeof(*next));
	stack = xcalloc(l->ntrig, sizeof(*stack));
	for (size_t root = 0; root < l->ntrig && cycle_from == (size_t)-1; root++) {
		if (state[root])
			continue;
		stack[nstack++] = root;
		state[root] = 1;
		next[root] = first[root];
		while (nstack && cycle_from == (size_t)-1) {
			size_t v = stack[nstack - 1];

			if (next[v] == first[v + 1]) {
				state[v] = 2;
				nstack--;
				continue;
			}
			{
				size_t w = adj[next[v]++];

				if (state[w] == 1) {
					cycle_from = w;
				} else if (!state[w]) {
					state[w] = 1;
					next[w] = first[w];
					stack[nstack++] = w;
				}
			}
		}
	}
	if (cycle_from != (size_t)-1) {
		struct strbuf sb = STRBUF_INIT;
		size_t k = 0, shown = 0;

		while (stack[k] != cycle_from)
			k++;
		for (size_t i = k; i < nstack; i++) {
			const struct triggerable *tr = &l->trig[stack[i]];

			if (shown++ == 8) {
				strbuf_adds(&sb, " -> ...");
				break;
			}
			strbuf_addf(&sb, "%s%s (%s, line %ld)", i > k ? " -> " : "", tr->target,
				    tr->attr, tr->line);
		}
		strbuf_addf(&sb, " -> %s", l->trig[cycle_from].target);
		diag_add(l->diag, l->name, l->trig[cycle_from].line,
			 "dependency cycle in calculate and relevant logic: %s", strbuf_str(&sb));
		strbuf_release(&sb);
	}
	free(state);
	free(next);
	free(stack);
	free(first);
	free(stamp);
	free(adj);
	free(sorted);
	free(keys);
}

static int is_action(const xmlNode *n)
{
	return n->type == XML_ELEMENT_NODE && (!strcmp((const char *)n->name, "setvalue") ||
					       !strcmp((const char *)n->name, "setgeopoint") ||
					       !strcmp((const char *)n->name, "recordaudio"));
}

/* A number as Java's BigDecimal reads it (a range's start, end, step). */
static int decimal_ok(const char *s)
{
	int digits = 0;

	if (*s == '+' || *s == '-')
		s++;
	for (; *s >= '0' && *s <= '9'; s++)
		digits++;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			digits++;
	if (digits && (*s == 'e' || *s == 'E')) {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (*s < '0' || *s > '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return digits && !*s;
}

/* Actions (setvalue, odk:setgeopoint, odk:recordaudio) as JavaRosa parses them: known events
   only, the ODK namespace for the two ODK ones, odk-new-repeat only inside a repeat; and
   ranges with decimal bounds. in_model: n is the model. */
static void check_actions(struct lint *l, xmlNode *n, int in_model)
{
	static const char *const events[] = { "odk-instance-first-load", "odk-instance-load",
					      "xforms-ready", "odk-new-repeat", "jr-insert",
					      "xforms-value-changed", "xforms-revalidate", NULL };

	for (xmlNode *c = n ? n->children : NULL; c; c = c->next) {
		const char *ev;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (is(c, NS_XFORMS, "range"))
			for (const char *const *a = (const char *const[]){ "start", "end", "step", NULL };
			     *a; a++)
				if (attr(c, *a) && !decimal_ok(attr(c, *a)))
					diag_add(l->diag, l->name, xml_line(c),
						 "range %s '%s' is not a decimal number", *a, attr(c, *a));
		if (!is_action(c)) {
			if (!in_model)
				check_actions(l, c, 0);
			continue;
		}
		if (strcmp((const char *)c->name, "setvalue") && !in_ns(c, NS_ODK))
			diag_add(l->diag, l->name, xml_line(c),
				 "action <%s> is not in the ODK namespace %s", (const char *)c->name,
				 NS_ODK);
		ev = attr(c, "event");
		if (ev) {
			char *copy = xstrdup(ev);

			/* JavaRosa splits on each space: two spaces make an empty, unknown event */
			for (char *e = copy, *sp; e; e = sp) {
				sp = strchr(e, ' ');
				if (sp)
					*sp++ = '\0';
				{
					const char *const *k = events;

					while (*k && strcmp(*k, e))
						k++;
					if (!*k)
						diag_add(l->diag, l->name, xml_line(c),
							 "action <%s> has an unknown event '%s'",
							 (const char *)c->name, e);
				}
			}
			free(copy);
			if (in_model && !strcmp(ev, "odk-new-repeat"))
				diag_add(l->diag, l->name, xml_line(c),
					 "action <%s> with event odk-new-repeat in the model: it belongs "
					 "inside its repeat",
					 (const char *)c->name);
		}
		if (attr(c, "value")) {
			struct xpath *x;
			char msg[160];

			if (xpath_parse(attr(c, "value"), &x, msg, sizeof(msg)) < 0)
				diag_add(l->diag, l->name, xml_line(c),
					 "action <%s> value '%s' is not valid XPath: %s",
					 (const char *)c->name, attr(c, "value"), msg);
			xpath_free(x);
		}
	}
}

static void check_doc(struct lint *l, xmlDoc *doc)
{
	xmlNode *html = xmlDocGetRootElement(doc), *head, *body, *model, *inst = NULL, *data;
	char *root_path;

	if (!is(html, NS_XHTML, "html")) {
		diag_add(l->diag, l->name, xml_line(html), "the root element is not an XHTML <h:html>");
		return;
	}
	head = child(html, NS_XHTML, "head");
	body = child(html, NS_XHTML, "body");
	model = child(head, NS_XFORMS, "model");
	if (!head || !body || !model) {
		diag_add(l->diag, l->name, xml_line(html), "no %s",
			 !head ? "<h:head>" : !body ? "<h:body>" : "XForms <model> in <h:head>");
		return;
	}
	l->model = model;
	l->html = html;
	for (xmlNode *c = html->children; c && c != head; c = c->next)
		if (c == body)
			diag_add(l->diag, l->name, xml_line(body),
				 "<h:body> comes before <h:head>: JavaRosa reads the model first");
	check_actions(l, model, 1);
	check_actions(l, body, 0);
	if (!child(head, NS_XHTML, "title"))
		diag_add(l->diag, l->name, xml_line(head), "no <h:title>");
	/* the primary instance is the first, with or without an id (JavaRosa) */
	for (xmlNode *i = model->children; i; i = i->next)
		if (is(i, NS_XFORMS, "instance")) {
			inst = i;
			break;
		}
	data = NULL;
	for (xmlNode *c = inst ? inst->children : NULL; c && !data; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			data = c;
	if (!data) {
		diag_add(l->diag, l->name, xml_line(inst ? inst : model), "no primary instance");
		return;
	}
	/* JavaRosa loads it; Central and parindex need the form's id */
	if ((!attr(data, "id") || !*attr(data, "id")) && l->mode == LINT_COLLECT)
		lint_warn(l, xml_line(data), "the primary instance root <%s> has no id attribute",
			  (const char *)data->name);
	else if (!attr(data, "id") || !*attr(data, "id"))
		diag_add(l->diag, l->name, xml_line(data),
			 "the primary instance root <%s> has no id attribute", (const char *)data->name);
	if (!name_ok((const char *)data->name, 0) || (data->ns && data->ns->prefix))
		diag_add(l->diag, l->name, xml_line(data),
			 "instance element name '%s' is not an XML NCName", (const char *)data->name);
	l->root = (const char *)data->name;
	root_path = xasprintf("/%s", l->root);
	add_path(l, root_path, jr_prefix(l, data->ns));
	attribute_paths(l, data, root_path);
	instance_paths(l, data->children, root_path);
	{
		char *a = xasprintf("%s/meta/instanceID", root_path);

		/* Collect makes one up; Central needs it to tell submissions apart */
		if (find_path(l, a))
			;
		else if (l->mode == LINT_COLLECT)
			lint_warn(l, xml_line(data),
				  "no meta/instanceID in the instance: ODK Central needs it to identify a submission");
		else
			diag_add(l->diag, l->name, xml_line(data),
				 "no meta/instanceID in the instance: %s needs it to identify a submission",
				 l->mode == LINT_CENTRAL ? "ODK Central" : "ODK Collect");
		free(a);
	}
	free(root_path);
	check_binds(l, model);
	check_cycles(l);
	check_translations(l, model);
	find_repeats(l, body->children, NULL);
	check_body(l, body->children, NULL);
	check_required(l, model);
}

int form_lint(const char *buf, size_t len, const char *name, struct diag *diag)
{
	return form_lint_for(buf, len, name, LINT_OWN, diag, NULL);
}

int form_lint_for(const char *buf, size_t len, const char *name, enum lint_for mode,
		  struct diag *diag, struct diag *warnings)
{
	static const struct xml_limits lim = { 16 << 20, 64, 1000000 };
	struct lint l = { .name = name, .diag = diag, .warn = warnings, .mode = mode };
	struct perr err = { 0 };
	size_t before = diag->n;
	xmlDoc *doc;

	if (!len) {
		diag_add(diag, name, 0, "empty file, not an XForm");
		return -1;
	}
	doc = xml_parse(buf, len, name, &lim, &err);
	if (!doc) {
		diag_add(diag, err.where, 0, "%s", err.msg);
		return -1;
	}
	check_doc(&l, doc);
	xmlFreeDoc(doc);
	for (size_t i = 0; i < l.npaths; i++)
		free(l.paths[i].path);
	free(l.paths);
	free(l.hidx);
	for (size_t t = 0; t < l.ntr; t++) {
		for (size_t k = 0; k < l.tr_n[t]; k++)
			free(l.tr_ids[t][k]);
		free(l.tr_ids[t]);
		free(l.tr_lang[t]);
	}
	free(l.tr_ids);
	free(l.tr_lang);
	free(l.tr_n);
	for (size_t t = 0; t < l.ntrig; t++) {
		for (size_t k = 0; k < l.trig[t].ntriggers; k++)
			free(l.trig[t].triggers[k]);
		free(l.trig[t].triggers);
		free(l.trig[t].target);
	}
	free(l.trig);
	for (size_t i = 0; i < l.nrepeats; i++)
		free(l.repeats[i]);
	free(l.repeats);
	return diag->n > before ? -1 : 0;
}
