/*
 * `withsecrets gen` (SPEC §11): a fresh random value for each secret
 * that is missing (unset or empty in every source, or still a
 * placeholder), written to the first -s DIR (one file per secret) or
 * the first -f FILE (a .env file, only the missing lines changed).
 *
 * The values follow the arena rule (HACKING.md): random bytes from
 * randombytes_buf() into ws_work, formatted there, a .env file's new
 * text built there, written with write(2) to a temporary file in the
 * same directory, fsync'd and renamed over the old one (the directory
 * fsync'd), then wiped.  Nothing is written before every name has been
 * planned, so that a policy error (78) leaves the files as they were;
 * a file that cannot be written (73) leaves no temporary file behind.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "withsecrets.h"
#include "opts.h"
#include "util.h"
#include "secmem.h"
#include "out.h"
#include "diag.h"
#include "names.h"
#include "vars.h"
#include "policy.h"
#include "values.h"
#include "file.h"
#include "dotenv.h"
#include "effective.h"
#include "gen.h"
#include "gen-internal.h"

/* The output, chosen before the sources are read. */
static struct gen_out out;

/* ------------------------------------------------------------------ */
/* Before the sources.                                                 */

static void
drop_first(char **list, size_t *n)
{
	memmove(list, list + 1, *n * sizeof(*list));	/* the NULL too */
	(*n)--;
}

void
ws_gen_prepare(struct ws_run *run)
{
	struct ws_opts *o = run->opts;
	char *esc;
	size_t i;

	memset(&out, 0, sizeof(out));
	for (i = 0; o->names != NULL && o->names[i] != NULL; i++)
		if (!ws_name_portable(o->names[i], strlen(o->names[i]))) {
			esc = ws_escape(o->names[i]);
			ws_finding(WS_SEV_ERROR, WS_EX_USAGE, "usage", NULL,
			    NULL, "gen: '%s' is not a valid variable name "
			    "(letters, digits and _, not starting with a "
			    "digit)", esc);
			free(esc);
		}
	if (o->n_secrets_dirs > 0) {
		out.dir = 1;
		out.path = o->secrets_dirs[0];
	} else if (o->n_env_files > 0)
		out.path = o->env_files[0];
	else {
		ws_finding(WS_SEV_ERROR, WS_EX_USAGE, "usage", NULL, NULL,
		    "gen needs somewhere to write: -s DIR (a file per "
		    "secret) or -f FILE (a .env file)");
		return;
	}
	if (*out.path == '\0') {
		ws_finding(WS_SEV_ERROR, WS_EX_USAGE, "usage", NULL, NULL,
		    "gen: the output %s is empty; name a %s",
		    out.dir ? "-s DIR" : "-f FILE",
		    out.dir ? "directory" : "file");
		return;
	}
	if (lstat(out.path, &out.st) == 0) {
		out.exists = 1;
		return;		/* read as a source, as in a run */
	}
	/* an output is created, not missing (SPEC §2, -f): whatever keeps
	 * it from being there is said when it is written (73) */
	if (out.dir)
		drop_first(o->secrets_dirs, &o->n_secrets_dirs);
	else
		drop_first(o->env_files, &o->n_env_files);
}

void
ws_gen_free(void)
{
	memset(&out, 0, sizeof(out));
}

/* ------------------------------------------------------------------ */
/* Which names, and what each gets.                                    */


static void
add_name(struct plan *pl, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < pl->n; i++)
		if (pl->it[i].namelen == n &&
		    memcmp(pl->it[i].name, name, n) == 0)
			return;
	pl->it = ws_xrealloc(pl->it, (pl->n + 1) * sizeof(*pl->it));
	memset(&pl->it[pl->n], 0, sizeof(pl->it[pl->n]));
	pl->it[pl->n].name = ws_intern(name, n);
	pl->it[pl->n].namelen = n;
	pl->n++;
}

/* Does a glob section require this name here (SPEC §6: it requires the
 * matching names that a source or the example file mentions)? */
static int
glob_requires(const struct ws_run *run, const char *name, size_t n)
{
	const struct ws_varrule *r;
	struct ws_varpol vp;

	return ws_policy_var_n(run->policy, name, n, &vp) &&
	    (r = vp.from[WS_VK_REQUIRED]) != NULL && r->glob &&
	    (r->required == WS_REQ_ALWAYS ||
	    (r->required == WS_REQ_STRICT && run->strict));
}

