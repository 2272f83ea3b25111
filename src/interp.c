/*
 * Interpolation in .env values (SPEC §4.4): $NAME, ${NAME}, the forms
 * with a default, an alternative or a required message, and $$.  A
 * name resolves to the value it has at that point under the precedence
 * of §4, through the caller's lookup (ws_dotenv_in).  No command
 * substitution, ever.  Values are built in guarded memory.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "withsecrets.h"
#include "util.h"
#include "secmem.h"
#include "diag.h"
#include "vars.h"
#include "dotenv.h"
#include "dotenv-internal.h"

/* ------------------------------------------------------------------ */
/* Findings of a parse.                                                */

void
ws_dotenv_record(struct parse *ps, int code, const char *rule, const char *name,
    unsigned line, const char *fmt, ...)
{
	char *src;
	va_list ap;

	if (ps->status == 0 || (code != WS_EX_SOFTWARE &&
	    ps->status == WS_EX_SOFTWARE))
		ps->status = code;
	if (ps->errors >= WS_DOTENV_MAX_ERRORS) {
		ps->stop = 1;
		return;
	}
	src = ws_source_fmt(ps->display, line);
	va_start(ap, fmt);
	ws_vfinding(WS_SEV_ERROR, code, rule, name, src, fmt, ap);
	va_end(ap);
	free(src);
	if (++ps->errors == WS_DOTENV_MAX_ERRORS) {
		ws_finding(WS_SEV_ERROR, code, rule, NULL, ps->display,
		    "too many errors; the rest of the file is not checked");
		ps->stop = 1;
	}
	if (code == WS_EX_SOFTWARE)
		ps->stop = 1;
}

void
ws_dotenv_nomem(struct parse *ps)
{
	ws_dotenv_record(ps, WS_EX_SOFTWARE, "internal", ps->key, ps->key_line,
	    "out of guarded memory");
}

/* Characters of an interpolated name: [A-Za-z_][A-Za-z0-9_]*. */
static int
ident_start(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int
ident_char(unsigned char c)
{
	return ident_start(c) || (c >= '0' && c <= '9');
}

/* ------------------------------------------------------------------ */
/* Lookups and output.                                                 */

/* The value a name has now (SPEC §4.4), as the caller's lookup sees it
 * from this file.  Returns 1 and sets *val, or 0 when it is unset. */
static int
lookup(struct parse *ps, const char *name, size_t n, const char **val,
    size_t *vallen)
{
	const struct ws_dotenv_in *in = ps->in;
	struct ws_var *v;

	if (in->lookup != NULL)
		v = in->lookup(in->arg, ps->src, name, n, &ps->resolved);
	else	/* what the store holds (the example file is read so) */
		v = ws_var_seen_from(ws_store_get(ps->store, name, n), ps->src);
	if (v == NULL)
		return 0;
	/* a URL built from a mounted secret is a secret too, and not a
	 * plaintext one (SPEC §4.4) */
	if ((v->flags & (WS_VAR_FROM_FILE | WS_VAR_SECRET)) ||
	    v->src->kind == WS_KIND_SECRET_DIR)
		ps->from_secret = 1;
	*val = v->value;
	*vallen = v->vallen;
	return 1;
}

/* $NAME or ${NAME} of an unset name: it expands to nothing, as in
 * Compose, and is the unset-variable finding once the entry is made;
 * the forms that state a default never come here. */
static void
unset_ref(struct parse *ps, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < ps->n_unset; i++)
		if (ps->unset[i].n == n && memcmp(ps->unset[i].name, name,
		    n) == 0)
			return;		/* named once per value */
	if (ps->n_unset == ps->cap_unset) {
		ps->cap_unset = ps->cap_unset ? ps->cap_unset * 2 : 4;
		ps->unset = ws_xrealloc(ps->unset, ps->cap_unset *
		    sizeof(*ps->unset));
	}
	ps->unset[ps->n_unset].name = name;
	ps->unset[ps->n_unset++].n = n;
}

void
ws_dotenv_note_unset(struct parse *ps, struct ws_var *v)
{
	size_t i;

	for (i = 0; i < ps->n_unset && v != NULL; i++)
		ws_store_note_unset(ps->store, v, ps->unset[i].name,
		    ps->unset[i].n);
	ps->n_unset = 0;
}

