/* The escaping rules for every output that data reaches, one function each, so a name from
   the register or a text from a definition cannot become code anywhere:
   - gnuplot: escape_gp writes a single-quoted string, the one kind gnuplot neither
     substitutes (no `command` backquotes, no @macros) nor reads backslashes in;
   - terminal: escape_term shows control characters (C0, DEL, C1, bidirectional and line
     separators) and bytes that are not UTF-8 as \t, \n, \r, \xHH or \uHHHH, and leaves
     valid UTF-8 (Vietnamese) as it is;
   - CSV cells: core/csvout (a cell a spreadsheet would read as a formula stays text);
   - HTML: strbuf_add_xml. */
#ifndef PARINDEX_ESCAPE_H
#define PARINDEX_ESCAPE_H

#include <stdio.h>

#include "strbuf.h"

/* Append s as a gnuplot string expression: '...' with ' doubled; a line break in s becomes
   gnuplot's "\n" joined by '.' ('a'."\n".'b'); other control bytes are left out. */
void escape_gp(struct strbuf *sb, const char *s);

/* Append s with control characters and invalid UTF-8 shown escaped (see above). */
void escape_term(struct strbuf *sb, const char *s);
/* escape_term into a new string (caller frees). */
char *escape_term_dup(const char *s);
/* Write s to f as escape_term shows it. */
void escape_term_fputs(FILE *f, const char *s);
/* The same for a text of several lines: its line feeds stay line feeds. */
void escape_term_lines(FILE *f, const char *s);

#endif
