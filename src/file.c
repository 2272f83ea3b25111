/*
 * The one safe reader (SPEC §4.1, §5.2).  Every file withsecrets reads
 * comes through here: opened O_CLOEXEC|O_NONBLOCK (a FIFO must not
 * block us), fstat'ed and refused unless regular, capped in size, read
 * with read(2) straight into guarded memory, wiped on every error.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef HAVE_LINUX_OPENAT2_H
#include <linux/openat2.h>
#endif

#include "withsecrets.h"
#include "file.h"
#include "util.h"
#include "secmem.h"
#include "diag.h"

struct noted {
	char		*display;
	dev_t		 dev;
	ino_t		 ino;
	mode_t		 mode;
	enum ws_note	 what;
};
static struct noted *noted;
static size_t n_noted, cap_noted;

/*
 * The directory last judged by its path, kept for the files after it in
 * the same directory (a run reads its .env layers from one directory
 * and its NAME_FILE targets mostly from another: one stat each, not one
 * per file).  Forgotten by ws_file_check_modes(), at the end of each
 * reading, so that a reading judges every directory afresh.
 */
static struct {
	char		*dir;		/* NULL: none */
	size_t		 len;
	struct stat	 st;
} holder_seen;

static void
forget_holder(void)
{
	free(holder_seen.dir);
	holder_seen.dir = NULL;
	holder_seen.len = 0;
}

void
ws_file_note(const char *display, const struct stat *st, enum ws_note what)
{
	/* only a group-writable mode is ever judged (group_can_replace):
	 * keep no other (every file read comes here: SPEC §9) */
	size_t i;

	if (!(st->st_mode & S_IWGRP))
		return;
	/* a file reached twice (a secret directory's entry and a NAME_FILE
	 * target, a path and a link to it) is reported once */
	for (i = 0; i < n_noted; i++)
		if (noted[i].what == what && noted[i].dev == st->st_dev &&
		    noted[i].ino == st->st_ino)
			return;
	if (n_noted == cap_noted) {
		cap_noted = cap_noted ? cap_noted * 2 : 16;
		noted = ws_xrealloc(noted, cap_noted * sizeof(*noted));
	}
	noted[n_noted].display = ws_xstrdup(display);
	noted[n_noted].dev = st->st_dev;
	noted[n_noted].ino = st->st_ino;
	noted[n_noted].mode = st->st_mode;
	noted[n_noted].what = what;
	n_noted++;
}

/* Is a noted mode one that lets the file's group replace its content? */
static int
group_can_replace(const struct noted *n)
{
	if (!(n->mode & S_IWGRP) || (n->mode & S_IWOTH))
		return 0;	/* world-writable: refused when read */
	/* in a sticky directory only a file's owner may replace it */
	return n->what == WS_NOTE_FILE || !(n->mode & S_ISVTX);
}

/*
 * Group-writable files, and directories without the sticky bit that
 * hold them (a group member can replace the file): refused in strict
 * mode, warned about otherwise.  World-writable ones are refused when
 * read, in every mode.
 */
void
ws_file_check_modes(int strict)
{
	static const char *const what[] = {
		[WS_NOTE_FILE] = "group-writable file",
		[WS_NOTE_HOLDER] = "held by a group-writable directory "
		    "without the sticky bit",
		[WS_NOTE_SECRETS_DIR] = "group-writable secrets directory "
		    "without the sticky bit",
		[WS_NOTE_REAL_HOLDER] = "reached through a symbolic link "
		    "into a group-writable directory without the sticky bit",
	};
	static const char *const fix[] = {
		[WS_NOTE_FILE] = "chmod g-w on it",
		[WS_NOTE_HOLDER] = "chmod g-w on the directory",
		[WS_NOTE_SECRETS_DIR] = "chmod g-w on it",
		[WS_NOTE_REAL_HOLDER] = "chmod g-w on that directory",
	};
	/* A file mounted into a container (Compose and Swarm mount
	 * secrets at /run/secrets/NAME, read-only, with the host file's
	 * mode) cannot be changed where it is read: say where it can. */
	static const char mounted[] = "chmod g-w on its source on the host "
	    "(for Compose, the secret's file:), then recreate the container";
	static const char run_secrets[] = "/run/secrets/";
	struct statvfs vfs;
	const char *how;
	size_t i;

	for (i = 0; i < n_noted; i++) {
		if (!group_can_replace(&noted[i]))
			continue;
		how = fix[noted[i].what];
		if (noted[i].what == WS_NOTE_FILE &&
		    (strncmp(noted[i].display, run_secrets,
		    sizeof(run_secrets) - 1) == 0 ||
		    (statvfs(noted[i].display, &vfs) == 0 &&
		    (vfs.f_flag & ST_RDONLY))))
			how = mounted;
		ws_finding(strict ? WS_SEV_ERROR : WS_SEV_WARNING, WS_EX_PERM,
		    "file-mode", NULL, noted[i].display, "%s%s; run %s",
		    what[noted[i].what], strict ?
		    " (refused in a strict environment)" : "", how);
	}
	for (i = 0; i < n_noted; i++)
		free(noted[i].display);
	free(noted);
	noted = NULL;
	n_noted = cap_noted = 0;
	forget_holder();
}

