/* Safe zip input: the end record, the central directory read record by record, entries
   inflated with libdeflate under limits. See zipin.h for what is checked. A file is read with
   pread through small windows, never mapped: a mapped file truncated by another process kills
   the reader with SIGBUS, a read only comes back short. */
#include "zipin.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <nettle/sha2.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libdeflate.h>

#include "text.h"
#include "xml.h"

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_END 0x06054b50u
#define SIG_END64 0x06064b50u
#define SIG_LOC64 0x07064b50u
/* The windows a file is read through. A directory record is 46 bytes and three fields of up
   to 65,535 bytes each (name, extra, comment): the directory window holds any record whole. */
#define RECORD_MAX (46 + 3 * 65535)
#define DIR_WINDOW (256 * 1024)
#define LOCAL_WINDOW (64 * 1024) /* local headers, read ahead: they come in file order */
#define HASH_CHUNK (256 * 1024)
/* a reader's entry data, read ahead: a worker takes records in runs, whose data follow on */
#define READ_WINDOW (32 * 1024)
_Static_assert(DIR_WINDOW >= RECORD_MAX, "the directory window holds any record");
_Static_assert(LOCAL_WINDOW >= 30 + 1023, "the local window holds a header and its name");

/* A window on the file: len bytes of it from off. */
struct window {
	unsigned char *buf;
	size_t cap, len;
	uint64_t off;
};

struct zipin {
	const unsigned char *mem; /* borrowed (zipin_open_mem); NULL: the file, read with pread */
	int fd;
	uint64_t size;
	char *name;
	struct zipin_limits lim;
	uint64_t cd_offset, cd_size, count;
	uint64_t cd_pos, seq, prev_end;
	struct window dir, local; /* on the directory and on the local headers (file only) */
	_Atomic uint64_t total;
};

struct zipin_reader {
	struct libdeflate_decompressor *inflater;
	struct window ahead;  /* small entries' data */
	unsigned char *cbuf;  /* a larger entry's data */
	size_t ccap;
};

void zipin_limits_default(struct zipin_limits *lim)
{
	lim->max_entries = 2000000;
	lim->max_entry_size = 1 << 20;
	lim->max_total = (uint64_t)8 << 30;
	lim->max_ratio = 200;
}

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* Read exactly n bytes at off; anything short is a truncated archive. */
static int read_at(const struct zipin *z, uint64_t off, void *buf, size_t n, struct perr *err)
{
	if (off > z->size || n > z->size - off)
		return perr_set(err, PERR_DATA, z->name, "truncated zip: %zu bytes at offset %llu "
				"lie past the end of the file", n, (unsigned long long)off);
	if (z->mem) {
		memcpy(buf, z->mem + off, n);
		return 0;
	}
	for (size_t done = 0; done < n;) {
		ssize_t got = pread(z->fd, (char *)buf + done, n - done, (off_t)(off + done));

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return perr_set(err, PERR_SYSTEM, z->name, "cannot read: %s", strerror(errno));
		/* the size was taken at open: the file has shrunk since */
		if (got == 0)
			return perr_set(err, PERR_DATA, z->name,
					"changed while it was read (truncated?)");
		done += (size_t)got;
	}
	return 0;
}

static int corrupt(const struct zipin *z, struct perr *err, const char *what)
{
	return perr_set(err, PERR_DATA, z->name, "damaged or inconsistent zip: %s", what);
}

