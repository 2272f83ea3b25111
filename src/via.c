/*
 * via.c: where a store's agent listens (SPEC §13): unix:PATH, or
 * http:// to a loopback address.  Parsing only, apart from http.c, so
 * that the policy reader (config-keys.c) can judge a via without
 * linking the client: the launcher has none (handoff.h).
 */
#include "config.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "withsecrets.h"
#include "http.h"

/* A decimal number of at most max at *s, moving past it. */
static int
parse_number(const char **s, unsigned long max, unsigned long *out)
{
	unsigned long n = 0;
	const char *p = *s;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (unsigned long)(*p - '0');
		if (n > max)
			return -1;
	}
	*s = p;
	*out = n;
	return 0;
}

/* 127.x.y.z: four numbers, the first 127 (SPEC §13: loopback only). */
static int
parse_loopback4(const char **s, unsigned char ip[4])
{
	unsigned long b;
	int i;

	for (i = 0; i < 4; i++) {
		if (i > 0 && *(*s)++ != '.')
			return -1;
		if (parse_number(s, 255, &b) != 0)
			return -1;
		ip[i] = (unsigned char)b;
	}
	return ip[0] == 127 ? 0 : -1;
}

static int
via_unix(const char *path, struct ws_http_via *v, const char **why)
{
	struct sockaddr_un *un = (struct sockaddr_un *)&v->addr;
	size_t n = strlen(path);

	if (n == 0 || path[0] != '/') {
		*why = "a Unix socket is given by its absolute path "
		    "(unix:/run/vault/agent.sock)";
		return -1;
	}
	if (n >= sizeof(un->sun_path)) {
		*why = "the socket's path is longer than a Unix socket "
		    "address can hold";
		return -1;
	}
	un->sun_family = AF_UNIX;
	memcpy(un->sun_path, path, n + 1);
	v->addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	v->unix_socket = 1;
	memcpy(v->host, "localhost", sizeof("localhost"));
	return 0;
}

int
ws_http_via_parse(const char *s, struct ws_http_via *v, const char **why)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)&v->addr;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&v->addr;
	unsigned char ip[4] = { 127, 0, 0, 1 };
	unsigned long port = 80;
	const char *p, *host;
	int six = 0;

	memset(v, 0, sizeof(*v));
	*why = "it is neither unix:PATH nor http:// to a loopback address "
	    "(127.0.0.1, [::1], localhost)";
	if (strncmp(s, "unix://", 7) == 0)
		return via_unix(s + 7, v, why);
	if (strncmp(s, "unix:", 5) == 0)
		return via_unix(s + 5, v, why);
	if (strncmp(s, "https://", 8) == 0) {
		*why = "https is not in this revision: the agent listens on a "
		    "loopback port or a Unix socket in plain HTTP";
		return -1;
	}
	if (strncmp(s, "http://", 7) != 0)
		return -1;
	host = p = s + 7;
	if (strncmp(p, "localhost", 9) == 0)
		p += 9;
	else if (strncmp(p, "[::1]", 5) == 0) {
		p += 5;
		six = 1;
	} else if (parse_loopback4(&p, ip) != 0) {
		*why = "the agent must be on this machine: a loopback address "
		    "(127.0.0.0/8, [::1], localhost) or a Unix socket";
		return -1;
	}
	if (*p == ':' && (p++, parse_number(&p, 65535, &port) != 0 ||
	    port == 0)) {
		*why = "the port is not a number from 1 to 65535";
		return -1;
	}
	if (*p == '/')
		p++;
	if (*p != '\0') {
		*why = "the address has more than a host and a port";
		return -1;
	}
	if (six) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((unsigned short)port);
		in6->sin6_addr = in6addr_loopback;
		v->addrlen = sizeof(*in6);
	} else {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((unsigned short)port);
		memcpy(&in4->sin_addr, ip, 4);
		v->addrlen = sizeof(*in4);
	}
	/* the Host header as the URL wrote it, host and port */
	if ((size_t)(p - host) >= sizeof(v->host))
		return -1;
	memcpy(v->host, host, (size_t)(p - host));
	v->host[p - host - (p > host && p[-1] == '/')] = '\0';
	return 0;
}
