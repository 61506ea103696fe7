/* The server's private temporary folder (uploads in flight): TMPDIR/parindex-serve-PID-XXXXXX,
   mode 0700, holding a lock file the server keeps locked (flock) while it runs. A server
   killed with SIGKILL cannot remove its folder; the next one to start removes every such
   folder of this user whose owner is gone: its process id no longer runs and its lock is
   free. Either alone could be wrong (a process id reused; a process in another pid namespace
   sharing TMPDIR, or a folder whose lock file is not made yet), both together leave a live
   server's folder alone. */
#include "serve_http.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMP_PREFIX "parindex-serve-"
#define TMP_LOCK ".lock"

const char *serve_tmpdir(void)
{
	const char *tmp = getenv("TMPDIR");

	return tmp && *tmp ? tmp : "/tmp";
}

/* The process id in a folder's name "parindex-serve-PID-XXXXXX", or 0 when it is not one. */
static long name_pid(const char *name)
{
	const char *p = name + strlen(TMP_PREFIX);
	char *end;
	long pid;

	if (strncmp(name, TMP_PREFIX, strlen(TMP_PREFIX)) || *p < '1' || *p > '9')
		return 0;
	errno = 0;
	pid = strtol(p, &end, 10);
	if (errno || *end != '-' || strlen(end + 1) != 6 || pid <= 0)
		return 0;
	return pid;
}

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *f)
{
	remove(path);
	return 0;
}

void serve_remove_tree(const char *path)
{
	nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* Is the folder's owner gone? Its process is not running and nobody holds its lock. */
static int owner_gone(int dirfd, const char *name, long pid)
{
	char lock[PATH_MAX];
	int fd, gone;

	if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
		return 0;
	snprintf(lock, sizeof(lock), "%s/%s", name, TMP_LOCK);
	fd = openat(dirfd, lock, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT; /* killed before it made its lock */
	gone = flock(fd, LOCK_EX | LOCK_NB) == 0;
	close(fd);
	return gone;
}

int serve_tmp_clean(void)
{
	const char *base = serve_tmpdir();
	DIR *dir = opendir(base);
	struct dirent *e;
	int removed = 0;

	if (!dir)
		return 0;
	while ((e = readdir(dir))) {
		struct stat st;
		long pid = name_pid(e->d_name);
		char *path;

		if (!pid || fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
		    !owner_gone(dirfd(dir), e->d_name, pid))
			continue;
		path = xasprintf("%s/%s", base, e->d_name);
		serve_remove_tree(path);
		if (access(path, F_OK) != 0)
			removed++;
		free(path);
	}
	closedir(dir);
	return removed;
}

int serve_tmp_make(char *path, size_t size, int *lock_fd, struct perr *err)
{
	char *lock;

	*lock_fd = -1;
	snprintf(path, size, "%s/" TMP_PREFIX "%ld-XXXXXX", serve_tmpdir(), (long)getpid());
	if (!mkdtemp(path)) {
		perr_set(err, PERR_SYSTEM, path, "cannot create the uploads folder: %s",
			 strerror(errno));
		path[0] = 0;
		return -1;
	}
	lock = xasprintf("%s/" TMP_LOCK, path);
	*lock_fd = open(lock, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (*lock_fd < 0 || flock(*lock_fd, LOCK_EX | LOCK_NB) < 0) {
		perr_set(err, PERR_SYSTEM, lock, "cannot lock the uploads folder: %s", strerror(errno));
		if (*lock_fd >= 0)
			close(*lock_fd);
		*lock_fd = -1;
		unlink(lock);
		rmdir(path);
		path[0] = 0;
		free(lock);
		return -1;
	}
	free(lock);
	return 0;
}

void serve_tmp_remove(char *path, int lock_fd)
{
	if (!path[0])
		return;
	serve_remove_tree(path);
	if (lock_fd >= 0)
		close(lock_fd);
	path[0] = 0;
}
