/*
 * The values of supervision's options (SPEC §14): --on-change,
 * --kill-timeout, --watch-delay and --watch-interval.  opts.c keeps
 * their texts; each needs --watch, which withsecrets-full runs, so the
 * launcher links none of this (nor strtod, strtol and strncasecmp).
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "withsecrets.h"
#include "opts.h"
#include "supervise.h"

/* Signal names for --on-change=signal:NAME (HUP, SIGHUP or a number). */
static const struct { const char *name; int sig; } signames[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
	{ "ILL", SIGILL }, { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },
	{ "BUS", SIGBUS }, { "FPE", SIGFPE }, { "KILL", SIGKILL },
	{ "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
	{ "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP },
	{ "TSTP", SIGTSTP }, { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },
	{ "URG", SIGURG }, { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
	{ "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH },
	{ "IO", SIGIO }, { "PWR", SIGPWR }, { "SYS", SIGSYS },
};

/* A signal number from HUP, SIGHUP, hup or 1; 0 when it is none. */
static int
signal_of(const char *s)
{
	char *end;
	long n;
	size_t i;

	if (*s >= '0' && *s <= '9') {
		n = strtol(s, &end, 10);
		return *end == '\0' && n > 0 && n < NSIG ? (int)n : 0;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (i = 0; i < sizeof(signames) / sizeof(signames[0]); i++)
		if (strcasecmp(s, signames[i].name) == 0)
			return signames[i].sig;
	return 0;
}

/* Seconds, fractions allowed ("0.5"), into milliseconds; -1 when the
 * text is not a duration of at most a day. */
static long
duration_of(const char *s)
{
	char *end;
	double d;

	if ((*s < '0' || *s > '9') && *s != '.')
		return -1;	/* strtod would take a sign, spaces, "inf" */
	d = strtod(s, &end);
	if (end == s || *end != '\0' || !(d >= 0 && d <= 86400))
		return -1;
	return (long)(d * 1000 + 0.5);
}

int
ws_supervise_options(struct ws_opts *o)
{
	const char *a;
	long ms;

	if ((a = o->on_change_arg) != NULL) {
		if (strcmp(a, "restart") == 0)
			o->on_change = WS_ON_CHANGE_RESTART;
		else if (strcmp(a, "exit") == 0)
			o->on_change = WS_ON_CHANGE_EXIT;
		else if (strncmp(a, "signal:", 7) == 0 &&
		    (o->change_signal = signal_of(a + 7)) != 0)
			o->on_change = WS_ON_CHANGE_SIGNAL;
		else
			return ws_usage_error("--on-change takes restart, exit "
			    "or signal:NAME, not", a);
	}
	if ((a = o->kill_timeout_arg) != NULL) {
		if ((ms = duration_of(a)) < 0)
			return ws_usage_error("a duration is seconds (0.5, 10), "
			    "not", a);
		o->kill_timeout_ms = ms;
	}
	if ((a = o->watch_delay_arg) != NULL) {
		if ((ms = duration_of(a)) < 0)
			return ws_usage_error("a duration is seconds (0.5, 10), "
			    "not", a);
		o->watch_delay_ms = ms;
	}
	if ((a = o->watch_interval_arg) != NULL) {
		if ((ms = duration_of(a)) <= 0)
			return ws_usage_error("--watch-interval takes seconds "
			    "above 0, not", a);
		o->watch_interval_ms = ms;
	}
	return 0;
}
