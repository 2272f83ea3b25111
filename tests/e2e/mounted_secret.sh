#!/usr/bin/env bash
# A group-writable secret is reported once, however it is reached, and a
# mounted one (read-only where withsecrets reads it, as Compose mounts
# /run/secrets/NAME) is to be fixed at its source on the host.
. "$WS_SRCDIR/tests/e2e/lib.sh"

hex32() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
mkdir s
hex32 >s/postgres_password
hex32 >s/secret_key
chmod 0664 s/postgres_password
chmod 0644 s/secret_key

# A directory entry and a NAME_FILE target: one file, one finding.
ws ENVIRONMENT=production DB_PASSWORD_FILE=s/postgres_password \
    --no-config --no-default-secrets-dirs -s s -- true
is_rc 77 "a group-writable secret in production"
is "$(grep -c 'file-mode: .*postgres_password' "$T/err")" 1 \
    "reported once, as an entry and as a NAME_FILE target"
stderr_has "run chmod g-w on it" "a file of this machine: chmod it"

# Two files in one group-writable directory: the directory once.
mkdir d
chmod 0775 d
printf 'A=1\n' >d/.env
printf 'B=2\n' >d/.env.production
ws check --no-config --no-default-secrets-dirs -C d -e production
is "$(grep -c 'group-writable directory' "$T/err")" 1 \
    "a group-writable directory holding two layers: reported once"

# The same file on a read-only bind mount (a mount namespace of its own).
if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null 2>&1 ||
    ! unshare -m true 2>/dev/null; then
	ok 0 "# SKIP a read-only mount needs root and unshare -m"
	ok 0 "# SKIP a read-only mount needs root and unshare -m"
else
	run unshare -m "${BASE_ENV[@]}" ENVIRONMENT=production \
	    DB_PASSWORD_FILE=s/postgres_password sh -c \
	    'mount --bind s s && mount -o remount,bind,ro s && exec "$@"' sh \
	    "$WS" --no-config --no-default-secrets-dirs -- true
	is_rc 77 "a group-writable secret on a read-only mount"
	stderr_has "on its source on the host (for Compose, the secret's file:)" \
	    "the message says to change it on the host"
fi

done_testing
