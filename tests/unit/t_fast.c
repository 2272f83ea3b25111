/* The fast paths of start-up (SPEC §9) agree with the slow ones they
 * stand in front of: each is checked here against the plain code on
 * many generated inputs, edge cases included. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "withsecrets.h"
#include "tap.h"

/* A small deterministic generator (xorshift), so that a failure can be
 * reproduced. */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static void
random_string(char *buf, size_t max, const char *alphabet)
{
	size_t n = rnd((unsigned)max + 1), i, k = strlen(alphabet);

	for (i = 0; i < n; i++)
		buf[i] = alphabet[rnd((unsigned)k)];
	buf[n] = '\0';
}

/* ws_globlist_match rules patterns out before matching: never one that
 * ws_wildmatch would match. */
static void
test_globlist(void)
{
	char pat[16], name[16];
	char *list[2] = { pat, NULL };
	unsigned i, bad = 0, hits = 0;
	int want, got;

	for (i = 0; i < 300000; i++) {
		random_string(pat, 6, "AB_*?[]!-\\");
		random_string(name, 5, "AB_*[]\\-");
		want = ws_wildmatch(pat, name, strlen(name));
		got = ws_globlist_match(list, name, strlen(name));
		hits += want;
		if (want != got && bad++ < 5)
			printf("#   '%s' vs '%s': %d, not %d\n", pat, name, got,
			    want);
	}
	is_int(bad, 0, "glob lists match as ws_wildmatch does (%u matches)",
	    hits);
	ok(hits > 10000, "(and the inputs match often enough to tell)");
	list[0] = (char *)"";
	ok(ws_globlist_match(list, "", 0) && !ws_globlist_match(list, "A", 1),
	    "an empty pattern matches the empty name only");
	list[0] = (char *)"*_LOG_FILE";
	ok(ws_globlist_match(list, "APP_LOG_FILE", 12) &&
	    !ws_globlist_match(list, "LOG_FILE", 8) &&
	    !ws_globlist_match(list, "APP_LOG_FILES", 13), "*_LOG_FILE");
	list[0] = (char *)"]X";
	ok(ws_globlist_match(list, "]X", 2), "a leading ] is plain");
}

int
main(void)
{
	test_globlist();
	return done_testing();
}
