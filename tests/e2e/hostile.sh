#!/usr/bin/env bash
# Hostile inputs (SPEC §3, §5.2, §8).  Each case runs the real binary on
# a hostile file, link, name, limit or signal, in a directory of its
# own, and asserts at once:
#   - the exit status of SPEC §3;
#   - a clear message: every stderr line starts with "withsecrets: ",
#     and a failure says "error" (a death by signal says nothing);
#   - no hang: every run is bounded by timeout(1);
#   - nothing written: the directory holds the same names afterwards
#     (core dumps are allowed during the run, so a crash would show);
#   - no secret on stderr, nor on stdout unless the command printed
#     its environment.
# Further test points check what the command received.
. "$WS_SRCDIR/tests/e2e/lib.sh"

REAL_WS=$WS_BUILDDIR/withsecrets
TMO=20
[ -n "${WS_VALGRIND:-}" ] && TMO=300
NCASE=0
WRAP=()		# commands run between timeout(1) and withsecrets
HSTDIN=/dev/null
STDOUT_ENV=	# set when the command prints its environment

# newcase: a fresh directory, the working directory of the next run,
# and a fresh secret S that must appear on no output.
newcase() {
	NCASE=$((NCASE + 1))
	C=$T/case$NCASE
	mkdir "$C" && cd "$C" || exit 99
	S=$(random_secret)
	SECRETS=("$S")
	WRAP=()
	HSTDIN=/dev/null
	STDOUT_ENV=
}

listing() {
	find . -mindepth 1 -printf '%P\n' 2>/dev/null | LC_ALL=C sort
}

# Close what the test harness left open above stderr, so that a tiny
# RLIMIT_NOFILE leaves withsecrets room to work.
close_fds() {
	local fd
	for fd in /proc/self/fd/*; do
		fd=${fd##*/}
		[ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null
	done
}

