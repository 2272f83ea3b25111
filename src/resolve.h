/*
 * resolve.c: reading NAME_FILE / FILE__NAME pointers (SPEC §4.1).
 */
#ifndef WS_RESOLVE_H
#define WS_RESOLVE_H

#include <stddef.h>
#include "withsecrets.h"

/* Read the pointers that may set name (highest first), so that an
 * interpolation sees it; ws_resolve_one reads one pointer. */
int	 ws_resolve_one(struct ws_run *, struct ws_var *);
int	 ws_resolve_name(struct ws_run *, const char *, size_t);
/* The entry a name has now under the precedence, for interpolation in
 * the .env file from (a ws_dotenv_in lookup; arg: the run). */
struct ws_var *ws_lookup(void *arg, const struct ws_source *from,
	    const char *name, size_t n, int *read_file);
/* Is this pointer (NAME_FILE, FILE__NAME) one that withsecrets reads? */
int	 ws_pointer_resolvable(struct ws_run *, const char *, size_t);
void	 ws_resolve_free(void);	/* its scratch */

#endif /* WS_RESOLVE_H */
