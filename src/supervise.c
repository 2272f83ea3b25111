/*
 * Supervision (SPEC §14): --init and --watch keep withsecrets as the
 * command's parent instead of exec'ing it.
 *
 * --init does what tini does: the command runs as a child in a process
 * group of its own (the terminal's foreground group when withsecrets
 * had the terminal), every signal is forwarded to it (to its group with
 * --init-group) but SIGCHLD, the synchronous ones and SIGTTIN/SIGTTOU,
 * children are reaped (as PID 1, or as a subreaper), and withsecrets
 * exits with the command's status (128+N for signal N).
 *
 * Every signal but the synchronous ones is blocked before the fork and
 * read from a signalfd after it: a signal that comes while the command
 * starts stays pending and is forwarded once it runs.  The child gives
 * back the mask and SIGCHLD's disposition that withsecrets was given
 * before execve (SPEC §8); nothing else is changed.
 *
 * Memory: the environment block is built, the child forked, and the
 * parent wipes everything (the arenas, the store) at once, keeping a
 * keyed hash of the environment (crypto_generichash, a random key made
 * here) to tell whether a change changes what the command gets.
 *
 * --watch adds inotify on the directories the sources live in; after
 * --watch-delay without an event, a fresh run (main's rebuild()) reads
 * everything again and runs every rule.  A refused configuration
 * leaves the command alone; a passing one with another environment is
 * --on-change's: restart, signal:NAME or exit.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "withsecrets.h"
#include "opts.h"
#include "supervise.h"
#include "util.h"
#include "secmem.h"
#include "out.h"
#include "diag.h"
#include "vars.h"

#define DIGEST	crypto_generichash_BYTES	/* 32 */

/* What a watched directory's events are about. */
enum interest {
	W_ALL,		/* a secret directory: every entry is a variable */
	W_LAYERS,	/* DIR: .env* layers, withsecrets.ini */
	W_NAME		/* one file's name (and Kubernetes' ..* names) */
};

struct watch {
	int		 wd;
	enum interest	 what;
	char		*name;		/* W_NAME */
};

enum state {
	RUNNING,	/* the command runs */
	STOPPING	/* SIGTERM sent, for a restart or an exit */
};

struct sv {
	struct ws_run		*run;
	const struct ws_rebuild	*rb;
	sigset_t		 given;		/* the mask we were given */
	sigset_t		 blocked;	/* what the signalfd reads */
	struct sigaction	 given_chld;
	int			 restore_chld;
	int			 foreground;	/* give the child the tty */
	int			 sfd, ifd;
	pid_t			 child;		/* 0: none */
	int			 wstatus;	/* the child's, when reaped */
	unsigned char		*key;		/* guarded: key, then digest */
	unsigned char		*digest;
	/* --watch */
	struct watch		*watches;
	size_t			 n_watches;
	int			 max_wd;	/* newest watch descriptor */
	long long		 change_at;	/* -1: no change pending */
	long long		 reread_at;	/* --watch-interval: the next
						 * reading of the stores; -1 */
	enum state		 state;
	enum ws_on_change	 after_stop;	/* restart or exit */
	long long		 kill_at;	/* -1: none */
	int			 stop_sig;	/* a terminating signal came */
	sigset_t		 deferred;	/* for the next command */
};

static long long
now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Signals never forwarded: the synchronous ones are a fault of the
 * process that gets them, and stay unblocked so that a fault of ours is
 * not hidden (as in tini). */
static const int synchronous[] = {
	SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS
};

static int
forwarded(int sig)
{
	return sig != SIGCHLD && sig != SIGTTIN && sig != SIGTTOU;
}

/* Does the signal's default action end a process?  Such a signal
 * during a restart stops the restart (SPEC §14); the others are kept
 * for the new command. */
static int
terminating(int sig)
{
	switch (sig) {
	case SIGCHLD: case SIGCONT: case SIGSTOP: case SIGTSTP:
	case SIGTTIN: case SIGTTOU: case SIGURG: case SIGWINCH:
		return 0;
	default:
		return 1;
	}
}

