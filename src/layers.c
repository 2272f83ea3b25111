/*
 * The environment name (SPEC §4.3) and the .env layers (§4.2).
 *
 * Layers are read lowest first, so that interpolation in a layer sees
 * the ones below it:
 *
 *	.env  .env.ENV  .env.local  .env.ENV.local  -f FILE...
 *
 * and ranked so that the store keeps the precedence, highest first:
 * the --env-files (later over earlier), .env.ENV.local, .env.local,
 * .env.ENV, .env.  One exception to the reading order: when only
 * .env.local can name the environment, it is read before .env.ENV
 * (which it cannot see, since ENV was not known yet).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "withsecrets.h"
#include "util.h"
#include "diag.h"
#include "vars.h"
#include "policy.h"
#include "dotenv.h"
#include "resolve.h"
#include "stores.h"

/* At most this many --env-files: their ranks must stay between those
 * of the secret directories and of an overridden environment. */
#define WS_MAX_ENV_FILES	900

/* Conventional layers, by rank offset after the explicit files. */
enum layer { L_ENV_LOCAL_ENV = 0, L_LOCAL = 1, L_ENV_ENV = 2, L_DOTENV = 3 };

static int
name_is_lenient(struct ws_run *run, const char *name)
{
	char **l;

	/* strcasecmp(3) folds ASCII letters only: withsecrets never calls
	 * setlocale(3), so the C locale applies */
	for (l = run->set->lenient_environments; l && *l; l++)
		if (strcasecmp(*l, name) == 0)
			return 1;
	return 0;
}

static void
set_environment(struct ws_run *run, const char *name, const char *from)
{
	run->env_name = name;
	run->env_name_from = from;
	switch (run->opts->mode) {
	case WS_MODE_STRICT:
		run->strict = 1;
		break;
	case WS_MODE_LENIENT:
		run->strict = 0;
		break;
	default:
		run->strict = !name_is_lenient(run, name);
		break;
	}
}

/* --environment, WITHSECRETS_ENV, then environment-vars inherited.
 * The origins are those of check's JSON (environment_source). */
static int
detect_early(struct ws_run *run)
{
	const char *v;
	char **l, *from;

	if (run->opts->environment != NULL && *run->opts->environment) {
		set_environment(run, run->opts->environment, "-e");
		return 1;
	}
	v = ws_environ_get(run->environ_in, "WITHSECRETS_ENV", 15);
	if (v != NULL && *v) {
		set_environment(run, v, "WITHSECRETS_ENV");
		return 1;
	}
	for (l = run->set->environment_vars; l && *l; l++) {
		v = ws_environ_get(run->environ_in, *l, strlen(*l));
		if (v != NULL && *v) {
			from = ws_xasprintf("environment:%s", *l);
			set_environment(run, v, ws_intern(from, strlen(from)));
			free(from);
			return 1;
		}
	}
	return 0;
}

/* Nothing named the environment: the policy's default-environment, a
 * user's ("default-environment") or the built-in one ("default"). */
static void
set_default(struct ws_run *run)
{
	const struct ws_where *w =
	    &run->policy->where[WS_SETTING_DEFAULT_ENVIRONMENT];
	const char *name = run->set->default_environment;

	if (name == NULL || *name == '\0')
		name = "development";
	set_environment(run, name, w->file != NULL &&
	    strcmp(w->file, "built-in") != 0 ? "default-environment" :
	    "default");
}

char *
ws_environment_origin(const struct ws_run *run)
{
	const char *f = run->env_name_from, *colon;

	if (f == NULL)
		return ws_xstrdup("not chosen");
	if (strncmp(f, "environment:", 12) == 0)
		return ws_xasprintf("%s, inherited environment", f + 12);
	if (strcmp(f, "default-environment") == 0)
		return ws_xasprintf("default-environment of %s",
		    run->set->path ? run->set->path : "the policy");
	if (strcmp(f, "default") == 0)
		return ws_xstrdup("default: nothing names the environment");
	if (strcmp(f, "-e") != 0 && strcmp(f, "WITHSECRETS_ENV") != 0 &&
	    (colon = strrchr(f, ':')) != NULL)	/* FILE:NAME */
		return ws_xasprintf("%s in %.*s", colon + 1, (int)(colon - f),
		    f);
	return ws_xstrdup(f);
}

/* The first environment-vars name set, not empty, in one layer. */
static int
detect_in(struct ws_run *run, struct ws_source *src)
{
	struct ws_var *v;
	char **l, *from;

	if (src == NULL)
		return 0;
	for (l = run->set->environment_vars; l && *l; l++) {
		v = ws_store_get_in(run->store, src, *l, strlen(*l));
		if (v == NULL || (v->flags & WS_VAR_NO_VALUE) || v->vallen == 0)
			continue;
		/* the one value that is shown: copied out of guarded memory */
		from = ws_xasprintf("%s:%s", src->path, *l);
		set_environment(run, ws_intern(v->value, v->vallen),
		    ws_intern(from, strlen(from)));
		free(from);
		return 1;
	}
	return 0;
}

