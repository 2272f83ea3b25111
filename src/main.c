/*
 * withsecrets: resolve, check, then exec.  main() lists the steps; each
 * module does one.  The steps report through findings (diag.c), and
 * main() turns them into the exit status (SPEC §3); it is the only place
 * that exits, and every exit path wipes the guarded arenas.
 *
 * Built twice (handoff.h): as withsecrets-full, the whole program, and
 * with WS_LAUNCHER as the launcher, which hands gen, --init, --watch and
 * audited runs to withsecrets-full and so links none of their code.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "withsecrets.h"
#include "opts.h"
#include "supervise.h"
#include "util.h"
#include "secmem.h"
#include "out.h"
#include "diag.h"
#include "file.h"
#include "vars.h"
#include "effective.h"
#include "frozen.h"
#include "resolve.h"
#ifdef WS_LAUNCHER
#include "handoff.h"
#else
#include "gen.h"
#include "audit.h"
#include "stores.h"
#endif

extern char **environ;
#ifdef WS_LAUNCHER
static char **given_argv;	/* as main() got them, for the handoff */
static int handoff_failed;	/* withsecrets-full could not be started */

static void
hand_off(struct ws_run *run, const char *why)
{
	ws_handoff(given_argv, run->environ_in, why);
	handoff_failed = 1;	/* it returns only then (a finding says so) */
}
#endif

/* Free what one reading of the sources made, its secrets wiped; a
 * store's answers stay (stores.h). */
static void
release_reading(struct ws_run *run)
{
	ws_arena_wipe(&ws_work);
	ws_decision_free(run);
	ws_store_free(run->store);
	run->store = NULL;
	ws_store_free(run->example);
	run->example = NULL;
	free(run->example_path);
	run->example_path = NULL;
	ws_resolve_free();
#ifndef WS_LAUNCHER
	ws_gen_free();
#endif
	ws_intern_free();
	ws_policy_free(run);
	run->envp = NULL;
	run->envp_bytes = 0;
	run->env_name = run->env_name_from = NULL;
	run->strict = 0;
	ws_diag_reset();
}

/* Wipe every secret and free what a run's steps made; the options
 * stay (a supervised command is built again from them, SPEC §14). */
static void
release(struct ws_run *run)
{
	ws_secmem_wipe_all();
	release_reading(run);
#ifndef WS_LAUNCHER
	ws_stores_forget();
#endif
}

static void
cleanup(struct ws_run *run)
{
	release(run);
	ws_opts_free(run->opts);
}

/* Print what is left to say, wipe everything, and give the status. */
static int
finish(struct ws_run *run, int status)
{
	ws_diag_flush();
	cleanup(run);
	return status;
}

/* Out of memory anywhere (util.c): nothing secret may outlive us. */
static void
die(void)
{
	ws_secmem_wipe_all();
	_exit(WS_EX_SOFTWARE);
}

/* withsecrets reads files with the caller's own rights only (SPEC §8):
 * refuse a set-user-ID or set-group-ID start, or one raised any other
 * way.  Equal ids do not mean equal rights: file capabilities (setcap
 * cap_dac_read_search+ep) raise a run without changing an id, and the
 * kernel marks every such exec, set-ID ones too, with AT_SECURE in the
 * auxiliary vector. */
static int
refuse_setid(void)
{
	unsigned long uid, euid, gid, egid;

	/* the ids the kernel started us with, from the auxiliary vector
	 * (nothing since changes them), without a system call each */
	errno = 0;
	uid = getauxval(AT_UID);
	euid = getauxval(AT_EUID);
	gid = getauxval(AT_GID);
	egid = getauxval(AT_EGID);
	if (errno == ENOENT || uid != euid || gid != egid) {
		ws_msg("error: set-id: refusing to run set-user-ID or "
		    "set-group-ID; remove the set-ID bit from the withsecrets "
		    "binary");
		return WS_EX_PERM;
	}
	if (getauxval(AT_SECURE) != 0) {
		ws_msg("error: set-id: refusing to run with raised privileges "
		    "(the kernel marks this run AT_SECURE: file capabilities "
		    "or a security module's transition); remove them from "
		    "the withsecrets binary (setcap -r)");
		return WS_EX_PERM;
	}
	return 0;
}

