/* The fast paths of start-up (SPEC §9) agree with the slow ones they
 * stand in front of: each is checked here against the plain code on
 * many generated inputs, edge cases included. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "withsecrets.h"
#include "opts.h"
#include "values.h"
#include "util.h"
#include "secmem.h"
#include "diag.h"
#include "names.h"
#include "vars.h"
#include "policy.h"
#include "frozen.h"
#include "dotenv.h"
#include "resolve.h"
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

/* The first bytes of a list: every name that matches starts with one. */
static void
test_firsts(void)
{
	char pats[3][16], name[16];
	char *list[4] = { pats[0], pats[1], pats[2], NULL };
	uint64_t set[4];
	unsigned i, bad = 0, ruled = 0;

	for (i = 0; i < 100000; i++) {
		random_string(pats[0], 4, "AB_*?[]!\\");
		random_string(pats[1], 4, "ABC_");
		random_string(pats[2], 3, "BC]*");
		random_string(name, 4, "ABC_*[]\\");
		ws_globlist_firsts(list, set);
		if (!WS_FIRST_IN(set, name[0]))
			ruled++;
		if (!WS_FIRST_IN(set, name[0]) &&
		    ws_globlist_match(list, name, strlen(name)) && bad++ < 5)
			printf("#   '%s' matches, yet its first byte is out\n",
			    name);
	}
	is_int(bad, 0, "no name a list matches is ruled out by its first "
	    "byte (%u ruled out)", ruled);
	ok(ruled > 1000, "(and some are)");
}

/* The built-in never-resolve list, measured once, matches as the plain
 * glob list does. */
static void
test_never_resolve(void)
{
	static const char *const names[] = { "SSL_CERT_FILE", "MY_CERT_FILE",
	    "CERT_FILE", "_CERT_FILE", "APP_LOG_FILE", "LOG_FILE", "LOG_FILES",
	    "DB_PASSWORD_FILE", "X_CA_FILE", "CA_FILE", "AWS_CONFIG_FILE",
	    "KUBECONFIG_FILE", "A_KUBECONFIG_FILE", "", "E", "ENV_FILE",
	    "DOTENV_FILE", "MY_ENV_FILE", "X_LOCK_FILE", "X_SOCKET_FILE",
	    "_FILE", "X_FILE", "LOCK_FILE", "XLOG_FILE", "A_PID_FILEX",
	    "PID_FILE", "A_CERTS_FILE", "SSL_CERT_FILE_FILE", "ZZ_CA_FILE",
	    NULL };
	char *const *list = (char *const *)ws_never_resolve_list();
	unsigned bad = 0, hits = 0;
	size_t i;
	int want;

	for (i = 0; names[i] != NULL; i++) {
		want = 0;
		for (size_t k = 0; list[k] != NULL; k++)
			want |= ws_wildmatch(list[k], names[i],
			    strlen(names[i]));
		hits += want;
		if (ws_never_resolve_builtin(names[i], strlen(names[i])) !=
		    want && bad++ < 5)
			printf("#   %s\n", names[i]);
	}
	is_int(bad, 0, "the never-resolve list matches as globs do (%u of "
	    "%zu)", hits, i);
	/* it is matched as names and name ends: each must be one */
	for (i = 0, bad = 0; list[i] != NULL; i++)
		if (strcspn(list[i] + (list[i][0] == '*'), "*?[]\\") !=
		    strlen(list[i] + (list[i][0] == '*')) || list[i][0] == '\0')
			bad++;
	is_int(bad, 0, "each never-resolve glob is a name or *END (%zu)", i);
	/* ws_never_resolve_builtin() rules out names by "_FILE" and the
	 * byte before it */
	for (i = 0, bad = 0; list[i] != NULL; i++) {
		size_t n = strlen(list[i] + (list[i][0] == '*'));

		if (n < 6 || strcmp(list[i] + strlen(list[i]) - 5, "_FILE"))
			bad++;
	}
	is_int(bad, 0, "each ends in _FILE, after at least one byte");
}

