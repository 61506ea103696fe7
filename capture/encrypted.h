/* Decrypting ODK's encrypted submissions (capture/encrypted.c) with OpenSSL 3. */
#ifndef PARINDEX_ENCRYPTED_H
#define PARINDEX_ENCRYPTED_H

#include <openssl/evp.h>

#include "capture.h"

/* What a manifest (submission.xml of an encrypted submission) says; strings borrowed from
   the parsed instance. */
struct capture_manifest {
	const char *form_id, *form_version, *instance_id;
	const char *key;       /* base64EncryptedKey */
	const char *xml_file;  /* encryptedXmlFile: a plain name ending in .enc */
	const char *signature; /* base64EncryptedElementSignature */
};

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
/* Decrypt the .enc bytes into plain and check the element signature: 0, or -1 with prob
   (wrong-key, bad-signature, bad-manifest). */
int capture_decrypt(EVP_PKEY *key, const struct capture_manifest *m, const unsigned char *enc,
		    size_t enc_len, struct strbuf *plain, struct capture_problem *prob);
/* The plaintext decrypted from the file enc_name parsed into inst (with p), its
   meta/instanceID the manifest's iid: 0, or -1 with prob (its message names enc_name). */
int capture_encrypted_parse(struct capture_parser *p, const char *enc_name, const char *iid,
			    const struct strbuf *plain, struct capture_instance *inst,
			    struct capture_problem *prob);
/* An encrypted submission as the server receives it: the manifest manifest (parsed) and the
   part named enc_name (NULL: none came) holding enc. Opened with key (NULL: the server has
   none) into plain and parsed into inst with p: 0, or -1 with prob (encrypted, missing-enc,
   bad-manifest, wrong-key, bad-signature, and the instance's own problems). */
int capture_open_encrypted(EVP_PKEY *key, const struct capture_instance *manifest,
			   const char *enc_name, const unsigned char *enc, size_t enc_len,
			   struct capture_parser *p, struct strbuf *plain,
			   struct capture_instance *inst, struct capture_problem *prob);
/* Load an RSA private key (PEM): 0, or -1 with err. */
int capture_key_load(EVP_PKEY **key, const char *path, struct perr *err);

#endif
