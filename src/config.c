/*
 * The policy file (SPEC §6): withsecrets.ini, parsed with inih, layered
 * over the built-in policy (builtin.c), which is parsed the same way.
 *
 * A typo in a security policy must never be ignored, and a
 * distribution's libinih fixes its compile-time options where we cannot
 * see them: Debian's, for one, splits a line longer than its 200-byte
 * buffer and parses the tail as a line of its own, so that the end of a
 * long list can become a key.  So inih is fed through our own line
 * reader (ini_parse_stream), one physical line per call, which
 *   - counts lines (the handler of libinih 55 gets no line number),
 *   - strips comments, so inline comments work whatever the build,
 *   - joins continuation lines itself, so multi-line values work
 *     whatever the build,
 *   - checks the syntax of every line, so that every error is reported
 *     and not only the first, and
 *   - refuses a line that does not fit inih's buffer, whose size it
 *     learns from the reader's own argument, instead of letting the
 *     library split it.
 * What inih then sees is only "[section]", "name = value" or an empty
 * line.  Values are validated after the whole file is read, each error
 * at the line of its key.
 */
#include "config.h"

#include <fcntl.h>
#include <ini.h>
#include <regex.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "withsecrets.h"
#include "opts.h"
#include "values.h"
#include "util.h"
#include "secmem.h"
#include "diag.h"
#include "names.h"
#include "file.h"
#include "policy.h"
#include "frozen.h"
#include "config-internal.h"

static int line_max_seen;

int
ws_config_line_max(void)
{
	return line_max_seen;
}

/* ------------------------------------------------------------------ */
/* The line reader.                                                    */

/* Trim spaces and tabs on both ends of [*s, *s + *n). */
static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && ws_config_blank(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && ws_config_blank((*s)[*n - 1]))
		(*n)--;
}

/* Cut an inline comment: ';' at the start or after a space or tab. */
static size_t
cut_comment(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == ';' && (i == 0 || ws_config_blank(s[i - 1])))
			return i;
	return n;
}

static const char *
sect_label(const struct raw_section *s)
{
	switch (s->kind) {
	case SECT_WITHSECRETS:
		return "[withsecrets]";
	case SECT_DEFAULTS:
		return "[defaults]";
	case SECT_PLACEHOLDERS:
		return "[placeholders]";
	case SECT_STORE:
		return "[store]";
	default:
		return "[var]";
	}
}

/* One [var] pattern: a variable name, possibly with glob characters. */
static int
var_pattern_valid(const char *s, size_t n)
{
	char *plain = ws_xmalloc(n + 1);
	size_t i, m = 0;
	int ok;

	for (i = 0; i < n; i++)
		if (strchr("*?!^\\", s[i]) == NULL)
			plain[m++] = s[i];
	ok = n > 0 && (m == 0 || ws_name_valid(plain, m));
	free(plain);
	return ok;
}

/* [var PATTERN...]: one or more names or globs, separated by blanks. */
static int
var_patterns_valid(const char *s, size_t n)
{
	size_t i = 0, j, count = 0;

	while (i < n) {
		for (j = i; j < n && !ws_config_blank(s[j]); j++)
			;
		if (!var_pattern_valid(s + i, j - i))
			return 0;
		count++;
		for (i = j; i < n && ws_config_blank(s[i]); i++)
			;
	}
	return count > 0;
}

/* [store NAME]: one word, as a file name would be. */
static int
store_name_valid(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '-' || s[i] == '_'))
			return 0;
	return n > 0 && n <= 64;
}

/* "A \t B" -> "A B": one header, however it is spaced. */
static void
collapse_blanks(char *s)
{
	char *o = s, *i;
	int blank = 0;

	for (i = s; *i != '\0'; i++) {
		if (ws_config_blank(*i)) {
			blank = 1;
			continue;
		}
		if (blank && o != s)
			*o++ = ' ';
		blank = 0;
		*o++ = *i;
	}
	*o = '\0';
}