/* Values are folded to lower case eight bytes at a time: exactly the
 * ASCII letters A-Z change, whatever surrounds them. */
static void
test_fold(void)
{
	static const char tricky[] = "@AZ[`az{_09-\x80\xc1\xda\xe1\xfa\xff";
	struct ws_policy p;
	char v[64], word[64];
	char *values[2] = { word, NULL }, *none[1] = { NULL };
	size_t lens[2] = { 0, 0 }, n, i;
	unsigned k, bad = 0, wrong = 0;

	memset(&p, 0, sizeof(p));
	p.ph_values = values;
	p.ph_lens = lens;
	p.ph_patterns = none;
	p.ph_literals = none;
	for (k = 0; k < 20000; k++) {
		random_string(v, 40, tricky);
		n = strlen(v);
		for (i = 0; i <= n; i++)
			word[i] = v[i] >= 'A' && v[i] <= 'Z' ?
			    (char)(v[i] + 32) : v[i];
		lens[0] = n;
		if (n > 0 && !ws_rule_placeholder(&p, v, n) && bad++ < 5)
			printf("#   not folded right: %zu bytes\n", n);
		/* a byte that should not fold, folded: no longer equal */
		for (i = 0; i < n && !(v[i] == '@' || v[i] == '['); i++)
			;
		if (i < n) {
			word[i] = (char)(word[i] | 0x20);
			if (ws_rule_placeholder(&p, v, n) && wrong++ < 5)
				printf("#   folded too much\n");
		}
	}
	is_int(bad, 0, "values fold A-Z to a-z (20,000 values)");
	is_int(wrong, 0, "and nothing else");
}

/*
 * The .env parser reads NAME=value lines with nothing to trim, unquote
 * or interpolate, and NAME="value" lines with nothing to unescape, on a
 * fast path, and everything else on the general one.  "export NAME=value" means the same and always takes the general
 * path: each generated file is parsed both ways, and must give the same
 * entries, lines and findings.
 */
static struct ws_settings dotenv_set;
static struct ws_opts dotenv_opts;

static struct ws_store *
parse_env(const char *text, int *status, size_t *findings)
{
	static char *no_environ[] = { NULL };
	struct ws_run run;
	struct ws_dotenv_in in = { 0 };
	struct ws_source *src;
	size_t n = strlen(text);
	char *buf;

	memset(&run, 0, sizeof(run));
	run.opts = &dotenv_opts;
	run.set = &dotenv_set;
	run.environ_in = no_environ;
	run.store = ws_store_new();
	src = ws_store_source(run.store, WS_KIND_ENV_FILE, "t.env",
	    WS_RANK_ENV_FILE);
	if ((buf = ws_arena_alloc(&ws_work, n + 1)) == NULL)
		ws_fatal_nomem();
	memcpy(buf, text, n + 1);
	ws_diag_reset();
	in.store = run.store;
	in.src = src;
	in.max = run.set->max_secret_size;
	in.environ = run.environ_in;
	in.lookup = ws_lookup;
	in.arg = &run;
	*status = ws_dotenv_parse(&in, "t.env", buf, n);
	*findings = ws_finding_count();
	ws_diag_reset();
	return run.store;
}

static int
same_store(struct ws_store *a, struct ws_store *b)
{
	struct ws_var *x, *y;
	size_t it = 0;

	if (ws_store_count(a) != ws_store_count(b))
		return 0;
	while ((x = ws_store_next(a, &it)) != NULL) {
		y = ws_store_get(b, x->name, x->namelen);
		if (y == NULL || x->vallen != y->vallen || x->line != y->line ||
		    x->flags != y->flags || memcmp(x->value, y->value,
		    x->vallen) != 0)
			return 0;
	}
	return 1;
}

