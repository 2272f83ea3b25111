/*
 * audit.c: the audit record of an exec-form run (SPEC §12), to the
 * journal (its native protocol, by hand) or to syslog(3).
 */
#ifndef WS_AUDIT_H
#define WS_AUDIT_H

#include <stddef.h>
#include "withsecrets.h"

/* Write the record of this run: its decision is exec when no error
 * stops it (ws_diag_status() is 0), else refused, with the status and
 * the rules.  Nothing for a usage error, or with audit off.  A record
 * that cannot be delivered is a warning, or with audit-required = yes
 * an error (69).  The socket is O_CLOEXEC and closed before it returns. */
void	 ws_audit_record(struct ws_run *);

/* The parts, for the unit tests: the record as the journal's native
 * datagram (KEY=value lines; a value holding a newline in the binary
 * form) and as the syslog line.  Allocated; *len set. */
char	*ws_audit_journal_datagram(struct ws_run *, size_t *len);
char	*ws_audit_syslog_line(struct ws_run *);

#endif /* WS_AUDIT_H */
