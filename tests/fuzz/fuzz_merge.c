/*
 * libFuzzer target for the merge and precedence step (SPEC §4, §7): the
 * store of vars.c and the final environment of envbuild.c, checked
 * against a model written here from the SPEC's words.
 *
 * The input is a program: each operation creates a source (a kind and
 * a rank), adds an entry (a name from a small pool, so that names
 * collide), removes one, or looks one up.  After every lookup and at
 * the end the store must agree with the model:
 *   - a name's entries are ordered by rank, lowest first; among equal
 *     ranks, the one added first comes first;
 *   - a later entry of the same name in the same source replaces the
 *     earlier one in place;
 *   - names are iterated in the order they were first seen;
 * and the environment block must hold, once per name, the entry the
 * command gets: the first that has a value (and, with --clean, is not
 * an inherited one outside the keep list), unless it is a pointer, a
 * WITHSECRETS_* name or an --unset one.
 *
 * Build: ./configure --enable-fuzzing CC=clang && make fuzz
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "withsecrets.h"
#include "opts.h"
#include "util.h"
#include "secmem.h"
#include "vars.h"
#include "effective.h"
#include "../unit/stage.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define MAX_SOURCES	12
#define MAX_ENTRIES	256
#define N_NAMES		10

/* Names that collide, and the special ones of SPEC §7. */
static const char *const pool[N_NAMES] = {
	"A", "B", "PATH", "KEEP_ME", "WITHSECRETS_ENV", "DB_PASSWORD",
	"DB_PASSWORD_FILE", "CREDENTIALS_DIRECTORY", "LC_ALL", "x.y-z[1]"
};

/* The model: every entry ever added, in the order it was added. */
struct mentry {
	int		 name;		/* index in pool */
	int		 src;		/* index of the source */
	const char	*value;
	size_t		 vallen;
	unsigned	 flags;
	unsigned	 line;
	int		 live;
	size_t		 seq;		/* order of insertion in its chain */
};

struct model {
	struct mentry	 e[MAX_ENTRIES];
	size_t		 n;
	int		 rank[MAX_SOURCES];
	enum ws_kind	 kind[MAX_SOURCES];
	int		 first_seen[N_NAMES];	/* order, or -1 */
	int		 n_seen;
	size_t		 seq;
};

struct input {
	const uint8_t	*p;
	size_t		 n;
};

static unsigned
take(struct input *in)
{
	unsigned c;

	if (in->n == 0)
		return 0;
	c = *in->p++;
	in->n--;
	return c;
}

/* The model's chain of one name: live entries sorted by (rank, seq). */
static size_t
model_chain(const struct model *m, int name, const struct mentry **out)
{
	size_t n = 0, i, j;
	const struct mentry *t;

	for (i = 0; i < m->n; i++)
		if (m->e[i].live && m->e[i].name == name)
			out[n++] = &m->e[i];
	for (i = 1; i < n; i++)		/* insertion sort: stable */
		for (j = i; j > 0; j--) {
			const struct mentry *a = out[j - 1], *b = out[j];

			if (m->rank[a->src] < m->rank[b->src] ||
			    (m->rank[a->src] == m->rank[b->src] &&
			    a->seq < b->seq))
				break;
			t = out[j - 1];
			out[j - 1] = out[j];
			out[j] = t;
		}
	return n;
}

static void
compare_chain(struct ws_store *st, struct ws_source **srcs,
    const struct model *m, int name)
{
	const struct mentry *want[MAX_ENTRIES];
	size_t n = model_chain(m, name, want), i;
	struct ws_var *v;

	v = ws_store_get(st, pool[name], strlen(pool[name]));
	for (i = 0; i < n; i++, v = v->next_in_name) {
		if (v == NULL || v->src != srcs[want[i]->src] ||
		    v->value != want[i]->value ||
		    v->vallen != want[i]->vallen ||
		    v->flags != want[i]->flags || v->line != want[i]->line ||
		    strcmp(v->name, pool[name]) != 0)
			abort();
	}
	if (v != NULL)
		abort();	/* an entry the model does not have */
}

