/*
 * The rules of SPEC §6, run on what the command actually gets
 * (ws_effective of each name).  In a strict environment a violation is
 * an error (78, no exec); in a lenient one the same finding is a
 * warning and the command runs.  `required = always` and
 * encrypted-value are errors everywhere; plaintext-secret exists only
 * in strict environments and shadowed is information.
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
#include "values.h"
#include "util.h"
#include "diag.h"
#include "names.h"
#include "vars.h"
#include "policy.h"
#include "effective.h"
#include "config-internal.h"


/* ------------------------------------------------------------------ */
/* Findings.                                                           */

static void WS_PRINTF(5, 6)
report(enum ws_severity sev, const char *rule, const struct ws_var *v,
    const char *name, const char *fmt, ...)
{
	va_list ap;
	char *src;

	if (!ws_diag_wanted(sev))
		return;		/* nobody will see it: nothing to format */
	src = v ? ws_var_source(v) : NULL;
	va_start(ap, fmt);
	ws_vfinding(sev, WS_EX_POLICY, rule, name ? name : v->name, src, fmt,
	    ap);
	va_end(ap);
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

	if (ws_rule_placeholder(p, e->value, e->vallen)) {
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
	char *w;

	if (r->forbid == NULL || r->forbid[0] == NULL)
		return;
	if (ws_value_in_words(e->value, e->vallen,
	    (const char *const *)r->forbid)) {
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
	int		 not_secret;	/* its [var] says secret = no */
	int		 compared;	/* with the highest secret-dir entry */
};

/* Do two entries hold the same value?  In constant time after the
 * length check, in place: both are in guarded memory. */
static int
same_value(const struct ws_var *a, const struct ws_var *b)
{
	return a->vallen == b->vallen &&
	    sodium_memcmp(a->value, b->value, a->vallen) == 0;
}

/*
 * A variable of the inherited environment hiding a mounted secret with
 * a different value is most likely a stale copy left over from before
 * the secret was mounted (a DB_PASSWORD in a Compose file's
 * environment:): the shadowed-secret finding (SPEC §4), an error in a
 * strict environment.  The name holds a secret, since a mounted secret
 * has it, unless its [var] says secret = no.  With the same value it is
 * only information.
 */
static int
stale_secret(struct shadow_ctx *c, const struct ws_var *v)
{
	struct ws_run *run = c->run;
	char *hidden;

	if (c->compared || c->not_secret ||
	    c->e->src->kind != WS_KIND_INHERITED ||
	    v->src->kind != WS_KIND_SECRET_DIR)
		return 0;
	c->compared = 1;	/* lower directories' entries it hid anyway */
	if (same_value(c->e, v))
		return 0;
	hidden = ws_var_source(v);
	report(mode_sev(run), "shadowed-secret", c->e, NULL, "hides the "
	    "mounted secret %s, which has a different value; unset %s where "
	    "the environment sets it, so that the program gets the mounted "
	    "one", hidden, c->e->name);
	free(hidden);
	return 1;
}

static void
shadow_finding(void *arg, const struct ws_var *v, int pointer)
{
	struct shadow_ctx *c = arg;
	char *by;

	if (!pointer && stale_secret(c, v))
		return;
	if (!ws_diag_wanted(WS_SEV_INFO))
		return;
	by = ws_var_source(c->e);
	report(WS_SEV_INFO, "shadowed", v, c->e->name, "%s%s hidden by %s",
	    pointer ? v->name : "", pointer ? " is" : "is", by);
	free(by);
}

/* ------------------------------------------------------------------ */
/* Values the command would misread.                                   */

/* dotenvx writes an encrypted value as encrypted:BASE64; withsecrets
 * does not decrypt it, so the program would get the ciphertext. */
#define ENCRYPTED_PREFIX	"encrypted:"
#define ENCRYPTED_PREFIX_LEN	(sizeof(ENCRYPTED_PREFIX) - 1)

static void
check_encrypted(const struct ws_var *e)
{
	if (e->vallen <= ENCRYPTED_PREFIX_LEN || e->value[0] != 'e' ||
	    memcmp(e->value, ENCRYPTED_PREFIX, ENCRYPTED_PREFIX_LEN) != 0)
		return;
	report(WS_SEV_ERROR, "encrypted-value", e, NULL, "is encrypted by "
	    "dotenvx (encrypted:...), and the program would get the "
	    "ciphertext; decrypt it first (dotenvx decrypt), or start "
	    "withsecrets under dotenvx run --");
}

/*
 * $NAME or ${NAME} of a name unset at that point expanded to nothing
 * (SPEC §4.4).  Judged on what the command gets: an entry that a
 * higher source hides does not matter.  An error in a strict
 * environment when the value built is a secret (an empty password in a
 * DATABASE_URL must not reach production), a warning otherwise.
 */
static void
check_unset(struct ws_run *run)
{
	const struct ws_unset_note *u;
	struct ws_var *head, *e;
	size_t i, n;
	int secret;

	u = ws_store_unset_notes(run->store, &n);
	for (i = 0; i < n; i++) {
		head = ws_store_get(run->store, u[i].v->name,
		    u[i].v->namelen);
		if ((e = ws_effective(run, head)) != u[i].v ||
		    e->line != u[i].line)
			continue;
		secret = ws_policy_is_secret(run, e);
		report(secret ? mode_sev(run) : WS_SEV_WARNING,
		    "unset-variable", e, NULL, "uses $%s, which is not set at "
		    "that line, so it expands to nothing; set %s, or write "
		    "${%s:-} if empty is meant", u[i].name, u[i].name,
		    u[i].name);
	}
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

/* Why a rule requires a name, for its message (to be freed). */
static char *
required_why(const struct ws_varrule *r)
{
	char *w = ws_where_fmt(&r->where[WS_VK_REQUIRED]), *why;

	why = ws_xasprintf("%s requires it%s", w,
	    r->required == WS_REQ_STRICT ? " in a strict environment" : "");
	free(w);
	return why;
}

/*
 * A glob section's required (SPEC §6): `always` or `strict` requires
 * every matching name that a source or the example file mentions; no
 * exempts them.  For one name the exact section decides when it gives
 * the key, else the last glob section that gives it (ws_policy_var_n).
 * Returns 1 when a glob section decided for the name.
 */
static int
glob_required(struct ws_run *run, const char *name, size_t n)
{
	const struct ws_varrule *r;
	struct ws_varpol vp;
	char *why;

	if (!ws_policy_var_n(run->policy, name, n, &vp) ||
	    (r = vp.from[WS_VK_REQUIRED]) == NULL || !r->glob)
		return 0;
	if (r->required != WS_REQ_NO) {
		why = required_why(r);
		require(run, name, r->required, why);
		free(why);
	}
	return 1;
}

/* The names of the sources that a glob section requires; pointers are
 * not what the command gets, and the example file's names are judged
 * with the rest of the example file. */
static void
check_required_globs(struct ws_run *run)
{
	const struct ws_policy *p = run->policy;
	struct ws_var *v;
	size_t i, it = 0;

	for (i = 0; i < p->n_rules; i++)
		if (p->rules[i].glob &&
		    (p->rules[i].set & (1u << WS_VK_REQUIRED)) &&
		    p->rules[i].required != WS_REQ_NO)
			break;
	if (i == p->n_rules)
		return;		/* none requires: the built-in policy's case */
	while ((v = ws_store_next(run->store, &it)) != NULL) {
		if (v->flags & (WS_VAR_POINTER | WS_VAR_SKIPPED))
			continue;
		if (run->example != NULL &&
		    ws_store_get(run->example, v->name, v->namelen) != NULL)
			continue;
		(void)glob_required(run, v->name, v->namelen);
	}
}

static void
check_required(struct ws_run *run)
{
	const struct ws_policy *p = run->policy;
	const struct ws_varrule *r;
	struct ws_var *v;
	size_t i, it = 0;
	char *why;

	for (i = 0; i < p->n_rules; i++) {
		r = &p->rules[i];
		if (r->glob || !(r->set & (1u << WS_VK_REQUIRED)) ||
		    r->required == WS_REQ_NO)
			continue;
		why = required_why(r);
		require(run, r->pattern, r->required, why);
		free(why);
	}
	check_required_globs(run);
	if (run->example == NULL)
		return;
	why = ws_xasprintf("%s lists it: set it (or say required = no in "
	    "its [var] section)", run->example_path);
	while ((v = ws_store_next(run->example, &it)) != NULL) {
		r = ws_policy_exact(p, v->name, v->namelen);
		if (r != NULL && (r->set & (1u << WS_VK_REQUIRED)))
			continue;	/* its own section decides */
		if (!glob_required(run, v->name, v->namelen))
			require(run, v->name, WS_REQ_STRICT, why);
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
		sc.not_secret = 1;	/* pointers: only shadowed */
		sc.compared = 0;
		for (p = head; p != NULL; p = p->next_in_name)
			if (ws_pointer_hidden(run, p, t))
				shadow_finding(&sc, p, 1);
	}
}

void
ws_rules_check(struct ws_run *run)
{
	const struct ws_decision *d = ws_decision(run);
	struct ws_var *head, *e, **cands = NULL;
	struct shadow_ctx sc;
	struct ws_varpol vp;
	size_t i, nc = 0;
	int secret, said;

	sc.run = run;
	for (i = 0; i < d->n; i++) {
		head = d->heads[i];
		if ((e = d->gets[i]) == NULL)
			continue;
		/* a reference not fetched (the first reading, explain,
		 * check --offline): its value is not known yet */
		if (e->flags & WS_VAR_REFERENCE)
			continue;
		check_encrypted(e);
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
		sc.not_secret = vp.secret == 0;
		sc.compared = 0;
		(void)ws_shadowed_in_chain(head, e, shadow_finding, &sc);
	}
	check_unset(run);
	shadowed_pointers(run);
	check_distinct(run, cands, nc);
	free(cands);
	check_required(run);
}

/* audit-required = yes with no audit is a policy error (78); the
 * launcher checks it too, so it lives with the rules, not in audit.c. */
void
ws_audit_check(struct ws_run *run)
{
	char *at;

	if (!run->set->audit_required || ws_audit_mode(run) != WS_AUDIT_OFF)
		return;
	at = run->policy->where[SK_AUDIT_REQUIRED].file != NULL ?
	    ws_where_fmt(&run->policy->where[SK_AUDIT_REQUIRED]) : NULL;
	ws_finding(WS_SEV_ERROR, WS_EX_POLICY, "config", NULL, at,
	    "audit-required = yes, but audit is off: say audit = journal or "
	    "syslog (or --audit=journal)");
	free(at);
}
