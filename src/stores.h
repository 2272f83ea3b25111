/*
 * stores.c: secret stores reached through their local agent (SPEC §13):
 * the references (vault:PATH#KEY, aws-sm:ID#KEY, the ECS ARN form), the
 * [store] sections and VAULT_AGENT_ADDR, the requests, the exit codes of
 * their answers, and `import`.
 *
 * A run that uses a store reads its sources twice (main.c): once with
 * nothing fetched, so that every local check runs before the first
 * request; then, when nothing stopped it, the requests are made (one per
 * distinct path) and the sources are read again with the answers at
 * hand, so that interpolation and the rules see the fetched values and
 * an import ranks where SPEC §4 puts it.  The answers live in their own
 * arena (ws_fetched) between the two readings.
 */
#ifndef WS_STORES_H
#define WS_STORES_H

#include <stddef.h>
#include "withsecrets.h"
#include "policy.h"

/* A parsed reference; the pieces point into the value. */
struct ws_ref {
	enum ws_store_type type;
	const char	*id;		/* vault: PATH; aws-sm: the secret id */
	size_t		 idlen;
	const char	*key;		/* NULL: the whole SecretString */
	size_t		 keylen;
	const char	*stage;		/* aws-sm versionStage, or NULL */
	size_t		 stagelen;
	const char	*version;	/* vault ?version=N, aws-sm versionId */
	size_t		 versionlen;
	int		 kv2;		/* vault: a KV version 2 path */
};

/* Has the value the form of a reference (SPEC §13)?  A cheap test on
 * the first bytes: most values are not. */
int	 ws_ref_is(const char *, size_t);
/* 0, or -1 with *why: a bad reference (78). */
int	 ws_ref_parse(const char *, size_t, struct ws_ref *, const char **why);

/* Find the references that win under the precedence, mark them
 * (WS_VAR_REFERENCE), report the bad and unresolved ones, and note what
 * would be fetched; with answers at hand, put the fetched values in
 * their place instead.  Nothing is sent. */
void	 ws_stores_check(struct ws_run *);
/* Is there anything to fetch (a reference that survived, an import)? */
int	 ws_stores_pending(void);
/* Make the requests noted by ws_stores_check(): one per distinct path,
 * retried when the failure may pass; every failure is a finding. */
void	 ws_stores_fetch(struct ws_run *);
/* Are the answers at hand (the second reading)? */
int	 ws_stores_ready(void);
/* The second reading: the import sources, after the secret dirs. */
void	 ws_stores_import(struct ws_run *);
/* For interpolation: v, with its fetched value put in place when it is
 * a reference and the answers are at hand. */
struct ws_var *ws_stores_value(struct ws_run *, struct ws_var *);
/* `check --offline`: a not-fetched information finding per reference. */
void	 ws_stores_offline(struct ws_run *);
/* explain: each import (its store's name, "TYPE:PATH"). */
void	 ws_stores_each_import(struct ws_run *,
	    void (*)(void *, const char *store, const char *path), void *);
/* The second reading begins: the stores are judged again, the answers
 * kept. */
void	 ws_stores_reread(void);
/* ws_stores_value and ws_stores_each_import, for run->stores. */
extern const struct ws_stores_hooks ws_stores_hooks;
/* Forget the answers: wipe them (ws_fetched) and the requests. */
void	 ws_stores_forget(void);

#endif /* WS_STORES_H */
