/* XPath 1.0 as JavaRosa reads it (org.javarosa.xpath.parser): its lexer, token for token (a
   '-' or '*' is an operator only after a value, 'and', 'or', 'div', 'mod' only there too,
   letters as Java's Character.isLowerCase/isUpperCase see them), then a recursive-descent
   parser of the XPath 1.0 grammar, which accepts the same token sequences as JavaRosa's
   partitioning parser. */
#include "xpath.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unictype.h>
#include <unistr.h>

#include "err.h"

/* deeper than this is refused (the parser recurses; a form is at most 16 MB) */
#define XPATH_MAX_DEPTH 256

enum tok {
	T_END, T_EQ, T_NEQ, T_LT, T_LTE, T_GT, T_GTE, T_PLUS, T_MINUS, T_UMINUS, T_MULT,
	T_WILDCARD, T_UNION, T_SLASH, T_DSLASH, T_LBRACK, T_RBRACK, T_LPAREN, T_RPAREN, T_DOT,
	T_DDOT, T_AT, T_COMMA, T_DCOLON, T_AND, T_OR, T_DIV, T_MOD, T_VAR, T_STR, T_NUM, T_QNAME,
	T_NSWILD,
};

static const char *const tok_text[] = {
	"end", "=", "!=", "<", "<=", ">", ">=", "+", "-", "-", "*", "*", "|", "/", "//", "[", "]",
	"(", ")", ".", "..", "@", ",", "::", "and", "or", "div", "mod", "$", "string", "number",
	"name", "name:*",
};

struct token {
	enum tok type;
	size_t col; /* 1-based, in characters */
	char *text; /* T_VAR, T_STR, T_NUM, T_QNAME, T_NSWILD */
};

struct parser {
	struct token *t;
	size_t n, alloc, pos;
	int depth;
	char *msg;
	size_t msgsz;
	int failed;
};

static void fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return;
	p->failed = 1;
	va_start(ap, fmt);
	vsnprintf(p->msg, p->msgsz, fmt, ap);
	va_end(ap);
}

/* The character at s (0 at the end) and its length in bytes. */
static ucs4_t char_at(const char *s, int *len)
{
	ucs4_t c;

	if (!*s) {
		*len = 0;
		return 0;
	}
	*len = u8_mbtouc(&c, (const uint8_t *)s, strnlen(s, 4));
	return c;
}

/* Java's Character.isLowerCase || isUpperCase on one UTF-16 unit: a character past U+FFFF
   reaches JavaRosa's lexer as two surrogates, letters to neither. */
static int is_alpha(ucs4_t c)
{
	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
	return c <= 0xFFFF && (uc_is_property_lowercase(c) || uc_is_property_uppercase(c));
}

/* Java's Character.isDigit: a decimal digit of any script */
static int is_digit(ucs4_t c)
{
	if (c < 0x80)
		return c >= '0' && c <= '9';
	return c <= 0xFFFF && uc_is_general_category(c, UC_DECIMAL_DIGIT_NUMBER);
}

static size_t match_ncname(const char *s)
{
	size_t n = 0;
	int len;

	for (ucs4_t c = char_at(s, &len); len; c = char_at(s + n, &len)) {
		if (!(is_alpha(c) || c == '_' || (n > 0 && (is_digit(c) || c == '.' || c == '-'))))
			break;
		n += (size_t)len;
	}
	return n;
}

static size_t match_qname(const char *s)
{
	size_t n = match_ncname(s);

	if (n > 0 && s[n] == ':') {
		size_t m = match_ncname(s + n + 1);

		if (m > 0)
			n += m + 1;
	}
	return n;
}

static size_t match_number(const char *s)
{
	size_t n = 0;
	int point = 0, len;

	for (ucs4_t c = char_at(s, &len); len; c = char_at(s + n, &len)) {
		if (!(is_digit(c) || (!point && c == '.')))
			break;
		point |= c == '.';
		n += (size_t)len;
	}
	return n;
}

static void push(struct parser *p, enum tok type, size_t col, const char *text, size_t len)
{
	xgrow(&p->t, &p->alloc, p->n + 1, sizeof(*p->t));
	p->t[p->n++] = (struct token){ type, col, text ? xstrndup(text, len) : NULL };
}

