#!/usr/bin/env bash
# Several -C directories (a monorepo's root, then a service) and a -f
# file that is also a conventional layer (SPEC §4.2, revision 2).
. "$WS_SRCDIR/tests/e2e/lib.sh"

SECRET=$(random_secret)

# json_layers: the "layers" array of check --format=json, as written.
json_layers() {
	sed -n 's/.*"layers":\(\[[^]]*\]\).*/\1/p' "$T/out"
}

# ------------------------------------------------ a root and a service
mkdir -p repo/svc/api
printf 'POSTGRES_PASSWORD=%s\nSHARED=root\nONLY_ROOT=1\n' "$SECRET" >repo/.env
printf 'SHARED=root-dev-local\nROOT_DEV_LOCAL=1\n' >repo/.env.development.local
printf 'DATABASE_URL=postgres://app:${POSTGRES_PASSWORD}@db/app\nSHARED=svc\n' \
	>repo/svc/api/.env
printf 'SEEN=${ROOT_DEV_LOCAL:-no}\n' >repo/svc/api/.env.local

cd repo/svc/api || exit 99
ws -e development -C ../.. -C . -- env -0
is_rc 0 "two -C directories"
is_var DATABASE_URL "postgres://app:$SECRET@db/app" \
    "a service's value interpolates the root's password"
is_var ONLY_ROOT 1 "the root's names reach the command"
is_var SHARED svc "the service's .env over the root's .env.development.local"
is_var SEEN 1 "the service's files see every root layer"
no_leak "$SECRET" "the password on neither stream" stdout-is-env
ws -e development -C . -C ../.. -- env -0
is_var SHARED root-dev-local "the order of the options decides"
is_var DATABASE_URL "postgres://app:@db/app" \
    "and an earlier directory does not see a later one's names"