/* The example file's names, then the names the policy requires here. */
static void
candidates(struct plan *pl)
{
	struct ws_run *run = pl->run;
	const struct ws_policy *p = run->policy;
	const struct ws_varrule *r;
	struct ws_var *v;
	size_t i, it = 0;

	if (pl->given) {
		for (i = 0; run->opts->names[i] != NULL; i++)
			add_name(pl, run->opts->names[i],
			    strlen(run->opts->names[i]));
		return;
	}
	if (run->example != NULL)
		while ((v = ws_store_next(run->example, &it)) != NULL)
			add_name(pl, v->name, v->namelen);
	for (i = 0; i < p->n_rules; i++) {
		r = &p->rules[i];
		if (r->glob || !(r->set & (1u << WS_VK_REQUIRED)))
			continue;
		if (r->required == WS_REQ_ALWAYS ||
		    (r->required == WS_REQ_STRICT && run->strict))
			add_name(pl, r->pattern, strlen(r->pattern));
	}
	it = 0;
	while ((v = ws_store_next(run->store, &it)) != NULL)
		if (!(v->flags & (WS_VAR_POINTER | WS_VAR_SKIPPED)) &&
		    glob_requires(run, v->name, v->namelen))
			add_name(pl, v->name, v->namelen);
}

/* Is the entry a placeholder (SPEC §6): a development default or
 * template, or the example file's value of its name? */
static int
placeholder(const struct ws_run *run, const struct ws_var *e)
{
	const struct ws_var *x;

	if (ws_rule_placeholder(run->policy, e->value, e->vallen))
		return 1;
	if (run->example == NULL || (e->src->path != NULL &&
	    strcmp(e->src->path, run->example_path) == 0))
		return 0;
	for (x = ws_store_get(run->example, e->name, e->namelen); x != NULL;
	    x = x->next_in_name)
		if (!(x->flags & WS_VAR_NO_VALUE) && x->vallen > 0)
			return x->vallen == e->vallen &&
			    sodium_memcmp(x->value, e->value, e->vallen) == 0;
	return 0;
}

static int
has_value(const struct ws_var *e)
{
	return e != NULL && !(e->flags & WS_VAR_NO_VALUE) && e->vallen > 0;
}

/* Is the source the output? */
static int
is_output(const struct ws_source *src)
{
	struct stat st;

	if (src->path == NULL || src->kind != (out.dir ? WS_KIND_SECRET_DIR :
	    WS_KIND_ENV_FILE))
		return 0;
	if (strcmp(src->path, out.path) == 0)
		return 1;
	/* the same file by another name: "./.env" and ".env" */
	return out.exists && stat(src->path, &st) == 0 &&
	    st.st_dev == out.st.st_dev && st.st_ino == out.st.st_ino;
}

static int
secret_name(struct plan *pl, struct item *t)
{
	struct ws_run *run = pl->run;
	struct ws_var *x;

	if (t->e != NULL)
		return ws_policy_is_secret(run, t->e);
	if (run->example != NULL &&
	    (x = ws_store_get(run->example, t->name, t->namelen)) != NULL)
		return ws_policy_secret(x, &t->vp);
	return t->vp.secret == 1;
}

static int
ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* What the policy says gen writes for t (SPEC §11).  0: by hand. */
static int
format_of(struct plan *pl, struct item *t)
{
	const struct ws_varrule *r = t->vp.from[WS_VK_GENERATE];
	const struct ws_where *w;
	size_t max = pl->run->set->max_secret_size;
	int written;
	char *at;

	if (r != NULL && r->gen_fmt == WS_GEN_NO) {
		t->why = "its [var] section says generate = no";
		return 0;
	}
	if (r != NULL) {
		t->fmt = r->gen_fmt;
		t->n = r->gen_n;
		w = &r->where[WS_VK_GENERATE];
		written = w->file != NULL && strcmp(w->file, "built-in") != 0;
	} else if (pl->given) {
		t->fmt = ends_with(t->name, t->namelen, "PASSWORD") ||
		    ends_with(t->name, t->namelen, "PASSWD") ? WS_GEN_ALNUM :
		    WS_GEN_HEX;
		t->n = 32;
		written = 0;
		w = NULL;
	} else
		return 0;
	if (ws_gen_chars(t->fmt, t->n) < t->vp.min_length) {
		if (written) {
			at = ws_where_fmt(w);
			ws_finding(WS_SEV_ERROR, WS_EX_POLICY, "generate",
			    t->name, at, "generate = %s:%zu makes %zu "
			    "characters, fewer than its min-length of %zu; "
			    "raise N", ws_gen_fmt_name(t->fmt), t->n,
			    ws_gen_chars(t->fmt, t->n), t->vp.min_length);
			free(at);
			return 0;
		}
		t->n = ws_gen_n_for(t->fmt, t->vp.min_length);
	}
	if (ws_gen_chars(t->fmt, t->n) > max) {
		at = w != NULL ? ws_where_fmt(w) : NULL;
		ws_finding(WS_SEV_ERROR, WS_EX_POLICY, "generate", t->name, at,
		    "%s:%zu makes %zu characters, more than max-secret-size "
		    "(%zu); lower N", ws_gen_fmt_name(t->fmt), t->n,
		    ws_gen_chars(t->fmt, t->n), max);
		free(at);
		return 0;
	}
	return 1;
}

