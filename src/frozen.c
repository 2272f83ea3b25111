/*
 * The built-in policy, frozen (SPEC §9).  Parsing the built-in INI text
 * with inih at every start cost more than the rest of a typical run, so
 * the build parses it once: gen-builtin runs ws_config_parse() on the
 * text and prints the resulting policy as C data with
 * ws_policy_freeze(); withsecrets links that data and ws_policy_new()
 * thaws it with ws_policy_thaw().  The text stays the source of truth
 * (`withsecrets defaults` prints it; a user's file is layered over the
 * policy as before), and both directions live here, side by side.
 *
 * A thawed policy has exactly the shape of a parsed one (each word list
 * one allocation, each pattern its own string, defaults' values in
 * ws_work), so that a user's file can replace any part of it and
 * ws_policy_destroy() frees it alike.  tests/unit/t_frozen.c compares
 * the two, byte for byte beyond the pointers.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "withsecrets.h"

#define NWHERE(a)	((unsigned)(sizeof(a) / sizeof((a)[0])))

_Static_assert(sizeof(((struct ws_frozen *)0)->where) ==
    sizeof(((struct ws_policy *)0)->where), "ws_frozen.where is too small");
_Static_assert(NWHERE(((struct ws_policy *)0)->where) <= 32 &&
    WS_VK_COUNT <= 32, "where_set has a bit for each key");

/* ------------------------------------------------------------------ */
/* Thawing.                                                            */

static char **
thaw_list(const struct ws_frozen_list *l)
{
	char **list, *text;
	size_t i;

	if (!l->present)
		return NULL;
	list = ws_xmalloc((l->n + 1) * sizeof(*list) + l->len + 1);
	text = (char *)(list + l->n + 1);
	memcpy(text, l->text, l->len);
	text[l->len] = '\0';
	for (i = 0; i < l->n; i++) {
		list[i] = text;
		text += strlen(text) + 1;
	}
	list[l->n] = NULL;
	return list;
}

static void *
thaw_array(const void *a, size_t size)
{
	void *p = ws_xmalloc(size);

	memcpy(p, a, size);
	return p;
}

static void
thaw_where(struct ws_where *w, const struct ws_where *from, unsigned n,
    unsigned set, const char *file)
{
	unsigned k;

	for (k = 0; k < n; k++) {
		w[k].line = from[k].line;
		w[k].file = (set & (1u << k)) ? file : NULL;
	}
}

static void
thaw_rules(struct ws_policy *p, const struct ws_frozen *fz, const char *file)
{
	const struct ws_frozen_rule *f;
	struct ws_varrule *r;
	size_t i;

	if (fz->n_rules == 0)
		return;
	/* room as rule_for() keeps it: 16, then doubled */
	for (p->cap_rules = 16; p->cap_rules < fz->n_rules; p->cap_rules *= 2)
		;
	p->rules = ws_xmalloc(p->cap_rules * sizeof(*p->rules));
	p->n_rules = fz->n_rules;
	for (i = 0; i < fz->n_rules; i++) {
		f = &fz->rules[i];
		r = &p->rules[i];
		memcpy(r, &f->r, sizeof(*r));
		r->pattern = ws_xstrdup(f->pattern);
		r->lit = f->lit_off == (size_t)-1 ? NULL :
		    r->pattern + f->lit_off;
		r->re = NULL;
		r->forbid = thaw_list(&f->forbid);
		thaw_where(r->where, f->r.where, NWHERE(r->where), f->where_set,
		    file);
	}
}

static void
thaw_defaults(struct ws_policy *p, const struct ws_frozen *fz,
    const char *file)
{
	const struct ws_default *f;
	struct ws_default *d;
	char *val;
	size_t i;

	if (fz->n_defaults == 0)
		return;
	p->defaults = ws_xmalloc(fz->n_defaults * sizeof(*p->defaults));
	p->n_defaults = fz->n_defaults;
	for (i = 0; i < fz->n_defaults; i++) {
		f = &fz->defaults[i];
		d = &p->defaults[i];
		/* not secret, but the store's values live in guarded memory */
		if ((val = ws_arena_alloc(&ws_work, f->vallen + 1)) == NULL)
			ws_fatal_nomem();
		memcpy(val, f->value, f->vallen + 1);
		d->name = ws_intern(f->name, strlen(f->name));
		d->value = val;
		d->vallen = f->vallen;
		d->file = file;
		d->line = f->line;
	}
}

