#!/usr/bin/env bash
# The README's examples, run: each fenced block after a line
# "<!-- test: NAME -->" in README.md is read from the README itself and
# exercised here, so the README cannot drift from the program.  The peers
# of the "before" forms run when they are installed.
. "$WS_SRCDIR/tests/e2e/lib.sh"

README=$WS_SRCDIR/README.md
hex32() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# block NAME: the fenced block that follows <!-- test: NAME -->.
block() {
	awk -v name="$1" '
	$0 == "<!-- test: " name " -->" { found = 1; next }
	found == 1 && /^```/ { found = 2; next }
	found == 2 && /^```/ { exit }
	found == 2 { print }' "$README"
}
# Every marked block is one this test knows.
known="deploy-compose file-env-before file-env-after dotenv-run dotenvx-run
env-xargs pydantic-before pydantic-after pydantic-ini envdir gen-new-project
gen-script-before gen-script-after monorepo vault-layers-production
vault-layers-development"
unknown=
for m in $(sed -n 's/^<!-- test: \([^ ]*\) -->$/\1/p' "$README"); do
	case $m in
	trouble-*) ;;	# the troubleshooting sessions, below
	*) case " $(echo $known) " in *" $m "*) ;; *) unknown="$unknown $m" ;; esac ;;
	esac
	[ -n "$(block "$m")" ] || unknown="$unknown $m(empty)"
done
is "$unknown" "" "every example marked in README.md is exercised here"
missing=
for m in $known; do
	[ -n "$(block "$m")" ] || missing="$missing $m"
done
is "$missing" "" "every example exercised here is in README.md"

