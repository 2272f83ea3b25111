/* The rules of SPEC §6 on a store built by hand, in both modes, with
 * their boundaries; and that no finding ever holds a value. */
#include "config.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "withsecrets.h"
#include "opts.h"
#include "values.h"
#include "util.h"
#include "secmem.h"
#include "diag.h"
#include "vars.h"
#include "effective.h"
#include "policy.h"
#include "frozen.h"
#include "stage.h"
#include "tap.h"

/* -C: the current directory, as ws_opts_parse() makes it */
static char dot_dir[] = ".";
static char *current_dir[] = { dot_dir, NULL };

static struct ws_opts opts;
static struct ws_run run;
static struct ws_source *env_src, *dir_src, *file_src, *low_src;
static char *secrets[256];
static size_t n_secrets;

static void
setup(const char *ini, int strict)
{
	memset(&opts, 0, sizeof(opts));
	memset(&run, 0, sizeof(run));
	opts.dirs = current_dir;
	opts.n_dirs = 1;
	opts.dir = current_dir[0];
	run.opts = &opts;
	run.policy = ws_policy_new();
	run.set = &run.policy->set;
	ws_diag_reset();
	if (ini != NULL && ws_config_parse(run.policy, ini, strlen(ini),
	    "t.ini", 1) != 0)
		printf("# the test's policy does not parse\n");
	run.store = ws_store_new();
	run.strict = strict;
	run.env_name = strict ? "production" : "development";
	env_src = ws_store_source(run.store, WS_KIND_INHERITED, NULL,
	    WS_RANK_INHERITED);
	dir_src = ws_store_source(run.store, WS_KIND_SECRET_DIR,
	    "/run/secrets", WS_RANK_SECRET_DIR);
	file_src = ws_store_source(run.store, WS_KIND_ENV_FILE, ".env",
	    WS_RANK_ENV_FILE);
	low_src = ws_store_source(run.store, WS_KIND_ENV_FILE, ".env.low",
	    WS_RANK_ENV_FILE + 10);
}

static void
teardown(void)
{
	ws_decision_free(&run);
	ws_store_free(run.store);
	ws_policy_destroy(run.policy);
	ws_store_free(run.example);
	free(run.example_path);
	run.store = NULL;
	run.policy = NULL;
	run.example = NULL;
	run.example_path = NULL;
}

/* Add NAME=value to a source; the value goes into guarded memory as
 * real values do, and is remembered to be looked for in findings. */
static struct ws_source *ex_src;	/* of run.example */

static struct ws_var *
add(struct ws_source *src, const char *name, const char *value,
    unsigned line)
{
	size_t n = strlen(value);
	char *v = ws_arena_alloc(&ws_work, n + 1);
	struct ws_var *var;

	memcpy(v, value, n + 1);
	var = ws_store_add(run.store, src, ws_intern(name, strlen(name)),
	    strlen(name), v, n, line, 0);
	if (src == dir_src)
		var->file_path = "/run/secrets/x";
	if (n >= 10 && n_secrets < 256)	/* shorter ones are words */
		secrets[n_secrets++] = ws_xstrdup(value);
	return var;
}

static const struct ws_finding *
find(const char *rule, const char *name)
{
	const struct ws_finding *f;
	size_t i;

	for (i = 0; (f = ws_finding_at(i)) != NULL; i++)
		if (strcmp(f->rule, rule) == 0 &&
		    (name == NULL || (f->name && strcmp(f->name, name) == 0)))
			return f;
	return NULL;
}

static size_t
count(const char *rule)
{
	const struct ws_finding *f;
	size_t i, n = 0;

	for (i = 0; (f = ws_finding_at(i)) != NULL; i++)
		if (strcmp(f->rule, rule) == 0)
			n++;
	return n;
}

static int
sev_of(const char *rule, const char *name)
{
	const struct ws_finding *f = find(rule, name);

	return f ? (int)f->sev : -1;
}

/* No finding so far holds any value added since the start. */
static int
no_value_in_findings(void)
{
	const struct ws_finding *f;
	size_t i, j;

	for (i = 0; (f = ws_finding_at(i)) != NULL; i++)
		for (j = 0; j < n_secrets; j++)
			if (strstr(f->message, secrets[j]) ||
			    (f->source && strstr(f->source, secrets[j])) ||
			    (f->name && strstr(f->name, secrets[j]))) {
				printf("# value in a finding: %s: %s\n",
				    f->rule, f->message);
				return 0;
			}
	return 1;
}

static const char key32[] = "9f86d081884c7d659a2feaa0c55ad015";
static const char key64[] =
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
static const char pw20[] = "tEq8-Lm2v_P0w9zXyB4k";

