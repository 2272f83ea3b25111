/* Prints this process's PR_GET_DUMPABLE: the test that execve reset
 * the flag withsecrets cleared for itself (SPEC §8). */
#include <stdio.h>
#include <sys/prctl.h>

int
main(void)
{
	printf("dumpable=%d\n", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
	return 0;
}