void
ws_dotenv_too_large(struct parse *ps)
{
	ws_dotenv_record(ps, WS_EX_DATAERR, "too-large", ps->key, ps->key_line,
	    "value longer than max-secret-size (%zu bytes)%s; "
	    "shorten it or raise max-secret-size", ps->max,
	    ps->interpolated ? " after interpolation" : "");
}

/* The file's values together exceed WS_DOTENV_MAX_OUTPUT. */
void
ws_dotenv_too_much(struct parse *ps)
{
	ws_dotenv_record(ps, WS_EX_DATAERR, "too-large", ps->key, ps->key_line,
	    "the values of this file exceed %zu bytes in all after "
	    "interpolation", WS_DOTENV_MAX_OUTPUT);
	ps->stop = 1;
}

static int
emit(struct parse *ps, struct ws_sbuf *out, const char *s, size_t n)
{
	if (n > ps->max - out->len) {
		ws_dotenv_too_large(ps);
		return -1;
	}
	if (n > 0 && ws_sbuf_append(out, s, n) != 0) {
		ws_dotenv_nomem(ps);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Interpolation: $NAME ${NAME} ${NAME<op>word} $$.                     */

static int interpolate(struct parse *, const char *, const char *,
    struct ws_sbuf *, unsigned);

static void
bad_interpolation(struct parse *ps, const char *why)
{
	ws_dotenv_record(ps, WS_EX_DATAERR, "syntax", ps->key, ps->key_line,
	    "invalid interpolation: %s; write $$ for a literal dollar sign",
	    why);
}

/*
 * The '}' that closes a ${NAME<op>word} whose word starts at s, as
 * Compose finds it: braces are counted (the character after each '{'
 * is not examined); when they never balance, the last '}' of the text
 * closes it.  NULL when there is no '}' at all.
 */
static const char *
closing_brace(const char *s, const char *e)
{
	const char *q;
	int depth = 1;

	for (q = s; q < e; q++) {
		if (*q == '}' && --depth == 0)
			return q;
		if (*q == '{') {
			depth++;
			q++;
		}
	}
	for (q = e; q > s; q--)
		if (q[-1] == '}')
			return q - 1;
	return NULL;
}

static void
required_error(struct parse *ps, const char *name, size_t n, int colon,
    const char *msg, const char *msgend)
{
	size_t mlen = (size_t)(msgend - msg);
	int shown;

	/* The author's message is shown unless it would interpolate
	 * something: it is text of the file, but never a value. */
	shown = mlen > 0 && memchr(msg, '$', mlen) == NULL;
	if (mlen > 200)
		mlen = 200;
	ws_dotenv_record(ps, WS_EX_DATAERR, "required", ps->key, ps->key_line,
	    "%.*s is not set%s (${%.*s%s?...})%s%.*s", (int)n, name,
	    colon ? " or empty" : "", (int)n, name, colon ? ":" : "",
	    shown ? ": " : "", shown ? (int)mlen : 0, shown ? msg : "");
}

/* One ${...} starting at s ("${"); returns the text after it, or NULL
 * after a finding. */
static const char *
braced(struct parse *ps, const char *s, const char *e, struct ws_sbuf *out,
    unsigned depth)
{
	const char *name = s + 2, *q = name, *word, *close, *val;
	size_t n, vallen;
	int colon = 0, set;
	char op;

	if (q >= e || !ident_start((unsigned char)*q)) {
		bad_interpolation(ps, "${ must be followed by a name");
		return NULL;
	}
	while (q < e && ident_char((unsigned char)*q))
		q++;
	n = (size_t)(q - name);
	if (q < e && *q == '}') {
		ps->interpolated = 1;
		if (!lookup(ps, name, n, &val, &vallen))
			unset_ref(ps, name, n);
		else if (emit(ps, out, val, vallen) != 0)
			return NULL;
		return q + 1;
	}
	if (q < e && *q == ':') {
		colon = 1;
		q++;
	}
	if (q >= e || (*q != '-' && *q != '+' && *q != '?')) {
		bad_interpolation(ps, q >= e ? "missing }" :
		    "a name in ${...} is followed by }, or by one of "
		    ":- - :+ + :? ?");
		return NULL;
	}
	op = *q;
	word = q + 1;
	if ((close = closing_brace(word, e)) == NULL) {
		bad_interpolation(ps, "missing }");
		return NULL;
	}
	if (depth >= WS_DOTENV_MAX_DEPTH) {
		ws_dotenv_record(ps, WS_EX_DATAERR, "syntax", ps->key, ps->key_line,
		    "interpolation nested more than %d levels deep",
		    WS_DOTENV_MAX_DEPTH);
		return NULL;
	}
	ps->interpolated = 1;
	set = lookup(ps, name, n, &val, &vallen);
	switch (op) {
	case '-':	/* ${A-d} unset, ${A:-d} unset or empty: d */
		if (!set || (colon && vallen == 0)) {
			if (interpolate(ps, word, close, out, depth + 1) != 0)
				return NULL;
		} else if (emit(ps, out, val, vallen) != 0)
			return NULL;
		break;
	case '+':	/* ${A+a} set, ${A:+a} set and not empty: a */
		if (set && (!colon || vallen > 0)) {
			if (interpolate(ps, word, close, out, depth + 1) != 0)
				return NULL;
		} else if (set && emit(ps, out, val, vallen) != 0)
			return NULL;
		break;
	default:	/* ${A?m} unset, ${A:?m} unset or empty: an error */
		if (!set || (colon && vallen == 0)) {
			required_error(ps, name, n, colon, word, close);
			return NULL;
		}
		if (emit(ps, out, val, vallen) != 0)
			return NULL;
		break;
	}
	return close + 1;
}

/* Append the interpolation of [s, e) to out.  0, or -1 after a
 * finding. */
static int
interpolate(struct parse *ps, const char *s, const char *e,
    struct ws_sbuf *out, unsigned depth)
{
	const char *d, *q, *val;
	size_t vallen;

	while (s < e) {
		if ((d = memchr(s, '$', (size_t)(e - s))) == NULL)
			return emit(ps, out, s, (size_t)(e - s));
		if (emit(ps, out, s, (size_t)(d - s)) != 0)
			return -1;
		if (d + 1 == e) {		/* a trailing $ */
			return emit(ps, out, d, 1);
		} else if (d[1] == '$') {	/* $$: a literal $ */
			if (emit(ps, out, d, 1) != 0)
				return -1;
			s = d + 2;
		} else if (d[1] == '{') {
			if ((s = braced(ps, d, e, out, depth)) == NULL)
				return -1;
		} else if (ident_start((unsigned char)d[1])) {
			for (q = d + 2; q < e && ident_char((unsigned char)*q);
			    q++)
				;
			ps->interpolated = 1;
			if (!lookup(ps, d + 1, (size_t)(q - d - 1), &val,
			    &vallen))
				unset_ref(ps, d + 1, (size_t)(q - d - 1));
			else if (emit(ps, out, val, vallen) != 0)
				return -1;
			s = q;
		} else {			/* $5, "$ ", $(...): literal */
			if (emit(ps, out, d, 1) != 0)
				return -1;
			s = d + 1;
		}
	}
	return 0;
}

/* The interpolation of [vs, vs + n) into a block of its own in
 * ws_work.  0, or -1 after a finding. */
int
ws_dotenv_interpolate(struct parse *ps, const char *vs, size_t n,
    const char **val, size_t *vallen)
{
	struct ws_sbuf out = { .arena = &ws_work };
	int rc;

	/* the text and as much again: most values grow by a name's
	 * value or two, and the buffer is trimmed when done */
	if (ws_sbuf_start(&out, n > ps->max ? ps->max + 1 : 2 * n + 1) != 0) {
		ws_dotenv_nomem(ps);
		return -1;
	}
	rc = interpolate(ps, vs, vs + n, &out, 0);
	if (rc == 0 && out.len > WS_DOTENV_MAX_OUTPUT - ps->produced) {
		ws_dotenv_too_much(ps);
		rc = -1;
	}
	if (rc != 0) {
		ws_arena_shrink(out.arena, out.p, out.cap, 0);
		return -1;
	}
	ps->produced += out.len;
	*vallen = out.len;
	*val = ws_sbuf_finish(&out);
	return 0;
}
