/*
 * The variable store: every entry of every source, with its
 * provenance, ordered by precedence (SPEC §4).  A name maps to a chain
 * of entries, highest precedence first; the first is what the command
 * gets, the rest are shadowed.  Names keep the order in which they
 * were first seen, so the final environment is deterministic.
 *
 * The store holds pointers to values, never copies them: values live
 * in the inherited environment or in the guarded arena.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "withsecrets.h"
#include "vars.h"
#include "util.h"

struct slot {
	const char	*name;
	size_t		 namelen;
	uint32_t	 hash;
	struct ws_var	*head;
};

/* The filter of pointer targets: a bit per hash value mod 1,024, so
 * that a lookup of a name no pointer names (most) is rarely taken for
 * one that a pointer may name (a dozen pointers: about 1%). */
#define WS_TARGET_WORDS	16
#define TARGET_BIT(h)	((h) & (WS_TARGET_WORDS * 64 - 1))

struct ws_store {
	struct slot	 *slots;	/* first-seen order */
	size_t		  n_slots, cap_slots;
	uint32_t	 *table;	/* open addressing: slot index + 1 */
	size_t		  table_size;	/* power of two */
	struct ws_source **sources;
	size_t		  n_sources, cap_sources;
	size_t		  n_vars;
	int		  may_refer;	/* a value may be a store reference */
	size_t		  n_pointer_names;	/* NAME_FILE, FILE__NAME */
	uint64_t	  targets[WS_TARGET_WORDS];	/* their targets' hashes */
	size_t		 *pointers;	/* their slots, first-seen order */
	size_t		  cap_pointers;
	struct var_block *blocks;		/* where ws_vars live */
	struct source_block *src_blocks;	/* where ws_sources live */
	struct ws_unset_note *unset;		/* few: most runs have none */
	size_t		  n_unset;
	uint64_t	  stamp;	/* its state: ws_store_stamp() */
};

/* A stamp names one state of one store, even of a store made where a
 * freed one was: each store's stamps start at a number of their own (its
 * creation, in the upper half), and every change adds one. */
static uint64_t stores_made;

/* Variables are allocated in blocks: one malloc per variable is a
 * measurable part of start-up with thousands of them. */
#define VAR_BLOCK 256
struct var_block {
	struct var_block *next;
	size_t		  used;
	struct ws_var	  vars[VAR_BLOCK];
};

/* Sources too: a run has a few (environ, the directories, the layers),
 * a malloc each would cost more than the rest of creating one. */
#define SOURCE_BLOCK 8
struct source_block {
	struct source_block *next;
	size_t		  used;
	struct ws_source  s[SOURCE_BLOCK];
};

static struct ws_var *
var_new(struct ws_store *st)
{
	struct var_block *b = st->blocks;

	if (b == NULL || b->used == VAR_BLOCK) {
		b = ws_xmalloc(sizeof(*b));
		b->used = 0;
		b->next = st->blocks;
		st->blocks = b;
	}
	/* every field is set by the caller, ws_store_add() */
	return &b->vars[b->used++];
}

/*
 * A name's hash, eight bytes at a time (every name is hashed when it
 * is added and looked up: SPEC §9).  The last one to seven bytes are
 * read as two overlapping words, or as their first, middle and last
 * byte, which together with the length tell any two names apart.
 */
static uint64_t
mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9fb21c651e98df25ULL;
	return h ^ (h >> 29);
}

/* inlined: every name is hashed once or twice (SPEC §9) */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline uint32_t
hash_name(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;
	uint32_t a, b;

	for (; n >= 8; u += 8, n -= 8) {
		memcpy(&w, u, 8);
		h = mix(h, w);
	}
	if (n >= 4) {
		memcpy(&a, u, 4);
		memcpy(&b, u + n - 4, 4);
		h = mix(h, (uint64_t)a << 32 | b);
	} else if (n > 0)
		h = mix(h, (uint64_t)u[0] << 16 | (uint64_t)u[n / 2] << 8 |
		    u[n - 1]);
	h *= 0xd6e8feb86659fd93ULL;
	return (uint32_t)(h >> 32);
}

/* Names are many and small: intern them in blocks, not one malloc
 * each.  They are not secret. */
struct intern_block {
	struct intern_block *next;
	size_t used, size;
	char mem[];
};
static struct intern_block *interned;

/* Room for n bytes and a NUL in the newest block (inlined: every name
 * comes here). */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline char *
