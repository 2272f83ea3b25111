/* Arenas: many small allocations share mappings; growth in place and by
 * copy; wiping. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "withsecrets.h"
#include "secmem.h"
#include "tap.h"

int
main(void)
{
	struct ws_arena a = { 0 };
	struct ws_sbuf b = { .arena = &a };
	char *p, *q, *first;
	size_t i;
	int ok_all = 1;

	ws_secmem_init();
	first = ws_arena_alloc(&a, 10);
	ok(first != NULL, "first allocation");
	/* 20,000 small secrets: one mapping each would exceed the limits
	 * of vm.max_map_count; an arena needs only a few. */
	for (i = 0; i < 20000; i++) {
		p = ws_arena_alloc(&a, 24);
		if (p == NULL) {
			ok_all = 0;
			break;
		}
		memset(p, 'x', 24);
	}
	ok(ok_all, "20,000 small allocations succeed");
	ok(ws_arena_mapped(&a) < 4 * 1024 * 1024, "in few chunks (%zu bytes)",
	    ws_arena_mapped(&a));

	p = ws_arena_alloc(&a, 8);
	memcpy(p, "abcdefg", 8);
	q = ws_arena_grow(&a, p, 8, 16);
	ok(q == p, "the newest block grows in place");
	q = ws_arena_grow(&a, first, 10, 1 << 20);
	ok(q != NULL && q != first, "an older block is copied to grow");
	ok(first[0] == 0 && memcmp(first, "\0\0\0\0\0\0\0\0\0\0", 10) == 0,
	    "the old copy is wiped");

	ok(ws_sbuf_append(&b, "hello", 5) == 0, "sbuf append");
	for (i = 0; i < 1000; i++)
		if (ws_sbuf_append(&b, "0123456789", 10) != 0)
			break;
	is_int(b.len, 5 + 10000, "sbuf grows");
	is_int(strlen(ws_sbuf_finish(&b)), 10005, "sbuf is NUL-terminated");

	ws_arena_wipe(&a);
	is_int(ws_arena_mapped(&a), 0, "wipe unmaps everything");

	/* The environment block is kept by the scrub before execve, in
	 * the room of the newest chunk or in a chunk of its own. */
	for (i = 0; i < 2; i++) {
		size_t room = i == 0 ? 100 : 1 << 20;
		char *k;

		p = ws_arena_alloc(&a, 50);
		memset(p, 's', 50);
		k = ws_arena_keep(&a, room);
		ok(k != NULL && (uintptr_t)k % 16 == 0,
		    "kept block %zu: aligned", i);
		memset(k, 'e', room);
		q = ws_arena_alloc(&a, 30);	/* after it: zeroed too */
		memset(q, 't', 30);
		ws_arena_scrub(&a);
		ok(memchr(p, 's', 50) == NULL && memchr(q, 't', 30) == NULL,
		    "kept block %zu: the rest is zeroed", i);
		ok(k[0] == 'e' && k[room - 1] == 'e' &&
		    memchr(k, 0, room) == NULL, "kept block %zu: intact", i);
		p = ws_arena_alloc(&a, 64);
		ok(p != NULL && (p + 64 <= k || p >= k + room),
		    "kept block %zu: nothing is put over it", i);
		ws_arena_wipe(&a);
	}
	return done_testing();
}