/* Find the end record (and its zip64 twin) and check that the directory fits before it. */
static int read_end(struct zipin *z, struct perr *err)
{
	unsigned char tail[22 + 65535], rec[56];
	size_t n = z->size < sizeof(tail) ? (size_t)z->size : sizeof(tail);
	uint64_t base = z->size - n, end_pos = 0, dir_limit;
	uint64_t count, cd_size, cd_offset;
	int found = 0;

	if (z->size < 22)
		return perr_set(err, PERR_DATA, z->name, "not a zip file (too short)");
	if (read_at(z, base, tail, n, err) < 0)
		return -1;
	for (size_t i = n - 22 + 1; i-- > 0;) {
		if (le32(tail + i) == SIG_END && i + 22 + le16(tail + i + 20) == n) {
			end_pos = base + i;
			found = 1;
			break;
		}
	}
	if (!found)
		return perr_set(err, PERR_DATA, z->name,
				"not a zip file, or truncated: no end of central directory record");
	const unsigned char *e = tail + (end_pos - base);
	if (le16(e + 4) != 0 && le16(e + 4) != 0xffff)
		return perr_set(err, PERR_DATA, z->name, "multi-volume zip archives are not supported");
	count = le16(e + 10);
	cd_size = le32(e + 12);
	cd_offset = le32(e + 16);
	dir_limit = end_pos;
	if (le16(e + 8) != le16(e + 10) && le16(e + 8) != 0xffff)
		return corrupt(z, err, "entry counts of the end record disagree");
	if (count == 0xffff || cd_size == 0xffffffff || cd_offset == 0xffffffff) {
		uint64_t loc, end64;

		if (end_pos < 20)
			return corrupt(z, err, "zip64 locator missing");
		loc = end_pos - 20;
		if (read_at(z, loc, rec, 20, err) < 0)
			return -1;
		if (le32(rec) != SIG_LOC64)
			return corrupt(z, err, "zip64 locator missing");
		end64 = le64(rec + 8);
		if (end64 > loc || loc - end64 < 56)
			return corrupt(z, err, "zip64 end record out of place");
		if (read_at(z, end64, rec, 56, err) < 0)
			return -1;
		if (le32(rec) != SIG_END64)
			return corrupt(z, err, "zip64 end record missing");
		if (le64(rec + 24) != le64(rec + 32))
			return corrupt(z, err, "entry counts of the zip64 end record disagree");
		count = le64(rec + 32);
		cd_size = le64(rec + 40);
		cd_offset = le64(rec + 48);
		dir_limit = end64;
	}
	if (cd_offset > dir_limit || cd_size > dir_limit - cd_offset)
		return perr_set(err, PERR_DATA, z->name,
				"truncated or damaged zip: the central directory lies outside the file");
	if (count > z->lim.max_entries)
		return perr_set(err, PERR_DATA, z->name, "zip has %llu entries, over the limit of %llu",
				(unsigned long long)count, (unsigned long long)z->lim.max_entries);
	if (count > cd_size / 46)
		return corrupt(z, err, "central directory too small for its entry count");
	z->count = count;
	z->cd_size = cd_size;
	z->cd_offset = cd_offset;
	return 0;
}

static int open_common(struct zipin **out, struct zipin *z, const struct zipin_limits *lim,
		       struct perr *err)
{
	if (lim)
		z->lim = *lim;
	else
		zipin_limits_default(&z->lim);
	if (read_end(z, err) < 0) {
		zipin_close(z);
		*out = NULL;
		return -1;
	}
	*out = z;
	return 0;
}

int zipin_open_mem(struct zipin **out, const void *buf, size_t len, const char *name,
		   const struct zipin_limits *lim, struct perr *err)
{
	struct zipin *z = xcalloc(1, sizeof(*z));

	z->mem = buf ? buf : (const unsigned char *)"";
	z->fd = -1;
	z->size = buf ? len : 0;
	z->name = xstrdup(name);
	return open_common(out, z, lim, err);
}

int zipin_open_file(struct zipin **out, const char *path, const struct zipin_limits *lim,
		    struct perr *err)
{
	struct zipin *z;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*out = NULL;
	if (fd < 0)
		return perr_set(err, PERR_USAGE, path, "cannot read: %s", strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return perr_set(err, PERR_DATA, path, "not a regular file");
	}
	z = xcalloc(1, sizeof(*z));
	z->fd = fd;
	z->size = (uint64_t)st.st_size;
	z->name = xstrdup(path);
	z->dir.cap = DIR_WINDOW;
	z->dir.buf = xmalloc(z->dir.cap);
	z->local.cap = LOCAL_WINDOW;
	z->local.buf = xmalloc(z->local.cap);
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return open_common(out, z, lim, err);
}

void zipin_close(struct zipin *z)
{
	if (!z)
		return;
	if (z->fd >= 0)
		close(z->fd);
	free(z->dir.buf);
	free(z->local.buf);
	free(z->name);
	free(z);
}

uint64_t zipin_count(const struct zipin *z)
{
	return z->count;
}

uint64_t zipin_size(const struct zipin *z)
{
	return z->size;
}