static int
exit_status(int wstatus)
{
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return WEXITSTATUS(wstatus);
}

/* Libsodium's BLAKE2b keeps message words in locals it does not wipe:
 * after hashing the environment, the stack below us is zeroed, as
 * libgcrypt's burn_stack does. */
static WS_NOINLINE void
burn_stack(void)
{
	volatile unsigned char buf[16384];

	sodium_memzero((void *)buf, sizeof(buf));
	__asm__ __volatile__("" : : "r"(buf) : "memory");
}

static int
cmp_digest(const void *a, const void *b)
{
	return memcmp(a, b, DIGEST);
}

/* The keyed hash of run->envp, as a set: each entry is hashed, the
 * hashes sorted (the order of the block follows the order of the
 * sources, which a directory listing may change), then hashed again.
 * The entries' hashes are made in the work arena and go with it. */
static WS_NOINLINE void
env_digest(struct sv *s, unsigned char *out)
{
	char **envp = s->run->envp;
	unsigned char *h;
	size_t n, i;

	for (n = 0; envp[n] != NULL; n++)
		;
	if ((h = ws_arena_alloc(&ws_work, (n + 1) * DIGEST)) == NULL)
		ws_fatal_nomem();
	for (i = 0; i < n; i++)
		(void)crypto_generichash(h + i * DIGEST, DIGEST,
		    (const unsigned char *)envp[i], strlen(envp[i]), s->key,
		    crypto_generichash_KEYBYTES);
	qsort(h, n, DIGEST, cmp_digest);
	(void)crypto_generichash(out, DIGEST, h, n * DIGEST, s->key,
	    crypto_generichash_KEYBYTES);
	sodium_memzero(h, (n + 1) * DIGEST);
}

/* Forward to the command, or to its group with --init-group. */
static void
forward(struct sv *s, int sig)
{
	if (s->child <= 0)
		return;
	if (s->run->opts->init_group)
		(void)kill(-s->child, sig);
	else
		(void)kill(s->child, sig);
}

/* In the child: the group, the terminal, what we were given; exec. */
static void
child_exec(struct sv *s)
{
	(void)setpgid(0, 0);
	if (s->foreground)
		(void)tcsetpgrp(STDIN_FILENO, getpid());
	if (s->restore_chld)
		(void)sigaction(SIGCHLD, &s->given_chld, NULL);
	(void)sigprocmask(SIG_SETMASK, &s->given, NULL);
	ws_exec(s->run);	/* returns only on failure */
}

/*
 * Start the command with run->envp.  In the parent, everything secret
 * is wiped right after the fork and the child's pid is returned; in a
 * child whose exec failed, 0 (the findings say why).  -1: no fork.
 */
