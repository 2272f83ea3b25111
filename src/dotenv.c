/*
 * The .env parser (SPEC §4.4): the syntax of Docker Compose's env
 * files, read into guarded memory and interpolated under the
 * precedence of §4.
 *
 * A file is a sequence of statements rather than of lines: a quoted
 * value may span lines, and text after a closing quote starts the next
 * statement, as in Compose.  A statement is
 *
 *	[export] NAME = VALUE	(or NAME: VALUE)
 *	NAME			(a bare name: the inherited value, or unset)
 *
 * and a VALUE is unquoted (to the end of the line, cut at " #", blanks
 * trimmed, interpolated), single-quoted (literal) or double-quoted
 * (escapes, then interpolation).  Nothing is ever executed.
 *
 * The raw file lives in ws_work; quoted values are unescaped in place
 * (the result is never longer than the text it comes from), and each
 * value is then copied or interpolated into a block of its own in
 * ws_work.  The raw buffer is wiped when the file is done.
 *
 * Messages name the file, the line, the variable and the rule, never
 * the text of the line: a syntax error in a secrets file must not
 * print the secret next to it.
 */
#include "config.h"

#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "withsecrets.h"
#include "dotenv.h"
#include "util.h"
#include "secmem.h"
#include "diag.h"
#include "names.h"
#include "file.h"
#include "vars.h"
#include "dotenv-internal.h"


/* ------------------------------------------------------------------ */
/* Findings.                                                           */

/* ------------------------------------------------------------------ */
/* Characters.                                                         */

/* Compose's blanks: white space that is not a line feed (space, TAB,
 * VT, FF, CR, U+0085, U+00A0).  Returns the length of the one at p. */
static size_t
blank_len(const char *p, const char *end)
{
	const unsigned char *u = (const unsigned char *)p;

	switch (*u) {
	case ' ': case '\t': case '\v': case '\f': case '\r':
		return 1;
	case 0xc2:
		if (end - p >= 2 && (u[1] == 0x85 || u[1] == 0xa0))
			return 2;
		return 0;
	default:
		return 0;
	}
}

/* Unicode white space (line feeds and the wide spaces too), the set
 * Compose trims around names and unquoted values. */
static size_t
space_len(const char *p, const char *end)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t n;

	if (*u == '\n')
		return 1;
	if ((n = blank_len(p, end)) != 0)
		return n;
	if (end - p < 3)
		return 0;
	if (u[0] == 0xe1 && u[1] == 0x9a && u[2] == 0x80)	/* U+1680 */
		return 3;
	if (u[0] == 0xe2 && u[1] == 0x80 &&
	    (u[2] <= 0x8a || u[2] == 0xa8 || u[2] == 0xa9 || u[2] == 0xaf))
		return 3;	/* U+2000-200A, U+2028, U+2029, U+202F */
	if (u[0] == 0xe2 && u[1] == 0x81 && u[2] == 0x9f)	/* U+205F */
		return 3;
	if (u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80)	/* U+3000 */
		return 3;
	return 0;
}

/* An ASCII byte that is not white space: no space can end with it
 * (every longer space ends with a byte above 0x7f). */
static int
ascii_nonspace(unsigned char c)
{
	return c < 0x80 && c != ' ' && (c < '\t' || c > '\r');
}

/* Length of the white space that ends at end, or 0. */
static size_t
space_before(const char *start, const char *end)
{
	size_t n = (size_t)(end - start), k;

	if (n == 0 || ascii_nonspace((unsigned char)end[-1]))
		return 0;	/* the common case, at once */
	for (k = 1; k <= 3 && k <= n; k++)
		if (space_len(end - k, end) == k)
			return k;
	return 0;
}

/*
 * Byte classes, looked up rather than computed (names and values are
 * scanned byte by byte): NAME_BYTE, a character an ASCII name may
 * hold (A-Z a-z 0-9 _ . - [ ]); PLAIN_BYTE, one an unquoted value may
 * hold without any work (printable ASCII but '$' and '#').  Bytes from
 * 0x80 up are neither.
 */
#define NAME_BYTE	1
#define PLAIN_BYTE	2
static const unsigned char byte_class[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x00 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x10 */
	2, 2, 2, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 2,	/* 0x20 */
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2,	/* 0x30 */
	2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,	/* 0x40 */
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 3, 2, 3,	/* 0x50 */
	2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,	/* 0x60 */
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 0,	/* 0x70 */
};

