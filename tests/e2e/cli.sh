#!/usr/bin/env bash
# The command line: verbs, usage errors, help and version (SPEC §2, §3).
. "$WS_SRCDIR/tests/e2e/lib.sh"

ws
is_rc 64 "no arguments"
ws python app.py
is_rc 64 "a command without --"
stderr_has "withsecrets -- python app.py" "the message shows the corrected command"
one_line_stderr "in one line"
ws -e production python -m app
is_rc 64 "options, then a command without --"
stderr_has "withsecrets -e production -- python -m app" "corrected with the options kept"
# SPEC §2 (revision 2): options may come before the verb
ws -e production --no-config check --format=json
is_rc 0 "options before the verb (and after it)"
grep -q '"environment":"production"' "$T/out"
ok $? "the options before the verb apply"
ws --no-config -e production -- check
is_rc 127 "after --, check is the command"
ws chek -e production
is_rc 64 "a verb one edit away"
stderr_has "'chek' is not a verb; did you mean 'check'?" "suggested"
ws -q explian
is_rc 64 "a verb one edit away, after an option"
stderr_has "did you mean 'explain'?" "suggested"
ws --
is_rc 64 "-- without a command"
ws --no-such-option -- true
is_rc 64 "an unknown option"
stderr_has "unknown option" "named as such"
ws --format=yaml -- true
is_rc 64 "a bad --format"
ws check extra
is_rc 64 "check takes no operand"
ws -f
is_rc 64 "an option without its argument"

ws --help
is_rc 0 "--help"
grep -q '^usage: withsecrets' "$T/out"; ok $? "--help prints the usage on stdout"
ws -h
is_rc 0 "-h"
ws --version
is_rc 0 "--version"
grep -Eq '^withsecrets [0-9]+\.[0-9]+' "$T/out"; ok $? "--version prints the version"
grep -qx 'stores: vault aws-sm' "$T/out"; ok $? "--version lists the store types of the build"
ws defaults
is_rc 0 "defaults"
grep -q '^\[withsecrets\]' "$T/out"; ok $? "defaults prints an INI file"

# A command's own options are never ours.
ws -- sh -c 'echo "$1"' sh --help
is "$(cat "$T/out")" --help "options after -- belong to the command"

# No colour when NO_COLOR is set, none off a terminal.
ws NO_COLOR=1 python
grep -q $'\033' "$T/err"; ok $((! $?)) "no escape sequences off a terminal"

done_testing
