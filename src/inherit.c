/*
 * The inherited environment as a source (SPEC §4: highest precedence,
 * or below the .env layers with --override).  Values are not copied:
 * the entries point into environ, which lives until execve.
 */
#include "config.h"

#include <string.h>

#include "withsecrets.h"
#include "opts.h"
#include "util.h"
#include "vars.h"

void
ws_inherit_load(struct ws_run *run)
{
	struct ws_source *src;
	char **e;
	const char *eq;

	src = ws_store_source(run->store, WS_KIND_INHERITED, NULL,
	    run->opts->override ? WS_RANK_INHERITED_OVERRIDE :
	    WS_RANK_INHERITED);
	for (e = run->environ_in; e != NULL && *e != NULL; e++) {
		size_t n, before = ws_store_count(run->store);
		struct ws_var *v;
		char *name;

		/* entries without '=' or with an empty name cannot be
		 * passed on meaningfully: drop them */
		if ((eq = strchr(*e, '=')) == NULL || eq == *e)
			continue;
		n = (size_t)(eq - *e);
		name = ws_intern(*e, n);
		v = ws_store_add(run->store, src, name, n, eq + 1,
		    strlen(eq + 1), 0, 0);
		/* A duplicate keeps its first value, as getenv(3) sees it:
		 * the entry added replaced the first one's (rare, and so
		 * mended here rather than looked for before every add). */
		if (ws_store_count(run->store) == before) {
			v->value = ws_environ_get(run->environ_in, name, n);
			v->vallen = strlen(v->value);
		}
	}
}