static void
test_min_length(void)
{
	static const char *const names[] = { "SECRET_KEY", "JWT_SECRET_KEY",
	    "SESSION_SECRET", "APP_SECRET", NULL };
	char v31[32], v32[33];
	size_t i;
	int strict, rc;

	memcpy(v31, key32, 31);
	v31[31] = '\0';
	memcpy(v32, key32, 33);
	for (strict = 1; strict >= 0; strict--)
		for (i = 0; names[i] != NULL; i++) {
			setup(NULL, strict);
			add(env_src, names[i], v31, 0);
			rc = status_of(ws_rules_check, &run);
			is_int(sev_of("min-length", names[i]), strict ?
			    WS_SEV_ERROR : WS_SEV_WARNING, "%s: 31 characters: "
			    "%s", names[i], strict ? "error" : "warning");
			is_int(rc, strict ? WS_EX_POLICY : 0, "status %d",
			    strict ? 78 : 0);
			if (i == 0) {
				is_str(find("min-length", names[i])->message,
				    "31 characters, needs at least 32",
				    "the message says how long and how long it "
				    "must be");
				is_str(find("min-length", names[i])->source,
				    "environment", "and the source");
			}
			teardown();
			setup(NULL, strict);
			add(env_src, names[i], v32, 0);
			ws_rules_check(&run);
			ok(find("min-length", names[i]) == NULL, "%s: 32 "
			    "characters pass", names[i]);
			teardown();
		}

	setup(NULL, 1);
	add(file_src, "DB_PASSWORD", "tEq8-Lm2v_P0w9zXyB4", 3);
	add(file_src, "PGPASSWORD", pw20, 4);
	ws_rules_check(&run);
	ok(find("min-length", "DB_PASSWORD") != NULL, "DB_PASSWORD: 19");
	is_str(find("min-length", "DB_PASSWORD")->source, ".env:3",
	    "at FILE:LINE");
	ok(find("min-length", "PGPASSWORD") == NULL, "PGPASSWORD: 20 pass");
	teardown();

	/* characters, not bytes: 16 two-byte letters and 15 digits are 31
	 * characters in 47 bytes; one digit more makes 32 */
	setup(NULL, 1);
	add(env_src, "SECRET_KEY", "\xc3\xa9\xc3\xa0\xc3\xbc\xc3\xb6\xc3\xa4"
	    "\xc3\xa7\xc3\xaa\xc3\xab\xc3\xae\xc3\xaf\xc3\xb4\xc3\xbb\xc3\xb9"
	    "\xc3\xbf\xc3\xb1\xc3\xa5" "9f86d081884c7d6", 0);
	add(env_src, "APP_SECRET", "\xc3\xa9\xc3\xa0\xc3\xbc\xc3\xb6\xc3\xa4"
	    "\xc3\xa7\xc3\xaa\xc3\xab\xc3\xae\xc3\xaf\xc3\xb4\xc3\xbb\xc3\xb9"
	    "\xc3\xbf\xc3\xb1\xc3\xa5" "9f86d081884c7d65", 0);
	ws_rules_check(&run);
	ok(find("min-length", "SECRET_KEY") != NULL,
	    "31 characters in 47 bytes are too short");
	ok(find("min-length", "APP_SECRET") == NULL, "32 characters pass");
	teardown();
	is_int(ws_utf8_length("\xc3\xa9" "a\xe2\x82\xac", 6), 3,
	    "UTF-8 length");

	setup(NULL, 1);
	add(env_src, "SECRET_KEY", "", 0);
	ws_rules_check(&run);
	ok(find("min-length", "SECRET_KEY") != NULL, "an empty key is short");
	teardown();

	setup("[var SECRET_KEY]\nmin-length = 64\n", 1);
	add(env_src, "SECRET_KEY", key32, 0);
	ws_rules_check(&run);
	is_str(find("min-length", "SECRET_KEY") ?
	    find("min-length", "SECRET_KEY")->message : NULL,
	    "32 characters, needs at least 64", "a user's min-length");
	teardown();
	setup("[var *_TOKEN]\nmin-length = 40\n", 1);
	add(env_src, "GITHUB_TOKEN", key32, 0);
	add(env_src, "TOKEN", key32, 0);
	ws_rules_check(&run);
	ok(find("min-length", "GITHUB_TOKEN") && !find("min-length", "TOKEN"),
	    "a user's glob");
	teardown();
}

static void
test_debug(void)
{
	static const char *const on[] = { "true", "TRUE", "True", "tRUE", "1",
	    "yes", "YES", "Yes", "on", "On", "ON", NULL };
	static const char *const off[] = { "false", "FALSE", "0", "no", "off",
	    "", "2", "truee", " true", "true ", "y", "t", "enabled", NULL };
	static const char *const names[] = { "DEBUG", "FLASK_DEBUG",
	    "DJANGO_DEBUG", "APP_DEBUG", NULL };
	size_t i;
	int rc;

	for (i = 0; on[i]; i++)
		ok(ws_rule_truthy(on[i], strlen(on[i])), "'%s' is true", on[i]);
	for (i = 0; off[i]; i++)
		ok(!ws_rule_truthy(off[i], strlen(off[i])), "'%s' is not true",
		    off[i]);
	for (i = 0; names[i]; i++) {
		setup(NULL, 1);
		add(env_src, names[i], "On", 0);
		rc = status_of(ws_rules_check, &run);
		ok(rc == WS_EX_POLICY && sev_of("debug", names[i]) ==
		    WS_SEV_ERROR, "%s=On: an error in strict mode", names[i]);
		teardown();
		setup(NULL, 0);
		add(env_src, names[i], "TRUE", 0);
		rc = status_of(ws_rules_check, &run);
		ok(rc == 0 && sev_of("debug", names[i]) == WS_SEV_WARNING,
		    "%s=TRUE: a warning in lenient mode", names[i]);
		teardown();
	}
	setup(NULL, 1);
	add(env_src, "DEBUG", "false", 0);
	add(env_src, "MY_DEBUG", "true", 0);
	ws_rules_check(&run);
	ok(count("debug") == 0, "DEBUG=false, and MY_DEBUG is not a switch");
	teardown();
	setup("[var MY_DEBUG]\ndebug = yes\n[var DEBUG]\ndebug = no\n", 1);
	add(env_src, "DEBUG", "true", 0);
	add(env_src, "MY_DEBUG", "yes", 0);
	ws_rules_check(&run);
	ok(find("debug", "MY_DEBUG") && !find("debug", "DEBUG"),
	    "debug = yes / no in the user's policy");
	teardown();
}