# hrun [VAR=value...] ARGS...: run withsecrets in the case directory.
hrun() {
	local envs=()
	while [ $# -gt 0 ] && [[ "$1" == *=* ]] && [[ "$1" != -* ]]; do
		envs+=("$1")
		shift
	done
	BEFORE=$(listing)
	(
		ulimit -c unlimited 2>/dev/null
		close_fds
		exec timeout -k 5 "$TMO" ${WRAP[@]+"${WRAP[@]}"} \
		    "${BASE_ENV[@]}" ${envs[@]+"${envs[@]}"} "$WS" "$@"
	) >"$T/out" 2>"$T/err" <"$HSTDIN"
	RC=$?
	AFTER=$(listing)
}

# hcheck WANT DESCRIPTION: judge the last run.  WANT is an exit status
# or an alternation such as "0|65".
hcheck() {
	local want=$1 desc=$2 s why=()

	# valgrind's own notes ("--PID-- WARNING: unhandled syscall 437",
	# openat2) are not withsecrets' messages; its errors change the
	# exit status to 99
	if [ -n "${WS_VALGRIND:-}" ]; then
		sed -i '/^--[0-9]*-- /d' "$T/err"
	fi
	if [ "$RC" -eq 124 ] || [ "$RC" -eq 137 ]; then
		why+=("hung: stopped by timeout")
	fi
	[[ "$RC" =~ ^($want)$ ]] || why+=("exit $RC, want $want")
	if grep -qv '^withsecrets: ' "$T/err"; then
		why+=("a stderr line without the withsecrets: prefix")
	fi
	if [ "$RC" -ne 0 ] && [ "$RC" -lt 128 ] &&
	    ! grep -q '^withsecrets: .*error' "$T/err"; then
		why+=("no error message")
	fi
	if [ "$(wc -l <"$T/err")" -gt 40 ]; then
		why+=("more than 40 lines on stderr")
	fi
	if [ "$BEFORE" != "$AFTER" ]; then
		why+=("written: $(comm -13 <(echo "$BEFORE") <(echo "$AFTER") |
		    tr '\n' ' ')")
	fi
	for s in "${SECRETS[@]}"; do
		if grep -qF -- "$s" "$T/err"; then why+=("a secret on stderr"); fi
		if [ -z "$STDOUT_ENV" ] && grep -qF -- "$s" "$T/out"; then
			why+=("a secret on stdout")
		fi
	done
	if [ ${#why[@]} -eq 0 ]; then
		ok 0 "$desc (exit $want)"
	else
		ok 1 "$desc (exit $want)"
		printf '#   %s\n' "${why[@]}"
	fi
}

# hostile WANT DESCRIPTION [VAR=value...] ARGS...
hostile() {
	local want=$1 desc=$2
	shift 2
	hrun "$@"
	hcheck "$want" "$desc"
}

skip() {	# skip DESCRIPTION REASON
	ok 0 "$1 # SKIP $2"
}

# --------------------------------------------------------------------
# Symbolic links and special files where a file is expected.

newcase
mkdir sd outside
printf '%s\n' "$S" >outside/db_password
ln -s ../outside/db_password sd/db_password
hostile 77 "a secret-directory link leaving the directory" -s sd -- true
stderr_has "symlink-escape" "named as an escaping link"

newcase
mkdir sd
ln -s /proc/self/environ sd/environ
hostile 77 "a secret-directory link to /proc/self/environ" \
    TOKEN="$S" -s sd -- true

# An escaping link is refused for where it leads (77), without a look
# at what is there: not described, not opened.
newcase
mkdir sd
ln -s /dev/zero sd/zero
hostile 77 "a secret-directory link to /dev/zero" -s sd -- true
stderr_has "symlink-escape" "refused as an escaping link"
if grep -q "device" "$T/err"; then ok 1 "what it leads to is not described"
else ok 0 "what it leads to is not described"; fi

newcase
mkdir sd
ln -s /dev/urandom sd/random
hostile 77 "a secret-directory link to /dev/urandom" -s sd -- true

newcase
mkdir sd
mkfifo fifo
ln -s ../fifo sd/fifo
hostile 77 "a secret-directory link to a FIFO outside it" -s sd -- true
if grep -q "is a FIFO" "$T/err"; then ok 1 "what it leads to is not described"
else ok 0 "what it leads to is not described"; fi

newcase
mkdir sd
ln -s ../missing sd/gone
# (where openat2 is missing, valgrind included, the checked fallback
# learns where a link ends by opening it: a dangling one is missing)
want=77
[ -n "${WS_VALGRIND:-}" ] && want="66|77"
hostile "$want" "a secret-directory link to nothing outside it" -s sd -- true

newcase
mkdir sd
ln -s loop sd/loop
hostile 66 "a secret-directory link to itself" -s sd -- true
stderr_has "too many levels of symbolic links" "said to be a loop"

newcase
mkdir sd
printf '%s\n' "$S" >sd/real
ln -s "$C/sd/real" sd/absolute
# openat2's RESOLVE_BENEATH refuses every absolute link; where it is
# missing (old kernels, valgrind) only where the link ends is checked
want=77
[ -n "${WS_VALGRIND:-}" ] && want="0|77"
hostile "$want" "an absolute link, even into the directory itself" -s sd -- true

newcase
hostile 65 "a NAME_FILE naming /proc/self/environ" \
    TOKEN="$S" X_FILE=/proc/self/environ -- true
stderr_has "NUL byte" "refused for its NUL bytes"

newcase
hostile 66 "a NAME_FILE naming /dev/zero" X_FILE=/dev/zero -- true

newcase
hostile 66 "a NAME_FILE naming /dev/urandom" X_FILE=/dev/urandom -- true

newcase
ln -s /dev/zero .env
hostile 66 "a .env linked to /dev/zero" -- true

newcase
ln -s /proc/self/environ .env
hostile 65 "a .env linked to /proc/self/environ" TOKEN="$S" -- true

newcase
hostile 66 "--env-file /dev/urandom" -f /dev/urandom -- true

newcase
mkdir sd
mkfifo sd/fifo
hostile 66 "a FIFO in a secrets directory" -s sd -- true
stderr_has "is a FIFO" "said to be a FIFO"

newcase
mkdir sd
if python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
    sd/sock 2>/dev/null; then
	hostile 66 "a socket in a secrets directory" -s sd -- true
	stderr_has "is a socket" "said to be a socket"
	mv sd/sock env.sock
	hostile 66 "a socket as --env-file" -f env.sock -- true
else
	skip "a socket in a secrets directory" "python3 cannot make a socket"
	skip "a socket as --env-file" "python3 cannot make a socket"
fi

newcase
mkfifo .env
hostile 66 "a FIFO as .env" -- true

newcase
mkfifo target
hostile 66 "a FIFO as a NAME_FILE target" X_FILE=target -- true

# A FIFO or a device where a file is named is judged by fstatat and
# never opened (SPEC §3, §5.2): opening a FIFO, even without blocking,
# wakes a writer waiting in open(2), and opening a device can have
# effects.  A writer waits on ./fifo; it must still be waiting after
# the run.
fifo_untouched() {	# fifo_untouched DESCRIPTION ARGS...
	local desc=$1 w
	shift
	rm -f "$T/woken"
	(exec 3>fifo; : >"$T/woken") 2>/dev/null &
	w=$!
	hostile 66 "$desc" "$@"
	sleep 0.3
	if [ -e "$T/woken" ]; then ok 1 "$desc: never opened"; else
		ok 0 "$desc: never opened"; fi
	kill "$w" 2>/dev/null
	wait "$w" 2>/dev/null
	rm -f "$T/woken"
}
newcase
mkfifo fifo
fifo_untouched "a FIFO as an inherited NAME_FILE target" X_FILE=fifo -- true
echo X_FILE=fifo >.env
fifo_untouched "a FIFO as a .env NAME_FILE target" -- true
rm .env
ln -s fifo link
fifo_untouched "a link to a FIFO as a NAME_FILE target" X_FILE=link -- true
fifo_untouched "a FIFO as --env-file" --no-layers -f fifo -- true
fifo_untouched "a FIFO as --config" -c fifo -- true
fifo_untouched "a FIFO as WITHSECRETS_CONFIG" WITHSECRETS_CONFIG=fifo -- true
ln -s fifo .env
fifo_untouched "a .env linked to a FIFO" -- true
rm .env link

# (not under valgrind or a sanitizer: LeakSanitizer cannot run traced)
if strace -o /dev/null true 2>/dev/null &&
    [ -z "${WS_VALGRIND:-}${WS_SAN:-}" ]; then
	newcase
	ln -s /dev/zero zero
	for a in "X_FILE=/dev/zero -- true" "X_FILE=zero -- true" \
	    "-f /dev/zero -- true" "-c /dev/zero -- true"; do
		# shellcheck disable=SC2086,SC2054
		WRAP=(strace -f -qq -e trace=open,openat,openat2 \
		    -o "$T/strace")
		hostile 66 "a device ($a)" $a
		if grep -qE '"(/dev/)?zero"' "$T/strace"; then
			ok 1 "... never opened"
		else
			ok 0 "... never opened"
		fi
	done
	WRAP=()
	rm -f "$T/strace"
else
	skip "a device as a named file, never opened" \
	    "no strace, or valgrind or a sanitizer (which cannot run traced)"
fi

# /dev/stdin on a pipe that never writes: refused without reading.
newcase
mkfifo pipe
sleep "$TMO" >pipe &
writer=$!
HSTDIN=pipe
hostile 66 "a NAME_FILE naming /dev/stdin, a silent pipe" \
    X_FILE=/dev/stdin -- true
kill "$writer" 2>/dev/null
wait "$writer" 2>/dev/null

# --------------------------------------------------------------------
# Huge and changing files.

newcase
mkdir sd
truncate -s 2G sd/huge
hostile 65 "a 2 GB sparse secret file" -s sd -- true
stderr_has "max-secret-size" "said to be over max-secret-size"

newcase
truncate -s 2G .env
hostile 65 "a 2 GB sparse .env" -- true

newcase
truncate -s 2G huge
hostile 65 "a 2 GB sparse NAME_FILE target" X_FILE=huge -- true

# A file that grows while it is read: read up to what fstat saw, or
# refused for its size; never a hang.
grower() {	# grower FILE LINE: append LINE (a 100-byte line) for a while
	: >"$1"
	(
		for _ in $(seq 2000); do
			for _ in 1 2 3 4 5 6 7 8 9 10; do printf '%s\n' "$2"; done
			sleep 0.005
		done
	) >>"$1" &
	GROWER=$!
	sleep 0.1
}

newcase
grower grow "$(printf 'a%.0s' $(seq 99))"
STDOUT_ENV=1
hostile "0|65" "a secret file that grows while read" X_FILE=grow -- env -0
kill "$GROWER" 2>/dev/null
wait "$GROWER" 2>/dev/null
if [ "$RC" -eq 0 ]; then
	len=$(childvar X | wc -c)
	[ "$len" -le 65536 ] && [ "$len" -gt 0 ]
	ok $? "what was read is within max-secret-size ($len bytes)"
fi

newcase
grower .env "A=$(printf 'a%.0s' $(seq 97))"
hostile "0|65" "a .env that grows while read" -- true
kill "$GROWER" 2>/dev/null
wait "$GROWER" 2>/dev/null

# --------------------------------------------------------------------
# Bytes: NUL, invalid UTF-8, control characters, CRLF and BOM.

newcase
printf 'A=%s\0tail\n' "$S" >.env
hostile 65 "a NUL byte in a .env value" -- true
stderr_has "NUL byte" "said to be a NUL byte"

newcase
printf 'A\0B=%s\n' "$S" >.env
hostile 65 "a NUL byte in a .env name" -- true

newcase
mkdir sd
printf '%s\0\n' "$S" >sd/token
hostile 65 "a NUL byte in a secret file" -s sd -- true

newcase
printf '\xff\xfe=%s\n' "$S" >.env
hostile 65 "invalid UTF-8 in a .env name" -- true

newcase
printf 'A=\xff\xfe\x80%s\n' "$S" >.env
STDOUT_ENV=1
hostile 0 "invalid UTF-8 in a .env value" -- env -0
is "$(childvar A | od -An -tx1 | tr -d ' \n' | head -c 6)" "fffe80" \
    "passed on byte for byte"

newcase
mkdir sd
printf '%s\n' "$S" >"sd/$(printf 'a\nb')"
printf '%s\n' "$S" >"sd/$(printf '\xff\xc2\x9b\033[2J')"
printf '%s\n' "$S" >sd/ok
STDOUT_ENV=1
hostile 0 "newline, invalid UTF-8 and escapes in secret file names" \
    -v -s sd -- env -0
bad=$(childnames | LC_ALL=C grep -c -e '^A$' -e '^B$' -e "$(printf '\033')" \
    -e "$(printf '\377')")
is "$bad|$(childvar OK)" "0|$S" "only the valid name is passed on"
if grep -q "$(printf '\033')" "$T/err"; then ok 1 "no raw ESC in messages"; else
	ok 0 "no raw ESC in messages"; fi
stderr_has 'sd/\xff\xc2\x9b\x1b[2J' "the name is shown escaped"

newcase
printf '\xef\xbb\xbfA=one\r\nB="two"\r\nC=three # note\r\n' >.env
STDOUT_ENV=1
hostile 0 "a .env with a byte-order mark and CRLF line ends" -- env -0
is "$(childvar A)|$(childvar B)|$(childvar C)" "one|two|three" \
    "values without the BOM or a CR"

newcase
mkdir sd
printf '%s\r\n\r\n' "$S" >sd/token
STDOUT_ENV=1
hostile 0 "a secret file with CRLF line ends" -s sd -- env -0
is_var TOKEN "$S" "every trailing CRLF removed"

# --------------------------------------------------------------------
# Sizes.

newcase
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "K%d=v%d\n", i % 100, i }' >.env
STDOUT_ENV=1
hostile 0 "a 100,000-line .env" -- env -0
is "$(childvar K99)" "v99999" "the last line of each name wins"

newcase
{ printf 'X='; head -c 1048576 /dev/zero | tr '\0' a; printf '%s\n' "$S"; } >.env
hostile 65 "a 1 MB line in a .env" -- true
stderr_has "max-secret-size" "over max-secret-size"

newcase
{ printf 'X="%s' "$S"; head -c 1048576 /dev/zero | tr '\0' a; } >.env
hostile 65 "a 1 MB double-quoted value never closed" -- true

# Over 6 MiB of environment: more than execve(2) takes whatever the
# stack limit (120 values of 60,000 bytes, each under the caps).
newcase
{ printf 'B=%s' "$S"; head -c 60000 /dev/zero | tr '\0' b; echo
  for i in $(seq 120); do echo "A$i=\${B}"; done; } >.env
if [ -z "${WS_VALGRIND:-}" ]; then
	hostile 126 "an environment too large for execve" -- true
	stderr_has "too large for execve" "said plainly"
else
	skip "an environment too large for execve" \
	    "valgrind cannot recover from a failed execve"
fi

# --------------------------------------------------------------------
# Interpolation: self-reference, doubling, nesting, no execution.

newcase
printf 'A=${A}\nB=x${B}x\n' >.env
STDOUT_ENV=1
hostile 0 "a self-referencing interpolation" -- env -0
is "$(childvar A)|$(childvar B)" "|xx" "a name sees nothing of itself above"

newcase
{ printf 'A0=%s\n' "$S"
  for i in $(seq 40); do echo "A$i=\${A$((i - 1))}\${A$((i - 1))}"; done; } >.env
hostile 65 "doubling interpolation (2^40 bytes)" -- true
stderr_has "after interpolation" "stopped at max-secret-size"

newcase
{ printf 'A=%s\n' "$(head -c 60000 /dev/zero | tr '\0' a)"
  printf 'B='; for _ in $(seq 20000); do printf '${A}'; done; echo; } >.env
hostile 65 "20,000 references to a 60 kB value on one line" -- true

newcase
awk 'BEGIN { printf "A="; for (i = 0; i < 5000; i++) printf "${A:-";
    printf "x"; for (i = 0; i < 5000; i++) printf "}"; print "" }' >.env
hostile 65 "interpolation nested 5,000 deep" -- true
stderr_has "nested more than" "refused for its depth"

newcase
cat >.env <<'EOF'
A=$(touch marker-a)
B=`touch marker-b`
C="$(touch marker-c) `touch marker-d`"
D=${UNSET:-$(touch marker-e)}
E=${UNSET:+`touch marker-f`}
EOF
STDOUT_ENV=1
hostile 0 '$(...) and backticks' -- env -0
is "$(find . -maxdepth 1 -name '*marker*' | wc -l)" 0 "nothing was executed"
is_var A '$(touch marker-a)' "\$(...) is literal text"
is_var B '`touch marker-b`' "a backtick is literal text"

newcase
printf 'A=${UNSET:?$(touch marker) %s}\n' "$S" >.env
hostile 65 '${A:?message} with $(...) in the message' -- true
is "$(find . -maxdepth 1 -name '*marker*' | wc -l)" 0 "nothing was executed"

# --------------------------------------------------------------------
# Names refused from files: deny list, invalid, duplicates, pointers.

newcase
printf 'LD_PRELOAD=%s/evil.so\n' "$C" >.env
hostile 78 "LD_PRELOAD from a .env" -- true
stderr_has "denied-name: LD_PRELOAD" "named"

newcase
printf 'BASH_FUNC_x%%%%=() { touch marker; }\n' >.env
hostile 65 "BASH_FUNC_x%% in a .env (not a valid name)" -- true

newcase
printf '() { touch marker; }\n' >fn
if [ -z "${WS_VALGRIND:-}" ]; then
	hostile 78 "BASH_FUNC_x%% from a NAME_FILE" 'BASH_FUNC_x%%_FILE=fn' -- true
	stderr_has "denied-name" "refused as a denied name"
else
	skip "BASH_FUNC_x%% from a NAME_FILE" \
	    "the valgrind wrapper's sh drops names that are not identifiers"
fi

newcase
mkdir sd
echo /tmp >sd/gconv_path
hostile 78 "GCONV_PATH from a secrets directory" -s sd -- true

newcase
printf 'IFS=x\n' >.env
hostile 78 "IFS from a .env" -- true

newcase
echo "$C/evil.so" >lib
printf 'LD_PRELOAD_FILE=lib\n' >.env
hostile 78 "LD_PRELOAD from a NAME_FILE in a .env" -- true

newcase
printf 'A B=%s\n' "$S" >.env
hostile 65 "an invalid name in a .env" -- true

newcase
mkdir sd
echo one >sd/db-password
echo two >sd/db.password
hostile 78 "two secret files mapping to one name" -s sd -- true
stderr_has "duplicate-name" "named"

newcase
printf 'DB_PASSWORD=%s\nDB_PASSWORD_FILE=pw\n' "$S" >.env
printf '%s\n' "$S" >pw
hostile 78 "NAME and NAME_FILE in one .env" -- true
stderr_has "both-set" "named"

newcase
echo level2 >p2
echo p2 >p1
printf 'A_FILE_FILE=p1\nB=${A_FILE}\nC=${A}\n' >.env
STDOUT_ENV=1
hostile 0 "a NAME_FILE_FILE chain read by interpolation" -- env -0
is "$(childvar A_FILE)|$(childvar C)" "p2|" "resolved one level only"
unset_var A "A itself is not set"

# --------------------------------------------------------------------
# Permissions and ownership.

newcase
echo "A=$S" >.env
chmod 666 .env
hostile 77 "a world-writable .env" -- true

newcase
mkdir sd
printf '%s\n' "$S" >sd/token
chmod 646 sd/token
hostile 77 "a world-writable secret file" -s sd -- true

newcase
mkdir sd
printf '%s\n' "$S" >sd/token
chmod 777 sd
hostile 77 "a world-writable secrets directory" -s sd -- true

newcase
mkdir -p app
chmod 777 app
echo "A=$S" >app/.env
hostile 77 "a .env in a world-writable directory without the sticky bit" \
    -C app -- true
chmod 1777 app
hostile 0 "a .env in a sticky world-writable directory" -C app -- true

# The directory a file really lives in, after every symbolic link, is
# judged as the one holding the name (SPEC §8): a link into a
# world-writable directory without the sticky bit is refused.
# wwdir: ww, world-writable and not sticky, holding pw (the secret).
wwdir() {
	mkdir ww
	chmod 0777 ww
	printf '%s\n' "$S" >ww/pw
	chmod 644 ww/pw
}

newcase
wwdir
ln -s ww/pw pwlink
echo DB_PASSWORD_FILE=pwlink >.env
hostile 77 "a NAME_FILE link into a world-writable directory" -- true
stderr_has "reached through a symbolic link into" "said where it leads"
hostile 77 "... named in the inherited environment" DB_PASSWORD_FILE=pwlink \
    --no-layers -- true
ln -s pwlink pwlink2
hostile 77 "... through a chain of links" DB_PASSWORD_FILE=pwlink2 \
    --no-layers -- true
ln -s ww alias
ln -s alias/pw pwlink3
hostile 77 "... through a link to a linked directory" \
    DB_PASSWORD_FILE=pwlink3 --no-layers -- true
hostile 77 "a NAME_FILE named through a world-writable directory" \
    DB_PASSWORD_FILE=ww/pw --no-layers -- true
chmod 1777 ww
STDOUT_ENV=1
hostile 0 "a link into a sticky world-writable directory (like /tmp)" \
    DB_PASSWORD_FILE=pwlink3 --no-layers -- env -0
is_var DB_PASSWORD "$S" "read"

newcase
wwdir
echo "A=$S" >ww/env
ln -s ww/env .env
hostile 77 "a .env linked into a world-writable directory" -- true
hostile 77 "an --env-file linked into a world-writable directory" \
    --no-layers -f .env -- true

newcase
wwdir
printf '[withsecrets]\n' >ww/policy.ini
ln -s ww/policy.ini withsecrets.ini
hostile 77 "a policy file linked into a world-writable directory" -- true

newcase
mkdir -p sd/sub
chmod 0777 sd/sub
printf '%s\n' "$S" >sd/sub/token
ln -s sub/token sd/token
hostile 77 "a secret-directory link into a world-writable subdirectory" \
    -s sd -- true
stderr_has "reached through a symbolic link into" "said where it leads"

newcase
mkdir -p sd/..2026_01_01/sub
chmod 0777 sd/..2026_01_01/sub
printf '%s\n' "$S" >sd/..2026_01_01/sub/token
ln -s ..2026_01_01 sd/..data
ln -s ..data/sub/token sd/token
hostile 77 "a Kubernetes-style key leading into a world-writable directory" \
    -s sd -- true

newcase
mkdir sd ga
printf '%s\n' "$S" >ga/pw
chmod 775 ga
ln -s ga/pw pwlink
STDOUT_ENV=1
hostile 0 "a link into a group-writable directory, lenient" \
    DB_PASSWORD_FILE=pwlink --no-layers -- env -0
stderr_has "warning: file-mode" "warned about"
hostile 77 "a link into a group-writable directory, strict" \
    DB_PASSWORD_FILE=pwlink --no-layers -e production -- true
mkdir -p sd/sub
chmod 775 sd/sub
printf '%s\n' "$S" >sd/sub/token
ln -s sub/token sd/token
hostile 77 "a secret-directory link into a group-writable subdirectory, strict" \
    -s sd --strict -- true

newcase
echo "A=$S" >.env
chmod 664 .env
hostile 0 "a group-writable .env, lenient" -- true
stderr_has "warning: file-mode" "warned about"
hostile 77 "a group-writable .env, strict" -e production -- true

newcase
mkdir sd
printf '%s\n' "$S" >sd/token
chmod 775 sd
hostile 0 "a group-writable secrets directory, lenient" -s sd -- true
hostile 77 "a group-writable secrets directory, strict" --strict -s sd -- true

newcase
echo "A=from-another-user" >.env
if [ "$(id -u)" -eq 0 ]; then
	chown 65534:65534 .env
	STDOUT_ENV=1
	hostile 0 "a .env owned by another user, not writable by others" \
	    -e production -- env -0
	is_var A from-another-user "read like any other"
else
	skip "a .env owned by another user" "needs root to give a file away"
fi

newcase
echo "A=$S" >.env
chmod 000 .env
if [ "$(id -u)" -ne 0 ]; then
	hostile 66 "an unreadable .env" -- true
else
	skip "an unreadable .env" "root reads every file"
fi

# --------------------------------------------------------------------
# The policy file.

newcase
mkfifo policy.ini
hostile 66 "a FIFO as the policy file" -c policy.ini -- true

newcase
if python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
    policy.ini 2>/dev/null; then
	hostile 66 "a socket as the policy file" -c policy.ini -- true
else
	skip "a socket as the policy file" "python3 cannot make a socket"
fi

newcase
truncate -s 2G withsecrets.ini
hostile 65 "a 2 GB sparse policy file, found in DIR" -- true

newcase
ln -s /dev/zero policy.ini
hostile 66 "a policy file linked to /dev/zero" -c policy.ini -- true

newcase
hostile 78 "WITHSECRETS_CONFIG naming /proc/self/environ" \
    TOKEN="$S" WITHSECRETS_CONFIG=/proc/self/environ -- true
stderr_has "NUL byte" "refused for its NUL bytes"

newcase
{ printf '[var '; head -c 100000 /dev/zero | tr '\0' A; printf ']\n'; } >policy.ini
hostile 78 "a 100,000-character section name" -c policy.ini -- true

newcase
printf '[withsecrets]\nmax-secret-size = 65536\nno-such-key = 1\n' >policy.ini
hostile 78 "an unknown key" -c policy.ini -- true
stderr_has "policy.ini:3" "reported at its line"

newcase
printf '[withsecrets]\nmax-secret-size = 99999999999999999999999999\n' >policy.ini
hostile 78 "a number too large for any integer" -c policy.ini -- true

newcase
printf '[defaults]\nA = 1\0%s\n' "$S" >policy.ini
hostile 78 "a NUL byte in the policy file" -c policy.ini -- true

newcase
printf '[defaults]\nLD_PRELOAD = /tmp/evil.so\n' >policy.ini
hostile 78 "LD_PRELOAD from [defaults]" -c policy.ini -- true

newcase
printf '[withsecrets]\n' >withsecrets.ini
chmod 666 withsecrets.ini
hostile 77 "a world-writable policy file" -- true

newcase
printf '[withsecrets]\n' >withsecrets.ini
chmod 664 withsecrets.ini
hostile 77 "a group-writable policy file, strict" -e production -- true

# (found by fuzz_policy: a heap read past the word, seen under ASan)
newcase
printf '[placeholders]\npatterns = abc[\n' >policy.ini
hostile 0 "a placeholder pattern ending in [" -c policy.ini -- true

newcase
printf '[var A]\npattern = ^((a{1,255}){1,255}){1,255}$\n' >policy.ini
echo "A=$S" >.env
hostile 78 "a pattern that would expand to gigabytes" -c policy.ini -- true

newcase
printf '[var A]\npattern = ^(a*)*(a*)*\\1\\2b$\n' >policy.ini
{ printf 'A='; head -c 60000 /dev/zero | tr '\0' a; echo; } >.env
hostile 78 "a pattern with back-references (exponential matching)" \
    -c policy.ini -e production -- true

newcase
# (continuation lines: 2,000 groups in 2 kB, which regcomp's recursive
# parser would take deeper than its stack)
awk 'BEGIN { print "[var A]"; printf "pattern = a";
    for (j = 0; j < 20; j++) { printf "\n  ";
    for (i = 0; i < 100; i++) printf "(" } print "" }' >policy.ini
