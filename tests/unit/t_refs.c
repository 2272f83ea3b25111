/* Store references (SPEC §13): which values are references, and how
 * each form parses; every bad form refused. */
#include "config.h"

#include <string.h>

#include "withsecrets.h"
#include "stores.h"
#include "vars.h"
#include "tap.h"

static int
parse(const char *s, struct ws_ref *r)
{
	const char *why;

	return ws_ref_parse(s, strlen(s), r, &why);
}

static int
piece(const char *p, size_t n, const char *want)
{
	return want == NULL ? p == NULL : p != NULL && strlen(want) == n &&
	    memcmp(p, want, n) == 0;
}

int
main(void)
{
	struct ws_ref r;
	static const char *const bad[] = {
		"vault:#K", "vault:secret/data/x#", "vault:/secret/x#K",
		"vault:secret/x/#K", "vault:secret//x#K", "vault:a/../b#K",
		"vault:secret/data/x#K#0", "vault:secret/data/x#K#-1",
		"vault:secret/data/x#K#v2", "vault:secret/data/x#K#",
		"vault:kv/app#K#2", "vault:sec ret/data/x#K", "vault:a?b=1#K",
		"aws-sm:", "aws-sm:#K", "aws-sm:a#", "aws-sm:a b",
		"arn:aws:secretsmanager:us-east-1:123:secret:",
		"arn:aws:secretsmanager::123:secret:n",
		"arn:aws:secretsmanager:r:123:secrets:n",
		"arn:aws:secretsmanager:r:123",
		"arn:aws:secretsmanager:r:1:secret:n:k:s:v:extra", NULL
	};
	size_t i;
	int all;

	ok(ws_ref_is("vault:secret/data/app#K", 23), "vault:PATH#KEY is a reference");
	ok(!ws_ref_is("vault:8200", 10), "vault:8200 (no #) is not");
	ok(ws_ref_is("aws-sm:x", 8), "aws-sm: is");
	ok(ws_ref_is("arn:aws:secretsmanager:x", 25), "an ARN is");
	ok(!ws_ref_is("arn:aws:s3:::bucket", 19), "another ARN is not");
	ok(!ws_ref_is("postgres://vault:5432", 21), "a value holding vault: is not");
	ok(!ws_ref_is("vault", 5), "vault is not");

	is_int(parse("vault:secret/data/app/production#DB_PASSWORD", &r), 0, "KV 2");
	ok(r.type == WS_STORE_VAULT && r.kv2, "by its data segment");
	ok(piece(r.id, r.idlen, "secret/data/app/production") &&
	    piece(r.key, r.keylen, "DB_PASSWORD") && r.version == NULL,
	    "path and key");
	is_int(parse("vault:secret/data/app#K#3", &r), 0, "KV 2 with a version");
	ok(piece(r.version, r.versionlen, "3"), "version 3");
	is_int(parse("vault:kv/legacy/app#TOKEN", &r), 0, "KV 1");
	ok(!r.kv2, "no data segment after the first");
	is_int(parse("vault:data/app#K", &r), 0, "a mount called data");
	ok(!r.kv2, "is KV 1: data is the first segment");
	is_int(parse("vault:secret/app#a#b", &r), -1, "a second # on KV 1");

	is_int(parse("aws-sm:prod/db", &r), 0, "aws-sm:ID");
	ok(r.type == WS_STORE_AWS_SM && piece(r.id, r.idlen, "prod/db") &&
	    r.key == NULL, "the whole SecretString");
	is_int(parse("aws-sm:prod/db#password", &r), 0, "aws-sm:ID#KEY");
	ok(piece(r.key, r.keylen, "password"), "its key");
	is_int(parse("arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
	    &r), 0, "an ARN");
	ok(piece(r.id, r.idlen,
	    "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf") &&
	    r.key == NULL && r.stage == NULL && r.version == NULL, "the ARN is the id");
	is_int(parse("arn:aws:secretsmanager:us-east-1:1:secret:db:password:AWSPREVIOUS",
	    &r), 0, "the ECS form: json-key and stage");
	ok(piece(r.key, r.keylen, "password") &&
	    piece(r.stage, r.stagelen, "AWSPREVIOUS") && r.version == NULL,
	    "key and stage");
	is_int(parse("arn:aws:secretsmanager:us-east-1:1:secret:db:::v-1", &r), 0,
	    "the ECS form: a version id alone");
	ok(r.key == NULL && r.stage == NULL &&
	    piece(r.version, r.versionlen, "v-1"), "empty fields are defaults");
	ok(piece(r.id, r.idlen, "arn:aws:secretsmanager:us-east-1:1:secret:db"),
	    "the id stops at the name");

	for (all = 1, i = 0; bad[i] != NULL; i++)
		if (parse(bad[i], &r) == 0) {
			all = 0;
			printf("# accepted: %s\n", bad[i]);
		}
	ok(all, "every bad reference is refused (%zu forms)", i);
	/* the store's filter (vars.c) lets every reference through, so
	 * that stores.c may look at no value when it says no */
	{
		static const char *const vals[] = { "vault:a#b", "aws-sm:x",
		    "arn:aws:secretsmanager:r:1:secret:n", "vault:8200",
		    "value-1", "a", "arn:aws:s3:::b", "avault:x#y", NULL };
		struct ws_store *st;
		struct ws_source *src;
		int through = 1;

		for (i = 0; vals[i] != NULL; i++) {
			st = ws_store_new();
			src = ws_store_source(st, WS_KIND_ENV_FILE, ".env",
			    WS_RANK_ENV_FILE);
			(void)ws_store_add(st, src, "X", 1, vals[i],
			    strlen(vals[i]), 1, 0);
			if (ws_ref_is(vals[i], strlen(vals[i])) &&
			    !ws_store_may_refer(st))
				through = 0;
			if (i >= 4 && ws_store_may_refer(st))
				printf("# flagged: %s\n", vals[i]);
			ws_store_free(st);
		}
		ok(through, "the store's filter lets every reference through");
	}
	return done_testing();
}
