/* Encrypted submissions (docs.getodk.org/encrypted-forms), as ODK Collect writes them for a form
   whose <submission> names a base64RsaPublicKey: an instance folder holds submission.xml, a
   manifest (<data encrypted="yes" id version> with base64EncryptedKey, meta/instanceID,
   encryptedXmlFile, base64EncryptedElementSignature), and submission.xml.enc.
   - the symmetric key: 32 bytes, RSA-OAEP (SHA-256 digest, MGF1 with SHA-1: Java's
     RSA/NONE/OAEPWithSHA256AndMGF1Padding) under the form's public key, base64;
   - media files: each listed as <media><file>NAME.enc</file></media>, in the order Collect
     encrypted them, sent beside the submission (zip entries or request parts of that name);
   - each file: AES-256-CFB (128-bit feedback) with PKCS#5 padding; the IV seed is
     md5(instanceID UTF-8 bytes, symmetric key), and before each file (media in manifest
     order, then the submission) byte (counter mod 16) of the seed is incremented, then the
     counter (Collect's EncryptedFormInformation.getCipher);
   - the element signature: md5 of the lines "formId", "version" (when the form has one),
     base64EncryptedKey, instanceID, and "NAME::md5hex(plaintext)" for each file, each ended by
     '\n', RSA-OAEP encrypted the same way; checked by decrypting it with the private key.
   The private key lives in memory only, for the run; nothing of it is stored. */
#include "encrypted.h"

#include <errno.h>
#include <limits.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <string.h>

#include "text.h"

int capture_key_load(EVP_PKEY **key, const char *path, struct perr *err)
{
	FILE *f = fopen(path, "rb");

	*key = NULL;
	if (!f) {
		perr_set(err, PERR_SYSTEM, path, "cannot open the private key: %s", strerror(errno));
		return -1;
	}
	*key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	ERR_clear_error();
	if (!*key || EVP_PKEY_get_base_id(*key) != EVP_PKEY_RSA) {
		EVP_PKEY_free(*key);
		*key = NULL;
		perr_set(err, PERR_USAGE, path,
			 "not an RSA private key in PEM (the key pair of the form's base64RsaPublicKey)");
		return -1;
	}
	return 0;
}

/* base64 (whitespace allowed) into out: its length, or -1 */
static long unbase64(const char *s, unsigned char *out, size_t size)
{
	char clean[2048];
	size_t n = 0, pad = 0;
	int got;

	for (; *s; s++) {
		if (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
			continue;
		if (n + 1 >= sizeof(clean))
			return -1;
		clean[n++] = *s;
	}
	if (n == 0 || n % 4 || n / 4 * 3 > size)
		return -1;
	pad = (clean[n - 1] == '=') + (clean[n - 2] == '=');
	got = EVP_DecodeBlock(out, (const unsigned char *)clean, (int)n);
	if (got < 0)
		return -1;
	return got - (long)pad;
}

/* a .enc that does not decrypt whole (its padding) says the same as one whose signature
   differs: either is a file altered, or not of this submission */
#define SIGNATURE_MISMATCH \
	"the element signature does not match the manifest and %.200s: altered after it was " \
	"sent, or not of this submission"

static int rsa_decrypt(EVP_PKEY *key, const unsigned char *in, size_t inlen, unsigned char *out,
		       size_t *outlen)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(key, NULL);
	int ok = c && EVP_PKEY_decrypt_init(c) > 0 &&
		 EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_OAEP_PADDING) > 0 &&
		 EVP_PKEY_CTX_set_rsa_oaep_md(c, EVP_sha256()) > 0 &&
		 EVP_PKEY_CTX_set_rsa_mgf1_md(c, EVP_sha1()) > 0 &&
		 EVP_PKEY_decrypt(c, out, outlen, in, inlen) > 0;

	EVP_PKEY_CTX_free(c);
	ERR_clear_error();
	return ok ? 0 : -1;
}

static void problem(struct capture_problem *prob, const char *reason, const char *fmt, const char *a)
{
	prob->reason = reason;
	snprintf(prob->msg, sizeof(prob->msg), fmt, a);
}

/* A plain file name ending in .enc, beside the manifest (no folder, not hidden). */
static int enc_name_ok(const char *file)
{
	size_t n = file ? strlen(file) : 0;

	return n >= 5 && n <= 200 && !strchr(file, '/') && !strchr(file, '\\') &&
	       !strcmp(file + n - 4, ".enc") && file[0] != '.';
}

/* Is name among the media files read into m so far? */
static int listed_media(const struct capture_manifest *m, const char *name)
{
	for (size_t j = 0; j < m->nmedia; j++)
		if (!strcmp(m->media[j], name))
			return 1;
	return 0;
}