/* Every source, in the order their values are needed, then the rules. */
static void
load_sources(struct ws_run *run)
{
	ws_example_load(run);	/* declarations, which resolving consults */
	ws_inherit_load(run);
	ws_secretdirs_load(run);
#ifndef WS_LAUNCHER
	ws_stores_import(run);	/* ranked with the secret dirs, after them */
#endif
	ws_layers_load(run);
	ws_defaults_load(run);
	ws_resolve_pointers(run);
	ws_file_check_modes(run->strict);
	ws_environment_export(run);
#ifndef WS_LAUNCHER
	ws_stores_check(run);	/* references: none in most runs */
#endif
}

static void
check_rules(struct ws_run *run)
{
	ws_deny_check(run);
	ws_rules_check(run);
	ws_audit_check(run);
}

#ifdef WS_LAUNCHER
/* Does the run use a secret store: a value that may be a reference, or
 * an import?  withsecrets-full asks the stores; the launcher has none
 * of their code (handoff.h). */
static int
uses_stores(const struct ws_run *run)
{
	size_t i;

	if (ws_store_may_refer(run->store))
		return 1;
	for (i = 0; i < run->policy->n_stores; i++)
		if (run->policy->stores[i].import != NULL)
			return 1;
	return 0;
}
#endif

/* The policy, every source, the rules: one reading.  The launcher
 * hands a run that writes an audit record to withsecrets-full once the
 * policy says so, and one that uses a store once the sources do, before
 * any rule judges a reference as a value. */
static void
read_all(struct ws_run *run)
{
	run->store = ws_store_new();
	ws_policy_load(run);	/* with errors: the built-in policy */
#ifdef WS_LAUNCHER
	if (ws_audit_mode(run) != WS_AUDIT_OFF) {
		hand_off(run, "the audit record");
		return;
	}
	load_sources(run);
	if (uses_stores(run)) {
		hand_off(run, "a secret store reference");
		return;
	}
#else
	load_sources(run);
#endif
	check_rules(run);
}

#ifdef WS_LAUNCHER
static void
load(struct ws_run *run)
{
	read_all(run);
}
#else
/* Does this verb ask the stores?  explain never does, check unless
 * --offline (SPEC §13). */
static int
fetches(const struct ws_run *run)
{
	return run->opts->verb == WS_VERB_EXEC ||
	    (run->opts->verb == WS_VERB_CHECK && !run->opts->offline);
}

/* Read everything; when a reference or an import survives and every
 * local check passed, ask the stores, then read everything again with
 * their answers (stores.h): the same sources, now with the values. */
static void
load(struct ws_run *run)
{
	int verbose = ws_verbose;

	read_all(run);
	if (!ws_stores_pending() || !fetches(run) || ws_diag_status() != 0)
		return;
	ws_stores_fetch(run);
	if (ws_diag_status() != 0)
		return;
	release_reading(run);
	ws_stores_reread();
	ws_verbose = 0;		/* -v said it all the first time */
	read_all(run);
	ws_verbose = verbose;
}

/* gen: the policy and the sources, but not the rules, whose findings
 * are what it mends; its output files are created rather than read. */
static void
load_for_gen(struct ws_run *run)
{
	run->store = ws_store_new();
	ws_policy_load(run);
	if (ws_diag_status() != 0)
		return;		/* nothing is written on a policy error */
	ws_gen_prepare(run);
	if (ws_diag_status() == 0)
		load_sources(run);
}

/* --watch: the command's environment afresh, from nothing (SPEC §14);
 * 0 when run->envp is ready, else the findings' status. */
static int
rebuild(struct ws_run *run)
{
	release(run);
	load(run);
	if (ws_diag_status() == 0)
		ws_envbuild(run);
	return ws_diag_status();
}

static const struct ws_rebuild supervised = { rebuild, release };
#endif /* WS_LAUNCHER */

/*
 * explain exits 0 when it could show the table, whatever the rules say
 * of the values in it (that is check's job, SPEC §6): only what kept it
 * from building the table honestly counts, as the first of 64, 65, 66,
 * 77 and an error in the policy file (78) would be among the findings.
 */