int zipin_sha256(struct zipin *z, char out[65], struct perr *err)
{
	struct sha256_ctx ctx;
	unsigned char dg[SHA256_DIGEST_SIZE], *buf = NULL;
	uint64_t off = 0;

	sha256_init(&ctx);
	if (z->mem) {
		sha256_update(&ctx, (size_t)z->size, z->mem);
		off = z->size;
	} else {
		buf = xmalloc(HASH_CHUNK);
	}
	while (off < z->size) {
		size_t n = z->size - off < HASH_CHUNK ? (size_t)(z->size - off) : HASH_CHUNK;

		if (read_at(z, off, buf, n, err) < 0) {
			free(buf);
			return -1;
		}
		sha256_update(&ctx, n, buf);
		off += n;
	}
	free(buf);
	sha256_digest(&ctx, sizeof(dg), dg);
	text_hex(dg, sizeof(dg), out);
	return 0;
}

/* A pointer to n bytes of the file at off, which must lie before limit, through window w:
   when they are not all in it, it is refilled from off with at least n bytes (a read ahead of
   up to its size). The bytes are checked to lie before limit first, so nothing is ever served
   that the window does not hold. */
static const unsigned char *file_bytes(struct zipin *z, struct window *w, uint64_t off, size_t n,
				       uint64_t limit, struct perr *err)
{
	if (off > limit || n > limit - off) {
		perr_set(err, PERR_DATA, z->name, "damaged or inconsistent zip: %zu bytes at offset "
			 "%llu run past their part of the archive", n, (unsigned long long)off);
		return NULL;
	}
	if (z->mem)
		return z->mem + off;
	if (n > w->cap) { /* no record is this long: the windows hold the longest there can be */
		corrupt(z, err, "a record is longer than any zip record can be");
		return NULL;
	}
	if (off < w->off || off - w->off > w->len || n > w->len - (off - w->off)) {
		uint64_t left = limit - off;
		size_t want = left < w->cap ? (size_t)left : w->cap;

		if (read_at(z, off, w->buf, want, err) < 0) {
			w->len = 0;
			return NULL;
		}
		w->off = off;
		w->len = want;
	}
	return w->buf + (off - w->off);
}

/* n bytes of the directory at directory position pos. */
static const unsigned char *dir_bytes(struct zipin *z, uint64_t pos, size_t n, struct perr *err)
{
	if (pos > z->cd_size || n > z->cd_size - pos) {
		corrupt(z, err, "a central directory record runs past the directory's end");
		return NULL;
	}
	return file_bytes(z, &z->dir, z->cd_offset + pos, n, z->cd_offset + z->cd_size, err);
}

