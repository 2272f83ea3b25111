/*
 * libFuzzer target for the .env parser (SPEC §4.4).  Each input is the
 * text of one .env file, parsed over an inherited environment and a
 * lower layer.  Besides the sanitizers' checks it asserts what the
 * parser promises: on success every entry has a valid name and a value
 * without a NUL byte, no longer than max-secret-size; on failure a
 * finding says why; and no finding ever holds a value that the input
 * itself does not spell out.
 *
 * Build: ./configure --enable-fuzzing CC=clang && make fuzz
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "withsecrets.h"
#include "opts.h"
#include "secmem.h"
#include "diag.h"
#include "names.h"
#include "vars.h"
#include "dotenv.h"
#include "resolve.h"
#include "../unit/stage.h"

/* -C: the current directory, as ws_opts_parse() makes it */
static char dot_dir[] = ".";
static char *current_dir[] = { dot_dir, NULL };

#define MARKER "s3cr3t!#marker"

static char e1[] = "PROC=from-process", e2[] = "EMPTY=",
    e3[] = "TOKEN=" MARKER "-inherited";
static char *fake_environ[] = { e1, e2, e3, NULL };

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
add_all(struct ws_store *st, struct ws_source *src, char **env)
{
	for (; *env != NULL; env++) {
		const char *eq = strchr(*env, '=');
		size_t n = (size_t)(eq - *env);

		(void)ws_store_add(st, src, ws_intern(*env, n), n, eq + 1,
		    strlen(eq + 1), 0, 0);
	}
}

static int
leaks(void)
{
	size_t i;

	for (i = 0; i < ws_finding_count(); i++) {
		const struct ws_finding *f = ws_finding_at(i);

		if (strstr(f->message, MARKER) != NULL ||
		    (f->name != NULL && strstr(f->name, MARKER) != NULL) ||
		    (f->source != NULL && strstr(f->source, MARKER) != NULL))
			return 1;
	}
	return 0;
}

static void
check_entries(struct ws_run *run, struct ws_store *st, struct ws_source *src)
{
	struct ws_var *v;
	size_t it = 0;

	while ((v = ws_store_next(st, &it)) != NULL)
		for (; v != NULL; v = v->next_in_name) {
			if (v->src != src)
				continue;
			if (!ws_name_valid(v->name, v->namelen) ||
			    strlen(v->name) != v->namelen)
				abort();
			if (strlen(v->value) != v->vallen)
				abort();	/* a NUL inside a value */
			if (v->vallen > run->set->max_secret_size)
				abort();
		}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	static char lowvar[] = "LOW=" MARKER "-lower";
	static char *lower_env[] = { lowvar, NULL };
	struct ws_opts opts;
	struct ws_run run;
	struct ws_store *st;
	struct ws_source *inh, *lower, *src;
	struct ws_dotenv_in in = { 0 };
	char *buf;
	int rc;

	if (!ready) {
		ws_secmem_init();
		ready = 1;
	}
	memset(&opts, 0, sizeof(opts));
	memset(&run, 0, sizeof(run));
	opts.no_config = 1;
	opts.no_layers = 1;
	opts.dirs = current_dir;
	opts.n_dirs = 1;
	opts.dir = current_dir[0];
	opts.override = (int)(size & 1);
	run.opts = &opts;
	run.environ_in = fake_environ;
	if (status_of(ws_policy_load, &run) != 0)
		abort();
	run.set->max_secret_size = 4096;
	/* NAME_FILE pointers are not resolved: the parser's store is not
	 * the run's, so no input makes the fuzzer read files */
	run.store = ws_store_new();
	st = ws_store_new();
	inh = ws_store_source(st, WS_KIND_INHERITED, NULL, opts.override ?
	    WS_RANK_INHERITED_OVERRIDE : WS_RANK_INHERITED);
	add_all(st, inh, fake_environ);
	lower = ws_store_source(st, WS_KIND_ENV_FILE, "lower.env",
	    WS_RANK_ENV_FILE + 2);
	add_all(st, lower, lower_env);
	src = ws_store_source(st, WS_KIND_ENV_FILE, "fuzz.env",
	    WS_RANK_ENV_FILE + 1);

	/* The input is given exactly as long as it is, in the ordinary
	 * heap where AddressSanitizer sees every byte past its end (in an
	 * arena it could not): the parser must go by lengths alone. */
	if ((buf = malloc(size ? size : 1)) == NULL)
		abort();
	if (size > 0)
		memcpy(buf, data, size);
	in.store = st;
	in.src = src;
	in.max = run.set->max_secret_size;
	in.environ = run.environ_in;
	rc = ws_dotenv_parse(&in, "fuzz.env", buf, size);
	if (rc == 0)
		check_entries(&run, st, src);
	else if (rc != WS_EX_DATAERR || ws_diag_status() != WS_EX_DATAERR)
		abort();
	if (leaks() && memmem(data, size, MARKER, sizeof(MARKER) - 1) == NULL)
		abort();

	ws_store_free(st);
	free(buf);		/* values may point into it */
	ws_store_free(run.store);
	ws_resolve_free();
	ws_intern_free();
	ws_policy_free(&run);
	ws_diag_reset();
	/* mapping guarded memory is slow: unmap it now and then only */
	if (ws_arena_mapped(&ws_work) > (size_t)32 * 1024 * 1024)
		ws_secmem_wipe_all();
	return 0;
}