echo "A=$S" >.env
hostile 78 "a pattern nesting 2,000 groups" -c policy.ini -e production -- true
stderr_has "nests groups" "refused for its depth"

# --------------------------------------------------------------------
# The command.

newcase
hostile 127 "a missing command" -- ./no-such-command
stderr_has "command not found" "said so"

newcase
echo 'echo hi' >script
hostile 126 "a command that is not executable" -- ./script

newcase
mkdir dir
hostile 126 "a directory as the command" -- ./dir

newcase
hostile 64 "no command after --" --
hostile 64 "no arguments at all"

# --------------------------------------------------------------------
# Resource limits and set-ID.

newcase
mkdir sd
printf '%s\n' "$S" >sd/token
WRAP=(prlimit --memlock=0:0)
if [ "$(id -u)" -eq 0 ] && setpriv --bounding-set=-ipc_lock true 2>/dev/null; then
	# root may lock memory whatever the limit: drop CAP_IPC_LOCK too
	WRAP=(setpriv --bounding-set=-ipc_lock prlimit --memlock=0:0)
fi
STDOUT_ENV=1
hostile 0 "RLIMIT_MEMLOCK 0 (a failed lock is not an error)" -s sd -- env -0
is_var TOKEN "$S" "the secret arrives"

if [ -z "${WS_VALGRIND:-}" ]; then
	newcase
	mkdir sd
	printf '%s\n' "$S" >sd/token
	printf 'A=1\n' >.env
	echo x >pw
	WRAP=(prlimit --nofile=8:8)
	STDOUT_ENV=1
	hostile 0 "RLIMIT_NOFILE 8" X_FILE=pw -s sd -- env -0
	is_var TOKEN "$S" "the secret arrives"
	for n in 4 5 6; do
		WRAP=(prlimit "--nofile=$n:$n")
		hostile "0|66" "RLIMIT_NOFILE $n: a clean failure or a run" \
		    X_FILE=pw -s sd -- env -0
	done
