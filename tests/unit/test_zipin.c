/* core/zipin: zips built byte by byte here, each row with one defect, read from memory; then
   zips read from a file (a memfd): a directory record as long as a record can be, past the
   end of a 2^48-byte sparse file that cannot be mapped, and a file truncated while it is read. */
#include "unit.h"

#include <libdeflate.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "strbuf.h"
#include "zipin.h"

struct zentry {
	const char *name;
	const char *data;
	int deflate;
};

/* What to spoil in the archive written by build(). */
struct spoil {
	int crc;          /* flip the first entry's CRC */
	long usize;       /* add to the first entry's claimed inflated size */
	int flags, method;/* set on the first entry */
	int same_offset;  /* second record points at the first entry's header */
	int local_name;   /* change a byte of the first local name */
	long cut;         /* drop this many bytes from the end */
	int zip64;        /* write zip64 end records (count 0xffff in the classic one) */
	int long_extra;   /* the first directory record carries 65,535 bytes of extra fields */
	uint64_t hole;    /* the directory lies this many bytes further (zip64; see put_file) */
};

static void put16(struct strbuf *sb, unsigned v)
{
	unsigned char b[2] = { (unsigned char)v, (unsigned char)(v >> 8) };

	strbuf_add(sb, b, 2);
}

static void put32(struct strbuf *sb, uint32_t v)
{
	put16(sb, v & 0xffff);
	put16(sb, v >> 16);
}

static void put64(struct strbuf *sb, uint64_t v)
{
	put32(sb, (uint32_t)v);
	put32(sb, (uint32_t)(v >> 32));
}

/* 65,535 bytes of extra fields, as many as a record can carry: 16,383 empty ones of an
   unknown tag and three bytes too short to be one, so a reader walks all of them. */
static void put_long_extra(struct strbuf *sb)
{
	for (int i = 0; i < 16383; i++)
		put16(sb, 0x7a7a), put16(sb, 0);
	strbuf_add(sb, "\0\0\0", 3);
}

/* Returns where the directory starts in zip (before any hole). */
static size_t build(struct strbuf *zip, const struct zentry *e, size_t n, const struct spoil *sp)
{
	struct strbuf cd = STRBUF_INIT;
	size_t entries_len;
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(6);
	uint32_t offsets[8];

	strbuf_reset(zip);
	for (size_t i = 0; i < n; i++) {
		size_t ulen = strlen(e[i].data), clen = ulen, nlen = strlen(e[i].name);
		char *cdata = xmalloc(ulen + 64);
		uint32_t crc = libdeflate_crc32(0, e[i].data, ulen);
		unsigned method = e[i].deflate ? 8 : 0, flags = 0;
		long usize = (long)ulen;

		if (e[i].deflate)
			clen = libdeflate_deflate_compress(c, e[i].data, ulen, cdata, ulen + 64);
		else
			memcpy(cdata, e[i].data, ulen);
		if (i == 0) {
			crc ^= sp->crc ? 1 : 0;
			usize += sp->usize;
			flags = (unsigned)sp->flags;
			method = sp->method ? (unsigned)sp->method : method;
		}
		offsets[i] = (uint32_t)zip->len;
		for (int pass = 0; pass < 2; pass++) {
			struct strbuf *sb = pass ? &cd : zip;

			put32(sb, pass ? 0x02014b50 : 0x04034b50);
			if (pass)
				put16(sb, 20);
			put16(sb, 20);
			put16(sb, flags);
			put16(sb, method);
			put32(sb, 0);
			put32(sb, crc);
			put32(sb, (uint32_t)clen);
			put32(sb, (uint32_t)usize);
			put16(sb, (unsigned)nlen);
			put16(sb, pass && i == 0 && sp->long_extra ? 65535 : 0);
			if (pass) {
				put16(sb, 0), put16(sb, 0), put16(sb, 0), put32(sb, 0);
				put32(sb, sp->same_offset && i == 1 ? offsets[0] : offsets[i]);
			}
			strbuf_add(sb, e[i].name, nlen);
			if (!pass && i == 0 && sp->local_name)
				zip->buf[zip->len - 1] ^= 1;
			if (pass && i == 0 && sp->long_extra)
				put_long_extra(sb);
		}
		strbuf_add(zip, cdata, clen);
		free(cdata);
	}
	{
		uint64_t cd_off = zip->len + sp->hole, cd_len = cd.len;

		entries_len = zip->len;
		strbuf_add(zip, cd.buf, cd.len);
		if (sp->zip64 || sp->hole) {
			uint64_t end64 = zip->len + sp->hole;

			put32(zip, 0x06064b50), put64(zip, 44), put16(zip, 45), put16(zip, 45);
			put32(zip, 0), put32(zip, 0), put64(zip, n), put64(zip, n);
			put64(zip, cd_len), put64(zip, cd_off);
			put32(zip, 0x07064b50), put32(zip, 0), put64(zip, end64), put32(zip, 1);
		}
		put32(zip, 0x06054b50), put16(zip, 0), put16(zip, 0);
		int z64 = sp->zip64 || sp->hole;

		put16(zip, z64 ? 0xffff : (unsigned)n);
		put16(zip, z64 ? 0xffff : (unsigned)n);
		put32(zip, z64 ? 0xffffffff : (uint32_t)cd_len);
		put32(zip, z64 ? 0xffffffff : (uint32_t)cd_off);
		put16(zip, 0);
	}
	if (sp->cut)
		zip->len -= (size_t)sp->cut;
	strbuf_release(&cd);
	libdeflate_free_compressor(c);
	return entries_len;
}

