#!/usr/bin/env bash
# ./configure --enable-static-binary: the binary runs in an otherwise
# empty root, as it does when an image copies it in with
# COPY --from=build /withsecrets (contrib/docker/Dockerfile.static).  The
# root here holds the binary, a static busybox (Debian's busybox-static)
# for the command and its shell, and what each case puts in /run/secrets
# or the working directory: no libc, no loader, no /proc, no /etc.
. "$WS_SRCDIR/tests/e2e/lib.sh"

command -v readelf >/dev/null 2>&1 || skip_all "readelf is not installed (Debian package binutils)"
static() { ! readelf -l "$1" 2>/dev/null | grep -q 'program interpreter'; }
static "$WS" || skip_all "withsecrets is linked dynamically (configure --enable-static-binary builds a static one)"
[ -n "${WS_VALGRIND:-}" ] && skip_all "the empty root holds no valgrind"
[ "$(id -u)" -eq 0 ] || skip_all "chroot needs root"
command -v chroot >/dev/null 2>&1 || skip_all "chroot is not installed"
BB=
for b in /bin/busybox /usr/bin/busybox; do
	if [ -x "$b" ] && static "$b"; then BB=$b; break; fi
done
[ -n "$BB" ] || skip_all "no static busybox (Debian package busybox-static)"

R=$T/root
mkdir -p "$R/bin" "$R/srv"
cp "$WS" "$R/withsecrets"
cp "$BB" "$R/bin/busybox"
for a in sh env cat echo test; do ln -s busybox "$R/bin/$a"; done
chmod 0755 "$R" "$R/bin" "$R/srv"
is "$(find "$R" -type f | wc -l)" 2 "the root holds two files: withsecrets and busybox"

# in_root ARGS...: withsecrets in the root, from /srv, with a minimal
# environment (ENVIRONMENT, DB_PASSWORD_FILE... given as VAR=value first).
in_root() {
	local envs=()
	while [ $# -gt 0 ] && [[ "$1" == *=* ]]; do envs+=("$1"); shift; done
	run chroot "$R" /bin/env -i PATH=/bin ${envs[@]+"${envs[@]}"} \
	    /bin/sh -c 'cd /srv && exec /withsecrets "$@"' withsecrets "$@"
}

in_root --version
is_rc 0 "--version runs without a dynamic loader or libc"
v=$(sed -n 's/^AC_INIT(\[withsecrets\], \[\([^]]*\)\].*/\1/p' "$WS_SRCDIR/configure.ac")
is "$(head -n 1 "$T/out")" "withsecrets $v" "and says its version"
grep -qx 'stores: vault aws-sm' "$T/out"
ok $? "and the store types it has (SPEC §13)"

in_root defaults
is_rc 0 "the built-in policy is inside the binary"

# The Compose layout: /run/secrets, a NAME_FILE variable, a .env in the
# working directory.
hex32() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
mkdir -p "$R/run/secrets"
chmod 0755 "$R/run" "$R/run/secrets"
KEY=$(hex32) PW=$(hex32)
printf '%s\n' "$KEY" >"$R/run/secrets/secret_key"
printf '%s\n' "$PW" >"$R/run/secrets/postgres_password"
chmod 0444 "$R/run/secrets/"*
printf 'APP_NAME=demo\nDATABASE_URL=postgres://app:${DB_PASSWORD}@db/app\n' >"$R/srv/.env"
chmod 0644 "$R/srv/.env"
in_root ENVIRONMENT=production DB_PASSWORD_FILE=/run/secrets/postgres_password \
    -- sh -c 'echo "$SECRET_KEY $DB_PASSWORD $APP_NAME $DATABASE_URL ${DB_PASSWORD_FILE-unset}"'
is_rc 0 "production: /run/secrets, NAME_FILE and .env resolved, command run"
is "$(cat "$T/out")" "$KEY $PW demo postgres://app:$PW@db/app unset" \
    "the command gets every value"
no_leak "$PW" "no value on stderr" stdout-is-env

in_root -- no-such-command
is_rc 127 "a command not found: 127"

# A group-writable mounted secret is refused in production, reported
# once (it is both a directory entry and a NAME_FILE target), with the
# fix on the host, where Compose's file: lives.
chmod 0664 "$R/run/secrets/postgres_password"
in_root ENVIRONMENT=production DB_PASSWORD_FILE=/run/secrets/postgres_password -- true
is_rc 77 "a group-writable /run/secrets file in production: 77"
is "$(grep -c 'file-mode: /run/secrets/postgres_password' "$T/err")" 1 \
    "reported once"
stderr_has "on the host" "the message says where to change it"
no_leak "$PW" "without its value"

# A policy violation stops the command: 78.
chmod 0444 "$R/run/secrets/postgres_password"
printf 'DEBUG=true\n' >>"$R/srv/.env"
in_root ENVIRONMENT=production -- true
is_rc 78 "a policy violation: 78"
stderr_has "debug" "by the debug rule"

done_testing
