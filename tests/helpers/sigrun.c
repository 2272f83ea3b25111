/*
 * sigrun BLOCK IGNORE PENDING COMMAND [ARG...]: run COMMAND with the
 * signals of BLOCK blocked, those of IGNORE ignored, and those of
 * PENDING blocked and already pending (comma-separated numbers, or
 * "-" for none; in IGNORE, -N gives signal N its default action back,
 * as a shell's background job needs for SIGINT and SIGQUIT).
 * tests/e2e/init.sh: what withsecrets --init was given
 * is what the command gets (SPEC §8), and a signal that came before the
 * command existed reaches it (SPEC §14).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
each(const char *list, void (*f)(int))
{
	char *copy, *p, *tok;

	if (strcmp(list, "-") == 0)
		return;
	copy = strdup(list);
	for (p = copy; (tok = strsep(&p, ",")) != NULL;)
		f(atoi(tok));
	free(copy);
}

static sigset_t mask;

static void block(int sig) { sigaddset(&mask, sig); }
static void ignore(int sig) { signal(sig < 0 ? -sig : sig, sig < 0 ? SIG_DFL : SIG_IGN); }
static void pend(int sig) { sigaddset(&mask, sig); sigprocmask(SIG_BLOCK, &mask, NULL); raise(sig); }

int
main(int argc, char **argv)
{
	if (argc < 5)
		return 2;
	sigemptyset(&mask);
	each(argv[1], block);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	each(argv[2], ignore);
	each(argv[3], pend);
	execvp(argv[4], argv + 4);
	perror(argv[4]);
	return 127;
}
