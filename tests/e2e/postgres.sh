#!/usr/bin/env bash
# A real client with a real server: a throwaway PostgreSQL on a loopback
# port with password (SCRAM) authentication; psql connects through
# withsecrets with PGPASSWORD taken from a secret file.
. "$WS_SRCDIR/tests/e2e/lib.sh"

PGBIN=
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V) \
    "$(dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/x)")"; do
	if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then PGBIN=$d; fi
done
[ -n "$PGBIN" ] || skip_all "PostgreSQL is not installed (initdb, pg_ctl)"
PSQL=$PGBIN/psql
[ -x "$PSQL" ] || PSQL=$(command -v psql) || skip_all "psql is not installed"

# initdb refuses to run as root: the server runs as nobody then.
if [ "$(id -u)" -eq 0 ]; then
	id nobody >/dev/null 2>&1 || { echo "Bail out! no user nobody"; exit 99; }
	as_server() { runuser -u nobody -- "$@"; }
	chmod 0755 "$T"
else
	as_server() { "$@"; }
fi
PGDATA_DIR=$T/pg/data
mkdir -p "$T/pg"
[ "$(id -u)" -ne 0 ] || chown nobody "$T/pg"

server_env=(env -i "PATH=/usr/bin:/bin" "HOME=$T/pg" "LC_ALL=C")
cleanup() {
	if [ -f "$PGDATA_DIR/postmaster.pid" ]; then
		as_server "${server_env[@]}" timeout 30 "$PGBIN/pg_ctl" \
		    -D "$PGDATA_DIR" -m immediate -w stop >/dev/null 2>&1
	fi
	ws_cleanup
}
trap cleanup EXIT
trap 'exit 99' INT TERM

# Passwords of letters and digits, long enough for the built-in rules.
SUPW=$(random_secret)
APPPW=$(random_secret)
WRONG=$(random_secret)
printf '%s\n' "$SUPW" >"$T/pg/su.pw"
[ "$(id -u)" -ne 0 ] || chown nobody "$T/pg/su.pw"

if ! as_server "${server_env[@]}" timeout 120 "$PGBIN/initdb" -D "$PGDATA_DIR" \
    -U postgres -A scram-sha-256 --pwfile="$T/pg/su.pw" -N \
    >"$T/pg/initdb.log" 2>&1; then
	sed 's/^/# initdb: /' "$T/pg/initdb.log" | tail -n 20
	echo "Bail out! initdb failed"
	exit 99
fi
mkdir -p "$T/pg/sock"
[ "$(id -u)" -ne 0 ] || chown nobody "$T/pg/sock"

# A random loopback port; another try when it is taken.
started=0
for _ in 1 2 3 4 5; do
	PORT=$((20000 + RANDOM % 30000))
	if as_server "${server_env[@]}" timeout 90 "$PGBIN/pg_ctl" -D "$PGDATA_DIR" \
	    -l "$T/pg/server.log" -w -t 60 -o "-c listen_addresses=127.0.0.1 \
	    -p $PORT -c unix_socket_directories=$T/pg/sock -c fsync=off" \
	    start >/dev/null 2>&1; then
		started=1
		break
	fi
done
if [ "$started" -ne 1 ]; then
	tail -n 20 "$T/pg/server.log" 2>/dev/null | sed 's/^/# server: /'
	echo "Bail out! the PostgreSQL server did not start"
	exit 99
fi

client_env=("${BASE_ENV[@]}" PGCONNECT_TIMEOUT=10)
psql_args=(-X -w -h 127.0.0.1 -p "$PORT" -d postgres -At)

run "${client_env[@]}" PGPASSWORD="$SUPW" timeout 60 "$PSQL" "${psql_args[@]}" \
    -U postgres -c "CREATE ROLE app LOGIN PASSWORD '$APPPW'"
is_rc 0 "a role with a password is created"

mkdir -p "$T/secrets" "$T/wrong"
printf '%s\n' "$APPPW" >"$T/secrets/pgpassword"
printf '%s\n' "$WRONG" >"$T/wrong/pgpassword"
chmod 0444 "$T/secrets/pgpassword" "$T/wrong/pgpassword"

run "${client_env[@]}" timeout 60 "$PSQL" "${psql_args[@]}" -U app -c 'select 1'
if [ "$RC" -ne 0 ]; then ok 0 "without the secret psql cannot connect"
else ok 1 "without the secret psql cannot connect"; fi

run "${client_env[@]}" timeout 60 "$WS" -s "$T/secrets" --no-default-secrets-dirs \
    -- "$PSQL" "${psql_args[@]}" -U app -c 'select 1'
is_rc 0 "withsecrets -s DIR -- psql connects with PGPASSWORD from pgpassword"
is "$(cat "$T/out")" 1 "and the query runs"
no_leak "$APPPW" "the password is printed nowhere"

run "${client_env[@]}" timeout 60 "$WS" -s "$T/secrets" --no-default-secrets-dirs \
    -- "$PSQL" "${psql_args[@]}" -U app \
    -c 'select current_user, length(current_setting($$application_name$$)) >= 0'
is "$(cat "$T/out")" "app|t" "connected as the role"

run "${client_env[@]}" timeout 60 "$WS" -s "$T/wrong" --no-default-secrets-dirs \
    -- "$PSQL" "${psql_args[@]}" -U app -c 'select 1'
if [ "$RC" -ne 0 ]; then ok 0 "a wrong password in the secret file fails"
else ok 1 "a wrong password in the secret file fails"; fi
stderr_has "password authentication failed" "the server refused it"
no_leak "$WRONG" "the wrong password is printed nowhere"

# The operator's own PGPASSWORD wins over the mounted file (SPEC §4).
run "${client_env[@]}" PGPASSWORD="$WRONG" timeout 60 "$WS" -s "$T/secrets" \
    --no-default-secrets-dirs -- "$PSQL" "${psql_args[@]}" -U app -c 'select 1'
if [ "$RC" -ne 0 ]; then ok 0 "an inherited PGPASSWORD beats the secret file"
else ok 1 "an inherited PGPASSWORD beats the secret file"; fi
run "${client_env[@]}" PGPASSWORD="$WRONG" timeout 60 "$WS" --override \
    -s "$T/secrets" --no-default-secrets-dirs -- "$PSQL" "${psql_args[@]}" \
    -U app -c 'select 1'
is_rc 0 "with --override the secret file wins"

done_testing
