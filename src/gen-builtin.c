/*
 * gen-builtin: parse the built-in policy text (src/builtin.c) with the
 * parser withsecrets uses for every policy file, and print the result
 * as C data (src/frozen.c), which withsecrets links: a run then thaws
 * the policy instead of parsing the text (SPEC §9).  Run by the
 * Makefile; the output is builtin-frozen.c in the build directory.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "withsecrets.h"
#include "secmem.h"
#include "vars.h"
#include "policy.h"
#include "frozen.h"

#define NWHERE(a)	((unsigned)(sizeof(a) / sizeof((a)[0])))

/* ------------------------------------------------------------------ */
/* Freezing: the C source of a struct ws_frozen, thawed by frozen.c.   */

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

/* Every string of the policy, one after another, and every list's word
 * offsets: printed once, before the data that holds offsets into them
 * (the rules then hold no pointer: frozen.h). */
static struct {
	char	*p;
	size_t	 len, cap;
} text;
static struct {
	size_t	*v;
	size_t	 n, cap;
} offs;

static void *
grow(void *p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return p;
	while (*cap < need)
		*cap = *cap ? *cap * 2 : 256;
	if ((p = realloc(p, *cap * size)) == NULL) {
		fputs("gen-builtin: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

/* Append [s, s + n) to the text: its offset. */
static size_t
add_text(const char *s, size_t n)
{
	size_t at = text.len;

	text.p = grow(text.p, &text.cap, text.len + n, 1);
	memcpy(text.p + text.len, s, n);
	text.len += n;
	return at;
}

static size_t
add_offset(size_t o)
{
	offs.v = grow(offs.v, &offs.cap, offs.n + 1, sizeof(*offs.v));
	offs.v[offs.n] = o;
	return offs.n++;
}

static void
put_list(FILE *f, char *const *list)
{
	size_t n, at, first = offs.n;

	if (list == NULL) {
		fputs("{ 0, 0, 0, 0, 0 }", f);
		return;
	}
	at = text.len;
	for (n = 0; list[n] != NULL; n++) {
		(void)add_offset(text.len - at);
		(void)add_text(list[n], strlen(list[n]) + 1);
	}
	fprintf(f, "{ %zu, %zu, %zu, 1, %zu }", at, text.len - at, n, first);
}

/* The text and the offsets, as C arrays. */
static void
put_text(FILE *f)
{
	size_t i;

	fputs("static const char frozen_text[] =", f);
	for (i = 0; i < text.len; i += 48) {
		fputs("\n\t", f);
		put_string(f, text.p + i, text.len - i < 48 ? text.len - i : 48);
	}
	fputs(text.len ? ";\n\n" : " \"\";\n\n", f);
	fputs("static const size_t frozen_offs[] = {", f);
	for (i = 0; i < offs.n; i++)
		fprintf(f, "%s%zu,", i % 12 ? " " : "\n\t", offs.v[i]);
	fputs(" 0\n};\n\n", f);
}

/* A chain head table of the index: its non-empty buckets. */
static void
put_heads(FILE *f, const char *name, const uint32_t *h)
{
	size_t i;

	fprintf(f, "\t.%s = {", name);
	for (i = 0; i < WS_INDEX_BUCKETS; i++)
		if (h[i] != 0)
			fprintf(f, " [%zu] = %u,", i, (unsigned)h[i]);
	fputs(" },\n", f);
}

/* The index of the rules, less its two pointers (frozen.c sets them),
 * and the arrays they point to.  0: there is none. */
static size_t
put_index(FILE *f, const struct ws_policy *p)
{
	const struct ws_ruleindex *x = p->index;
	size_t i, nb = 0;

	if (x == NULL)
		return 0;
	for (i = 0; i < WS_INDEX_BUCKETS; i++)
		if (x->inner[i] > nb)	/* the last entry heads its chain */
			nb = x->inner[i];
	fputs("static const uint32_t index_next[] = {", f);
	for (i = 0; i < x->n_rules; i++)
		fprintf(f, "%s%u,", i % 12 ? " " : "\n\t", (unsigned)x->next[i]);
	fputs(" 0\n};\n\nstatic const struct ws_litbyte index_bytes[] = {",
	    f);
	for (i = 0; i < nb; i++)
		fprintf(f, "%s{ %u, %u, %u, %u, %u },", i % 3 ? " " : "\n\t",
		    (unsigned)x->bytes[i].rule, (unsigned)x->bytes[i].off,
		    (unsigned)x->bytes[i].after, (unsigned)x->bytes[i].next,
		    (unsigned)x->bytes[i].lead);
	fputs(" { 0, 0, 0, 0, 0 }\n};\n\nstatic const struct ws_ruleindex index = {\n",
	    f);
	fprintf(f, "\t.n_rules = %zu, .exact_lens = 0x%016llxULL,\n",
	    x->n_rules, (unsigned long long)x->exact_lens);
	put_heads(f, "exact", x->exact);
	put_heads(f, "prefix", x->prefix);
	put_heads(f, "suffix", x->suffix);
	put_heads(f, "inner", x->inner);
	fprintf(f, "\t.other = %u, .step = %zu\n};\n\n", (unsigned)x->other,
	    x->step);
	return nb;
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
	fprintf(f, "\t    .gen_fmt = %d, .gen_n = %zu,\n", (int)r->gen_fmt,
	    r->gen_n);
	fputs("\t    .where = ", f);
	put_where(f, r->where, NWHERE(r->where), &set);
	fprintf(f, " },\n\t  .pattern = %zu",
	    add_text(r->pattern, strlen(r->pattern) + 1));
	fprintf(f, ", .pattern_len = %zu", strlen(r->pattern));
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

/* The placeholder filter, the words of its tables that are not 0 only. */
static void
put_filter(FILE *f, const struct ws_phfilter *x)
{
	size_t i;

	fprintf(f, "\t.ph_filter = { .ready = %d, .always = %d, .step = %zu,\n"
	    "\t    .first = 0x%016llxULL,\n\t    .starts = {", x->ready,
	    x->always, x->step, (unsigned long long)x->first);
	for (i = 0; i < 64; i++)
		if (x->starts[i] != 0)
			fprintf(f, "\n\t\t[%zu] = 0x%016llxULL,", i,
			    (unsigned long long)x->starts[i]);
	fputs(" },\n\t    .pairs = {", f);
	for (i = 0; i < 64; i++)
		if (x->pairs[i] != 0)
			fprintf(f, "\n\t\t[%zu] = 0x%016llxULL,", i,
			    (unsigned long long)x->pairs[i]);
	fputs(" } },\n", f);
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

/* The data, less the text and offsets it refers to. */
static int
put_policy(const struct ws_policy *p, const char *name, FILE *f)
{
	const struct ws_settings *s = &p->set;
	const struct ws_default *d;
	unsigned set;
	size_t i, nb;

	fputs("static const struct ws_frozen_rule rules[] = {\n", f);
	for (i = 0; i < p->n_rules; i++)
		if (put_rule(f, &p->rules[i]) != 0)
			return -1;
	fputs("\t{ .pattern = 0 }\n};\n\n", f);
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
	nb = put_index(f, p);
	put_u64s(f, "ph_masks", p->ph_masks, list_len(p->ph_literals) + 1);
	put_sizes(f, "ph_lens", p->ph_lens, list_len(p->ph_values) + 1);

	fputs("static const struct ws_frozen_plain plain = {\n", f);
	fprintf(f, "\t.set = { .file_vars = %d, .max_secret_size = %zu,\n"
	    "\t    .plaintext_secrets = %d, .export_environment = %d,\n"
	    "\t    .audit = %d, .audit_required = %d },\n", (int)s->file_vars,
	    s->max_secret_size, (int)s->plaintext_secrets,
	    s->export_environment, (int)s->audit, s->audit_required);
	fputs("\t.where = ", f);
	put_where(f, p->where, NWHERE(p->where), &set);
	fputs(",\n", f);
	put_filter(f, &p->ph_filter);
	fputs("};\n\n", f);

	fprintf(f, "const struct ws_frozen %s = {\n", name);
	fputs("\t.text = frozen_text, .offs = frozen_offs, .plain = &plain,\n",
	    f);
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
	fputs(",\n\t.default_environment = ", f);
	put_cstr(f, s->default_environment);
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
	fprintf(f, "\t.ph_lenset = 0x%016llxULL,\n",
	    (unsigned long long)p->ph_lenset);
	fprintf(f, "\t.example_named = %d,\n\t.file = ", p->example_named);
	put_cstr(f, p->n_files ? p->files[0] : NULL);
	if (p->index != NULL)
		fprintf(f, ",\n\t.index = &index, .index_next = index_next,\n"
		    "\t.index_bytes = index_bytes, .index_nbytes = %zu", nb);
	fputs("\n};\n", f);
	return ferror(f) ? -1 : 0;
}

static int
policy_freeze(const struct ws_policy *p, const char *name, FILE *f)
{
	char *body = NULL;
	size_t len = 0;
	FILE *m;
	int rc;

	if (p->set.path != NULL || p->n_files > 1)
		return -1;	/* a user's file: not the built-in policy */
	/* the data first, to learn the text it refers to */
	if ((m = open_memstream(&body, &len)) == NULL)
		return -1;
	rc = put_policy(p, name, m);
	if (fclose(m) != 0 || rc != 0) {
		free(body);
		return -1;
	}
	fputs("/* Generated by gen-builtin from the built-in policy text "
	    "(src/builtin.c);\n * see src/frozen.c.  Do not edit. */\n"
	    "#include \"config.h\"\n\n#include \"withsecrets.h\"\n#include \"frozen.h\"\n\n", f);
	put_text(f);
	fwrite(body, 1, len, f);
	free(body);
	free(text.p);
	free(offs.v);
	return ferror(f) ? -1 : 0;
}

int
main(void)
{
	struct ws_policy *p;
	int rc;

	ws_secmem_init();
	p = ws_policy_new();	/* ws_builtin_frozen is NULL: parsed */
	rc = policy_freeze(p, "ws_builtin_frozen_data", stdout);
	ws_policy_destroy(p);
	ws_intern_free();
	ws_secmem_wipe_all();
	if (rc != 0 || fflush(stdout) != 0) {
		fputs("gen-builtin: the built-in policy cannot be frozen\n",
		    stderr);
		return 1;
	}
	return 0;
}
