#!/usr/bin/env bash
# A URL built in a .env from a mounted secret (SPEC §4.4): the result is a
# secret, held and classified like one, and not a plaintext secret.
. "$WS_SRCDIR/tests/e2e/lib.sh"

S=$(random_secret)
mkdir -m 0755 secrets
printf '%s\n' "$S" >secrets/db_password
printf 'APP_URL=postgres://app:${DB_PASSWORD}@db/app\nPLAIN=x${PLAIN_HOST}\n' >.env

ws PLAIN_HOST=y -e production --no-config --no-default-secrets-dirs -s secrets -- env -0
is_rc 0 "production accepts a URL built from a mounted secret"
is_var APP_URL "postgres://app:$S@db/app" "the URL has the secret"
if grep -q plaintext-secret "$T/err"; then ok 1 "no plaintext-secret warning for it"
else ok 0 "no plaintext-secret warning for it"; fi
no_leak "$S" "the secret is not printed" stdout-is-env

ws PLAIN_HOST=y explain -e production --no-config --no-default-secrets-dirs -s secrets --format=json APP_URL PLAIN
is_rc 0 "explain"
grep -q '"name": *"APP_URL"[^}]*"secret": *true' "$T/out"
ok $? "explain classifies the URL as a secret"
grep -q '"name": *"PLAIN"[^}]*"secret": *false' "$T/out"
ok $? "a value built from a plain variable is not"
no_leak "$S" "explain prints no value"

done_testing
