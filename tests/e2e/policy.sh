#!/usr/bin/env bash
# The rules of SPEC §6 through the real binary, in both modes: a strict
# environment refuses to run the command (78), a lenient one warns and
# runs it; and the policy file with its errors at FILE:LINE.
. "$WS_SRCDIR/tests/e2e/lib.sh"
# strict mode refuses group-writable files: whatever umask runs the tests
umask 022

ran() {	# ran DESCRIPTION: the command ran (it printed its environment)
	if [ -s "$T/out" ]; then ok 0 "$1"; else ok 1 "$1"; fi
}
refused() {	# refused DESCRIPTION: exit 78 and the command did not run
	is_rc 78 "$1"
	if [ -s "$T/out" ]; then ok 1 "$1: the command did not run"; else
		ok 0 "$1: the command did not run"; fi
}
count_lines() {	# count_lines TEXT: lines of stderr holding TEXT
	grep -cF -- "$1" "$T/err"
}
hex() {	# hex BYTES: like openssl rand -hex BYTES
	od -An -vtx1 -N"$1" /dev/urandom | tr -d ' \n'
}

K64=$(hex 32)
K64B=$(hex 32)
PW=$(random_secret)

# ---------------------------------------------------------------- debug
for v in true TRUE True On on yes 1; do
	ws DEBUG=$v -e production --no-config -- env -0
	refused "DEBUG=$v in production"
done
stderr_has "withsecrets: error: debug: DEBUG (environment): " "one line per finding"
for n in FLASK_DEBUG DJANGO_DEBUG APP_DEBUG; do
	ws $n=True -e staging --no-config -- env -0
	refused "$n=True in staging (not lenient, so strict)"
done
ws DEBUG=true -e development --no-config -- env -0
is_rc 0 "DEBUG=true in development runs"
ran "the command ran"
is_var DEBUG true "with DEBUG as it was"
stderr_has "withsecrets: warning: debug: DEBUG (environment)" "a warning"
ws DEBUG=false -e production --no-config -- env -0
is_rc 0 "DEBUG=false in production"
ws DEBUG=true -e prodution --no-config -- env -0
refused "a misspelt production is strict"
ws DEBUG=true -e DEV --no-config -- env -0
is_rc 0 "lenient environments compare without case"
ws DEBUG=true ENVIRONMENT=production --no-config -- env -0
refused "ENVIRONMENT=production"
ws DEBUG=true -e development --strict --no-config -- env -0
refused "--strict"
ws DEBUG=true -e production --lenient --no-config -- env -0
is_rc 0 "--lenient"

# ------------------------------------------------------------ min-length
K31=${K64:0:31}
K32=${K64:0:32}
printf '%s\n' "$K31" >k31
printf '%s\n' "$K32" >k32
ws SECRET_KEY_FILE=k31 -e production --no-config -- env -0
refused "a 31-character SECRET_KEY in production"
stderr_has "min-length: SECRET_KEY (k31): 31 characters, needs at least 32" \
    "says how long it is and must be, and where it came from"
no_leak "$K31" "min-length"
ws SECRET_KEY_FILE=k32 -e production --no-config -- env -0
is_rc 0 "32 characters pass"
ws SECRET_KEY_FILE=k31 -e development --no-config -- env -0
is_rc 0 "31 characters in development: runs"
stderr_has "warning: min-length: SECRET_KEY" "with a warning"
for n in JWT_SECRET_KEY SESSION_SECRET; do
	ws "$n=$K31" -e production --no-config -- env -0
	refused "$n of 31 characters"
done
ws "DB_PASSWORD=${PW:0:19}" -e production --no-config -- env -0
refused "a 19-character DB_PASSWORD"
ws "PGPASSWORD=${PW:0:20}" -e production --no-config -- env -0
is_rc 0 "a 20-character PGPASSWORD"

