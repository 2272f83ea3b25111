/*
 * The environment name (SPEC §4.3) and the .env layers (§4.2).
 */
#include "config.h"

#include <stdlib.h>
#include <strings.h>

#include "withsecrets.h"

static int
name_is_lenient(struct ws_run *run, const char *name)
{
	char **l;

	for (l = run->set->lenient_environments; l && *l; l++)
		if (strcasecmp(*l, name) == 0)
			return 1;
	return 0;
}

static void
set_environment(struct ws_run *run, const char *name, const char *from)
{
	run->env_name = name;
	run->env_name_from = from;
	switch (run->opts->mode) {
	case WS_MODE_STRICT:
		run->strict = 1;
		break;
	case WS_MODE_LENIENT:
		run->strict = 0;
		break;
	default:
		run->strict = !name_is_lenient(run, name);
		break;
	}
}

/* --environment, WITHSECRETS_ENV, then environment-vars inherited. */
static int
detect_early(struct ws_run *run)
{
	const char *v;
	char **l;

	if (run->opts->environment != NULL && *run->opts->environment) {
		set_environment(run, run->opts->environment, "--environment");
		return 1;
	}
	if ((v = getenv("WITHSECRETS_ENV")) != NULL && *v) {
		set_environment(run, v, "WITHSECRETS_ENV");
		return 1;
	}
	for (l = run->set->environment_vars; l && *l; l++)
		if ((v = getenv(*l)) != NULL && *v) {
			set_environment(run, v, *l);
			return 1;
		}
	return 0;
}

int
ws_layers_load(struct ws_run *run)
{
	if (!detect_early(run))
		set_environment(run, "development", "default");
	return 0;
}
