/* The strict JSON reader of store answers (SPEC §13): the string at a
 * path, every malformed form refused, NUL and non-strings told apart,
 * members of an object for an import. */
#include "config.h"

#include <string.h>

#include "withsecrets.h"
#include "secmem.h"
#include "json.h"
#include "tap.h"

static struct ws_arena a;

static int
get(const char *doc, const char *k1, const char *k2, const char *k3,
    const char **val)
{
	const char *path[3] = { k1, k2, k3 };
	size_t n = k3 ? 3 : k2 ? 2 : 1, len = 0;
	char *out = NULL;
	int rc;

	rc = ws_json_string(doc, strlen(doc), path, n, &a, &out, &len);
	if (val != NULL)
		*val = rc == WS_JSON_OK ? out : NULL;
	return rc;
}

static const char v2[] = "{\"request_id\":\"x\",\"lease_id\":\"\","
    "\"renewable\":false,\"lease_duration\":0,\"data\":{\"data\":"
    "{\"password\":\"s3cr\\u00e9t\\n\\\"q\\\"\",\"user\":\"app\","
    "\"port\":5432},\"metadata\":{\"version\":2,\"deletion_time\":\"\"}},"
    "\"wrap_info\":null,\"warnings\":null,\"auth\":null}";

struct members { int n, strings, nonstr; char keys[64]; };

static int
member(void *arg, const char *key, size_t keylen, int rc, const char *val,
    size_t vallen)
{
	struct members *m = arg;

	(void)val;
	(void)vallen;
	m->n++;
	if (rc == WS_JSON_OK)
		m->strings++;
	else
		m->nonstr++;
	strncat(m->keys, key, keylen);
	strcat(m->keys, ",");
	return 0;
}

int
main(void)
{
	const char *v;
	struct members m;
	static const char *const bad[] = {
		"", "{", "}", "{\"a\":}", "{\"a\" \"b\"}", "{\"a\":\"b\",}",
		"[1,]", "{'a':'b'}", "{\"a\":\"b\"} x", "{\"a\":01}",
		"{\"a\":1.}", "{\"a\":-}", "{\"a\":1e}", "{\"a\":tru}",
		"{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\\ud800\"}",
		"{\"a\":\"\\udc00x\"}", "{\"a\":\"tab\there\"}",
		"{\"a\":\"\xc3\"}", "{\"a\":\"\xed\xa0\x80\"}",
		"{\"a\":\"\xc0\xaf\"}", "{\"a\":\"b\"", "{a:1}", "{\"a\":\"b\"}}",
		"/* c */{\"a\":\"b\"}", "{\"a\":NaN}", "{\"a\":+1}", NULL
	};
	char deep[300];
	size_t i;
	int all;

	ws_secmem_init();
	is_int(get(v2, "data", "data", "password", &v), WS_JSON_OK,
	    "KV v2: data.data.password");
	is_str(v, "s3cr\xc3\xa9t\n\"q\"", "escapes unescaped (\\u00e9, \\n, \\\")");
	is_int(get(v2, "data", "data", "user", &v), WS_JSON_OK, "another key");
	is_str(v, "app", "its value");
	is_int(get(v2, "data", "data", "port", NULL), WS_JSON_NOT_STRING,
	    "a number is not a string");
	is_int(get(v2, "data", "metadata", NULL, NULL), WS_JSON_NOT_STRING,
	    "an object is not a string");
	is_int(get(v2, "data", "data", "nope", NULL), WS_JSON_MISSING,
	    "a missing key");
	is_int(get(v2, "nodata", "data", "x", NULL), WS_JSON_NO_PARENT,
	    "a missing parent");
	is_int(get(v2, "lease_id", "x", NULL, NULL), WS_JSON_NO_PARENT,
	    "a parent that is not an object");
	is_int(get("{\"data\":{\"data\":null,\"metadata\":{}}}", "data", "data",
	    "k", NULL), WS_JSON_NULL_PARENT, "data.data null: deleted version");
	is_int(get("{\"data\":{\"k\":\"a\\u0000b\"}}", "data", "k", NULL, NULL),
	    WS_JSON_NUL, "\\u0000 in the value");
	is_int(get("{\"data\":{\"k\":\"ok\",\"o\":\"a\\u0000b\"}}", "data", "k",
	    NULL, &v), WS_JSON_OK, "\\u0000 elsewhere does not matter");
	is_int(get("{\"data\":{\"k\":\"a\",\"k\":\"b\"}}", "data", "k", NULL,
	    NULL), WS_JSON_MALFORMED, "a key twice on the path");
	is_int(get("{\"data\":{\"k\":\"\\ud83d\\ude00\"}}", "data", "k", NULL,
	    &v), WS_JSON_OK, "a surrogate pair");
	is_str(v, "\xf0\x9f\x98\x80", "as UTF-8");
	is_int(get("{\"d\\u0061ta\":{\"k\":\"x\"}}", "data", "k", NULL, &v),
	    WS_JSON_OK, "an escaped key matches");
	is_int(get(" \r\n\t{\"k\" : [1, -0.5e+3, true, false, null, {}, []] ,"
	    "\"s\":\"\"} \n", "s", NULL, NULL, &v), WS_JSON_OK,
	    "every kind of value, white space");
	is_str(v, "", "an empty string");
	is_int(get("{\"k\":\"a\"}", "k", NULL, NULL, &v), WS_JSON_OK, "top key");
	for (all = 1, i = 0; bad[i] != NULL; i++)
		if (get(bad[i], "a", NULL, NULL, NULL) != WS_JSON_MALFORMED) {
			all = 0;
			printf("# accepted: %s\n", bad[i]);
		}
	ok(all, "every malformed document is refused (%zu forms)", i);
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	is_int(get(deep, "a", NULL, NULL, NULL), WS_JSON_TOO_DEEP,
	    "nesting is bounded");

	memset(&m, 0, sizeof(m));
	{
		const char *path[2] = { "data", "data" };

		is_int(ws_json_members(v2, strlen(v2), path, 2, &a, member, &m),
		    WS_JSON_OK, "members of data.data");
	}
	is_int(m.n, 3, "three members");
	is_int(m.strings, 2, "two strings");
	is_str(m.keys, "password,user,port,", "in order");
	memset(&m, 0, sizeof(m));
	is_int(ws_json_members("{\"A\":\"1\",\"B\":\"2\"}", 17, NULL, 0, &a,
	    member, &m), WS_JSON_OK, "members of the document");
	is_int(m.strings, 2, "both");
	is_int(ws_json_members("{\"A\":\"1\",}", 10, NULL, 0, &a, member, &m),
	    WS_JSON_MALFORMED, "members of a malformed object: nothing");
	ws_arena_wipe(&a);
	return done_testing();
}