else
	skip "RLIMIT_NOFILE 8" "valgrind needs descriptors of its own"
	skip "RLIMIT_NOFILE 4 to 6" "valgrind needs descriptors of its own"
fi

# No count of secrets directories outranks another source (SPEC §4):
# the options are capped as --env-file's are, and the policy's list.
newcase
mkdir sd
printf '%s\n' "$S" >sd/token
many=()
for _ in $(seq 2001); do many+=(-s sd); done
hostile 64 "2,001 --secrets-dir options" TOKEN=inherited "${many[@]}" \
    -- env -0
stderr_has "more than 900 --secrets-dir options" "said so"
many=()
for _ in $(seq 900); do many+=(-s sd); done
STDOUT_ENV=1
hostile 0 "900 --secrets-dir options" TOKEN=inherited "${many[@]}" -- env -0
is_var TOKEN inherited "the inherited environment still wins"
STDOUT_ENV=
{ printf '[withsecrets]\nsecrets-dirs = sd\n'
  for _ in $(seq 99); do printf '  sd\n'; done; } >policy.ini
hostile 78 "a policy naming 100 secrets directories" TOKEN=inherited \
    -c policy.ini -- env -0
stderr_has "secrets-dirs names more than 99" "said so"

newcase
mkdir "$T/setid"
cp "$REAL_WS" "$T/setid/withsecrets"
if [ -n "${WS_SAN:-}" ]; then
	# LeakSanitizer cannot run in a process whose ids differ
	skip "a set-user-ID invocation" "not under a sanitizer"
