/*
 * The environment name (SPEC §4.3) and the .env layers (§4.2).
 *
 * Layers are read lowest first, so that interpolation in a layer sees
 * the ones below it: for each -C DIR in order,
 *
 *	.env  .env.ENV  .env.local  .env.ENV.local
 *
 * then the -f files; and ranked so that the store keeps the
 * precedence, highest first: the -f files (later over earlier), then
 * the last DIR's .env.ENV.local, .env.local, .env.ENV, .env, then the
 * DIR before it.  One exception to the reading order: when only the
 * files can name the environment, the .env and .env.local of every DIR
 * are read first (to learn it), then the .env.ENV layers, which those
 * first files cannot see.  A file is read once: a -f that is also a
 * conventional layer is read where the layer is, ranked as the -f.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "withsecrets.h"
#include "opts.h"
#include "util.h"
#include "diag.h"
#include "vars.h"
#include "dirlist.h"
#include "policy.h"
#include "dotenv.h"
#include "resolve.h"

/* At most this many --env-files: their ranks must stay between those
 * of the secret directories and of an overridden environment. */
#define WS_MAX_ENV_FILES	900
/* At most this many --dirs: four conventional layers each, in the
 * ranks left above the explicit files'. */
#define WS_MAX_DIRS		24

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

/* One -C directory's layers. */
struct dirl {
	const char	*dir;		/* as given */
	const char	*prefix;	/* "DIR/", or "" when DIR is "." */
	size_t		 plen;
	int		 base;		/* rank of its .env.ENV.local */
	dev_t		 dev;		/* which directory it is */
	ino_t		 ino;
	struct ws_source *dotenv, *local;
};

/* A -f file, by identity: a conventional layer that is the same file
 * is read once, at the rank of -f (SPEC §4.2). */
struct fid {
	dev_t		 dev;
	ino_t		 ino;
	int		 known;		/* it could be looked at */
	int		 done;		/* read already, as a layer */
};

struct layers {
	struct ws_run	*run;
	struct dirl	*d;		/* the usable -C directories */
	size_t		 nd;
	struct dirl	 one;		/* d, when there is one -C */
	struct fid	*f;		/* -f files; NULL when none */
	size_t		 nf;
};

/* DIR/ and a, interned: the path the source keeps (a copy built first
 * and interned then would cost twice: every run names four layers). */
static char *
layer_path(const struct dirl *d, const char *a, size_t n)
{
	return ws_intern2(d->prefix, d->plen, a, n);
}

/* What interpolation sees: ws_lookup()'s entry, with a store's value in
 * the place of its reference once the answers are at hand (SPEC §13). */
static struct ws_var *
lookup(void *arg, const struct ws_source *from, const char *name, size_t n,
    int *read_file)
{
	struct ws_run *run = arg;
	struct ws_var *v = ws_lookup(arg, from, name, n, read_file);

	return run->stores != NULL ? run->stores->value(run, v) : v;
}

/* Parse the text b of the .env file path into a new source of the
 * run's store, ranked rank: interpolation sees what lookup() sees.
 * The source is made only for a file that was read, so the store's
 * .env sources are the layers read (check's "layers"). */
static struct ws_source *
parse_layer(struct ws_run *run, char *path, int rank, struct ws_blob *b)
{
	struct ws_dotenv_in in = { run->store, NULL,
	    run->set->max_secret_size, run->environ_in, lookup, run };

	in.src = ws_store_source_kept(run->store, WS_KIND_ENV_FILE, path,
	    rank);
	in.src->file_relative = 1;
	/* the text stays: plain values point into it, and it is zeroed
	 * with the rest of ws_work */
	(void)ws_dotenv_parse(&in, path, b->p, b->len);
	return in.src;
}

/* The -f file that st is (the last, when it is given more than once),
 * or -1. */
