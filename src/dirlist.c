/*
 * dirlist.c: directory listings with getdents64(2) (dirlist.h).
 */
#include "config.h"

#include <dirent.h>	/* DT_*, getdents64 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "withsecrets.h"
#include "util.h"
#include "vars.h"
#include "dirlist.h"

#define DATA_LINK	"..data"

unsigned char
ws_mode_dtype(mode_t m)
{
	if (S_ISREG(m))
		return DT_REG;
	if (S_ISDIR(m))
		return DT_DIR;
	if (S_ISLNK(m))
		return DT_LNK;
	if (S_ISFIFO(m))
		return DT_FIFO;
	if (S_ISSOCK(m))
		return DT_SOCK;
	if (S_ISCHR(m))
		return DT_CHR;
	if (S_ISBLK(m))
		return DT_BLK;
	return DT_UNKNOWN;
}

void
ws_dirbuf_reserve(struct ws_dirbuf *b, size_t n)
{
	if (n <= b->cap)
		return;
	b->cap = n > 256 ? n : 256;
	b->p = ws_xrealloc(b->p, b->cap);
}

static int
by_fname(const void *a, const void *b)
{
	return strcmp(((const struct ws_dent *)a)->fname,
	    ((const struct ws_dent *)b)->fname);
}

/* An entry as the kernel returns it (glibc 2.30's getdents64 wrapper
 * takes the buffer as it is). */
struct kdirent {
	uint64_t	 d_ino;
	int64_t		 d_off;
	unsigned short	 d_reclen;
	unsigned char	 d_type;
	char		 d_name[];
};

/* Its type: some file systems do not fill d_type.  0 when it is gone
 * since listed. */
static unsigned char
entry_type(int fd, const struct kdirent *de)
{
	struct stat st;

	if (de->d_type != DT_UNKNOWN)
		return de->d_type;
	if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return 0;
	return ws_mode_dtype(st.st_mode);
}

static void
add_entry(struct ws_listing *l, const char *name, unsigned char type)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = ws_xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n].len = (uint32_t)strlen(name);
	l->v[l->n].fname = ws_intern(name, l->v[l->n].len);
	l->v[l->n].type = type;
	l->n++;
}

int
ws_list_dir(int fd, struct ws_listing *l, unsigned flags,
    struct ws_dirbuf *b)
{
	const struct kdirent *de;
	unsigned char type;
	size_t off;
	long got;

	l->n = 0;
	l->has_data_link = 0;
	/* from the beginning: a second attempt lists the same fd again
	 * (a fresh one is there already, without a system call) */
	if ((flags & WS_LIST_AGAIN) && lseek(fd, 0, SEEK_SET) == -1)
		return errno;
	/* room for about a thousand entries a call: a directory costs a
	 * call or two, not one per hundred files */
	ws_dirbuf_reserve(b, 32768);
	for (;;) {
		got = getdents64(fd, b->p, b->cap);
		if (got == -1 && errno == EINVAL) {
			/* an entry larger than the buffer */
			ws_dirbuf_reserve(b, b->cap * 2);
			continue;
		}
		if (got == -1)
			return errno;
		if (got == 0)
			break;
		for (off = 0; off < (size_t)got; off += de->d_reclen) {
			de = (const struct kdirent *)(b->p + off);
			if (de->d_name[0] == '.') {
				if (de->d_name[1] == '\0' ||
				    (de->d_name[1] == '.' &&
				    de->d_name[2] == '\0'))
					continue;
				if (strcmp(de->d_name, DATA_LINK) == 0)
					l->has_data_link =
					    entry_type(fd, de) == DT_LNK;
				if (!(flags & WS_LIST_DOTFILES))
					continue;
			}
			if ((type = entry_type(fd, de)) != 0)
				add_entry(l, de->d_name, type);
		}
	}
	if ((flags & WS_LIST_SORTED) && l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), by_fname);
	return 0;
}

const struct ws_dent *
ws_listing_find(const struct ws_listing *l, const char *fname)
{
	struct ws_dent key = { fname, 0, 0 };

	if (l->n == 0)
		return NULL;
	return bsearch(&key, l->v, l->n, sizeof(*l->v), by_fname);
}

void
ws_listing_free(struct ws_listing *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}
