/*
 * The built-in policy, frozen (SPEC §9).  Parsing the built-in INI text
 * with inih at every start cost more than the rest of a typical run, so
 * the build parses it once: gen-builtin (src/gen-builtin.c) runs
 * ws_config_parse() on the text and prints the resulting policy as C
 * data; withsecrets links that data and ws_policy_new() thaws it with
 * ws_policy_thaw().  The text stays the source of truth (`withsecrets
 * defaults` prints it; a user's file is layered over the policy as
 * before).  The printer stays out of withsecrets: each libc symbol a
 * binary imports costs a lookup at start-up with -z now.
 *
 * A thawed policy has exactly the shape of a parsed one (each word list
 * one allocation, each pattern its own string, defaults' values in
 * ws_work), so that a user's file can replace any part of it and
 * ws_policy_destroy() frees it alike.  tests/unit/t_frozen.c compares
 * the two, byte for byte beyond the pointers.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "withsecrets.h"

#define NWHERE(a)	((unsigned)(sizeof(a) / sizeof((a)[0])))

_Static_assert(sizeof(((struct ws_frozen *)0)->where) ==
    sizeof(((struct ws_policy *)0)->where), "ws_frozen.where is too small");
_Static_assert(NWHERE(((struct ws_policy *)0)->where) <= 32 &&
    WS_VK_COUNT <= 32, "where_set has a bit for each key");

/* ------------------------------------------------------------------ */
/* Thawing.                                                            */

static char **
thaw_list(const struct ws_frozen_list *l)
{
	char **list, *text;
	size_t i;

	if (!l->present)
		return NULL;
	list = ws_xmalloc((l->n + 1) * sizeof(*list) + l->len + 1);
	text = (char *)(list + l->n + 1);
	memcpy(text, l->text, l->len);
	text[l->len] = '\0';
	for (i = 0; i < l->n; i++) {
		list[i] = text;
		text += strlen(text) + 1;
	}
	list[l->n] = NULL;
	return list;
}

static void *
thaw_array(const void *a, size_t size)
{
	void *p = ws_xmalloc(size);

	memcpy(p, a, size);
	return p;
}

static void
thaw_where(struct ws_where *w, const struct ws_where *from, unsigned n,
    unsigned set, const char *file)
{
	unsigned k;

	for (k = 0; k < n; k++) {
		w[k].line = from[k].line;
		w[k].file = (set & (1u << k)) ? file : NULL;
	}
}

static void
thaw_rules(struct ws_policy *p, const struct ws_frozen *fz, const char *file)
{
	const struct ws_frozen_rule *f;
	struct ws_varrule *r;
	size_t i;

	if (fz->n_rules == 0)
		return;
	/* room as rule_for() keeps it: 16, then doubled */
	for (p->cap_rules = 16; p->cap_rules < fz->n_rules; p->cap_rules *= 2)
		;
	p->rules = ws_xmalloc(p->cap_rules * sizeof(*p->rules));
	p->n_rules = fz->n_rules;
	for (i = 0; i < fz->n_rules; i++) {
		f = &fz->rules[i];
		r = &p->rules[i];
		memcpy(r, &f->r, sizeof(*r));
		r->pattern = ws_xstrdup(f->pattern);
		r->lit = f->lit_off == (size_t)-1 ? NULL :
		    r->pattern + f->lit_off;
		r->re = NULL;
		r->forbid = thaw_list(&f->forbid);
		thaw_where(r->where, f->r.where, NWHERE(r->where), f->where_set,
		    file);
	}
}

static void
thaw_defaults(struct ws_policy *p, const struct ws_frozen *fz,
    const char *file)
{
	const struct ws_default *f;
	struct ws_default *d;
	char *val;
	size_t i;

	if (fz->n_defaults == 0)
		return;
	p->defaults = ws_xmalloc(fz->n_defaults * sizeof(*p->defaults));
	p->n_defaults = fz->n_defaults;
	for (i = 0; i < fz->n_defaults; i++) {
		f = &fz->defaults[i];
		d = &p->defaults[i];
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
}

struct ws_policy *
ws_policy_thaw(const struct ws_frozen *fz)
{
	struct ws_policy *p = ws_xcalloc(1, sizeof(*p));
	struct ws_settings *s = &p->set;
	const char *file = NULL;
	size_t n;

	if (fz->file != NULL) {
		p->files = ws_xmalloc(sizeof(*p->files));
		p->files[0] = ws_xstrdup(fz->file);
		p->n_files = 1;
		file = p->files[0];
	}
	*s = fz->set;
	s->environment_vars = thaw_list(&fz->environment_vars);
	s->lenient_environments = thaw_list(&fz->lenient_environments);
	s->secrets_dirs = thaw_list(&fz->secrets_dirs);
	s->keep = thaw_list(&fz->keep);
	s->deny = thaw_list(&fz->deny);
	s->ignore_file_vars = thaw_list(&fz->ignore_file_vars);
	s->example = fz->example ? ws_xstrdup(fz->example) : NULL;
	s->path = NULL;
	thaw_where(p->where, fz->where, NWHERE(p->where), fz->where_set,
	    file);
	thaw_rules(p, fz, file);
	thaw_defaults(p, fz, file);
	p->ph_values = thaw_list(&fz->ph_values);
	p->ph_patterns = thaw_list(&fz->ph_patterns);
	p->ph_literals = thaw_list(&fz->ph_literals);
	n = fz->ph_literals.n + 1;
	p->ph_masks = thaw_array(fz->ph_masks, n * sizeof(*p->ph_masks));
	n = fz->ph_values.n + 1;
	p->ph_lens = thaw_array(fz->ph_lens, n * sizeof(*p->ph_lens));
	p->ph_lenset = fz->ph_lenset;
	ws_policy_index(p);
	p->example_named = fz->example_named;
	return p;
}
