/*
 * The command line (SPEC §2): what opts.c makes of argv, read by the
 * steps through run->opts.
 */
#ifndef WS_OPTS_H
#define WS_OPTS_H

#include <sys/types.h>
#include "withsecrets.h"

enum ws_verb { WS_VERB_EXEC, WS_VERB_CHECK, WS_VERB_EXPLAIN,
	WS_VERB_DEFAULTS, WS_VERB_HELP, WS_VERB_VERSION, WS_VERB_GEN };
enum ws_format { WS_FORMAT_TEXT, WS_FORMAT_JSON };
enum ws_mode { WS_MODE_AUTO, WS_MODE_STRICT, WS_MODE_LENIENT };
enum ws_on_change { WS_ON_CHANGE_RESTART, WS_ON_CHANGE_SIGNAL,
	WS_ON_CHANGE_EXIT };

struct ws_opts {
	enum ws_verb	 verb;
	char		**env_files;	/* -f, in order; NULL-terminated */
	size_t		 n_env_files;
	char		**dirs;		/* -C, in order; NULL-terminated;
					 * "." when none is given */
	size_t		 n_dirs;
	const char	*dir;		/* the last of dirs */
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
	char		**names;	/* explain, gen NAME... */
	int		 force;		/* gen --force */
	int		 dry_run;	/* gen --dry-run */
	int		 mode_set;	/* gen --mode */
	mode_t		 file_mode;	/* gen --mode */
	int		 audit;		/* --audit: WS_AUDIT_* + 1; 0: not given */
	int		 offline;	/* check --offline: no store is asked */
	char		**command;	/* exec: argv of COMMAND */
	/* supervision (SPEC §14): withsecrets stays as the parent */
	int		 init;		/* --init (and --init-group, --watch) */
	int		 init_group;	/* signals go to the command's group */
	int		 watch;		/* --watch */
	enum ws_on_change on_change;
	int		 change_signal;	/* --on-change=signal:NAME */
	long		 kill_timeout_ms;	/* --kill-timeout, default 10 s */
	long		 watch_delay_ms;	/* --watch-delay, default 1 s */
	long		 watch_interval_ms;	/* --watch-interval; 0: not given */
	/* their texts, read by ws_supervise_options() (supervise.c) */
	const char	*on_change_arg, *kill_timeout_arg, *watch_delay_arg,
			*watch_interval_arg;
};

/* Parse argv.  Returns 0, or WS_EX_USAGE after printing why. */
int	 ws_opts_parse(struct ws_opts *, int, char **);
/* "error: usage: WHAT ARG (see withsecrets --help)"; WS_EX_USAGE. */
int	 ws_usage_error(const char *what, const char *arg);
void	 ws_usage(int to_stdout);
void	 ws_opts_free(struct ws_opts *);

#endif /* WS_OPTS_H */
