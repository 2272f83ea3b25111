/*
 * withsecrets: resolve, check, then exec a command with a sanitized
 * environment.  One header for every module (like doas.h): the stages
 * of the data flow are
 *
 *   opts -> policy -> layers (inherited, secret dirs, .env, defaults)
 *        -> resolve (NAME_FILE) -> rules -> envbuild -> scrub -> exec
 *
 * Secret bytes live only in arenas (secmem.c) built on sodium_malloc.
 * Names, paths and findings are not secret and use the ordinary heap.
 */
#ifndef WITHSECRETS_H
#define WITHSECRETS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#if defined(__GNUC__)
#define WS_NORETURN __attribute__((noreturn))
#define WS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define WS_WUR __attribute__((warn_unused_result))
#define WS_NOINLINE __attribute__((noinline))
#else
#define WS_NORETURN
#define WS_PRINTF(a, b)
#define WS_WUR
#define WS_NOINLINE
#endif

/* Exit status (SPEC §3). */
#define WS_EX_OK	0
#define WS_EX_USAGE	64
#define WS_EX_DATAERR	65
#define WS_EX_NOINPUT	66
#define WS_EX_UNAVAILABLE 69
#define WS_EX_CANTCREAT	73
#define WS_EX_TEMPFAIL	75
#define WS_EX_PERM	77
#define WS_EX_POLICY	78
#define WS_EX_SOFTWARE	125
#define WS_EX_NOEXEC	126
#define WS_EX_NOTFOUND	127

#define WS_MAX_SECRET_SIZE_DEFAULT	65536

/* ------------------------------------------------------------------ */
/* secmem.c: growing arenas of guarded memory.                        */

struct ws_chunk;
struct ws_arena {
	struct ws_chunk	*head;	/* newest chunk first */
	size_t		 next;	/* size of the next chunk to map */
	void		*keep;	/* a block ws_arena_scrub() leaves alone */
	size_t		 keeplen;
};

int	 ws_secmem_init(void);		/* sodium_init, dumpable 0; 0 or -1 */
void	*ws_arena_alloc(struct ws_arena *, size_t) WS_WUR;
/* Grow the block p (of oldsize bytes, the arena's newest) to newsize:
 * in place when it fits, else copied to a new block and the old one
 * wiped.  Returns the block or NULL on failure (p is left intact). */
void	*ws_arena_grow(struct ws_arena *, void *, size_t, size_t) WS_WUR;
/* Give back the tail of the newest block: p was allocated with
 * oldsize bytes and only newsize are kept.  The rest is wiped. */
void	 ws_arena_shrink(struct ws_arena *, void *, size_t, size_t);
void	 ws_arena_wipe(struct ws_arena *);	/* zero and unmap all */
/* Zero what was used, but the block given to ws_arena_keep(). */
void	 ws_arena_scrub(struct ws_arena *);
/* A new block of n bytes that ws_arena_scrub() keeps (the environment
 * block: execve needs it), aligned for pointers.  It is put in the
 * room left in the newest chunk when it fits, else in a chunk of its
 * own size.  One per arena. */
void	*ws_arena_keep(struct ws_arena *, size_t) WS_WUR;
size_t	 ws_arena_mapped(const struct ws_arena *);

/* The arena of a run: everything secret, the final environment block
 * (kept by the scrub before execve) included. */
extern struct ws_arena ws_work;
void	 ws_secmem_wipe_all(void);

/* A growable byte buffer inside an arena. */
struct ws_sbuf {
	struct ws_arena	*arena;
	char		*p;
	size_t		 len;
	size_t		 cap;
	size_t		 hw;	/* bytes ever written: what finish wipes */
};
/* Start an empty buffer with room for cap bytes (the NUL included):
 * one allocation, when the size is about known. */
int	 ws_sbuf_start(struct ws_sbuf *, size_t cap) WS_WUR;
int	 ws_sbuf_reserve(struct ws_sbuf *, size_t) WS_WUR;
int	 ws_sbuf_append(struct ws_sbuf *, const void *, size_t) WS_WUR;
/* Trim the buffer to len + 1 (NUL-terminated) and return it. */
char	*ws_sbuf_finish(struct ws_sbuf *);

/* ------------------------------------------------------------------ */
/* diag.c: findings, messages, exit status.                           */

enum ws_severity { WS_SEV_INFO, WS_SEV_WARNING, WS_SEV_ERROR };