/* The keep list of the run below: PATH and KEEP_* (SPEC §7, --keep). */
static int
model_kept(int name)
{
	return strcmp(pool[name], "PATH") == 0 ||
	    strncmp(pool[name], "KEEP_", 5) == 0 ||
	    strcmp(pool[name], "CREDENTIALS_DIRECTORY") == 0;
}

/* What the command gets for name, per SPEC §7, or NULL. */
static const struct mentry *
model_effective(const struct model *m, int name, int clean, int unset)
{
	const struct mentry *chain[MAX_ENTRIES], *e = NULL;
	size_t n = model_chain(m, name, chain), i;

	for (i = 0; i < n; i++) {
		if (chain[i]->flags & (WS_VAR_NO_VALUE | WS_VAR_SKIPPED))
			continue;
		if (clean && m->kind[chain[i]->src] == WS_KIND_INHERITED &&
		    !model_kept(name))
			continue;
		e = chain[i];
		break;
	}
	if (e == NULL || (e->flags & WS_VAR_POINTER) || unset ||
	    strncmp(pool[name], "WITHSECRETS_", 12) == 0)
		return NULL;
	return e;
}

static void
compare_env(struct ws_run *run, const struct model *m, int unset_name)
{
	const struct mentry *e;
	char **envp, *want;
	size_t k, i, n = 0;
	int name, found;

	if (status_of(ws_envbuild, run) != 0)
		abort();
	envp = run->envp;
	/* in the order names were first seen, each once */
	for (k = 0; k < (size_t)m->n_seen; k++) {
		for (name = 0; name < N_NAMES; name++)
			if (m->first_seen[name] == (int)k)
				break;
		e = model_effective(m, name, run->opts->clean,
		    name == unset_name);
		if (e == NULL)
			continue;
		want = ws_xasprintf("%s=%.*s", pool[name], (int)e->vallen,
		    e->value);
		found = envp[n] != NULL && strcmp(envp[n], want) == 0;
		free(want);
		if (!found)
			abort();
		n++;
	}
	if (envp[n] != NULL)
		abort();	/* more than the model's */
	for (i = 0; envp[i] != NULL; i++)
		if (strchr(envp[i], '=') == NULL)
			abort();
	/* the block is kept in ws_work, which nothing else here uses */
	ws_arena_wipe(&ws_work);
	run->envp = NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int base[] = { WS_RANK_INHERITED, WS_RANK_SECRET_DIR,
	    WS_RANK_ENV_FILE, WS_RANK_INHERITED_OVERRIDE, WS_RANK_DEFAULT };
	static int ready;
	static struct model m;
	struct input in = { data, size };
	struct ws_source *srcs[MAX_SOURCES];
	struct ws_settings set;
	struct ws_opts opts;
	struct ws_run run;
	struct ws_store *st;
	struct ws_var *v;
	char *values, *unset[2] = { NULL, NULL };
	size_t nsrc = 0, it, i, k;
	int unset_name = -1, name;
	unsigned op, s;

	if (!ready) {
		ws_secmem_init();
		ready = 1;
	}
	memset(&m, 0, sizeof(m));
	for (i = 0; i < N_NAMES; i++)
		m.first_seen[i] = -1;
	/* values point into a copy of the input, alive as long as the store */
	values = malloc(size ? size : 1);
	if (values == NULL)
		abort();
	memcpy(values, data, size);
	st = ws_store_new();

	while (in.n > 0 && m.n < MAX_ENTRIES) {
		op = take(&in) % 5;
		if (op == 0 || nsrc == 0) {		/* a source */
			if (nsrc == MAX_SOURCES)
				continue;
			s = take(&in);
			m.kind[nsrc] = (enum ws_kind)(s % 4);
			m.rank[nsrc] = base[(s >> 2) % 5] + (int)(take(&in) % 4);
			srcs[nsrc] = ws_store_source(st, m.kind[nsrc], NULL,
			    m.rank[nsrc]);
			nsrc++;
		} else if (op == 1 || op == 2) {	/* an entry */
			struct mentry *e = NULL, *nw;
			size_t off, len;

			s = (unsigned)(take(&in) % nsrc);
			name = (int)(take(&in) % N_NAMES);
			len = take(&in) % 16;
			off = (size_t)(in.p - data);
			if (len > in.n)
				len = in.n;
			in.p += len;
			in.n -= len;
			for (i = 0; i < m.n; i++)
				if (m.e[i].live && m.e[i].name == name &&
				    m.e[i].src == (int)s)
					e = &m.e[i];
			nw = e != NULL ? e : &m.e[m.n++];
			if (e == NULL) {
				nw->name = name;
				nw->src = (int)s;
				nw->live = 1;
				nw->seq = m.seq++;
			}
			nw->value = values + off;
			nw->vallen = len;
			nw->flags = take(&in) & (WS_VAR_NO_VALUE |
			    WS_VAR_SKIPPED | WS_VAR_POINTER | WS_VAR_SECRET);
			nw->line = take(&in);
			if (m.first_seen[name] < 0)
				m.first_seen[name] = m.n_seen++;
			v = ws_store_add(st, srcs[s], pool[name],
			    strlen(pool[name]), nw->value, nw->vallen,
			    nw->line, nw->flags);
			if (v == NULL || v->src != srcs[s])
				abort();
		} else if (op == 3) {			/* remove one */
			name = (int)(take(&in) % N_NAMES);
			k = take(&in);
			v = ws_store_get(st, pool[name], strlen(pool[name]));
			for (; v != NULL && k > 0; k--)
				v = v->next_in_name;
			if (v == NULL)
				continue;
			for (i = 0; i < m.n; i++)
				if (m.e[i].live && m.e[i].name == name &&
				    srcs[m.e[i].src] == v->src)
					m.e[i].live = 0;
			ws_store_remove(st, v);
		} else {				/* look one up */
			name = (int)(take(&in) % N_NAMES);
			compare_chain(st, srcs, &m, name);
		}
	}

	/* Every chain, and the names in first-seen order (a name whose
	 * entries were all removed is skipped). */
	for (name = 0; name < N_NAMES; name++)
		compare_chain(st, srcs, &m, name);
	it = 0;
	for (k = 0; k < (size_t)m.n_seen; k++) {
		const struct mentry *chain[MAX_ENTRIES];

		for (name = 0; name < N_NAMES; name++)
			if (m.first_seen[name] == (int)k)
				break;
		if (model_chain(&m, name, chain) == 0)
			continue;
		v = ws_store_next(st, &it);
		if (v == NULL || strcmp(v->name, pool[name]) != 0)
			abort();
	}
	if (ws_store_next(st, &it) != NULL)
		abort();
	for (i = 0, k = 0; i < m.n; i++)
		k += m.e[i].live;
	if (ws_store_count(st) != k)
		abort();

	/* The environment block, with and without --clean and --unset. */
	memset(&opts, 0, sizeof(opts));
	memset(&set, 0, sizeof(set));
	memset(&run, 0, sizeof(run));
	{
		static char p1[] = "PATH", p2[] = "KEEP_*";
		static char *keep[] = { p1, p2, NULL };

		set.keep = keep;
	}
	run.opts = &opts;
	run.set = &set;
	run.store = st;
	s = size > 0 ? data[size - 1] : 0;
	opts.clean = s & 1;
	if (s & 2) {
		unset_name = (int)((s >> 2) % N_NAMES);
		unset[0] = (char *)pool[unset_name];
		opts.unset = unset;
		opts.n_unset = 1;
	}
	compare_env(&run, &m, unset_name);

	ws_decision_free(&run);
	ws_store_free(st);
	free(values);
	return 0;
}
