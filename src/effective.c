/*
 * Which entry of a name the command gets (SPEC §4, §7), and which
 * entries that one hides (`shadowed`).  The rules, the reports and the
 * environment block all ask here, so that they can never disagree.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "withsecrets.h"
#include "opts.h"
#include "effective.h"
#include "util.h"
#include "names.h"
#include "vars.h"
#include "resolve.h"

static int
in_list(char *const *list, const char *name)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, name) == 0)
			return 1;
	return 0;
}

/* With --clean, is an inherited variable kept?  CREDENTIALS_DIRECTORY
 * always is: systemd's credentials are passed on to the command
 * (SPEC §5.1), which may read further ones itself. */
static int
kept(const struct ws_run *run, const struct ws_var *v)
{
	return ws_globlist_match(run->set->keep, v->name, v->namelen) ||
	    ws_globlist_match(run->opts->keep, v->name, v->namelen) ||
	    strcmp(v->name, "CREDENTIALS_DIRECTORY") == 0;
}

/* The entry of a name's chain that the command gets, or NULL: the
 * highest that has a value, is not filtered out by --clean, and is
 * not a pointer, a WITHSECRETS_* variable or an --unset name. */
struct ws_var *
ws_effective(const struct ws_run *run, struct ws_var *v)
{
	for (; v != NULL; v = v->next_in_name) {
		if (v->flags & (WS_VAR_NO_VALUE | WS_VAR_SKIPPED))
			continue;
		if (run->opts->clean && v->src->kind == WS_KIND_INHERITED &&
		    !kept(run, v))
			continue;
		break;
	}
	if (v == NULL || (v->flags & WS_VAR_POINTER))
		return NULL;
	if (v->name[0] == 'W' && v->namelen >= 12 &&
	    memcmp(v->name, "WITHSECRETS_", 12) == 0)
		return NULL;
	if (run->opts->unset != NULL && in_list(run->opts->unset, v->name))
		return NULL;
	return v;
}

/* ------------------------------------------------------------------ */
/* The decision: what every name gives, worked out once.               */

/*
 * The deny check, the rules and the environment block each go over
 * every name and ask what it gives: once is enough while the store is
 * as it was (the stamp says so).  ws_effective() reads an entry's
 * NO_VALUE, SKIPPED and POINTER flags, its source and the options,
 * which do not change in a run; the flags change only through the
 * store (ws_store_set_flags), which moves the stamp.
 */
const struct ws_decision *
ws_decision(struct ws_run *run)
{
	struct ws_decision *d = run->decision;
	size_t i, room;

	if (d != NULL && d->stamp == ws_store_stamp(run->store))
		return d;
	if (d == NULL)
		d = run->decision = ws_xcalloc(1, sizeof(*d));
	room = ws_store_count(run->store) + 1;
	if (room > d->room) {
		free(d->heads);
		d->heads = ws_xmalloc(room * 2 * sizeof(*d->heads));
		d->room = room;
	}
	d->gets = d->heads + room;
	d->n = ws_store_heads(run->store, d->heads);
	d->heads[d->n] = NULL;
	for (i = 0; i < d->n; i++)
		d->gets[i] = ws_effective(run, d->heads[i]);
	d->stamp = ws_store_stamp(run->store);
	return d;
}

void
ws_decision_free(struct ws_run *run)
{
	if (run->decision != NULL) {
		free(run->decision->heads);
		free(run->decision);
		run->decision = NULL;
	}
}

/* ------------------------------------------------------------------ */
/* Shadowed entries.                                                   */

static int
has_value(const struct ws_var *v)
{
	return !(v->flags & (WS_VAR_NO_VALUE | WS_VAR_POINTER |
	    WS_VAR_SKIPPED));
}

/* The lower entries of a name that e hides. */
size_t
ws_shadowed_in_chain(struct ws_var *head, const struct ws_var *e,
    void (*fn)(void *, const struct ws_var *, int), void *arg)
{
	struct ws_var *v;
	size_t count = 0;

	for (v = head; v != NULL; v = v->next_in_name)
		if (v != e && has_value(v) && v->src != e->src &&
		    v->src->rank >= e->src->rank) {
			if (fn)
				fn(arg, v, 0);
			count++;
		}
	return count;
}

/* A pointer entry p that a higher source's value of its target hides:
 * it was not read at all. */
int
ws_pointer_hidden(struct ws_run *run, const struct ws_var *p,
    const struct ws_var *e)
{
	return p->vallen > 0 && !(p->flags & WS_VAR_NO_VALUE) &&
	    p->src != e->src && p->src->rank > e->src->rank &&
	    ws_pointer_resolvable(run, p->name, p->namelen);
}

/* Call fn for each entry that e hides: lower entries of its name, and
 * NAME_FILE / FILE__NAME pointers of lower sources (which were not
 * read).  Returns how many. */
size_t
ws_shadowed_each(struct ws_run *run, struct ws_var *head,
    const struct ws_var *e,
    void (*fn)(void *, const struct ws_var *, int), void *arg)
{
	struct ws_var *v;
	char *pname;
	size_t count;
	int i;

	if (e == NULL)
		return 0;
	count = ws_shadowed_in_chain(head, e, fn, arg);
	for (i = 0; i < 2; i++) {
		pname = i == 0 ? ws_xasprintf("%s_FILE", e->name) :
		    ws_xasprintf("FILE__%s", e->name);
		for (v = ws_store_get(run->store, pname, strlen(pname));
		    v != NULL; v = v->next_in_name)
			if (ws_pointer_hidden(run, v, e)) {
				if (fn)
					fn(arg, v, 1);
				count++;
			}
		free(pname);
	}
	return count;
}
