/*
 * values.c: judging a value (the rules, rules.c, report what it finds).
 */
#ifndef WS_VALUES_H
#define WS_VALUES_H

#include <stddef.h>
#include "withsecrets.h"
#include "policy.h"

/* Is the value (folded to lower case) one of the words? */
int	 ws_value_in_words(const char *, size_t, const char *const *words);
/* Build the filter of the [placeholders] patterns (ws_rule_placeholder
 * asks it first). */
void	 ws_placeholder_filter(struct ws_phfilter *, char *const *patterns,
	    char *const *literals);
int	 ws_rule_weak(const char *, size_t);
int	 ws_rule_truthy(const char *, size_t);
int	 ws_rule_placeholder(const struct ws_policy *, const char *, size_t);

#endif /* WS_VALUES_H */
