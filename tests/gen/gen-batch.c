/* gen-batch: a realistic batch of filled questionnaires for tests, the demo and `make bench`.
   Every commune of a register, every respondent group in proportion to its quota, random
   answers from each question's scale, instance XML as ODK Collect (JavaRosa) writes it, in an
   ODK Collect, ODK Briefcase or flat zip layout. Deterministic for a given --seed.
     gen-batch [--definition FILE] --communes FILE (--per-commune N | --count N)
               [--seed N] [--layout collect|briefcase|flat] [--web-forms] [--realistic]
               [--start-date YYYY-MM-DD] (--out FILE.zip | --db FILE)
   --realistic gives each commune a quality that leans its answers to the good options, and the
   interviews the times and phones of a survey team's days (nothing for parindex quality to flag).
   --start-date: the survey's first day (default 2022-01-05), for a definition's quality window.
   --db stores the same instances straight into a database (its forms registered by `parindex
   forms`) as one batch, through capture's own parse, validate and store (what `capture import`
   of the zip stores, without writing and reading 100 MB of zip for a nation's 215,865 forms);
   it prints the batch's line as capture import does. */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zip.h>

#include "../../capture/capture.h"
#include "commune.h"
#include "db.h"
#include "def.h"
#include "embedded.h"
#include "strbuf.h"
#include "text.h"

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: fast, reproducible, good enough for test data */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static const char *const family[] = { "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng",
				      "Bùi", "Đỗ", "Ngô" };
static const char *const middle[] = { "Văn", "Thị", "Đức", "Minh", "Thu", "Quang" };
static const char *const given[] = { "Hoa", "Hùng", "Lan", "Dũng", "Hương", "Tuấn", "Thảo",
				     "Quyết", "Giang", "Phượng" };
static const char *const comments[] = {
	"Cán bộ một cửa nhiệt tình, hướng dẫn rõ ràng.",
	"Đề nghị niêm yết thủ tục hành chính đầy đủ hơn.",
	"Thời gian chờ giải quyết hồ sơ còn dài.",
	"Mong xã đẩy mạnh dịch vụ công trực tuyến.",
};
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* An answer from scale sc. quality < 0: any option alike. Otherwise the commune's quality
   (0..1) is the chance of a good answer (weight 0.6 or more), as in a commune whose people are
   mostly satisfied; a few answer "don't know". Profile questions are always drawn alike. */
static const struct def_option *pick(const struct def_scale *sc, int profile, double quality)
{
	const struct def_option *good[16], *counted[16];
	size_t ngood = 0, ncounted = 0;
	double u = (double)(rnd() >> 11) / 9007199254740992.0;

	if (quality < 0 || profile)
		return &sc->options[rnd() % sc->noptions];
	for (size_t i = 0; i < sc->noptions && i < 16; i++) {
		if (sc->options[i].excluded)
			continue;
		counted[ncounted++] = &sc->options[i];
		if (sc->options[i].weight >= 0.6)
			good[ngood++] = &sc->options[i];
	}
	if (u < 0.03 || !ncounted)
		return &sc->options[rnd() % sc->noptions];
	if (u < 0.03 + 0.97 * quality && ngood)
		return good[rnd() % ngood];
	return counted[rnd() % ncounted];
}

static void usage(void)
{
	fprintf(stderr, "usage: gen-batch [--definition FILE] --communes FILE "
			"(--per-commune N | --count N) [--seed N] "
			"[--layout collect|briefcase|flat] [--web-forms] [--realistic] "
			"[--start-date YYYY-MM-DD] (--out FILE.zip | --db FILE)\n");
	exit(2);
}

/* --db: the instances stored through capture's parse, validate and store, in one batch and
   one transaction, as capture import stores a zip's entries */
struct store {
	sqlite3 *db;
	struct capture_registry reg;
	struct capture_parser *parser;
	struct capture_writer *writer;
	struct capture_submission sub;
	int64_t batch;
	long count[CAPTURE_NSTATUS];
	uint64_t seq;
};

