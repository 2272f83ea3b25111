/*
 * effective.c: which entry of a name the command gets, and what it hides.
 */
#ifndef WS_EFFECTIVE_H
#define WS_EFFECTIVE_H

#include <stddef.h>
#include <stdint.h>
#include "withsecrets.h"

/* The entry of a name's chain the command gets, or NULL. */
struct ws_var *ws_effective(const struct ws_run *, struct ws_var *);
/* What every name gives the command: the names' chains in the store's
 * order and, beside each, ws_effective() of it (NULL: nothing).  The
 * deny check, the rules and the environment block read it; it is made
 * again when the store has changed since (ws_store_stamp), and freed
 * with the run's reading (ws_decision_free). */
struct ws_decision {
	struct ws_var	**heads;	/* n, then NULL */
	struct ws_var	**gets;		/* n */
	size_t		 n;
	size_t		 room;		/* of each array */
	uint64_t	 stamp;		/* the store's, when made */
};
const struct ws_decision *ws_decision(struct ws_run *);
void	 ws_decision_free(struct ws_run *);
/* Call fn(arg, entry, 0) for each lower entry of head's chain that e
 * hides; returns how many. */
size_t	 ws_shadowed_in_chain(struct ws_var *head, const struct ws_var *e,
	    void (*fn)(void *, const struct ws_var *, int), void *arg);
/* Is the pointer entry p hidden by e, a higher source's value of its
 * target (and so never read)? */
int	 ws_pointer_hidden(struct ws_run *, const struct ws_var *p,
	    const struct ws_var *e);
/* Call fn(arg, entry, is_pointer) for each entry that e, the effective
 * entry of head's name, hides: lower entries of the name and unread
 * NAME_FILE / FILE__NAME pointers of lower sources.  Returns how many. */
size_t	 ws_shadowed_each(struct ws_run *, struct ws_var *head,
	    const struct ws_var *e,
	    void (*fn)(void *, const struct ws_var *, int), void *arg);

#endif /* WS_EFFECTIVE_H */
