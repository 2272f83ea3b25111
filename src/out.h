/*
 * out.c: buffered output through write(2), no stdio.
 */
#ifndef WS_OUT_H
#define WS_OUT_H

#include <stddef.h>
#include "withsecrets.h"

#define WS_OUT_SIZE 4096

/* The buffer is allocated when something is first printed: a clean run
 * prints nothing, and two static buffers cost it pages of their own
 * (docs/PERFORMANCE.md). */
struct ws_out {
	int		 fd;
	int		 failed;	/* a write failed: drop the rest */
	size_t		 n;		/* bytes waiting in buf */
	char		*buf;		/* WS_OUT_SIZE bytes, or NULL */
};
extern struct ws_out ws_stdout, ws_stderr;

void	 ws_out_mem(struct ws_out *, const void *, size_t);
void	 ws_out_str(struct ws_out *, const char *);
void	 ws_out_char(struct ws_out *, char);
void	 ws_out_fmt(struct ws_out *, const char *, ...) WS_PRINTF(2, 3);
/* Write what is buffered: 0, or -1 when any write has failed. */
int	 ws_out_flush(struct ws_out *);

/* Write all of [p, p + n) to fd, across short writes and signals: 0, or
 * -1 with errno. */
int	 ws_write_all(int fd, const char *p, size_t n);

#endif /* WS_OUT_H */
