/*
 * Output of check and explain: names, sources, kinds, lengths and rule
 * names, never a value.  Text goes to stderr (findings) or stdout (the
 * explain table); --format=json writes one JSON document to stdout.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "withsecrets.h"
#include "opts.h"
#include "util.h"
#include "out.h"
#include "diag.h"
#include "names.h"
#include "vars.h"
#include "policy.h"
#include "effective.h"

/* ------------------------------------------------------------------ */
/* JSON.                                                               */

/* A JSON string: quotes, backslashes and control characters escaped,
 * bytes that are not UTF-8 replaced by U+FFFD, so the document stays
 * valid whatever a file or variable name holds. */
static void
json_str(struct ws_out *f, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n, len;
	uint32_t cp;

	if (s == NULL) {
		ws_out_str(f, "null");
		return;
	}
	n = strlen(s);
	ws_out_char(f, '"');
	while (n > 0) {
		if (*u == '"' || *u == '\\') {
			ws_out_char(f, '\\');
			ws_out_char(f, *u);
		} else if (*u == '\n')
			ws_out_str(f, "\\n");
		else if (*u == '\t')
			ws_out_str(f, "\\t");
		else if (*u == '\r')
			ws_out_str(f, "\\r");
		else if (*u < 0x20 || *u == 0x7f)
			ws_out_fmt(f, "\\u%04x", *u);
		else if ((len = ws_utf8_decode(u, n, &cp)) == 0)
			ws_out_str(f, "\\ufffd");
		else {
			ws_out_mem(f, u, len);
			u += len;
			n -= len;
			continue;
		}
		u++;
		n--;
	}
	ws_out_char(f, '"');
}

static const char *
sev_name(enum ws_severity s)
{
	return s == WS_SEV_ERROR ? "error" : s == WS_SEV_WARNING ? "warning" :
	    "info";
}

static size_t
count_variables(struct ws_run *run)
{
	struct ws_var *head;
	size_t it = 0, n = 0;

	if (run->store == NULL)
		return 0;
	while ((head = ws_store_next(run->store, &it)) != NULL)
		if (ws_effective(run, head) != NULL)
			n++;
	return n;
}

static int
by_rank(const void *a, const void *b)
{
	int x = (*(struct ws_source *const *)a)->rank;
	int y = (*(struct ws_source *const *)b)->rank;

	return x < y ? -1 : x > y;
}

/* The .env layers read, highest first: every -C directory's and the
 * -f files (the store has a source for a file only once it was read;
 * a .env.local read to learn the environment "test" is not one). */
static void
json_layers(struct ws_run *run)
{
	struct ws_source *const *all, **l;
	size_t n = 0, k = 0, i;

	all = run->store != NULL ? ws_store_sources(run->store, &n) : NULL;
	l = ws_xcalloc(n + 1, sizeof(*l));
	for (i = 0; i < n; i++)
		if (all[i]->kind == WS_KIND_ENV_FILE && !all[i]->dropped)
			l[k++] = all[i];
	qsort(l, k, sizeof(*l), by_rank);
	ws_out_str(&ws_stdout, ",\"layers\":[");
	for (i = 0; i < k; i++) {
		if (i)
			ws_out_char(&ws_stdout, ',');
		json_str(&ws_stdout, l[i]->path);
	}
	ws_out_char(&ws_stdout, ']');
	free(l);
}

static void
check_json(struct ws_run *run)
{
	const struct ws_finding *f;
	size_t i, n = ws_finding_count();

	ws_out_str(&ws_stdout, "{\"environment\":");
	json_str(&ws_stdout, run->env_name);
	ws_out_str(&ws_stdout, ",\"environment_source\":");
	json_str(&ws_stdout, run->env_name_from);
	ws_out_fmt(&ws_stdout, ",\"strict\":%s,\"variables\":%zu",
	    run->strict ? "true" : "false", count_variables(run));
	json_layers(run);
	ws_out_str(&ws_stdout, ",\"findings\":[");
	for (i = 0; i < n; i++) {
		f = ws_finding_at(i);
		ws_out_str(&ws_stdout, i ? ",{\"rule\":" : "{\"rule\":");
		json_str(&ws_stdout, f->rule);
		ws_out_str(&ws_stdout, ",\"severity\":");
		json_str(&ws_stdout, sev_name(f->sev));
		ws_out_str(&ws_stdout, ",\"name\":");
		json_str(&ws_stdout, f->name);
		ws_out_str(&ws_stdout, ",\"source\":");
		json_str(&ws_stdout, f->source);
		ws_out_str(&ws_stdout, ",\"message\":");
		json_str(&ws_stdout, f->message);
		ws_out_char(&ws_stdout, '}');
	}
	ws_out_str(&ws_stdout, "]}\n");
}

