/*
 * Secret stores, the requests and their answers (SPEC §13): the token
 * of an aws-sm store, one GET per noted path over http.c with retries
 * and a jittered backoff inside the store's timeout, the mapping of the
 * agent's answers to exit codes, and the values and imports taken out
 * of the JSON answers by json.c, every byte of them in ws_fetched.
 *
 * A layer above stores.c, which notes the requests (stores-internal.h):
 * main calls ws_stores_fetch() and ws_stores_import() here, and
 * stores.c reaches answer() only through the pointer ws_stores_fetch()
 * hands it.  The launcher links none of this (handoff.h).
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
#include "stores-internal.h"

#define ATTEMPTS	3	/* per path, within the store's timeout */

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
	struct store *s = ws_stores_store(q->store);
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

/* The value of a reference out of its request's answer (stores.c calls
 * it through ws_stores_answered()). */
static int
answer(struct ws_run *run, const struct ws_ref *r, struct request *q,
    const struct ws_var *v, const char *src, char **val, size_t *len)
{
	if (!q->done)	/* first needed by interpolation */
		fetch_one(run, q);
	if (q->code != 0)
		return q->code;
	return extract(run, r, q, v, src, val, len);
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
	size_t i, n_reqs;
	struct request *reqs = ws_stores_requests(&n_reqs);
	int bad = 0;

	/* every token read before the first request */
	for (i = 0; i < n_reqs; i++)
		if (read_token(run, ws_stores_store(reqs[i].store)) != 0)
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
	ws_stores_answered(answer);
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

	if (ws_stores_store(q->store)->type == WS_STORE_VAULT) {
		int kv2 = ws_ref_kv2_path(q->target + 4, strlen(q->target + 4));

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
	const struct store *s = ws_stores_store(q->store);
	char *doc;
	size_t len;
	int rc;

	c.src = ws_store_source(run->store, WS_KIND_STORE, q->display, rank);
	if (s->type == WS_STORE_VAULT) {
		int kv2 = ws_ref_kv2_path(q->target + 4, strlen(q->target + 4));

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
	size_t i, n_reqs;
	struct request *reqs;
	int rank = WS_RANK_STORE;

	if (!ws_stores_ready())
		return;
	ws_stores_build_table(run);
	reqs = ws_stores_requests(&n_reqs);
	/* noted in store order, each store's paths in order: a later
	 * import ranks over an earlier one */
	for (i = 0; i < n_reqs; i++)
		if (reqs[i].name[0] == '*' && reqs[i].code == 0 && reqs[i].done)
			import_one(run, &reqs[i], rank--);
}
