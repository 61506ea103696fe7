/* Writing CSV fields: quoted by libcsv when the text holds a comma, a quote or a line break,
   written as it is otherwise (so plain tables stay easy to read and to diff). */
#ifndef PARINDEX_CSVOUT_H
#define PARINDEX_CSVOUT_H

#include <stdio.h>

/* Write s, then ',' or (last) '\n'. */
void csvout_field(FILE *out, const char *s, int last);
/* Write s alone, with no separator after it. */
void csvout_text(FILE *out, const char *s);

#endif
