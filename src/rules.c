/*
 * The rules of SPEC §6, run on what the command actually gets
 * (ws_effective of each name).  In a strict environment a violation is
 * an error (78, no exec); in a lenient one the same finding is a
 * warning and the command runs.  `required = always` is an error
 * everywhere; plaintext-secret exists only in strict environments and
 * shadowed is information.
 *
 * Values are read where they are, never copied out of guarded memory:
 * case-insensitive comparisons fold the value into a scratch block of
 * the guarded arena, compare it with sodium_memcmp after a length
 * check, and wipe it.  Messages name the variable, its source, lengths
 * and the rule: never the value or any part of it.
 */
#include "config.h"

#include <regex.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "withsecrets.h"
#include "rules.h"
#include "util.h"
#include "secmem.h"
#include "diag.h"
#include "names.h"
#include "vars.h"
#include "policy.h"
#include "effective.h"

/* ------------------------------------------------------------------ */
/* Helpers on values.                                                  */

/* A lower-case copy of a value, in guarded memory. */
struct folded {
	char	*p;
	size_t	 n;
};

/* ASCII upper case to lower case in a word of eight bytes, without a
 * branch (no timing from the value): a byte below 0x80 whose low seven
 * bits are at least 'A' and not above 'Z' gets 0x20. */
static uint64_t
fold8(uint64_t w)
{
	const uint64_t high = 0x8080808080808080ULL;
	uint64_t low7 = w & ~high;
	uint64_t ge_a = low7 + 0x3f3f3f3f3f3f3f3fULL;	/* >= 'A' */
	uint64_t gt_z = low7 + 0x2525252525252525ULL;	/* > 'Z' */

	return w | (((ge_a ^ gt_z) & ~w & high) >> 2);
}

static int
fold(const char *v, size_t n, struct folded *f)
{
	size_t i;
	uint64_t w;
	unsigned char c;

	f->n = n;
	if ((f->p = ws_arena_alloc(&ws_work, n + 1)) == NULL)
		return -1;
	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, v + i, 8);
		w = fold8(w);
		memcpy(f->p + i, &w, 8);
	}
	sodium_memzero(&w, sizeof(w));
	for (; i < n; i++) {
		c = (unsigned char)v[i];
		/* branch-free ASCII tolower: no timing from the value */
		c |= (unsigned char)(((unsigned)c - 'A' < 26u) << 5);
		f->p[i] = (char)c;
	}
	f->p[n] = '\0';
	return 0;
}

static void
unfold(struct folded *f)
{
	/* wipes it, and gives it back: it is the arena's newest block */
	ws_arena_shrink(&ws_work, f->p, f->n + 1, 0);
	f->p = NULL;
}

/* Is the folded value one of the words?  Every word is compared, each
 * in constant time once the lengths agree. */
static int
in_words(const struct folded *f, const char *const *words)
{
	size_t wl;
	int hit = 0;

	for (; words != NULL && *words != NULL; words++) {
		wl = strlen(*words);
		if (wl == f->n && wl > 0 &&
		    sodium_memcmp(f->p, *words, wl) == 0)
			hit = 1;
	}
	return hit;
}

/* true 1 yes on, in any case. */
int
ws_rule_truthy(const char *v, size_t n)
{
	static const char *const words[] = { "true", "1", "yes", "on",
	    NULL };
	struct folded f;
	int hit;

	if (n > 4)
		return 0;
	if (fold(v, n, &f) != 0)
		ws_fatal_nomem();
	hit = in_words(&f, words);
	unfold(&f);
	return hit;
}

/* Has a placeholder value this length? */
static int
has_length(const struct ws_policy *p, size_t n)
{
	size_t i;

	for (i = 0; p->ph_lens[i] != 0; i++)
		if (p->ph_lens[i] == n)
			return 1;
	return 0;
}

/* A byte a glob matches only with itself (not '*', '?', '[', '\'). */
static int
plain_byte(char c)
{
	return c != '\0' && c != '*' && c != '?' && c != '[' && c != '\\';
}

