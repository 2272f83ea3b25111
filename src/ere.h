/*
 * ere.c: a guard in front of regcomp(3).
 */
#ifndef WS_ERE_H
#define WS_ERE_H


/* NULL when regcomp(3) may have this ERE, else why not. */
const char *ws_ere_refused(const char *);

#endif /* WS_ERE_H */