static pid_t
start(struct sv *s)
{
	pid_t pid;

	env_digest(s, s->digest);
	burn_stack();
	ws_diag_flush();
	(void)ws_out_flush(&ws_stdout);
	(void)ws_out_flush(&ws_stderr);
	if ((pid = fork()) == -1) {
		ws_finding(WS_SEV_ERROR, WS_EX_SOFTWARE, NULL, NULL, NULL,
		    "cannot start the command: fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		child_exec(s);
		return 0;
	}
	/* the group is the child's before either of us relies on it */
	(void)setpgid(pid, pid);
	s->rb->release(s->run);
	s->child = pid;
	s->state = RUNNING;
	return pid;
}

/* ------------------------------------------------------------------ */
/* --watch: which directories, and which of their events matter.      */

static void
watch_add(struct sv *s, const char *dir, size_t dlen, enum interest what,
    const char *name)
{
	char *d = ws_xstrndup(dir, dlen);
	size_t i;
	int wd;

	wd = inotify_add_watch(s->ifd, d, IN_CREATE | IN_DELETE |
	    IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE | IN_MODIFY |
	    IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR);
	if (wd == -1) {
		ws_verbose_msg("watch: cannot watch %s: %s", d,
		    strerror(errno));
		free(d);
		return;
	}
	if (wd > s->max_wd) {
		/* a directory not watched before: a change made while it
		 * was being read would be missed, so read once more */
		s->max_wd = wd;
		if (s->change_at < 0)
			s->change_at = now_ms() + s->run->opts->watch_delay_ms;
		ws_verbose_msg("watch: %s", d);
	}
	free(d);
	for (i = 0; i < s->n_watches; i++)
		if (s->watches[i].wd == wd && s->watches[i].what == what &&
		    (what != W_NAME || strcmp(s->watches[i].name, name) == 0))
			return;
	s->watches = ws_xrealloc(s->watches,
	    (s->n_watches + 1) * sizeof(*s->watches));
	s->watches[s->n_watches].wd = wd;
	s->watches[s->n_watches].what = what;
	s->watches[s->n_watches].name = what == W_NAME ?
	    ws_xstrdup(name) : NULL;
	s->n_watches++;
}

/* The directory that holds path, and path's last name in it. */
static void
watch_file(struct sv *s, const char *path)
{
	const char *slash = strrchr(path, '/');
	char *real;

	if (slash == NULL)
		watch_add(s, ".", 1, W_NAME, path);
	else if (slash[1] != '\0')
		watch_add(s, path, slash == path ? 1 : (size_t)(slash - path),
		    W_NAME, slash + 1);
	/* a symbolic link: where the file really lives too */
	if ((real = realpath(path, NULL)) != NULL) {
		if (strcmp(real, path) != 0 && (slash = strrchr(real, '/')) &&
		    slash[1] != '\0')
			watch_add(s, real, slash == real ? 1 :
			    (size_t)(slash - real), W_NAME, slash + 1);
		free(real);
	}
}

/* Watch what this run read: its secret directories, the directories of
 * its .env layers, NAME_FILE targets, example and policy files, and the
 * layers' directories (a layer made later is seen there). */
static void
watch_run(struct sv *s)
{
	struct ws_run *run = s->run;
	struct ws_source *const *src;
	struct ws_var **heads, *v;
	size_t n, i, dlen;
	char *path;

	for (i = 0; i < run->opts->n_dirs; i++)	/* every -C (§4.2) */
		watch_add(s, run->opts->dirs[i], strlen(run->opts->dirs[i]),
		    W_LAYERS, NULL);
	if (run->set != NULL && run->set->path != NULL)
		watch_file(s, run->set->path);
	if (run->opts->config != NULL)
		watch_file(s, run->opts->config);
	if (run->example_path != NULL)
		watch_file(s, run->example_path);
	for (i = 0; i < run->opts->n_env_files; i++)
		watch_file(s, run->opts->env_files[i]);
	for (i = 0; i < run->opts->n_secrets_dirs; i++)
		watch_add(s, run->opts->secrets_dirs[i],
		    strlen(run->opts->secrets_dirs[i]), W_ALL, NULL);
	if (run->store == NULL)
		return;
	src = ws_store_sources(run->store, &n);
	for (i = 0; i < n; i++) {
		if (src[i]->path == NULL)
			continue;
		if (src[i]->kind == WS_KIND_SECRET_DIR)
			watch_add(s, src[i]->path, strlen(src[i]->path),
			    W_ALL, NULL);
		else if (src[i]->kind == WS_KIND_ENV_FILE)
			watch_file(s, src[i]->path);
	}
	/* NAME_FILE targets: the path as resolve.c opens it, read or not
	 * (a target that is missing now may come) */
	heads = ws_xmalloc((ws_store_count(run->store) + 1) * sizeof(*heads));
	n = ws_store_heads(run->store, heads);
	for (i = 0; i < n; i++)
		for (v = heads[i]; v != NULL; v = v->next_in_name) {
			if (v->flags & WS_VAR_FROM_FILE && v->file_path &&
			    v->src->kind != WS_KIND_SECRET_DIR) {
				watch_file(s, v->file_path);
				continue;
			}
			if (!(v->flags & WS_VAR_POINTER) || v->vallen == 0 ||
			    (v->flags & WS_VAR_NO_VALUE))
				continue;
			/* relative to the .env that set it, as resolve.c
			 * reads it */
			dlen = 0;
			if (v->value[0] != '/' && v->src->file_relative &&
			    v->src->path != NULL)
				for (dlen = strlen(v->src->path); dlen > 0 &&
				    v->src->path[dlen - 1] != '/'; dlen--)
					;
			path = ws_xmalloc(dlen + v->vallen + 1);
			if (dlen > 0)
				memcpy(path, v->src->path, dlen);
			memcpy(path + dlen, v->value, v->vallen);
			path[dlen + v->vallen] = '\0';
			watch_file(s, path);
			free(path);
		}
	free(heads);
}

/* Does an event concern a source? */
static int
relevant(const struct sv *s, const struct inotify_event *e)
{
	size_t i;

	if (e->len == 0 || e->name[0] == '\0')
		return 1;	/* the directory itself */
	for (i = 0; i < s->n_watches; i++) {
		if (s->watches[i].wd != e->wd)
			continue;
		switch (s->watches[i].what) {
		case W_ALL:
			return 1;
		case W_LAYERS:
			if (strncmp(e->name, ".env", 4) == 0 ||
			    strcmp(e->name, "withsecrets.ini") == 0)
				return 1;
			break;
		case W_NAME:
			/* the kubelet's ..data and ..TIMESTAMP */
			if (strcmp(e->name, s->watches[i].name) == 0 ||
			    strncmp(e->name, "..", 2) == 0)
				return 1;
			break;
		}
	}
	return 0;
}

static void
read_events(struct sv *s)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *e;
	ssize_t n;
	char *p;

	while ((n = read(s->ifd, buf, sizeof(buf))) > 0)
		for (p = buf; p < buf + n; p += sizeof(*e) + e->len) {
			e = (const struct inotify_event *)p;
			if ((e->mask & IN_Q_OVERFLOW) || relevant(s, e))
				s->change_at = now_ms() +
				    s->run->opts->watch_delay_ms;
		}
}

