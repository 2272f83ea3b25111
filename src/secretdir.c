/*
 * Secret directories (SPEC §5): the policy's secrets-dirs (default
 * /run/secrets, when it exists), $CREDENTIALS_DIRECTORY, then each
 * --secrets-dir, later over earlier.  Each directory is one source;
 * each entry not starting with '.' is one variable, named by mapping
 * the file name (db-password -> DB_PASSWORD).
 *
 * A directory is read in two steps: first the entries are listed,
 * mapped and sorted (so that the result does not depend on readdir
 * order), then every file is read with the safe reader into guarded
 * memory.  Only when the whole directory was read are its variables
 * added to the store.
 *
 * Kubernetes (and Vault Agent, the Secrets Store CSI driver) publish a
 * volume atomically: the files live in a hidden generation directory
 * "..2026_01_01_...", "..data" is a symbolic link to it, and each key
 * is a link "KEY -> ..data/KEY".  An update writes a new generation,
 * renames a new "..data" over the old one, then deletes the old
 * generation.  Following each key's link by its own path could mix two
 * generations, so "..data" is opened once as a directory and every key
 * is read through that descriptor.  If the generation is deleted while
 * we read (a file we listed is gone and "..data" now points elsewhere)
 * the directory is read again from the start.
 */
#include "config.h"

#include <dirent.h>	/* DT_*, getdents64 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "withsecrets.h"
#include "opts.h"
#include "util.h"
#include "diag.h"
#include "file.h"
#include "vars.h"
#include "dirlist.h"

/* At most this many --secrets-dir options (like --env-file's cap) and
 * directories in the policy's secrets-dirs: with $CREDENTIALS_DIRECTORY
 * their ranks, WS_RANK_SECRET_DIR + 999 - index, stay between those of
 * the inherited environment and of the .env layers, whatever is given. */
#define WS_MAX_SECRETS_DIR_OPTIONS	900
#define WS_MAX_POLICY_SECRETS_DIRS	99
#if WS_MAX_SECRETS_DIR_OPTIONS + WS_MAX_POLICY_SECRETS_DIRS + 1 > \
    WS_RANK_ENV_FILE - WS_RANK_SECRET_DIR
#error "secrets directories could cross into another source's rank"
#endif

#define DATA_LINK	"..data"
#define DATA_PREFIX	"..data/"
/* Rotations seen while reading one directory before giving up. */
#define MAX_ATTEMPTS	8

enum item_state {
	ITEM_PENDING,		/* to be read */
	ITEM_READ,		/* value in ws_work */
	ITEM_INVALID,		/* mapped name not valid: recorded, skipped */
	ITEM_DUPLICATE,		/* another entry maps to the same name */
	ITEM_NONE		/* nothing to add (skipped or refused) */
};

/* One variable to read. */
struct item {
	const char	*fname;		/* the entry's name in the directory */
	const char	*path;		/* what is opened, relative to fd */
	const char	*display;	/* "DIR/fname", interned */
	char		*name;		/* mapped, interned */
	size_t		 namelen;
	int		 fd;		/* the directory or the generation */
	int		 in_gen;	/* read through the generation */
	unsigned char	 type;		/* DT_* of what path names */
	enum item_state	 state;
	char		*value;		/* in ws_work */
	size_t		 vallen;
};

/* One directory being read. */
struct scan {
	struct ws_run	*run;
	struct ws_source *src;
	const char	*dir;		/* as given, for messages */
	size_t		 dirlen;	/* without trailing slashes */
	const char	*dirslash;	/* "DIR/", interned */
	int		 fd;		/* the directory */
	int		 listed;	/* fd was listed: rewind it first */
	int		 gfd;		/* its "..data" generation, or -1 */
	struct ws_listing top, gen;
	struct item	*items;
	size_t		 n_items, cap_items;
	struct ws_dirbuf buf;		/* scratch: listings, paths, link targets */
};

static const char *
dtype_word(unsigned char t)
{
	switch (t) {
	case DT_FIFO:
		return "a FIFO";
	case DT_SOCK:
		return "a socket";
	case DT_CHR:
		return "a character device";
	case DT_BLK:
		return "a block device";
	default:
		return "not a regular file";
	}
}