# ----------------------------------------------------------- placeholder
ws API_TOKEN=CHANGEME -e production --no-config -- env -0
refused "API_TOKEN=CHANGEME"
stderr_has "placeholder: API_TOKEN (environment)" "placeholder"
no_leak CHANGEME "placeholder"
ws "STRIPE_KEY=your_stripe_key_here" -e production --no-config -- env -0
refused "a template placeholder"
no_leak your_stripe_key_here "template placeholder"
ws API_TOKEN=changeme -e development --no-config -- env -0
is_rc 0 "a placeholder in development runs"
stderr_has "warning: placeholder: API_TOKEN" "with a warning"

# ------------------------------------------------------------------ weak
W=$(printf 'ab%.0s' $(seq 1 20))
ws "SECRET_KEY=$W" -e production --no-config -- env -0
refused "a repeated pattern"
stderr_has "weak: SECRET_KEY" "weak"
no_leak "$W" "weak"
n=0
for _ in $(seq 1 40); do
	k=$(openssl rand -hex 32 2>/dev/null || hex 32)
	b=$(openssl rand -base64 32 2>/dev/null || head -c 32 /dev/urandom | base64)
	ws "SECRET_KEY=$k" "JWT_SECRET_KEY=$b" -e production --no-config -- true
	[ "$RC" -eq 0 ] || n=$((n + 1))
done
is "$n" 0 "openssl rand -hex 32 and -base64 32 keys are never weak"

# -------------------------------------------------------------- distinct
ws "JWT_SECRET_KEY=$K64" "SESSION_SECRET=$K64" -e production --no-config -- env -0
refused "SESSION_SECRET = JWT_SECRET_KEY"
stderr_has "distinct: " "distinct"
no_leak "$K64" "distinct"
ws "JWT_SECRET_KEY=$K64" "SESSION_SECRET=$K64B" -e production --no-config -- env -0
is_rc 0 "different keys pass"
ws "JWT_SECRET_KEY=$K64" "SESSION_SECRET=$K64" -e development --no-config -- env -0
is_rc 0 "equal keys in development run"

# ------------------------------------------------- the policy file rules
cat >ws.ini <<'EOF'
[var API_URL]
required = always
[var SENTRY_DSN]
required = strict
[var LOG_LEVEL]
forbid = debug trace
[var PORT]
pattern = ^[0-9]+$
EOF
ws API_URL=https://x SENTRY_DSN=https://y -e production -c ws.ini -- env -0
is_rc 0 "all set"
ws SENTRY_DSN=https://y -e development -c ws.ini -- env -0
refused "required = always: refused even in development"
stderr_has "error: required: API_URL: is not set; ws.ini:2 requires it" \
    "names the line that requires it"
ws API_URL=https://x -e development -c ws.ini -- env -0
is_rc 0 "required = strict in development: runs"
stderr_has "warning: required: SENTRY_DSN" "with a warning"
ws API_URL=https://x -e production -c ws.ini -- env -0
refused "required = strict in production"
ws API_URL=https://x SENTRY_DSN= -e production -c ws.ini -- env -0
refused "empty counts as unset"
ws API_URL=https://x SENTRY_DSN=https://y LOG_LEVEL=Debug -e production -c ws.ini -- env -0
refused "forbid, any case"
stderr_has "forbid: LOG_LEVEL (environment): has a value that ws.ini:6 forbids" "forbid"
ws API_URL=https://x SENTRY_DSN=https://y PORT=80x -e production -c ws.ini -- env -0
refused "pattern"
stderr_has "pattern: PORT (environment): does not match the pattern of ws.ini:8" "pattern"
ws API_URL=https://x LOG_LEVEL=trace PORT=x -e development -c ws.ini -- env -0
is_rc 0 "forbid and pattern warn in development"
is "$(count_lines 'warning: ')" 3 "three warnings"