struct ws_finding {
	enum ws_severity sev;
	int		 code;		/* WS_EX_* when an error */
	char		*rule;		/* e.g. "min-length", "syntax" */
	char		*name;		/* variable name, or NULL */
	char		*source;	/* "file:line", a path, or NULL */
	char		*message;	/* never holds a value */
};

extern int	 ws_quiet, ws_verbose;
extern const char *ws_progname;

/* Record a finding; printed by ws_diag_flush() (text, stderr). */
void	 ws_finding(enum ws_severity, int code, const char *rule,
	    const char *name, const char *source, const char *fmt, ...)
	    WS_PRINTF(6, 7);
/* A message now, outside findings (usage, internal errors, verbose). */
void	 ws_msg(const char *fmt, ...) WS_PRINTF(1, 2);
void	 ws_verbose_msg(const char *fmt, ...) WS_PRINTF(1, 2);
/* Exit status for the findings so far: the first of 64,65,66,77,78
 * among the errors, 0 when there is none. */
int	 ws_diag_status(void);
int	 ws_diag_status_since(size_t first);	/* of findings first... */
size_t	 ws_diag_count(enum ws_severity);
size_t	 ws_finding_count(void);
const struct ws_finding *ws_finding_at(size_t);
/* Print findings not yet printed to stderr, one line each. */
void	 ws_diag_flush(void);
void	 ws_diag_reset(void);

/* ------------------------------------------------------------------ */
/* out.c: buffered output through write(2), no stdio.                 */

struct ws_out {
	int		 fd;
	size_t		 n;		/* bytes waiting in buf */
	int		 failed;	/* a write failed: drop the rest */
	char		 buf[4096];
};
extern struct ws_out ws_stdout, ws_stderr;

void	 ws_out_mem(struct ws_out *, const void *, size_t);
void	 ws_out_str(struct ws_out *, const char *);
void	 ws_out_char(struct ws_out *, char);
void	 ws_out_fmt(struct ws_out *, const char *, ...) WS_PRINTF(2, 3);
/* Write what is buffered: 0, or -1 when any write has failed. */
int	 ws_out_flush(struct ws_out *);

/* ------------------------------------------------------------------ */
/* names.c: variable names, globs, NAME_FILE pointers.                */

int	 ws_name_valid(const char *, size_t);	/* Compose's rules */
int	 ws_name_portable(const char *, size_t);	/* [A-Za-z_][A-Za-z0-9_]* */
/* unicode_names.c (generated): a letter or number above U+007F? */
int	 ws_unicode_letter_or_number(uint32_t);
/* If name is a pointer (NAME_FILE or FILE__NAME), return the length
 * of the target and set *target; else 0. */
size_t	 ws_pointer_target(const char *, size_t, const char **);
int	 ws_pointer_is_prefix_form(const char *, size_t); /* FILE__NAME */
/* Built-in list of *_FILE variables that are paths, never resolved. */
int	 ws_never_resolve_builtin(const char *, size_t);
const char *const *ws_never_resolve_list(void);
/* Space-separated glob list; name matches any? */
int	 ws_globlist_match(char *const *, const char *, size_t);
/* The bytes a name must start with to match a glob of the list (all of
 * them when one starts with a glob character): a cheap first test. */
void	 ws_globlist_firsts(char *const *, uint64_t [4]);
#define WS_FIRST_IN(set, c) \
	(((set)[(unsigned char)(c) >> 6] >> ((unsigned char)(c) & 63)) & 1)

/* ------------------------------------------------------------------ */
/* policy: the [withsecrets] settings the data flow needs.            */

enum ws_file_vars { WS_FILE_VARS_ALL, WS_FILE_VARS_DECLARED };
enum ws_plaintext { WS_PLAINTEXT_ALLOW, WS_PLAINTEXT_WARN,
	WS_PLAINTEXT_ERROR };

struct ws_policy;	/* config.c: the whole policy (below) */

struct ws_settings {
	char		**environment_vars;	/* NULL-terminated lists */
	char		**lenient_environments;
	char		**secrets_dirs;
	char		**keep;
	char		**deny;
	char		**ignore_file_vars;
	enum ws_file_vars file_vars;
	size_t		  max_secret_size;
	char		 *example;
	enum ws_plaintext plaintext_secrets;
	char		 *path;			/* policy file in use, or NULL */
};

/* ------------------------------------------------------------------ */
/* opts.c                                                              */