intern_room(size_t n)
{
	struct intern_block *b = interned;
	char *p;

	if (n >= SIZE_MAX / 2)
		ws_fatal_nomem();
	if (b == NULL || b->size - b->used < n + 1) {
		size_t size = n + 1 > 16384 ? n + 1 : 16384;

		b = ws_xmalloc(sizeof(*b) + size);
		b->size = size;
		b->used = 0;
		b->next = interned;
		interned = b;
	}
	p = b->mem + b->used;
	p[n] = '\0';
	b->used += n + 1;
	return p;
}

char *
ws_intern(const char *s, size_t n)
{
	char *p = intern_room(n);

	memcpy(p, s, n);
	return p;
}

char *
ws_intern2(const char *a, size_t an, const char *b, size_t bn)
{
	return ws_intern3(a, an, b, bn, "", 0);
}

char *
ws_intern3(const char *a, size_t an, const char *b, size_t bn,
    const char *c, size_t cn)
{
	char *p;

	if (an >= SIZE_MAX / 4 || bn >= SIZE_MAX / 4 || cn >= SIZE_MAX / 4)
		ws_fatal_nomem();
	p = intern_room(an + bn + cn);
	if (an > 0)
		memcpy(p, a, an);
	if (bn > 0)
		memcpy(p + an, b, bn);
	if (cn > 0)
		memcpy(p + an + bn, c, cn);
	return p;
}