/* "DIR/fname", interned: it lives as long as the run. */
static const char *
display_path(struct scan *sc, const char *fname, size_t n)
{
	return ws_intern2(sc->dirslash, sc->dirlen + 1, fname, n);
}

/*
 * The variable name of an entry: ASCII letters upper-cased, '-' and
 * '.' turned into '_', nothing else changed.  Whether the result is
 * usable is decided by the caller.  map_byte[] gives what a byte of a
 * portable name becomes, 0 for any other byte (bytes from 0x80 up
 * too): a lookup per byte, not a chain of range tests (SPEC §9).
 */
static const char map_byte[256] = {
	0, 0, 0, 0, 0, 0, 0, 0,	/* 0x00 */
	0, 0, 0, 0, 0, 0, 0, 0,	/* 0x08 */
	0, 0, 0, 0, 0, 0, 0, 0,	/* 0x10 */
	0, 0, 0, 0, 0, 0, 0, 0,	/* 0x18 */
	0, 0, 0, 0, 0, 0, 0, 0,	/* 0x20 */
	0, 0, 0, 0, 0, '_', '_', 0,	/* 0x28 */
	'0', '1', '2', '3', '4', '5', '6', '7',	/* 0x30 */
	'8', '9', 0, 0, 0, 0, 0, 0,	/* 0x38 */
	0, 'A', 'B', 'C', 'D', 'E', 'F', 'G',	/* 0x40 */
	'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O',	/* 0x48 */
	'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W',	/* 0x50 */
	'X', 'Y', 'Z', 0, 0, 0, 0, '_',	/* 0x58 */
	0, 'A', 'B', 'C', 'D', 'E', 'F', 'G',	/* 0x60 */
	'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O',	/* 0x68 */
	'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W',	/* 0x70 */
	'X', 'Y', 'Z', 0, 0, 0, 0, 0,	/* 0x78 */
};

static char *
map_name(const char *fname, size_t n, int *portable)
{
	char *p = ws_intern(fname, n);
	size_t i;
	int ok = n > 0 && !(p[0] >= '0' && p[0] <= '9');
	char c;

	for (i = 0; i < n; i++) {
		if ((c = map_byte[(unsigned char)p[i]]) != 0)
			p[i] = c;
		else
			ok = 0;		/* kept as it is */
	}
	*portable = ok;		/* as ws_name_portable() of the result */
	return p;
}

static void
add_item(struct scan *sc, const struct ws_dent *d, const char *path, int fd,
    int in_gen, unsigned char type)
{
	struct item *it;
	int portable;

	if (sc->n_items == sc->cap_items) {
		sc->cap_items = sc->cap_items ? sc->cap_items * 2 : 64;
		sc->items = ws_xrealloc(sc->items,
		    sc->cap_items * sizeof(*sc->items));
	}
	it = &sc->items[sc->n_items++];
	memset(it, 0, sizeof(*it));
	it->fname = d->fname;
	it->path = path;
	it->fd = fd;
	it->in_gen = in_gen;
	it->type = type;
	it->namelen = d->len;	/* (the mapped name is as long) */
	it->display = display_path(sc, d->fname, d->len);
	it->name = map_name(d->fname, d->len, &portable);
	/* Only portable names ([A-Z_][A-Z0-9_]* after mapping): a file
	 * called "1st key" or "clé" is not meant as a variable. */
	it->state = portable ? ITEM_PENDING : ITEM_INVALID;
}

/* A world-writable directory without the sticky bit lets anyone
 * replace the files it holds: refused (77), once for the directory
 * rather than once per file.  A group-writable one is judged with the
 * file modes (refused in strict mode only). */
static int
dir_unsafe(struct scan *sc, int fd, const char *what)
{
	struct stat st;
	char *shown;
	int world;

	if (fstat(fd, &st) != 0 || !(st.st_mode & (S_IWOTH | S_IWGRP)) ||
	    (st.st_mode & S_ISVTX))
		return 0;
	world = (st.st_mode & S_IWOTH) != 0;
	shown = what ? ws_xasprintf("%.*s/%s", (int)sc->dirlen, sc->dir,
	    what) : NULL;
	if (world)
		ws_finding(WS_SEV_ERROR, WS_EX_PERM, "file-mode", NULL,
		    shown ? shown : sc->dir, "world-writable secrets "
		    "directory without the sticky bit refused; run chmod o-w "
		    "on it");
	else
		ws_file_note(shown ? shown : sc->dir, &st,
		    WS_NOTE_SECRETS_DIR);
	free(shown);
	return world;
}