static void
test_dotenv_paths(void)
{
	static const char *const values[] = { "plain", "a b", " lead",
	    "trail ", "x#y", "x #c", "#c", "$A", "${A:-d}", "\"q\"", "'s'",
	    "tab\there", "cr\r", "hi\x80", "nbsp\xc2\xa0",
	    "\xc2\xa0lead", "", "=", "a=b", "del\x7f", "\\", "x\"", "x'",
	    "~!%^&*()", "\"\"", "\"a b # c\"", "\"${A:-d} x\"", "\"$A$A\"",
	    "\"$$\"", "\"a\\\"b\"", "\"a\\nb\"", "\"a\"b\"", "\"x\" y",
	    "\"x\" #c", "\"${A:?gone}\"", "\"${A\"", "\"\xc3\xa9 \x7f\"",
	    "\"cr\r\"", "\"0123456789012345678901234567890123456789"
	    "0123456789012345678901234567890\"", "\"$A 012345678901234567890123"
	    "4567890123456789012345678901234567890123456\"", NULL };
	char text[2048], exported[4096], name[16], *t, *e;
	struct ws_store *a, *b;
	size_t nv, fa, fb, i, lines;
	unsigned k, bad = 0;
	int sa, sb;

	dotenv_set.max_secret_size = 64;	/* "too-large" is reached too */
	for (nv = 0; values[nv] != NULL; nv++)
		;
	for (k = 0; k < 3000; k++) {
		t = text;
		e = exported;
		lines = 1 + rnd(6);
		for (i = 0; i < lines; i++) {
			random_string(name, 6, "AB_x.-[]9");
			if (name[0] == '\0')
				strcpy(name, "N");
			t += sprintf(t, "%s=%s\n", name,
			    values[rnd((unsigned)nv)]);
		}
		if (rnd(4) == 0)
			t += sprintf(t, "LONG=%065d\n", 7);
		if (rnd(4) == 0)	/* what "$A" finds, if anything */
			t += sprintf(t, "A=%s\n", rnd(2) ? "" : "av");
		for (t = text; *t != '\0'; t = strchr(t, '\n') + 1)
			e += sprintf(e, "export %.*s\n",
			    (int)(strchr(t, '\n') - t), t);
		if (rnd(3) == 0) {	/* no line feed at the end */
			text[strlen(text) - 1] = '\0';
			exported[strlen(exported) - 1] = '\0';
		}
		a = parse_env(text, &sa, &fa);
		b = parse_env(exported, &sb, &fb);
		if ((sa != sb || fa != fb || !same_store(a, b)) && bad++ < 3)
			printf("#   differs:\n#   %s\n", text);
		ws_store_free(a);
		ws_store_free(b);
		ws_arena_wipe(&ws_work);
	}
	is_int(bad, 0, "a .env line means the same on the fast path and the "
	    "general one (3,000 files)");
}

/* The store's filter of pointer targets never says no to a target one
 * of its pointers names, and names are found again whatever their
 * length (the hash reads them eight bytes at a time). */