static int
ascii_name_char(unsigned char c)
{
	return byte_class[c] & NAME_BYTE;
}


/* ------------------------------------------------------------------ */
/* Values.                                                             */

/* Append the UTF-8 form of code point c (< 256), as Compose does for
 * an octal escape. */
static char *
put_code_point(char *w, unsigned c)
{
	if (c < 0x80) {
		*w++ = (char)c;
	} else {
		*w++ = (char)(0xc0 | (c >> 6));
		*w++ = (char)(0x80 | (c & 0x3f));
	}
	return w;
}

/*
 * Compose's escapes of a double-quoted value, in place (the result is
 * never longer): \a \b \f \n \r \t \v \" \\ as in C, \$ as $$ (a
 * literal dollar for the interpolation that follows), \0NNN octal;
 * any other backslash pair is kept as written.  Returns the new end,
 * or NULL when an escape makes a NUL byte.
 */
static char *
unescape(char *s, char *e)
{
	static const char from[] = "abfnrtv\"\\", to[] = "\a\b\f\n\r\t\v\"\\";
	char *r, *w;
	const char *k;
	unsigned v;
	size_t nd, i;

	if ((r = memchr(s, '\\', (size_t)(e - s))) == NULL)
		return e;	/* no escape: nothing moves */
	w = r;		/* the text before the first one stays */
	while (r < e) {
		if (*r != '\\' || r + 1 == e) {
			*w++ = *r++;
			continue;
		}
		if (r[1] != '\0' && (k = strchr(from, r[1])) != NULL) {
			*w++ = to[k - from];
			r += 2;
		} else if (r[1] == '$') {
			*w++ = '$';
			*w++ = '$';
			r += 2;
		} else if (r[1] == '0') {
			/* \0 and up to three digits: three octal digits
			 * up to 0377 are a code point; otherwise the 0 is
			 * dropped and the rest kept, as Compose does */
			for (nd = 0; nd < 3 && r + 2 + nd < e &&
			    r[2 + nd] >= '0' && r[2 + nd] <= '9'; nd++)
				;
			if (nd == 3 && r[2] <= '7' && r[3] <= '7' &&
			    r[4] <= '7' && (v = (unsigned)((r[2] - '0') * 64 +
			    (r[3] - '0') * 8 + (r[4] - '0'))) <= 255) {
				if (v == 0)
					return NULL;
				w = put_code_point(w, v);
			} else {
				*w++ = '\\';
				/* (w is before r: a forward copy) */
				for (i = 0; i < nd; i++)
					*w++ = r[2 + i];
			}
			r += 2 + nd;
		} else {
			*w++ = *r++;
			*w++ = *r++;
		}
	}
	return w;
}

/*
 * A quoted value at ps->p (the opening quote), unescaped in place:
 * a backslash before the quote character keeps the quote, any other
 * backslash pair is kept as written (for unescape() to judge in double
 * quotes).  Sets [*vs, *ve); -1 when the quote is never closed.
 */
static int
read_quoted(struct parse *ps, char **vs, char **ve)
{
	char q = *ps->p, *r = ps->p + 1, *w = r, *start = r, *stop, *c;
	unsigned first = ps->line;

	ps->backslash = 0;
	/* Up to the first backslash nothing moves: skip that much at once
	 * (the closing quote, when there is no backslash before it). */
	if ((stop = memchr(r, q, (size_t)(ps->end - r))) == NULL)
		stop = ps->end;
	if ((c = memchr(r, '\\', (size_t)(stop - r))) != NULL)
		stop = c;
	for (c = r; (c = memchr(c, '\n', (size_t)(stop - c))) != NULL; c++)
		ps->line++;
	r = w = stop;
	while (r < ps->end) {
		if (*r == '\\' && r + 1 < ps->end) {
			ps->backslash = 1;
			if (r[1] == q) {
				*w++ = q;
			} else {
				if (r[1] == '\n')
					ps->line++;
				*w++ = '\\';
				*w++ = r[1];
			}
			r += 2;
			continue;
		}
		if (*r == q) {
			*vs = start;
			*ve = w;
			ps->p = r + 1;
			return 0;
		}
		if (*r == '\n')
			ps->line++;
		*w++ = *r++;
	}
	ps->p = ps->end;
	ws_dotenv_record(ps, WS_EX_DATAERR, "syntax", ps->key, first,
	    "%s-quoted value never closed; add the closing %s",
	    q == '"' ? "double" : "single", q == '"' ? "\"" : "'");
	ps->stop = 1;
	return -1;
}