/* A report that could not be written is a finding of its own. */
static int
flush_report(void)
{
	if (ws_out_flush(&ws_stdout) == 0)
		return 0;
	ws_finding(WS_SEV_ERROR, WS_EX_SOFTWARE, "internal", NULL, NULL,
	    "cannot write to standard output");
	return -1;
}

void
ws_check_report(struct ws_run *run)
{
	int status = ws_diag_status();
	size_t errors = ws_diag_count(WS_SEV_ERROR);
	size_t warnings = ws_diag_count(WS_SEV_WARNING);

	if (run->opts->format == WS_FORMAT_JSON) {
		check_json(run);
		if (flush_report() != 0)
			return;
	}
	ws_diag_flush();
	if (!ws_quiet && run->env_name != NULL) {
		size_t nv = count_variables(run);
		char *origin = ws_environment_origin(run);

		ws_msg("environment: %s (%s), %s", run->env_name, origin,
		    run->strict ? "strict" : "lenient");
		free(origin);
		ws_msg("check: %s (%s): %zu variable%s, %zu error%s, %zu "
		    "warning%s%s", run->env_name, run->strict ? "strict" :
		    "lenient", nv, nv == 1 ? "" : "s", errors,
		    errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s",
		    status != 0 ? ": the command would not run" : "");
	}
}

/* ------------------------------------------------------------------ */
/* explain.                                                            */

struct row {
	const char	*name;
	char		*source;
	char		*via;		/* file-var: where the pointer is */
	const char	*kind;
	int		 secret;
	size_t		 length;
	int		 unknown_len;	/* a reference: never fetched here */
	int		 skipped;
	char		**shadows;
	size_t		 n_shadows;
};

static const char *
kind_of(const struct ws_var *v)
{
	if (v->flags & WS_VAR_FROM_FILE)
		return "file-var";
	if (v->flags & (WS_VAR_REFERENCE | WS_VAR_FETCHED))
		return "store";
	return ws_source_kind_name(v->src->kind);
}

static void
add_shadow(void *arg, const struct ws_var *v, int pointer)
{
	struct row *r = arg;
	char *src = ws_var_source(v);

	r->shadows = ws_xrealloc(r->shadows,
	    (r->n_shadows + 1) * sizeof(*r->shadows));
	if (pointer) {
		r->shadows[r->n_shadows++] = ws_xasprintf("%s (%s)", src,
		    v->name);
		free(src);
	} else
		r->shadows[r->n_shadows++] = src;
}

static void
fill_row(struct ws_run *run, struct row *r, struct ws_var *head,
    struct ws_var *e)
{
	memset(r, 0, sizeof(*r));
	r->name = e->name;
	r->source = ws_var_source(e);
	r->kind = kind_of(e);
	r->secret = ws_policy_is_secret(run, e);
	r->length = e->vallen;
	r->skipped = (e->flags & WS_VAR_SKIPPED) != 0;
	if (e->flags & WS_VAR_REFERENCE) {
		/* the reference is an address, as a NAME_FILE path is;
		 * explain never fetches (SPEC §13) */
		r->via = r->source;
		r->source = ws_xstrndup(e->value, e->vallen);
		r->unknown_len = 1;
		r->secret = 1;
	}
	if (e->flags & WS_VAR_FROM_FILE)
		r->via = e->src->kind == WS_KIND_INHERITED ?
		    ws_xstrdup("environment") :
		    ws_source_fmt(e->src->path ? e->src->path : "?", e->line);
	if (!r->skipped)
		(void)ws_shadowed_each(run, head, e, add_shadow, r);
}

static void
free_row(struct row *r)
{
	size_t i;

	free(r->source);
	free(r->via);
	for (i = 0; i < r->n_shadows; i++)
		free(r->shadows[i]);
	free(r->shadows);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct row *)a)->name,
	    ((const struct row *)b)->name);
}

