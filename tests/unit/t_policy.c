/* The policy file: the built-in text, the user's file layered over it,
 * errors at FILE:LINE, [var] resolution and secret classification. */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "withsecrets.h"
#include "opts.h"
#include "values.h"
#include "util.h"
#include "secmem.h"
#include "diag.h"
#include "vars.h"
#include "policy.h"
#include "frozen.h"
#include "stage.h"
#include "tap.h"

/* Parse text as the user's file over the built-in policy. */
/* Is w one of the words of the list? */
static int
has_word(char **list, const char *w)
{
	size_t i;

	for (i = 0; list != NULL && list[i] != NULL; i++)
		if (strcmp(list[i], w) == 0)
			return 1;
	return 0;
}

static size_t
n_words(char **list)
{
	size_t n = 0;

	while (list != NULL && list[n] != NULL)
		n++;
	return n;
}

static struct ws_policy *
parse(const char *text, int *rc)
{
	struct ws_policy *p = ws_policy_new();

	ws_diag_reset();
	*rc = ws_config_parse(p, text, strlen(text), "t.ini", 1);
	return p;
}

/* Is there a finding whose source and message contain these? */
static int
has_finding(const char *rule, const char *source, const char *text)
{
	const struct ws_finding *f;
	size_t i;

	for (i = 0; (f = ws_finding_at(i)) != NULL; i++)
		if ((rule == NULL || strcmp(f->rule, rule) == 0) &&
		    (source == NULL || (f->source &&
		    strcmp(f->source, source) == 0)) &&
		    (text == NULL || strstr(f->message, text) != NULL))
			return 1;
	return 0;
}

/* The lists that make a check stricter extend the built-in ones, and
 * !ITEM removes one (SPEC §6, revision 2). */
static void
test_extend(void)
{
	struct ws_policy *p;
	size_t n_deny, n_pat;
	int rc;

	p = parse("", &rc);
	n_deny = n_words(p->set.deny);
	n_pat = n_words(p->ph_patterns);
	ws_policy_destroy(p);

	p = parse("[withsecrets]\ndeny = NODE_OPTIONS PYTHONSTARTUP\n", &rc);
	ok(rc == 0 && has_word(p->set.deny, "LD_*") &&
	    has_word(p->set.deny, "NODE_OPTIONS") &&
	    has_word(p->set.deny, "PYTHONSTARTUP") &&
	    n_words(p->set.deny) == n_deny + 2,
	    "deny: a user's items are added to the built-in list");
	ws_policy_destroy(p);

	p = parse("[withsecrets]\ndeny = !IFS LD_* X\n", &rc);
	ok(rc == 0 && !has_word(p->set.deny, "IFS") &&
	    has_word(p->set.deny, "LD_*") && has_word(p->set.deny, "X") &&
	    n_words(p->set.deny) == n_deny, "deny: !IFS removes one built-in "
	    "item; an item already there is not doubled");
	ws_policy_destroy(p);

	p = parse("[withsecrets]\ndeny = !NOT_THERE\n", &rc);
	ok(rc == WS_EX_POLICY && has_finding("config", "t.ini:2",
	    "removes nothing"), "deny: !ITEM that is not in the built-in list "
	    "is an error");
	ok(has_word(p->set.deny, "LD_*"), "and the list stays whole");
	ws_policy_destroy(p);

	p = parse("[placeholders]\nvalues = !ChangeMe\npatterns = *acme* "
	    "!<*>\n", &rc);
	ok(rc == 0 && !has_word(p->ph_values, "changeme") &&
	    has_word(p->ph_values, "changeit"), "values: !ITEM, in any case");
	ok(has_word(p->ph_patterns, "*acme*") &&
	    !has_word(p->ph_patterns, "<*>") &&
	    n_words(p->ph_patterns) == n_pat, "patterns: one added, one "
	    "removed");
	ok(ws_rule_placeholder(p, "xxACMExx", 8) &&
	    !ws_rule_placeholder(p, "<DB_PASSWORD>", 13) &&
	    ws_rule_placeholder(p, "dev-secret-value-here", 21),
	    "the filter is built for the merged list");
	ws_policy_destroy(p);

	p = parse("[withsecrets]\nkeep = PATH\nlenient-environments = dev\n",
	    &rc);
	ok(rc == 0 && n_words(p->set.keep) == 1 &&
	    n_words(p->set.lenient_environments) == 1,
	    "keep and lenient-environments still replace");
	ws_policy_destroy(p);
}