/* An unquoted value at ps->p: to the end of the line, cut at the first
 * " #", trailing white space removed.  Leaves ps->p at the line feed. */
static void
read_unquoted(struct parse *ps, char **vs, char **ve)
{
	char *s = ps->p, *eol, *le, *c;
	size_t k;

	if ((eol = memchr(s, '\n', (size_t)(ps->end - s))) == NULL)
		eol = ps->end;
	/* the first " #": a '#' after a space (most lines have none) */
	for (le = eol, c = s; c + 1 < eol &&
	    (c = memchr(c + 1, '#', (size_t)(eol - c - 1))) != NULL; )
		if (c[-1] == ' ') {
			le = c - 1;
			break;
		}
	while (le > s && (k = space_before(s, le)) != 0)
		le -= k;
	*vs = s;
	*ve = le;
	ps->p = eol;
}

/* A value with nothing to interpolate: a copy in a block of its size.
 * 0, or -1 after a finding. */
static int
copy_value(struct parse *ps, const char *vs, size_t n, const char **val)
{
	char *p;

	if (n > ps->max) {
		ws_dotenv_too_large(ps);
		return -1;
	}
	if (n > WS_DOTENV_MAX_OUTPUT - ps->produced) {
		ws_dotenv_too_much(ps);
		return -1;
	}
	if ((p = ws_arena_alloc(&ws_work, n + 1)) == NULL) {
		ws_dotenv_nomem(ps);
		return -1;
	}
	memcpy(p, vs, n);
	p[n] = '\0';
	ps->produced += n;
	*val = p;
	return 0;
}


/* The value of the statement, into guarded memory.  0, or -1 after a
 * finding. */
static int
evaluate(struct parse *ps, enum quoting qk, char *vs, char *ve,
    const char **val, size_t *vallen)
{
	size_t n;

	ps->interpolated = 0;
	ps->from_secret = 0;
	if (memchr(vs, '\0', (size_t)(ve - vs)) != NULL) {
		ws_dotenv_record(ps, WS_EX_DATAERR, "nul-byte", ps->key, ps->key_line,
		    "contains a NUL byte, which an environment variable "
		    "cannot hold");
		return -1;
	}
	/* (no backslash: nothing to unescape, no need to look again) */
	if (qk == DOUBLE && ps->backslash && (ve = unescape(vs, ve)) == NULL) {
		ws_dotenv_record(ps, WS_EX_DATAERR, "nul-byte", ps->key, ps->key_line,
		    "an octal escape makes a NUL byte, which an environment "
		    "variable cannot hold");
		return -1;
	}
	n = (size_t)(ve - vs);
	if (qk == SINGLE || memchr(vs, '$', n) == NULL) {
		*vallen = n;
		return copy_value(ps, vs, n, val);
	}
	return ws_dotenv_interpolate(ps, vs, n, val, vallen);
}


/* ------------------------------------------------------------------ */
/* Statements.                                                         */

/* Skip white space, line feeds and comment lines.  0 at the end. */
static int
next_statement(struct parse *ps)
{
	size_t n;
	char *nl;

	for (;;) {
		while (ps->p < ps->end &&
		    !ascii_nonspace((unsigned char)*ps->p) &&
		    (n = space_len(ps->p, ps->end)) != 0) {
			if (*ps->p == '\n')
				ps->line++;
			ps->p += n;
		}
		if (ps->p >= ps->end)
			return 0;
		if (*ps->p != '#')
			return 1;
		if ((nl = memchr(ps->p, '\n', (size_t)(ps->end - ps->p))) ==
		    NULL) {
			ps->p = ps->end;
			return 0;
		}
		ps->p = nl;
	}
}

/* After an error in a name: go on at the next line. */
static void
skip_line(struct parse *ps)
{
	char *nl = memchr(ps->p, '\n', (size_t)(ps->end - ps->p));

	ps->p = nl ? nl : ps->end;
}

static void
skip_blanks(struct parse *ps)
{
	size_t n;

	while (ps->p < ps->end && (n = blank_len(ps->p, ps->end)) != 0)
		ps->p += n;
}

