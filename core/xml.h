/* Safe XML input: every document parsed here is treated as hostile. No network, no entity
   substitution, no DTD loading; any DOCTYPE is refused outright, before anything of it is
   used. Helpers for reading elements and attributes with their line numbers. */
#ifndef PARINDEX_XML_H
#define PARINDEX_XML_H

#include <libxml/tree.h>
#include <stddef.h>

#include "err.h"

struct xml_limits {
	size_t max_bytes; /* 0: no limit */
	int max_depth;    /* element nesting; 0: libxml2's own limit */
	/* elements, attributes and pieces of text; 0: no limit. libxml2's tree costs about 135 bytes a node,
	   so 16 MB of "<a/>" took 564 MB: a node limit keeps memory bounded by the input */
	size_t max_nodes;
};

/* Parse buf as one XML document. name is used in messages ("file" or "zip(entry)").
   On failure returns NULL and fills err with the line of the first error. */
xmlDoc *xml_parse(const char *buf, size_t len, const char *name,
		  const struct xml_limits *lim, struct perr *err);

/* Is buf valid UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF)? */
int xml_utf8_valid(const char *buf, size_t len);

/* Element children named `name` (local name) of parent, in document order. */
xmlNode *xml_first(xmlNode *parent, const char *name);
xmlNode *xml_next(xmlNode *node, const char *name);
int xml_is(const xmlNode *node, const char *name);
/* Attribute value (borrowed pointer into libxml2's tree, or NULL). */
const char *xml_attr(const xmlNode *node, const char *name);
/* Concatenated text content of node, trimmed of surrounding white space; caller frees. */
char *xml_text(const xmlNode *node);
long xml_line(const xmlNode *node);

#endif
