/*
 * http.c: a small HTTP/1.1 client for the local agent of a secret store
 * (SPEC §13): a loopback TCP port or a Unix socket, one GET per
 * connection, the answer read with read(2) straight into an arena.
 * No TLS, no redirects, no proxy, no name lookup.
 */
#ifndef WS_HTTP_H
#define WS_HTTP_H

#include <stddef.h>
#include <sys/socket.h>
#include "withsecrets.h"

struct ws_arena;

/* Where the agent listens: a Unix socket, or a loopback address. */
struct ws_http_via {
	int		 unix_socket;
	struct sockaddr_storage addr;
	socklen_t	 addrlen;
	char		 host[64];	/* the Host header: "localhost" or
					 * "127.0.0.1:8200" */
};

/* Parse unix:PATH, unix://PATH, http://127.x.y.z[:PORT][/],
 * http://[::1][:PORT][/] or http://localhost[:PORT][/] (taken as
 * 127.0.0.1, without a lookup).  0, or -1 with *why saying what is
 * wrong (https, another host, a path too long for a socket, ...). */
int	 ws_http_via_parse(const char *, struct ws_http_via *, const char **why);

/* A request header: value may be a secret (it is copied into the
 * request, which is built in the arena and wiped once sent). */
struct ws_http_header {
	const char	*name;
	const char	*value;
	size_t		 len;
};

/* What the agent answered: the body is in the arena, de-chunked in
 * place and NUL-terminated. */
struct ws_http_answer {
	int		 status;
	int		 location;	/* a Location header was sent */
	char		*body;
	size_t		 bodylen;
	/* the response buffer (headers and body), for the caller to wipe */
	char		*buf;
	size_t		 buflen;
};

enum ws_http_rc {
	WS_HTTP_OK = 0,
	WS_HTTP_MORE,		/* ws_http_parse: not complete yet */
	WS_HTTP_CONNECT,	/* refused, no socket there (transient) */
	WS_HTTP_TIMEOUT,	/* no answer before the deadline (transient) */
	WS_HTTP_CLOSED,		/* closed before a whole answer (transient) */
	WS_HTTP_MALFORMED,	/* not an HTTP/1.x answer we can read */
	WS_HTTP_TOO_BIG,	/* a body over the limit */
	WS_HTTP_NOMEM,
	WS_HTTP_IO		/* another error of the socket (transient) */
};

#define WS_HTTP_MAX_HEAD	16384	/* status line and headers */

/* GET target (path and query) from via, with the headers given, the
 * body at most max_body bytes, before deadline_ms (a CLOCK_MONOTONIC
 * time in milliseconds).  *err: the errno of a failed system call. */
int	 ws_http_get(const struct ws_http_via *, const char *target,
	    const struct ws_http_header *, size_t nh, size_t max_body,
	    long long deadline_ms, struct ws_arena *,
	    struct ws_http_answer *, int *err);

/* Parse the answer in buf (len bytes; eof: the peer closed): WS_HTTP_OK
 * with *ans filled (the body de-chunked in place), WS_HTTP_MORE,
 * WS_HTTP_CLOSED (eof before the end), WS_HTTP_MALFORMED or
 * WS_HTTP_TOO_BIG.  For the reader, the unit tests and the fuzzer. */
int	 ws_http_parse(char *buf, size_t len, int eof, size_t max_body,
	    struct ws_http_answer *);

/* Now, CLOCK_MONOTONIC, in milliseconds. */
long long ws_http_now_ms(void);

const char *ws_http_strerror(int);

#endif /* WS_HTTP_H */
