/*
 * The policy, per name: which [var] sections apply, whether a variable
 * is a secret, which names the program declares; and [defaults] as the
 * lowest source.  The policy itself is read by config.c.
 */
#include "config.h"

#include <regex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "withsecrets.h"
#include "opts.h"
#include "policy.h"
#include "util.h"
#include "names.h"

uint64_t
ws_charmask(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	uint64_t m = 0;
	size_t i = 0;

	for (; i + 4 <= n; i += 4)	/* four at a time: half the work */
		m |= (uint64_t)1 << (u[i] & 63) | (uint64_t)1 << (u[i + 1] & 63) |
		    (uint64_t)1 << (u[i + 2] & 63) |
		    (uint64_t)1 << (u[i + 3] & 63);
	for (; i < n; i++)
		m |= (uint64_t)1 << (u[i] & 63);
	return m;
}

static int
rule_matches(const struct ws_varrule *r, const char *name, size_t n,
    uint64_t mask)
{
	if (r->mask & ~mask)
		return 0;	/* a character of the pattern is missing */
	switch (r->shape) {
	case WS_SHAPE_EXACT:
		return r->litlen == n && memcmp(r->lit, name, n) == 0;
	case WS_SHAPE_PREFIX:
		return r->litlen <= n && memcmp(r->lit, name, r->litlen) == 0;
	case WS_SHAPE_SUFFIX:
		return r->litlen <= n &&
		    memcmp(r->lit, name + n - r->litlen, r->litlen) == 0;
	case WS_SHAPE_CONTAINS:
		return memmem(name, n, r->lit, r->litlen) != NULL;
	case WS_SHAPE_ANY:
		return 1;
	default:
		return ws_wildmatch(r->pattern, name, n);
	}
}

/* The values of the sections chosen for each key. */
static void
varpol_values(struct ws_varpol *out)
{
	if (out->from[WS_VK_SECRET])
		out->secret = out->from[WS_VK_SECRET]->secret;
	if (out->from[WS_VK_REQUIRED])
		out->required = out->from[WS_VK_REQUIRED]->required;
	if (out->from[WS_VK_MIN_LENGTH])
		out->min_length = out->from[WS_VK_MIN_LENGTH]->min_length;
	if (out->from[WS_VK_DISTINCT])
		out->distinct = out->from[WS_VK_DISTINCT]->distinct;
	if (out->from[WS_VK_DEBUG])
		out->debug = out->from[WS_VK_DEBUG]->debug;
}

/* The reference: every rule in turn.  Also what a policy whose index
 * is missing or behind its rules uses. */
int
ws_policy_var_scan(const struct ws_policy *p, const char *name, size_t n,
    struct ws_varpol *out)
{
	const struct ws_varrule *r, *end = p->rules + p->n_rules;
	uint64_t mask = ws_charmask(name, n), absent = ~mask;
	unsigned exact = 0, bit;
	size_t k;
	int said = 0;

	memset(out, 0, sizeof(*out));
	out->secret = -1;
	for (r = p->rules; r < end; r++) {
		/* most rules lack a character of the name: the test first */
		if ((r->mask & absent) != 0 || r->set == 0 ||
		    !rule_matches(r, name, n, mask))
			continue;
		said = 1;
		for (k = 0; k < WS_VK_COUNT; k++) {
			bit = 1u << k;
			if (!(r->set & bit))
				continue;
			/* the section of this very name beats any glob; among
			 * globs the later one (the user's) wins */
			if (r->glob && (exact & bit))
				continue;
			if (!r->glob)
				exact |= bit;
			out->from[k] = r;
		}
	}
	varpol_values(out);
	return said;
}

/* ------------------------------------------------------------------ */
/* The index of the rules (struct ws_ruleindex).                       */

#define BUCKET(c)	((unsigned char)(c) & (WS_INDEX_BUCKETS - 1))
/* The bucket of two adjacent bytes (*LIT* literals): letters, digits and
 * '_' spread over it. */
