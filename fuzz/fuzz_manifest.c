/* libFuzzer target: an encrypted submission's manifest and its .enc (capture/encrypted.c).
   The input is the manifest, a NUL byte, then the bytes of submission.xml.enc; the manifest
   is parsed by the instance parser, read, and the .enc decrypted with a fixed test key (the
   seeds were made with tests/data/capture/encrypt.py to its public half), the signature checked and the plaintext parsed
   and validated against the mini registry, as capture import does. The key is for fuzzing
   only: it opens nothing real. */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../capture/encrypted.h"
#include "fuzz_db.h"
#include "fuzz_registry.h"

static const char test_key[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQD4KUb4QH1CTb94\n"
	"yI4mJrcgLgv2VfKVrpZ1FmdbVf8vwsyWsflXDGYmHWiikITkuay+L/QCmht4pbqm\n"
	"r5XfkeqqLiEWppRSyTymqn9bPHFV67zF2AbW6BKcDlu/Yvp2Bh4HIzkUsJzf0Zw7\n"
	"5yv/f3wrDXdOdVW7rx2zvDKd4u6ntp1UkUdLMXrS82qPpmEAv8PPNtwg5XajNxl8\n"
	"z52FoZ14vrW0PQpExHFtwaKDFvjSYoO8LujZqg5Vii9ssglLBvoWPFrY3j0ckDk3\n"
	"6EeGlStdqv9attke04Q/fETsV5KkKWlSF/MDDue8XWvvdOGE3BISQc9nqP7jEuaP\n"
	"pi0EsCsnAgMBAAECggEAGAXQPR4/tz2VKvPohXtFn+5ahxf5LzyNi7vFo/BWZIEM\n"
	"KAxbfEM9gjQM7yu5SaD1vsV1RBPh/pMLLLFI+1xXO0PS59aWpiWdOERp/A2E/9HI\n"
	"XjM+2j/wnpMUlkQrxbrAM7sDqWPoE7yT+LKKA6Y2LBQWIri2D2tGH0zjw31L0rKT\n"
	"NLVaLn9u0vVvTIfLTPD2ptTXQ3FQy98GjIqzw0tE/rYGlaADQrgREv8Q+ffbGCov\n"
	"66S2klftIvCJGIMUOgqgHk+dXW0JX5w49+97Lm0bY/IML0VXEuf710y9jiJh35/R\n"
	"28R7gQF8u62XKGRgO1Z3U0CHeIYRBmcbdz1hoCv+yQKBgQD9DMDYmdFlVFHZPfHR\n"
	"H5iAT3WQ2KTDKhq5uzN8yyxGAV+y9lAttJuNCFSRqh7HAt/YfxKPUlokVWAehcX2\n"
	"+famaqWY3QblPLeI1ua4vkgsnU8BIfIsognP5bv0kIVuewNLGyHju7WvtKOa7hA0\n"
	"npQrcetTpP1qlgMxP0ik9PDDaQKBgQD7De7/LDIQHK345AnHZPdQopsmniHSdm9C\n"
	"pXRGT0g1r4pSy1MtwyGd8huTc8REBZ/kzsazWZK+m4GHEi+ZBuxCVby9+UvXR66J\n"
	"wXMQM6wvrRZHmIXKma15mZybs3KkIVU+QCyxLaGUoaRvvNICzOXu2yZqSS6lv28Q\n"
	"vo2AhS/4DwKBgBedbRHJqQTvzYOciEifzjeLMsmFrjqYX04d7jwjKcqOrkOhQPJC\n"
	"/JE4ycueOKkR15n4od7GLKtfXEz85vCZey8knLebSN1zwR0AESAEge/H7muIo3UO\n"
	"2iOQqO213v3kdPY5XfxGtDnlfa8jsFd4xRMY2oE/0HZ18W5THZBnW2ChAoGANkv3\n"
	"Kp0GXtG1FqVLMCK4Emp4n8uHiRswSPu7wBEZjvLeObXb0YPoW16ndCaPhh6pTDUk\n"
	"aFmxESRUyT+3p6MFqfsdDQFD09We/BAosJJcZRtMPEPSe9Ts3eXJJyuSWckTxJjg\n"
	"kZlK3vhutfPif9SMzjH7hvU474QNo1NzCx7DFyUCgYEAxd+XpUdvYWwN3aZ8H1y5\n"
	"Yk69mq3j1ospJ4pZPeCthVtzVZ4L/gmUIfy7a3ONCKT+XwRULcTwhqo9Yr5Pwmw9\n"
	"pw9UOCnMaoqYhNq7ZycgPGo1nkjfMByjIJ3fR1n7FROUYB0OO+dmxe0sXjQ6WPCu\n"
	"+9lDffuFxjgyeQ2XpHZ2+jY=\n"
	"-----END PRIVATE KEY-----\n";

static struct capture_registry reg;
static struct capture_parser *parser, *inner;
static struct capture_submission sub;
static struct strbuf plain = STRBUF_INIT;
static EVP_PKEY *key;

static void setup(void)
{
	BIO *b = BIO_new_mem_buf(test_key, -1);

	fuzz_registry_setup(&reg);
	parser = capture_parser_new(32);
	inner = capture_parser_new(32);
	key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	if (!key)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct capture_instance inst, in;
	struct capture_manifest m;
	struct capture_problem prob;
	const uint8_t *nul = memchr(data, 0, size);
	size_t mlen = nul ? (size_t)(nul - data) : size;
	const unsigned char *enc = nul ? nul + 1 : data + size;
	size_t enc_len = nul ? size - mlen - 1 : 0;
	struct capture_enc_file part;
	char iid[CAPTURE_MAX_ID + 1];
	int served, imported;

	if (!parser)
		setup();
	if (capture_parse(parser, (const char *)data, mlen, &inst, &prob) < 0 ||
	    !capture_is_manifest(&inst))
		return 0;
	/* the server's way (serve --key): the part came as submission.xml.enc */
	part = (struct capture_enc_file){ "submission.xml.enc", enc, enc_len };
	served = capture_open_encrypted(key, &inst, &part, 1, inner, &plain, &in, &prob);
	/* capture import's way, which must agree when the manifest names that file */
	if (capture_manifest_read(&inst, &m, &prob) < 0 || strlen(m.instance_id) > CAPTURE_MAX_ID) {
		if (served == 0)
			fuzz_die("serve opened a manifest capture import refuses", NULL);
		return 0;
	}
	strcpy(iid, m.instance_id);
	/* (no media beside it: a manifest listing some is refused by both, missing-enc) */
	imported = capture_decrypt(key, &m, NULL, NULL, enc, enc_len, &plain, &prob) < 0
			   ? -1
			   : capture_encrypted_parse(inner, m.xml_file, iid, &plain, &in, &prob);
	if (!strcmp(m.xml_file, "submission.xml.enc") && served != imported)
		fuzz_die("serve and capture import disagree on an encrypted submission", NULL);
	if (imported == 0 && !in.is_form)
		(void)capture_validate(&reg, &in, &sub, &prob);
	return 0;
}