const char *capture_manifest_field(const struct capture_instance *inst, const char *name)
{
	for (size_t i = 0; i < inst->nfields; i++)
		if (!strcmp(inst->fields[i].name, name))
			return inst->fields[i].value;
	return NULL;
}

int capture_manifest_read(const struct capture_instance *inst, struct capture_manifest *m,
			  struct capture_problem *prob)
{
	static const char *const known[] = { "base64EncryptedKey", "encryptedXmlFile",
					     "base64EncryptedElementSignature", "meta", NULL };
	const char *file;

	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < inst->nfields; i++) {
		const char *const *k = known;

		while (*k && strcmp(*k, inst->fields[i].name))
			k++;
		if (!strcmp(inst->fields[i].name, "media")) {
			const char *media = inst->fields[i].value;

			prob->line = inst->fields[i].line;
			if (m->nmedia == CAPTURE_MEDIA_MAX) {
				prob->reason = "bad-manifest";
				snprintf(prob->msg, sizeof(prob->msg), "the manifest lists more than %d "
					 "media files", CAPTURE_MEDIA_MAX);
				return -1;
			}
			if (!enc_name_ok(media)) {
				problem(prob, "bad-manifest", "<media><file> must name a file beside "
					"the manifest ending in .enc: '%.200s'", media);
				return -1;
			}
			if (listed_media(m, media)) {
				problem(prob, "bad-manifest", "media file %.200s listed twice in the "
					"manifest", media);
				return -1;
			}
			m->media[m->nmedia++] = media;
			continue;
		}
		if (!*k) {
			prob->reason = "bad-manifest";
			prob->line = inst->fields[i].line;
			snprintf(prob->msg, sizeof(prob->msg), "unknown element <%.100s> in the manifest",
				 inst->fields[i].name);
			return -1;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(inst->fields[j].name, inst->fields[i].name)) {
				prob->reason = "bad-manifest";
				prob->line = inst->fields[i].line;
				snprintf(prob->msg, sizeof(prob->msg),
					 "<%.100s> twice in the manifest", inst->fields[i].name);
				return -1;
			}
	}
	m->form_id = inst->form_id;
	m->form_version = inst->form_version;
	m->instance_id = inst->instance_id;
	m->key = capture_manifest_field(inst, "base64EncryptedKey");
	file = capture_manifest_field(inst, "encryptedXmlFile");
	m->signature = capture_manifest_field(inst, "base64EncryptedElementSignature");
	prob->line = inst->line;
	if (!m->form_id || !*m->form_id) {
		problem(prob, "bad-manifest", "the manifest's root has no id attribute%s", "");
		return -1;
	}
	if (!m->instance_id || !*m->instance_id) {
		problem(prob, "bad-manifest", "the manifest has no meta/instanceID%s", "");
		return -1;
	}
	if (!m->key || !*m->key || !m->signature || !*m->signature || !file) {
		problem(prob, "bad-manifest",
			"the manifest lacks %s",
			!m->key || !*m->key ? "<base64EncryptedKey>"
			: !file		    ? "<encryptedXmlFile>"
					    : "<base64EncryptedElementSignature>");
		return -1;
	}
	if (!enc_name_ok(file)) {
		problem(prob, "bad-manifest",
			"<encryptedXmlFile> must name a file beside the manifest ending in .enc: '%.200s'",
			file);
		return -1;
	}
	if (listed_media(m, file)) {
		problem(prob, "bad-manifest", "%.200s is both a media file and the encrypted "
			"submission in the manifest", file);
		return -1;
	}
	m->xml_file = file;
	return 0;
}

/* One file of the submission, decrypted with the symmetric key sym and the IV iv into out,
   its PKCS#5 padding checked whole: 0, or -1 with prob (bad-signature: its name). */
static int decrypt_file(const unsigned char *sym, const unsigned char *iv, const char *name,
			const unsigned char *enc, size_t enc_len, struct strbuf *out,
			struct capture_problem *prob)
{
	EVP_CIPHER_CTX *c;
	int outl = 0, ok;
	size_t plen;

