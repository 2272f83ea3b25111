/*
 * A strict JSON reader (RFC 8259) for the answers of secret stores
 * (SPEC §13).  The answer is in guarded memory (http.c read it there);
 * this reader checks the whole of it in one pass, remembering only
 * where the value at a path of object keys is, then unescapes that
 * value into the arena.  It builds no tree and copies nothing to
 * ordinary heap: a document is a few kilobytes and is read once or
 * twice (one key, or every key of an import).
 *
 * Strict means: one value and only white space around it, no trailing
 * commas, no comments, no control characters or invalid UTF-8 in
 * strings, escapes as the RFC lists them and surrogates in pairs.  A
 * key found twice on the path is refused too: which one would count?
 */
#include "config.h"

#include <sodium.h>
#include <stdint.h>
#include <string.h>

#include "withsecrets.h"
#include "util.h"
#include "secmem.h"
#include "json.h"

#define OFF_PATH	((size_t)-1)	/* a value not on the path */

struct reader {
	const unsigned char *p, *end;
	const char *const *path;
	size_t		 npath;
	const unsigned char *hit, *hit_end;	/* the value at the path */
	size_t		 entered;	/* objects of the path entered */
	int		 null_parent;
	int		 rc;		/* the first error, or 0 */
};

static int
fail(struct reader *r, int rc)
{
	if (r->rc == 0)
		r->rc = rc;
	return -1;
}

