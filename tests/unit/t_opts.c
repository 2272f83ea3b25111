/* Option parsing: verbs, the exec form, repeatable options. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "withsecrets.h"
#include "opts.h"
#include "supervise.h"
#include "util.h"
#include "diag.h"
#include "tap.h"

/* A writable, NULL-terminated argv from string literals; all are
 * freed by free_argvs(). */
static char **argvs[64];
static size_t n_argvs;

static char **
mkargv(const char *const *words)
{
	size_t n = 0, i;
	char **v;

	while (words[n] != NULL)
		n++;
	v = ws_xcalloc(n + 1, sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = ws_xstrdup(words[i]);
	if (n_argvs < sizeof(argvs) / sizeof(argvs[0]))
		argvs[n_argvs++] = v;
	return v;
}

static void
free_argvs(void)
{
	size_t i, j;

	for (i = 0; i < n_argvs; i++) {
		for (j = 0; argvs[i][j] != NULL; j++)
			free(argvs[i][j]);
		free(argvs[i]);
	}
}
#define A(...) mkargv((const char *const[]){ __VA_ARGS__, NULL })

static int
parse(struct ws_opts *o, char **argv)
{
	int argc = 0;

	while (argv[argc] != NULL)
		argc++;
	int rc = ws_opts_parse(o, argc, argv);

	/* as withsecrets-full reads them: supervision's values too */
	return rc != 0 ? rc : ws_supervise_options(o);
}

int
main(void)
{
	struct ws_opts o;
	char **a1 = A("withsecrets", "-f", "a.env", "--env-file=b.env", "-i",
	    "-k", "X_*", "--", "python", "-m", "app");
	char **a2 = A("withsecrets", "python", "app.py");
	char **a3 = A("withsecrets", "check", "-e", "production",
	    "--format=json");
	char **a4 = A("withsecrets", "explain", "A", "B");
	char **a5 = A("withsecrets", "-e", "prod", "ls");
	char **a6 = A("withsecrets", "--");
	char **a7 = A("withsecrets", "--format=xml", "--", "ls");
	char **a8 = A("withsecrets", "check", "extra");
	char **a9 = A("withsecrets", "--bogus", "--", "ls");
	char **a10 = A("withsecrets", "-u", "A", "-u", "B", "--strict",
	    "--lenient", "-s", "/d1", "-s", "/d2", "--", "x");
	char **a11 = A("withsecrets", "-qz", "--", "x");
	char **a12 = A("withsecrets", "-iv", "--no-c", "--envi=x", "-fA",
	    "--", "x");
	char **a13 = A("withsecrets", "--no", "--", "x");
	char **a14 = A("withsecrets", "check", "-f");
	char **a15 = A("withsecrets", "--no-config=1", "--", "x");
	char **a16 = A("withsecrets", "explain", "--", "-A");
	char **a17 = A("withsecrets", "-i", "--", "ls", "-f", "--", "x");

	/* keep the error messages of the failing cases out of the TAP */
	(void)!freopen("/dev/null", "w", stderr);

	is_int(parse(&o, a1), 0, "exec form parses");
	is_int(o.verb, WS_VERB_EXEC, "verb exec");
	is_int(o.n_env_files, 2, "two env files");
	is_str(o.env_files[1], "b.env", "in order");
	ok(o.clean && o.n_keep == 1, "--clean and --keep");
	is_str(o.command[0], "python", "command");
	is_str(o.command[2], "app", "command arguments are not ours");
	ok(o.n_dirs == 1 && strcmp(o.dirs[0], ".") == 0 && o.dirs[1] == NULL &&
	    strcmp(o.dir, ".") == 0, "no -C: the current directory");
	ws_opts_free(&o);
	is_int(parse(&o, A("withsecrets", "-C", "../..", "--dir=.", "check",
	    "-C", "svc")), 0, "-C repeated, before and after the verb");
	ok(o.n_dirs == 3 && strcmp(o.dirs[0], "../..") == 0 &&
	    strcmp(o.dirs[1], ".") == 0 && strcmp(o.dirs[2], "svc") == 0 &&
	    o.dirs[3] == NULL, "every -C, in order");
	is_str(o.dir, "svc", "the last one is o.dir");
	ws_opts_free(&o);
	is_int(parse(&o, A("withsecrets", "-C", "a", "-C", "", "--", "x")),
	    WS_EX_USAGE, "an empty -C among several");
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

	/* an error in the middle of a group of letters, then a fresh
	 * parse: the scan starts over */
	is_int(parse(&o, a11), WS_EX_USAGE, "unknown letter in a group");
	ws_opts_free(&o);
	is_int(parse(&o, a12), 0, "groups, abbreviations, -fFILE");
	ok(o.clean && ws_verbose && o.no_config &&
	    strcmp(o.environment, "x") == 0 && o.n_env_files == 1 &&
	    strcmp(o.env_files[0], "A") == 0, "read as written");
	ws_verbose = 0;
	ws_opts_free(&o);
	is_int(parse(&o, a13), WS_EX_USAGE, "an ambiguous abbreviation");
	ws_opts_free(&o);
	is_int(parse(&o, a14), WS_EX_USAGE, "a missing argument");
	ws_opts_free(&o);
	is_int(parse(&o, a15), WS_EX_USAGE, "an argument to a flag");
	ws_opts_free(&o);
	is_int(parse(&o, a16), 0, "explain -- NAME");
	ok(strcmp(o.names[0], "-A") == 0 && !o.names[1], "names after --");
	ws_opts_free(&o);
	is_int(parse(&o, a17), 0, "the command's options are not ours");
	ok(o.n_env_files == 0 && strcmp(o.command[1], "-f") == 0 &&
	    strcmp(o.command[2], "--") == 0, "command argv untouched");
	ws_opts_free(&o);

	/* supervision (SPEC §14) */
	is_int(parse(&o, A("ws", "--init", "--", "cmd")), 0, "--init");
	ok(o.init && !o.init_group && !o.watch && o.kill_timeout_ms == 10000 &&
	    o.watch_delay_ms == 1000 && o.watch_interval_ms == 0 &&
	    o.on_change == WS_ON_CHANGE_RESTART, "--init and the defaults");
	ws_opts_free(&o);
	is_int(parse(&o, A("ws", "--init-group", "--", "cmd")), 0,
	    "--init-group");
	ok(o.init && o.init_group, "--init-group implies --init");
	ws_opts_free(&o);
	is_int(parse(&o, A("ws", "--watch", "--on-change=signal:SIGHUP",
	    "--kill-timeout=0.5", "--watch-delay", "2", "--watch-interval=30",
	    "--", "cmd")), 0, "--watch and its settings");
	ok(o.init && o.watch && o.on_change == WS_ON_CHANGE_SIGNAL &&
	    o.change_signal == 1 && o.kill_timeout_ms == 500 &&
	    o.watch_delay_ms == 2000 && o.watch_interval_ms == 30000,
	    "read as written (fractions of a second)");
	ws_opts_free(&o);
	is_int(parse(&o, A("ws", "--watch", "--on-change=signal:usr1",
	    "--on-change=exit", "--", "cmd")), 0, "the last --on-change wins");
	ok(o.on_change == WS_ON_CHANGE_EXIT, "exit");
	ws_opts_free(&o);
	is_int(parse(&o, A("ws", "--watch", "--on-change=signal:15", "--",
	    "cmd")), 0, "a signal by number");
	ok(o.change_signal == 15, "15");
	ws_opts_free(&o);
	is_int(parse(&o, A("ws", "--watch", "--on-change=signal:NOPE", "--",
	    "cmd")), WS_EX_USAGE, "an unknown signal");
	ws_opts_free(&o);
	is_int(parse(&o, A("ws", "--watch", "--kill-timeout=-1", "--", "cmd")),
	    WS_EX_USAGE, "a negative duration");
	ws_opts_free(&o);
	is_int(parse(&o, A("ws", "--watch", "--watch-delay=1s", "--", "cmd")),
	    WS_EX_USAGE, "a duration with a unit");
	ws_opts_free(&o);
	is_int(parse(&o, A("ws", "--watch", "--watch-interval=0", "--", "cmd")),
	    WS_EX_USAGE, "a --watch-interval of 0");
	ws_opts_free(&o);
	is_int(parse(&o, A("ws", "--init", "--kill-timeout=1", "--", "cmd")),
	    WS_EX_USAGE, "--kill-timeout without --watch");
	ws_opts_free(&o);
	is_int(parse(&o, A("ws", "check", "--init")), WS_EX_USAGE,
	    "--init with check");
	ws_opts_free(&o);
	free_argvs();
	return done_testing();
}