	strbuf_reset(out);
	if (enc_len % 16 || enc_len == 0 || enc_len > INT_MAX) {
		problem(prob, "bad-signature",
			"%.200s is not a whole number of AES blocks: damaged or not of this submission",
			name);
		return -1;
	}
	strbuf_grow(out, enc_len + 16);
	c = EVP_CIPHER_CTX_new();
	ok = c && EVP_DecryptInit_ex(c, EVP_aes_256_cfb128(), NULL, sym, iv) > 0 &&
	     EVP_CIPHER_CTX_set_padding(c, 0) > 0 &&
	     EVP_DecryptUpdate(c, (unsigned char *)out->buf, &outl, enc, (int)enc_len) > 0;
	EVP_CIPHER_CTX_free(c);
	plen = ok ? (size_t)outl : 0;
	if (plen) {
		unsigned char p = (unsigned char)out->buf[plen - 1];

		ok = p >= 1 && p <= 16;
		for (size_t i = 0; ok && i < p; i++)
			ok = (unsigned char)out->buf[plen - 1 - i] == p;
		if (ok)
			plen -= p;
	}
	if (!ok || !plen) {
		strbuf_reset(out);
		problem(prob, "bad-signature", SIGNATURE_MISMATCH, name);
		return -1;
	}
	out->len = plen;
	out->buf[plen] = '\0';
	return 0;
}

/* the signature's line of a decrypted file: "NAME::md5hex", NAME without its .enc */
static void signature_line(struct strbuf *lines, const char *enc_name, const struct strbuf *plain)
{
	char md5hex[33];

	text_md5_hex(plain->buf, plain->len, md5hex);
	strbuf_addf(lines, "%.*s::%s\n", (int)(strlen(enc_name) - 4), enc_name, md5hex);
}

int capture_decrypt(EVP_PKEY *key, const struct capture_manifest *m, capture_media_fetch fetch,
		    void *arg, const unsigned char *enc, size_t enc_len, struct strbuf *plain,
		    struct capture_problem *prob)
{
	unsigned char wrapped[1536], sym[1536], seed[EVP_MAX_MD_SIZE], sig[1536];
	unsigned char digest[EVP_MAX_MD_SIZE];
	size_t symlen = sizeof(sym), siglen = sizeof(sig), counter = 0;
	unsigned int dlen = 0;
	long n;
	int ok, rc = -1;
	struct strbuf lines = STRBUF_INIT, media = STRBUF_INIT;
	EVP_MD_CTX *md;

	prob->line = 0;
	strbuf_reset(plain);
	n = unbase64(m->key, wrapped, sizeof(wrapped));
	if (n <= 0) {
		problem(prob, "bad-manifest", "<base64EncryptedKey> is not base64%s", "");
		return -1;
	}
	if (rsa_decrypt(key, wrapped, (size_t)n, sym, &symlen) < 0 || symlen != 32) {
		problem(prob, "wrong-key",
			"the submission's key does not decrypt with the --key given: encrypted for "
			"another form key%s", "");
		goto done;
	}
	md = EVP_MD_CTX_new();
	ok = md && EVP_DigestInit_ex(md, EVP_md5(), NULL) > 0 &&
	     EVP_DigestUpdate(md, m->instance_id, strlen(m->instance_id)) > 0 &&
	     EVP_DigestUpdate(md, sym, symlen) > 0 && EVP_DigestFinal_ex(md, seed, &dlen) > 0;
	EVP_MD_CTX_free(md);
	if (!ok || dlen != 16) {
		problem(prob, "wrong-key", "cannot derive the IV%s", "");
		goto done;
	}
	strbuf_adds(&lines, m->form_id);
	strbuf_addc(&lines, '\n');
	if (m->form_version && *m->form_version) {
		strbuf_adds(&lines, m->form_version);
		strbuf_addc(&lines, '\n');
	}
	strbuf_addf(&lines, "%s\n%s\n", m->key, m->instance_id);

	/* the media first, in the manifest's order: each only for its line of the signature */
	for (size_t i = 0; i < m->nmedia; i++) {
		struct capture_enc_file f = { 0 };
		int got;

		seed[counter++ % 16]++;
		if (!fetch) {
			problem(prob, "missing-enc", "the manifest names %.200s, which did not come with "
				"it: the submission cannot be decrypted", m->media[i]);
			goto done;
		}
		got = fetch(arg, i, &f, prob);
		if (got != 0) {
			rc = got < 0 ? -2 : -1;
			goto done;
		}
		if (decrypt_file(sym, seed, m->media[i], f.data, f.len, &media, prob) < 0)
			goto done;
		signature_line(&lines, m->media[i], &media);
		explicit_bzero(media.buf, media.len);
	}
	seed[counter++ % 16]++;
	if (decrypt_file(sym, seed, m->xml_file, enc, enc_len, plain, prob) < 0)
		goto done;
	signature_line(&lines, m->xml_file, plain);