elif findmnt -n -o OPTIONS --target "$T" 2>/dev/null | grep -q nosuid; then
	skip "a set-user-ID invocation" "$T is mounted nosuid"
elif [ "$(id -u)" -eq 0 ]; then
	chown 65534 "$T/setid/withsecrets"
	chmod 4755 "$T/setid/withsecrets"
	saved=$WS WS=$T/setid/withsecrets
	hostile 77 "a set-user-ID invocation" -- true
	WS=$saved
	stderr_has "set-user-ID" "said so"
elif other=$(id -G | tr ' ' '\n' | grep -vx "$(id -g)" | head -n 1) &&
    [ -n "$other" ] && chgrp "$other" "$T/setid/withsecrets" &&
    chmod 2755 "$T/setid/withsecrets"; then
	saved=$WS WS=$T/setid/withsecrets
	hostile 77 "a set-group-ID invocation" -- true
	WS=$saved
else
	skip "a set-user-ID invocation" "not root and no second group"
fi

# File capabilities raise a run without changing an id (SPEC §8): a
# copy with cap_dac_read_search, run as nobody, must not read a
# root-only file into the command's environment.
newcase
printf '%s\n' "$S" >rootonly
chmod 600 rootonly
capwhy=
if [ -n "${WS_SAN:-}" ]; then
	capwhy="not under a sanitizer"