static void lex(struct parser *p, const char *expr)
{
	const char *s = expr;
	int value = 1; /* JavaRosa's LEX_CONTEXT_VAL: a value may come next */
	size_t col = 1; /* of s, in characters */

	while (*s && !p->failed) {
		size_t skip = 1;
		enum tok type = T_END;
		const char *text = NULL;
		size_t tlen = 0;
		int len;
		ucs4_t c = char_at(s, &len);

		if (strchr(" \n\t\f\r", *s)) {
			s++;
			col++;
			continue;
		}
		switch (*s) {
		case '=': type = T_EQ; break;
		case '<': type = s[1] == '=' ? T_LTE : T_LT; break;
		case '>': type = s[1] == '=' ? T_GTE : T_GT; break;
		case '+': type = T_PLUS; break;
		case '-': type = value ? T_UMINUS : T_MINUS; break;
		case '*': type = value ? T_WILDCARD : T_MULT; break;
		case '|': type = T_UNION; break;
		case '/': type = s[1] == '/' ? T_DSLASH : T_SLASH; break;
		case '[': type = T_LBRACK; break;
		case ']': type = T_RBRACK; break;
		case '(': type = T_LPAREN; break;
		case ')': type = T_RPAREN; break;
		case '@': type = T_AT; break;
		case ',': type = T_COMMA; break;
		default: break;
		}
		if (type == T_LTE || type == T_GTE || type == T_DSLASH)
			skip = 2;
		if (type != T_END) {
			/* one-character tokens above */
		} else if (*s == '!' && s[1] == '=') {
			type = T_NEQ;
			skip = 2;
		} else if (*s == '.' && s[1] == '.') {
			type = T_DDOT;
			skip = 2;
		} else if (*s == '.') {
			int l2;

			if (is_digit(char_at(s + 1, &l2))) {
				type = T_NUM;
				skip = match_number(s);
			} else {
				type = T_DOT;
			}
		} else if (*s == ':' && s[1] == ':') {
			type = T_DCOLON;
			skip = 2;
		} else if (!value && !strncmp(s, "and", 3)) {
			type = T_AND;
			skip = 3;
		} else if (!value && !strncmp(s, "or", 2)) {
			type = T_OR;
			skip = 2;
		} else if (!value && !strncmp(s, "div", 3)) {
			type = T_DIV;
			skip = 3;
		} else if (!value && !strncmp(s, "mod", 3)) {
			type = T_MOD;
			skip = 3;
		} else if (*s == '$') {
			skip = match_qname(s + 1);
			if (!skip) {
				fail(p, "'$' without a variable name at column %zu", col);
				break;
			}
			type = T_VAR;
			text = s + 1;
			tlen = skip;
			skip++;
		} else if (*s == '\'' || *s == '"') {
			const char *end = strchr(s + 1, *s);

			if (!end) {
				fail(p, "unterminated string at column %zu", col);
				break;
			}
			type = T_STR;
			text = s + 1;
			tlen = (size_t)(end - s - 1);
			skip = tlen + 2;
		} else if (is_digit(c)) {
			skip = match_number(s);
			for (size_t k = 0; k < skip; k++)
				if (s[k] != '.' && (s[k] < '0' || s[k] > '9')) {
					fail(p, "'%.*s' at column %zu is not a number", (int)skip, s, col);
					break;
				}
			type = T_NUM;
		} else if (value && (is_alpha(c) || c == '_')) {
			skip = match_qname(s);
			if (!memchr(s, ':', skip) && s[skip] == ':' && s[skip + 1] == '*') {
				type = T_NSWILD;
				text = s;
				tlen = skip;
				skip += 2;
			} else {
				type = T_QNAME;
				text = s;
				tlen = skip;
			}
		} else {
			fail(p, "unexpected '%.*s' at column %zu", len ? len : 1, s, col);
			break;
		}
		if (p->failed)
			break;
		if (type == T_NUM) {
			text = s;
			tlen = skip;
		}
		push(p, type, col, text, tlen);
		value = !(type == T_WILDCARD || type == T_NSWILD || type == T_QNAME || type == T_VAR ||
			  type == T_NUM || type == T_STR || type == T_RBRACK || type == T_RPAREN ||
			  type == T_DOT || type == T_DDOT);
		col += u8_mbsnlen((const uint8_t *)s, skip);
		s += skip;
	}
	push(p, T_END, col, NULL, 0);
}

