/*
 * The command line (SPEC §2): a verb or the exec form, then options
 * (as getopt_long(3) reads them, stopping at the first non-option so
 * that COMMAND's own options are never ours), then "--" and COMMAND.
 */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "withsecrets.h"
#include "opts.h"
#include "util.h"
#include "out.h"
#include "diag.h"

enum {
	OPT_NO_LAYERS = 256, OPT_NO_DEFAULT_SECRETS_DIRS, OPT_NO_CONFIG,
	OPT_STRICT, OPT_LENIENT, OPT_FORMAT,
	OPT_INIT, OPT_INIT_GROUP, OPT_WATCH, OPT_ON_CHANGE, OPT_KILL_TIMEOUT,
	OPT_WATCH_DELAY, OPT_WATCH_INTERVAL,
	OPT_FORCE, OPT_DRY_RUN, OPT_MODE,
	OPT_AUDIT, OPT_OFFLINE
};

static const char shortopts[] = "+:f:C:e:s:c:ik:u:oqvhV";
static const struct option longopts[] = {
	{ "env-file",			required_argument, NULL, 'f' },
	{ "dir",			required_argument, NULL, 'C' },
	{ "no-layers",			no_argument, NULL, OPT_NO_LAYERS },
	{ "environment",		required_argument, NULL, 'e' },
	{ "secrets-dir",		required_argument, NULL, 's' },
	{ "no-default-secrets-dirs",	no_argument, NULL,
	    OPT_NO_DEFAULT_SECRETS_DIRS },
	{ "config",			required_argument, NULL, 'c' },
	{ "no-config",			no_argument, NULL, OPT_NO_CONFIG },
	{ "clean",			no_argument, NULL, 'i' },
	{ "keep",			required_argument, NULL, 'k' },
	{ "unset",			required_argument, NULL, 'u' },
	{ "override",			no_argument, NULL, 'o' },
	{ "strict",			no_argument, NULL, OPT_STRICT },
	{ "lenient",			no_argument, NULL, OPT_LENIENT },
	{ "format",			required_argument, NULL, OPT_FORMAT },
	{ "force",			no_argument, NULL, OPT_FORCE },
	{ "dry-run",			no_argument, NULL, OPT_DRY_RUN },
	{ "mode",			required_argument, NULL, OPT_MODE },
	{ "audit",			required_argument, NULL, OPT_AUDIT },
	{ "offline",			no_argument, NULL, OPT_OFFLINE },
	{ "quiet",			no_argument, NULL, 'q' },
	{ "verbose",			no_argument, NULL, 'v' },
	{ "init",			no_argument, NULL, OPT_INIT },
	{ "init-group",			no_argument, NULL, OPT_INIT_GROUP },
	{ "watch",			no_argument, NULL, OPT_WATCH },
	{ "on-change",			required_argument, NULL,
	    OPT_ON_CHANGE },
	{ "kill-timeout",		required_argument, NULL,
	    OPT_KILL_TIMEOUT },
	{ "watch-delay",		required_argument, NULL,
	    OPT_WATCH_DELAY },
	{ "watch-interval",		required_argument, NULL,
	    OPT_WATCH_INTERVAL },
	{ "help",			no_argument, NULL, 'h' },
	{ "version",			no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const char usage_text[] =
"usage: withsecrets [OPTIONS] -- COMMAND [ARG...]\n"
"       withsecrets check   [OPTIONS]\n"
"       withsecrets explain [OPTIONS] [NAME...]\n"
"       withsecrets defaults\n"
"       withsecrets gen     [OPTIONS] [NAME...]\n"
"       withsecrets --help | --version\n"
"\n"
"Build COMMAND's environment from the inherited environment, secret\n"
"directories, .env layers and NAME_FILE indirections; check it against\n"
"the policy of the environment (development, production, ...); then\n"
"exec COMMAND.  No value is ever printed.\n"
"\n"
"options:\n"
"  -f, --env-file=FILE          load FILE as a layer (repeatable)\n"
"  -C, --dir=DIR                where the .env layers and withsecrets.ini are\n"
"                               (repeatable: a later DIR's layers over an earlier's)\n"
"      --no-layers              do not load .env, .env.local, .env.ENV...\n"
"  -e, --environment=NAME       the environment name (default: detected)\n"
"  -s, --secrets-dir=DIR        add a secrets directory (repeatable)\n"
"      --no-default-secrets-dirs  only the --secrets-dir ones\n"
"  -c, --config=FILE            the policy file\n"
"      --no-config              only the built-in policy\n"
"  -i, --clean                  start from an empty environment (keep list)\n"
"  -k, --keep=PATTERN           with --clean, also keep these (repeatable)\n"
"  -u, --unset=NAME             remove NAME (repeatable)\n"
"  -o, --override               .env files override the inherited environment\n"
"      --strict, --lenient      strict or lenient rules whatever the name\n"
"      --format=text|json       output of check and explain\n"
"      --audit=off|journal|syslog  the audit record of an exec\n"
"      --offline                check: do not ask the secret stores\n"
"  -q, --quiet, -v, --verbose   fewer or more messages\n"
"supervision (the exec form; withsecrets stays as the parent):\n"
"      --init                   forward signals, reap children, exit as COMMAND\n"
"      --init-group             --init, signals to COMMAND's process group\n"
"      --watch                  --init; on a change, re-check and restart\n"
"      --on-change=restart|exit|signal:NAME   what a change does (restart)\n"
"      --kill-timeout=SECONDS   SIGKILL this long after SIGTERM (10)\n"
"      --watch-delay=SECONDS    quiet time before a change is read (1)\n"
"      --watch-interval=SECONDS re-read the secret stores this often\n"
"gen (write the missing secrets to the first -s DIR, else the first -f FILE):\n"
"      --dry-run                say what would be written; write nothing\n"
"      --force                  replace the NAMEs given even when set\n"
"      --mode=MODE              octal mode of the files written (0600)\n"
"\n"
"exit status: the command's; 64 usage, 65 malformed input, 66 missing\n"
"input, 69 unavailable, 73 cannot write (gen), 75 a store unreachable\n"
"(temporary), 77 unsafe permissions or refused access, 78 policy\n"
"violation, 125 internal error,\n"
"126 cannot execute, 127 command not found.  See withsecrets(1).\n";

void
ws_usage(int to_stdout)
{
	struct ws_out *o = to_stdout ? &ws_stdout : &ws_stderr;

	ws_out_str(o, usage_text);
	if (!to_stdout)
		(void)ws_out_flush(o);
}

/* -C when none is given. */
static char dot[] = ".";
static char *current_dir[] = { dot, NULL };

static void
push(char ***list, size_t *n, char *s)
{
	*list = ws_xrealloc(*list, (*n + 2) * sizeof(**list));
	(*list)[(*n)++] = s;
	(*list)[*n] = NULL;
}

static int
verb_of(const char *s, enum ws_verb *v)
{
	if (strcmp(s, "check") == 0)
		*v = WS_VERB_CHECK;
	else if (strcmp(s, "explain") == 0)
		*v = WS_VERB_EXPLAIN;
	else if (strcmp(s, "defaults") == 0)
		*v = WS_VERB_DEFAULTS;
	else if (strcmp(s, "gen") == 0)
		*v = WS_VERB_GEN;
	else
		return 0;
	return 1;
}

/* Is a one edit (a letter added, dropped, changed, or two swapped)
 * away from b? */
static int
one_edit(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i = 0;

	while (i < la && i < lb && a[i] == b[i])
		i++;
	if (la == lb) {
		if (i == la)
			return 1;
		if (strcmp(a + i + 1, b + i + 1) == 0)
			return 1;	/* one changed */
		return i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] &&
		    strcmp(a + i + 2, b + i + 2) == 0;	/* two swapped */
	}
	if (la == lb + 1)
		return strcmp(a + i + 1, b + i) == 0;
	if (lb == la + 1)
		return strcmp(a + i, b + i + 1) == 0;
	return 0;
}

/* A word that is nearly a verb ("chek"): said so, with the verb. */
static int
suggest_verb(const char *word)
{
	static const char *const verbs[] = { "check", "explain", "defaults",
	    NULL };
	size_t i;

	for (i = 0; verbs[i] != NULL; i++)
		if (one_edit(word, verbs[i])) {
			ws_msg("error: usage: '%s' is not a verb; did you mean "
			    "'%s'? (withsecrets %s [OPTIONS])", word, verbs[i],
			    verbs[i]);
			return 1;
		}
	return 0;
}

/* The command line the user probably meant: ours, "--", theirs. */
static void
suggest_separator(int argc, char **argv, int at)
{
	static const char prog[] = "withsecrets";
	size_t len = sizeof(prog) + 3, k;
	char *s, *o;
	int i;

	for (i = 1; i < argc; i++)
		len += strlen(argv[i]) + 1;
	o = s = ws_xmalloc(len);
	memcpy(o, prog, sizeof(prog) - 1);
	o += sizeof(prog) - 1;
	for (i = 1; i < argc; i++) {
		if (i == at) {
			memcpy(o, " --", 3);
			o += 3;
		}
		*o++ = ' ';
		k = strlen(argv[i]);
		memcpy(o, argv[i], k);
		o += k;
	}
	*o = '\0';
	ws_msg("error: usage: '%s' is neither an option nor a verb; "
	    "put -- before the command: %s", argv[at], s);
	free(s);
}

/* An octal mode for the files gen writes: no group or other bits (a
 * secret is its owner's), readable by the owner; 1 to 4 digits. */
static int
parse_mode(const char *s, mode_t *out)
{
	unsigned m = 0;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '7' || i >= 4)
			return -1;
		m = m * 8 + (unsigned)(s[i] - '0');
	}
	if (i == 0 || (m & 07077) != 0 || !(m & 0400))
		return -1;
	*out = (mode_t)m;
	return 0;
}

