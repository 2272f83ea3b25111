/*
 * handoff.c: the launcher's way to the whole program.
 *
 * withsecrets is built as two programs from the same modules: the
 * launcher (bin/withsecrets: check, explain, and the plain exec that
 * production makes) and withsecrets-full (in pkglibexecdir: the same,
 * plus gen, --init and --watch, runs that write an audit record, and
 * runs that use a secret store: its HTTP client and JSON reader).
 * Under -z now (SPEC §8) the loader binds every libc function a program
 * imports before main(), whether the run calls it or not; keeping those
 * features' functions (signals, inotify, fork, sockets, rename, fsync
 * ...) out of the launcher keeps them off every plain run
 * (docs/PERFORMANCE.md).  A run that needs them is handed over by
 * execve(2) with the arguments and the environment it was given: before
 * any source is read for the first three, and for a store once the
 * sources show a value that may be a reference (guarded memory wiped
 * first).  A static build (--enable-static-binary)
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
