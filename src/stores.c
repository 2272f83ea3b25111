/*
 * Secret stores through their local agent (SPEC §13): Vault Agent or
 * Proxy (KV versions 1 and 2) and the AWS Secrets Manager Agent, over a
 * Unix socket or a loopback port (http.c), their answers read by
 * json.c, every byte of them in the arena ws_fetched.
 *
 * The two readings of a run that uses a store (stores.h, main.c): the
 * first marks the references that win (WS_VAR_REFERENCE) and notes one
 * request per distinct path; ws_stores_fetch() makes them; the second
 * puts each fetched value in the place of its reference and adds the
 * imports.  Nothing here runs for a run without a reference: the scan
 * of the winning values looks at two bytes of each.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "withsecrets.h"
#include "util.h"
#include "secmem.h"
#include "diag.h"
#include "names.h"
#include "vars.h"
#include "policy.h"
#include "file.h"
#include "http.h"
#include "json.h"
#include "stores.h"

#define ATTEMPTS	3	/* per path, within the store's timeout */
#define AWS_SM_VIA	"http://127.0.0.1:2773"	/* the agent's port */

static const char *const type_names[] = { WS_STORE_TYPE_NAMES };

/* A store as this run uses it: its section with the defaults filled. */
struct store {
	const char	*name;
	enum ws_store_type type;
	const char	*via;		/* NULL: none given, none by default */
	const char	*via_from;	/* "via of [store x]", "VAULT_AGENT_ADDR" */
	const char	*ns;		/* X-Vault-Namespace, or NULL */
	const char	*token_file;	/* aws-sm */
	const char	*token_env;	/* aws-sm: $AWS_TOKEN */
	char		**import;
	long		 timeout_ms;
	char		*where;		/* "FILE:LINE" of its section */
	int		 checked;	/* its settings were judged */
	int		 unusable;	/* a local check failed: no request */
	struct ws_http_via addr;
	char		*token;		/* aws-sm, in ws_fetched */
	size_t		 tokenlen;
};

/* A variable whose reference needs a request, and the rank of its
 * source: an import may hide it. */
struct user {
	char		*name;
	int		 rank;
};

/* One request: a store and a path (with its version or stage). */
struct request {
	struct user	*users;
	size_t		 n_users;
	size_t		 store;
	char		*target;	/* path and query: not secret */
	char		*display;	/* "vault:PATH" for messages */
	char		*name;		/* a variable that uses it ("*": an
					 * import) */
	char		*source;	/* and where it is set */
	int		 done;
	int		 code;		/* WS_EX_* of a failure; 0: fetched */
	char		*body;		/* in ws_fetched */
	size_t		 bodylen;
};

static struct store *stores;
static size_t n_stores;
static int table_ok;		/* stores[] is built for this reading */
static struct request *reqs;
static size_t n_reqs;
static int ready;		/* the answers are at hand */

/* ------------------------------------------------------------------ */
/* References.                                                         */

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
static int
kv2_path(const char *p, size_t n)
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
	r->kv2 = kv2_path(r->id, r->idlen);
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

/* ------------------------------------------------------------------ */
/* The stores of this run.                                             */

static void
free_table(void)
{
	size_t i;

	for (i = 0; i < n_stores; i++)
		free(stores[i].where);
	free(stores);
	stores = NULL;
	n_stores = 0;
	table_ok = 0;
}

static struct store *
add_store(const char *name, enum ws_store_type type)
{
	struct store *s;

	stores = ws_xrealloc(stores, (n_stores + 1) * sizeof(*stores));
	s = &stores[n_stores++];
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->type = type;
	s->timeout_ms = WS_STORE_TIMEOUT_MS;
	return s;
}

/* The [store] sections, their defaults, and VAULT_AGENT_ADDR alone. */
static void
build_table(struct ws_run *run)
{
	const struct ws_policy *p = run->policy;
	const char *agent = ws_environ_get(run->environ_in,
	    "VAULT_AGENT_ADDR", 16);
	const char *ns = ws_environ_get(run->environ_in, "VAULT_NAMESPACE", 15);
	struct store *s;
	int vault = 0;
	size_t i;

	if (table_ok)
		return;
	free_table();
	table_ok = 1;
	for (i = 0; p != NULL && i < p->n_stores; i++) {
		const struct ws_storedecl *d = &p->stores[i];

		s = add_store(d->name, d->type);
		s->via = d->via;
		s->via_from = "via";
		s->ns = d->ns;
		s->token_file = d->token_file;
		s->import = d->import;
		s->timeout_ms = d->timeout_ms;
		s->where = ws_where_fmt(&d->where);
		if (d->type == WS_STORE_VAULT) {
			vault = 1;
			if (s->via == NULL && agent != NULL && *agent != '\0') {
				s->via = agent;
				s->via_from = "VAULT_AGENT_ADDR";
			}
			if (s->ns == NULL && ns != NULL && *ns != '\0')
				s->ns = ns;
		} else {
			if (s->via == NULL)
				s->via = AWS_SM_VIA;
			s->token_env = ws_environ_get(run->environ_in,
			    "AWS_TOKEN", 9);
		}
	}
	/* VAULT_AGENT_ADDR alone declares a vault store */
	if (!vault && agent != NULL && *agent != '\0') {
		s = add_store("vault", WS_STORE_VAULT);
		s->via = agent;
		s->via_from = "VAULT_AGENT_ADDR";
		s->ns = ns != NULL && *ns != '\0' ? ns : NULL;
		s->where = ws_xstrdup("VAULT_AGENT_ADDR");
	}
}

