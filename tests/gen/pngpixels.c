/* pngpixels: what a PNG holds and how it was encoded, for the chart tests (t4011). Built by
   `make check` only.
     pngpixels FILE...
   One line per file: "FILE WIDTHxHEIGHT zlib-level L filters F,... rgb SHA256". The pixels
   are decoded by libpng (its simplified API, to 8-bit RGB) and hashed, so two files of the
   same pixels print the same hash whatever their encoding; the encoding is read from the
   file itself: L is the zlib header's compression level field (0 fastest ... 3 maximum:
   libpng's default level 6 writes 2, level 1 writes 0) and F the scanline filter types the
   rows use (0 none, 1 sub, 2 up, 3 average, 4 Paeth). Exits 1 on a file it cannot read. */
#include <nettle/sha2.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static unsigned long be32(const unsigned char *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		return NULL;
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 1 << 16;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got);
	fclose(f);
	*len = n;
	return buf;
}

/* The zlib level field and the set of filter types (bit per type) of an 8-bit,
   non-interlaced PNG; -1 when it is not one or does not inflate. */
static int encoding(const unsigned char *png, size_t len, int *level, unsigned *filters)
{
	static const int channels[7] = { 1, 0, 3, 1, 2, 0, 4 };
	unsigned char *idat = NULL, *raw;
	size_t nidat = 0, pos = 8, stride = 0, rows = 0;
	uLongf nraw;
	int rc = -1;

	if (len < 8 || memcmp(png, "\x89PNG\r\n\x1a\n", 8))
		return -1;
	while (pos + 12 <= len) {
		size_t n = be32(png + pos);

		if (n > len - pos - 12)
			break;
		if (!memcmp(png + pos + 4, "IHDR", 4) && n == 13) {
			const unsigned char *h = png + pos + 8;

			if (h[8] != 8 || h[9] > 6 || !channels[h[9]] || h[12])
				break;
			stride = be32(h) * (size_t)channels[h[9]];
			rows = be32(h + 4);
		} else if (!memcmp(png + pos + 4, "IDAT", 4)) {
			idat = realloc(idat, nidat + n + 1);
			if (!idat)
				abort();
			memcpy(idat + nidat, png + pos + 8, n);
			nidat += n;
		}
		pos += 12 + n;
	}
	if (!stride || nidat < 2) {
		free(idat);
		return -1;
	}
	*level = idat[1] >> 6;
	nraw = (uLongf)((stride + 1) * rows);
	raw = malloc(nraw ? nraw : 1);
	if (!raw)
		abort();
	if (uncompress(raw, &nraw, idat, nidat) == Z_OK && nraw == (stride + 1) * rows) {
		*filters = 0;
		for (size_t y = 0; y < rows; y++)
			*filters |= 1u << (raw[y * (stride + 1)] & 7);
		rc = 0;
	}
	free(raw);
	free(idat);
	return rc;
}

int main(int argc, char **argv)
{
	int bad = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: pngpixels FILE...\n");
		return 2;
	}
	for (int a = 1; a < argc; a++) {
		png_image image;
		size_t len = 0;
		unsigned char *file = slurp(argv[a], &len), *pixels = NULL;
		unsigned char digest[SHA256_DIGEST_SIZE];
		struct sha256_ctx sha;
		unsigned filters = 0;
		int level = 0;

		memset(&image, 0, sizeof(image));
		image.version = PNG_IMAGE_VERSION;
		if (!file || encoding(file, len, &level, &filters) < 0 ||
		    !png_image_begin_read_from_memory(&image, file, len)) {
			fprintf(stderr, "pngpixels: %s: not a PNG this reads\n", argv[a]);
			free(file);
			bad = 1;
			continue;
		}
		image.format = PNG_FORMAT_RGB;
		pixels = malloc(PNG_IMAGE_SIZE(image));
		if (!pixels)
			abort();
		if (!png_image_finish_read(&image, NULL, pixels, 0, NULL)) {
			fprintf(stderr, "pngpixels: %s: %s\n", argv[a], image.message);
			free(pixels);
			free(file);
			bad = 1;
			continue;
		}
		sha256_init(&sha);
		sha256_update(&sha, PNG_IMAGE_SIZE(image), pixels);
		sha256_digest(&sha, sizeof(digest), digest);
		printf("%s %ux%u zlib-level %d filters", argv[a], image.width, image.height, level);
		for (int f = 0, first = 1; f < 5; f++)
			if (filters & 1u << f) {
				printf("%c%d", first ? ' ' : ',', f);
				first = 0;
			}
		printf(" rgb ");
		for (size_t i = 0; i < sizeof(digest); i++)
			printf("%02x", digest[i]);
		printf("\n");
		free(pixels);
		free(file);
	}
	return bad;
}