/* "export" and white space before a name is dropped. */
static void
skip_export(struct parse *ps)
{
	if (ps->end - ps->p > 6 && memcmp(ps->p, "export", 6) == 0 &&
	    strchr(" \t\f\r\n", ps->p[6]) != NULL && ps->p[6] != '\0') {
		ps->p += 6;
		skip_blanks(ps);
	}
}

/* Where a name ends: at '=', ':', a line feed or the end of the file.
 * Every other character must be one a name may hold, or a blank; the
 * first blank is noted in *blank (NULL when there is none).  Returns
 * the terminator's position, or NULL after a finding. */
static char *
scan_name(struct parse *ps, char *s, char **blank)
{
	char *q, *bol;
	uint32_t cp;
	size_t n;

	*blank = NULL;
	for (q = s; q < ps->end; q += n) {
		n = 1;
		if (ascii_name_char((unsigned char)*q))
			continue;
		if (*q == '=' || *q == ':' || *q == '\n')
			return q;
		if ((n = blank_len(q, ps->end)) != 0) {
			if (*blank == NULL)
				*blank = q;
			continue;
		}
		if ((unsigned char)*q >= 0x80) {
			n = ws_utf8_decode((const unsigned char *)q,
			    (size_t)(ps->end - q), &cp);
			if (n != 0 && ws_name_valid(q, n))
				continue;
		}
		/* a NUL before q on its line is a line feed that a value
		 * of the fast path (plain_statement) took as its end (the
		 * NUL it puts after a name is on that line too) */
		for (bol = q; bol > ps->buf && bol[-1] != '\n' &&
		    bol[-1] != '\0'; bol--)
			;
		ws_dotenv_record(ps, WS_EX_DATAERR, "syntax", NULL, ps->line,
		    "invalid character in a variable name (column %zu); "
		    "names hold letters, digits, '_', '.', '-', '[' and ']', "
		    "and a value follows '='", (size_t)(q - bol) + 1);
		return NULL;
	}
	return q;
}

/* A copy of the name for the store.  A name set again gets a copy of
 * its own too: looking it up first would cost every name a lookup. */
static const char *
intern_name(const char *s, size_t n)
{
	return ws_intern(s, n);
}

/*
 * A NAME_FILE (or FILE__NAME) of this file set again after an
 * interpolation above resolved it: the NAME its earlier value read is
 * taken back (wiped), so that the final pass resolves the value the
 * pointer ends with.  A name given twice keeps its last value; the
 * interpolations above keep what they saw at their point, as in Compose.
 */
static void
forget_resolved(struct parse *ps, const char *name, size_t n)
{
	struct ws_var *p, *t;
	const char *target;
	size_t tlen;

	if ((tlen = ws_pointer_target(name, n, &target)) == 0)
		return;
	p = ws_store_get_in(ps->store, ps->src, name, n);
	if (p == NULL || !(p->flags & WS_VAR_RESOLVED))
		return;
	t = ws_store_get_in(ps->store, ps->src, target, tlen);
	if (t == NULL || !(t->flags & WS_VAR_FROM_FILE))
		return;
	sodium_memzero((char *)(uintptr_t)t->value, t->vallen);
	ws_store_remove(ps->store, t);
}

/*
 * NAME after a NAME_FILE of the same file that an interpolation above
 * has already resolved: the resolved entry would be replaced silently,
 * so the contradiction (SPEC §4.1, both-set) is reported here.  (And a
 * NAME_FILE set again forgets what it resolved to, forget_resolved.)
 */
static int
replaces_resolved(struct parse *ps, const char *name, size_t n,
    unsigned line)
{
	struct ws_var *v;
	char *src;

	if (!ps->resolved)
		return 0;	/* no interpolation has read a file yet */
	forget_resolved(ps, name, n);
	v = ws_store_get_in(ps->store, ps->src, name, n);
	if (v == NULL || !(v->flags & WS_VAR_FROM_FILE))
		return 0;
	src = ws_source_fmt(ps->display, line);
	ws_finding(WS_SEV_ERROR, WS_EX_POLICY, "both-set", name, src,
	    "both %s and a %s_FILE or FILE__%s pointer are set (but are "
	    "exclusive); remove one of them", name, name, name);
	free(src);
	return 1;
}

