#!/usr/bin/env bash
# `withsecrets gen` (SPEC §11) through the real binary: which names, the
# two outputs (-s DIR, -f FILE), what a value is, --dry-run, --force,
# --mode, the policy's generate key, and every bad input with its code.
# What gen writes must pass `check -e production`; no value is ever on
# stdout or stderr, and a failed write leaves no temporary file.
. "$WS_SRCDIR/tests/e2e/lib.sh"
umask 022

gen() {	# gen ARGS...: withsecrets gen without /run/secrets and the .env
	# layers (the files the tests write stay out of the later ones)
	ws gen --no-default-secrets-dirs --no-layers "$@"
}
mode_of() { stat -c %a "$1"; }
out_has() {	# out_has TEXT DESCRIPTION
	if grep -qxF -- "$1" "$T/out"; then ok 0 "$2"; else
		ok 1 "$2"; echo "#   wanted on stdout: $1"; sed 's/^/#   stdout: /' "$T/out"; fi
}
no_tmp() {	# no_tmp DIR DESCRIPTION: no temporary file left in DIR
	if find "$1" -maxdepth 1 -name '.withsecrets-gen.*' 2>/dev/null | grep -q .; then
		ok 1 "$2"; else ok 0 "$2"; fi
}
# no_value_out FILE... : no line of these files (values) on stdout/stderr
no_value_out() {
	local f v bad=0
	for f in "$@"; do
		while IFS= read -r v || [ -n "$v" ]; do
			v=${v#*=}
			[ ${#v} -ge 8 ] || continue
			if grep -qF -- "$v" "$T/out" "$T/err"; then bad=1; fi
		done <"$f"
	done
	ok $bad "no generated value on stdout or stderr"
}

cat >.env.example <<'EOF'
# the app's settings
SECRET_KEY=your_secret_key_here
DB_PASSWORD=changeme
OPENAI_API_KEY=sk-your-openai-key-here
LOG_LEVEL=info
JWT_SECRET_KEY=
EOF

# ---------------------------------------------------------------- -s DIR
gen -s secrets
is_rc 0 "gen -s secrets from .env.example"
out_has "wrote secrets/secret_key (hex:32)" "SECRET_KEY: hex:32"
out_has "wrote secrets/db_password (alnum:32)" "DB_PASSWORD: alnum:32"
out_has "wrote secrets/jwt_secret_key (hex:32)" "JWT_SECRET_KEY: hex:32"
out_has "to be set by hand: OPENAI_API_KEY" "an API key is set by hand"
is "$(mode_of secrets)" 700 "the directory is created 0700"
is "$(mode_of secrets/secret_key)" 600 "the files are 0600"
is "$(wc -c <secrets/secret_key)" 64 "hex:32 is 64 characters, no newline"
is "$(wc -c <secrets/db_password)" 32 "alnum:32 is 32 characters"
if grep -qxE '[0-9a-f]{64}' secrets/secret_key; then ok 0 "hex digits"; else ok 1 "hex digits"; fi
if grep -qxE '[A-Za-z0-9]{32}' secrets/db_password; then ok 0 "alnum characters"; else ok 1 "alnum characters"; fi
[ ! -e secrets/openai_api_key ]; ok $? "no file for a name set by hand"
[ "$(cat secrets/secret_key)" != "$(cat secrets/jwt_secret_key)" ]; ok $? "each value its own"
no_value_out secrets/*
no_tmp secrets "no temporary file left"
one_line_stderr "stderr holds messages only"

printf '%s' "sk-$(random_secret)" >secrets/openai_api_key
ws LOG_LEVEL=info check -e production --no-default-secrets-dirs -s secrets
is_rc 0 "what gen wrote passes check -e production"

sum1=$(cat secrets/* | md5sum)
gen -s secrets
is_rc 0 "gen again"
out_has "kept SECRET_KEY (already set in secrets/secret_key)" "a real value is kept"
is "$(cat secrets/* | md5sum)" "$sum1" "gen never touches a real value"

# a placeholder in the directory is replaced; --mode
printf 'changeme' >secrets/db_password
others=$(cat secrets/secret_key secrets/jwt_secret_key secrets/openai_api_key | md5sum)
gen -s secrets --mode=0400
is_rc 0 "a placeholder file"
out_has "wrote secrets/db_password (alnum:32)" "the placeholder is replaced"
is "$(mode_of secrets/db_password)" 400 "--mode=0400"
is "$(cat secrets/secret_key secrets/jwt_secret_key secrets/openai_api_key | md5sum)" \
    "$others" "the others stay"

# --dry-run
gen -s dry --dry-run
is_rc 0 "--dry-run"
out_has "would write dry/secret_key (hex:32)" "would write lines"
[ ! -e dry ]; ok $? "--dry-run creates nothing"

# ---------------------------------------------------------------- NAMEs, --force
gen -s named API_TOKEN ADMIN_PASSWORD
is_rc 0 "NAMEs given"
out_has "wrote named/api_token (hex:32)" "a NAME without generate: hex:32"
out_has "wrote named/admin_password (alnum:32)" "*PASSWORD: alnum:32"
old=$(cat named/api_token)
gen -s named API_TOKEN
out_has "kept API_TOKEN (already set in named/api_token)" "a NAME with a value is kept"
gen -s named --force API_TOKEN
is_rc 0 "--force NAME"
[ "$(cat named/api_token)" != "$old" ]; ok $? "--force replaces it"
gen -s named --force
is_rc 64 "--force without NAMEs"

# ---------------------------------------------------------------- -f FILE
cp .env.example .env
printf 'export  DB_PASSWORD = "changeme"  # the real one\nDEBUG=0\n' >>.env
chmod 640 .env
cp .env before
gen -f .env
is_rc 0 "gen -f .env"
out_has "wrote SECRET_KEY in .env (hex:32)" "SECRET_KEY written in .env"
is "$(mode_of .env)" 640 "the file's mode is kept"
# every other byte kept: the changed lines are the values of these names
diff <(grep -vE '^(SECRET_KEY|JWT_SECRET_KEY|export  DB_PASSWORD)' before) \
    <(grep -vE '^(SECRET_KEY|JWT_SECRET_KEY|export  DB_PASSWORD)' .env) >/dev/null
ok $? "the other lines are byte for byte the same"
if grep -qxE 'export  DB_PASSWORD = "[A-Za-z0-9]{32}"  # the real one' .env; then
	ok 0 "the winning line's value replaced inside its quotes, the comment kept"; else
	ok 1 "the winning line's value replaced inside its quotes, the comment kept"; fi
grep -qx 'DB_PASSWORD=changeme' .env; ok $? "an earlier, hidden line is left alone"
if grep -qxE 'SECRET_KEY=[0-9a-f]{64}' .env; then ok 0 "SECRET_KEY=hex"; else ok 1 "SECRET_KEY=hex"; fi
no_value_out .env
no_tmp . "no temporary file left"
ws LOG_LEVEL=info OPENAI_API_KEY_FILE="$T/secrets/openai_api_key" \
    check -e production --no-default-secrets-dirs --no-layers -f .env
is_rc 0 "what gen wrote in .env passes check -e production"

gen -f new.env SESSION_SECRET
is_rc 0 "a new .env file"
is "$(mode_of new.env)" 600 "created 0600"
if grep -qxE 'SESSION_SECRET=[0-9a-f]{64}' new.env; then ok 0 "one line appended"; else ok 1 "one line appended"; fi
printf 'A=1' >noeol.env
gen -f noeol.env SESSION_SECRET
if [ "$(head -n1 noeol.env)" = "A=1" ] && grep -qE '^SESSION_SECRET=' noeol.env; then
	ok 0 "a line is appended after a last line without a newline"; else
	ok 1 "a line is appended after a last line without a newline"; fi

# ---------------------------------------------------------------- the policy
cat >gen.ini <<'EOF'
[var SECRET_KEY]
generate = base64url:24
[var JWT_SECRET_KEY]
generate = no
[var OPENAI_API_KEY]
generate = alnum:40
[var DB_PASSWORD]
min-length = 50
EOF
gen -c gen.ini -s pol
is_rc 0 "a policy's generate"
out_has "wrote pol/secret_key (base64url:24)" "base64url:24"
if grep -qxE '[A-Za-z0-9_-]{32}' pol/secret_key; then ok 0 "32 base64url characters, unpadded"; else ok 1 "32 base64url characters, unpadded"; fi
out_has "to be set by hand: JWT_SECRET_KEY (its [var] section says generate = no)" "generate = no"
out_has "wrote pol/openai_api_key (alnum:40)" "a [var] generate for an API key"
out_has "wrote pol/db_password (alnum:50)" "a default grows to min-length"
is "$(wc -c <pol/db_password)" 50 "50 characters"

printf '[var SECRET_KEY]\ngenerate = hex:8\n' >short.ini
gen -c short.ini -s short
is_rc 78 "a written generate below min-length"
stderr_has "withsecrets: error: generate: SECRET_KEY (short.ini:2): generate = hex:8 makes 16 characters, fewer than its min-length of 32; raise N" "says so at its line"
[ ! -e short ]; ok $? "found before anything is written"

printf '[var SECRET_KEY]\ngenerate = hex:0\n' >zero.ini
gen -c zero.ini -s zero
is_rc 78 "generate = hex:0"
stderr_has "zero.ini:2: generate takes hex:N, base64url:N or alnum:N with N from 1 to 4096, or no" "a clear error at its line"
printf '[var SECRET_KEY]\ngenerate = sha:32\n' >bad.ini
gen -c bad.ini -s zero
is_rc 78 "generate = sha:32"

printf '[var SECRET_KEY]\npattern = ^sk_[a-z]+$\n' >pat.ini
gen -c pat.ini -s pat
is_rc 78 "a pattern that refuses what gen makes"
stderr_has "its pattern or forbid refuses every value hex:32 made" "says why"
[ ! -e pat ]; ok $? "nothing written"
printf '[var SECRET_KEY]\npattern = ^[0-9a-f]{64}$\n' >pat2.ini
gen -c pat2.ini -s pat2 SECRET_KEY
is_rc 0 "a pattern that accepts hex"

# ---------------------------------------------------------------- bad input
gen
is_rc 64 "no output"
stderr_has "gen needs somewhere to write: -s DIR" "says where to write"
gen -s x 1BAD
is_rc 64 "a NAME that is not a variable name"
stderr_has "gen: '1BAD' is not a valid variable name" "names it"
gen -s x 'A-B'
is_rc 64 "A-B"
gen -s x $'BAD\nNAME\e[31m'
is_rc 64 "a NAME with control characters"
is "$(wc -l <"$T/err")" 1 "one line, its control characters escaped"

# CRLF lines: the line ending is kept
printf 'SECRET_KEY=changeme\r\nA=1\r\n' >crlf.env
gen -f crlf.env SECRET_KEY
is_rc 0 "a .env with CRLF lines"
if grep -qaxE $'SECRET_KEY=[0-9a-f]{64}\r' crlf.env && grep -qax $'A=1\r' crlf.env; then
	ok 0 "the CR stays after the new value"; else ok 1 "the CR stays after the new value"; fi
gen -s x --mode=644
is_rc 64 "--mode with group bits"
gen -s x --mode=08
is_rc 64 "--mode not octal"
stderr_has "--mode takes an octal mode" "says what it takes"
mkdir empty && printf 'LOG_LEVEL=info\n' >empty/.env.example
gen -C empty -s x
is_rc 64 "an example file that lists no secret"
stderr_has "lists no secret" "says so"
mkdir none
gen -C none -s x
is_rc 66 "no example file and no NAMEs"
ws --force -- true
is_rc 64 "--force outside gen"

printf 'x' >afile
gen -s afile/sub SECRET_KEY
is_rc 73 "an output directory that cannot be created"
stderr_has "withsecrets: error: gen: afile/sub: cannot open the directory: Not a directory" "says why"

cp before ro.env && chmod 0444 ro.env
cp ro.env ro.before
gen -f ro.env
is_rc 73 "a read-only .env"
stderr_has "is read-only" "says so"
cmp -s ro.env ro.before; ok $? "the read-only file is unchanged"

# a file that cannot be replaced: the ones before it stay, none half-written
mkdir -p part && mkdir part/secret_key
gen -s part SESSION_SECRET SECRET_KEY
is_rc 73 "a target that is a directory"
[ -s part/session_secret ]; ok $? "the file completed before stays"
no_tmp part "nothing half-written left"
ln -s session_secret part/jwt_secret_key
gen -s part --force JWT_SECRET_KEY
is_rc 73 "a target that is a symbolic link"

# an unwritable directory (as another user when root)
mkdir locked && chmod 0555 locked
if [ "$(id -u)" = 0 ]; then
	if [ -n "${WS_VALGRIND:-}" ]; then
		ok 0 "# SKIP another user cannot run valgrind's wrapper (it is root's)"
	elif command -v setpriv >/dev/null; then
		chmod 0755 "$T"
		run setpriv --reuid=65534 --regid=65534 --clear-groups env -i PATH=/usr/bin:/bin \
		    "$WS" gen --no-default-secrets-dirs --no-layers -s locked SECRET_KEY
		is_rc 73 "an unwritable output directory"
		stderr_has "cannot create a temporary file beside it: Permission denied" "says why"
		no_tmp locked "nothing left in it"
	else
		ok 0 "# SKIP setpriv is not installed (root writes anywhere)"
	fi
else
	gen -s locked SECRET_KEY
	is_rc 73 "an unwritable output directory"
	no_tmp locked "nothing left in it"
fi

# a higher source hides what gen writes
ws SECRET_KEY=changeme gen --no-default-secrets-dirs --no-layers -s hid SECRET_KEY
is_rc 0 "an inherited placeholder"
stderr_has "withsecrets: warning: gen: SECRET_KEY (environment): hides what gen writes to hid" "a warning names the source that hides it"

# gen with a strict environment: the names the policy requires there
printf '[var SIGNING_SECRET]\nrequired = strict\ngenerate = hex:40\n' >req.ini
gen -c req.ini -C none -e production -s req
is_rc 0 "required = strict, in production"
out_has "wrote req/signing_secret (hex:40)" "a required name is generated"

done_testing
