/* An XPath 1.0 parser (with ODK's function names, which are plain function calls to it) for the
   lint: it accepts what JavaRosa's lexer and parser accept (names as JavaRosa's lexer reads
   them: a letter or '_', then letters, digits, '.', '-', '_', one ':' for a prefix) and builds a
   tree that the lint walks for the paths an expression reads. */
#ifndef PARINDEX_XPATH_H
#define PARINDEX_XPATH_H

#include <stddef.h>

enum xpath_kind {
	XPATH_NUMBER,
	XPATH_STRING,
	XPATH_VARIABLE,
	XPATH_BINARY,   /* op, args[0] and args[1] */
	XPATH_NEGATE,   /* args[0] */
	XPATH_FUNCTION, /* text (the name), args */
	XPATH_FILTER,   /* base, args: its predicates */
	XPATH_PATH,     /* base (a filter expression it starts from) or absolute; steps */
};

enum xpath_axis { XPATH_CHILD, XPATH_ATTRIBUTE, XPATH_SELF, XPATH_PARENT, XPATH_OTHER_AXIS };

enum xpath_test {
	XPATH_NAME,     /* name */
	XPATH_ANY,      /* * (name NULL) or prefix:* (name the prefix) */
	XPATH_NODETYPE, /* node(), text(), comment(), processing-instruction() */
	XPATH_DOT,      /* . */
	XPATH_DOTDOT,   /* .. */
};

struct xpath;

struct xpath_step {
	enum xpath_axis axis;
	enum xpath_test test;
	char *name;
	struct xpath **preds;
	size_t npreds;
};

struct xpath {
	enum xpath_kind kind;
	const char *op; /* XPATH_BINARY: "or", "and", "=", "!=", "<", "<=", ">", ">=", "+", "-",
			   "*", "div", "mod", "|" */
	char *text;     /* a string, a number as written, a function's or variable's name */
	struct xpath **args;
	size_t nargs;
	struct xpath *base;
	int absolute;
	struct xpath_step *steps;
	size_t nsteps;
	int depth; /* of the tree under it: at most XPATH_MAX_TREE, so walking it recursively is safe */
};

/* The deepest tree parsed (a sum of 1,000 terms is 1,000 deep). */
#define XPATH_MAX_TREE 2000

/* Parse expr: 0 with *out (xpath_free it), or -1 with a message in msg ("unexpected ')' at
   column 7"). */
int xpath_parse(const char *expr, struct xpath **out, char *msg, size_t msgsz);
void xpath_free(struct xpath *x);

#endif