/* The store of a reference's type: the one named as the type, or the
 * only one; -1 when there is none (or several, none named so). */
static long
store_for(enum ws_store_type type)
{
	long found = -1;
	size_t i, n = 0;

	for (i = 0; i < n_stores; i++) {
		if (stores[i].type != type)
			continue;
		if (strcmp(stores[i].name, type_names[type]) == 0)
			return (long)i;
		found = (long)i;
		n++;
	}
	return n == 1 ? found : -1;
}

/* Judge a store's settings once, before any request (local). */
static int
store_usable(struct store *s)
{
	const char *why;

	if (s->checked)
		return !s->unusable;
	s->checked = 1;
	if (s->via == NULL) {
		ws_finding(WS_SEV_ERROR, WS_EX_POLICY, "store", NULL, s->where,
		    "[store %s] has no via and VAULT_AGENT_ADDR is not set; "
		    "add via = unix:PATH or http://127.0.0.1:PORT", s->name);
		s->unusable = 1;
	} else if (ws_http_via_parse(s->via, &s->addr, &why) != 0) {
		/* the section's via was judged with the policy file */
		ws_finding(WS_SEV_ERROR, WS_EX_POLICY, "store",
		    "VAULT_AGENT_ADDR", "environment", "VAULT_AGENT_ADDR for "
		    "[store %s]: %s", s->name, why);
		s->unusable = 1;
	} else if (s->type == WS_STORE_AWS_SM && s->token_file == NULL &&
	    (s->token_env == NULL || *s->token_env == '\0')) {
		ws_finding(WS_SEV_ERROR, WS_EX_POLICY, "store", "AWS_TOKEN",
		    s->where, "[store %s] has no token for the Secrets Manager "
		    "Agent: set token-file or AWS_TOKEN (the agent's SSRF "
		    "token)", s->name);
		s->unusable = 1;
	}
	return !s->unusable;
}

/* ------------------------------------------------------------------ */
/* Requests.                                                           */

static void
put_encoded(char **o, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;
	size_t i;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-_.~", c) != NULL) {
			*(*o)++ = (char)c;
			continue;
		}
		*(*o)++ = '%';
		*(*o)++ = hex[c >> 4];
		*(*o)++ = hex[c & 15];
	}
	**o = '\0';
}

/* What to ask the agent for a reference: the path and query. */
static char *
request_target(const struct ws_ref *r)
{
	char *t, *o;

	if (r->type == WS_STORE_VAULT)
		return r->version != NULL ?
		    ws_xasprintf("/v1/%.*s?version=%.*s", (int)r->idlen, r->id,
		    (int)r->versionlen, r->version) :
		    ws_xasprintf("/v1/%.*s", (int)r->idlen, r->id);
	t = ws_xmalloc(64 + 3 * (r->idlen + r->stagelen + r->versionlen));
	o = t + sizeof("/secretsmanager/get?secretId=") - 1;
	memcpy(t, "/secretsmanager/get?secretId=", (size_t)(o - t));
	put_encoded(&o, r->id, r->idlen);
	if (r->stage != NULL) {
		memcpy(o, "&versionStage=", 14);
		o += 14;
		put_encoded(&o, r->stage, r->stagelen);
	}
	if (r->version != NULL) {
		memcpy(o, "&versionId=", 11);
		o += 11;
		put_encoded(&o, r->version, r->versionlen);
	}
	*o = '\0';
	return t;
}

static void
add_user(struct request *q, const char *name, int rank)
{
	q->users = ws_xrealloc(q->users, (q->n_users + 1) * sizeof(*q->users));
	q->users[q->n_users].name = ws_xstrdup(name);
	q->users[q->n_users++].rank = rank;
}