/*
 * The filter of the patterns (struct ws_phfilter), built whenever they
 * change (config.c) and frozen with the built-in policy.  literals[i] is
 * what any match of patterns[i] holds (ws_rule_placeholder() relies on
 * it too).  A pattern that starts with a plain byte matches only values
 * that start with it (ws_wildmatch() compares it with the first byte);
 * one that does not is ruled out by the pairs of its literal, if the
 * literal has two bytes: else the filter is not used ("always"), and
 * the masks of the literals decide, as without a filter.
 */
void
ws_placeholder_filter(struct ws_phfilter *f, char *const *pats,
    char *const *lits)
{
	const unsigned char *lit;
	size_t i, j, len;

	memset(f, 0, sizeof(*f));
	for (i = 0; pats[i] != NULL; i++) {
		if (plain_byte(pats[i][0])) {
			f->first |= (uint64_t)1 <<
			    WS_PH_BITS((unsigned char)pats[i][0]);
			continue;
		}
		lit = (const unsigned char *)lits[i];
		if ((len = strlen(lits[i])) < 2) {
			f->always = 1;
			continue;
		}
		for (j = 0; j + 1 < len; j++)
			f->pairs[WS_PH_BITS(lit[j])] |=
			    (uint64_t)1 << WS_PH_BITS(lit[j + 1]);
		if (f->step == 0 || len - 1 < f->step)
			f->step = len - 1;
	}
	f->ready = 1;
}

/* The filter's answer, from the first byte and a pair every step
 * bytes.  Every sample is looked at, whatever the earlier ones said. */
static int
filter_says(const struct ws_phfilter *f, const unsigned char *u, size_t n)
{
	uint64_t maybe = f->first >> WS_PH_BITS(u[0]);
	size_t pos, step = f->step;

	for (pos = step - 1; step > 0 && pos + 1 < n; pos += step)
		maybe |= f->pairs[WS_PH_BITS(u[pos])] >> WS_PH_BITS(u[pos + 1]);
	return (int)(maybe & 1);
}

/* Without a filter (a policy made by hand): the character mask of the
 * value, with the lower case of each letter added, covers the mask of
 * the folded value, which covers each literal it holds.  Out of line:
 * the address of its mask, taken, would have the stack protector check
 * every call of may_be_placeholder(). */
static WS_NOINLINE int
masks_say(const struct ws_policy *p, const char *v, size_t n)
{
	const uint64_t upper = (uint64_t)0x3ffffff << ('A' & 63);
	/* read once: the compiler reloaded them at every pattern */
	const uint64_t *masks = p->ph_masks;
	char *const *pats = p->ph_patterns;
	uint64_t mask;
	size_t i;
	int maybe = 0;

	mask = ws_charmask(v, n);
	mask |= (mask & upper) << ('a' - 'A');
	for (i = 0; !maybe && pats[i] != NULL; i++)
		if ((masks[i] & ~mask) == 0)
			maybe = 1;
	sodium_memzero(&mask, sizeof(mask));
	return maybe;
}

/*
 * Could the value be a placeholder at all?  Most secrets are as long as
 * no placeholder value and have none of the bytes a pattern needs where
 * the filter looks: told from the value as it is, without folding a copy
 * of it (SPEC §9).  Only whether the folded, constant-time comparison
 * runs depends on it, as before.
 */
static int
may_be_placeholder(const struct ws_policy *p, const char *v, size_t n)
{
	const struct ws_phfilter *f = &p->ph_filter;
	int maybe = 0;

	/* a length no value has, told at once (lengths are not secret) */
	if (p->ph_lenset == 0)	/* a policy made by hand: look */
		maybe = has_length(p, n);
	else if (p->ph_lenset & WS_LENBIT(n))
		maybe = n < 63 || has_length(p, n);
	if (maybe)
		return 1;
	/* a pattern of a literal shorter than a pair: the masks tell it */
	if (!f->ready || f->always)
		return masks_say(p, v, n);
	return n > 0 && filter_says(f, (const unsigned char *)v, n);
}

/* The match itself, on a value of at least a byte that
 * may_be_placeholder() did not rule out. */
