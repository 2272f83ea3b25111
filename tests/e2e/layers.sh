#!/usr/bin/env bash
# The .env layers, their precedence, the environment name, --override,
# -C, --no-layers, NAME_FILE relative to the .env file, and errors that
# never show a value (SPEC §4, §4.1-§4.4).
. "$WS_SRCDIR/tests/e2e/lib.sh"

SECRET=$(random_secret)

# Four conventional layers, each setting what it wins.
layers() {	# layers DIR ENV
	mkdir -p "$1"
	printf 'A=dotenv\nB=dotenv\nC=dotenv\nD=dotenv\nONLY_ENV=1\n' >"$1/.env"
	printf 'B=env-%s\nC=env-%s\nD=env-%s\n' "$2" "$2" "$2" >"$1/.env.$2"
	printf 'C=local\nD=local\nONLY_LOCAL=1\n' >"$1/.env.local"
	printf 'D=env-%s-local\n' "$2" >"$1/.env.$2.local"
}

layers "$T" development
ws -- env -0
is_rc 0 "four layers"
is_var A dotenv ".env is the lowest layer"
is_var B env-development ".env.ENV over .env"
is_var C local ".env.local over .env.ENV"
is_var D env-development-local ".env.ENV.local over all"
is_var ONLY_ENV 1 "a name only in .env"
is_var ONLY_LOCAL 1 "a name only in .env.local"
is "$(cat "$T/err")" "" "missing layers are skipped silently"

# Explicit files: over every conventional layer, later over earlier.
printf 'D=first\nE=first\nF=first\n' >"$T/one.env"
printf 'E=second\n' >"$T/two.env"
ws -f one.env -f two.env -- env -0
is_var D first "--env-file over .env.ENV.local"
is_var E second "a later --env-file over an earlier one"
is_var F first "an earlier --env-file still counts"
is_var A dotenv "the conventional layers are still read"
ws --env-file=two.env --env-file=one.env -- env -0
is_var E first "the order of the options decides"

ws -f "$T/nope.env" -- env -0
is_rc 66 "a missing --env-file"
stderr_has "nope.env" "names the file"
one_line_stderr "in one line"

# The environment name chooses .env.ENV; .env.local is skipped for test.
layers "$T" production
layers "$T" test
ws -e production -- env -0
is_var B env-production "-e production reads .env.production"
is_var D env-production-local "and .env.production.local"
ws WITHSECRETS_ENV=production -- env -0
is_var B env-production "WITHSECRETS_ENV"
ws WITHSECRETS_ENV=production -e development -- env -0
is_var B env-development "--environment over WITHSECRETS_ENV"
ws APP_ENV=production -- env -0
is_var B env-production "APP_ENV inherited"
ws NODE_ENV=production -- env -0
is_var B env-production "NODE_ENV inherited"
ws ENVIRONMENT=test APP_ENV=production -- env -0
is_var B env-test "ENVIRONMENT comes before APP_ENV"
ws ENVIRONMENT= APP_ENV=production -- env -0
is_var B env-production "an empty value counts as unset"
ws WITHSECRETS_ENV=production APP_ENV=test -- env -0
is_var B env-production "WITHSECRETS_ENV before environment-vars"
ws -e test -- env -0
is_var C env-test ".env.local is skipped in the test environment"
unset_var ONLY_LOCAL "nothing of .env.local"
is_var D env-test-local "but .env.test.local is read"

# Detection from the files: .env.local, then .env.
mkdir -p "$T/det"
printf 'APP_ENV=production\n' >"$T/det/.env"
printf 'WHICH=production\n' >"$T/det/.env.production"
printf 'WHICH=staging\n' >"$T/det/.env.staging"
printf 'WHICH=test\n' >"$T/det/.env.test"
ws -C det -- env -0
is_var WHICH production "APP_ENV in .env names the environment"
printf 'NODE_ENV=staging\n' >"$T/det/.env.local"
ws -C det -- env -0
is_var WHICH staging ".env.local before .env"
is_var NODE_ENV staging "and its keys are read"
printf 'NODE_ENV=\n' >"$T/det/.env.local"
ws -C det -- env -0
is_var WHICH production "an empty value in .env.local counts as unset"
printf 'APP_ENV=staging\nENVIRONMENT=test\n' >"$T/det/.env.local"
ws -C det -- env -0
is_var WHICH test "environment-vars order within a file"
unset_var ENVIRONMENT ".env.local is not read when it names test"
ws NODE_ENV=production -C det -- env -0
is_var WHICH production "the inherited environment before the files"
ws -C det --no-layers -- env -0
unset_var WHICH "--no-layers: no detection from the files either"
ws -C det -e '../det/x' -- env -0
is_rc 64 "an environment name with / is refused"

# -C: where the layers are; the command's directory does not change.
mkdir -p "$T/proj"
printf 'IN_PROJ=yes\n' >"$T/proj/.env"
ws -C proj -- sh -c 'printf "%s|%s" "$IN_PROJ" "$PWD"'
is "$(cat "$T/out")" "yes|$T" "-C reads DIR/.env, the command stays in ."
ws --dir="$T/proj" -- env -0
is_var IN_PROJ yes "--dir=DIR with an absolute path"
unset_var A "and not the current directory's layers"
ws -C "$T/no-such-dir" -- env -0
is_rc 66 "a missing -C directory"

# --no-layers: no conventional layer, explicit files still.
ws --no-layers -f one.env -- env -0
unset_var A "--no-layers skips .env"
unset_var ONLY_LOCAL "and .env.local"
is_var E first "but reads --env-file"