static int
explain_status(void)
{
	static const int order[] = { WS_EX_USAGE, WS_EX_DATAERR,
	    WS_EX_NOINPUT, WS_EX_PERM, WS_EX_POLICY, WS_EX_SOFTWARE };
	const struct ws_finding *f;
	size_t i, j;

	for (j = 0; j < sizeof(order) / sizeof(order[0]); j++)
		for (i = 0; (f = ws_finding_at(i)) != NULL; i++)
			if (f->sev == WS_SEV_ERROR && f->code == order[j] &&
			    (f->code != WS_EX_POLICY ||
			    strcmp(f->rule, "config") == 0))
				return order[j];
	return 0;
}

int
main(int argc, char **argv)
{
	struct ws_opts opts;
	struct ws_run run = { 0 };
	int rc;

	ws_builtin_frozen = &ws_builtin_frozen_data;	/* not parsed: SPEC §9 */
	ws_set_fatal_handler(die);
	if (ws_secmem_init() != 0) {
		ws_msg("error: cannot initialise libsodium");
		return WS_EX_SOFTWARE;
	}
	if ((rc = refuse_setid()) != 0)
		return rc;
	run.opts = &opts;
	run.environ_in = environ;
#ifndef WS_LAUNCHER
	run.stores = &ws_stores_hooks;
#endif
#ifdef WS_LAUNCHER
	given_argv = argv;	/* never permuted: opts.c reads it with "+" */
#endif
	if ((rc = ws_opts_parse(&opts, argc, argv)) != 0
#ifndef WS_LAUNCHER
	    || (rc = ws_supervise_options(&opts)) != 0
#endif
	    ) {
		ws_opts_free(&opts);
		return rc;
	}
#ifdef WS_LAUNCHER
	if (opts.verb == WS_VERB_GEN || opts.init) {
		hand_off(&run, opts.init ? (opts.watch ? "--watch" : "--init") :
		    "gen");
		return finish(&run, ws_diag_status());
	}
#endif
	/* information is shown by check, explain and -v only */
	ws_diag_keep_info(opts.verb != WS_VERB_EXEC || ws_verbose);
	switch (opts.verb) {
	case WS_VERB_HELP:
		ws_usage(1);
		return finish(&run, ws_out_flush(&ws_stdout) ? WS_EX_SOFTWARE : 0);
	case WS_VERB_VERSION:
		/* and the store types this build has (SPEC §13) */
		ws_out_str(&ws_stdout, "withsecrets " PACKAGE_VERSION "\n"
		    "stores: vault aws-sm\n");
		return finish(&run, ws_out_flush(&ws_stdout) ? WS_EX_SOFTWARE : 0);
	case WS_VERB_DEFAULTS:
		return finish(&run, ws_defaults_print() ? WS_EX_SOFTWARE : 0);
	default:
		break;
	}

	/* about what a reading of three layers and a hundred names fills
	 * (the policy, the store, the names): faulted in at once, once,
	 * not again for a second reading or a --watch reload */
	ws_heap_prefault(64 * 1024);
#ifndef WS_LAUNCHER
	if (opts.verb == WS_VERB_GEN)
		load_for_gen(&run);
	else
#endif
		load(&run);
#ifdef WS_LAUNCHER
	if (handoff_failed)
		return finish(&run, ws_diag_status());
#endif

	switch (opts.verb) {
	case WS_VERB_CHECK:
#ifndef WS_LAUNCHER
		if (opts.offline)
			ws_stores_offline(&run);
#endif
		ws_check_report(&run);
		break;
#ifndef WS_LAUNCHER
	case WS_VERB_GEN:
		if (ws_diag_status() == 0)
			ws_gen(&run);
		break;
#endif
	case WS_VERB_EXPLAIN:
		/* the table helps most when something is wrong */
		ws_explain(&run);
		return finish(&run, explain_status());
	default:
		if (ws_diag_status() == 0)
			ws_envbuild(&run);
#ifndef WS_LAUNCHER
		/* exec, or refused: one record either way (SPEC §12); with
		 * audit-required, none delivered is no exec (69) */
		ws_audit_record(&run);
#endif
		if (ws_diag_status() != 0)
			break;
		ws_diag_flush();
#ifndef WS_LAUNCHER
		if (opts.init)	/* stay as the parent (SPEC §14) */
			return finish(&run, ws_supervise(&run, &supervised));
#endif
		ws_exec(&run);	/* returns only on failure */
		break;
	}
	return finish(&run, ws_diag_status());
}
