/*
 * Findings and messages.  Every line goes to stderr prefixed with
 * "withsecrets: ", one finding per line (control characters in names
 * and paths are escaped), and never holds a value: callers pass names,
 * sources, lengths and rule names only.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>	/* vsnprintf: formatting only, no streams */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "withsecrets.h"
#include "diag.h"
#include "util.h"
#include "out.h"

int ws_quiet, ws_verbose;
const char *ws_progname = "withsecrets";

static struct ws_finding *findings;
static size_t n_findings, cap_findings, n_printed;

/* Information nobody will be shown (a run that execs, without -v) is
 * not recorded at all: its message is never formatted (SPEC §9). */
static int keep_info = 1;

void
ws_diag_keep_info(int keep)
{
	keep_info = keep;
}

int
ws_diag_wanted(enum ws_severity sev)
{
	return sev != WS_SEV_INFO || keep_info;
}

void
ws_finding(enum ws_severity sev, int code, const char *rule,
    const char *name, const char *source, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ws_vfinding(sev, code, rule, name, source, fmt, ap);
	va_end(ap);
}

void
ws_vfinding(enum ws_severity sev, int code, const char *rule,
    const char *name, const char *source, const char *fmt, va_list ap)
{
	struct ws_finding *f;

	if (!ws_diag_wanted(sev))
		return;
	if (n_findings == cap_findings) {
		cap_findings = cap_findings ? cap_findings * 2 : 16;
		findings = ws_xrealloc(findings,
		    cap_findings * sizeof(*findings));
	}
	f = &findings[n_findings++];
	f->sev = sev;
	f->code = sev == WS_SEV_ERROR ? code : 0;
	f->rule = ws_xstrdup(rule ? rule : "");
	f->name = name ? ws_xstrdup(name) : NULL;
	f->source = source ? ws_xstrdup(source) : NULL;
	f->message = ws_xvasprintf(fmt, ap);
}

/* The exit status for the findings from the first-th on: the first of
 * 64, 65, 66, 69, 73, 77, 78 and 125 among their errors (SPEC §3), else
 * the code of the first other error (75, a store that may come back),
 * 0 when there is none. */
int
ws_diag_status_since(size_t first)
{
	static const int order[] = { WS_EX_USAGE, WS_EX_DATAERR,
	    WS_EX_NOINPUT, WS_EX_UNAVAILABLE, WS_EX_CANTCREAT, WS_EX_PERM,
	    WS_EX_POLICY, WS_EX_SOFTWARE };
	size_t i, j;

	for (j = 0; j < sizeof(order) / sizeof(order[0]); j++)
		for (i = first; i < n_findings; i++)
			if (findings[i].sev == WS_SEV_ERROR &&
			    findings[i].code == order[j])
				return order[j];
	for (i = first; i < n_findings; i++)
		if (findings[i].sev == WS_SEV_ERROR)
			return findings[i].code;
	return 0;
}

int
ws_diag_status(void)
{
	return ws_diag_status_since(0);
}

size_t
ws_diag_count(enum ws_severity sev)
{
	size_t i, n = 0;

	for (i = 0; i < n_findings; i++)
		if (findings[i].sev == sev)
			n++;
	return n;
}

size_t
ws_finding_count(void)
{
	return n_findings;
}

const struct ws_finding *
ws_finding_at(size_t i)
{
	return i < n_findings ? &findings[i] : NULL;
}

static int
use_colour(void)
{
	const char *nc = ws_environ_get(environ, "NO_COLOR", 8);

	if (nc != NULL && *nc != '\0')
		return 0;
	return isatty(STDERR_FILENO);
}

static const char *
sev_word(enum ws_severity sev)
{
	switch (sev) {
	case WS_SEV_ERROR:
		return "error";
	case WS_SEV_WARNING:
		return "warning";
	default:
		return "info";
	}
}

static void
print_finding(const struct ws_finding *f, int colour)
{
	static const char *col[] = { "\033[36m", "\033[33m", "\033[31;1m" };
	char *rule = ws_escape(f->rule), *msg = ws_escape(f->message);
	char *name = f->name ? ws_escape(f->name) : NULL;
	char *src = f->source ? ws_escape(f->source) : NULL;

	ws_out_str(&ws_stderr, ws_progname);
	ws_out_str(&ws_stderr, ": ");
	if (colour)
		ws_out_str(&ws_stderr, col[f->sev]);
	ws_out_str(&ws_stderr, sev_word(f->sev));
	if (colour)
		ws_out_str(&ws_stderr, "\033[0m");
	ws_out_str(&ws_stderr, ": ");
	if (*rule) {
		ws_out_str(&ws_stderr, rule);
		ws_out_str(&ws_stderr, ": ");
	}
	if (src && strcmp(f->rule, "syntax") == 0) {
		/* FILE:LINE: first, as compilers write it (SPEC §4.4) */
		ws_out_str(&ws_stderr, src);
		ws_out_str(&ws_stderr, ": ");
		if (name) {
			ws_out_str(&ws_stderr, name);
			ws_out_str(&ws_stderr, ": ");
		}
	} else {
		if (name) {
			ws_out_str(&ws_stderr, name);
			ws_out_str(&ws_stderr, src ? " (" : ": ");
		}
		if (src) {
			ws_out_str(&ws_stderr, src);
			ws_out_str(&ws_stderr, name ? "): " : ": ");
		}
	}
	ws_out_str(&ws_stderr, msg);
	ws_out_char(&ws_stderr, '\n');
	(void)ws_out_flush(&ws_stderr);	/* one write a line */
	free(rule);
	free(msg);
	free(name);
	free(src);
}

void
ws_diag_flush(void)
{
	int colour = -1;	/* asked once, when a line is printed */

	for (; n_printed < n_findings; n_printed++) {
		const struct ws_finding *f = &findings[n_printed];

		if (f->sev == WS_SEV_INFO && !ws_verbose)
			continue;
		if (f->sev == WS_SEV_WARNING && ws_quiet)
			continue;
		if (colour < 0)
			colour = use_colour();
		print_finding(f, colour);
	}
}

void
ws_diag_reset(void)
{
	size_t i;

	for (i = 0; i < n_findings; i++) {
		free(findings[i].rule);
		free(findings[i].name);
		free(findings[i].source);
		free(findings[i].message);
	}
	free(findings);
	findings = NULL;
	n_findings = cap_findings = n_printed = 0;
}

/* One message line on stderr, in one write. */
static void
print_line(const char *escaped)
{
	ws_out_str(&ws_stderr, ws_progname);
	ws_out_str(&ws_stderr, ": ");
	ws_out_str(&ws_stderr, escaped);
	ws_out_char(&ws_stderr, '\n');
	(void)ws_out_flush(&ws_stderr);
}

void
ws_msg(const char *fmt, ...)
{
	va_list ap;
	char *m, *e;

	va_start(ap, fmt);
	m = ws_xvasprintf(fmt, ap);
	va_end(ap);
	e = ws_escape(m);
	print_line(e);
	free(e);
	free(m);
}

void
ws_verbose_msg(const char *fmt, ...)
{
	va_list ap;
	char *m, *e;

	if (!ws_verbose)
		return;
	va_start(ap, fmt);
	m = ws_xvasprintf(fmt, ap);
	va_end(ap);
	e = ws_escape(m);
	print_line(e);
	free(e);
	free(m);
}
