/*
 * Writing what `withsecrets gen` made (SPEC §11): one file per secret
 * in a directory, or a .env file with only the missing lines changed.
 * Each file is written with write(2) to a temporary file in the same
 * directory, fsync'd and renamed over the old one, and the directory
 * fsync'd; the values and the new text stay in guarded memory.
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

/* ------------------------------------------------------------------ */
/* Writing.                                                            */

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
	if (ws_write_all(fd, p, n) != 0)
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

void
ws_gen_said(const struct plan *pl, const struct item *t, const char *verb,
    const char *where)
{
	char *esc = ws_escape(where);

	if (pl->out->dir)
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

char *
ws_gen_lower_name(const char *s, size_t n)
{
	char *f = ws_xstrndup(s, n);
	size_t i;

	for (i = 0; i < n; i++)
		if (f[i] >= 'A' && f[i] <= 'Z')
			f[i] = (char)(f[i] - 'A' + 'a');
	return f;
}

void
ws_gen_write_dir(struct plan *pl)
{
	struct item *t;
	struct stat st;
	const char *op;
	char *display;
	size_t i;
	int dfd, exists, rc;

	if ((dfd = open_out_dir(pl->out->path)) < 0)
		return;
	for (i = 0; i < pl->n; i++) {
		t = &pl->it[i];
		if (t->what != GEN_WRITE)
			continue;
		display = ws_path_join(pl->out->path, t->file);
		rc = replaceable(dfd, t->file, display, &st, &exists, 0);
		if (rc == 0 && replace_file(dfd, t->file, t->value, t->vallen,
		    file_mode(pl->run), NULL, &op) != 0) {
			cannot(op, display, errno);
			rc = -1;
		}
		if (rc == 0)
			ws_gen_said(pl, t, "wrote", display);
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

void
ws_gen_write_env_file(struct plan *pl)
{
	struct ws_blob b;
	struct ws_sbuf s;
	struct item **rep, *t;
	struct stat st;
	const char *path = pl->out->path, *base, *op, *at;
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
					ws_gen_said(pl, &pl->it[i], "wrote", path);
		sodium_memzero(s.p, s.hw);
	}
	if (exists)
		sodium_memzero(b.p, b.len);
	free(rep);
	(void)close(dfd);
}
