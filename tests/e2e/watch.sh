#!/usr/bin/env bash
# --watch (SPEC §14): a change of a source is read after --watch-delay
# of quiet; a passing one that changes the command's environment
# restarts it (or signals it, or exits), a refused one leaves it alone,
# an unchanged environment restarts nothing.  Real processes, real
# files; every wait is bounded.
. "$WS_SRCDIR/tests/e2e/lib.sh"

H=$WS_BUILDDIR/tests/helpers
LIMIT=100	# tenths of a second
[ -n "${WS_VALGRIND:-}" ] && LIMIT=400

# The command: each start appends "PID NAME=value..." to $T/starts; HUP
# is logged; TERM ends it, unless IGNORE_TERM is set.  Bounded: 60 s.
cat >"$T/cmd.sh" <<'EOF'
echo "$$ TOKEN=${TOKEN-} API_KEY=${API_KEY-} A=${A-} DB=${DB_PASSWORD-} X=${X-}" >>"$T/starts"
trap 'echo "$$ hup" >>"$T/starts"' HUP
if [ -n "${IGNORE_TERM:-}" ]; then trap '' TERM; else trap 'exit 0' TERM; fi
i=0
while [ $i -lt 1200 ]; do sleep 0.05; i=$((i + 1)); done
exit 99
EOF

# watch ARGS...: withsecrets -v --watch ARGS -- sh cmd.sh, in the
# background (BG), stderr in $T/err; then wait for its first start and
# the first reading again (every directory newly watched is read once
# more, SPEC §14: a change made while it was first read is not missed).
watch() {
	: >"$T/starts"
	: >"$T/err"
	"$H/sigrun" - -2,-3 - "${BASE_ENV[@]}" T="$T" ${WENV[@]+"${WENV[@]}"} \
	    "$WS" -v --watch --watch-delay=0.3 --kill-timeout=1 "$@" -- \
	    sh "$T/cmd.sh" >"$T/out" 2>"$T/err" </dev/null &
	BG=$!
	wait_count starts . 1
	wait_count err "read again" 1
}

count() {	# count FILE PATTERN: lines of $T/FILE that match
	grep -c -- "$2" "$T/$1" 2>/dev/null
}

# wait_count FILE PATTERN N: until $T/FILE has N lines matching (bounded)
wait_count() {
	local i=0
	while [ "$(count "$1" "$2")" -lt "$3" ]; do
		i=$((i + 1))
		[ $i -gt $LIMIT ] && return 1
		kill -0 "$BG" 2>/dev/null || return 1
		sleep 0.1
	done
}

last() { tail -n 1 "$T/starts" | cut -d' ' -f2-; }
pid_of_last() { tail -n 1 "$T/starts" | cut -d' ' -f1; }

# stop_watch: SIGTERM to withsecrets, which forwards it; RC its status.
stop_watch() {
	local i=0
	kill -TERM "$BG" 2>/dev/null
	while kill -0 "$BG" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt $LIMIT ]; then
			kill -KILL "$BG"
			break
		fi
		sleep 0.1
	done
	wait "$BG"
	RC=$?
}

WENV=()	# more of the command's environment

# ------------------------------------------------------------------
# A secret directory: a file rewritten, a new file, the same content.
mkdir -m 0700 sec
printf 'one\n' >sec/token
watch --no-default-secrets-dirs -s sec
is "$(last)" "TOKEN=one API_KEY= A= DB= X=" "the command starts with the secret"
first=$(pid_of_last)
printf 'two\n' >sec/token
wait_count starts . 2
ok $? "a secret file rewritten: the command is restarted"
is "$(last)" "TOKEN=two API_KEY= A= DB= X=" "with the new value"
[ "$(pid_of_last)" != "$first" ] && ! kill -0 "$first" 2>/dev/null
ok $? "the old command is gone"
printf 'k\n' >sec/api_key
wait_count starts . 3
is "$(last)" "TOKEN=two API_KEY=k A= DB= X=" "a new file in the directory: restarted with it"
n=$(count err "read again")
touch sec/token
printf 'two\n' >sec/token
wait_count err "read again" $((n + 1))
sleep 0.5
is "$(count starts .)" 3 "a touch and the same content written again: no restart"
stderr_has "environment is unchanged" "and -v says the environment is unchanged"
stop_watch
is "$RC" 0 "SIGTERM is forwarded: the command's status"
no_leak one "no value on stderr"
no_leak two "no value on stderr (2)"

