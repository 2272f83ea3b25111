/*
 * The built-in policy, frozen (SPEC §9).  Parsing the built-in INI text
 * with inih at every start cost more than the rest of a typical run, so
 * the build parses it once: gen-builtin (src/gen-builtin.c) runs
 * ws_config_parse() on the text and prints the resulting policy as C
 * data; withsecrets links that data and ws_policy_new() thaws it with
 * ws_policy_thaw().  The text stays the source of truth (`withsecrets
 * defaults` prints it; a user's file is layered over the policy as
 * before).  The printer, and the stdio it uses, stay out of
 * withsecrets (docs/PERFORMANCE.md says what each costs).
 *
 * A thawed policy holds what a parsed one holds (the word lists laid
 * out as ws_config_split_words() lays them, each pattern its own string, the
 * index of the rules, defaults' values in ws_work), all in one
 * allocation: a user's file can replace any part of it, and
 * ws_policy_free_part() leaves the parts in the block to the block.
 * tests/unit/t_frozen.c compares the two, byte for byte beyond the
 * pointers.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "withsecrets.h"
#include "frozen.h"
#include "util.h"
#include "secmem.h"
#include "vars.h"
#include "policy.h"

#define NWHERE(a)	((unsigned)(sizeof(a) / sizeof((a)[0])))

_Static_assert(sizeof(((struct ws_frozen_plain *)0)->where) ==
    sizeof(((struct ws_policy *)0)->where), "ws_frozen.where is too small");
_Static_assert(NWHERE(((struct ws_policy *)0)->where) <= 32 &&
    WS_VK_COUNT <= 32, "where_set has a bit for each key");

/* ------------------------------------------------------------------ */
/* The block of a thawed policy.                                       */

/* Pieces are taken from the block in the order thaw_size() counts
 * them, each rounded up to 8 bytes so that every one is aligned. */
struct block {
	char	*next;
	char	*end;
};

#define PIECE(n)	(((n) + 7) & ~(size_t)7)

static void *
take(struct block *b, size_t n)
{
	void *at = b->next;

	if ((size_t)(b->end - b->next) < PIECE(n))
		ws_fatal_nomem();	/* miscounted: cannot happen */
	b->next += PIECE(n);
	return at;
}

static size_t
list_size(const struct ws_frozen_list *l)
{
	return l->present ? PIECE((l->n + 1) * sizeof(char *) + l->len + 1) :
	    0;
}

static size_t
thaw_size(const struct ws_frozen *fz)
{
	size_t i, n = PIECE(sizeof(struct ws_policy));

	n += PIECE(fz->n_rules * sizeof(struct ws_varrule));
	for (i = 0; i < fz->n_rules; i++)
		n += PIECE(fz->rules[i].pattern_len + 1) +
		    list_size(&fz->rules[i].forbid);
	if (fz->index != NULL)
		n += PIECE(ws_index_size(fz->n_rules, fz->index_nbytes));
	n += PIECE(fz->n_defaults * sizeof(struct ws_default));
	n += list_size(&fz->environment_vars) +
	    list_size(&fz->lenient_environments) +
	    list_size(&fz->secrets_dirs) + list_size(&fz->keep) +
	    list_size(&fz->deny) + list_size(&fz->ignore_file_vars) +
	    list_size(&fz->ph_values) + list_size(&fz->ph_patterns) +
	    list_size(&fz->ph_literals);
	if (fz->example != NULL)
		n += PIECE(strlen(fz->example) + 1);
	if (fz->default_environment != NULL)
		n += PIECE(strlen(fz->default_environment) + 1);
	n += PIECE((fz->ph_literals.n + 1) * sizeof(uint64_t));
	n += PIECE((fz->ph_values.n + 1) * sizeof(size_t));
	if (fz->file != NULL)
		n += PIECE(sizeof(char *)) + PIECE(strlen(fz->file) + 1);
	return n;
}

/* ------------------------------------------------------------------ */
/* Thawing.                                                            */

static char *
thaw_string(struct block *b, const char *s, size_t n)
{
	char *t = take(b, n + 1);

	memcpy(t, s, n + 1);
	return t;
}

static char **
thaw_list(struct block *b, const struct ws_frozen *fz,
    const struct ws_frozen_list *l)
{
	const size_t *offs = fz->offs + l->offs;
	char **list, *text;
	size_t i;

	if (!l->present)
		return NULL;
	list = take(b, (l->n + 1) * sizeof(*list) + l->len + 1);
	text = (char *)(list + l->n + 1);
	memcpy(text, fz->text + l->text, l->len);
	text[l->len] = '\0';
	for (i = 0; i < l->n; i++)
		list[i] = text + offs[i];
	list[l->n] = NULL;
	return list;
}

static void *
thaw_array(struct block *b, const void *a, size_t size)
{
	void *p = take(b, size);

	memcpy(p, a, size);
	return p;
}

/* The file of each key set (the frozen files are NULL, the lines come
 * with the copy): a rule sets few keys, the first ones mostly. */
static void
thaw_where(struct ws_where *w, unsigned n, unsigned set, const char *file)
{
	unsigned k;

	for (k = 0; k < n && set != 0; k++, set >>= 1)
		if (set & 1)
			w[k].file = file;
}

