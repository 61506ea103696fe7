/* Growable byte buffer. */
#include "strbuf.h"
#include "err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_grow(struct strbuf *sb, size_t extra)
{
	xgrow(&sb->buf, &sb->alloc, sb->len + extra + 1, 1);
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	strbuf_grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void strbuf_adds(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_addc(struct strbuf *sb, char c)
{
	strbuf_add(sb, &c, 1);
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	strbuf_grow(sb, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

void strbuf_add_xml(struct strbuf *sb, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': strbuf_adds(sb, "&amp;"); break;
		case '<': strbuf_adds(sb, "&lt;"); break;
		case '>': strbuf_adds(sb, "&gt;"); break;
		case '"': strbuf_adds(sb, "&quot;"); break;
		/* XML has no place for the other C0 controls (an ESC in a commune name made the
		   XForm not XML): left out */
		case '\t': case '\n': case '\r': strbuf_addc(sb, *s); break;
		default:
			if ((unsigned char)*s >= 0x20)
				strbuf_addc(sb, *s);
		}
	}
}

void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

const char *strbuf_str(const struct strbuf *sb)
{
	return sb->buf ? sb->buf : "";
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
	char *p;

	strbuf_grow(sb, 0);
	sb->buf[sb->len] = '\0'; /* an empty buffer's first allocation is not yet terminated */
	p = sb->buf;
	if (len)
		*len = sb->len;
	memset(sb, 0, sizeof(*sb));
	return p;
}

void strbuf_release(struct strbuf *sb)
{
	free(sb->buf);
	memset(sb, 0, sizeof(*sb));
}

int strbuf_read_file(struct strbuf *sb, const char *path, size_t max)
{
	FILE *f = fopen(path, "rb");
	char tmp[65536];
	size_t n;

	if (!f)
		return -1;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0) {
		if (sb->len + n > max) {
			fclose(f);
			errno = EFBIG;
			return -1;
		}
		strbuf_add(sb, tmp, n);
	}
	if (ferror(f)) {
		int e = errno;
		fclose(f);
		errno = e ? e : EIO;
		return -1;
	}
	fclose(f);
	strbuf_grow(sb, 0);
	return 0;
}