struct ws_policy *
ws_policy_thaw(const struct ws_frozen *fz)
{
	struct ws_policy *p = ws_xcalloc(1, sizeof(*p));
	struct ws_settings *s = &p->set;
	const char *file = NULL;
	size_t n;

	if (fz->file != NULL) {
		p->files = ws_xmalloc(sizeof(*p->files));
		p->files[0] = ws_xstrdup(fz->file);
		p->n_files = 1;
		file = p->files[0];
	}
	*s = fz->set;
	s->environment_vars = thaw_list(&fz->environment_vars);
	s->lenient_environments = thaw_list(&fz->lenient_environments);
	s->secrets_dirs = thaw_list(&fz->secrets_dirs);
	s->keep = thaw_list(&fz->keep);
	s->deny = thaw_list(&fz->deny);
	s->ignore_file_vars = thaw_list(&fz->ignore_file_vars);
	s->example = fz->example ? ws_xstrdup(fz->example) : NULL;
	s->path = NULL;
	thaw_where(p->where, fz->where, NWHERE(p->where), fz->where_set,
	    file);
	thaw_rules(p, fz, file);
	thaw_defaults(p, fz, file);
	p->ph_values = thaw_list(&fz->ph_values);
	p->ph_patterns = thaw_list(&fz->ph_patterns);
	p->ph_literals = thaw_list(&fz->ph_literals);
	n = fz->ph_literals.n + 1;
	p->ph_masks = thaw_array(fz->ph_masks, n * sizeof(*p->ph_masks));
	n = fz->ph_values.n + 1;
	p->ph_lens = thaw_array(fz->ph_lens, n * sizeof(*p->ph_lens));
	p->example_named = fz->example_named;
	return p;
}

/* ------------------------------------------------------------------ */
/* Freezing: the C source of a struct ws_frozen (gen-builtin).         */

/* A C string literal of [s, s + n): printable ASCII as is, the rest in
 * octal (three digits, so that no digit after it can join it); '?' too,
 * as C11 reads "??" sequences as trigraphs. */
static void
put_string(FILE *f, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	putc('"', f);
	for (i = 0; i < n; i++) {
		if (u[i] >= 0x20 && u[i] < 0x7f && u[i] != '"' &&
		    u[i] != '\\' && u[i] != '?')
			putc(u[i], f);
		else
			fprintf(f, "\\%03o", u[i]);
	}
	putc('"', f);
}

static void
put_cstr(FILE *f, const char *s)
{
	if (s == NULL)
		fputs("NULL", f);
	else
		put_string(f, s, strlen(s));
}

static void
put_list(FILE *f, char *const *list)
{
	size_t n = 0, len = 0;

	if (list == NULL) {
		fputs("{ NULL, 0, 0, 0 }", f);
		return;
	}
	fputs("{ \"\"", f);
	for (; list[n] != NULL; n++) {
		fputs("\n\t    ", f);
		put_string(f, list[n], strlen(list[n]) + 1);
		len += strlen(list[n]) + 1;
	}
	fprintf(f, ",\n\t    %zu, %zu, 1 }", len, n);
}

static void
put_where(FILE *f, const struct ws_where *w, unsigned n, unsigned *set)
{
	unsigned k;

	*set = 0;
	fputs("{", f);
	for (k = 0; k < n; k++) {
		if (w[k].file != NULL)
			*set |= 1u << k;
		fprintf(f, "%s{ NULL, %u }", k ? ", " : " ", w[k].line);
	}
	fputs(" }", f);
}

static int
put_rule(FILE *f, const struct ws_varrule *r)
{
	unsigned set;

	if (r->re != NULL)
		return -1;	/* a compiled regex cannot be frozen */
	fputs("\t{ .r = {\n", f);
	fprintf(f, "\t    .glob = %d, .shape = %d, .litlen = %zu,\n",
	    r->glob, (int)r->shape, r->litlen);
	fprintf(f, "\t    .mask = 0x%016llxULL, .order = %zu, .set = 0x%x,\n",
	    (unsigned long long)r->mask, r->order, r->set);
	fprintf(f, "\t    .secret = %d, .distinct = %d, .debug = %d,\n",
	    r->secret, r->distinct, r->debug);
	fprintf(f, "\t    .required = %d, .min_length = %zu,\n",
	    (int)r->required, r->min_length);
	fputs("\t    .where = ", f);
	put_where(f, r->where, NWHERE(r->where), &set);
	fputs(" },\n\t  .pattern = ", f);
	put_cstr(f, r->pattern);
	fprintf(f, ", .lit_off = %zu, .where_set = 0x%x,\n\t  .forbid = ",
	    r->lit ? (size_t)(r->lit - r->pattern) : (size_t)-1, set);
	put_list(f, r->forbid);
	fputs(" },\n", f);
	return 0;
}