/* Has "..data" been moved to another generation since we opened it? */
static int
generation_changed(struct scan *sc)
{
	struct stat a, b;

	if (fstat(sc->gfd, &a) != 0 ||
	    fstatat(sc->fd, DATA_LINK, &b, 0) != 0)
		return 1;
	return a.st_dev != b.st_dev || a.st_ino != b.st_ino;
}

/*
 * The top-level entries of a Kubernetes volume are links into "..data".
 * A link "KEY -> ..data/KEY" stands for the generation's own entry KEY,
 * which is read through the generation descriptor.  A link into
 * "..data" whose target the generation does not hold is a key removed
 * by the update being published: skipped.  Returns 1 when the entry was
 * taken care of.
 */
static int
add_data_link(struct scan *sc, const struct ws_dent *d)
{
	const struct ws_dent *g;
	const char *rest;
	ssize_t n;

	ws_dirbuf_reserve(&sc->buf, 4096);
	for (;;) {
		n = readlinkat(sc->fd, d->fname, sc->buf.p, sc->buf.cap);
		if (n < 0)
			return 0;	/* let the reader say what it is */
		if ((size_t)n < sc->buf.cap)
			break;
		ws_dirbuf_reserve(&sc->buf, sc->buf.cap * 2);
	}
	sc->buf.p[n] = '\0';
	if ((size_t)n < sizeof(DATA_PREFIX) - 1 ||
	    memcmp(sc->buf.p, DATA_PREFIX, sizeof(DATA_PREFIX) - 1) != 0)
		return 0;
	rest = sc->buf.p + sizeof(DATA_PREFIX) - 1;
	if (strchr(rest, '/') == NULL) {
		if ((g = ws_listing_find(&sc->gen, rest)) == NULL) {
			ws_verbose_msg("%.*s/%s: not in the current "
			    "generation of %s (being updated); skipped",
			    (int)sc->dirlen, sc->dir, d->fname, DATA_LINK);
			return 1;
		}
		if (strcmp(rest, d->fname) == 0)
			return 1;	/* the generation's entry is read */
		add_item(sc, d, g->fname, sc->gfd, 1, g->type);
		return 1;
	}
	/* a deeper path, checked when opened (copied first: add_item
	 * reuses the scratch buffer) */
	rest = ws_intern(rest, strlen(rest));
	add_item(sc, d, rest, sc->gfd, 1, DT_LNK);
	return 1;
}

/* Build the list of items: the generation's entries (if any), then the
 * top-level entries that are not just views of them.  Returns 0, 1 when
 * the generation changed while being listed, -1 on failure. */
