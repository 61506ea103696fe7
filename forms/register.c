/* Putting generated forms where they are used: the `form` table (capture matches submissions
   against it) and the output folder (written atomically, served to ODK Collect as it is). */
#include "forms.h"
#include "db.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int form_register(sqlite3 *db, const struct def *d, const struct form *f, enum form_stored *how,
		  struct perr *err)
{
	const char *group = d->groups[f->group].id;
	sqlite3_stmt *st;
	char now[32];
	int rc;

	if (db_prepare(db, &st,
		       "SELECT sha256, def_id, def_version, group_id FROM form "
		       "WHERE id = ? AND version = ?",
		       err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, f->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->version, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		int same = !strcmp((const char *)sqlite3_column_text(st, 0), f->sha256);
		int ours = !strcmp((const char *)sqlite3_column_text(st, 1), d->id) &&
			   !strcmp((const char *)sqlite3_column_text(st, 2), d->version) &&
			   !strcmp((const char *)sqlite3_column_text(st, 3), group);

		sqlite3_finalize(st);
		if (!ours)
			return perr_set(err, PERR_DATA, f->file,
					"form '%s' version '%s' is registered for another definition or group",
					f->id, f->version);
		if (same) {
			*how = FORM_UNCHANGED;
			return 0;
		}
		if (db_prepare(db, &st,
			       "UPDATE form SET sha256 = ?3, content = ?4, generated_at = ?5 "
			       "WHERE id = ?1 AND version = ?2",
			       err) < 0)
			return -1;
		*how = FORM_REPLACED;
	} else {
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return db_fail(db, err, "reading forms");
		if (db_prepare(db, &st,
			       "INSERT INTO form (id, version, sha256, content, generated_at, def_id, "
			       "def_version, group_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
			       err) < 0)
			return -1;
		sqlite3_bind_text(st, 6, d->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, d->version, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, group, -1, SQLITE_STATIC);
		*how = FORM_ADDED;
	}
	sqlite3_bind_text(st, 1, f->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->version, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, f->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, f->xml.buf, (int)f->xml.len, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, db_now(now), -1, SQLITE_STATIC);
	rc = db_step_done(db, st, err);
	sqlite3_finalize(st);
	return rc;
}

/* mkdir -p */
static int make_dirs(const char *dir, struct perr *err)
{
	char *p = xstrdup(dir);
	int rc = 0;

	for (char *s = p + 1;; s++) {
		char c = *s;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST) {
			rc = perr_set(err, PERR_SYSTEM, p, "cannot create folder: %s", strerror(errno));
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return rc;
}

int form_write_file(const char *dir, const char *name, const void *data, size_t len,
		    struct perr *err)
{
	char *path = xasprintf("%s/%s", dir, name);
	char *tmp = xasprintf("%s/.%s.XXXXXX", dir, name);
	const char *p = data;
	size_t left = len;
	int fd = -1, rc = -1;

	if (make_dirs(dir, err) < 0)
		goto done;
	fd = mkstemp(tmp);
	if (fd < 0) {
		perr_set(err, PERR_SYSTEM, path, "cannot write: %s", strerror(errno));
		goto done;
	}
	/* mkstemp makes the file private; a form folder is meant to be served */
	if (fchmod(fd, 0644) < 0)
		goto fail;
	while (left) {
		ssize_t w = write(fd, p, left);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto fail;
		p += w;
		left -= (size_t)w;
	}
	if (fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	rc = 0;
	goto done;
fail:
	perr_set(err, PERR_SYSTEM, path, "cannot write: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
done:
	free(path);
	free(tmp);
	return rc;
}
