/* Running a helper program (gnuplot) with an argument vector: posix_spawnp, never a shell,
   standard input from /dev/null, standard output and error into a log file, then wait. */
#ifndef PARINDEX_SPAWN_H
#define PARINDEX_SPAWN_H

#include "err.h"

enum spawn_status {
	SPAWN_OK = 0,
	SPAWN_FAILED = -1,    /* could not start, killed, or exited non-zero: err says which */
	SPAWN_NOT_FOUND = -2, /* argv[0] is not on $PATH (err filled, code PERR_SYSTEM) */
};

/* Run argv (NULL-terminated; argv[0] looked up on $PATH) in folder dir (NULL: the current
   one) and wait for it. Its output goes to log_path (truncated; relative to the current
   folder, not dir), or is dropped when log_path is NULL; on a non-zero exit the first line of
   the log is put in err's message. */
int spawn_run(const char *const argv[], const char *dir, const char *log_path,
	      struct perr *err);

/* spawn_run with the environment envp (NULL-terminated "NAME=value" strings) instead of the
   caller's; argv[0] is still looked up on the caller's $PATH. */
int spawn_run_env(const char *const argv[], char *const envp[], const char *dir,
		  const char *log_path, struct perr *err);

#endif
