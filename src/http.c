/*
 * A small HTTP/1.1 client for the local agent of a secret store (SPEC
 * §13).  The agent is on this machine, so that the whole of HTTP that
 * is needed is: one GET per connection ("Connection: close"), an
 * answer with a Content-Length, a chunked body or a body up to the
 * close, and every deadline kept with poll(2).  The answer may hold a
 * secret, so it is read with read(2) straight into the arena and parsed
 * there; the request holds the agent's token when there is one, and is
 * built in the arena too and wiped once sent.  A redirect is not
 * followed (the caller refuses it): an agent never sends one.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sodium.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "withsecrets.h"
#include "util.h"
#include "secmem.h"
#include "http.h"

long long
ws_http_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------ */
/* The answer.                                                         */

static int
token_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* The end of the line at p (its "\r\n"), or NULL when there is none
 * before end. */
static char *
line_end(char *p, char *end)
{
	char *cr;

	for (cr = p; cr + 1 < end; cr++)
		if (cr[0] == '\r' && cr[1] == '\n')
			return cr;
	return NULL;
}

struct head {
	int		 status;
	int		 chunked, location;
	int		 has_length;
	unsigned long long length;
};

/* "HTTP/1.x NNN reason" */
static int
status_line(const char *p, const char *e, struct head *h)
{
	if (e - p < 12 || memcmp(p, "HTTP/1.", 7) != 0 ||
	    (p[7] != '0' && p[7] != '1') || p[8] != ' ' ||
	    p[9] < '1' || p[9] > '5' || p[10] < '0' || p[10] > '9' ||
	    p[11] < '0' || p[11] > '9' || (e - p > 12 && p[12] != ' '))
		return -1;
	h->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	return h->status < 200 ? -1 : 0;	/* we never ask for a 1xx */
}

static int
header_is(const char *name, size_t n, const char *want)
{
	return strlen(want) == n && strncasecmp(name, want, n) == 0;
}

/* One header line [p, e). */
static int
header_line(const char *p, const char *e, struct head *h)
{
	const char *colon, *v, *ve;
	unsigned long long len = 0;
	size_t n;

	for (colon = p; colon < e && token_char((unsigned char)*colon); colon++)
		;
	if (colon == p || colon == e || *colon != ':')
		return -1;	/* a folded line starts with a blank: refused */
	n = (size_t)(colon - p);
	for (v = colon + 1; v < e && (*v == ' ' || *v == '\t'); v++)
		;
	for (ve = e; ve > v && (ve[-1] == ' ' || ve[-1] == '\t'); ve--)
		;
	for (const char *c = v; c < ve; c++)
		if (((unsigned char)*c < 0x20 && *c != '\t') || *c == 0x7f)
			return -1;
	if (header_is(p, n, "content-length")) {
		if (v == ve || ve - v > 18)
			return -1;
		for (; v < ve; v++) {
			if (*v < '0' || *v > '9')
				return -1;
			len = len * 10 + (unsigned long long)(*v - '0');
		}
		if (h->has_length && h->length != len)
			return -1;
		h->has_length = 1;
		h->length = len;
	} else if (header_is(p, n, "transfer-encoding")) {
		/* chunked is the one coding an agent uses; no other one
		 * can be read here */
		if (h->chunked || !header_is(v, (size_t)(ve - v), "chunked"))
			return -1;
		h->chunked = 1;
	} else if (header_is(p, n, "location"))
		h->location = 1;
	return 0;
}

/* The size line of a chunk [p, e): hex digits, then maybe ";ext". */
static int
chunk_size(const char *p, const char *e, unsigned long long *size)
{
	unsigned long long n = 0;
	const char *s = p;
	int d;

	for (; p < e && p - s < 15 && (d = ws_hexval(*p)) >= 0; p++)
		n = n * 16 + (unsigned long long)d;
	if (p == s || (p < e && *p != ';' && *p != ' ' && *p != '\t'))
		return -1;
	*size = n;
	return 0;
}

/* A chunked body from p: WS_HTTP_OK with the data moved together at p
 * (*n bytes), or WS_HTTP_MORE, _MALFORMED, _TOO_BIG. */
static int
dechunk(char *p, char *end, size_t max, size_t *n, int compact)
{
	unsigned long long size, total = 0;
	char *e, *out = p;

	for (;;) {
		if ((e = line_end(p, end)) == NULL)
			return end - p > 1024 ? WS_HTTP_MALFORMED : WS_HTTP_MORE;
		if (e - p > 1024 || chunk_size(p, e, &size) != 0)
			return WS_HTTP_MALFORMED;
		p = e + 2;
		if (size == 0)
			break;
		if ((total += size) > max)
			return WS_HTTP_TOO_BIG;
		if ((unsigned long long)(end - p) < size + 2)
			return WS_HTTP_MORE;
		if (p[size] != '\r' || p[size + 1] != '\n')
			return WS_HTTP_MALFORMED;
		if (compact) {
			memmove(out, p, (size_t)size);
			out += size;
		}
		p += size + 2;
	}
	/* trailers, up to an empty line */
	for (;;) {
		if ((e = line_end(p, end)) == NULL)
			return end - p > 1024 ? WS_HTTP_MALFORMED : WS_HTTP_MORE;
		if (e - p > 1024)
			return WS_HTTP_MALFORMED;
		if (e == p)
			break;
		p = e + 2;
	}
	*n = (size_t)total;
	if (compact)
		*out = '\0';	/* room: at least the final "0\r\n\r\n" */
	return WS_HTTP_OK;
}