/* The index, built by gen-builtin as the parser builds it. */
static void
thaw_index(struct ws_policy *p, struct block *b, const struct ws_frozen *fz)
{
	struct ws_ruleindex *x;

	if (fz->index == NULL)
		return;		/* none: the rules are matched in turn */
	x = take(b, ws_index_size(fz->n_rules, fz->index_nbytes));
	memcpy(x, fz->index, sizeof(*x));
	x->next = (uint32_t *)(x + 1);
	x->bytes = (struct ws_litbyte *)(x->next + fz->n_rules);
	memcpy(x->next, fz->index_next, fz->n_rules * sizeof(*x->next));
	memcpy(x->bytes, fz->index_bytes, fz->index_nbytes *
	    sizeof(*x->bytes));
	p->index = x;
}

static void
thaw_rules(struct ws_policy *p, struct block *b, const struct ws_frozen *fz,
    const char *file)
{
	const struct ws_frozen_rule *f;
	struct ws_varrule *r;
	size_t i;

	/* exactly as many: the first rule a user's file adds moves them
	 * out of the block (ws_policy_grow_part) */
	p->rules = take(b, fz->n_rules * sizeof(*p->rules));
	p->n_rules = p->cap_rules = fz->n_rules;
	for (i = 0; i < fz->n_rules; i++) {
		f = &fz->rules[i];
		r = &p->rules[i];
		memcpy(r, &f->r, sizeof(*r));
		r->pattern = thaw_string(b, fz->text + f->pattern,
		    f->pattern_len);
		r->lit = f->lit_off == (size_t)-1 ? NULL :
		    r->pattern + f->lit_off;
		r->re = NULL;
		/* mostly none: no call */
		r->forbid = f->forbid.present ? thaw_list(b, fz, &f->forbid) :
		    NULL;
		thaw_where(r->where, NWHERE(r->where), f->where_set, file);
	}
	thaw_index(p, b, fz);
}

static void
thaw_defaults(struct ws_policy *p, struct block *b,
    const struct ws_frozen *fz, const char *file)
{
	const struct ws_default *f;
	struct ws_default *d;
	char *val;
	size_t i;

	p->defaults = take(b, fz->n_defaults * sizeof(*p->defaults));
	p->n_defaults = fz->n_defaults;
	for (i = 0; i < fz->n_defaults; i++) {
		f = &fz->defaults[i];
		d = &p->defaults[i];
		memset(d, 0, sizeof(*d));
		/* not secret, but the store's values live in guarded memory */
		if ((val = ws_arena_alloc(&ws_work, f->vallen + 1)) == NULL)
			ws_fatal_nomem();
		memcpy(val, f->value, f->vallen + 1);
		d->name = ws_intern(f->name, strlen(f->name));
		d->value = val;
		d->vallen = f->vallen;
		d->file = file;
		d->line = f->line;
	}
	if (fz->n_defaults == 0)
		p->defaults = NULL;	/* as the parser leaves it */
}

/*
 * One allocation for the policy and everything thawed with it (SPEC §9:
 * a malloc each was most of the cost): the policy itself first, so that
 * freeing it frees the block.  A user's file replaces parts as with a
 * parsed policy; ws_policy_free_part() leaves those in the block.
 */
struct ws_policy *
ws_policy_thaw(const struct ws_frozen *fz)
{
	size_t size = thaw_size(fz), n;
	struct block b;
	struct ws_policy *p;
	struct ws_settings *s;
	const char *file = NULL;

	b.next = ws_xmalloc(size);
	b.end = b.next + size;
	p = take(&b, sizeof(*p));
	memset(p, 0, sizeof(*p));
	p->block_size = size;
	s = &p->set;
	if (fz->file != NULL) {
		p->files = take(&b, sizeof(*p->files));
		p->files[0] = thaw_string(&b, fz->file, strlen(fz->file));
		p->n_files = 1;
		file = p->files[0];
	}
	*s = fz->plain->set;
	s->environment_vars = thaw_list(&b, fz, &fz->environment_vars);
	s->lenient_environments = thaw_list(&b, fz,
	    &fz->lenient_environments);
	s->secrets_dirs = thaw_list(&b, fz, &fz->secrets_dirs);
	s->keep = thaw_list(&b, fz, &fz->keep);
	s->deny = thaw_list(&b, fz, &fz->deny);
	s->ignore_file_vars = thaw_list(&b, fz, &fz->ignore_file_vars);
	s->example = fz->example ? thaw_string(&b, fz->example,
	    strlen(fz->example)) : NULL;
	s->default_environment = fz->default_environment ?
	    thaw_string(&b, fz->default_environment,
	    strlen(fz->default_environment)) : NULL;
	s->path = NULL;
	memcpy(p->where, fz->plain->where, sizeof(p->where));
	thaw_where(p->where, NWHERE(p->where), fz->where_set, file);
	thaw_rules(p, &b, fz, file);
	thaw_defaults(p, &b, fz, file);
	p->ph_values = thaw_list(&b, fz, &fz->ph_values);
	p->ph_patterns = thaw_list(&b, fz, &fz->ph_patterns);
	p->ph_literals = thaw_list(&b, fz, &fz->ph_literals);
	n = fz->ph_literals.n + 1;
	p->ph_masks = thaw_array(&b, fz->ph_masks, n * sizeof(*p->ph_masks));
	n = fz->ph_values.n + 1;
	p->ph_lens = thaw_array(&b, fz->ph_lens, n * sizeof(*p->ph_lens));
	p->ph_lenset = fz->ph_lenset;
	p->ph_filter = fz->plain->ph_filter;
	p->example_named = fz->example_named;
	return p;
}
