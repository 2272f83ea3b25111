/*
 * NAME_FILE and FILE__NAME (SPEC §4.1).  A pointer is a NAME entry of
 * its own source whose value is the content of the file it names.  In
 * each name's chain the highest source decides; a pointer hidden by a
 * higher source is never read.  NAME and a pointer to NAME in one
 * source contradict each other (both-set, 78) wherever they are.
 */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "withsecrets.h"
#include "resolve.h"
#include "util.h"
#include "diag.h"
#include "names.h"
#include "file.h"
#include "vars.h"
#include "example.h"

/* ws_resolve_name()'s scratch: "NAME_FILE", then "FILE__NAME".  The
 * names and paths of resolved pointers are interned (ws_intern): they
 * live as long as the run, for messages and explain. */
static char *name_buf;
static size_t name_cap;

void
ws_resolve_free(void)
{
	free(name_buf);
	name_buf = NULL;
	name_cap = 0;
}

/* Is this *_FILE / FILE__* entry one that withsecrets resolves? */
int
ws_pointer_resolvable(struct ws_run *run, const char *name, size_t n)
{
	const char *target;
	size_t tlen = ws_pointer_target(name, n, &target);
	char *t;
	int declared;

	if (tlen == 0)
		return 0;
	if (ws_pointer_is_prefix_form(name, n))
		return 1;	/* FILE__NAME is always resolved */
	if (ws_never_resolve_builtin(name, n) ||
	    ws_globlist_match(run->set->ignore_file_vars, name, n))
		return 0;
	/* the program's own NAME_FILE settings pass through */
	if (ws_declared(run, name, n))
		return 0;
	if (run->set->file_vars == WS_FILE_VARS_DECLARED) {
		t = ws_xstrndup(target, tlen);
		declared = ws_declared(run, t, tlen);
		free(t);
		return declared;
	}
	return 1;
}

/* Path of a pointer's file: relative to the .env that set it.
 * Interned: a path is not secret, and it lives as long as the run. */
static const char *
pointer_path(const struct ws_var *p)
{
	const char *dir = p->src->path;
	size_t dlen = 0;

	/* DIR/ of DIR/.env: the last '/', searched from the end */
	if (p->value[0] != '/' && p->src->file_relative && dir != NULL)
		for (dlen = strlen(dir); dlen > 0 && dir[dlen - 1] != '/';
		    dlen--)
			;
	return ws_intern2(dir, dlen, p->value, p->vallen);
}

static int
both_set(const struct ws_var *a, const char *other)
{
	char *src = ws_var_source(a);

	ws_finding(WS_SEV_ERROR, WS_EX_POLICY, "both-set", a->name, src,
	    "both %s and %s are set (but are exclusive); remove one of them",
	    a->name, other);
	free(src);
	return WS_EX_POLICY;
}

/* The other entries of p's source that set the same target (head: the
 * target's entries). */
static int
check_both_set(struct ws_run *run, struct ws_var *p, struct ws_var *head,
    const char *target, size_t tlen)
{
	struct ws_var *direct;
	char *alt;
	int rc = 0;

	for (direct = head; direct != NULL && direct->src != p->src;
	    direct = direct->next_in_name)
		;
	if (direct != NULL && !(direct->flags & WS_VAR_FROM_FILE) &&
	    !(direct->flags & WS_VAR_NO_VALUE) && direct->vallen > 0)
		rc = both_set(direct, p->name);
	/* NAME_FILE and FILE__NAME together: report once, at FILE__NAME */
	if (ws_pointer_is_prefix_form(p->name, p->namelen)) {
		alt = ws_xasprintf("%.*s_FILE", (int)tlen, target);
		direct = ws_store_get_in(run->store, p->src, alt, strlen(alt));
		if (direct != NULL && direct->vallen > 0 &&
		    ws_pointer_resolvable(run, alt, strlen(alt)))
			rc = both_set(direct, p->name);
		free(alt);
	}
	return rc;
}

/* -v, check and explain: which pointer was read, and the path (SPEC
 * §4.1), so that a path consumed by mistake is visible.  The name is
 * the variable set, the source where the pointer is; never the
 * content.  Made only when someone will see it. */
static void
said_resolved(const struct ws_var *p, const struct ws_var *v)
{
	char *src;

	if (!ws_diag_wanted(WS_SEV_INFO))
		return;
	src = ws_var_source(p);
	ws_finding(WS_SEV_INFO, 0, "file-var", v->name, src, "%s -> %s",
	    p->name, v->file_path);
	free(src);
}