static void
open_section(struct parse *ps, const char *s, size_t n)
{
	struct raw_section *sec;
	enum sect kind;
	char *name = NULL, *key;
	size_t i;
	int added;

	trim(&s, &n);
	if (n == 11 && memcmp(s, "withsecrets", 11) == 0)
		kind = SECT_WITHSECRETS;
	else if (n == 8 && memcmp(s, "defaults", 8) == 0)
		kind = SECT_DEFAULTS;
	else if (n == 12 && memcmp(s, "placeholders", 12) == 0)
		kind = SECT_PLACEHOLDERS;
	else if (n >= 3 && memcmp(s, "var", 3) == 0 &&
	    (n == 3 || ws_config_blank(s[3]))) {
		s += 3;
		n -= 3;
		trim(&s, &n);
		if (!var_patterns_valid(s, n)) {
			ws_config_error(ps, ps->lineno, "[var] takes variable names "
			    "or globs: [var NAME], [var *_PASSWORD] or "
			    "[var DEBUG APP_DEBUG]");
			ps->cur = -2;
			return;
		}
		kind = SECT_VAR;
		name = ws_xstrndup(s, n);
		collapse_blanks(name);
	} else if (n >= 5 && memcmp(s, "store", 5) == 0 &&
	    (n == 5 || ws_config_blank(s[5]))) {
		s += 5;
		n -= 5;
		trim(&s, &n);
		if (!store_name_valid(s, n)) {
			ws_config_error(ps, ps->lineno, "[store] takes one name of "
			    "letters, digits, '-' and '_': [store vault]");
			ps->cur = -2;
			return;
		}
		kind = SECT_STORE;
		name = ws_xstrndup(s, n);
	} else {
		ws_config_error(ps, ps->lineno, "unknown section; the sections are "
		    "[withsecrets], [defaults], [var NAME], [placeholders] and "
		    "[store NAME]");
		ps->cur = -2;
		return;
	}
	/* a section given twice in one file is one section */
	key = ws_xasprintf("%d %s", (int)kind, name ? name : "");
	i = ws_strmap_put(&ps->sections, key, strlen(key), ps->nsecs, &added);
	free(key);
	if (!added) {
		free(name);
		ps->cur = (long)i;
		return;
	}
	if ((ps->nsecs & (ps->nsecs - 1)) == 0)	/* 0, 1, 2, 4, ...: double */
		ps->secs = ws_xrealloc(ps->secs, (ps->nsecs ? ps->nsecs * 2 : 1) *
		    sizeof(*ps->secs));
	sec = &ps->secs[ps->nsecs];
	memset(sec, 0, sizeof(*sec));
	sec->kind = kind;
	sec->name = name;
	sec->line = ps->lineno;
	ps->cur = (long)ps->nsecs++;
}

/* A value as read, [a, a + an) joined to [b, b + bn) by a space (bn 0:
 * a alone), in guarded memory: a [defaults] value may be a secret, and
 * which values are is known only once the whole file is read.  It is
 * wiped when the parse ends (and with ws_work). */
static char *
raw_value(const char *a, size_t an, const char *b, size_t bn)
{
	char *v = ws_arena_alloc(&ws_work, an + bn + 2);

	if (v == NULL)
		ws_fatal_nomem();
	memcpy(v, a, an);
	if (an > 0 && bn > 0)
		v[an++] = ' ';
	memcpy(v + an, b, bn);
	v[an + bn] = '\0';
	return v;
}

/* Append a continuation line to the value of the last key. */
static void
continue_value(struct parse *ps, const char *s, size_t n)
{
	struct raw_entry *e;
	size_t old;
	char *v;

	if (ps->last_sec < 0)
		return;		/* the key itself was refused */
	e = &ps->secs[ps->last_sec].e[ps->last_ent];
	old = strlen(e->value);
	/* a [defaults] value may be a secret: it lives in guarded memory,
	 * and the old block is wiped */
	v = raw_value(e->value, old, s, n);
	sodium_memzero(e->value, old);
	e->value = v;
}

