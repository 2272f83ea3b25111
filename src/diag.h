/*
 * diag.c: findings, messages, the exit status they add up to.
 */
#ifndef WS_DIAG_H
#define WS_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include "withsecrets.h"

extern int	 ws_quiet, ws_verbose;
extern const char *ws_progname;

/* Record a finding; printed by ws_diag_flush() (text, stderr). */
void	 ws_finding(enum ws_severity, int code, const char *rule,
	    const char *name, const char *source, const char *fmt, ...)
	    WS_PRINTF(6, 7);
void	 ws_vfinding(enum ws_severity, int code, const char *rule,
	    const char *name, const char *source, const char *fmt, va_list)
	    WS_PRINTF(6, 0);
/* Will a finding of this severity be kept?  Information is not when
 * ws_diag_keep_info(0) said nobody will see it: callers that build its
 * message ask first. */
int	 ws_diag_wanted(enum ws_severity);
void	 ws_diag_keep_info(int);
/* A message now, outside findings (usage, internal errors, verbose). */
void	 ws_msg(const char *fmt, ...) WS_PRINTF(1, 2);
void	 ws_verbose_msg(const char *fmt, ...) WS_PRINTF(1, 2);
/* Exit status for the findings so far (SPEC §3): the first of 64, 65,
 * 66, 69, 73, 77, 78, 125 among the errors, else the first other
 * error's (75), 0 when there is none; the same from finding first on. */
int	 ws_diag_status(void);
int	 ws_diag_status_since(size_t first);
size_t	 ws_diag_count(enum ws_severity);
size_t	 ws_finding_count(void);
const struct ws_finding *ws_finding_at(size_t);
/* Print findings not yet printed to stderr, one line each. */
void	 ws_diag_flush(void);
void	 ws_diag_reset(void);

#endif /* WS_DIAG_H */
