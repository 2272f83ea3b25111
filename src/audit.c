/*
 * The audit record (SPEC §12): one per exec-form run, written before the
 * exec or the refusal, to the journal or to syslog.  It holds the
 * version, the environment and whether it was strict, argv[0] and the
 * resolved path (never the arguments, which may hold secrets), the
 * decision, and each secret's name, kind and source: never a value, nor
 * anything computed from one.  Nothing in it is secret, so it is built
 * on the ordinary heap; the values stay where they are (ws_work).
 *
 * The journal's native protocol is written by hand (no libsystemd):
 * one datagram to /run/systemd/journal/socket, KEY=value lines, and a
 * value that holds a newline as KEY, a newline, its length as a
 * little-endian 64-bit number, the bytes and a newline.  syslog gets
 * one datagram at /dev/log, facility authpriv, the line syslog(3)
 * would send (without its timestamp), so that a failure is seen.
 * Every socket is O_CLOEXEC and closed before this returns, so that
 * the command inherits none (SPEC §8).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <syslog.h>	/* LOG_ constants only */
#include <unistd.h>

#include "withsecrets.h"
#include "opts.h"
#include "util.h"
#include "out.h"
#include "diag.h"
#include "vars.h"
#include "policy.h"
#include "effective.h"
#include "config-internal.h"
#include "audit.h"

#define JOURNAL_SOCKET	"/run/systemd/journal/socket"
#define SYSLOG_SOCKET	"/dev/log"
#define DEFAULT_PATH	"/bin:/usr/bin"	/* glibc's execvp(3) default */

/* ------------------------------------------------------------------ */
/* A growing text on the ordinary heap (nothing in it is secret).      */

struct buf {
	char	*p;
	size_t	 len, cap;
};

static void
put(struct buf *b, const void *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = ws_xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* ------------------------------------------------------------------ */
/* What the record says.                                               */

struct rec {
	const char	*env;
	int		 strict;
	const char	*cmd;		/* argv[0] as given */
	char		*path;		/* resolved, or NULL */
	int		 status;	/* 0: exec */
	struct buf	 rules;		/* space-separated */
	struct buf	 secrets;	/* "NAME KIND:SOURCE" lines */
	size_t		 n_secrets;
};

/* The command's path as execvp(3) would find it in PATH (the final
 * environment's when it is built), or NULL. */
static char *
resolve(struct ws_run *run, const char *cmd)
{
	const char *path = NULL, *p, *end;
	struct ws_var *head, *e;
	struct stat st;
	char *cand;
	size_t dlen;

	if (strchr(cmd, '/') != NULL)
		return ws_xstrdup(cmd);
	if (run->envp != NULL)
		path = ws_environ_get(run->envp, "PATH", 4);
	else if ((head = ws_store_get(run->store, "PATH", 4)) != NULL &&
	    (e = ws_effective(run, head)) != NULL &&
	    !(e->flags & WS_VAR_NO_VALUE))
		path = e->value;
	if (path == NULL)
		path = DEFAULT_PATH;
	for (p = path;; p = end + 1) {
		if ((end = strchr(p, ':')) == NULL)
			end = p + strlen(p);
		dlen = (size_t)(end - p);
		cand = dlen == 0 ? ws_xstrdup(cmd) :
		    ws_xasprintf("%.*s/%s", (int)dlen, p, cmd);
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(cand, X_OK) == 0)
			return cand;
		free(cand);
		if (*end == '\0')
			return NULL;
	}
}