static const struct token *peek(struct parser *p, size_t ahead)
{
	size_t i = p->pos + ahead;

	return &p->t[i < p->n ? i : p->n - 1];
}

static void unexpected(struct parser *p)
{
	const struct token *t = peek(p, 0);

	if (t->type == T_END)
		fail(p, "the expression ends too soon");
	else if (t->text && t->type != T_STR)
		fail(p, "unexpected '%s' at column %zu", t->text, t->col);
	else
		fail(p, "unexpected %s%s%s at column %zu", t->type == T_STR ? "" : "'",
		     tok_text[t->type], t->type == T_STR ? "" : "'", t->col);
}

static int accept(struct parser *p, enum tok type)
{
	if (p->failed || peek(p, 0)->type != type)
		return 0;
	p->pos++;
	return 1;
}

static void expect(struct parser *p, enum tok type)
{
	if (!accept(p, type))
		unexpected(p);
}

static struct xpath *node(enum xpath_kind kind)
{
	struct xpath *x = xcalloc(1, sizeof(*x));

	x->kind = kind;
	return x;
}

/* x is at least one deeper than child; deeper than XPATH_MAX_TREE is refused. */
static void deeper(struct parser *p, struct xpath *x, const struct xpath *child)
{
	if (child && child->depth + 1 > x->depth)
		x->depth = child->depth + 1;
	if (x->depth > XPATH_MAX_TREE)
		fail(p, "nested more than %d deep", XPATH_MAX_TREE);
}

static void add_arg(struct parser *p, struct xpath *x, struct xpath *a)
{
	x->args = xrealloc(x->args, (x->nargs + 1) * sizeof(*x->args));
	x->args[x->nargs++] = a;
	deeper(p, x, a);
}

static struct xpath *expr_or(struct parser *p);

static void predicates(struct parser *p, struct xpath ***preds, size_t *n)
{
	while (!p->failed && accept(p, T_LBRACK)) {
		struct xpath *e = expr_or(p);

		*preds = xrealloc(*preds, (*n + 1) * sizeof(**preds));
		(*preds)[(*n)++] = e;
		expect(p, T_RBRACK);
	}
}

static int node_type(const char *name)
{
	return !strcmp(name, "node") || !strcmp(name, "text") || !strcmp(name, "comment") ||
	       !strcmp(name, "processing-instruction");
}

static int axis_name(const char *name, enum xpath_axis *axis)
{
	static const char *const other[] = { "ancestor", "ancestor-or-self", "descendant",
					     "descendant-or-self", "following",
					     "following-sibling", "namespace", "preceding",
					     "preceding-sibling", NULL };

	*axis = XPATH_OTHER_AXIS;
	if (!strcmp(name, "child"))
		*axis = XPATH_CHILD;
	else if (!strcmp(name, "attribute"))
		*axis = XPATH_ATTRIBUTE;
	else if (!strcmp(name, "self"))
		*axis = XPATH_SELF;
	else if (!strcmp(name, "parent"))
		*axis = XPATH_PARENT;
	else {
		const char *const *o = other;

		while (*o && strcmp(*o, name))
			o++;
		return *o != NULL;
	}
	return 1;
}

/* Can a step start here? (JavaRosa's isStep) */
static int step_starts(struct parser *p)
{
	const struct token *t = peek(p, 0);

	switch (t->type) {
	case T_WILDCARD: case T_NSWILD: case T_AT: case T_DOT: case T_DDOT: return 1;
	case T_QNAME: return peek(p, 1)->type != T_LPAREN || node_type(t->text);
	default: return 0;
	}
}

