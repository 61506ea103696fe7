/* forms: the survey questionnaires of the active index definition, one per respondent group.
   For each group an XForm (ODK XForms, loadable by ODK Collect), a printable A4 HTML form; for
   the whole set an OpenRosa formList.xml and a codebook CSV. Every generated XForm passes
   form_lint before it is written, and is registered in the database (table `form`) so that
   capture can match a submission's root id + version to its group.

   The XForm's primary instance is flat, in this order (capture relies on it):
     <data id="DEFID-GROUPID" version="DEFVERSION">
       start end deviceid commune surveyor PROFILE... QUESTION... comment
       <meta><instanceID/><instanceName/></meta>
     </data>
   Every profile and scored question is a required select-one over its scale's codes. */
#ifndef PARINDEX_FORMS_H
#define PARINDEX_FORMS_H

#include <sqlite3.h>
#include <stddef.h>

#include "commune.h"
#include "def.h"
#include "err.h"
#include "strbuf.h"

/* The name of the primary instance's root element. */
#define FORM_ROOT "data"
/* The output folder when --out is not given, relative to the current folder. */
#define FORM_DEFAULT_OUT "parindex-forms"

/* One generated form: the XForm of one respondent group. Strings are owned. */
struct form {
	size_t group;   /* index into def.groups */
	char *id;       /* "<definition id>-<group id>" */
	char *version;  /* the definition's version */
	char *title;    /* Vietnamese, also the formList name */
	char *file;     /* "<id>.xml" */
	struct strbuf xml;
	char sha256[65], md5[33];
};

/* The form id of group g: "<definition id>-<group id>"; caller frees. */
char *form_id(const struct def *d, size_t g);

/* Build group g's XForm over the communes of l into f (which the caller releases with
   form_release). The bytes depend only on d, g and l. */
void form_build(struct form *f, const struct def *d, size_t g, const struct commune_list *l);
void form_release(struct form *f);
/* ODK encrypted forms (docs.getodk.org/encrypted-forms): the base64 DER (SubjectPublicKeyInfo)
   of the RSA public key (2048 bits or more) in the PEM file at path, as base64RsaPublicKey:
   0, or -1 with err (PERR_USAGE: not such a key). */
int form_public_key(const char *path, struct strbuf *out, struct perr *err);
/* Make f (built by form_build) an encrypted form: <submission base64RsaPublicKey="..."/> in
   its model, so that ODK Collect encrypts each submission with the key. */
void form_encrypt(struct form *f, const char *base64_key);

/* The printable A4 HTML questionnaire of group g (Vietnamese). */
void form_html(struct strbuf *out, const struct def *d, size_t g);
/* The codebook of the forms fs[0..n): one CSV row per form, field and option. */
void form_codebook(struct strbuf *out, const struct def *d, const struct form *fs, size_t n,
		   const struct commune_list *l);
/* OpenRosa xformsList of fs[0..n). Download URLs are relative to the folder, or base_url
   (when not NULL) followed by the file name. */
void form_list(struct strbuf *out, const struct form *fs, size_t n, const char *base_url);

/* The communes a form of d offers: those of d's district (all when d names no district
   code), in register order. Borrowed pointers into l; caller frees the array. */
size_t form_communes(const struct def *d, const struct commune_list *l,
		     const struct commune ***out);

/* Check an XForm for what ODK Collect refuses but lenient engines accept: itext ids missing
   from a language, binds and controls whose ref is not in the instance, names that are not
   XML NCNames, duplicate option values, no meta/instanceID, and more. Every problem is added
   to diag as "name:line: message"; returns 0 when there are none, else -1. */
int form_lint(const char *buf, size_t len, const char *name, struct diag *diag);

/* What a lint is for: parindex's own forms (every doubt is an error: form_lint), a form for
   ODK Collect (errors for what JavaRosa refuses, warnings for what it loads but is suspect),
   or for ODK Central (Collect's, and meta/instanceID too). */
enum lint_for { LINT_OWN, LINT_COLLECT, LINT_CENTRAL };

/* form_lint, with warnings (when not NULL and mode is not LINT_OWN) added to warnings as
   "name:line: warning: message"; they do not make it return -1. */
int form_lint_for(const char *buf, size_t len, const char *name, enum lint_for mode,
		  struct diag *diag, struct diag *warnings);

/* What form_register did. */
enum form_stored { FORM_ADDED, FORM_UNCHANGED, FORM_REPLACED };

/* Register f (of definition d) in the `form` table. The same id + version with the same bytes
   changes nothing; with other bytes (the commune register changed) its content is replaced and
   *how says so, so the caller can warn that devices must download it again. Runs inside the
   caller's transaction. */
int form_register(sqlite3 *db, const struct def *d, const struct form *f, enum form_stored *how,
		  struct perr *err);

/* Write len bytes to dir/name through a temporary file and rename, so a reader never sees a
   half-written file. */
int form_write_file(const char *dir, const char *name, const void *data, size_t len,
		    struct perr *err);

/* parindex forms [--db FILE] [--out DIR] [--base-url URL]; parindex forms lint FILE... */
int cmd_forms(int argc, char **argv);

#endif
