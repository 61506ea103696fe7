/* Text helpers: Unicode normalisation and case (libunistring), cutting text on a character
   boundary, and hex digests (nettle). */
#ifndef PARINDEX_TEXT_H
#define PARINDEX_TEXT_H

#include <stddef.h>

/* Is s (UTF-8) already in Unicode NFC? */
int text_is_nfc(const char *s);
/* s in NFC, newly allocated. */
char *text_nfc(const char *s);
/* s lower-cased and in NFC ("Xã" -> "xã"), newly allocated; invalid UTF-8 stays as it is. */
char *text_fold(const char *s);
/* s (NULL: empty) copied into out (size bytes), cut if it does not fit at the end of a whole
   UTF-8 character and then ended with "…", so a message never ends inside a character and
   always says that text was cut (below 4 bytes there is no room for the mark). out may be s.
   Returns out. */
char *text_cut(char *out, size_t size, const char *s);
/* buf of size bytes (at least 4) holds text that vsnprintf or snprintf cut (its return was
   >= size): end it with "…" at a character boundary, as text_cut does. */
void text_mark_cut(char *buf, size_t size);
/* Does s hold a control character: C0 (tab and line breaks included), DEL or C1? */
int text_has_control(const char *s);
/* Lower-case hex digests of data, written into out (65 and 33 bytes). */
void text_sha256_hex(const void *data, size_t len, char out[65]);
void text_md5_hex(const void *data, size_t len, char out[33]);
/* len bytes of data in lower-case hex, into out (2 * len + 1 bytes). */
void text_hex(const void *data, size_t len, char *out);

#endif
