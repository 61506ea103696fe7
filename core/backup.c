/* A consistent copy through SQLite's online backup API, checked before it is given its name;
   and db_quick_check for the server's start. See backup.h; the command is backup_cmd.c. */
#include "backup.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "../capture/serve_store.h"

/* the first column of the first row of sql (a pragma's "ok" or a problem, a count) into out */
static int pragma_text(sqlite3 *db, const char *sql, char *out, size_t size, struct perr *err)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, &st, sql, err) < 0)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);

		snprintf(out, size, "%s", t ? t : "");
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return db_fail(db, err, "reading the database");
	return 0;
}

int db_quick_check(sqlite3 *db, struct perr *err)
{
	char res[256];
	const char *file = sqlite3_db_filename(db, "main");

	if (pragma_text(db, "PRAGMA quick_check(1)", res, sizeof(res), err) < 0) {
		/* a file too damaged to read at all fails here */
		err->code = PERR_DATA;
		return -1;
	}
	if (strcmp(res, "ok"))
		return perr_set(err, PERR_DATA, file && *file ? file : "database",
				"the database is damaged (quick_check: %s); restore the latest backup (see 'parindex backup')",
				res);
	return 0;
}

static int count_rows(sqlite3 *db, const char *sql, long long *n, struct perr *err)
{
	char v[32];

	if (pragma_text(db, sql, v, sizeof(v), err) < 0)
		return -1;
	*n = strtoll(v, NULL, 10);
	return 0;
}

/* rows of table, or -1 when the schema version has no such table (a database older than
   accounts is backed up too, before an upgrade) */
static int count_table(sqlite3 *db, const char *table, long long *n, struct perr *err)
{
	char sql[128];
	long long exists;

	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '%s'", table);
	if (count_rows(db, sql, &exists, err) < 0)
		return -1;
	if (!exists) {
		*n = -1;
		return 0;
	}
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"", table);
	return count_rows(db, sql, n, err);
}

static int read_counts(sqlite3 *db, struct backup_counts *c, struct perr *err)
{
	long long v = 0;

	if (count_rows(db, "PRAGMA user_version", &v, err) < 0 ||
	    count_table(db, "submission", &c->submissions, err) < 0 ||
	    count_table(db, "batch", &c->batches, err) < 0 ||
	    count_table(db, "score", &c->scores, err) < 0 ||
	    count_table(db, "commune", &c->communes, err) < 0 ||
	    count_table(db, "account", &c->accounts, err) < 0)
		return -1;
	c->schema_version = (int)v;
	return 0;
}

int backup_open(sqlite3 **out, const char *path, struct perr *err)
{
	long long v = 0;
	struct stat sb;
	sqlite3 *db = NULL;

	*out = NULL;
	if (stat(path, &sb) != 0)
		return perr_set(err, PERR_USAGE, path,
				"no database here; name it with --db (or $PARINDEX_DB)");
	if (db_open_file(&db, path, SQLITE_OPEN_READWRITE, err) < 0)
		return -1;
	/* only the version here: backup_database counts the tables inside its snapshot */
	if (count_rows(db, "PRAGMA user_version", &v, err) < 0) {
		db_not_a_database(db, path, err);
		sqlite3_close(db);
		return -1;
	}
	if (v == 0) {
		sqlite3_close(db);
		return perr_set(err, PERR_DATA, path, "not a parindex database (schema version 0)");
	}
	*out = db;
	return 0;
}