/* Give inih the line [s, s + n) followed by a newline, if it fits. */
static int
emit(struct parse *ps, char *str, int num, const char *s, size_t n)
{
	if (num < 3 || n > (size_t)num - 2) {
		ws_config_error(ps, ps->lineno, "line longer than the %d characters "
		    "that libinih reads at once; continue a long list on "
		    "indented lines", num - 2);
		str[0] = '\n';
		str[1] = '\0';
		return 0;
	}
	memcpy(str, s, n);
	str[n] = '\n';
	str[n + 1] = '\0';
	return 1;
}

static int
in_defaults(const struct parse *ps)
{
	return ps->cur >= 0 && ps->secs[ps->cur].kind == SECT_DEFAULTS;
}

/* Look at one physical line and hand inih what it should parse. */
static void
read_line(struct parse *ps, const char *line, size_t len, char *str,
    int num)
{
	const char *t = line, *eq, *colon;
	size_t n = len;
	int indented;

	str[0] = '\n';
	str[1] = '\0';
	if (ps->lineno == 1 && n >= 3 && memcmp(t, "\xef\xbb\xbf", 3) == 0) {
		t += 3;		/* a UTF-8 byte-order mark */
		n -= 3;
	}
	if (n > 0 && t[n - 1] == '\r')
		n--;
	if (memchr(t, '\0', n) != NULL) {
		ws_config_error(ps, ps->lineno, "NUL byte in the policy file");
		ps->cont_ok = 0;
		return;
	}
	indented = n > 0 && ws_config_blank(t[0]);
	trim(&t, &n);
	if (n == 0 || t[0] == ';' || t[0] == '#') {
		ps->cont_ok = 0;	/* a blank line or comment ends a value */
		return;
	}
	n = cut_comment(t, n);
	trim(&t, &n);
	/* An indented line without '=' continues the value above it.  In
	 * [defaults] every indented line does, '=' or not (as inih reads
	 * it): base64 padding must not make a key, and a message, of the
	 * rest of a value that may be a secret (SPEC §6).  Elsewhere an
	 * indented NAME = VALUE is a key of its own. */
	if (indented && ps->cont_ok && t[0] != '[' &&
	    (memchr(t, '=', n) == NULL || in_defaults(ps))) {
		continue_value(ps, t, n);
		return;
	}
	ps->cont_ok = 0;
	if (t[0] == '[') {
		if (t[n - 1] != ']') {
			ws_config_error(ps, ps->lineno, "a section header ends with "
			    "]");
			ps->cur = -2;
			return;
		}
		open_section(ps, t + 1, n - 2);
		(void)emit(ps, str, num, t, n);
		return;
	}
	eq = memchr(t, '=', n);
	colon = memchr(t, ':', n);
	if (eq == NULL || (colon != NULL && colon < eq)) {
		ws_config_error(ps, ps->lineno, "expected NAME = VALUE, a [section] "
		    "or a comment");
		return;
	}
	if (eq == t) {
		ws_config_error(ps, ps->lineno, "no name before =");
		return;
	}
	/* continuation lines of a refused key are dropped with it */
	ps->cont_ok = 1;
	ps->last_sec = -1;	/* set by the handler */
	(void)emit(ps, str, num, t, n);
}

