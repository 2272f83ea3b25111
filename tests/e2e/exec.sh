#!/usr/bin/env bash
# The exec form: what the command receives and inherits (SPEC §2, §7, §8).
. "$WS_SRCDIR/tests/e2e/lib.sh"

ws A=1 B=two -- env -0
is_rc 0 "a command runs"
is_var A 1 "inherited variables pass"
is_var B two "inherited variables pass (2)"

ws WITHSECRETS_ENV=development WITHSECRETS_OTHER=x KEEP=1 -- env -0
unset_var WITHSECRETS_ENV "WITHSECRETS_ENV is removed"
unset_var WITHSECRETS_OTHER "every WITHSECRETS_* is removed"
is_var KEEP 1 "others stay"

ws A=1 B=2 C=3 -u A -u C -- env -0
unset_var A "--unset removes a name"
unset_var C "--unset is repeatable"
is_var B 2 "--unset leaves the others"

ws A=1 LANG=C.UTF-8 LC_ALL=C MY_X=1 MY_Y=2 OTHER=3 --clean -k 'MY_*' -- env -0
unset_var A "--clean drops what is not kept"
is_var LANG C.UTF-8 "--clean keeps LANG"
is_var LC_ALL C "--clean keeps LC_*"
is_var PATH /usr/local/bin:/usr/bin:/bin "--clean keeps PATH"
is_var MY_X 1 "--keep adds a glob"
is_var MY_Y 2 "--keep adds a glob (2)"
unset_var OTHER "--keep is not a catch-all"

mkdir -m 0500 "$T/creds"
ws CREDENTIALS_DIRECTORY="$T/creds" --clean -- env -0
is_var CREDENTIALS_DIRECTORY "$T/creds" "--clean still passes CREDENTIALS_DIRECTORY on"

# PATH lookup uses the final environment's PATH, as env(1) does.
mkdir -p "$T/bin"
printf '#!/bin/sh\necho found-it\n' >"$T/bin/mycmd"
chmod +x "$T/bin/mycmd"
run env -i PATH="$T/bin:/usr/bin:/bin" "$WS" -- mycmd
is_rc 0 "found in PATH"
is "$(cat "$T/out")" found-it "the command ran"
run env -i PATH="$T/bin:/usr/bin:/bin" "$WS" -u PATH -- mycmd
is_rc 127 "--unset PATH: not found in the default PATH"
printf 'echo no-shebang\n' >"$T/bin/plain"
chmod +x "$T/bin/plain"
run env -i PATH="$T/bin:/usr/bin:/bin" "$WS" -- plain
is "$(cat "$T/out")" no-shebang "a script without #! runs with /bin/sh, as execvp does"

# A PATH entry too long for a path is skipped, as execvp(3) and env(1)
# do: the search goes on (glibc skips entries of PATH_MAX bytes or more).
long="/$(head -c 5000 /dev/zero | tr '\0' a)"
run env -i PATH="$long:$T/bin:/usr/bin:/bin" "$WS" -- mycmd
is_rc 0 "a PATH entry longer than PATH_MAX is skipped"
is "$(cat "$T/out")" found-it "the command in the next entry ran"
comp="/$(head -c 300 /dev/zero | tr '\0' a)"
run env -i PATH="$comp:$T/bin:/usr/bin:/bin" "$WS" -- mycmd
is_rc 0 "a PATH entry with a component longer than NAME_MAX is skipped"
run env -i PATH="$long" "$WS" -- mycmd
is_rc 127 "only too-long entries: not found"
ws -- "$(head -c 300 /dev/zero | tr '\0' a)"
is_rc 126 "a command name longer than NAME_MAX, as env(1)"
stderr_has "File name too long" "says so"

# An empty command name is not found (env(1): 127), not the first
# PATH directory "found but not executable".
ws -- ''
is_rc 127 "an empty command name"
stderr_has "command not found" "says so"
one_line_stderr "one line"

