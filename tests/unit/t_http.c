/* The HTTP/1.1 answers of a store's agent (SPEC §13): Content-Length,
 * chunked and to-the-close bodies, split reads, oversized answers,
 * every malformed form; and the addresses a store may be reached at. */
#include "config.h"

#include <string.h>

#include "withsecrets.h"
#include "http.h"
#include "tap.h"

static char buf[70000];

static int
parse(const char *s, size_t len, int eof, size_t max,
    struct ws_http_answer *ans)
{
	memcpy(buf, s, len);
	buf[len] = '\0';
	return ws_http_parse(buf, len, eof, max, ans);
}

/* Every prefix of s is "more" (or "closed" at eof), the whole is s. */
static int
split_reads(const char *s, const char *body)
{
	struct ws_http_answer ans;
	size_t n = strlen(s), i;
	int rc;

	for (i = 0; i < n; i++) {
		if ((rc = parse(s, i, 0, 1024, &ans)) != WS_HTTP_MORE)
			return printf("# prefix %zu: %d\n", i, rc), 0;
		if ((rc = parse(s, i, 1, 1024, &ans)) != WS_HTTP_CLOSED)
			return printf("# prefix %zu at eof: %d\n", i, rc), 0;
	}
	return parse(s, n, 0, 1024, &ans) == WS_HTTP_OK &&
	    ans.bodylen == strlen(body) && memcmp(ans.body, body,
	    ans.bodylen) == 0;
}

