/* The capture stage: filled questionnaires (ODK submission instances) come in as zips, one zip
   a batch; each entry is parsed, matched to its registered form, validated and stored as a
   submission, or given a reason why not. Batches are listed and can be undone.
   Flow: capture_parse (one instance, from memory) -> capture_validate (against the forms, the
   definition and the commune register) -> capture_import (a whole zip, in one transaction). */
#ifndef PARINDEX_CAPTURE_H
#define PARINDEX_CAPTURE_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

#include "def.h"
#include "err.h"
#include "merge.h"
#include "strbuf.h"
#include "zipin.h"

/* ---- one instance ---- */

/* An element of the instance's root: an answer, or one of start, end, commune, ... */
struct capture_field {
	const char *name;  /* local name */
	const char *value; /* text, trimmed */
	long line;
	int nested;        /* it holds elements of its own */
};

/* A parsed instance. Strings are borrowed from the parser and live until its next parse. */
struct capture_instance {
	const char *root;    /* local name of the root element */
	const char *form_id; /* its id and version attributes; NULL when absent */
	const char *form_version;
	long line;           /* of the root element */
	int is_form;         /* the root is an XForm (h:html), not a submission */
	struct capture_field *fields;
	size_t nfields;
	const char *instance_id, *instance_name, *deprecated_id; /* from meta; NULL if absent */
	long instance_id_line, deprecated_id_line;
};

/* Why an entry was not accepted: a reason code (a fixed word such as "doctype") and a
   message; line 0 when not known. */
struct capture_problem {
	const char *reason;
	long line;
	char msg[400];
};

struct capture_parser;

/* max_depth: element nesting allowed (root = 1). */
struct capture_parser *capture_parser_new(int max_depth);
void capture_parser_free(struct capture_parser *p);
/* Parse buf (untrusted): 0, or -1 with prob (reasons not-utf8, doctype, too-deep, malformed). */
int capture_parse(struct capture_parser *p, const char *buf, size_t len,
		  struct capture_instance *inst, struct capture_problem *prob);

/* ---- what instances are checked against ---- */

struct capture_form {
	char *id, *version, *group_id;
	const struct def *def; /* borrowed from the registry */
	size_t group;          /* index into def->groups */
};

struct capture_registry {
	struct capture_form *forms;
	size_t nforms;
	struct def *defs; /* the definitions the forms belong to */
	size_t ndefs;
	char **communes; /* codes, sorted */
	size_t ncommunes;
	struct merge_map merges; /* which communes are units in a form's year */
};

/* Load every registered form, its definition and the commune register. */
int capture_registry_load(struct capture_registry *reg, sqlite3 *db, struct perr *err);
void capture_registry_release(struct capture_registry *reg);

/* A validated submission, ready to store. Its strings live in its own buffers, so it
   outlives the parse; reuse it for the next one and release it at the end. */
struct capture_submission {
	const struct capture_form *form;
	const char *instance_id, *deprecated_id, *commune, *surveyor, *started, *ended,
		*device_id, *comment; /* NULL when absent */
	struct strbuf answers; /* JSON object: question id -> option code */
	struct strbuf pool;
};

void capture_submission_release(struct capture_submission *s);
/* Point s's strings into s->pool: off[] are the offsets of instance_id, deprecated_id,
   commune, surveyor, started, ended, device_id, comment (SIZE_MAX: absent). */
void capture_submission_point(struct capture_submission *s, const struct capture_form *form,
			      const size_t off[8]);

/* Longest meta/instanceID or deprecatedID taken (bytes); a longer one is rejected
   (long-instance-id), so an id is never cut. ODK writes "uuid:" and 36 characters. */
#define CAPTURE_MAX_ID 128


/* Check inst against the registry: 0 and s filled, or -1 with prob (reasons not-a-submission,
   unknown-form, unknown-element, repeated-element, nested-element, missing-answer,
   unknown-option, missing-commune, unknown-commune, missing-surveyor, missing-instance-id,
   long-instance-id, bad-value). */
int capture_validate(const struct capture_registry *reg, const struct capture_instance *inst,
		     struct capture_submission *s, struct capture_problem *prob);

/* ---- ODK Central's CSV export (central.c) ---- */

/* One row of a Central root table, as the instance its XML would have given: strings
   borrowed, valid during the callback. A field's line is its column (1-based), as are
   instance_id_line and deprecated_id_line; inst.line is 0. */
