/*
 * A guard in front of regcomp(3) for the policy's `pattern` keys.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "withsecrets.h"
#include "ere.h"

/*
 * A pattern that glibc would take minutes or gigabytes to compile or
 * match, or that would overflow its recursive parser, is refused
 * before regcomp() sees it (a typo must not hang a service's start):
 *   - regcomp() expands every bounded repetition: (a{1,255}){1,255}
 *     is 65,025 copies of "a", gigabytes; and matching a 64 KiB value
 *     costs time in proportion to the expanded size;
 *   - copies of a starred element cost far more than their size:
 *     compiling (a*){1,500} takes seconds, ((a*)*){1,20} as long, so
 *     an element with *, + or ? counts as 8 positions (measured with
 *     glibc 2.36: the largest patterns this admits compile and match a
 *     64 KiB value in about 0.1 s);
 *   - groups nested thousands deep overflow regcomp()'s stack;
 *   - back-references (\1 to \9), which POSIX ERE does not have, make
 *     matching exponential.
 */
#define WS_PATTERN_MAX_LEN	4096	/* bytes */
#define WS_PATTERN_MAX_DEPTH	32	/* nested groups */
#define WS_PATTERN_MAX_SIZE	1000	/* positions once expanded */
#define WS_PATTERN_STAR_WEIGHT	8	/* positions of x* x+ x? per x */

static unsigned long
pattern_sat(unsigned long x)
{
	return x > WS_PATTERN_MAX_SIZE ? WS_PATTERN_MAX_SIZE + 1 : x;
}

/* The end of a bracket expression starting at p ("["). */
static const char *
bracket_end(const char *p)
{
	const char *q = p + 1;
	char c;

	if (*q == '^')
		q++;
	if (*q == ']')
		q++;		/* a leading ] is a member */
	while (*q != '\0' && *q != ']') {
		if (q[0] == '[' && (q[1] == ':' || q[1] == '=' || q[1] == '.')) {
			c = q[1];	/* [:alpha:], [=e=], [.-.] */
			for (q += 2; *q != '\0' && !(q[0] == c && q[1] == ']');
			    q++)
				;
			if (*q != '\0')
				q += 2;
			continue;
		}
		q++;
	}
	return *q == ']' ? q + 1 : q;
}

/* {m}, {m,} or {m,n} at p: the number of copies regcomp() makes and
 * the text after it; 0 when p does not start an interval. */
static unsigned long
interval(const char *p, const char **after)
{
	unsigned long m = 0, n;
	const char *q = p + 1;

	if (*q < '0' || *q > '9')
		return 0;
	for (; *q >= '0' && *q <= '9'; q++)
		m = pattern_sat(m * 10 + (unsigned long)(*q - '0'));
	n = m;
	if (*q == ',') {
		q++;
		if (*q == '}')
			n = m + 1;	/* m copies and a starred one */
		else
			for (n = 0; *q >= '0' && *q <= '9'; q++)
				n = pattern_sat(n * 10 + (unsigned long)(*q -
				    '0'));
	}
	if (*q != '}')
		return 0;
	*after = q + 1;
	return n > m ? n : m;
}

/* NULL when regcomp() may have the pattern, else why not. */
const char *
ws_ere_refused(const char *p)
{
	unsigned long total[WS_PATTERN_MAX_DEPTH + 1], last = 0, copies;
	const char *after;
	int d = 0;

	if (strlen(p) > WS_PATTERN_MAX_LEN)
		return "is longer than 4096 bytes";
	total[0] = 0;
	while (*p != '\0') {
		switch (*p) {
		case '(':
			if (d == WS_PATTERN_MAX_DEPTH)
				return "nests groups more than 32 deep";
			total[++d] = 0;
			last = 0;
			p++;
			continue;
		case ')':
			if (d > 0) {	/* else regcomp() judges */
				last = total[d--];
				total[d] = pattern_sat(total[d] + last);
				p++;
				continue;
			}
			break;
		case '|':
			last = 0;
			p++;
			continue;
		case '*':
		case '+':
		case '?':
			total[d] = pattern_sat(total[d] + last *
			    (WS_PATTERN_STAR_WEIGHT - 1));
			last = pattern_sat(last * WS_PATTERN_STAR_WEIGHT);
			p++;
			continue;
		case '{':
			if ((copies = interval(p, &after)) == 0)
				break;
			total[d] = pattern_sat(total[d] + last * (copies - 1));
			last = pattern_sat(last * copies);
			p = after;
			continue;
		case '[':
			p = bracket_end(p);
			total[d] = pattern_sat(total[d] + 1);
			last = 1;
			continue;
		case '\\':
			if (p[1] >= '1' && p[1] <= '9')
				return "uses a back-reference (\\1 to \\9), "
				    "which POSIX extended regular expressions "
				    "do not have and which makes matching slow";
			if (p[1] != '\0')
				p++;
			break;
		default:
			break;
		}
		p++;		/* one character: one position */
		total[d] = pattern_sat(total[d] + 1);
		last = 1;
	}
	while (d > 0) {		/* unclosed groups: regcomp() judges */
		last = total[d--];
		total[d] = pattern_sat(total[d] + last);
	}
	if (total[0] > WS_PATTERN_MAX_SIZE)
		return "is too complex (over 1000 positions once its "
		    "repetitions are expanded)";
	return NULL;
}
