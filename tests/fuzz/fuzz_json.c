/*
 * libFuzzer target for the strict JSON reader of store answers (SPEC
 * §13, src/json.c).  The input's first line is a key path ("data.data.K",
 * at most 4 keys), the rest the document.  Then:
 *   - a string found is valid UTF-8, holds no NUL byte and is no longer
 *     than the document;
 *   - the reader agrees with itself: a document whose members cannot
 *     be listed (malformed, too deep) is refused for every path;
 *   - every member listed of an object has a key in valid UTF-8.
 *
 * Build: ./configure --enable-fuzzing CC=clang && make fuzz
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "withsecrets.h"
#include "util.h"
#include "secmem.h"
#include "json.h"

int LLVMFuzzerInitialize(int *, char ***);
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct ws_arena a;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return ws_secmem_init();	/* sodium_init: arenas need it */
}

static void
valid_utf8(const char *s, size_t n)
{
	uint32_t cp;
	size_t k;

	while (n > 0) {
		if ((k = ws_utf8_decode((const unsigned char *)s, n, &cp)) == 0)
			abort();
		s += k;
		n -= k;
	}
}

static int
member(void *arg, const char *key, size_t keylen, int rc, const char *val,
    size_t vallen)
{
	(void)arg;
	valid_utf8(key, keylen);
	if (rc == WS_JSON_OK) {
		valid_utf8(val, vallen);
		if (memchr(val, '\0', vallen) != NULL)
			abort();
	}
	return 0;
}

static int
broken(int rc)
{
	return rc == WS_JSON_MALFORMED || rc == WS_JSON_TOO_DEEP;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size), *doc, *path[4];
	char keys[256], *p, *out;
	size_t n = 0, doclen, outlen;
	int rc, rc3;

	if (nl == NULL || (size_t)(nl - (const char *)data) >= sizeof(keys))
		return 0;
	memcpy(keys, data, (size_t)(nl - (const char *)data));
	keys[nl - (const char *)data] = '\0';
	for (p = keys; n < 4; n++) {
		path[n] = p;
		if ((p = strchr(p, '.')) == NULL) {
			n++;
			break;
		}
		*p++ = '\0';
	}
	doc = nl + 1;
	doclen = size - (size_t)(doc - (const char *)data);
	rc = ws_json_string(doc, doclen, path, n, &a, &out, &outlen);
	if (rc == WS_JSON_OK) {
		if (outlen > doclen || memchr(out, '\0', outlen) != NULL)
			abort();
		valid_utf8(out, outlen);
	}
	/* the members of the document, no path: no key twice matters */
	rc3 = ws_json_members(doc, doclen, NULL, 0, &a, member, NULL);
	/* a syntax error is one for every path (a key given twice is
	 * refused only on the path asked for) */
	if (broken(rc3) && !broken(rc))
		abort();
	ws_arena_wipe(&a);
	return 0;
}