/* ------------------------------------------------------------------ */

/* SIGTERM (and SIGCONT, for a stopped command), then SIGKILL to its
 * group after --kill-timeout. */
static void
stop(struct sv *s, enum ws_on_change then)
{
	s->state = STOPPING;
	s->after_stop = then;
	forward(s, SIGTERM);
	forward(s, SIGCONT);
	s->kill_at = now_ms() + s->run->opts->kill_timeout_ms;
}

/* A change was seen and the sources are quiet: read them again. */
static void
recheck(struct sv *s)
{
	unsigned char d[DIGEST];
	int rc;

	rc = s->rb->rebuild(s->run);
	if (s->ifd >= 0)
		watch_run(s);
	ws_diag_flush();
	if (rc != 0) {
		s->rb->release(s->run);
		ws_msg("warning: watch: the changed configuration is refused "
		    "(exit %d); the command keeps running unchanged", rc);
		return;
	}
	env_digest(s, d);
	s->rb->release(s->run);
	burn_stack();
	if (sodium_memcmp(d, s->digest, DIGEST) == 0) {
		ws_verbose_msg("watch: the sources were read again; the "
		    "command's environment is unchanged");
		return;
	}
	switch (s->run->opts->on_change) {
	case WS_ON_CHANGE_SIGNAL:
		memcpy(s->digest, d, DIGEST);
		if (!ws_quiet)
			ws_msg("watch: the command's environment changed; "
			    "sending it signal %d",
			    s->run->opts->change_signal);
		forward(s, s->run->opts->change_signal);
		break;
	case WS_ON_CHANGE_EXIT:
	case WS_ON_CHANGE_RESTART:
		if (!ws_quiet)
			ws_msg("watch: the command's environment changed; "
			    "stopping it to %s",
			    s->run->opts->on_change == WS_ON_CHANGE_EXIT ?
			    "exit" : "restart it");
		stop(s, s->run->opts->on_change);
		break;
	}
	sodium_memzero(d, sizeof(d));
}