int zipin_next(struct zipin *z, struct zipin_entry *e, struct perr *err)
{
	const unsigned char *h, *x, *loc;
	uint64_t pos = z->cd_pos;
	size_t nlen, xlen, clen;

	if (z->seq == z->count) {
		if (z->cd_pos != z->cd_size)
			return corrupt(z, err, "the central directory holds more than its entry count");
		return 0;
	}
	if (!(h = dir_bytes(z, pos, 46, err)))
		return -1;
	if (le32(h) != SIG_CENTRAL)
		return corrupt(z, err, "bad central directory record signature");
	memset(e, 0, sizeof(*e));
	e->seq = z->seq;
	e->flags = le16(h + 8);
	e->method = le16(h + 10);
	e->crc = le32(h + 16);
	e->csize = le32(h + 20);
	e->usize = le32(h + 24);
	nlen = le16(h + 28);
	xlen = le16(h + 30);
	clen = le16(h + 32);
	e->offset = le32(h + 42);
	if (le16(h + 34) != 0 && le16(h + 34) != 0xffff)
		return corrupt(z, err, "an entry lies on another disk");
	if (nlen == 0 || nlen >= sizeof(e->name))
		return corrupt(z, err, "an entry name is empty or too long");
	if (!(h = dir_bytes(z, pos + 46, nlen + xlen, err)))
		return -1;
	memcpy(e->name, h, nlen);
	e->name[nlen] = '\0';
	e->name_len = nlen;
	if (memchr(e->name, '\0', nlen))
		return corrupt(z, err, "an entry name holds a NUL byte");
	/* zip64 extra field: the 64-bit values for those the record set to all ones */
	x = h + nlen;
	for (size_t i = 0; i + 4 <= xlen;) {
		size_t tag = le16(x + i), len = le16(x + i + 2), p = i + 4;

		if (p + len > xlen)
			return corrupt(z, err, "an extra field runs past its record");
		if (tag == 1) {
			if (e->usize == 0xffffffff) {
				if (p + 8 > i + 4 + len)
					return corrupt(z, err, "short zip64 extra field");
				e->usize = le64(x + p), p += 8;
			}
			if (e->csize == 0xffffffff) {
				if (p + 8 > i + 4 + len)
					return corrupt(z, err, "short zip64 extra field");
				e->csize = le64(x + p), p += 8;
			}
			if (e->offset == 0xffffffff) {
				if (p + 8 > i + 4 + len)
					return corrupt(z, err, "short zip64 extra field");
				e->offset = le64(x + p);
			}
		}
		i += 4 + len;
	}
	z->cd_pos = pos + 46 + nlen + xlen + clen;
	if (z->cd_pos > z->cd_size)
		return corrupt(z, err, "a central directory record runs past the directory's end");
	z->seq++;
	e->name_utf8 = xml_utf8_valid(e->name, nlen);
	e->is_dir = e->name[nlen - 1] == '/';

	/* the local header: where it says, before the directory, after the previous entry */
	if (e->offset < z->prev_end || e->offset > z->cd_offset ||
	    z->cd_offset - e->offset < 30 + nlen)
		return corrupt(z, err, "entries overlap or lie outside the archive");
	if (!(loc = file_bytes(z, &z->local, e->offset, 30 + nlen, z->cd_offset, err)))
		return -1;
	if (le32(loc) != SIG_LOCAL)
		return corrupt(z, err, "bad local header signature");
	if (le16(loc + 26) != nlen)
		return corrupt(z, err, "local and central names differ");
	e->data_offset = e->offset + 30 + nlen + le16(loc + 28);
	if (e->data_offset > z->cd_offset || e->csize > z->cd_offset - e->data_offset)
		return corrupt(z, err, "entry data lies outside the archive");
	if (memcmp(loc + 30, e->name, nlen))
		return corrupt(z, err, "local and central names differ");
	z->prev_end = e->data_offset + e->csize;
	return 1;
}

struct zipin_reader *zipin_reader_new(void)
{
	struct zipin_reader *r = xcalloc(1, sizeof(*r));

	r->ahead.cap = READ_WINDOW;
	r->ahead.buf = xmalloc(r->ahead.cap);
	return r;
}

void zipin_reader_free(struct zipin_reader *r)
{
	if (!r)
		return;
	if (r->inflater)
		libdeflate_free_decompressor(r->inflater);
	free(r->ahead.buf);
	free(r->cbuf);
	free(r);
}

static int entry_fail(enum zipin_fail *fail, enum zipin_fail kind)
{
	*fail = kind;
	return -1;
}

static int add_total(struct zipin *z, uint64_t n, enum zipin_fail *fail, struct perr *err)
{
	uint64_t total = atomic_fetch_add(&z->total, n) + n;

	if (total > z->lim.max_total) {
		perr_set(err, PERR_DATA, z->name,
			 "zip bomb: inflated entries pass the limit of %llu bytes in all",
			 (unsigned long long)z->lim.max_total);
		return entry_fail(fail, ZIPIN_ARCHIVE);
	}
	return 0;
}

/* The entry's compressed data (csize bytes, which zipin_next placed inside the archive): in
   place in memory, through the reader's read-ahead window, or read whole into its buffer. */
static const unsigned char *entry_data(struct zipin *z, struct zipin_reader *r,
				       const struct zipin_entry *e, struct perr *err)
{
	if (z->mem)
		return z->mem + e->data_offset;
	if (e->csize <= r->ahead.cap)
		return file_bytes(z, &r->ahead, e->data_offset, (size_t)e->csize, z->cd_offset, err);
	if (e->csize > r->ccap) {
		free(r->cbuf);
		r->ccap = (size_t)e->csize + 4096;
		r->cbuf = xmalloc(r->ccap);
	}
	if (read_at(z, e->data_offset, r->cbuf, (size_t)e->csize, err) < 0)
		return NULL;
	return r->cbuf;
}

int zipin_read(struct zipin *z, struct zipin_reader *r, const struct zipin_entry *e,
	       struct strbuf *out, enum zipin_fail *fail, struct perr *err)
{
	const unsigned char *in;
	uint64_t max = z->lim.max_entry_size;
	char where[1300];