static int
list_eq(char **list, const char *const *want)
{
	size_t i;

	for (i = 0; want[i] != NULL; i++)
		if (list == NULL || list[i] == NULL ||
		    strcmp(list[i], want[i]) != 0)
			return 0;
	return list[i] == NULL;
}

static void
test_builtin(void)
{
	struct ws_policy *p = ws_policy_new();
	struct ws_varpol vp;
	static const char *const envvars[] = { "ENVIRONMENT", "APP_ENV",
	    "NODE_ENV", NULL };
	static const char *const deny[] = { "LD_*", "BASH_FUNC_*", "BASH_ENV",
	    "ENV", "IFS", "GCONV_PATH", NULL };
	static const char *const keep[] = { "PATH", "HOME", "LANG", "LC_*",
	    "TZ", "TERM", "USER", "LOGNAME", NULL };
	const char *line, *nl;
	size_t longest = 0;

	ok(ws_finding_count() == 0, "the built-in policy parses cleanly");
	ok(list_eq(p->set.environment_vars, envvars), "environment-vars");
	ok(list_eq(p->set.deny, deny), "deny");
	ok(list_eq(p->set.keep, keep), "keep");
	ok(p->set.secrets_dirs[0] && strcmp(p->set.secrets_dirs[0],
	    "/run/secrets") == 0 && !p->set.secrets_dirs[1], "secrets-dirs");
	is_int(p->set.max_secret_size, 65536, "max-secret-size");
	is_int(p->set.file_vars, WS_FILE_VARS_ALL, "file-vars");
	is_int(p->set.plaintext_secrets, WS_PLAINTEXT_WARN,
	    "plaintext-secrets");
	is_str(p->set.example, ".env.example", "example");
	ok(!p->example_named, "the built-in example may be missing");
	ok(p->ph_values[0] && p->ph_patterns[0], "placeholders");

	ws_policy_var(p, "SECRET_KEY", &vp);
	is_int(vp.min_length, 32, "SECRET_KEY min-length 32");
	ok(vp.distinct && vp.secret == 1, "SECRET_KEY distinct, secret");
	ws_policy_var(p, "JWT_SECRET_KEY", &vp);
	is_int(vp.min_length, 32, "*_SECRET_KEY min-length 32");
	ws_policy_var(p, "SESSION_SECRET", &vp);
	is_int(vp.min_length, 32, "*_SECRET min-length 32");
	ws_policy_var(p, "DB_PASSWORD", &vp);
	is_int(vp.min_length, 20, "DB_PASSWORD min-length 20");
	ok(!vp.distinct, "passwords need not differ");
	ws_policy_var(p, "PGPASSWORD", &vp);
	is_int(vp.min_length, 20, "PGPASSWORD min-length 20");
	ws_policy_var(p, "DEBUG", &vp);
	ok(vp.debug && vp.secret == -1, "DEBUG is a debug switch");
	ws_policy_var(p, "FLASK_DEBUG", &vp);
	ok(vp.debug, "FLASK_DEBUG too");
	ws_policy_var(p, "MY_DEBUG", &vp);
	ok(!vp.debug, "MY_DEBUG is not");
	ws_policy_var(p, "LOG_LEVEL", &vp);
	ok(vp.secret == -1 && vp.min_length == 0 && !vp.debug,
	    "LOG_LEVEL has no rule");

	/* every line of the built-in text fits any libinih's buffer */
	for (line = ws_builtin_policy; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if ((size_t)(nl - line) > longest)
			longest = (size_t)(nl - line);
	}
	ok(longest <= 150, "built-in lines are short (%zu)", longest);
	ok(ws_config_line_max() >= 150, "libinih reads lines of %d",
	    ws_config_line_max());
	ws_policy_destroy(p);
}