static int
collect(struct scan *sc)
{
	size_t i;
	int err;

	sc->n_items = 0;
	sc->gen.n = 0;
	/* the items are sorted later: only the generation's listing,
	 * searched by name, needs sorting here */
	err = ws_list_dir(sc->fd, &sc->top, sc->listed ? WS_LIST_AGAIN : 0,
	    &sc->buf);
	sc->listed = 1;
	if (err != 0) {
		ws_finding(WS_SEV_ERROR, WS_EX_NOINPUT, "unreadable", NULL,
		    sc->dir, "cannot list the secrets directory: %s",
		    strerror(err));
		return -1;
	}
	if (sc->top.has_data_link) {
		struct stat st;

		sc->gfd = ws_open_beneath(sc->fd, DATA_LINK,
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
		/* The generation "..data" named was deleted between the
		 * lookup of the link and of its target, and "..data" names a
		 * newer one now: read again (following each key's link by
		 * itself could mix two generations). */
		if (sc->gfd < 0 && errno == ENOENT &&
		    fstatat(sc->fd, DATA_LINK, &st, 0) == 0)
			return 1;
		if (sc->gfd >= 0 &&
		    (err = ws_list_dir(sc->gfd, &sc->gen, WS_LIST_SORTED, &sc->buf)) != 0) {
			close(sc->gfd);
			sc->gfd = -1;
			sc->gen.n = 0;
			/* deleted while we listed it: a newer one is out */
			if (err == ENOENT)
				return 1;
		}
		/* The old generation is deleted only after "..data" moved
		 * on: if it still points here, the listing is whole. */
		if (sc->gfd >= 0 && generation_changed(sc))
			return 1;
		if (sc->gfd >= 0 && dir_unsafe(sc, sc->gfd, DATA_LINK))
			return -1;
	}
	for (i = 0; i < sc->gen.n; i++)
		add_item(sc, &sc->gen.v[i], sc->gen.v[i].fname, sc->gfd,
		    1, sc->gen.v[i].type);
	for (i = 0; i < sc->top.n; i++) {
		const struct ws_dent *d = &sc->top.v[i];

		if (sc->gfd >= 0 && d->type == DT_LNK && add_data_link(sc, d))
			continue;
		add_item(sc, d, d->fname, sc->fd, 0, d->type);
	}
	return 0;
}

static int
by_name(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : strcmp(x->fname, y->fname);
}

/* Sort by variable name: a few items by insertion (qsort's set-up and
 * indirect calls cost more than the sorting, SPEC §9), more by qsort.
 * by_name is a total order of the items that matter (two items equal
 * under it are refused together), so both give the same result. */
#define INSERTION_MAX	16
static void
sort_items(struct item *v, size_t n)
{
	struct item t;
	size_t i, j;

	if (n > INSERTION_MAX) {
		qsort(v, n, sizeof(*v), by_name);
		return;
	}
	for (i = 1; i < n; i++) {
		t = v[i];
		for (j = i; j > 0 && by_name(&v[j - 1], &t) > 0; j--)
			v[j] = v[j - 1];
		v[j] = t;
	}
}

/* Sort by variable name; entries that map to one name are refused. */
static void
find_duplicates(struct scan *sc)
{
	size_t i, j;

	sort_items(sc->items, sc->n_items);
	for (i = 0; i < sc->n_items; i = j) {
		struct item *a = &sc->items[i];

		for (j = i + 1; j < sc->n_items &&
		    strcmp(sc->items[j].name, a->name) == 0; j++) {
			if (a->state == ITEM_INVALID)
				continue;
			ws_finding(WS_SEV_ERROR, WS_EX_POLICY, "duplicate-name",
			    a->name, sc->dir, "entries '%s' and '%s' both map "
			    "to %s; remove or rename one of them", a->fname,
			    sc->items[j].fname, a->name);
			sc->items[j].state = ITEM_DUPLICATE;
			a->state = ITEM_DUPLICATE;
		}
	}
}

/* Refused without being opened: it could block, or have effects. */
static void
refuse_not_regular(struct item *it, unsigned char type)
{
	ws_finding(WS_SEV_ERROR, WS_EX_NOINPUT, "not-regular", it->name,
	    it->display, "is %s, not a regular file; refused",
	    dtype_word(type));
	it->state = ITEM_NONE;
}

/*
 * A symbolic link is looked at before it is opened for reading: it may
 * lead out of the directory (refused, 77, whatever is there), to a
 * directory (skipped, as subdirectories are), or to a FIFO or a device
 * (refused without opening it: opening some devices has effects).
 * O_PATH opens nothing.
 * Returns 1 when done with the item; else sets *type to what the link
 * leads to (DT_UNKNOWN: the reader will say what is wrong) and
 * *missing when it leads nowhere.
 */
static int
follow_link(struct item *it, unsigned char *type, int *missing)
{
	struct stat st;
	int pfd, err;

	*type = DT_UNKNOWN;
	*missing = 0;
	pfd = ws_open_beneath(it->fd, it->path, O_PATH | O_CLOEXEC);
	if (pfd == -1) {
		err = errno;
		if (err == ENOENT)
			*missing = 1;
		if (err != EXDEV)
			return 0;	/* the reader says what is wrong */
		/* refused for where it leads, without a look at what is
		 * there (SPEC §3, §5.2): what lies outside the directory is
		 * none of its business, and describing it would tell */
		ws_finding(WS_SEV_ERROR, WS_EX_PERM, "symlink-escape",
		    it->name, it->display, "symbolic link leads outside its "
		    "directory; refused");
		it->state = ITEM_NONE;
		return 1;
	}
	err = fstat(pfd, &st);
	close(pfd);
	if (err == 0)
		*type = ws_mode_dtype(st.st_mode);
	return 0;
}

/* Read one item.  Returns 1 when the generation went away under us. */
static int
read_item(struct scan *sc, struct item *it)
{
	struct ws_read r;
	struct ws_blob b;
	unsigned char type = it->type;
	int rc, missing = 0;

	if (type == DT_LNK && follow_link(it, &type, &missing))
		return 0;
	if (missing && it->in_gen)
		goto vanished;
	switch (type) {
	case DT_DIR:
		ws_verbose_msg("%s: a subdirectory; not entered", it->display);
		it->state = ITEM_NONE;
		return 0;
	case DT_FIFO:
	case DT_SOCK:
	case DT_CHR:
	case DT_BLK:
		refuse_not_regular(it, type);
		return 0;
	default:
		break;
	}
	memset(&r, 0, sizeof(r));
	r.dirfd = it->fd;
	r.path = it->path;
	r.display = it->display;
	r.name = it->name;
	r.max = sc->run->set->max_secret_size;
	r.secret = 1;
	r.resolve_beneath = 1;
	r.dir_checked = 1;	/* by load_dir and collect, once */
	/* a link (within the directory: checked when opened) may lead to
	 * a subdirectory: where the file really lives is judged too */
	r.via_link = it->type == DT_LNK;
	/* a regular file that went away since it was listed is not an
	 * error; a dangling link is reported by the reader */
	r.missing_ok = type == DT_REG || it->in_gen;
	rc = ws_file_read(&r, &b);
	if (rc == 1) {
		if (it->in_gen)
			goto vanished;
		it->state = ITEM_NONE;
		return 0;
	}
	if (rc != 0) {
		it->state = ITEM_NONE;
		return 0;
	}
	it->value = b.p;
	it->vallen = b.len;
	it->state = ITEM_READ;
	return 0;
vanished:
	it->state = ITEM_NONE;
	if (generation_changed(sc))
		return 1;
	ws_verbose_msg("%s: gone while being read; skipped", it->display);
	return 0;
}

/* Zero what an attempt read before reading the directory again. */
static void
wipe_items(struct scan *sc)
{
	size_t i;

	for (i = 0; i < sc->n_items; i++)
		if (sc->items[i].state == ITEM_READ)
			sodium_memzero(sc->items[i].value,
			    sc->items[i].vallen);
}

/* One attempt: 0 done, 1 to be read again (the generation changed). */
static int
scan_once(struct scan *sc)
{
	size_t i;
	int rc;

	if ((rc = collect(sc)) != 0)
		return rc > 0;
	find_duplicates(sc);
	for (i = 0; i < sc->n_items; i++) {
		if (sc->items[i].state != ITEM_PENDING)
			continue;
		if (read_item(sc, &sc->items[i]) != 0) {
			wipe_items(sc);
			return 1;
		}
	}
	return 0;
}

static void
store_items(struct scan *sc)
{
	struct ws_var *v;
	size_t i;

	for (i = 0; i < sc->n_items; i++) {
		struct item *it = &sc->items[i];

		switch (it->state) {
		case ITEM_READ:
			v = ws_store_add(sc->run->store, sc->src, it->name,
			    it->namelen, it->value, it->vallen, 0,
			    WS_VAR_SECRET);
			break;
		case ITEM_INVALID:
			/* kept for explain; never passed on */
			v = ws_store_add(sc->run->store, sc->src, it->name,
			    it->namelen, "", 0, 0, WS_VAR_SKIPPED);
			ws_finding(WS_SEV_INFO, 0, "skipped", it->name,
			    it->display, "not a valid variable name after "
			    "mapping; use letters, digits, '_', '-' and '.', "
			    "not starting with a digit");
			break;
		default:
			continue;
		}
		v->file_path = it->display;
	}
}

/* Open a directory.  A missing default directory is skipped (1). */
static int
open_dir(const char *path, int named, int *fdp)
{
	int fd, err;

	fd = openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
	    O_NONBLOCK);
	if (fd == -1) {
		err = errno;
		if (err == ENOENT && !named) {
			ws_verbose_msg("%s: no such directory; skipped", path);
			return 1;
		}
		if (err == ENOENT)
			ws_finding(WS_SEV_ERROR, WS_EX_NOINPUT, "missing-dir",
			    NULL, path, "no such secrets directory; check "
			    "--secrets-dir");
		else if (err == ENOTDIR)
			ws_finding(WS_SEV_ERROR, WS_EX_NOINPUT, "not-regular",
			    NULL, path, "not a directory; a secrets directory "
			    "holds one file per variable");
		else
			ws_finding(WS_SEV_ERROR, WS_EX_NOINPUT, "unreadable",
			    NULL, path, "cannot open the secrets directory: "
			    "%s", strerror(err));
		return WS_EX_NOINPUT;
	}
	*fdp = fd;
	return 0;
}

