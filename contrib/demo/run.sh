#!/bin/sh
# The bundled demo: layered .env files and a secrets directory, first
# in development (the command runs), then in production (a rule stops
# it).  Usage: run.sh [path/to/withsecrets]
set -u
here=$(cd "$(dirname "$0")" && pwd)
ws=${1:-withsecrets}
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