/* The request for (store, target), noted once. */
static struct request *
note_request(size_t store, char *target, const char *display,
    const char *name, const char *source)
{
	struct request *q;
	size_t i;

	for (i = 0; i < n_reqs; i++)
		if (reqs[i].store == store && strcmp(reqs[i].target, target) == 0) {
			free(target);
			return &reqs[i];
		}
	reqs = ws_xrealloc(reqs, (n_reqs + 1) * sizeof(*reqs));
	q = &reqs[n_reqs++];
	memset(q, 0, sizeof(*q));
	q->store = store;
	q->target = target;
	q->display = ws_xstrdup(display);
	q->name = ws_xstrdup(name);
	q->source = source ? ws_xstrdup(source) : NULL;
	return q;
}

int
ws_stores_pending(void)
{
	return n_reqs > 0 && !ready;
}

int
ws_stores_ready(void)
{
	return ready;
}

/* ------------------------------------------------------------------ */
/* Fetching.                                                           */

/* The finding of a failed request, with the code it maps to. */
static void
fail(struct request *q, int code, const char *fmt, ...) WS_PRINTF(3, 4);

static void
fail(struct request *q, int code, const char *fmt, ...)
{
	char *why;
	va_list ap;

	va_start(ap, fmt);
	why = ws_xvasprintf(fmt, ap);
	va_end(ap);
	q->code = code;
	ws_finding(WS_SEV_ERROR, code, "store", q->name, q->source,
	    "%s: %s", q->display, why);
	free(why);
}

/* The token of an aws-sm store (a secret, read like a secret file):
 * token-file, else $AWS_TOKEN, whose file://PATH form names a file. */
static int
read_token(struct ws_run *run, struct store *s)
{
	const char *path = s->token_file;
	struct ws_read r;
	struct ws_blob b;
	char *t;
	int rc;

	if (s->token != NULL || s->type != WS_STORE_AWS_SM)
		return 0;
	if (s->unusable)
		return WS_EX_POLICY;
	if (path == NULL && strncmp(s->token_env, "file://", 7) != 0) {
		s->token = (char *)s->token_env;	/* read-only use */
		s->tokenlen = strlen(s->token_env);
		return 0;
	}
	if (path == NULL)
		path = s->token_env + 7;
	memset(&r, 0, sizeof(r));
	r.dirfd = AT_FDCWD;
	r.path = path;
	r.display = path;
	r.name = "AWS_TOKEN";
	r.max = run->set->max_secret_size;
	r.secret = 1;
	if ((rc = ws_file_read(&r, &b)) != 0) {
		s->unusable = 1;
		return rc == 1 ? WS_EX_NOINPUT : rc;
	}
	/* kept with the answers, not in the work arena of one reading */
	if ((t = ws_arena_alloc(&ws_fetched, b.len + 1)) == NULL) {
		sodium_memzero(b.p, b.len);
		ws_fatal_nomem();
	}
	memcpy(t, b.p, b.len + 1);
	sodium_memzero(b.p, b.len);
	s->token = t;
	s->tokenlen = b.len;
	return 0;
}

enum { PERMANENT, TRANSIENT };

/* The code of an AWS error type ("...#ThrottlingException" too), or 0
 * when it is not one that is known. */
static int
aws_type_code(const char *t, size_t n, int *transient)
{
	static const struct { const char *type; int code, transient; } map[] = {
		{ "ThrottlingException", WS_EX_TEMPFAIL, 1 },
		{ "InternalServiceError", WS_EX_TEMPFAIL, 1 },
		{ "InternalServiceErrorException", WS_EX_TEMPFAIL, 1 },
		{ "InternalFailure", WS_EX_TEMPFAIL, 1 },
		{ "ServiceUnavailable", WS_EX_TEMPFAIL, 1 },
		{ "RequestTimeout", WS_EX_TEMPFAIL, 1 },
		{ "AccessDeniedException", WS_EX_PERM, 0 },
		{ "DecryptionFailure", WS_EX_PERM, 0 },
		{ "DecryptionFailureException", WS_EX_PERM, 0 },
		{ "UnrecognizedClientException", WS_EX_PERM, 0 },
		{ "ExpiredTokenException", WS_EX_PERM, 0 },
		{ "ResourceNotFoundException", WS_EX_NOINPUT, 0 },
		{ "InvalidRequestException", WS_EX_NOINPUT, 0 },
		{ "InvalidParameterException", WS_EX_POLICY, 0 },
		{ "ValidationException", WS_EX_POLICY, 0 },
	};
	const char *h;
	size_t i;

	while ((h = memchr(t, '#', n)) != NULL) {	/* a namespace before */
		n -= (size_t)(h + 1 - t);
		t = h + 1;
	}
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strlen(map[i].type) == n && memcmp(map[i].type, t, n) == 0) {
			*transient = map[i].transient;
			return map[i].code;
		}
	return 0;
}

