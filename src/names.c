/*
 * Variable names: which are valid, which are NAME_FILE / FILE__NAME
 * pointers, and which *_FILE variables are paths that programs read
 * themselves and must never be resolved.
 */
#include "config.h"

#include <string.h>

#include "withsecrets.h"
#include "names.h"
#include "util.h"

/*
 * Outside ASCII, the letters and numbers of Unicode (categories L and
 * N), as Compose (Go's unicode.IsLetter / IsNumber) accepts for CLÉ;
 * the table is generated into unicode_names.c.
 */
static int
unicode_is_name_char(uint32_t c)
{
	return ws_unicode_letter_or_number((uint32_t)c);
}

/* Letters (Unicode too), digits, '_', '.', '-', '[' and ']'. */
int
ws_name_valid(const char *name, size_t n)
{
	const unsigned char *s = (const unsigned char *)name;
	uint32_t cp;
	size_t i, l;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i += l) {
		if (s[i] < 0x80) {
			l = 1;
			if ((s[i] >= 'A' && s[i] <= 'Z') ||
			    (s[i] >= 'a' && s[i] <= 'z') ||
			    (s[i] >= '0' && s[i] <= '9') ||
			    strchr("_.-[]", s[i]) != NULL)
				continue;
			return 0;
		}
		if ((l = ws_utf8_decode(s + i, n - i, &cp)) == 0 ||
		    !unicode_is_name_char(cp))
			return 0;
	}
	return 1;
}

