/*
 * Declarations: the names the program says it uses.  The example file
 * (example = .env.example, in DIR) lists them: its names are required
 * in strict environments, its values are placeholders for its names,
 * and a NAME_FILE it lists is a path the program reads itself.  It is
 * read with the other sources, into a store of its own: its entries
 * never reach the command.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "withsecrets.h"
#include "opts.h"
#include "example.h"
#include "util.h"
#include "diag.h"
#include "file.h"
#include "vars.h"
#include "policy.h"
#include "dotenv.h"

/* The example file of the last -C DIR that has one (SPEC §4.2), read
 * into b: 0, 1 when there is none, or a finding's code.  When none
 * has it, run->example_path is the last DIR's, as a named example
 * file that is missing is reported. */
static int
find_example(struct ws_run *run, int missing_ok, struct ws_blob *b)
{
	const struct ws_opts *o = run->opts;
	char *path;
	size_t i;
	int rc;

	run->example_path = ws_path_join(o->dir, run->set->example);
	if ((rc = ws_dotenv_read(run->example_path, 1, b)) != 1)
		return rc;	/* read, or a finding */
	for (i = o->n_dirs; i-- > 1;) {	/* the DIRs before the last */
		path = ws_path_join(o->dirs[i - 1], run->set->example);
		if ((rc = ws_dotenv_read(path, 1, b)) != 1) {
			free(run->example_path);
			run->example_path = path;
			return rc;
		}
		free(path);
	}
	/* in none: the last DIR's is the one missing */
	return missing_ok ? 1 : ws_dotenv_read(run->example_path, 0, b);
}

/* The example file, relative to DIR.  Missing is fine unless the
 * user's policy named it.  It is read before its store is made: it is
 * mostly missing, and a store costs more than looking. */
void
ws_example_load(struct ws_run *run)
{
	struct ws_policy *p = run->policy;
	struct ws_dotenv_in in;
	struct ws_blob b;

	if (p->set.example == NULL || *p->set.example == '\0')
		return;
	if (find_example(run, !p->example_named, &b) != 0)
		return;		/* missing (fine), or a finding */
	memset(&in, 0, sizeof(in));
	in.store = run->example = ws_store_new();
	in.src = ws_store_source(run->example, WS_KIND_ENV_FILE,
	    run->example_path, WS_RANK_ENV_FILE);
	in.src->file_relative = 1;	/* as ws_dotenv_load() */
	in.max = run->set->max_secret_size;
	in.environ = run->environ_in;
	/* the text stays, as in ws_dotenv_load(): plain names and values
	 * point into it, and it is zeroed with the rest of ws_work */
	if (ws_dotenv_parse(&in, run->example_path, b.p, b.len) == 0)
		ws_verbose_msg("policy: example file %s", run->example_path);
}

/* A [var NAME] section of exactly this name (even an empty one). */
static int
has_own_section(const struct ws_policy *p, const char *name, size_t n)
{
	return ws_policy_exact(p, name, n) != NULL;
}

static int
in_example(const struct ws_run *run, const char *name, size_t n)
{
	return run->example != NULL &&
	    ws_store_get(run->example, name, n) != NULL;
}

/* Does the program declare this name: a [var NAME] section of its own
 * or a line of the example file (globs declare nothing)?  A NAME_FILE
 * it declares is a path it reads itself, and passes through. */
int
ws_declared(const struct ws_run *run, const char *name, size_t n)
{
	return (run->policy != NULL && has_own_section(run->policy, name, n)) ||
	    in_example(run, name, n);
}