size_t
ws_strip_newlines(const char *p, size_t n)
{
	while (n > 0 && p[n - 1] == '\n') {
		n--;
		if (n > 0 && p[n - 1] == '\r')
			n--;
	}
	return n;
}

/* "/proc/self/fd/N" for a descriptor (snprintf costs more than the
 * rest of a small file's reading). */
static void
proc_fd_path(char buf[32], int fd)
{
	static const char prefix[] = "/proc/self/fd/";
	char digits[12];
	unsigned v = fd < 0 ? 0u - (unsigned)fd : (unsigned)fd;
	size_t n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	memcpy(buf, prefix, sizeof(prefix) - 1);
	buf += sizeof(prefix) - 1;
	if (fd < 0)
		*buf++ = '-';	/* AT_FDCWD: no such link, refused below */
	while (n > 0)
		*buf++ = digits[--n];
	*buf = '\0';
}

/*
 * Where openat2 is missing, open normally and then check that the
 * file reached is inside the directory, by comparing the resolved
 * paths the kernel reports for both descriptors.
 */
static int
ws_open_beneath_fallback(int dirfd, const char *path, int flags)
{
	char dproc[32], fproc[32], dpath[PATH_MAX], fpath[PATH_MAX];
	ssize_t dn, fn;
	int fd;

	if (path[0] == '/') {
		errno = EXDEV;
		return -1;
	}
	/* a mode argument, though unused: with a variable flags argument
	 * the fortified build would go through __openat_2 instead */
	if ((fd = openat(dirfd, path, flags, 0)) == -1)
		return -1;
	proc_fd_path(dproc, dirfd);
	proc_fd_path(fproc, fd);
	dn = readlinkat(AT_FDCWD, dproc, dpath, sizeof(dpath) - 1);
	fn = readlinkat(AT_FDCWD, fproc, fpath, sizeof(fpath) - 1);
	if (dn <= 0 || fn <= 0 || (size_t)dn >= sizeof(dpath) - 1 ||
	    (size_t)fn >= sizeof(fpath) - 1) {
		close(fd);
		errno = EXDEV;
		return -1;
	}
	dpath[dn] = fpath[fn] = '\0';
	if (fn < dn || memcmp(fpath, dpath, (size_t)dn) != 0 ||
	    (fpath[dn] != '/' && !(dn == 1 && dpath[0] == '/'))) {
		close(fd);
		errno = EXDEV;
		return -1;
	}
	return fd;
}

/* Open beneath dirfd: symbolic links may not leave it. */
int
ws_open_beneath(int dirfd, const char *path, int flags)
{
#if defined(SYS_openat2) && defined(HAVE_LINUX_OPENAT2_H)
	/* a kernel without openat2 (or a seccomp filter refusing it) says
	 * so every time: once is enough, for a directory of many files */
	static int no_openat2;
	struct open_how how;
	long fd;

	if (!no_openat2) {
		memset(&how, 0, sizeof(how));
		how.flags = (unsigned long long)flags;
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
		fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
		if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
			return (int)fd;
		no_openat2 = 1;
	}
#endif
	return ws_open_beneath_fallback(dirfd, path, flags);
}