static void
skip_ws(struct reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' ||
	    *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

/* Four hex digits at p (p + 4 <= end checked by the caller). */
static long
hex4(const unsigned char *p)
{
	long v = 0;
	int i, h;

	for (i = 0; i < 4; i++) {
		if ((h = ws_hexval(p[i])) < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* The code point of the escape \uXXXX[\uXXXX] at p (just after the
 * backslash and 'u'), and the bytes it takes after the 'u' in *used;
 * -1 when it is not a valid one (a lone surrogate included). */
static long
unicode_escape(const unsigned char *p, const unsigned char *end, size_t *used)
{
	long hi, lo;

	if (end - p < 4 || (hi = hex4(p)) < 0)
		return -1;
	*used = 4;
	if (hi >= 0xDC00 && hi <= 0xDFFF)
		return -1;
	if (hi < 0xD800 || hi > 0xDBFF)
		return hi;
	if (end - p < 10 || p[4] != '\\' || p[5] != 'u' ||
	    (lo = hex4(p + 6)) < 0 || lo < 0xDC00 || lo > 0xDFFF)
		return -1;
	*used = 10;
	return 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
}

/* Scan the string at r->p (at its opening quote): its raw bytes are
 * [*s, *e), between the quotes; r->p moves past the closing one. */
static int
scan_string(struct reader *r, const unsigned char **s, const unsigned char **e)
{
	const unsigned char *p = r->p + 1;
	uint32_t cp;
	size_t n, used;

	*s = p;
	while (p < r->end && *p != '"') {
		if (*p < 0x20)
			return fail(r, WS_JSON_MALFORMED);
		if (*p == '\\') {
			if (p + 1 >= r->end)
				return fail(r, WS_JSON_MALFORMED);
			if (p[1] == 'u') {
				if (unicode_escape(p + 2, r->end, &used) < 0)
					return fail(r, WS_JSON_MALFORMED);
				p += 2 + used;
				continue;
			}
			if (strchr("\"\\/bfnrt", p[1]) == NULL || p[1] == '\0')
				return fail(r, WS_JSON_MALFORMED);
			p += 2;
			continue;
		}
		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((n = ws_utf8_decode(p, (size_t)(r->end - p), &cp)) == 0)
			return fail(r, WS_JSON_MALFORMED);
		p += n;
	}
	if (p >= r->end)
		return fail(r, WS_JSON_MALFORMED);
	*e = p;
	r->p = p + 1;
	return 0;
}

/* Append code point cp as UTF-8 at o; its length. */
static size_t
put_utf8(unsigned char *o, long cp)
{
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/* The next unescaped piece of a checked string at *pp: into o (room
 * for 4 bytes), its length; *pp moves past it. */
static size_t
next_piece(const unsigned char **pp, const unsigned char *end,
    unsigned char *o)
{
	const unsigned char *p = *pp;
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	size_t used;
	long cp;

	if (*p != '\\') {
		*o = *p;
		*pp = p + 1;
		return 1;
	}
	if (p[1] == 'u') {
		cp = unicode_escape(p + 2, end, &used);
		*pp = p + 2 + used;
		return put_utf8(o, cp);
	}
	*o = (unsigned char)to[strchr(from, p[1]) - from];
	*pp = p + 2;
	return 1;
}

/* Does the checked raw string [s, e) unescape to want? */
static int
string_is(const unsigned char *s, const unsigned char *e, const char *want)
{
	const unsigned char *w = (const unsigned char *)want;
	unsigned char piece[4];
	size_t n;

	while (s < e) {
		n = next_piece(&s, e, piece);
		if (strncmp((const char *)w, (const char *)piece, n) != 0 ||
		    memchr(piece, '\0', n) != NULL)
			return 0;
		w += n;
	}
	return *w == '\0';
}

/* Unescape the checked raw string [s, e) into the arena: the bytes are
 * never more than the raw ones. */
static int
unescape(struct ws_arena *a, const unsigned char *s, const unsigned char *e,
    char **out, size_t *outlen)
{
	unsigned char *o = ws_arena_alloc(a, (size_t)(e - s) + 1);
	size_t n = 0;

	if (o == NULL)
		return WS_JSON_NOMEM;
	while (s < e)
		n += next_piece(&s, e, o + n);
	o[n] = '\0';
	*out = (char *)o;
	*outlen = n;
	return memchr(o, '\0', n) != NULL ? WS_JSON_NUL : WS_JSON_OK;
}

static int
scan_digits(struct reader *r)
{
	const unsigned char *p = r->p;

	while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
		r->p++;
	return r->p > p ? 0 : fail(r, WS_JSON_MALFORMED);
}

static int
scan_number(struct reader *r)
{
	if (*r->p == '-')
		r->p++;
	if (r->p < r->end && *r->p == '0')
		r->p++;
	else if (scan_digits(r) != 0)
		return -1;
	if (r->p < r->end && *r->p == '.') {
		r->p++;
		if (scan_digits(r) != 0)
			return -1;
	}
	if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
		r->p++;
		if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
			r->p++;
		if (scan_digits(r) != 0)
			return -1;
	}
	return 0;
}

static int
scan_word(struct reader *r, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n) != 0)
		return fail(r, WS_JSON_MALFORMED);
	r->p += n;
	return 0;
}

static int scan_value(struct reader *, unsigned depth, size_t level);

/* One member of an object at level of the path (OFF_PATH: off it);
 * *matched counts the members whose key is the path's. */
static int
scan_member(struct reader *r, unsigned depth, size_t level, int *matched)
{
	const unsigned char *ks, *ke, *vs;
	size_t next = OFF_PATH;

	if (r->p >= r->end || *r->p != '"' || scan_string(r, &ks, &ke) != 0)
		return fail(r, WS_JSON_MALFORMED);
	skip_ws(r);
	if (r->p >= r->end || *r->p != ':')
		return fail(r, WS_JSON_MALFORMED);
	r->p++;
	skip_ws(r);
	if (level != OFF_PATH && string_is(ks, ke, r->path[level])) {
		if ((*matched)++ > 0)
			return fail(r, WS_JSON_MALFORMED);
		next = level + 1;
	}
	vs = r->p;
	if (scan_value(r, depth + 1, next) != 0)
		return -1;
	if (next == r->npath) {
		r->hit = vs;
		r->hit_end = r->p;
	} else if (next != OFF_PATH && *vs == 'n')
		r->null_parent = 1;
	return 0;
}

/* After a member or an element: ',' and more (0), the closing byte
 * (1, past it), or anything else (-1, malformed). */
static int
next_item(struct reader *r, unsigned char close)
{
	skip_ws(r);
	if (r->p >= r->end)
		return fail(r, WS_JSON_MALFORMED);
	if (*r->p == close) {
		r->p++;
		return 1;
	}
	if (*r->p != ',')
		return fail(r, WS_JSON_MALFORMED);
	r->p++;
	skip_ws(r);
	return 0;
}

static int
scan_object(struct reader *r, unsigned depth, size_t level)
{
	int matched = 0, rc;

	if (level != OFF_PATH && level < r->npath && level + 1 > r->entered)
		r->entered = level + 1;
	if (level != OFF_PATH && level >= r->npath)
		level = OFF_PATH;
	r->p++;
	skip_ws(r);
	if (r->p < r->end && *r->p == '}') {
		r->p++;
		return 0;
	}
	for (;;) {
		if (scan_member(r, depth, level, &matched) != 0 ||
		    (rc = next_item(r, '}')) < 0)
			return -1;
		if (rc == 1)
			return 0;
	}
}

static int
scan_array(struct reader *r, unsigned depth)
{
	int rc;

	r->p++;
	skip_ws(r);
	if (r->p < r->end && *r->p == ']') {
		r->p++;
		return 0;
	}
	for (;;) {
		if (scan_value(r, depth + 1, OFF_PATH) != 0 ||
		    (rc = next_item(r, ']')) < 0)
			return -1;
		if (rc == 1)
			return 0;
	}
}

/* One value at r->p (white space skipped before it). */
static int
scan_value(struct reader *r, unsigned depth, size_t level)
{
	const unsigned char *s, *e;

	if (depth > WS_JSON_MAX_DEPTH)
		return fail(r, WS_JSON_TOO_DEEP);
	if (r->p >= r->end)
		return fail(r, WS_JSON_MALFORMED);
	switch (*r->p) {
	case '{':
		return scan_object(r, depth, level);
	case '[':
		return scan_array(r, depth);
	case '"':
		return scan_string(r, &s, &e);
	case 't':
		return scan_word(r, "true");
	case 'f':
		return scan_word(r, "false");
	case 'n':
		return scan_word(r, "null");
	default:
		if (*r->p == '-' || (*r->p >= '0' && *r->p <= '9'))
			return scan_number(r);
		return fail(r, WS_JSON_MALFORMED);
	}
}

/* Check the whole document, noting where the value at path is. */
static int
scan_document(struct reader *r, const char *doc, size_t len,
    const char *const *path, size_t npath)
{
	memset(r, 0, sizeof(*r));
	r->p = (const unsigned char *)doc;
	r->end = r->p + len;
	r->path = path;
	r->npath = npath;
	skip_ws(r);
	if (npath == 0)
		r->hit = r->p;
	if (scan_value(r, 0, 0) != 0)
		return r->rc;
	if (npath == 0)
		r->hit_end = r->p;
	skip_ws(r);
	if (r->p != r->end)
		return WS_JSON_MALFORMED;
	if (r->hit != NULL)
		return WS_JSON_OK;
	if (r->entered >= npath)
		return WS_JSON_MISSING;
	return r->null_parent ? WS_JSON_NULL_PARENT : WS_JSON_NO_PARENT;
}

int
ws_json_string(const char *doc, size_t len, const char *const *path,
    size_t npath, struct ws_arena *a, char **out, size_t *outlen)
{
	struct reader r;
	const unsigned char *s, *e;
	int rc;

	if ((rc = scan_document(&r, doc, len, path, npath)) != WS_JSON_OK)
		return rc;
	if (*r.hit != '"')
		return WS_JSON_NOT_STRING;
	r.p = r.hit;
	if (scan_string(&r, &s, &e) != 0)
		return WS_JSON_MALFORMED;	/* checked: cannot happen */
	if ((rc = unescape(a, s, e, out, outlen)) == WS_JSON_NUL)
		sodium_memzero(*out, *outlen);
	return rc;
}

int
ws_json_members(const char *doc, size_t len, const char *const *path,
    size_t npath, struct ws_arena *a, ws_json_member_fn fn, void *arg)
{
	struct reader r;
	const unsigned char *ks, *ke, *vs, *ve;
	char *key, *val;
	size_t keylen, vallen;
	int rc, vrc;

	if ((rc = scan_document(&r, doc, len, path, npath)) != WS_JSON_OK)
		return rc;
	if (*r.hit != '{')
		return WS_JSON_NOT_STRING;
	/* the object was checked: walk its members again */
	r.path = NULL;
	r.npath = 0;
	r.p = r.hit + 1;
	skip_ws(&r);
	while (r.p < r.hit_end && *r.p == '"') {
		(void)scan_string(&r, &ks, &ke);
		skip_ws(&r);
		r.p++;		/* ':' */
		skip_ws(&r);
		vs = r.p;
		(void)scan_value(&r, 1, OFF_PATH);
		ve = r.p;
		if ((rc = unescape(a, ks, ke, &key, &keylen)) == WS_JSON_NOMEM)
			return rc;
		val = NULL;
		vallen = 0;
		vrc = WS_JSON_NOT_STRING;
		if (*vs == '"') {
			r.p = vs;
			(void)scan_string(&r, &ks, &ke);
			if ((vrc = unescape(a, ks, ke, &val, &vallen)) ==
			    WS_JSON_NOMEM)
				return vrc;
			if (vrc == WS_JSON_NUL)
				sodium_memzero(val, vallen);
			r.p = ve;
		}
		if ((rc = fn(arg, key, rc == WS_JSON_NUL ? strlen(key) : keylen,
		    vrc, val, vallen)) != 0)
			return rc;
		skip_ws(&r);
		if (r.p < r.hit_end && *r.p == ',')
			r.p++;
		skip_ws(&r);
	}
	return WS_JSON_OK;
}

const char *
ws_json_strerror(int rc)
{
	switch (rc) {
	case WS_JSON_OK:
		return "no error";
	case WS_JSON_MISSING:
		return "the key is not there";
	case WS_JSON_NO_PARENT:
		return "the answer does not have the expected fields";
	case WS_JSON_NULL_PARENT:
		return "the version is deleted or destroyed";
	case WS_JSON_NOT_STRING:
		return "the value is not a JSON string";
	case WS_JSON_NUL:
		return "the value holds a NUL byte (\\u0000)";
	case WS_JSON_TOO_DEEP:
		return "the answer is nested too deeply";
	case WS_JSON_NOMEM:
		return "out of guarded memory";
	default:
		return "the answer is not valid JSON";
	}
}
