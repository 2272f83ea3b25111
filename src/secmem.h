/*
 * secmem.c: growing arenas of guarded memory (sodium_malloc), where every
 * secret byte lives (HACKING.md, "The arena rule").
 */
#ifndef WS_SECMEM_H
#define WS_SECMEM_H

#include <stddef.h>
#include "withsecrets.h"

struct ws_chunk;
struct ws_arena {
	struct ws_chunk	*head;	/* newest chunk first */
	size_t		 next;	/* size of the next chunk to map */
	void		*keep;	/* a block ws_arena_scrub() leaves alone */
	size_t		 keeplen;
};

int	 ws_secmem_init(void);		/* sodium_init, dumpable 0; 0 or -1 */
void	*ws_arena_alloc(struct ws_arena *, size_t) WS_WUR;
/* Grow the block p (of oldsize bytes, the arena's newest) to newsize:
 * in place when it fits, else copied to a new block and the old one
 * wiped.  Returns the block or NULL on failure (p is left intact). */
void	*ws_arena_grow(struct ws_arena *, void *, size_t, size_t) WS_WUR;
/* Give back the tail of the newest block: p was allocated with
 * oldsize bytes and only newsize are kept.  The rest is wiped. */
void	 ws_arena_shrink(struct ws_arena *, void *, size_t, size_t);
void	 ws_arena_wipe(struct ws_arena *);	/* zero and unmap all */
/* Zero what was used, but the block given to ws_arena_keep(). */
void	 ws_arena_scrub(struct ws_arena *);
/* A new block of n bytes that ws_arena_scrub() keeps (the environment
 * block: execve needs it), aligned for pointers.  It is put in the
 * room left in the newest chunk when it fits, else in a chunk of its
 * own size.  One per arena. */
void	*ws_arena_keep(struct ws_arena *, size_t) WS_WUR;
size_t	 ws_arena_mapped(const struct ws_arena *);

/* The arena of a run: everything secret, the final environment block
 * (kept by the scrub before execve) included. */
extern struct ws_arena ws_work;
/* The answers of secret stores (SPEC §13), kept between the two readings
 * of the sources that a run using a store makes (stores.h), and wiped
 * with the rest before execve. */
extern struct ws_arena ws_fetched;
void	 ws_secmem_wipe_all(void);

/* A growable byte buffer inside an arena. */
struct ws_sbuf {
	struct ws_arena	*arena;
	char		*p;
	size_t		 len;
	size_t		 cap;
	size_t		 hw;	/* bytes ever written: what finish wipes */
};
/* Start an empty buffer with room for cap bytes (the NUL included):
 * one allocation, when the size is about known. */
int	 ws_sbuf_start(struct ws_sbuf *, size_t cap) WS_WUR;
int	 ws_sbuf_reserve(struct ws_sbuf *, size_t) WS_WUR;
int	 ws_sbuf_append(struct ws_sbuf *, const void *, size_t) WS_WUR;
/* Trim the buffer to len + 1 (NUL-terminated) and return it. */
char	*ws_sbuf_finish(struct ws_sbuf *);

#endif /* WS_SECMEM_H */
