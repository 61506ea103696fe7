/* Writing CSV cells: the one place that decides how a cell is written, so every CSV parindex
   writes (report tables, tally --format csv, the scores template, the codebook, the capture
   receipt) follows one rule:
   - a text cell is quoted when it holds a comma, a quote or a line break (or always, when the
     caller asks), written as it is otherwise (plain tables stay easy to read and to diff);
   - a text cell that a spreadsheet would read as a formula (it starts with '=', '+', '-',
     '@', a tab or a carriage return, after any apostrophes) gets a leading apostrophe,
     inside quotes: "'=1+2". The apostrophe is the mark spreadsheets themselves use for
     "this is text", it keeps every character of the text, and a reader can take it off
     again (csvout_unneutral; "'=x" is written "''=x");
   - a number written by the program stays a number: "-12.50" is written as it is. Only a
     plain decimal (-?DIGITS[.DIGITS]) counts as one; anything else given as a number is
     written as text, so data cannot pass as a number. */
#ifndef PARINDEX_CSVOUT_H
#define PARINDEX_CSVOUT_H

#include <stdio.h>

#include "strbuf.h"

/* Would a spreadsheet read s as a formula? */
int csvout_is_formula(const char *s);
/* Is s a plain decimal number (-?DIGITS[.DIGITS])? */
int csvout_is_number(const char *s);
/* Append s as a text cell (quoted always when quote is set); no separator after it. */
void csvout_add_text(struct strbuf *sb, const char *s, int quote);
/* Append s as a number cell: as it is when it is a plain number, else as a text cell. */
void csvout_add_number(struct strbuf *sb, const char *s);
/* A cell read back: s without the apostrophe csvout_add_text put before a formula's first
   character (a pointer into s). */
const char *csvout_unneutral(const char *s);

/* Write s as a text cell, then ',' or (last) '\n'. */
void csvout_field(FILE *out, const char *s, int last);
/* Write s as a text cell alone, with no separator after it. */
void csvout_text(FILE *out, const char *s);
/* Write s as a number cell alone (see csvout_add_number). */
void csvout_number(FILE *out, const char *s);

#endif
