/* Paper questionnaires keyed twice (double entry, as CSPro does it), the library under the
   server's /key pages (serve_key.c). A paper form is known by commune × respondent group ×
   serial number (the number in its serial box, 1 to KEYING_SERIAL_MAX). Each keyer keys a form
   at most once; the second keying by another keyer is compared with the first: when they
   agree the form becomes a submission (source "paper") through serve_submit, the same
   validation and spool as ODK Collect's; when they differ the office decides from the paper
   and its decision becomes the submission. Tables: paper_keying, paper_form (migration 0016). */
#ifndef PARINDEX_KEYING_H
#define PARINDEX_KEYING_H

#include <sqlite3.h>
#include <stddef.h>

#include "def.h"
#include "err.h"
#include "serve.h"
#include "strbuf.h"

#define KEYING_SERIAL_MAX 99999
#define KEYING_SURVEYOR_MAX 64 /* bytes of the surveyor's code written on the paper */
#define KEYING_PAUSE 600       /* seconds between two keyings that count as a pause, not as
				  time spent on the form */

/* The questions a paper form of group g asks, in the order the printed form numbers them
   (profile questions first, then the scored ones: form_html): indexes into d->questions into
   out (d->nquestions long); returns how many. */
size_t keying_questions(const struct def *d, size_t g, size_t *out);

/* What a keyer typed for one form; answers[i] is the typed code of printed question i
   (keying_questions order), NULL or "" when left empty. */
struct keying_entry {
	const char *serial;
	const char *surveyor;
	const char *const *answers;
};

/* A keyed form, checked: codes[q] the option code of d->questions[q] (NULL when the group
   does not ask it), pointing into d. */
struct keying_form {
	long serial;
	char surveyor[KEYING_SURVEYOR_MAX + 1];
	const char **codes; /* d->nquestions long, owned */
};

void keying_form_release(struct keying_form *f);

/* Why an entry is refused: which field (-2 the serial, -1 the surveyor, else the printed
   question's index) and a message in Vietnamese. */
struct keying_problem {
	int field;
	char msg[300];
};

/* Check e against group g of d: 0 with f filled, -1 with prob. */
int keying_check(const struct def *d, size_t g, const struct keying_entry *e,
		 struct keying_form *f, struct keying_problem *prob);

/* The answers as submission.answers holds them: JSON, question id -> code, definition order. */
void keying_answers_json(struct strbuf *out, const struct def *d, size_t g,
			 const struct keying_form *f);
/* Read such JSON back into f->codes (allocated when NULL); -1 with err when a code is not an
   option of its question or a question of the group is missing. */
int keying_answers_read(sqlite3 *db, const char *json, const struct def *d, size_t g,
			struct keying_form *f, struct perr *err);

/* The server-made instanceID of a paper form: "uuid:" and a name-based UUID (version 5
   layout) of SHA-256 over the form id, commune and serial, so that a keyed form submitted
   again is a duplicate, never a second form. */
void keying_instance_id(const char *form_id, const char *commune, long serial, char out[48]);

/* The XForm instance of a keyed form, in the contract of forms/xform.c: deviceid
   "paper:COMMUNE-GROUP-SERIAL", the surveyor's code, the answers, the instanceID. */
void keying_instance_xml(struct strbuf *out, const struct def *d, size_t g, const char *commune,
			 const struct keying_form *f, const char *instance_id);

/* How many answers (and the surveyor's code) two keyings differ in. */
size_t keying_differences(const struct def *d, size_t g, const struct keying_form *a,
			  const struct keying_form *b);

enum keying_saved {
	KEYING_FIRST,      /* the form's first keying, kept; it waits for a second keyer */
	KEYING_AGREED,     /* the second keying agrees with the first: submitted */
	KEYING_DIFFER,     /* the second keying differs: the office decides */
	KEYING_SAME_KEYER, /* this keyer keyed this form already: refused, nothing stored */
	KEYING_TWICE,      /* the form is keyed twice already: refused, nothing stored */
	KEYING_REFUSED,    /* the submission was refused (ans says why): nothing stored */
};

/* Store keyer's keying of form f of group g in commune, in one transaction, and when it is
   the second and agrees, submit it through st as keyer (source paper). *differing gets the
   number of differences (KEYING_DIFFER). -1 with err on a system error. */
int keying_save(sqlite3 *db, struct serve_store *st, const struct serve_user *keyer,
		const struct def *d, size_t g, const char *commune, const struct keying_form *f,
		enum keying_saved *saved, size_t *differing, struct serve_answer *ans,
		struct perr *err);

/* The office's decision on a form whose keyings differ: f becomes its submission (through st
   as office, source paper), paper_form is marked decided, the audit log records it. 0 done;
   1 the form is not waiting for a decision (nothing done); 2 the submission was refused (ans
   says why; nothing stored); -1 with err. */
int keying_decide(sqlite3 *db, struct serve_store *st, const struct serve_user *office,
		  const struct def *d, size_t g, const char *commune, const struct keying_form *f,
		  struct serve_answer *ans, struct perr *err);

#endif
