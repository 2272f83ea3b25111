/*
 * util.c: the bottom of the module graph.  Allocation that dies
 * cleanly, getenv(3) on a given environment, UTF-8, escaping for
 * messages, glob matching.  Nothing here knows about secrets, sources
 * or findings, and nothing here calls another module of withsecrets.
 */
#ifndef WS_UTIL_H
#define WS_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "withsecrets.h"

/* What to do when memory runs out, after the message: main() wipes the
 * secrets and exits 125.  Without a handler (unit tests) it aborts. */
void	 ws_set_fatal_handler(void (*)(void));
WS_NORETURN void ws_fatal(const char *why);	/* "withsecrets: error: why" */
WS_NORETURN void ws_fatal_nomem(void);

void	*ws_xmalloc(size_t);
void	*ws_xcalloc(size_t, size_t);
void	*ws_xrealloc(void *, size_t);
char	*ws_xstrdup(const char *);
char	*ws_xstrndup(const char *, size_t);
char	*ws_xasprintf(const char *, ...) WS_PRINTF(1, 2);
char	*ws_xvasprintf(const char *, va_list) WS_PRINTF(1, 0);
/* Fault in the next bytes of the heap with one system call, before a
 * stage fills them (best effort: util.c says why). */
void	 ws_heap_prefault(size_t bytes);

/* The value of name (n bytes) in envp, as getenv(3) on it, or NULL. */
const char *ws_environ_get(char **envp, const char *name, size_t n);

/* One UTF-8 sequence at s (at most n bytes): its length, and the code
 * point in *cp; 0 when it is not valid UTF-8 (overlong forms,
 * surrogates and code points beyond U+10FFFF are not). */
size_t	 ws_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* Characters in [s, s + n): the bytes that do not continue a sequence. */
size_t	 ws_utf8_length(const char *, size_t);
/* The value of one hex digit (either case), or -1. */
int	 ws_hexval(int c);

/* A copy of s with control characters and invalid UTF-8 escaped as
 * \xNN, so that one finding stays one line and drives no terminal. */
char	*ws_escape(const char *);

/* "path:line" (line 0: path alone), for messages. */
char	*ws_source_fmt(const char *path, unsigned line);

/* file in dir ("DIR/file"), or file itself when it is absolute or dir
 * is NULL or ".": to be freed. */
char	*ws_path_join(const char *dir, const char *file);

/* Glob matching of [s, s + n) against pat, as fnmatch(3) without
 * flags: '*', '?', '[...]' (with '!' or '^'), '\'. */
int	 ws_wildmatch(const char *pat, const char *s, size_t n);

/* The index of s in words (NULL-terminated), or -1: a keyword's value. */
int	 ws_word_index(const char *s, const char *const *words);

/* A map from strings (any bytes) to numbers, for the places where a
 * policy file could hold many sections, keys or rules and a scan of
 * every earlier one would make reading it quadratic. */
struct ws_strmap {
	char		**keys;		/* copies; NULL: an empty slot */
	size_t		 *lens;
	size_t		 *vals;
	size_t		  cap;		/* a power of two, or 0 */
	size_t		  n;
};
/* The value of key; when it is not there, add it with val and return
 * val, with *added set. */
size_t	 ws_strmap_put(struct ws_strmap *, const char *key, size_t len,
	    size_t val, int *added);
void	 ws_strmap_free(struct ws_strmap *);

#endif /* WS_UTIL_H */
