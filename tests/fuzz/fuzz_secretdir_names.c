/*
 * libFuzzer target for secret directories (SPEC §5.2): the mapping of
 * file names to variable names, and what is read at all.  Each input
 * builds a real directory tree (files, symbolic links with any target,
 * subdirectories, FIFOs: the Kubernetes "..data" layout included) and
 * reads it with ws_secretdirs_load().  Then:
 *   - every variable's name is a portable name and the mapping
 *     (ASCII letters upper-cased, '-' and '.' to '_') of an entry
 *     created in the tree, not starting with '.';
 *   - every value is the content of a regular file created in the tree
 *     (each starts with a tag of its own), with trailing newlines
 *     removed: a link leading out of the directory is never followed,
 *     whatever its target;
 *   - two top-level entries mapping to one portable name are reported
 *     (duplicate-name, 78);
 *   - the exit status is one of SPEC §3's, and nothing blocks (a FIFO
 *     is never opened for reading: libFuzzer's -timeout would say).
 *
 * Input: records separated by NUL bytes, each a type byte and a path
 * (at most one '/'), then for 'f' (file) and 'l' (link) a 0x01 byte
 * and the content or the link target; 'd' is a directory, 'p' a FIFO.
 *
 * Build: ./configure --enable-fuzzing CC=clang && make fuzz
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "withsecrets.h"
#include "opts.h"
#include "util.h"
#include "secmem.h"
#include "diag.h"
#include "names.h"
#include "file.h"
#include "vars.h"
#include "frozen.h"
#include "resolve.h"
#include "../unit/stage.h"

/* -C: the current directory, as ws_opts_parse() makes it */
static char dot_dir[] = ".";
static char *current_dir[] = { dot_dir, NULL };

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define MAX_ENTRIES	24
#define MAX_FIELD	200

struct made {
	char	*path;		/* relative to the tree */
	char	*content;	/* regular files: what was written */
	size_t	 len;
};

static struct made made[MAX_ENTRIES];
static size_t n_made;
static char root[64];

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p) != 0 && errno != ENOENT;
}

static void
cleanup(void)
{
	size_t i;

	(void)nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	for (i = 0; i < n_made; i++) {
		free(made[i].path);
		free(made[i].content);
	}
	n_made = 0;
}

/* A path inside the tree: one or two components, none empty, "." or
 * "..", so that building the tree never leaves it. */
static int
path_ok(const char *p, size_t n)
{
	const char *slash = memchr(p, '/', n);
	size_t a = slash ? (size_t)(slash - p) : n;
	size_t b = slash ? n - a - 1 : 1;

	if (n == 0 || memchr(p, '\0', n) != NULL || a == 0 || b == 0 ||
	    (slash && memchr(slash + 1, '/', b) != NULL))
		return 0;
	if ((a == 1 && p[0] == '.') || (a == 2 && p[0] == '.' && p[1] == '.'))
		return 0;
	if (slash && ((b == 1 && slash[1] == '.') ||
	    (b == 2 && slash[1] == '.' && slash[2] == '.')))
		return 0;
	return 1;
}

/* An entry in a subdirectory is made only in a real directory of the
 * tree: never through a link, which could lead anywhere. */
static int
parent_is_dir(const char *path)
{
	const char *slash = strchr(path, '/');
	struct stat st;
	char *parent;
	int ok;

	if (slash == NULL)
		return 1;
	parent = ws_xasprintf("%s/%.*s", root, (int)(slash - path), path);
	ok = lstat(parent, &st) == 0 && S_ISDIR(st.st_mode);
	free(parent);
	return ok;
}

static void
build(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *rec, *sep;
	char *path, *full, *arg;
	size_t rlen, plen, alen;
	int fd, ok;

	for (rec = p; rec < end && n_made < MAX_ENTRIES; rec += rlen + 1) {
		const char *nul = memchr(rec, '\0', (size_t)(end - rec));

		rlen = nul ? (size_t)(nul - rec) : (size_t)(end - rec);
		if (rlen < 2)
			continue;
		sep = memchr(rec + 1, '\x01', rlen - 1);
		plen = sep ? (size_t)(sep - rec - 1) : rlen - 1;
		alen = sep ? rlen - plen - 2 : 0;
		if (plen > MAX_FIELD || alen > MAX_FIELD ||
		    !path_ok(rec + 1, plen))
			continue;
		path = ws_xstrndup(rec + 1, plen);
		if (!parent_is_dir(path)) {
			free(path);
			continue;
		}
		full = ws_xasprintf("%s/%s", root, path);
		arg = sep ? ws_xstrndup(sep + 1, alen) : ws_xstrdup("");
		made[n_made].path = path;
		made[n_made].content = NULL;
		switch (rec[0]) {
		case 'f':
			/* a tag of its own, then the fuzzer's bytes */
			made[n_made].content = ws_xasprintf("F%zu:%s", n_made,
			    arg);
			made[n_made].len = strlen(made[n_made].content);
			fd = open(full, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			    0644);
			ok = fd >= 0 && write(fd, made[n_made].content,
			    made[n_made].len) == (ssize_t)made[n_made].len;
			if (fd >= 0)
				close(fd);
			break;
		case 'l':
			ok = symlink(arg, full) == 0;
			break;
		case 'd':
			ok = mkdir(full, 0755) == 0;
			break;
		case 'p':
			ok = mkfifo(full, 0644) == 0;
			break;
		default:
			ok = 0;
			break;
		}
		free(full);
		free(arg);
		if (!ok) {	/* only what exists counts */
			free(made[n_made].path);
			free(made[n_made].content);
			continue;
		}
		n_made++;
	}
}

