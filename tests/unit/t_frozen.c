/* The built-in policy frozen at build time (src/frozen.c) is the policy
 * the parser makes of the built-in text: the same words, patterns,
 * lines and settings, and byte for byte the same beyond its pointers,
 * so that a field added to the policy and not frozen is noticed here.
 * A user's file layered over either gives the same policy again. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "withsecrets.h"
#include "secmem.h"
#include "vars.h"
#include "policy.h"
#include "frozen.h"
#include "tap.h"

static int diffs;

static void
differ(const char *what, size_t i)
{
	diffs++;
	printf("#   differs: %s [%zu]\n", what, i);
}

static int
same_str(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

static void
same_list(const char *what, char *const *a, char *const *b)
{
	size_t i;

	if (a == NULL || b == NULL) {
		if (a != b)
			differ(what, 0);
		return;
	}
	for (i = 0; a[i] != NULL && b[i] != NULL; i++)
		if (strcmp(a[i], b[i]) != 0)
			differ(what, i);
	if (a[i] != NULL || b[i] != NULL)
		differ(what, i);
}

/* Where a key was set: the same line, and a file of the same name. */
static void
same_where(const char *what, const struct ws_where *a,
    const struct ws_where *b, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (a[k].line != b[k].line || !same_str(a[k].file, b[k].file))
			differ(what, k);
}

static void
same_rule(const struct ws_varrule *a, const struct ws_varrule *b, size_t i)
{
	struct ws_varrule t;

	if (!same_str(a->pattern, b->pattern))
		differ("rule pattern", i);
	if ((a->lit == NULL) != (b->lit == NULL) || (a->lit != NULL &&
	    a->lit - a->pattern != b->lit - b->pattern))
		differ("rule lit", i);
	if (a->re != NULL || b->re != NULL)
		differ("rule re", i);
	same_list("rule forbid", a->forbid, b->forbid);
	same_where("rule where", a->where, b->where, WS_VK_COUNT);
	/* every other byte: b with a's pointers is a */
	memcpy(&t, b, sizeof(t));
	t.pattern = a->pattern;
	t.lit = a->lit;
	t.re = a->re;
	t.forbid = a->forbid;
	memcpy(t.where, a->where, sizeof(t.where));
	if (memcmp(&t, a, sizeof(t)) != 0)
		differ("rule fields", i);
}

static void
same_default(const struct ws_default *a, const struct ws_default *b,
    size_t i)
{
	struct ws_default t;

	if (!same_str(a->name, b->name) || !same_str(a->file, b->file) ||
	    a->vallen != b->vallen || memcmp(a->value, b->value, a->vallen))
		differ("default", i);
	memcpy(&t, b, sizeof(t));
	t.name = a->name;
	t.value = a->value;
	t.file = a->file;
	if (memcmp(&t, a, sizeof(t)) != 0)
		differ("default fields", i);
}

/* The two indexes of the rules: the same chains (the pointers into
 * their own blocks aside). */
static void
same_index(const struct ws_ruleindex *a, const struct ws_ruleindex *b)
{
	struct ws_ruleindex t;
	size_t nb = 0, i;

	if (a == NULL || b == NULL) {
		if (a != b)
			differ("index", 0);
		return;
	}
	memcpy(&t, b, sizeof(t));
	t.next = a->next;
	t.bytes = a->bytes;
	if (memcmp(&t, a, sizeof(t)) != 0 || memcmp(a->next, b->next,
	    a->n_rules * sizeof(*a->next)) != 0)
		differ("index", 1);
	for (i = 0; i < WS_INDEX_BUCKETS; i++)
		if (a->inner[i] > nb)
			nb = a->inner[i];
	if (memcmp(a->bytes, b->bytes, nb * sizeof(*a->bytes)) != 0)
		differ("index", 2);
}

static size_t
count(char *const *l)
{
	size_t n = 0;

	while (l != NULL && l[n] != NULL)
		n++;
	return n;
}

