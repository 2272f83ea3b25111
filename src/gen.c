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

/* The output, chosen before the sources are read. */
static struct {
	int		 dir;		/* 1: -s DIR; 0: -f FILE */
	const char	*path;		/* as given */
	int		 exists;
	struct stat	 st;		/* when it exists */
} out;

/* What gen does with a name; GEN_QUIET: not a secret, and set. */
enum what { GEN_WRITE, GEN_KEPT, GEN_HAND, GEN_QUIET };

struct item {
	const char	*name;
	size_t		 namelen;
	enum what	 what;
	enum ws_genfmt	 fmt;
	size_t		 n;
	struct ws_varpol vp;
	struct ws_var	*e;		/* the entry the command would get */
	struct ws_var	*oe;		/* the entry of the output, if any */
	const char	*why;		/* GEN_HAND: a reason, or NULL */
	char		*file;		/* -s: the file's name in DIR */
	char		*value;		/* in ws_work */
	size_t		 vallen;
	const char	*vs, *ve;	/* -f: the span of the old value */
};

/* ------------------------------------------------------------------ */
/* Values.                                                             */

const char *
ws_gen_fmt_name(enum ws_genfmt f)
{
	switch (f) {
	case WS_GEN_HEX:
		return "hex";
	case WS_GEN_BASE64URL:
		return "base64url";
	case WS_GEN_ALNUM:
		return "alnum";
	default:
		return "no";
	}
}

size_t
ws_gen_chars(enum ws_genfmt f, size_t n)
{
	switch (f) {
	case WS_GEN_HEX:
		return 2 * n;
	case WS_GEN_BASE64URL:
		return (4 * n + 2) / 3;		/* unpadded */
	case WS_GEN_ALNUM:
		return n;
	default:
		return 0;
	}
}

size_t
ws_gen_n_for(enum ws_genfmt f, size_t chars)
{
	switch (f) {
	case WS_GEN_HEX:
		return (chars + 1) / 2;
	case WS_GEN_BASE64URL:
		return (3 * chars + 1) / 4;	/* 4n + 2 >= 3 chars */
	default:
		return chars;
	}
}