static char *
reader(char *str, int num, void *stream)
{
	struct parse *ps = stream;
	const char *nl;
	size_t len;

	if (ps->pos >= ps->end) {
		/* inih's line buffer held the last line, maybe a [defaults]
		 * value: wipe it, on the stack or in the heap */
		if (num > 0)
			sodium_memzero(str, (size_t)num);
		return NULL;
	}
	if (num > 2 && (line_max_seen == 0 || num - 2 < line_max_seen))
		line_max_seen = num - 2;
	nl = memchr(ps->pos, '\n', (size_t)(ps->end - ps->pos));
	len = nl ? (size_t)(nl - ps->pos) : (size_t)(ps->end - ps->pos);
	ps->lineno++;
	if (num < 2) {
		ps->pos = ps->end;
		return NULL;
	}
	read_line(ps, ps->pos, len, str, num);
	ps->pos = nl ? nl + 1 : ps->end;
	return str;
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse *ps = user;
	struct raw_section *sec;
	struct raw_entry *e;
	char *key;
	size_t i;
	int added;

	(void)section;		/* ours is exact; inih's ends at the first ] */
	if (ps->cur == -2)
		return 1;	/* in a refused section: reported at its header */
	if (ps->cur == -1) {
		/* not named: it could be anything, a value included */
		ws_config_error(ps, ps->lineno, "a key outside any section; put "
		    "it under [withsecrets], [defaults], [var NAME] or "
		    "[placeholders]");
		return 1;
	}
	sec = &ps->secs[ps->cur];
	key = ws_xasprintf("%ld %s", ps->cur, name);
	i = ws_strmap_put(&ps->keys, key, strlen(key), sec->n, &added);
	free(key);
	if (!added) {
		if (sec->kind == SECT_DEFAULTS)
			ws_config_error(ps, ps->lineno, "a name is given twice "
			    "in [defaults] (first at line %u); keep one",
			    sec->e[i].line);
		else
			ws_config_error(ps, ps->lineno, "%s is given twice in "
			    "%s%s%s (first at line %u); keep one", name,
			    sec->kind == SECT_VAR ? "[var " : sect_label(sec),
			    sec->kind == SECT_VAR ? sec->name : "",
			    sec->kind == SECT_VAR ? "]" : "", sec->e[i].line);
		return 1;
	}
	if ((sec->n & (sec->n - 1)) == 0)	/* 0, 1, 2, 4, ...: double */
		sec->e = ws_xrealloc(sec->e, (sec->n ? sec->n * 2 : 1) *
		    sizeof(*sec->e));
	e = &sec->e[sec->n];
	e->key = ws_xstrdup(name);
	e->value = raw_value(value ? value : "", value ? strlen(value) : 0,
	    "", 0);
	e->line = ps->lineno;
	ps->last_sec = ps->cur;
	ps->last_ent = sec->n++;
	return 1;
}

static void
parse_free(struct parse *ps)
{
	size_t i, j;

	for (i = 0; i < ps->nsecs; i++) {
		for (j = 0; j < ps->secs[i].n; j++) {
			free(ps->secs[i].e[j].key);
			/* a [defaults] value may be a secret (in ws_work) */
			sodium_memzero(ps->secs[i].e[j].value,
			    strlen(ps->secs[i].e[j].value));
		}
		free(ps->secs[i].e);
		free(ps->secs[i].name);
	}
	free(ps->secs);
	ws_strmap_free(&ps->sections);
	ws_strmap_free(&ps->keys);
	ws_strmap_free(&ps->rules);
	ws_strmap_free(&ps->defaults);
}

int
ws_config_parse(struct ws_policy *p, const char *buf, size_t len,
    const char *display, int user)
{
	struct parse ps;
	int rc;

	memset(&ps, 0, sizeof(ps));
	ps.p = p;
	ps.display = display;
	ps.user = user;
	ps.pos = buf;
	ps.end = buf + len;
	ps.cur = -1;
	ps.last_sec = -1;
	rc = ini_parse_stream(reader, &ps, handler, &ps);
	if (rc < 0)
		ws_fatal_nomem();	/* -2: inih could not allocate */
	if (rc > 0 && !ws_config_line_has_error(&ps, (unsigned)rc))
		ws_config_error(&ps, (unsigned)rc, "syntax error");
	ws_config_apply(&ps);
	ws_config_flush_errors(&ps);
	parse_free(&ps);
	if (p->index == NULL || p->index->n_rules != p->n_rules)
		ws_policy_index(p);	/* rules were added */
	return ps.status;
}

/* ------------------------------------------------------------------ */
/* The policy object.                                                  */

const struct ws_frozen *ws_builtin_frozen;