static void
test_classification(void)
{
	struct ws_policy *p = ws_policy_new();
	static const char *const yes[] = { "SECRET_KEY", "MY_SECRET",
	    "SECRETS", "DB_PASSWORD", "PGPASSWORD", "PASSWORD", "MYSQL_PASSWD",
	    "GITHUB_TOKEN", "TOKEN_X", "PRIVATE_KEY_PEM", "AWS_CREDENTIALS",
	    "STRIPE_KEY", "API_KEY", "DATABASE_URL", "REDIS_URL", NULL };
	static const char *const no[] = { "LOG_LEVEL", "KEYBOARD", "KEY",
	    "MONKEY", "DATABASE_HOST", "REDIS_URLS", "PATH", "HOME", NULL };
	struct ws_varpol vp;
	size_t i;
	int rc;

	for (i = 0; yes[i]; i++) {
		ws_policy_var(p, yes[i], &vp);
		ok(vp.secret == 1, "%s is a secret by name", yes[i]);
	}
	for (i = 0; no[i]; i++) {
		ws_policy_var(p, no[i], &vp);
		ok(vp.secret != 1, "%s is not a secret by name", no[i]);
	}
	ws_policy_destroy(p);

	p = parse("[var PUBLIC_KEY]\nsecret = no\n[var APP_*]\nsecret = "
	    "yes\n", &rc);
	is_int(rc, 0, "secret = no parses");
	ws_policy_var(p, "PUBLIC_KEY", &vp);
	is_int(vp.secret, 0, "an exact section beats the built-in *_KEY");
	ws_policy_var(p, "OTHER_KEY", &vp);
	is_int(vp.secret, 1, "the glob still applies to others");
	ws_policy_var(p, "APP_NAME", &vp);
	is_int(vp.secret, 1, "a user's glob adds secrets");
	ws_policy_destroy(p);

	p = parse("[var *_KEY]\nsecret = no\n", &rc);
	ws_policy_var(p, "STRIPE_KEY", &vp);
	is_int(vp.secret, 0, "a user's [var *_KEY] replaces the built-in key");
	ws_policy_var(p, "SECRET_KEY", &vp);
	is_int(vp.secret, 0, "the last matching glob wins: *_KEY comes "
	    "after *SECRET* in the built-in order");
	ws_policy_destroy(p);
}

static void
test_layering(void)
{
	char *where;
	struct ws_policy *p;
	struct ws_varpol vp;
	static const char *const lenient[] = { "dev", "laptop", "qa", NULL };
	int rc;

	p = parse("[withsecrets]\nmax-secret-size = 1024\n", &rc);
	is_int(rc, 0, "a user's key parses");
	is_int(p->set.max_secret_size, 1024, "and replaces the built-in one");
	is_str(p->set.example, ".env.example", "the others stay");
	ws_policy_destroy(p);

	p = parse("[withsecrets]\nexample = .env.example\n", &rc);
	ok(rc == 0 && !p->example_named, "the built-in example named again "
	    "may be missing");
	ws_policy_destroy(p);
	p = parse("[withsecrets]\nexample = config/env.sample\n", &rc);
	ok(rc == 0 && p->example_named, "another one must exist");
	ws_policy_destroy(p);
	p = parse("[withsecrets]\nexample =\n", &rc);
	ok(rc == 0 && !p->example_named && *p->set.example == '\0',
	    "example = (empty): none");
	ws_policy_destroy(p);

	p = parse("[withsecrets]\nlenient-environments = dev\n"
	    "  laptop ; one more\n\tqa\n", &rc);
	is_int(rc, 0, "continuation lines");
	ok(list_eq(p->set.lenient_environments, lenient),
	    "are joined to the value, comments cut");
	ws_policy_destroy(p);

	p = parse("[var SECRET_KEY]\nmin-length = 64\n[var DB_PASSWORD]\n"
	    "min-length = 8\n[var *_PASSWORD]\nmin-length = 30\n", &rc);
	is_int(rc, 0, "[var] sections");
	ws_policy_var(p, "SECRET_KEY", &vp);
	is_int(vp.min_length, 64, "a user's key replaces the built-in one");
	ok(vp.distinct, "the built-in keys of the section stay");
	ws_policy_var(p, "DB_PASSWORD", &vp);
	is_int(vp.min_length, 8, "an exact section beats every glob");
	ws_policy_var(p, "ROOT_PASSWORD", &vp);
	is_int(vp.min_length, 30, "the user's glob beats the built-in one");
	where = ws_where_fmt(&vp.from[WS_VK_MIN_LENGTH]->where[WS_VK_MIN_LENGTH]);
	is_str(where, "t.ini:6", "where a key was set is kept");
	free(where);
	ws_policy_var(p, "PGPASSWORD", &vp);
	is_int(vp.min_length, 20, "the built-in glob where the user's "
	    "does not match");
	where = ws_where_fmt(&vp.from[WS_VK_MIN_LENGTH]->where[WS_VK_MIN_LENGTH]);
	ok(strncmp(where, "built-in:", 9) == 0, "built-in:LINE");
	free(where);
	ws_policy_destroy(p);

	p = parse("[defaults]\nLOG_LEVEL = INFO\nEMPTY =\n", &rc);
	is_int(rc, 0, "[defaults]");
	is_int(p->n_defaults, 2, "two defaults");
	ok(p->n_defaults == 2 && strcmp(p->defaults[0].name, "LOG_LEVEL") ==
	    0 && p->defaults[0].vallen == 4 && p->defaults[0].line == 2 &&
	    memcmp(p->defaults[0].value, "INFO", 4) == 0,
	    "with value, length and line");
	ok(p->n_defaults == 2 && p->defaults[1].vallen == 0, "empty value");
	ws_policy_destroy(p);

	p = parse("[placeholders]\nvalues = Hunter2 OPEN-sesame\n", &rc);
	ok(rc == 0 && has_word(p->ph_values, "hunter2") &&
	    has_word(p->ph_values, "open-sesame") &&
	    has_word(p->ph_values, "changeme"),
	    "placeholder values extend the built-in ones, lower-cased");
	ok(p->ph_patterns[0] != NULL, "patterns stay");
	ws_policy_destroy(p);
	test_extend();
}

