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
#include "util.h"

enum sect { SECT_WITHSECRETS, SECT_DEFAULTS, SECT_VAR, SECT_PLACEHOLDERS };

/* The [withsecrets] keys; their index is used in policy->where[]. */
enum setkey { SK_ENVIRONMENT_VARS, SK_LENIENT_ENVIRONMENTS, SK_SECRETS_DIRS,
	SK_KEEP, SK_DENY, SK_IGNORE_FILE_VARS, SK_FILE_VARS,
	SK_MAX_SECRET_SIZE, SK_EXAMPLE, SK_PLAINTEXT_SECRETS, SK_COUNT };

static const char *const setkey_names[SK_COUNT] = {
	"environment-vars", "lenient-environments", "secrets-dirs", "keep",
	"deny", "ignore-file-vars", "file-vars", "max-secret-size", "example",
	"plaintext-secrets"
};

static const char *const varkey_names[WS_VK_COUNT] = {
	"secret", "required", "min-length", "distinct", "debug", "pattern",
	"forbid"
};

struct raw_entry {
	char		*key;
	char		*value;		/* continuation lines joined by ' ' */
	unsigned	 line;
};

struct raw_section {
	enum sect	 kind;
	char		*name;		/* the pattern of [var PATTERN] */
	unsigned	 line;
	struct raw_entry *e;
	size_t		 n;
};

struct cfg_err {
	unsigned	 line;
	char		*msg;
};

struct parse {
	struct ws_policy *p;
	const char	*display;
	int		 user;
	const char	*pos, *end;
	unsigned	 lineno;
	struct raw_section *secs;
	size_t		 nsecs;
	long		 cur;		/* section index; -1 none, -2 unknown */
	long		 last_sec;	/* entry a continuation appends to */
	size_t		 last_ent;
	int		 cont_ok;
	struct cfg_err	*errs;
	size_t		 n_err;
	int		 status;
};

static int line_max_seen;

int
ws_config_line_max(void)
{
	return line_max_seen;
}

/* Errors are collected and reported in line order once the file is
 * read: syntax is checked line by line, values after the whole file. */
static void WS_PRINTF(3, 4)
cfg_error(struct parse *ps, unsigned line, const char *fmt, ...)
{
	struct cfg_err *e;
	va_list ap;
	int n;

	ps->errs = ws_xrealloc(ps->errs, (ps->n_err + 1) * sizeof(*ps->errs));
	e = &ps->errs[ps->n_err++];
	e->line = line;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		ws_fatal_nomem();
	e->msg = ws_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	(void)vsnprintf(e->msg, (size_t)n + 1, fmt, ap);
	va_end(ap);
	ps->status = WS_EX_POLICY;
}

static int
line_has_error(const struct parse *ps, unsigned line)
{
	size_t i;

	for (i = 0; i < ps->n_err; i++)
		if (ps->errs[i].line == line)
			return 1;
	return 0;
}

static void
flush_errors(struct parse *ps)
{
	struct cfg_err t;
	size_t i, j;
	char *src;

	for (i = 1; i < ps->n_err; i++)	/* insertion sort: stable */
		for (j = i; j > 0 && ps->errs[j - 1].line > ps->errs[j].line;
		    j--) {
			t = ps->errs[j];
			ps->errs[j] = ps->errs[j - 1];
			ps->errs[j - 1] = t;
		}
	for (i = 0; i < ps->n_err; i++) {
		src = ws_source_fmt(ps->display, ps->errs[i].line);
		ws_finding(WS_SEV_ERROR, WS_EX_POLICY, "config", NULL, src,
		    "%s", ps->errs[i].msg);
		free(src);
		free(ps->errs[i].msg);
	}
	free(ps->errs);
	ps->errs = NULL;
	ps->n_err = 0;
}

/* ------------------------------------------------------------------ */
/* The line reader.                                                    */

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Trim spaces and tabs on both ends of [*s, *s + *n). */
static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && is_blank(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_blank((*s)[*n - 1]))
		(*n)--;
}

/* Cut an inline comment: ';' at the start or after a space or tab. */
static size_t
cut_comment(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == ';' && (i == 0 || is_blank(s[i - 1])))
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
		for (j = i; j < n && !is_blank(s[j]); j++)
			;
		if (!var_pattern_valid(s + i, j - i))
			return 0;
		count++;
		for (i = j; i < n && is_blank(s[i]); i++)
			;
	}
	return count > 0;
}