static void step(struct parser *p, struct xpath *path)
{
	struct xpath_step st = { XPATH_CHILD, XPATH_NAME, NULL, NULL, 0 };
	const struct token *t = peek(p, 0);

	if (accept(p, T_DOT) || accept(p, T_DDOT)) {
		st.test = t->type == T_DOT ? XPATH_DOT : XPATH_DOTDOT;
		st.axis = t->type == T_DOT ? XPATH_SELF : XPATH_PARENT;
	} else {
		if (accept(p, T_AT)) {
			st.axis = XPATH_ATTRIBUTE;
		} else if (t->type == T_QNAME && peek(p, 1)->type == T_DCOLON) {
			if (!axis_name(t->text, &st.axis)) {
				fail(p, "'%s' at column %zu is not an axis", t->text, t->col);
				return;
			}
			p->pos += 2;
		}
		t = peek(p, 0);
		if (accept(p, T_WILDCARD) || accept(p, T_NSWILD)) {
			st.test = XPATH_ANY;
			st.name = t->text ? xstrdup(t->text) : NULL;
		} else if (t->type == T_QNAME && peek(p, 1)->type == T_LPAREN) {
			if (!node_type(t->text)) {
				fail(p, "'%s()' at column %zu is not a node test", t->text, t->col);
				return;
			}
			st.test = XPATH_NODETYPE;
			st.name = xstrdup(t->text);
			p->pos += 2;
			/* processing-instruction('name') */
			if (!strcmp(t->text, "processing-instruction"))
				accept(p, T_STR);
			expect(p, T_RPAREN);
		} else if (accept(p, T_QNAME)) {
			st.name = xstrdup(t->text);
		} else {
			unexpected(p);
			return;
		}
		predicates(p, &st.preds, &st.npreds);
	}
	path->steps = xrealloc(path->steps, (path->nsteps + 1) * sizeof(*path->steps));
	path->steps[path->nsteps++] = st;
}

/* After a '//': the descendant-or-self::node() step it stands for. */
static void descendants(struct xpath *path)
{
	path->steps = xrealloc(path->steps, (path->nsteps + 1) * sizeof(*path->steps));
	path->steps[path->nsteps++] =
		(struct xpath_step){ XPATH_OTHER_AXIS, XPATH_NODETYPE, xstrdup("node"), NULL, 0 };
}

/* Steps separated by '/' or '//', the first already due. */
static void relative_path(struct parser *p, struct xpath *path)
{
	for (;;) {
		if (!step_starts(p)) {
			unexpected(p);
			return;
		}
		step(p, path);
		if (p->failed)
			return;
		for (size_t i = 0; i < path->steps[path->nsteps - 1].npreds; i++)
			deeper(p, path, path->steps[path->nsteps - 1].preds[i]);
		if (accept(p, T_DSLASH))
			descendants(path);
		else if (!accept(p, T_SLASH))
			return;
	}
}

static struct xpath *primary(struct parser *p)
{
	const struct token *t = peek(p, 0);
	struct xpath *x;

	if (accept(p, T_LPAREN)) {
		x = expr_or(p);
		expect(p, T_RPAREN);
		return x;
	}
	if (accept(p, T_STR) || accept(p, T_NUM) || accept(p, T_VAR)) {
		x = node(t->type == T_STR ? XPATH_STRING : t->type == T_NUM ? XPATH_NUMBER
								 : XPATH_VARIABLE);
		x->text = xstrdup(t->text);
		return x;
	}
	if (t->type == T_QNAME && peek(p, 1)->type == T_LPAREN) {
		x = node(XPATH_FUNCTION);
		x->text = xstrdup(t->text);
		p->pos += 2;
		if (accept(p, T_RPAREN))
			return x;
		do
			add_arg(p, x, expr_or(p));
		while (!p->failed && accept(p, T_COMMA));
		expect(p, T_RPAREN);
		return x;
	}
	unexpected(p);
	return NULL;
}

static struct xpath *path_expr(struct parser *p)
{
	struct xpath *x;