int
main(void)
{
	struct ws_http_answer ans;
	struct ws_http_via v;
	const char *why;
	static const char cl[] = "HTTP/1.1 200 OK\r\nContent-Type: application/"
	    "json\r\nContent-Length: 7\r\n\r\n{\"a\":1}";
	static const char ch[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: "
	    "chunked\r\n\r\n4\r\n{\"a\"\r\n3;ext=1\r\n:1}\r\n0\r\nX-T: y\r\n\r\n";
	static const char *const bad[] = {
		"HTTP/2 200 OK\r\n\r\n",
		"HTTP/1.1 20 OK\r\n\r\n",
		"HTTP/1.1 200OK\r\n\r\n",
		"ICY 200 OK\r\n\r\n",
		"HTTP/1.1 100 Continue\r\n\r\n",
		"HTTP/1.1 200 OK\r\nNo-Colon\r\n\r\n",
		"HTTP/1.1 200 OK\r\n Folded: x\r\n\r\n",
		"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
		    "Content-Length: 3\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		    "2\r\nabc\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nX: a\x01z\r\n\r\n",
		NULL
	};
	size_t i;
	int all;

	is_int(parse(cl, sizeof(cl) - 1, 0, 1024, &ans), WS_HTTP_OK,
	    "Content-Length");
	is_int(ans.status, 200, "status");
	ok(ans.bodylen == 7 && memcmp(ans.body, "{\"a\":1}", 7) == 0, "body");
	ok(split_reads(cl, "{\"a\":1}"), "Content-Length, split at every byte");
	is_int(parse(ch, sizeof(ch) - 1, 0, 1024, &ans), WS_HTTP_OK, "chunked");
	ok(ans.bodylen == 7 && memcmp(ans.body, "{\"a\":1}", 7) == 0,
	    "chunks joined in place (extension, trailer)");
	ok(split_reads(ch, "{\"a\":1}"), "chunked, split at every byte");
	is_int(parse("HTTP/1.0 200 OK\r\n\r\nabc", 22, 0, 1024, &ans),
	    WS_HTTP_MORE, "no length: up to the close");
	is_int(parse("HTTP/1.0 200 OK\r\n\r\nabc", 22, 1, 1024, &ans),
	    WS_HTTP_OK, "the close ends it");
	is_int(ans.bodylen, 3, "its body");
	is_int(parse("HTTP/1.1 204 No Content\r\n\r\n", 27, 0, 1024, &ans),
	    WS_HTTP_OK, "204 has no body");
	is_int(parse("HTTP/1.1 307 Temporary Redirect\r\nLocation: http://x/\r\n"
	    "Content-Length: 0\r\n\r\n", 75, 0, 1024, &ans), WS_HTTP_OK,
	    "a redirect is read");
	ok(ans.status == 307 && ans.location, "and its Location seen");
	is_int(parse("HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n", 41, 0,
	    1024, &ans), WS_HTTP_TOO_BIG, "Content-Length over the limit");
	{
		static char big[5000];
		size_t n;

		n = (size_t)snprintf(big, sizeof(big), "HTTP/1.1 200 OK\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n");
		for (i = 0; i < 10; i++)
			n += (size_t)snprintf(big + n, sizeof(big) - n,
			    "80\r\n%0128d\r\n", 0);
		is_int(parse(big, n, 0, 1024, &ans), WS_HTTP_TOO_BIG,
		    "chunks adding up over the limit");
		memcpy(big, "HTTP/1.1 200 OK\r\n\r\n", 19);
		memset(big + 19, 'x', 2000);
		is_int(parse(big, 2019, 0, 1024, &ans), WS_HTTP_TOO_BIG,
		    "a body up to the close over the limit");
	}
	memset(buf, 'a', WS_HTTP_MAX_HEAD + 10);
	memcpy(buf, "HTTP/1.1 200 OK\r\nX: ", 20);
	is_int(ws_http_parse(buf, WS_HTTP_MAX_HEAD + 10, 0, 1024, &ans),
	    WS_HTTP_MALFORMED, "headers over the limit");
	for (all = 1, i = 0; bad[i] != NULL; i++)
		if (parse(bad[i], strlen(bad[i]), 1, 1024, &ans) !=
		    WS_HTTP_MALFORMED) {
			all = 0;
			printf("# accepted: %s\n", bad[i]);
		}
	ok(all, "every malformed answer is refused (%zu forms)", i);

	is_int(ws_http_via_parse("unix:/run/vault/agent.sock", &v, &why), 0,
	    "unix:PATH");
	ok(v.unix_socket, "a Unix socket");
	is_int(ws_http_via_parse("unix:///run/vault/agent.sock", &v, &why), 0,
	    "unix://PATH");
	is_int(ws_http_via_parse("http://127.0.0.1:8100", &v, &why), 0,
	    "http://127.0.0.1:PORT");
	is_str(v.host, "127.0.0.1:8100", "its Host header");
	is_int(ws_http_via_parse("http://127.1.2.3:2773/", &v, &why), 0,
	    "127.0.0.0/8, a trailing /");
	is_str(v.host, "127.1.2.3:2773", "its Host header");
	is_int(ws_http_via_parse("http://[::1]:8200", &v, &why), 0, "[::1]");
	is_int(ws_http_via_parse("http://localhost:8200", &v, &why), 0,
	    "localhost");
	is_int(ws_http_via_parse("http://localhost", &v, &why), 0,
	    "port 80 by default");
	is_int(ws_http_via_parse("https://127.0.0.1:8200", &v, &why), -1,
	    "https refused");
	is_int(ws_http_via_parse("http://10.0.0.1:8200", &v, &why), -1,
	    "another host refused");
	is_int(ws_http_via_parse("http://vault.example:8200", &v, &why), -1,
	    "a name refused");
	is_int(ws_http_via_parse("http://127.0.0.1.evil:80", &v, &why), -1,
	    "a name that starts like an address refused");
	is_int(ws_http_via_parse("http://127.0.0.1:99999", &v, &why), -1,
	    "a bad port refused");
	is_int(ws_http_via_parse("http://127.0.0.1:8200/v1/x", &v, &why), -1,
	    "a path refused");
	is_int(ws_http_via_parse("unix:relative.sock", &v, &why), -1,
	    "a relative socket refused");
	is_int(ws_http_via_parse("tcp://127.0.0.1:1", &v, &why), -1,
	    "another scheme refused");
	return done_testing();
}