/* The entry to show for a name: what the command gets, or else a
 * skipped entry (a secret-directory file whose name is not valid). */
static struct ws_var *
shown(struct ws_run *run, struct ws_var *head)
{
	struct ws_var *v = ws_effective(run, head);

	if (v != NULL)
		return v;
	for (v = head; v != NULL; v = v->next_in_name)
		if (v->flags & WS_VAR_SKIPPED)
			return v;
	return NULL;
}

/* Why a name asked for is not shown. */
static void
not_shown(struct ws_run *run, const char *name)
{
	struct ws_var *head = ws_store_get(run->store, name, strlen(name));

	const char *target;
	size_t tlen;

	for (; head != NULL; head = head->next_in_name)
		if (!(head->flags & WS_VAR_NO_VALUE))
			break;
	if (head != NULL && (head->flags & WS_VAR_POINTER) &&
	    (tlen = ws_pointer_target(name, strlen(name), &target)) > 0)
		ws_finding(WS_SEV_WARNING, 0, "explain", name, NULL, "is a "
		    "pointer, not passed to the command; its file sets %.*s",
		    (int)tlen, target);
	else
		ws_finding(WS_SEV_WARNING, 0, "explain", name, NULL, "%s",
		    head ? "is set but not passed to the command (--unset, "
		    "--clean or WITHSECRETS_*)" : "is not set");
}

struct import_rows {
	struct row	*rows;
	size_t		 n;
};

/* An import, one line: its keys are known only once it is fetched. */
static void
import_row(void *arg, const char *store, const char *path)
{
	struct import_rows *ia = arg;
	struct row *r;

	ia->rows = ws_xrealloc(ia->rows, (ia->n + 1) * sizeof(*ia->rows));
	r = &ia->rows[ia->n++];
	memset(r, 0, sizeof(*r));
	r->name = "*";
	r->source = ws_xstrdup(path);
	r->via = ws_xasprintf("[store %s] import", store);
	r->kind = "store";
	r->secret = 1;
	r->unknown_len = 1;
}

static struct row *
collect(struct ws_run *run, size_t *np)
{
	struct import_rows ia;
	struct row *rows = NULL;
	struct ws_var *head, *e;
	char **names = run->opts->names;
	size_t n = 0, it = 0, i;

	if (names != NULL && names[0] != NULL) {
		for (i = 0; names[i] != NULL; i++) {
			head = ws_store_get(run->store, names[i],
			    strlen(names[i]));
			if (head == NULL || (e = shown(run, head)) == NULL) {
				not_shown(run, names[i]);
				continue;
			}
			rows = ws_xrealloc(rows, (n + 1) * sizeof(*rows));
			fill_row(run, &rows[n++], head, e);
		}
		*np = n;
		return rows;
	}
	while ((head = ws_store_next(run->store, &it)) != NULL) {
		if ((e = shown(run, head)) == NULL)
			continue;
		rows = ws_xrealloc(rows, (n + 1) * sizeof(*rows));
		fill_row(run, &rows[n++], head, e);
	}
	ia.rows = rows;
	ia.n = n;
	if (run->stores != NULL)
		run->stores->each_import(run, import_row, &ia);
	rows = ia.rows;
	n = ia.n;
	if (n > 1)
		qsort(rows, n, sizeof(*rows), by_name);
	*np = n;
	return rows;
}

static void
explain_json(const struct row *rows, size_t n)
{
	size_t i, j;

	ws_out_char(&ws_stdout, '[');
	for (i = 0; i < n; i++) {
		ws_out_str(&ws_stdout, i ? ",{\"name\":" : "{\"name\":");
		json_str(&ws_stdout, rows[i].name);
		ws_out_str(&ws_stdout, ",\"source\":");
		json_str(&ws_stdout, rows[i].source);
		ws_out_str(&ws_stdout, ",\"kind\":");
		json_str(&ws_stdout, rows[i].kind);
		ws_out_fmt(&ws_stdout, ",\"secret\":%s,\"length\":",
		    rows[i].secret ? "true" : "false");
		if (rows[i].unknown_len)
			ws_out_str(&ws_stdout, "null");
		else
			ws_out_fmt(&ws_stdout, "%zu", rows[i].length);
		ws_out_str(&ws_stdout, ",\"shadows\":[");
		for (j = 0; j < rows[i].n_shadows; j++) {
			if (j)
				ws_out_char(&ws_stdout, ',');
			json_str(&ws_stdout, rows[i].shadows[j]);
		}
		ws_out_char(&ws_stdout, ']');
		if (rows[i].via) {
			ws_out_str(&ws_stdout, ",\"via\":");
			json_str(&ws_stdout, rows[i].via);
		}
		if (rows[i].skipped)
			ws_out_str(&ws_stdout, ",\"skipped\":true");
		ws_out_char(&ws_stdout, '}');
	}
	ws_out_str(&ws_stdout, "]\n");
}