/* A name alone: the inherited value, or not set (SPEC §4.4). */
static void
bare_name(struct parse *ps, const char *name, size_t n, unsigned line)
{
	const char *val = ws_environ_get(ps->in->environ, name, n);

	if (val != NULL) {
		if (!replaces_resolved(ps, name, n, line))
			(void)ws_store_add(ps->store, ps->src, name, n, val,
			    strlen(val), line, 0);
	}
	else if (ws_store_get_in(ps->store, ps->src, name, n) == NULL)
		(void)ws_store_add(ps->store, ps->src, name, n, "", 0, line,
		    WS_VAR_NO_VALUE);
}

/*
 * The common statements, on a line of their own with an ASCII name
 * directly followed by '=', in one pass (SPEC §9):
 *
 *	NAME=value	plain bytes that start and end with no blank
 *			(nothing to trim, unquote, unescape or interpolate)
 *	NAME="value"	no backslash, quote or NUL inside (nothing to
 *			unescape; interpolated when it holds a '$')
 *
 * Anything else (export, single quotes, blanks, '$' or '#' unquoted,
 * bytes above 0x7e or below 0x20 unquoted, a quoted value spanning lines
 * or followed by more text) returns 0 with nothing done, and the
 * general path reads the statement.  Returns 1 when done.
 */
static int
plain_statement(struct parse *ps)
{
	const unsigned char *k = (const unsigned char *)ps->p, *e, *v, *q;
	const char *val;
	char *name, *vs = NULL;
	size_t klen, n;
	unsigned flags = 0;
	int rc = 0;
	struct ws_var *entry;

	/* A line feed, whose class is none, ends the scans below: the
	 * text's last byte when it is one, else the next one, which must
	 * be there (a last line without one takes the general path). */
	if (!ps->lf_last && memchr(k, '\n', (size_t)(ps->end - ps->p)) == NULL)
		return 0;
	for (e = k; byte_class[*e] & NAME_BYTE; e++)
		;
	if (e == k || *e != '=')
		return 0;
	klen = (size_t)(e - k);
	v = e + 1;
	if (*v == '"') {
		/* the value between the quotes, as read_quoted() and
		 * evaluate() find it when it holds none of these */
		q = memchr(v, '\n', (size_t)(ps->end - (const char *)v));
		n = (size_t)(q - v);
		if (n < 2 || q[-1] != '"')
			return 0;
		vs = (char *)v + 1;
		n -= 2;
		if (memchr(vs, '"', n) != NULL || memchr(vs, '\\', n) != NULL ||
		    memchr(vs, '\0', n) != NULL)
			return 0;
	} else {
		if (*v == ' ' || *v == '\'')
			return 0;	/* blanks to trim, or quotes */
		for (e = v; byte_class[*e] & PLAIN_BYTE; e++)
			;
		if (*e != '\n')
			return 0;	/* a byte to look at, before the end */
		q = e;
		n = (size_t)(q - v);
		if (n > 0 && q[-1] == ' ')
			return 0;	/* a blank to trim */
	}
	/*
	 * The name and the value are used where they are, in the file's
	 * text: the '=' becomes the name's terminator and the line feed
	 * (or the closing quote) the value's.  Nothing is copied.  The text
	 * is guarded memory that lives until ws_work is zeroed, at the
	 * scrub before execve or at exit, after the last use of a name
	 * (findings copy theirs).
	 */
	name = ps->p;
	name[klen] = '\0';
	ps->key = name;
	ps->key_line = ps->line;
	ps->interpolated = 0;
	ps->p = (char *)q + 1;	/* the cursor moves past the line feed */
	ps->line++;
	if (vs != NULL && memchr(vs, '$', n) != NULL) {
		ps->from_secret = 0;
		rc = ws_dotenv_interpolate(ps, vs, n, &val, &n);
		flags = ps->from_secret ? WS_VAR_SECRET : 0;
	} else if (n > ps->max || n > WS_DOTENV_MAX_OUTPUT - ps->produced) {
		if (n > ps->max)
			ws_dotenv_too_large(ps);
		else
			ws_dotenv_too_much(ps);
		rc = -1;
	} else {
		ps->produced += n;	/* counted as the general path does */
		val = vs != NULL ? vs : (const char *)v;
		((char *)val)[n] = '\0';	/* the quote, or the line feed */
	}
	if (rc != 0)
		return 1;
	/* (tested here first: most files have no interpolation that read
	 * a NAME_FILE, and this is every line) */
	if (ps->resolved && replaces_resolved(ps, name, klen, ps->key_line))
		return 1;
	entry = ws_store_add(ps->store, ps->src, name, klen, val, n,
	    ps->key_line, flags);
	if (ps->n_unset > 0)
		ws_dotenv_note_unset(ps, entry);
	return 1;
}

