/* posix_spawnp and wait, with the child's output in a log file. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

/* The first non-empty line of the log, for the error message. */
static void first_line(const char *path, char *buf, size_t size)
{
	FILE *f = path ? fopen(path, "r") : NULL;

	buf[0] = '\0';
	if (!f)
		return;
	while (fgets(buf, (int)size, f)) {
		buf[strcspn(buf, "\r\n")] = '\0';
		if (buf[strspn(buf, " \t")])
			break;
		buf[0] = '\0';
	}
	fclose(f);
}

int spawn_run(const char *const argv[], const char *dir, const char *log_path,
	      struct perr *err)
{
	return spawn_run_env(argv, environ, dir, log_path, err);
}

int spawn_run_env(const char *const argv[], char *const envp[], const char *dir,
		  const char *log_path, struct perr *err)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc, status;
	const char *out = log_path ? log_path : "/dev/null";
	char line[300];

	if (posix_spawn_file_actions_init(&fa) != 0) {
		perr_set(err, PERR_SYSTEM, argv[0], "cannot prepare to run: %s", strerror(errno));
		return SPAWN_FAILED;
	}
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	if (dir)
		posix_spawn_file_actions_addchdir_np(&fa, dir);
	/* the cast: posix_spawnp takes char *const[] but does not write to the strings */
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	if (rc == ENOENT) {
		perr_set(err, PERR_SYSTEM, argv[0], "not found on PATH");
		return SPAWN_NOT_FOUND;
	}
	if (rc != 0) {
		perr_set(err, PERR_SYSTEM, argv[0], "cannot run: %s", strerror(rc));
		return SPAWN_FAILED;
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perr_set(err, PERR_SYSTEM, argv[0], "cannot wait: %s", strerror(errno));
			return SPAWN_FAILED;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return SPAWN_OK;
	first_line(log_path, line, sizeof(line));
	if (WIFEXITED(status))
		perr_set(err, PERR_SYSTEM, argv[0], "exited with status %d%s%s",
			 WEXITSTATUS(status), line[0] ? ": " : "", line);
	else
		perr_set(err, PERR_SYSTEM, argv[0], "killed by signal %d%s%s",
			 WIFSIGNALED(status) ? WTERMSIG(status) : 0, line[0] ? ": " : "", line);
	return SPAWN_FAILED;
}