# ------------------------------------------------------------------
# A Kubernetes secret volume, updated exactly as the kubelet does it
# (AtomicWriter): the payload in a new hidden directory, a ..data_tmp
# link to it renamed over ..data, the old directory removed.
mkdir k8s
ts1=..2026_12_07_08_00_00.000000001
mkdir "k8s/$ts1"
printf 'first' >"k8s/$ts1/token"
printf 'pw1' >"k8s/$ts1/db-password"
chmod 0644 "k8s/$ts1"/*
ln -s "$ts1" k8s/..data
ln -s ..data/token k8s/token
ln -s ..data/db-password k8s/db-password
kubelet_update() {	# kubelet_update TS TOKEN PASSWORD
	mkdir "k8s/$1"
	printf '%s' "$2" >"k8s/$1/token"
	printf '%s' "$3" >"k8s/$1/db-password"
	chmod 0644 "k8s/$1"/*
	ln -s "$1" k8s/..data_tmp
	mv -T k8s/..data_tmp k8s/..data
	rm -rf "k8s/$old"
	old=$1
}
old=$ts1
watch --no-default-secrets-dirs -s k8s
is "$(last)" "TOKEN=first API_KEY= A= DB=pw1 X=" "a Kubernetes volume"
kubelet_update ..2026_12_07_08_01_00.000000002 second pw2
wait_count starts . 2
ok $? "the ..data swap restarts the command"
is "$(last)" "TOKEN=second API_KEY= A= DB=pw2 X=" "with the new generation"
stop_watch

# The same volume through a NAME_FILE pointer, not as a secrets dir.
WENV=(DB_PASSWORD_FILE="$T/k8s/db-password")
watch --no-default-secrets-dirs
is "$(last)" "TOKEN= API_KEY= A= DB=pw2 X=" "a NAME_FILE into a Kubernetes volume"
kubelet_update ..2026_12_07_08_02_00.000000003 third pw3
wait_count starts . 2
is "$(last)" "TOKEN= API_KEY= A= DB=pw3 X=" "the ..data swap behind a NAME_FILE restarts the command"
stop_watch
WENV=()

# ------------------------------------------------------------------
# .env layers and the policy file.
mkdir app
printf 'A=1\n' >app/.env
printf '[defaults]\nX = 1\n' >app/withsecrets.ini
watch --no-default-secrets-dirs -C app
is "$(last)" "TOKEN= API_KEY= A=1 DB= X=1" "layers and [defaults]"
printf 'A=2\n' >app/.env
wait_count starts . 2
is "$(last)" "TOKEN= API_KEY= A=2 DB= X=1" "a .env change restarts the command"
printf 'A=3\n' >app/.env.local
wait_count starts . 3
is "$(last)" "TOKEN= API_KEY= A=3 DB= X=1" "a layer created later is seen"
printf '[defaults]\nX = 2\n' >app/withsecrets.ini
wait_count starts . 4
is "$(last)" "TOKEN= API_KEY= A=3 DB= X=2" "a policy change is seen"
# a log written beside the layers does not count
n=$(count err "read again")
for i in $(seq 5); do echo "log $i" >>app/app.log; sleep 0.1; done
sleep 0.8
is "$(count err "read again")" "$n" "other files in the layers' directory are not changes"

# A burst of changes: one restart, with the last.
for i in $(seq 4 13); do printf 'A=%s\n' "$i" >app/.env.local; done
wait_count starts . 5
sleep 1
is "$(count starts .)" 5 "a burst of ten writes: one restart"
is "$(last)" "TOKEN= API_KEY= A=13 DB= X=2" "with the last value"

# A change that breaks a rule: reported, no restart, the old command runs.
running=$(pid_of_last)
n=$(count err "refused")
printf 'A=14\nBROKEN LINE\n' >app/.env.local
wait_count err "refused" $((n + 1))
ok $? "a broken configuration is refused"
stderr_has ".env.local:2" "its finding is reported"
sleep 0.3
is "$(count starts .)" 5 "nothing restarts into it"
kill -0 "$running"
ok $? "the old command keeps running"
chmod 0666 app/.env.local
printf 'A=15\n' >app/.env.local
wait_count err "refused" $((n + 2))
ok $? "a world-writable layer is refused too"
sleep 0.3
is "$(count starts .)" 5 "no restart"
chmod 0644 app/.env.local
wait_count starts . 6
is "$(last)" "TOKEN= API_KEY= A=15 DB= X=2" "fixed: the command restarts with it"
stop_watch
is "$RC" 0 "ended by SIGTERM, forwarded"

# ------------------------------------------------------------------
# A command ignoring SIGTERM: SIGKILL after --kill-timeout.
printf 'A=1\n' >app/.env.local
WENV=(IGNORE_TERM=1)
watch --no-default-secrets-dirs -C app
first=$(pid_of_last)
t0=$(date +%s%N)
printf 'A=2\n' >app/.env.local
wait_count starts . 2
t1=$(date +%s%N)
is "$(last)" "TOKEN= API_KEY= A=2 DB= X=2" "a command ignoring SIGTERM is restarted"
! kill -0 "$first" 2>/dev/null
ok $? "the old one was killed"
[ $(((t1 - t0) / 1000000)) -ge 1000 ]
ok $? "after --kill-timeout ($(((t1 - t0) / 1000000)) ms, timeout 1000 ms)"
# a terminating signal during a restart stops it: withsecrets exits as
# the command does (here killed, since it ignores SIGTERM)
printf 'A=3\n' >app/.env.local
wait_count err "stopping it" 2
kill -TERM "$BG"
stop_watch
is "$RC" 137 "SIGTERM during a restart: no restart, the command's status"
is "$(count starts .)" 2 "and no new start"
WENV=()

# ------------------------------------------------------------------
# --on-change=signal:HUP and --on-change=exit; the command's own exit.
printf 'A=1\n' >app/.env.local
watch --no-default-secrets-dirs -C app --on-change=signal:HUP
printf 'A=2\n' >app/.env.local
wait_count starts hup 1
ok $? "signal:HUP: the command is signalled"
is "$(count starts A=)" 1 "and not restarted"
n=$(count err "read again")
printf 'A=2\n' >app/.env.local
wait_count err "read again" $((n + 1))
sleep 0.3
is "$(count starts hup)" 1 "the signalled environment is the one compared against"
stop_watch

watch --no-default-secrets-dirs -C app --on-change=exit
printf 'A=3\n' >app/.env.local
i=0
while kill -0 "$BG" 2>/dev/null && [ $i -lt $LIMIT ]; do sleep 0.1; i=$((i + 1)); done
wait "$BG"
is "$?" 0 "--on-change=exit: the command stopped, withsecrets exits 0"
is "$(count starts .)" 1 "without starting it again"

watch --no-default-secrets-dirs -C app
kill -TERM "$(pid_of_last)"
i=0
while kill -0 "$BG" 2>/dev/null && [ $i -lt $LIMIT ]; do sleep 0.1; i=$((i + 1)); done
wait "$BG"
is "$?" 0 "the command exiting on its own ends withsecrets with its status"

# An exec failure on a restart ends withsecrets with 126.
{ echo '#!/bin/sh'; cat "$T/cmd.sh"; } >"$T/cmd2"
chmod 0755 "$T/cmd2"
printf 'A=1\n' >app/.env.local
: >"$T/starts"
"$H/sigrun" - -2,-3 - "${BASE_ENV[@]}" T="$T" "$WS" --watch --watch-delay=0.3 \
    --no-default-secrets-dirs -C app -- "$T/cmd2" >"$T/out" 2>"$T/err" </dev/null &
BG=$!
wait_count starts . 1
chmod 0644 "$T/cmd2"
printf 'A=2\n' >app/.env.local
i=0
while kill -0 "$BG" 2>/dev/null && [ $i -lt $LIMIT ]; do sleep 0.1; i=$((i + 1)); done
wait "$BG"
is "$?" 126 "a command that can no longer be executed on a restart: 126"
stderr_has "cannot execute" "and says why"

# ------------------------------------------------------------------
# After a restart the parent still holds no secret, old or new.
if [ -n "${WS_SAN:-}" ] || [ -n "${WS_VALGRIND:-}" ]; then
	echo "# skip: memory scan (a sanitizer's shadow or valgrind's copy of the heap)"
elif [ "$(id -u)" != 0 ]; then
	echo "# skip: memory scan: reading a non-dumpable process's memory needs root"
else
	S1=$(random_secret) S2=$(random_secret)
	printf '%s\n' "$S1" >sec/token
	watch --no-default-secrets-dirs -s sec
	printf '%s\n' "$S2" >sec/token
	wait_count starts . 2
	sleep 0.5	# the parent wipes right after the fork; give it time
	hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
	is "$("$H/memscan" "$BG" "$(hex "$S1")")" 0 "after a restart: the old secret is not in the parent"
	is "$("$H/memscan" "$BG" "$(hex "$S2")")" 0 "nor the new one"
	n=$("$H/memscan" "$(pid_of_last)" "$(hex "$S2")")
	[ "${n:-0}" -ge 1 ]
	ok $? "control: the scan finds the new one in the command"
	stop_watch
fi

done_testing