# ------------------------------------------------------ plaintext-secret
ws "SECRET_KEY=$K64" -e production --no-config -- env -0
is_rc 0 "a secret in the environment: production runs"
stderr_has "warning: plaintext-secret: SECRET_KEY (environment)" "with a warning"
printf '%s\n' "$K64" >key
ws SECRET_KEY_FILE=key -e production --no-config -- env -0
if grep -q plaintext-secret "$T/err"; then ok 1 "SECRET_KEY_FILE is not plaintext"; else ok 0 "SECRET_KEY_FILE is not plaintext"; fi
is_var SECRET_KEY "$K64" "and the command got it"
printf '[withsecrets]\nplaintext-secrets = error\n' >pt.ini
ws "SECRET_KEY=$K64" -e production -c pt.ini -- env -0
refused "plaintext-secrets = error"
ws "SECRET_KEY=$K64" -e development -c pt.ini -- env -0
is_rc 0 "never in development"
no_leak "$K64" "plaintext-secret" stdout-is-env

# ----------------------------------------------- secret directories
mkdir -p sd
printf '%s\n' "$K64" >sd/api_token
printf '%s\n' "$PW" >sd/db_password
ws "API_TOKEN=$K64B" -e production --no-config --no-default-secrets-dirs -s sd -- env -0
refused "an inherited secret hiding a mounted one with another value: production refuses"
stderr_has "error: shadowed-secret: API_TOKEN (environment): hides the mounted secret sd/api_token" \
    "shadowed-secret names the variable and the mounted secret"
ws "API_TOKEN=$K64B" -e development --no-config --no-default-secrets-dirs -s sd -- env -0
is_rc 0 "lenient: it runs"
stderr_has "warning: shadowed-secret: API_TOKEN (environment)" "with a warning"
is_var API_TOKEN "$K64B" "the inherited value wins"
ws "API_TOKEN=$K64" -e production --no-config --no-default-secrets-dirs -s sd -- env -0
is_rc 0 "the same value: production runs"
if grep -q shadowed "$T/err"; then ok 1 "information only (not shown)"; else
	ok 0 "information only (not shown)"; fi
ws "API_TOKEN=$K64" -e production -v --no-config --no-default-secrets-dirs -s sd -- env -0
stderr_has "info: shadowed: API_TOKEN (sd/api_token)" "-v shows it"
ws -e production --no-config --no-default-secrets-dirs -s sd -- env -0
if grep -q plaintext-secret "$T/err"; then ok 1 "mounted secrets are not plaintext"; else
	ok 0 "mounted secrets are not plaintext"; fi
printf 'changeme\n' >sd/smtp_pass
ws -e production --no-config --no-default-secrets-dirs -s sd -- env -0
refused "a placeholder in a secret file (secret by source, not by name)"
stderr_has "placeholder: SMTP_PASS (sd/smtp_pass)" "at its file"
rm sd/smtp_pass
no_leak "$K64" "secret directories" stdout-is-env
no_leak "$PW" "secret directories (2)" stdout-is-env

# ---------------------------------------- rules that are errors everywhere
printf '%s\n' "$PW" >pw
for e in development production; do
	ws "DB_PASSWORD=$PW" DB_PASSWORD_FILE=pw -e $e --no-config -- env -0
	refused "both-set in $e"
	stderr_has "both-set: DB_PASSWORD" "both-set"
	ws LD_NOTHING_FILE=pw -e $e --no-config -- env -0
	refused "a deny name through NAME_FILE in $e"
	stderr_has "denied-name: LD_NOTHING" "denied-name"
done
no_leak "$PW" "both-set and denied-name"
printf 'x\n' >ww
chmod 666 ww
ws A_FILE=ww -e development --no-config -- env -0
is_rc 77 "a world-writable file: 77 in development"
stderr_has "file-mode" "file-mode"
chmod 664 ww
ws A_FILE=ww -e development --no-config -- env -0
is_rc 0 "a group-writable file in development: runs"
stderr_has "warning: file-mode" "with a warning"
ws A_FILE=ww -e production --no-config -- env -0
is_rc 77 "a group-writable file in production: 77"
ws A_FILE=ww DEBUG=1 -e production --no-config -- env -0
is_rc 77 "77 and 78: the status is 77"
stderr_has "error: debug" "and every finding is reported"

