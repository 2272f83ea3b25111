/*
 * withsecrets: resolve, check, then exec a command with a sanitized
 * environment.  This header is the architecture: the exit codes, the
 * run that main() owns, the types every step shares (findings, sources
 * and variables) and the steps themselves, in the order main() calls
 * them:
 *
 *   opts -> policy -> sources (example file, inherited environment,
 *   secret dirs, .env layers, [defaults]) -> resolve (NAME_FILE)
 *   -> rules -> envbuild -> scrub -> exec
 *
 * Each module's own API is in a private header beside it (src/NAME.h);
 * HACKING.md has the module graph and the rule that keeps it one-way.
 * Secret bytes live only in arenas (secmem.h) built on sodium_malloc.
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
/* Findings (diag.h records and prints them): never a value.           */

enum ws_severity { WS_SEV_INFO, WS_SEV_WARNING, WS_SEV_ERROR };

struct ws_finding {
	enum ws_severity sev;
	int		 code;		/* WS_EX_* when an error */
	char		*rule;		/* e.g. "min-length", "syntax" */
	char		*name;		/* variable name, or NULL */
	char		*source;	/* "file:line", a path, or NULL */
	char		*message;	/* never holds a value */
};

/* ------------------------------------------------------------------ */
/* policy: the [withsecrets] settings the data flow needs.            */

enum ws_file_vars { WS_FILE_VARS_ALL, WS_FILE_VARS_DECLARED };
enum ws_plaintext { WS_PLAINTEXT_ALLOW, WS_PLAINTEXT_WARN,
	WS_PLAINTEXT_ERROR };
enum ws_audit { WS_AUDIT_OFF, WS_AUDIT_JOURNAL, WS_AUDIT_SYSLOG };
#define WS_AUDIT_NAMES	"off", "journal", "syslog"	/* in its order */

struct ws_policy;	/* policy.h */
struct ws_opts;		/* opts.h: the command line */

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
	char		 *default_environment;	/* when nothing names one */
	int		  export_environment;	/* tell the command (§4.3) */
	enum ws_audit	  audit;		/* the audit record (SPEC §12) */
	int		  audit_required;
	char		 *path;			/* policy file in use, or NULL */
};

/* ------------------------------------------------------------------ */
/* Sources and variables (vars.h holds them in a store).               */

enum ws_kind { WS_KIND_INHERITED, WS_KIND_SECRET_DIR, WS_KIND_ENV_FILE,
	WS_KIND_DEFAULT, WS_KIND_STORE };

/* Precedence ranks: lower is higher precedence (SPEC §4). */
#define WS_RANK_INHERITED		0
#define WS_RANK_STORE			900	/* - index: imports (SPEC §13)
						 * rank with the secret dirs,
						 * after every one of them */
#define WS_RANK_SECRET_DIR		1000	/* + 999 - index: later wins */
#define WS_RANK_ENV_FILE		2000	/* explicit, then conventional */
#define WS_RANK_INHERITED_OVERRIDE	3000
#define WS_RANK_DEFAULT			4000

struct ws_source {
	enum ws_kind	 kind;
	char		*path;		/* file or directory; NULL: environ */
	int		 rank;		/* lower wins */
	int		 file_relative;	/* NAME_FILE paths relative to path */
	int		 dropped;	/* a layer taken back: read to learn
					 * the environment, then not for it */
	size_t		 index;		/* order of creation */
};

#define WS_VAR_SECRET		0x01	/* classified secret */
#define WS_VAR_FROM_FILE	0x02	/* value read from NAME_FILE target */
#define WS_VAR_POINTER		0x04	/* a NAME_FILE / FILE__NAME entry */
#define WS_VAR_RESOLVED		0x08	/* pointer whose target was read */
#define WS_VAR_SKIPPED		0x10	/* not a valid name; shown by explain */
#define WS_VAR_NO_VALUE		0x20	/* bare name, unset */
#define WS_VAR_REFERENCE	0x40	/* a store reference, not fetched */
#define WS_VAR_FETCHED		0x80	/* value fetched from a store; the
					 * reference is in file_path */

struct ws_var {
	const char	*name;		/* NUL-terminated; interned, or in
					 * a .env file's text in ws_work */
	size_t		 namelen;
	const char	*value;		/* NUL-terminated; may be in ws_work */
	size_t		 vallen;
	struct ws_source *src;
	unsigned	 line;		/* 0 when not from a line */
	unsigned	 flags;
	const char	*file_path;	/* NAME_FILE target as given; the
					 * reference of a fetched value */
	struct ws_var	*next_in_name;	/* next lower-precedence entry */
	struct ws_var	*next_in_src;	/* source order */
	size_t		 order;		/* first registration of the name */
};

struct ws_store;

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
	struct ws_decision	*decision;	/* what each name gives:
						 * effective.h */
	char			**envp;		/* final, kept in ws_work */
	size_t			 envp_bytes;
	/* stores.c's answers, for the steps below it that need them; NULL
	 * in the launcher, which has no store code (handoff.h) */
	const struct ws_stores_hooks *stores;
};

struct ws_stores_hooks {
	/* v, with its fetched value in place of its reference */
	struct ws_var *(*value)(struct ws_run *, struct ws_var *);
	/* each import: its store's name and "TYPE:PATH" */
	void (*each_import)(struct ws_run *,
	    void (*)(void *, const char *, const char *), void *);
};

/* The steps, in main()'s order.  Each reports through findings
 * (diag.h); ws_diag_status() gives the exit status they add up to. */
/* config.c: the policy, built-in and the user's file (SPEC §6). */
void	 ws_policy_load(struct ws_run *);
void	 ws_policy_free(struct ws_run *);
/* inherit.c: the inherited environment as a source. */
void	 ws_inherit_load(struct ws_run *);
/* resolve.c: NAME_FILE / FILE__NAME for every source. */
void	 ws_resolve_pointers(struct ws_run *);
/* example.c: the example file, and the names the program declares. */
void	 ws_example_load(struct ws_run *);
/* secretdir.c: the secret directories (SPEC §5). */
void	 ws_secretdirs_load(struct ws_run *);
/* layers.c: environment name (SPEC §4.3), .env layers (§4.2), [defaults]. */
void	 ws_layers_load(struct ws_run *);
/* Where the environment name came from, for people ("ENVIRONMENT,
 * inherited environment"; to be freed). */
char	*ws_environment_origin(const struct ws_run *);
void	 ws_defaults_load(struct ws_run *);
/* rules.c: the rules of SPEC §6 on what each name gets. */
void	 ws_rules_check(struct ws_run *);
/* audit-required = yes with audit off: a policy error (78). */
void	 ws_audit_check(struct ws_run *);
/* envbuild.c: deny rule, the final environment block (ws_arena_keep). */
void	 ws_deny_check(struct ws_run *);
/* Tell the command the environment it was checked for (SPEC §4.3). */
void	 ws_environment_export(struct ws_run *);
void	 ws_envbuild(struct ws_run *);
/* report.c: check and explain output. */
void	 ws_check_report(struct ws_run *);
void	 ws_explain(struct ws_run *);
/* builtin.c: `withsecrets defaults`; 0, or -1 when it could not write. */
int	 ws_defaults_print(void);
/* exec.c */
void	 ws_exec(struct ws_run *);	/* returns only on failure */
#endif /* WITHSECRETS_H */