static void
plan_one(struct plan *pl, struct item *t)
{
	struct ws_run *run = pl->run;
	struct ws_var *head, *x;
	int secret, missing, forced;

	head = ws_store_get(run->store, t->name, t->namelen);
	t->e = head != NULL ? ws_effective(run, head) : NULL;
	for (x = head; x != NULL; x = x->next_in_name)
		if (is_output(x->src)) {
			t->oe = x;
			break;
		}
	(void)ws_policy_var_n(run->policy, t->name, t->namelen, &t->vp);
	secret = pl->given || secret_name(pl, t);
	if (secret)
		pl->n_secrets++;
	missing = !has_value(t->e) || (secret && placeholder(run, t->e));
	forced = pl->given && run->opts->force;
	if (!missing && !forced) {
		/* a name that is not a secret and has a value: not ours */
		t->what = secret ? GEN_KEPT : GEN_QUIET;
		return;
	}
	if (!secret) {
		t->what = GEN_HAND;
		t->why = "not a secret";
		return;
	}
	/* the output holds a real value that something higher hides */
	if (!forced && t->oe != NULL && t->oe != t->e && has_value(t->oe) &&
	    !placeholder(run, t->oe)) {
		t->e = t->oe;
		t->what = GEN_KEPT;
		return;
	}
	if (!out.dir && t->oe != NULL && (t->oe->flags & WS_VAR_FROM_FILE)) {
		t->what = GEN_HAND;
		t->why = "it comes from a NAME_FILE pointer in the output: "
		    "write the file it names";
		return;
	}
	t->what = format_of(pl, t) ? GEN_WRITE : GEN_HAND;
}

/* A user's pattern or forbid that refuses a value: gen refuses (78)
 * rather than write it.  Built-in rules: a value the placeholder or
 * weak rule would refuse is drawn again (it practically never is). */
static int
acceptable(const struct ws_run *run, const struct item *t, const char *v,
    size_t len, int *user_refused)
{
	const struct ws_varrule *r;

	*user_refused = 0;
	if (ws_rule_placeholder(run->policy, v, len) ||
	    (t->vp.min_length >= 32 && ws_rule_weak(v, len)))
		return 0;
	if ((r = t->vp.from[WS_VK_FORBID]) != NULL && r->forbid != NULL &&
	    ws_value_in_words(v, len, (const char *const *)r->forbid)) {
		*user_refused = 1;
		return 0;
	}
	if ((r = t->vp.from[WS_VK_PATTERN]) != NULL && r->re != NULL &&
	    regexec(r->re, v, 0, NULL, 0) != 0) {
		*user_refused = 1;
		return 0;
	}
	return 1;
}

#define GEN_TRIES	16

static void
make_value(struct plan *pl, struct item *t)
{
	const struct ws_varrule *r;
	int tries, user;
	char *at;

	for (tries = 0; tries < GEN_TRIES; tries++) {
		if ((t->value = ws_gen_value(t->fmt, t->n, &t->vallen)) == NULL)
			ws_fatal_nomem();
		if (acceptable(pl->run, t, t->value, t->vallen, &user))
			return;
		sodium_memzero(t->value, t->vallen);
		t->value = NULL;
	}
	r = t->vp.from[WS_VK_PATTERN] != NULL ? t->vp.from[WS_VK_PATTERN] :
	    t->vp.from[WS_VK_FORBID];
	at = user && r != NULL ? ws_where_fmt(&r->where[r ==
	    t->vp.from[WS_VK_PATTERN] ? WS_VK_PATTERN : WS_VK_FORBID]) : NULL;
	ws_finding(WS_SEV_ERROR, WS_EX_POLICY, "generate", t->name, at,
	    "%s refuses every value %s:%zu made (%d tries); change generate "
	    "in its [var] section, or the rule", user ? "its pattern or "
	    "forbid" : "the placeholder or weak rule",
	    ws_gen_fmt_name(t->fmt), t->n, GEN_TRIES);
	free(at);
}