	/* the element signature */
	n = unbase64(m->signature, wrapped, sizeof(wrapped));
	if (n <= 0 || rsa_decrypt(key, wrapped, (size_t)n, sig, &siglen) < 0 || siglen != 16) {
		problem(prob, "bad-signature",
			"<base64EncryptedElementSignature> does not decrypt with the --key given%s", "");
		goto done;
	}
	ok = EVP_Digest(lines.buf, lines.len, digest, &dlen, EVP_md5(), NULL) > 0 && dlen == 16;
	if (!ok || CRYPTO_memcmp(digest, sig, 16)) {
		char files[300];

		snprintf(files, sizeof(files), "%.200s%s", m->xml_file,
			 m->nmedia ? " with its media files" : "");
		problem(prob, "bad-signature", SIGNATURE_MISMATCH, files);
		goto done;
	}
	rc = 0;
done:
	OPENSSL_cleanse(sym, sizeof(sym));
	if (rc != 0)
		strbuf_reset(plain);
	strbuf_release(&lines);
	strbuf_release(&media);
	return rc;
}

int capture_encrypted_parse(struct capture_parser *p, const char *enc_name, const char *iid,
			    const struct strbuf *plain, struct capture_instance *inst,
			    struct capture_problem *prob)
{
	struct capture_problem in;

	if (capture_parse(p, plain->buf ? plain->buf : "", plain->len, inst, &in) < 0) {
		prob->reason = in.reason;
		prob->line = in.line;
		if (snprintf(prob->msg, sizeof(prob->msg), "in %s: %s", enc_name, in.msg) >=
		    (int)sizeof(prob->msg))
			text_mark_cut(prob->msg, sizeof(prob->msg));
		return -1;
	}
	if (!inst->instance_id || strcmp(inst->instance_id, iid)) {
		prob->reason = "bad-manifest";
		prob->line = inst->instance_id_line;
		if (snprintf(prob->msg, sizeof(prob->msg),
			     "in %s: meta/instanceID is not the manifest's %s", enc_name,
			     iid) >= (int)sizeof(prob->msg))
			text_mark_cut(prob->msg, sizeof(prob->msg));
		return -1;
	}
	return 0;
}

struct parts {
	const struct capture_manifest *m;
	const struct capture_enc_file *v;
	size_t n;
	long line; /* the manifest's */
};

static const struct capture_enc_file *part_named(const struct parts *ps, const char *name)
{
	for (size_t i = 0; i < ps->n; i++)
		if (ps->v[i].name && !strcmp(ps->v[i].name, name))
			return &ps->v[i];
	return NULL;
}

static int fetch_part(void *arg, size_t i, struct capture_enc_file *out,
		      struct capture_problem *prob)
{
	const struct parts *ps = arg;
	const struct capture_enc_file *f = part_named(ps, ps->m->media[i]);

	if (!f) {
		problem(prob, "missing-enc", "the manifest names %.200s, which did not come with it: "
			"the submission cannot be decrypted", ps->m->media[i]);
		prob->line = ps->line;
		return 1;
	}
	*out = *f;
	return 0;
}

int capture_open_encrypted(EVP_PKEY *key, const struct capture_instance *manifest,
			   const struct capture_enc_file *parts, size_t nparts,
			   struct capture_parser *p, struct strbuf *plain,
			   struct capture_instance *inst, struct capture_problem *prob)
{
	struct capture_manifest m;
	struct parts ps = { &m, parts, nparts, manifest->line };
	const struct capture_enc_file *xml;
	char iid[CAPTURE_MAX_ID + 1];

	prob->line = manifest->line;
	if (!key) {
		prob->reason = "encrypted";
		snprintf(prob->msg, sizeof(prob->msg),
			 "an encrypted submission (its form has a base64RsaPublicKey): this server "
			 "has no key to open it (parindex serve --key PRIVATE.pem)");
		return -1;
	}
	if (capture_manifest_read(manifest, &m, prob) < 0)
		return -1;
	if (strlen(m.instance_id) > CAPTURE_MAX_ID) {
		prob->reason = "long-instance-id";
		prob->line = manifest->instance_id_line;
		snprintf(prob->msg, sizeof(prob->msg), "meta/instanceID of the manifest is too long");
		return -1;
	}
	strcpy(iid, m.instance_id);
	xml = part_named(&ps, m.xml_file);
	if (!xml) {
		prob->reason = "missing-enc";
		prob->line = manifest->line;
		if (snprintf(prob->msg, sizeof(prob->msg),
			     "the manifest names %s, which did not come with it: the submission "
			     "cannot be decrypted",
			     m.xml_file) >= (int)sizeof(prob->msg))
			text_mark_cut(prob->msg, sizeof(prob->msg));
		return -1;
	}
	if (capture_decrypt(key, &m, fetch_part, &ps, xml->data, xml->len, plain, prob) != 0)
		return -1;
	return capture_encrypted_parse(p, m.xml_file, iid, plain, inst, prob);
}
