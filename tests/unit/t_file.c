/* The safe reader: regular files only, size cap, NUL, newlines, modes,
 * symlinks leaving a directory, FIFOs without blocking. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "withsecrets.h"
#include "util.h"
#include "secmem.h"
#include "file.h"
#include "tap.h"

static char dir[] = "/tmp/ws-t-file.XXXXXX";

static void
put(const char *name, const char *data, size_t n, mode_t mode)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, n) != (ssize_t)n)
		abort();
	close(fd);
	chmod(path, mode);
}

static int
rd(const char *name, size_t max, int secret, struct ws_blob *b)
{
	struct ws_read r;
	char *path = ws_xasprintf("%s/%s", dir, name);
	int rc;

	memset(&r, 0, sizeof(r));
	r.dirfd = AT_FDCWD;
	r.path = path;
	r.display = path;
	r.name = "X";
	r.max = max;
	r.secret = secret;
	rc = ws_file_read(&r, b);
	free(path);
	return rc;
}

static int
rd_beneath(const char *name, struct ws_blob *b)
{
	struct ws_read r;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	memset(&r, 0, sizeof(r));
	r.dirfd = dfd;
	r.path = name;
	r.display = name;
	r.max = 65536;
	r.secret = 1;
	r.resolve_beneath = 1;
	rc = ws_file_read(&r, b);
	close(dfd);
	return rc;
}

int
main(void)
{
	struct ws_blob b;
	char path[256], *big;

	ws_secmem_init();
	if (mkdtemp(dir) == NULL)
		abort();
	chmod(dir, 0700);
	(void)!freopen("/dev/null", "w", stderr);

	put("plain", "s3cret\n", 7, 0644);
	is_int(rd("plain", 100, 1, &b), 0, "a regular file is read");
	is_str(b.p, "s3cret", "one trailing newline removed");

	put("crlf", "a b \r\n\r\n\n", 9, 0444);
	is_int(rd("crlf", 100, 1, &b), 0, "CRLF file");
	is_str(b.p, "a b ", "every trailing \\n and \\r\\n removed, nothing else");

	put("inner", "\nx\n\ny\n", 6, 0400);
	is_int(rd("inner", 100, 1, &b), 0, "inner newlines");
	is_int(b.len, 5, "inner and leading newlines kept");

	put("cr", "x\r", 2, 0400);
	is_int(rd("cr", 100, 1, &b), 0, "lone CR");
	is_int(b.len, 2, "a trailing CR without LF is kept");

	put("nul", "a\0b", 3, 0600);
	is_int(rd("nul", 100, 1, &b), WS_EX_DATAERR, "a NUL byte is refused");
	is_int(rd("nul", 100, 0, &b), 0, "unless not a secret read");

	big = malloc(70000);
	memset(big, 'a', 70000);
	put("big", big, 70000, 0600);
	free(big);
	is_int(rd("big", 65536, 1, &b), WS_EX_DATAERR, "over the size cap");
	is_int(rd("big", 70000, 1, &b), 0, "exactly at the cap");

	is_int(rd("missing", 100, 1, &b), WS_EX_NOINPUT, "missing file: 66");

	snprintf(path, sizeof(path), "%s/fifo", dir);
	if (mkfifo(path, 0600) != 0)
		abort();
	is_int(rd("fifo", 100, 1, &b), WS_EX_NOINPUT,
	    "a FIFO is refused without blocking");
	is_int(rd(".", 100, 1, &b), WS_EX_NOINPUT, "a directory is refused");

	put("ww", "x", 1, 0666);
	is_int(rd("ww", 100, 1, &b), WS_EX_PERM, "world-writable: 77");

	snprintf(path, sizeof(path), "%s/esc", dir);
	if (symlink("/etc/hostname", path) != 0)
		abort();
	is_int(rd_beneath("esc", &b), WS_EX_PERM,
	    "a symlink leaving the directory: 77");
	snprintf(path, sizeof(path), "%s/env", dir);
	if (symlink("/proc/self/environ", path) != 0)
		abort();
	is_int(rd_beneath("env", &b), WS_EX_PERM,
	    "a symlink to /proc/self/environ: 77");
	snprintf(path, sizeof(path), "%s/rel", dir);
	if (symlink("plain", path) != 0)
		abort();
	is_int(rd_beneath("rel", &b), 0, "a symlink inside the directory");
	is_str(b.p, "s3cret", "read through the link");

	is_int(rd("/../../../proc/self/status", 1 << 20, 0, &b), 0,
	    "a zero-size procfs file is read to its end");
	ok(b.len > 0, "and has content");

	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	(void)!system(path);
	ws_secmem_wipe_all();
	return done_testing();
}