static int
placeholder_match(const struct ws_policy *p, const char *v, size_t n)
{
	struct folded f;
	const char *lit;
	uint64_t mask;
	size_t i;
	int hit = 0;

	if (fold(v, n, &f) != 0)
		ws_fatal_nomem();
	/* every value of the same length is compared, in constant time */
	for (i = 0; p->ph_values[i] != NULL; i++)
		if (p->ph_lens[i] == n &&
		    sodium_memcmp(f.p, p->ph_values[i], n) == 0)
			hit = 1;
	mask = ws_charmask(f.p, f.n);
	for (i = 0; !hit && p->ph_patterns[i] != NULL; i++) {
		lit = p->ph_literals[i];
		if ((p->ph_masks[i] & ~mask) ||
		    memmem(f.p, f.n, lit, strlen(lit)) == NULL)
			continue;	/* cannot match: skip the glob */
		hit = ws_wildmatch(p->ph_patterns[i], f.p, f.n);
	}
	sodium_memzero(&mask, sizeof(mask));
	unfold(&f);
	return hit;
}

/* A placeholder: one of [placeholders] values (whole, any case) or
 * matching one of its patterns (globs, any case). */
int
ws_rule_placeholder(const struct ws_policy *p, const char *v, size_t n)
{
	return n > 0 && may_be_placeholder(p, v, n) &&
	    placeholder_match(p, v, n);
}

/*
 * Obviously not random: few distinct characters, a short pattern
 * repeated, most characters following their predecessor (same, one up,
 * one down), or a run of twelve such.  The thresholds keep a random
 * value safe: the most regular random alphabet is hex, where a
 * character follows its predecessor with probability about 3/16.  In
 * 32 or 64 hex digits, 75% of such steps (~1e-13), a run of twelve (no
 * run of digits is that long; twelve equal digits ~1e-12), fewer than
 * five distinct characters (~1e-16) or a period of 32 or less (~1e-19)
 * happen by chance about once in a trillion or less
 * (tests/unit/t_rules.c tries many openssl-like and urandom keys).
 */
/* How many distinct bytes; the set itself, derived from a secret, is
 * wiped. */
static size_t
count_distinct(const unsigned char *u, size_t n)
{
	unsigned char seen[32];
	size_t i, distinct = 0;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < n; i++)
		if (!(seen[u[i] >> 3] & (1u << (u[i] & 7)))) {
			seen[u[i] >> 3] |= (unsigned char)(1u << (u[i] & 7));
			distinct++;
		}
	sodium_memzero(seen, sizeof(seen));
	return distinct;
}

int
ws_rule_weak(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, p, distinct, follow = 0, run = 1, longest = 1, maxp;
	int step, prev_step = 2;

	if (n < 2)
		return n == 1;
	distinct = count_distinct(u, n);
	if (distinct < 5 && n >= 16)
		return 1;
	if (distinct == 1)
		return 1;
	maxp = n / 2 < 32 ? n / 2 : 32;
	for (p = 1; p <= maxp; p++)
		if (s[p] == s[0] && memcmp(s, s + p, n - p) == 0)
			return 1;
	for (i = 1; i < n; i++) {
		step = (int)u[i] - (int)u[i - 1];
		if (step >= -1 && step <= 1) {
			follow++;
			run = step == prev_step ? run + 1 : 2;
		} else
			run = 1;
		prev_step = step >= -1 && step <= 1 ? step : 2;
		if (run > longest)
			longest = run;
	}
	return longest >= 12 || follow * 4 >= (n - 1) * 3;
}

/* ------------------------------------------------------------------ */
/* Findings.                                                           */

static void WS_PRINTF(5, 6)
report(enum ws_severity sev, const char *rule, const struct ws_var *v,
    const char *name, const char *fmt, ...)
{
	char *src = v ? ws_var_source(v) : NULL, *msg;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		ws_fatal_nomem();
	msg = ws_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	(void)vsnprintf(msg, (size_t)n + 1, fmt, ap);
	va_end(ap);
	ws_finding(sev, WS_EX_POLICY, rule, name ? name : v->name, src, "%s",
	    msg);
	free(msg);
	free(src);
}

static enum ws_severity
mode_sev(const struct ws_run *run)
{
	return run->strict ? WS_SEV_ERROR : WS_SEV_WARNING;
}