static void
test_errors(void)
{
	struct ws_varpol vp;
	struct ws_policy *p;
	char *text, *q;
	int rc;

	p = parse("[withsecrets]\nkeep = PATH\nkeep = HOME\n", &rc);
	is_int(rc, WS_EX_POLICY, "a key twice in one section: 78");
	ok(has_finding("config", "t.ini:3", "twice"), "at the second line");
	ws_policy_destroy(p);

	p = parse("[withsecrets]\nkeep = PATH\n[defaults]\nA=1\n"
	    "[withsecrets]\nkeep = HOME\n", &rc);
	ok(rc == WS_EX_POLICY && has_finding("config", "t.ini:6", "twice"),
	    "also across two headers of one section");
	ws_policy_destroy(p);

	p = parse("[defaults]\nA = 1\nA = 2\n", &rc);
	ok(rc == WS_EX_POLICY && has_finding("config", "t.ini:3", "twice"),
	    "a default twice");
	ws_policy_destroy(p);

	p = parse("; top\n\n[withsecret]\nkeep = PATH\n", &rc);
	is_int(rc, WS_EX_POLICY, "unknown section: 78");
	ok(has_finding("config", "t.ini:3", "unknown section"),
	    "reported at its header line");
	ok(!has_finding("config", "t.ini:4", NULL),
	    "and not again for each of its keys");
	ws_policy_destroy(p);

	p = parse("[withsecrets]\nkepe = PATH\n", &rc);
	ok(rc == WS_EX_POLICY && has_finding("config", "t.ini:2",
	    "unknown key kepe"), "unknown key in [withsecrets]");
	ws_policy_destroy(p);
	p = parse("[var X]\nmin_length = 3\n", &rc);
	ok(rc == WS_EX_POLICY && has_finding("config", "t.ini:2",
	    "unknown key min_length"), "unknown key in [var]");
	ws_policy_destroy(p);
	p = parse("[placeholders]\nvalue = x\n", &rc);
	ok(rc == WS_EX_POLICY && has_finding("config", "t.ini:2",
	    "unknown key value"), "unknown key in [placeholders]");
	ws_policy_destroy(p);
	p = parse("keep = PATH\n", &rc);
	ok(rc == WS_EX_POLICY && has_finding("config", "t.ini:1",
	    "outside"), "a key outside any section");
	ws_policy_destroy(p);

	p = parse("[withsecrets]\nmax-secret-size = -1\n", &rc);
	ok(rc == WS_EX_POLICY && has_finding("config", "t.ini:2",
	    "max-secret-size"), "max-secret-size = -1");
	ws_policy_destroy(p);
	p = parse("[withsecrets]\nmax-secret-size = 0\n", &rc);
	ok(rc == WS_EX_POLICY, "max-secret-size = 0");
	ws_policy_destroy(p);
	p = parse("[withsecrets]\nmax-secret-size = 131073\n", &rc);
	ok(rc == WS_EX_POLICY, "max-secret-size over the kernel's limit");
	ws_policy_destroy(p);
	p = parse("[withsecrets]\nmax-secret-size = 99999999999999999999999"
	    "\n", &rc);
	ok(rc == WS_EX_POLICY, "max-secret-size overflowing");
	ws_policy_destroy(p);
	p = parse("[withsecrets]\nmax-secret-size = 64k\n", &rc);
	ok(rc == WS_EX_POLICY, "max-secret-size with a suffix");
	ws_policy_destroy(p);
	p = parse("[withsecrets]\nfile-vars = some\n", &rc);
	ok(rc == WS_EX_POLICY, "file-vars = some");
	ws_policy_destroy(p);
	p = parse("[withsecrets]\nplaintext-secrets = maybe\n", &rc);
	ok(rc == WS_EX_POLICY, "plaintext-secrets = maybe");
	ws_policy_destroy(p);
	p = parse("[withsecrets]\nenvironment-vars = APP-ENV\n", &rc);
	ok(rc == WS_EX_POLICY, "environment-vars with a non-portable name");
	ws_policy_destroy(p);
	p = parse("[var X]\nsecret = maybe\n", &rc);
	ok(rc == WS_EX_POLICY, "secret = maybe");
	ws_policy_destroy(p);
	p = parse("[var X]\nrequired = sometimes\n", &rc);
	ok(rc == WS_EX_POLICY, "required = sometimes");
	ws_policy_destroy(p);
	p = parse("[var *_URL]\nrequired = always\n", &rc);
	ok(rc == 0, "required in a glob section: every key means the same "
	    "there (SPEC §6)");
	ws_policy_destroy(p);
	p = parse("[var X]\nmin-length = 3x\n", &rc);
	ok(rc == WS_EX_POLICY, "min-length = 3x");
	ws_policy_destroy(p);
	p = parse("[var X]\npattern = ([a-\n", &rc);
	ok(rc == WS_EX_POLICY && has_finding("config", "t.ini:2",
	    "regular expression"), "an invalid pattern");
	ws_policy_destroy(p);
	p = parse("[var]\nsecret = yes\n", &rc);
	ok(rc == WS_EX_POLICY && has_finding("config", "t.ini:1", "[var"),
	    "[var] without a name");
	ws_policy_destroy(p);
	p = parse("[var A  *_B]\nmin-length = 7\n", &rc);
	is_int(rc, 0, "[var] with two patterns");
	ws_policy_var(p, "A", &vp);
	is_int(vp.min_length, 7, "the first");
	ws_policy_var(p, "X_B", &vp);
	is_int(vp.min_length, 7, "the second");
	ws_policy_destroy(p);
	p = parse("[var A B]\nmin-length = 7\n[var B]\nmin-length = 8\n",
	    &rc);
	ok(rc == WS_EX_POLICY && has_finding("config", "t.ini:4",
	    "set twice"), "one name's key in two sections of one file");
	ws_policy_destroy(p);
	p = parse("[var SECRET_KEY]\nmin-length = 8\n", &rc);
	is_int(rc, 0, "but the user's file may set what the built-in one "
	    "set");
	ws_policy_destroy(p);
	p = parse("[var A =B]\nsecret = yes\n", &rc);
	ok(rc == WS_EX_POLICY, "[var] with something not a name");
	ws_policy_destroy(p);
	p = parse("[var A\nsecret = yes\n", &rc);
	ok(rc == WS_EX_POLICY && has_finding("config", "t.ini:1", "]"),
	    "an unclosed header");
	ws_policy_destroy(p);
	p = parse("[withsecrets]\njust words\nkeep: PATH\n= x\n", &rc);
	ok(rc == WS_EX_POLICY && has_finding("config", "t.ini:2", NULL) &&
	    has_finding("config", "t.ini:3", NULL) &&
	    has_finding("config", "t.ini:4", NULL),
	    "every syntax error is reported, not only the first");
	ws_policy_destroy(p);
	p = parse("[withsecrets]\nkeep = A\0B\n", &rc);
	is_int(rc, 0, "(a C string ends at the NUL)");
	ws_policy_destroy(p);
	p = ws_policy_new();
	ws_diag_reset();
	rc = ws_config_parse(p, "[withsecrets]\nkeep = A\0B\n", 23, "t.ini",
	    1);
	ok(rc == WS_EX_POLICY && has_finding("config", "t.ini:2", "NUL"),
	    "a NUL byte in the file");
	ws_policy_destroy(p);

	/* A line longer than libinih's buffer is refused, never split: a
	 * split would make its tail a key of its own. */
	text = ws_xmalloc(400);
	strcpy(text, "[withsecrets]\ndeny = ");
	q = text + strlen(text);
	memset(q, 'A', 280);
	strcpy(q + 280, " keep = X\n");
	p = parse(text, &rc);
	is_int(rc, WS_EX_POLICY, "a 300-character line: 78");
	ok(has_finding("config", "t.ini:2", "longer"), "at its line");
	ok(p->set.keep != NULL && strcmp(p->set.keep[0], "PATH") == 0,
	    "its tail was not taken for a key");
	ws_policy_destroy(p);
	free(text);

	/* exactly at the limit: accepted */
	text = ws_xmalloc(400);
	strcpy(text, "[withsecrets]\nkeep = ");
	q = text + strlen(text);
	memset(q, 'B', (size_t)ws_config_line_max() - 7);
	strcpy(q + ws_config_line_max() - 7, "\n");
	p = parse(text, &rc);
	is_int(rc, 0, "a line of exactly %d characters is accepted",
	    ws_config_line_max());
	ok(p->set.keep && strlen(p->set.keep[0]) ==
	    (size_t)ws_config_line_max() - 7, "whole");
	ws_policy_destroy(p);
	free(text);

	p = parse("\xef\xbb\xbf[withsecrets]\r\nkeep = PATH\r\n", &rc);
	ok(rc == 0 && strcmp(p->set.keep[0], "PATH") == 0 && !p->set.keep[1],
	    "a byte-order mark and CRLF line ends");
	ws_policy_destroy(p);
	p = parse("[withsecrets]\n  keep = PATH\n  deny = X\n", &rc);
	ok(rc == 0 && has_word(p->set.deny, "X"),
	    "indented keys are keys, not continuations");
	ws_policy_destroy(p);
	p = parse("[var X]\nforbid = a;b ; comment\n", &rc);
	ok(rc == 0 && p->rules[p->n_rules - 1].forbid[0] &&
	    strcmp(p->rules[p->n_rules - 1].forbid[0], "a;b") == 0 &&
	    !p->rules[p->n_rules - 1].forbid[1],
	    "; is a comment only after a space");
	ws_policy_destroy(p);
}

