/*
 * Secret directories (SPEC §5).
 */
#include "config.h"

#include "withsecrets.h"

int
ws_secretdirs_load(struct ws_run *run)
{
	(void)run;
	return 0;
}