struct capture_row {
	struct capture_instance inst;
	long line;              /* of the row in the file */
	const char *const *columns; /* the header's names */
	char sha256[65];        /* of the row's cells */
	int edit_by_key;        /* its deprecatedID is KEY (no meta-deprecatedID column) */
	int bad;                /* the row cannot be an instance: prob says why (bad-row,
				   encrypted); prob.line is its column, or 0 */
	struct capture_problem prob;
};

/* Return 0 to go on, -1 to stop (the callback keeps its own error). */
typedef int (*capture_row_fn)(const struct capture_row *row, void *ctx);

/* Read a Central CSV held in buf, named name (a file or zip entry name: the form id is its
   base name without ".csv", as Central names its export): the header is checked first
   (SubmissionDate first, KEY, meta-instanceID and FormVersion present, every other column one
   of Central's or a field of a registered form of that id, none twice) and the whole file
   read once for syntax, so a refused table hands out no row. Returns 0 when every row went
   to fn; 1 for a repeat group's join table (a PARENT_KEY column), which parindex forms never
   have (nothing handed out); 2 with prob (bad-table) for a CSV that is not Central's (column
   1 is not SubmissionDate: a zip's stray CSV is ignored, a CSV named alone refused); -1 with
   prob (reasons bad-table, unknown-form; prob.line the file's line) when the table is
   refused; -2 when fn stopped. The deprecatedID of a row is its meta-deprecatedID column,
   else KEY when it differs from meta-instanceID (edit_by_key; see capture_central_edit_of). */
/* What a row that names KEY as its original (row->edit_by_key) edits in db: Central's KEY is
   the first version, so the row replaces the chain's current version (a submission edited
   twice between two exports replaces the version stored), or, when the row's own instanceID
   is stored, what it was stored as replacing (a resend stays a duplicate). 1 with out filled,
   0 to keep KEY (not stored: the edit waits for it), -1 with err. *st is prepared on first use
   (the caller finalizes it). */
int capture_central_edit_of(sqlite3 *db, sqlite3_stmt **st, const struct capture_row *row,
			    char out[CAPTURE_MAX_ID + 1], struct perr *err);
/* The form id a Central table's file name stands for (its base name without ".csv"). */
void capture_central_form_id(const char *name, char *out, size_t size);
int capture_central_read(const struct capture_registry *reg, const char *buf, size_t len,
			 const char *name, capture_row_fn fn, void *ctx,
			 struct capture_problem *prob);

/* ---- a batch ---- */

/* Every entry of a batch gets a status and a reason code:
     accepted   ok; replaced (stored, and already replaced by an edit stored before it)
     duplicate  duplicate (same instanceID, same meaning: form, version, meta and answers,
                whatever the bytes; not stored again)
     edit       edit (meta/deprecatedID names a stored, current submission of the same form);
                edit-waiting (its original is not stored: the edit counts as current until
                the original arrives, which is then stored as replaced)
     ignored    not-xml (media, other files), metadata (__MACOSX/, ._*), form-definition,
                last-saved (ODK Collect's forms/NAME-media/last-saved.xml), zip (a zip inside
                the zip: its entries follow as ENTRY.zip/NAME), repeat-table (a repeat
                group's join table of a Central export), not-central (a CSV in the zip that
                is not a Central export)
     rejected   conflict (same instanceID, other meaning), already-edited (another edit
                replaces or names the same original), edit-form-mismatch; nested-zip (a zip
                inside the zip that does not open, or one inside that); too-large, encrypted, unsupported-compression (the
                zip entry); bad-table (a Central CSV refused whole: not UTF-8, malformed, its
                header), bad-row (a row of it with another number of cells), encrypted (also
                a row whose Status says Central could not decrypt it, and an encrypted
                submission's manifest when no --key is given); bad-manifest (the manifest
                of an encrypted submission: a field missing, unknown or twice, its
                encryptedXmlFile or a media file not a .enc name, a media file twice, its
                instanceID not the instance's), missing-enc (a .enc it names, the
                submission's or a media file's, is not in the zip), wrong-key (its key does
                not decrypt with --key), bad-signature (the .enc does not decrypt whole or
                the element signature does not match: altered); not-utf8, doctype, too-deep, malformed (capture_parse); and the
                codes of capture_validate; and, in the receipt only, zip-refused: the row that
                stands for a whole zip refused (its entries' rows are taken out)
   The stored state is the same whatever order a set of submissions comes in (inside a zip
   and across batches), edit chains included, as long as no entry is a conflict, a second
   edit of one original or an edit on another form than its original (those keep the first
   one stored and the later one is rejected). */