/* A value from a source anyone with the files can read. */
static int
plaintext(const struct ws_var *v)
{
	return !(v->flags & (WS_VAR_FROM_FILE | WS_VAR_SECRET)) &&
	    v->src->kind != WS_KIND_SECRET_DIR;
}

static const char *
plaintext_what(const struct ws_var *v)
{
	switch (v->src->kind) {
	case WS_KIND_INHERITED:
		return "the inherited environment";
	case WS_KIND_DEFAULT:
		return "the policy's [defaults]";
	default:
		return "a .env file";
	}
}

static int
example_value(const struct ws_run *run, const struct ws_var *v,
    const struct ws_var **ex)
{
	const struct ws_var *x;

	if (run->example == NULL)
		return 0;
	for (x = ws_store_get(run->example, v->name, v->namelen); x != NULL;
	    x = x->next_in_name)
		if (!(x->flags & WS_VAR_NO_VALUE) && x->vallen > 0) {
			*ex = x;
			return 1;
		}
	return 0;
}

static void
check_placeholder(struct ws_run *run, const struct ws_var *e)
{
	const struct ws_policy *p = run->policy;
	const struct ws_var *ex;

	/* most secrets are ruled out at once: no folded copy, and no
	 * call */
	if (e->vallen > 0 && may_be_placeholder(p, e->value, e->vallen) &&
	    placeholder_match(p, e->value, e->vallen)) {
		report(mode_sev(run), "placeholder", e, NULL, "is a "
		    "placeholder or a development default; set a real secret");
		return;
	}
	if (run->example == NULL)
		return;		/* no example file (mostly): no value of it */
	if (e->src->path != NULL &&
	    strcmp(e->src->path, run->example_path) == 0)
		return;		/* the example file used as a layer */
	if (example_value(run, e, &ex) && ex->vallen == e->vallen &&
	    sodium_memcmp(ex->value, e->value, e->vallen) == 0)
		report(mode_sev(run), "placeholder", e, NULL, "still has its "
		    "value from %s; set a real secret", run->example_path);
}

static void
check_forbid(struct ws_run *run, const struct ws_var *e,
    const struct ws_varrule *r)
{
	struct folded f;
	char *w;
	int hit;

	if (r->forbid == NULL || r->forbid[0] == NULL)
		return;
	if (fold(e->value, e->vallen, &f) != 0)
		ws_fatal_nomem();
	hit = in_words(&f, (const char *const *)r->forbid);
	unfold(&f);
	if (hit) {
		w = ws_where_fmt(&r->where[WS_VK_FORBID]);
		report(mode_sev(run), "forbid", e, NULL, "has a value that %s "
		    "forbids; change it", w);
		free(w);
	}
}

static void
check_pattern(struct ws_run *run, const struct ws_var *e,
    const struct ws_varrule *r)
{
	char *w;

	/* in place: the value is NUL-terminated and holds no NUL */
	if (regexec(r->re, e->value, 0, NULL, 0) != 0) {
		w = ws_where_fmt(&r->where[WS_VK_PATTERN]);
		report(mode_sev(run), "pattern", e, NULL, "does not match the "
		    "pattern of %s; fix the value", w);
		free(w);
	}
}

static void
check_plaintext(struct ws_run *run, const struct ws_var *e)
{
	enum ws_plaintext how = run->set->plaintext_secrets;

	if (!run->strict || how == WS_PLAINTEXT_ALLOW || e->vallen == 0 ||
	    !plaintext(e))
		return;
	report(how == WS_PLAINTEXT_ERROR ? WS_SEV_ERROR : WS_SEV_WARNING,
	    "plaintext-secret", e, NULL, "a secret from %s, in a strict "
	    "environment; mount it as a secret file or point %s_FILE at one",
	    plaintext_what(e), e->name);
}

