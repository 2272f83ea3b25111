/*
 * libFuzzer target for the HTTP/1.1 answer reader of secret stores
 * (SPEC §13, src/http.c) and the addresses a store may be reached at.
 * Each input is parsed whole (as if the peer had closed) and at every
 * length a read could have stopped at; then:
 *   - a complete answer's body lies inside the buffer and is at most
 *     the limit; a chunked body joined in place is no longer than the
 *     bytes it came from;
 *   - a prefix of an answer that is complete is never malformed: the
 *     reader does not refuse what more bytes would have made whole;
 *   - an address accepted as a via is a Unix socket, or 127.0.0.0/8 or
 *     ::1 (SPEC §13: loopback only).
 *
 * Build: ./configure --enable-fuzzing CC=clang && make fuzz
 */
#include "config.h"

#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "withsecrets.h"
#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define MAX_BODY	4096

static int
parse_copy(const uint8_t *data, size_t n, int eof, struct ws_http_answer *a,
    char **bufp)
{
	char *buf = malloc(n + 1);
	int rc;

	if (buf == NULL)
		abort();
	memcpy(buf, data, n);
	buf[n] = '\0';
	rc = ws_http_parse(buf, n, eof, MAX_BODY, a);
	if (rc == WS_HTTP_OK && (a->body < buf || a->body > buf + n ||
	    a->bodylen > MAX_BODY || a->body + a->bodylen > buf + n))
		abort();
	*bufp = buf;
	return rc;
}

static void
check_via(const uint8_t *data, size_t size)
{
	struct ws_http_via v;
	const char *why;
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	if (strlen(s) == size && ws_http_via_parse(s, &v, &why) == 0) {
		if (v.addr.ss_family == AF_INET) {
			const struct sockaddr_in *in =
			    (const struct sockaddr_in *)&v.addr;

			if (((const uint8_t *)&in->sin_addr)[0] != 127)
				abort();
		} else if (v.addr.ss_family == AF_INET6) {
			const struct sockaddr_in6 *in6 =
			    (const struct sockaddr_in6 *)&v.addr;

			if (memcmp(&in6->sin6_addr, &in6addr_loopback, 16) != 0)
				abort();
		} else if (v.addr.ss_family != AF_UNIX || !v.unix_socket)
			abort();
	}
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ws_http_answer a;
	char *buf;
	size_t i;
	int whole, rc;

	if (size > 65536)
		return 0;
	check_via(data, size);
	whole = parse_copy(data, size, 0, &a, &buf);
	free(buf);
	(void)parse_copy(data, size, 1, &a, &buf);
	free(buf);
	for (i = 0; i < size; i += 1 + i / 8) {
		rc = parse_copy(data, i, 0, &a, &buf);
		free(buf);
		/* a prefix may be malformed only when the whole is too, or
		 * over a limit that the whole is over as well */
		if (rc == WS_HTTP_MALFORMED && whole != WS_HTTP_MALFORMED &&
		    whole != WS_HTTP_TOO_BIG)
			abort();
	}
	return 0;
}