static int
explicit_file(const struct layers *ly, const struct stat *st)
{
	size_t i;

	for (i = ly->nf; i-- > 0;)
		if (ly->f[i].known && ly->f[i].dev == st->st_dev &&
		    ly->f[i].ino == st->st_ino)
			return (int)i;
	return -1;
}

/* The -f files that are the same file as the i-th: read, as a layer. */
static void
mark_read(struct layers *ly, int i)
{
	size_t k;

	for (k = 0; k < ly->nf; k++)
		if (ly->f[k].known && ly->f[k].dev == ly->f[i].dev &&
		    ly->f[k].ino == ly->f[i].ino)
			ly->f[k].done = 1;
}

/* Read one conventional layer (path: from layer_path); NULL when it
 * does not exist or could not be read (a finding says why).  One that
 * is also given with -f is read here, where the environment name may
 * be learnt from it, but ranked as that -f; the -f is not read again. */
static struct ws_source *
load_layer(struct layers *ly, struct dirl *d, enum layer which, char *path)
{
	struct ws_run *run = ly->run;
	struct ws_blob b;
	int rank = d->base + (int)which, rc, i;

	rc = ws_dotenv_read(path, 1, &b);
	if (rc == 1) {
		ws_verbose_msg("layer: %s: not there, skipped", path);
		return NULL;	/* missing: skipped silently */
	}
	if (rc != 0)
		return NULL;	/* a finding says why */
	if (ly->f != NULL && (i = explicit_file(ly, &b.st)) >= 0) {
		rank = WS_RANK_ENV_FILE + (int)(ly->nf - 1 - (size_t)i);
		mark_read(ly, i);
		ws_verbose_msg("layer: %s: read once, ranked as -f %s", path,
		    run->opts->env_files[i]);
	} else
		ws_verbose_msg("layer: %s: read", path);
	return parse_layer(run, path, rank, &b);
}

/* Is src one of the -f files (ranked above every conventional layer)? */
static int
is_explicit(const struct layers *ly, const struct ws_source *src)
{
	return src->rank < WS_RANK_ENV_FILE + (int)ly->nf;
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
	struct ws_listing l = { NULL, 0, 0, 0 };
	struct ws_dirbuf b = { NULL, 0 };
	char *path;
	size_t i;
	int fd;

	if (strcmp(run->env_name_from, "default") != 0 ||
	    (fd = openat(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC))
	    < 0)
		return;
	/* in name order, so that the warnings are the same on every file
	 * system */
	if (ws_list_dir(fd, &l, WS_LIST_SORTED | WS_LIST_DOTFILES, &b) == 0)
		for (i = 0; i < l.n; i++) {
			if (!strict_layer(run, l.v[i].fname))
				continue;
			path = ws_path_join(dir, l.v[i].fname);
			ws_finding(WS_SEV_WARNING, 0, "unnamed-environment",
			    NULL, path, "not read: nothing names the "
			    "environment, so %s and its lenient rules apply; "
			    "name it (-e, ENVIRONMENT, or default-environment "
			    "in withsecrets.ini)", run->env_name);
			free(path);
		}
	(void)close(fd);
	ws_listing_free(&l);
	free(b.p);
}

/* DIR exists and is a directory; st: what it is. */
static int
dir_usable(const char *dir, struct stat *st)
{
	if (fstatat(AT_FDCWD, dir, st, 0) == 0 && S_ISDIR(st->st_mode))
		return 1;
	ws_finding(WS_SEV_ERROR, WS_EX_NOINPUT, "missing-file", NULL,
	    dir, "no such directory (--dir)");
	return 0;
}

/*
 * The -C directories that exist, in order, each once: one given twice
 * (-C . -C ./) is read at its last place, where it ranks highest.
 * Ranks: all of a later directory's layers over all of an earlier
 * one's, all of them under the -f files.  One directory, the usual
 * case, needs no allocation.
 */
