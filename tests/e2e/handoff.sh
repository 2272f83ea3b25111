#!/usr/bin/env bash
# The launcher and withsecrets-full (src/handoff.h): gen, --init, --watch
# and runs with an audit record are handed to withsecrets-full with the
# arguments and environment as given; a plain run never is; a launcher
# without withsecrets-full says so (69) for those and runs the rest.
. "$WS_SRCDIR/tests/e2e/lib.sh"

FULL=$WS_BUILDDIR/withsecrets-full
[ -x "$FULL" ] || skip_all "a static build is one program (no withsecrets-full)"
FULL=$(realpath "$FULL")

printf 'SECRET_KEY=\nAPI_TOKEN=\n' >.env.example

# ------------------------------------------------------------- handed over
ws gen --dry-run -s secrets
is_rc 0 "gen through the launcher"
grep -qx 'would write secrets/secret_key (hex:32)' "$T/out"
ok $? "gen: what withsecrets-full would write"
ws -s secrets gen --dry-run
is_rc 0 "gen with an option before the verb (argv as given)"

ws --init --no-layers -- sh -c 'readlink /proc/$PPID/exe'
is_rc 0 "--init through the launcher"
is "$(cat "$T/out")" "$FULL" "--init: the command's parent is withsecrets-full"
ws --init --no-layers -- sh -c 'printf "%s|" "$@"' x "a b" "" "-e" "--"
is "$(cat "$T/out")" "a b||-e|--|" "--init: the command's arguments as given"

ws --no-layers --audit=syslog -- sh -c 'echo ran'
is "$(cat "$T/out")" ran "--audit: the command runs"
stderr_has "audit" "--audit: the record is tried (by withsecrets-full)"
printf '[withsecrets]\naudit = syslog\n' >audit.ini
ws -c audit.ini --no-layers -- sh -c 'echo ran'
is "$(cat "$T/out")" ran "audit in the policy: the command runs"
stderr_has "audit" "audit in the policy: the record is tried"

# ------------------------------------------------------- not handed over
if command -v strace >/dev/null 2>&1; then
	execs() {	# execs ARGS...: the programs execve'd, one a line
		strace -f -qq -e trace=execve -e signal=none -o "$T/trace" \
		    "${BASE_ENV[@]}" "$WS_BUILDDIR/withsecrets" "$@" \
		    >/dev/null 2>&1 </dev/null
		sed -n 's/^[0-9]* *execve("\([^"]*\)".*= 0$/\1/p' "$T/trace" |
		    tail -n +3	# env, withsecrets
	}
	is "$(execs --no-layers -- /bin/true)" /bin/true \
	    "a plain run: withsecrets, then the command, nothing between"
	is "$(execs check --no-layers)" "" "check: no other program"
	is "$(execs --init --no-layers -- /bin/true)" "$(printf '%s\n' "$FULL" /bin/true)" \
	    "--init: withsecrets-full, then the command"
	printf 'API_TOKEN=vault:secret/data/app#token\n' >ref.env
	is "$(execs -f ref.env --no-layers -- /bin/true | head -n 1)" "$FULL" \
	    "a store reference: withsecrets-full reads the sources again"
else
	for d in "a plain run: withsecrets, then the command" \
	    "check: no other program" "--init: withsecrets-full, then the command" \
	    "a store reference: withsecrets-full reads the sources again"; do
		skip_one "$d" "strace is not installed"
	done
fi

# --------------------------------------------- a launcher on its own
if [ -n "${WS_FULL_PATH:-}" ] && [ -e "$WS_FULL_PATH" ]; then
	for d in gen --init --audit "a store reference"; do
		skip_one "$d without withsecrets-full" "one is installed at $WS_FULL_PATH"
		skip_one "$d without withsecrets-full: says so" "one is installed at $WS_FULL_PATH"
	done
	skip_one "a plain run without withsecrets-full" "one is installed at $WS_FULL_PATH"
else
	mkdir lone
	cp "$WS_BUILDDIR/withsecrets" lone/withsecrets
	run "${BASE_ENV[@]}" ./lone/withsecrets gen --dry-run -s secrets
	is_rc 69 "gen without withsecrets-full"
	stderr_has "gen needs withsecrets-full, which cannot be started (No such file or directory): reinstall withsecrets" \
	    "gen without withsecrets-full: says so"
	run "${BASE_ENV[@]}" ./lone/withsecrets --init --no-layers -- true
	is_rc 69 "--init without withsecrets-full"
	stderr_has "--init needs withsecrets-full" "--init without withsecrets-full: says so"
	run "${BASE_ENV[@]}" ./lone/withsecrets --audit=journal --no-layers -- true
	is_rc 69 "--audit without withsecrets-full"
	stderr_has "the audit record needs withsecrets-full" \
	    "--audit without withsecrets-full: says so"
	printf 'API_TOKEN=vault:secret/data/app#token\n' >ref.env
	run "${BASE_ENV[@]}" ./lone/withsecrets -f ref.env --no-layers -- true
	is_rc 69 "a store reference without withsecrets-full"
	stderr_has "a secret store reference needs withsecrets-full" \
	    "a store reference without withsecrets-full: says so"
	run "${BASE_ENV[@]}" ./lone/withsecrets --no-layers -- sh -c 'echo ran'
	is "$RC $(cat "$T/out")" "0 ran" "a plain run without withsecrets-full"
fi

done_testing
