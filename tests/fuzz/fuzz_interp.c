/*
 * libFuzzer target for interpolation under the precedence of SPEC §4.4:
 * "a name resolves to the value it has at that point under the
 * precedence of §4".  The input describes the world a .env file is read
 * in (the inherited environment, a secrets directory, a .env layer
 * above the file and one below it, the policy's [defaults]) and the
 * text of the file.  A probe line for each name of the world is added
 * at the end of the text; each probe's value must be the value the
 * model below gives:
 *
 *	inherited (below the .env layers with --override), then the
 *	secrets directory, then the file itself, then the layer below,
 *	then [defaults]; a layer above the file is never visible.
 *
 * Every world value carries a marker; no finding may hold it (unless
 * the input spells it out).  The same text is parsed again with other
 * values in the layer above: every entry must come out the same (that
 * layer is invisible, and the result depends on the input alone).
 *
 * Input: world lines up to the first NUL byte, each "KNAME=VALUE"
 * where K is one of I S U L D (inherited, secret dir, upper layer,
 * lower layer, default) and NAME is [A-Za-z_][A-Za-z0-9_]*; then one
 * byte of options (bit 0: --override, which puts the inherited
 * environment below the layers: S, file, L, I, D); then the .env text.
 *
 * Build: ./configure --enable-fuzzing CC=clang && make fuzz
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "withsecrets.h"
#include "opts.h"
#include "util.h"
#include "secmem.h"
#include "diag.h"
#include "names.h"
#include "vars.h"
#include "frozen.h"
#include "dotenv.h"
#include "resolve.h"

/* -C: the current directory, as ws_opts_parse() makes it */
static char dot_dir[] = ".";
static char *current_dir[] = { dot_dir, NULL };

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define MARKER		"m4rk#"
#define UPPER_MARKER	"UPP3R#"
#define UPPER_OTHER	"0THER#"
#define MAX_WORLD	16
#define MAX_VALUE	4096

struct wvar {
	char		 kind;		/* I S U L D */
	char		*name;
	char		*value;		/* with its marker */
	char		*envstr;	/* "NAME=VALUE" for environ */
};

struct world {
	struct wvar	 v[MAX_WORLD];
	size_t		 n;
	char		*environ_in[MAX_WORLD + 1];
};

