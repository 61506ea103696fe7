/* Text helpers: Unicode normalisation (libunistring) and hex digests (nettle). */
#ifndef PARINDEX_TEXT_H
#define PARINDEX_TEXT_H

#include <stddef.h>

/* Is s (UTF-8) already in Unicode NFC? */
int text_is_nfc(const char *s);
/* s in NFC, newly allocated. */
char *text_nfc(const char *s);
/* Lower-case hex digests of data, written into out (65 and 33 bytes). */
void text_sha256_hex(const void *data, size_t len, char out[65]);
void text_md5_hex(const void *data, size_t len, char out[33]);

#endif