static const char alnum[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

char *
ws_gen_value(enum ws_genfmt f, size_t n, size_t *len)
{
	size_t chars = ws_gen_chars(f, n), got, i, raw;
	unsigned char *bytes;
	char *v;

	/* the bytes and the text in one block of the arena */
	raw = f == WS_GEN_ALNUM ? 64 : n;
	if ((v = ws_arena_alloc(&ws_work, chars + 1 + raw)) == NULL)
		return NULL;
	bytes = (unsigned char *)v + chars + 1;
	switch (f) {
	case WS_GEN_HEX:
		randombytes_buf(bytes, n);
		(void)sodium_bin2hex(v, chars + 1, bytes, n);
		break;
	case WS_GEN_BASE64URL:
		randombytes_buf(bytes, n);
		(void)sodium_bin2base64(v, chars + 1, bytes, n,
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		break;
	default:
		/* a byte below 248 (4 * 62) modulo 62: no bias */
		for (got = 0; got < chars; ) {
			randombytes_buf(bytes, raw);
			for (i = 0; i < raw && got < chars; i++)
				if (bytes[i] < 248)
					v[got++] = alnum[bytes[i] % 62];
		}
		v[chars] = '\0';
		break;
	}
	sodium_memzero(bytes, raw);
	*len = chars;
	return v;
}

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

struct plan {
	struct ws_run	*run;
	struct item	*it;
	size_t		 n;
	int		 given;		/* NAMEs on the command line */
	size_t		 n_secrets;	/* secret names considered */
};

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
/* Writing.                                                            */

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Replace dfd/name with [p, p + n), mode mode (and the owner of old, when
 * given), atomically: a temporary file beside it, written, fsync'd,
 * renamed over it, the directory fsync'd.  0, or -1 with errno and *op
 * naming the step that failed; the temporary file is gone either way.
 */
static int
replace_file(int dfd, const char *name, const char *p, size_t n,
    mode_t mode, const struct stat *old, const char **op)
{
	unsigned char rnd[6];
	char tmp[64], suffix[13];
	int fd = -1, tries, e;

	for (tries = 0; ; tries++) {
		randombytes_buf(rnd, sizeof(rnd));
		(void)sodium_bin2hex(suffix, sizeof(suffix), rnd, sizeof(rnd));
		/* a dot file: a secrets directory skips it (SPEC §5.2) */
		(void)snprintf(tmp, sizeof(tmp), ".withsecrets-gen.%s", suffix);
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
		    O_NOFOLLOW, 0600);
		if (fd >= 0)
			break;
		if (errno != EEXIST || tries == 8) {
			*op = "create a temporary file beside it";
			return -1;
		}
	}
	*op = "set the mode of its temporary file";
	if (fchmod(fd, mode) != 0)
		goto fail;
	*op = "keep its owner";
	if (old != NULL && (old->st_uid != geteuid() ||
	    old->st_gid != getegid()) &&
	    fchown(fd, old->st_uid, old->st_gid) != 0)
		goto fail;
	*op = "write it";
	if (write_all(fd, p, n) != 0)
		goto fail;
	*op = "sync it";
	if (fsync(fd) != 0)
		goto fail;
	e = close(fd);
	fd = -1;
	*op = "write it";
	if (e != 0)
		goto fail;
	*op = "rename its temporary file over it";
	if (renameat(dfd, tmp, dfd, name) != 0)
		goto fail;
	*op = "sync its directory";
	if (fsync(dfd) != 0)
		return -1;	/* renamed: the file is whole, not durable */
	return 0;
fail:
	e = errno;
	if (fd >= 0)
		(void)close(fd);
	(void)unlinkat(dfd, tmp, 0);
	errno = e;
	return -1;
}

static void
cannot(const char *op, const char *path, int err)
{
	char *esc = ws_escape(path);

	ws_finding(WS_SEV_ERROR, WS_EX_CANTCREAT, "gen", NULL, esc,
	    "cannot %s: %s; nothing half-written is left", op,
	    strerror(err));
	free(esc);
}

/* Is the existing dfd/name something gen may replace?  0, or -1 after
 * a finding. */
static int
replaceable(int dfd, const char *name, const char *display,
    struct stat *st, int *exists, int env_file)
{
	char *esc;

	*exists = 0;
	if (fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno == ENOENT)
			return 0;
		cannot("look at it", display, errno);
		return -1;
	}
	*exists = 1;
	esc = ws_escape(display);
	if (!S_ISREG(st->st_mode)) {
		ws_finding(WS_SEV_ERROR, WS_EX_CANTCREAT, "gen", NULL, esc,
		    "is not a regular file (a symbolic link, a directory, "
		    "...); gen replaces only regular files: remove it or "
		    "write elsewhere");
		free(esc);
		return -1;
	}
	if (env_file && !(st->st_mode & S_IWUSR)) {
		ws_finding(WS_SEV_ERROR, WS_EX_CANTCREAT, "gen", NULL, esc,
		    "is read-only; gen does not replace a file its owner "
		    "cannot write: chmod u+w it first");
		free(esc);
		return -1;
	}
	free(esc);
	return 0;
}

/* The directory of a -s output, created 0700 when missing (and its
 * parent synced).  An fd, or -1 after a finding. */
static int
open_out_dir(const char *dir)
{
	char *parent, *slash;
	int fd, pfd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0)
		return fd;
	if (errno != ENOENT) {
		cannot("open the directory", dir, errno);
		return -1;
	}
	if (mkdir(dir, 0700) != 0) {
		cannot("create the directory", dir, errno);
		return -1;
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		cannot("open the directory", dir, errno);
		return -1;
	}
	/* 0700 whatever the umask */
	if (fchmod(fd, 0700) != 0) {
		cannot("set the mode of the directory", dir, errno);
		(void)close(fd);
		return -1;
	}
	parent = ws_xstrdup(dir);
	while ((slash = strrchr(parent, '/')) != NULL && slash[1] == '\0' &&
	    slash != parent)
		*slash = '\0';			/* "secrets/" */
	if ((slash = strrchr(parent, '/')) == NULL)
		strcpy(parent, ".");
	else
		slash[slash == parent] = '\0';	/* "/x" -> "/" */
	pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0 || fsync(pfd) != 0) {
		cannot("sync the directory holding it", dir, errno);
		if (pfd >= 0)
			(void)close(pfd);
		(void)close(fd);
		free(parent);
		return -1;
	}
	(void)close(pfd);
	free(parent);
	return fd;
}