#define PAIR(a, b)	((BUCKET(a) * 5 + (unsigned char)(b)) & \
			    (WS_INDEX_BUCKETS - 1))
/* Is r a *LIT* rule with a pair of bytes (in the pairs' buckets)?  One
 * of one byte is an other glob. */
#define PAIRED(r)	((r)->shape == WS_SHAPE_CONTAINS && (r)->litlen >= 2)

/* The bucket of an exact name: its length and three of its bytes, a
 * few instructions whatever its length. */
static unsigned
exact_key(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	if (n == 0)
		return 0;
	return (unsigned)(n * 31 + u[0] * 7 + u[n / 2] * 3 + u[n - 1]) &
	    (WS_INDEX_BUCKETS - 1);
}

/* Do the n bytes at a and b agree?  Literals are short and most differ
 * in their first bytes: cheaper inline than a call to memcmp. */
static int
same(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

/* The shortest *LIT* literal less one, and the pairs of all of them. */
static size_t
inner_bytes(const struct ws_policy *p, size_t *step)
{
	size_t i, total = 0;

	*step = 0;
	for (i = 0; i < p->n_rules; i++)
		if (PAIRED(&p->rules[i])) {
			total += p->rules[i].litlen - 1;
			if (*step == 0 || p->rules[i].litlen - 1 < *step)
				*step = p->rules[i].litlen - 1;
		}
	return total;
}

/* The chain a rule other than a paired *LIT* goes in (an exact name's
 * length noted on the way). */
static uint32_t *
rule_bucket(struct ws_ruleindex *x, const struct ws_varrule *r)
{
	switch (r->shape) {
	case WS_SHAPE_EXACT:
		x->exact_lens |= WS_LENBIT(r->litlen);
		return &x->exact[exact_key(r->lit, r->litlen)];
	case WS_SHAPE_PREFIX:
		return &x->prefix[BUCKET(r->lit[0])];
	case WS_SHAPE_SUFFIX:
		return &x->suffix[BUCKET(r->lit[r->litlen - 1])];
	default:
		return &x->other;
	}
}

size_t
ws_index_size(size_t n, size_t nb)
{
	return sizeof(struct ws_ruleindex) + n * sizeof(uint32_t) +
	    nb * sizeof(struct ws_litbyte);
}

/* Build the index of p's rules in x, ws_index_size() bytes. */
static void
index_in(struct ws_policy *p, struct ws_ruleindex *x)
{
	const struct ws_varrule *r;
	uint32_t *head, nb = 0;
	size_t i, j, step;

	(void)inner_bytes(p, &step);
	memset(x, 0, sizeof(*x));
	x->next = (uint32_t *)(x + 1);
	x->bytes = (struct ws_litbyte *)(x->next + p->n_rules);
	x->n_rules = p->n_rules;
	x->step = step;
	/* a rule without keys stays in: a later file may give it keys
	 * without adding a rule */
	for (i = 0; i < p->n_rules; i++) {
		r = &p->rules[i];
		if (!PAIRED(r)) {
			head = rule_bucket(x, r);
			x->next[i] = *head;
			*head = (uint32_t)(i + 1);
			continue;
		}
		x->next[i] = 0;		/* in no chain of rules */
		for (j = 0; j + 1 < r->litlen; j++, nb++) {
			head = &x->inner[PAIR(r->lit[j], r->lit[j + 1])];
			x->bytes[nb].rule = (uint32_t)i;
			x->bytes[nb].off = (uint32_t)j;
			x->bytes[nb].after = (uint32_t)(r->litlen - j - 1);
			x->bytes[nb].next = *head;
			x->bytes[nb].lead = (unsigned char)r->lit[0];
			*head = nb + 1;
		}
	}
	p->index = x;
}

void
ws_policy_index(struct ws_policy *p)
{
	size_t step, nb = inner_bytes(p, &step);

	ws_policy_free_part(p, p->index);
	p->index = NULL;
	if (p->n_rules >= UINT32_MAX || nb >= UINT32_MAX)
		return;		/* never from a 1 MiB file: matched in turn */
	index_in(p, ws_xmalloc(ws_index_size(p->n_rules, nb)));
}

static const struct ws_ruleindex *
index_of(const struct ws_policy *p)
{
	const struct ws_ruleindex *x = p->index;

	return x != NULL && x->n_rules == p->n_rules ? x : NULL;
}

/* Per key, the glob section that decides: the last that gives it (the
 * rules are in policy order, the user's after the built-in ones).
 * Returns whether the section gives any key. */
static int
take_glob(const struct ws_varrule **g, const struct ws_varrule *r)
{
	size_t k;

	for (k = 0; k < WS_VK_COUNT; k++)
		if ((r->set & (1u << k)) && (g[k] == NULL || g[k] < r))
			g[k] = r;
	return r->set != 0;
}

static inline const struct ws_varrule *
exact_in(const struct ws_policy *p, const struct ws_ruleindex *x,
    const char *name, size_t n)
{
	const struct ws_varrule *r;
	uint32_t i;

	if (!(x->exact_lens & WS_LENBIT(n)))
		return NULL;	/* no section of a name this long */
	for (i = x->exact[exact_key(name, n)]; i != 0; i = x->next[i - 1]) {
		r = &p->rules[i - 1];
		if (r->litlen == n && same(r->lit, name, n))
			return r;
	}
	return NULL;
}

const struct ws_varrule *
ws_policy_exact(const struct ws_policy *p, const char *name, size_t n)
{
	const struct ws_ruleindex *x = index_of(p);
	size_t k;

	if (x != NULL)
		return exact_in(p, x, name, n);
	for (k = 0; k < p->n_rules; k++)
		if (p->rules[k].shape == WS_SHAPE_EXACT &&
		    p->rules[k].litlen == n && same(p->rules[k].lit, name, n))
			return &p->rules[k];
	return NULL;
}

/* LIT* and *LIT rules, from the name's first and last bytes. */
static int
match_ends(const struct ws_policy *p, const struct ws_ruleindex *x,
    const char *name, size_t n, const struct ws_varrule **g)
{
	const struct ws_varrule *r;
	uint32_t i;
	int any = 0;

	for (i = x->prefix[BUCKET(name[0])]; i != 0; i = x->next[i - 1]) {
		r = &p->rules[i - 1];
		if (r->litlen <= n && same(r->lit, name, r->litlen))
			any |= take_glob(g, r);
	}
	for (i = x->suffix[BUCKET(name[n - 1])]; i != 0; i = x->next[i - 1]) {
		r = &p->rules[i - 1];
		if (r->litlen <= n &&
		    same(r->lit, name + n - r->litlen, r->litlen))
			any |= take_glob(g, r);
	}
	return any;
}

/* *LIT* rules: at every step-th position from pos on, the literals
 * that may hold the pair of bytes there, tried where they would
 * start. */
static int
match_inner(const struct ws_policy *p, const struct ws_ruleindex *x,
    const char *name, size_t n, size_t pos, const struct ws_varrule **g)
{
	const struct ws_litbyte *b;
	const struct ws_varrule *r;
	size_t start;
	uint32_t i;
	int any = 0;

	for (; pos + 1 < n; pos += x->step)
		for (i = x->inner[PAIR(name[pos], name[pos + 1])]; i != 0;
		    i = b->next) {
			b = &x->bytes[i - 1];
			/* the literal must fit around pos: told before the
			 * rule is looked at */
			if (b->off > pos || b->after >= n - pos)
				continue;
			/* and start with its first byte: most do not, told
			 * before the rule is looked at too */
			start = pos - b->off;
			if ((unsigned char)name[start] != b->lead)
				continue;
			r = &p->rules[b->rule];
			if (same(r->lit + 1, name + start + 1, r->litlen - 1))
				any |= take_glob(g, r);
		}
	return any;
}

/* Might a rule match the name at all?  0: certainly none, told from
 * the buckets the name leads to without touching a rule (most names:
 * every one is empty). */
static int
may_match(const struct ws_ruleindex *x, const char *name, size_t n)
{
	size_t pos;

	if (x->other != 0)
		return 1;	/* a glob of no shape: tried on every name */
	if (n == 0)
		return 0;
	if ((x->prefix[BUCKET(name[0])] | x->suffix[BUCKET(name[n - 1])]) !=
	    0 || (x->exact_lens & WS_LENBIT(n)) != 0)
		return 1;
	for (pos = x->step - 1; x->step > 0 && pos + 1 < n; pos += x->step)
		if (x->inner[PAIR(name[pos], name[pos + 1])] != 0)
			return 1;
	return 0;
}

/* The rules that match, each key's deciding one in out->from[];
 * returns whether one that gives keys does.  Out of line: inlined, the
 * registers it needs would be saved and restored on every call of
 * ws_policy_var_n(), which mostly never comes here. */
static WS_NOINLINE int
match_rules(const struct ws_policy *p, const struct ws_ruleindex *x,
    const char *name, size_t n, struct ws_varpol *out)
{
	const struct ws_varrule **from = out->from, *e = NULL, *r;
	size_t pos, k;
	uint32_t i;
	int hit = 0;

	if (n > 0) {
		if ((x->prefix[BUCKET(name[0])] |
		    x->suffix[BUCKET(name[n - 1])]) != 0)
			hit |= match_ends(p, x, name, n, from);
		for (pos = x->step - 1; x->step > 0 && pos + 1 < n;
		    pos += x->step)
			if (x->inner[PAIR(name[pos], name[pos + 1])] != 0) {
				hit |= match_inner(p, x, name, n, pos, from);
				break;
			}
		e = exact_in(p, x, name, n);
	}
	for (i = x->other; i != 0; i = x->next[i - 1]) {
		r = &p->rules[i - 1];
		if (rule_matches(r, name, n, ~(uint64_t)0))
			hit |= take_glob(from, r);
	}
	/* the section of this very name beats any glob, key by key */
	if (e != NULL) {
		for (k = 0; k < WS_VK_COUNT; k++)
			if (e->set & (1u << k))
				from[k] = e;
		hit |= e->set != 0;
	}
	if (hit)
		varpol_values(out);
	return hit;
}

int
ws_policy_var_n(const struct ws_policy *p, const char *name, size_t n,
    struct ws_varpol *out)
{
	const struct ws_ruleindex *x = index_of(p);

	if (x == NULL)
		return ws_policy_var_scan(p, name, n, out);
	memset(out, 0, sizeof(*out));
	out->secret = -1;
	/* from[] gathers the deciding glob of each key first */
	return may_match(x, name, n) ? match_rules(p, x, name, n, out) : 0;
}

void
ws_policy_var(const struct ws_policy *p, const char *name,
    struct ws_varpol *out)
{
	(void)ws_policy_var_n(p, name, strlen(name), out);
}

/* Has the name the form of a pointer (NAME_FILE, FILE__NAME)? */
static int
pointer_form(const struct ws_var *v)
{
	const char *target;

	return ws_pointer_target(v->name, v->namelen, &target) != 0;
}

/*
 * A secret: what a section says (the built-in policy says yes for names
 * containing SECRET, PASSWORD, PASSWD, TOKEN, PRIVATE, CREDENTIAL or
 * ending in _KEY, and for DATABASE_URL and REDIS_URL), else everything
 * read from a secret directory or through NAME_FILE, or built from a
 * secret by interpolation.  An explicit "secret = no" wins.  A NAME_FILE
 * that passes through holds a path, not a secret: a glob such as
 * *PASSWORD* does not make DB_PASSWORD_FILE one (its own section may).
 */
int
ws_policy_secret(const struct ws_var *v, const struct ws_varpol *vp)
{
	const struct ws_varrule *r = vp->from[WS_VK_SECRET];

	if (vp->secret == 0)
		return 0;
	if (vp->secret == 1 && (!r->glob || !pointer_form(v)))
		return 1;
	return (v->flags & (WS_VAR_SECRET | WS_VAR_FROM_FILE)) != 0 ||
	    v->src->kind == WS_KIND_SECRET_DIR;
}

int
ws_policy_is_secret(struct ws_run *run, const struct ws_var *v)
{
	struct ws_varpol vp;

	(void)ws_policy_var_n(run->policy, v->name, v->namelen, &vp);
	return ws_policy_secret(v, &vp);
}

/* ------------------------------------------------------------------ */
/* The policy object: its parts, and its end.                          */

/* Bytes are compared as addresses: the block is one object. */
static int
in_block(const struct ws_policy *p, const void *part)
{
	return p->block_size > 0 &&
	    (uintptr_t)part - (uintptr_t)p < p->block_size;
}

void
ws_policy_free_part(struct ws_policy *p, void *part)
{
	if (!in_block(p, part))
		free(part);
}

/* A part grown out of the block is copied; the block keeps the old. */
void *
ws_policy_grow_part(struct ws_policy *p, void *part, size_t old, size_t size)
{
	void *n;

	if (!in_block(p, part))
		return ws_xrealloc(part, size);
	n = ws_xmalloc(size);
	memcpy(n, part, old < size ? old : size);
	return n;
}

void
ws_regex_free(void *re)
{
	if (re != NULL) {
		regfree(re);
		free(re);
	}
}

void
ws_policy_destroy(struct ws_policy *p)
{
	struct ws_settings *s;
	size_t i;

	if (p == NULL)
		return;
	s = &p->set;
	ws_policy_free_part(p, s->environment_vars);
	ws_policy_free_part(p, s->lenient_environments);
	ws_policy_free_part(p, s->secrets_dirs);
	ws_policy_free_part(p, s->keep);
	ws_policy_free_part(p, s->deny);
	ws_policy_free_part(p, s->ignore_file_vars);
	ws_policy_free_part(p, s->example);
	ws_policy_free_part(p, s->default_environment);
	free(s->path);
	for (i = 0; i < p->n_rules; i++) {
		ws_policy_free_part(p, p->rules[i].pattern);
		ws_regex_free(p->rules[i].re);
		ws_policy_free_part(p, p->rules[i].forbid);
	}
	ws_policy_free_part(p, p->rules);
	ws_policy_free_part(p, p->index);
	ws_policy_free_part(p, p->defaults);
	ws_policy_free_part(p, p->ph_values);
	ws_policy_free_part(p, p->ph_patterns);
	ws_policy_free_part(p, p->ph_literals);
	ws_policy_free_part(p, p->ph_masks);
	ws_policy_free_part(p, p->ph_lens);
	for (i = 0; i < p->n_stores; i++) {
		free(p->stores[i].name);
		free(p->stores[i].via);
		free(p->stores[i].ns);
		free(p->stores[i].token_file);
		free(p->stores[i].import);
	}
	free(p->stores);
	for (i = 0; i < p->n_files; i++)
		ws_policy_free_part(p, p->files[i]);
	ws_policy_free_part(p, p->files);
	free(p);	/* and with it the block of a thawed policy */
}

char *
ws_where_fmt(const struct ws_where *w)
{
	return ws_source_fmt(w->file ? w->file : "?", w->line);
}

/* The audit in effect: --audit, else the policy's. */
enum ws_audit
ws_audit_mode(const struct ws_run *run)
{
	if (run->opts->audit != 0)
		return (enum ws_audit)(run->opts->audit - 1);
	return run->set->audit;
}
