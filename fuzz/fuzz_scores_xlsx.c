/* libFuzzer target: a scores sheet as an XLSX workbook (see fuzz_scores.h). An input that
   starts like a zip ("PK") is the workbook itself. Any other input is the workbook's parts,
   split at NUL bytes, in the order worksheet, shared strings, workbook, workbook
   relationships (missing ones take a minimal default), zipped here with libzip: mutations
   inside a real zip mostly break its CRCs, so this is how the sheet's XML gets fuzzed. */
#include <zip.h>

#include "strbuf.h"

#include "fuzz_scores.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const part_names[] = {
	"xl/worksheets/sheet1.xml",
	"xl/sharedStrings.xml",
	"xl/workbook.xml",
	"xl/_rels/workbook.xml.rels",
};
static const char *const part_defaults[] = {
	NULL,
	NULL,
	"<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
	"xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
	"<sheets><sheet name=\"scores\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>",
	"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	"<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
	"relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>",
};
#define NPARTS (sizeof(part_names) / sizeof(part_names[0]))

/* The parts zipped (stored, not deflated) into out. */
static void zip_parts(const uint8_t *data, size_t size, struct strbuf *out)
{
	zip_error_t zerr;
	zip_source_t *src;
	zip_t *z;
	const uint8_t *p = data, *end = data + size;
	int more = 1;
	zip_int64_t len;

	if (!size)
		p = end = (const uint8_t *)"";
	zip_error_init(&zerr);
	if (!(src = zip_source_buffer_create(NULL, 0, 0, &zerr)))
		fuzz_die("a zip in memory", NULL);
	zip_source_keep(src);
	if (!(z = zip_open_from_source(src, ZIP_TRUNCATE, &zerr)))
		fuzz_die("a zip in memory", NULL);
	for (size_t i = 0; i < NPARTS; i++) {
		const void *part = part_defaults[i];
		size_t plen = part ? strlen(part) : 0;
		zip_source_t *ps;
		zip_int64_t idx;

		if (more) {
			const uint8_t *nul = memchr(p, 0, (size_t)(end - p));

			part = p;
			plen = (size_t)((nul ? nul : end) - p);
			more = nul != NULL;
			p = nul ? nul + 1 : end;
		}
		if (!part)
			continue;
		if (!(ps = zip_source_buffer(z, part, plen, 0)) ||
		    (idx = zip_file_add(z, part_names[i], ps, ZIP_FL_ENC_UTF_8)) < 0 ||
		    zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_STORE, 0) < 0)
			fuzz_die("a zip in memory", NULL);
	}
	if (zip_close(z) < 0 || zip_source_open(src) < 0 || zip_source_seek(src, 0, SEEK_END) < 0 ||
	    (len = zip_source_tell(src)) < 0 || zip_source_seek(src, 0, SEEK_SET) < 0)
		fuzz_die("a zip in memory", NULL);
	strbuf_grow(out, (size_t)len);
	if (zip_source_read(src, out->buf, (zip_uint64_t)len) != len)
		fuzz_die("a zip in memory", NULL);
	out->len = (size_t)len;
	out->buf[len] = '\0';
	zip_source_close(src);
	zip_source_free(src);
	zip_error_fini(&zerr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf zip = STRBUF_INIT;

	if (size >= 2 && data[0] == 'P' && data[1] == 'K') {
		fuzz_scores(data, size, 1);
		return 0;
	}
	zip_parts(data, size, &zip);
	fuzz_scores((const uint8_t *)zip.buf, zip.len, 1);
	strbuf_release(&zip);
	return 0;
}