enum ws_verb { WS_VERB_EXEC, WS_VERB_CHECK, WS_VERB_EXPLAIN,
	WS_VERB_DEFAULTS, WS_VERB_HELP, WS_VERB_VERSION };
enum ws_format { WS_FORMAT_TEXT, WS_FORMAT_JSON };
enum ws_mode { WS_MODE_AUTO, WS_MODE_STRICT, WS_MODE_LENIENT };

struct ws_opts {
	enum ws_verb	 verb;
	char		**env_files;	/* -f, in order; NULL-terminated */
	size_t		 n_env_files;
	const char	*dir;		/* -C, default "." */
	int		 no_layers;
	const char	*environment;	/* -e */
	char		**secrets_dirs;	/* -s */
	size_t		 n_secrets_dirs;
	int		 no_default_secrets_dirs;
	const char	*config;	/* -c */
	int		 no_config;
	int		 clean;
	char		**keep;		/* -k */
	size_t		 n_keep;
	char		**unset;	/* -u */
	size_t		 n_unset;
	int		 override;
	enum ws_mode	 mode;
	enum ws_format	 format;
	char		**names;	/* explain NAME... */
	char		**command;	/* exec: argv of COMMAND */
};

/* Parse argv.  Returns 0, or WS_EX_USAGE after printing why. */
int	 ws_opts_parse(struct ws_opts *, int, char **);
void	 ws_usage(int to_stdout);
void	 ws_opts_free(struct ws_opts *);

/* ------------------------------------------------------------------ */
/* file.c: the one safe reader.                                       */

struct ws_read {
	int		 dirfd;		/* AT_FDCWD or a directory */
	const char	*path;		/* relative to dirfd */
	const char	*display;	/* path as shown in messages */
	const char	*name;		/* variable it is read for, or NULL */
	const char	*rule_source;	/* where the request came from */
	size_t		 max;		/* size cap */
	int		 secret;	/* strip trailing newlines, refuse NUL */
	int		 resolve_beneath; /* refuse symlinks leaving dirfd */
	int		 missing_ok;	/* ENOENT: return 1, no finding */
	int		 dir_checked;	/* caller vetted dirfd's mode */
};

struct ws_blob {
	char		*p;	/* in ws_work, NUL-terminated */
	size_t		 len;
	struct stat	 st;
};

/* 0 on success, 1 when missing and missing_ok, else a WS_EX_* code
 * after recording a finding. */
int	 ws_file_read(const struct ws_read *, struct ws_blob *);
/* Permission findings for a file that was read (and its directory),
 * for strict (1) or lenient (0) mode. */
void	 ws_file_check_modes(int strict);
/* Record a mode checked by ws_file_check_modes(): of a file read, of
 * the directory holding a file read (display: the file), or of a
 * secrets directory (display: the directory). */
enum ws_note { WS_NOTE_FILE, WS_NOTE_HOLDER, WS_NOTE_SECRETS_DIR };
void	 ws_file_note(const char *display, const struct stat *,
	    enum ws_note);
/* openat(2) that refuses symbolic links leaving dirfd (openat2
 * RESOLVE_BENEATH, or a check of the result where the kernel lacks
 * it): -1 and errno EXDEV or ELOOP when one does. */
int	 ws_open_beneath(int, const char *, int);
/* Strip every trailing "\n" / "\r\n". */
size_t	 ws_strip_newlines(const char *, size_t);

/* ------------------------------------------------------------------ */
/* vars.c: sources, variables, precedence.                            */

enum ws_kind { WS_KIND_INHERITED, WS_KIND_SECRET_DIR, WS_KIND_ENV_FILE,
	WS_KIND_DEFAULT };

/* Precedence ranks: lower is higher precedence (SPEC §4). */
#define WS_RANK_INHERITED		0
#define WS_RANK_SECRET_DIR		1000	/* + 999 - index: later wins */
#define WS_RANK_ENV_FILE		2000	/* explicit, then conventional */
#define WS_RANK_INHERITED_OVERRIDE	3000
#define WS_RANK_DEFAULT			4000

struct ws_source {
	enum ws_kind	 kind;
	char		*path;		/* file or directory; NULL: environ */
	int		 rank;		/* lower wins */
	int		 file_relative;	/* NAME_FILE paths relative to path */
	size_t		 index;		/* order of creation */
};

