/* Option parsing: verbs, the exec form, repeatable options. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "withsecrets.h"
#include "tap.h"

static int
parse(struct ws_opts *o, char **argv)
{
	int argc = 0;

	while (argv[argc] != NULL)
		argc++;
	return ws_opts_parse(o, argc, argv);
}

int
main(void)
{
	struct ws_opts o;
	char *a1[] = { "withsecrets", "-f", "a.env", "--env-file=b.env", "-i",
	    "-k", "X_*", "--", "python", "-m", "app", NULL };
	char *a2[] = { "withsecrets", "python", "app.py", NULL };
	char *a3[] = { "withsecrets", "check", "-e", "production",
	    "--format=json", NULL };
	char *a4[] = { "withsecrets", "explain", "A", "B", NULL };
	char *a5[] = { "withsecrets", "-e", "prod", "ls", NULL };
	char *a6[] = { "withsecrets", "--", NULL };
	char *a7[] = { "withsecrets", "--format=xml", "--", "ls", NULL };
	char *a8[] = { "withsecrets", "check", "extra", NULL };
	char *a9[] = { "withsecrets", "--bogus", "--", "ls", NULL };
	char *a10[] = { "withsecrets", "-u", "A", "-u", "B", "--strict",
	    "--lenient", "-s", "/d1", "-s", "/d2", "--", "x", NULL };

	/* keep the error messages of the failing cases out of the TAP */
	(void)!freopen("/dev/null", "w", stderr);

	is_int(parse(&o, a1), 0, "exec form parses");
	is_int(o.verb, WS_VERB_EXEC, "verb exec");
	is_int(o.n_env_files, 2, "two env files");
	is_str(o.env_files[1], "b.env", "in order");
	ok(o.clean && o.n_keep == 1, "--clean and --keep");
	is_str(o.command[0], "python", "command");
	is_str(o.command[2], "app", "command arguments are not ours");
	ws_opts_free(&o);

	is_int(parse(&o, a2), WS_EX_USAGE, "a bare command is a usage error");
	ws_opts_free(&o);
	is_int(parse(&o, a3), 0, "check with options");
	ok(o.verb == WS_VERB_CHECK && o.format == WS_FORMAT_JSON &&
	    strcmp(o.environment, "production") == 0, "check options");
	ws_opts_free(&o);
	is_int(parse(&o, a4), 0, "explain with names");
	ok(o.names[0] && strcmp(o.names[1], "B") == 0 && !o.names[2],
	    "explain names");
	ws_opts_free(&o);
	is_int(parse(&o, a5), WS_EX_USAGE, "missing -- is a usage error");
	ws_opts_free(&o);
	is_int(parse(&o, a6), WS_EX_USAGE, "-- without a command");
	ws_opts_free(&o);
	is_int(parse(&o, a7), WS_EX_USAGE, "bad --format");
	ws_opts_free(&o);
	is_int(parse(&o, a8), WS_EX_USAGE, "check takes no argument");
	ws_opts_free(&o);
	is_int(parse(&o, a9), WS_EX_USAGE, "unknown option");
	ws_opts_free(&o);
	is_int(parse(&o, a10), 0, "repeatable options");
	ok(o.n_unset == 2 && o.n_secrets_dirs == 2 &&
	    o.mode == WS_MODE_LENIENT, "last of --strict/--lenient wins");
	ws_opts_free(&o);
	return done_testing();
}
