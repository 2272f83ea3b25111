/*
 * gen-internal.h: what gen.c (which names, and what each gets) and
 * gen-write.c (writing them) share.
 */
#ifndef WS_GEN_INTERNAL_H
#define WS_GEN_INTERNAL_H

#include <stddef.h>
#include <sys/stat.h>

#include "withsecrets.h"
#include "policy.h"

/* The output, chosen before the sources are read. */
struct gen_out {
	int		 dir;		/* 1: -s DIR; 0: -f FILE */
	const char	*path;		/* as given */
	int		 exists;
	struct stat	 st;		/* when it exists */
};

/* What gen does with a name; GEN_QUIET: not a secret, and set. */
enum what { GEN_WRITE, GEN_KEPT, GEN_HAND, GEN_QUIET };

struct item {
	const char	*name;
	size_t		 namelen;
	enum what	 what;
	enum ws_genfmt	 fmt;
	size_t		 n;
	struct ws_varpol vp;
	struct ws_var	*e;		/* the entry the command would get */
	struct ws_var	*oe;		/* the entry of the output, if any */
	const char	*why;		/* GEN_HAND: a reason, or NULL */
	char		*file;		/* -s: the file's name in DIR */
	char		*value;		/* in ws_work */
	size_t		 vallen;
	const char	*vs, *ve;	/* -f: the span of the old value */
};

struct plan {
	const struct gen_out *out;
	struct ws_run	*run;
	struct item	*it;
	size_t		 n;
	int		 given;		/* NAMEs on the command line */
	size_t		 n_secrets;	/* secret names considered */
};

/* One line on stdout for a name written (or that would be): never a
 * value. */
void	 ws_gen_said(const struct plan *, const struct item *, const char *verb,
	    const char *where);
char	*ws_gen_lower_name(const char *, size_t);	/* a file's name */
void	 ws_gen_write_dir(struct plan *);		/* -s DIR */
void	 ws_gen_write_env_file(struct plan *);		/* -f FILE */

#endif /* WS_GEN_INTERNAL_H */