#define WS_VAR_SECRET		0x01	/* classified secret */
#define WS_VAR_FROM_FILE	0x02	/* value read from NAME_FILE target */
#define WS_VAR_POINTER		0x04	/* a NAME_FILE / FILE__NAME entry */
#define WS_VAR_RESOLVED		0x08	/* pointer whose target was read */
#define WS_VAR_SKIPPED		0x10	/* not a valid name; shown by explain */
#define WS_VAR_NO_VALUE		0x20	/* bare name, unset */

struct ws_var {
	const char	*name;		/* NUL-terminated; interned, or in
					 * a .env file's text in ws_work */
	size_t		 namelen;
	const char	*value;		/* NUL-terminated; may be in ws_work */
	size_t		 vallen;
	struct ws_source *src;
	unsigned	 line;		/* 0 when not from a line */
	unsigned	 flags;
	const char	*file_path;	/* NAME_FILE target as given */
	struct ws_var	*next_in_name;	/* next lower-precedence entry */
	struct ws_var	*next_in_src;	/* source order */
	size_t		 order;		/* first registration of the name */
};

struct ws_store;

struct ws_store	*ws_store_new(void);
/* A copy of a name that lives as long as the run (not secret). */
char		*ws_intern(const char *, size_t);
/* The same for two pieces joined (a directory and a file name). */
char		*ws_intern2(const char *, size_t, const char *, size_t);
char		*ws_intern3(const char *, size_t, const char *, size_t,
		    const char *, size_t);
void		 ws_intern_free(void);
void		 ws_store_free(struct ws_store *);
struct ws_source *ws_store_source(struct ws_store *, enum ws_kind,
		    const char *path, int rank);
/* The same with a path that already lives as long as the run (interned):
 * it is not copied again. */
struct ws_source *ws_store_source_kept(struct ws_store *, enum ws_kind,
		    char *path, int rank);
/* Add (name, value) from src.  Within one source a later entry of the
 * same name replaces the earlier one.  Returns the variable. */
struct ws_var	*ws_store_add(struct ws_store *, struct ws_source *,
		    const char *name, size_t namelen, const char *value,
		    size_t vallen, unsigned line, unsigned flags);
/* Highest-precedence entry for name, or NULL. */
struct ws_var	*ws_store_get(struct ws_store *, const char *, size_t);
/* Entry for name in one source, or NULL. */
struct ws_var	*ws_store_get_in(struct ws_store *, struct ws_source *,
		    const char *, size_t);
/* Remove one entry. */
void		 ws_store_remove(struct ws_store *, struct ws_var *);
/* Iterate over names in first-registration order: the winning entry of
 * each.  Returns NULL at the end; *it starts at 0. */
struct ws_var	*ws_store_next(struct ws_store *, size_t *it);
/* The same entries at once, into out (room for ws_store_count() + 1
 * entries): returns how many.  A loop over names without a call each. */
size_t		 ws_store_heads(const struct ws_store *, struct ws_var **out);
size_t		 ws_store_count(const struct ws_store *);
/* Has any name of the store the form of a pointer (NAME_FILE, FILE__NAME)? */
int		 ws_store_has_pointers(const struct ws_store *);
/* As ws_store_next, over the names that have the form of a pointer
 * (NAME_FILE, FILE__NAME) only: they are few, names are many. */
struct ws_var	*ws_store_next_pointer(struct ws_store *, size_t *it);
/* Might a pointer of the store (NAME_FILE, FILE__NAME) name this
 * target?  0: certainly not (a filter on the targets' hashes). */
int		 ws_store_may_point_at(const struct ws_store *, const char *,
		    size_t);
/* ws_store_get() and ws_store_may_point_at() at once, the name hashed
 * once (an interpolation looks names up by the dozen). */
struct ws_var	*ws_store_lookup(struct ws_store *, const char *, size_t,
		    int *may_be_target);
const char	*ws_source_kind_name(enum ws_kind);
/* The first entry from v down that has a value and that a .env file of
 * source from may see (not a layer above it); from NULL: any. */
struct ws_var	*ws_var_seen_from(struct ws_var *, const struct ws_source *);
/* "environment", "FILE:LINE", "DIR/entry": for messages */
char		*ws_var_source(const struct ws_var *);

/* ------------------------------------------------------------------ */
/* The run: everything a stage needs (main.c owns it).                */