/* The code of an HTTP status that is not 200, and whether it may pass
 * (SPEC §13's list).  The AWS agent's error bodies say more: their
 * __type comes first. */
static int
status_code(const struct store *s, const struct ws_http_answer *a,
    int *transient, char **type_out)
{
	static const char *const type_path[] = { "__type" };
	char *type = NULL;
	size_t tlen;
	int code;

	*transient = 0;
	*type_out = NULL;
	if (s->type == WS_STORE_AWS_SM && a->bodylen > 0 &&
	    ws_json_string(a->body, a->bodylen, type_path, 1, &ws_fetched,
	    &type, &tlen) == WS_JSON_OK && tlen > 0 && tlen < 128 &&
	    (code = aws_type_code(type, tlen, transient)) != 0) {
		*type_out = type;
		return code;
	}
	if (a->status >= 300 && a->status < 400)
		return WS_EX_DATAERR;	/* an agent never redirects */
	if (a->status == 401 || a->status == 403)
		return WS_EX_PERM;
	if (a->status == 404 || a->status == 204)
		return WS_EX_NOINPUT;
	if (a->status == 412 || a->status == 429 || a->status >= 500) {
		*transient = 1;
		return WS_EX_TEMPFAIL;
	}
	if (a->status >= 400)
		return WS_EX_POLICY;	/* the path is wrong for this store */
	return WS_EX_DATAERR;		/* 201, 206, ...: not an answer */
}

static const char *
status_advice(int code)
{
	switch (code) {
	case WS_EX_PERM:
		return "the store refused access; give the agent's identity "
		    "read access to it";
	case WS_EX_NOINPUT:
		return "the store does not have it";
	case WS_EX_POLICY:
		return "the store says the request is wrong for it; check the "
		    "path (its mount, KV version 1 or 2)";
	case WS_EX_TEMPFAIL:
		return "the store is unavailable (sealed, overloaded or "
		    "unreachable); a restart may succeed";
	default:
		return "the answer is not one a store gives (a redirect?)";
	}
}

/* Milliseconds to wait before attempt i (1, 2): jittered, so that many
 * instances started together do not ask again together. */
static long
backoff_ms(int i, long left)
{
	long base = 100L << (i - 1);
	long ms = base / 2 + (long)randombytes_uniform((uint32_t)base + 1);

	return ms < left / 4 ? ms : left / 4;
}

static void
headers_for(const struct store *s, struct ws_http_header *h, size_t *nh)
{
	*nh = 0;
	if (s->type == WS_STORE_VAULT) {
		h[(*nh)++] = (struct ws_http_header){ "X-Vault-Request", "true",
		    4 };
		if (s->ns != NULL)
			h[(*nh)++] = (struct ws_http_header){ "X-Vault-Namespace",
			    s->ns, strlen(s->ns) };
	} else
		h[(*nh)++] = (struct ws_http_header){
		    "X-Aws-Parameters-Secrets-Token", s->token, s->tokenlen };
}

/* One request, up to ATTEMPTS times within the store's timeout. */
static void
fetch_one(struct ws_run *run, struct request *q)
{
	struct store *s = &stores[q->store];
	struct ws_http_header h[2];
	struct ws_http_answer a;
	size_t nh, max = 4 * run->set->max_secret_size + 65536;
	long long start = ws_http_now_ms(), end = start + s->timeout_ms, now;
	char *type = NULL;
	int i, rc = WS_HTTP_OK, err = 0, code = 0, transient = 1;

	q->done = 1;
	if ((q->code = read_token(run, s)) != 0)
		return;		/* the reader said why */
	headers_for(s, h, &nh);
	for (i = 0; i < ATTEMPTS; i++) {
		if (i > 0) {
			now = ws_http_now_ms();
			if (end - now <= 0)
				break;
			(void)poll(NULL, 0, (int)backoff_ms(i, (long)(end - now)));
		}
		now = ws_http_now_ms();
		if (end - now <= 0)
			break;
		/* the attempts share what is left of the timeout */
		rc = ws_http_get(&s->addr, q->target, h, nh, max,
		    now + (end - now) / (ATTEMPTS - i), &ws_fetched, &a, &err);
		if (rc == WS_HTTP_OK && a.status == 200) {
			q->body = a.body;
			q->bodylen = a.bodylen;
			ws_verbose_msg("%s: fetched from [store %s]",
			    q->display, s->name);
			return;
		}
		if (rc == WS_HTTP_MALFORMED || rc == WS_HTTP_TOO_BIG ||
		    rc == WS_HTTP_NOMEM)
			break;
		if (rc == WS_HTTP_OK) {
			code = status_code(s, &a, &transient, &type);
			if (!transient)
				break;
		}
	}
	if (rc == WS_HTTP_MALFORMED || rc == WS_HTTP_TOO_BIG)
		fail(q, WS_EX_DATAERR, "%s", ws_http_strerror(rc));
	else if (rc == WS_HTTP_NOMEM)
		fail(q, WS_EX_SOFTWARE, "out of guarded memory");
	else if (rc == WS_HTTP_OK && type != NULL)
		fail(q, code, "%s: %s (HTTP %d)", status_advice(code), type,
		    a.status);
	else if (rc == WS_HTTP_OK)
		fail(q, code, "%s (HTTP %d%s)", status_advice(code), a.status,
		    a.location ? ", a redirect, which is not followed" : "");
	else
		fail(q, WS_EX_TEMPFAIL, "%s at %s%s%s, after %d attempts in "
		    "%ld ms; a restart may succeed", ws_http_strerror(rc),
		    s->via, err ? ": " : "", err ? strerror(err) : "",
		    i, s->timeout_ms);
}