static int
ident(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 64 || !((s[0] >= 'A' && s[0] <= 'Z') ||
	    (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return 0;
	for (i = 1; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z') || s[i] == '_' ||
		    (s[i] >= '0' && s[i] <= '9')))
			return 0;
	/* no pointers (nothing is read from disk here) and no probes */
	return strncmp(s, "ZZP", 3) != 0 && ws_pointer_target(s, n,
	    &(const char *){ NULL }) == 0;
}

static void
world_parse(struct world *w, const char *s, size_t n, const char *upper)
{
	const char *line, *nl, *eq;
	size_t len, i, k;

	memset(w, 0, sizeof(*w));
	for (line = s; line < s + n && w->n < MAX_WORLD; line = nl + 1) {
		if ((nl = memchr(line, '\n', (size_t)(s + n - line))) == NULL)
			nl = s + n;
		len = (size_t)(nl - line);
		if (len < 3 || strchr("ISULD", line[0]) == NULL ||
		    (eq = memchr(line, '=', len)) == NULL ||
		    !ident(line + 1, (size_t)(eq - line - 1)) ||
		    memchr(line, '\0', len) != NULL)
			continue;
		for (i = 0; i < w->n; i++)	/* one entry per kind and name */
			if (w->v[i].kind == line[0] &&
			    strlen(w->v[i].name) == (size_t)(eq - line - 1) &&
			    memcmp(w->v[i].name, line + 1, (size_t)(eq - line - 1))
			    == 0)
				break;
		if (i < w->n)
			continue;
		k = w->n++;
		w->v[k].kind = line[0];
		w->v[k].name = ws_xstrndup(line + 1, (size_t)(eq - line - 1));
		w->v[k].value = ws_xasprintf("%.*s%s", (int)(nl - eq - 1),
		    eq + 1, line[0] == 'U' ? upper : MARKER);
		w->v[k].envstr = ws_xasprintf("%s=%s", w->v[k].name,
		    w->v[k].value);
	}
	for (i = 0, k = 0; i < w->n; i++)
		if (w->v[i].kind == 'I')
			w->environ_in[k++] = w->v[i].envstr;
	w->environ_in[k] = NULL;
}

static void
world_free(struct world *w)
{
	size_t i;

	for (i = 0; i < w->n; i++) {
		free(w->v[i].name);
		free(w->v[i].value);
		free(w->v[i].envstr);
	}
}

/* The store a file is read in: the world's sources, and the file's. */
static struct ws_store *
world_store(const struct world *w, int override, struct ws_source **file)
{
	struct ws_store *st = ws_store_new();
	struct ws_source *s[5];
	static const char kinds[] = "ISULD";
	size_t i, k;

	s[0] = ws_store_source(st, WS_KIND_INHERITED, NULL, override ?
	    WS_RANK_INHERITED_OVERRIDE : WS_RANK_INHERITED);
	s[1] = ws_store_source(st, WS_KIND_SECRET_DIR, "secrets",
	    WS_RANK_SECRET_DIR);
	s[2] = ws_store_source(st, WS_KIND_ENV_FILE, "upper.env",
	    WS_RANK_ENV_FILE);
	s[3] = ws_store_source(st, WS_KIND_ENV_FILE, "lower.env",
	    WS_RANK_ENV_FILE + 2);
	s[4] = ws_store_source(st, WS_KIND_DEFAULT, "fuzz.ini",
	    WS_RANK_DEFAULT);
	*file = ws_store_source(st, WS_KIND_ENV_FILE, "fuzz.env",
	    WS_RANK_ENV_FILE + 1);
	for (i = 0; i < w->n; i++) {
		k = (size_t)(strchr(kinds, w->v[i].kind) - kinds);
		(void)ws_store_add(st, s[k], w->v[i].name,
		    strlen(w->v[i].name), w->v[i].value,
		    strlen(w->v[i].value), 0, k == 1 ? WS_VAR_SECRET : 0);
	}
	return st;
}

/* What ${name} gives at the end of the file, by the model. */
static const char *
model_value(const struct world *w, struct ws_store *st,
    struct ws_source *file, const char *name, int override)
{
	static const char order_plain[] = "IS*LD", order_over[] = "S*LID";
	const char *order = override ? order_over : order_plain, *o;
	struct ws_var *v;
	size_t i;

	for (o = order; *o != '\0'; o++) {
		if (*o == '*') {	/* the file itself, above the probes */
			v = ws_store_get_in(st, file, name, strlen(name));
			if (v != NULL && !(v->flags & WS_VAR_NO_VALUE))
				return v->value;
			continue;
		}
		for (i = 0; i < w->n; i++)
			if (w->v[i].kind == *o && strcmp(w->v[i].name, name)
			    == 0)
				return w->v[i].value;
	}
	return "";
}

static int
has_marker(const char *s)
{
	return s != NULL && (strstr(s, MARKER) != NULL ||
	    strstr(s, UPPER_MARKER) != NULL);
}

/* Does a finding hold a value of the world? */
static int
leaks(const uint8_t *data, size_t size)
{
	const struct ws_finding *f;
	size_t i;

	if (memmem(data, size, MARKER, sizeof(MARKER) - 1) != NULL ||
	    memmem(data, size, UPPER_MARKER, sizeof(UPPER_MARKER) - 1) != NULL)
		return 0;	/* spelled out by the input itself */
	for (i = 0; (f = ws_finding_at(i)) != NULL; i++)
		if (has_marker(f->message) || has_marker(f->name) ||
		    has_marker(f->source))
			return 1;
	return 0;
}

/* Parse text (with the probes) in a fresh store; returns the store.
 * Values may point into *bufp: freed by the caller with the store. */
static struct ws_store *
parse(struct ws_run *run, const struct world *w, const char *text,
    size_t len, struct ws_source **file, int *rc, char **bufp)
{
	struct ws_store *st = world_store(w, run->opts->override, file);
	struct ws_dotenv_in in = { 0 };
	char *buf;

	/* exactly as long as it is, where ASan sees past its end */
	if ((buf = malloc(len ? len : 1)) == NULL)
		abort();
	memcpy(buf, text, len);
	in.store = st;
	in.src = *file;
	in.max = run->set->max_secret_size;
	in.environ = run->environ_in;
	*rc = ws_dotenv_parse(&in, "fuzz.env", buf, len);
	*bufp = buf;
	return st;
}

/* Every entry of the file: a valid name, a value without NUL within
 * max-secret-size. */
static void
check_entries(struct ws_run *run, struct ws_store *st, struct ws_source *file)
{
	struct ws_var *v;
	size_t it = 0;

	while ((v = ws_store_next(st, &it)) != NULL)
		for (; v != NULL; v = v->next_in_name) {
			if (v->src != file)
				continue;
			if (!ws_name_valid(v->name, v->namelen) ||
			    strlen(v->value) != v->vallen ||
			    v->vallen > run->set->max_secret_size)
				abort();
		}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct ws_opts opts;
	struct ws_run run;
	struct ws_store *st, *st2;
	char *buf, *buf2;
	struct ws_source *file, *file2;
	struct world w, w2;
	const uint8_t *nul;
	const char *text;
	char *full, *probe;
	size_t tlen, flen, i;
	struct ws_var *a, *b;
	int rc, rc2;

	if (!ready) {
		ws_secmem_init();
		ready = 1;
	}
	if ((nul = memchr(data, '\0', size)) == NULL || nul + 1 >= data + size)
		return 0;
	world_parse(&w, (const char *)data, (size_t)(nul - data), UPPER_MARKER);
	world_parse(&w2, (const char *)data, (size_t)(nul - data), UPPER_OTHER);
	memset(&opts, 0, sizeof(opts));
	memset(&run, 0, sizeof(run));
	opts.dirs = current_dir;
	opts.n_dirs = 1;
	opts.dir = current_dir[0];
	opts.no_layers = 1;
	opts.override = nul[1] & 1;
	run.opts = &opts;
	run.environ_in = w.environ_in;
	run.policy = ws_policy_new();
	run.set = &run.policy->set;
	run.set->max_secret_size = MAX_VALUE;
	/* lookups resolve NAME_FILE only in the run's store: not this one */
	run.store = ws_store_new();
	ws_diag_reset();

	/* the text, then a probe per name of the world */
	text = (const char *)nul + 2;
	tlen = size - (size_t)(nul - data) - 2;
	full = ws_xmalloc(tlen + 1);
	memcpy(full, text, tlen);
	flen = tlen;
	for (i = 0; i < w.n; i++) {
		probe = ws_xasprintf("\nZZP%zu=${%s}\n", i, w.v[i].name);
		full = ws_xrealloc(full, flen + strlen(probe) + 1);
		memcpy(full + flen, probe, strlen(probe));
		flen += strlen(probe);
		free(probe);
	}

	st = parse(&run, &w, full, flen, &file, &rc, &buf);
	check_entries(&run, st, file);
	if (rc != 0 && rc != WS_EX_DATAERR && rc != WS_EX_POLICY)
		abort();
	if (leaks(data, size))
		abort();
	/* the probes, when the file parsed */
	for (i = 0; rc == 0 && i < w.n; i++) {
		char pname[32];
		const char *want;

		(void)snprintf(pname, sizeof(pname), "ZZP%zu", i);
		want = model_value(&w, st, file, w.v[i].name, opts.override);
		a = ws_store_get_in(st, file, pname, strlen(pname));
		if (a == NULL || strcmp(a->value, want) != 0)
			abort();
	}

	/* the same text again, the layer above holding other values: the
	 * same entries (the layer above is invisible, and nothing depends
	 * on anything but the input) */
	ws_diag_reset();
	run.environ_in = w2.environ_in;
	st2 = parse(&run, &w2, full, flen, &file2, &rc2, &buf2);
	if (rc2 != rc)
		abort();
	{
		size_t it = 0;

		while ((a = ws_store_next(st, &it)) != NULL)
			for (; a != NULL; a = a->next_in_name) {
				if (a->src != file)
					continue;
				b = ws_store_get_in(st2, file2, a->name,
				    a->namelen);
				if (b == NULL || b->vallen != a->vallen ||
				    memcmp(a->value, b->value, a->vallen) != 0 ||
				    b->flags != a->flags || b->line != a->line)
					abort();
			}
	}

	free(full);
	ws_store_free(st);
	ws_store_free(st2);
	free(buf);
	free(buf2);
	ws_store_free(run.store);
	ws_resolve_free();
	ws_policy_free(&run);
	ws_intern_free();
	ws_diag_reset();
	world_free(&w);
	world_free(&w2);
	if (ws_arena_mapped(&ws_work) > (size_t)32 * 1024 * 1024)
		ws_secmem_wipe_all();
	return 0;
}