/* An environment name becomes part of file names (.env.ENV): it may
 * not lead out of DIR. */
static int
environment_usable(struct ws_run *run)
{
	char *origin;

	if (strchr(run->env_name, '/') == NULL)
		return 1;
	origin = ws_environment_origin(run);
	ws_finding(WS_SEV_ERROR, strcmp(run->env_name_from, "-e")
	    == 0 ? WS_EX_USAGE : WS_EX_DATAERR, "environment", NULL,
	    origin, "an environment name may not contain '/'; "
	    "the .env.ENV layers are not read");
	free(origin);
	return 0;
}

struct layers {
	struct ws_run	*run;
	int		 base;		/* rank of .env.ENV.local */
	struct ws_source *dotenv, *local;
	const char	*dir;		/* "DIR/", or "" when DIR is "." */
	size_t		 dirlen;
};

/* DIR/ and a, interned: the path the source keeps (a copy built first
 * and interned then would cost twice: every run names four layers). */
static char *
layer_path(const struct layers *ly, const char *a, size_t n)
{
	return ws_intern2(ly->dir, ly->dirlen, a, n);
}

/* What interpolation sees: ws_lookup()'s entry, with a store's value in
 * the place of its reference once the answers are at hand (SPEC §13). */
static struct ws_var *
lookup(void *arg, const struct ws_source *from, const char *name, size_t n,
    int *read_file)
{
	return ws_stores_value(arg, ws_lookup(arg, from, name, n, read_file));
}

/* Read the .env file of src into the run's store: interpolation sees
 * what lookup() sees.  0, 1 when missing and missing_ok, or a
 * WS_EX_* code after findings. */
static int
load_file(struct ws_run *run, struct ws_source *src, int missing_ok)
{
	struct ws_dotenv_in in = { run->store, src, run->set->max_secret_size,
	    run->environ_in, lookup, run };

	return ws_dotenv_load(&in, src->path, missing_ok);
}

/* Read one conventional layer (path: from layer_path); NULL when it
 * does not exist. */
static struct ws_source *
load_layer(struct layers *ly, enum layer which, char *path)
{
	struct ws_run *run = ly->run;
	struct ws_source *src;
	int rc;

	src = ws_store_source_kept(run->store, WS_KIND_ENV_FILE, path,
	    ly->base + (int)which);
	src->file_relative = 1;
	rc = load_file(run, src, 1);
	if (rc == 1) {
		ws_verbose_msg("layer: %s: not there, skipped", path);
		return NULL;	/* missing: skipped silently */
	}
	ws_verbose_msg("layer: %s: read", path);
	return src;
}

/* Take back what a layer set (a .env.local read to learn the
 * environment name, which then turned out to be "test"). */
static void
unload(struct ws_run *run, struct ws_source *src)
{
	struct ws_var *head, *v, *next, **doomed = NULL;
	size_t it = 0, n = 0, i;

	while ((head = ws_store_next(run->store, &it)) != NULL)
		for (v = head; v != NULL; v = next) {
			next = v->next_in_name;
			if (v->src != src)
				continue;
			doomed = ws_xrealloc(doomed, (n + 1) * sizeof(*doomed));
			doomed[n++] = v;
		}
	for (i = 0; i < n; i++)
		ws_store_remove(run->store, doomed[i]);
	free(doomed);
}

/* Is fname a layer .env.NAME or .env.NAME.local for a NAME that would
 * be strict?  Not the example file, nor the files of other tools that
 * are not layers. */
static int
strict_layer(struct ws_run *run, const char *fname)
{
	static const char *const not_layers[] = { "local", "example",
	    "sample", "template", "defaults", "keys", "vault", NULL };
	const char *name;
	size_t n, i;
	char *env;
	int strict;

	if (strncmp(fname, ".env.", 5) != 0)
		return 0;
	name = fname + 5;
	n = strlen(name);
	if (n > 6 && strcmp(name + n - 6, ".local") == 0)
		n -= 6;
	if (n == 0)
		return 0;
	for (i = 0; not_layers[i] != NULL; i++)
		if (strlen(not_layers[i]) == n &&
		    strncmp(name, not_layers[i], n) == 0)
			return 0;
	if (run->set->example != NULL && strcmp(run->set->example, fname) == 0)
		return 0;
	env = ws_xstrndup(name, n);
	strict = !name_is_lenient(run, env);
	free(env);
	return strict;
}

/* The built-in default was taken while DIR holds layers of a strict
 * environment (.env.production): a server that forgot to name its
 * environment would run with the lenient rules.  Say so (SPEC §4.3). */
