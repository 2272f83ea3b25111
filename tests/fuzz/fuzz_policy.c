/*
 * libFuzzer target for the policy file (SPEC §6): the text of a user's
 * withsecrets.ini, layered over the built-in policy, then every rule
 * run over a small environment with that policy, in strict or lenient
 * mode.  Besides the sanitizers' checks (and libFuzzer's -timeout,
 * which catches a pattern that regcomp or regexec would take too long
 * on) it asserts what the policy promises:
 *   - an error is a finding at FILE:LINE with exit status 78, and a
 *     file that parses leaves sane settings (max-secret-size within
 *     the kernel's limit, lists NULL-terminated);
 *   - no finding, of the parse or of any rule, holds a value of the
 *     environment: each value carries a marker that the input does not
 *     spell out.
 *
 * Input: the policy text, then optionally a NUL byte and one byte of
 * options (bit 0: strict).
 *
 * Build: ./configure --enable-fuzzing CC=clang && make fuzz
 */
#include "config.h"

#include <stdint.h>
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
#include "resolve.h"

/* -C: the current directory, as ws_opts_parse() makes it */
static char dot_dir[] = ".";
static char *current_dir[] = { dot_dir, NULL };

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define MARKER	"Zq8#marker"

/* An environment that the rules have something to say about. */
static const char *const vars[][2] = {
	{ "SECRET_KEY", "short" MARKER },
	{ "JWT_SECRET_KEY", "short" MARKER },
	{ "SESSION_SECRET", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" MARKER },
	{ "DB_PASSWORD", "changeme" MARKER },
	{ "API_TOKEN", "0123456789abcdef0123456789abcdef" MARKER },
	{ "DEBUG", "true" MARKER },
	{ "DATABASE_URL", "postgres://u:p@db/x" MARKER },
	{ "LOG_LEVEL", "info" MARKER },
	{ "EMPTY", "" },
	{ "A_FILE", "/nonexistent" MARKER },
};

/* The index of the rules finds what trying every rule finds (policy.c):
 * for the names above and for each rule's own literal, with a byte or
 * two around it. */
static void
same_as_scan(const struct ws_policy *p, const char *name, size_t n)
{
	struct ws_varpol a, b;
	int said;
	size_t k;

	said = ws_policy_var_n(p, name, n, &a);
	if (ws_policy_var_scan(p, name, n, &b) != said ||
	    a.secret != b.secret || a.required != b.required ||
	    a.min_length != b.min_length || a.distinct != b.distinct ||
	    a.debug != b.debug)
		abort();
	for (k = 0; k < WS_VK_COUNT; k++)
		if (a.from[k] != b.from[k])
			abort();
}

static void
check_index(const struct ws_policy *p)
{
	const struct ws_varrule *r;
	char name[80];
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		same_as_scan(p, vars[i][0], strlen(vars[i][0]));
	for (i = 0; i < p->n_rules && i < 64; i++) {
		r = &p->rules[i];
		if (r->lit == NULL || r->litlen + 2 > sizeof(name))
			continue;
		same_as_scan(p, r->lit, r->litlen);
		name[0] = 'X';
		memcpy(name + 1, r->lit, r->litlen);
		name[r->litlen + 1] = '_';
		same_as_scan(p, name, r->litlen + 2);
		same_as_scan(p, name, r->litlen + 1);
		same_as_scan(p, name + 1, r->litlen + 1);
	}
}

/* A placeholder is found as by folding the value and comparing it with
 * every value and matching it against every pattern (rules.c rules
 * most values out first: by their length, a filter of the patterns'
 * bytes, the masks of their literals). */
static void
same_placeholder(const struct ws_policy *p, const char *v, size_t n)
{
	char *low;
	size_t i;
	int want = 0;

	if (n == 0)
		return;
	if ((low = malloc(n + 1)) == NULL)
		abort();
	for (i = 0; i < n; i++)
		low[i] = v[i] >= 'A' && v[i] <= 'Z' ? (char)(v[i] + 32) : v[i];
	low[n] = '\0';
	for (i = 0; p->ph_values[i] != NULL; i++)
		want |= strlen(p->ph_values[i]) == n &&
		    memcmp(low, p->ph_values[i], n) == 0;
	for (i = 0; p->ph_patterns[i] != NULL; i++)
		want |= ws_wildmatch(p->ph_patterns[i], low, n);
	free(low);
	if (ws_rule_placeholder(p, v, n) != want)
		abort();
}

/* On the values above, and on each pattern's literal and first byte
 * with bytes around them, in upper case too. */
static void
check_placeholders(const struct ws_policy *p)
{
	const char *lit;
	char v[96];
	size_t i, j, k, n;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		same_placeholder(p, vars[i][1], strlen(vars[i][1]));
	for (i = 0; p->ph_patterns[i] != NULL && i < 32; i++) {
		lit = p->ph_literals[i];
		if ((n = strlen(lit)) + 6 > sizeof(v))
			continue;
		for (j = 0; j < 3; j++) {
			memset(v, j == 1 ? 'Q' : '-', sizeof(v));
			memcpy(v + j, lit, n);
			same_placeholder(p, v, n + 2 * j);
			v[0] = p->ph_patterns[i][0];
			same_placeholder(p, v, n + 2 * j + 1);
			for (k = 0; k < sizeof(v); k++)
				if (v[k] >= 'a' && v[k] <= 'z')
					v[k] = (char)(v[k] - 32);
			same_placeholder(p, v, n + 2 * j + 1);
		}
		same_placeholder(p, p->ph_patterns[i],
		    strlen(p->ph_patterns[i]));
	}
}

static int
holds_marker(const char *s)
{
	return s != NULL && strstr(s, MARKER) != NULL;
}

static void
check_findings(const uint8_t *data, size_t size)
{
	const struct ws_finding *f;
	size_t i;

	if (memmem(data, size, MARKER, sizeof(MARKER) - 1) != NULL)
		return;		/* the input spells the marker out itself */
	for (i = 0; (f = ws_finding_at(i)) != NULL; i++)
		if (holds_marker(f->message) || holds_marker(f->name) ||
		    holds_marker(f->source) || holds_marker(f->rule))
			abort();
}

static void
check_settings(const struct ws_settings *s)
{
	char **const lists[] = { s->environment_vars,
	    s->lenient_environments, s->secrets_dirs, s->keep, s->deny,
	    s->ignore_file_vars };
	size_t i, j;

	if (s->max_secret_size == 0 ||
	    s->max_secret_size > WS_MAX_SECRET_SIZE_LIMIT)
		abort();
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		for (j = 0; lists[i] != NULL && lists[i][j] != NULL; j++)
			if (lists[i][j][0] == '\0')
				abort();	/* an empty word */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct ws_opts opts;
	struct ws_run run;
	struct ws_source *src;
	const struct ws_finding *f;
	size_t len, i;
	unsigned flags = 0;
	char *buf;
	int rc;

	if (!ready) {
		ws_secmem_init();
		ready = 1;
	}
	len = size;
	{
		const uint8_t *nul = memchr(data, '\0', size);

		if (nul != NULL && (size_t)(nul - data) + 1 < size) {
			len = (size_t)(nul - data);
			flags = nul[1];
		}
	}
	memset(&opts, 0, sizeof(opts));
	memset(&run, 0, sizeof(run));
	opts.dirs = current_dir;
	opts.n_dirs = 1;
	opts.dir = current_dir[0];
	opts.no_layers = 1;
	opts.no_default_secrets_dirs = 1;
	run.opts = &opts;
	run.strict = flags & 1;
	run.env_name = run.strict ? "production" : "development";
	run.env_name_from = "fuzz";
	run.policy = ws_policy_new();
	run.set = &run.policy->set;
	ws_diag_reset();

	/* exactly as long as it is, where ASan sees past its end */
	if ((buf = malloc(len ? len : 1)) == NULL)
		abort();
	memcpy(buf, data, len);
	rc = ws_config_parse(run.policy, buf, len, "fuzz.ini", 1);
	free(buf);
	if (rc != 0) {
		if (rc != WS_EX_POLICY || ws_diag_status() != WS_EX_POLICY)
			abort();
		for (i = 0; (f = ws_finding_at(i)) != NULL; i++)
			if (f->sev == WS_SEV_ERROR && (f->source == NULL ||
			    strncmp(f->source, "fuzz.ini:", 9) != 0))
				abort();	/* an error without FILE:LINE */
	}
	check_settings(run.set);
	check_index(run.policy);
	check_placeholders(run.policy);

	/* The rules, over the environment above and the policy's own
	 * [defaults]. */
	run.store = ws_store_new();
	src = ws_store_source(run.store, WS_KIND_ENV_FILE, "fuzz.env",
	    WS_RANK_ENV_FILE);
	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		(void)ws_store_add(run.store, src, vars[i][0],
		    strlen(vars[i][0]), vars[i][1], strlen(vars[i][1]),
		    (unsigned)i + 1, 0);
	ws_defaults_load(&run);
	ws_deny_check(&run);
	ws_rules_check(&run);
	check_findings(data, size);

	ws_decision_free(&run);
	ws_store_free(run.store);
	ws_resolve_free();
	ws_policy_free(&run);
	ws_intern_free();
	ws_diag_reset();
	/* mapping guarded memory is slow: unmap it now and then only */
	if (ws_arena_mapped(&ws_work) > (size_t)32 * 1024 * 1024)
		ws_secmem_wipe_all();
	return 0;
}
