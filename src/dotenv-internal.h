/*
 * dotenv-internal.h: what the .env parser (dotenv.c) and its
 * interpolation (interp.c) share: the state of one file's parse.
 */
#ifndef WS_DOTENV_INTERNAL_H
#define WS_DOTENV_INTERNAL_H

#include "withsecrets.h"
#include "dotenv.h"

/* ${A:-${B:-...}} deeper than this is refused: the recursion that
 * evaluates it must stay small whatever the file holds. */
#define WS_DOTENV_MAX_DEPTH	32
/* Findings of one file before the rest is skipped. */
#define WS_DOTENV_MAX_ERRORS	20
/* Bytes of values one file may produce in total: each value is capped
 * by max-secret-size, but many lines each expanding a large value must
 * not exhaust memory either.  An environment this large could not be
 * passed to execve(2) anyway. */
#define WS_DOTENV_MAX_OUTPUT	((size_t)32 * 1024 * 1024)

struct parse {
	const struct ws_dotenv_in *in;
	struct ws_store	*store;		/* in->store, in->src */
	struct ws_source *src;
	const char	*display;	/* the file as shown in messages */
	char		*buf;		/* the whole text */
	char		*p;		/* cursor */
	char		*end;
	unsigned	 line;		/* of the cursor */
	size_t		 max;		/* max-secret-size */
	size_t		 produced;	/* value bytes so far */
	unsigned	 errors;
	int		 status;	/* the first WS_EX_* */
	int		 stop;		/* give up on this file */
	int		 resolved;	/* a lookup read a NAME_FILE */
	/* the statement being evaluated, for messages */
	const char	*key;
	unsigned	 key_line;
	int		 interpolated;
	int		 from_secret;	/* it took in a secret file's value */
	int		 backslash;	/* the quoted value holds one */
	int		 lf_last;	/* the text ends with a line feed */
	/* the unset names $NAME and ${NAME} of the statement named, in
	 * the text (noted in the store once its entry is made) */
	struct unset_ref { const char *name; size_t n; } *unset;
	size_t		 n_unset, cap_unset;
};

enum quoting { UNQUOTED, SINGLE, DOUBLE };

/* A finding at line of the file (the first WS_EX_* becomes the parse's
 * status; after WS_DOTENV_MAX_ERRORS the rest of the file is skipped). */
void	 ws_dotenv_record(struct parse *, int code, const char *rule,
	    const char *name, unsigned line, const char *fmt, ...)
	    WS_PRINTF(6, 7);
void	 ws_dotenv_nomem(struct parse *);
void	 ws_dotenv_too_large(struct parse *);	/* over max-secret-size */
void	 ws_dotenv_too_much(struct parse *);	/* over WS_DOTENV_MAX_OUTPUT */
/* interp.c: the interpolation of [vs, vs + n) into a block of its own in
 * ws_work.  0, or -1 after a finding. */
/* Note the statement's unset names for v, its entry (SPEC §4.4). */
void	 ws_dotenv_note_unset(struct parse *, struct ws_var *v);
int	 ws_dotenv_interpolate(struct parse *, const char *vs, size_t n,
	    const char **val, size_t *vallen);

#endif /* WS_DOTENV_INTERNAL_H */
