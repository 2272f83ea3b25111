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
# A static binary (configure --enable-static-binary) has no dynamic
# loader to preload the probe with: SECURITY.md states this trade-off.
if command -v readelf >/dev/null 2>&1 &&
    ! readelf -l "$WS" 2>/dev/null | grep -q 'program interpreter'; then
	skip_all "a static binary: LD_PRELOAD cannot put the probe into it"
fi

S=$(random_secret)
HEX=$(printf '%s' "$S" | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$S" >pw

# probe VAR=value... -- [VERB] ARGS: run withsecrets with the probe
# (-u LD_PRELOAD keeps it out of the command; options follow a verb).
probe() {
	local envs=() verb=()
	rm -f "$T/probe.out"
	while [ "$1" != "--" ]; do envs+=("$1"); shift; done
	shift
	case ${1:-} in
	check|explain|gen) verb=("$1"); shift ;;
	esac
	run "${BASE_ENV[@]}" LD_PRELOAD="$PROBE" WS_PROBE_NEEDLE_HEX="$HEX" \
	    WS_PROBE_OUT="$T/probe.out" ${envs[@]+"${envs[@]}"} "$WS" \
	    ${verb[@]+"${verb[@]}"} -u LD_PRELOAD "$@"
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
is_rc 0 "check"
probe_says exit "after check nothing is left"

probe DB_PASSWORD_FILE=pw -- explain
is_rc 0 "explain"
probe_says exit "after explain nothing is left"

# ------------------------------------------------------------------
# Every kind of source, on every path: the exec (scanned at execve),
# command not found, a policy failure, check and explain (scanned at
# exit).  In each the secret S reaches withsecrets through one source
# only, never through its own environment.

mkdir -p src/secrets
printf '%s\n' "$S" >src/secrets/db_password
printf '%s\n' "$S" >src/pw

# setup KIND: the files and arguments (ARGS) of one kind of source
setup() {
	rm -rf case
	mkdir case
	ARGS=(--no-default-secrets-dirs)
	case $1 in
	env-value)
		printf 'DB_PASSWORD=%s\n' "$S" >case/.env ;;
	quoted-value)
		printf 'DB_PASSWORD="%s\\n"\n' "$S" >case/.env ;;
	interpolated)
		# the secret file's variable is unset: at execve the secret
		# exists only inside the URL built from it
		printf 'DATABASE_URL=postgres://app:${DB_PASSWORD}@db/app\n' \
		    >case/.env
		ARGS+=(-s src/secrets -u DB_PASSWORD) ;;
	secret-dir)
		ARGS+=(-s src/secrets) ;;
	env-file-pointer)
		printf 'DB_PASSWORD_FILE=../src/pw\n' >case/.env ;;
	defaults)
		printf '[defaults]\nSECRET_KEY = %s\n' "$S" >case/withsecrets.ini ;;
	defaults-continued)
		# a value on continuation lines is joined piece by piece
		printf '[defaults]\nSECRET_KEY = %s\n  and more\n' "$S" \
		    >case/withsecrets.ini ;;
	esac
	ARGS+=(-C case)
}

for kind in env-value quoted-value interpolated secret-dir env-file-pointer \
    defaults defaults-continued; do
	setup "$kind"
	probe -- "${ARGS[@]}" -- true
	is_rc 0 "$kind: exec"
	probe_says execve "$kind: at execve only the environment block holds it"

	probe -- "${ARGS[@]}" -- no-such-command
	is_rc 127 "$kind: command not found"
	probe_says exit "$kind: after a failed exec nothing is left"

	probe DEBUG=true -- "${ARGS[@]}" -e production -- true
	is_rc 78 "$kind: a policy failure"
	probe_says exit "$kind: after a policy failure nothing is left"

	probe -- check "${ARGS[@]}"
	is_rc 0 "$kind: check"
	probe_says exit "$kind: after check nothing is left"

	probe DEBUG=true -- check "${ARGS[@]}" -e production --format=json
	is_rc 78 "$kind: check with findings, JSON"
	probe_says exit "$kind: after check with findings nothing is left"

	probe -- explain "${ARGS[@]}"
	is_rc 0 "$kind: explain"
	probe_says exit "$kind: after explain nothing is left"

	probe -- explain "${ARGS[@]}" --format=json
	probe_says exit "$kind: after explain --format=json nothing is left"
