#!/usr/bin/env bash
# The rules of SPEC revision 2 (§4, §4.4, §6), on the real binary: the
# unset-variable, shadowed-secret and encrypted-value findings, lists
# that extend the built-in ones (and !ITEM), glob [var] sections with
# every key, system paths that are not secrets, the placeholder list
# against templates and real random values, and explain's exit status.
. "$WS_SRCDIR/tests/e2e/lib.sh"

# refused DESCRIPTION: exit 78 and the command did not run
refused() {
	is_rc 78 "$1"
	if [ -s "$T/out" ]; then ok 1 "$1: the command did not run"; else
		ok 0 "$1: the command did not run"; fi
}
# no_finding RULE DESCRIPTION
no_finding() {
	if grep -q -- ": $1: " "$T/err"; then ok 1 "$2"; else ok 0 "$2"; fi
}

PW=$(random_secret)
PW2=$(random_secret)
mkdir -m 0755 sd

# ------------------------------------------------------ unset-variable
# shellcheck disable=SC2016
printf 'DATABASE_URL=postgres://app:${DB_PASSWORD}@db/app\n' >.env
ws -e production --no-config --no-default-secrets-dirs -- env -0
refused "production: an unset name inside a secret's value"
stderr_has 'error: unset-variable: DATABASE_URL (.env:1): uses $DB_PASSWORD, which is not set at that line' \
    "the finding names the variable built, its line and the unset name"
ws check -e production --no-config --no-default-secrets-dirs
is_rc 78 "check agrees"
ws -e development --no-config --no-default-secrets-dirs -- env -0
is_rc 0 "development runs"
stderr_has 'warning: unset-variable: DATABASE_URL (.env:1)' "with a warning"
is_var DATABASE_URL "postgres://app:@db/app" "the name expanded to nothing, as in Compose"

printf '%s\n' "$PW" >sd/db_password
ws -e production --no-config --no-default-secrets-dirs -s sd -- env -0
is_rc 0 "the password mounted: production runs"
no_finding unset-variable "no finding"
is_var DATABASE_URL "postgres://app:$PW@db/app" "the URL has the mounted password"
no_leak "$PW" "no value printed" stdout-is-env
rm sd/db_password

ws "DATABASE_URL=postgres://app:$PW2@db/app" -e production --no-config --no-default-secrets-dirs -- env -0
is_rc 0 "a .env entry hidden by the environment: no finding for it"
no_finding unset-variable "nothing said"

# shellcheck disable=SC2016
printf 'GREETING="hello $WHO"\nURL=${DB_PASSWORD:-}x${A-}${B:+y}${C+z}\n' >.env
ws -e production --no-config --no-default-secrets-dirs -- env -0
is_rc 0 "production: an unset name in a value that is not a secret runs"
stderr_has 'warning: unset-variable: GREETING (.env:1): uses $WHO' "with a warning"
if grep -q 'unset-variable: URL' "$T/err"; then ok 1 "the forms that state a default never produce it"
else ok 0 "the forms that state a default never produce it"; fi

# ------------------------------------------------------ shadowed-secret
# The Compose case: a stale POSTGRES_PASSWORD left in environment: after
# the move to /run/secrets.
rm -f .env
printf '%s\n' "$PW" >sd/postgres_password
ws "POSTGRES_PASSWORD=$PW2" -e production --no-config --no-default-secrets-dirs -s sd -- env -0
refused "production: a stale inherited secret hiding a mounted one"
stderr_has 'error: shadowed-secret: POSTGRES_PASSWORD (environment): hides the mounted secret sd/postgres_password' \
    "shadowed-secret names both"
no_leak "$PW" "neither value printed"
no_leak "$PW2" "neither value printed (2)"
ws "POSTGRES_PASSWORD=$PW2" check -e production --no-config --no-default-secrets-dirs -s sd
is_rc 78 "check agrees"
ws "POSTGRES_PASSWORD=$PW2" -e development --no-config --no-default-secrets-dirs -s sd -- env -0
is_rc 0 "development runs"
stderr_has 'warning: shadowed-secret: POSTGRES_PASSWORD' "with a warning"
ws "POSTGRES_PASSWORD=$PW" -e production --no-config --no-default-secrets-dirs -s sd -- env -0
is_rc 0 "the same value: production runs"
no_finding shadowed-secret "no finding"
ws "POSTGRES_PASSWORD_FILE=$T/sd/postgres_password" -e production --no-config --no-default-secrets-dirs -s sd -- env -0
is_rc 0 "POSTGRES_PASSWORD_FILE naming the mounted file: the same value"
is_var POSTGRES_PASSWORD "$PW" "the command gets it"
ws "POSTGRES_PASSWORD=${PW}x" -e production --no-config --no-default-secrets-dirs -s sd -- env -0
refused "a value that only starts the same differs"
rm sd/postgres_password