int
ws_name_portable(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

int
ws_pointer_is_prefix_form(const char *s, size_t n)
{
	return n > 6 && memcmp(s, "FILE__", 6) == 0;
}

size_t
ws_pointer_target(const char *s, size_t n, const char **target)
{
	if (ws_pointer_is_prefix_form(s, n)) {
		*target = s + 6;
		return n - 6;
	}
	if (n > 5 && memcmp(s + n - 5, "_FILE", 5) == 0) {
		*target = s;
		return n - 5;
	}
	return 0;
}

/*
 * Cheap tests that rule a glob out before the matcher runs (names are
 * checked against several lists, most of them matching nothing): a
 * pattern that starts with a plain character matches only names that
 * start with it, and the plain characters that end a pattern (its
 * tail: after its last '*', '?', '[', ']' or '\\') must end the name.
 */
static int
glob_special(char c)
{
	return c == '*' || c == '?' || c == '[' || c == ']' || c == '\\';
}

/* A pattern's first byte, when it must be the name's ('\0': none). */
static char
glob_first(const char *pat)
{
	return glob_special(*pat) && *pat != ']' ? '\0' : *pat;
}

static size_t
glob_tail(const char *pat, size_t len)
{
	size_t t;

	for (t = 0; t < len && !glob_special(pat[len - 1 - t]); t++)
		;
	return t;
}

/* 1 when pat (len bytes, its tail tail bytes) cannot match the name. */
static int
glob_ruled_out(const char *pat, size_t len, size_t tail, const char *name,
    size_t n)
{
	char c = glob_first(pat);

	if (c != '\0' && (n == 0 || name[0] != c))
		return 1;
	if (tail > n)
		return 1;
	return tail > 0 && (name[n - tail] != pat[len - tail] ||
	    memcmp(pat + len - tail, name + n - tail, tail) != 0);
}

void
ws_globlist_firsts(char *const *list, uint64_t set[4])
{
	unsigned char c;

	set[0] = set[1] = set[2] = set[3] = 0;
	for (; list != NULL && *list != NULL; list++) {
		if ((c = (unsigned char)glob_first(*list)) == '\0' &&
		    **list != '\0') {
			set[0] = set[1] = set[2] = set[3] = ~(uint64_t)0;
			return;
		}
		set[c >> 6] |= (uint64_t)1 << (c & 63);
	}
}

/*
 * *_FILE variables that name files programs read themselves.  The list
 * is always applied; the policy's ignore-file-vars adds to it.  Each is
 * a name or '*' and the end of a name (tests/unit/t_fast.c checks),
 * matched as such: every pointer is looked up here (SPEC §9).
 *
 * First SPEC §4.1's list, name for name (tests/unit/t_names.c holds it
 * too); then a few more of the same kind: a kubeconfig, a CA bundle, a
 * socket or a lock file is a path, and reading it as a secret would
 * hand the program the file's bytes (or fail on a socket) where it
 * wants the path.
 */
#define NEVER(s)	{ s, sizeof(s) - 1 }
static const struct never {
	const char	*glob;
	size_t		 len;
} never_resolve[] = {
	NEVER("SSL_CERT_FILE"), NEVER("AWS_CONFIG_FILE"),
	NEVER("AWS_SHARED_CREDENTIALS_FILE"), NEVER("AWS_WEB_IDENTITY_TOKEN_FILE"),
	NEVER("LOG_FILE"), NEVER("PID_FILE"), NEVER("CONFIG_FILE"),
	NEVER("COMPOSE_FILE"), NEVER("ENV_FILE"), NEVER("DOTENV_FILE"),
	NEVER("*_LOG_FILE"), NEVER("*_PID_FILE"), NEVER("*_CONFIG_FILE"),
	/* the paths TLS and cloud clients read themselves */
	NEVER("TLS_KEY_FILE"), NEVER("SSL_KEY_FILE"),
	NEVER("*_TLS_KEY_FILE"), NEVER("*_SSL_KEY_FILE"),
	NEVER("*_CERT_FILE"), NEVER("*_CA_FILE"),
	NEVER("SERVICE_ACCOUNT_FILE"), NEVER("GOOGLE_APPLICATION_CREDENTIALS_FILE"),
	NEVER("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"),
	/* beyond SPEC's list */
	NEVER("KUBECONFIG_FILE"), NEVER("*_CERTS_FILE"),
	NEVER("*_SOCKET_FILE"), NEVER("*_LOCK_FILE"),
};
#define N_NEVER	(sizeof(never_resolve) / sizeof(never_resolve[0]))

/*
 * Every entry ends in "_FILE" (tests/unit/t_fast.c checks), so a name
 * that does not is out at once, and so is one whose byte before "_FILE"
 * ends no entry (the set of those bytes is made on the first call):
 * DB_PASSWORD_FILE is ruled out without a look at the list.
 */
int
ws_never_resolve_builtin(const char *name, size_t n)
{
	static uint64_t befores[4];
	static int made;
	const struct never *g;
	const char *lit;
	size_t len;

	if (!made) {
		for (g = never_resolve; g < never_resolve + N_NEVER; g++) {
			unsigned char c = (unsigned char)g->glob[g->len - 6];

			befores[c >> 6] |= (uint64_t)1 << (c & 63);
		}
		made = 1;
	}
	if (n < 6 || memcmp(name + n - 5, "_FILE", 5) != 0 ||
	    !WS_FIRST_IN(befores, name[n - 6]))
		return 0;
	for (g = never_resolve; g < never_resolve + N_NEVER; g++) {
		lit = g->glob;
		len = g->len;
		if (*lit == '*') {	/* the end of a name */
			lit++;
			len--;
			if (len <= n && name[n - 6] == lit[len - 6] &&
			    memcmp(name + n - len, lit, len) == 0)
				return 1;
		} else if (len == n && name[n - 6] == lit[len - 6] &&
		    memcmp(name, lit, n) == 0)
			return 1;
	}
	return 0;
}

const char *const *
ws_never_resolve_list(void)
{
	static const char *list[N_NEVER + 1];
	size_t i;

	for (i = 0; i < N_NEVER; i++)
		list[i] = never_resolve[i].glob;
	list[N_NEVER] = NULL;
	return list;
}

int
ws_globlist_match(char *const *list, const char *name, size_t n)
{
	size_t len;
	char c;

	if (list == NULL)
		return 0;
	for (; *list != NULL; list++) {
		c = glob_first(*list);
		if (c != '\0' && (n == 0 || name[0] != c))
			continue;	/* at once, without measuring it */
		len = strlen(*list);
		if (!glob_ruled_out(*list, len, glob_tail(*list, len), name,
		    n) && ws_wildmatch(*list, name, n))
			return 1;
	}
	return 0;
}
