/*
 * json.c: a strict JSON reader (RFC 8259) over a buffer in guarded
 * memory, for the answers of secret stores (SPEC §13).  It never copies
 * the document: it checks all of it, finds one value by a path of
 * object keys, and unescapes a string value into an arena.  Nothing of
 * a value goes to ordinary heap, stdio or a message.
 */
#ifndef WS_JSON_H
#define WS_JSON_H

#include <stddef.h>
#include "withsecrets.h"

struct ws_arena;

enum ws_json_rc {
	WS_JSON_OK = 0,
	WS_JSON_MISSING,	/* the last key is not in its object */
	WS_JSON_NO_PARENT,	/* a key before it is missing or not an object */
	WS_JSON_NULL_PARENT,	/* a key before it is null (a deleted version) */
	WS_JSON_NOT_STRING,	/* the value is a number, object, null, ... */
	WS_JSON_NUL,		/* the string holds \u0000 */
	WS_JSON_MALFORMED,	/* not JSON, or a key twice on the path */
	WS_JSON_TOO_DEEP,	/* nested deeper than WS_JSON_MAX_DEPTH */
	WS_JSON_NOMEM
};

#define WS_JSON_MAX_DEPTH	64	/* a bound on the reader's recursion */

/* Check the whole document [doc, doc + len) and find the string at the
 * path of object keys (npath of them, at least one); its unescaped
 * bytes go into the arena, NUL-terminated, as *out and *outlen. */
int	 ws_json_string(const char *doc, size_t len, const char *const *path,
	    size_t npath, struct ws_arena *, char **out, size_t *outlen);

/* Each member of the object at path (npath may be 0: the document is
 * the object): its key and, when it is a string, its value, both
 * unescaped into the arena; rc is WS_JSON_OK, WS_JSON_NOT_STRING or
 * WS_JSON_NUL for the value.  fn returns 0 to go on.  Returns the first
 * error, or what fn returned when it was not 0. */
typedef int (*ws_json_member_fn)(void *arg, const char *key, size_t keylen,
	    int rc, const char *val, size_t vallen);
int	 ws_json_members(const char *doc, size_t len, const char *const *path,
	    size_t npath, struct ws_arena *, ws_json_member_fn, void *arg);

/* A few words for a finding ("not a JSON string", ...). */
const char *ws_json_strerror(int);

#endif /* WS_JSON_H */
