/* The audit record (SPEC §12) as built: the journal's native datagram
 * (KEY=value lines; the length-prefixed binary form for a value with a
 * newline) and the syslog line, for an exec and a refusal; never a
 * value, nor an argument of the command; audit-required without audit. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "withsecrets.h"
#include "opts.h"
#include "util.h"
#include "secmem.h"
#include "diag.h"
#include "vars.h"
#include "policy.h"
#include "frozen.h"
#include "audit.h"
#include "tap.h"

/* -C: the current directory, as ws_opts_parse() makes it */
static char dot_dir[] = ".";
static char *current_dir[] = { dot_dir, NULL };

static struct ws_opts opts;
static struct ws_run run;
static char arg0[] = "app", arg0nl[] = "a\nb", arg1[] = "--token=ARGSECRET";
static char *command[] = { arg0, arg1, NULL };

static void
setup(const char *ini)
{
	memset(&opts, 0, sizeof(opts));
	memset(&run, 0, sizeof(run));
	opts.dirs = current_dir;
	opts.n_dirs = 1;
	opts.dir = current_dir[0];
	opts.command = command;
	opts.audit = WS_AUDIT_JOURNAL + 1;
	run.opts = &opts;
	run.policy = ws_policy_new();
	run.set = &run.policy->set;
	ws_diag_reset();
	if (ini != NULL && ws_config_parse(run.policy, ini, strlen(ini),
	    "t.ini", 1) != 0)
		printf("# the test's policy does not parse\n");
	run.store = ws_store_new();
	run.strict = 1;
	run.env_name = "production";
}

static void
teardown(void)
{
	ws_store_free(run.store);
	ws_policy_destroy(run.policy);
	ws_diag_reset();
}

/* The value of KEY in a datagram, and whether it was binary. */
static char *
field(const char *d, size_t len, const char *key, int *binary)
{
	const char *p = d, *end = d + len, *nl;
	size_t k = strlen(key);
	uint64_t n;
	int i;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			return NULL;
		if (memchr(p, '=', (size_t)(nl - p)) != NULL) {
			if ((size_t)(nl - p) > k && memcmp(p, key, k) == 0 &&
			    p[k] == '=') {
				*binary = 0;
				return ws_xstrndup(p + k + 1,
				    (size_t)(nl - p) - k - 1);
			}
			p = nl + 1;
			continue;
		}
		for (n = 0, i = 7; i >= 0; i--)
			n = n << 8 | (unsigned char)nl[1 + i];
		if ((size_t)(nl - p) == k && memcmp(p, key, k) == 0) {
			*binary = 1;
			return ws_xstrndup(nl + 9, (size_t)n);
		}
		p = nl + 9 + n + 1;
	}
	return NULL;
}

static void
add(struct ws_source *src, const char *name, const char *value,
    unsigned line)
{
	char *v = ws_arena_alloc(&ws_work, strlen(value) + 1);

	if (v == NULL)
		abort();
	memcpy(v, value, strlen(value) + 1);
	(void)ws_store_add(run.store, src, name, strlen(name), v,
	    strlen(value), line, 0);
}