struct ws_run {
	struct ws_opts		*opts;
	struct ws_settings	*set;
	struct ws_policy	*policy;
	struct ws_store		*store;
	char			**environ_in;	/* what we were given */
	const char		*env_name;	/* environment name */
	const char		*env_name_from;	/* where it came from */
	int			 strict;
	struct ws_store		*example;	/* the example file's entries */
	char			*example_path;	/* DIR/example, as shown */
	char			**envp;		/* final, kept in ws_work */
	size_t			 envp_bytes;
};

/* inherit.c: the inherited environment as a source. */
void	 ws_inherit_load(struct ws_run *);
/* resolve.c: NAME_FILE / FILE__NAME for every source. */
void	 ws_resolve_pointers(struct ws_run *);
int	 ws_resolve_one(struct ws_run *, struct ws_var *);
int	 ws_resolve_name(struct ws_run *, const char *, size_t);
/* The entry a name has now under the precedence, for interpolation in
 * the .env file from (a ws_dotenv_in lookup; arg: the run). */
struct ws_var *ws_lookup(void *arg, const struct ws_source *from,
	    const char *name, size_t n, int *read_file);
/* example.c: the example file, and the names the program declares. */
void	 ws_example_load(struct ws_run *);
int	 ws_declared(const struct ws_run *, const char *, size_t);
int	 ws_pointer_resolvable(struct ws_run *, const char *, size_t);
void	 ws_resolve_free(void);
/* secretdir.c: the secret directories (SPEC §5). */
void	 ws_secretdirs_load(struct ws_run *);
/* layers.c: environment name (SPEC §4.3) and .env layers (§4.2). */
void	 ws_layers_load(struct ws_run *);
/* dotenv.c: read and parse one .env file (SPEC §4.4) into src of
 * store; interpolation looks names up with ws_lookup().  Returns 0, 1
 * when missing and missing_ok, or a WS_EX_* code after findings. */
#define WS_MAX_ENV_FILE_SIZE	(16u * 1024 * 1024)
struct ws_dotenv_in {
	struct ws_store	 *store;	/* entries go into src of store */
	struct ws_source *src;
	size_t		  max;		/* max-secret-size */
	char		**environ;	/* for a bare NAME line */
	/* The entry a name has now for interpolation, as seen from src,
	 * or NULL; sets *read_file when answering read a NAME_FILE
	 * target.  NULL: the entries above in the same store. */
	struct ws_var	*(*lookup)(void *arg, const struct ws_source *from,
			    const char *name, size_t n, int *read_file);
	void		 *arg;
};
int	 ws_dotenv_load(const struct ws_dotenv_in *, const char *path,
	    int missing_ok);
/* Its first half: the text of the .env file at path, read into ws_work
 * for ws_dotenv_parse().  The same returns. */
int	 ws_dotenv_read(const char *path, int missing_ok, struct ws_blob *);
/* Parse the text buf (len bytes, in ws_work; quoted values are
 * unescaped in place, and plain values are used in place: buf must
 * live as long as the entries) as the .env file display.  0 or a
 * WS_EX_* code. */
int	 ws_dotenv_parse(const struct ws_dotenv_in *, const char *display,
	    char *buf, size_t len);
/* effective.c: the entry of a name's chain the command gets, or NULL. */
struct ws_var *ws_effective(const struct ws_run *, struct ws_var *);
/* Call fn(arg, entry, 0) for each lower entry of head's chain that e
 * hides; returns how many. */
size_t	 ws_shadowed_in_chain(struct ws_var *head, const struct ws_var *e,
	    void (*fn)(void *, const struct ws_var *, int), void *arg);
/* Is the pointer entry p hidden by e, a higher source's value of its
 * target (and so never read)? */
int	 ws_pointer_hidden(struct ws_run *, const struct ws_var *p,
	    const struct ws_var *e);
/* envbuild.c: deny rule, the final environment block (ws_arena_keep). */
void	 ws_deny_check(struct ws_run *);
void	 ws_envbuild(struct ws_run *);
/* report.c: check and explain output. */
void	 ws_check_report(struct ws_run *);
void	 ws_explain(struct ws_run *);
/* exec.c */
void	 ws_exec(struct ws_run *);	/* returns only on failure */

/* ------------------------------------------------------------------ */
/* The policy (SPEC §6): config.c reads the built-in INI text and the  */
/* user's withsecrets.ini, policy.c answers per name, rules.c checks.  */

#define WS_MAX_SECRET_SIZE_LIMIT	131072	/* the kernel's MAX_ARG_STRLEN */
#define WS_MAX_POLICY_FILE_SIZE		(1024u * 1024)