static void
statement(struct parse *ps)
{
	char *kstart, *kend, *term, *vs, *ve, *blank;
	const char *name, *val;
	enum quoting qk;
	unsigned line;
	size_t k, vallen, klen;
	int bad = 0;
	struct ws_var *v;

	skip_export(ps);
	line = ps->line;
	kstart = ps->p;
	if (kstart >= ps->end || *kstart == '\n')
		return;			/* "export" alone */
	if ((term = scan_name(ps, kstart, &blank)) == NULL) {
		skip_line(ps);
		return;
	}
	kend = term;
	while (kend > kstart && (k = space_before(kstart, kend)) != 0)
		kend -= k;
	klen = (size_t)(kend - kstart);
	/* blanks before the terminator are trimmed; one before is inside */
	if (blank != NULL && blank < kend) {
		ws_dotenv_record(ps, WS_EX_DATAERR, "syntax", NULL, line,
		    "a variable name cannot contain a space; write NAME=value");
		bad = 1;
	}
	if (!bad && klen == 0) {
		ws_dotenv_record(ps, WS_EX_DATAERR, "syntax", NULL, line,
		    "no variable name before '%c'", *term);
		bad = 1;
	}
	name = bad ? NULL : intern_name(kstart, klen);
	if (term == ps->end || *term == '\n') {
		ps->p = term;
		if (!bad)
			bare_name(ps, name, klen, line);
		return;
	}
	ps->p = term + 1;
	skip_blanks(ps);
	ps->key = name;
	ps->key_line = line;
	if (ps->p < ps->end && (*ps->p == '"' || *ps->p == '\'')) {
		qk = *ps->p == '"' ? DOUBLE : SINGLE;
		if (read_quoted(ps, &vs, &ve) != 0)
			return;
	} else {
		qk = UNQUOTED;
		read_unquoted(ps, &vs, &ve);
	}
	if (bad || evaluate(ps, qk, vs, ve, &val, &vallen) != 0)
		return;
	if (replaces_resolved(ps, name, klen, line))
		return;
	v = ws_store_add(ps->store, ps->src, name, klen, val, vallen, line,
	    ps->from_secret ? WS_VAR_SECRET : 0);
	if (ps->n_unset > 0)
		ws_dotenv_note_unset(ps, v);
}

int
ws_dotenv_parse(const struct ws_dotenv_in *in, const char *display,
    char *buf, size_t len)
{
	struct parse ps;

	memset(&ps, 0, sizeof(ps));
	ps.in = in;
	ps.store = in->store;
	ps.src = in->src;
	ps.display = display;
	ps.buf = ps.p = buf;
	ps.end = buf + len;
	ps.line = 1;
	ps.max = in->max;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		ps.p += 3;		/* a UTF-8 byte-order mark */
	ps.lf_last = len > 0 && buf[len - 1] == '\n';
	while (!ps.stop && next_statement(&ps)) {
		ps.key = NULL;
		ps.n_unset = 0;
		if (!plain_statement(&ps))
			statement(&ps);
	}
	free(ps.unset);
	return ps.status;
}

int
ws_dotenv_read(const char *path, int missing_ok, struct ws_blob *b)
{
	struct ws_read r;

	memset(&r, 0, sizeof(r));
	r.dirfd = AT_FDCWD;
	r.path = path;
	r.display = path;
	r.max = WS_MAX_ENV_FILE_SIZE;
	r.missing_ok = missing_ok;
	return ws_file_read(&r, b);
}

int
ws_dotenv_load(const struct ws_dotenv_in *in, const char *path,
    int missing_ok)
{
	struct ws_blob b;
	int rc;

	if ((rc = ws_dotenv_read(path, missing_ok, &b)) != 0)
		return rc;
	in->src->file_relative = 1;
	/* the text stays: plain values point into it (plain_statement),
	 * and it is zeroed with the rest of ws_work */
	return ws_dotenv_parse(in, path, b.p, b.len);
}