/* ------------------------------------------------------------------ */
/* The verb.                                                           */

/* Would a higher source hide what gen writes for t? */
static void
warn_hidden(struct plan *pl, struct item *t)
{
	int rank;
	char *src, *esc;

	if (t->e == NULL || t->e == t->oe || !has_value(t->e))
		return;
	rank = t->oe != NULL ? t->oe->src->rank : out.dir ?
	    WS_RANK_SECRET_DIR : WS_RANK_ENV_FILE +
	    (int)pl->run->opts->n_env_files;
	if (t->e->src->rank >= rank)
		return;
	src = ws_var_source(t->e);
	esc = ws_escape(out.path);
	ws_finding(WS_SEV_WARNING, 0, "gen", t->name, src, "hides what gen "
	    "writes to %s: the command would still get this one; unset it "
	    "here", esc);
	free(esc);
	free(src);
}

static void
report_line(struct plan *pl, struct item *t)
{
	char *src, *display;

	switch (t->what) {
	case GEN_KEPT:
		src = ws_var_source(t->e);
		display = ws_escape(src);
		ws_out_fmt(&ws_stdout, "kept %s (already set in %s)\n",
		    t->name, display);
		free(display);
		free(src);
		break;
	case GEN_HAND:
		ws_out_fmt(&ws_stdout, "to be set by hand: %s%s%s%s\n",
		    t->name, t->why ? " (" : "", t->why ? t->why : "",
		    t->why ? ")" : "");
		break;
	case GEN_WRITE:
		if (!pl->run->opts->dry_run)
			break;		/* said once written */
		display = out.dir ? ws_path_join(out.path, t->file) :
		    ws_xstrdup(out.path);
		ws_gen_said(pl, t, "would write", display);
		free(display);
		break;
	default:
		break;		/* not a secret, and set: nothing to say */
	}
}

void
ws_gen(struct ws_run *run)
{
	struct plan pl;
	struct item *t;
	size_t i, n_write = 0;

	memset(&pl, 0, sizeof(pl));
	pl.out = &out;
	pl.run = run;
	pl.given = run->opts->names != NULL && run->opts->names[0] != NULL;
	candidates(&pl);
	for (i = 0; i < pl.n; i++)
		plan_one(&pl, &pl.it[i]);
	if (!pl.given && pl.n_secrets == 0) {
		if (run->example == NULL)
			ws_finding(WS_SEV_ERROR, WS_EX_NOINPUT, "gen", NULL,
			    run->example_path, "no NAME given, and no example "
			    "file to take the names from: name the secrets "
			    "(withsecrets gen -s DIR NAME...) or add the "
			    "example file");
		else
			ws_finding(WS_SEV_ERROR, WS_EX_USAGE, "gen", NULL,
			    run->example_path, "lists no secret, and the "
			    "policy requires none: name the secrets "
			    "(withsecrets gen -s DIR NAME...)");
	}
	for (i = 0; i < pl.n && ws_diag_status() == 0; i++) {
		t = &pl.it[i];
		if (t->what != GEN_WRITE)
			continue;
		if (out.dir)
			t->file = ws_gen_lower_name(t->name, t->namelen);
		make_value(&pl, t);
		n_write++;
	}
	/* a policy error is found before anything is written */
	if (ws_diag_status() == 0) {
		for (i = 0; i < pl.n; i++) {
			report_line(&pl, &pl.it[i]);
			if (pl.it[i].what == GEN_WRITE)
				warn_hidden(&pl, &pl.it[i]);
		}
		if (n_write > 0 && !run->opts->dry_run)
			(out.dir ? ws_gen_write_dir : ws_gen_write_env_file)(&pl);
	}
	for (i = 0; i < pl.n; i++) {
		t = &pl.it[i];
		if (t->value != NULL)
			sodium_memzero(t->value, t->vallen);
		free(t->file);
	}
	free(pl.it);
	if (ws_out_flush(&ws_stdout) != 0)
		ws_finding(WS_SEV_ERROR, WS_EX_CANTCREAT, "gen", NULL, NULL,
		    "cannot write to stdout");
}
