/* A growable, always NUL-terminated byte buffer in the manner of git's strbuf.
   Ownership: the struct owns buf; strbuf_release frees it, strbuf_detach hands it to the
   caller. A zeroed struct (STRBUF_INIT) is an empty buffer. */
#ifndef PARINDEX_STRBUF_H
#define PARINDEX_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *buf; /* NULL until the first write; use strbuf_str() to read */
	size_t len, alloc;
};

#define STRBUF_INIT { 0 }

void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addc(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s escaped for XML text and attribute values; C0 controls other than tab, line feed
   and carriage return, which XML cannot hold, are left out. NULL adds nothing. The one rule
   for HTML too (the report's pages, the office's pages). */
void strbuf_add_xml(struct strbuf *sb, const char *s);
void strbuf_reset(struct strbuf *sb);
const char *strbuf_str(const struct strbuf *sb);
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_release(struct strbuf *sb);
/* Read a whole file; -1 with errno set on failure. */
int strbuf_read_file(struct strbuf *sb, const char *path, size_t max);

#endif
