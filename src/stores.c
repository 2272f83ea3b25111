/*
 * Secret stores through their local agent (SPEC §13): the stores of a
 * run (the [store] sections with their defaults, VAULT_AGENT_ADDR), the
 * references that win, the requests they need, every local check, and
 * check --offline.  The reference forms are refs.c's; the requests and
 * their answers are stores-fetch.c's, a layer above, reached through
 * the pointer ws_stores_fetch() gives (stores-internal.h).
 *
 * The two readings of a run that uses a store (stores.h, main.c): the
 * first marks the references that win (WS_VAR_REFERENCE) and notes one
 * request per distinct path; ws_stores_fetch() makes them; the second
 * puts each fetched value in the place of its reference and adds the
 * imports.  Nothing here runs for a run without a reference: the scan
 * of the winning values looks at two bytes of each.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "withsecrets.h"
#include "opts.h"
#include "util.h"
#include "secmem.h"
#include "diag.h"
#include "names.h"
#include "vars.h"
#include "policy.h"
#include "http.h"
#include "stores.h"
#include "stores-internal.h"

#define AWS_SM_VIA	"http://127.0.0.1:2773"	/* the agent's port */

static const char *const type_names[] = { WS_STORE_TYPE_NAMES };

static struct store *stores;
static size_t n_stores;
static int table_ok;		/* stores[] is built for this reading */
static struct request *reqs;
static size_t n_reqs;
/* the answers are at hand (the second reading): set by ws_stores_fetch() */
static ws_stores_answer_fn *answer;

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
void
ws_stores_build_table(struct ws_run *run)
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
	return n_reqs > 0 && answer == NULL;
}

int
ws_stores_ready(void)
{
	return answer != NULL;
}

void
ws_stores_answered(ws_stores_answer_fn *fn)
{
	answer = fn;
}

struct store *
ws_stores_store(size_t i)
{
	return &stores[i];
}

struct request *
ws_stores_requests(size_t *n)
{
	*n = n_reqs;
	return reqs;
}

/* ------------------------------------------------------------------ */
/* The references that win.                                            */

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

	if (answer == NULL)
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

	ws_stores_build_table(run);
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
		if (answer != NULL && (rc = answer(run, &r, q, v, src, &val,
		    &len)) == 0) {
			v->file_path = ws_intern(v->value, v->vallen);
			v->value = val;
			v->vallen = len;
			v->flags = (v->flags & ~WS_VAR_REFERENCE) |
			    WS_VAR_FETCHED | WS_VAR_SECRET;
		}
	}
	free(src);
	return rc;
}

struct ws_var *
ws_stores_value(struct ws_run *run, struct ws_var *v)
{
	if (v != NULL && answer != NULL && may_refer(v))
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
		ws_stores_build_table(run);
		if (answer == NULL)
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
	answer = NULL;
	free_table();
}

const struct ws_stores_hooks ws_stores_hooks = {
	ws_stores_value, ws_stores_each_import
};