static void
said(const struct item *t, const char *verb, const char *where)
{
	char *esc = ws_escape(where);

	if (out.dir)
		ws_out_fmt(&ws_stdout, "%s %s (%s:%zu)\n", verb, esc,
		    ws_gen_fmt_name(t->fmt), t->n);
	else
		ws_out_fmt(&ws_stdout, "%s %s in %s (%s:%zu)\n", verb, t->name,
		    esc, ws_gen_fmt_name(t->fmt), t->n);
	free(esc);
}

static mode_t
file_mode(const struct ws_run *run)
{
	return run->opts->mode_set ? run->opts->file_mode : 0600;
}

static char *
lower_name(const char *s, size_t n)
{
	char *f = ws_xstrndup(s, n);
	size_t i;

	for (i = 0; i < n; i++)
		if (f[i] >= 'A' && f[i] <= 'Z')
			f[i] = (char)(f[i] - 'A' + 'a');
	return f;
}

static void
write_dir(struct plan *pl)
{
	struct item *t;
	struct stat st;
	const char *op;
	char *display;
	size_t i;
	int dfd, exists, rc;

	if ((dfd = open_out_dir(out.path)) < 0)
		return;
	for (i = 0; i < pl->n; i++) {
		t = &pl->it[i];
		if (t->what != GEN_WRITE)
			continue;
		display = ws_path_join(out.path, t->file);
		rc = replaceable(dfd, t->file, display, &st, &exists, 0);
		if (rc == 0 && replace_file(dfd, t->file, t->value, t->vallen,
		    file_mode(pl->run), NULL, &op) != 0) {
			cannot(op, display, errno);
			rc = -1;
		}
		if (rc == 0)
			said(t, "wrote", display);
		free(display);
		if (rc != 0)
			break;		/* the ones completed stay */
	}
	(void)close(dfd);
}

static int
blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * The bytes of the value of t's line in the .env text [buf, end): after
 * "export"?, the name, '=' and blanks; a quoted value with its quotes,
 * an unquoted one up to " #" or the end of the line, trailing blanks
 * left out (dotenv.c reads it so).  0, or -1 when the line is not such
 * a statement (the file changed since it was read).
 */