/* Reap every child that has ended; note the command's status. */
static void
reap(struct sv *s)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		if (pid == s->child) {
			s->child = 0;
			s->wstatus = st;
		}
}

static void
on_signal(struct sv *s, int sig)
{
	if (sig == SIGCHLD) {
		reap(s);
		return;
	}
	if (!forwarded(sig))
		return;
	if (s->state == STOPPING && s->after_stop == WS_ON_CHANGE_RESTART) {
		if (terminating(sig)) {
			s->stop_sig = sig;	/* no restart */
			forward(s, sig);
		} else
			(void)sigaddset(&s->deferred, sig);
		return;
	}
	forward(s, sig);
}

static void
sv_free(struct sv *s)
{
	size_t i;

	if (s->sfd >= 0)
		(void)close(s->sfd);
	if (s->ifd >= 0)
		(void)close(s->ifd);
	for (i = 0; i < s->n_watches; i++)
		free(s->watches[i].name);
	free(s->watches);
	if (s->key != NULL)
		sodium_free(s->key);
}

/* The command is gone after a stop: exit, or start it again. */
static int
after_stop(struct sv *s, int *done)
{
	int rc, sig;

	*done = 1;
	s->kill_at = -1;
	if (s->stop_sig != 0 || s->after_stop == WS_ON_CHANGE_EXIT) {
		reap(s);
		return s->stop_sig ? exit_status(s->wstatus) : 0;
	}
	/* the stop took time: read everything afresh for the start */
	rc = s->rb->rebuild(s->run);
	watch_run(s);
	ws_diag_flush();
	if (rc != 0) {
		s->rb->release(s->run);
		ws_msg("error: watch: the configuration changed again while "
		    "the command stopped, and is refused: not restarting");
		return rc;
	}
	s->change_at = -1;
	if (start(s) <= 0)
		return ws_diag_status();	/* the child: exec failed */
	for (sig = 1; sig < NSIG; sig++)
		if (sigismember(&s->deferred, sig) == 1)
			forward(s, sig);
	(void)sigemptyset(&s->deferred);
	*done = 0;
	return 0;
}

static int
loop(struct sv *s)
{
	struct signalfd_siginfo si[16];
	struct pollfd pfd[2];
	long long t, next;
	ssize_t n;
	int timeout, rc, done, i;

	for (;;) {
		if (s->child == 0) {
			if (s->state == STOPPING) {
				rc = after_stop(s, &done);
				if (done)
					return rc;
				continue;
			}
			reap(s);	/* what has ended by now */
			return exit_status(s->wstatus);
		}
		t = now_ms();
		if (s->state == STOPPING && s->kill_at >= 0 && t >= s->kill_at) {
			(void)kill(-s->child, SIGKILL);
			(void)kill(s->child, SIGKILL);
			s->kill_at = -1;
		}
		if (s->state == RUNNING && s->change_at >= 0 &&
		    t >= s->change_at) {
			s->change_at = -1;
			recheck(s);
			continue;
		}
		/* a store has no event to watch: read everything again at
		 * --watch-interval (SPEC §14) */
		if (s->state == RUNNING && s->reread_at >= 0 &&
		    t >= s->reread_at) {
			s->reread_at = t + s->run->opts->watch_interval_ms;
			recheck(s);
			continue;
		}
		next = -1;
		if (s->state == RUNNING && s->change_at >= 0)
			next = s->change_at;
		if (s->state == RUNNING && s->reread_at >= 0 &&
		    (next < 0 || s->reread_at < next))
			next = s->reread_at;
		if (s->state == STOPPING && s->kill_at >= 0)
			next = s->kill_at;
		timeout = next < 0 ? -1 : next - t > INT_MAX ? INT_MAX :
		    (int)(next - t);
		pfd[0].fd = s->sfd;
		pfd[0].events = POLLIN;
		pfd[1].fd = s->ifd;
		pfd[1].events = POLLIN;
		if (poll(pfd, s->ifd >= 0 ? 2 : 1, timeout) == -1 &&
		    errno != EINTR)
			ws_fatal("poll failed");
		if (pfd[0].revents & POLLIN)
			while ((n = read(s->sfd, si, sizeof(si))) > 0)
				for (i = 0; i < n / (ssize_t)sizeof(si[0]); i++)
					on_signal(s, (int)si[i].ssi_signo);
		if (s->ifd >= 0 && (pfd[1].revents & POLLIN))
			read_events(s);
	}
}

