/*
 * The command's environment (SPEC §7), built from nothing as doas
 * does: one entry per name, the highest-precedence value, minus the
 * resolved pointers, WITHSECRETS_*, --unset names and, with --clean,
 * what is inherited and not kept.  The block is the one part of the
 * work arena that the scrub before execve keeps (ws_arena_keep): the
 * only secret memory that survives until execve.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "withsecrets.h"
#include "util.h"
#include "secmem.h"
#include "diag.h"
#include "names.h"
#include "vars.h"
#include "effective.h"

/* A deny name (LD_PRELOAD, BASH_FUNC_x%%, ...) is refused from a .env
 * file, a secret directory or a NAME_FILE of any source; the
 * operator's own inherited one passes. */
void
ws_deny_check(struct ws_run *run)
{
	const struct ws_decision *d = ws_decision(run);
	struct ws_var *v;
	uint64_t firsts[4];
	size_t i;
	char *src;

	ws_globlist_firsts(run->set->deny, firsts);
	for (i = 0; i < d->n; i++) {
		/* the entries of a chain share their name */
		if (!WS_FIRST_IN(firsts, d->heads[i]->name[0]))
			continue;	/* no deny glob can match */
		for (v = d->heads[i]; v != NULL; v = v->next_in_name) {
			if (v->src->kind == WS_KIND_INHERITED &&
			    !(v->flags & WS_VAR_FROM_FILE))
				continue;
			if (v->flags & (WS_VAR_NO_VALUE | WS_VAR_SKIPPED))
				continue;
			if (!ws_globlist_match(run->set->deny, v->name,
			    v->namelen))
				continue;
			src = ws_var_source(v);
			ws_finding(WS_SEV_ERROR, WS_EX_POLICY, "denied-name",
			    v->name, src, "may not be set from a file or a "
			    "secret directory; set it in the environment if "
			    "you really mean it");
			free(src);
		}
	}
}

/*
 * The environment chosen by -e, WITHSECRETS_ENV or a policy's
 * default-environment is the one whose rules the command passed: when
 * none of environment-vars has a value the command gets, the first of
 * them is set to it (export-environment = no turns this off; -u still
 * removes it).  A name the command's own variables gave is theirs.
 */
void
ws_environment_export(struct ws_run *run)
{
	const char *from = run->env_name_from, *name;
	struct ws_source *src;
	struct ws_var *head, *e;
	char **l;

	if (run->env_name == NULL || !run->set->export_environment ||
	    run->set->environment_vars == NULL ||
	    run->set->environment_vars[0] == NULL || from == NULL ||
	    (strcmp(from, "-e") != 0 && strcmp(from, "WITHSECRETS_ENV") != 0 &&
	    strcmp(from, "default-environment") != 0))
		return;
	for (l = run->set->environment_vars; *l != NULL; l++) {
		head = ws_store_get(run->store, *l, strlen(*l));
		e = head ? ws_effective(run, head) : NULL;
		if (e != NULL && e->vallen > 0)
			return;
	}
	name = run->set->environment_vars[0];
	/* above every other source: an empty value is no value */
	src = ws_store_source(run->store, WS_KIND_DEFAULT, "environment name",
	    WS_RANK_INHERITED - 1);
	(void)ws_store_add(run->store, src, ws_intern(name, strlen(name)),
	    strlen(name), run->env_name, strlen(run->env_name), 0, 0);
	ws_verbose_msg("environment: %s=%s set for the command (%s)", name,
	    run->env_name, from);
}

void
ws_envbuild(struct ws_run *run)
{
	const struct ws_decision *d = ws_decision(run);
	struct ws_var *v;
	size_t n = 0, bytes = 0, i, k;
	char **envp, *p;

	/* what each name gives (decided with the rules): the block is
	 * sized, then written */
	for (i = 0; i < d->n; i++)
		if ((v = d->gets[i]) != NULL) {
			n++;
			bytes += v->namelen + v->vallen + 2;
		}
	/* in the room ws_work has left, or in a chunk of its own exact
	 * size; kept there when everything else is zeroed before execve */
	envp = ws_arena_keep(&ws_work, (n + 1) * sizeof(char *) + bytes);
	if (envp == NULL) {
		ws_finding(WS_SEV_ERROR, WS_EX_SOFTWARE, "internal", NULL,
		    NULL, "out of guarded memory for the environment block");
		return;
	}
	p = (char *)(envp + n + 1);
	for (i = k = 0; i < d->n; i++) {
		if ((v = d->gets[i]) == NULL)
			continue;
		envp[k++] = p;
		memcpy(p, v->name, v->namelen);
		p += v->namelen;
		*p++ = '=';
		memcpy(p, v->value, v->vallen);
		p += v->vallen;
		*p++ = '\0';
	}
	envp[n] = NULL;
	run->envp = envp;
	run->envp_bytes = bytes;
}
