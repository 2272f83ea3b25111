/*
 * Memory probe, preloaded into withsecrets by tests/e2e/memory.sh.
 *
 * At execve and at exit it scans every readable mapping of the process
 * for a known secret and counts the copies found outside the strings
 * of the envp passed to execve (the only place a secret may remain,
 * SPEC §8).  It also records PR_GET_DUMPABLE.
 *
 *   WS_PROBE_NEEDLE_HEX   the secret, hex-encoded
 *   WS_PROBE_NEEDLE_IN  a file that holds a second secret, read when
 *                         the probe scans (`withsecrets gen` makes the
 *                         value: the file is what it wrote), from byte
 *                         WS_PROBE_NEEDLE_FROM (default 0) to the first
 *                         newline or the end
 *   WS_PROBE_OUT          file the results are appended to
 *
 * The needle is kept XOR-masked so that the probe itself never holds
 * the plain bytes, and memory is read through /proc/self/mem into a
 * buffer that is excluded from the scan and wiped after it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#define MASK	0x5a
#define BUFSZ	(1 << 16)

#define NEEDLES	2
static unsigned char needles[NEEDLES][512];	/* masked */
static size_t needle_lens[NEEDLES];
static size_t n_needles;
static unsigned char *needle;		/* the one being scanned for */
static size_t needle_len;
static unsigned char buf[BUFSZ + 512];
static int out_fd = -1;

struct range { uintptr_t lo, hi; };

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

__attribute__((constructor)) static void
probe_init(void)
{
	const char *hex = getenv("WS_PROBE_NEEDLE_HEX");
	const char *out = getenv("WS_PROBE_OUT");
	size_t i;

	/* only in withsecrets itself, not in the command it runs */
	if (hex == NULL || out == NULL ||
	    strcmp(program_invocation_short_name, "withsecrets") != 0)
		return;
	for (i = 0; hex[2 * i] && hex[2 * i + 1] && i < sizeof(needles[0]);
	    i++)
		needles[0][i] = (unsigned char)((hexval(hex[2 * i]) << 4 |
		    hexval(hex[2 * i + 1])) ^ MASK);
	needle_lens[0] = i;
	n_needles = 1;
	out_fd = open(out, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
}

static int
allowed(uintptr_t at, const struct range *ok, size_t n)
{
	size_t i;

	if (at >= (uintptr_t)buf && at < (uintptr_t)buf + sizeof(buf))
		return 1;
	for (i = 0; i < n; i++)
		if (at >= ok[i].lo && at + needle_len <= ok[i].hi)
			return 1;
	return 0;
}

static size_t
scan_region(int mem, uintptr_t lo, uintptr_t hi, const struct range *ok,
    size_t n_ok)
{
	size_t found = 0, i, j, got;
	uintptr_t at;
	ssize_t r;

	for (at = lo; at < hi; at += BUFSZ) {
		size_t want = hi - at > BUFSZ ? BUFSZ : hi - at;

		/* read a little past the block so matches across blocks
		 * are seen */
		if (hi - at > want)
			want += (hi - at - want) < needle_len ?
			    (hi - at - want) : needle_len - 1;
		r = pread(mem, buf, want, (off_t)at);
		if (r <= 0)
			continue;
		got = (size_t)r;
		for (i = 0; i + needle_len <= got && i < BUFSZ; i++) {
			for (j = 0; j < needle_len; j++)
				if ((buf[i + j] ^ MASK) != needle[j])
					break;
			if (j == needle_len && !allowed(at + i, ok, n_ok))
				found++;
		}
	}
	memset(buf, 0, sizeof(buf));
	return found;
}

/* The second needle, from WS_PROBE_NEEDLE_IN, read a byte at a time
 * and masked at once: no plain copy of it is made. */
static void
load_file_needle(void)
{
	const char *path = getenv("WS_PROBE_NEEDLE_IN");
	const char *from = getenv("WS_PROBE_NEEDLE_FROM");
	unsigned char c;
	long skip = from ? strtol(from, NULL, 10) : 0;
	size_t n = 0;
	int fd;

	if (path == NULL || n_needles != 1)
		return;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	while (read(fd, &c, 1) == 1) {
		if (skip > 0) {
			skip--;
			continue;
		}
		if (c == '\n' || n == sizeof(needles[1]))
			break;
		needles[1][n++] = c ^ MASK;
	}
	c = 0;
	close(fd);
	if (n >= 8) {
		needle_lens[1] = n;
		n_needles = 2;
	}
}

static size_t scan_one(const struct range *, size_t);

static size_t
scan(const struct range *ok, size_t n_ok)
{
	size_t found = 0, k, f;

	load_file_needle();
	for (k = 0; k < n_needles; k++) {
		needle = needles[k];
		needle_len = needle_lens[k];
		if ((f = scan_one(ok, n_ok)) == (size_t)-1)
			return f;
		found += f;
	}
	return found;
}

static size_t
scan_one(const struct range *ok, size_t n_ok)
{
	char line[512], perms[8], path[256];
	unsigned long lo, hi;
	size_t found = 0;
	FILE *maps;
	int mem;

	if ((maps = fopen("/proc/self/maps", "re")) == NULL)
		return (size_t)-1;
	if ((mem = open("/proc/self/mem", O_RDONLY | O_CLOEXEC)) == -1) {
		fclose(maps);
		return (size_t)-1;
	}
	while (fgets(line, sizeof(line), maps) != NULL) {
		path[0] = '\0';
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %255s", &lo, &hi,
		    perms, path) < 3)
			continue;
		if (perms[0] != 'r' || strcmp(path, "[vvar]") == 0 ||
		    strcmp(path, "[vsyscall]") == 0)
			continue;
		found += scan_region(mem, lo, hi, ok, n_ok);
	}
	close(mem);
	fclose(maps);
	return found;
}

static void
record(const char *when, size_t found)
{
	char msg[128];
	int n;

	if (out_fd < 0)
		return;
	n = snprintf(msg, sizeof(msg), "%s dumpable=%d leaks=%zu\n", when,
	    prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), found);
	if (n > 0)
		(void)!write(out_fd, msg, (size_t)n);
}

int
execve(const char *path, char *const argv[], char *const envp[])
{
	static int (*real)(const char *, char *const[], char *const[]);
	struct range ok[4096];
	size_t n = 0;

	if (real == NULL)
		real = (int (*)(const char *, char *const[], char *const[]))
		    dlsym(RTLD_NEXT, "execve");
	if (n_needles > 0) {
		for (; envp[n] != NULL && n < sizeof(ok) / sizeof(ok[0]); n++) {
			ok[n].lo = (uintptr_t)envp[n];
			ok[n].hi = (uintptr_t)envp[n] + strlen(envp[n]) + 1;
		}
		record("execve", scan(ok, n));
	}
	return real(path, argv, envp);
}

__attribute__((destructor)) static void
probe_exit(void)
{
	if (n_needles > 0)
		record("exit", scan(NULL, 0));
}