static int
report_open_error(const struct ws_read *r, int err)
{
	const char *name = r->name;

	switch (err) {
	case ENOENT:
	case ENOTDIR:
		ws_finding(WS_SEV_ERROR, WS_EX_NOINPUT, "missing-file", name,
		    r->display, "no such file; check the path");
		return WS_EX_NOINPUT;
	case EACCES:
	case EPERM:
		ws_finding(WS_SEV_ERROR, WS_EX_NOINPUT, "unreadable", name,
		    r->display, "permission denied; withsecrets reads files "
		    "with the caller's own rights");
		return WS_EX_NOINPUT;
	case EXDEV:
		ws_finding(WS_SEV_ERROR, WS_EX_PERM, "symlink-escape", name,
		    r->display, "symbolic link leads outside its directory; "
		    "refused");
		return WS_EX_PERM;
	case ELOOP:
		/* a loop, or a /proc "magic" link (RESOLVE_NO_MAGICLINKS):
		 * not an escape from a directory, but not readable */
		ws_finding(WS_SEV_ERROR, WS_EX_NOINPUT, "unreadable", name,
		    r->display, "too many levels of symbolic links (a loop, "
		    "or a /proc link); fix the link");
		return WS_EX_NOINPUT;
	default:
		ws_finding(WS_SEV_ERROR, WS_EX_NOINPUT, "unreadable", name,
		    r->display, "cannot open: %s",
		    strerror(err));
		return WS_EX_NOINPUT;
	}
}

static const char *
file_type(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	return "not a regular file";
}

/* The status of dir (len bytes, not terminated), from holder_seen when
 * it is the directory judged last. */
static int
stat_holder_path(const char *dir, size_t len, struct stat *dst)
{
	char *copy;

	if (holder_seen.dir != NULL && holder_seen.len == len &&
	    memcmp(holder_seen.dir, dir, len) == 0) {
		*dst = holder_seen.st;
		return 0;
	}
	copy = ws_xmalloc(len + 1);
	memcpy(copy, dir, len);
	copy[len] = '\0';
	if (fstatat(AT_FDCWD, copy, dst, 0) != 0) {
		free(copy);
		return -1;
	}
	forget_holder();
	holder_seen.dir = copy;
	holder_seen.len = len;
	holder_seen.st = *dst;
	return 0;
}

/* The mode of the directory that holds the file: 0, or -1 when it
 * cannot be learnt (then nothing is judged). */
static int
holder_stat(const struct ws_read *r, struct stat *dst)
{
	const char *slash;

	if (r->dirfd != AT_FDCWD)
		return fstat(r->dirfd, dst);
	if ((slash = strrchr(r->path, '/')) == NULL)
		return stat_holder_path(".", 1, dst);
	if (slash == r->path)
		return stat_holder_path("/", 1, dst);
	return stat_holder_path(r->path, (size_t)(slash - r->path), dst);
}

/*
 * The directory the file open on fd really lives in, after every
 * symbolic link (SPEC §8), as the kernel knows it: its path in buf (of
 * PATH_MAX bytes) and its status in *dst.  0, or -1 when it cannot be
 * learnt (no /proc, a path longer than PATH_MAX).  Asked only for a
 * file reached through a symbolic link: a name that is not a link is
 * held by the directory holder_stat() judged.
 */
static int
real_holder_stat(int fd, char *buf, struct stat *dst)
{
	char proc[32], *c;
	ssize_t n;

	proc_fd_path(proc, fd);
	n = readlinkat(AT_FDCWD, proc, buf, PATH_MAX - 1);
	if (n <= 0 || (size_t)n >= PATH_MAX - 1 || buf[0] != '/')
		return -1;
	buf[n] = '\0';
	for (c = buf + n; c[-1] != '/'; c--)
		;
	c[c - 1 == buf ? 0 : -1] = '\0';	/* "/" stays "/" */
	/* the kernel's path has no symbolic link left in it: one that
	 * appears there since is not followed */
	return fstatat(AT_FDCWD, buf, dst, AT_SYMLINK_NOFOLLOW);
}

static int
unsafe_holder(const struct ws_read *r, const char *why)
{
	ws_finding(WS_SEV_ERROR, WS_EX_PERM, "file-mode", r->name,
	    r->display, "%s; refused", why);
	return WS_EX_PERM;
}

/* World-writable and not sticky: anyone may replace what it holds. */
static int
world_replaceable(const struct stat *dst)
{
	return (dst->st_mode & S_IWOTH) && !(dst->st_mode & S_ISVTX);
}

/*
 * Judge the directory a file reached through a symbolic link really
 * lives in (SPEC §8), as the one holding the name was judged.  A
 * directory whose mode cannot be learnt is refused: nothing is read
 * that was not judged.  Returns 0 (its status in *rdst, *have_real
 * set when it is another directory than *dst) or WS_EX_PERM.
 */