# ------------------------------------------------------ all at once
ws DEBUG=1 "SECRET_KEY=short" API_TOKEN=changeme DB_PASSWORD=x "JWT_SECRET_KEY=$K64" \
    "SESSION_SECRET=$K64" -e production --no-config -- env -0
refused "several violations"
is "$(grep -c '^withsecrets: error: ' "$T/err")" 5 "five errors, one line each"
one_line_stderr "every line is a withsecrets message"
no_leak "$K64" "several"
no_leak changeme "several (2)"

# ------------------------------------------------------- .env layers
mkdir -p app
cat >app/.env <<'EOF'
APP_NAME=demo
DEBUG=true
LOG_LEVEL=debug
EOF
printf 'SECRET_KEY=dev-secret-123\nDB_PASSWORD=changeme\n' >app/.env.production
ws -C app -e production --no-config -- env -0
refused "findings from .env layers"
stderr_has "error: debug: DEBUG (app/.env:2): " "at FILE:LINE of the layer"
stderr_has "error: min-length: SECRET_KEY (app/.env.production:1): 14 characters, needs at least 32" \
    "the message of the issue"
stderr_has "error: placeholder: DB_PASSWORD (app/.env.production:2)" "placeholder from a layer"
stderr_has "warning: plaintext-secret: SECRET_KEY (app/.env.production:1): a secret from a .env file" \
    "a secret in a .env file is plaintext"
no_leak dev-secret-123 ".env layers"
ws -C app -e development --no-config -- env -0
is_rc 0 "the same files in development: the command runs"
is_var DEBUG true "with what the files say"

# --------------------------------------- the README's example, verbatim
mkdir -p readme
sed -n '/^\$ cat .env.production$/,/^\$ withsecrets -e production/p' "$WS_SRCDIR/README.md" |
    sed '1d;$d' | head -n 5 >readme/.env.production
sed -n '/^\$ withsecrets -e production -- python -m app.main$/,/^\$ echo/p' "$WS_SRCDIR/README.md" |
    sed '1d;$d' >readme/want
(cd readme && exec "${BASE_ENV[@]}" "$WS" -e production --no-default-secrets-dirs -- true) \
    >"$T/out" 2>"$T/err" </dev/null
RC=$?
is_rc 78 "the README's example: 78"
if diff -u readme/want "$T/err" >readme/diff; then ok 0 "and the messages the README shows"; else
	ok 1 "and the messages the README shows"; sed 's/^/#   /' readme/diff; fi

# ------------------------------------------------------- the example file
mkdir -p ex
cat >ex/.env.example <<'EOF'
# the settings of the application
SECRET_KEY=replace-me
API_URL=
STRIPE_KEY=sk_test_4eC39HqLyjWDarjtT1zdp7dc
CERT_BUNDLE_FILE=
OPTIONAL_FEATURE=
EOF
printf 'pem\n' >ex/bundle.pem
printf '[var OPTIONAL_FEATURE]\nrequired = no\n' >ex/withsecrets.ini
ws "SECRET_KEY=$K64" API_URL=https://api "STRIPE_KEY=$K32" CERT_BUNDLE_FILE=ex/bundle.pem \
    -C ex -e production -- env -0
is_rc 0 "every key of .env.example set: production runs"
is_var CERT_BUNDLE_FILE ex/bundle.pem "a NAME_FILE of the example file passes through"
unset_var CERT_BUNDLE "and is not resolved"
if grep -q 'CERT_BUNDLE_FILE' "$T/err"; then ok 1 "a passed-through NAME_FILE is a path, not a secret"; else
	ok 0 "a passed-through NAME_FILE is a path, not a secret"; fi
for k in SECRET_KEY API_URL STRIPE_KEY CERT_BUNDLE_FILE; do
	ws "SECRET_KEY=$K64" API_URL=https://api "STRIPE_KEY=$K32" CERT_BUNDLE_FILE=ex/bundle.pem \
	    -u $k -C ex -e production -- env -0
	refused "$k of .env.example unset in production"
	stderr_has "error: required: $k: is not set; ex/.env.example lists it" "says which and why"