/* Every rule on one value. */
static void
check_value(struct ws_run *run, const struct ws_var *e,
    const struct ws_varpol *vp, int secret)
{
	size_t chars = 0;
	int short_ = 0;

	if (vp->debug && ws_rule_truthy(e->value, e->vallen))
		report(mode_sev(run), "debug", e, NULL, "debug mode is on; "
		    "turn it off (false or 0): a strict environment refuses "
		    "it");
	if (vp->min_length > 0) {
		chars = ws_utf8_length(e->value, e->vallen);
		if (chars < vp->min_length) {
			short_ = 1;
			report(mode_sev(run), "min-length", e, NULL,
			    "%zu character%s, needs at least %zu", chars,
			    chars == 1 ? "" : "s", vp->min_length);
		}
	}
	if (secret && vp->min_length >= 32 && !short_ &&
	    ws_rule_weak(e->value, e->vallen))
		report(mode_sev(run), "weak", e, NULL, "does not look random "
		    "(repeated or sequential characters); generate one, e.g. "
		    "with openssl rand -hex 32");
	if (secret)
		check_placeholder(run, e);
	if (vp->from[WS_VK_FORBID])
		check_forbid(run, e, vp->from[WS_VK_FORBID]);
	if (vp->from[WS_VK_PATTERN])
		check_pattern(run, e, vp->from[WS_VK_PATTERN]);
	if (secret)
		check_plaintext(run, e);
}

/* ------------------------------------------------------------------ */
/* Shadowed sources.                                                   */

struct shadow_ctx {
	struct ws_run	*run;
	const struct ws_var *e;
	int		 secret;
};

static void
shadow_finding(void *arg, const struct ws_var *v, int pointer)
{
	struct shadow_ctx *c = arg;
	char *by = ws_var_source(c->e);
	enum ws_severity sev = WS_SEV_INFO;

	/* an operator's variable hiding a mounted secret file is likely a
	 * mistake left over from before the secret was mounted */
	if (c->run->strict && c->secret && !pointer &&
	    c->e->src->kind == WS_KIND_INHERITED &&
	    !(c->e->flags & WS_VAR_FROM_FILE) &&
	    v->src->kind == WS_KIND_SECRET_DIR)
		sev = WS_SEV_WARNING;
	report(sev, "shadowed", v, c->e->name, "%s%s hidden by %s%s",
	    pointer ? v->name : "", pointer ? " is" : "is", by,
	    sev == WS_SEV_WARNING ? "; unset the variable to use the "
	    "mounted secret" : "");
	free(by);
}

/* ------------------------------------------------------------------ */
/* required and distinct.                                              */

static void
require(struct ws_run *run, const char *name, enum ws_required req,
    const char *why)
{
	struct ws_var *head = ws_store_get(run->store, name, strlen(name));
	struct ws_var *e = head ? ws_effective(run, head) : NULL;
	enum ws_severity sev = req == WS_REQ_ALWAYS ? WS_SEV_ERROR :
	    mode_sev(run);

	if (e == NULL)
		ws_finding(sev, WS_EX_POLICY, "required", name, NULL,
		    "is not set; %s", why);
	else if (e->vallen == 0)
		report(sev, "required", e, NULL, "is empty; %s", why);
}

static void
check_required(struct ws_run *run)
{
	const struct ws_policy *p = run->policy;
	const struct ws_varrule *r;
	struct ws_var *v;
	size_t i, it = 0;
	char *why, *w;

	for (i = 0; i < p->n_rules; i++) {
		r = &p->rules[i];
		if (r->glob || !(r->set & (1u << WS_VK_REQUIRED)) ||
		    r->required == WS_REQ_NO)
			continue;
		w = ws_where_fmt(&r->where[WS_VK_REQUIRED]);
		why = ws_xasprintf("%s requires it%s", w,
		    r->required == WS_REQ_STRICT ? " in a strict environment" :
		    "");
		free(w);
		require(run, r->pattern, r->required, why);
		free(why);
	}
	if (run->example == NULL)
		return;
	why = ws_xasprintf("%s lists it: set it (or say required = no in "
	    "its [var] section)", run->example_path);
	while ((v = ws_store_next(run->example, &it)) != NULL) {
		r = ws_policy_exact(p, v->name, v->namelen);
		if (r == NULL || !(r->set & (1u << WS_VK_REQUIRED)))
			require(run, v->name, WS_REQ_STRICT, why);
		/* else its own section decides */
	}
	free(why);
}

