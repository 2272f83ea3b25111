/*
 * vars.c: the store of sources and variables, and interned names.
 */
#ifndef WS_VARS_H
#define WS_VARS_H

#include <stddef.h>
#include <stdint.h>
#include "withsecrets.h"

struct ws_store;

struct ws_store	*ws_store_new(void);
/* A copy of a name that lives as long as the run (not secret). */
char		*ws_intern(const char *, size_t);
/* The same for two pieces joined (a directory and a file name). */
char		*ws_intern2(const char *, size_t, const char *, size_t);
char		*ws_intern3(const char *, size_t, const char *, size_t,
		    const char *, size_t);
void		 ws_intern_free(void);
void		 ws_store_free(struct ws_store *);
struct ws_source *ws_store_source(struct ws_store *, enum ws_kind,
		    const char *path, int rank);
/* The same with a path that already lives as long as the run (interned):
 * it is not copied again. */
struct ws_source *ws_store_source_kept(struct ws_store *, enum ws_kind,
		    char *path, int rank);
/* Add (name, value) from src.  Within one source a later entry of the
 * same name replaces the earlier one.  Returns the variable. */
struct ws_var	*ws_store_add(struct ws_store *, struct ws_source *,
		    const char *name, size_t namelen, const char *value,
		    size_t vallen, unsigned line, unsigned flags);
/* An interpolation in v's value named an unset variable (SPEC §4.4):
 * noted here, judged by the rules once it is known whether v is what
 * the command gets.  The name is interned. */
struct ws_unset_note {
	struct ws_var	*v;
	unsigned	 line;		/* v's line then: a later line of the
					 * same file replaces v in place */
	const char	*name;
	size_t		 namelen;
};
void		 ws_store_note_unset(struct ws_store *, struct ws_var *,
		    const char *name, size_t namelen);
const struct ws_unset_note *ws_store_unset_notes(const struct ws_store *,
		    size_t *n);
/* Highest-precedence entry for name, or NULL. */
struct ws_var	*ws_store_get(struct ws_store *, const char *, size_t);
/* Entry for name in one source, or NULL. */
struct ws_var	*ws_store_get_in(struct ws_store *, struct ws_source *,
		    const char *, size_t);
/* Remove one entry. */
void		 ws_store_remove(struct ws_store *, struct ws_var *);
/* Iterate over names in first-registration order: the winning entry of
 * each.  Returns NULL at the end; *it starts at 0. */
struct ws_var	*ws_store_next(struct ws_store *, size_t *it);
/* The same entries at once, into out (room for ws_store_count() + 1
 * entries): returns how many.  A loop over names without a call each. */
size_t		 ws_store_heads(const struct ws_store *, struct ws_var **out);
size_t		 ws_store_count(const struct ws_store *);
/* Set flags on an entry of the store (resolving marks a pointer so). */
void		 ws_store_set_flags(struct ws_store *, struct ws_var *,
		    unsigned flags);
/* The store's state: it changes with every entry added, replaced,
 * removed or flagged through the calls above, and no two states of any
 * stores of the process share one.  What is worked out from the store
 * once (effective.h: ws_decision) is kept with the stamp it saw. */
uint64_t	 ws_store_stamp(const struct ws_store *);
/* Might a value of the store be a store reference (SPEC §13)?  0: no
 * value added starts as one can (a test at each add). */
int		 ws_store_may_refer(const struct ws_store *);
/* As ws_store_next, over the names that have the form of a pointer
 * (NAME_FILE, FILE__NAME) only: they are few, names are many. */
struct ws_var	*ws_store_next_pointer(struct ws_store *, size_t *it);
/* Might a pointer of the store (NAME_FILE, FILE__NAME) name this
 * target?  0: certainly not (a filter on the targets' hashes). */
int		 ws_store_may_point_at(const struct ws_store *, const char *,
		    size_t);
/* ws_store_get() and ws_store_may_point_at() at once, the name hashed
 * once (an interpolation looks names up by the dozen). */
struct ws_var	*ws_store_lookup(struct ws_store *, const char *, size_t,
		    int *may_be_target);
/* The store's sources, in order of creation (n: how many). */
struct ws_source *const *ws_store_sources(const struct ws_store *, size_t *n);
const char	*ws_source_kind_name(enum ws_kind);
/* The first entry from v down that has a value and that a .env file of
 * source from may see (not a layer above it); from NULL: any. */
struct ws_var	*ws_var_seen_from(struct ws_var *, const struct ws_source *);
/* "environment", "FILE:LINE", "DIR/entry": for messages */
char		*ws_var_source(const struct ws_var *);

#endif /* WS_VARS_H */
