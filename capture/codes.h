/* The web survey's single-use codes (issue 12): made from the system's CSPRNG, 16 characters
   of Crockford's base 32 (80 bits), printed on cut-out slips with a QR code of the survey
   link, stored only as their SHA-256 (table survey_code, migration 0015). `parindex codes`
   issues, lists and voids them; `parindex serve` (serve_web.c) takes them. */
#ifndef PARINDEX_CODES_H
#define PARINDEX_CODES_H

#include <stddef.h>

#include "err.h"
#include "strbuf.h"

#define SURVEY_CODE_LEN 16 /* characters, 5 bits each */

/* A new code from getrandom: 0, or -1 with err. */
int survey_code_make(char out[SURVEY_CODE_LEN + 1], struct perr *err);
/* The canonical form of a typed code (len bytes): dashes and spaces dropped, upper case, O
   read as 0 and I, L as 1. 0, or -1 when it is not 16 characters of the alphabet. */
int survey_code_canonical(const char *in, size_t len, char out[SURVEY_CODE_LEN + 1]);
/* What the database keeps of a canonical code: its SHA-256 in hex. */
void survey_code_hash(const char *canonical, char out[65]);
/* A canonical code as printed: four groups of four joined by dashes. */
void survey_code_pretty(const char *canonical, char out[SURVEY_CODE_LEN + 4]);
/* text as a QR code (error correction M) in an inline SVG element, appended to sb; the
   element's size is set by the page's style. -1 when text does not fit a QR code. */
int survey_code_qr_svg(struct strbuf *sb, const char *text);

/* parindex codes issue|list|void */
int cmd_codes(int argc, char **argv);

#endif
