/*
 * The keys of the policy file, applied to a ws_policy once the whole
 * file is read (config.c reads it): each value validated, each error
 * reported at the line of its key.  A key the user's file sets replaces
 * the built-in one, except the lists that make a check stricter, which
 * it extends (SPEC §6).
 */
#include "config.h"

#include <regex.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "withsecrets.h"
#include "values.h"
#include "util.h"
#include "secmem.h"
#include "diag.h"
#include "names.h"
#include "vars.h"
#include "policy.h"
#include "ere.h"
#include "http.h"
#include "config-internal.h"

_Static_assert(SK_DEFAULT_ENVIRONMENT == WS_SETTING_DEFAULT_ENVIRONMENT,
    "policy.h names the index of default-environment");

/* The words of the keys that take one, in the order of their enums. */
static const char *const file_vars_words[] = { "all", "declared", NULL };
static const char *const plaintext_words[] = { "allow", "warn", "error",
	NULL };
static const char *const audit_words[] = { WS_AUDIT_NAMES, NULL };

static const char *const setkey_names[SK_COUNT] = {
	"environment-vars", "lenient-environments", "secrets-dirs", "keep",
	"deny", "ignore-file-vars", "file-vars", "max-secret-size", "example",
	"plaintext-secrets", "default-environment", "export-environment",
	"audit", "audit-required"
};

static const char *const varkey_names[WS_VK_COUNT] = {
	"secret", "required", "min-length", "distinct", "debug", "pattern",
	"forbid", "generate"
};

static const char *keep_file(struct ws_policy *, const char *);

/* [var] generate: hex:N, base64url:N, alnum:N (N from 1 to
 * WS_GEN_MAX_N) or a false word (no).  -1 when it is none of these. */
