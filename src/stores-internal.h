/*
 * stores-internal.h: what the three parts of the secret stores (SPEC
 * §13) share.  refs.c parses a reference (layer 1); stores.c holds the
 * stores of a run and the requests its references need, and judges
 * every local setting (layer 7); stores-fetch.c makes the requests and
 * takes the values and the imports out of the answers (layer 8).  The
 * calls go down only: stores.c reaches the answers through the pointer
 * that ws_stores_fetch() gives it (ws_stores_answered()).
 */
#ifndef WS_STORES_INTERNAL_H
#define WS_STORES_INTERNAL_H

#include <stddef.h>
#include "withsecrets.h"
#include "policy.h"
#include "http.h"
#include "stores.h"

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

/* refs.c: is this vault path a KV version 2 one (a segment after the
 * first is "data")? */
int	 ws_ref_kv2_path(const char *, size_t);

/* stores.c: the [store] sections with their defaults, and
 * VAULT_AGENT_ADDR alone; built once per reading. */
void	 ws_stores_build_table(struct ws_run *);
/* stores.c: the store of a request (its index in the table). */
struct store *ws_stores_store(size_t);
/* stores.c: the requests noted so far, and how many there are. */
struct request *ws_stores_requests(size_t *);

/* stores-fetch.c: the value of reference r, used by v (set at src), out
 * of its request's answer, into ws_fetched; the request is made first
 * when no earlier one did.  0, or the code of a finding. */
typedef int ws_stores_answer_fn(struct ws_run *, const struct ws_ref *r,
    struct request *, const struct ws_var *v, const char *src, char **val,
    size_t *len);
/* stores.c: the answers are at hand (the second reading), and this
 * gives each reference its value; NULL until ws_stores_fetch(), and
 * again after ws_stores_forget(). */
void	 ws_stores_answered(ws_stores_answer_fn *);

#endif /* WS_STORES_INTERNAL_H */
