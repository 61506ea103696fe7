/* The parsers of parindex serve written by hand: the Host header (absolute URLs are built
   from it), --public-url, --listen, the Authorization: Digest header and X-Forwarded-For. Aborts when a Host
   accepted could break out of the URL or XML it is put in, a listen address accepted does not
   read back the same, or a Digest header parses differently twice or leaves a field
   unterminated. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../capture/serve_http.h"
#include "err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	size_t len = strlen(s);
	struct sockaddr_storage ss, again;
	socklen_t sl, sl2;

	if (serve_host_ok(s, len)) {
		if (len > 255 || strpbrk(s, "\"'<>&/\\@ ?#%\t\r\n") || !len)
			abort();
	}
	if (serve_public_url_ok(s) && (strpbrk(s, "\"<>\\ \t\r\n`{}|^") ||
				       (strncmp(s, "http://", 7) && strncmp(s, "https://", 8))))
		abort();
	if (serve_parse_listen(s, &ss, &sl) == 0) {
		char host[INET6_ADDRSTRLEN], back[INET6_ADDRSTRLEN + 16];

		if (ss.ss_family == AF_INET) {
			const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;

			inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
			snprintf(back, sizeof(back), "%s:%u", host, ntohs(a->sin_port));
		} else {
			const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;

			inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
			snprintf(back, sizeof(back), "[%s]:%u", host, ntohs(a->sin6_port));
		}
		if (serve_parse_listen(back, &again, &sl2) < 0 || sl != sl2 ||
		    memcmp(&ss, &again, sl))
			abort();
	}
	{
		struct serve_digest d1, d2;
		int r1 = serve_digest_parse(s, &d1), r2 = serve_digest_parse(s, &d2);

		if (r1 != r2 || (r1 == 0 && memcmp(&d1, &d2, sizeof(d1))))
			abort();
		if (r1 == 0 && (!memchr(d1.username, 0, sizeof(d1.username)) ||
				!memchr(d1.uri, 0, sizeof(d1.uri)) ||
				!memchr(d1.cnonce, 0, sizeof(d1.cnonce))))
			abort();
	}
	{
		char addr[64];
		unsigned char bin[16];

		if (serve_forwarded_client(s, addr) == 0 && inet_pton(AF_INET, addr, bin) != 1 &&
		    inet_pton(AF_INET6, addr, bin) != 1)
			abort();
	}
	free(s);
	return 0;
}