static int import_names(struct request *, struct ws_strmap *);

/* Does an import hide every variable that uses this reference?  An
 * import ranks above the .env layers and [defaults], below the
 * inherited environment (unless --override). */
static int
hidden_by_imports(const struct request *q, struct ws_strmap *imported)
{
	size_t i;
	int added;

	if (imported->n == 0)
		return 0;
	for (i = 0; i < q->n_users; i++) {
		if (q->users[i].rank < WS_RANK_STORE)
			return 0;
		/* imported names map to 1; a name looked up and not
		 * there is added with 0 */
		if (ws_strmap_put(imported, q->users[i].name,
		    strlen(q->users[i].name), 0, &added) == 0)
			return 0;
	}
	return 1;
}

void
ws_stores_fetch(struct ws_run *run)
{
	struct ws_strmap imported = { 0 };
	size_t i;
	int bad = 0;

	/* every token read before the first request */
	for (i = 0; i < n_reqs; i++)
		if (read_token(run, &stores[reqs[i].store]) != 0)
			bad = 1;
	if (bad)
		return;
	/* the imports first: a reference they hide is not fetched */
	for (i = 0; i < n_reqs; i++)
		if (reqs[i].name[0] == '*') {
			fetch_one(run, &reqs[i]);
			if (reqs[i].code == 0)
				(void)import_names(&reqs[i], &imported);
		}
	for (i = 0; i < n_reqs; i++)
		if (!reqs[i].done && !hidden_by_imports(&reqs[i], &imported))
			fetch_one(run, &reqs[i]);
	ws_strmap_free(&imported);
	ready = 1;
}

/* ------------------------------------------------------------------ */
/* Values out of the answers.                                          */

/* The finding of a value that cannot be taken from an answer. */
static int
json_failure(int rc, const struct ws_var *v, const char *src,
    const char *what)
{
	int code = rc == WS_JSON_MISSING || rc == WS_JSON_NULL_PARENT ?
	    WS_EX_NOINPUT : rc == WS_JSON_NOMEM ? WS_EX_SOFTWARE :
	    WS_EX_DATAERR;

	ws_finding(WS_SEV_ERROR, code, "store", v ? v->name : NULL, src,
	    "%s: %s", what, ws_json_strerror(rc));
	return code;
}

/* The value of a reference in its request's answer, into ws_fetched. */
static int
extract(struct ws_run *run, const struct ws_ref *r, struct request *q,
    const struct ws_var *v, const char *src, char **val, size_t *len)
{
	const char *path[3];
	char *key, *doc;
	size_t doclen;
	int rc;

	key = ws_xstrndup(r->key ? r->key : "", r->key ? r->keylen : 0);
	if (r->type == WS_STORE_VAULT) {
		path[0] = "data";
		path[1] = r->kv2 ? "data" : key;
		path[2] = key;
		rc = ws_json_string(q->body, q->bodylen, path, r->kv2 ? 3 : 2,
		    &ws_fetched, val, len);
	} else {
		path[0] = "SecretString";
		rc = ws_json_string(q->body, q->bodylen, path, 1, &ws_fetched,
		    &doc, &doclen);
		if (rc == WS_JSON_MISSING)
			rc = WS_JSON_NO_PARENT;	/* a binary secret */
		if (rc == WS_JSON_OK && r->key != NULL) {
			path[0] = key;
			rc = ws_json_string(doc, doclen, path, 1, &ws_fetched,
			    val, len);
			sodium_memzero(doc, doclen);
		} else if (rc == WS_JSON_OK) {
			*val = doc;
			*len = doclen;
		}
	}
	free(key);
	if (rc != WS_JSON_OK)
		return json_failure(rc, v, src, q->display);
	if (*len > run->set->max_secret_size) {
		sodium_memzero(*val, *len);
		ws_finding(WS_SEV_ERROR, WS_EX_DATAERR, "max-secret-size",
		    v ? v->name : NULL, src, "%s: the value is longer than "
		    "max-secret-size (%zu bytes)", q->display,
		    run->set->max_secret_size);
		return WS_EX_DATAERR;
	}
	return 0;
}

