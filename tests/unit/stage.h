/*
 * The steps of a run report through findings (SPEC §3, HACKING.md):
 * status_of() gives the status of the findings one step added, for the
 * tests that look at a single step.
 */
#ifndef WS_TEST_STAGE_H
#define WS_TEST_STAGE_H

#include "withsecrets.h"
#include "diag.h"

static inline int
status_of(void (*step)(struct ws_run *), struct ws_run *run)
{
	size_t first = ws_finding_count();

	step(run);
	return ws_diag_status_since(first);
}

#endif
