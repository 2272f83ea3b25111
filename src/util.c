/*
 * Utilities used by every module (see util.h).  This module calls no
 * other module of withsecrets: tests/modgraph.sh keeps it so.
 */
#include "config.h"

#include "util.h"


#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>	/* vsnprintf: formatting only, no streams */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>


/* ------------------------------------------------------------------ */
/* Allocation.                                                         */

static void (*fatal_handler)(void);

void
ws_set_fatal_handler(void (*fn)(void))
{
	fatal_handler = fn;
}

WS_NORETURN void
ws_fatal(const char *why)
{
	static const char m[] = "withsecrets: error: ";

	/* write(2) alone: nothing here may need memory */
	(void)!write(STDERR_FILENO, m, sizeof(m) - 1);
	(void)!write(STDERR_FILENO, why, strlen(why));
	(void)!write(STDERR_FILENO, "\n", 1);
	if (fatal_handler != NULL)
		fatal_handler();	/* wipes and exits */
	abort();
}

WS_NORETURN void
ws_fatal_nomem(void)
{
	ws_fatal("out of memory");
}

void *
ws_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		ws_fatal_nomem();
	return p;
}

/*
 * On a virtual machine the first touch of each page of memory is a trap
 * that costs several microseconds: about 0.1 ms for the dozen pages of
 * heap a typical reading fills (docs/PERFORMANCE.md).  One
 * madvise(MADV_POPULATE_WRITE) faults them in together.  It assumes that
 * malloc grows one heap upwards from where a fresh allocation lands, as
 * glibc's main arena does; with another malloc it may fault in pages
 * nothing uses (no content changes: populating only maps them).  A
 * kernel older than 5.14 refuses the call, and the pages are faulted in
 * one at a time, as without it.
 */
void
ws_heap_prefault(size_t bytes)
{
#ifdef MADV_POPULATE_WRITE
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t at;
	void *probe;

	if (page <= 0 || (probe = malloc(1)) == NULL)
		return;
	at = (uintptr_t)probe & ~((uintptr_t)page - 1);
	/* beyond the heap's end: ENOMEM, after what is mapped is done */
	(void)madvise((void *)at, bytes, MADV_POPULATE_WRITE);
	free(probe);
#else
	(void)bytes;
#endif
}

void *
ws_xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);

	if (p == NULL)
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

/* ------------------------------------------------------------------ */
/* The environment.                                                    */

