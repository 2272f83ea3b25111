/*
 * handoff.c: the launcher's way to the whole program.
 *
 * withsecrets is built as two programs from the same modules: the
 * launcher (bin/withsecrets: check, explain, and the plain exec that
 * production makes) and withsecrets-full (in pkglibexecdir: the same,
 * plus gen, --init and --watch, and runs that write an audit record).
 * Under -z now (SPEC §8) the loader binds every libc function a program
 * imports before main(), whether the run calls it or not; keeping those
 * features' functions (signals, inotify, fork, sockets, rename, fsync
 * ...) out of the launcher keeps them off every plain run
 * (docs/PERFORMANCE.md).  A run that needs them is handed over by
 * execve(2), before any secret is read, with the arguments and the
 * environment it was given.  A static build (--enable-static-binary)
 * has no loader to pay and is one program.
 */
#ifndef WS_HANDOFF_H
#define WS_HANDOFF_H

#include "withsecrets.h"

/* Exec withsecrets-full with argv and envp: beside this program (a
 * build tree), else where it is installed.  Returns only when it could
 * not, with an error finding (69). */
void	 ws_handoff(char **argv, char **envp, const char *why);

#endif /* WS_HANDOFF_H */
