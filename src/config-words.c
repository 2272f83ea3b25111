/*
 * config-words.c: what the policy reader's halves share below them: the
 * errors of a policy file, collected and reported in line order, and
 * the values of its keys (word lists, the lists that extend, booleans,
 * sizes).  Apart from config-keys.c, which applies the keys.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "withsecrets.h"
#include "util.h"
#include "diag.h"
#include "policy.h"
#include "config-internal.h"

/* ------------------------------------------------------------------ */
/* Errors.                                                             */

/* Errors are collected and reported in line order once the file is
 * read: syntax is checked line by line, values after the whole file. */
void
ws_config_error(struct parse *ps, unsigned line, const char *fmt, ...)
{
	struct cfg_err *e;
	va_list ap;

	if ((ps->n_err & (ps->n_err - 1)) == 0)	/* 0, 1, 2, 4, ...: double */
		ps->errs = ws_xrealloc(ps->errs, (ps->n_err ? ps->n_err * 2 : 1) *
		    sizeof(*ps->errs));
	e = &ps->errs[ps->n_err];
	e->seq = ps->n_err++;
	e->line = line;
	va_start(ap, fmt);
	e->msg = ws_xvasprintf(fmt, ap);
	va_end(ap);
	ps->status = WS_EX_POLICY;
}

int
ws_config_line_has_error(const struct parse *ps, unsigned line)
{
	size_t i;

	for (i = 0; i < ps->n_err; i++)
		if (ps->errs[i].line == line)
			return 1;
	return 0;
}

static int
by_line(const void *a, const void *b)
{
	const struct cfg_err *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void
ws_config_flush_errors(struct parse *ps)
{
	size_t i;
	char *src;

	if (ps->n_err > 1)
		qsort(ps->errs, ps->n_err, sizeof(*ps->errs), by_line);
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
/* Values.                                                             */

/* Space-separated words, as a NULL-terminated list in one allocation
 * (the pointers, then the text): ws_config_free_words() frees it. */
char **
ws_config_split_words(const char *s, int lower)
{
	size_t len = strlen(s), n = 0, i;
	char **list, *text, *c;

	for (i = 0; i < len; i++)
		if (!ws_config_blank(s[i]) && (i == 0 || ws_config_blank(s[i - 1])))
			n++;
	list = ws_xmalloc((n + 1) * sizeof(*list) + len + 1);
	text = (char *)(list + n + 1);
	memcpy(text, s, len + 1);
	for (n = 0, c = text; *c != '\0';) {
		while (ws_config_blank(*c))
			*c++ = '\0';
		if (*c == '\0')
			break;
		list[n++] = c;
		for (; *c != '\0' && !ws_config_blank(*c); c++)
			if (lower && *c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
	}
	list[n] = NULL;
	return list;
}

void
ws_config_free_words(char **list)
{
	free(list);
}

/* The words of a NULL-terminated list, n of them, as a new list in one
 * allocation like ws_config_split_words() makes. */
char **
ws_config_join_words(char *const *w, size_t n)
{
	size_t i, total = 0, len;
	char **list, *text;

	for (i = 0; i < n; i++)
		total += strlen(w[i]) + 1;
	list = ws_xmalloc((n + 1) * sizeof(*list) + total + 1);
	text = (char *)(list + n + 1);
	for (i = 0; i < n; i++) {
		len = strlen(w[i]) + 1;
		memcpy(text, w[i], len);
		list[i] = text;
		text += len;
	}
	list[n] = NULL;
	return list;
}

size_t
ws_config_count_words(char *const *w)
{
	size_t n = 0;

	while (w != NULL && w[n] != NULL)
		n++;
	return n;
}

/*
 * A list that makes a check stricter (deny, [placeholders] values and
 * patterns: SPEC §6).  The built-in policy sets it; a user's file
 * extends it, so that adding one item never drops the built-in ones,
 * and `!ITEM` removes one built-in item, on purpose and visibly.  A
 * `!ITEM` that removes nothing is an error: a typo in a security
 * policy must not pass silently.  Returns the new list (the old one is
 * the caller's to free), or NULL after an error.
 */
char **
ws_config_extend_words(struct parse *ps, char **old, const char *value,
    int lower, const char *key, unsigned line)
{
	char **add = ws_config_split_words(value, lower), **w, **out;
	size_t n_old = ws_config_count_words(old);
	size_t n_add = ws_config_count_words(add), n = 0;
	size_t i, j, bad = 0;
	int gone;

	if (!ps->user)
		return add;		/* the built-in policy sets it */
	w = ws_xcalloc(n_old + n_add + 1, sizeof(*w));
	for (i = 0; i < n_old; i++) {
		for (gone = 0, j = 0; j < n_add && !gone; j++)
			gone = add[j][0] == '!' && strcmp(add[j] + 1,
			    old[i]) == 0;
		if (!gone)
			w[n++] = old[i];
	}
	for (j = 0; j < n_add; j++) {
		if (add[j][0] == '!') {
			for (i = 0; i < n_old; i++)
				if (strcmp(add[j] + 1, old[i]) == 0)
					break;
			if (i == n_old && bad++ == 0)
				ws_config_error(ps, line, "%s: an item written "
				    "!ITEM (word %zu) is not in the built-in "
				    "list, so it removes nothing; check its "
				    "spelling (withsecrets defaults shows the "
				    "list)", key, j + 1);
			continue;
		}
		for (i = 0; i < n && strcmp(w[i], add[j]) != 0; i++)
			;
		if (i == n)
			w[n++] = add[j];	/* new: added */
	}
	out = bad ? NULL : ws_config_join_words(w, n);
	free(w);
	ws_config_free_words(add);
	return out;
}

/* yes no true false on off 1 0, in any case (strcasecmp(3) in the C
 * locale: withsecrets never calls setlocale); -1 when none. */
int
ws_config_parse_bool(const char *v)
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
int
ws_config_parse_size(const char *v, size_t lo, size_t hi, size_t *out)
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