static void
collect_dirs(struct layers *ly)
{
	const struct ws_opts *o = ly->run->opts;
	struct stat st;
	struct dirl *d;
	size_t i, k, n, w;

	ly->d = o->n_dirs == 1 ? &ly->one : ws_xcalloc(o->n_dirs,
	    sizeof(*ly->d));
	for (i = 0; i < o->n_dirs; i++) {
		if (!dir_usable(o->dirs[i], &st))
			continue;
		d = &ly->d[ly->nd++];
		memset(d, 0, sizeof(*d));
		d->dir = o->dirs[i];
		d->dev = st.st_dev;
		d->ino = st.st_ino;
		if (strcmp(d->dir, ".") != 0) {
			n = strlen(d->dir);
			d->prefix = ws_intern2(d->dir, n, "/",
			    n > 0 && d->dir[n - 1] == '/' ? 0 : 1);
			d->plen = strlen(d->prefix);
		} else
			d->prefix = "";
	}
	/* each once, at its last place: one given again later is dropped
	 * here, the others kept in order */
	for (i = 0, w = 0; i < ly->nd; i++) {
		for (k = i + 1; k < ly->nd; k++)
			if (ly->d[k].dev == ly->d[i].dev &&
			    ly->d[k].ino == ly->d[i].ino)
				break;
		if (k < ly->nd) {
			ws_verbose_msg("layers: %s is the directory %s given "
			    "later; read there", ly->d[i].dir, ly->d[k].dir);
			continue;
		}
		if (w != i)
			ly->d[w] = ly->d[i];
		w++;
	}
	ly->nd = w;
	for (i = 0; i < ly->nd; i++) {
		ly->d[i].base = WS_RANK_ENV_FILE + (int)ly->nf +
		    4 * (int)(ly->nd - 1 - i);
		if (ly->nd > 1)
			ws_verbose_msg("layers: directory %zu of %zu: %s%s",
			    i + 1, ly->nd, ly->d[i].dir, i + 1 == ly->nd ?
			    " (its layers over the others')" : "");
	}
}

/* Who each -f file is (after symbolic links), to know it as a layer. */
static void
identify_env_files(struct layers *ly)
{
	const struct ws_opts *o = ly->run->opts;
	struct stat st;
	size_t i;

	if (o->n_env_files == 0 || o->no_layers)
		return;		/* nothing to compare: no look at all */
	ly->f = ws_xcalloc(o->n_env_files, sizeof(*ly->f));
	for (i = 0; i < o->n_env_files; i++)
		if (fstatat(AT_FDCWD, o->env_files[i], &st, 0) == 0) {
			ly->f[i].known = 1;
			ly->f[i].dev = st.st_dev;
			ly->f[i].ino = st.st_ino;
		}
}

/* .env, and .env.local while the environment is not known: the files
 * that may name it. */
static void
load_dir_first(struct layers *ly, struct dirl *d, int known)
{
	d->dotenv = load_layer(ly, d, L_DOTENV, layer_path(d, ".env", 4));
	if (!known)
		d->local = load_layer(ly, d, L_LOCAL,
		    layer_path(d, ".env.local", 10));
}

/* The rest of a directory's layers, the environment name known. */
static void
load_dir_rest(struct layers *ly, struct dirl *d, int known, int env_ok)
{
	struct ws_run *run = ly->run;
	char *env_env = NULL;

	if (env_ok)	/* DIR/.env.ENV */
		env_env = ws_intern3(d->prefix, d->plen, ".env.", 5,
		    run->env_name, strlen(run->env_name));
	/* .env.ENV is .env.local itself when ENV is "local" */
	if (env_ok && strcmp(run->env_name, "local") != 0)
		(void)load_layer(ly, d, L_ENV_ENV, env_env);
	/* .env.local is for every environment but the tests' (SPEC §4.2);
	 * given with -f, it is read as any -f is */
	if (strcmp(run->env_name, "test") == 0 ||
	    strcmp(run->env_name, "testing") == 0) {
		if (d->local != NULL && !is_explicit(ly, d->local)) {
			unload(run, d->local);
			d->local->dropped = 1;
			ws_verbose_msg("layer: %s: not read in the %s "
			    "environment", d->local->path, run->env_name);
		}
	} else if (known)
		d->local = load_layer(ly, d, L_LOCAL,
		    layer_path(d, ".env.local", 10));
	if (env_ok)
		(void)load_layer(ly, d, L_ENV_LOCAL_ENV,
		    ws_intern2(env_env, strlen(env_env), ".local", 6));
}