# In the README's sections about deployment, migration, peers and
# troubleshooting, every code block is marked for a test.
unmarked=$(awk '
	/^## (Deploying|Migrating|Compared with|Troubleshooting)/ { on = 1; next }
	/^## / { on = 0 }
	on && /^```/ { if (!inblock && prev !~ /^<!-- test: /) n++; inblock = !inblock }
	{ if ($0 != "") prev = $0 }
	END { print n + 0 }' "$README")
is "$unmarked" 0 "no unmarked code block in those sections"

# wsx ARGS...: withsecrets with no policy file or secret directory of this
# machine (the examples' own directories are given with -s).
WSX=("$WS" --no-config --no-default-secrets-dirs)

# ------------------------------------------------- deploying: Compose
if command -v openssl >/dev/null 2>&1 && python3 -c 'import yaml' 2>/dev/null; then
	mkdir -p repo/contrib/docker
	cp "$WS_SRCDIR/contrib/docker/compose.yaml" repo/contrib/docker/
	# docker: stands in for the Compose CLI; checks every secret file
	# that compose.yaml names exists and is not empty.
	cat >docker <<'EOF'
#!/bin/sh
[ "$1" = compose ] && [ "$2" = -f ] || exit 2
exec python3 - "$3" <<'PY'
import os, sys, yaml
f = sys.argv[1]
doc = yaml.safe_load(open(f))
for name, s in doc["secrets"].items():
    p = os.path.join(os.path.dirname(f), s["file"])
    if not os.path.isfile(p) or os.path.getsize(p) < 32:
        sys.exit("missing secret file " + p)
    # mounted with this mode: production refuses group-writable files,
    # and the image's user is not the file's owner
    mode = os.stat(p).st_mode & 0o777
    if mode & 0o022 or not mode & 0o004:
        sys.exit("secret file %s has mode %04o" % (p, mode))
print("compose: secrets ready")
PY
EOF
	chmod +x docker
	# as a user of Debian or Ubuntu runs it: umask 002
	(umask 002 && cd repo && PATH=$T:$PATH sh -e -c "$(block deploy-compose)") >"$T/out" 2>"$T/err"
	RC=$?
	is_rc 0 "the Compose steps make every secret file compose.yaml needs"
	is "$(find repo/contrib/docker/secrets -type f | wc -l)" \
	    "$(grep -c 'file: ./secrets/' repo/contrib/docker/compose.yaml)" \
	    "one file per secret"
else
	ok 0 "# SKIP openssl or PyYAML (python3-yaml) is not installed"
fi

# --------------------------------------------------- file_env entry point
block file-env-before >entry.sh
mkdir -p run/secrets
DBPW=$(hex32) KEY=$(hex32) TOKEN=$(hex32)
printf '%s\n' "$DBPW" >run/secrets/db_password
printf '%s\n' "$TOKEN" >run/secrets/api_token
# (the exec form's JSON array of plain words, read without python3,
# which the Dockerfile's build stage does not install)
mapfile -t entry < <(block file-env-after | sed -n 's/^ENTRYPOINT //p' |
    sed -e 's/^\[//' -e 's/\][[:space:]]*$//' | tr ',' '\n' |
    sed -e 's/^[[:space:]]*"//' -e 's/"[[:space:]]*$//')
envline=$(block file-env-after | sed -n 's/^ENV //p')
after_argv=()
for w in "${entry[@]}"; do
	case $w in
	tini) ;;	# tini only reaps and forwards signals
	withsecrets) after_argv+=("${WSX[@]}" -s "$T/run/secrets") ;;
	--) [ ${#after_argv[@]} -eq 0 ] || after_argv+=(--) ;;
	*) after_argv+=("$w") ;;
	esac
done
is "${after_argv[*]:(-1)}" -- "the after form's ENTRYPOINT ends with --"
envs=("$envline" "DB_PASSWORD_FILE=$T/run/secrets/db_password" "SECRET_KEY=$KEY")

run "${BASE_ENV[@]}" "${envs[@]}" sh entry.sh env -0
is_rc 0 "before: the file_env entry point runs"
cp "$T/out" before.env
run "${BASE_ENV[@]}" "${envs[@]}" "${after_argv[@]}" env -0
is_rc 0 "after: withsecrets runs the command in production"
no_leak "$DBPW" "after: no value printed" stdout-is-env
cp "$T/out" after.env
# Compare the two environments name by name.
cmp_var() {	# cmp_var NAME: the same value before and after
	local b a
	cp before.env "$T/out"; b=$(childvar "$1"; printf x)
	cp after.env "$T/out"; a=$(childvar "$1"; printf x)
	is "$a" "$b" "after gives $1 as the entry point did"
}
cmp_var DB_PASSWORD
cmp_var SECRET_KEY
cp before.env "$T/out"; unset_var DB_PASSWORD_FILE "before: the pointer is removed"
cp after.env "$T/out"; unset_var DB_PASSWORD_FILE "after: the pointer is removed"
cp before.env "$T/out"; unset_var API_TOKEN "before: a secret not in the list is missed"
cp after.env "$T/out"; is_var API_TOKEN "$TOKEN" "after: every file in /run/secrets arrives"

run "${BASE_ENV[@]}" DB_PASSWORD=x "${envs[@]}" sh entry.sh env -0
msg="both DB_PASSWORD and DB_PASSWORD_FILE are set (but are exclusive)"
stderr_has "$msg" "before: both set is refused"
run "${BASE_ENV[@]}" DB_PASSWORD=x "${envs[@]}" "${after_argv[@]}" env -0
is_rc 78 "after: both set is refused"
stderr_has "$msg" "with the same words"

# ------------------------------------------------------------ dotenv run
mkdir -p proj && cd proj || exit 99
cat >.env <<'EOF'
# the project's settings
A=from-file
B="two words"
C='single $quoted'
export D=exported
E=${A}-x
EOF
mapfile -t lines < <(block dotenv-run | sed 's/[[:space:]]*#.*//')
is "${lines[0]}" "dotenv run -- python -m app.main" "dotenv-run: the before line"
is "${lines[1]}" "withsecrets -o -- python -m app.main" "dotenv-run: the after line"
is "${lines[2]}" "withsecrets -- python -m app.main" "dotenv-run: the recommended line"
# as_run LINE: LINE with the program replaced by env -0 and withsecrets by
# the binary under test, run with A=inherited in the environment.
as_run() {
	local -a w
	read -r -a w <<<"${1/python -m app.main/env -0}"
	case ${w[0]} in
	withsecrets) w=("${WSX[@]}" "${w[@]:1}") ;;
	esac
	run env -i PATH="$PATH" HOME="$T" A=inherited "${w[@]}"
}
as_run "${lines[1]}"
is_rc 0 "withsecrets -o runs"
cp "$T/out" "$T/ws-o.env"
is_var A from-file "-o: .env overrides the environment, as dotenv run does"
is_var B "two words" "B"
is_var C 'single $quoted' "C"
is_var D exported "D"
is_var E from-file-x "E"
as_run "${lines[2]}"
is_var A inherited "without -o the environment wins"
if command -v dotenv >/dev/null 2>&1 &&
    dotenv --help 2>/dev/null | grep -qE '^ +run +Run command'; then
	as_run "${lines[0]}"
	is_rc 0 "dotenv run runs"
	same=0
	for n in A B C D E; do
		b=$(childvar $n; printf x)
		cp "$T/out" "$T/dotenv.env"; cp "$T/ws-o.env" "$T/out"
		a=$(childvar $n; printf x)
		cp "$T/dotenv.env" "$T/out"
		[ "$a" = "$b" ] || { same=1; echo "# $n differs"; }
	done
	ok $same "dotenv run and withsecrets -o give the same A..E"
else
	ok 0 "# SKIP python-dotenv's CLI is not installed"
fi
cd "$T" || exit 99

# ----------------------------------------------------------- dotenvx run
mkdir -p nodeproj && cd nodeproj || exit 99
printf 'PORT=8080\nLOG_LEVEL=info\n' >.env.production
printf '#!/bin/sh\nexec env -0\n' >index.js	# stands in for node index.js
mapfile -t lines < <(block dotenvx-run | sed 's/[[:space:]]*#.*//')
is "${lines[1]}" "withsecrets -f .env.production -- node index.js" "dotenvx-run: the after line"
read -r -a w <<<"${lines[1]/node index.js/sh index.js}"
run env -i PATH="$PATH" HOME="$T" LOG_LEVEL=debug "${WSX[@]}" "${w[@]:1}"
is_rc 0 "withsecrets -f .env.production runs"
is_var PORT 8080 "the file's PORT"
is_var LOG_LEVEL debug "a variable already set is left alone, as dotenvx does"
if command -v dotenvx >/dev/null 2>&1; then
	read -r -a w <<<"${lines[0]/node index.js/sh index.js}"
	run env -i PATH="$PATH" HOME="$T" LOG_LEVEL=debug "${w[@]}"
	is_var LOG_LEVEL debug "dotenvx leaves it alone too"
else
	ok 0 "# SKIP dotenvx is not installed"
fi
cd "$T" || exit 99

# ------------------------------------------------ env $(cat .env | xargs)
mkdir -p xargs && cd xargs || exit 99
printf 'APP_NAME=demo\nGREETING="hello world"\n' >.env
printf '#!/bin/sh\nexec env -0\n' >server
chmod +x server
mapfile -t lines < <(block env-xargs | sed 's/[[:space:]]*#.*//')
is "${lines[0]}" 'env $(cat .env | xargs) ./server' "env-xargs: the before line"
run env -i PATH="$PATH" sh -c "${lines[0]}"
[ "$RC" -ne 0 ] && grep -q world "$T/err"
ok $? "before: GREETING=\"hello world\" runs a program named world"
is "${lines[1]}" "withsecrets -- ./server" "env-xargs: the after line"
run env -i PATH="$PATH" "${WSX[@]}" -- ./server
is_rc 0 "after: it runs"
is_var GREETING "hello world" "after: the quoted value, whole"
cd "$T" || exit 99

# -------------------------------------------------------------- pydantic
mkdir -p py && cd py || exit 99
block pydantic-before >settings_before.py
block pydantic-after >settings_after.py
block pydantic-ini >withsecrets.ini
GOODKEY=$(hex32)
GOODURL="postgres://app:$(hex32)@db/app"
# verdicts: name | environment | withsecrets | pydantic before
cases=(
	"development, DEBUG on|ENVIRONMENT=development DEBUG=true SECRET_KEY=dev DATABASE_URL=$GOODURL|0|0"
	"production, all good|ENVIRONMENT=production DEBUG=false SECRET_KEY=$GOODKEY DATABASE_URL=$GOODURL|0|0"
	"production, DEBUG on|ENVIRONMENT=production DEBUG=true SECRET_KEY=$GOODKEY DATABASE_URL=$GOODURL|78|1"
	"production, short key|ENVIRONMENT=production SECRET_KEY=${GOODKEY:0:12} DATABASE_URL=$GOODURL|78|1"
	"production, changeme|ENVIRONMENT=production SECRET_KEY=changeme DATABASE_URL=$GOODURL|78|1"
	"staging, DEBUG on|ENVIRONMENT=staging DEBUG=true SECRET_KEY=$GOODKEY DATABASE_URL=$GOODURL|78|0"
	"prodution (misspelt), short key|ENVIRONMENT=prodution SECRET_KEY=short DATABASE_URL=$GOODURL|78|0"
	"production, not a PostgreSQL URL|ENVIRONMENT=production SECRET_KEY=$GOODKEY DATABASE_URL=mysql://db/app|78|0"
	"development, no SECRET_KEY|ENVIRONMENT=development DATABASE_URL=$GOODURL|78|1"
)
py=$(python3 -c 'import pydantic, pydantic_settings, sys
assert int(pydantic.VERSION.split(".")[0]) >= 2
print(sys.executable)' 2>/dev/null)
for c in "${cases[@]}"; do
	IFS='|' read -r what vars want_ws want_py <<<"$c"
	read -r -a v <<<"$vars"
	ws "${v[@]}" check -c withsecrets.ini --no-default-secrets-dirs
	is_rc "$want_ws" "withsecrets check: $what"
	if [ -n "$py" ]; then
		run "${BASE_ENV[@]}" "${v[@]}" "$py" settings_before.py
		if [ "$want_py" = 0 ]; then is_rc 0 "pydantic before: $what"; else
			[ "$RC" -ne 0 ]; ok $? "pydantic before: $what (refused)"; fi
	fi
done
if [ -n "$py" ]; then
	ws ENVIRONMENT=production SECRET_KEY="$GOODKEY" DATABASE_URL="$GOODURL" \
	    -c withsecrets.ini --no-default-secrets-dirs -- "$py" settings_after.py
	is_rc 0 "after: the settings without rules load behind withsecrets"
else
	ok 0 "# SKIP pydantic 2 and pydantic-settings are not installed"
fi
cd "$T" || exit 99

# ------------------------------------------------------------------ envdir
mkdir -p ed && cd ed || exit 99
mkdir -p secrets
script=$(block envdir)
want=$(sed -n '/^[^$]/p' <<<"$script")
got=
while IFS= read -r line; do
	cmd=${line#\$ }
	[ "$cmd" != "$line" ] || continue
	case $cmd in
	envdir*) command -v envdir >/dev/null 2>&1 || { skip_envdir=1; continue; } ;;
	withsecrets*) cmd="${WSX[*]} ${cmd#withsecrets }" ;;
	esac
	got+=$(env -i PATH="$PATH" sh -c "$cmd"; printf x)
	got=${got%x}
done <<<"$script"
got=$(printf '%s' "$got")
if [ -n "${skip_envdir:-}" ]; then
	is "$got" "$(printf '[line one  \nline two]')" \
	    "withsecrets takes the whole file (envdir is not installed: daemontools)"
else
	is "$got" "$want" "envdir and withsecrets print what the README shows"
fi
cd "$T" || exit 99

# ------------------------------------------------------- troubleshooting
# Each trouble-NAME block is a terminal session: "$ " lines are run in a
# directory that setup_NAME prepared, and everything else is the output
# they must print (stdout and stderr together).  "withsecrets" is the
# binary under test, told to ignore this machine's secret directories and,
# where the session has no withsecrets.ini, its policy file.
printf '#!/bin/sh\nexit 0\n' >"$T/app"
chmod +x "$T/app"
newdir() { rm -rf "$T/tr"; mkdir "$T/tr"; cp "$T/app" "$T/tr/app"; }
setup_trouble_usage() { :; }
setup_trouble_syntax() {
	printf 'APP_NAME=demo\nDB HOST=db\nGREETING="hello\n' >.env
}
setup_trouble_both_set() { :; }
setup_trouble_missing_file() {
	[ ! -e /run/secrets/db_password ] || return 1
}
setup_trouble_file_mode() {
	mkdir secrets
	hex32 >secrets/api_token
	chmod 0664 secrets/api_token
}
setup_trouble_rules() {
	printf 'SECRET_KEY=changeme\nDEBUG=true\n' >.env
}
setup_trouble_required() {
	printf '[var DATABASE_URL]\nrequired = always\n' >withsecrets.ini
}
setup_trouble_config() {
	printf '[withsecrets]\nsecret-dirs = /etc/app/secrets\n' >withsecrets.ini
}
setup_trouble_secret_dirs() {
	mkdir secrets links outside
	hex32 >secrets/db-password
	hex32 >secrets/db.password
	hex32 >outside/token
	ln -s ../outside/token links/api_token
}
setup_trouble_not_found() { :; }
setup_trouble_unset_variable() {
	# shellcheck disable=SC2016
	printf 'DATABASE_URL=postgres://app:${DB_PASSWORD}@db/app\n' >.env
	mkdir secrets
	hex32 >secrets/db_password
}
setup_trouble_shadowed_secret() {
	mkdir secrets
	hex32 >secrets/postgres_password
}
setup_trouble_encrypted_value() {
	printf '%s\n' 'API_TOKEN="encrypted:BDb7t/Z0mX9wIH2RgXMixZKT6z4W9Mcd1PEs3+YW2u0J7qLv5yX1y3kB"' >.env
}
setup_trouble_unnamed_environment() {
	printf 'APP_NAME=demo\n' >.env
	printf 'ENVIRONMENT=production\nDEBUG=false\n' >.env.production
}
setup_trouble_explain() {
	printf 'DATABASE_URL=postgres://app:${DB_PASSWORD}@db/app\nLOG_LEVEL=info\n' >.env
	printf 'LOG_LEVEL=debug\n' >.env.local
	mkdir secrets
	printf '%s' 0123456789abcdef0123456789 >secrets/db_password
}

# session NAME: run the block's commands; print what they print.
session() {
	local line cmd rc=0 w envs verb iso
	while IFS= read -r line; do
		cmd=${line#\$ }
		[ "$cmd" != "$line" ] || continue
		read -r -a w <<<"$cmd"
		envs=()
		while [[ ${w[0]} == [A-Z]*=* ]]; do envs+=("${w[0]}"); w=("${w[@]:1}"); done
		if [ "${w[0]}" = withsecrets ]; then
			iso=(--no-default-secrets-dirs)
			[ -e withsecrets.ini ] || iso+=(--no-config)
			case ${w[1]} in
			check|explain) verb=("${w[1]}"); w=("${w[@]:2}") ;;
			*) verb=(); w=("${w[@]:1}") ;;
			esac
			# A session that shows a usage error shows it as typed.
			[[ ${w[0]} == -* || ${#verb[@]} -gt 0 ]] || iso=()
			env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$T" LC_ALL=C \
			    "${envs[@]}" "$WS" "${verb[@]}" "${iso[@]}" "${w[@]}" 2>&1
			rc=$?
		elif [ "$cmd" = 'echo $?' ]; then
			echo "$rc"
		else
			env -i PATH=/usr/local/bin:/usr/bin:/bin LC_ALL=C sh -c "$cmd" 2>&1
			rc=$?
		fi
	done
}
trouble_names=$(sed -n 's/^<!-- test: \(trouble-[a-z0-9-]*\) -->$/\1/p' "$README")
[ -n "$trouble_names" ]
ok $? "the Troubleshooting section has sessions"
for name in $trouble_names; do
	fn=setup_${name//-/_}
	if ! declare -F "$fn" >/dev/null; then
		ok 1 "$name: no setup in this test"
		continue
	fi
	newdir
	cd "$T/tr" || exit 99
	if ! "$fn"; then
		ok 0 "# SKIP $name: this machine has what the session lacks"
		cd "$T" || exit 99
		continue
	fi
	block "$name" >"$T/session"
	got=$(session <"$T/session")
	want=$(grep -v '^\$ ' "$T/session")
	is "$got" "$want" "troubleshooting: $name prints what the README shows"
	cd "$T" || exit 99
done

# --------------------------------------------------------- monorepo
# A terminal session, as the troubleshooting ones, run in a service of
# a repository whose root holds the shared layer and the secrets.
rm -rf "$T/mono"
mkdir -p "$T/mono/secrets" "$T/mono/services/api"
printf 'POSTGRES_HOST=db\nPOSTGRES_USER=app\nLOG_LEVEL=info\n' >"$T/mono/.env"
printf 'DATABASE_URL=postgres://${POSTGRES_USER}:${POSTGRES_PASSWORD}@${POSTGRES_HOST}/api\nLOG_LEVEL=debug\n' \
    >"$T/mono/services/api/.env"
printf '%s' 0123456789abcdef0123456789 >"$T/mono/secrets/postgres_password"
cp "$T/app" "$T/mono/services/api/app"
cd "$T/mono/services/api" || exit 99
block monorepo >"$T/session"
got=$(session <"$T/session")
want=$(grep -v '^\$ ' "$T/session")
is "$got" "$want" "monorepo: two -C directories print what the README shows"
printf '#!/bin/sh\nenv -0 >"%s/mono.env"\n' "$T" >app	# the same app, telling
session <"$T/session" >/dev/null
tr '\0' '\n' <"$T/mono.env" | grep -qx 'DATABASE_URL=postgres://app:0123456789abcdef0123456789@db/api'
ok $? "monorepo: the service gets the URL built from the root's names and secret"
tr '\0' '\n' <"$T/mono.env" | grep -qx 'LOG_LEVEL=debug'
ok $? "monorepo: and its own LOG_LEVEL"
cd "$T" || exit 99

# -------------------------------------------------------------- gen
# The blocks run as written, with "withsecrets" on PATH.
cd "$T" || exit 99
mkdir -p genbin
printf '#!/bin/sh\nexec "%s" "$@"\n' "$WS" >genbin/withsecrets
chmod +x genbin/withsecrets
GENPATH=$T/genbin:$PATH
gen_example() {	# the example file of a new project
	printf '%s\n' SECRET_KEY=your_secret_key_here DB_PASSWORD=changeme \
	    OPENAI_API_KEY=sk-your-openai-key-here >.env.example
}
mkdir -p newproj && cd newproj || exit 99
gen_example
printf '#!/bin/sh\nenv -0\n' >server && chmod +x server
run env -i PATH="$GENPATH" HOME="$T" sh -e -c "$(block gen-new-project)"
is_rc 0 "gen-new-project: the three commands"
tr '\0' '\n' <"$T/out" | grep -qx 'SECRET_KEY=[0-9a-f]\{64\}'; ok $? "gen-new-project: the server gets a generated SECRET_KEY"
tr '\0' '\n' <"$T/out" | grep -qx 'DB_PASSWORD=[A-Za-z0-9]\{32\}'; ok $? "gen-new-project: and a generated DB_PASSWORD"
run env -i PATH="$GENPATH" withsecrets gen -s secrets --dry-run
grep -qx 'to be set by hand: OPENAI_API_KEY' "$T/out"; ok $? "gen-new-project: the API key is left to be set by hand"
printf 'sk-%s' "$(hex32)" >secrets/openai_api_key
run env -i PATH="$GENPATH" withsecrets check -e production -s secrets
is_rc 0 "gen-new-project: with the API key set, production passes"
cd "$T" || exit 99

mkdir -p genbefore genafter
block gen-script-before >genbefore/generate-secrets.sh
# The script the README replaces calls openssl (not in a minimal root).
have_openssl=
command -v openssl >/dev/null 2>&1 && have_openssl=1
if [ -n "$have_openssl" ]; then
	(cd genbefore && gen_example && env -i PATH="$PATH" sh generate-secrets.sh)
	[ -s genbefore/secrets/secret_key ] && [ -s genbefore/secrets/db_password ]
	ok $? "gen-script-before: the script makes its two files"
else
	skip_one "gen-script-before: the script makes its two files" "openssl is not installed"
fi
cd genafter || exit 99
gen_example
run env -i PATH="$GENPATH" sh -e -c "$(block gen-script-after)"
is_rc 0 "gen-script-after: withsecrets gen -s secrets"
[ -s secrets/secret_key ] && [ -s secrets/db_password ]
ok $? "gen-script-after: the same two files"
is "$(stat -c %a secrets/secret_key)" 600 "gen-script-after: 0600"
if [ -n "$have_openssl" ]; then
	cp ../genbefore/secrets/* secrets/
	sum=$(cat secrets/secret_key secrets/db_password | md5sum)
	run env -i PATH="$GENPATH" sh -e -c "$(block gen-script-after)"
	is "$(cat secrets/secret_key secrets/db_password | md5sum)" "$sum" \
	    "gen-script-after: the values a script wrote stay"
else
	skip_one "gen-script-after: the values a script wrote stay" "openssl is not installed"
fi
cd "$T" || exit 99

# ------------------------------------------------- Vault in production, .env in development
# The README's layers, against the Vault stand-in (not Vault:
# tests/helpers/STANDINS.md): production fetches, development does not.
if command -v python3 >/dev/null 2>&1; then
	mkdir -p vaultlayers
	cd vaultlayers || exit 99
	block vault-layers-production >.env.production
	block vault-layers-development >.env.development
	VKEY=$(hex32)
	VURL="postgres://app:$(hex32)@db/app"
	printf '{"mounts": {"secret": {"version": 2, "secrets": {"app/production": {"secret_key": "%s", "database_url": "%s"}}}}}\n' \
	    "$VKEY" "$VURL" >vault.json
	python3 "$WS_SRCDIR/tests/helpers/vault_standin.py" --listen "unix:$T/vaultlayers/agent.sock" \
	    --ready ready --data vault.json --log requests.log --lifetime 120 >standin.out 2>&1 &
	VPID=$!
	for _ in $(seq 100); do [ -s ready ] && break; sleep 0.1; done
	run env -i PATH="$PATH" VAULT_AGENT_ADDR="unix:$T/vaultlayers/agent.sock" "${WSX[@]}" -e production -- env -0
	is_rc 0 "vault-layers: production starts"
	is_var SECRET_KEY "$VKEY" "vault-layers: production gets Vault's secret_key"
	is_var DATABASE_URL "$VURL" "vault-layers: and its database_url"
	is "$(wc -l <requests.log | tr -d ' ')" 1 "vault-layers: one request for the two keys"
	run env -i PATH="$PATH" VAULT_AGENT_ADDR="unix:$T/vaultlayers/agent.sock" "${WSX[@]}" -e development -- env -0
	is_var SECRET_KEY dev-only-not-a-secret "vault-layers: development gets its own value"
	is "$(wc -l <requests.log | tr -d ' ')" 1 "vault-layers: development asks Vault nothing"
	kill "$VPID" 2>/dev/null
	wait "$VPID" 2>/dev/null
	cd "$T" || exit 99
else
	skip_one "vault-layers: the README's layers against the stand-in" "python3 is not installed"
fi

done_testing