# Precedence against the inherited environment, and --override.
ws A=inherited -- env -0
is_var A inherited "the inherited environment over .env"
ws A=inherited --override -- env -0
is_var A dotenv "--override: .env over the inherited environment"
ws A=inherited -o -f two.env -- env -0
is_var E second "-o with an explicit file"
ws A=inherited --clean -- env -0
is_var A dotenv "--clean: the inherited value does not reach the command"

# Interpolation sees lower layers, the environment, keys above.
mkdir -p "$T/ip"
printf 'HOST=db\nUSER_NAME=app\n' >"$T/ip/.env"
printf 'URL=postgres://${USER_NAME}@${HOST}/x\nPORT=${PORT:-5432}\n' \
	>"$T/ip/.env.local"
ws -C ip -- env -0
is_var URL postgres://app@db/x ".env.local interpolates keys of .env"
is_var PORT 5432 "a default"
ws HOST=inherited-host -C ip -- env -0
is_var URL postgres://app@inherited-host/x "the environment comes first"
ws HOST=inherited-host -C ip --override -- env -0
is_var URL postgres://app@db/x "--override: the files come first"

# A bare name takes the inherited value, also with --clean.
printf 'FROM_PARENT\nNOT_THERE\n' >"$T/bare.env"
ws FROM_PARENT=parent-value --clean --no-layers -f bare.env -- env -0
is_var FROM_PARENT parent-value "a bare name passes the inherited value"
unset_var NOT_THERE "an unknown bare name is not set"

# NAME_FILE in a .env file is relative to that file.
mkdir -p "$T/nf/sub"
printf '%s\n' "$SECRET" >"$T/nf/sub/db_password"
printf 'DB_PASSWORD_FILE=sub/db_password\nDSN=pg://app:${DB_PASSWORD}@db\n' \
	>"$T/nf/.env"
ws -C nf -- env -0
is_rc 0 "NAME_FILE in a conventional layer"
is_var DB_PASSWORD "$SECRET" "relative to the .env file, not to ."
is_var DSN "pg://app:$SECRET@db" "and interpolated into another value"
unset_var DB_PASSWORD_FILE "the pointer does not reach the command"
no_leak "$SECRET" "the secret only in the environment" stdout-is-env
ws --no-layers -f nf/.env -- env -0
is_var DB_PASSWORD "$SECRET" "relative to an --env-file too"
ws --no-layers -f "$T/nf/.env" -- env -0
is_var DB_PASSWORD "$SECRET" "with an absolute --env-file"
printf 'DB_PASSWORD_FILE=missing\n' >"$T/nf/bad.env"
ws --no-layers -f nf/bad.env -- env -0
is_rc 66 "a missing NAME_FILE target"
stderr_has "nf/missing" "named relative to the .env file"

printf 'DB_PASSWORD_FILE=sub/db_password\nDSN=${DB_PASSWORD}\nDB_PASSWORD=%s\n' \
	"$SECRET" >"$T/nf/both.env"
ws --no-layers -f nf/both.env -- env -0
is_rc 78 "NAME after a NAME_FILE that interpolation resolved: both-set"
stderr_has "both-set" "the rule is named"
no_leak "$SECRET" "without the value"

# Secret directories over .env, and seen by interpolation.
mkdir -p "$T/sd"
printf 'from-secret-dir\n' >"$T/sd/a"
ws --no-default-secrets-dirs -s sd -- env -0
is_var A from-secret-dir "a secret directory over .env"
ws A=inherited --no-default-secrets-dirs -s sd --override -- env -0
is_var A from-secret-dir "--override: secret directories over files"
printf 'R=${A}\n' >"$T/sd.env"
ws --no-default-secrets-dirs -s sd --no-layers -f sd.env -- env -0
is_var R from-secret-dir "interpolation sees the secret directories"

# Errors: file:line, 65, never the value.
mkdir -p "$T/err1"
printf 'GOOD=1\nPASSWORD=%s\nthis is %s wrong\nTOKEN="%s\n' \
	"$SECRET" "$SECRET" "$SECRET" >"$T/err1/.env"
ws -C err1 -- env -0
is_rc 65 "a syntax error is 65"
stderr_has "err1/.env:3:" "reported as FILE:LINE"
stderr_has "err1/.env:4: TOKEN:" "every error is reported, FILE:LINE first"
no_leak "$SECRET" "no value and no line in the messages"
one_line_stderr "one finding, one line"
printf 'A=${NOT_SET_ANYWHERE:?set it in .env.local}\n' >"$T/req.env"
ws --no-layers -f req.env -- env -0
is_rc 65 '${VAR:?message} unset'
stderr_has "set it in .env.local" "shows the author's message"
printf 'A=ok\nB=x\0y\n' >"$T/nul.env"
ws --no-layers -f nul.env -- env -0
is_rc 65 "a NUL byte in a value"
stderr_has "nul.env:2" "at its line"
head -c 70000 /dev/zero | tr '\0' 'x' | sed 's/^/BIG=/' >"$T/big.env"
ws --no-layers -f big.env -- env -0
is_rc 65 "a value over max-secret-size"
mkdir -p "$T/dirlayer/.env"
ws -C dirlayer -- env -0
is_rc 66 "a layer that is not a regular file"
printf 'WW=1\n' >"$T/ww.env"
chmod 0666 "$T/ww.env"
ws --no-layers -f ww.env -- env -0
is_rc 77 "a world-writable .env"
printf 'LD_PRELOAD=/tmp/x.so\n' >"$T/deny.env"
ws --no-layers -f deny.env -- env -0
is_rc 78 "a denied name from a .env file"

# Scale: 10,000 variables in one file.
awk 'BEGIN { for (i = 0; i < 10000; i++) printf "VAR_%05d=value-%05d\n", i, i }' \
	>"$T/many.env"
ws --no-layers -f many.env -- env -0
is_rc 0 "10,000 variables"
is_var VAR_09999 value-09999 "the last one"

done_testing