# ------------------------------------------------------ encrypted-value
cat >.env <<'EOF'
API_TOKEN=encrypted:BDqDBibm4wsYqMpCjTQ6BsDHmockCipherTextForTheTestOnly0123456789
LOG_LEVEL=info
EOF
for e in development production; do
	ws -e "$e" --no-config --no-default-secrets-dirs -- env -0
	refused "$e: a dotenvx encrypted value is refused everywhere"
	stderr_has 'error: encrypted-value: API_TOKEN (.env:1): is encrypted by dotenvx' \
	    "$e: the finding says what it is"
	stderr_has 'decrypt it first' "$e: and what to do"
done
if grep -q BDqDBibm4 "$T/err"; then ok 1 "the ciphertext is not printed"
else ok 0 "the ciphertext is not printed"; fi
ws explain -e production --no-config --no-default-secrets-dirs
is_rc 0 "explain shows the table, and exits 0"
grep -q '^API_TOKEN ' "$T/out"
ok $? "the table is there"
ws check -e production --format=json --no-config --no-default-secrets-dirs
is_rc 78 "check --format=json"
if command -v jq >/dev/null; then
	is "$(jq -r '.findings[] | select(.rule == "encrypted-value") | [.severity, .name, .source] | join(" ")' "$T/out")" \
	    "error API_TOKEN .env:1" "the JSON finding: rule, severity, name, source"
else
	skip_one "the JSON finding" "jq is not installed"
fi
rm .env

# ------------------------------- explain: only what keeps it from a table
ws explain -e production --no-config --no-default-secrets-dirs -f missing.env
is_rc 66 "explain: a named file that is missing"
printf 'A B=1\n' >.env
ws explain -e production --no-config --no-default-secrets-dirs
is_rc 65 "explain: a syntax error"
printf 'SECRET_KEY=changeme\nDEBUG=true\n' >.env
ws explain -e production --no-config --no-default-secrets-dirs
is_rc 0 "explain: rules that fail do not change its status"
printf '[withsecrets]\nnot-a-key = 1\n' >bad.ini
ws explain -e production -c bad.ini --no-default-secrets-dirs
is_rc 78 "explain: an error in the policy file does"
rm .env

# --------------------------------------- lists extend, !ITEM removes one
printf '[withsecrets]\ndeny = NODE_OPTIONS\n' >deny.ini
printf 'LD_PRELOAD=/tmp/evil.so\nNODE_OPTIONS=--require /tmp/evil.js\n' >.env
ws -e development -c deny.ini --no-default-secrets-dirs -- env -0
refused "a policy's deny line: LD_PRELOAD is still denied"
stderr_has "denied-name: LD_PRELOAD (.env:1)" "LD_PRELOAD, from the built-in list"
stderr_has "denied-name: NODE_OPTIONS (.env:2)" "NODE_OPTIONS, from the policy's"
printf '[withsecrets]\ndeny = !IFS\n' >undeny.ini
printf 'IFS=x\n' >.env
ws -e development -c undeny.ini --no-default-secrets-dirs -- env -0
is_rc 0 "deny = !IFS removes that one item"
is_var IFS x "the command gets it"
printf 'IFS=x\nLD_PRELOAD=/tmp/evil.so\n' >.env
ws -e development -c undeny.ini --no-default-secrets-dirs -- env -0
refused "and only that one"
printf '[withsecrets]\ndeny = !NOT_IN_THE_LIST\n' >typo.ini
ws check -e development -c typo.ini --no-default-secrets-dirs
is_rc 78 "a !ITEM that removes nothing is a policy error"
stderr_has "typo.ini:2: deny: an item written !ITEM (word 1) is not in the built-in list" \
    "said at its line"
stderr_has "denied-name: LD_PRELOAD (.env:2)" "and the sources are still checked"
rm .env

printf '[placeholders]\nvalues = open-sesame !changeit\npatterns = acme-*\n' >ph.ini
for v in open-sesame ACME-token-123 changeme; do
	ws "API_TOKEN=$v" -e production -c ph.ini --no-default-secrets-dirs -- env -0
	refused "placeholders extended: '$v' is one"
done
ws "API_TOKEN=changeit" -e production -c ph.ini --no-default-secrets-dirs -- env -0
is_rc 0 "!changeit removes that built-in value"