	if (peek(p, 0)->type == T_SLASH || peek(p, 0)->type == T_DSLASH) {
		int dbl = peek(p, 0)->type == T_DSLASH;

		p->pos++;
		x = node(XPATH_PATH);
		x->absolute = 1;
		if (dbl) {
			descendants(x);
			relative_path(p, x);
		} else if (step_starts(p)) {
			relative_path(p, x);
		}
		return x;
	}
	if (step_starts(p)) {
		x = node(XPATH_PATH);
		relative_path(p, x);
		return x;
	}
	x = primary(p);
	if (p->failed)
		return x;
	if (peek(p, 0)->type == T_LBRACK) {
		struct xpath *f = node(XPATH_FILTER);

		f->base = x;
		predicates(p, &f->args, &f->nargs);
		deeper(p, f, x);
		for (size_t i = 0; i < f->nargs; i++)
			deeper(p, f, f->args[i]);
		x = f;
	}
	if (peek(p, 0)->type == T_SLASH || peek(p, 0)->type == T_DSLASH) {
		struct xpath *path = node(XPATH_PATH);

		path->base = x;
		deeper(p, path, x);
		if (accept(p, T_DSLASH))
			descendants(path);
		else
			p->pos++;
		relative_path(p, path);
		x = path;
	}
	return x;
}

static struct xpath *binary(struct parser *p, const char *op, struct xpath *a, struct xpath *b)
{
	struct xpath *x = node(XPATH_BINARY);

	x->op = op;
	add_arg(p, x, a);
	add_arg(p, x, b);
	return x;
}

static struct xpath *expr_union(struct parser *p)
{
	struct xpath *x = path_expr(p);

	while (!p->failed && accept(p, T_UNION))
		x = binary(p, "|", x, path_expr(p));
	return x;
}

static struct xpath *expr_unary(struct parser *p)
{
	struct xpath *x;

	if (!accept(p, T_UMINUS))
		return expr_union(p);
	if (++p->depth > XPATH_MAX_DEPTH) {
		fail(p, "nested more than %d deep", XPATH_MAX_DEPTH);
		return NULL;
	}
	x = node(XPATH_NEGATE);
	add_arg(p, x, expr_unary(p));
	p->depth--;
	return x;
}

/* One level of left-associative binary operators, from 'or' (0) to '*', 'div', 'mod' (5). */
static struct xpath *level(struct parser *p, int lvl)
{
	static const enum tok ops[][4] = {
		{ T_OR }, { T_AND }, { T_EQ, T_NEQ }, { T_LT, T_LTE, T_GT, T_GTE },
		{ T_PLUS, T_MINUS }, { T_MULT, T_DIV, T_MOD },
	};
	struct xpath *x = lvl == 5 ? expr_unary(p) : level(p, lvl + 1);

	for (;;) {
		enum tok t = peek(p, 0)->type;
		int k = 0;

		while (k < 4 && ops[lvl][k] && ops[lvl][k] != t)
			k++;
		if (p->failed || k == 4 || !ops[lvl][k])
			return x;
		p->pos++;
		x = binary(p, tok_text[t], x, lvl == 5 ? expr_unary(p) : level(p, lvl + 1));
	}
}

static struct xpath *expr_or(struct parser *p)
{
	struct xpath *x;

	if (++p->depth > XPATH_MAX_DEPTH) {
		fail(p, "nested more than %d deep", XPATH_MAX_DEPTH);
		return NULL;
	}
	x = level(p, 0);
	p->depth--;
	return x;
}

int xpath_parse(const char *expr, struct xpath **out, char *msg, size_t msgsz)
{
	struct parser p = { .msg = msg, .msgsz = msgsz };
	struct xpath *x = NULL;

	*out = NULL;
	if (msgsz)
		msg[0] = '\0';
	lex(&p, expr);
	if (!p.failed && p.n == 1)
		fail(&p, "empty expression");
	if (!p.failed) {
		x = expr_or(&p);
		if (!p.failed && peek(&p, 0)->type != T_END)
			unexpected(&p);
	}
	for (size_t i = 0; i < p.n; i++)
		free(p.t[i].text);
	free(p.t);
	if (p.failed) {
		xpath_free(x);
		return -1;
	}
	*out = x;
	return 0;
}

void xpath_free(struct xpath *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->nargs; i++)
		xpath_free(x->args[i]);
	free(x->args);
	for (size_t i = 0; i < x->nsteps; i++) {
		for (size_t k = 0; k < x->steps[i].npreds; k++)
			xpath_free(x->steps[i].preds[k]);
		free(x->steps[i].preds);
		free(x->steps[i].name);
	}
	free(x->steps);
	xpath_free(x->base);
	free(x->text);
	free(x);
}
