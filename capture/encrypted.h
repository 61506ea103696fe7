/* Decrypting ODK's encrypted submissions (capture/encrypted.c) with OpenSSL 3. */
#ifndef PARINDEX_ENCRYPTED_H
#define PARINDEX_ENCRYPTED_H

#include <openssl/evp.h>

#include "capture.h"

#define CAPTURE_MEDIA_MAX 64 /* media files one encrypted submission may list */

/* What a manifest (submission.xml of an encrypted submission) says; strings borrowed from
   the parsed instance. */
struct capture_manifest {
	const char *form_id, *form_version, *instance_id;
	const char *key;       /* base64EncryptedKey */
	const char *xml_file;  /* encryptedXmlFile: a plain name ending in .enc */
	const char *signature; /* base64EncryptedElementSignature */
	const char *media[CAPTURE_MEDIA_MAX]; /* <media><file>: plain names ending in .enc, in
						 the manifest's order (the order encrypted) */
	size_t nmedia;
};

/* An encrypted file as it came (a part of the request, an entry of the zip). */
struct capture_enc_file {
	const char *name;
	const unsigned char *data;
	size_t len;
};

/* Give capture_decrypt the media file m->media[i] into *out (bytes the fetcher owns, kept
   until its next call): 0; 1 when it did not come or cannot be read (prob filled); -1 on a
   failure of the caller's own (capture_decrypt then returns -2). */
typedef int (*capture_media_fetch)(void *arg, size_t i, struct capture_enc_file *out,
				   struct capture_problem *prob);

/* The value of the root element name of inst, or NULL. */
const char *capture_manifest_field(const struct capture_instance *inst, const char *name);
/* Is inst a manifest (it has a base64EncryptedKey, encryptedXmlFile or
   base64EncryptedElementSignature)? */
static inline int capture_is_manifest(const struct capture_instance *inst)
{
	return capture_manifest_field(inst, "base64EncryptedKey") ||
	       capture_manifest_field(inst, "encryptedXmlFile") ||
	       capture_manifest_field(inst, "base64EncryptedElementSignature");
}
/* Read a parsed manifest: 0, or -1 with prob (bad-manifest). */
int capture_manifest_read(const struct capture_instance *inst, struct capture_manifest *m,
			  struct capture_problem *prob);
/* Decrypt the submission's .enc bytes into plain and check the element signature, which
   covers the media files too: each is fetched (fetch, arg; NULL when none can come), decrypted
   in turn, its md5 taken and its plaintext dropped (media are not stored, as a plain
   submission's are not). 0; -1 with prob (wrong-key, bad-signature, bad-manifest,
   missing-enc and what fetch says); -2 when fetch failed (-1). */
int capture_decrypt(EVP_PKEY *key, const struct capture_manifest *m, capture_media_fetch fetch,
		    void *arg, const unsigned char *enc, size_t enc_len, struct strbuf *plain,
		    struct capture_problem *prob);
/* The plaintext decrypted from the file enc_name parsed into inst (with p), its
   meta/instanceID the manifest's iid: 0, or -1 with prob (its message names enc_name). */
int capture_encrypted_parse(struct capture_parser *p, const char *enc_name, const char *iid,
			    const struct strbuf *plain, struct capture_instance *inst,
			    struct capture_problem *prob);
/* An encrypted submission as the server receives it: the manifest manifest (parsed) and the
   request's .enc parts (nparts of them, named as the manifest names its files: the
   submission's and its media). Opened with key (NULL: the server has none) into plain and
   parsed into inst with p: 0, or -1 with prob (encrypted, missing-enc, bad-manifest,
   wrong-key, bad-signature, and the instance's own problems). */
int capture_open_encrypted(EVP_PKEY *key, const struct capture_instance *manifest,
			   const struct capture_enc_file *parts, size_t nparts,
			   struct capture_parser *p, struct strbuf *plain,
			   struct capture_instance *inst, struct capture_problem *prob);
/* Load an RSA private key (PEM): 0, or -1 with err. */
int capture_key_load(EVP_PKEY **key, const char *path, struct perr *err);

#endif
