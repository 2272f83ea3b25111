/*
 * Judging a value: folded in guarded memory and compared in constant
 * time with lists of words, recognised as a placeholder (with the
 * filter that rules most values out from a few of their bytes, beside
 * the plain match it stands in front of: t_fast and fuzz_policy compare
 * them), or found obviously not random.  Nothing here reports: the
 * rules (rules.c) do.  No value is ever copied out of guarded memory.
 */
#include "config.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "withsecrets.h"
#include "values.h"
#include "util.h"
#include "secmem.h"
#include "policy.h"

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

int
ws_value_in_words(const char *v, size_t n, const char *const *words)
{
	struct folded f;
	int hit;

	if (fold(v, n, &f) != 0)
		ws_fatal_nomem();
	hit = in_words(&f, words);
	unfold(&f);
	return hit;
}

/* true 1 yes on, in any case. */
int
ws_rule_truthy(const char *v, size_t n)
{
	static const char *const words[] = { "true", "1", "yes", "on",
	    NULL };

	return n <= 4 && ws_value_in_words(v, n, words);
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
 * it too).  A pattern that starts with plain bytes matches only values
 * that start with them (ws_wildmatch() compares them with the first
 * bytes): the first two, or the first when a wildcard follows it;
 * one that does not is ruled out by the pairs of its literal, if the
 * literal has two bytes: else the filter is not used ("always"), and
 * the masks of the literals decide, as without a filter.
 */
void
ws_placeholder_filter(struct ws_phfilter *f, char *const *pats,
    char *const *lits)
{
	const unsigned char *pat, *lit;
	size_t i, j, len;

	memset(f, 0, sizeof(*f));
	for (i = 0; pats[i] != NULL; i++) {
		pat = (const unsigned char *)pats[i];
		/* "dev-*": a random hex key starts with "d" one time in 16,
		 * with "de" one time in 256 */
		if (plain_byte(pats[i][0]) && plain_byte(pats[i][1])) {
			f->starts[WS_PH_BITS(pat[0])] |=
			    (uint64_t)1 << WS_PH_BITS(pat[1]);
			continue;
		}
		if (plain_byte(pats[i][0])) {
			f->first |= (uint64_t)1 << WS_PH_BITS(pat[0]);
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

/* The filter's answer, from the first two bytes and a pair every step
 * bytes.  Every sample is looked at, whatever the earlier ones said. */
static int
filter_says(const struct ws_phfilter *f, const unsigned char *u, size_t n)
{
	uint64_t maybe = f->first >> WS_PH_BITS(u[0]);
	size_t pos, step = f->step;

	if (n > 1)
		maybe |= f->starts[WS_PH_BITS(u[0])] >> WS_PH_BITS(u[1]);
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