/* Read one directory into a source of its own; findings say what went
 * wrong. */
static void
load_dir(struct ws_run *run, struct scan *sc, const char *path,
    size_t index, int named)
{
	int attempt, again;

	if (open_dir(path, named, &sc->fd) != 0)
		return;
	sc->listed = 0;
	sc->run = run;
	sc->dir = path;
	sc->dirlen = strlen(path);
	while (sc->dirlen > 1 && path[sc->dirlen - 1] == '/')
		sc->dirlen--;
	if (sc->dirlen == 1 && path[0] == '/')
		sc->dirlen = 0;		/* "/" + "/" + entry */
	sc->dirslash = ws_intern2(path, sc->dirlen, "/", 1);
	if (dir_unsafe(sc, sc->fd, NULL)) {
		close(sc->fd);
		return;
	}
	sc->src = ws_store_source(run->store, WS_KIND_SECRET_DIR, path,
	    WS_RANK_SECRET_DIR + 999 - (int)index);
	for (attempt = 0; ; attempt++) {
		sc->gfd = -1;
		again = scan_once(sc);
		if (sc->gfd >= 0)
			close(sc->gfd);
		sc->gfd = -1;
		if (!again)
			break;
		if (attempt + 1 == MAX_ATTEMPTS) {
			ws_finding(WS_SEV_ERROR, WS_EX_NOINPUT, "unreadable",
			    NULL, path, "the directory changed %d times while "
			    "being read; try again", MAX_ATTEMPTS);
			close(sc->fd);
			return;
		}
		ws_verbose_msg("%s: updated while being read; reading it "
		    "again", path);
	}
	store_items(sc);
	close(sc->fd);
}

