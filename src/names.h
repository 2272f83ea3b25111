/*
 * names.c: variable names, glob lists, NAME_FILE / FILE__NAME pointers.
 */
#ifndef WS_NAMES_H
#define WS_NAMES_H

#include <stddef.h>
#include <stdint.h>
#include "withsecrets.h"

int	 ws_name_valid(const char *, size_t);	/* Compose's rules */
int	 ws_name_portable(const char *, size_t);	/* [A-Za-z_][A-Za-z0-9_]* */
/* unicode_names.c (generated): a letter or number above U+007F? */
int	 ws_unicode_letter_or_number(uint32_t);
/* If name is a pointer (NAME_FILE or FILE__NAME), return the length
 * of the target and set *target; else 0. */
size_t	 ws_pointer_target(const char *, size_t, const char **);
int	 ws_pointer_is_prefix_form(const char *, size_t); /* FILE__NAME */
/* Built-in list of *_FILE variables that are paths, never resolved. */
int	 ws_never_resolve_builtin(const char *, size_t);
const char *const *ws_never_resolve_list(void);
/* Space-separated glob list; name matches any? */
int	 ws_globlist_match(char *const *, const char *, size_t);
/* The bytes a name must start with to match a glob of the list (all of
 * them when one starts with a glob character): a cheap first test. */
void	 ws_globlist_firsts(char *const *, uint64_t [4]);
#define WS_FIRST_IN(set, c) \
	(((set)[(unsigned char)(c) >> 6] >> ((unsigned char)(c) & 63)) & 1)

#endif /* WS_NAMES_H */