/* Can this entry be a reference?  A value of the inherited environment,
 * a .env layer or [defaults], not one read from a file (SPEC §13). */
static int
may_refer(const struct ws_var *v)
{
	return !(v->flags & (WS_VAR_FROM_FILE | WS_VAR_NO_VALUE |
	    WS_VAR_SKIPPED | WS_VAR_POINTER | WS_VAR_FETCHED)) &&
	    v->src->kind != WS_KIND_SECRET_DIR &&
	    v->src->kind != WS_KIND_STORE && ws_ref_is(v->value, v->vallen);
}

/* The request of a parsed reference (noted when new). */
static struct request *
request_of(const struct ws_ref *r, long store, const struct ws_var *v,
    const char *src)
{
	char *display = ws_xasprintf("%s:%.*s", type_names[r->type],
	    (int)r->idlen, r->id);
	struct request *q = note_request((size_t)store, request_target(r),
	    display, v->name, src);

	if (!ready)
		add_user(q, v->name, v->src->rank);
	free(display);
	return q;
}

/* One winning reference: judged, and in the second reading replaced by
 * its value.  0, or the code of a finding. */
static int
one_reference(struct ws_run *run, struct ws_var *v)
{
	struct ws_ref r;
	struct request *q;
	const char *why;
	char *src, *val;
	size_t len;
	long s;
	int rc = 0;

	build_table(run);
	src = ws_var_source(v);
	if (ws_ref_parse(v->value, v->vallen, &r, &why) != 0) {
		ws_finding(WS_SEV_ERROR, WS_EX_POLICY, "bad-reference", v->name,
		    src, "not a valid store reference: %s", why);
		rc = WS_EX_POLICY;
	} else if ((s = store_for(r.type)) < 0) {
		ws_finding(run->strict ? WS_SEV_ERROR : WS_SEV_WARNING,
		    run->strict ? WS_EX_POLICY : 0, "unresolved-reference",
		    v->name, src, "is a %s reference but no [store] of type %s "
		    "is declared%s; declare one (withsecrets.conf(5)), or the "
		    "command gets the reference as its value", type_names[r.type],
		    type_names[r.type], r.type == WS_STORE_VAULT ?
		    " and VAULT_AGENT_ADDR is not set" : "");
		rc = run->strict ? WS_EX_POLICY : 0;
	} else if (!store_usable(&stores[s])) {
		rc = WS_EX_POLICY;
	} else {
		q = request_of(&r, s, v, src);
		v->flags |= WS_VAR_REFERENCE;
		if (ready) {
			if (!q->done)	/* first needed by interpolation */
				fetch_one(run, q);
			if (q->code != 0)
				rc = q->code;
			else if ((rc = extract(run, &r, q, v, src, &val,
			    &len)) == 0) {
				v->file_path = ws_intern(v->value, v->vallen);
				v->value = val;
				v->vallen = len;
				v->flags = (v->flags & ~WS_VAR_REFERENCE) |
				    WS_VAR_FETCHED | WS_VAR_SECRET;
			}
		}
	}
	free(src);
	return rc;
}

struct ws_var *
ws_stores_value(struct ws_run *run, struct ws_var *v)
{
	if (v != NULL && ready && may_refer(v))
		(void)one_reference(run, v);	/* findings say */
	return v;
}

/* The entry of a name that wins, as ws_effective() (a layer above)
 * sees it: a value --clean drops, an --unset name or a WITHSECRETS_*
 * variable is never fetched either. */
static struct ws_var *
winner(const struct ws_run *run, struct ws_var *v)
{
	char *const *u;

	if (v->namelen >= 12 && memcmp(v->name, "WITHSECRETS_", 12) == 0)
		return NULL;
	for (u = run->opts->unset; u != NULL && *u != NULL; u++)
		if (strcmp(*u, v->name) == 0)
			return NULL;
	for (; v != NULL; v = v->next_in_name) {
		if (v->flags & (WS_VAR_NO_VALUE | WS_VAR_SKIPPED))
			continue;
		if (run->opts->clean && v->src->kind == WS_KIND_INHERITED &&
		    !ws_globlist_match(run->set->keep, v->name, v->namelen) &&
		    !ws_globlist_match(run->opts->keep, v->name, v->namelen))
			continue;
		return v;
	}
	return NULL;
}