enum ws_required { WS_REQ_NO, WS_REQ_STRICT, WS_REQ_ALWAYS };

/* The keys of a [var] section, as bits of ws_varrule.set. */
enum ws_varkey { WS_VK_SECRET, WS_VK_REQUIRED, WS_VK_MIN_LENGTH,
	WS_VK_DISTINCT, WS_VK_DEBUG, WS_VK_PATTERN, WS_VK_FORBID,
	WS_VK_COUNT };

/* Where a key was set: the file's display name and the line. */
struct ws_where {
	const char	*file;		/* kept by the policy; NULL: not set */
	unsigned	 line;
};

/* How a [var] pattern is matched: most are a name, *LIT, LIT* or *LIT*,
 * which need no general glob matching (start-up cost, SPEC §9). */
enum ws_shape { WS_SHAPE_EXACT, WS_SHAPE_PREFIX, WS_SHAPE_SUFFIX,
	WS_SHAPE_CONTAINS, WS_SHAPE_ANY, WS_SHAPE_GLOB };

/* One [var PATTERN] section: the keys of the built-in policy and the
 * user's file merged (a user's key replaces the built-in one). */
struct ws_varrule {
	char		*pattern;	/* a name or a glob */
	int		 glob;
	enum ws_shape	 shape;
	const char	*lit;		/* the literal part, for the shapes */
	size_t		 litlen;
	uint64_t	 mask;		/* ws_charmask() of lit */
	size_t		 order;		/* built-in first, then the user's */
	unsigned	 set;		/* 1 << WS_VK_* of the keys given */
	int		 secret, distinct, debug;
	enum ws_required required;
	size_t		 min_length;
	void		*re;		/* regex_t * (pattern) */
	char		**forbid;	/* lower case */
	struct ws_where	 where[WS_VK_COUNT];
};

/* What applies to one name: each key from the exact-name section when
 * it gives it, else from the last glob section that matches. */
struct ws_varpol {
	int		 secret;	/* 1 yes, 0 no, -1 not said */
	enum ws_required required;
	size_t		 min_length;
	int		 distinct, debug;
	const struct ws_varrule *from[WS_VK_COUNT];	/* NULL: not set */
};

struct ws_default {			/* one [defaults] entry */
	const char	*name;		/* interned */
	const char	*value;		/* in ws_work */
	size_t		 vallen;
	const char	*file;		/* display path, "built-in" */
	unsigned	 line;
};

/* A bit per length (of an exact name, a placeholder value): a first
 * test that rules most out at once.  Lengths from 63 share one. */
#define WS_LENBIT(n)	((uint64_t)1 << ((n) < 63 ? (n) : 63))

/*
 * An index of the [var] rules, built once per policy (ws_policy_index),
 * so that a name is tested against the few rules that may match it and
 * not against every one (start-up cost, SPEC §9): exact names hashed,
 * LIT* by the first byte, *LIT by the last, other globs always.  *LIT*
 * by the pairs of adjacent bytes of LIT: a literal at least `step` + 1
 * long has a pair at one of every `step` positions of a name, so that
 * only those are looked up, each pair there giving the literals that
 * may hold it (and where).  *X*, one byte, is an other glob.
 * Chains hold numbers plus one, 0 ending a chain.  The index covers
 * the first n_rules rules: rules are only ever added, and a policy with
 * more is matched rule by rule until it is indexed again.
 */
#define WS_INDEX_BUCKETS	128	/* a byte & 127 (LIT*, *LIT): ASCII never
				 * collides; or a hash of a pair */
struct ws_litbyte {			/* bytes `off`, + 1 of a *LIT* literal */
	uint32_t	 rule;
	uint32_t	 off;
	uint32_t	 after;		/* bytes of the literal after it */
	uint32_t	 next;		/* of the same bucket */
	uint32_t	 lead;		/* the literal's first byte */
};
struct ws_ruleindex {
	size_t		 n_rules;	/* the rules it was built for */
	uint64_t	 exact_lens;	/* WS_LENBIT() of each exact name */
	uint32_t	 exact[WS_INDEX_BUCKETS];	/* rules */
	uint32_t	 prefix[WS_INDEX_BUCKETS];	/* rules */
	uint32_t	 suffix[WS_INDEX_BUCKETS];	/* rules */
	uint32_t	 inner[WS_INDEX_BUCKETS];	/* ws_litbytes, by pair */
	uint32_t	 other;				/* rules */
	size_t		 step;		/* shortest *LIT* less one; 0: none */
	uint32_t	*next;		/* per rule: the next of its chain */
	struct ws_litbyte *bytes;
};