static void
test_wildmatch(void)
{
	ok(ws_wildmatch("*_KEY", "API_KEY", 7), "*_KEY");
	ok(!ws_wildmatch("*_KEY", "KEY", 3), "*_KEY vs KEY");
	ok(ws_wildmatch("*SECRET*", "SECRET", 6), "*SECRET*");
	ok(ws_wildmatch("a*b*c", "aXXbYYc", 7), "a*b*c");
	ok(!ws_wildmatch("a*b*c", "aXXbYY", 6), "a*b*c no");
	ok(ws_wildmatch("?B", "AB", 2), "?");
	ok(ws_wildmatch("[A-C]X", "BX", 2), "range");
	ok(!ws_wildmatch("[!A-C]X", "BX", 2), "negated range");
	ok(ws_wildmatch("A\\*", "A*", 2), "escaped *");
	ok(!ws_wildmatch("A\\*", "AB", 2), "escaped * is literal");
	ok(ws_wildmatch("<*>", "<your key>", 10), "<*>");
	ok(ws_wildmatch("[x", "[x", 2), "an unclosed [ is literal");
	ok(ws_wildmatch("*", "", 0) && !ws_wildmatch("?", "", 0), "empty");
	ok(ws_wildmatch("your_*_here", "your_key_here", 13), "your_*_here");
	ok(ws_wildmatch("*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaab", 26),
	    "backtracking");
}

