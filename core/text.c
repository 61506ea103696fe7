/* Unicode normalisation and digests. */
#include "text.h"
#include "err.h"

#include <nettle/md5.h>
#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <uninorm.h>

char *text_nfc(const char *s)
{
	size_t len = strlen(s), outlen = 0;
	uint8_t *out = u8_normalize(UNINORM_NFC, (const uint8_t *)s, len, NULL, &outlen);
	char *r;

	if (!out)
		return xstrdup(s); /* invalid UTF-8 stays as it is; callers validate it */
	r = xstrndup((const char *)out, outlen);
	free(out);
	return r;
}

char *text_fold(const char *s)
{
	size_t outlen = 0;
	uint8_t *out = u8_tolower((const uint8_t *)s, strlen(s), NULL, UNINORM_NFC, NULL, &outlen);
	char *r;

	if (!out)
		return xstrdup(s);
	r = xstrndup((const char *)out, outlen);
	free(out);
	return r;
}

void text_mark_cut(char *buf, size_t size)
{
	static const char ellipsis[] = "\xe2\x80\xa6"; /* … */
	size_t n = size - sizeof(ellipsis);

	/* back to the first byte of a character: continuation bytes are 10xxxxxx */
	while (n && ((unsigned char)buf[n] & 0xC0) == 0x80)
		n--;
	memcpy(buf + n, ellipsis, sizeof(ellipsis));
}

char *text_cut(char *out, size_t size, const char *s)
{
	size_t len;

	if (!s)
		s = "";
	len = strlen(s);
	if (len < size) {
		memmove(out, s, len + 1);
		return out;
	}
	if (!size)
		return out;
	memmove(out, s, size - 1);
	out[size - 1] = '\0';
	/* no room for the mark below 4 bytes: cut only */
	if (size >= 4)
		text_mark_cut(out, size);
	return out;
}

int text_has_control(const char *str)
{
	for (const unsigned char *s = (const unsigned char *)str; *s; s++)
		if (*s < 0x20 || *s == 0x7f || (s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f))
			return 1;
	return 0;
}

int text_is_nfc(const char *s)
{
	char *n = text_nfc(s);
	int same = !strcmp(n, s);

	free(n);
	return same;
}

static void hex(const unsigned char *d, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * n] = '\0';
}

void text_sha256_hex(const void *data, size_t len, char out[65])
{
	struct sha256_ctx c;
	unsigned char d[SHA256_DIGEST_SIZE];

	sha256_init(&c);
	sha256_update(&c, len, data);
	sha256_digest(&c, sizeof(d), d);
	hex(d, sizeof(d), out);
}

void text_md5_hex(const void *data, size_t len, char out[33])
{
	struct md5_ctx c;
	unsigned char d[MD5_DIGEST_SIZE];

	md5_init(&c);
	md5_update(&c, len, data);
	md5_digest(&c, sizeof(d), d);
	hex(d, sizeof(d), out);
}

void text_hex(const void *data, size_t len, char *out)
{
	hex(data, len, out);
}
