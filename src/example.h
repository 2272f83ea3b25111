/*
 * example.c: the names the program declares.
 */
#ifndef WS_EXAMPLE_H
#define WS_EXAMPLE_H

#include <stddef.h>
#include "withsecrets.h"

/* Does the program declare this name: a [var NAME] section of its own,
 * or a line of the example file? */
int	 ws_declared(const struct ws_run *, const char *, size_t);

#endif /* WS_EXAMPLE_H */
