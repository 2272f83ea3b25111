/*
 * The values `withsecrets gen` makes (SPEC §11): hex:N, base64url:N and
 * alnum:N, from randombytes_buf() and formatted in guarded memory.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "withsecrets.h"
#include "util.h"
#include "secmem.h"
#include "out.h"
#include "diag.h"
#include "names.h"
#include "vars.h"
#include "policy.h"
#include "values.h"
#include "file.h"
#include "dotenv.h"
#include "effective.h"
#include "gen.h"

/* ------------------------------------------------------------------ */
/* Values.                                                             */

const char *
ws_gen_fmt_name(enum ws_genfmt f)
{
	switch (f) {
	case WS_GEN_HEX:
		return "hex";
	case WS_GEN_BASE64URL:
		return "base64url";
	case WS_GEN_ALNUM:
		return "alnum";
	default:
		return "no";
	}
}

size_t
ws_gen_chars(enum ws_genfmt f, size_t n)
{
	switch (f) {
	case WS_GEN_HEX:
		return 2 * n;
	case WS_GEN_BASE64URL:
		return (4 * n + 2) / 3;		/* unpadded */
	case WS_GEN_ALNUM:
		return n;
	default:
		return 0;
	}
}

size_t
ws_gen_n_for(enum ws_genfmt f, size_t chars)
{
	switch (f) {
	case WS_GEN_HEX:
		return (chars + 1) / 2;
	case WS_GEN_BASE64URL:
		return (3 * chars + 1) / 4;	/* 4n + 2 >= 3 chars */
	default:
		return chars;
	}
}

static const char alnum[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

char *
ws_gen_value(enum ws_genfmt f, size_t n, size_t *len)
{
	size_t chars = ws_gen_chars(f, n), got, i, raw;
	unsigned char *bytes;
	char *v;

	/* the bytes and the text in one block of the arena */
	raw = f == WS_GEN_ALNUM ? 64 : n;
	if ((v = ws_arena_alloc(&ws_work, chars + 1 + raw)) == NULL)
		return NULL;
	bytes = (unsigned char *)v + chars + 1;
	switch (f) {
	case WS_GEN_HEX:
		randombytes_buf(bytes, n);
		(void)sodium_bin2hex(v, chars + 1, bytes, n);
		break;
	case WS_GEN_BASE64URL:
		randombytes_buf(bytes, n);
		(void)sodium_bin2base64(v, chars + 1, bytes, n,
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		break;
	default:
		/* a byte below 248 (4 * 62) modulo 62: no bias */
		for (got = 0; got < chars; ) {
			randombytes_buf(bytes, raw);
			for (i = 0; i < raw && got < chars; i++)
				if (bytes[i] < 248)
					v[got++] = alnum[bytes[i] % 62];
		}
		v[chars] = '\0';
		break;
	}
	sodium_memzero(bytes, raw);
	*len = chars;
	return v;
}