/* Display width of an escaped string: UTF-8 characters. */
static size_t
width(const char *s)
{
	return ws_utf8_length(s, strlen(s));
}

static void
pad(const char *s, size_t w)
{
	size_t n = width(s);

	ws_out_str(&ws_stdout, s);
	for (; n < w; n++)
		ws_out_char(&ws_stdout, ' ');
}

/* The shadowed sources, ", " between them. */
static char *
join_shadows(const struct row *r)
{
	size_t len = 1, j, k;
	char *s, *o;

	for (j = 0; j < r->n_shadows; j++)
		len += strlen(r->shadows[j]) + 2;
	o = s = ws_xmalloc(len);
	for (j = 0; j < r->n_shadows; j++) {
		if (j) {
			memcpy(o, ", ", 2);
			o += 2;
		}
		k = strlen(r->shadows[j]);
		memcpy(o, r->shadows[j], k);
		o += k;
	}
	*o = '\0';
	return s;
}

static void
explain_text(const struct row *rows, size_t n)
{
	static const char *const head[] = { "NAME", "SOURCE", "KIND",
	    "SECRET", "LENGTH", "SHADOWS" };
	char ***cell = ws_xcalloc(n + 1, sizeof(*cell));
	size_t w[6], i, k;
	char *s;

	for (k = 0; k < 6; k++)
		w[k] = strlen(head[k]);
	for (i = 0; i < n; i++) {
		const struct row *r = &rows[i];

		cell[i] = ws_xcalloc(6, sizeof(char *));
		cell[i][0] = ws_escape(r->name);
		s = r->via ? ws_xasprintf("%s (via %s)", r->source, r->via) :
		    ws_xstrdup(r->source);
		cell[i][1] = ws_escape(s);
		free(s);
		cell[i][2] = ws_xstrdup(r->skipped ? "skipped: not a valid "
		    "name" : r->kind);
		cell[i][3] = ws_xstrdup(r->secret ? "yes" : "no");
		cell[i][4] = r->unknown_len ? ws_xstrdup("-") :
		    ws_xasprintf("%zu", r->length);
		s = join_shadows(r);
		cell[i][5] = ws_escape(r->n_shadows ? s : "-");
		free(s);
		for (k = 0; k < 5; k++)
			if (width(cell[i][k]) > w[k])
				w[k] = width(cell[i][k]);
	}
	for (k = 0; k < 6; k++) {
		if (k < 5)
			pad(head[k], w[k] + 2);
		else
			ws_out_str(&ws_stdout, head[k]);
	}
	ws_out_char(&ws_stdout, '\n');
	for (i = 0; i < n; i++) {
		for (k = 0; k < 6; k++) {
			if (k < 5)
				pad(cell[i][k], w[k] + 2);
			else
				ws_out_str(&ws_stdout, cell[i][k]);
			free(cell[i][k]);
		}
		ws_out_char(&ws_stdout, '\n');
		free(cell[i]);
	}
	free(cell);
}

void
ws_explain(struct ws_run *run)
{
	struct row *rows;
	size_t n, i;

	if (!ws_quiet && run->env_name != NULL) {
		char *origin = ws_environment_origin(run);

		ws_msg("environment: %s (%s), %s", run->env_name, origin,
		    run->strict ? "strict" : "lenient");
		free(origin);
	}
	rows = collect(run, &n);
	if (run->opts->format == WS_FORMAT_JSON)
		explain_json(rows, n);
	else
		explain_text(rows, n);
	for (i = 0; i < n; i++)
		free_row(&rows[i]);
	free(rows);
	(void)flush_report();
	ws_diag_flush();
}