static void
add_secret(struct rec *r, struct ws_run *run, struct ws_var *e)
{
	char *src, *esc;

	if (e == NULL || (e->flags & (WS_VAR_POINTER | WS_VAR_NO_VALUE |
	    WS_VAR_SKIPPED)) || !ws_policy_is_secret(run, e))
		return;
	/* a fetched value's source is its reference, an address */
	src = (e->flags & WS_VAR_FETCHED) && e->file_path != NULL ?
	    ws_xstrdup(e->file_path) : ws_var_source(e);
	esc = ws_escape(src);		/* one secret, one line */
	if (r->n_secrets++ > 0)
		put(&r->secrets, "\n", 1);
	put(&r->secrets, e->name, e->namelen);
	put(&r->secrets, " ", 1);
	puts_(&r->secrets, e->flags & WS_VAR_FROM_FILE ? "file-var" :
	    e->flags & WS_VAR_FETCHED ? "store" :
	    ws_source_kind_name(e->src->kind));
	put(&r->secrets, ":", 1);
	puts_(&r->secrets, esc);
	free(esc);
	free(src);
}

static void
collect(struct ws_run *run, struct rec *r)
{
	const struct ws_finding *f;
	struct ws_var *head;
	const char *eq, *at;
	size_t i, it = 0, n;

	memset(r, 0, sizeof(*r));
	r->env = run->env_name != NULL ? run->env_name : "unknown";
	r->strict = run->strict;
	r->cmd = run->opts->command[0];
	r->status = ws_diag_status();
	for (i = 0; (f = ws_finding_at(i)) != NULL; i++) {
		if (f->sev != WS_SEV_ERROR)
			continue;
		n = strlen(f->rule);
		/* each rule once */
		for (at = r->rules.p; at != NULL &&
		    (at = strstr(at, f->rule)) != NULL; at += n)
			if ((at == r->rules.p || at[-1] == ' ') &&
			    (at[n] == ' ' || at[n] == '\0'))
				break;
		if (at != NULL)
			continue;
		if (r->rules.len > 0)
			put(&r->rules, " ", 1);
		put(&r->rules, f->rule, n);
	}
	r->path = resolve(run, r->cmd);
	if (run->envp != NULL) {
		/* what the command receives: the names of its environment */
		for (i = 0; run->envp[i] != NULL; i++) {
			if ((eq = strchr(run->envp[i], '=')) == NULL)
				continue;
			head = ws_store_get(run->store, run->envp[i],
			    (size_t)(eq - run->envp[i]));
			if (head != NULL)
				add_secret(r, run, ws_effective(run, head));
		}
	} else if (run->store != NULL)
		/* refused: what it would have received */
		while ((head = ws_store_next(run->store, &it)) != NULL)
			add_secret(r, run, ws_effective(run, head));
}

static void
rec_free(struct rec *r)
{
	free(r->path);
	free(r->rules.p);
	free(r->secrets.p);
}

static char *
message(const struct rec *r)
{
	char *cmd = ws_escape(r->path != NULL ? r->path : r->cmd), *m;

	if (r->status == 0)
		m = ws_xasprintf("exec %s (%s, %s, %zu secret%s)", cmd, r->env,
		    r->strict ? "strict" : "lenient", r->n_secrets,
		    r->n_secrets == 1 ? "" : "s");
	else
		m = ws_xasprintf("refused %s (%s, %s, %zu secret%s): exit %d, "
		    "%s", cmd, r->env, r->strict ? "strict" : "lenient",
		    r->n_secrets, r->n_secrets == 1 ? "" : "s", r->status,
		    r->rules.p != NULL ? r->rules.p : "");
	free(cmd);
	return m;
}

/* ------------------------------------------------------------------ */
/* The journal.                                                        */

static void
field(struct buf *b, const char *key, const char *val)
{
	size_t n = strlen(val);
	unsigned char le[8];
	int i;

	puts_(b, key);
	if (memchr(val, '\n', n) == NULL) {
		put(b, "=", 1);
		put(b, val, n);
	} else {
		put(b, "\n", 1);
		for (i = 0; i < 8; i++)
			le[i] = (unsigned char)((uint64_t)n >> (8 * i));
		put(b, le, 8);
		put(b, val, n);
	}
	put(b, "\n", 1);
}

