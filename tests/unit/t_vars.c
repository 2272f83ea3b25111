/* The store: precedence chains, replacement within a source, order. */
#include "config.h"

#include <string.h>

#include "withsecrets.h"
#include "opts.h"
#include "util.h"
#include "vars.h"
#include "stage.h"
#include "tap.h"

int
main(void)
{
	struct ws_store *st = ws_store_new();
	struct ws_source *env, *dotenv, *secrets;
	struct ws_var *v;
	size_t it = 0, i;
	char name[32];

	env = ws_store_source(st, WS_KIND_INHERITED, NULL, WS_RANK_INHERITED);
	dotenv = ws_store_source(st, WS_KIND_ENV_FILE, ".env",
	    WS_RANK_ENV_FILE);
	secrets = ws_store_source(st, WS_KIND_SECRET_DIR, "/run/secrets",
	    WS_RANK_SECRET_DIR);

	ws_store_add(st, dotenv, "A", 1, "file", 4, 1, 0);
	ws_store_add(st, env, "A", 1, "env", 3, 0, 0);
	ws_store_add(st, secrets, "A", 1, "secret", 6, 0, 0);
	v = ws_store_get(st, "A", 1);
	is_str(v->value, "env", "inherited beats the others");
	is_str(v->next_in_name->value, "secret", "then the secret directory");
	is_str(v->next_in_name->next_in_name->value, "file", "then the file");

	ws_store_add(st, dotenv, "B", 1, "one", 3, 2, 0);
	ws_store_add(st, dotenv, "B", 1, "two", 3, 3, 0);
	v = ws_store_get(st, "B", 1);
	ok(strcmp(v->value, "two") == 0 && v->next_in_name == NULL,
	    "a later entry of one source replaces the earlier");
	is_int(v->line, 3, "with its line");

	v = ws_store_next(st, &it);
	is_str(v->name, "A", "names in first-seen order");
	v = ws_store_next(st, &it);
	is_str(v->name, "B", "second name");
	ok(ws_store_next(st, &it) == NULL, "end");

	for (i = 0; i < 10000; i++) {
		size_t n = (size_t)snprintf(name, sizeof(name), "V%zu", i);

		ws_store_add(st, dotenv, ws_intern(name, n), n, "x", 1, 0, 0);
	}
	is_int(ws_store_count(st), 10000 + 4, "10,000 more names");
	v = ws_store_get(st, "V9999", 5);
	ok(v != NULL && v->src == dotenv, "found after the table grew");
	ws_store_remove(st, ws_store_get(st, "A", 1));
	is_str(ws_store_get(st, "A", 1)->value, "secret", "removal");
	/* all heads at once: what ws_store_next gives one by one, even
	 * with a name whose every entry was removed */
	ws_store_remove(st, ws_store_get(st, "V17", 3));
	ws_store_remove(st, ws_store_get(st, "V9999", 5));	/* the last */
	{
		struct ws_var **heads = ws_xmalloc((ws_store_count(st) + 1) *
		    sizeof(*heads));
		size_t n = ws_store_heads(st, heads), k = 0, same = 1;

		it = 0;
		while ((v = ws_store_next(st, &it)) != NULL)
			if (k >= n || heads[k++] != v)
				same = 0;
		ok(same && k == n, "ws_store_heads gives what ws_store_next "
		    "does (%zu names)", n);
		free(heads);
	}
	ws_store_free(st);

	/* the inherited environment: a duplicate keeps its first value, as
	 * getenv(3) sees it, and the name its first place */
	{
		static char e[][4] = { "A=1", "B=2", "A=3", "=x", "C",
		    "B=4", "A=5" };
		char *envv[] = { e[0], e[1], e[2], e[3], e[4], e[5], e[6],
		    NULL };
		struct ws_opts opts;
		struct ws_run run;

		memset(&opts, 0, sizeof(opts));
		memset(&run, 0, sizeof(run));
		run.opts = &opts;
		run.environ_in = envv;
		run.store = ws_store_new();
		is_int(status_of(ws_inherit_load, &run), 0, "inherited environment");
		is_int(ws_store_count(run.store), 2, "two names");
		v = ws_store_get(run.store, "A", 1);
		ok(v != NULL && strcmp(v->value, "1") == 0 && v->vallen == 1 &&
		    v->next_in_name == NULL, "A keeps its first value");
		v = ws_store_get(run.store, "B", 1);
		ok(v != NULL && strcmp(v->value, "2") == 0 && v->vallen == 1,
		    "B too");
		it = 0;
		is_str(ws_store_next(run.store, &it)->name, "A", "A first");
		ws_store_free(run.store);
	}
	ws_intern_free();
	return done_testing();
}
