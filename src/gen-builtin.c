/*
 * gen-builtin: parse the built-in policy text (src/builtin.c) with the
 * parser withsecrets uses for every policy file, and print the result
 * as C data (src/frozen.c), which withsecrets links: a run then thaws
 * the policy instead of parsing the text (SPEC §9).  Run by the
 * Makefile; the output is builtin-frozen.c in the build directory.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "withsecrets.h"

int
main(void)
{
	struct ws_policy *p;
	int rc;

	ws_secmem_init();
	p = ws_policy_new();	/* ws_builtin_frozen is NULL: parsed */
	rc = ws_policy_freeze(p, "ws_builtin_frozen_data", stdout);
	ws_policy_destroy(p);
	ws_intern_free();
	ws_secmem_wipe_all();
	if (rc != 0 || fflush(stdout) != 0) {
		fputs("gen-builtin: the built-in policy cannot be frozen\n",
		    stderr);
		return 1;
	}
	return 0;
}
