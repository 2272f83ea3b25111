#!/usr/bin/env bash
# The memory guarantee (SPEC §8): at execve no copy of a secret exists
# outside the environment block, and after an error exit none at all.
# tests/probe/memprobe.so is preloaded into withsecrets and scans every
# readable mapping at execve and at exit.
. "$WS_SRCDIR/tests/e2e/lib.sh"

PROBE=$WS_BUILDDIR/tests/probe/memprobe.so
[ -n "${WS_SAN:-}" ] && skip_all "the probe cannot be preloaded into a sanitized binary"
[ -f "$PROBE" ] || skip_all "memprobe.so not built"
[ -n "${WS_VALGRIND:-}" ] && skip_all "the probe does not run under valgrind"

S=$(random_secret)
HEX=$(printf '%s' "$S" | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$S" >pw

# probe CASE VAR=value... -- ARGS: run withsecrets with the probe.
probe() {
	local envs=()
	rm -f "$T/probe.out"
	while [ "$1" != "--" ]; do envs+=("$1"); shift; done
	shift
	run "${BASE_ENV[@]}" LD_PRELOAD="$PROBE" WS_PROBE_NEEDLE_HEX="$HEX" \
	    WS_PROBE_OUT="$T/probe.out" "${envs[@]}" "$WS" -u LD_PRELOAD "$@"
}

# probe_says WHEN DESCRIPTION: every WHEN line reports no leak.
probe_says() {
	local lines
	lines=$(grep "^$1 " "$T/probe.out" 2>/dev/null)
	if [ -z "$lines" ]; then ok 1 "$2: the probe did not run at $1"; return; fi
	if grep "^$1 " "$T/probe.out" | grep -qv 'leaks=0$'; then
		ok 1 "$2"; sed 's/^/#   /' "$T/probe.out"; return
	fi
	ok 0 "$2"
}

# A positive control: a secret left in memory is found.
probe "SECRET=$S" -- -- true
grep -q '^execve .*leaks=[1-9]' "$T/probe.out"
ok $? "control: the probe finds a copy left in memory (the inherited environ)"

probe DB_PASSWORD_FILE=pw -- -- true
is_rc 0 "exec with a NAME_FILE secret"
probe_says execve "at execve the secret is only in the environment block"
grep -q '^execve dumpable=0 ' "$T/probe.out"
ok $? "withsecrets is not dumpable at execve"

probe DB_PASSWORD_FILE=pw -- -- no-such-command
is_rc 127 "command not found"
probe_says exit "after a failed exec nothing is left"

probe DB_PASSWORD_FILE=pw DB_PASSWORD_OTHER_FILE=pw X=1 X_FILE=pw -- -- true
is_rc 78 "a contradiction stops the run"
probe_says exit "after an error exit nothing is left"

probe DB_PASSWORD_FILE=pw -- check
probe_says exit "after check nothing is left"

probe DB_PASSWORD_FILE=pw -- explain
probe_says exit "after explain nothing is left"

{ printf '%s\0' "$S"; } >nul
probe X_FILE=nul -- -- true
is_rc 65 "a NUL byte"
probe_says exit "a refused file is wiped"

{ printf '%s' "$S"; head -c 70000 /dev/zero | tr '\0' 'z'; } >big
probe X_FILE=big -- -- true
is_rc 65 "an oversized file"
probe_says exit "an oversized file is wiped"

done_testing
