/*
 * handoff.c: exec withsecrets-full for what the launcher leaves to it
 * (why: handoff.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "withsecrets.h"
#include "util.h"
#include "secmem.h"
#include "diag.h"
#include "handoff.h"

#define FULL_NAME	"withsecrets-full"

/* "DIR/withsecrets-full" for the directory this program was started
 * from, or NULL.  Read from /proc/self/exe: a build tree's programs sit
 * side by side; an installed launcher has no such neighbour. */
static char *
beside_self(void)
{
	char *link = NULL, *slash, *path;
	size_t cap = 256;
	ssize_t n;

	for (;;) {
		link = ws_xrealloc(link, cap);
		n = readlinkat(AT_FDCWD, "/proc/self/exe", link, cap);
		if (n < 0) {
			free(link);
			return NULL;
		}
		if ((size_t)n < cap)
			break;
		cap *= 2;
	}
	link[n] = '\0';
	if ((slash = strrchr(link, '/')) == NULL) {
		free(link);
		return NULL;
	}
	*slash = '\0';
	path = ws_xasprintf("%s/" FULL_NAME, link);
	free(link);
	return path;
}

void
ws_handoff(char **argv, char **envp, const char *why)
{
	char *path;
	int e;

	/* nothing secret is read yet, but a policy's [defaults] may be */
	ws_secmem_wipe_all();
	if ((path = beside_self()) != NULL) {
		(void)execve(path, argv, envp);
		free(path);
	}
	(void)execve(WS_FULL_PATH, argv, envp);
	e = errno;
	ws_finding(WS_SEV_ERROR, WS_EX_UNAVAILABLE, "install", NULL,
	    WS_FULL_PATH, "%s needs withsecrets-full, which cannot be "
	    "started (%s): reinstall withsecrets", why, strerror(e));
}