/*
 * What a value needs for any [placeholders] pattern to match it, told
 * from a few of its bytes (rules.c, SPEC §9): a pattern that starts with
 * a plain byte, that byte first; else two adjacent bytes of its literal,
 * which a value holding the literal has at one of the positions step - 1,
 * 2 * step - 1, ... (step: the shortest such literal less one).
 */
struct ws_phfilter {
	int		 ready;		/* 0: not built (a policy made by hand) */
	int		 always;	/* a pattern none of this rules out:
					 * the masks of literals decide */
	size_t		 step;		/* 0: no pattern needs pairs */
	uint64_t	 first;		/* WS_PH_BITS() of the first bytes */
	uint64_t	 pairs[64];	/* [WS_PH_BITS(a)] >> WS_PH_BITS(b) */
};
/* A byte to six bits, the same for both cases of a letter (so a value
 * need not be folded first): letters 1-26, digits and punctuation 32-63
 * (with the control bytes); what else shares a number only costs a
 * look at the value (ws_rule_placeholder() decides). */
#define WS_PH_BITS(c)	\
	(((unsigned)(c) & 0x1f) | ((~(unsigned)(c) >> 1) & 0x20))
void	 ws_placeholder_filter(struct ws_phfilter *, char *const *patterns,
	    char *const *literals);

struct ws_policy {
	struct ws_settings set;
	struct ws_where	 where[16];	/* of the [withsecrets] keys */
	struct ws_varrule *rules;
	size_t		 n_rules;
	struct ws_default *defaults;
	size_t		 n_defaults;
	char		**ph_values;	/* [placeholders], lower case */
	char		**ph_patterns;
	char		**ph_literals;	/* a literal each pattern holds */
	uint64_t	*ph_masks;	/* ws_charmask() of each literal */
	size_t		*ph_lens;	/* length of each value */
	uint64_t	 ph_lenset;	/* WS_LENBIT() of each; 0: look */
	struct ws_phfilter ph_filter;	/* of ph_patterns */
	struct ws_ruleindex *index;	/* of rules; NULL: none (yet) */
	int		 example_named;	/* set by the user: must exist */
	char		**files;	/* display paths kept for sources */
	size_t		 n_files;
	size_t		 cap_rules;	/* rules allocated */
	size_t		 block_size;	/* thawed: its one allocation's bytes */
};

/* A thawed policy is one allocation (frozen.c), which holds its parts
 * as thawed: these free or grow a part only when it is not in it. */
void	 ws_policy_free_part(struct ws_policy *, void *);
void	*ws_policy_grow_part(struct ws_policy *, void *, size_t, size_t);

/* The built-in policy, an INI text (printed by `withsecrets defaults`). */
extern const char ws_builtin_policy[];
struct ws_policy *ws_policy_new(void);

/*
 * The built-in policy frozen into C data at build time: gen-builtin
 * parses ws_builtin_policy with ws_config_parse and prints what it got
 * (gen-builtin.c), so that a run need not parse the text (SPEC §9).  The
 * pointers of the policy are left out of the copies below and given
 * separately; ws_policy_thaw() rebuilds the policy the parser makes, in
 * one allocation (tests/unit/t_frozen.c compares the two).
 */
struct ws_frozen_list {			/* a word list, as split_words() */
	const char	*text;		/* the words, each NUL-terminated */
	size_t		 len;		/* of text, NULs included */
	size_t		 n;		/* words */
	int		 present;	/* 0: the list is NULL */
	const size_t	*offs;		/* where each word starts in text */
};

struct ws_frozen_rule {
	struct ws_varrule r;		/* its pointers NULL */
	const char	*pattern;
	size_t		 pattern_len;
	size_t		 lit_off;	/* lit - pattern; -1: lit is NULL */
	unsigned	 where_set;	/* 1 << k: where[k].file was set */
	struct ws_frozen_list forbid;
};