int
ws_http_parse(char *buf, size_t len, int eof, size_t max_body,
    struct ws_http_answer *ans)
{
	char *end = buf + len, *p, *e, *body;
	struct head h;
	size_t n;
	int rc;

	memset(&h, 0, sizeof(h));
	memset(ans, 0, sizeof(*ans));
	if ((e = line_end(buf, end)) == NULL)
		return len > WS_HTTP_MAX_HEAD ? WS_HTTP_MALFORMED :
		    eof ? WS_HTTP_CLOSED : WS_HTTP_MORE;
	if (status_line(buf, e, &h) != 0)
		return WS_HTTP_MALFORMED;
	for (p = e + 2;; p = e + 2) {
		if ((e = line_end(p, end)) == NULL)
			return len > WS_HTTP_MAX_HEAD ? WS_HTTP_MALFORMED :
			    eof ? WS_HTTP_CLOSED : WS_HTTP_MORE;
		if ((size_t)(e - buf) > WS_HTTP_MAX_HEAD)
			return WS_HTTP_MALFORMED;
		if (e == p)
			break;
		if (header_line(p, e, &h) != 0)
			return WS_HTTP_MALFORMED;
	}
	body = e + 2;
	if (h.chunked && h.has_length)
		return WS_HTTP_MALFORMED;	/* which one says the end? */
	ans->status = h.status;
	ans->location = h.location;
	ans->body = body;
	if (h.status == 204 || h.status == 304) {
		ans->bodylen = 0;
	} else if (h.chunked) {
		if ((rc = dechunk(body, end, max_body, &n, 0)) != WS_HTTP_OK)
			return rc == WS_HTTP_MORE && eof ? WS_HTTP_CLOSED : rc;
		(void)dechunk(body, end, max_body, &n, 1);
		ans->bodylen = n;
	} else if (h.has_length) {
		if (h.length > max_body)
			return WS_HTTP_TOO_BIG;
		if ((unsigned long long)(end - body) < h.length)
			return eof ? WS_HTTP_CLOSED : WS_HTTP_MORE;
		ans->bodylen = (size_t)h.length;
	} else {
		/* neither: the body ends where the connection does */
		if ((size_t)(end - body) > max_body)
			return WS_HTTP_TOO_BIG;
		if (!eof)
			return WS_HTTP_MORE;
		ans->bodylen = (size_t)(end - body);
	}
	return WS_HTTP_OK;
}

/* ------------------------------------------------------------------ */
/* The exchange.                                                       */

static int
wait_for(int fd, short events, long long deadline_ms)
{
	struct pollfd pfd = { fd, events, 0 };
	long long left;
	int r;

	for (;;) {
		if ((left = deadline_ms - ws_http_now_ms()) <= 0)
			return WS_HTTP_TIMEOUT;
		r = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (r > 0)
			return WS_HTTP_OK;
		if (r < 0 && errno != EINTR)
			return WS_HTTP_IO;
	}
}

static int
connect_to(const struct ws_http_via *v, long long deadline_ms, int *fdp,
    int *err)
{
	int fd, rc;

	fd = socket(v->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0);
	if (fd < 0) {
		*err = errno;
		return WS_HTTP_IO;
	}
	*fdp = fd;
	if (connect(fd, (const struct sockaddr *)&v->addr, v->addrlen) == 0)
		return WS_HTTP_OK;
	*err = errno;
	if (errno == EINPROGRESS || errno == EINTR)
		/* a refusal then shows on the first write */
		return (rc = wait_for(fd, POLLOUT, deadline_ms)) == WS_HTTP_OK ?
		    WS_HTTP_OK : rc;
	return WS_HTTP_CONNECT;	/* ENOENT, ECONNREFUSED, EAGAIN (full) */
}