/* The shortcuts for NAME, LIT*, *LIT, *LIT* and * agree with globs. */
static void
test_shapes(void)
{
	static const char *const pats[] = { "API_KEY", "API_*", "*_KEY",
	    "*SECRET*", "*", "**", "A*B", "*[KS]EY", "*_KEY?", "X*", NULL };
	static const char *const names[] = { "API_KEY", "API_", "API",
	    "_KEY", "KEY", "SECRET", "MY_SECRET_X", "SECRE", "AB", "AXB",
	    "A", "", "MY_KEY2", "X", "SEY", NULL };
	struct ws_policy *p;
	struct ws_varpol vp;
	char *ini;
	size_t i, j, n, bad = 0;
	int rc;

	for (i = 0; pats[i]; i++) {
		ini = ws_xasprintf("[var %s]\ndebug = yes\n", pats[i]);
		p = parse(ini, &rc);
		for (j = 0; names[j]; j++) {
			ws_policy_var(p, names[j], &vp);
			if (vp.debug != ws_wildmatch(pats[i], names[j],
			    strlen(names[j]))) {
				printf("# %s vs %s\n", pats[i], names[j]);
				bad++;
			}
		}
		ws_policy_destroy(p);
		free(ini);
	}
	is_int(bad, 0, "shortcut matching agrees with the glob matcher");
	p = parse("[placeholders]\npatterns = !*change*for*production* "
	    "!<*> *change*for*production* [ab]cd* x\\*y* <*>\n", &rc);
	n = n_words(p->ph_patterns) - 4;	/* the user's, after the rest */
	is_str(p->ph_literals[n], "production", "the longest literal");
	is_str(p->ph_literals[n + 1], "cd", "not inside brackets");
	is_str(p->ph_literals[n + 2], "x", "not across an escape");
	is_str(p->ph_literals[n + 3], "<", "<*>");
	ok(ws_rule_placeholder(p, "Acd", 3) && ws_rule_placeholder(p,
	    "bcdX", 4) && ws_rule_placeholder(p, "x*yz", 4) &&
	    !ws_rule_placeholder(p, "xayz", 4), "and the globs still match");
	ws_policy_destroy(p);
}