/* The SPEC's mapping, written here again. */
static char *
mapped(const char *fname)
{
	char *m = ws_xstrdup(fname), *c;

	for (c = m; *c != '\0'; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 'a' + 'A');
		else if (*c == '-' || *c == '.')
			*c = '_';
	return m;
}

static const char *
basename_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* Is name the mapping of an entry of the tree, not a dotfile? */
static int
name_from_tree(const char *name)
{
	size_t i;
	char *m;
	int hit = 0;

	for (i = 0; i < n_made && !hit; i++) {
		const char *b = basename_of(made[i].path);

		if (b[0] == '.')
			continue;
		m = mapped(b);
		hit = strcmp(m, name) == 0;
		free(m);
	}
	return hit;
}

/* Is value the content of a regular file of the tree, as read? */
static int
value_from_tree(const char *value, size_t len)
{
	size_t i, n;

	for (i = 0; i < n_made; i++) {
		if (made[i].content == NULL)
			continue;
		n = ws_strip_newlines(made[i].content, made[i].len);
		if (n == len && memcmp(made[i].content, value, len) == 0)
			return 1;
	}
	return 0;
}

static int
reported_duplicate(const char *name)
{
	const struct ws_finding *f;
	size_t k;

	for (k = 0; (f = ws_finding_at(k)) != NULL; k++)
		if (strcmp(f->rule, "duplicate-name") == 0 && f->name != NULL &&
		    strcmp(f->name, name) == 0)
			return 1;
	return 0;
}

/* Two top-level entries that map to one portable name are reported
 * (without the Kubernetes layout, where a link may stand for an entry
 * of the generation). */
static void
check_duplicates(void)
{
	size_t i, j;
	char *a, *b;

	for (i = 0; i < n_made; i++)
		if (strcmp(made[i].path, "..data") == 0)
			return;
	for (i = 0; i < n_made; i++)
		for (j = i + 1; j < n_made; j++) {
			if (strchr(made[i].path, '/') != NULL ||
			    strchr(made[j].path, '/') != NULL ||
			    made[i].path[0] == '.' || made[j].path[0] == '.' ||
			    strcmp(made[i].path, made[j].path) == 0)
				continue;
			a = mapped(made[i].path);
			b = mapped(made[j].path);
			if (strcmp(a, b) == 0 && ws_name_portable(a, strlen(a)) &&
			    !reported_duplicate(a))
				abort();
			free(a);
			free(b);
		}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	static char *dirs[2];
	struct ws_opts opts;
	struct ws_run run;
	struct ws_var *v;
	size_t it = 0;
	int rc;

	if (!ready) {
		ws_secmem_init();
		(void)snprintf(root, sizeof(root), "/tmp/ws-fuzz-sd.%ld",
		    (long)getpid());
		dirs[0] = root;
		ready = 1;
	}
	if (mkdir(root, 0755) != 0 && errno != EEXIST)
		abort();
	build(data, size);

	memset(&opts, 0, sizeof(opts));
	memset(&run, 0, sizeof(run));
	opts.dirs = current_dir;
	opts.n_dirs = 1;
	opts.dir = current_dir[0];
	opts.no_default_secrets_dirs = 1;
	opts.secrets_dirs = dirs;
	opts.n_secrets_dirs = 1;
	run.opts = &opts;
	run.policy = ws_policy_new();
	run.set = &run.policy->set;
	run.set->max_secret_size = 4096;
	run.store = ws_store_new();
	ws_diag_reset();

	rc = status_of(ws_secretdirs_load, &run);
	if (rc != 0 && rc != WS_EX_DATAERR && rc != WS_EX_NOINPUT &&
	    rc != WS_EX_PERM && rc != WS_EX_POLICY)
		abort();
	while ((v = ws_store_next(run.store, &it)) != NULL)
		for (; v != NULL; v = v->next_in_name) {
			if (v->flags & WS_VAR_SKIPPED)
				continue;	/* shown by explain only */
			if (!ws_name_portable(v->name, v->namelen) ||
			    !name_from_tree(v->name) ||
			    strlen(v->value) != v->vallen ||
			    !value_from_tree(v->value, v->vallen))
				abort();
		}
	check_duplicates();

	ws_store_free(run.store);
	ws_resolve_free();
	ws_policy_free(&run);
	ws_intern_free();
	ws_diag_reset();
	ws_file_check_modes(0);
	ws_diag_reset();
	cleanup();
	if (ws_arena_mapped(&ws_work) > (size_t)32 * 1024 * 1024)
		ws_secmem_wipe_all();
	return 0;
}
