/*
 * Output of check and explain.  Names, sources, kinds and lengths:
 * never a value.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "withsecrets.h"

int
ws_check_report(struct ws_run *run)
{
	(void)run;
	ws_diag_flush();
	return ws_diag_status();
}

int
ws_explain(struct ws_run *run)
{
	struct ws_var *v, *e;
	size_t it = 0;
	char *src;

	while ((v = ws_store_next(run->store, &it)) != NULL) {
		e = ws_effective(run, v);
		if (e == NULL)
			continue;
		src = ws_var_source(e);
		printf("%s\t%s\t%s\t%zu\n", e->name,
		    ws_source_kind_name(e->src->kind), src, e->vallen);
		free(src);
	}
	ws_diag_flush();
	return fflush(stdout) == 0 ? 0 : WS_EX_SOFTWARE;
}
