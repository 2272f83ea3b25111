#!/usr/bin/env bash
# Secret directories (SPEC §5) as Docker, systemd and Kubernetes lay
# them out, hostile entries, and their place in the precedence (§4).
. "$WS_SRCDIR/tests/e2e/lib.sh"

# mkfile PATH CONTENT MODE
mkfile() {
	printf '%s' "$2" >"$1"
	chmod "$3" "$1"
}
NODEF=(--no-default-secrets-dirs)

# --------------------------------------------------------------- Docker
# /run/secrets: one 0444 file per secret, owned by root.
S1=$(random_secret)
S2=$(random_secret)
mkdir docker
mkfile docker/db_password "$S1"$'\n' 0444
mkfile docker/api-token "$S2" 0444
mkfile docker/.hidden "hidden" 0444
if [ "$(id -u)" -eq 0 ]; then chown root:root docker/*; fi

ws -s "$T/docker" "${NODEF[@]}" -- env -0
is_rc 0 "Docker layout"
is_var DB_PASSWORD "$S1" "db_password -> DB_PASSWORD, newline stripped"
is_var API_TOKEN "$S2" "api-token -> API_TOKEN"
unset_var HIDDEN "dotfiles are skipped"
unset_var _HIDDEN "dotfiles are skipped (mapped)"
no_leak "$S1" "nothing printed" stdout-is-env

ws --secrets-dir="$T/docker/" --no-default-secrets-dirs -- env -0
is_var DB_PASSWORD "$S1" "--secrets-dir=DIR/ (long form, trailing slash)"

ws -s docker "${NODEF[@]}" -- env -0
is_var DB_PASSWORD "$S1" "a relative -s is relative to the current directory"

ws check -s "$T/docker" "${NODEF[@]}"
is_rc 0 "check reads the directory"
no_leak "$S1" "check prints no value"

ws explain -s "$T/docker" "${NODEF[@]}"
if grep -q "secret-dir" "$T/out" && grep -qF "$T/docker/db_password" "$T/out"
then ok 0 "explain names the kind and the file"; else
	ok 1 "explain names the kind and the file"; sed 's/^/#   /' "$T/out"; fi
no_leak "$S1" "explain prints no value"

# A non-root program reads Docker's root-owned 0444 files.
if [ "$(id -u)" -eq 0 ] && command -v runuser >/dev/null &&
    runuser -u nobody -- test -x "$WS"; then
	chmod 0755 "$T"
	run runuser -u nobody -- "${BASE_ENV[@]}" "$WS" -s "$T/docker" \
	    "${NODEF[@]}" -- env -0
	is_rc 0 "as nobody: root-owned 0444 files are readable"
	is_var DB_PASSWORD "$S1" "as nobody: the value arrives"
	mkdir rootonly
	mkfile rootonly/key "k" 0400
	run runuser -u nobody -- "${BASE_ENV[@]}" "$WS" -s "$T/rootonly" \
	    "${NODEF[@]}" -- true
	is_rc 66 "as nobody: a root-only 0400 file is unreadable"
	stderr_has "permission denied" "with the reason"
	chmod 0700 "$T"
else
	ok 0 "# SKIP not root, or runuser/nobody missing"
	ok 0 "# SKIP not root"
	ok 0 "# SKIP not root"
	ok 0 "# SKIP not root"
fi

# --------------------------------------------------------------- systemd
# LoadCredential=: $CREDENTIALS_DIRECTORY holds 0400 files.
S3=$(random_secret)
mkdir -p creds
mkfile creds/db_password "$S3" 0400
mkfile creds/tls.key "key" 0400
chmod 0500 creds

ws CREDENTIALS_DIRECTORY="$T/creds" -- env -0
is_rc 0 "systemd credentials"
is_var DB_PASSWORD "$S3" "read from \$CREDENTIALS_DIRECTORY"
is_var TLS_KEY key "tls.key -> TLS_KEY"
is_var CREDENTIALS_DIRECTORY "$T/creds" "\$CREDENTIALS_DIRECTORY is passed on"

ws CREDENTIALS_DIRECTORY="$T/creds" -s "$T/docker" -- env -0
is_var DB_PASSWORD "$S1" "a -s directory beats \$CREDENTIALS_DIRECTORY"
is_var TLS_KEY key "names of both are merged"

ws CREDENTIALS_DIRECTORY="$T/creds" --no-default-secrets-dirs -- env -0
unset_var TLS_KEY "--no-default-secrets-dirs drops \$CREDENTIALS_DIRECTORY"
is_var CREDENTIALS_DIRECTORY "$T/creds" "which is still passed on"

ws CREDENTIALS_DIRECTORY="$T/gone" -- env -0
is_rc 0 "a \$CREDENTIALS_DIRECTORY that does not exist is skipped"

ws -s "$T/gone" "${NODEF[@]}" -- true
is_rc 66 "a -s directory that does not exist"
stderr_has "$T/gone" "is named"

# ------------------------------------------------------------ Kubernetes
# A Secret volume: KEY -> ..data/KEY, ..data -> ..TIMESTAMP/, 0644.
S4=$(random_secret)
mkdir -p k8s/..2026_01_01_00_00_00.123456789
mkfile k8s/..2026_01_01_00_00_00.123456789/password "$S4" 0644
mkfile k8s/..2026_01_01_00_00_00.123456789/username "app" 0644
ln -s ..2026_01_01_00_00_00.123456789 k8s/..data
ln -s ..data/password k8s/password
ln -s ..data/username k8s/username

ws -s "$T/k8s" "${NODEF[@]}" -- env -0
is_rc 0 "Kubernetes layout"
is_var PASSWORD "$S4" "KEY -> ..data/KEY is followed"
is_var USERNAME app "every key"
unset_var __DATA "..data is not a variable"
childnames >k8s-names.txt
if grep -q "^\.\.\|^__2026" k8s-names.txt; then ok 1 "the generation is not a variable"
else ok 0 "the generation is not a variable"; fi

ws explain -s "$T/k8s" "${NODEF[@]}"
if grep -qF "$T/k8s/password" "$T/out"; then ok 0 "explain shows DIR/KEY"
else ok 1 "explain shows DIR/KEY"; sed 's/^/#   /' "$T/out"; fi

# The service-account token is mounted as a subdirectory.
mkdir -p k8s-sa/serviceaccount
mkfile k8s-sa/serviceaccount/token "tok" 0644
mkfile k8s-sa/top "t" 0644
ws -s "$T/k8s-sa" "${NODEF[@]}" -- env -0
is_rc 0 "a subdirectory is not an error"
unset_var TOKEN "and is not entered"
unset_var SERVICEACCOUNT "nor is it a variable"
is_var TOP t "the files next to it are read"

# Rotation: a writer publishes generation after generation as kubelet
# does (write ..gN, rename ..data over, delete the old one) while
# withsecrets runs; every run must see one generation, whole.  (Not
# under valgrind: a run there is slower than the writer's rotations.)
if command -v python3 >/dev/null && [ -z "${WS_VALGRIND:-}" ]; then
	mkdir rot
	python3 - "$T/rot" <<'PY' &
import os, sys
d, keys, g = sys.argv[1], 100, 0
def publish(n):
    gen = os.path.join(d, "..g%d" % n)
    os.mkdir(gen)
    for k in range(keys):
        with open(os.path.join(gen, "key%d" % k), "w") as f:
            f.write(str(n))
    os.symlink("..g%d" % n, os.path.join(d, "..data_tmp"))
    os.rename(os.path.join(d, "..data_tmp"), os.path.join(d, "..data"))
publish(0)
for k in range(keys):
    os.symlink("..data/key%d" % k, os.path.join(d, "key%d" % k))
open(os.path.join(d, "..ready"), "w").close()
while not os.path.exists(os.path.join(d, "..stop")):
    publish(g + 1)
    old = os.path.join(d, "..g%d" % g)
    for k in range(keys):
        os.unlink(os.path.join(old, "key%d" % k))
    os.rmdir(old)
    g += 1
PY
	writer=$!
	while [ ! -e rot/..ready ]; do sleep 0.05; done
	mixed=0 failed=0 incomplete=0 runs=0
	end=$((SECONDS + 3))
	while [ $SECONDS -lt $end ] || [ $runs -lt 20 ]; do
		ws -s "$T/rot" "${NODEF[@]}" -- env -0
		runs=$((runs + 1))
		if [ "$RC" -ne 0 ]; then failed=$((failed + 1)); continue; fi
		if [ "$(childnames | grep -c '^KEY')" -ne 100 ]; then
			incomplete=$((incomplete + 1)); continue; fi
		if [ "$(tr '\0' '\n' <out | grep '^KEY' | cut -d= -f2 | sort -u | wc -l)" -ne 1 ]
		then mixed=$((mixed + 1)); fi
	done
	touch rot/..stop
	wait "$writer"
	is "$failed" 0 "rotation: no run fails ($runs runs)"
	is "$incomplete" 0 "rotation: every run sees every key"
	is "$mixed" 0 "rotation: every run sees one generation"
else
	for i in 1 2 3; do ok 0 "# SKIP python3 missing, or under valgrind"; done
fi

# ----------------------------------------------------- name mapping
mkdir names
mkfile names/db-password "a" 0444
mkfile names/db.password "b" 0444
mkfile names/other "o" 0444
ws -s "$T/names" "${NODEF[@]}" -- true
is_rc 78 "two entries mapping to one name"
stderr_has "duplicate-name" "reported as duplicate-name"
stderr_has "DB_PASSWORD" "naming the variable"

mkdir odd
mkfile odd/1password "x" 0444
mkfile "odd/with space" "x" 0444
mkfile odd/MixedCase "m" 0444
ws -v -s "$T/odd" "${NODEF[@]}" -- env -0
is_rc 0 "unmappable names are not an error"
is_var MIXEDCASE m "names are upper-cased"
unset_var 1PASSWORD "a name starting with a digit is skipped"
unset_var "WITH SPACE" "a name with a space is skipped"
stderr_has "skipped: 1PASSWORD" "-v says which were skipped"

# ------------------------------------------------------------ hostile
mkdir h
mkfile h/good "g" 0444

mkfifo h/fifo
# a blocked open would be killed after 10 s: exit 137, not 66
run timeout -s KILL 10 "${BASE_ENV[@]}" "$WS" -s "$T/h" "${NODEF[@]}" -- true
is_rc 66 "a FIFO is refused without blocking"
stderr_has "FIFO" "says it is a FIFO"
rm h/fifo

if command -v python3 >/dev/null; then
	python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' h/sock
	ws -s "$T/h" "${NODEF[@]}" -- true
	is_rc 66 "a socket is refused"
	stderr_has "socket" "says it is a socket"
	rm h/sock
else
	ok 0 "# SKIP python3 missing"
	ok 0 "# SKIP python3 missing"
fi

ln -s /dev/zero h/zero
ws -s "$T/h" "${NODEF[@]}" -- true
is_rc 77 "a link to a device outside is refused as an escape"
if grep -q "device" "$T/err"; then ok 1 "what is outside is not described"
else ok 0 "what is outside is not described"; fi
rm h/zero
if mknod h/.zero c 1 5 2>/dev/null; then
	ln -s .zero h/zero
	ws -s "$T/h" "${NODEF[@]}" -- true
	is_rc 66 "a link to a device inside the directory is refused"
	stderr_has "character device" "says it is a device"
	rm h/zero h/.zero
else
	ok 0 "# SKIP mknod needs root"
	ok 0 "# SKIP mknod needs root"
fi

ln -s /etc/passwd h/escape
ws -s "$T/h" "${NODEF[@]}" -- true
is_rc 77 "a symbolic link leaving the directory"
stderr_has "symlink-escape" "reported as symlink-escape"
rm h/escape

mkfile outside "o" 0444
ln -s ../outside h/escape
ws -s "$T/h" "${NODEF[@]}" -- true
is_rc 77 "a relative link leaving the directory"
rm h/escape

ln -s /proc/self/environ h/environ
ws PROBE=visible -s "$T/h" "${NODEF[@]}" -- env -0
is_rc 77 "a link to /proc/self/environ"
no_leak visible "the environment is not read back"
rm h/environ

ln -s good h/alias
ws -s "$T/h" "${NODEF[@]}" -- env -0
is_rc 0 "a link inside the directory is followed"
is_var ALIAS g "to its target"
rm h/alias

printf 'a\0b' >h/nul
ws -s "$T/h" "${NODEF[@]}" -- true
is_rc 65 "a NUL byte"
stderr_has "NUL" "says so"
rm h/nul

BIG=$(head -c 70000 /dev/zero | tr '\0' x)
printf '%s' "$BIG" >h/big
ws -s "$T/h" "${NODEF[@]}" -- true
is_rc 65 "over max-secret-size"
stderr_has "max-secret-size" "says so"
no_leak xxxxxxxxxx "no part of it printed"
rm h/big

mkdir h/sub
mkfile h/sub/inner "i" 0444
ws -s "$T/h" "${NODEF[@]}" -- env -0
is_rc 0 "a subdirectory is skipped"
unset_var INNER "and not entered"

S5=$(random_secret)
mkfile h/ww "$S5" 0646
ws -s "$T/h" "${NODEF[@]}" -- true
is_rc 77 "a world-writable file"
no_leak "$S5" "refused without printing it"
rm h/ww

chmod 0777 h
ws -s "$T/h" "${NODEF[@]}" -- true
is_rc 77 "a world-writable directory without the sticky bit"
chmod 1777 h
ws -s "$T/h" "${NODEF[@]}" -- true
is_rc 0 "with the sticky bit it is accepted"
chmod 0755 h

mkfile h/gw "$S5" 0664
ws -e production -s "$T/h" "${NODEF[@]}" -- env -0
is_rc 77 "a group-writable file in a strict environment"
stderr_has "group-writable" "says why"
unset_var GOOD "the command did not run"
ws -e development -s "$T/h" "${NODEF[@]}" -- env -0
is_rc 0 "a group-writable file when lenient: runs"
stderr_has "warning" "with a warning"
is_var GW "$S5" "and the value"
no_leak "$S5" "the warning holds no value" stdout-is-env
rm h/gw

mkfile h/ld_preload "/tmp/evil.so" 0444
ws -s "$T/h" "${NODEF[@]}" -- true
is_rc 78 "LD_PRELOAD from a secret directory is denied"
rm h/ld_preload

# --------------------------------------------------------- precedence
ws DB_PASSWORD=from-env -s "$T/docker" "${NODEF[@]}" -- env -0
is_var DB_PASSWORD from-env "the inherited environment beats a secret file"
is_var API_TOKEN "$S2" "other secrets still arrive"
ws DB_PASSWORD=from-env --override -s "$T/docker" "${NODEF[@]}" -- env -0
is_var DB_PASSWORD "$S1" "--override: the secret file beats the environment"

mkdir over
mkfile over/token "from-later" 0444
mkfile docker/token "from-earlier" 0444
ws -s "$T/docker" -s "$T/over" "${NODEF[@]}" -- env -0
is_var TOKEN from-later "the later -s directory wins"
ws -s "$T/over" -s "$T/docker" "${NODEF[@]}" -- env -0
is_var TOKEN from-earlier "whatever the order"

# .env files: below the secret directories, with and without --override.
printf 'PROBE_DOTENV=1\n' >probe.env
ws -f probe.env "${NODEF[@]}" -- env -0
if childvar PROBE_DOTENV >/dev/null; then
	printf 'DB_PASSWORD=from-dotenv\nFROM_DOTENV=yes\n' >app.env
	ws -f app.env -s "$T/docker" "${NODEF[@]}" -- env -0
	is_var DB_PASSWORD "$S1" "a secret file beats a .env file"
	is_var FROM_DOTENV yes "the .env file is read"
	ws -f app.env --override -s "$T/docker" "${NODEF[@]}" -- env -0
	is_var DB_PASSWORD "$S1" "--override keeps secret files above .env"
	printf 'URL=postgres://app:${DB_PASSWORD}@db/app\n' >url.env
	ws -f url.env -s "$T/docker" "${NODEF[@]}" -- env -0
	is_var URL "postgres://app:$S1@db/app" "interpolation sees secret files"
else
	for i in 1 2 3 4; do ok 0 "# SKIP .env layers not built yet"; done
fi

# ------------------------------------------------------------- scale
mkdir many
for i in $(seq -w 0 999); do printf 'v%s' "$i" >"many/s_$i"; done
ws -s "$T/many" "${NODEF[@]}" -- env -0
is_rc 0 "1,000 files"
is_var S_000 v000 "the first"
is_var S_999 v999 "the last"
is "$(childnames | grep -c '^S_')" 1000 "all 1,000"

done_testing