ws -- no-such-command-here
is_rc 127 "command not found"
stderr_has "no-such-command-here: command not found" "says so"
one_line_stderr "one line"
printf 'x' >"$T/noexec"
ws -- "$T/noexec"
is_rc 126 "a file that is not executable"
ws -- "$T"
is_rc 126 "a directory"
ws -- "$T/missing/cmd"
is_rc 127 "a path that does not exist"

# An environment too large for execve: 40 resolved files of 60 KiB.
mkdir -p "$T/big"
args=()
for i in $(seq 1 40); do
	head -c 61440 /dev/zero | tr '\0' 'a' >"$T/big/f$i"
	args+=("FILE__BIG$i=$T/big/f$i")
done
if [ -z "${WS_VALGRIND:-}" ]; then	# valgrind dies on a failed execve
	ws "${args[@]}" -- true
	is_rc 126 "E2BIG is exit 126"
	stderr_has "too large for execve" "and said plainly"
fi

# The command inherits umask, rlimits, descriptors, signal dispositions
# and mask exactly as withsecrets got them.
run bash -c "umask 027; exec \"\$WS\" -- sh -c umask"
is "$(cat "$T/out")" 0027 "umask is inherited"
run bash -c "ulimit -n 77; exec \"\$WS\" -- sh -c 'ulimit -n'"
is "$(cat "$T/out")" 77 "rlimits are inherited"
run bash -c "exec 7</dev/null; exec \"\$WS\" -- sh -c 'readlink /proc/self/fd/7'"
is "$(cat "$T/out")" /dev/null "open descriptors are inherited"
# open_fds: the descriptors in $T/out (ls -l /proc/self/fd), except the
# one ls reads the listing through and the log file valgrind itself keeps
# open under make check-valgrind (which moves the former up by one).
open_fds() {
	awk -v vg="${VG_LOGS:-/nonexistent}" '/ -> / && $NF !~ "^" vg && $NF !~ "^/proc/[0-9]+/fd$" { print $(NF - 2) }' "$T/out" | sort | tr '\n' ' '
}
run bash -c "exec \"\$WS\" -- ls -l /proc/self/fd"
a=$(open_fds)
run bash -c "exec env -- ls -l /proc/self/fd"
is "$a" "$(open_fds)" "no descriptor of withsecrets leaks into the command"
if command -v python3 >/dev/null; then
	run python3 -c '
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGUSR2, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1, signal.SIGHUP})
os.execv(sys.argv[1], [sys.argv[1], "--", "grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"])
' "$WS"
	got=$(cat "$T/out")
	run python3 -c '
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGUSR2, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1, signal.SIGHUP})
os.execv("/bin/grep", ["grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"])
'
	is "$got" "$(cat "$T/out")" "signal mask and dispositions are inherited"
else
	ok 0 "# SKIP python3 not installed"
fi

# Core dumps are off in withsecrets; execve turns them on for the command.
ws -- "$WS_BUILDDIR/tests/helpers/getdumpable"
is "$(cat "$T/out")" dumpable=1 "the command is dumpable again"

# Set-ID: real and effective ids differ.
# (LeakSanitizer cannot run in a process whose ids differ: not under ASan)
if [ "$(id -u)" -eq 0 ] && [ -z "${WS_SAN:-}${WS_VALGRIND:-}" ] &&
    command -v python3 >/dev/null; then
	run python3 -c '
import os, sys
os.setresgid(0, 65534, 0)
os.setresuid(0, 65534, 0)
os.execv(sys.argv[1], [sys.argv[1], "--", "true"])
' "$WS"
	is_rc 77 "a set-user-ID invocation is refused"
	stderr_has "set-user-ID" "and says why"
else
	ok 0 "# SKIP needs root to change ids, and no sanitizer"
	ok 0 "# SKIP needs root to change ids, and no sanitizer"
fi

done_testing