enum capture_status { CAPTURE_ACCEPTED, CAPTURE_DUPLICATE, CAPTURE_EDIT, CAPTURE_REJECTED,
		      CAPTURE_IGNORED, CAPTURE_NSTATUS };
const char *capture_status_name(enum capture_status s);

/* What became of one entry: its status, reason code, line (0 when not known) and message. */
struct capture_outcome {
	enum capture_status status;
	const char *reason;
	long line;
	char msg[600];
};

/* Storing validated submissions one at a time, outside a zip (the server's spool), with the
   same decisions as capture_import (duplicate, conflict, edit, edit-waiting, replaced,
   already-edited, edit-form-mismatch). The caller holds the transaction and owns the batch
   row; a writer lives inside one transaction (it reads whether edits wait when made). */
struct capture_writer;

int capture_writer_new(struct capture_writer **w, sqlite3 *db, int64_t batch,
		       struct perr *err);
void capture_writer_free(struct capture_writer *w);
/* The batch the next submissions and entries go to. */
void capture_writer_batch(struct capture_writer *w, int64_t batch);
/* Store sub (sha256: of its bytes, 64 hex digits): 0 with out filled (accepted ok or
   replaced, duplicate, edit or edit-waiting, rejected with a reason), -1 with err. */
int capture_writer_store(struct capture_writer *w, const struct capture_submission *sub,
			 const char *sha256, struct capture_outcome *out, struct perr *err);
/* Is sub's instanceID stored? 0 no; 1 yes, and out says duplicate (same meaning) or
   rejected as conflict; -1 with err. Reads only. */
int capture_writer_lookup(struct capture_writer *w, const struct capture_submission *sub,
			  const char *sha256, struct capture_outcome *out, struct perr *err);
/* The sha256 of what a duplicate must share (form, version, meta and answers; not the bytes):
   two submissions with the same instanceID and different sums are a conflict. */
void capture_meaning_sha256(const struct capture_submission *sub, char out[65]);
/* Record an entry of the batch (batch_entry) with its outcome. */
int capture_writer_entry(struct capture_writer *w, uint64_t seq, const char *path,
			 const char *instance_id, const char *form_id, const char *commune,
			 const struct capture_outcome *out, struct perr *err);

struct evp_pkey_st; /* OpenSSL's EVP_PKEY */

struct capture_options {
	const char *source, *operator_name;
	struct evp_pkey_st *key; /* --key: opens encrypted submissions; NULL: they are rejected
				    (encrypted). Borrowed; never stored */
	int dry_run, all_or_nothing;
	struct zipin_limits limits;
	int max_depth;
	int threads;      /* 0: one per CPU */
	FILE *receipt;    /* CSV rows, or NULL */
	FILE *progress;   /* progress lines (a terminal), or NULL */
	FILE *messages;   /* one line per entry not accepted, or NULL */
};

void capture_options_default(struct capture_options *o);

struct capture_result {
	int64_t batch_id;       /* 0 when nothing was stored */
	int64_t already;        /* the batch that imported this zip before, else 0; the zip is
				   imported again (its entries retried), and rolled back when
				   that stores nothing */
	int refused;            /* the zip as a whole was refused (err says why) */
	uint64_t entries;
	uint64_t count[CAPTURE_NSTATUS];
	uint64_t waiting;       /* edits stored without their original (import), edits made to
				   wait again (undo) */
	uint64_t reopened;      /* undo: paper forms whose submissions went, to be keyed again */
	char sha256[65];
	double seconds;
};

/* Import one zip as one batch, in one transaction (nothing of it stays on failure). Returns
   0 when it ran (some entries may be rejected: see res), -1 with err when it could not run or
   the zip was refused (PERR_DATA) and nothing was stored. */
int capture_import(sqlite3 *db, const char *path, const struct capture_options *o,
		   struct capture_result *res, struct perr *err);

/* Remove what batch added and restore what it edited, in one transaction; the batch stays
   listed as undone. Edits in other batches of what it added wait for their original again
   (res->waiting), as if the batch had never been imported. Paper forms whose submissions it
   held are reopened (res->reopened; keying.h): their keyings and paper_form row move to
   paper_keying_undone and paper_form_undone, and the audit log records each reopen as done by
   who from address. PERR_DATA when it is unknown or already undone. */
int capture_undo(sqlite3 *db, int64_t batch, const char *who, const char *address,
		 struct capture_result *res, struct perr *err);

/* parindex capture import|list|undo */
int cmd_capture(int argc, char **argv);
/* parindex export (export.c) */
int cmd_export(int argc, char **argv);

#endif