/* The zip into a memfd, its path in path: the entries at the start, then hole bytes of
   nothing (sparse), then the directory and end records. Returns the memfd, or -1. */
static int put_file(const struct strbuf *zip, size_t entries_len, uint64_t hole, char *path,
		    size_t size)
{
	int fd = memfd_create("zipin-test", 0);

	if (fd < 0)
		return -1;
	if (pwrite(fd, zip->buf, entries_len, 0) != (ssize_t)entries_len ||
	    pwrite(fd, zip->buf + entries_len, zip->len - entries_len, (off_t)(entries_len + hole)) !=
		    (ssize_t)(zip->len - entries_len)) {
		close(fd);
		return -1;
	}
	snprintf(path, size, "/proc/self/fd/%d", fd);
	return fd;
}

/* Read every entry: "name=data;..." of what was read, or the first failure as
   "open:", "next:", "entry:" or "archive:" followed by the message. From the file at path,
   or when it is NULL from zip in memory. */
static void read_all(const struct strbuf *zip, const char *path, const struct zipin_limits *lim,
		     char *out, size_t size)
{
	struct zipin *z;
	struct zipin_reader *r;
	struct zipin_entry e;
	struct strbuf data = STRBUF_INIT;
	struct perr err = { 0 };
	enum zipin_fail fail;
	size_t used = 0;
	int got;

	out[0] = '\0';
	if ((path ? zipin_open_file(&z, path, lim, &err)
		  : zipin_open_mem(&z, zip->buf, zip->len, "t.zip", lim, &err)) < 0) {
		snprintf(out, size, "open: %s", err.msg);
		return;
	}
	r = zipin_reader_new();
	while ((got = zipin_next(z, &e, &err)) == 1) {
		if (zipin_read(z, r, &e, &data, &fail, &err) < 0) {
			used += (size_t)snprintf(out + used, size - used, "%s: %s;",
						 fail == ZIPIN_ENTRY ? "entry" : "archive", err.msg);
			if (fail == ZIPIN_ARCHIVE)
				break;
			continue;
		}
		/* a long name is shown by its length */
		if (e.name_len > 100)
			used += (size_t)snprintf(out + used, size - used, "(%zu bytes)=%s;",
						 e.name_len, data.buf);
		else
			used += (size_t)snprintf(out + used, size - used, "%s=%s;", e.name,
						 data.buf);
	}
	if (got < 0)
		snprintf(out + used, size - used, "next: %s", err.msg);
	strbuf_release(&data);
	zipin_reader_free(r);
	zipin_close(z);
}

void test_zipin(void);

