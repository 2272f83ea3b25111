/*
 * exec: look COMMAND up in the final environment's PATH (as env(1)
 * does), wipe every secret byte but the environment block, execve.
 * On failure the block is wiped too and the status says why: 127 not
 * found, 126 found but not executable (or an environment too large).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "withsecrets.h"
#include "opts.h"
#include "util.h"
#include "secmem.h"
#include "out.h"
#include "diag.h"

/* glibc's execvp(3) default when PATH is unset */
#define WS_DEFAULT_PATH "/bin:/usr/bin"

/* execve, and for a file without a #! line the shell, as execvp does */
static void
try_exec(const char *path, char **argv, char **envp)
{
	size_t argc;
	char **sh;

	execve(path, argv, envp);
	if (errno != ENOEXEC)
		return;
	for (argc = 0; argv[argc] != NULL; argc++)
		;
	sh = malloc((argc + 2) * sizeof(*sh));
	if (sh == NULL) {
		errno = ENOMEM;
		return;
	}
	sh[0] = (char *)"/bin/sh";
	sh[1] = (char *)path;
	memcpy(sh + 2, argv + 1, argc * sizeof(*sh));
	execve("/bin/sh", sh, envp);
	free(sh);
	errno = ENOEXEC;
}

/* Why the command did not run, as a finding: 127 not found, 126 found
 * but not executable or an environment too large. */
static void
report(const struct ws_run *run, const char *cmd, int err)
{
	size_t n;

	switch (err) {
	case ENOENT:
	case ENOTDIR:
		ws_finding(WS_SEV_ERROR, WS_EX_NOTFOUND, NULL, NULL, cmd,
		    "command not found (searched the PATH of the final "
		    "environment)");
		return;
	case E2BIG:
		for (n = 0; run->envp[n] != NULL; n++)
			;
		ws_finding(WS_SEV_ERROR, WS_EX_NOEXEC, NULL, NULL, cmd,
		    "the environment is too large for execve (E2BIG: %zu "
		    "variables, %zu bytes; one variable may not exceed 128 "
		    "KiB); unset what the command does not need", n,
		    run->envp_bytes);
		return;
	default:
		ws_finding(WS_SEV_ERROR, WS_EX_NOEXEC, NULL, NULL, cmd,
		    "cannot execute: %s", strerror(err));
		return;
	}
}

void
ws_exec(struct ws_run *run)
{
	const char *cmd = run->opts->command[0], *path, *p, *end;
	char **argv = run->opts->command;
	int err = ENOENT, seen_eacces = 0;
	size_t dlen, clen = strlen(cmd);
	char *buf;

	(void)ws_out_flush(&ws_stdout);
	(void)ws_out_flush(&ws_stderr);
	/* Everything secret but the environment block goes now (zeroed;
	 * execve unmaps it, or finish() does when it fails). */
	ws_arena_scrub(&ws_work);
	ws_arena_wipe(&ws_fetched);	/* a store's answers (SPEC §13) */

	/* as execvp: an empty name names no file (PATH would make it the
	 * first directory, "found but not executable") */
	if (clen == 0) {
		ws_finding(WS_SEV_ERROR, WS_EX_NOTFOUND, NULL, NULL, NULL,
		    "the command is an empty word: command not found");
		return;
	}
	if (strchr(cmd, '/') != NULL) {
		try_exec(cmd, argv, run->envp);
		report(run, cmd, errno);
		return;
	}
	/* as execvp: a name longer than a file name can be is too long
	 * wherever it is looked for */
	if (clen > NAME_MAX) {
		report(run, cmd, ENAMETOOLONG);
		return;
	}
	if ((path = ws_environ_get(run->envp, "PATH", 4)) == NULL)
		path = WS_DEFAULT_PATH;
	buf = malloc(strlen(path) + clen + 2);
	if (buf == NULL) {
		report(run, cmd, ENOMEM);
		return;
	}
	for (p = path;; p = end + 1) {
		if ((end = strchr(p, ':')) == NULL)
			end = p + strlen(p);
		dlen = (size_t)(end - p);
		if (dlen == 0) {
			buf[0] = '.';	/* an empty entry is the cwd */
			dlen = 1;
		} else
			memcpy(buf, p, dlen);
		buf[dlen] = '/';
		memcpy(buf + dlen + 1, cmd, clen + 1);
		try_exec(buf, argv, run->envp);
		switch (errno) {
		case ENOENT:
		case ENOTDIR:
		case ESTALE:
		case ENODEV:
		case ETIMEDOUT:
			break;
		case ENAMETOOLONG:
			/* an entry that makes too long a path (execvp skips
			 * entries of PATH_MAX bytes or more): the command
			 * cannot be there; the search goes on */
			break;
		case EACCES:
			seen_eacces = 1;
			break;
		default:
			err = errno;
			free(buf);
			report(run, cmd, err);
			return;
		}
		if (*end == '\0')
			break;
	}
	free(buf);
	report(run, cmd, seen_eacces ? EACCES : err);
}
