/*
 * exec: look COMMAND up in the final environment's PATH (as env(1)
 * does), wipe every secret byte but the environment block, execve.
 * On failure the block is wiped too and the status says why: 127 not
 * found, 126 found but not executable (or an environment too large).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "withsecrets.h"

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

static int
report(const struct ws_run *run, const char *cmd, int err)
{
	size_t n;

	switch (err) {
	case ENOENT:
	case ENOTDIR:
		ws_msg("error: %s: command not found (searched the PATH of "
		    "the final environment)", cmd);
		return WS_EX_NOTFOUND;
	case E2BIG:
		for (n = 0; run->envp[n] != NULL; n++)
			;
		ws_msg("error: %s: the environment is too large for execve "
		    "(E2BIG: %zu variables, %zu bytes; one variable may not "
		    "exceed 128 KiB); unset what the command does not need",
		    cmd, n, run->envp_bytes);
		return WS_EX_NOEXEC;
	default:
		ws_msg("error: %s: cannot execute: %s", cmd,
		    strerror(err));
		return WS_EX_NOEXEC;
	}
}

int
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

	if (strchr(cmd, '/') != NULL) {
		try_exec(cmd, argv, run->envp);
		return report(run, cmd, errno);
	}
	if ((path = ws_environ_get(run->envp, "PATH", 4)) == NULL)
		path = WS_DEFAULT_PATH;
	buf = malloc(strlen(path) + clen + 2);
	if (buf == NULL)
		return report(run, cmd, ENOMEM);
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
		case EACCES:
			seen_eacces = 1;
			break;
		default:
			err = errno;
			free(buf);
			return report(run, cmd, err);
		}
		if (*end == '\0')
			break;
	}
	free(buf);
	return report(run, cmd, seen_eacces ? EACCES : err);
}