/* The number of differences between two policies. */
static int
compare(const struct ws_policy *a, const struct ws_policy *b)
{
	const struct ws_settings *s = &a->set, *z = &b->set;
	struct ws_policy t;
	size_t i;

	diffs = 0;
	same_list("environment-vars", s->environment_vars, z->environment_vars);
	same_list("lenient-environments", s->lenient_environments,
	    z->lenient_environments);
	same_list("secrets-dirs", s->secrets_dirs, z->secrets_dirs);
	same_list("keep", s->keep, z->keep);
	same_list("deny", s->deny, z->deny);
	same_list("ignore-file-vars", s->ignore_file_vars, z->ignore_file_vars);
	if (!same_str(s->example, z->example) || !same_str(s->path, z->path))
		differ("example or path", 0);
	if (!same_str(s->default_environment, z->default_environment))
		differ("default-environment", 0);
	same_where("where", a->where, b->where, 16);
	if (a->n_rules != b->n_rules)
		differ("n_rules", 0);
	for (i = 0; i < a->n_rules && i < b->n_rules; i++)
		same_rule(&a->rules[i], &b->rules[i], i);
	if (a->n_defaults != b->n_defaults)
		differ("n_defaults", 0);
	for (i = 0; i < a->n_defaults && i < b->n_defaults; i++)
		same_default(&a->defaults[i], &b->defaults[i], i);
	same_list("placeholder values", a->ph_values, b->ph_values);
	same_list("placeholder patterns", a->ph_patterns, b->ph_patterns);
	same_list("placeholder literals", a->ph_literals, b->ph_literals);
	if (count(a->ph_literals) == count(b->ph_literals) &&
	    memcmp(a->ph_masks, b->ph_masks, (count(a->ph_literals) + 1) *
	    sizeof(*a->ph_masks)) != 0)
		differ("placeholder masks", 0);
	if (count(a->ph_values) == count(b->ph_values) &&
	    memcmp(a->ph_lens, b->ph_lens, (count(a->ph_values) + 1) *
	    sizeof(*a->ph_lens)) != 0)
		differ("placeholder lengths", 0);
	same_index(a->index, b->index);
	if (a->n_files != b->n_files)
		differ("n_files", 0);
	for (i = 0; i < a->n_files && i < b->n_files; i++)
		if (!same_str(a->files[i], b->files[i]))
			differ("files", i);
	/* every other byte, with a's pointers in a copy of b */
	memcpy(&t, b, sizeof(t));
	t.set.environment_vars = s->environment_vars;
	t.set.lenient_environments = s->lenient_environments;
	t.set.secrets_dirs = s->secrets_dirs;
	t.set.keep = s->keep;
	t.set.deny = s->deny;
	t.set.ignore_file_vars = s->ignore_file_vars;
	t.set.example = s->example;
	t.set.default_environment = s->default_environment;
	t.set.path = s->path;
	memcpy(t.where, a->where, sizeof(t.where));
	t.rules = a->rules;
	t.defaults = a->defaults;
	t.ph_values = a->ph_values;
	t.ph_patterns = a->ph_patterns;
	t.ph_literals = a->ph_literals;
	t.ph_masks = a->ph_masks;
	t.ph_lens = a->ph_lens;
	t.files = a->files;
	t.index = a->index;
	/* how the parts are held: a thawed policy is one block, as long as
	 * it needs, a parsed one keeps room for more rules */
	t.block_size = a->block_size;
	t.cap_rules = a->cap_rules;
	if (memcmp(&t, a, sizeof(t)) != 0)
		differ("policy fields", 0);
	return diffs;
}

static struct ws_policy *
policy(int frozen)
{
	ws_builtin_frozen = frozen ? &ws_builtin_frozen_data : NULL;
	return ws_policy_new();
}

/* A user's file over each: settings, placeholders, defaults, and more
 * [var] sections than the rules array first has room for. */
static const char user_file[] =
    "[withsecrets]\n"
    "keep = PATH HOME\n"
    "deny = LD_* X_*\n"
    "ignore-file-vars = MY_*_FILE\n"
    "example =\n"
    "[defaults]\n"
    "LOG_LEVEL = info\n"
    "[placeholders]\n"
    "values = foo bar\n"
    "[var *PASSWORD]\n"
    "min-length = 24\n"
    "[var A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12 A13 A14 A15 A16 A17 A18]\n"
    "secret = yes\n"
    "[var B_*]\n"
    "forbid = x y\n";

int
main(void)
{
	struct ws_policy *parsed, *thawed;
	int rc1, rc2;

	ws_secmem_init();
	parsed = policy(0);
	thawed = policy(1);
	is_int(compare(parsed, thawed), 0,
	    "the frozen built-in policy is the parsed one");
	ok(thawed->n_rules > 0 && thawed->set.deny != NULL &&
	    thawed->ph_values[0] != NULL, "and it is not empty");

	rc1 = ws_config_parse(parsed, user_file, strlen(user_file), "u.ini", 1);
	rc2 = ws_config_parse(thawed, user_file, strlen(user_file), "u.ini", 1);
	is_int(rc1, 0, "a user's file over the parsed policy");
	is_int(rc2, 0, "a user's file over the frozen policy");
	is_int(compare(parsed, thawed), 0,
	    "layered, the two are the same again");
	ok(thawed->n_rules > 32, "(%zu rules: the array grew)",
	    thawed->n_rules);
	ok(thawed->block_size > 0 && thawed->cap_rules >= thawed->n_rules &&
	    !(thawed->rules >= (struct ws_varrule *)(void *)thawed &&
	    (char *)thawed->rules < (char *)thawed + thawed->block_size),
	    "(and moved out of the thawed block)");
	ws_policy_destroy(parsed);
	ws_policy_destroy(thawed);

	/* a second thaw is a fresh copy */
	parsed = policy(0);
	thawed = policy(1);
	is_int(compare(parsed, thawed), 0, "thawed again, the same");
	ws_policy_destroy(parsed);
	ws_policy_destroy(thawed);
	ws_intern_free();
	ws_secmem_wipe_all();
	return done_testing();
}