/* "A \t B" -> "A B": one header, however it is spaced. */
static void
collapse_blanks(char *s)
{
	char *o = s, *i;
	int blank = 0;

	for (i = s; *i != '\0'; i++) {
		if (is_blank(*i)) {
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
	char *name = NULL;
	size_t i;

	trim(&s, &n);
	if (n == 11 && memcmp(s, "withsecrets", 11) == 0)
		kind = SECT_WITHSECRETS;
	else if (n == 8 && memcmp(s, "defaults", 8) == 0)
		kind = SECT_DEFAULTS;
	else if (n == 12 && memcmp(s, "placeholders", 12) == 0)
		kind = SECT_PLACEHOLDERS;
	else if (n >= 3 && memcmp(s, "var", 3) == 0 &&
	    (n == 3 || is_blank(s[3]))) {
		s += 3;
		n -= 3;
		trim(&s, &n);
		if (!var_patterns_valid(s, n)) {
			cfg_error(ps, ps->lineno, "[var] takes variable names "
			    "or globs: [var NAME], [var *_PASSWORD] or "
			    "[var DEBUG APP_DEBUG]");
			ps->cur = -2;
			return;
		}
		kind = SECT_VAR;
		name = ws_xstrndup(s, n);
		collapse_blanks(name);
	} else {
		cfg_error(ps, ps->lineno, "unknown section; the sections are "
		    "[withsecrets], [defaults], [var NAME] and [placeholders]");
		ps->cur = -2;
		return;
	}
	/* a section given twice in one file is one section */
	for (i = 0; i < ps->nsecs; i++)
		if (ps->secs[i].kind == kind && (name == NULL ||
		    strcmp(ps->secs[i].name, name) == 0)) {
			free(name);
			ps->cur = (long)i;
			return;
		}
	ps->secs = ws_xrealloc(ps->secs, (ps->nsecs + 1) * sizeof(*ps->secs));
	sec = &ps->secs[ps->nsecs];
	memset(sec, 0, sizeof(*sec));
	sec->kind = kind;
	sec->name = name;
	sec->line = ps->lineno;
	ps->cur = (long)ps->nsecs++;
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
	/* not realloc: a [defaults] value may be a secret, and the old
	 * block is wiped before it is given back */
	v = ws_xmalloc(old + n + 2);
	memcpy(v, e->value, old);
	sodium_memzero(e->value, old);
	free(e->value);
	if (old > 0)
		v[old++] = ' ';
	memcpy(v + old, s, n);
	v[old + n] = '\0';
	e->value = v;
}

/* Give inih the line [s, s + n) followed by a newline, if it fits. */
static int
emit(struct parse *ps, char *str, int num, const char *s, size_t n)
{
	if (num < 3 || n > (size_t)num - 2) {
		cfg_error(ps, ps->lineno, "line longer than the %d characters "
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
		cfg_error(ps, ps->lineno, "NUL byte in the policy file");
		ps->cont_ok = 0;
		return;
	}
	indented = n > 0 && is_blank(t[0]);
	trim(&t, &n);
	if (n == 0 || t[0] == ';' || t[0] == '#') {
		ps->cont_ok = 0;	/* a blank line or comment ends a value */
		return;
	}
	n = cut_comment(t, n);
	trim(&t, &n);
	if (indented && ps->cont_ok && t[0] != '[' &&
	    memchr(t, '=', n) == NULL) {
		continue_value(ps, t, n);
		return;
	}
	ps->cont_ok = 0;
	if (t[0] == '[') {
		if (t[n - 1] != ']') {
			cfg_error(ps, ps->lineno, "a section header ends with "
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
		cfg_error(ps, ps->lineno, "expected NAME = VALUE, a [section] "
		    "or a comment");
		return;
	}
	if (eq == t) {
		cfg_error(ps, ps->lineno, "no name before =");
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
	size_t i;

	(void)section;		/* ours is exact; inih's ends at the first ] */
	if (ps->cur == -2)
		return 1;	/* in a refused section: reported at its header */
	if (ps->cur == -1) {
		cfg_error(ps, ps->lineno, "%s is outside any section; put it "
		    "under [withsecrets], [defaults], [var NAME] or "
		    "[placeholders]", name);
		return 1;
	}
	sec = &ps->secs[ps->cur];
	for (i = 0; i < sec->n; i++)
		if (strcmp(sec->e[i].key, name) == 0) {
			cfg_error(ps, ps->lineno, "%s is given twice in %s%s%s "
			    "(first at line %u); keep one", name,
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
	e->value = ws_xstrdup(value ? value : "");
	e->line = ps->lineno;
	ps->last_sec = ps->cur;
	ps->last_ent = sec->n++;
	return 1;
}

/* ------------------------------------------------------------------ */
/* Values.                                                             */

/* Space-separated words, as a NULL-terminated list in one allocation
 * (the pointers, then the text): free_words() frees it. */
static char **
split_words(const char *s, int lower)
{
	size_t len = strlen(s), n = 0, i;
	char **list, *text, *c;

	for (i = 0; i < len; i++)
		if (!is_blank(s[i]) && (i == 0 || is_blank(s[i - 1])))
			n++;
	list = ws_xmalloc((n + 1) * sizeof(*list) + len + 1);
	text = (char *)(list + n + 1);
	memcpy(text, s, len + 1);
	for (n = 0, c = text; *c != '\0';) {
		while (is_blank(*c))
			*c++ = '\0';
		if (*c == '\0')
			break;
		list[n++] = c;
		for (; *c != '\0' && !is_blank(*c); c++)
			if (lower && *c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
	}
	list[n] = NULL;
	return list;
}

static void
free_words(char **list)
{
	free(list);
}

/* yes no true false on off 1 0, in any case (strcasecmp(3) in the C
 * locale: withsecrets never calls setlocale); -1 when none. */
static int
parse_bool(const char *v)
{
	static const char *const t[] = { "yes", "true", "on", "1" };
	static const char *const f[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(v, t[i]) == 0)
			return 1;
		if (strcasecmp(v, f[i]) == 0)
			return 0;
	}
	return -1;
}

/* A decimal number in [lo, hi]; -1 when it is not one. */
static int
parse_size(const char *v, size_t lo, size_t hi, size_t *out)
{
	size_t n = 0;

	if (*v == '\0')
		return -1;
	for (; *v; v++) {
		if (*v < '0' || *v > '9')
			return -1;
		if (n > (hi - (size_t)(*v - '0')) / 10)
			return -1;
		n = n * 10 + (size_t)(*v - '0');
	}
	if (n < lo)
		return -1;
	*out = n;
	return 0;
}

static const char *keep_file(struct ws_policy *, const char *);

static void
set_where(struct parse *ps, struct ws_where *w, unsigned line)
{
	w->file = keep_file(ps->p, ps->display);
	w->line = line;
}

static void
apply_setting(struct parse *ps, const struct raw_entry *e)
{
	struct ws_settings *s = &ps->p->set;
	char ***list = NULL, **words;
	size_t k, i, size;

	for (k = 0; k < SK_COUNT; k++)
		if (strcmp(e->key, setkey_names[k]) == 0)
			break;
	switch (k) {
	case SK_ENVIRONMENT_VARS:
		words = split_words(e->value, 0);
		for (i = 0; words[i] != NULL; i++)
			if (!ws_name_portable(words[i], strlen(words[i]))) {
				cfg_error(ps, e->line, "environment-vars takes "
				    "variable names (letters, digits, _)");
				free_words(words);
				return;
			}
		ws_policy_free_part(ps->p, s->environment_vars);
		s->environment_vars = words;
		break;
	case SK_LENIENT_ENVIRONMENTS:
		list = &s->lenient_environments;
		break;
	case SK_SECRETS_DIRS:
		list = &s->secrets_dirs;
		break;
	case SK_KEEP:
		list = &s->keep;
		break;
	case SK_DENY:
		list = &s->deny;
		break;
	case SK_IGNORE_FILE_VARS:
		list = &s->ignore_file_vars;
		break;
	case SK_FILE_VARS:
		if (strcmp(e->value, "all") == 0)
			s->file_vars = WS_FILE_VARS_ALL;
		else if (strcmp(e->value, "declared") == 0)
			s->file_vars = WS_FILE_VARS_DECLARED;
		else {
			cfg_error(ps, e->line, "file-vars takes all or "
			    "declared");
			return;
		}
		break;
	case SK_MAX_SECRET_SIZE:
		if (parse_size(e->value, 1, WS_MAX_SECRET_SIZE_LIMIT,
		    &size) != 0) {
			cfg_error(ps, e->line, "max-secret-size takes a number "
			    "of bytes from 1 to %d (the kernel's limit for "
			    "one variable)", WS_MAX_SECRET_SIZE_LIMIT);
			return;
		}
		s->max_secret_size = size;
		break;
	case SK_EXAMPLE:
		/* a file the user names must exist, unless it is the
		 * built-in one (`withsecrets defaults` names it too) */
		ps->p->example_named = ps->user && *e->value != '\0' &&
		    (s->example == NULL || strcmp(s->example, e->value) != 0);
		ws_policy_free_part(ps->p, s->example);
		s->example = ws_xstrdup(e->value);
		break;
	case SK_PLAINTEXT_SECRETS:
		if (strcmp(e->value, "allow") == 0)
			s->plaintext_secrets = WS_PLAINTEXT_ALLOW;
		else if (strcmp(e->value, "warn") == 0)
			s->plaintext_secrets = WS_PLAINTEXT_WARN;
		else if (strcmp(e->value, "error") == 0)
			s->plaintext_secrets = WS_PLAINTEXT_ERROR;
		else {
			cfg_error(ps, e->line, "plaintext-secrets takes allow, "
			    "warn or error");
			return;
		}
		break;
	default:
		cfg_error(ps, e->line, "unknown key %s in [withsecrets]; see "
		    "withsecrets.conf(5)", e->key);
		return;
	}
	if (list != NULL) {
		ws_policy_free_part(ps->p, *list);
		*list = split_words(e->value, 0);
	}
	set_where(ps, &ps->p->where[k], e->line);
}

/* The run of plain characters at s: up to the first '*', '?', '[' or
 * '\\' (or the end). */
static size_t
plain_len(const char *s)
{
	return strcspn(s, "*?[\\");
}

/* Is this [var] pattern a glob (has it '*', '?' or '[')? */
static int
is_glob(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '*' || *s == '?' || *s == '[')
			return 1;
	return 0;
}

/* For each glob, its longest run of plain characters: a value that
 * does not contain it cannot match, and looking for it is cheap. */
static char **
glob_literals(char **pats)
{
	size_t n, i, j, best, blen, len;
	char **lits;
	const char *s, *close;

	size_t total = 0;
	char *text;

	for (n = 0; pats[n] != NULL; n++)
		total += strlen(pats[n]) + 1;
	lits = ws_xmalloc((n + 1) * sizeof(*lits) + total);
	text = (char *)(lits + n + 1);
	for (i = 0; i < n; i++) {
		s = pats[i];
		best = blen = 0;
		for (j = 0; s[j] != '\0'; j += len) {
			/* "[" may end the word: look past it only if not */
			if (s[j] == '[' && s[j + 1] != '\0' &&
			    (close = strchr(s + j + 2, ']')) != NULL)
				len = (size_t)(close - (s + j)) + 1;
			else if ((len = plain_len(s + j)) == 0)
				len = s[j] == '\\' && s[j + 1] ? 2 : 1;
			else if (len > blen) {
				best = j;
				blen = len;
			}
		}
		memcpy(text, s + best, blen);
		text[blen] = '\0';
		lits[i] = text;
		text += blen + 1;
	}
	lits[n] = NULL;
	return lits;
}

static void
apply_placeholders(struct parse *ps, const struct raw_entry *e)
{
	struct ws_policy *p = ps->p;
	size_t i;

	if (strcmp(e->key, "values") == 0) {
		ws_policy_free_part(p, p->ph_values);
		p->ph_values = split_words(e->value, 1);
		for (i = 0; p->ph_values[i] != NULL; i++)
			;
		ws_policy_free_part(p, p->ph_lens);
		p->ph_lens = ws_xcalloc(i + 1, sizeof(*p->ph_lens));
		p->ph_lenset = 0;
		for (i = 0; p->ph_values[i] != NULL; i++) {
			p->ph_lens[i] = strlen(p->ph_values[i]);
			p->ph_lenset |= WS_LENBIT(p->ph_lens[i]);
		}
	} else if (strcmp(e->key, "patterns") == 0) {
		ws_policy_free_part(p, p->ph_patterns);
		p->ph_patterns = split_words(e->value, 1);
		ws_policy_free_part(p, p->ph_literals);
		p->ph_literals = glob_literals(p->ph_patterns);
		for (i = 0; p->ph_literals[i] != NULL; i++)
			;
		ws_policy_free_part(p, p->ph_masks);
		p->ph_masks = ws_xcalloc(i + 1, sizeof(*p->ph_masks));
		for (i = 0; p->ph_literals[i] != NULL; i++)
			p->ph_masks[i] = ws_charmask(p->ph_literals[i],
			    strlen(p->ph_literals[i]));
		ws_placeholder_filter(&p->ph_filter, p->ph_patterns,
		    p->ph_literals);
	} else
		cfg_error(ps, e->line, "unknown key %s in [placeholders]; the "
		    "keys are values and patterns", e->key);
}

static const char *
keep_file(struct ws_policy *p, const char *display)
{
	size_t i;

	for (i = 0; i < p->n_files; i++)
		if (strcmp(p->files[i], display) == 0)
			return p->files[i];
	p->files = ws_policy_grow_part(p, p->files, p->n_files *
	    sizeof(*p->files), (p->n_files + 1) * sizeof(*p->files));
	p->files[p->n_files] = ws_xstrdup(display);
	return p->files[p->n_files++];
}

static void
apply_default(struct parse *ps, const struct raw_entry *e)
{
	struct ws_policy *p = ps->p;
	struct ws_default *d = NULL;
	size_t i, n = strlen(e->key), vlen = strlen(e->value);
	char *val;

	if (!ws_name_valid(e->key, n)) {
		cfg_error(ps, e->line, "%s in [defaults] is not a valid "
		    "variable name", e->key);
		return;
	}
	/* not secret, but the store's values live in guarded memory */
	if ((val = ws_arena_alloc(&ws_work, vlen + 1)) == NULL)
		ws_fatal_nomem();
	memcpy(val, e->value, vlen + 1);
	for (i = 0; i < p->n_defaults; i++)
		if (strcmp(p->defaults[i].name, e->key) == 0)
			d = &p->defaults[i];
	if (d == NULL) {
		p->defaults = ws_policy_grow_part(p, p->defaults,
		    p->n_defaults * sizeof(*p->defaults),
		    (p->n_defaults + 1) * sizeof(*p->defaults));
		d = &p->defaults[p->n_defaults++];
		memset(d, 0, sizeof(*d));	/* its padding too: comparable */
		d->name = ws_intern(e->key, n);
	}
	d->value = val;
	d->vallen = vlen;
	d->file = keep_file(p, ps->display);
	d->line = e->line;
}

/* NAME, LIT*, *LIT, *LIT* and * are matched without the glob engine. */
static void
set_shape(struct ws_varrule *r)
{
	const char *s = r->pattern;
	size_t n = strlen(s), a = 0, b = n;

	if (!r->glob) {
		r->shape = WS_SHAPE_EXACT;
		r->lit = s;
		r->litlen = n;
		r->mask = ws_charmask(s, n);
		return;
	}
	while (a < n && s[a] == '*')
		a++;
	while (b > a && s[b - 1] == '*')
		b--;
	if (plain_len(s + a) < b - a) {
		r->shape = WS_SHAPE_GLOB;
		return;
	}
	r->lit = s + a;
	r->litlen = b - a;
	r->mask = ws_charmask(r->lit, r->litlen);
	if (r->litlen == 0)
		r->shape = WS_SHAPE_ANY;
	else if (a > 0 && b < n)
		r->shape = WS_SHAPE_CONTAINS;
	else if (a > 0)
		r->shape = WS_SHAPE_SUFFIX;
	else
		r->shape = WS_SHAPE_PREFIX;
}

static struct ws_varrule *
rule_for(struct ws_policy *p, const char *pattern)
{
	struct ws_varrule *r;
	size_t i, old;

	for (i = 0; i < p->n_rules; i++)
		if (strcmp(p->rules[i].pattern, pattern) == 0)
			return &p->rules[i];
	/* room for 16, then doubled each time it is full */
	if (p->n_rules == p->cap_rules) {
		old = p->cap_rules * sizeof(*p->rules);
		p->cap_rules = p->cap_rules ? p->cap_rules * 2 : 16;
		p->rules = ws_policy_grow_part(p, p->rules, old,
		    p->cap_rules * sizeof(*p->rules));
	}
	r = &p->rules[p->n_rules];
	memset(r, 0, sizeof(*r));
	r->pattern = ws_xstrdup(pattern);
	r->glob = is_glob(pattern);
	set_shape(r);
	r->order = p->n_rules++;
	return r;
}

static int
apply_var_bool(struct parse *ps, const struct raw_entry *e, int *out)
{
	int b = parse_bool(e->value);

	if (b < 0) {
		cfg_error(ps, e->line, "%s takes yes or no", e->key);
		return -1;
	}
	*out = b;
	return 0;
}

/*
 * A pattern that glibc would take minutes or gigabytes to compile or
 * match, or that would overflow its recursive parser, is refused
 * before regcomp() sees it (a typo must not hang a service's start):
 *   - regcomp() expands every bounded repetition: (a{1,255}){1,255}
 *     is 65,025 copies of "a", gigabytes; and matching a 64 KiB value
 *     costs time in proportion to the expanded size;
 *   - copies of a starred element cost far more than their size:
 *     compiling (a*){1,500} takes seconds, ((a*)*){1,20} as long, so
 *     an element with *, + or ? counts as 8 positions (measured with
 *     glibc 2.36: the largest patterns this admits compile and match a
 *     64 KiB value in about 0.1 s);
 *   - groups nested thousands deep overflow regcomp()'s stack;
 *   - back-references (\1 to \9), which POSIX ERE does not have, make
 *     matching exponential.
 */
#define WS_PATTERN_MAX_LEN	4096	/* bytes */
#define WS_PATTERN_MAX_DEPTH	32	/* nested groups */
#define WS_PATTERN_MAX_SIZE	1000	/* positions once expanded */
#define WS_PATTERN_STAR_WEIGHT	8	/* positions of x* x+ x? per x */

static unsigned long
pattern_sat(unsigned long x)
{
	return x > WS_PATTERN_MAX_SIZE ? WS_PATTERN_MAX_SIZE + 1 : x;
}

/* The end of a bracket expression starting at p ("["). */
static const char *
bracket_end(const char *p)
{
	const char *q = p + 1;
	char c;

	if (*q == '^')
		q++;
	if (*q == ']')
		q++;		/* a leading ] is a member */
	while (*q != '\0' && *q != ']') {
		if (q[0] == '[' && (q[1] == ':' || q[1] == '=' || q[1] == '.')) {
			c = q[1];	/* [:alpha:], [=e=], [.-.] */
			for (q += 2; *q != '\0' && !(q[0] == c && q[1] == ']');
			    q++)
				;
			if (*q != '\0')
				q += 2;
			continue;
		}
		q++;
	}
	return *q == ']' ? q + 1 : q;
}

/* {m}, {m,} or {m,n} at p: the number of copies regcomp() makes and
 * the text after it; 0 when p does not start an interval. */
static unsigned long
interval(const char *p, const char **after)
{
	unsigned long m = 0, n;
	const char *q = p + 1;

	if (*q < '0' || *q > '9')
		return 0;
	for (; *q >= '0' && *q <= '9'; q++)
		m = pattern_sat(m * 10 + (unsigned long)(*q - '0'));
	n = m;
	if (*q == ',') {
		q++;
		if (*q == '}')
			n = m + 1;	/* m copies and a starred one */
		else
			for (n = 0; *q >= '0' && *q <= '9'; q++)
				n = pattern_sat(n * 10 + (unsigned long)(*q -
				    '0'));
	}
	if (*q != '}')
		return 0;
	*after = q + 1;
	return n > m ? n : m;
}

/* NULL when regcomp() may have the pattern, else why not. */
static const char *
pattern_refused(const char *p)
{
	unsigned long total[WS_PATTERN_MAX_DEPTH + 1], last = 0, copies;
	const char *after;
	int d = 0;

	if (strlen(p) > WS_PATTERN_MAX_LEN)
		return "is longer than 4096 bytes";
	total[0] = 0;
	while (*p != '\0') {
		switch (*p) {
		case '(':
			if (d == WS_PATTERN_MAX_DEPTH)
				return "nests groups more than 32 deep";
			total[++d] = 0;
			last = 0;
			p++;
			continue;
		case ')':
			if (d > 0) {	/* else regcomp() judges */
				last = total[d--];
				total[d] = pattern_sat(total[d] + last);
				p++;
				continue;
			}
			break;
		case '|':
			last = 0;
			p++;
			continue;
		case '*':
		case '+':
		case '?':
			total[d] = pattern_sat(total[d] + last *
			    (WS_PATTERN_STAR_WEIGHT - 1));
			last = pattern_sat(last * WS_PATTERN_STAR_WEIGHT);
			p++;
			continue;
		case '{':
			if ((copies = interval(p, &after)) == 0)
				break;
			total[d] = pattern_sat(total[d] + last * (copies - 1));
			last = pattern_sat(last * copies);
			p = after;
			continue;
		case '[':
			p = bracket_end(p);
			total[d] = pattern_sat(total[d] + 1);
			last = 1;
			continue;
		case '\\':
			if (p[1] >= '1' && p[1] <= '9')
				return "uses a back-reference (\\1 to \\9), "
				    "which POSIX extended regular expressions "
				    "do not have and which makes matching slow";
			if (p[1] != '\0')
				p++;
			break;
		default:
			break;
		}
		p++;		/* one character: one position */
		total[d] = pattern_sat(total[d] + 1);
		last = 1;
	}
	while (d > 0) {		/* unclosed groups: regcomp() judges */
		last = total[d--];
		total[d] = pattern_sat(total[d] + last);
	}
	if (total[0] > WS_PATTERN_MAX_SIZE)
		return "is too complex (over 1000 positions once its "
		    "repetitions are expanded)";
	return NULL;
}

static int
apply_var_pattern(struct parse *ps, struct ws_varrule *r,
    const struct raw_entry *e)
{
	const char *why;

	regex_t *re = ws_xcalloc(1, sizeof(*re));
	size_t n;
	char *msg;
	int rc;

	if (*e->value == '\0') {
		free(re);
		cfg_error(ps, e->line, "pattern is empty; remove the key");
		return -1;
	}
	if ((why = pattern_refused(e->value)) != NULL) {
		free(re);
		cfg_error(ps, e->line, "pattern %s; simplify it", why);
		return -1;
	}
	if ((rc = regcomp(re, e->value, REG_EXTENDED | REG_NOSUB)) != 0) {
		n = regerror(rc, re, NULL, 0);
		msg = ws_xmalloc(n + 1);
		(void)regerror(rc, re, msg, n + 1);
		cfg_error(ps, e->line, "pattern is not a valid POSIX extended "
		    "regular expression: %s", msg);
		free(msg);
		free(re);
		return -1;
	}
	ws_regex_free(r->re);
	r->re = re;
	return 0;
}

/* One key of a [var] section, for one of its patterns.  Returns 0, or
 * -1 after an error (reported once for all the patterns). */
static int
apply_var_key(struct parse *ps, struct ws_varrule *r, size_t k,
    const struct raw_entry *e)
{
	const char *file = keep_file(ps->p, ps->display);
	size_t len;
	int b;

	if ((r->set & (1u << k)) && r->where[k].file == file) {
		/* a name in two sections of one file: which would win? */
		cfg_error(ps, e->line, "%s of %s is set twice in this file "
		    "(first at line %u); keep one", e->key, r->pattern,
		    r->where[k].line);
		return -1;
	}
	switch (k) {
	case WS_VK_SECRET:
		if (apply_var_bool(ps, e, &r->secret) != 0)
			return -1;
		break;
	case WS_VK_DISTINCT:
		if (apply_var_bool(ps, e, &r->distinct) != 0)
			return -1;
		break;
	case WS_VK_DEBUG:
		if (apply_var_bool(ps, e, &r->debug) != 0)
			return -1;
		break;
	case WS_VK_REQUIRED:
		if (strcmp(e->value, "always") == 0)
			r->required = WS_REQ_ALWAYS;
		else if (strcmp(e->value, "strict") == 0)
			r->required = WS_REQ_STRICT;
		else if ((b = parse_bool(e->value)) == 0)
			r->required = WS_REQ_NO;
		else {
			cfg_error(ps, e->line, "required takes always, strict "
			    "or no");
			return -1;
		}
		if (r->glob && r->required != WS_REQ_NO) {
			cfg_error(ps, e->line, "required needs names, not a "
			    "glob: which names would be required?");
			return -1;
		}
		break;
	case WS_VK_MIN_LENGTH:
		if (parse_size(e->value, 0, WS_MAX_SECRET_SIZE_LIMIT,
		    &len) != 0) {
			cfg_error(ps, e->line, "min-length takes a number of "
			    "characters from 0 to %d",
			    WS_MAX_SECRET_SIZE_LIMIT);
			return -1;
		}
		r->min_length = len;
		break;
	case WS_VK_PATTERN:
		if (apply_var_pattern(ps, r, e) != 0)
			return -1;
		break;
	case WS_VK_FORBID:
		ws_policy_free_part(ps->p, r->forbid);
		r->forbid = split_words(e->value, 1);
		break;
	}
	r->set |= 1u << k;
	r->where[k].file = file;
	r->where[k].line = e->line;
	return 0;
}

/* The patterns of a [var] header, as a word list. */
static void
apply_var(struct parse *ps, const struct raw_section *sec,
    const struct raw_entry *e)
{
	char **pats;
	size_t k, i;

	for (k = 0; k < WS_VK_COUNT; k++)
		if (strcmp(e->key, varkey_names[k]) == 0)
			break;
	if (k == WS_VK_COUNT) {
		cfg_error(ps, e->line, "unknown key %s in [var %s]; the keys "
		    "are secret, required, min-length, distinct, debug, "
		    "pattern and forbid", e->key, sec->name);
		return;
	}
	pats = split_words(sec->name, 0);
	for (i = 0; pats[i] != NULL; i++)
		if (apply_var_key(ps, rule_for(ps->p, pats[i]), k, e) != 0)
			break;
	free_words(pats);
}

/* A [var] section without keys still declares its names. */
static void
declare_vars(struct parse *ps, const struct raw_section *sec)
{
	char **pats = split_words(sec->name, 0);
	size_t i;

	for (i = 0; pats[i] != NULL; i++)
		(void)rule_for(ps->p, pats[i]);
	free_words(pats);
}

static void
apply_all(struct parse *ps)
{
	const struct raw_section *sec;
	size_t i, j;

	for (i = 0; i < ps->nsecs; i++) {
		sec = &ps->secs[i];
		if (sec->kind == SECT_VAR && sec->n == 0)
			declare_vars(ps, sec);
		for (j = 0; j < sec->n; j++)
			switch (sec->kind) {
			case SECT_WITHSECRETS:
				apply_setting(ps, &sec->e[j]);
				break;
			case SECT_PLACEHOLDERS:
				apply_placeholders(ps, &sec->e[j]);
				break;
			case SECT_DEFAULTS:
				apply_default(ps, &sec->e[j]);
				break;
			case SECT_VAR:
				apply_var(ps, sec, &sec->e[j]);
				break;
			}
	}
}

static void
parse_free(struct parse *ps)
{
	size_t i, j;

	for (i = 0; i < ps->nsecs; i++) {
		for (j = 0; j < ps->secs[i].n; j++) {
			free(ps->secs[i].e[j].key);
			/* a [defaults] value may be a secret */
			sodium_memzero(ps->secs[i].e[j].value,
			    strlen(ps->secs[i].e[j].value));
			free(ps->secs[i].e[j].value);
		}
		free(ps->secs[i].e);
		free(ps->secs[i].name);
	}
	free(ps->secs);
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
	if (rc > 0 && !line_has_error(&ps, (unsigned)rc))
		cfg_error(&ps, (unsigned)rc, "syntax error");
	apply_all(&ps);
	flush_errors(&ps);
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

/* The user's policy file: -c, $WITHSECRETS_CONFIG, DIR/withsecrets.ini,
 * then $(sysconfdir)/withsecrets.ini; the first that exists. */
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
	int rc;

	if (o->no_config)
		return 0;
	if (o->config != NULL)
		return read_user_file(run, o->config, 1);
	env = ws_environ_get(environ, "WITHSECRETS_CONFIG", 18);
	if (env != NULL && *env != '\0')
		return read_user_file(run, env, 1);
	path = ws_path_join(o->dir, "withsecrets.ini");
	rc = read_user_file(run, path, 0);
	free(path);
	if (rc != 1)
		return rc;
	rc = read_user_file(run, SYSCONFDIR "/withsecrets.ini", 0);
	return rc == 1 ? 0 : rc;
}

void
ws_policy_load(struct ws_run *run)
{
	run->policy = ws_policy_new();
	run->set = &run->policy->set;
	(void)load_user_policy(run);	/* findings say */
}

void
ws_policy_free(struct ws_run *run)
{
	ws_policy_destroy(run->policy);
	run->policy = NULL;
	run->set = NULL;
}