elif [ "$(id -u)" -ne 0 ]; then
	capwhy="needs root to set capabilities and become nobody"
elif ! command -v setcap >/dev/null || ! command -v setpriv >/dev/null; then
	capwhy="setcap or setpriv is not installed"
elif findmnt -n -o OPTIONS --target "$T" 2>/dev/null | grep -q nosuid; then
	capwhy="$T is mounted nosuid (file capabilities are ignored)"
else
	mkdir "$T/caps"
	cp "$REAL_WS" "$T/caps/withsecrets"
	if ! setcap cap_dac_read_search+ep "$T/caps/withsecrets" 2>/dev/null; then
		capwhy="setcap failed (no extended attributes on this file system?)"
	elif ! setpriv --reuid=65534 --regid=65534 --clear-groups true \
	    2>/dev/null; then
		capwhy="setpriv cannot become nobody"
	fi
fi
if [ -z "$capwhy" ]; then
	# nobody must reach the copy and the case directory
	tmode=$(stat -c %a "$T")
	chmod 711 "$T"
	saved=$WS WS=$T/caps/withsecrets
	WRAP=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	STDOUT_ENV=1
	hostile 77 "a capability-raised invocation (cap_dac_read_search+ep)" \
	    X_FILE="$C/rootonly" --no-config -- env -0
	WS=$saved
	chmod "$tmode" "$T"
	stderr_has "raised privileges" "said so"
	unset_var X "the root-only file did not reach the command"
	WRAP=()
	STDOUT_ENV=
	rm -rf "$T/caps"