static int
judge_real_holder(int fd, const struct ws_read *r, const struct stat *dst,
    int have_dir, struct stat *rdst, int *have_real)
{
	char real[PATH_MAX], *why;
	struct stat vetted;
	int rc;

	*have_real = 0;
	if (real_holder_stat(fd, real, rdst) != 0)
		return unsafe_holder(r, "reached through a symbolic link, and "
		    "the directory it really lives in cannot be learnt "
		    "(is /proc mounted?)");
	/* the directory judged already: the one holding the name, or the
	 * one its caller vetted (a link to a file of the same secrets
	 * directory) */
	if (!have_dir && r->dirfd != AT_FDCWD && fstat(r->dirfd, &vetted) == 0) {
		dst = &vetted;
		have_dir = 1;
	}
	if (have_dir && rdst->st_dev == dst->st_dev &&
	    rdst->st_ino == dst->st_ino)
		return 0;
	if (world_replaceable(rdst)) {
		why = ws_xasprintf("reached through a symbolic link into %s, "
		    "a world-writable directory without the sticky bit", real);
		rc = unsafe_holder(r, why);
		free(why);
		return rc;
	}
	*have_real = 1;
	return 0;
}

/*
 * What a name given by the user (a NAME_FILE path, a .env, a policy
 * file) is, before it is opened (SPEC §3, §5.2: a FIFO or a device is
 * refused without being opened for reading): 0 with *via_link set when
 * the name is a symbolic link, 1 when missing and missing_ok, else a
 * WS_EX_* code after a finding.  fstatat, not open: opening a device
 * can have effects, and opening a FIFO, even without blocking, wakes a
 * writer waiting in open(2).  (A name swapped for one since is still
 * refused after it is opened, without blocking.)
 */
static int
pre_stat(const struct ws_read *r, struct stat *lst, int *via_link)
{
	struct stat st;

	if (fstatat(r->dirfd, r->path, lst, AT_SYMLINK_NOFOLLOW) != 0)
		goto fail;
	*via_link = S_ISLNK(lst->st_mode);
	if (*via_link) {
		/* what it leads to: only links pay for a second look */
		if (fstatat(r->dirfd, r->path, &st, 0) != 0)
			goto fail;
	} else
		st = *lst;
	if (S_ISREG(st.st_mode))
		return 0;
	ws_finding(WS_SEV_ERROR, WS_EX_NOINPUT, "not-regular", r->name,
	    r->display, "is %s, not a regular file; refused",
	    file_type(st.st_mode));
	return WS_EX_NOINPUT;
fail:
	if (errno == ENOENT && r->missing_ok)
		return 1;
	return report_open_error(r, errno);
}

static int
too_large(const struct ws_read *r)
{
	if (r->secret)
		ws_finding(WS_SEV_ERROR, WS_EX_DATAERR, "too-large", r->name,
		    r->display, "larger than max-secret-size (%zu bytes); "
		    "raise max-secret-size or fix the file", r->max);
	else
		ws_finding(WS_SEV_ERROR, WS_EX_DATAERR, "too-large", r->name,
		    r->display, "larger than %zu bytes, the limit for this "
		    "kind of file; check that it is the right file", r->max);
	return WS_EX_DATAERR;
}

static int
read_all(int fd, const struct ws_read *r, struct ws_blob *out)
{
	struct ws_sbuf b = { .arena = &ws_work };
	size_t hint;
	ssize_t n;
	int rc;

	/* Room for the whole file plus one byte to see it is not longer,
	 * and the NUL: one block of that size, not rounded up (the sbuf
	 * grows it if the file grew) */
	hint = out->st.st_size > 0 && (size_t)out->st.st_size <= r->max ?
	    (size_t)out->st.st_size + 1 : 4096;
	if (ws_sbuf_start(&b, hint + 1) != 0)
		goto nomem;
	for (;;) {
		if (b.cap - b.len < 2 && ws_sbuf_reserve(&b, b.cap) != 0)
			goto nomem;
		n = read(fd, b.p + b.len, b.cap - b.len - 1);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ws_finding(WS_SEV_ERROR, WS_EX_NOINPUT, "unreadable",
			    r->name, r->display, "read error: %s",
			    strerror(errno));
			rc = WS_EX_NOINPUT;
			goto fail;
		}
		b.len += (size_t)n;
		if (b.len > r->max) {
			rc = too_large(r);
			goto fail;
		}
		/* the size fstat reported: a snapshot, no read for EOF */
		if (out->st.st_size > 0 && b.len == (size_t)out->st.st_size)
			break;
	}
	b.hw = b.len + 1;
	out->p = ws_sbuf_finish(&b);
	out->len = b.len;
	return 0;