static void
put_u64s(FILE *f, const char *name, const uint64_t *a, size_t n)
{
	size_t i;

	fprintf(f, "static const uint64_t %s[] = {", name);
	for (i = 0; i < n; i++)
		fprintf(f, "%s0x%016llxULL", i == 0 ? "\n\t" :
		    i % 3 ? ", " : ",\n\t",
		    (unsigned long long)a[i]);
	fputs("\n};\n\n", f);
}

static void
put_sizes(FILE *f, const char *name, const size_t *a, size_t n)
{
	size_t i;

	fprintf(f, "static const size_t %s[] = {", name);
	for (i = 0; i < n; i++)
		fprintf(f, "%s%zu", i == 0 ? "\n\t" : i % 10 ? ", " : ",\n\t",
		    a[i]);
	fputs("\n};\n\n", f);
}

static size_t
list_len(char *const *l)
{
	size_t n = 0;

	while (l != NULL && l[n] != NULL)
		n++;
	return n;
}

int
ws_policy_freeze(const struct ws_policy *p, const char *name, FILE *f)
{
	const struct ws_settings *s = &p->set;
	const struct ws_default *d;
	unsigned set;
	size_t i;

	if (s->path != NULL || p->n_files > 1 || p->example != NULL)
		return -1;	/* a user's file: not the built-in policy */
	fputs("/* Generated by gen-builtin from the built-in policy text "
	    "(src/builtin.c);\n * see src/frozen.c.  Do not edit. */\n"
	    "#include \"config.h\"\n\n#include \"withsecrets.h\"\n\n", f);
	fputs("static const struct ws_frozen_rule rules[] = {\n", f);
	for (i = 0; i < p->n_rules; i++)
		if (put_rule(f, &p->rules[i]) != 0)
			return -1;
	fputs("\t{ .pattern = NULL }\n};\n\n", f);
	fputs("static const struct ws_default defaults[] = {\n", f);
	for (i = 0; i < p->n_defaults; i++) {
		d = &p->defaults[i];
		fputs("\t{ ", f);
		put_cstr(f, d->name);
		fputs(", ", f);
		put_string(f, d->value, d->vallen);
		fprintf(f, ", %zu, NULL, %u },\n", d->vallen, d->line);
	}
	fputs("\t{ NULL, NULL, 0, NULL, 0 }\n};\n\n", f);
	put_u64s(f, "ph_masks", p->ph_masks, list_len(p->ph_literals) + 1);
	put_sizes(f, "ph_lens", p->ph_lens, list_len(p->ph_values) + 1);

	fprintf(f, "const struct ws_frozen %s = {\n", name);
	fprintf(f, "\t.set = { .file_vars = %d, .max_secret_size = %zu,\n"
	    "\t    .plaintext_secrets = %d },\n", (int)s->file_vars,
	    s->max_secret_size, (int)s->plaintext_secrets);
	fputs("\t.environment_vars = ", f);
	put_list(f, s->environment_vars);
	fputs(",\n\t.lenient_environments = ", f);
	put_list(f, s->lenient_environments);
	fputs(",\n\t.secrets_dirs = ", f);
	put_list(f, s->secrets_dirs);
	fputs(",\n\t.keep = ", f);
	put_list(f, s->keep);
	fputs(",\n\t.deny = ", f);
	put_list(f, s->deny);
	fputs(",\n\t.ignore_file_vars = ", f);
	put_list(f, s->ignore_file_vars);
	fputs(",\n\t.example = ", f);
	put_cstr(f, s->example);
	fputs(",\n\t.where = ", f);
	put_where(f, p->where, NWHERE(p->where), &set);
	fprintf(f, ",\n\t.where_set = 0x%x,\n", set);
	fprintf(f, "\t.rules = rules, .n_rules = %zu,\n", p->n_rules);
	fprintf(f, "\t.defaults = defaults, .n_defaults = %zu,\n",
	    p->n_defaults);
	fputs("\t.ph_values = ", f);
	put_list(f, p->ph_values);
	fputs(",\n\t.ph_patterns = ", f);
	put_list(f, p->ph_patterns);
	fputs(",\n\t.ph_literals = ", f);
	put_list(f, p->ph_literals);
	fputs(",\n\t.ph_masks = ph_masks, .ph_lens = ph_lens,\n", f);
	fprintf(f, "\t.example_named = %d,\n\t.file = ", p->example_named);
	put_cstr(f, p->n_files ? p->files[0] : NULL);
	fputs("\n};\n", f);
	return ferror(f) ? -1 : 0;
}