static int store_open(struct store *s, const char *path, const char *label, struct perr *err)
{
	char now[32];
	sqlite3_stmt *st = NULL;

	memset(s, 0, sizeof(*s));
	if (db_open(&s->db, path, DB_EXISTING, err) < 0 ||
	    capture_registry_load(&s->reg, s->db, err) < 0 ||
	    db_exec(s->db, "BEGIN IMMEDIATE", err) < 0 ||
	    db_prepare(s->db, &st, "INSERT INTO batch (file_name, sha256, size, entries, source, "
				   "operator, started_at, finished_at, accepted, duplicates, edits, "
				   "rejected, ignored) VALUES (?, '', 0, 0, 'gen-batch', NULL, ?, ?, "
				   "0, 0, 0, 0, 0)", err) < 0)
		return -1;
	db_now(now);
	db_bind_text(st, 1, label);
	db_bind_text(st, 2, now);
	db_bind_text(st, 3, now);
	if (db_step_done(s->db, st, err) < 0) {
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	s->batch = sqlite3_last_insert_rowid(s->db);
	s->parser = capture_parser_new(32);
	return capture_writer_new(&s->writer, s->db, s->batch, err);
}

static int store_one(struct store *s, const char *path, const char *xml, size_t len,
		     struct perr *err)
{
	struct capture_instance inst;
	struct capture_problem prob = { 0 };
	struct capture_outcome out = { 0 };
	char sha[65];

	text_sha256_hex(xml, len, sha);
	if (capture_parse(s->parser, xml, len, &inst, &prob) < 0 ||
	    capture_validate(&s->reg, &inst, &s->sub, &prob) < 0) {
		/* a generator whose instance its own forms refuse is broken: say why */
		perr_set(err, PERR_DATA, path, "%s: %s", prob.reason, prob.msg);
		return -1;
	}
	if (capture_writer_store(s->writer, &s->sub, sha, &out, err) < 0 ||
	    capture_writer_entry(s->writer, s->seq, path, s->sub.instance_id, s->sub.form->id,
				 s->sub.commune, &out, err) < 0)
		return -1;
	s->count[out.status]++;
	s->seq++; /* entries numbered from 0, as capture import numbers a zip's */
	return 0;
}

static int store_close(struct store *s, const char *label, struct perr *err)
{
	char now[32];
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (db_prepare(s->db, &st, "UPDATE batch SET entries = ?, finished_at = ?, accepted = ?, "
				   "duplicates = ?, edits = ?, rejected = ?, ignored = ? WHERE id = ?",
		       err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)s->seq);
	db_bind_text(st, 2, db_now(now));
	for (int k = 0; k < CAPTURE_NSTATUS; k++)
		sqlite3_bind_int64(st, 3 + k, s->count[k]);
	sqlite3_bind_int64(st, 8, s->batch);
	if (db_step_done(s->db, st, err) == 0 && db_exec(s->db, "COMMIT", err) == 0) {
		printf("batch %lld: %s: %llu entries: %ld accepted, %ld duplicate, %ld edit, "
		       "%ld rejected, %ld ignored\n", (long long)s->batch, label,
		       (unsigned long long)s->seq, s->count[CAPTURE_ACCEPTED],
		       s->count[CAPTURE_DUPLICATE], s->count[CAPTURE_EDIT],
		       s->count[CAPTURE_REJECTED], s->count[CAPTURE_IGNORED]);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

static void store_release(struct store *s)
{
	capture_writer_free(s->writer);
	capture_parser_free(s->parser);
	capture_submission_release(&s->sub);
	capture_registry_release(&s->reg);
	if (s->db)
		db_close(s->db);
}

/* t (seconds since the epoch, UTC) as Collect writes a time in Vietnam: UTC+7. */
static void iso_local(time_t t, char *out, size_t size)
{
	struct tm tm;

	t += 7 * 3600;
	gmtime_r(&t, &tm);
	strftime(out, size, "%Y-%m-%dT%H:%M:%S.000+07:00", &tm);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "definition", required_argument, NULL, 'f' },
		{ "communes", required_argument, NULL, 'c' },
		{ "per-commune", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "realistic", no_argument, NULL, 'r' },
		{ "layout", required_argument, NULL, 'l' },
		{ "web-forms", no_argument, NULL, 'w' },
		{ "out", required_argument, NULL, 'o' },
		{ "db", required_argument, NULL, 'd' },
		{ "start-date", required_argument, NULL, 'S' },
		{ 0 },
	};
	const char *deffile = NULL, *communes = NULL, *out = NULL, *dbfile = NULL,
		   *layout = "collect";
	char label[64];
	struct store store;
	struct perr err = { 0 };
	long per = 0, count = 0, seed = 1;
	time_t day0 = 1641340800; /* 2022-01-05 00:00 UTC */
	int web = 0, realistic = 0, c, zerr;
	double *quality = NULL;
	struct def d;
	struct diag diag = { 0 };
	struct commune_list cl = { 0 };
	size_t *cycle = NULL, ncycle = 0;
	zip_t *z = NULL;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f': deffile = optarg; break;
		case 'c': communes = optarg; break;
		case 'p': per = atol(optarg); break;
		case 'n': count = atol(optarg); break;
		case 's': seed = atol(optarg); break;
		case 'r': realistic = 1; break;
		case 'l': layout = optarg; break;
		case 'w': web = 1; break;
		case 'o': out = optarg; break;
		case 'd': dbfile = optarg; break;
		case 'S': {
			struct tm tm = { 0 };
			const char *end = strptime(optarg, "%Y-%m-%d", &tm);

			if (!end || *end)
				usage();
			day0 = timegm(&tm);
			break;
		}
		default: usage();
		}
	}
	if (!communes || !out == !dbfile || (per <= 0) == (count <= 0) || optind != argc ||
	    (strcmp(layout, "collect") && strcmp(layout, "briefcase") && strcmp(layout, "flat")))
		usage();
	if ((deffile ? def_load_file(&d, deffile, &diag)
		     : def_load(&d, embedded_default_definition,
				strlen(embedded_default_definition), "default", &diag)) < 0) {
		diag_print(&diag, "gen-batch");
		diag_release(&diag);
		return 1;
	}
	/* the register's types are the definition's (xã, phường, đặc khu, ...) */
	if (commune_load_file_def(&cl, communes, &d, &diag) < 0 || cl.n == 0) {
		diag_print(&diag, "gen-batch");
		diag_release(&diag);
		commune_list_release(&cl);
		def_release(&d);
		return 1;
	}
	/* one cycle of groups in proportion to their quotas: 10 G1, 10 G2, ... */
	for (size_t g = 0; g < d.ngroups; g++) {
		int m = d.groups[g].min_forms > 0 ? d.groups[g].min_forms : 1;

		cycle = realloc(cycle, (ncycle + (size_t)m) * sizeof(*cycle));
		for (int k = 0; k < m; k++)
			cycle[ncycle++] = g;
	}
	if (!count)
		count = per * (long)cl.n;
	rng_state = 0x9e3779b97f4a7c15ull ^ (uint64_t)seed * 0x100000001b3ull;
	if (!rng_state)
		rng_state = 1;
	snprintf(label, sizeof(label), "gen-batch --seed %ld", seed);
	if (dbfile && store_open(&store, dbfile, label, &err) < 0) {
		perr_print(&err, "gen-batch");
		store_release(&store);
		commune_list_release(&cl);
		def_release(&d);
		free(cycle);
		free(quality);
		return err.code;
	}
	if (out && !(z = zip_open(out, ZIP_CREATE | ZIP_TRUNCATE, &zerr))) {
		fprintf(stderr, "gen-batch: %s: cannot create zip\n", out);
		return 3;
	}
	/* each commune its own quality, 0.70 to 0.95, the same for a given seed (drawn only with
	   --realistic, so that other batches stay as they were) */
	quality = calloc(cl.n ? cl.n : 1, sizeof(*quality));
	for (size_t k = 0; realistic && k < cl.n; k++)
		quality[k] = 0.70 + 0.25 * (double)(rnd() >> 11) / 9007199254740992.0;
	for (long i = 0; i < count; i++) {
		size_t commune = (size_t)(i % (long)cl.n);
		size_t g = cycle[(size_t)(i / (long)cl.n) % ncycle];
		const struct def_group *grp = &d.groups[g];
		struct strbuf x = STRBUF_INIT, name = STRBUF_INIT;
		char uuid[48], stamp[32], when[40];
		uint64_t a = rnd(), b = rnd();
		long t = 8 * 3600 + i;
		zip_source_t *src;
		size_t len;
		char *data;

		snprintf(uuid, sizeof(uuid), "uuid:%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32),
			 (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff,
			 (unsigned)(0x8000 | ((b >> 48) & 0x3fff)),
			 (unsigned long long)(b & 0xffffffffffffull));
		/* one second apart from 08:00 of the first day, so that Collect's folder names
		   differ */
		time_t when_t = day0 + (time_t)t;
		struct tm tm;

		gmtime_r(&when_t, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%d_%H-%M-%S", &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S.000+07:00", &tm);
		if (web)
			strbuf_addf(&x, "<data xmlns=\"http://www.w3.org/2002/xforms\" "
					"xmlns:orx=\"http://openrosa.org/xforms\" id=\"%s-%s\" "
					"version=\"%s\">", d.id, grp->id, d.version);
		else
			strbuf_addf(&x, "<?xml version='1.0' ?><data id=\"%s-%s\" version=\"%s\" "
					"xmlns:h=\"http://www.w3.org/1999/xhtml\" "
					"xmlns:jr=\"http://openrosa.org/javarosa\" "
					"xmlns:odk=\"http://www.opendatakit.org/xforms\" "
					"xmlns:orx=\"http://openrosa.org/xforms\" "
					"xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">",
				    d.id, grp->id, d.version);
		uint64_t device = rnd() % 8 + 0x51a2b3c4d5e6f700ull;

		if (realistic) {
			/* interviews as a survey team makes them (parindex quality finds nothing
			   odd): four phones per commune, each one interview after another, 30
			   minutes apart from 07:30 (Vietnam time), 16 a day, each 12 to 26 minutes
			   long; no draw from rnd, so the answers stay those of the seed */
			long k = i / (long)cl.n, j = k / 4;
			/* 00:30 UTC is 07:30 in Vietnam */
			time_t s0 = day0 + (time_t)(1800 + (j / 16) * 86400 + (j % 16) * 1800 +
					     (long)(commune % 7) * 60);
			time_t s1 = s0 + 720 + (time_t)((i * 7919) % 840);
			char end[40];

			device = 0x51a2b3c4d5e60000ull + commune * 4 + (uint64_t)(k % 4);
			iso_local(s0, when, sizeof(when));
			iso_local(s1, end, sizeof(end));
			strbuf_addf(&x, "<start>%s</start><end>%s</end>", when, end);
		} else {
			strbuf_addf(&x, "<start>%s</start><end>%s</end>", when, when);
		}
		strbuf_addf(&x, "<deviceid>collect:%016llx</deviceid>", (unsigned long long)device);
		strbuf_addf(&x, "<commune>%s</commune>", cl.v[commune].code);
		if (realistic) {
			/* the phone's own surveyor (one per phone: a name that two communes'
			   phones shared looked like a burst to parindex quality); the three draws
			   of the other branch are made all the same, so that the answers stay
			   those of the seed */
			uint64_t phone = device - 0x51a2b3c4d5e60000ull;

			rnd(), rnd(), rnd();
			strbuf_addf(&x, "<surveyor>%s %s %s</surveyor>", family[phone % N(family)],
				    middle[phone / N(family) % N(middle)],
				    given[phone / (N(family) * N(middle)) % N(given)]);
		} else {
			strbuf_addf(&x, "<surveyor>%s %s %s</surveyor>", family[rnd() % N(family)],
				    middle[rnd() % N(middle)], given[rnd() % N(given)]);
		}
		for (size_t q = 0; q < d.nquestions; q++) {
			const struct def_question *dq = &d.questions[q];
			const struct def_scale *sc = &d.scales[dq->scale];

			if (!(dq->groups & (1u << g)))
				continue;
			strbuf_addf(&x, "<%s>%s</%s>", dq->id,
				    pick(sc, dq->is_profile, realistic ? quality[commune] : -1)->code,
				    dq->id);
		}
		if (rnd() % 4 == 0)
			strbuf_addf(&x, "<comment>%s</comment>", comments[rnd() % N(comments)]);
		else
			strbuf_adds(&x, web ? "<comment></comment>" : "<comment/>");
		/* JavaRosa writes meta plain; Web Forms in the OpenRosa namespace */
		strbuf_addf(&x, "<%smeta><%sinstanceID>%s</%sinstanceID><%sinstanceName>%s-%s"
				"</%sinstanceName></%smeta></data>",
			    web ? "orx:" : "", web ? "orx:" : "", uuid, web ? "orx:" : "",
			    web ? "orx:" : "", cl.v[commune].code, grp->id, web ? "orx:" : "",
			    web ? "orx:" : "");
		if (!strcmp(layout, "collect"))
			strbuf_addf(&name, "instances/Phiếu khảo sát %s_%s/Phiếu khảo sát %s_%s.xml",
				    grp->id, stamp, grp->id, stamp);
		else if (!strcmp(layout, "briefcase"))
			strbuf_addf(&name, "ODK Briefcase Storage/forms/Phiếu khảo sát %s/instances/"
					   "uuid%s/submission.xml", grp->id, uuid + 5);
		else
			strbuf_addf(&name, "%s.xml", uuid + 5);
		if (dbfile) {
			if (store_one(&store, strbuf_str(&name), strbuf_str(&x), x.len, &err) < 0) {
				perr_print(&err, "gen-batch");
				return err.code == PERR_DATA ? 1 : 3;
			}
			strbuf_release(&x);
			strbuf_release(&name);
			continue;
		}
		data = strbuf_detach(&x, &len);
		src = zip_source_buffer(z, data, len, 1);
		if (!src || zip_file_add(z, strbuf_str(&name), src, ZIP_FL_ENC_UTF_8) < 0) {
			fprintf(stderr, "gen-batch: %s: %s\n", out, zip_strerror(z));
			return 3;
		}
		zip_file_set_mtime(z, (zip_uint64_t)i, day0, 0);
		strbuf_release(&name);
	}
	if (dbfile) {
		if (store_close(&store, label, &err) < 0) {
			perr_print(&err, "gen-batch");
			return 3;
		}
		store_release(&store);
	} else if (zip_close(z) < 0) {
		fprintf(stderr, "gen-batch: %s: %s\n", out, zip_strerror(z));
		return 3;
	}
	free(cycle);
	free(quality);
	commune_list_release(&cl);
	def_release(&d);
	diag_release(&diag);
	return 0;
}
