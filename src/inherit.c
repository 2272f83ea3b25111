/*
 * The inherited environment as a source (SPEC §4: highest precedence,
 * or below the .env layers with --override).  Values are not copied:
 * the entries point into environ, which lives until execve.
 */
#include "config.h"

#include <string.h>

#include "withsecrets.h"

int
ws_inherit_load(struct ws_run *run)
{
	struct ws_source *src;
	char **e;
	const char *eq;

	src = ws_store_source(run->store, WS_KIND_INHERITED, NULL,
	    run->opts->override ? WS_RANK_INHERITED_OVERRIDE :
	    WS_RANK_INHERITED);
	for (e = run->environ_in; e != NULL && *e != NULL; e++) {
		size_t n;
		char *name;

		/* entries without '=' or with an empty name cannot be
		 * passed on meaningfully: drop them */
		if ((eq = strchr(*e, '=')) == NULL || eq == *e)
			continue;
		n = (size_t)(eq - *e);
		/* a duplicate keeps its first value, as getenv(3) sees it */
		if (ws_store_get_in(run->store, src, *e, n) != NULL)
			continue;
		name = ws_intern(*e, n);
		(void)ws_store_add(run->store, src, name, n, eq + 1,
		    strlen(eq + 1), 0, 0);
	}
	return 0;
}