struct ws_frozen {
	struct ws_settings set;		/* its pointers NULL */
	struct ws_frozen_list environment_vars, lenient_environments,
			 secrets_dirs, keep, deny, ignore_file_vars;
	const char	*example;
	struct ws_where	 where[16];	/* files NULL */
	unsigned	 where_set;	/* 1 << k: where[k].file was set */
	const struct ws_frozen_rule *rules;
	size_t		 n_rules;
	const struct ws_default *defaults;	/* file NULL */
	size_t		 n_defaults;
	struct ws_frozen_list ph_values, ph_patterns, ph_literals;
	const uint64_t	*ph_masks;	/* each n + 1 long */
	const size_t	*ph_lens;
	uint64_t	 ph_lenset;
	struct ws_phfilter ph_filter;
	int		 example_named;
	const char	*file;		/* "built-in", or NULL */
	const struct ws_ruleindex *index;	/* next, bytes NULL; or NULL */
	const uint32_t	*index_next;		/* n_rules */
	const struct ws_litbyte *index_bytes;	/* index_nbytes */
	size_t		 index_nbytes;
};

/* Set (by main.c) to the generated data: ws_policy_new() thaws it
 * instead of parsing the text.  NULL (the unit tests): it parses. */
extern const struct ws_frozen *ws_builtin_frozen;
extern const struct ws_frozen ws_builtin_frozen_data;	/* generated */
struct ws_policy *ws_policy_thaw(const struct ws_frozen *);
void	 ws_policy_destroy(struct ws_policy *);
void	 ws_regex_free(void *);		/* a [var] pattern's regex_t */
/* Parse one INI text into p, layered over what p holds: the built-in
 * text first (user 0), then the user's file (user 1).  display names
 * the file in findings.  Returns 0 or WS_EX_POLICY after findings. */
int	 ws_config_parse(struct ws_policy *, const char *buf, size_t len,
	    const char *display, int user);
/* ere.c: NULL when regcomp(3) may have this ERE, else why not. */
const char *ws_ere_refused(const char *);
/* The line buffer size of the linked libinih, learnt while parsing. */
int	 ws_config_line_max(void);
/* "FILE:LINE" of a key, for messages (to be freed). */
char	*ws_where_fmt(const struct ws_where *);
/* Which bytes occur in [s, s + n), folded to 64 bits (c & 63): a
 * string holds another only if its mask covers the other's. */
uint64_t ws_charmask(const char *, size_t);
/* What the policy says about one name (NUL-terminated, or of a length). */
void	 ws_policy_var(const struct ws_policy *, const char *,
	    struct ws_varpol *);
/* These return 1 when a section that gives keys matches the name, 0
 * when none does (most names: then no rule applies to the value). */
int	 ws_policy_var_n(const struct ws_policy *, const char *, size_t,
	    struct ws_varpol *);
/* The same, rule by rule without the index: the reference the index is
 * tested against (tests/unit/t_fast.c). */
int	 ws_policy_var_scan(const struct ws_policy *, const char *, size_t,
	    struct ws_varpol *);
/* (Re)build p->index; called whenever rules were added. */
void	 ws_policy_index(struct ws_policy *);
/* The bytes of an index of n rules whose *LIT* literals are nb bytes
 * long in all (the index, then its chains). */
size_t	 ws_index_size(size_t n, size_t nb);
/* The [var NAME] section of exactly this name, or NULL. */
const struct ws_varrule *ws_policy_exact(const struct ws_policy *,
	    const char *, size_t);
/* Is this entry a secret, given what the policy says about its name? */
int	 ws_policy_secret(const struct ws_var *, const struct ws_varpol *);
/* Rule helpers (rules.c), exposed for the unit tests. */
int	 ws_rule_weak(const char *, size_t);
int	 ws_rule_truthy(const char *, size_t);
int	 ws_rule_placeholder(const struct ws_policy *, const char *, size_t);
/* Call fn(arg, entry, is_pointer) for each entry that e, the effective
 * entry of head's name, hides: lower entries of the name and unread
 * NAME_FILE / FILE__NAME pointers of lower sources.  Returns how many. */
size_t	 ws_shadowed_each(struct ws_run *, struct ws_var *head,
	    const struct ws_var *e,
	    void (*fn)(void *, const struct ws_var *, int), void *arg);

void	 ws_policy_load(struct ws_run *);
void	 ws_defaults_load(struct ws_run *);	/* layers.c: [defaults] */
void	 ws_policy_free(struct ws_run *);
void	 ws_rules_check(struct ws_run *);
int	 ws_policy_is_secret(struct ws_run *, const struct ws_var *);
int	 ws_defaults_print(void);

#endif /* WITHSECRETS_H */