int
ws_resolve_one(struct ws_run *run, struct ws_var *p)
{
	struct ws_read r;
	struct ws_blob b;
	struct ws_var *head, *v;
	const char *target, *path;
	size_t tlen;
	int rc;

	if (p->flags & WS_VAR_RESOLVED)
		return 0;
	/* One level deep (SPEC §4.1): the content of A_FILE_FILE is the
	 * value of A_FILE, never a path to read again. */
	if (p->flags & WS_VAR_FROM_FILE)
		return 0;
	ws_store_set_flags(run->store, p, WS_VAR_POINTER | WS_VAR_RESOLVED);
	tlen = ws_pointer_target(p->name, p->namelen, &target);
	if (p->vallen == 0 || (p->flags & WS_VAR_NO_VALUE))
		return 0;	/* an empty pointer counts as unset */
	head = ws_store_get(run->store, target, tlen);
	if ((rc = check_both_set(run, p, head, target, tlen)) != 0)
		return rc;
	if (head != NULL && head->src->rank < p->src->rank)
		return 0;	/* shadowed: not read at all */
	if (head != NULL && head->src == p->src &&
	    (head->flags & WS_VAR_FROM_FILE))
		return 0;	/* the other pointer form already set it */

	path = pointer_path(p);
	memset(&r, 0, sizeof(r));
	r.dirfd = AT_FDCWD;
	r.path = path;
	r.display = path;
	r.name = p->name;
	r.max = run->set->max_secret_size;
	r.secret = 1;
	if ((rc = ws_file_read(&r, &b)) != 0)
		return rc;
	v = ws_store_add(run->store, p->src, ws_intern(target, tlen), tlen,
	    b.p, b.len, p->line, WS_VAR_FROM_FILE | WS_VAR_SECRET);
	v->file_path = path;
	said_resolved(p, v);
	return 0;
}

/* Resolve whatever pointers set name, highest source first, so that an
 * interpolation can see it before the final pass. */
int
ws_resolve_name(struct ws_run *run, const char *name, size_t n)
{
	struct ws_var *cand[2], *best = NULL, *c;
	int i;

	if (!ws_store_may_point_at(run->store, name, n))
		return 0;	/* the common case: nothing to look for */
	if (name_cap < n + 7) {
		name_cap = n + 64;
		name_buf = ws_xrealloc(name_buf, name_cap);
	}
	memcpy(name_buf, name, n);
	memcpy(name_buf + n, "_FILE", 5);
	cand[0] = ws_store_get(run->store, name_buf, n + 5);
	memcpy(name_buf, "FILE__", 6);
	memcpy(name_buf + 6, name, n);
	cand[1] = ws_store_get(run->store, name_buf, n + 6);
	for (i = 0; i < 2; i++)
		for (c = cand[i]; c != NULL; c = c->next_in_name)
			if (!(c->flags & (WS_VAR_RESOLVED | WS_VAR_FROM_FILE)) &&
			    ws_pointer_resolvable(run, c->name, c->namelen) &&
			    (best == NULL || c->src->rank < best->src->rank))
				best = c;
	return best ? ws_resolve_one(run, best) : 0;
}

static int
by_rank(const void *a, const void *b)
{
	const struct ws_var *x = *(struct ws_var *const *)a;
	const struct ws_var *y = *(struct ws_var *const *)b;

	if (x->src->rank != y->src->rank)
		return x->src->rank < y->src->rank ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

void
ws_resolve_pointers(struct ws_run *run)
{
	struct ws_var **ptrs = NULL, *v;
	size_t n = 0, cap = 0, it = 0, i;

	while ((v = ws_store_next_pointer(run->store, &it)) != NULL)
		for (; v != NULL; v = v->next_in_name) {
			if ((v->flags & WS_VAR_FROM_FILE) ||
			    !ws_pointer_resolvable(run, v->name, v->namelen))
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				ptrs = ws_xrealloc(ptrs, cap * sizeof(*ptrs));
			}
			ptrs[n++] = v;
		}
	/* collected by name, and usually in order already: one source's
	 * pointers in line order */
	for (i = 1; i < n && by_rank(&ptrs[i - 1], &ptrs[i]) <= 0; i++)
		;
	if (i < n)
		qsort(ptrs, n, sizeof(*ptrs), by_rank);
	for (i = 0; i < n; i++)
		(void)ws_resolve_one(run, ptrs[i]);	/* findings say */
	free(ptrs);
}

/*
 * The entry a name has now, under the precedence, for interpolation in
 * a .env file (from): pointers that may name it are resolved first, and
 * *read_file is set when a NAME_FILE target was read.
 */
struct ws_var *
ws_lookup(void *arg, const struct ws_source *from, const char *name,
    size_t n, int *read_file)
{
	struct ws_run *run = arg;
	struct ws_var *v;
	int may_be_target;

	/* the store's filter says whether a pointer may name it: most
	 * names no pointer names, and the entry found is the answer */
	v = ws_store_lookup(run->store, name, n, &may_be_target);
	if (may_be_target) {
		size_t before = ws_store_count(run->store);

		(void)ws_resolve_name(run, name, n);
		if (ws_store_count(run->store) != before)
			*read_file = 1;
		v = ws_store_get(run->store, name, n);	/* as it is now */
	}
	return ws_var_seen_from(v, from);
}
