#!/bin/sh
# The bundled demo: layered .env files and a secrets directory, first
# in development (the command runs), then in production (a rule stops
# it).  Usage: run.sh [path/to/withsecrets]
#
# The demo runs on a private copy of contrib/demo: a checkout made under
# a umask of 002 (the default for users on Debian and Ubuntu) has
# group-writable files, which production refuses (77) before any rule is
# looked at.  The copy is made with umask 022 in a directory of mode 0700,
# as the secrets of a real deployment would be.
set -u
src=$(cd "$(dirname "$0")" && pwd)
ws=${1:-withsecrets}
umask 022
tmp=$(mktemp -d "${TMPDIR:-/tmp}/withsecrets-demo.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
here=$tmp/demo
mkdir "$here" "$here/secrets" &&
    cp "$src/.env" "$src/.env.local" "$src/.env.example" "$src/app.sh" "$here/" &&
    cp "$src/secrets/"* "$here/secrets/" &&
    chmod -R u+rw,go-w "$here" || exit 1
run() {
	"$ws" -C "$here" --no-config --no-default-secrets-dirs \
	    -s "$here/secrets" "$@" -- "$here/app.sh"
}

echo "== development: .env + .env.local + secrets/, DEBUG allowed"
echo "\$ withsecrets -C contrib/demo -s contrib/demo/secrets -- app.sh"
run -e development || exit 1

echo
echo "== production: the same files, production rules"
echo "\$ withsecrets -e production -C contrib/demo -s contrib/demo/secrets -- app.sh"
run -e production
status=$?
echo "  (withsecrets exited $status: the application did not start)"
[ "$status" -eq 78 ] || { echo "demo: expected exit 78" >&2; exit 1; }
echo
echo "demo: done"