static void
test_placeholder(void)
{
	static const char *const yes[] = { "changeme", "CHANGEME", "ChangeMe",
	    "change-me", "changeit", "password", "secret", "example",
	    "your_api_key_here", "YOUR_SECRET_HERE", "<your key>",
	    "dev-secret-key", "django-insecure-k3y!", "please-change-me-now",
	    "please-change-for-production",
	    /* the templates SPEC §6 names, and the like */
	    "your_secret_key_here", "sk-your-openai-key-here",
	    "your-google-client-secret", "<DB_PASSWORD>",
	    "postgresql://user:pass@host:port/db", "admin123",
	    "change-me-in-production", "xxxxxxxx", "TODO",
	    "dev-jwt-secret-change-for-production",
	    "postgres://user:password@localhost:5432/app",
	    "redis://host:port", "sk-xxxxxxxxxxxxxxxxxxxx",
	    "AKIA_xxxxxxxxxxxx", NULL };
	static const char *const no[] = { "changem", "xchangeit", "passwords",
	    key32, pw20, "prod-key-123", "<unbalanced",
	    "postgres://app:Zq8v1mR2pX7wK4nB@db.internal:5432/app",
	    "0f3c1d9e-7b2a-4c55-9e01-6d2f8a4b3c7e", NULL };
	struct ws_policy *p = ws_policy_new();
	size_t i;

	for (i = 0; yes[i]; i++)
		ok(ws_rule_placeholder(p, yes[i], strlen(yes[i])),
		    "'%s' is a placeholder", yes[i]);
	for (i = 0; no[i]; i++)
		ok(!ws_rule_placeholder(p, no[i], strlen(no[i])),
		    "'%s' is not", no[i]);
	ws_policy_destroy(p);

	setup(NULL, 1);
	add(env_src, "API_TOKEN", "changeme", 0);
	add(env_src, "SITE_NAME", "example", 0);
	add(dir_src, "SMTP", "Password", 0);
	ws_rules_check(&run);
	ok(find("placeholder", "API_TOKEN") && find("placeholder", "SMTP") &&
	    !find("placeholder", "SITE_NAME"),
	    "secrets only (by name, or from a secret directory)");
	ok(sev_of("placeholder", "API_TOKEN") == WS_SEV_ERROR, "strict: error");
	ok(no_value_in_findings(), "no value in any finding");
	teardown();
	setup(NULL, 0);
	add(env_src, "API_TOKEN", "changeme", 0);
	ok(status_of(ws_rules_check, &run) == 0 && sev_of("placeholder", "API_TOKEN") ==
	    WS_SEV_WARNING, "lenient: warning");
	teardown();
	setup("[var API_TOKEN]\nsecret = no\n", 1);
	add(env_src, "API_TOKEN", "changeme", 0);
	ws_rules_check(&run);
	ok(!find("placeholder", "API_TOKEN"), "secret = no: not checked");
	teardown();
	setup("[placeholders]\nvalues = hunter2\npatterns = *acme*\n", 1);
	add(env_src, "API_TOKEN", "HUNTER2", 0);
	add(env_src, "DB_PASSWORD", "xxACMExxxxxxxxxxxxxxxxx", 0);
	add(env_src, "OTHER_TOKEN", "changeme", 0);
	ws_rules_check(&run);
	ok(find("placeholder", "API_TOKEN") && find("placeholder",
	    "DB_PASSWORD") && find("placeholder", "OTHER_TOKEN"),
	    "the user's lists extend the built-in ones");
	teardown();
	setup("[placeholders]\nvalues = !changeit\n", 1);
	add(env_src, "OTHER_TOKEN", "changeit", 0);
	add(env_src, "API_TOKEN", "changeme", 0);
	ws_rules_check(&run);
	ok(!find("placeholder", "OTHER_TOKEN") && find("placeholder",
	    "API_TOKEN"), "!ITEM removes one built-in placeholder only");
	teardown();

	/* the value of the example file */
	setup(NULL, 1);
	run.example = ws_store_new();
	ex_src = ws_store_source(run.example,
	    WS_KIND_ENV_FILE, ".env.example", WS_RANK_ENV_FILE);
	run.example_path = ws_xstrdup(".env.example");
	ws_store_add(run.example, ex_src,
	    "STRIPE_KEY", 10, "sk_test_4eC39HqLyjWDarjtT1zdp7dc", 32, 1, 0);
	ws_store_add(run.example, ex_src,
	    "OTHER_KEY", 9, "sk_test_4eC39HqLyjWDarjtT1zdp7dc", 32, 2, 0);
	add(env_src, "STRIPE_KEY", "sk_test_4eC39HqLyjWDarjtT1zdp7dc", 0);
	add(env_src, "OTHER_KEY", "sk_test_4eC39HqLyjWDarjtT1zdp7dC", 0);
	ws_rules_check(&run);
	ok(find("placeholder", "STRIPE_KEY") &&
	    strstr(find("placeholder", "STRIPE_KEY")->message, ".env.example"),
	    "a secret equal to its example value");
	ok(!find("placeholder", "OTHER_KEY"), "exact: case matters there");
	ok(no_value_in_findings(), "no value in any finding");
	teardown();
}

