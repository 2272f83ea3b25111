/*
 * Guarded memory for secret bytes (SPEC §8).
 *
 * Every sodium_malloc() is an mmap with guard pages, locked where the
 * system allows, excluded from core dumps, and wiped by sodium_free().
 * A process may hold only ~65k mappings, so secrets are never given a
 * mapping each: they are carved out of arenas whose chunks double in
 * size.  Only the newest block of an arena can grow in place; growing
 * any other copies it and wipes the old bytes.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <sodium.h>

#include "withsecrets.h"
#include "secmem.h"

/* The first chunk: three pages with libsodium's 16-byte canary.  A
 * typical run (100 variables, 20 secret files) uses about 4 KiB for
 * what it reads and 5 KiB for the environment block, which goes in the
 * same chunk when it fits (ws_arena_keep): one chunk instead of two.
 * Every byte mapped is filled by sodium_malloc, so a larger first chunk
 * only costs time (SPEC §9). */
#define WS_CHUNK_MIN	(12 * 1024 - 16)

struct ws_chunk {
	struct ws_chunk	*next;
	unsigned char	*mem;
	size_t		 size;
	size_t		 used;
	unsigned char	*last;		/* newest block, for in-place growth */
};

struct ws_arena ws_work;
struct ws_arena ws_fetched;

int
ws_secmem_init(void)
{
	/*
	 * No core dump may hold a secret.  execve(2) resets the flag for
	 * the command.  Failure is not fatal: the guarded pages are also
	 * marked MADV_DONTDUMP by libsodium.
	 */
	(void)prctl(PR_SET_DUMPABLE, 0L, 0L, 0L, 0L);
	return sodium_init() < 0 ? -1 : 0;
}

static struct ws_chunk *
chunk_new(struct ws_arena *a, size_t need)
{
	struct ws_chunk *c;
	size_t size;

	/* a->next: the size the arena asked for next (the owner may set
	 * it before the first allocation), else the minimum */
	size = a->next ? a->next : WS_CHUNK_MIN;
	/*
	 * sodium_malloc() puts a block against its trailing guard page,
	 * so the block is only as aligned as its size: a multiple of 16
	 * keeps the start of every chunk aligned for any type (the
	 * environment block starts with its pointer array).
	 */
	size = (size + 15) & ~(size_t)15;
	while (size < need) {
		if (size > SIZE_MAX / 2)
			return NULL;
		size *= 2;
	}
	if ((c = malloc(sizeof(*c))) == NULL)
		return NULL;
	if ((c->mem = sodium_malloc(size)) == NULL) {
		free(c);
		return NULL;
	}
	c->size = size;
	c->used = 0;
	c->last = NULL;
	c->next = a->head;
	a->head = c;
	a->next = size <= SIZE_MAX / 2 ? size * 2 : size;
	return c;
}

void *
ws_arena_alloc(struct ws_arena *a, size_t n)
{
	struct ws_chunk *c = a->head;
	unsigned char *p;

	if (n == 0)
		n = 1;
	if (c == NULL || c->size - c->used < n) {
		if ((c = chunk_new(a, n)) == NULL) {
			errno = ENOMEM;
			return NULL;
		}
	}
	p = c->mem + c->used;
	c->used += n;
	c->last = p;
	return p;
}

void *
ws_arena_grow(struct ws_arena *a, void *p, size_t oldsize, size_t newsize)
{
	struct ws_chunk *c = a->head;
	void *q;

	if (newsize <= oldsize)
		return p;
	if (c != NULL && p != NULL && c->last == p &&
	    (size_t)((unsigned char *)p - c->mem) + newsize <= c->size) {
		c->used = (size_t)((unsigned char *)p - c->mem) + newsize;
		return p;
	}
	if ((q = ws_arena_alloc(a, newsize)) == NULL)
		return NULL;
	if (p != NULL && oldsize > 0) {
		memcpy(q, p, oldsize);
		sodium_memzero(p, oldsize);
	}
	return q;
}

/* Give back the tail of the newest block without wiping it: only for
 * bytes that were never written. */
static void
arena_trim(struct ws_arena *a, void *p, size_t oldsize, size_t newsize)
{
	struct ws_chunk *c = a->head;

	if (c != NULL && c->last == p &&
	    (unsigned char *)p + oldsize == c->mem + c->used)
		c->used -= oldsize - newsize;
}