/* distinct = yes values, keyed by a SipHash under a key of this run:
 * sorting by (length, hash) brings equal values together, so values
 * are compared (with sodium_memcmp) only when they are likely equal,
 * not each with each. */
struct dcand {
	struct ws_var	*v;
	uint64_t	 h;
	size_t		 order;
};

static int
by_hash(const void *a, const void *b)
{
	const struct dcand *x = a, *y = b;

	if (x->v->vallen != y->v->vallen)
		return x->v->vallen < y->v->vallen ? -1 : 1;
	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void
check_distinct(struct ws_run *run, struct ws_var **vars, size_t n)
{
	unsigned char key[crypto_shorthash_KEYBYTES];
	unsigned char h[crypto_shorthash_BYTES];
	struct dcand *c;
	size_t i, j;
	char *src;

	if (n < 2)
		return;
	c = ws_xcalloc(n, sizeof(*c));
	randombytes_buf(key, sizeof(key));
	for (i = 0; i < n; i++) {
		(void)crypto_shorthash(h, (const unsigned char *)vars[i]->value,
		    vars[i]->vallen, key);
		memcpy(&c[i].h, h, sizeof(c[i].h));
		c[i].v = vars[i];
		c[i].order = i;
	}
	sodium_memzero(key, sizeof(key));
	qsort(c, n, sizeof(*c), by_hash);
	/* within each run of equal hashes, the first in store order is
	 * the one the others are reported against */
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && c[j].v->vallen == c[i].v->vallen &&
		    c[j].h == c[i].h; j++) {
			if (sodium_memcmp(c[j].v->value, c[i].v->value,
			    c[i].v->vallen) != 0)
				continue;
			src = ws_var_source(c[i].v);
			report(mode_sev(run), "distinct", c[j].v, NULL, "has the "
			    "same value as %s (%s); give each secret its own",
			    c[i].v->name, src);
			free(src);
		}
	}
	sodium_memzero(c, n * sizeof(*c));
	free(c);
}

/* Pointers hidden by a higher source's value of their target: from the
 * pointers' side, as they are few and names are many. */
static void
shadowed_pointers(struct ws_run *run)
{
	struct ws_var *head, *p, *t;
	struct shadow_ctx sc;
	const char *target;
	size_t it = 0, tlen;

	while ((head = ws_store_next_pointer(run->store, &it)) != NULL) {
		if ((tlen = ws_pointer_target(head->name, head->namelen,
		    &target)) == 0)
			continue;
		t = ws_store_get(run->store, target, tlen);
		if (t == NULL || (t = ws_effective(run, t)) == NULL)
			continue;
		sc.run = run;
		sc.e = t;
		sc.secret = 0;
		for (p = head; p != NULL; p = p->next_in_name)
			if (ws_pointer_hidden(run, p, t))
				shadow_finding(&sc, p, 1);
	}
}

void
ws_rules_check(struct ws_run *run)
{
	struct ws_var *head, *e, **cands = NULL, **heads;
	struct shadow_ctx sc;
	struct ws_varpol vp;
	size_t i, n, nc = 0;
	int secret, said;

	sc.run = run;
	/* every name's head at once: a loop without a call per name */
	heads = ws_xmalloc((ws_store_count(run->store) + 1) * sizeof(*heads));
	n = ws_store_heads(run->store, heads);
	for (i = 0; i < n; i++) {
		head = heads[i];
		if ((e = ws_effective(run, head)) == NULL)
			continue;
		said = ws_policy_var_n(run->policy, e->name, e->namelen, &vp);
		secret = ws_policy_secret(e, &vp);
		/* else no section applies: no key to check the value by */
		if (said || secret)
			check_value(run, e, &vp, secret);
		if (said && vp.distinct && e->vallen > 0) {
			cands = ws_xrealloc(cands, (nc + 1) * sizeof(*cands));
			cands[nc++] = e;
		}
		if (head->next_in_name == NULL)
			continue;	/* one entry: it hides nothing */
		sc.e = e;
		sc.secret = secret;
		(void)ws_shadowed_in_chain(head, e, shadow_finding, &sc);
	}
	free(heads);
	shadowed_pointers(run);
	check_distinct(run, cands, nc);
	free(cands);
	check_required(run);
}
