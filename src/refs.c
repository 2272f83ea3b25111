/*
 * Store references (SPEC §13): which values have the form of one
 * (vault:PATH#KEY, aws-sm:ID#KEY, the ECS ARN form), and how each form
 * parses into a struct ws_ref (stores.h).  Parsing only: nothing here
 * reads a store, a file or the environment, so the unit tests and
 * stores.c (a layer above) share it.
 */
#include "config.h"

#include <string.h>

#include "withsecrets.h"
#include "policy.h"
#include "stores.h"
#include "stores-internal.h"

int
ws_ref_is(const char *v, size_t n)
{
	if (n < 6 || (v[0] != 'v' && v[0] != 'a'))
		return 0;
	if (n >= 7 && memcmp(v, "aws-sm:", 7) == 0)
		return 1;
	if (n >= 23 && memcmp(v, "arn:aws:secretsmanager:", 23) == 0)
		return 1;
	/* vault:8200, a Compose service and its port, stays a value */
	return memcmp(v, "vault:", 6) == 0 && memchr(v, '#', n) != NULL;
}

/* Bytes a path or an id may hold: none that would end or bend the
 * request line (blanks, controls, '?', '%'). */
static int
plain_bytes(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f ||
		    s[i] == '?' || s[i] == '%' || s[i] == '#')
			return 0;
	return 1;
}

static int
positive_integer(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 9 || s[0] == '0')
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* KV version 2 when a segment after the first is "data". */
int
ws_ref_kv2_path(const char *p, size_t n)
{
	const char *s = memchr(p, '/', n), *e, *end = p + n;

	while (s != NULL && s < end) {
		s++;
		e = memchr(s, '/', (size_t)(end - s));
		if (e == NULL)
			e = end;
		if (e - s == 4 && memcmp(s, "data", 4) == 0)
			return 1;
		s = e;
	}
	return 0;
}

static int
vault_path_ok(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || p[0] == '/' || p[n - 1] == '/' || !plain_bytes(p, n))
		return 0;
	for (i = 0; i + 1 < n; i++)
		if (p[i] == '/' && p[i + 1] == '/')
			return 0;
	/* ".." would leave the secret's mount in the agent's API */
	for (i = 0; i + 1 < n; i++)
		if (p[i] == '.' && p[i + 1] == '.' && (i == 0 ||
		    p[i - 1] == '/') && (i + 2 == n || p[i + 2] == '/'))
			return 0;
	return 1;
}

static int
parse_vault(const char *v, size_t n, struct ws_ref *r, const char **why)
{
	const char *h1, *h2, *end = v + n;

	v += 6;
	h1 = memchr(v, '#', (size_t)(end - v));
	r->type = WS_STORE_VAULT;
	r->id = v;
	r->idlen = (size_t)(h1 - v);
	r->key = h1 + 1;
	h2 = memchr(r->key, '#', (size_t)(end - r->key));
	r->keylen = (size_t)((h2 ? h2 : end) - r->key);
	if (!vault_path_ok(r->id, r->idlen)) {
		*why = "the path is empty or not a path (vault:secret/data/"
		    "app#KEY)";
		return -1;
	}
	if (r->keylen == 0) {
		*why = "the key after '#' is empty";
		return -1;
	}
	r->kv2 = ws_ref_kv2_path(r->id, r->idlen);
	if (h2 != NULL) {
		r->version = h2 + 1;
		r->versionlen = (size_t)(end - r->version);
		if (!positive_integer(r->version, r->versionlen)) {
			*why = "the version after the second '#' is not a "
			    "positive integer";
			return -1;
		}
		if (!r->kv2) {
			*why = "a version is for a KV version 2 path "
			    "(MOUNT/data/PATH)";
			return -1;
		}
	}
	return 0;
}

/* aws-sm:ID[#KEY] */
static int
parse_aws(const char *v, size_t n, struct ws_ref *r, const char **why)
{
	const char *h, *end = v + n;

	r->type = WS_STORE_AWS_SM;
	r->id = v + 7;
	h = memchr(r->id, '#', (size_t)(end - r->id));
	r->idlen = (size_t)((h ? h : end) - r->id);
	if (r->idlen == 0 || !plain_bytes(r->id, r->idlen)) {
		*why = "the secret id is empty or holds blanks or control "
		    "characters";
		return -1;
	}
	if (h != NULL) {
		r->key = h + 1;
		r->keylen = (size_t)(end - r->key);
		if (r->keylen == 0) {
			*why = "the key after '#' is empty";
			return -1;
		}
	}
	return 0;
}

/* arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME[:JSON_KEY
 * [:VERSION_STAGE[:VERSION_ID]]], as ECS reads it: an empty field
 * means the default. */
static int
parse_arn(const char *v, size_t n, struct ws_ref *r, const char **why)
{
	const char *f[11], *end = v + n, *p = v;
	size_t len[11], k = 0;

	while (k < 11) {		/* one more than may be: too many */
		const char *c = memchr(p, ':', (size_t)(end - p));

		f[k] = p;
		len[k++] = (size_t)((c ? c : end) - p);
		if (c == NULL)
			break;
		p = c + 1;
	}
	*why = "an ARN is arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME"
	    "[:JSON_KEY[:VERSION_STAGE[:VERSION_ID]]]";
	if (k < 7 || k > 10 || len[3] == 0 || len[4] == 0 || len[5] != 6 ||
	    memcmp(f[5], "secret", 6) != 0 || len[6] == 0 ||
	    !plain_bytes(v, (size_t)(f[6] + len[6] - v)))
		return -1;
	r->type = WS_STORE_AWS_SM;
	r->id = v;		/* the ARN up to NAME: the agent takes it */
	r->idlen = (size_t)(f[6] + len[6] - v);
	if (k > 7 && len[7] > 0) {
		r->key = f[7];
		r->keylen = len[7];
	}
	if (k > 8 && len[8] > 0) {
		r->stage = f[8];
		r->stagelen = len[8];
	}
	if (k > 9 && len[9] > 0) {
		r->version = f[9];
		r->versionlen = len[9];
	}
	return 0;
}

int
ws_ref_parse(const char *v, size_t n, struct ws_ref *r, const char **why)
{
	memset(r, 0, sizeof(*r));
	*why = "not a reference";
	if (n >= 7 && memcmp(v, "aws-sm:", 7) == 0)
		return parse_aws(v, n, r, why);
	if (n >= 23 && memcmp(v, "arn:aws:secretsmanager:", 23) == 0)
		return parse_arn(v, n, r, why);
	if (ws_ref_is(v, n))
		return parse_vault(v, n, r, why);
	return -1;
}