static int sync_path(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static void remove_copy(const char *tmp)
{
	static const char *const sides[] = { "", "-journal", "-wal", "-shm" };
	char p[4200];

	for (size_t i = 0; i < sizeof(sides) / sizeof(sides[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", tmp, sides[i]);
		unlink(p);
	}
}

/* Copy every page from the snapshot the caller's read transaction holds. */
static int copy_pages(sqlite3 *src, const char *tmp, backup_progress_fn *progress, void *arg,
		      struct backup_report *r, struct perr *err)
{
	sqlite3 *dest = NULL;
	sqlite3_backup *b;
	int rc;

	if (sqlite3_open_v2(tmp, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		perr_set(err, PERR_SYSTEM, tmp, "cannot create the copy: %s%s%s%s",
			 dest ? sqlite3_errmsg(dest) : "out of memory",
			 dest && sqlite3_system_errno(dest) ? " (" : "",
			 dest && sqlite3_system_errno(dest) ? strerror(sqlite3_system_errno(dest)) : "",
			 dest && sqlite3_system_errno(dest) ? ")" : "");
		sqlite3_close(dest);
		return -1;
	}
	b = sqlite3_backup_init(dest, "main", src, "main");
	if (!b) {
		db_fail(dest, err, "starting the backup");
		sqlite3_close(dest);
		return -1;
	}
	do {
		rc = sqlite3_backup_step(b, BACKUP_STEP_PAGES);
		r->steps++;
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(10);
		else if (rc == SQLITE_OK && progress)
			progress(arg, sqlite3_backup_remaining(b), sqlite3_backup_pagecount(b));
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	r->pages = sqlite3_backup_pagecount(b);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		db_fail(dest, err, "copying the database");
		sqlite3_close(dest);
		return -1;
	}
	if (sqlite3_close(dest) != SQLITE_OK)
		return perr_set(err, PERR_SYSTEM, tmp, "cannot close the copy");
	return 0;
}

/* integrity_check's first problem on one line: without its "*** in database main ***" */
static void tidy_problem(char *s)
{
	static const char head[] = "*** in database main ***\n";
	char *nl;

	if (!strncmp(s, head, strlen(head)))
		memmove(s, s + strlen(head), strlen(s + strlen(head)) + 1);
	while ((nl = strchr(s, '\n')))
		*nl = ' ';
}

/* Open the copy alone, make it one self-contained file (no WAL beside it), and read it back. */
static int check_copy(const char *tmp, struct backup_report *r, struct perr *err)
{
	sqlite3 *db = NULL;
	char mode[32];
	int rc = -1;

	if (db_open_file(&db, tmp, SQLITE_OPEN_READWRITE, err) < 0)
		goto done;
	if (pragma_text(db, "PRAGMA journal_mode = DELETE", mode, sizeof(mode), err) < 0 ||
	    pragma_text(db, "PRAGMA integrity_check(1)", r->integrity, sizeof(r->integrity), err) < 0 ||
	    read_counts(db, &r->copy, err) < 0)
		goto done;
	tidy_problem(r->integrity);
	rc = 0;
done:
	sqlite3_close(db);
	return rc;
}

static int same_counts(const struct backup_report *r, const char *path, struct perr *err)
{
	struct backup_counts src = r->source;
	const struct backup_counts *s = &src, *c = &r->copy;

	/* what the spool added to the copy */
	src.submissions += r->spool_submissions;
	src.batches += r->spool_batches;

	if (strcmp(r->integrity, "ok"))
		return perr_set(err, PERR_SYSTEM, path,
				"the copy fails integrity_check (%s); the database itself may be damaged: check it with PRAGMA integrity_check; no copy written",
				r->integrity);
	if (s->schema_version != c->schema_version || s->submissions != c->submissions ||
	    s->batches != c->batches || s->scores != c->scores || s->communes != c->communes ||
	    s->accounts != c->accounts)
		return perr_set(err, PERR_SYSTEM, path,
				"the copy differs from the source (schema version %d/%d, submissions %lld/%lld, batches %lld/%lld, scores %lld/%lld, communes %lld/%lld, accounts %lld/%lld)",
				c->schema_version, s->schema_version, c->submissions, s->submissions,
				c->batches, s->batches, c->scores, s->scores, c->communes,
				s->communes, c->accounts, s->accounts);
	return 0;
}

/* Copy the server's spool beside the database (if there is one) into spool_tmp, from one
   snapshot; 1 copied, 0 no spool, -1 err. */
static int copy_spool(const char *spool, const char *spool_tmp, struct perr *err)
{
	sqlite3 *from = NULL, *to = NULL;
	sqlite3_backup *b;
	struct stat sb;
	int rc = -1;

	if (stat(spool, &sb) != 0)
		return 0;
	if (db_open_file(&from, spool, SQLITE_OPEN_READWRITE, err) < 0 ||
	    db_open_file(&to, spool_tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, err) < 0)
		goto done;
	b = sqlite3_backup_init(to, "main", from, "main");
	if (!b) {
		db_fail(to, err, "copying the spool");
		goto done;
	}
	rc = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		rc = -1;
		db_fail(to, err, "copying the spool");
		goto done;
	}
	rc = 1;
done:
	sqlite3_close(from);
	sqlite3_close(to);
	return rc;
}

/* Apply the spool's copy to the database's copy, before the copy is checked. */
static int apply_spool(const char *tmp, const char *spool_tmp, struct backup_report *r,
		       struct perr *err)
{
	struct serve_applied a;
	sqlite3 *db = NULL;
	int rc;

	if (db_open_file(&db, tmp, SQLITE_OPEN_READWRITE, err) < 0)
		return -1;
	rc = serve_spool_apply_file(db, spool_tmp, &a, err);
	if (sqlite3_close(db) != SQLITE_OK && rc == 0)
		rc = perr_set(err, PERR_SYSTEM, tmp, "cannot close the copy");
	r->spool_entries = (long long)a.entries;
	r->spool_submissions = (long long)a.submissions;
	r->spool_batches = (long long)a.batches;
	return rc;
}

int backup_database(sqlite3 *src, const char *path, int force, backup_progress_fn *progress,
		    void *arg, struct backup_report *r, struct perr *err)
{
	const char *srcfile = sqlite3_db_filename(src, "main");
	struct stat ss, ds;
	/* a name of its own in path's folder: two backups to one file at once do not clash */
	char *tmp = xasprintf("%s.XXXXXX", path), *dir = xstrdup(path);
	char *spool = serve_spool_path(srcfile && *srcfile ? srcfile : "");
	char *spool_tmp = NULL;
	int rc = -1, in_txn = 0, made = 0, fd;

	memset(r, 0, sizeof(*r));
	if (stat(path, &ds) == 0) {
		if (srcfile && stat(srcfile, &ss) == 0 && ss.st_dev == ds.st_dev &&
		    ss.st_ino == ds.st_ino) {
			perr_set(err, PERR_USAGE, path, "this is the database itself; name another file");
			goto done;
		}
		if (!force) {
			perr_set(err, PERR_USAGE, path, "exists; give --force to overwrite it");
			goto done;
		}
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		perr_set(err, PERR_SYSTEM, path, "cannot create the copy in its folder: %s",
			 strerror(errno));
		goto done;
	}
	close(fd);
	made = 1;
	/* the spool first: a submission applied after this copy is in the database's copy */
	spool_tmp = xasprintf("%s-spool", tmp);
	r->spool = copy_spool(spool, spool_tmp, err);
	if (r->spool < 0)
		goto done;
	/* one read snapshot for the counts and every page: in WAL mode it holds no writer up,
	   and the backup never restarts for another process's commits */
	if (db_exec(src, "BEGIN", err) < 0)
		goto done;
	in_txn = 1;
	if (read_counts(src, &r->source, err) < 0 ||
	    count_rows(src, "PRAGMA page_size", &r->page_size, err) < 0 ||
	    copy_pages(src, tmp, progress, arg, r, err) < 0)
		goto done;
	sqlite3_exec(src, "COMMIT", NULL, NULL, NULL);
	in_txn = 0;
	if (r->spool && apply_spool(tmp, spool_tmp, r, err) < 0)
		goto done;
	if (check_copy(tmp, r, err) < 0 || same_counts(r, path, err) < 0)
		goto done;
	if (sync_path(tmp, O_RDONLY) < 0) {
		perr_set(err, PERR_SYSTEM, tmp, "cannot sync the copy: %s", strerror(errno));
		goto done;
	}
	if (rename(tmp, path) < 0) {
		perr_set(err, PERR_SYSTEM, path, "cannot rename %s to it: %s", tmp, strerror(errno));
		goto done;
	}
	/* the rename itself survives a power cut once the folder is synced */
	sync_path(dirname(dir), O_RDONLY | O_DIRECTORY);
	rc = 0;
done:
	if (in_txn)
		sqlite3_exec(src, "ROLLBACK", NULL, NULL, NULL);
	if (rc < 0 && made)
		remove_copy(tmp);
	if (spool_tmp)
		remove_copy(spool_tmp);
	free(spool_tmp);
	free(spool);
	free(tmp);
	free(dir);
	return rc;
}