static void
warn_unnamed(struct ws_run *run, const char *dir)
{
	struct dirent *e;
	DIR *d;
	char *path;

	if (strcmp(run->env_name_from, "default") != 0 ||
	    (d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (!strict_layer(run, e->d_name))
			continue;
		path = ws_path_join(dir, e->d_name);
		ws_finding(WS_SEV_WARNING, 0, "unnamed-environment", NULL,
		    path, "not read: nothing names the environment, so %s "
		    "and its lenient rules apply; name it (-e, ENVIRONMENT, "
		    "or default-environment in withsecrets.ini)",
		    run->env_name);
		free(path);
	}
	(void)closedir(d);
}

static int
dir_usable(struct ws_run *run)
{
	struct stat st;

	if (fstatat(AT_FDCWD, run->opts->dir, &st, 0) == 0 &&
	    S_ISDIR(st.st_mode))
		return 1;
	ws_finding(WS_SEV_ERROR, WS_EX_NOINPUT, "missing-file", NULL,
	    run->opts->dir, "no such directory (--dir)");
	return 0;
}

static void
load_conventional(struct layers *ly, int known)
{
	struct ws_run *run = ly->run;
	const char *dir = run->opts->dir;
	char *env_env = NULL;
	size_t n;
	int local_read = 0, env_ok;

	/* "DIR/", or nothing when DIR is "." (the layers' own names) */
	if (strcmp(dir, ".") != 0) {
		n = strlen(dir);
		ly->dir = ws_intern2(dir, n, "/",
		    n > 0 && dir[n - 1] == '/' ? 0 : 1);
		ly->dirlen = strlen(ly->dir);
	} else
		ly->dir = "";
	ly->dotenv = load_layer(ly, L_DOTENV, layer_path(ly, ".env", 4));
	if (!known) {
		/* only .env.local and .env are left to name it */
		ly->local = load_layer(ly, L_LOCAL,
		    layer_path(ly, ".env.local", 10));
		local_read = 1;
		if (!detect_in(run, ly->local) && !detect_in(run, ly->dotenv)) {
			set_default(run);
			warn_unnamed(run, dir);
		}
	}
	env_ok = environment_usable(run);
	if (env_ok)	/* DIR/.env.ENV */
		env_env = ws_intern3(ly->dir, ly->dirlen, ".env.", 5,
		    run->env_name, strlen(run->env_name));
	/* .env.ENV is .env.local itself when ENV is "local" */
	if (env_ok && strcmp(run->env_name, "local") != 0)
		(void)load_layer(ly, L_ENV_ENV, env_env);
	/* .env.local is for every environment but the tests' (SPEC §4.2) */
	if (strcmp(run->env_name, "test") == 0 ||
	    strcmp(run->env_name, "testing") == 0) {
		if (ly->local != NULL)
			unload(run, ly->local);
	} else if (!local_read)
		ly->local = load_layer(ly, L_LOCAL,
		    layer_path(ly, ".env.local", 10));
	if (env_ok)
		(void)load_layer(ly, L_ENV_LOCAL_ENV,
		    ws_intern2(env_env, strlen(env_env), ".local", 6));
}

void
ws_layers_load(struct ws_run *run)
{
	struct layers ly;
	struct ws_source *src;
	size_t i, n = run->opts->n_env_files;
	int known = detect_early(run);

	if (n > WS_MAX_ENV_FILES) {
		ws_finding(WS_SEV_ERROR, WS_EX_USAGE, "usage", NULL, NULL,
		    "more than %d --env-file options", WS_MAX_ENV_FILES);
		return;
	}
	memset(&ly, 0, sizeof(ly));
	ly.run = run;
	ly.base = WS_RANK_ENV_FILE + (int)n;
	if (!run->opts->no_layers && dir_usable(run))
		load_conventional(&ly, known);
	else if (!known)
		set_default(run);
	/* explicit files: later over earlier, all over the conventional */
	for (i = 0; i < n; i++) {
		src = ws_store_source(run->store, WS_KIND_ENV_FILE,
		    run->opts->env_files[i], WS_RANK_ENV_FILE + (int)(n - 1 - i));
		src->file_relative = 1;
		(void)load_file(run, src, 0);
	}
	if (ws_verbose && run->env_name != NULL) {
		char *origin = ws_environment_origin(run);

		ws_verbose_msg("environment: %s (%s), %s", run->env_name,
		    origin, run->strict ? "strict" : "lenient");
		free(origin);
	}
}

/* [defaults]: the lowest source, one per policy file that gave any. */
void
ws_defaults_load(struct ws_run *run)
{
	struct ws_policy *p = run->policy;
	struct ws_source *src;
	const struct ws_default *d;
	size_t f, i;

	for (f = 0; f < p->n_files; f++) {
		src = NULL;
		for (i = 0; i < p->n_defaults; i++) {
			d = &p->defaults[i];
			if (d->file != p->files[f])
				continue;
			if (src == NULL)
				src = ws_store_source(run->store,
				    WS_KIND_DEFAULT, d->file, WS_RANK_DEFAULT);
			(void)ws_store_add(run->store, src, d->name,
			    strlen(d->name), d->value, d->vallen, d->line, 0);
		}
	}
}