static void
test_user_file(void)
{
	struct ws_opts opts;
	struct ws_run run;
	char dir[] = "/tmp/t_policy.XXXXXX", *path, *dirs[2] = { NULL, NULL };
	int fd, rc;

	ok(mkdtemp(dir) != NULL, "scratch directory");
	path = ws_xasprintf("%s/withsecrets.ini", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ok(fd >= 0 && write(fd, "[withsecrets]\nmax-secret-size = 100\n",
	    36) == 36 && close(fd) == 0, "DIR/withsecrets.ini");

	memset(&opts, 0, sizeof(opts));
	memset(&run, 0, sizeof(run));
	dirs[0] = dir;
	opts.dirs = dirs;
	opts.n_dirs = 1;
	opts.dir = dir;
	run.opts = &opts;
	ws_diag_reset();
	unsetenv("WITHSECRETS_CONFIG");
	rc = status_of(ws_policy_load, &run);
	ok(rc == 0 && run.set->max_secret_size == 100, "found in DIR");
	is_str(run.set->path, path, "and named");
	ws_policy_free(&run);

	opts.no_config = 1;
	rc = status_of(ws_policy_load, &run);
	ok(rc == 0 && run.set->max_secret_size == 65536 &&
	    run.set->path == NULL, "--no-config: the built-in policy only");
	ws_policy_free(&run);
	opts.no_config = 0;

	setenv("WITHSECRETS_CONFIG", "/nonexistent/ws.ini", 1);
	rc = status_of(ws_policy_load, &run);
	is_int(rc, WS_EX_NOINPUT, "a missing $WITHSECRETS_CONFIG: 66");
	ws_policy_free(&run);
	opts.config = path;
	rc = status_of(ws_policy_load, &run);
	ok(rc == 0 && run.set->max_secret_size == 100,
	    "-c beats $WITHSECRETS_CONFIG");
	ws_policy_free(&run);
	unsetenv("WITHSECRETS_CONFIG");

	chmod(path, 0666);
	ws_diag_reset();
	rc = status_of(ws_policy_load, &run);
	ok(rc == WS_EX_PERM && has_finding("file-mode", path, NULL),
	    "a world-writable policy file: 77");
	ws_policy_free(&run);
	opts.config = NULL;

	unlink(path);
	rc = status_of(ws_policy_load, &run);
	ok(rc == 0 && run.set->path == NULL, "none: the built-in policy");
	ws_policy_free(&run);
	rmdir(dir);
	free(path);
	ws_diag_reset();
}

int
main(void)
{
	ws_secmem_init();
	test_builtin();
	test_classification();
	test_layering();
	test_errors();
	test_wildmatch();
	test_shapes();
	test_user_file();
	ws_diag_reset();
	ws_secmem_wipe_all();
	ws_intern_free();
	return done_testing();
}
