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

int ws_quiet, ws_verbose;
const char *ws_progname = "withsecrets";

static struct ws_finding *findings;
static size_t n_findings, cap_findings, n_printed;

WS_NORETURN void
ws_fatal_nomem(void)
{
	static const char m[] = "withsecrets: error: out of memory\n";

	(void)!write(STDERR_FILENO, m, sizeof(m) - 1);
	ws_secmem_wipe_all();
	_exit(WS_EX_SOFTWARE);
}

void *
ws_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		ws_fatal_nomem();
	return p;
}

void *
ws_xcalloc(size_t n, size_t m)
{
	void *p;

	if (n == 0 || m == 0)
		n = m = 1;	/* never NULL, as ws_xmalloc */
	/* calloc(3) checks n * m for overflow */
	if ((p = calloc(n, m)) == NULL)
		ws_fatal_nomem();
	return p;
}

void *
ws_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		ws_fatal_nomem();
	return q;
}

char *
ws_xstrdup(const char *s)
{
	return ws_xstrndup(s, strlen(s));
}

char *
ws_xstrndup(const char *s, size_t n)
{
	char *p = ws_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
ws_xvasprintf(const char *fmt, va_list ap)
{
	va_list aq;
	char *p;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		ws_fatal_nomem();
	p = ws_xmalloc((size_t)n + 1);
	(void)vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
ws_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = ws_xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

char *
ws_source_fmt(const char *path, unsigned line)
{
	if (line == 0)
		return ws_xstrdup(path);
	return ws_xasprintf("%s:%u", path, line);
}

/*
 * Length of the valid UTF-8 sequence at u (at most n bytes) that is
 * safe to print as it is, or 0: control characters (C0, DEL and the
 * C1 range U+0080-U+009F, which some terminals obey) and bytes that
 * are not valid UTF-8 are escaped instead.
 */
static size_t
printable_len(const unsigned char *u, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (u[0] < 0x20 || u[0] == 0x7f)
		return 0;
	if (u[0] < 0x80)
		return 1;
	if (u[0] >= 0xc2 && u[0] <= 0xdf)
		len = 2;
	else if (u[0] >= 0xe0 && u[0] <= 0xef)
		len = 3;
	else if (u[0] >= 0xf0 && u[0] <= 0xf4)
		len = 4;
	else
		return 0;
	cp = u[0] & (0x7f >> len);
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (u[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF, C1 controls */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ||
	    (cp >= 0x80 && cp <= 0x9f))
		return 0;
	return len;
}

/* Escape control characters and invalid UTF-8 (as \xNN) so that a
 * hostile file name cannot split one finding over several lines or
 * drive the terminal. */
char *
ws_escape(const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i, k, outlen = 0;
	char *out, *o;

	for (i = 0; i < n; i += k) {
		k = printable_len(u + i, n - i);
		outlen += k ? k : 4;
		if (k == 0)
			k = 1;
	}
	out = o = ws_xmalloc(outlen + 1);
	for (i = 0; i < n; i += k) {
		if ((k = printable_len(u + i, n - i)) != 0) {
			memcpy(o, u + i, k);
			o += k;
			continue;
		}
		k = 1;
		*o++ = '\\';
		*o++ = 'x';
		*o++ = hex[u[i] >> 4];
		*o++ = hex[u[i] & 0xf];
	}
	*o = '\0';
	return out;
}

void
ws_finding(enum ws_severity sev, int code, const char *rule,
    const char *name, const char *source, const char *fmt, ...)
{
	struct ws_finding *f;
	va_list ap;

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
	va_start(ap, fmt);
	f->message = ws_xvasprintf(fmt, ap);
	va_end(ap);
}

int
ws_diag_status(void)
{
	static const int order[] = { WS_EX_USAGE, WS_EX_DATAERR,
	    WS_EX_NOINPUT, WS_EX_PERM, WS_EX_POLICY, WS_EX_SOFTWARE };
	size_t i, j;

	for (j = 0; j < sizeof(order) / sizeof(order[0]); j++)
		for (i = 0; i < n_findings; i++)
			if (findings[i].sev == WS_SEV_ERROR &&
			    findings[i].code == order[j])
				return order[j];
	for (i = 0; i < n_findings; i++)
		if (findings[i].sev == WS_SEV_ERROR)
			return findings[i].code;
	return 0;
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
	if (name) {
		ws_out_str(&ws_stderr, name);
		ws_out_str(&ws_stderr, src ? " (" : ": ");
	}
	if (src) {
		ws_out_str(&ws_stderr, src);
		ws_out_str(&ws_stderr, name ? "): " : ": ");
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
