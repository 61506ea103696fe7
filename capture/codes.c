/* Single-use survey codes (codes.h): making, reading and hashing them, their QR codes. The
   command is codes_cmd.c. */
#include "codes.h"

#include <errno.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "text.h"

/* Crockford's base 32: no I, L, O, U */
static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

int survey_code_make(char out[SURVEY_CODE_LEN + 1], struct perr *err)
{
	unsigned char r[SURVEY_CODE_LEN * 5 / 8];
	unsigned acc = 0;
	int bits = 0;
	size_t n = 0;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return perr_set(err, PERR_SYSTEM, "getrandom", "no random bytes: %s",
				strerror(errno));
	for (size_t i = 0; i < sizeof(r); i++) {
		acc = (acc << 8) | r[i];
		bits += 8;
		while (bits >= 5) {
			out[n++] = alphabet[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	out[n] = '\0';
	return 0;
}

int survey_code_canonical(const char *in, size_t len, char out[SURVEY_CODE_LEN + 1])
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		char c = in[i];

		if (c == '-' || c == ' ')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c == 'O')
			c = '0';
		else if (c == 'I' || c == 'L')
			c = '1';
		if (!c || !strchr(alphabet, c) || n == SURVEY_CODE_LEN)
			return -1;
		out[n++] = c;
	}
	out[n] = '\0';
	return n == SURVEY_CODE_LEN ? 0 : -1;
}

void survey_code_hash(const char *canonical, char out[65])
{
	text_sha256_hex(canonical, strlen(canonical), out);
}

void survey_code_pretty(const char *canonical, char out[SURVEY_CODE_LEN + 4])
{
	snprintf(out, SURVEY_CODE_LEN + 4, "%.4s-%.4s-%.4s-%.4s", canonical, canonical + 4,
		 canonical + 8, canonical + 12);
}

int survey_code_qr_svg(struct strbuf *sb, const char *text)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	int w, quiet = 4;

	if (!qr)
		return -1;
	w = qr->width;
	/* one path: a run of dark modules in a row is one rectangle */
	strbuf_addf(sb, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
			"shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR\">"
			"<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
		    w + 2 * quiet, w + 2 * quiet, w + 2 * quiet, w + 2 * quiet);
	for (int y = 0; y < w; y++)
		for (int x = 0; x < w;) {
			int run = 0;

			while (x + run < w && (qr->data[y * w + x + run] & 1))
				run++;
			if (run) {
				strbuf_addf(sb, "M%d %dh%dv1h-%dz", x + quiet, y + quiet, run, run);
				x += run;
			} else {
				x++;
			}
		}
	strbuf_adds(sb, "\"/></svg>");
	QRcode_free(qr);
	return 0;
}
