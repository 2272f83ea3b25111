/*
 * dotenv.c: the .env parser (SPEC §4.4).  It is given a store, the text,
 * the limits and a lookup: nothing else of the run.
 */
#ifndef WS_DOTENV_H
#define WS_DOTENV_H

#include <stddef.h>
#include "withsecrets.h"
#include "file.h"

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
/* Read and parse one .env file into in->src.  Returns 0, 1 when missing
 * and missing_ok, or a WS_EX_* code after findings. */
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

#endif /* WS_DOTENV_H */