# ------------------------------------------------- glob [var] sections
printf 'SMTP_HOST=\nSMTP_USER=\nAPI_URL=\n' >.env.example
printf 'API_URL=https://api.example.org\n' >.env
printf '[var SMTP_*]\nrequired = no\n' >smtp.ini
ws -e production -c smtp.ini --no-default-secrets-dirs -- env -0
is_rc 0 "[var SMTP_*] required = no exempts the example file's SMTP names"
ws -e production --no-config --no-default-secrets-dirs -- env -0
refused "without it they are required"
printf '[var SMTP_*]\nrequired = always\n' >smtp2.ini
printf 'API_URL=https://api.example.org\nSMTP_HOST=mail\nSMTP_USER=\n' >.env
ws -e development -c smtp2.ini --no-default-secrets-dirs -- env -0
refused "[var SMTP_*] required = always: an empty SMTP_USER, even in development"
stderr_has "required: SMTP_USER (.env:3): is empty" "named at its line"
printf '[var SMTP_*]\nrequired = no\nmin-length = 12\nsecret = yes\n' >smtp3.ini
printf 'API_URL=https://api.example.org\nSMTP_HOST=mail.example.org\nSMTP_USER=app\n' >.env
ws -e production -c smtp3.ini --no-default-secrets-dirs -- env -0
refused "the other keys of a glob section apply too (min-length)"
stderr_has "min-length: SMTP_USER (.env:3)" "to the matching name"
rm .env .env.example
# gen: a glob section requires the names a source mentions (SPEC §11)
printf '[var SMTP_*]\nrequired = always\n' >smtp4.ini
printf 'SMTP_PASSWORD=\nSMTP_HOST=mail.example.org\n' >.env
ws gen -c smtp4.ini --no-default-secrets-dirs -s gensmtp
is_rc 0 "gen with [var SMTP_*] required = always"
[ -s gensmtp/smtp_password ]
ok $? "it writes the empty SMTP_PASSWORD a source mentions"
ws gen --no-config --no-default-secrets-dirs -s gensmtp2
[ ! -e gensmtp2/smtp_password ]
ok $? "without the section it is not required, and not written"
rm -rf .env gensmtp gensmtp2

# ------------------------------------ system paths are not secrets
mkdir -m 0700 creds
printf '%s\n' "$PW" >creds/db_password
printf '[withsecrets]\nplaintext-secrets = error\nsecrets-dirs =\n' >pt.ini
ws "CREDENTIALS_DIRECTORY=$T/creds" GOOGLE_APPLICATION_CREDENTIALS=/var/run/gcp/key.json \
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/credentials/x \
    AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.170.23/v1/credentials \
    AWS_SHARED_CREDENTIALS_FILE=/home/app/.aws/credentials \
    AWS_WEB_IDENTITY_TOKEN_FILE=/var/run/secrets/eks.amazonaws.com/serviceaccount/token \
    -e production -c pt.ini -- env -0
is_rc 0 "systemd's CREDENTIALS_DIRECTORY and the cloud paths with plaintext-secrets = error"
if grep -q 'plaintext-secret' "$T/err"; then ok 1 "no plaintext-secret finding"
else ok 0 "no plaintext-secret finding"; fi
is_var CREDENTIALS_DIRECTORY "$T/creds" "CREDENTIALS_DIRECTORY passes on"
is_var DB_PASSWORD "$PW" "and the credential is read"
no_leak "$PW" "the credential is not printed" stdout-is-env

# ---------------------------- placeholders: templates yes, random never
templates=(your_secret_key_here sk-your-openai-key-here your-google-client-secret
	'<DB_PASSWORD>' 'postgresql://user:pass@host:port/db' admin123
	change-me-in-production xxxxxxxx TODO dev-jwt-secret-change-for-production)
for v in "${templates[@]}"; do
	ws "API_TOKEN=$v" -e production --no-config --no-default-secrets-dirs -- env -0
	refused "the template '$v' is a placeholder"
	stderr_has "placeholder: API_TOKEN (environment)" "'$v': the placeholder rule"
done

# each random value in a secret file (not plaintext), production
flagged=0
check_random() {	# check_random VALUE
	printf '%s\n' "$1" >sd/api_token
	ws -e production --no-config --no-default-secrets-dirs -s sd -- /bin/true
	if [ "$RC" != 0 ]; then
		flagged=$((flagged + 1))
		sed 's/^/# /' "$T/err"
	fi
}
if command -v openssl >/dev/null; then
	for _ in $(seq 25); do
		check_random "$(openssl rand -hex 32)"
		check_random "$(openssl rand -base64 32)"
	done
	is "$flagged" 0 "openssl rand -hex 32 and -base64 32 are never placeholders (50 values)"
else
	skip_one "openssl rand values are never placeholders" "openssl is not installed"
fi
flagged=0
if [ -r /proc/sys/kernel/random/uuid ]; then
	for _ in $(seq 25); do
		check_random "$(cat /proc/sys/kernel/random/uuid)"
	done
	is "$flagged" 0 "a UUID is never a placeholder (25 values)"
else
	skip_one "a UUID is never a placeholder" "no /proc/sys/kernel/random/uuid"
fi
rm -f sd/api_token
mkdir -m 0700 gen
flagged=0
for _ in $(seq 10); do
	rm -f gen/*
	ws gen --no-config --no-default-secrets-dirs -s gen API_TOKEN DB_PASSWORD
	ws -e production --no-config --no-default-secrets-dirs -s gen -- /bin/true
	[ "$RC" = 0 ] || flagged=$((flagged + 1))
done
is "$flagged" 0 "what gen writes is never a placeholder (10 runs)"

done_testing