done
if grep -q OPTIONAL_FEATURE "$T/err"; then ok 1 "required = no in its own section"; else
	ok 0 "required = no in its own section"; fi
ws "SECRET_KEY=$K64" API_URL= "STRIPE_KEY=$K32" CERT_BUNDLE_FILE=ex/bundle.pem -C ex -e production -- env -0
refused "empty counts as unset"
ws API_URL=https://api -C ex -e development -- env -0
is_rc 0 "development: the example's keys are not required"
stderr_has "warning: required: SECRET_KEY" "but missing ones are warned about"
ws "SECRET_KEY=$K64" API_URL=https://api STRIPE_KEY=sk_test_4eC39HqLyjWDarjtT1zdp7dc \
    CERT_BUNDLE_FILE=ex/bundle.pem -C ex -e production -- env -0
refused "a secret left at its value in .env.example"
stderr_has "placeholder: STRIPE_KEY (environment): still has its value from ex/.env.example" \
    "placeholder"
no_leak sk_test_4eC39HqLyjWDarjtT1zdp7dc "the example value"
printf '[withsecrets]\nexample = missing.example\n' >ex/named.ini
ws -C ex -c ex/named.ini -- env -0
is_rc 66 "an example file named by the user must exist"
printf '[withsecrets]\nexample =\n' >ex/none.ini
ws -C ex -c ex/none.ini -e production -- env -0
is_rc 0 "example = (empty): no example file"
printf 'BROKEN LINE\n' >ex2.example
printf '[withsecrets]\nexample = ../ex2.example\n' >ex/broken.ini
ws -C ex -c ex/broken.ini -- env -0
is_rc 65 "a syntax error in the example file: 65"

# ------------------------------------------------------- the policy file
cat >withsecrets.ini <<'EOF'
; a user's policy
[withsecrets]
lenient-environments = development
    laptop       ; continued
[var SECRET_KEY]
min-length = 40
[defaults]
LOG_LEVEL = INFO
EOF
ws "SECRET_KEY=$K32" -e laptop -- env -0
is_rc 0 "DIR/withsecrets.ini is read: laptop is lenient"
stderr_has "32 characters, needs at least 40" "and its min-length applies"
is_var LOG_LEVEL INFO "[defaults] reach the command"
ws LOG_LEVEL=WARN -e laptop -- env -0
is_var LOG_LEVEL WARN "the environment beats [defaults]"
ws DEBUG=1 -e test -- env -0
refused "test is no longer lenient: the user's list replaced the built-in one"
mkdir -p sub
cp withsecrets.ini sub/
rm withsecrets.ini
ws DEBUG=1 -e laptop -C sub -- env -0
is_rc 0 "-C DIR: DIR/withsecrets.ini"
ws DEBUG=1 WITHSECRETS_CONFIG=sub/withsecrets.ini -e laptop -- env -0
is_rc 0 "\$WITHSECRETS_CONFIG"
unset_var WITHSECRETS_CONFIG "and it is not passed on"
ws DEBUG=1 WITHSECRETS_CONFIG=sub/withsecrets.ini -e laptop --no-config -- env -0
refused "--no-config: the built-in policy"
ws WITHSECRETS_CONFIG=nonexistent.ini -- env -0
is_rc 66 "a missing \$WITHSECRETS_CONFIG: 66"
ws -c nonexistent.ini -- env -0
is_rc 66 "a missing -c file: 66"
ws -c sub -- env -0
is_rc 66 "a directory: 66"
chmod 666 sub/withsecrets.ini
ws -c sub/withsecrets.ini -- env -0
is_rc 77 "a world-writable policy file: 77"
chmod 644 sub/withsecrets.ini

