/* gen (SPEC §11): what a value of each format is, how a default grows
 * to a min-length, and the policy's generate key (built-in and a
 * user's, its errors at FILE:LINE). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "withsecrets.h"
#include "util.h"
#include "secmem.h"
#include "diag.h"
#include "vars.h"
#include "policy.h"
#include "values.h"
#include "frozen.h"
#include "gen.h"
#include "tap.h"

static int
all_in(const char *s, size_t n, const char *set)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '\0' || strchr(set, s[i]) == NULL)
			return 0;
	return s[n] == '\0';
}

static const char HEX[] = "0123456789abcdef";
static const char B64URL[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char ALNUM[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

static void
test_values(void)
{
	static const size_t ns[] = { 1, 2, 3, 16, 31, 32, 33, 100, 4096 };
	size_t i, len, k, seen[256];
	char *v, *w;
	const unsigned char *u;
	int fair = 1;

	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		v = ws_gen_value(WS_GEN_HEX, ns[i], &len);
		ok(v && len == 2 * ns[i] && all_in(v, len, HEX),
		    "hex:%zu is %zu lower-case hex digits", ns[i], 2 * ns[i]);
		v = ws_gen_value(WS_GEN_BASE64URL, ns[i], &len);
		ok(v && len == ws_gen_chars(WS_GEN_BASE64URL, ns[i]) &&
		    all_in(v, len, B64URL), "base64url:%zu is %zu characters, "
		    "unpadded", ns[i], ws_gen_chars(WS_GEN_BASE64URL, ns[i]));
		v = ws_gen_value(WS_GEN_ALNUM, ns[i], &len);
		ok(v && len == ns[i] && all_in(v, len, ALNUM),
		    "alnum:%zu is %zu of [A-Za-z0-9]", ns[i], ns[i]);
	}
	is_int(ws_gen_chars(WS_GEN_BASE64URL, 32), 43, "base64url:32: 43");
	is_int(ws_gen_chars(WS_GEN_BASE64URL, 24), 32, "base64url:24: 32");
	/* each N the growth picks is the least that reaches the length */
	for (k = 1; k < 300; k++) {
		for (i = WS_GEN_HEX; i <= WS_GEN_ALNUM; i++) {
			size_t n = ws_gen_n_for((enum ws_genfmt)i, k);

			if (ws_gen_chars((enum ws_genfmt)i, n) < k ||
			    (n > 1 && ws_gen_chars((enum ws_genfmt)i, n - 1) >= k))
				fair = 0;
		}
	}
	ok(fair, "ws_gen_n_for gives the least N that makes the length");
	/* two values differ; alnum uses every character, about evenly */
	v = ws_gen_value(WS_GEN_HEX, 32, &len);
	w = ws_gen_value(WS_GEN_HEX, 32, &len);
	ok(memcmp(v, w, len) != 0, "two values differ");
	memset(seen, 0, sizeof(seen));
	v = ws_gen_value(WS_GEN_ALNUM, 4096, &len);
	for (u = (const unsigned char *)v, i = 0; i < len; i++)
		seen[u[i]]++;
	for (fair = 1, i = 0; ALNUM[i]; i++)
		if (seen[(unsigned char)ALNUM[i]] < 30 ||
		    seen[(unsigned char)ALNUM[i]] > 110)
			fair = 0;
	ok(fair, "alnum: each of the 62 characters about 66 times in 4096");
	v = ws_gen_value(WS_GEN_HEX, 32, &len);
	ok(!ws_rule_weak(v, len), "hex:32 is not weak");
}

static struct ws_policy *
parse(const char *text, int *rc)
{
	struct ws_policy *p = ws_policy_new();

	ws_diag_reset();
	*rc = ws_config_parse(p, text, strlen(text), "t.ini", 1);
	return p;
}

static const struct ws_varrule *
gen_rule(const struct ws_policy *p, const char *name)
{
	struct ws_varpol vp;

	(void)ws_policy_var(p, name, &vp);
	return vp.from[WS_VK_GENERATE];
}

static void
test_policy(void)
{
	struct ws_policy *p;
	const struct ws_varrule *r;
	const struct ws_finding *f;
	int rc;

	p = parse("", &rc);
	static const char *const hex32[] = { "SECRET_KEY", "APP_SECRET_KEY",
		"SESSION_SECRET", "JWT_SECRET", "JWT_SECRET_KEY",
		"COOKIE_SIGNING_KEY", "DATA_ENCRYPTION_KEY", NULL };
	static const char *const alnum32[] = { "DB_PASSWORD", "PGPASSWORD",
		"SMTP_PASSWD", NULL };
	static const char *const none[] = { "OPENAI_API_KEY", "DATABASE_URL",
		"GITHUB_TOKEN", "GOOGLE_CLIENT_SECRET", "LOG_LEVEL", NULL };
	size_t i;

	for (i = 0; hex32[i]; i++) {
		r = gen_rule(p, hex32[i]);
		ok(r && r->gen_fmt == WS_GEN_HEX && r->gen_n == 32,
		    "built-in: %s generate = hex:32", hex32[i]);
	}
	for (i = 0; alnum32[i]; i++) {
		r = gen_rule(p, alnum32[i]);
		ok(r && r->gen_fmt == WS_GEN_ALNUM && r->gen_n == 32,
		    "built-in: %s generate = alnum:32", alnum32[i]);
	}
	for (i = 0; none[i]; i++)
		ok(gen_rule(p, none[i]) == NULL,
		    "built-in: no generate for %s (set by hand)", none[i]);
	ws_policy_destroy(p);

	p = parse("[var SECRET_KEY]\ngenerate = no\n[var OPENAI_API_KEY]\n"
	    "generate = base64url:48\n", &rc);
	is_int(rc, 0, "a user's generate parses");
	r = gen_rule(p, "SECRET_KEY");
	ok(r && r->gen_fmt == WS_GEN_NO, "generate = no stops a built-in one");
	r = gen_rule(p, "OPENAI_API_KEY");
	ok(r && r->gen_fmt == WS_GEN_BASE64URL && r->gen_n == 48 &&
	    r->where[WS_VK_GENERATE].line == 4, "base64url:48, at line 4");
	ws_policy_destroy(p);

	static const char *const bad[] = { "hex:0", "hex:", "hex", "hex:-1",
		"hex:4097", "alnum:1x", "sha:32", "HEX:32", "yes", "", NULL };
	for (i = 0; bad[i]; i++) {
		char *text = ws_xasprintf("[var SECRET_KEY]\ngenerate = %s\n",
		    bad[i]);

		p = parse(text, &rc);
		f = ws_finding_at(0);
		ok(rc == WS_EX_POLICY && f != NULL && f->source &&
		    strcmp(f->source, "t.ini:2") == 0 &&
		    strstr(f->message, "generate takes hex:N, base64url:N or "
		    "alnum:N") != NULL, "generate = '%s' is refused at its "
		    "line", bad[i]);
		free(text);
		ws_policy_destroy(p);
	}
	p = parse("[var X]\ngenerate = alnum:4096\n", &rc);
	is_int(rc, 0, "alnum:4096, the largest");
	ws_policy_destroy(p);
	p = parse("[var SECRET_KEY]\ngenerate = hex:32\ngenerate = hex:16\n",
	    &rc);
	is_int(rc, WS_EX_POLICY, "generate twice in a section is an error");
	ws_policy_destroy(p);
}

int
main(void)
{
	ws_secmem_init();
	test_values();
	test_policy();
	ws_diag_reset();
	ws_secmem_wipe_all();
	ws_intern_free();
	return done_testing();
}