int
ws_usage_error(const char *what, const char *arg)
{
	ws_msg("error: usage: %s%s%s (see withsecrets --help)", what,
	    arg ? " " : "", arg ? arg : "");
	return WS_EX_USAGE;
}

/* An option given '' where it needs a file, a directory or a name. */
static int
empty_argument(int c)
{
	char opt[] = { '-', (char)c, '\0' };

	if (c == 'C')
		return ws_usage_error("-C takes a directory, not '' (-C . is the "
		    "current one)", NULL);
	return ws_usage_error("an empty argument after", opt);
}

int
ws_opts_parse(struct ws_opts *o, int argc, char **argv)
{
	enum ws_verb verb = WS_VERB_EXEC;
	static const char *const audit_words[] = { WS_AUDIT_NAMES, NULL };
	int c, ac, first = 1, ind, supervision_set = 0, w;
	char **av, *arg;

	memset(o, 0, sizeof(*o));
	o->kill_timeout_ms = 10000;
	o->watch_delay_ms = 1000;
	/* one line, like every message: the full text is --help's */
	if (argc < 2)
		return ws_usage_error("no command: withsecrets -- COMMAND [ARG...]",
		    NULL);
	if (argv[1][0] != '-') {
		if (!verb_of(argv[1], &verb)) {
			if (!suggest_verb(argv[1]))
				suggest_separator(argc, argv, 1);
			return WS_EX_USAGE;
		}
		first = 2;
	}
	o->verb = verb;
	/* Scan from the word after the verb: av[0] stands for the verb. */
	av = argv + first - 1;
	ac = argc - first + 1;
	/* optind 0: glibc starts afresh (ws_opts_parse may run more than
	 * once in a process); opterr 0: the messages are ours */
	optind = 0;
	opterr = 0;
	for (;;) {
		c = getopt_long(ac, av, shortopts, longopts, NULL);
		/* A verb after options (withsecrets -e production check):
		 * the exec form needs "--", so a bare word before it can
		 * only be a verb.  Options after it are read on. */
		if (c == -1 && o->verb == WS_VERB_EXEC && optind < ac &&
		    strcmp(av[optind - 1], "--") != 0 &&
		    verb_of(av[optind], &verb)) {
			o->verb = verb;
			optind++;
			continue;
		}
		if (c == -1)
			break;
		ind = optind;
		arg = optarg;
		/* '' names no file or directory: never the current one
		 * by accident, nor the root ("/withsecrets.ini") */
		if (arg != NULL && *arg == '\0' && strchr("fCsce", c) != NULL)
			return empty_argument(c);
		switch (c) {
		case 'f':
			push(&o->env_files, &o->n_env_files, arg);
			break;
		case 'C':	/* a monorepo's root, then a service (§4.2) */
			push(&o->dirs, &o->n_dirs, arg);
			break;
		case OPT_NO_LAYERS:
			o->no_layers = 1;
			break;
		case 'e':
			o->environment = arg;
			break;
		case 's':
			push(&o->secrets_dirs, &o->n_secrets_dirs, arg);
			break;
		case OPT_NO_DEFAULT_SECRETS_DIRS:
			o->no_default_secrets_dirs = 1;
			break;
		case 'c':
			o->config = arg;
			o->no_config = 0;
			break;
		case OPT_NO_CONFIG:
			o->no_config = 1;
			o->config = NULL;
			break;
		case 'i':
			o->clean = 1;
			break;
		case 'k':
			push(&o->keep, &o->n_keep, arg);
			break;
		case 'u':
			push(&o->unset, &o->n_unset, arg);
			break;
		case 'o':
			o->override = 1;
			break;
		case OPT_STRICT:
			o->mode = WS_MODE_STRICT;
			break;
		case OPT_LENIENT:
			o->mode = WS_MODE_LENIENT;
			break;
		case OPT_FORMAT:
			if (strcmp(arg, "text") == 0)
				o->format = WS_FORMAT_TEXT;
			else if (strcmp(arg, "json") == 0)
				o->format = WS_FORMAT_JSON;
			else
				return ws_usage_error("--format takes text or "
				    "json, not", arg);
			break;
		case OPT_AUDIT:
			if ((w = ws_word_index(arg, audit_words)) >= 0)
				o->audit = w + 1;
			else
				return ws_usage_error("--audit takes off, journal "
				    "or syslog, not", arg);
			break;
		case OPT_OFFLINE:
			o->offline = 1;
			break;
		case OPT_FORCE:
			o->force = 1;
			break;
		case OPT_DRY_RUN:
			o->dry_run = 1;
			break;
		case OPT_MODE:
			if (parse_mode(arg, &o->file_mode) != 0)
				return ws_usage_error("--mode takes an octal mode "
				    "without group or other bits, readable by "
				    "its owner (0600, 0400), not", arg);
			o->mode_set = 1;
			break;
		case 'q':
			ws_quiet = 1;
			ws_verbose = 0;
			break;
		case 'v':
			ws_verbose = 1;
			ws_quiet = 0;
			break;
		case OPT_INIT:
			o->init = 1;
			break;
		case OPT_INIT_GROUP:
			o->init = o->init_group = 1;
			break;
		case OPT_WATCH:
			o->init = o->watch = 1;
			break;
		/* their values are read by ws_supervise_options(): every
		 * one of them needs --watch, which the launcher hands to
		 * withsecrets-full (handoff.h) */
		case OPT_ON_CHANGE:
			o->on_change_arg = arg;
			supervision_set |= 1;
			break;
		case OPT_KILL_TIMEOUT:
			o->kill_timeout_arg = arg;
			supervision_set |= 1;
			break;
		case OPT_WATCH_DELAY:
			o->watch_delay_arg = arg;
			supervision_set |= 1;
			break;
		case OPT_WATCH_INTERVAL:
			o->watch_interval_arg = arg;
			supervision_set |= 1;
			break;
		case 'h':
			o->verb = WS_VERB_HELP;
			return 0;
		case 'V':
			o->verb = WS_VERB_VERSION;
			return 0;
		case ':':
			return ws_usage_error("an argument is missing after",
			    av[ind - 1]);
		default:
			return ws_usage_error("unknown option",
			    av[ind - 1]);
		}
	}
	ind = optind + first - 1;	/* back to an index into argv */
	if (o->n_dirs == 0) {	/* the current directory, not allocated */
		o->dirs = current_dir;
		o->n_dirs = 1;
	}
	o->dir = o->dirs[o->n_dirs - 1];
	/* supervision is for the exec form; its settings need --watch */
	if (o->init && o->verb != WS_VERB_EXEC)
		return ws_usage_error("--init, --init-group and --watch are for "
		    "the exec form: withsecrets --init -- COMMAND", NULL);
	if (supervision_set && !o->watch)
		return ws_usage_error("--on-change, --kill-timeout, --watch-delay "
		    "and --watch-interval need --watch", NULL);

	switch (o->verb) {
	case WS_VERB_EXEC:
		if (ind > first && strcmp(argv[ind - 1], "--") == 0) {
			if (ind >= argc)
				return ws_usage_error("no command after --", NULL);
			o->command = &argv[ind];
			break;
		}
		if (ind >= argc)
			return ws_usage_error("no command: use withsecrets "
			    "[OPTIONS] -- COMMAND [ARG...]", NULL);
		if (!suggest_verb(argv[ind]))
			suggest_separator(argc, argv, ind);
		return WS_EX_USAGE;
	case WS_VERB_EXPLAIN:
	case WS_VERB_GEN:
		if (ind < argc && strcmp(argv[ind], "--") == 0)
			ind++;
		o->names = &argv[ind];
		break;
	default:
		if (ind < argc)
			return ws_usage_error("unexpected argument",
			    argv[ind]);
		break;
	}
	/* check may leave the stores alone; the other verbs have no
	 * choice to make (SPEC §13) */
	if (o->offline && o->verb != WS_VERB_CHECK)
		return ws_usage_error("--offline is an option of check: "
		    "withsecrets check --offline", NULL);
	/* the options of gen belong to gen */
	if (o->verb != WS_VERB_GEN && (o->force || o->dry_run || o->mode_set))
		return ws_usage_error("--force, --dry-run and --mode are options "
		    "of gen: withsecrets gen [OPTIONS] [NAME...]", NULL);
	if (o->force && (o->names == NULL || o->names[0] == NULL))
		return ws_usage_error("--force replaces only the NAMEs given: "
		    "withsecrets gen --force NAME...", NULL);
	return 0;
}

void
ws_opts_free(struct ws_opts *o)
{
	free(o->env_files);
	if (o->dirs != current_dir)
		free(o->dirs);
	free(o->secrets_dirs);
	free(o->keep);
	free(o->unset);
	memset(o, 0, sizeof(*o));
}
