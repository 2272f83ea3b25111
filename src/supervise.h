/*
 * Supervision (SPEC §14): --init and --watch, run by withsecrets-full.
 */
#ifndef WS_SUPERVISE_H
#define WS_SUPERVISE_H

#include "withsecrets.h"

/* --init and --watch (SPEC §14), for the exec form with an
 * environment block built.  The command runs as a child; the parent
 * wipes every secret right after the fork and keeps only a keyed hash
 * of the environment.  With --watch, rebuild() is called to read every
 * source afresh (a new run: policy, sources, rules, block); it returns
 * the findings' status, 0 when run->envp is ready, and release() wipes
 * and frees what a build made.  Returns the status to exit with: the
 * command's (128+N for signal N), or in a child whose exec failed the
 * findings' (126, 127). */
struct ws_rebuild {
	int	 (*rebuild)(struct ws_run *);
	void	 (*release)(struct ws_run *);
};
int	 ws_supervise(struct ws_run *, const struct ws_rebuild *);
/* The values of --on-change, --kill-timeout, --watch-delay and
 * --watch-interval (opts.c keeps their texts): 0, or WS_EX_USAGE after
 * saying why.  Only withsecrets-full reads them: each needs --watch. */
int	 ws_supervise_options(struct ws_opts *);

#endif /* WS_SUPERVISE_H */