static int
value_span(const char *buf, const char *end, const struct item *t)
{
	const char *p = buf, *e;
	unsigned line = 1;
	char q;

	if (end - p >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (line < t->oe->line && p < end) {
		if ((p = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return -1;
		p++;
		line++;
	}
	while (p < end && blank(*p))
		p++;
	if (end - p > 7 && memcmp(p, "export", 6) == 0 && blank(p[6]))
		for (p += 6; p < end && blank(*p); p++)
			;
	if ((size_t)(end - p) <= t->namelen ||
	    memcmp(p, t->name, t->namelen) != 0)
		return -1;
	for (p += t->namelen; p < end && blank(*p); p++)
		;
	if (p == end || *p != '=')
		return -1;
	for (p++; p < end && blank(*p); p++)
		;
	if (p < end && (*p == '"' || *p == '\'')) {
		/* inside the quotes, which stay: a new value needs no escape */
		((struct item *)t)->vs = p + 1;
		for (q = *p++; p < end && *p != q; p++)
			if (*p == '\\' && p + 1 < end)
				p++;
		if (p == end)
			return -1;
		((struct item *)t)->ve = p;
		return 0;
	}
	((struct item *)t)->vs = p;
	if ((e = memchr(p, '\n', (size_t)(end - p))) == NULL)
		e = end;
	for (; p < e; p++)
		if (*p == '#' && p > t->vs && p[-1] == ' ')
			break;
	while (p > t->vs && (blank(p[-1]) || p[-1] == '\r'))
		p--;
	((struct item *)t)->ve = p;
	return 0;
}

static int
by_span(const void *a, const void *b)
{
	const struct item *x = *(const struct item *const *)a;
	const struct item *y = *(const struct item *const *)b;

	return (x->vs > y->vs) - (x->vs < y->vs);
}

static void
write_env_file(struct plan *pl)
{
	struct ws_blob b;
	struct ws_sbuf s;
	struct item **rep, *t;
	struct stat st;
	const char *path = out.path, *base, *op, *at;
	char *dir, *esc;
	size_t i, nrep = 0;
	int dfd, exists, rc, failed = 0;
	mode_t mode;

	memset(&b, 0, sizeof(b));
	if ((base = strrchr(path, '/')) == NULL) {
		dir = ws_xstrdup(".");
		base = path;
	} else {
		dir = ws_xstrndup(path, (size_t)(base - path) +
		    (base == path));
		base++;
	}
	if (*base == '\0') {
		esc = ws_escape(path);
		ws_finding(WS_SEV_ERROR, WS_EX_USAGE, "usage", NULL, esc,
		    "gen -f takes a file, not a directory");
		free(esc);
		free(dir);
		return;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		cannot("open the directory holding it", path, errno);
		free(dir);
		return;
	}
	free(dir);
	if (replaceable(dfd, base, path, &st, &exists, 1) != 0) {
		(void)close(dfd);
		return;
	}
	if (exists && (rc = ws_dotenv_read(path, 0, &b)) != 0) {
		(void)close(dfd);
		return;		/* a finding says why */
	}
	mode = exists ? (st.st_mode & 07777) : file_mode(pl->run);
	/* the lines to change, in the order of the text */
	rep = ws_xcalloc(pl->n + 1, sizeof(*rep));
	for (i = 0; i < pl->n; i++) {
		t = &pl->it[i];
		if (t->what != GEN_WRITE || t->oe == NULL ||
		    (t->oe->flags & WS_VAR_NO_VALUE) || t->oe->line == 0)
			continue;
		if (!exists || value_span(b.p, b.p + b.len, t) != 0) {
			esc = ws_escape(path);
			ws_finding(WS_SEV_ERROR, WS_EX_CANTCREAT, "gen",
			    t->name, esc, "line %u is not the NAME=value "
			    "line read a moment ago (the file changed?); "
			    "nothing was written", t->oe->line);
			free(esc);
			failed = 1;
			break;
		}
		rep[nrep++] = t;
	}
	if (!failed) {
		qsort(rep, nrep, sizeof(*rep), by_span);
		memset(&s, 0, sizeof(s));
		s.arena = &ws_work;
		if (ws_sbuf_start(&s, b.len + 1) != 0)
			ws_fatal_nomem();
		at = b.p;
		for (i = 0; i < nrep; i++) {
			if (ws_sbuf_append(&s, at, (size_t)(rep[i]->vs - at)) ||
			    ws_sbuf_append(&s, rep[i]->value, rep[i]->vallen))
				ws_fatal_nomem();
			at = rep[i]->ve;
		}
		if (exists && ws_sbuf_append(&s, at, (size_t)(b.p + b.len - at)))
			ws_fatal_nomem();
		for (i = 0; i < pl->n; i++) {
			t = &pl->it[i];
			if (t->what != GEN_WRITE || t->vs != NULL)
				continue;
			if ((s.len > 0 && s.p[s.len - 1] != '\n' &&
			    ws_sbuf_append(&s, "\n", 1)) ||
			    ws_sbuf_append(&s, t->name, t->namelen) ||
			    ws_sbuf_append(&s, "=", 1) ||
			    ws_sbuf_append(&s, t->value, t->vallen) ||
			    ws_sbuf_append(&s, "\n", 1))
				ws_fatal_nomem();
		}
		if (replace_file(dfd, base, s.p, s.len, mode, exists ? &st :
		    NULL, &op) != 0)
			cannot(op, path, errno);
		else
			for (i = 0; i < pl->n; i++)
				if (pl->it[i].what == GEN_WRITE)
					said(&pl->it[i], "wrote", path);
		sodium_memzero(s.p, s.hw);
	}
	if (exists)
		sodium_memzero(b.p, b.len);
	free(rep);
	(void)close(dfd);
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
		said(t, "would write", display);
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
			t->file = lower_name(t->name, t->namelen);
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
			(out.dir ? write_dir : write_env_file)(&pl);
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