static int
parse_generate(const char *v, enum ws_genfmt *fmt, size_t *n)
{
	static const struct { const char *name; enum ws_genfmt fmt; } f[] = {
		{ "hex:", WS_GEN_HEX }, { "base64url:", WS_GEN_BASE64URL },
		{ "alnum:", WS_GEN_ALNUM }
	};
	size_t i, k;

	if (ws_config_parse_bool(v) == 0) {
		*fmt = WS_GEN_NO;
		*n = 0;
		return 0;
	}
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		k = strlen(f[i].name);
		if (strncmp(v, f[i].name, k) == 0) {
			if (ws_config_parse_size(v + k, 1, WS_GEN_MAX_N, n) != 0)
				return -1;
			*fmt = f[i].fmt;
			return 0;
		}
	}
	return -1;
}

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
	int b, w;

	for (k = 0; k < SK_COUNT; k++)
		if (strcmp(e->key, setkey_names[k]) == 0)
			break;
	switch (k) {
	case SK_ENVIRONMENT_VARS:
		words = ws_config_split_words(e->value, 0);
		for (i = 0; words[i] != NULL; i++)
			if (!ws_name_portable(words[i], strlen(words[i]))) {
				ws_config_error(ps, e->line, "environment-vars takes "
				    "variable names (letters, digits, _)");
				ws_config_free_words(words);
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
	case SK_DENY:	/* extended, not replaced */
		if ((words = ws_config_extend_words(ps, s->deny, e->value, 0, "deny",
		    e->line)) == NULL)
			return;
		ws_policy_free_part(ps->p, s->deny);
		s->deny = words;
		break;
	case SK_IGNORE_FILE_VARS:
		list = &s->ignore_file_vars;
		break;
	case SK_FILE_VARS:
		if ((w = ws_word_index(e->value, file_vars_words)) >= 0)
			s->file_vars = (enum ws_file_vars)w;
		else {
			ws_config_error(ps, e->line, "file-vars takes all or "
			    "declared");
			return;
		}
		break;
	case SK_MAX_SECRET_SIZE:
		if (ws_config_parse_size(e->value, 1, WS_MAX_SECRET_SIZE_LIMIT,
		    &size) != 0) {
			ws_config_error(ps, e->line, "max-secret-size takes a number "
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
	case SK_DEFAULT_ENVIRONMENT:
		/* a name, and a part of file names (.env.NAME) */
		if (*e->value == '\0' ||
		    e->value[strcspn(e->value, "/ \t")] != '\0') {
			ws_config_error(ps, e->line, "default-environment "
			    "takes one environment name, such as production");
			return;
		}
		ws_policy_free_part(ps->p, s->default_environment);
		s->default_environment = ws_xstrdup(e->value);
		break;
	case SK_EXPORT_ENVIRONMENT:
		if ((b = ws_config_parse_bool(e->value)) < 0) {
			ws_config_error(ps, e->line, "export-environment takes "
			    "yes or no");
			return;
		}
		s->export_environment = b;
		break;
	case SK_PLAINTEXT_SECRETS:
		if ((w = ws_word_index(e->value, plaintext_words)) >= 0)
			s->plaintext_secrets = (enum ws_plaintext)w;
		else {
			ws_config_error(ps, e->line, "plaintext-secrets takes allow, "
			    "warn or error");
			return;
		}
		break;
	case SK_AUDIT:
		if ((w = ws_word_index(e->value, audit_words)) >= 0)
			s->audit = (enum ws_audit)w;
		else {
			ws_config_error(ps, e->line, "audit takes off, journal or "
			    "syslog");
			return;
		}
		break;
	case SK_AUDIT_REQUIRED:
		if ((s->audit_required = ws_config_parse_bool(e->value)) < 0) {
			s->audit_required = 0;
			ws_config_error(ps, e->line, "audit-required takes yes or "
			    "no");
			return;
		}
		break;
	default:
		ws_config_error(ps, e->line, "unknown key %s in [withsecrets]; see "
		    "withsecrets.conf(5)", e->key);
		return;
	}
	if (list != NULL) {
		ws_policy_free_part(ps->p, *list);
		*list = ws_config_split_words(e->value, 0);
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
	char **w;

	if (strcmp(e->key, "values") == 0) {
		if ((w = ws_config_extend_words(ps, p->ph_values, e->value, 1, "values",
		    e->line)) == NULL)
			return;
		ws_policy_free_part(p, p->ph_values);
		p->ph_values = w;
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
		if ((w = ws_config_extend_words(ps, p->ph_patterns, e->value, 1,
		    "patterns", e->line)) == NULL)
			return;
		ws_policy_free_part(p, p->ph_patterns);
		p->ph_patterns = w;
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
		ws_config_error(ps, e->line, "unknown key %s in [placeholders]; the "
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
	int added;

	if (!ws_name_valid(e->key, n)) {
		/* not named: the text is no name, and could be a value */
		ws_config_error(ps, e->line, "not a valid variable name in "
		    "[defaults]");
		return;
	}
	/* not secret, but the store's values live in guarded memory */
	if ((val = ws_arena_alloc(&ws_work, vlen + 1)) == NULL)
		ws_fatal_nomem();
	memcpy(val, e->value, vlen + 1);
	if (ps->defaults.n == 0)	/* hashed: linear in the names */
		for (i = 0; i < p->n_defaults; i++)
			(void)ws_strmap_put(&ps->defaults, p->defaults[i].name,
			    strlen(p->defaults[i].name), i, &added);
	i = ws_strmap_put(&ps->defaults, e->key, n, p->n_defaults, &added);
	if (!added)
		d = &p->defaults[i];
	else {
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

/* The rule of a [var] pattern, made when there is none yet.  The
 * patterns are hashed (the policy's rules when the first is asked
 * for), so that a file of many sections is read in linear time. */
static struct ws_varrule *
rule_for(struct parse *ps, const char *pattern)
{
	struct ws_policy *p = ps->p;
	struct ws_varrule *r;
	size_t i, old;
	int added;

	if (ps->rules.n == 0)
		for (i = 0; i < p->n_rules; i++)
			(void)ws_strmap_put(&ps->rules, p->rules[i].pattern,
			    strlen(p->rules[i].pattern), i, &added);
	i = ws_strmap_put(&ps->rules, pattern, strlen(pattern), p->n_rules,
	    &added);
	if (!added)
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
	int b = ws_config_parse_bool(e->value);

	if (b < 0) {
		ws_config_error(ps, e->line, "%s takes yes or no", e->key);
		return -1;
	}
	*out = b;
	return 0;
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
		ws_config_error(ps, e->line, "pattern is empty; remove the key");
		return -1;
	}
	if ((why = ws_ere_refused(e->value)) != NULL) {
		free(re);
		ws_config_error(ps, e->line, "pattern %s; simplify it", why);
		return -1;
	}
	if ((rc = regcomp(re, e->value, REG_EXTENDED | REG_NOSUB)) != 0) {
		n = regerror(rc, re, NULL, 0);
		msg = ws_xmalloc(n + 1);
		(void)regerror(rc, re, msg, n + 1);
		ws_config_error(ps, e->line, "pattern is not a valid POSIX extended "
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
		ws_config_error(ps, e->line, "%s of %s is set twice in this file "
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
		else if ((b = ws_config_parse_bool(e->value)) == 0)
			r->required = WS_REQ_NO;
		else {
			ws_config_error(ps, e->line, "required takes always, strict "
			    "or no");
			return -1;
		}
		break;
	case WS_VK_MIN_LENGTH:
		if (ws_config_parse_size(e->value, 0, WS_MAX_SECRET_SIZE_LIMIT,
		    &len) != 0) {
			ws_config_error(ps, e->line, "min-length takes a number of "
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
		r->forbid = ws_config_split_words(e->value, 1);
		break;
	case WS_VK_GENERATE:
		if (parse_generate(e->value, &r->gen_fmt, &r->gen_n) != 0) {
			ws_config_error(ps, e->line, "generate takes hex:N, "
			    "base64url:N or alnum:N with N from 1 to %d, or no",
			    WS_GEN_MAX_N);
			return -1;
		}
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
		ws_config_error(ps, e->line, "unknown key %s in [var %s]; the keys "
		    "are secret, required, min-length, distinct, debug, "
		    "pattern, forbid and generate", e->key, sec->name);
		return;
	}
	pats = ws_config_split_words(sec->name, 0);
	for (i = 0; pats[i] != NULL; i++)
		if (apply_var_key(ps, rule_for(ps, pats[i]), k, e) != 0)
			break;
	ws_config_free_words(pats);
}

/* ------------------------------------------------------------------ */
/* [store NAME] (SPEC §13).                                            */

static const char *const store_type_words[] = { WS_STORE_TYPE_NAMES, NULL };

/* Seconds, with up to three decimals (0.5, 10), from 1 ms to an hour:
 * milliseconds, or -1. */
static long
parse_seconds(const char *v)
{
	long ms = 0, scale = 1000;

	if (*v < '0' || *v > '9')
		return -1;
	for (; *v >= '0' && *v <= '9'; v++)
		if ((ms = ms * 10 + (*v - '0') * 1000) > 3600000)
			return -1;
	if (*v == '.')
		for (v++; *v >= '0' && *v <= '9' && scale > 1; v++)
			ms += (*v - '0') * (scale /= 10);
	return *v != '\0' || ms == 0 ? -1 : ms;
}

/* A header value of ours: no control character may end the header. */
static int
header_safe(const char *v)
{
	for (; *v != '\0'; v++)
		if ((unsigned char)*v < 0x20 || *v == 0x7f)
			return 0;
	return 1;
}

static struct ws_storedecl *
store_decl(struct parse *ps, const struct raw_section *sec)
{
	struct ws_policy *p = ps->p;
	struct ws_storedecl *d;

	p->stores = ws_xrealloc(p->stores, (p->n_stores + 1) *
	    sizeof(*p->stores));
	d = &p->stores[p->n_stores++];
	memset(d, 0, sizeof(*d));
	d->name = ws_xstrdup(sec->name);
	d->timeout_ms = WS_STORE_TIMEOUT_MS;
	set_where(ps, &d->where, sec->line);
	return d;
}

/* One key of a [store] section; the type is applied first. */
static void
apply_store_key(struct parse *ps, struct ws_storedecl *d,
    const struct raw_entry *e)
{
	struct ws_http_via via;
	const char *why;
	long ms;

	if (strcmp(e->key, "via") == 0) {
		if (ws_http_via_parse(e->value, &via, &why) != 0) {
			ws_config_error(ps, e->line, "via of [store %s]: %s",
			    d->name, why);
			return;
		}
		free(d->via);
		d->via = ws_xstrdup(e->value);
	} else if (strcmp(e->key, "namespace") == 0) {
		if (d->type != WS_STORE_VAULT || *e->value == '\0' ||
		    !header_safe(e->value)) {
			ws_config_error(ps, e->line, "namespace of [store %s] "
			    "takes a Vault namespace (a vault store only)",
			    d->name);
			return;
		}
		free(d->ns);
		d->ns = ws_xstrdup(e->value);
	} else if (strcmp(e->key, "token-file") == 0) {
		if (d->type != WS_STORE_AWS_SM || *e->value == '\0') {
			ws_config_error(ps, e->line, "token-file of [store %s] "
			    "takes a path (an aws-sm store only: Vault's "
			    "agent holds its token itself)", d->name);
			return;
		}
		free(d->token_file);
		d->token_file = ws_xstrdup(e->value);
	} else if (strcmp(e->key, "import") == 0) {
		free(d->import);
		d->import = ws_config_split_words(e->value, 0);
		if (d->import[0] == NULL) {
			free(d->import);
			d->import = NULL;
		}
	} else if (strcmp(e->key, "timeout") == 0) {
		if ((ms = parse_seconds(e->value)) < 0) {
			ws_config_error(ps, e->line, "timeout of [store %s] "
			    "takes seconds (0.5, 10) up to 3600", d->name);
			return;
		}
		d->timeout_ms = ms;
	} else if (strcmp(e->key, "type") != 0)
		ws_config_error(ps, e->line, "unknown key %s in [store %s]; the "
		    "keys are type, via, namespace, token-file, import and "
		    "timeout", e->key, d->name);
}

static void
apply_store(struct parse *ps, const struct raw_section *sec)
{
	struct ws_storedecl *d;
	const struct raw_entry *type = NULL;
	size_t j;
	int w;

	for (j = 0; j < sec->n; j++)
		if (strcmp(sec->e[j].key, "type") == 0)
			type = &sec->e[j];
	if (type == NULL) {
		ws_config_error(ps, sec->line, "[store %s] has no type; add "
		    "type = vault or type = aws-sm", sec->name);
		return;
	}
	if ((w = ws_word_index(type->value, store_type_words)) < 0) {
		ws_config_error(ps, type->line, "type of [store %s] takes vault "
		    "or aws-sm", sec->name);
		return;
	}
	d = store_decl(ps, sec);
	d->type = (enum ws_store_type)w;
	for (j = 0; j < sec->n; j++)
		apply_store_key(ps, d, &sec->e[j]);
}

/* A [var] section without keys still declares its names. */
static void
declare_vars(struct parse *ps, const struct raw_section *sec)
{
	char **pats = ws_config_split_words(sec->name, 0);
	size_t i;

	for (i = 0; pats[i] != NULL; i++)
		(void)rule_for(ps, pats[i]);
	ws_config_free_words(pats);
}

void
ws_config_apply(struct parse *ps)
{
	const struct raw_section *sec;
	size_t i, j;

	for (i = 0; i < ps->nsecs; i++) {
		sec = &ps->secs[i];
		if (sec->kind == SECT_VAR && sec->n == 0)
			declare_vars(ps, sec);
		if (sec->kind == SECT_STORE) {
			apply_store(ps, sec);
			continue;
		}
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
			case SECT_STORE:
				break;
			}
	}
}