/* The imports: one request each, noted when the store is usable. */
static void
note_imports(void)
{
	struct ws_ref r;
	const char *why;
	char *ref;
	size_t i, j;

	for (i = 0; i < n_stores; i++)
		for (j = 0; stores[i].import && stores[i].import[j]; j++) {
			if (!store_usable(&stores[i]))
				break;
			/* parsed as a reference to a key, so that a path
			 * is judged as a reference's is */
			ref = ws_xasprintf("%s:%s#*", type_names[stores[i].type],
			    stores[i].import[j]);
			if (ws_ref_parse(ref, strlen(ref), &r, &why) != 0 ||
			    r.version != NULL || r.keylen != 1) {
				ws_finding(WS_SEV_ERROR, WS_EX_POLICY, "store",
				    NULL, stores[i].where, "import of [store %s] "
				    "is not a path or secret id: %s",
				    stores[i].name, why);
				free(ref);
				continue;
			}
			ref[strlen(ref) - 2] = '\0';	/* the "#*" */
			r.key = NULL;
			(void)note_request(i, request_target(&r), ref, "*",
			    stores[i].where);
			free(ref);
		}
}

void
ws_stores_check(struct ws_run *run)
{
	struct ws_var *v;
	size_t it = 0;

	/* most runs: no value even starts as a reference can */
	if (ws_store_may_refer(run->store))
		while ((v = ws_store_next(run->store, &it)) != NULL)
			if ((v = winner(run, v)) != NULL && may_refer(v))
				(void)one_reference(run, v);
	if (run->policy != NULL && run->policy->n_stores > 0) {
		build_table(run);
		if (!ready)
			note_imports();
	}
}

static void
offline_import(void *arg, const char *store, const char *ref)
{
	(void)arg;
	ws_finding(WS_SEV_INFO, 0, "not-fetched", "*", ref, "the import of "
	    "[store %s], not fetched (--offline)", store);
}

void
ws_stores_offline(struct ws_run *run)
{
	struct ws_var *v;
	size_t it = 0;
	char *src;

	if (!ws_diag_wanted(WS_SEV_INFO))
		return;
	ws_stores_each_import(run, offline_import, NULL);
	while ((v = ws_store_next(run->store, &it)) != NULL) {
		if ((v = winner(run, v)) == NULL ||
		    !(v->flags & WS_VAR_REFERENCE))
			continue;
		src = ws_var_source(v);
		ws_finding(WS_SEV_INFO, 0, "not-fetched", v->name, src,
		    "a store reference, not fetched (--offline): the rules "
		    "that need its value are skipped");
		free(src);
	}
}

/* ------------------------------------------------------------------ */
/* Imports.                                                            */

struct import_ctx {
	struct ws_run	*run;
	struct ws_source *src;
	struct request	*q;
	int		 code;
};

