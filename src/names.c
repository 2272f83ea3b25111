/*
 * Variable names: which are valid, which are NAME_FILE / FILE__NAME
 * pointers, and which *_FILE variables are paths that programs read
 * themselves and must never be resolved.
 */
#include "config.h"

#include <string.h>

#include "withsecrets.h"

/* Decode one UTF-8 sequence; returns its length or 0 when invalid. */
static size_t
utf8_decode(const unsigned char *s, size_t n, unsigned long *cp)
{
	size_t len, i;
	unsigned long c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		c = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		c = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond Unicode */
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) ||
	    (len == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/*
 * Outside ASCII, the letters and numbers of Unicode (categories L and
 * N), as Compose (Go's unicode.IsLetter / IsNumber) accepts for CLÉ;
 * the table is generated into unicode_names.c.
 */
static int
unicode_is_name_char(unsigned long c)
{
	return ws_unicode_letter_or_number((uint32_t)c);
}

/* Letters (Unicode too), digits, '_', '.', '-', '[' and ']'. */
int
ws_name_valid(const char *name, size_t n)
{
	const unsigned char *s = (const unsigned char *)name;
	unsigned long cp;
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
		if ((l = utf8_decode(s + i, n - i, &cp)) == 0 ||
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
 * *_FILE variables that name files programs read themselves.  The list
 * is always applied; the policy's ignore-file-vars adds to it.
 */
static const char *const never_resolve[] = {
	"SSL_CERT_FILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
	"AWS_WEB_IDENTITY_TOKEN_FILE", "LOG_FILE", "PID_FILE", "CONFIG_FILE",
	"COMPOSE_FILE", "ENV_FILE", "DOTENV_FILE", "KUBECONFIG_FILE",
	"*_LOG_FILE", "*_PID_FILE", "*_CONFIG_FILE", "*_CERT_FILE",
	"*_CERTS_FILE", "*_CA_FILE", "*_SOCKET_FILE", "*_LOCK_FILE",
	NULL
};

int
ws_never_resolve_builtin(const char *name, size_t n)
{
	return ws_globlist_match((char *const *)never_resolve, name, n);
}

const char *const *
ws_never_resolve_list(void)
{
	return never_resolve;
}

int
ws_glob_match(const char *pattern, const char *name, size_t n)
{
	/* names are NUL-terminated where they are stored */
	(void)n;
	return ws_wildmatch(pattern, name, n);
}

int
ws_globlist_match(char *const *list, const char *name, size_t n)
{
	if (list == NULL)
		return 0;
	for (; *list != NULL; list++)
		if (ws_glob_match(*list, name, n))
			return 1;
	return 0;
}