char *
ws_audit_journal_datagram(struct ws_run *run, size_t *len)
{
	struct buf b = { NULL, 0, 0 };
	struct rec r;
	char *m, st[16];

	collect(run, &r);
	m = message(&r);
	field(&b, "MESSAGE", m);
	free(m);
	field(&b, "PRIORITY", r.status == 0 ? "6" : "4");
	field(&b, "SYSLOG_IDENTIFIER", "withsecrets");
	field(&b, "SYSLOG_FACILITY", "10");	/* authpriv */
	field(&b, "WITHSECRETS_VERSION", PACKAGE_VERSION);
	field(&b, "WITHSECRETS_ENVIRONMENT", r.env);
	field(&b, "WITHSECRETS_STRICT", r.strict ? "yes" : "no");
	field(&b, "WITHSECRETS_COMMAND", r.cmd);
	if (r.path != NULL)
		field(&b, "WITHSECRETS_COMMAND_PATH", r.path);
	field(&b, "WITHSECRETS_DECISION", r.status == 0 ? "exec" : "refused");
	if (r.status != 0) {
		(void)snprintf(st, sizeof(st), "%d", r.status);
		field(&b, "WITHSECRETS_STATUS", st);
		field(&b, "WITHSECRETS_RULES", r.rules.p != NULL ? r.rules.p :
		    "");
	}
	field(&b, "WITHSECRETS_SECRETS", r.secrets.p != NULL ? r.secrets.p :
	    "");
	rec_free(&r);
	*len = b.len;
	return b.p;
}

static int
unix_socket(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, path, strlen(path) + 1);
	/* without blocking (SPEC §12), and never inherited */
	return socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
}

