/*
 * Output through write(2), without stdio: reports of check, explain and
 * defaults on stdout, messages on stderr.  withsecrets prints nothing
 * on a clean run, and stdio's imports would be bound at every start
 * under -z now (SPEC §8; docs/PERFORMANCE.md has the cost).
 *
 * Nothing written here is ever a value (SPEC §2): only names, sources,
 * lengths and rule names reach these buffers.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "withsecrets.h"
#include "out.h"
#include "util.h"

struct ws_out ws_stdout = { STDOUT_FILENO, 0, 0, NULL };
struct ws_out ws_stderr = { STDERR_FILENO, 0, 0, NULL };

int
ws_write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
ws_out_flush(struct ws_out *o)
{
	if (o->n > 0 && !o->failed && ws_write_all(o->fd, o->buf, o->n) != 0)
		o->failed = 1;
	o->n = 0;
	return o->failed ? -1 : 0;
}

void
ws_out_mem(struct ws_out *o, const void *p, size_t n)
{
	if (o->n + n > WS_OUT_SIZE && ws_out_flush(o) != 0)
		return;
	/* no memory for a buffer: written as it comes (a message about
	 * running out of memory must still be seen) */
	if (o->buf == NULL)
		o->buf = malloc(WS_OUT_SIZE);
	if (n >= WS_OUT_SIZE || o->buf == NULL) {
		/* larger than the buffer: as it is */
		if (ws_write_all(o->fd, p, n) != 0)
			o->failed = 1;
		return;
	}
	memcpy(o->buf + o->n, p, n);
	o->n += n;
}

void
ws_out_str(struct ws_out *o, const char *s)
{
	ws_out_mem(o, s, strlen(s));
}

void
ws_out_char(struct ws_out *o, char c)
{
	ws_out_mem(o, &c, 1);
}

void
ws_out_fmt(struct ws_out *o, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = ws_xvasprintf(fmt, ap);
	va_end(ap);
	ws_out_str(o, s);
	free(s);
}