int
ws_supervise(struct ws_run *run, const struct ws_rebuild *rb)
{
	struct sigaction dfl;
	struct sv s;
	size_t i;
	pid_t pid;
	int rc;

	memset(&s, 0, sizeof(s));
	s.run = run;
	s.rb = rb;
	s.sfd = s.ifd = -1;
	s.change_at = s.kill_at = -1;
	s.reread_at = run->opts->watch_interval_ms > 0 ?
	    now_ms() + run->opts->watch_interval_ms : -1;
	s.state = RUNNING;
	(void)sigemptyset(&s.deferred);
	if ((s.key = sodium_malloc(crypto_generichash_KEYBYTES + DIGEST))
	    == NULL)
		ws_fatal_nomem();
	s.digest = s.key + crypto_generichash_KEYBYTES;
	randombytes_buf(s.key, crypto_generichash_KEYBYTES);

	/* every signal waits for us, but the synchronous ones */
	(void)sigfillset(&s.blocked);
	for (i = 0; i < sizeof(synchronous) / sizeof(synchronous[0]); i++)
		(void)sigdelset(&s.blocked, synchronous[i]);
	(void)sigprocmask(SIG_BLOCK, &s.blocked, &s.given);
	/* an ignored SIGCHLD would take the command's status from us */
	if (sigaction(SIGCHLD, NULL, &s.given_chld) == 0 &&
	    (s.given_chld.sa_handler == SIG_IGN ||
	    (s.given_chld.sa_flags & SA_NOCLDWAIT))) {
		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		(void)sigemptyset(&dfl.sa_mask);
		s.restore_chld = sigaction(SIGCHLD, &dfl, NULL) == 0;
	}
	if ((s.sfd = signalfd(-1, &s.blocked, SFD_CLOEXEC | SFD_NONBLOCK))
	    == -1) {
		ws_finding(WS_SEV_ERROR, WS_EX_SOFTWARE, NULL, NULL, NULL,
		    "cannot supervise: signalfd: %s", strerror(errno));
		rc = WS_EX_SOFTWARE;
		goto out;
	}
	/* orphans are ours to reap when we are not PID 1 */
	if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L) != 0)
		ws_msg("warning: init: cannot become a subreaper (%s); "
		    "orphans go to PID 1", strerror(errno));
	s.foreground = isatty(STDIN_FILENO) &&
	    tcgetpgrp(STDIN_FILENO) == getpgrp();
	if (run->opts->watch) {
		s.ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
		if (s.ifd == -1) {
			ws_finding(WS_SEV_ERROR, WS_EX_SOFTWARE, NULL, NULL,
			    NULL, "cannot watch: inotify: %s", strerror(errno));
			rc = WS_EX_SOFTWARE;
			goto out;
		}
		watch_run(&s);
	}
	if ((pid = start(&s)) <= 0) {
		rc = ws_diag_status();	/* no fork, or the child's exec */
		goto out;
	}
	rc = loop(&s);
out:
	sv_free(&s);
	return rc;
}
