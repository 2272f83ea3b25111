/*
 * memscan PID HEX: how many copies of the bytes HEX (hex-encoded) are in
 * the readable mappings of process PID, read through /proc/PID/mem.
 * tests/e2e/init.sh runs it on a supervising withsecrets while its
 * command runs (SPEC §14: the parent holds no secret).  The needle is
 * kept XOR-masked so that memscan itself never holds the plain bytes.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MASK	0x5a
#define BUFSZ	(1 << 16)

static unsigned char needle[512];
static unsigned char buf[BUFSZ + sizeof(needle)];

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
main(int argc, char **argv)
{
	char path[64], line[512], perms[8], name[256];
	unsigned long lo, hi, at;
	size_t len = 0, i, j, got, want, found = 0;
	FILE *maps;
	ssize_t r;
	int mem;

	if (argc != 3)
		return 2;
	for (; argv[2][2 * len] && argv[2][2 * len + 1] && len < sizeof(needle);
	    len++)
		needle[len] = (unsigned char)((hexval(argv[2][2 * len]) << 4 |
		    hexval(argv[2][2 * len + 1])) ^ MASK);
	if (len == 0)
		return 2;
	snprintf(path, sizeof(path), "/proc/%s/maps", argv[1]);
	if ((maps = fopen(path, "re")) == NULL)
		return perror(path), 2;
	snprintf(path, sizeof(path), "/proc/%s/mem", argv[1]);
	if ((mem = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return perror(path), 2;
	while (fgets(line, sizeof(line), maps) != NULL) {
		name[0] = '\0';
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %255s", &lo, &hi,
		    perms, name) < 3 || perms[0] != 'r' ||
		    strcmp(name, "[vvar]") == 0 ||
		    strcmp(name, "[vsyscall]") == 0)
			continue;
		for (at = lo; at < hi; at += BUFSZ) {
			want = hi - at > BUFSZ + len - 1 ? BUFSZ + len - 1 :
			    hi - at;
			if ((r = pread(mem, buf, want, (off_t)at)) <= 0)
				continue;
			got = (size_t)r;
			for (i = 0; i + len <= got && i < BUFSZ; i++) {
				for (j = 0; j < len; j++)
					if ((buf[i + j] ^ MASK) != needle[j])
						break;
				found += j == len;
			}
		}
	}
	memset(buf, 0, sizeof(buf));
	printf("%zu\n", found);
	return 0;
}