/* The request, in the arena: the token of a header may be a secret. */
static char *
build_request(const struct ws_http_via *v, const char *target,
    const struct ws_http_header *hd, size_t nh, struct ws_arena *a,
    size_t *len)
{
	struct ws_sbuf b = { .arena = a };
	static const char ua[] = "\r\nUser-Agent: withsecrets/" PACKAGE_VERSION
	    "\r\nAccept: application/json\r\nConnection: close\r\n";
	size_t i;

	if (ws_sbuf_append(&b, "GET ", 4) != 0 ||
	    ws_sbuf_append(&b, target, strlen(target)) != 0 ||
	    ws_sbuf_append(&b, " HTTP/1.1\r\nHost: ", 17) != 0 ||
	    ws_sbuf_append(&b, v->host, strlen(v->host)) != 0 ||
	    ws_sbuf_append(&b, ua, sizeof(ua) - 1) != 0)
		return NULL;
	for (i = 0; i < nh; i++)
		if (ws_sbuf_append(&b, hd[i].name, strlen(hd[i].name)) != 0 ||
		    ws_sbuf_append(&b, ": ", 2) != 0 ||
		    ws_sbuf_append(&b, hd[i].value, hd[i].len) != 0 ||
		    ws_sbuf_append(&b, "\r\n", 2) != 0)
			return NULL;
	if (ws_sbuf_append(&b, "\r\n", 2) != 0)
		return NULL;
	*len = b.len;
	return b.p;
}

static int
send_all(int fd, const char *p, size_t n, long long deadline_ms, int *err)
{
	ssize_t w;
	int rc;

	while (n > 0) {
		if ((rc = wait_for(fd, POLLOUT, deadline_ms)) != WS_HTTP_OK)
			return rc;
		/* MSG_NOSIGNAL: an agent that went away is an error to
		 * report, not a SIGPIPE */
		w = sendto(fd, p, n, MSG_NOSIGNAL, NULL, 0);
		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			*err = errno;
			return errno == ECONNREFUSED || errno == ENOENT ?
			    WS_HTTP_CONNECT : WS_HTTP_CLOSED;
		}
		p += w;
		n -= (size_t)w;
	}
	return WS_HTTP_OK;
}

/* Read until the answer is whole, the peer closes, or the deadline. */
static int
receive(int fd, size_t max_body, long long deadline_ms, struct ws_arena *a,
    struct ws_http_answer *ans, int *err)
{
	/* room for the head, the body and a chunked body's framing */
	size_t cap = WS_HTTP_MAX_HEAD + max_body + max_body / 4 + 4096;
	size_t size = 8192, len = 0;
	char *buf, *nbuf;
	ssize_t r;
	int rc, eof = 0;

	if ((buf = ws_arena_alloc(a, size + 1)) == NULL)
		return WS_HTTP_NOMEM;
	for (;;) {
		if (len == size) {
			if (size >= cap) {
				rc = WS_HTTP_TOO_BIG;
				break;
			}
			nbuf = ws_arena_grow(a, buf, size + 1,
			    (size * 2 > cap ? cap : size * 2) + 1);
			if (nbuf == NULL) {
				rc = WS_HTTP_NOMEM;
				break;
			}
			buf = nbuf;
			size = size * 2 > cap ? cap : size * 2;
		}
		if ((rc = wait_for(fd, POLLIN, deadline_ms)) != WS_HTTP_OK)
			break;
		r = read(fd, buf + len, size - len);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			*err = errno;
			rc = errno == ECONNRESET ? WS_HTTP_CLOSED : WS_HTTP_IO;
			break;
		}
		len += (size_t)r;
		eof = r == 0;
		buf[len] = '\0';
		if ((rc = ws_http_parse(buf, len, eof, max_body, ans)) !=
		    WS_HTTP_MORE)
			break;
	}
	if (rc == WS_HTTP_OK)
		ans->body[ans->bodylen] = '\0';
	ans->buf = buf;
	ans->buflen = size + 1;
	return rc;
}

int
ws_http_get(const struct ws_http_via *v, const char *target,
    const struct ws_http_header *hd, size_t nh, size_t max_body,
    long long deadline_ms, struct ws_arena *a, struct ws_http_answer *ans,
    int *err)
{
	char *req;
	size_t reqlen = 0;
	int fd = -1, rc;

	memset(ans, 0, sizeof(*ans));
	*err = 0;
	if ((rc = connect_to(v, deadline_ms, &fd, err)) != WS_HTTP_OK)
		goto out;
	if ((req = build_request(v, target, hd, nh, a, &reqlen)) == NULL) {
		rc = WS_HTTP_NOMEM;
		goto out;
	}
	rc = send_all(fd, req, reqlen, deadline_ms, err);
	sodium_memzero(req, reqlen);
	if (rc == WS_HTTP_OK)
		rc = receive(fd, max_body, deadline_ms, a, ans, err);
out:
	if (fd >= 0)
		(void)close(fd);
	return rc;
}

const char *
ws_http_strerror(int rc)
{
	switch (rc) {
	case WS_HTTP_CONNECT:
		return "cannot connect to the agent";
	case WS_HTTP_TIMEOUT:
		return "no answer before the timeout";
	case WS_HTTP_CLOSED:
		return "the connection closed before a whole answer";
	case WS_HTTP_MALFORMED:
		return "the answer is not HTTP/1.1 that withsecrets reads";
	case WS_HTTP_TOO_BIG:
		return "the answer is larger than the limit "
		    "(4 x max-secret-size + 64 KiB)";
	case WS_HTTP_NOMEM:
		return "out of guarded memory";
	case WS_HTTP_IO:
		return "a socket error";
	default:
		return "no error";
	}
}
