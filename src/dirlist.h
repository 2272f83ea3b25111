/*
 * dirlist.c: a directory's entries, read with getdents64(2) into a
 * buffer the caller keeps, on a descriptor that stays the caller's (for
 * openat and readlinkat of its entries, and for listing it again after
 * a rotation).  Used by the secret directories and by the scan for
 * layers of an unnamed environment; one reader instead of opendir(3)
 * beside it, which the loader would bind at every start as well.
 */
#ifndef WS_DIRLIST_H
#define WS_DIRLIST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One entry. */
struct ws_dent {
	const char	*fname;		/* interned: lives as long as the run */
	uint32_t	 len;		/* of fname (NAME_MAX at most) */
	unsigned char	 type;		/* DT_*, never DT_UNKNOWN */
};

struct ws_listing {
	struct ws_dent	*v;
	size_t		 n, cap;
	int		 has_data_link;	/* "..data" is a symbolic link */
};

/* The caller's scratch buffer, grown as needed (free(p) when done). */
struct ws_dirbuf {
	char		*p;
	size_t		 cap;
};

#define WS_LIST_SORTED		1	/* by name (strcmp) */
#define WS_LIST_DOTFILES	2	/* keep names starting with '.' */
#define WS_LIST_AGAIN		4	/* fd was listed before: rewind it */

/* List fd's entries from its beginning ("." and ".." never; other
 * dotfiles only with WS_LIST_DOTFILES; "..data" is noted in
 * has_data_link either way); a descriptor listed before needs
 * WS_LIST_AGAIN.  Returns 0 or an errno value. */
int	 ws_list_dir(int fd, struct ws_listing *, unsigned flags,
	    struct ws_dirbuf *);
/* The entry named fname in a sorted listing, or NULL. */
const struct ws_dent *ws_listing_find(const struct ws_listing *,
	    const char *fname);
void	 ws_listing_free(struct ws_listing *);
/* The DT_* of a stat(2) mode. */
unsigned char ws_mode_dtype(mode_t);
/* Grow b to at least n bytes. */
void	 ws_dirbuf_reserve(struct ws_dirbuf *, size_t n);

#endif /* WS_DIRLIST_H */