else
	skip "a capability-raised invocation" "$capwhy"
fi

# --------------------------------------------------------------------
# Signals during resolution: no core file, nothing written, nothing
# said.  The run reads a 12 MB .env 900 times (seconds of work) after
# a secrets directory; the signal comes while it reads.

awk 'BEGIN { for (i = 0; i < 200000; i++)
    printf "# a comment that makes the file long: %d\n", i }' >"$T/long.env"
LONG=()
for _ in $(seq 900); do LONG+=(-f "$T/long.env"); done

# Would a dumpable process killed here leave a core file?  Then the
# test below can see one.
mkdir "$T/corecontrol"
( cd "$T/corecontrol" && ulimit -c unlimited 2>/dev/null && exec sleep 30 ) &
ctl=$!
sleep 0.2
kill -SEGV "$ctl"
wait "$ctl" 2>/dev/null
if compgen -G "$T/corecontrol/core*" >/dev/null; then
	ok 0 "control: a dumpable process killed here leaves a core file"
else
	skip "control: a dumpable process killed here leaves a core file" \
	    "core_pattern is $(cat /proc/sys/kernel/core_pattern 2>/dev/null)"
fi

signal_case() {	# signal_case SIGNAL STATUS
	newcase
	mkdir sd
	printf '%s\n' "$S" >sd/db_password
	BEFORE=$(listing)
	(
		ulimit -c unlimited 2>/dev/null
		exec "${BASE_ENV[@]}" TOKEN="$S" \
		    ASAN_OPTIONS=handle_segv=0:handle_abort=0 \
		    "$WS" -s sd "${LONG[@]}" -- true
	) >"$T/out" 2>"$T/err" </dev/null &
	pid=$!
	# signal it while it reads the long file (seen in /proc where we
	# may look; half a second otherwise)
	for _ in $(seq 100); do
		sleep 0.05
		if readlink "/proc/$pid/fd/"* 2>/dev/null | grep -q long.env; then
			break
		fi
		[ -r "/proc/$pid/fd" ] || { sleep 0.5; break; }
	done
	kill -"$1" "$pid"
	wait "$pid"
	RC=$?
	AFTER=$(listing)
	hcheck "$2" "SIG$1 during resolution"
	[ ! -s "$T/err" ]
	ok $? "SIG$1: nothing on stderr"
}
if [ -n "${WS_VALGRIND:-}" ]; then
	skip "SIGTERM during resolution" "valgrind handles signals itself"
	skip "SIGSEGV during resolution" "valgrind handles signals itself"
else
	signal_case TERM 143
	signal_case SEGV 139
fi

done_testing