/* The files name the environment: the highest layer that sets one of
 * environment-vars, of .env.local and .env, the last directory first
 * (all of a later directory's layers are over an earlier one's). */
static void
detect_in_files(struct layers *ly)
{
	size_t i;

	for (i = ly->nd; i-- > 0;)
		if (detect_in(ly->run, ly->d[i].local) ||
		    detect_in(ly->run, ly->d[i].dotenv))
			return;
	set_default(ly->run);
	for (i = 0; i < ly->nd; i++)
		warn_unnamed(ly->run, ly->d[i].dir);
}

/*
 * Each directory's layers in turn, lowest first, so that a later
 * directory's files see an earlier one's names in interpolation.  When
 * only the files can name the environment, the .env and .env.local of
 * every directory are read first to learn it, then the .env.ENV layers:
 * those first files do not see the .env.ENV layers under them.
 */
static void
load_conventional(struct layers *ly, int known)
{
	size_t i;
	int env_ok;

	if (known) {
		env_ok = environment_usable(ly->run);
		for (i = 0; i < ly->nd; i++) {
			load_dir_first(ly, &ly->d[i], 1);
			load_dir_rest(ly, &ly->d[i], 1, env_ok);
		}
		return;
	}
	for (i = 0; i < ly->nd; i++)
		load_dir_first(ly, &ly->d[i], 0);
	detect_in_files(ly);
	env_ok = environment_usable(ly->run);
	for (i = 0; i < ly->nd; i++)
		load_dir_rest(ly, &ly->d[i], 0, env_ok);
}

/* -f files: later over earlier, all over the conventional layers; one
 * read as a layer already is not read again. */
static void
load_explicit(struct layers *ly)
{
	struct ws_run *run = ly->run;
	struct ws_blob b;
	size_t i, n = run->opts->n_env_files;
	char *path;

	for (i = 0; i < n; i++) {
		if (ly->f != NULL && ly->f[i].done) {
			ws_verbose_msg("layer: %s (-f): read once, above",
			    run->opts->env_files[i]);
			continue;
		}
		path = run->opts->env_files[i];
		if (ws_dotenv_read(path, 0, &b) != 0)
			continue;	/* a finding says why */
		ws_verbose_msg("layer: %s: read (-f)", path);
		(void)parse_layer(run, ws_intern(path, strlen(path)),
		    WS_RANK_ENV_FILE + (int)(n - 1 - i), &b);
	}
}

void
ws_layers_load(struct ws_run *run)
{
	struct layers ly;
	size_t n = run->opts->n_env_files;
	int known = detect_early(run);

	if (n > WS_MAX_ENV_FILES) {
		ws_finding(WS_SEV_ERROR, WS_EX_USAGE, "usage", NULL, NULL,
		    "more than %d --env-file options", WS_MAX_ENV_FILES);
		return;
	}
	if (run->opts->n_dirs > WS_MAX_DIRS) {
		ws_finding(WS_SEV_ERROR, WS_EX_USAGE, "usage", NULL, NULL,
		    "more than %d --dir options", WS_MAX_DIRS);
		return;
	}
	memset(&ly, 0, sizeof(ly));
	ly.run = run;
	ly.nf = n;
	identify_env_files(&ly);
	if (!run->opts->no_layers)
		collect_dirs(&ly);
	if (ly.nd > 0)
		load_conventional(&ly, known);
	else if (!known)
		set_default(run);
	load_explicit(&ly);
	if (ly.d != &ly.one)
		free(ly.d);
	free(ly.f);
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
