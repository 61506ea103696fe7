/* Safe zip input: reads a zip held in memory or in a file, one central-directory record at a
   time, so memory does not grow with the number of entries (libzip keeps the whole directory
   in memory: a few hundred bytes an entry, too much for a million). Every size the archive
   claims is checked against the bytes that are really there: entries must lie inside the file,
   in order and without overlapping; inflated data must end where the header says, with the
   header's length and CRC. Limits cap the entry count, the bytes of one entry, the inflated
   total and the compression ratio (zip bombs). Inflating is libdeflate's (whole buffers, about
   twice zlib's speed), into a buffer one byte over the entry limit, so no header size is
   ever used to size anything.
   zipin_next is for one thread at a time (the caller locks); zipin_read may run in several
   threads at once, each with its own struct zipin_reader. A file is read with pread through
   windows of a fixed size (the directory's holds the longest record a zip can have), never
   mapped: a file truncated by another process while it is read is refused ("changed while it
   was read (truncated?)", PERR_DATA), where a mapping would die of SIGBUS. Memory is flat
   however large the file. */
#ifndef PARINDEX_ZIPIN_H
#define PARINDEX_ZIPIN_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "strbuf.h"

struct zipin_limits {
	uint64_t max_entries;    /* entries in the directory */
	uint64_t max_entry_size; /* inflated bytes of one entry: over it, the entry is refused */
	uint64_t max_total;      /* inflated bytes of all entries read */
	uint64_t max_ratio;      /* inflated ÷ compressed bytes of one entry */
};

/* 2,000,000 entries, 1 MiB an entry, 8 GiB in all, ratio 200. */
void zipin_limits_default(struct zipin_limits *lim);

struct zipin_entry {
	uint64_t seq;      /* 0, 1, ... in directory order */
	char name[1024];   /* NUL-terminated; longer names are refused */
	size_t name_len;
	int name_utf8;     /* the name is valid UTF-8 */
	int is_dir;        /* ends with '/' */
	uint16_t method, flags;
	uint32_t crc;
	uint64_t csize, usize; /* as the directory claims them */
	uint64_t offset;       /* of the local header */
	uint64_t data_offset;  /* of the (compressed) data, after the local header */
};

/* Why zipin_read failed. ZIPIN_ENTRY: this entry alone is refused (too large, encrypted,
   unsupported compression); ZIPIN_ARCHIVE: the whole archive is (corrupt, bomb). */
enum zipin_fail { ZIPIN_OK, ZIPIN_ENTRY, ZIPIN_ARCHIVE };

struct zipin;

/* Open a zip held in buf (borrowed: it must outlive the struct) or in the file at path.
   name is used in messages. On failure returns -1 with err (PERR_DATA: not a zip, truncated,
   inconsistent, too many entries; PERR_SYSTEM: cannot read). */
int zipin_open_mem(struct zipin **z, const void *buf, size_t len, const char *name,
		   const struct zipin_limits *lim, struct perr *err);
int zipin_open_file(struct zipin **z, const char *path, const struct zipin_limits *lim,
		    struct perr *err);
void zipin_close(struct zipin *z);
/* Entries the directory announces (not trusted beyond progress display). */
uint64_t zipin_count(const struct zipin *z);
/* Size of the archive in bytes. */
uint64_t zipin_size(const struct zipin *z);

/* The next directory record into e: 1 when there is one, 0 at the end, -1 on a damaged
   directory (err, PERR_DATA). Checks the record's ranges before returning it. */
int zipin_next(struct zipin *z, struct zipin_entry *e, struct perr *err);

/* sha256 of the whole archive, as lower-case hex. */
int zipin_sha256(struct zipin *z, char out[65], struct perr *err);
/* A per-thread decompressor. */
struct zipin_reader;
struct zipin_reader *zipin_reader_new(void);
void zipin_reader_free(struct zipin_reader *r);

/* Read and inflate entry e into out (replacing its content). Returns 0, or -1 with err and
   *fail saying whether the entry or the whole archive is refused. Thread-safe given distinct
   readers. */
int zipin_read(struct zipin *z, struct zipin_reader *r, const struct zipin_entry *e,
	       struct strbuf *out, enum zipin_fail *fail, struct perr *err);

#endif
