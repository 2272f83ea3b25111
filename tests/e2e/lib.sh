# Sourced by the end-to-end tests: TAP output, a scratch directory, and
# a runner that records the real binary's stdout, stderr and status.
# shellcheck shell=bash
set -u

: "${WS:?WS must name the withsecrets binary (run through make check)}"
WS_BUILDDIR=${WS_BUILDDIR:-$(dirname "$WS")}
WS_SRCDIR=${WS_SRCDIR:-$WS_BUILDDIR}
TAP_N=0
TAP_FAILED=0
T=$(mktemp -d "${TMPDIR:-/tmp}/ws-test.XXXXXX")
VG_LOGS=
# ws_cleanup: remove the scratch directory (and valgrind's logs); a test
# with its own EXIT trap calls it last.
ws_cleanup() {
	chmod -R u+rwX "$T" 2>/dev/null
	rm -rf "$T" ${VG_LOGS:+"$VG_LOGS"}
}
trap ws_cleanup EXIT
cd "$T" || exit 99
# Files the tests make are not group-writable, whatever the caller's
# umask (strict environments refuse group-writable files).
umask 022
# make check-valgrind: run the binary under valgrind (not the command it
# executes); a valgrind error is exit status 99, which no test expects.
# Valgrind writes its own report to a log file, not to stderr: its
# warnings (an openat2 it does not know, for one) would otherwise land in
# the stderr the tests compare.  A failing test shows the newest log.
if [ -n "${WS_VALGRIND:-}" ]; then
	VG_LOGS=$(mktemp -d "${TMPDIR:-/tmp}/ws-vg.XXXXXX")
	printf '#!/bin/sh\nexec valgrind -q --log-file=%s/vg.%%p --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect %s "$@"\n' "$VG_LOGS" "$WS" >"$VG_LOGS/withsecrets"
	chmod +x "$VG_LOGS/withsecrets"
	WS=$VG_LOGS/withsecrets
fi
# A minimal, predictable environment for the binary under test.
BASE_ENV=(env -i "PATH=/usr/local/bin:/usr/bin:/bin" "HOME=$T" "LC_ALL=C")

ok() {	# ok STATUS DESCRIPTION
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TAP_N - $2"
	else
		echo "not ok $TAP_N - $2"
		TAP_FAILED=$((TAP_FAILED + 1))
		if [ -s "$T/err" ]; then sed 's/^/#   stderr: /' "$T/err" | head -n 20; fi
		if [ -n "$VG_LOGS" ]; then
			# shellcheck disable=SC2012
			ls -t "$VG_LOGS"/vg.* 2>/dev/null | head -n 1 |
			    xargs -r sed 's/^/#   valgrind: /' | head -n 40
		fi
	fi
}

is() {	# is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '#   got:  %q\n#   want: %q\n' "$1" "$2"
	fi
}

skip_one() {	# skip_one DESCRIPTION REASON
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1 # SKIP $2"
}

skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

done_testing() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
	exit $?
}

# run CMD...: run it, recording $T/out, $T/err and $RC.
run() {
	"$@" >"$T/out" 2>"$T/err" </dev/null
	RC=$?
}

# ws ARGS...: run withsecrets in the minimal environment plus any
# VAR=value words given before the first option or verb.
ws() {
	local envs=()
	while [ $# -gt 0 ] && [[ "$1" == *=* ]] && [[ "$1" != -* ]]; do
		envs+=("$1")
		shift
	done
	run "${BASE_ENV[@]}" "${envs[@]}" "$WS" "$@"
}

# childvar NAME: the value NAME had in the command's environment, as
# printed by env -0 into $T/out; status 1 when it was not set.
childvar() {
	local rec
	while IFS= read -r -d '' rec; do
		if [ "${rec%%=*}" = "$1" ]; then
			printf '%s' "${rec#*=}"
			return 0
		fi
	done <"$T/out"
	return 1
}

childnames() {	# the names in $T/out, one a line, sorted
	local rec
	while IFS= read -r -d '' rec; do
		printf '%s\n' "${rec%%=*}"
	done <"$T/out" | LC_ALL=C sort
}

# is_var NAME WANT DESCRIPTION
is_var() {
	local got
	got=$(childvar "$1"; printf x)
	is "${got%x}" "$2" "$3"
}

# unset_var NAME DESCRIPTION
unset_var() {
	if childvar "$1" >/dev/null; then ok 1 "$2"; else ok 0 "$2"; fi
}

is_rc() {	# is_rc WANT DESCRIPTION
	is "$RC" "$1" "$2 (exit $1)"
}

# stderr_has TEXT DESCRIPTION
stderr_has() {
	if grep -qF -- "$1" "$T/err"; then ok 0 "$2"; else
		ok 1 "$2"; echo "#   wanted in stderr: $1"; fi
}

# no_leak SECRET DESCRIPTION: the secret is on neither stderr nor,
# unless the command printed its environment, stdout.
no_leak() {
	if grep -qF -- "$1" "$T/err"; then ok 1 "$2: secret on stderr"; return; fi
	if [ "${3:-}" != "stdout-is-env" ] && grep -qF -- "$1" "$T/out"; then
		ok 1 "$2: secret on stdout"; return; fi
	ok 0 "$2"
}

one_line_stderr() {	# every stderr line starts with the prefix
	if grep -qv '^withsecrets: ' "$T/err"; then ok 1 "$1"; else ok 0 "$1"; fi
}

# random_secret: 40 characters that appear nowhere else
random_secret() {
	head -c 30 /dev/urandom | base64 | tr -d '/+=' | head -c 40
}