struct ws_policy *
ws_policy_new(void)
{
	struct ws_policy *p;

	/* the same policy, parsed at build time (frozen.c) */
	if (ws_builtin_frozen != NULL)
		return ws_policy_thaw(ws_builtin_frozen);
	p = ws_xcalloc(1, sizeof(*p));
	p->set.max_secret_size = WS_MAX_SECRET_SIZE_DEFAULT;
	p->ph_values = ws_xcalloc(1, sizeof(char *));
	p->ph_patterns = ws_xcalloc(1, sizeof(char *));
	p->ph_literals = ws_xcalloc(1, sizeof(char *));
	p->ph_masks = ws_xcalloc(1, sizeof(uint64_t));
	p->ph_lens = ws_xcalloc(1, sizeof(size_t));
	ws_placeholder_filter(&p->ph_filter, p->ph_patterns, p->ph_literals);
	if (ws_config_parse(p, ws_builtin_policy, strlen(ws_builtin_policy),
	    "built-in", 0) != 0) {
		ws_diag_flush();
		ws_fatal("internal: the built-in policy does not parse");
	}
	return p;
}

/* The user's policy file: -c, $WITHSECRETS_CONFIG, DIR/withsecrets.ini
 * (of the last -C DIR that has one), then
 * $(sysconfdir)/withsecrets.ini; the first that exists. */
static int
read_user_file(struct ws_run *run, const char *path, int named)
{
	struct ws_read r;
	struct ws_blob b;
	int rc;

	memset(&r, 0, sizeof(r));
	r.dirfd = AT_FDCWD;
	r.path = path;
	r.display = path;
	r.max = WS_MAX_POLICY_FILE_SIZE;
	r.missing_ok = !named;
	if ((rc = ws_file_read(&r, &b)) != 0)
		return rc;	/* 1: missing, try the next */
	ws_verbose_msg("policy: %s", path);
	rc = ws_config_parse(run->policy, b.p, b.len, path, 1);
	free(run->set->path);
	run->set->path = ws_xstrdup(path);
	sodium_memzero(b.p, b.len);
	ws_arena_shrink(&ws_work, b.p, b.len + 1, 0);
	return rc;
}

static int
load_user_policy(struct ws_run *run)
{
	const struct ws_opts *o = run->opts;
	const char *env;
	char *path;
	size_t i;
	int rc;

	if (o->no_config)
		return 0;
	if (o->config != NULL)
		return read_user_file(run, o->config, 1);
	env = ws_environ_get(environ, "WITHSECRETS_CONFIG", 18);
	if (env != NULL && *env != '\0')
		return read_user_file(run, env, 1);
	/* several -C (SPEC §4.2): the last directory that has one */
	for (i = o->n_dirs; i-- > 0;) {
		path = ws_path_join(o->dirs[i], "withsecrets.ini");
		rc = read_user_file(run, path, 0);
		free(path);
		if (rc != 1)
			return rc;
	}
	rc = read_user_file(run, SYSCONFDIR "/withsecrets.ini", 0);
	return rc == 1 ? 0 : rc;
}

/*
 * The built-in policy with the user's file over it.  A file with errors
 * does not stop the run (SPEC §3): its findings stand (78, or 66 for a
 * named file that is missing), and the sources are read and checked
 * under the built-in policy alone, so that their findings are reported
 * too.  The command never runs: the findings decide.
 */
void
ws_policy_load(struct ws_run *run)
{
	size_t first = ws_finding_count();

	run->policy = ws_policy_new();
	run->set = &run->policy->set;
	if (load_user_policy(run) == 0 && ws_diag_status_since(first) == 0)
		return;
	ws_verbose_msg("policy: errors in the policy file; the sources are "
	    "checked under the built-in policy");
	ws_policy_free(run);
	run->policy = ws_policy_new();
	run->set = &run->policy->set;
}

void
ws_policy_free(struct ws_run *run)
{
	ws_policy_destroy(run->policy);
	run->policy = NULL;
	run->set = NULL;
}