static void
test_store(void)
{
	struct ws_store *st = ws_store_new();
	struct ws_source *src = ws_store_source(st, WS_KIND_ENV_FILE, "t",
	    WS_RANK_ENV_FILE);
	char name[64], ptr[80];
	unsigned i, missed = 0, lost = 0;
	size_t n;

	ok(!ws_store_may_point_at(st, "A", 1), "no pointer: no target");
	for (i = 0; i < 2000; i++) {
		random_string(name, 40, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789");
		n = strlen(name);
		if (n == 0)
			continue;
		snprintf(ptr, sizeof(ptr), i % 2 ? "%s_FILE" : "FILE__%s",
		    name);
		(void)ws_store_add(st, src, ws_intern(ptr, strlen(ptr)),
		    strlen(ptr), "x", 1, i + 1, 0);
		if (!ws_store_may_point_at(st, name, n))
			missed++;
		if (ws_store_get(st, ptr, strlen(ptr)) == NULL ||
		    ws_store_get(st, ptr, strlen(ptr))->line != i + 1)
			lost++;
	}
	is_int(missed, 0, "every target of a pointer may be pointed at");
	is_int(lost, 0, "every name is found again, 1 to 40 bytes long");
	ok(ws_store_count(st) > 1000, "(%zu names)", ws_store_count(st));
	ws_store_free(st);
}

/* The reference: v (n bytes, under 128) folded to lower case and
 * matched against every placeholder value and pattern. */
static int
is_placeholder_ref(const struct ws_policy *p, const char *v, size_t n)
{
	char low[128];
	size_t i;
	int want = 0;

	for (i = 0; i <= n; i++)
		low[i] = v[i] >= 'A' && v[i] <= 'Z' ? (char)(v[i] + 32) : v[i];
	for (i = 0; p->ph_values[i] != NULL; i++)
		want |= strcmp(low, p->ph_values[i]) == 0;
	for (i = 0; p->ph_patterns[i] != NULL; i++)
		want |= ws_wildmatch(p->ph_patterns[i], low, n);
	return want;
}

/* Placeholders are ruled out before folding when no value has the
 * length and no pattern the characters: never one that folding and
 * matching every value and pattern would find. */
static void
test_placeholders(void)
{
	static const char *const pieces[] = { "your", "_", "-", "here", "key",
	    "change", "me", "for", "production", "dev", "<", ">", "insecure",
	    "secret", "PASSWORD", "ChangeMe", "XxX", "0", "123456", "TODO",
	    "a1b2c3d4", "Z", "\xc1", NULL };
	struct ws_policy *p;
	char v[128];
	size_t np, n, k;
	unsigned t, bad = 0, hits = 0;
	int want;

	ws_builtin_frozen = NULL;
	p = ws_policy_new();
	for (np = 0; pieces[np] != NULL; np++)
		;
	for (t = 0; t < 30000; t++) {
		v[0] = '\0';
		for (k = rnd(5) + 1; k > 0; k--)
			strcat(v, pieces[rnd((unsigned)np)]);
		n = strlen(v);
		want = is_placeholder_ref(p, v, n);
		hits += want;
		if (ws_rule_placeholder(p, v, n) != want && bad++ < 5)
			printf("#   '%s': %d\n", v, !want);
	}
	is_int(bad, 0, "placeholders are found as by folding and matching "
	    "everything (%u of 30,000)", hits);
	ok(hits > 1000, "(enough of them are)");
	ws_policy_destroy(p);
}

/* The lengths of the placeholder values are told from a bit each, the
 * lengths from 63 on sharing one: a value of each length is found, and
 * no other, around 63 and above it too. */
static void
test_placeholder_lengths(void)
{
	static const size_t lens[] = { 1, 2, 31, 62, 63, 64, 65, 100, 0 };
	struct ws_policy *p;
	char text[1024], v[128];
	size_t i, n, len;
	unsigned bad = 0, found = 0;
	int want;

	strcpy(text, "[placeholders]\npatterns = zzz\nvalues =");
	for (i = 0; lens[i] != 0; i++) {
		strcat(text, "\n    ");
		len = strlen(text);
		memset(text + len, 'k', lens[i]);
		text[len + lens[i]] = '\0';
	}
	strcat(text, "\n");
	ws_builtin_frozen = NULL;
	p = ws_policy_new();
	is_int(ws_config_parse(p, text, strlen(text), "t.ini", 1), 0,
	    "placeholder values of 1 to 100 bytes");
	for (n = 1; n <= 120; n++) {
		for (want = 0, i = 0; lens[i] != 0; i++)
			want |= lens[i] == n;
		memset(v, 'K', n);	/* folded, it is a value */
		found += ws_rule_placeholder(p, v, n);
		if (ws_rule_placeholder(p, v, n) != want && bad++ < 5)
			printf("#   %zu bytes: %d\n", n, !want);
		memset(v, 'j', n);
		if (ws_rule_placeholder(p, v, n) && bad++ < 5)
			printf("#   %zu bytes of j\n", n);
	}
	is_int(bad, 0, "each length is found, and only it");
	is_int(found, 8, "(all eight values)");
	ws_policy_destroy(p);
}

/*
 * The filter of the placeholder patterns (rules.c: a plain first byte,
 * or pairs of the literal at every step bytes) rules out no value that
 * folding and matching every pattern would find: random patterns
 * (anchored or not, with '?', brackets, escapes, short and long
 * literals) over the built-in values, and random values of up to 60
 * bytes made of the same bytes, in both cases.
 */
static void
test_placeholder_filter(void)
{
	static const char *const pat_bits[] = { "*", "*", "?", "[ab]",
	    "[!a]", "\\*", "\\a", "a", "b", "ab", "ba", "bab", "<", ">",
	    "-", "_", "0", "9", "\xc1", "[", "]", "aab", NULL };
	static const char *const val_bits[] = { "a", "b", "ab", "ba", "A",
	    "B", "<", ">", "-", "_", "0", "9", "\xc1", "\xe1", "*", "?",
	    "[", "]", "\\", "x", "Bab", "aab", NULL };
	struct ws_policy *p;
	char text[1024], pat[64], v[128];
	size_t nb, nv, n, k, j;
	unsigned t, bad = 0, hits = 0, policies = 0, filtered = 0;
	int want;

	for (nb = 0; pat_bits[nb] != NULL; nb++)
		;
	for (nv = 0; val_bits[nv] != NULL; nv++)
		;
	ws_builtin_frozen = NULL;
	for (t = 0; t < 400; t++) {
		strcpy(text, "[placeholders]\npatterns =");
		for (j = rnd(4) + 1; j > 0; j--) {
			pat[0] = '\0';
			for (k = rnd(5) + 1; k > 0; k--)
				strcat(pat, pat_bits[rnd((unsigned)nb)]);
			strcat(text, " ");
			strcat(text, pat);
		}
		strcat(text, "\n");
		p = ws_policy_new();
		if (ws_config_parse(p, text, strlen(text), "t.ini", 1) != 0 ||
		    !p->ph_filter.ready) {
			if (bad++ < 5)
				printf("#   not parsed: %s", text);
			ws_policy_destroy(p);
			continue;
		}
		policies++;
		filtered += !p->ph_filter.always;
		for (k = 0; k < 200; k++) {
			v[0] = '\0';
			for (j = rnd(30) + 1; j > 0 && strlen(v) < 60; j--)
				strcat(v, val_bits[rnd((unsigned)nv)]);
			n = strlen(v);
			want = is_placeholder_ref(p, v, n);
			hits += want;
			if (ws_rule_placeholder(p, v, n) != want && bad++ < 5)
				printf("#   '%s' against%s: %d\n", v,
				    text + 26, !want);
		}
		ws_policy_destroy(p);
	}
	is_int(bad, 0, "the placeholder filter rules out no placeholder "
	    "(%u policies, %u of 80,000 values are)", policies, hits);
	ok(hits > 5000, "(enough of them are)");
	ok(filtered > 100, "(%u policies are told by the filter, not by the "
	    "masks)", filtered);
}

/*
 * The index of the [var] rules (policy.c) finds what trying every rule
 * in turn finds: random sections (names, LIT*, *LIT, *LIT*, other
 * globs; with keys and without) in one or two files over the built-in
 * policy, and random names, many of them made of the rules' literals,
 * compared key by key with ws_policy_var_scan().
 */
static const char *const pat_pieces[] = { "A", "B", "_", "AB", "BA_",
	"\xc3\x89", "C1", "*", "*", "*", "?", "[AB]", "\\A", "SECRET",
	"A_B", NULL };
static const char *const key_lines[] = { "secret = yes\n", "secret = no\n",
	"min-length = 7\n", "min-length = 0\n", "distinct = yes\n",
	"debug = yes\n", "debug = no\n", NULL };

static size_t
count_of(const char *const *l)
{
	size_t n = 0;

	while (l[n] != NULL)
		n++;
	return n;
}

static void
random_pattern(char *buf)
{
	size_t k = rnd(4) + 1;

	buf[0] = '\0';
	if (rnd(3) == 0)
		strcat(buf, "*");
	while (k-- > 0)
		strcat(buf, pat_pieces[rnd((unsigned)count_of(pat_pieces))]);
	if (rnd(3) == 0)
		strcat(buf, "*");
}

/* A policy file of up to six [var] sections. */
static void
random_policy(char *text)
{
	char pat[64];
	size_t s, k, i;

	text[0] = '\0';
	for (s = rnd(7); s > 0; s--) {
		strcat(text, "[var");
		for (k = rnd(3) + 1; k > 0; k--) {
			random_pattern(pat);
			strcat(text, " ");
			strcat(text, pat);
		}
		strcat(text, "]\n");
		for (i = 0; key_lines[i] != NULL; i++)
			if (rnd(3) == 0)
				strcat(text, key_lines[i]);
	}
}

/* A name: random bytes, or a rule's literal with bytes around it. */
static void
random_name(const struct ws_policy *p, char *name, size_t *n)
{
	const struct ws_varrule *r = &p->rules[rnd((unsigned)p->n_rules)];
	char pre[8], post[8];

	if (rnd(3) == 0 || r->lit == NULL) {
		random_string(name, 10, "AB_C1\xc1\x89SECRT");
		*n = strlen(name);
		return;
	}
	random_string(pre, rnd(2) ? 0 : 3, "AB_\xc3");
	random_string(post, rnd(2) ? 0 : 3, "AB_T");
	*n = strlen(pre);
	memcpy(name, pre, *n);
	memcpy(name + *n, r->lit, r->litlen);
	*n += r->litlen;
	memcpy(name + *n, post, strlen(post) + 1);
	*n += strlen(post);
}

static int
same_varpol(const struct ws_varpol *a, const struct ws_varpol *b)
{
	size_t k;

	for (k = 0; k < WS_VK_COUNT; k++)
		if (a->from[k] != b->from[k])
			return 0;
	return a->secret == b->secret && a->required == b->required &&
	    a->min_length == b->min_length && a->distinct == b->distinct &&
	    a->debug == b->debug;
}

static void
test_rule_index(void)
{
	struct ws_policy *p;
	struct ws_varpol got, want;
	const struct ws_varrule *ex;
	char text[2048], name[64];
	size_t n, k, j;
	unsigned t, bad = 0, badx = 0, hits = 0, names = 0, rules = 0;
	int said;

	ws_builtin_frozen = NULL;
	for (t = 0; t < 3000; t++) {
		p = ws_policy_new();
		for (k = rnd(2) + 1; k > 0; k--) {
			random_policy(text);
			/* an error (a key set twice) still leaves rules */
			(void)ws_config_parse(p, text, strlen(text), k == 1 ?
			    "a.ini" : "b.ini", 1);
		}
		ws_diag_reset();
		rules += (unsigned)p->n_rules;
		for (k = 0; k < 60; k++, names++) {
			random_name(p, name, &n);
			said = ws_policy_var_n(p, name, n, &got);
			if (ws_policy_var_scan(p, name, n, &want) != said)
				bad++;
			hits += want.from[WS_VK_SECRET] != NULL;
			if (!same_varpol(&got, &want) && bad++ < 5)
				printf("#   '%s': not as every rule says\n", name);
			ex = NULL;
			for (j = 0; j < p->n_rules; j++)
				if (!p->rules[j].glob &&
				    strlen(p->rules[j].pattern) == n &&
				    memcmp(p->rules[j].pattern, name, n) == 0)
					ex = &p->rules[j];
			if (ws_policy_exact(p, name, n) != ex && badx++ < 5)
				printf("#   '%s': its own section\n", name);
		}
		ws_policy_destroy(p);
	}
	is_int(bad, 0, "the rule index finds what every rule says (%u names, "
	    "%u rules)", names, rules);
	is_int(badx, 0, "and each name's own section");
	ok(hits > 20000, "(%u names have a secret key)", hits);
}

int
main(void)
{
	ws_secmem_init();
	test_fold();
	test_globlist();
	test_firsts();
	test_never_resolve();
	test_dotenv_paths();
	test_store();
	test_placeholders();
	test_placeholder_filter();
	test_rule_index();
	test_placeholder_lengths();
	ws_intern_free();
	ws_secmem_wipe_all();
	return done_testing();
}
