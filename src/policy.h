/*
 * policy.c: the policy (SPEC §6) as data, and what it says per name.  The
 * rule index and the placeholder filter are fast paths; t_fast and
 * fuzz_policy test them against the plain scans they stand in front of.
 */
#ifndef WS_POLICY_H
#define WS_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include "withsecrets.h"

#define WS_MAX_SECRET_SIZE_LIMIT	131072	/* the kernel's MAX_ARG_STRLEN */
#define WS_MAX_POLICY_FILE_SIZE		(1024u * 1024)

enum ws_required { WS_REQ_NO, WS_REQ_STRICT, WS_REQ_ALWAYS };

/* The keys of a [var] section, as bits of ws_varrule.set. */
enum ws_varkey { WS_VK_SECRET, WS_VK_REQUIRED, WS_VK_MIN_LENGTH,
	WS_VK_DISTINCT, WS_VK_DEBUG, WS_VK_PATTERN, WS_VK_FORBID,
	WS_VK_GENERATE, WS_VK_COUNT };

/* What `gen` writes for a name (SPEC §11): [var] generate = FORMAT:N. */
enum ws_genfmt { WS_GEN_NO, WS_GEN_HEX, WS_GEN_BASE64URL, WS_GEN_ALNUM };
#define WS_GEN_MAX_N	4096	/* bytes (hex, base64url) or characters */

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
	enum ws_genfmt	 gen_fmt;	/* generate: its format (WS_GEN_NO: no) */
	size_t		 gen_n;		/* and its N */
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
 * from a few of its bytes (values.c, SPEC §9): a pattern that starts with
 * two plain bytes, those two first; one that starts with one, that byte
 * first; else two adjacent bytes of its literal, which a value holding
 * the literal has at one of the positions step - 1, 2 * step - 1, ...
 * (step: the shortest such literal less one).
 */
struct ws_phfilter {
	int		 ready;		/* 0: not built (a policy made by hand) */
	int		 always;	/* a pattern none of this rules out:
					 * the masks of literals decide */
	size_t		 step;		/* 0: no pattern needs pairs */
	uint64_t	 first;		/* WS_PH_BITS() of the first bytes */
	uint64_t	 starts[64];	/* the first two: as pairs */
	uint64_t	 pairs[64];	/* [WS_PH_BITS(a)] >> WS_PH_BITS(b) */
};
/* A byte to six bits, the same for both cases of a letter (so a value
 * need not be folded first): letters 1-26, digits and punctuation 32-63
 * (with the control bytes); what else shares a number only costs a
 * look at the value (ws_rule_placeholder() decides). */
#define WS_PH_BITS(c)	\
	(((unsigned)(c) & 0x1f) | ((~(unsigned)(c) >> 1) & 0x20))

/* A [store NAME] section (SPEC §13): a secret store reached through its
 * local agent.  Only a user's file declares one. */
enum ws_store_type { WS_STORE_VAULT, WS_STORE_AWS_SM };
#define WS_STORE_TYPE_NAMES	"vault", "aws-sm"	/* in its order */
#define WS_STORE_TIMEOUT_MS	10000	/* for all the attempts at a path */
struct ws_storedecl {
	char		*name;		/* of the section */
	enum ws_store_type type;
	char		*via;		/* as written; NULL: the default */
	char		*ns;		/* namespace (vault); NULL: none */
	char		*token_file;	/* aws-sm; NULL: $AWS_TOKEN */
	char		**import;	/* paths or ids; NULL: none */
	long		 timeout_ms;
	struct ws_where	 where;		/* its [store] header */
};

struct ws_policy {
	struct ws_settings set;
	struct ws_where	 where[16];	/* of the [withsecrets] keys */
#define WS_SETTING_DEFAULT_ENVIRONMENT	10	/* its index in where[] */
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
	struct ws_storedecl *stores;	/* ordinary heap, never thawed */
	size_t		 n_stores;
};

/* A thawed policy is one allocation (frozen.c), which holds its parts
 * as thawed: these free or grow a part only when it is not in it. */
void	 ws_policy_free_part(struct ws_policy *, void *);
void	*ws_policy_grow_part(struct ws_policy *, void *, size_t, size_t);



void	 ws_policy_destroy(struct ws_policy *);
void	 ws_regex_free(void *);		/* a [var] pattern's regex_t */
/* "FILE:LINE" of a key, for messages (to be freed). */
char	*ws_where_fmt(const struct ws_where *);
/* The audit record in effect (SPEC §12): --audit, else the policy's. */
enum ws_audit ws_audit_mode(const struct ws_run *);
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
/* Is this entry a secret (the policy and its source say)? */
int	 ws_policy_is_secret(struct ws_run *, const struct ws_var *);

#endif /* WS_POLICY_H */
