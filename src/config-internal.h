/*
 * config-internal.h: what the two halves of the policy reader share.
 * config.c reads the text (its own line reader in front of inih) into
 * raw sections; config-keys.c applies their keys to a ws_policy.
 */
#ifndef WS_CONFIG_INTERNAL_H
#define WS_CONFIG_INTERNAL_H

#include "withsecrets.h"
#include "util.h"
#include "policy.h"

enum sect { SECT_WITHSECRETS, SECT_DEFAULTS, SECT_VAR, SECT_PLACEHOLDERS,
	SECT_STORE };

/* The [withsecrets] keys; their index is used in policy->where[]. */
enum setkey { SK_ENVIRONMENT_VARS, SK_LENIENT_ENVIRONMENTS, SK_SECRETS_DIRS,
	SK_KEEP, SK_DENY, SK_IGNORE_FILE_VARS, SK_FILE_VARS,
	SK_MAX_SECRET_SIZE, SK_EXAMPLE, SK_PLAINTEXT_SECRETS,
	SK_DEFAULT_ENVIRONMENT, SK_EXPORT_ENVIRONMENT, SK_AUDIT,
	SK_AUDIT_REQUIRED, SK_COUNT };

struct raw_entry {
	char		*key;
	char		*value;		/* continuation lines joined by ' ' */
	unsigned	 line;
};

struct raw_section {
	enum sect	 kind;
	char		*name;		/* [var PATTERN], [store NAME] */
	unsigned	 line;
	struct raw_entry *e;
	size_t		 n;
};

struct cfg_err {
	unsigned	 line;
	size_t		 seq;		/* order of finding: ties keep it */
	char		*msg;
};

struct parse {
	struct ws_policy *p;
	const char	*display;
	int		 user;
	const char	*pos, *end;
	unsigned	 lineno;
	struct raw_section *secs;
	size_t		 nsecs;
	long		 cur;		/* section index; -1 none, -2 unknown */
	long		 last_sec;	/* entry a continuation appends to */
	size_t		 last_ent;
	int		 cont_ok;
	struct cfg_err	*errs;
	size_t		 n_err;
	int		 status;
	/* hashed, so that a file of many sections, keys or rules is read
	 * in linear time: a section's kind and name -> its index; a
	 * section's index and a key -> the entry's index; a [var]
	 * pattern -> its rule; a [defaults] name -> its entry */
	struct ws_strmap sections, keys, rules, defaults;
};

static inline int
ws_config_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* config-words.c: an error at a line of the file, reported in line
 * order once the whole file is read. */
void	 ws_config_error(struct parse *, unsigned line, const char *fmt, ...)
	    WS_PRINTF(3, 4);
int	 ws_config_line_has_error(const struct parse *, unsigned line);
/* Report the errors collected, in line order, as findings. */
void	 ws_config_flush_errors(struct parse *);

/* config-words.c: the values of keys.  Space-separated words as a
 * NULL-terminated list in one allocation (lower: folded to lower case);
 * the words of a list, n of them, as a new one; how many. */
char	**ws_config_split_words(const char *, int lower);
void	 ws_config_free_words(char **);
char	**ws_config_join_words(char *const *, size_t n);
size_t	 ws_config_count_words(char *const *);
/* A list that makes a check stricter, extended by a user's file (and
 * !ITEM removing a built-in item), or set by the built-in policy: the
 * new list, or NULL after an error (SPEC §6). */
char	**ws_config_extend_words(struct parse *, char **old, const char *value,
	    int lower, const char *key, unsigned line);
/* yes/no/true/false/on/off/1/0 in any case, else -1; a decimal number
 * in [lo, hi] into *out, else -1. */
int	 ws_config_parse_bool(const char *);
int	 ws_config_parse_size(const char *, size_t lo, size_t hi, size_t *out);
/* Apply every key read (config-keys.c). */
void	 ws_config_apply(struct parse *);

#endif /* WS_CONFIG_INTERNAL_H */