void test_zipin(void)
{
	static const struct zentry two[] = { { "a/b.xml", "<a>1</a>", 0 },
					     { "c.xml", "<c>Cẩm Giàng Cẩm Giàng Cẩm Giàng</c>", 1 } };
	char big[3000];
	struct zentry one_big[] = { { "big.xml", big, 1 } };
	static const struct {
		const char *what;
		int big; /* the entry is 2999 spaces */
		struct spoil sp;
		struct zipin_limits lim;
		const char *want;
	} rows[] = {
		{ "stored and deflated", 0, { 0 }, { 0 },
		  "a/b.xml=<a>1</a>;c.xml=<c>Cẩm Giàng Cẩm Giàng Cẩm Giàng</c>;" },
		{ "zip64 end records", 0, { .zip64 = 1 }, { 0 },
		  "a/b.xml=<a>1</a>;c.xml=<c>Cẩm Giàng Cẩm Giàng Cẩm Giàng</c>;" },
		{ "CRC", 0, { .crc = 1 }, { 0 },
		  "archive: damaged or inconsistent zip: entry 'a/b.xml' fails its CRC;" },
		{ "stored sizes disagree", 0, { .usize = 3 }, { 0 },
		  "archive: damaged or inconsistent zip: stored entry 'a/b.xml' has two sizes;" },
		{ "encrypted", 0, { .flags = 1 }, { 0 },
		  "entry: encrypted entry;c.xml=<c>Cẩm Giàng Cẩm Giàng Cẩm Giàng</c>;" },
		{ "bzip2", 0, { .method = 12 }, { 0 },
		  "entry: unsupported compression method 12;c.xml=<c>Cẩm Giàng Cẩm Giàng Cẩm Giàng</c>;" },
		{ "overlap", 0, { .same_offset = 1 }, { 0 },
		  "a/b.xml=<a>1</a>;next: damaged or inconsistent zip: entries overlap or lie outside the archive" },
		{ "local name", 0, { .local_name = 1 }, { 0 },
		  "next: damaged or inconsistent zip: local and central names differ" },
		{ "truncated", 0, { .cut = 1 }, { 0 },
		  "open: not a zip file, or truncated: no end of central directory record" },
		{ "entry count", 0, { 0 }, { .max_entries = 1 },
		  "open: zip has 2 entries, over the limit of 1" },
		{ "entry size", 0, { 0 }, { .max_entry_size = 20 },
		  "a/b.xml=<a>1</a>;entry: entry is larger than the limit of 20 bytes;" },
		/* a/b.xml is stored, 8 bytes: one byte over the limit, and at it */
		{ "stored entry one byte over the entry size", 0, { 0 }, { .max_entry_size = 7 },
		  "entry: entry is larger than the limit of 7 bytes;"
		  "entry: entry is larger than the limit of 7 bytes;" },
		{ "stored entry at the entry size", 0, { 0 }, { .max_entry_size = 8 },
		  "a/b.xml=<a>1</a>;entry: entry is larger than the limit of 8 bytes;" },
		{ "total", 0, { 0 }, { .max_total = 20 },
		  "a/b.xml=<a>1</a>;archive: zip bomb: inflated entries pass the limit of 20 bytes in all;" },
		{ "ratio under the floor of 64 KiB", 1, { 0 }, { .max_ratio = 2 },
		  NULL /* read */ },
		{ "deflated size claimed wrong", 1, { .usize = -1 }, { 0 },
		  "archive: damaged or inconsistent zip: entry 'big.xml' is not the size its header says;" },
	};
	struct strbuf zip = STRBUF_INIT;
	char got[1024];

	memset(big, ' ', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct zipin_limits lim;

		zipin_limits_default(&lim);
		if (rows[i].lim.max_entries)
			lim.max_entries = rows[i].lim.max_entries;
		if (rows[i].lim.max_entry_size)
			lim.max_entry_size = rows[i].lim.max_entry_size;
		if (rows[i].lim.max_total)
			lim.max_total = rows[i].lim.max_total;
		if (rows[i].lim.max_ratio)
			lim.max_ratio = rows[i].lim.max_ratio;
		if (rows[i].big)
			build(&zip, one_big, 1, &rows[i].sp);
		else
			build(&zip, two, 2, &rows[i].sp);
		/* from memory, then the same bytes from a file */
		for (int file = 0; file < 2; file++) {
			char path[64];
			int fd = -1;

			if (file) {
				fd = put_file(&zip, zip.len, 0, path, sizeof(path));
				CHECK(fd >= 0, "%s: memfd", rows[i].what);
				if (fd < 0)
					continue;
			}
			read_all(&zip, file ? path : NULL, &lim, got, sizeof(got));
			if (rows[i].want)
				CHECK(!strcmp(got, rows[i].want), "%s (%s): got '%s', want '%s'",
				      rows[i].what, file ? "file" : "memory", got, rows[i].want);
			else
				CHECK(!strncmp(got, "big.xml=", 8), "%s (%s): got '%.60s'",
				      rows[i].what, file ? "file" : "memory", got);
			if (fd >= 0)
				close(fd);
		}
	}

	/* a real bomb: 1 MiB of spaces deflates to about a kilobyte */
	{
		char *mib = xmalloc((1 << 20) + 1);
		struct zentry bomb[] = { { "bomb.xml", mib, 1 } };
		struct zipin_limits lim;

		memset(mib, ' ', 1 << 20);
		mib[1 << 20] = '\0';
		zipin_limits_default(&lim);
		lim.max_entry_size = 2 << 20;
		build(&zip, bomb, 1, &(struct spoil){ 0 });
		read_all(&zip, NULL, &lim, got, sizeof(got));
		CHECK(!strcmp(got, "archive: zip bomb: entry 'bomb.xml' inflates more than 200 times "
			      "its size;"), "ratio bomb: got '%s'", got);
		lim.max_entry_size = 1000;
		read_all(&zip, NULL, &lim, got, sizeof(got));
		CHECK(!strcmp(got, "entry: entry is larger than the limit of 1000 bytes;"),
		      "inflating stops at the entry limit: got '%s'", got);
		free(mib);
	}
	/* a directory record as long as a record can be: a 1000-byte name and 65,535 bytes of
	   extra fields. In memory, in a file, and in a file whose directory lies past a hole of
	   2^48 bytes: no mapping of that file fits the address space, which once made the reader
	   serve the directory from a 64 KiB buffer and read past its end (ASan: le16 in
	   zipin_next) */
	{
		char name[1001];
		struct zentry longrec[] = { { name, "<a>1</a>", 0 }, { "c.xml", "<c>2</c>", 1 } };
		static const char want[] = "(1000 bytes)=<a>1</a>;c.xml=<c>2</c>;";
		static const uint64_t holes[] = { 0, (uint64_t)1 << 48 };

		memset(name, 'n', 996);
		memcpy(name + 996, ".xml", 5);
		for (size_t i = 0; i < 2; i++) {
			size_t split = build(&zip, longrec, 2,
					     &(struct spoil){ .long_extra = 1, .hole = holes[i] });
			char path[64];
			int fd;

			if (holes[i] == 0) {
				read_all(&zip, NULL, NULL, got, sizeof(got));
				CHECK(!strcmp(got, want), "longest record, in memory: got '%s'", got);
			}
			fd = put_file(&zip, split, holes[i], path, sizeof(path));
			CHECK(fd >= 0, "longest record: memfd");
			if (fd < 0)
				continue;
			read_all(&zip, path, NULL, got, sizeof(got));
			CHECK(!strcmp(got, want), "longest record, file with a hole of %llu bytes: "
			      "got '%s'", (unsigned long long)holes[i], got);
			close(fd);
		}
	}
	/* a file truncated (by another process) while it is read: refused with a message, where a
	   mapped file once killed the reader with SIGBUS */
	{
		char *kb100 = xmalloc(100001), path[64], sha[65];
		struct zentry three[] = { { "1.xml", kb100, 0 }, { "2.xml", kb100, 0 },
					  { "3.xml", kb100, 0 } };
		struct zipin *z;
		struct zipin_reader *r = zipin_reader_new();
		struct zipin_entry e;
		struct strbuf data = STRBUF_INIT;
		struct perr err = { 0 };
		enum zipin_fail fail;
		int fd, rc;

		memset(kb100, 'x', 100000);
		kb100[100000] = '\0';
		build(&zip, three, 3, &(struct spoil){ 0 });
		fd = put_file(&zip, zip.len, 0, path, sizeof(path));
		CHECK(fd >= 0, "truncated: memfd");
		if (fd >= 0 && zipin_open_file(&z, path, NULL, &err) == 0) {
			CHECK(zipin_next(z, &e, &err) == 1 &&
			      zipin_read(z, r, &e, &data, &fail, &err) == 0 && data.len == 100000,
			      "truncated: the first entry read before: %s", err.msg);
			CHECK(ftruncate(fd, 1000) == 0, "truncated: ftruncate");
			perr_clear(&err);
			rc = zipin_next(z, &e, &err);
			if (rc == 1)
				rc = zipin_read(z, r, &e, &data, &fail, &err);
			CHECK(rc == -1 && err.code == PERR_DATA, "truncated: refused (%d)", rc);
			CHECK_STR(err.msg, "changed while it was read (truncated?)", "truncated: message");
			perr_clear(&err);
			CHECK(zipin_sha256(z, sha, &err) < 0, "truncated: no sha256");
			CHECK_STR(err.msg, "changed while it was read (truncated?)",
				  "truncated: sha256 message");
			zipin_close(z);
		} else {
			CHECK(0, "truncated: open: %s", err.msg);
		}
		if (fd >= 0)
			close(fd);
		strbuf_release(&data);
		zipin_reader_free(r);
		free(kb100);
	}
	/* not a zip at all, and nothing */
	{
		struct zipin *z;
		struct perr err;

		CHECK(zipin_open_mem(&z, "PK\x05\x06", 4, "t.zip", NULL, &err) < 0 && !z,
		      "four bytes refused");
		CHECK(zipin_open_mem(&z, NULL, 0, "t.zip", NULL, &err) < 0 && !z, "empty refused");
		CHECK_STR(err.msg, "not a zip file (too short)", "empty message");
	}
	strbuf_release(&zip);
}
