/* Names: validity, pointers, the never-resolve list, globs. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "withsecrets.h"
#include "names.h"
#include "tap.h"

#define V(s) ws_name_valid(s, strlen(s))
#define NEVER(s) ws_never_resolve_builtin(s, strlen(s))

/* SPEC §4.1's never-resolve list, name for name: the built-in list
 * holds every one of them (a glob as an example name it matches). */
static void
test_spec_never_resolve(void)
{
	static const char *const spec[] = { "SSL_CERT_FILE", "AWS_CONFIG_FILE",
	    "AWS_SHARED_CREDENTIALS_FILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
	    "LOG_FILE", "PID_FILE", "CONFIG_FILE", "COMPOSE_FILE", "ENV_FILE",
	    "DOTENV_FILE", "APP_LOG_FILE", "APP_PID_FILE", "APP_CONFIG_FILE",
	    "TLS_KEY_FILE", "SSL_KEY_FILE", "APP_TLS_KEY_FILE",
	    "NGINX_SSL_KEY_FILE", "APP_CERT_FILE", "PG_CA_FILE",
	    "SERVICE_ACCOUNT_FILE", "GOOGLE_APPLICATION_CREDENTIALS_FILE",
	    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", NULL };
	/* pointers to secrets, some of them a letter away from the list */
	static const char *const resolved[] = { "DB_PASSWORD_FILE",
	    "API_KEY_FILE", "TLS_KEY_FILES", "XTLS_KEY_FILE", "KEY_FILE",
	    "PRIVATE_KEY_FILE", "JWT_SECRET_KEY_FILE", "ACCOUNT_FILE",
	    "AWS_CONTAINER_AUTHORIZATION_TOKEN", "GOOGLE_APPLICATION_FILE",
	    "CA_FILE", "CERT_FILE", "SERVICE_ACCOUNT_KEY_FILE", NULL };
	unsigned bad = 0;
	size_t i;

	for (i = 0; spec[i] != NULL; i++)
		if (!NEVER(spec[i]) && bad++ < 5)
			printf("#   %s is resolved\n", spec[i]);
	is_int(bad, 0, "every name of SPEC §4.1's list passes through "
	    "(%zu)", i);
	for (i = 0, bad = 0; resolved[i] != NULL; i++)
		if (NEVER(resolved[i]) && bad++ < 5)
			printf("#   %s is not resolved\n", resolved[i]);
	is_int(bad, 0, "and pointers to secrets are still resolved (%zu)", i);
}

static size_t
target(const char *s, char *out)
{
	const char *t;
	size_t n = ws_pointer_target(s, strlen(s), &t);

	if (n > 0)
		memcpy(out, t, n);
	out[n] = '\0';
	return n;
}

int
main(void)
{
	char t[64];
	char g1[] = "LC_*", g2[] = "PATH";
	char *globs[] = { g1, g2, NULL };

	ok(V("PATH") && V("lower_key") && V("_X") && V("1ABC"),
	    "letters, digits, underscore");
	ok(V("MY-KEY") && V("my.key") && V("A[0]"), "- . [ ] are allowed");
	ok(V("CL\xc3\x89"), "a Unicode letter is allowed");
	ok(!V("") && !V("A B") && !V("A=B") && !V("A$") && !V("\"A\""),
	    "empty, space, =, $, quotes are not");
	ok(!V("\xef\xbb\xbf" "A"), "a BOM is not part of a name");
	ok(!V("A\xc3"), "truncated UTF-8 is not");
	ok(!V("A\xc0\x80"), "overlong UTF-8 is not");
	ok(ws_name_portable("DB_PASSWORD", 11) && !ws_name_portable("A-B", 3),
	    "portable names");

	is_int(target("DB_PASSWORD_FILE", t), 11, "NAME_FILE target length");
	is_str(t, "DB_PASSWORD", "NAME_FILE target");
	is_int(target("FILE__DB_PASSWORD", t), 11, "FILE__NAME target length");
	is_str(t, "DB_PASSWORD", "FILE__NAME target");
	is_int(target("A_FILE_FILE", t), 6, "one level only");
	is_str(t, "A_FILE", "A_FILE_FILE points at A_FILE");
	is_int(target("_FILE", t), 0, "_FILE alone is not a pointer");
	is_int(target("FILE__", t), 0, "FILE__ alone is not a pointer");
	is_int(target("PROFILE", t), 0, "PROFILE is not a pointer");

	ok(ws_never_resolve_builtin("SSL_CERT_FILE", 13), "SSL_CERT_FILE");
	ok(ws_never_resolve_builtin("APP_LOG_FILE", 12), "*_LOG_FILE");
	ok(ws_never_resolve_builtin("NGINX_PID_FILE", 14), "*_PID_FILE");
	ok(!ws_never_resolve_builtin("DB_PASSWORD_FILE", 16),
	    "DB_PASSWORD_FILE is resolved");
	test_spec_never_resolve();
	ok(ws_globlist_match(globs, "LC_ALL", 6), "glob LC_*");
	ok(!ws_globlist_match(globs, "LANG", 4), "glob list miss");
	return done_testing();
}