/* $CREDENTIALS_DIRECTORY as we were given it (it is passed on too). */
static const char *
credentials_directory(struct ws_run *run)
{
	const char *v = ws_environ_get(run->environ_in,
	    "CREDENTIALS_DIRECTORY", 21);

	return v != NULL && *v != '\0' ? v : NULL;	/* empty: unset */
}

void
ws_secretdirs_load(struct ws_run *run)
{
	struct scan sc;
	const char *creds;
	char **d;
	size_t index = 0, i;

	/* counted before any is read: a directory ranked past the span of
	 * the secrets directories would outrank the inherited environment */
	if (run->opts->n_secrets_dirs > WS_MAX_SECRETS_DIR_OPTIONS) {
		ws_finding(WS_SEV_ERROR, WS_EX_USAGE, "usage", NULL, NULL,
		    "more than %d --secrets-dir options",
		    WS_MAX_SECRETS_DIR_OPTIONS);
		return;
	}
	for (d = run->set->secrets_dirs; d != NULL && *d != NULL; d++)
		index++;
	if (!run->opts->no_default_secrets_dirs &&
	    index > WS_MAX_POLICY_SECRETS_DIRS) {
		ws_finding(WS_SEV_ERROR, WS_EX_POLICY, "policy", NULL,
		    run->set->path, "secrets-dirs names more than %d "
		    "directories", WS_MAX_POLICY_SECRETS_DIRS);
		return;
	}
	index = 0;
	memset(&sc, 0, sizeof(sc));
	sc.gfd = -1;
	if (!run->opts->no_default_secrets_dirs) {
		for (d = run->set->secrets_dirs; d != NULL && *d != NULL; d++)
			load_dir(run, &sc, *d, index++, 0);
		if ((creds = credentials_directory(run)) != NULL)
			load_dir(run, &sc, creds, index++, 0);
	}
	for (i = 0; i < run->opts->n_secrets_dirs; i++)
		load_dir(run, &sc, run->opts->secrets_dirs[i], index++, 1);
	ws_listing_free(&sc.top);
	ws_listing_free(&sc.gen);
	free(sc.items);
	free(sc.buf.p);
}