nomem:
	ws_finding(WS_SEV_ERROR, WS_EX_SOFTWARE, "internal", r->name,
	    r->display, "out of guarded memory");
	ws_arena_shrink(b.arena, b.p, b.cap, 0);
	return WS_EX_SOFTWARE;
fail:
	ws_arena_shrink(b.arena, b.p, b.cap, 0);
	return rc;
}

int
ws_file_read(const struct ws_read *r, struct ws_blob *out)
{
	int fd, rc, have_dir, have_real = 0, via_link = r->via_link,
	    flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
	struct stat dst, rdst, lst;

	/* (not the whole blob: fstat fills st, a stat the size of the
	 * rest of the read, for each of a run's many small files) */
	out->p = NULL;
	out->len = 0;
	/* a secrets directory's entries were judged by their listing and
	 * the O_PATH look at a link (secretdir.c); any other name is
	 * judged here, before it is opened */
	if (!r->resolve_beneath && (rc = pre_stat(r, &lst, &via_link)) != 0)
		return rc;
	if (r->resolve_beneath)
		fd = ws_open_beneath(r->dirfd, r->path, flags);
	else
		fd = openat(r->dirfd, r->path, flags, 0);	/* as above */
	if (fd == -1) {
		if (errno == ENOENT && r->missing_ok)
			return 1;
		return report_open_error(r, errno);
	}
	if (fstat(fd, &out->st) != 0) {
		rc = report_open_error(r, errno);
		close(fd);
		return rc;
	}
	if (!S_ISREG(out->st.st_mode)) {
		close(fd);
		ws_finding(WS_SEV_ERROR, WS_EX_NOINPUT, "not-regular", r->name,
		    r->display, "is %s, not a regular file; refused",
		    file_type(out->st.st_mode));
		return WS_EX_NOINPUT;
	}
	if (out->st.st_mode & S_IWOTH) {
		close(fd);
		ws_finding(WS_SEV_ERROR, WS_EX_PERM, "file-mode", r->name,
		    r->display, "world-writable file refused; run chmod o-w "
		    "on it");
		return WS_EX_PERM;
	}
	/* A name replaced by a link since it was looked at was reached
	 * through one too. */
	if (!r->resolve_beneath && !via_link &&
	    (lst.st_dev != out->st.st_dev || lst.st_ino != out->st.st_ino))
		via_link = 1;
	/* A world-writable directory without the sticky bit lets anyone
	 * swap the file: refused.  A group-writable one is judged with
	 * the file modes, by ws_file_check_modes().  Both the directory
	 * that holds the name and, through a symbolic link, the one the
	 * file really lives in (SPEC §8). */
	have_dir = 0;
	if (!r->dir_checked) {
		if (holder_stat(r, &dst) != 0) {
			close(fd);
			return unsafe_holder(r, "the directory that holds it "
			    "cannot be examined");
		}
		have_dir = 1;
	}
	if (have_dir && world_replaceable(&dst)) {
		close(fd);
		ws_finding(WS_SEV_ERROR, WS_EX_PERM, "file-mode", r->name,
		    r->display, "held by a world-writable directory without "
		    "the sticky bit; refused");
		return WS_EX_PERM;
	}
	if (via_link && (rc = judge_real_holder(fd, r, &dst, have_dir, &rdst,
	    &have_real)) != 0) {
		close(fd);
		return rc;
	}
	/* a 2 GB file is refused by its size, without reading it; what
	 * fstat cannot size (/proc) is capped while it is read */
	if ((uintmax_t)out->st.st_size > r->max) {
		close(fd);
		return too_large(r);
	}
	rc = read_all(fd, r, out);
	close(fd);
	if (rc != 0)
		return rc;
	ws_file_note(r->display, &out->st, WS_NOTE_FILE);
	if (have_dir)
		ws_file_note(r->display, &dst, WS_NOTE_HOLDER);
	if (have_real)
		ws_file_note(r->display, &rdst, WS_NOTE_REAL_HOLDER);
	if (r->secret) {
		if (memchr(out->p, '\0', out->len) != NULL) {
			ws_finding(WS_SEV_ERROR, WS_EX_DATAERR, "nul-byte",
			    r->name, r->display, "contains a NUL byte, which "
			    "an environment variable cannot hold");
			ws_arena_shrink(&ws_work, out->p, out->len + 1, 0);
			out->p = NULL;
			out->len = 0;
			return WS_EX_DATAERR;
		}
		out->len = ws_strip_newlines(out->p, out->len);
		out->p[out->len] = '\0';
	}
	return 0;
}