void
ws_arena_shrink(struct ws_arena *a, void *p, size_t oldsize, size_t newsize)
{
	struct ws_chunk *c = a->head;

	if (p == NULL || newsize >= oldsize)
		return;
	sodium_memzero((unsigned char *)p + newsize, oldsize - newsize);
	if (c != NULL && c->last == p &&
	    (unsigned char *)p + oldsize == c->mem + c->used)
		c->used -= oldsize - newsize;
}

void *
ws_arena_keep(struct ws_arena *a, size_t n)
{
	struct ws_chunk *c = a->head;
	size_t pad, need;
	unsigned char *p;

	if (n > SIZE_MAX - 16)
		return NULL;
	need = n + 15;		/* room to align the start */
	/* Guarded memory is filled when mapped and zeroed when wiped, so a
	 * chunk costs start-up time by its size (SPEC §9): the room left
	 * in the newest one first, else a chunk of this size exactly. */
	if (c == NULL || c->size - c->used < need)
		a->next = need;
	if ((p = ws_arena_alloc(a, need)) == NULL)
		return NULL;
	pad = (16 - (uintptr_t)p % 16) % 16;
	a->keep = p + pad;
	a->keeplen = n;
	return a->keep;
}

void
ws_arena_wipe(struct ws_arena *a)
{
	struct ws_chunk *c, *next;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		sodium_free(c->mem);	/* zeroes, then unmaps */
		free(c);
	}
	a->head = NULL;
	a->next = 0;
	a->keep = NULL;
	a->keeplen = 0;
}

/*
 * Zero every byte of the arena that was handed out, and keep the
 * mappings: for execve(2), which unmaps them anyway.  The bytes past a
 * chunk's used mark are either never written or were wiped when they
 * were given back (ws_arena_shrink, ws_sbuf_finish), so zeroing the
 * used ones leaves no secret; sodium_free() would zero the whole
 * mapping, most of it never used, and unmap it for nothing.
 */
void
ws_arena_scrub(struct ws_arena *a)
{
	unsigned char *k = a->keep, *kend = k + a->keeplen;
	struct ws_chunk *c;
	size_t before;

	for (c = a->head; c != NULL; c = c->next) {
		if (k == NULL || k < c->mem || k >= c->mem + c->size) {
			sodium_memzero(c->mem, c->used);
			c->used = 0;
			c->last = NULL;
			continue;
		}
		/* the kept block stays, and nothing may be put over it */
		before = (size_t)(k - c->mem);
		sodium_memzero(c->mem, before);
		if (c->mem + c->used > kend)
			sodium_memzero(kend, (size_t)(c->mem + c->used - kend));
		c->used = (size_t)(kend - c->mem);
		c->last = NULL;
	}
}

size_t
ws_arena_mapped(const struct ws_arena *a)
{
	const struct ws_chunk *c;
	size_t n = 0;

	for (c = a->head; c != NULL; c = c->next)
		n += c->size;
	return n;
}

void
ws_secmem_wipe_all(void)
{
	ws_arena_wipe(&ws_work);
	ws_arena_wipe(&ws_fetched);
}

int
ws_sbuf_start(struct ws_sbuf *b, size_t cap)
{
	if (cap == 0)
		cap = 1;
	if ((b->p = ws_arena_alloc(b->arena, cap)) == NULL)
		return -1;
	b->len = b->hw = 0;
	b->cap = cap;
	return 0;
}

int
ws_sbuf_reserve(struct ws_sbuf *b, size_t extra)
{
	size_t want;
	char *q;

	if (b->cap - b->len > extra)	/* keep room for the NUL */
		return 0;
	if (extra > SIZE_MAX / 2 - b->len)
		return -1;
	want = b->cap ? b->cap : 64;
	while (want - b->len <= extra)
		want *= 2;
	if ((q = ws_arena_grow(b->arena, b->p, b->cap, want)) == NULL)
		return -1;
	b->p = q;
	b->cap = want;
	return 0;
}

int
ws_sbuf_append(struct ws_sbuf *b, const void *s, size_t n)
{
	if (ws_sbuf_reserve(b, n) != 0)
		return -1;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	if (b->hw < b->len + 1)
		b->hw = b->len + 1;
	return 0;
}

char *
ws_sbuf_finish(struct ws_sbuf *b)
{
	if (b->p == NULL) {
		if (ws_sbuf_reserve(b, 0) != 0)
			return NULL;
	}
	b->p[b->len] = '\0';
	/* wipe what was written past the end, give back what never was */
	if (b->hw > b->len + 1)
		sodium_memzero(b->p + b->len + 1, b->hw - b->len - 1);
	arena_trim(b->arena, b->p, b->cap, b->len + 1);
	b->cap = b->hw = b->len + 1;
	return b->p;
}
