#!/usr/bin/env bash
# No value reaches stderr or stdout, on any path (SPEC §2).
. "$WS_SRCDIR/tests/e2e/lib.sh"

S=$(random_secret)
printf '%s\n' "$S" >pw

for args in "-- true" "-- no-such-command" "-v -- true" "-q -- true" \
    "check" "check --format=json" "explain" "explain --format=json" \
    "explain DB_PASSWORD" "-v check"; do
	# shellcheck disable=SC2086
	ws DB_PASSWORD_FILE=pw TOKEN="$S" $args
	no_leak "$S" "withsecrets $args"
done
ws DB_PASSWORD="$S" DB_PASSWORD_FILE=pw -- true
is_rc 78 "both set"
no_leak "$S" "the both-set message holds no value"

done_testing
