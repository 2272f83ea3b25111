/*
 * The built-in policy: its text (builtin.c), the parser that reads it and
 * the user's file (config.c), and its frozen form (frozen.c, gen-builtin.c).
 */
#ifndef WS_FROZEN_H
#define WS_FROZEN_H

#include <stddef.h>
#include <stdint.h>
#include "withsecrets.h"
#include "policy.h"

/* The built-in policy, an INI text (printed by `withsecrets defaults`). */
extern const char ws_builtin_policy[];
struct ws_policy *ws_policy_new(void);

/*
 * The built-in policy frozen into C data at build time: gen-builtin
 * parses ws_builtin_policy with ws_config_parse and prints what it got
 * (gen-builtin.c), so that a run need not parse the text (SPEC §9).  The
 * pointers of the policy are left out of the copies below; its strings
 * are offsets into one text, so that the rules hold no pointer the
 * loader would have to relocate (it writes every page that holds one:
 * docs/PERFORMANCE.md).  ws_policy_thaw() rebuilds the policy the
 * parser makes, in one allocation (tests/unit/t_frozen.c compares the
 * two).
 */
struct ws_frozen_list {			/* a word list, as split_words() */
	size_t		 text;		/* the words, each NUL-terminated,
					 * at ws_frozen.text + text */
	size_t		 len;		/* of the words, NULs included */
	size_t		 n;		/* words */
	int		 present;	/* 0: the list is NULL */
	size_t		 offs;		/* where each word starts (from
					 * text): ws_frozen.offs[offs...] */
};

struct ws_frozen_rule {
	struct ws_varrule r;		/* its pointers NULL */
	size_t		 pattern;	/* at ws_frozen.text + pattern */
	size_t		 pattern_len;
	size_t		 lit_off;	/* lit - pattern; -1: lit is NULL */
	unsigned	 where_set;	/* 1 << k: where[k].file was set */
	struct ws_frozen_list forbid;
};

/* The large parts that hold no pointer, apart from the rest: the rest
 * is relocated, and so written, at every start. */
struct ws_frozen_plain {
	struct ws_settings set;		/* its pointers NULL */
	struct ws_where	 where[16];	/* files NULL */
	struct ws_phfilter ph_filter;
};

struct ws_frozen {
	const char	*text;		/* every string below */
	const size_t	*offs;		/* every list's word offsets */
	const struct ws_frozen_plain *plain;
	struct ws_frozen_list environment_vars, lenient_environments,
			 secrets_dirs, keep, deny, ignore_file_vars;
	const char	*example;
	const char	*default_environment;
	unsigned	 where_set;	/* 1 << plain->where[k].file was set */
	const struct ws_frozen_rule *rules;
	size_t		 n_rules;
	const struct ws_default *defaults;	/* file NULL */
	size_t		 n_defaults;
	struct ws_frozen_list ph_values, ph_patterns, ph_literals;
	const uint64_t	*ph_masks;	/* each n + 1 long */
	const size_t	*ph_lens;
	uint64_t	 ph_lenset;
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

/* Parse one INI text into p, layered over what p holds: the built-in
 * text first (user 0), then the user's file (user 1).  display names
 * the file in findings.  Returns 0 or WS_EX_POLICY after findings. */
int	 ws_config_parse(struct ws_policy *, const char *buf, size_t len,
	    const char *display, int user);
/* The line buffer size of the linked libinih, learnt while parsing. */
int	 ws_config_line_max(void);

#endif /* WS_FROZEN_H */