static int
send_journal(const char *d, size_t len)
{
	struct sockaddr_un sa;
	ssize_t n;
	int fd, e;

	if ((fd = unix_socket(JOURNAL_SOCKET, &sa)) < 0)
		return -1;
	do
		n = sendto(fd, d, len, MSG_NOSIGNAL, (struct sockaddr *)&sa,
		    sizeof(sa));
	while (n < 0 && errno == EINTR);
	e = errno;
	(void)close(fd);
	errno = e;
	if (n >= 0 && (size_t)n != len) {
		errno = EMSGSIZE;
		return -1;
	}
	return n < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* syslog.                                                             */

char *
ws_audit_syslog_line(struct ws_run *run)
{
	struct buf b = { NULL, 0, 0 };
	struct rec r;
	char *m, *s, *p;

	collect(run, &r);
	m = message(&r);
	puts_(&b, m);
	free(m);
	s = ws_escape(r.cmd);
	p = r.path != NULL ? ws_escape(r.path) : NULL;
	m = ws_xasprintf(" version=%s environment=%s strict=%s command=%s%s%s "
	    "decision=%s", PACKAGE_VERSION, r.env, r.strict ? "yes" : "no", s,
	    p != NULL ? " command_path=" : "", p != NULL ? p : "",
	    r.status == 0 ? "exec" : "refused");
	puts_(&b, m);
	free(m);
	free(s);
	free(p);
	if (r.status != 0) {
		/* one word: the rules joined by commas */
		for (s = r.rules.p; s != NULL && *s != '\0'; s++)
			if (*s == ' ')
				*s = ',';
		m = ws_xasprintf(" status=%d rules=%s", r.status,
		    r.rules.p != NULL ? r.rules.p : "");
		puts_(&b, m);
		free(m);
	}
	puts_(&b, " secrets:");
	for (s = r.secrets.p; s != NULL && *s != '\0'; s = p) {
		if ((p = strchr(s, '\n')) == NULL)
			p = s + strlen(s);
		put(&b, s == r.secrets.p ? " " : "; ", s == r.secrets.p ? 1 : 2);
		put(&b, s, (size_t)(p - s));
		if (*p == '\n')
			p++;
	}
	rec_free(&r);
	return b.p;
}

/*
 * One datagram to /dev/log, as syslog(3) would send it but without the
 * timestamp (the daemon puts the time it got it, as it does for any
 * sender that gives none): "<PRI>withsecrets[PID]: LINE".  Sent by
 * hand, like the journal's, because syslog(3) says nothing of a
 * failure: audit-required must know that the record was taken, and a
 * check of /dev/log before syslog(3) could pass while the message
 * itself was dropped.
 */
static int
send_syslog(const char *line, int refused)
{
	struct sockaddr_un sa;
	char *d;
	ssize_t n;
	size_t len;
	int fd, e;

	if ((fd = unix_socket(SYSLOG_SOCKET, &sa)) < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		e = errno;
		(void)close(fd);
		errno = e;
		return -1;
	}
	d = ws_xasprintf("<%d>withsecrets[%ld]: %s",
	    LOG_AUTHPRIV | (refused ? LOG_WARNING : LOG_INFO),
	    (long)getpid(), line);
	len = strlen(d);
	do
		n = sendto(fd, d, len, MSG_NOSIGNAL, NULL, 0);
	while (n < 0 && errno == EINTR);
	e = errno;
	(void)close(fd);
	free(d);
	errno = e;
	if (n >= 0 && (size_t)n != len) {
		errno = EMSGSIZE;
		return -1;
	}
	return n < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------ */

/*
 * The journal (and a syslog daemon reading /dev/log through it) adds
 * fields of its own about the sender, _CMDLINE among them, read from
 * /proc/PID/cmdline: the command's arguments, which may hold secrets
 * (SPEC §12 keeps them out of the record).  So the record is sent by a
 * child that first blanks those arguments in its own copy of the
 * memory /proc shows; by the time the receiver looks, it sees them
 * blank, or the child is gone.  0, or -1 with errno.
 */
static int
deliver(struct ws_run *run, enum ws_audit mode, char *d, size_t len,
    int refused)
{
	char **a;
	pid_t pid;
	int st, rc, e;

	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		for (a = run->opts->command + 1; *a != NULL; a++)
			memset(*a, 0, strlen(*a));
		rc = mode == WS_AUDIT_JOURNAL ? send_journal(d, len) :
		    send_syslog(d, refused);
		e = errno;
		free(d);	/* the child's copy (a leak checker looks) */
		_exit(rc == 0 ? 0 : e > 0 && e < 255 ? e : 255);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	errno = WIFEXITED(st) && WEXITSTATUS(st) != 255 ? WEXITSTATUS(st) :
	    EIO;
	return -1;
}

void
ws_audit_record(struct ws_run *run)
{
	enum ws_audit mode = ws_audit_mode(run);
	int status = ws_diag_status(), rc, required = run->set->audit_required;
	char *d;
	size_t len;

	if (mode == WS_AUDIT_OFF || status == WS_EX_USAGE ||
	    run->opts->command == NULL)
		return;		/* (no socket, no cost: SPEC §9) */
	if (mode == WS_AUDIT_JOURNAL)
		d = ws_audit_journal_datagram(run, &len);
	else {
		d = ws_audit_syslog_line(run);
		len = strlen(d);
	}
	(void)ws_out_flush(&ws_stdout);	/* nothing buffered twice */
	(void)ws_out_flush(&ws_stderr);
	rc = deliver(run, mode, d, len, status != 0);
	free(d);
	if (rc == 0)
		return;
	ws_finding(required ? WS_SEV_ERROR : WS_SEV_WARNING,
	    required ? WS_EX_UNAVAILABLE : 0, "audit", NULL,
	    mode == WS_AUDIT_JOURNAL ? JOURNAL_SOCKET : SYSLOG_SOCKET,
	    "the audit record could not be delivered: %s%s", strerror(errno),
	    required ? "; audit-required = yes: the command does not run" :
	    "");
}