	*fail = ZIPIN_OK;
	strbuf_reset(out);
	snprintf(where, sizeof(where), "%s(%s)", z->name, e->name);
	if (e->flags & 1) {
		perr_set(err, PERR_DATA, where, "encrypted entry");
		return entry_fail(fail, ZIPIN_ENTRY);
	}
	if (e->method != 0 && e->method != 8) {
		perr_set(err, PERR_DATA, where, "unsupported compression method %u", e->method);
		return entry_fail(fail, ZIPIN_ENTRY);
	}
	/* deflate cannot shrink more than this much: a larger input cannot fit the limit */
	if (e->csize > max + max / 1000 + 1024) {
		perr_set(err, PERR_DATA, where, "entry is larger than the limit of %llu bytes",
			 (unsigned long long)max);
		return entry_fail(fail, ZIPIN_ENTRY);
	}
	if (e->method == 0) {
		if (e->csize != e->usize) {
			perr_set(err, PERR_DATA, z->name,
				 "damaged or inconsistent zip: stored entry '%s' has two sizes", e->name);
			return entry_fail(fail, ZIPIN_ARCHIVE);
		}
		if (e->csize > max) {
			perr_set(err, PERR_DATA, where, "entry is larger than the limit of %llu bytes",
				 (unsigned long long)max);
			return entry_fail(fail, ZIPIN_ENTRY);
		}
		if (!(in = entry_data(z, r, e, err)))
			return entry_fail(fail, ZIPIN_ARCHIVE);
		strbuf_grow(out, (size_t)e->csize);
		memcpy(out->buf, in, (size_t)e->csize);
		out->len = (size_t)e->csize;
		out->buf[out->len] = '\0';
	} else {
		size_t in_used = 0, out_len = 0;
		enum libdeflate_result lr;

		if (!(in = entry_data(z, r, e, err)))
			return entry_fail(fail, ZIPIN_ARCHIVE);
		if (!r->inflater && !(r->inflater = libdeflate_alloc_decompressor())) {
			perr_set(err, PERR_SYSTEM, where, "out of memory");
			return entry_fail(fail, ZIPIN_ARCHIVE);
		}
		/* room for one byte over the limit: the claimed size is never used */
		strbuf_grow(out, (size_t)max + 1);
		lr = libdeflate_deflate_decompress_ex(r->inflater, in, (size_t)e->csize,
						      out->buf, (size_t)max + 1, &in_used, &out_len);
		if (lr == LIBDEFLATE_INSUFFICIENT_SPACE)
			out_len = (size_t)max + 1;
		else if (lr != LIBDEFLATE_SUCCESS)
			out_len = 0;
		out->len = out_len;
		out->buf[out->len] = '\0';
		/* over the entry limit: this entry alone is refused (inflating stopped there) */
		if (lr == LIBDEFLATE_INSUFFICIENT_SPACE || out_len > max) {
			if (add_total(z, out_len, fail, err) < 0)
				return -1;
			perr_set(err, PERR_DATA, where, "entry is larger than the limit of %llu bytes",
				 (unsigned long long)max);
			return entry_fail(fail, ZIPIN_ENTRY);
		}
		if (out_len > 65536 && out_len / z->lim.max_ratio > e->csize) {
			perr_set(err, PERR_DATA, z->name,
				 "zip bomb: entry '%s' inflates more than %llu times its size",
				 e->name, (unsigned long long)z->lim.max_ratio);
			return entry_fail(fail, ZIPIN_ARCHIVE);
		}
		if (lr != LIBDEFLATE_SUCCESS) {
			perr_set(err, PERR_DATA, z->name,
				 "damaged or inconsistent zip: entry '%s' does not inflate", e->name);
			return entry_fail(fail, ZIPIN_ARCHIVE);
		}
		if (in_used != e->csize || out_len != e->usize) {
			perr_set(err, PERR_DATA, z->name,
				 "damaged or inconsistent zip: entry '%s' is not the size its header says",
				 e->name);
			return entry_fail(fail, ZIPIN_ARCHIVE);
		}
	}
	if (libdeflate_crc32(0, out->buf, out->len) != e->crc) {
		perr_set(err, PERR_DATA, z->name, "damaged or inconsistent zip: entry '%s' fails its CRC",
			 e->name);
		return entry_fail(fail, ZIPIN_ARCHIVE);
	}
	return add_total(z, out->len, fail, err);
}