done

# A syntax error after a secret was read: the file's values and its
# raw text are wiped.
setup env-value
printf 'BROKEN LINE\n' >>case/.env
probe -- "${ARGS[@]}" -- true
is_rc 65 "a syntax error after a secret"
probe_says exit "after a syntax error nothing is left"

# A world-writable file after a secret directory was read.
setup secret-dir
printf 'A=1\n' >case/.env
chmod 666 case/.env
probe -- "${ARGS[@]}" -- true
is_rc 77 "unsafe permissions after a secret"
probe_says exit "after a permission error nothing is left"
chmod 644 case/.env

# An environment too large for execve: the block is wiped too.
setup secret-dir
{ printf 'B='; head -c 60000 /dev/zero | tr '\0' b; echo
  for i in $(seq 120); do echo "A$i=\${B}"; done; } >case/.env
probe -- "${ARGS[@]}" -- true
is_rc 126 "E2BIG after a secret"
probe_says exit "after E2BIG nothing is left"

{ printf '%s\0' "$S"; } >nul
probe X_FILE=nul -- -- true
is_rc 65 "a NUL byte"
probe_says exit "a refused file is wiped"

{ printf '%s' "$S"; head -c 70000 /dev/zero | tr '\0' 'z'; } >big
probe X_FILE=big -- -- true
is_rc 65 "an oversized file"
probe_says exit "an oversized file is wiped"

# ------------------------------------------------------------------
# A run with the audit record on (SPEC §12): the record is built from
# names and sources (here no journal listens: it is built, then not
# delivered, a warning); the exec and the refusal leave nothing.
for kind in secret-dir env-value env-file-pointer; do
	for audit in journal syslog; do
		setup "$kind"
		probe -- --audit=$audit "${ARGS[@]}" -- true
		is_rc 0 "$kind, --audit=$audit: exec"
		probe_says execve "$kind, --audit=$audit: at execve only the environment block holds it"
		probe DEBUG=true -- --audit=$audit "${ARGS[@]}" -e production -- true
		is_rc 78 "$kind, --audit=$audit: a refusal"
		probe_says exit "$kind, --audit=$audit: after a refusal nothing is left"
	done
done

# ------------------------------------------------------------------
# gen (SPEC §11): the value it makes is the needle (the probe reads it
# from the file gen wrote, at exit); a real secret of the .env file it
# rewrites is the other.

# control: a needle read from a file is found where it is left
printf '%s\n' "$S" >needle
probe SECRET="$S" WS_PROBE_NEEDLE_IN=needle -- -- true
grep -q '^execve .*leaks=[1-9]' "$T/probe.out"
ok $? "control: a needle read from a file is found too"

rm -rf g && mkdir g
probe WS_PROBE_NEEDLE_IN=g/secrets/secret_key -- gen --no-default-secrets-dirs \
    --no-layers -s g/secrets SECRET_KEY
is_rc 0 "gen -s"
[ -s g/secrets/secret_key ]; ok $? "gen wrote the value"
probe_says exit "after gen -s neither the value it made is left"

printf 'SECRET_KEY=\nDB_PASSWORD=%s\n' "$S" >g/.env
probe WS_PROBE_NEEDLE_IN=g/.env WS_PROBE_NEEDLE_FROM=11 -- gen \
    --no-default-secrets-dirs --no-layers -f g/.env SECRET_KEY DB_PASSWORD
is_rc 0 "gen -f, a real secret kept in the file"
grep -qE '^SECRET_KEY=[0-9a-f]{64}$' g/.env; ok $? "gen wrote the value in the file"
probe_says exit "after gen -f neither the value it made nor the secret kept is left"

mkdir -p g/part/secret_key
probe WS_PROBE_NEEDLE_IN=g/part/session_secret -- gen --no-default-secrets-dirs \
    --no-layers -s g/part SESSION_SECRET SECRET_KEY
is_rc 73 "gen that cannot write one of its files"
probe_says exit "after gen fails nothing is left"

probe WS_PROBE_NEEDLE_IN=g/secrets/secret_key -- gen --no-default-secrets-dirs \
    --no-layers --dry-run -s g/dry SECRET_KEY
is_rc 0 "gen --dry-run"

done_testing