const char *
ws_environ_get(char **envp, const char *name, size_t n)
{
	char **e;

	for (e = envp; e != NULL && *e != NULL; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

/* ------------------------------------------------------------------ */
/* UTF-8 and escaping.                                                 */

size_t
ws_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		c = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		c = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) ||
	    (len == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

int
ws_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t
ws_utf8_length(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

/* Length of the sequence at u that is safe to print as it is, or 0:
 * control characters (C0, DEL and C1, which some terminals obey) and
 * bytes that are not valid UTF-8 are escaped instead. */
static size_t
printable_len(const unsigned char *u, size_t n)
{
	uint32_t cp;
	size_t len = ws_utf8_decode(u, n, &cp);

	if (len == 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f))
		return 0;
	return len;
}

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

char *
ws_source_fmt(const char *path, unsigned line)
{
	if (line == 0)
		return ws_xstrdup(path);
	return ws_xasprintf("%s:%u", path, line);
}

/* ------------------------------------------------------------------ */
/* Paths and globs.                                                    */

char *
ws_path_join(const char *dir, const char *file)
{
	size_t dl, fl;
	char *s;

	if (file[0] == '/' || dir == NULL || strcmp(dir, ".") == 0)
		return ws_xstrdup(file);
	dl = strlen(dir);
	fl = strlen(file);
	s = ws_xmalloc(dl + fl + 2);
	memcpy(s, dir, dl);
	if (dl == 0 || dir[dl - 1] != '/')
		s[dl++] = '/';
	memcpy(s + dl, file, fl + 1);
	return s;
}

/* One bracket expression at *pp ('[' ... ']') against c.  Returns 1 on
 * a match, 0 on none, -1 when it is not closed (then '[' is literal). */
static int
bracket(const char **pp, unsigned char c)
{
	const char *p = *pp + 1;
	unsigned char lo, hi;
	int neg = 0, match = 0;

	if (*p == '!' || *p == '^') {
		neg = 1;
		p++;
	}
	if (*p == ']') {		/* a leading ] is literal */
		match = c == ']';
		p++;
	}
	while (*p != '\0' && *p != ']') {
		if (*p == '\\' && p[1] != '\0')
			p++;
		lo = hi = (unsigned char)*p++;
		if (*p == '-' && p[1] != '\0' && p[1] != ']') {
			p++;
			if (*p == '\\' && p[1] != '\0')
				p++;
			hi = (unsigned char)*p++;
		}
		if (c >= lo && c <= hi)
			match = 1;
	}
	if (*p != ']')
		return -1;
	*pp = p + 1;
	return match != neg;
}

/*
 * Glob matching of [s, s + n) against pat, as fnmatch(3) without flags
 * would, for '*', '?', '[...]' and '\': here because values are matched
 * in place (no copy, no locale conversion) and names often.  The usual
 * backtracking to the last '*' keeps it O(len(pat) * n).
 */
int
ws_wildmatch(const char *pat, const char *s, size_t n)
{
	const char *p = pat, *star_p = NULL, *q;
	size_t i = 0, star_i = 0;
	int m;

	while (i < n) {
		if (*p == '*') {
			while (*p == '*')
				p++;
			if (*p == '\0')
				return 1;
			star_p = p;
			star_i = i;
			continue;
		}
		if (*p == '?') {
			p++;
			i++;
			continue;
		}
		if (*p == '[') {
			q = p;
			if ((m = bracket(&q, (unsigned char)s[i])) == 1) {
				p = q;
				i++;
				continue;
			}
			if (m == -1 && s[i] == '[') {
				p++;
				i++;
				continue;
			}
		} else if (*p != '\0') {
			q = p;
			if (*q == '\\' && q[1] != '\0')
				q++;
			if (*q == s[i]) {
				p = q + 1;
				i++;
				continue;
			}
		}
		if (star_p == NULL)
			return 0;
		p = star_p;
		i = ++star_i;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

int
ws_word_index(const char *s, const char *const *words)
{
	int i;

	for (i = 0; words[i] != NULL; i++)
		if (strcmp(s, words[i]) == 0)
			return i;
	return -1;
}

/* ------------------------------------------------------------------ */
/* A map from strings to numbers.                                      */

static size_t
strmap_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return (size_t)(h ^ (h >> 32));
}

/* The slot of key, or the empty slot where it would go. */
static size_t
strmap_slot(const struct ws_strmap *m, const char *key, size_t len)
{
	size_t i = strmap_hash(key, len) & (m->cap - 1);

	while (m->keys[i] != NULL && (m->lens[i] != len ||
	    memcmp(m->keys[i], key, len) != 0))
		i = (i + 1) & (m->cap - 1);
	return i;
}

static void
strmap_grow(struct ws_strmap *m)
{
	struct ws_strmap old = *m;
	size_t i, j;

	m->cap = old.cap ? old.cap * 2 : 16;
	m->keys = ws_xcalloc(m->cap, sizeof(*m->keys));
	m->lens = ws_xcalloc(m->cap, sizeof(*m->lens));
	m->vals = ws_xcalloc(m->cap, sizeof(*m->vals));
	for (i = 0; i < old.cap; i++) {
		if (old.keys[i] == NULL)
			continue;
		j = strmap_slot(m, old.keys[i], old.lens[i]);
		m->keys[j] = old.keys[i];
		m->lens[j] = old.lens[i];
		m->vals[j] = old.vals[i];
	}
	free(old.keys);
	free(old.lens);
	free(old.vals);
}

size_t
ws_strmap_put(struct ws_strmap *m, const char *key, size_t len, size_t val,
    int *added)
{
	size_t i;

	*added = 0;
	if (m->cap == 0 || (m->n + 1) * 4 > m->cap * 3)
		strmap_grow(m);
	i = strmap_slot(m, key, len);
	if (m->keys[i] != NULL)
		return m->vals[i];
	m->keys[i] = ws_xstrndup(key, len);
	m->lens[i] = len;
	m->vals[i] = val;
	m->n++;
	*added = 1;
	return val;
}

void
ws_strmap_free(struct ws_strmap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->lens);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}
