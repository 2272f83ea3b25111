/* Option parsing: verbs, the exec form, repeatable options. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "withsecrets.h"
#include "util.h"
#include "tap.h"

/* A writable, NULL-terminated argv from string literals; all are
 * freed by free_argvs(). */
static char **argvs[32];
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

/*
 * ws_opts_next() reads options as getopt_long(3) does with the same
 * option string and table: random command lines made of options,
 * abbreviations, groups of letters, arguments and stray words are read
 * both ways, call by call, and must give the same option, argument and
 * optind each time.
 */
static void
test_like_getopt(void)
{
	static const char *const words[] = { "-f", "-fX", "-C", "-iq", "-qz",
	    "-z", "-+", "-+x", "-:", "-;", "--", "-", "--env-file",
	    "--env-file=a", "--env", "--env=x", "--no", "--no-c",
	    "--no-config", "--no-config=1", "--dir", "--d", "--format=json",
	    "--format", "--bogus", "--=x", "--", "--keep", "-k", "word", "x",
	    "-iv", "-ik", "-kX", "-vfA", "--help", "--he", "--v", "--ver",
	    "--verbose", "--version", "--s", "--st", "--str", "--strict=",
	    "-e", "-s", "-u", "-o", "-V", "-h", "--no-layers", "--lenient",
	    "-c", "--secrets", "--un", "--cl", "--c", "-W", "-Wx", "", "-\xc3",
	    NULL };
	struct ws_optscan g;
	char *av[10];
	size_t nw;
	unsigned k, bad = 0;
	int ac, i, c, d, step;

	for (nw = 0; words[nw] != NULL; nw++)
		;
	opterr = 0;
	for (k = 0; k < 20000; k++) {
		ac = 1 + rand() % 9;
		av[0] = (char *)"verb";
		for (i = 1; i < ac; i++)
			av[i] = (char *)words[rand() % (int)nw];
		av[ac] = NULL;
		optind = 0;
		g.ind = 1;
		g.next = NULL;
		for (step = 0; step < 20; step++) {
			c = getopt_long(ac, av, ws_shortopts, ws_longopts, NULL);
			d = ws_opts_next(&g, ac, av);
			if (c != d || optind != g.ind || (c != -1 &&
			    c != '?' && c != ':' && optarg != g.arg)) {
				if (bad++ < 5) {
					printf("#   differs at call %d (%d %d, "
					    "optind %d %d):", step, c, d,
					    optind, g.ind);
					for (i = 1; i < ac; i++)
						printf(" '%s'", av[i]);
					printf("\n");
				}
				break;
			}
			if (c == -1)
				break;
		}
	}
	is_int(bad, 0, "options are read as getopt_long reads them "
	    "(20,000 command lines)");
}

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

	/* keep the error messages of the failing cases out of the TAP */
	(void)!freopen("/dev/null", "w", stderr);

	test_like_getopt();

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
	free_argvs();
	return done_testing();
}
