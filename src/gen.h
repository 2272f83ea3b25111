/*
 * gen.c: `withsecrets gen` (SPEC §11), generating the secrets that are
 * missing into a secrets directory or a .env file.
 */
#ifndef WS_GEN_H
#define WS_GEN_H

#include <stddef.h>
#include "withsecrets.h"
#include "policy.h"

/* Before the sources are read: the output (the first -s DIR, else the
 * first -f FILE) and the NAMEs given are checked, and an output that
 * does not exist yet is taken out of the sources (it is created, not
 * missing).  Findings: 64. */
void	 ws_gen_prepare(struct ws_run *);
/* After the sources: which names, what each gets, then the writing
 * (or, with --dry-run, what would be written).  One line per name on
 * stdout, never a value.  Findings: 64, 73, 78. */
void	 ws_gen(struct ws_run *);
void	 ws_gen_free(void);

/* The characters that FMT:N makes, and the N of fmt that makes at least
 * chars characters (a default format grows to a min-length). */
size_t	 ws_gen_chars(enum ws_genfmt, size_t n);
size_t	 ws_gen_n_for(enum ws_genfmt, size_t chars);
/* Make a value of FMT:N in ws_work (NUL-terminated, *len set): random
 * bytes from randombytes_buf(), formatted in guarded memory.  NULL
 * when memory runs out.  The caller wipes it (sodium_memzero). */
char	*ws_gen_value(enum ws_genfmt, size_t n, size_t *len);
const char *ws_gen_fmt_name(enum ws_genfmt);

#endif /* WS_GEN_H */