/* A few openssl-like and urandom keys of every usual shape. */
static void
test_weak_random(void)
{
	unsigned char bin[48];
	char out[160];
	size_t i, flagged_hex = 0, flagged_hex16 = 0, flagged_b64 = 0,
	    flagged_url = 0, flagged_alnum = 0, j;
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	const size_t rounds = 50000;

	for (i = 0; i < rounds; i++) {
		randombytes_buf(bin, 32);
		sodium_bin2hex(out, sizeof(out), bin, 32);	/* -hex 32 */
		flagged_hex += ws_rule_weak(out, 64);
		sodium_bin2hex(out, sizeof(out), bin, 16);	/* -hex 16 */
		flagged_hex16 += ws_rule_weak(out, 32);
		sodium_bin2base64(out, sizeof(out), bin, 32,
		    sodium_base64_VARIANT_ORIGINAL);		/* -base64 32 */
		flagged_b64 += ws_rule_weak(out, strlen(out));
		sodium_bin2base64(out, sizeof(out), bin, 32,
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		flagged_url += ws_rule_weak(out, strlen(out));
		for (j = 0; j < 32; j++)
			out[j] = alnum[bin[j] % 62];
		flagged_alnum += ws_rule_weak(out, 32);
	}
	is_int(flagged_hex, 0, "openssl rand -hex 32: %zu keys, none weak",
	    rounds);
	is_int(flagged_hex16, 0, "openssl rand -hex 16 (32 characters)");
	is_int(flagged_b64, 0, "openssl rand -base64 32");
	is_int(flagged_url, 0, "32 urandom bytes in base64url");
	is_int(flagged_alnum, 0, "32 random letters and digits");

	/* random bytes over a long alphabet need not be printable */
	for (i = 0; i < 1000; i++) {
		randombytes_buf(bin, 48);
		flagged_b64 += ws_rule_weak((const char *)bin, 48);
	}
	is_int(flagged_b64, 0, "48 raw random bytes");
}

static void
test_weak(void)
{
	static const char *const weak[] = {
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    "abcabcabcabcabcabcabcabcabcabcabc",
	    "abcdefghijklmnopqrstuvwxyz012345",
	    "0123456789012345678901234567890123",
	    "passwordpasswordpasswordpassword",
	    "abababababababababababababababab",
	    "zyxwvutsrqponmlkjihgfedcba987654",
	    "1234567890abcdef1234567890abcdef",
	    "aabbaabbbbaabababbbaaabbabababab",
	    "my-key-0123456789abcdefghijklmnopq",
	    "x7Qp!aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    NULL };
	static const char *const strong[] = {
	    key32, key64,
	    "Tr0ub4dor&3-correct-horse-battery-staple",
	    "kJ8#mQ2$vL9@xR4!nT6&pW1*zY3^bF5%",
	    "j2Xb7Qd9Lr4Tm8Vn1Kp6Wc3Zh5Gs0Fa",
	    NULL };
	size_t i;

	for (i = 0; weak[i]; i++)
		ok(ws_rule_weak(weak[i], strlen(weak[i])), "weak: %s", weak[i]);
	for (i = 0; strong[i]; i++)
		ok(!ws_rule_weak(strong[i], strlen(strong[i])), "not weak: %s",
		    strong[i]);

	ok(!ws_rule_weak("Zq8#Lm2vXr4!nT6&pW1*zY3^abcdefghijk", 35),
	    "a run of eleven in a random key: not weak");
	ok(ws_rule_weak("Zq8#Lm2vXr4!nT6&pW1*zY3^abcdefghijkl", 36),
	    "a run of twelve: weak");
	ok(ws_rule_weak("Zq8#Lm2vXr4!nT6&pW1*zY3^lkjihgfedcba", 36),
	    "descending too");
	ok(ws_rule_weak("Zq8#Lm2vXr4!nT6&pW1*zY3^000000000000", 36),
	    "and twelve equal characters");

	setup("[var FILLER]\nmin-length = 32\n", 1);
	add(env_src, "SECRET_KEY", "passwordpasswordpasswordpassword", 0);
	add(env_src, "DB_PASSWORD", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0);
	add(env_src, "FILLER", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0);
	add(env_src, "JWT_SECRET_KEY", key64, 0);
	ws_rules_check(&run);
	ok(sev_of("weak", "SECRET_KEY") == WS_SEV_ERROR,
	    "weak SECRET_KEY: error in strict mode");
	ok(!find("weak", "DB_PASSWORD"), "min-length 20: not judged weak");
	ok(!find("weak", "FILLER"), "not a secret: not judged");
	ok(!find("weak", "JWT_SECRET_KEY"), "a random key passes");
	ok(no_value_in_findings(), "no value in any finding");
	teardown();
	setup(NULL, 0);
	add(env_src, "SECRET_KEY", "passwordpasswordpasswordpassword", 0);
	ok(status_of(ws_rules_check, &run) == 0 &&
	    sev_of("weak", "SECRET_KEY") == WS_SEV_WARNING, "lenient: warning");
	teardown();
}

static void
test_distinct(void)
{
	int rc;

	setup(NULL, 1);
	add(env_src, "JWT_SECRET_KEY", key64, 0);
	add(file_src, "SESSION_SECRET", key64, 2);
	add(file_src, "SECRET_KEY", key32, 3);
	add(file_src, "DB_PASSWORD", key64, 4);	/* not distinct = yes */
	rc = status_of(ws_rules_check, &run);
	is_int(rc, WS_EX_POLICY, "two signing keys alike: 78");
	ok(find("distinct", "SESSION_SECRET") &&
	    strstr(find("distinct", "SESSION_SECRET")->message,
	    "JWT_SECRET_KEY"), "names the other");
	is_int(count("distinct"), 1, "once");
	ok(no_value_in_findings(), "no value in any finding");
	teardown();
	setup(NULL, 0);
	add(env_src, "JWT_SECRET_KEY", key64, 0);
	add(file_src, "SESSION_SECRET", key64, 2);
	ok(status_of(ws_rules_check, &run) == 0 && sev_of("distinct", "SESSION_SECRET") ==
	    WS_SEV_WARNING, "lenient: warning");
	teardown();
	setup("[var SESSION_SECRET]\ndistinct = no\n", 1);
	add(env_src, "JWT_SECRET_KEY", key64, 0);
	add(file_src, "SESSION_SECRET", key64, 2);
	ws_rules_check(&run);
	ok(count("distinct") == 0, "distinct = no");
	teardown();
}

static char unset_name[] = "API_URL";
static char *unset_list[] = { unset_name, NULL };

static void
test_required(void)
{
	const char *ini = "[var API_URL]\nrequired = always\n"
	    "[var SENTRY_DSN]\nrequired = strict\n[var OPTIONAL]\n"
	    "required = no\n";
	int rc;

	setup(ini, 0);
	rc = status_of(ws_rules_check, &run);
	is_int(rc, WS_EX_POLICY, "required = always: 78 even when lenient");
	is_int(sev_of("required", "API_URL"), WS_SEV_ERROR, "an error");
	is_int(sev_of("required", "SENTRY_DSN"), WS_SEV_WARNING,
	    "required = strict: a warning when lenient");
	ok(!find("required", "OPTIONAL"), "required = no");
	ok(find("required", "API_URL")->source == NULL &&
	    strstr(find("required", "API_URL")->message, "t.ini:2"),
	    "names the line that requires it");
	teardown();
	setup(ini, 1);
	add(env_src, "API_URL", "https://api", 0);
	add(file_src, "SENTRY_DSN", "", 7);
	rc = status_of(ws_rules_check, &run);
	ok(rc == WS_EX_POLICY && sev_of("required", "SENTRY_DSN") ==
	    WS_SEV_ERROR, "empty counts as unset: an error when strict");
	is_str(find("required", "SENTRY_DSN")->source, ".env:7", "at its line");
	ok(!find("required", "API_URL"), "set");
	teardown();
	setup(ini, 1);
	add(env_src, "API_URL", "https://api", 0);
	add(env_src, "SENTRY_DSN", "https://sentry", 0);
	opts.unset = unset_list;
	rc = status_of(ws_rules_check, &run);
	ok(rc == WS_EX_POLICY && find("required", "API_URL"),
	    "--unset: what the command gets is checked");
	opts.unset = NULL;
	teardown();

	/* example keys: required in strict environments */
	setup("[var C]\nrequired = no\n", 1);
	run.example = ws_store_new();
	ex_src = ws_store_source(run.example,
	    WS_KIND_ENV_FILE, ".env.example", WS_RANK_ENV_FILE);
	run.example_path = ws_xstrdup(".env.example");
	ws_store_add(run.example, ex_src, "A", 1,
	    "", 0, 1, 0);
	ws_store_add(run.example, ex_src, "B", 1,
	    "x", 1, 2, 0);
	ws_store_add(run.example, ex_src, "C", 1,
	    "", 0, 3, 0);
	add(env_src, "B", "set", 0);
	rc = status_of(ws_rules_check, &run);
	ok(rc == WS_EX_POLICY && sev_of("required", "A") == WS_SEV_ERROR &&
	    strstr(find("required", "A")->message, ".env.example"),
	    "an example key unset: error when strict");
	ok(!find("required", "B"), "set");
	ok(!find("required", "C"), "its own required = no wins");
	run.strict = 0;
	ws_diag_reset();
	ok(status_of(ws_rules_check, &run) == 0 && sev_of("required", "A") ==
	    WS_SEV_WARNING, "a warning when lenient");
	teardown();
}

static void
test_forbid_pattern(void)
{
	const char *ini = "[var LOG_LEVEL]\nforbid = debug trace\n"
	    "[var PORT]\npattern = ^[0-9]+$\n";
	int rc;

	setup(ini, 1);
	add(env_src, "LOG_LEVEL", "DEBUG", 0);
	add(env_src, "PORT", "80a", 0);
	rc = status_of(ws_rules_check, &run);
	ok(rc == WS_EX_POLICY && sev_of("forbid", "LOG_LEVEL") ==
	    WS_SEV_ERROR, "forbid, any case: error when strict");
	ok(strstr(find("forbid", "LOG_LEVEL")->message, "t.ini:2") != NULL,
	    "names the rule's line");
	ok(sev_of("pattern", "PORT") == WS_SEV_ERROR, "pattern");
	ok(strstr(find("pattern", "PORT")->message, "t.ini:4") != NULL,
	    "names the rule's line");
	teardown();
	setup(ini, 0);
	add(env_src, "LOG_LEVEL", "trace", 0);
	add(env_src, "PORT", "8080", 0);
	rc = status_of(ws_rules_check, &run);
	ok(rc == 0 && sev_of("forbid", "LOG_LEVEL") == WS_SEV_WARNING,
	    "lenient: warning");
	ok(!find("pattern", "PORT"), "a matching value");
	teardown();
	setup("[var *_URL]\npattern = ^https://\n", 1);
	add(env_src, "API_URL", "http://x", 0);
	add(env_src, "CDN_URL", "https://x", 0);
	ws_rules_check(&run);
	ok(find("pattern", "API_URL") && !find("pattern", "CDN_URL"),
	    "a glob section's pattern");
	teardown();
}

static void
test_plaintext_shadowed(void)
{
	struct ws_var *v;

	setup(NULL, 1);
	add(env_src, "API_TOKEN", key32, 0);
	add(file_src, "DB_PASSWORD", pw20, 1);
	add(dir_src, "STRIPE_KEY", key32, 0);
	v = add(file_src, "SMTP_PASSWORD", pw20, 2);
	v->flags |= WS_VAR_FROM_FILE;
	v->file_path = "smtp.txt";
	ws_rules_check(&run);
	is_int(sev_of("plaintext-secret", "API_TOKEN"), WS_SEV_WARNING,
	    "a secret in the environment: a warning by default");
	ok(find("plaintext-secret", "DB_PASSWORD") != NULL, "in a .env file");
	ok(!find("plaintext-secret", "STRIPE_KEY"), "not from a secret dir");
	ok(!find("plaintext-secret", "SMTP_PASSWORD"), "nor through _FILE");
	ok(ws_diag_status() == 0, "warnings only");
	teardown();
	setup("[var MY_TOKEN_FILE]\nsecret = yes\n", 1);
	add(env_src, "DB_PASSWORD_FILE", "/run/db", 0);
	add(env_src, "MY_TOKEN_FILE", "/run/token", 0);
	ws_rules_check(&run);
	ok(!find("plaintext-secret", "DB_PASSWORD_FILE"),
	    "a NAME_FILE passed through is a path: no glob makes it a secret");
	ok(find("plaintext-secret", "MY_TOKEN_FILE") != NULL,
	    "its own section can");
	teardown();
	setup("[withsecrets]\nplaintext-secrets = error\n", 1);
	add(env_src, "API_TOKEN", key32, 0);
	ok(status_of(ws_rules_check, &run) == WS_EX_POLICY &&
	    sev_of("plaintext-secret", "API_TOKEN") == WS_SEV_ERROR,
	    "plaintext-secrets = error");
	teardown();
	setup("[withsecrets]\nplaintext-secrets = allow\n", 1);
	add(env_src, "API_TOKEN", key32, 0);
	ws_rules_check(&run);
	ok(!find("plaintext-secret", NULL), "plaintext-secrets = allow");
	teardown();
	setup("[withsecrets]\nplaintext-secrets = error\n", 0);
	add(env_src, "API_TOKEN", key32, 0);
	ws_rules_check(&run);
	ok(!find("plaintext-secret", NULL), "never in lenient mode");
	teardown();

	setup(NULL, 0);
	add(env_src, "LOG_LEVEL", "info", 0);
	add(low_src, "LOG_LEVEL", "debug", 4);
	add(env_src, "API_TOKEN", key32, 0);
	add(dir_src, "API_TOKEN", key64, 0);
	ws_rules_check(&run);
	ok(sev_of("shadowed", "LOG_LEVEL") == WS_SEV_INFO &&
	    strcmp(find("shadowed", "LOG_LEVEL")->source, ".env.low:4") == 0,
	    "shadowed: information, at the hidden source");
	ok(sev_of("shadowed-secret", "API_TOKEN") == WS_SEV_WARNING &&
	    !find("shadowed", "API_TOKEN"), "lenient: an inherited secret "
	    "hiding a mounted one with another value is a warning");
	teardown();
	setup(NULL, 1);
	add(env_src, "API_TOKEN", key32, 0);
	add(dir_src, "API_TOKEN", key64, 0);
	ok(status_of(ws_rules_check, &run) == WS_EX_POLICY &&
	    sev_of("shadowed-secret", "API_TOKEN") == WS_SEV_ERROR,
	    "strict: shadowed-secret is an error (78)");
	is_str(find("shadowed-secret", "API_TOKEN")->source, "environment",
	    "at the inherited variable");
	ok(strstr(find("shadowed-secret", "API_TOKEN")->message,
	    "/run/secrets") != NULL, "naming the mounted secret");
	ok(no_value_in_findings(), "no value in any finding");
	teardown();
	setup(NULL, 1);
	add(env_src, "API_TOKEN", key32, 0);
	add(dir_src, "API_TOKEN", key32, 0);
	ok(status_of(ws_rules_check, &run) == 0 &&
	    !find("shadowed-secret", NULL) &&
	    sev_of("shadowed", "API_TOKEN") == WS_SEV_INFO,
	    "the same value: only shadowed, information");
	teardown();
	setup(NULL, 1);
	add(env_src, "API_TOKEN", key64, 0);
	add(dir_src, "API_TOKEN", key64 + 1, 0);
	ok(status_of(ws_rules_check, &run) == WS_EX_POLICY,
	    "a value of another length differs");
	teardown();
	setup(NULL, 1);
	add(env_src, "SITE_NAME", "one", 0);
	add(dir_src, "SITE_NAME", "two", 0);
	ok(status_of(ws_rules_check, &run) == WS_EX_POLICY &&
	    find("shadowed-secret", "SITE_NAME"), "any name a mounted secret "
	    "has holds a secret");
	teardown();
	setup("[var SITE_NAME]\nsecret = no\n", 1);
	add(env_src, "SITE_NAME", "one", 0);
	add(dir_src, "SITE_NAME", "two", 0);
	ok(status_of(ws_rules_check, &run) == 0 &&
	    sev_of("shadowed", "SITE_NAME") == WS_SEV_INFO,
	    "unless its [var] says secret = no");
	teardown();
	setup(NULL, 1);
	add(file_src, "API_TOKEN", key32, 3);
	add(dir_src, "API_TOKEN", key64, 0);
	ok(status_of(ws_rules_check, &run) == 0 &&
	    !find("shadowed-secret", NULL), "a secret directory over a file: "
	    "no finding but shadowed");
	teardown();
}

/* encrypted-value: dotenvx ciphertext, an error everywhere. */
static void
test_encrypted(void)
{
	int strict;

	for (strict = 0; strict < 2; strict++) {
		setup(NULL, strict);
		add(file_src, "API_TOKEN", "encrypted:BDqDBibm4wsYqMpCjTQ6BsDH"
		    "mockCipherText0123456789", 4);
		add(file_src, "LOG_LEVEL", "encrypted:QmFzZTY0", 5);
		/* (not remembered as a value: the message names the form) */
		(void)ws_store_add(run.store, file_src, "NOTE", 4,
		    "encrypted:", 10, 6, 0);
		add(file_src, "OTHER", "not encrypted:x", 7);
		ok(status_of(ws_rules_check, &run) == WS_EX_POLICY &&
		    sev_of("encrypted-value", "API_TOKEN") == WS_SEV_ERROR &&
		    sev_of("encrypted-value", "LOG_LEVEL") == WS_SEV_ERROR,
		    "%s: encrypted:... is an error, secret or not",
		    strict ? "strict" : "lenient");
		ok(!find("encrypted-value", "NOTE") &&
		    !find("encrypted-value", "OTHER"),
		    "%s: not encrypted: nothing after the prefix, or not at "
		    "the start", strict ? "strict" : "lenient");
		ok(strstr(find("encrypted-value", "API_TOKEN")->message,
		    "dotenvx") != NULL, "says how to decrypt it");
		ok(no_value_in_findings(), "no value in any finding");
		teardown();
	}
	setup(NULL, 1);
	add(env_src, "API_TOKEN", key32, 0);
	add(file_src, "API_TOKEN", "encrypted:BDqDBibm4wsYqMpCjTQ6Bs", 4);
	ok(status_of(ws_rules_check, &run) == 0,
	    "a hidden encrypted value: the command does not get it");
	teardown();
}

/* unset-variable, from the notes the parser leaves (SPEC §4.4). */
static void
test_unset_variable(void)
{
	struct ws_var *v;

	setup(NULL, 1);
	v = add(file_src, "DATABASE_URL", "postgres://app:@db/app", 2);
	ws_store_note_unset(run.store, v, "DB_PASSWORD", 11);
	v = add(file_src, "GREETING", "hello ", 3);
	ws_store_note_unset(run.store, v, "WHO", 3);
	ok(status_of(ws_rules_check, &run) == WS_EX_POLICY &&
	    sev_of("unset-variable", "DATABASE_URL") == WS_SEV_ERROR,
	    "strict: an unset name in a secret's value is an error");
	is_str(find("unset-variable", "DATABASE_URL")->source, ".env:2",
	    "at the line of the variable built");
	ok(strstr(find("unset-variable", "DATABASE_URL")->message,
	    "$DB_PASSWORD") != NULL, "the message names the unset one");
	is_int(sev_of("unset-variable", "GREETING"), WS_SEV_WARNING,
	    "strict: in a value that is not a secret, a warning");
	teardown();

	setup(NULL, 0);
	v = add(file_src, "DATABASE_URL", "postgres://app:@db/app", 2);
	ws_store_note_unset(run.store, v, "DB_PASSWORD", 11);
	ok(status_of(ws_rules_check, &run) == 0 &&
	    sev_of("unset-variable", "DATABASE_URL") == WS_SEV_WARNING,
	    "lenient: a warning");
	teardown();

	setup(NULL, 1);
	v = add(low_src, "DATABASE_URL", "postgres://app:@db/app", 2);
	ws_store_note_unset(run.store, v, "DB_PASSWORD", 11);
	add(file_src, "DATABASE_URL", "postgres://app:k@db/app", 9);
	ok(status_of(ws_rules_check, &run) == 0 &&
	    !find("unset-variable", NULL), "a hidden entry: no finding");
	teardown();

	setup(NULL, 1);
	v = add(file_src, "DATABASE_URL", "postgres://app:@db/app", 2);
	ws_store_note_unset(run.store, v, "DB_PASSWORD", 11);
	add(file_src, "DATABASE_URL", "postgres://app:k@db/app", 5);
	ok(status_of(ws_rules_check, &run) == 0 &&
	    !find("unset-variable", NULL), "replaced by a later line of the "
	    "same file: no finding");
	teardown();
}

/* A glob section means what a one-name section means (SPEC §6). */
static void
test_glob_required(void)
{
	int rc;

	setup("[var SMTP_*]\nrequired = always\n", 0);
	add(file_src, "SMTP_HOST", "", 3);
	add(file_src, "SMTP_PORT", "25", 4);
	add(file_src, "SMTP_PASSWORD_FILE", "/nonexistent", 5);
	rc = status_of(ws_rules_check, &run);
	ok(rc == WS_EX_POLICY && sev_of("required", "SMTP_HOST") ==
	    WS_SEV_ERROR, "[var SMTP_*] required = always: an empty match is "
	    "an error, lenient too");
	ok(!find("required", "SMTP_PORT"), "a set match passes");
	teardown();

	setup("[var SMTP_*]\nrequired = no\n", 1);
	run.example = ws_store_new();
	ex_src = ws_store_source(run.example,
	    WS_KIND_ENV_FILE, ".env.example", WS_RANK_ENV_FILE);
	run.example_path = ws_xstrdup(".env.example");
	ws_store_add(run.example, ex_src, "SMTP_HOST", 9, "", 0, 1, 0);
	ws_store_add(run.example, ex_src, "SMTP_USER", 9, "", 0, 2, 0);
	ws_store_add(run.example, ex_src, "API_URL", 7, "", 0, 3, 0);
	rc = status_of(ws_rules_check, &run);
	ok(rc == WS_EX_POLICY && !find("required", "SMTP_HOST") &&
	    !find("required", "SMTP_USER") && find("required", "API_URL"),
	    "[var SMTP_*] required = no exempts the example file's matches");
	teardown();

	setup("[var SMTP_*]\nrequired = strict\n[var SMTP_DEBUG]\n"
	    "required = no\n", 1);
	run.example = ws_store_new();
	ex_src = ws_store_source(run.example,
	    WS_KIND_ENV_FILE, ".env.example", WS_RANK_ENV_FILE);
	run.example_path = ws_xstrdup(".env.example");
	ws_store_add(run.example, ex_src, "SMTP_HOST", 9, "", 0, 1, 0);
	ws_store_add(run.example, ex_src, "SMTP_DEBUG", 10, "", 0, 2, 0);
	rc = status_of(ws_rules_check, &run);
	ok(rc == WS_EX_POLICY && find("required", "SMTP_HOST") &&
	    strstr(find("required", "SMTP_HOST")->message, "t.ini:2") &&
	    !find("required", "SMTP_DEBUG"), "required = strict from a glob; "
	    "the exact section wins");
	is_int((int)count("required"), 1, "each name once");
	teardown();
}

/* Paths that say where secrets are are not secrets (SPEC §6). */
static void
test_system_paths(void)
{
	static const char *const names[] = { "CREDENTIALS_DIRECTORY",
	    "GOOGLE_APPLICATION_CREDENTIALS",
	    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	    "AWS_SHARED_CREDENTIALS_FILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
	    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	    "GOOGLE_APPLICATION_CREDENTIALS_FILE", "SECRET_SERVICE_LOG_FILE",
	    "VAULT_TOKEN_CA_FILE", NULL };
	size_t i;

	setup("[withsecrets]\nplaintext-secrets = error\n", 1);
	for (i = 0; names[i] != NULL; i++)
		add(env_src, names[i], "/run/credentials/app.service", 0);
	ok(status_of(ws_rules_check, &run) == 0 && ws_finding_count() == 0,
	    "system paths: no finding with plaintext-secrets = error");
	teardown();
	setup("[withsecrets]\nplaintext-secrets = error\n"
	    "[var GOOGLE_APPLICATION_CREDENTIALS]\nsecret = yes\n", 1);
	add(env_src, "GOOGLE_APPLICATION_CREDENTIALS", "/k.json", 0);
	ok(status_of(ws_rules_check, &run) == WS_EX_POLICY,
	    "a user's [var] may say otherwise");
	teardown();
}

/* The decision (effective.h) is what ws_effective() says of each name,
 * made again after every kind of change to the store. */
static int
decision_agrees(void)
{
	const struct ws_decision *d = ws_decision(&run);
	size_t i, n = 0, it = 0;

	for (i = 0; i < d->n; i++)
		if (d->gets[i] != ws_effective(&run, d->heads[i]))
			return 0;
	while (ws_store_next(run.store, &it) != NULL)
		n++;
	return d->n == n && d->heads[d->n] == NULL;
}

static void
test_decision(void)
{
	const struct ws_decision *d;
	struct ws_var *low, *top, *p;
	static char gone[] = "GONE";
	char *unset[] = { gone, NULL };
	size_t i;

	setup(NULL, 1);
	low = add(low_src, "A", "from-the-low-layer", 1);
	add(file_src, "B", "b", 1);
	add(dir_src, "WITHSECRETS_X", "w", 0);
	add(file_src, "GONE", "g", 2);
	p = add(file_src, "C_FILE", "/run/secrets/c", 3);
	d = ws_decision(&run);
	ok(decision_agrees() && d->gets[0] == low,
	    "the decision: what ws_effective() says of each name");
	ok(ws_decision(&run) == d && d->stamp == ws_store_stamp(run.store),
	    "asked again with the store as it was: the same");
	top = add(file_src, "A", "from-the-file", 4);
	ok(decision_agrees() && ws_decision(&run)->gets[0] == top,
	    "an entry added above: decided again");
	add(file_src, "A", "replaced-in-its-source", 5);
	ok(decision_agrees(), "an entry replaced in its source: again");
	ws_store_remove(run.store, top);
	ok(decision_agrees() && ws_decision(&run)->gets[0] == low,
	    "an entry removed: again");
	ok(ws_decision(&run)->gets[4] == p, "a NAME_FILE not yet resolved "
	    "is a value");
	ws_store_set_flags(run.store, p, WS_VAR_POINTER | WS_VAR_RESOLVED);
	ok(decision_agrees() && ws_decision(&run)->gets[4] == NULL,
	    "a pointer marked resolved: again, and it gives nothing");
	for (i = 0; i < 300; i++) {	/* past the room it had */
		char name[16];

		(void)snprintf(name, sizeof(name), "N%zu", i);
		add(i % 2 ? env_src : file_src, name, "v", (unsigned)i);
	}
	ok(decision_agrees(), "300 names more: again, with more room");
	opts.unset = unset;
	opts.clean = 1;
	ws_decision_free(&run);
	ok(decision_agrees() && ws_decision(&run)->gets[3] == NULL &&
	    ws_decision(&run)->gets[2] == NULL,
	    "--unset, --clean and WITHSECRETS_*: as ws_effective()");
	teardown();
}

int
main(void)
{
	size_t i;

	ws_secmem_init();
	test_min_length();
	test_debug();
	test_placeholder();
	test_weak_random();
	test_weak();
	test_distinct();
	test_required();
	test_forbid_pattern();
	test_plaintext_shadowed();
	test_encrypted();
	test_unset_variable();
	test_glob_required();
	test_system_paths();
	test_decision();
	for (i = 0; i < n_secrets; i++)
		free(secrets[i]);
	ws_diag_reset();
	ws_secmem_wipe_all();
	ws_intern_free();
	return done_testing();
}
