/*
 * file.c: the one safe reader of files into guarded memory.
 */
#ifndef WS_FILE_H
#define WS_FILE_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>
#include "withsecrets.h"

struct ws_read {
	int		 dirfd;		/* AT_FDCWD or a directory */
	const char	*path;		/* relative to dirfd */
	const char	*display;	/* path as shown in messages */
	const char	*name;		/* variable it is read for, or NULL */
	const char	*rule_source;	/* where the request came from */
	size_t		 max;		/* size cap */
	int		 secret;	/* strip trailing newlines, refuse NUL */
	int		 resolve_beneath; /* refuse symlinks leaving dirfd */
	int		 missing_ok;	/* ENOENT: return 1, no finding */
	int		 dir_checked;	/* caller vetted dirfd's mode */
	int		 via_link;	/* with resolve_beneath: path is a
					 * symbolic link (from the listing) */
};

struct ws_blob {
	char		*p;	/* in ws_work, NUL-terminated */
	size_t		 len;
	struct stat	 st;
};

/* 0 on success, 1 when missing and missing_ok, else a WS_EX_* code
 * after recording a finding. */
int	 ws_file_read(const struct ws_read *, struct ws_blob *);
/* Permission findings for a file that was read (and its directory),
 * for strict (1) or lenient (0) mode. */
void	 ws_file_check_modes(int strict);
/* Record a mode checked by ws_file_check_modes(): of a file read, of
 * the directory holding a file read or, for a file reached through a
 * symbolic link, of the one it really lives in (display: the file), or
 * of a secrets directory (display: the directory). */
enum ws_note { WS_NOTE_FILE, WS_NOTE_HOLDER, WS_NOTE_SECRETS_DIR,
	WS_NOTE_REAL_HOLDER };
void	 ws_file_note(const char *display, const struct stat *,
	    enum ws_note);
/* openat(2) that refuses symbolic links leaving dirfd (openat2
 * RESOLVE_BENEATH, or a check of the result where the kernel lacks
 * it): -1 and errno EXDEV or ELOOP when one does. */
int	 ws_open_beneath(int, const char *, int);
/* Strip every trailing "\n" / "\r\n". */
size_t	 ws_strip_newlines(const char *, size_t);

#endif /* WS_FILE_H */
