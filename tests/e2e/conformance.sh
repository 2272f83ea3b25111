#!/usr/bin/env bash
# The shared .env conformance cases (SPEC §4.4): the runner's PASS and
# FAIL lines as TAP, one test per case.
. "$WS_SRCDIR/tests/e2e/lib.sh"

runner="$WS_SRCDIR/../shared/conformance/dotenv/run.sh"
[ -f "$runner" ] || skip_all "no conformance cases at $runner"
command -v python3 >/dev/null || skip_all "the conformance runner needs python3"

WITHSECRETS_CMD="$WS" bash "$runner" >"$T/conformance" 2>"$T/err"
while IFS= read -r line; do
	case $line in
	"PASS "*)
		ok 0 "${line#PASS }" ;;
	"FAIL "*)
		ok 1 "${line#FAIL }" ;;
	esac
done <"$T/conformance"
summary=$(tail -n 1 "$T/conformance")
case $summary in
*" passed, "*" failed") ;;
*) ok 1 "the runner finished: $summary" ;;
esac
[ "$TAP_N" -gt 0 ] || ok 1 "the runner ran no case"
done_testing