# Nothing names the environment: the .env and .env.local of every
# directory are read first (to learn it), and the name is taken from the
# last directory first.
ws -C ../.. -C . -- env -0
is_rc 0 "unnamed, with two directories"
is_var SHARED svc "the later directory still wins"
is_var DATABASE_URL "postgres://app:$SECRET@db/app" "and interpolates the root's .env"
printf 'APP_ENV=staging\n' >../../.env.local
printf 'WHICH=root-staging\n' >../../.env.staging
printf 'WHICH=svc-production\n' >.env.production
ws -C ../.. -C . check --format=json
is "$(sed -n 's/.*"environment_source":"\([^"]*\)".*/\1/p' "$T/out")" \
    "../../.env.local:APP_ENV" "the root's .env.local names the environment"
printf 'APP_ENV=production\n' >>.env
ws -C ../.. -C . -- env -0
is_var WHICH svc-production "the service's .env before the root's .env.local"
is_var APP_ENV production "and its value is the one the command gets"
ws -C ../.. -C . check --format=json
is "$(sed -n 's/.*"environment_source":"\([^"]*\)".*/\1/p' "$T/out")" \
    ".env:APP_ENV" "check names the service's file"
sed -i '/^APP_ENV=/d' .env
rm ../../.env.local ../../.env.staging .env.production

# -v and check show the layers of each directory.
ws -e development -C ../.. -C . -v -- true
stderr_has "layers: directory 1 of 2: ../.." "-v names the first directory"
stderr_has "layers: directory 2 of 2: . (its layers over the others')" "and the last"
stderr_has "layer: ../../.env: read" "-v: the root's .env"
stderr_has "layer: ../../.env.development.local: read" "-v: the root's .env.ENV.local"
stderr_has "layer: .env.development: not there, skipped" "-v: the service's missing layer"
ws -e development -C ../.. -C . check --format=json
is_rc 0 "check with two directories"
is "$(json_layers)" '[".env.local",".env","../../.env.development.local","../../.env"]' \
    'check --format=json: "layers", highest first'
ws -e development -C ../.. -C . explain SHARED DATABASE_URL
is_rc 0 "explain with two directories"
grep -q '^SHARED  *\.env:2  *env-file .*\.\./\.\./\.env\.development\.local:1, \.\./\.\./\.env:2$' "$T/out"
ok $? "explain: the service's entry, shadowing the root's two"
grep -q '^DATABASE_URL  *\.env:1 ' "$T/out"
ok $? "explain: DATABASE_URL from the service's .env"
no_leak "$SECRET" "explain shows no value"

# The policy file and the example file: from the last directory that
# has one.
printf '[defaults]\nPOLICY_FROM=root\n' >../../withsecrets.ini
ws -C ../.. -C . -- env -0
is_var POLICY_FROM root "the root's policy when the service has none"
printf '[defaults]\nPOLICY_FROM=svc\n' >withsecrets.ini
ws -C ../.. -C . -v -- env -0
is_var POLICY_FROM svc "the service's policy when it has one"
stderr_has "policy: withsecrets.ini" "-v names it"
ws -C . -C ../.. -- env -0
is_var POLICY_FROM root "the last -C decides"
rm withsecrets.ini
printf 'ROOT_SETTING=\n' >../../.env.example
ws -C ../.. -C . -e production check
stderr_has "required: ROOT_SETTING: is not set; ../../.env.example lists it" \
    "the root's example file when the service has none"
printf 'SVC_SETTING=\n' >.env.example
ws -C ../.. -C . -e production check
stderr_has "required: SVC_SETTING: is not set; .env.example lists it" \
    "the service's example file when it has one"
if grep -q ROOT_SETTING "$T/err"; then ok 1 "and not the root's"; else ok 0 "and not the root's"; fi
rm .env.example ../../.env.example
printf '[withsecrets]\nexample = named.example\n' >../../withsecrets.ini
ws -C ../.. -C . -- true
is_rc 66 "an example file the policy names, in no directory"
stderr_has "named.example" "is named"
rm ../../withsecrets.ini

# A missing directory among several, and one given twice.
ws -C ../.. -C nowhere -C . -- env -0
is_rc 66 "a missing -C among several"
stderr_has "nowhere: no such directory (--dir)" "names it"
printf 'BROKEN LINE %s\n' "$SECRET" >../../.env.local
ws -C ../.. -C ../../ -- true
is_rc 65 "a syntax error in a directory given twice"
is "$(grep -c 'env.local:1' "$T/err")" 1 "is reported once"
no_leak "$SECRET" "without the line"
rm ../../.env.local
args=()
for _ in $(seq 25); do args+=(-C .); done
ws "${args[@]}" -- true
is_rc 64 "more than 24 -C directories"
cd "$T" || exit 99

# ----------------------------------------- -f FILE that is also a layer
mkdir -p once
printf 'A=dotenv\nB=dotenv\nthis line %s is wrong\nAPP_ENV=staging\n' "$SECRET" >once/.env
printf 'A=local\nC=${B}\n' >once/.env.local
printf 'STAGING=1\n' >once/.env.staging
ws -C once -f once/.env -- env -0
is_rc 65 "-f .env with a syntax error"
is "$(grep -c 'once/.env:3' "$T/err")" 1 "the error is reported once"
no_leak "$SECRET" "without the line"
sed -i '3d' once/.env
ws -C once -f once/.env -- env -0
is_rc 0 "-f .env, the same file as the layer"
is_var A dotenv "read at the rank of -f: over .env.local"
is_var STAGING 1 "the environment is still learnt from it"
is_var C "" "ranked over .env.local, it is a layer above it: not seen from there"
ws -C once -f once/.env -v -- true
stderr_has "layer: once/.env: read once, ranked as -f once/.env" "-v says so"
stderr_has "layer: once/.env (-f): read once, above" "and that -f is not read again"
is "$(grep -c 'once/.env: read' "$T/err")" 1 "one read"
ln -s once/.env link.env
ws -C once -f link.env -- env -0
is_var A dotenv "a symbolic link to the layer is the same file"
ws -C once -f link.env check --format=json
is "$(json_layers)" '["once/.env","once/.env.local","once/.env.staging"]' \
    "check lists it once, at the rank of -f" 
printf 'OTHER=1\n' >other.env
ws -C once -f other.env -f once/.env check --format=json
is "$(json_layers)" '["once/.env","other.env","once/.env.local","once/.env.staging"]' \
    "among other -f files, at its own rank"
ws -C once -f once/.env -f other.env check --format=json
is "$(json_layers)" '["other.env","once/.env","once/.env.local","once/.env.staging"]' \
    "a later -f still over it"
ws -C once -e test -f once/.env.local -- env -0
is_var A local "-e test: a .env.local given with -f is still read"
ws -C once -e test -- env -0
is_var A dotenv "and without -f it is not"
printf 'APP_ENV=test\n' >>once/.env.local
ws -C once check --format=json
is "$(json_layers)" '["once/.env"]' \
    "a .env.local that names test is not listed among the layers read"
sed -i '$d' once/.env.local
printf 'E=twice\n' >>once/.env
ws -C once -f once/.env -f other.env -f once/.env -v -- env -0
is_var E twice "a layer given twice with -f"
is "$(grep -c 'once/.env: read' "$T/err")" 1 "is read once"
stderr_has "layer: once/.env: read once, ranked as -f once/.env" "ranked as its last -f"

done_testing