void
ws_intern_free(void)
{
	struct intern_block *b, *next;

	for (b = interned; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	interned = NULL;
}

struct ws_store *
ws_store_new(void)
{
	struct ws_store *st = ws_xcalloc(1, sizeof(*st));

	st->stamp = ++stores_made << 32;

	/* kept at most half full: 256 names before it grows (a typical
	 * run has about 130), and short probe sequences */
	st->table_size = 512;
	st->table = ws_xcalloc(st->table_size, sizeof(*st->table));
	return st;
}

void
ws_store_free(struct ws_store *st)
{
	struct var_block *b, *next;

	if (st == NULL)
		return;
	for (b = st->blocks; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	while (st->src_blocks != NULL) {
		struct source_block *sb = st->src_blocks;

		st->src_blocks = sb->next;
		free(sb);
	}
	free(st->unset);
	free(st->sources);
	free(st->pointers);
	free(st->slots);
	free(st->table);
	free(st);
}

struct ws_source *const *
ws_store_sources(const struct ws_store *st, size_t *n)
{
	*n = st->n_sources;
	return st->sources;
}

struct ws_source *
ws_store_source(struct ws_store *st, enum ws_kind kind, const char *path,
    int rank)
{
	/* interned: a path lives as long as the run, like the names */
	return ws_store_source_kept(st, kind,
	    path ? ws_intern(path, strlen(path)) : NULL, rank);
}

struct ws_source *
ws_store_source_kept(struct ws_store *st, enum ws_kind kind, char *path,
    int rank)
{
	struct source_block *sb = st->src_blocks;
	struct ws_source *s;

	if (sb == NULL || sb->used == SOURCE_BLOCK) {
		sb = ws_xmalloc(sizeof(*sb));
		sb->used = 0;
		sb->next = st->src_blocks;
		st->src_blocks = sb;
	}
	s = &sb->s[sb->used++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->path = path;
	s->rank = rank;
	s->index = st->n_sources;
	if (st->n_sources == st->cap_sources) {
		st->cap_sources = st->cap_sources ? st->cap_sources * 2 : 8;
		st->sources = ws_xrealloc(st->sources,
		    st->cap_sources * sizeof(*st->sources));
	}
	st->sources[st->n_sources++] = s;
	return s;
}

static void
table_grow(struct ws_store *st)
{
	size_t i, j, mask;

	free(st->table);
	st->table_size *= 2;
	st->table = ws_xcalloc(st->table_size, sizeof(*st->table));
	mask = st->table_size - 1;
	for (i = 0; i < st->n_slots; i++) {
		for (j = st->slots[i].hash & mask; st->table[j];
		    j = (j + 1) & mask)
			;
		st->table[j] = (uint32_t)(i + 1);
	}
}

/*
 * The length of the target of a pointer name (NAME_FILE, FILE__NAME),
 * its offset in *off; 0 for any other name.  ws_pointer_target() in a
 * form the compiler can inline: every new name is tested (SPEC §9).
 */
static size_t
pointer_target_at(const char *s, size_t n, size_t *off)
{
	if (n > 6 && memcmp(s, "FILE__", 6) == 0) {
		*off = 6;
		return n - 6;
	}
	*off = 0;
	if (n > 5 && memcmp(s + n - 5, "_FILE", 5) == 0)
		return n - 5;
	return 0;
}

/* Might a pointer of the store name a target of hash h?  (A filter of
 * the targets' hashes: 0 is certain.) */
static int
may_point_at_hash(const struct ws_store *st, uint32_t h)
{
	uint32_t t = TARGET_BIT(h);

	return st->n_pointer_names > 0 &&
	    ((st->targets[t >> 6] >> (t & 63)) & 1);
}

/* The slot of name (of hash h, hash_name()'s), created when create is
 * set.  Inlined into its callers: one frame for ws_store_add(), which
 * every entry goes through, and none of the creation code in the
 * lookups. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline struct slot *
find_slot(struct ws_store *st, const char *name, size_t n, uint32_t h,
    int create)
{
	uint32_t t, i;
	size_t j, mask = st->table_size - 1, tlen, off;
	struct slot *s;

	for (j = h & mask; (i = st->table[j]) != 0; j = (j + 1) & mask) {
		s = &st->slots[i - 1];
		if (s->hash == h && s->namelen == n &&
		    memcmp(s->name, name, n) == 0)
			return s;
	}
	if (!create)
		return NULL;
	if (st->n_slots == st->cap_slots) {
		/* 256 names: as many as the table holds before it grows
		 * (a typical run has about 130) */
		st->cap_slots = st->cap_slots ? st->cap_slots * 2 : 256;
		st->slots = ws_xrealloc(st->slots,
		    st->cap_slots * sizeof(*st->slots));
	}
	s = &st->slots[st->n_slots];
	s->name = name;
	s->namelen = n;
	s->hash = h;
	s->head = NULL;
	if ((tlen = pointer_target_at(name, n, &off)) > 0) {
		if (st->n_pointer_names == st->cap_pointers) {
			st->cap_pointers = st->cap_pointers ?
			    st->cap_pointers * 2 : 16;
			st->pointers = ws_xrealloc(st->pointers,
			    st->cap_pointers * sizeof(*st->pointers));
		}
		st->pointers[st->n_pointer_names++] = st->n_slots;
		t = TARGET_BIT(hash_name(name + off, tlen));
		st->targets[t >> 6] |= (uint64_t)1 << (t & 63);
	}
	st->table[j] = (uint32_t)(++st->n_slots);
	if (st->n_slots * 2 > st->table_size)
		table_grow(st);
	return s;
}

struct ws_var *
ws_store_add(struct ws_store *st, struct ws_source *src, const char *name,
    size_t namelen, const char *value, size_t vallen, unsigned line,
    unsigned flags)
{
	struct slot *s = find_slot(st, name, namelen,
	    hash_name(name, namelen), 1);
	struct ws_var **pp, *v;

	/* a store reference starts vault:, aws-sm: or arn:aws: (SPEC §13):
	 * most runs have none, and then stores.c looks at no value */
	if (vallen >= 6 && (value[0] == 'v' || value[0] == 'a') &&
	    (memcmp(value, "vault:", 6) == 0 || memcmp(value, "aws-sm", 6) == 0 ||
	    memcmp(value, "arn:aw", 6) == 0))
		st->may_refer = 1;
	for (pp = &s->head; *pp != NULL; pp = &(*pp)->next_in_name) {
		v = *pp;
		if (v->src == src) {
			/* a later entry of one source replaces the earlier */
			st->stamp++;
			v->name = name;
			v->value = value;
			v->vallen = vallen;
			v->line = line;
			v->flags = flags;
			v->file_path = NULL;
			return v;
		}
		if (v->src->rank > src->rank)
			break;
	}
	v = var_new(st);
	v->name = name;
	v->namelen = namelen;
	v->value = value;
	v->vallen = vallen;
	v->src = src;
	v->line = line;
	v->flags = flags;
	v->file_path = NULL;
	v->next_in_name = *pp;
	v->next_in_src = NULL;
	v->order = (size_t)(s - st->slots);
	*pp = v;
	st->n_vars++;
	st->stamp++;
	return v;
}

void
ws_store_note_unset(struct ws_store *st, struct ws_var *v, const char *name,
    size_t namelen)
{
	struct ws_unset_note *u;

	if ((st->n_unset & (st->n_unset - 1)) == 0)	/* 0, 1, 2, 4: double */
		st->unset = ws_xrealloc(st->unset, (st->n_unset ?
		    st->n_unset * 2 : 1) * sizeof(*st->unset));
	u = &st->unset[st->n_unset++];
	u->v = v;
	u->line = v->line;
	u->name = ws_intern(name, namelen);
	u->namelen = namelen;
}

const struct ws_unset_note *
ws_store_unset_notes(const struct ws_store *st, size_t *n)
{
	*n = st->n_unset;
	return st->unset;
}

struct ws_var *
ws_store_get(struct ws_store *st, const char *name, size_t n)
{
	struct slot *s = find_slot(st, name, n, hash_name(name, n), 0);

	return s ? s->head : NULL;
}

struct ws_var *
ws_store_get_in(struct ws_store *st, struct ws_source *src,
    const char *name, size_t n)
{
	struct ws_var *v = ws_store_get(st, name, n);

	for (; v != NULL; v = v->next_in_name)
		if (v->src == src)
			return v;
	return NULL;
}

void
ws_store_remove(struct ws_store *st, struct ws_var *v)
{
	struct slot *s = &st->slots[v->order];
	struct ws_var **pp;

	for (pp = &s->head; *pp != NULL; pp = &(*pp)->next_in_name)
		if (*pp == v) {
			/* the entry stays in its block until the store goes */
			*pp = v->next_in_name;
			st->n_vars--;
			st->stamp++;
			return;
		}
}

struct ws_var *
ws_store_next(struct ws_store *st, size_t *it)
{
	size_t i = *it, n = st->n_slots;	/* (not reloaded each turn) */
	struct ws_var *v;

	while (i < n)
		if ((v = st->slots[i++].head) != NULL) {
			*it = i;
			return v;
		}
	*it = i;
	return NULL;
}

size_t
ws_store_heads(const struct ws_store *st, struct ws_var **out)
{
	size_t i, n = 0;

	/* without a branch per name: out has room for every entry, so
	 * that an empty head may be written where the next one goes */
	for (i = 0; i < st->n_slots; i++) {
		out[n] = st->slots[i].head;
		n += out[n] != NULL;
	}
	return n;
}

struct ws_var *
ws_store_next_pointer(struct ws_store *st, size_t *it)
{
	while (*it < st->n_pointer_names) {
		struct ws_var *v = st->slots[st->pointers[(*it)++]].head;

		if (v != NULL)
			return v;
	}
	return NULL;
}

int
ws_store_may_point_at(const struct ws_store *st, const char *name, size_t n)
{
	return st->n_pointer_names > 0 &&
	    may_point_at_hash(st, hash_name(name, n));
}

struct ws_var *
ws_store_lookup(struct ws_store *st, const char *name, size_t n,
    int *may_be_target)
{
	uint32_t h = hash_name(name, n);
	struct slot *s = find_slot(st, name, n, h, 0);

	*may_be_target = may_point_at_hash(st, h);
	return s ? s->head : NULL;
}

int
ws_store_may_refer(const struct ws_store *st)
{
	return st->may_refer;
}

size_t
ws_store_count(const struct ws_store *st)
{
	return st->n_vars;
}

void
ws_store_set_flags(struct ws_store *st, struct ws_var *v, unsigned flags)
{
	v->flags |= flags;
	st->stamp++;
}

uint64_t
ws_store_stamp(const struct ws_store *st)
{
	return st->stamp;
}

const char *
ws_source_kind_name(enum ws_kind k)
{
	switch (k) {
	case WS_KIND_INHERITED:
		return "inherited";
	case WS_KIND_SECRET_DIR:
		return "secret-dir";
	case WS_KIND_ENV_FILE:
		return "env-file";
	case WS_KIND_DEFAULT:
		return "default";
	case WS_KIND_STORE:
		return "store";
	}
	return "unknown";
}

char *
ws_var_source(const struct ws_var *v)
{
	if (v->flags & WS_VAR_FROM_FILE)
		return ws_xstrdup(v->file_path ? v->file_path : "?");
	switch (v->src->kind) {
	case WS_KIND_STORE:	/* "STORE:PATH" of an import */
		return ws_xstrdup(v->src->path);
	case WS_KIND_INHERITED:
		return ws_xstrdup("environment");
	case WS_KIND_SECRET_DIR:
		return ws_xstrdup(v->file_path ? v->file_path :
		    v->src->path);
	default:
		return ws_source_fmt(v->src->path ? v->src->path : "built-in",
		    v->line);
	}
}

/* The first entry of the chain from v down that has a value and that a
 * .env file of source from may see: a .env layer above from is not
 * visible to it even when it was read first (which happens only when
 * .env.local names the environment, see layers.c).  from NULL: any. */
struct ws_var *
ws_var_seen_from(struct ws_var *v, const struct ws_source *from)
{
	for (; v != NULL; v = v->next_in_name) {
		if (v->flags & (WS_VAR_NO_VALUE | WS_VAR_SKIPPED))
			continue;
		if (from != NULL && v->src->kind == WS_KIND_ENV_FILE &&
		    v->src != from && v->src->rank < from->rank)
			continue;
		return v;
	}
	return NULL;
}
