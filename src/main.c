/*
 * withsecrets: resolve, check, then exec.  main() lists the steps; each
 * module does one.  Every exit path wipes the guarded arenas.
 */
#include "config.h"

#include <stdlib.h>
#include <unistd.h>

#include "withsecrets.h"

extern char **environ;

static void
cleanup(struct ws_run *run)
{
	ws_secmem_wipe_all();
	ws_store_free(run->store);
	run->store = NULL;
	ws_resolve_free();
	ws_intern_free();
	ws_policy_free(run);
	ws_opts_free(run->opts);
	ws_diag_reset();
}

static int
finish(struct ws_run *run, int status)
{
	ws_diag_flush();
	cleanup(run);
	return status;
}

/* Set-ID: withsecrets reads files with the caller's own rights only.
 * The real, effective and saved ids at once: two calls, not four. */
static int
refuse_setid(void)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;

	if (getresuid(&ruid, &euid, &suid) == 0 &&
	    getresgid(&rgid, &egid, &sgid) == 0 &&
	    ruid == euid && rgid == egid)
		return 0;
	ws_msg("error: set-id: refusing to run set-user-ID or set-group-ID; "
	    "remove the set-ID bit from the withsecrets binary");
	return WS_EX_PERM;
}

/* Every source, in the order their values are needed. */
static int
load_sources(struct ws_run *run)
{
	(void)ws_inherit_load(run);
	(void)ws_secretdirs_load(run);
	(void)ws_layers_load(run);
	(void)ws_policy_defaults_load(run);
	(void)ws_resolve_pointers(run);
	ws_file_check_modes(run->strict);
	(void)ws_deny_check(run);
	(void)ws_policy_check(run);
	return ws_diag_status();
}

int
main(int argc, char **argv)
{
	struct ws_opts opts;
	struct ws_run run = { 0 };
	int rc;

	ws_builtin_frozen = &ws_builtin_frozen_data;	/* not parsed: SPEC §9 */
	ws_secmem_init();
	if ((rc = refuse_setid()) != 0)
		return rc;
	run.opts = &opts;
	run.environ_in = environ;
	if ((rc = ws_opts_parse(&opts, argc, argv)) != 0) {
		ws_opts_free(&opts);
		return rc;
	}
	switch (opts.verb) {
	case WS_VERB_HELP:
		ws_usage(1);
		return finish(&run, ws_out_flush(&ws_stdout) ? WS_EX_SOFTWARE : 0);
	case WS_VERB_VERSION:
		ws_out_str(&ws_stdout, "withsecrets " PACKAGE_VERSION "\n");
		return finish(&run, ws_out_flush(&ws_stdout) ? WS_EX_SOFTWARE : 0);
	case WS_VERB_DEFAULTS:
		return finish(&run, ws_defaults_print());
	default:
		break;
	}

	run.store = ws_store_new();
	if ((rc = ws_policy_load(&run)) != 0)
		return finish(&run, opts.verb == WS_VERB_CHECK ?
		    ws_check_report(&run) : rc);
	rc = load_sources(&run);

	if (opts.verb == WS_VERB_CHECK)
		return finish(&run, ws_check_report(&run));
	if (opts.verb == WS_VERB_EXPLAIN) {
		/* the table helps most when something is wrong */
		int erc = ws_explain(&run);

		return finish(&run, rc ? rc : erc);
	}
	if (rc != 0)
		return finish(&run, rc);
	if ((rc = ws_envbuild(&run)) != 0)
		return finish(&run, rc);
	ws_diag_flush();
	rc = ws_exec(&run);	/* returns only on failure */
	return finish(&run, rc);
}
