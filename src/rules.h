/*
 * rules.c: helpers of the rules, exposed for the unit tests.
 */
#ifndef WS_RULES_H
#define WS_RULES_H

#include <stddef.h>
#include "withsecrets.h"
#include "policy.h"

/* Rule helpers (rules.c), exposed for the unit tests. */
int	 ws_rule_weak(const char *, size_t);
int	 ws_rule_truthy(const char *, size_t);
int	 ws_rule_placeholder(const struct ws_policy *, const char *, size_t);

#endif /* WS_RULES_H */