cat >bad.ini <<'EOF'
[withsecrets]
max-secret-size = -1
keep = PATH
keep = HOME
[withsecrtes]
x = 1
[var SECRET_KEY]
min_length = 32
EOF
ws -c bad.ini -- env -0
refused "a policy with errors"
stderr_has "error: config: bad.ini:2: max-secret-size" "an invalid value at its line"
stderr_has "error: config: bad.ini:4: keep is given twice" "a duplicate key"
stderr_has "error: config: bad.ini:5: unknown section" "an unknown section at its header"
stderr_has "error: config: bad.ini:8: unknown key min_length" "an unknown key"
is "$(grep -c 'error: config' "$T/err")" 4 "every error, not only the first"
{ printf '[withsecrets]\ndeny = '; printf 'X%.0s' $(seq 1 280); printf ' keep = Y\n'; } >long.ini
ws -c long.ini -- env -0
refused "a 300-character line"
stderr_has "long.ini:2: line longer than" "is refused, not split"

# every [withsecrets] key reaches the stage that uses it
printf '0123456789abcdefghij\n' >twenty
printf 'pem\n' >cert.pem
cat >set.ini <<'EOF'
[withsecrets]
environment-vars     = STAGE
lenient-environments = sandbox
keep                 = PATH MY_*
deny                 = FOO*
ignore-file-vars     = BUNDLE_*_FILE
secrets-dirs         = sd
[var CERT_FILE]
EOF
ws STAGE=production DEBUG=1 -c set.ini --no-layers -- env -0
refused "environment-vars: STAGE names the environment"
ws STAGE=sandbox DEBUG=1 -c set.ini -- env -0
is_rc 0 "lenient-environments: sandbox is lenient"
ws STAGE=sandbox MY_A=1 OTHER=2 -c set.ini --clean -- env -0
is_var MY_A 1 "keep: MY_* kept with --clean"
unset_var OTHER "keep: the rest dropped"
ws STAGE=sandbox FOO_X_FILE=k32 -c set.ini -- env -0
refused "deny: FOO* through NAME_FILE"
ws STAGE=sandbox BUNDLE_CA_FILE=cert.pem CERT_FILE=cert.pem -c set.ini -- env -0
is_var BUNDLE_CA_FILE cert.pem "ignore-file-vars: passed through as a path"
is_var CERT_FILE cert.pem "a [var NAME_FILE] section: passed through"
printf '[withsecrets]\nmax-secret-size = 10\n' >max.ini
ws X_FILE=twenty -c max.ini -- env -0
is_rc 65 "max-secret-size: 20 bytes over 10"
ws STAGE=sandbox -c set.ini -- env -0
is_var API_TOKEN "$K64" "secrets-dirs: read from the policy's directory"
printf '[withsecrets]\nfile-vars = declared\n[var A]\n' >decl.ini
ws A_FILE=k32 B_FILE=k32 -c decl.ini -e development -- env -0
is_var A "$K32" "file-vars = declared: a declared name is resolved"
is_var B_FILE k32 "and an undeclared one is not"

# the example policy of contrib/ is a valid policy (a copy: the mode of
# the source tree's file is the checkout's business)
cp "$WS_SRCDIR/contrib/withsecrets.ini.example" contrib.ini
chmod 644 contrib.ini
printf 'postgres://app:%s@db/app\n' "$PW" >dburl
ws DATABASE_URL_FILE=dburl ALLOWED_HOSTS=example.org check -e production \
    -c contrib.ini
is_rc 0 "contrib/withsecrets.ini.example parses and passes a good configuration"
ws DATABASE_URL=postgres://x ALLOWED_HOSTS=example.org check -e production \
    -c contrib.ini
is_rc 78 "its plaintext-secrets = error"
ws check -e development -c contrib.ini
is_rc 78 "and requires DATABASE_URL everywhere"
if grep -q 'error: config' "$T/err"; then ok 1 "without a config error"; else ok 0 "without a config error"; fi

# ----------------------------------------------------------- defaults
run "$WS" defaults
is_rc 0 "defaults"
cp "$T/out" defaults.ini
ws DEBUG=1 -c defaults.ini -e production -- env -0
refused "the printed built-in policy is a valid policy file, the same rules"
ws -c defaults.ini -e development -- env -0
is_rc 0 "and parses cleanly"
is "$(cat "$T/err")" "" "without a message"

done_testing