/* A key to a name as a secret-directory entry's (SPEC §5.2). */
static int
import_member(void *arg, const char *key, size_t keylen, int rc,
    const char *val, size_t vallen)
{
	struct import_ctx *c = arg;
	char *name = ws_intern(key, keylen);
	struct ws_var *v;
	size_t i;
	int portable = keylen > 0 && !(key[0] >= '0' && key[0] <= '9');

	for (i = 0; i < keylen; i++) {
		if (name[i] >= 'a' && name[i] <= 'z')
			name[i] = (char)(name[i] - 'a' + 'A');
		else if (name[i] == '-' || name[i] == '.')
			name[i] = '_';
		else if (!((name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
			portable = 0;
	}
	if (!portable) {
		(void)ws_store_add(c->run->store, c->src, name, keylen, "", 0, 0,
		    WS_VAR_SKIPPED);
		return 0;
	}
	if (ws_store_get_in(c->run->store, c->src, name, keylen) != NULL) {
		ws_finding(WS_SEV_ERROR, WS_EX_POLICY, "store", name,
		    c->src->path, "two keys of the import map to %s; rename "
		    "one", name);
		c->code = WS_EX_POLICY;
		return 0;
	}
	if (rc != WS_JSON_OK || vallen > c->run->set->max_secret_size) {
		ws_finding(WS_SEV_ERROR, WS_EX_DATAERR, "store", name,
		    c->src->path, "%s", rc != WS_JSON_OK ? ws_json_strerror(rc) :
		    "the value is longer than max-secret-size");
		c->code = WS_EX_DATAERR;
		return 0;
	}
	v = ws_store_add(c->run->store, c->src, name, keylen, val, vallen, 0,
	    WS_VAR_SECRET | WS_VAR_FETCHED);
	v->file_path = c->src->path;
	return 0;
}

/* The names an import gives (for hidden_by_imports()). */
static int
import_name(void *arg, const char *key, size_t keylen, int rc,
    const char *val, size_t vallen)
{
	char *name = ws_xstrndup(key, keylen);
	size_t i;
	int added;

	(void)rc;
	(void)val;
	(void)vallen;
	for (i = 0; i < keylen; i++)
		if (name[i] >= 'a' && name[i] <= 'z')
			name[i] = (char)(name[i] - 'a' + 'A');
		else if (name[i] == '-' || name[i] == '.')
			name[i] = '_';
	(void)ws_strmap_put(arg, name, keylen, 1, &added);
	free(name);
	return 0;
}

static int
import_names(struct request *q, struct ws_strmap *names)
{
	static const char *const v1[] = { "data" }, *const v2[] = { "data",
	    "data" }, *const aws[] = { "SecretString" };
	char *doc;
	size_t len;
	int rc;

	if (stores[q->store].type == WS_STORE_VAULT) {
		int kv2 = kv2_path(q->target + 4, strlen(q->target + 4));

		return ws_json_members(q->body, q->bodylen, kv2 ? v2 : v1,
		    kv2 ? 2 : 1, &ws_fetched, import_name, names);
	}
	if ((rc = ws_json_string(q->body, q->bodylen, aws, 1, &ws_fetched,
	    &doc, &len)) != WS_JSON_OK)
		return rc;
	rc = ws_json_members(doc, len, NULL, 0, &ws_fetched, import_name,
	    names);
	sodium_memzero(doc, len);
	return rc;
}

static void
import_one(struct ws_run *run, struct request *q, int rank)
{
	static const char *const v1[] = { "data" }, *const v2[] = { "data",
	    "data" }, *const aws[] = { "SecretString" };
	struct import_ctx c = { run, NULL, q, 0 };
	const struct store *s = &stores[q->store];
	char *doc;
	size_t len;
	int rc;

	c.src = ws_store_source(run->store, WS_KIND_STORE, q->display, rank);
	if (s->type == WS_STORE_VAULT) {
		int kv2 = kv2_path(q->target + 4, strlen(q->target + 4));

		rc = ws_json_members(q->body, q->bodylen, kv2 ? v2 : v1,
		    kv2 ? 2 : 1, &ws_fetched, import_member, &c);
	} else if ((rc = ws_json_string(q->body, q->bodylen, aws, 1,
	    &ws_fetched, &doc, &len)) == WS_JSON_OK)
		rc = ws_json_members(doc, len, NULL, 0, &ws_fetched,
		    import_member, &c);
	if (rc != WS_JSON_OK)
		(void)json_failure(rc == WS_JSON_NOT_STRING ?
		    WS_JSON_MALFORMED : rc, NULL, s->where, q->display);
}

void
ws_stores_import(struct ws_run *run)
{
	size_t i;
	int rank = WS_RANK_STORE;

	if (!ready)
		return;
	build_table(run);
	/* noted in store order, each store's paths in order: a later
	 * import ranks over an earlier one */
	for (i = 0; i < n_reqs; i++)
		if (reqs[i].name[0] == '*' && reqs[i].code == 0 && reqs[i].done)
			import_one(run, &reqs[i], rank--);
}

void
ws_stores_each_import(struct ws_run *run,
    void (*fn)(void *, const char *, const char *), void *arg)
{
	const struct ws_storedecl *d;
	size_t i, j;
	char *ref;

	if (run->policy == NULL)
		return;
	for (i = 0; i < run->policy->n_stores; i++) {
		d = &run->policy->stores[i];
		for (j = 0; d->import != NULL && d->import[j] != NULL; j++) {
			ref = ws_xasprintf("%s:%s", type_names[d->type],
			    d->import[j]);
			fn(arg, d->name, ref);
			free(ref);
		}
	}
}

void
ws_stores_reread(void)
{
	table_ok = 0;
}

void
ws_stores_forget(void)
{
	size_t i, j;

	ws_arena_wipe(&ws_fetched);
	for (i = 0; i < n_reqs; i++) {
		free(reqs[i].target);
		free(reqs[i].display);
		free(reqs[i].name);
		free(reqs[i].source);
		for (j = 0; j < reqs[i].n_users; j++)
			free(reqs[i].users[j].name);
		free(reqs[i].users);
	}
	free(reqs);
	reqs = NULL;
	n_reqs = 0;
	ready = 0;
	free_table();
}

const struct ws_stores_hooks ws_stores_hooks = {
	ws_stores_value, ws_stores_each_import
};