static void
test_datagram(void)
{
	struct ws_source *env, *dir, *file;
	char *d, *v, *line;
	size_t len;
	int bin;

	setup(NULL);
	env = ws_store_source(run.store, WS_KIND_INHERITED, NULL,
	    WS_RANK_INHERITED);
	dir = ws_store_source(run.store, WS_KIND_SECRET_DIR, "/run/secrets",
	    WS_RANK_SECRET_DIR);
	file = ws_store_source(run.store, WS_KIND_ENV_FILE, ".env",
	    WS_RANK_ENV_FILE);
	add(dir, "DB_PASSWORD", "VALUESECRET1xxxxxxxxxxxxx", 0);
	add(file, "SECRET_KEY", "VALUESECRET2xxxxxxxxxxxxxxxxxxxxxxxxxxx", 3);
	add(env, "GITHUB_TOKEN", "VALUESECRET3", 0);
	add(file, "LOG_LEVEL", "info", 4);

	d = ws_audit_journal_datagram(&run, &len);
	ok(memmem(d, len, "VALUESECRET", 11) == NULL &&
	    memmem(d, len, "ARGSECRET", 9) == NULL,
	    "no value and no argument in the datagram");
	v = field(d, len, "WITHSECRETS_DECISION", &bin);
	is_str(v, "exec", "an exec");
	free(v);
	v = field(d, len, "PRIORITY", &bin);
	is_str(v, "6", "PRIORITY 6");
	free(v);
	v = field(d, len, "WITHSECRETS_COMMAND", &bin);
	is_str(v, "app", "argv[0] only");
	free(v);
	v = field(d, len, "WITHSECRETS_STRICT", &bin);
	is_str(v, "yes", "strict");
	free(v);
	v = field(d, len, "WITHSECRETS_SECRETS", &bin);
	ok(v && bin, "the secrets field, with its newlines, is binary");
	ok(v && strstr(v, "DB_PASSWORD secret-dir:/run/secrets\n") &&
	    strstr(v, "SECRET_KEY env-file:.env:3") &&
	    strstr(v, "GITHUB_TOKEN inherited:environment") &&
	    !strstr(v, "LOG_LEVEL"), "NAME KIND:SOURCE, secrets only");
	free(v);
	ok(field(d, len, "WITHSECRETS_STATUS", &bin) == NULL,
	    "no status for an exec");
	free(d);

	line = ws_audit_syslog_line(&run);
	ok(strstr(line, "VALUESECRET") == NULL && strstr(line, "ARGSECRET") ==
	    NULL, "no value and no argument in the syslog line");
	ok(strncmp(line, "exec ", 5) == 0 && strstr(line, " (production, "
	    "strict, 3 secrets) version=") != NULL, "the MESSAGE text first");
	ok(strstr(line, " decision=exec secrets: ") != NULL &&
	    strstr(line, "; ") != NULL, "then secrets: separated by '; '");
	free(line);

	/* a refusal */
	ws_finding(WS_SEV_ERROR, WS_EX_POLICY, "min-length", "SECRET_KEY",
	    ".env:3", "too short");
	ws_finding(WS_SEV_ERROR, WS_EX_POLICY, "placeholder", "SECRET_KEY",
	    ".env:3", "a placeholder");
	ws_finding(WS_SEV_ERROR, WS_EX_POLICY, "min-length", "X", ".env:9",
	    "too short");
	ws_finding(WS_SEV_WARNING, 0, "plaintext-secret", "X", ".env:9", "w");
	d = ws_audit_journal_datagram(&run, &len);
	v = field(d, len, "WITHSECRETS_DECISION", &bin);
	is_str(v, "refused", "refused");
	free(v);
	v = field(d, len, "WITHSECRETS_STATUS", &bin);
	is_str(v, "78", "its status");
	free(v);
	v = field(d, len, "WITHSECRETS_RULES", &bin);
	is_str(v, "min-length placeholder", "the rules that stopped it, once each");
	free(v);
	v = field(d, len, "PRIORITY", &bin);
	is_str(v, "4", "PRIORITY 4");
	free(v);
	free(d);
	line = ws_audit_syslog_line(&run);
	ok(strstr(line, " decision=refused status=78 "
	    "rules=min-length,placeholder secrets: ") != NULL,
	    "syslog: refused, status, the rules as one word");
	free(line);
	teardown();

	/* argv[0] with a newline: binary in the journal, escaped in syslog */
	command[0] = arg0nl;
	setup(NULL);
	d = ws_audit_journal_datagram(&run, &len);
	v = field(d, len, "WITHSECRETS_COMMAND", &bin);
	ok(v && bin && strcmp(v, "a\nb") == 0, "argv[0] with a newline: binary");
	free(v);
	v = field(d, len, "MESSAGE", &bin);
	ok(v && !bin && strstr(v, "a\\x0ab") != NULL, "MESSAGE escapes it");
	free(v);
	free(d);
	line = ws_audit_syslog_line(&run);
	ok(strchr(line, '\n') == NULL, "the syslog line is one line");
	free(line);
	command[0] = arg0;
	teardown();
}

static void
test_required(void)
{
	setup("[withsecrets]\naudit-required = yes\n");
	opts.audit = 0;
	ws_audit_check(&run);
	ok(ws_diag_status() == WS_EX_POLICY && ws_finding_at(0) &&
	    strcmp(ws_finding_at(0)->source, "t.ini:2") == 0,
	    "audit-required without audit: 78 at its line");
	teardown();
	setup("[withsecrets]\naudit-required = yes\n");
	ws_audit_check(&run);
	is_int(ws_diag_status(), 0, "audit-required with --audit=journal");
	teardown();
	setup("[withsecrets]\naudit = syslog\naudit-required = yes\n");
	opts.audit = 0;
	ws_audit_check(&run);
	is_int(ws_diag_status(), 0, "audit-required with audit = syslog");
	is_int(ws_audit_mode(&run), WS_AUDIT_SYSLOG, "the policy's audit");
	opts.audit = WS_AUDIT_OFF + 1;
	is_int(ws_audit_mode(&run), WS_AUDIT_OFF, "--audit=off wins");
	teardown();
}

int
main(void)
{
	ws_secmem_init();
	test_datagram();
	test_required();
	ws_secmem_wipe_all();
	ws_intern_free();
	return done_testing();
}
