#!/usr/bin/env bash
# Secret stores through a local agent (SPEC §13), against the stand-ins
# of tests/helpers (they are not Vault and not the AWS agent:
# tests/helpers/STANDINS.md).  References in every source, KV 1 and 2,
# versions, namespaces, the Unix socket; one request per distinct path,
# none for a shadowed reference or for explain; every local check before
# the first request; each answer's exit code (75 77 66 65 78) and the
# retries; imports; the Secrets Manager Agent's references and token.
. "$WS_SRCDIR/tests/e2e/lib.sh"

. "$WS_SRCDIR/tests/e2e/standins.sh"
# the stand-ins outlive the test (valgrind makes it slower), and are
# killed when it ends
LIFETIME=120
[ -n "${WS_VALGRIND:-}" ] && LIFETIME=900
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"

# start NAME SCRIPT ARGS...: a stand-in that logs its requests, waited
# for (standins.sh); its address in ADDR.
start() {
	local name=$1 script=$2
	shift 2
	standin "$name" "$script" --log "$T/$name.log" --lifetime "$LIFETIME" \
	    "$@" && return
	sed 's/^/#   /' "$T/$name.out"
	echo "Bail out! $name did not start"
	exit 99
}

# count LOG PATH: the requests the stand-in logged for PATH (exactly).
count() {
	python3 -c 'import json, sys
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    if json.loads(line)["path"] == sys.argv[2]:
        n += 1
print(n)' "$T/$1.log" "$2"
}
total() { wc -l <"$T/$1.log" | tr -d ' '; }

# every request carried the header NAME: VALUE
all_have() {
	python3 -c 'import json, sys
ok = all(json.loads(l)["headers"].get(sys.argv[2]) == sys.argv[3]
         for l in open(sys.argv[1], encoding="utf-8"))
sys.exit(0 if ok else 1)' "$T/$1.log" "$2" "$3"
}

PW=$(random_secret)
API=$(random_secret)
cat >vault.json <<EOF
{
  "mounts": {
    "secret": {"version": 2, "secrets": {
      "app/production": [
        {"data": {"DB_PASSWORD": "old-$PW"}},
        {"data": {"DB_PASSWORD": "$PW", "API_KEY": "$API", "port": "5432",
                  "bad key": "x"}}
      ],
      "app/deleted": [{"data": {"K": "v1"}}, {"data": {"K": "v2"}, "deleted": true}],
      "app/import": {"SMTP_PASSWORD": "imported-$PW", "db-user": "app"},
      "app/spaces": {"K": "  two spaces and a newline\n"},
      "f/once503": {"K": "after-a-503"},
      "f/chunked": {"K": "chunked-value"},
      "f/malformed": {"K": "x"}, "f/nonstring": {"K": "x"}, "f/nul": {"K": "x"},
      "f/oversized": {"K": "x"}, "f/slow": {"K": "x"}, "f/close": {"K": "x"},
      "f/redirect": {"K": "x"}, "f/once-close": {"K": "after-a-close"}
    }},
    "kv": {"version": 1, "secrets": {"legacy/app": {"TOKEN": "v1-$API"}}}
  },
  "deny": ["secret/data/forbidden"],
  "namespaces": {
    "team-a": {"mounts": {"secret": {"version": 2, "secrets": {
      "app/production": {"DB_PASSWORD": "team-a-$PW"}}}}}
  }
}
EOF
FAULTS=()
for s in 400 403 404 412 429 500 502 503 204; do
	FAULTS+=(--fault "/v1/secret/data/s$s=$s")
done
for k in chunked malformed nonstring nul oversized slow close redirect; do
	FAULTS+=(--fault "/v1/secret/data/f/$k=$k")
done
start vault vault_standin.py --listen tcp:127.0.0.1:0 --data vault.json \
    --require-request-header --slow-seconds 4 --oversized-bytes 400000 \
    "${FAULTS[@]}" --fault "/v1/secret/data/f/once503=503:1" \
    --fault "/v1/secret/data/f/once-close=close:2"
V=$ADDR
start vunix vault_standin.py --listen "unix:$T/agent.sock" --data vault.json
VU=$ADDR

# ------------------------------------------------------------ vault
printf 'DB_PASSWORD=vault:secret/data/app/production#DB_PASSWORD\nAPI_KEY=vault:secret/data/app/production#API_KEY\nDATABASE_URL=postgres://app:${DB_PASSWORD}@db/app\nOLD=vault:secret/data/app/production#DB_PASSWORD#1\nLEGACY=vault:kv/legacy/app#TOKEN\nCOMPOSE=vault:8200\n' >app.env
ws VAULT_AGENT_ADDR="$V" -f app.env -e development -- env -0
is_rc 0 "VAULT_AGENT_ADDR alone declares the store: the command runs"
is_var DB_PASSWORD "$PW" "KV 2: data.data's key, byte for byte"
is_var API_KEY "$API" "a second key of the same path"
is_var DATABASE_URL "postgres://app:$PW@db/app" "interpolation sees the fetched value"
is_var OLD "old-$PW" "vault:PATH#KEY#1 reads version 1"
is_var LEGACY "v1-$API" "KV 1: data's key"
is_var COMPOSE "vault:8200" "vault:8200 (no #) is a plain value"
is "$(count vault /v1/secret/data/app/production)" 1 "one request for two keys and an interpolation of one path"
is "$(count vault '/v1/secret/data/app/production?version=1')" 1 "a version is a request of its own"
is "$(total vault)" 3 "three distinct paths, three requests"
all_have vault X-Vault-Request true
ok $? "X-Vault-Request: true on every request"
no_leak "$PW" "the fetched value is printed nowhere but in the environment" stdout-is-env

ws VAULT_AGENT_ADDR="$VU" -f app.env -e development -- env -0
is_rc 0 "the agent on a Unix socket (unix:PATH)"
is_var DB_PASSWORD "$PW" "its value"
ws VAULT_AGENT_ADDR="unix://$T/agent.sock" -f app.env -e development -- env -0
is_rc 0 "unix://PATH, as Vault's own clients write it"

printf '[store vault]\ntype = vault\nvia = %s\nnamespace = team-a\n' "$V" >ns.ini
printf 'DB_PASSWORD=vault:secret/data/app/production#DB_PASSWORD\n' >ns.env
: >"$T/vault.log"
ws -c ns.ini -f ns.env -e development -- env -0
is_var DB_PASSWORD "team-a-$PW" "namespace = team-a: X-Vault-Namespace"
ws VAULT_NAMESPACE=team-a VAULT_AGENT_ADDR="$V" -f ns.env -e development -- env -0
is_var DB_PASSWORD "team-a-$PW" "VAULT_NAMESPACE is the default namespace"
is_var VAULT_NAMESPACE team-a "VAULT_NAMESPACE passes on to the command"

printf '[defaults]\nDB_PASSWORD = vault:secret/data/app/production#DB_PASSWORD\n' >def.ini
ws VAULT_AGENT_ADDR="$V" -c def.ini -e development -- env -0
is_var DB_PASSWORD "$PW" "a reference in [defaults]"
ws DB_PASSWORD=vault:secret/data/app/production#DB_PASSWORD VAULT_AGENT_ADDR="$V" -e development -- env -0
is_var DB_PASSWORD "$PW" "a reference in the inherited environment"
printf 'vault:secret/data/app/production#DB_PASSWORD' >ref-in-file
ws VAULT_AGENT_ADDR="$V" TOKEN_FILE=ref-in-file -e development -- env -0
is_var TOKEN "vault:secret/data/app/production#DB_PASSWORD" "a file's content is never a reference (one level deep)"
printf 'K=vault:secret/data/app/spaces#K\n' >sp.env
ws VAULT_AGENT_ADDR="$V" -f sp.env -e development -- env -0
is_var K "  two spaces and a newline
" "nothing is trimmed"

# ------------------------------------------------------------ cost
: >"$T/vault.log"
ws DB_PASSWORD=operator-value-1234567890 VAULT_AGENT_ADDR="$V" -f ns.env -e development -- env -0
is_var DB_PASSWORD operator-value-1234567890 "the inherited environment hides a .env reference"
is "$(total vault)" 0 "a shadowed reference is never fetched"
ws VAULT_AGENT_ADDR="$V" -u DB_PASSWORD -f ns.env -e development -- env -0
is "$(total vault)" 0 "an --unset name is not fetched"
ws DB_PASSWORD=vault:secret/data/app/production#DB_PASSWORD VAULT_AGENT_ADDR="$V" -i -e development -- env -0
is "$(total vault)" 0 "an inherited reference that --clean drops is not fetched"
printf 'PLAIN=1\n' >plain.env
ws VAULT_AGENT_ADDR="$V" -f plain.env -e development -- env -0
is "$(total vault)" 0 "no reference: no request"
if command -v strace >/dev/null 2>&1 && [ -z "${WS_VALGRIND:-}" ]; then
	run "${BASE_ENV[@]}" VAULT_AGENT_ADDR="$V" strace -f -e trace=socket,connect -o "$T/strace" "$WS" -f plain.env -e development -- true
	if grep -q 'socket(' "$T/strace"; then ok 1 "no reference: no socket"; else ok 0 "no reference: no socket"; fi
else
	skip_one "no reference: no socket" "strace is not installed"
fi
ws VAULT_AGENT_ADDR="$V" -f app.env -e development explain --format=json
is_rc 0 "explain"
is "$(total vault)" 0 "explain never fetches"
python3 -c 'import json, sys
rows = {r["name"]: r for r in json.load(open(sys.argv[1]))}
r = rows["DB_PASSWORD"]
assert r["kind"] == "store" and r["length"] is None and r["secret"], r
assert r["source"] == "vault:secret/data/app/production#DB_PASSWORD", r' "$T/out"
ok $? "explain: kind store, the reference as source, no length"
ws VAULT_AGENT_ADDR="$V" -f app.env -e development check --offline --format=json
is_rc 0 "check --offline"
is "$(total vault)" 0 "check --offline makes no request"
grep -q '"rule":"not-fetched"' "$T/out"
ok $? "check --offline: not-fetched"
ws VAULT_AGENT_ADDR="$V" -f app.env -e development --offline -- true
is_rc 64 "--offline with the exec form is a usage error"
ws VAULT_AGENT_ADDR="$V" -f app.env -e development check
is_rc 0 "check fetches"
is "$(total vault)" 3 "check: one request per distinct path"

# every local check first
: >"$T/vault.log"
printf 'DB_PASSWORD=vault:secret/data/app/production#DB_PASSWORD\nBROKEN="unterminated\n' >broken.env
ws VAULT_AGENT_ADDR="$V" -f broken.env -e development -- true
is_rc 65 "a syntax error beside a reference"
is "$(total vault)" 0 "a refused configuration makes no request"
printf 'DB_PASSWORD=vault:secret/data/app/production#DB_PASSWORD\nDEBUG=true\n' >debug.env
ws VAULT_AGENT_ADDR="$V" -f debug.env -e production -- true
is_rc 78 "a rule refuses production"
is "$(total vault)" 0 "no request for a run the rules refuse"

# ------------------------------------------------------------ references
printf 'A=vault:#K\n' >bad1.env
printf 'A=vault:secret/data/x#\n' >bad2.env
printf 'A=vault:secret/data/x#K#0\n' >bad3.env
printf 'A=vault:kv/x#K#2\n' >bad4.env
printf 'A=aws-sm:\n' >bad5.env
printf 'A=arn:aws:secretsmanager:us-east-1:123:secret:\n' >bad6.env
for i in 1 2 3 4 5 6; do
	ws VAULT_AGENT_ADDR="$V" -f "bad$i.env" -e development -- true
	is_rc 78 "a bad reference ($(cat "bad$i.env" | tr -d '\n')) in a lenient environment"
	stderr_has "bad-reference" "it is named"
done
is "$(total vault)" 0 "no request for a bad reference"
ws -f app.env -e development -- env -0
is_rc 0 "no store: lenient runs"
stderr_has "unresolved-reference" "with the unresolved-reference warning"
is_var DB_PASSWORD "vault:secret/data/app/production#DB_PASSWORD" "and the command gets the text"
ws -f app.env -e production -- true
is_rc 78 "no store: strict refuses (unresolved-reference)"
ws DB_PASSWORD=x-operator-value-12345678901 -f ns.env -e production -- true
if grep -q unresolved-reference "$T/err"; then ok 1 "a hidden reference is not unresolved"; else ok 0 "a hidden reference is not unresolved"; fi

# ------------------------------------------------------------ via
for via in https://127.0.0.1:8200 http://10.0.0.1:8200 http://vault.example:8200 tcp://127.0.0.1:1; do
	printf '[store vault]\ntype = vault\nvia = %s\n' "$via" >via.ini
	ws -c via.ini -f ns.env -e development -- true
	is_rc 78 "via = $via is refused"
done
ws VAULT_AGENT_ADDR=http://10.1.2.3:8200 -f ns.env -e development -- true
is_rc 78 "VAULT_AGENT_ADDR not on loopback is refused"
printf '[store vault]\ntype = consul\n' >type.ini
ws -c type.ini -f ns.env -e development -- true
is_rc 78 "an unknown store type"
printf '[store vault]\ntype = vault\n' >novia.ini
ws -c novia.ini -f ns.env -e development -- true
is_rc 78 "a vault store with no via and no VAULT_AGENT_ADDR"
printf '[store vault]\ntype = vault\nvia = %s\ncolour = blue\n' "$V" >key.ini
ws -c key.ini -f ns.env -e development -- true
is_rc 78 "an unknown key in [store]"

# ------------------------------------------------------------ answers
# fails PATH WANT DESCRIPTION [ATTEMPTS]: a reference to PATH#K exits WANT
fails() {
	printf 'X=vault:secret/data/%s#K\n' "$1" >f.env
	printf '[store vault]\ntype = vault\nvia = %s\ntimeout = %s\n' "$V" "${5:-5}" >f.ini
	: >"$T/vault.log"
	ws -c f.ini -f f.env -e development -- env -0
	is_rc "$2" "$3"
	if [ -n "${4:-}" ]; then
		is "$(count vault "/v1/secret/data/$1")" "$4" "$3: $4 attempt(s)"
	fi
	one_line_stderr "$3: one line per finding"
}
fails s503 75 "503 (sealed)" 3
fails s502 75 "502" 3
fails s500 75 "500" 3
fails s429 75 "429" 3
fails s412 75 "412" 3
fails s403 77 "403 (permission denied)" 1
fails forbidden 77 "a denied path" 1
fails s404 66 "404" 1
fails s204 66 "204" 1
fails missing/path 66 "a path the store does not have" 1
fails s400 78 "400 (the path is wrong for the store)" 1
fails f/redirect 65 "a redirect is not followed" 1
fails f/malformed 65 "a malformed answer" 1
fails f/nonstring 65 "a value that is not a string" 1
fails f/nul 65 "a value with \\u0000" 1
fails f/oversized 65 "an answer over 4 x max-secret-size + 64 KiB" 1
fails f/close 75 "the connection closed unanswered" 3
fails f/slow 75 "no answer within the timeout" "" 1
fails app/deleted 66 "a deleted version" 1
printf 'X=vault:secret/data/app/production#NOPE\n' >f.env
ws VAULT_AGENT_ADDR="$V" -f f.env -e development -- true
is_rc 66 "a key the secret does not have"
printf 'X=vault:secret/data/app/production#port\n' >f.env
ws VAULT_AGENT_ADDR="$V" -f f.env -e development -- env -0
is_rc 0 "a string key"
printf 'X=vault:secret/data/f/chunked#K\n' >f.env
ws VAULT_AGENT_ADDR="$V" -f f.env -e development -- env -0
is_var X chunked-value "a chunked answer"
: >"$T/vault.log"
printf 'X=vault:secret/data/f/once503#K\n' >f.env
ws VAULT_AGENT_ADDR="$V" -f f.env -e development -- env -0
is_var X after-a-503 "a 503 then an answer: retried"
is "$(count vault /v1/secret/data/f/once503)" 2 "two attempts"
printf 'X=vault:secret/data/f/once-close#K\n' >f.env
ws VAULT_AGENT_ADDR="$V" -f f.env -e development -- env -0
is_var X after-a-close "two closed connections then an answer: retried"
printf 'X=vault:secret/data/app/production#DB_PASSWORD\n' >f.env
printf '[withsecrets]\nmax-secret-size = 10\n[store vault]\ntype = vault\nvia = %s\n' "$V" >max.ini
ws -c max.ini -f f.env -e development -- true
is_rc 65 "a value over max-secret-size"
no_leak "$PW" "max-secret-size: no value on stderr"

printf 'A=vault:secret/data/s503#K\nB=vault:secret/data/s403#K\n' >mix.env
printf '[store vault]\ntype = vault\nvia = %s\ntimeout = 2\n' "$V" >mix.ini
ws -c mix.ini -f mix.env -e development -- true
is_rc 77 "a permanent failure beside a transient one exits with the permanent one's code"
stderr_has "s503" "both are reported"

# nothing listens
python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' >port
ws VAULT_AGENT_ADDR="http://127.0.0.1:$(cat port)" -f ns.env -e development -- true
is_rc 75 "a refused connection"
ws VAULT_AGENT_ADDR="unix:$T/no-such.sock" -f ns.env -e development -- true
is_rc 75 "a missing socket"
stderr_has "a restart may succeed" "75 says that a restart may succeed"

# ------------------------------------------------------------ import
mkdir -p sd
printf 'from-dir' >sd/smtp_password
printf 'from-dir' >sd/other
printf '[store vault]\ntype = vault\nvia = %s\nimport = secret/data/app/import\n' "$V" >imp.ini
: >"$T/vault.log"
ws -c imp.ini -s sd --no-default-secrets-dirs -e development -- env -0
is_rc 0 "import"
is_var SMTP_PASSWORD "imported-$PW" "an imported key beats a --secrets-dir file of its name"
is_var DB_USER app "keys map to names as secret-directory entries do (db-user)"
is_var OTHER from-dir "the directory's other entries stay"
is "$(total vault)" 1 "one request for the import"
ws SMTP_PASSWORD=op-value-1234567890 -c imp.ini -e development -- env -0
is_var SMTP_PASSWORD op-value-1234567890 "the inherited environment beats an import"
ws -c imp.ini -e development explain
grep -q '^\* .*vault:secret/data/app/import' "$T/out"
ok $? "explain shows an import as one line, name *"
: >"$T/vault.log"
ws -c imp.ini -e development check --offline --format=json
grep -q '"rule":"not-fetched","severity":"info","name":"\*","source":"vault:secret/data/app/import"' "$T/out"
ok $? "check --offline: the import is not-fetched"
is "$(total vault)" 0 "and not fetched"
printf 'SMTP_PASSWORD=vault:secret/data/app/production#DB_PASSWORD\n' >imp.env
: >"$T/vault.log"
ws -c imp.ini -f imp.env -e development -- env -0
is_var SMTP_PASSWORD "imported-$PW" "an import hides a .env reference"
is "$(count vault /v1/secret/data/app/production)" 0 "which is not fetched"

# ------------------------------------------------------------ memory
PROBE=$WS_BUILDDIR/tests/probe/memprobe.so
if [ -n "${WS_SAN:-}" ] || [ -n "${WS_VALGRIND:-}" ] || [ ! -f "$PROBE" ]; then
	skip_one "memory probe on a fetched value" "no probe here (sanitizer, valgrind or not built)"
else
	HEX=$(printf '%s' "$PW" | od -An -tx1 | tr -d ' \n')
	run "${BASE_ENV[@]}" LD_PRELOAD="$PROBE" WS_PROBE_NEEDLE_HEX="$HEX" \
	    WS_PROBE_OUT="$T/probe.out" VAULT_AGENT_ADDR="$V" "$WS" -u LD_PRELOAD \
	    -f ns.env -e development -- true
	is_rc 0 "exec with a fetched value, under the probe"
	if grep -q '^execve ' "$T/probe.out" && ! grep '^execve ' "$T/probe.out" | grep -qv 'leaks=0$'; then
		ok 0 "at execve the fetched value is only in the environment block"
	else
		ok 1 "at execve the fetched value is only in the environment block"
		sed 's/^/#   /' "$T/probe.out"
	fi
	run "${BASE_ENV[@]}" LD_PRELOAD="$PROBE" WS_PROBE_NEEDLE_HEX="$HEX" \
	    WS_PROBE_OUT="$T/probe.out" VAULT_AGENT_ADDR="$V" "$WS" \
	    -f ns.env -e development check
	if grep -q '^exit ' "$T/probe.out" && ! grep '^exit ' "$T/probe.out" | grep -qv 'leaks=0$'; then
		ok 0 "after check nothing fetched is left"
	else
		ok 1 "after check nothing fetched is left"
		sed 's/^/#   /' "$T/probe.out"
	fi
fi

# ------------------------------------------------------------ --watch-interval
if [ -z "${WS_VALGRIND:-}" ]; then
	: >"$T/vault.log"
	printf 'echo "$$ $DB_PASSWORD" >>"%s/starts"; exec sleep 30\n' "$T" >cmd.sh
	: >starts
	"${BASE_ENV[@]}" VAULT_AGENT_ADDR="$V" "$WS" -f ns.env -e development \
	    --watch --watch-interval=0.3 -- sh cmd.sh 2>"$T/watch.err" &
	WPID=$!
	PIDS+=("$WPID")
	for _ in $(seq 300); do	# 30 s at most: a loaded machine, ASan
		[ "$(count vault /v1/secret/data/app/production)" -ge 4 ] &&
		    [ -s starts ] && break
		sleep 0.1
	done
	ok "$([ "$(count vault /v1/secret/data/app/production)" -ge 4 ]; echo $?)" \
	    "--watch-interval reads the store again at its interval"
	is "$(wc -l <starts | tr -d ' ')" 1 "an unchanged value restarts nothing"
	kill "$WPID" 2>/dev/null
	wait "$WPID" 2>/dev/null
else
	skip_one "--watch-interval reads the store again" "timing under valgrind"
fi

# ------------------------------------------------------------ aws-sm
SS=$(random_secret)
cat >aws.json <<EOF
{"region": "us-east-1", "account": "123456789012", "secrets": {
  "prod/db": "whole-$SS",
  "prod/api": {"versions": [
      {"string": "{\\"password\\": \\"previous-$SS\\"}", "stages": ["AWSPREVIOUS"], "id": "v-old"},
      {"string": "{\\"password\\": \\"$SS\\", \\"n\\": 1}", "stages": ["AWSCURRENT"], "id": "v-new"}]},
  "prod/blob": {"binary": "aGVsbG8="},
  "prod/old": {"string": "x", "deleted": true},
  "prod/kms": {"string": "x", "error": "DecryptionFailure"},
  "prod/no": {"string": "x", "error": "AccessDeniedException"}
}}
EOF
start aws awssm_standin.py --listen tcp:127.0.0.1:0 --data aws.json --token tok-123 \
    --fault "/secretsmanager/get?secretId=prod%2Fthrottled=ThrottlingException" \
    --fault "/secretsmanager/get?secretId=prod%2Fdown=502"
A=$ADDR
printf '[store aws-sm]\ntype = aws-sm\nvia = %s\n' "$A" >aws.ini
printf 'DB=aws-sm:prod/db\nPASSWORD=aws-sm:prod/api#password\nPREV=arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/api:password:AWSPREVIOUS\nBYID=arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/api:password::v-old\n' >aws.env
ws AWS_TOKEN=tok-123 -c aws.ini -f aws.env -e development -- env -0
is_rc 0 "aws-sm references"
is_var DB "whole-$SS" "aws-sm:ID: the whole SecretString"
is_var PASSWORD "$SS" "aws-sm:ID#KEY: a key of it as JSON"
is_var PREV "previous-$SS" "the ECS ARN form with a json-key and a stage"
is_var BYID "previous-$SS" "the ECS ARN form with a version id"
all_have aws X-Aws-Parameters-Secrets-Token tok-123
ok $? "the token in X-Aws-Parameters-Secrets-Token on every request"
is "$(count aws '/secretsmanager/get?secretId=prod%2Fapi')" 1 "one request for prod/api"
: >"$T/aws.log"
ws -c aws.ini -f aws.env -e development -- true
is_rc 78 "no token: 78"
is "$(total aws)" 0 "before any request"
printf 'tok-123\n' >token
chmod 600 token
printf '[store aws-sm]\ntype = aws-sm\nvia = %s\ntoken-file = %s\n' "$A" "$T/token" >awsf.ini
ws -c awsf.ini -f aws.env -e development -- env -0
is_var DB "whole-$SS" "token-file"
ws AWS_TOKEN="file://$T/token" -c aws.ini -f aws.env -e development -- env -0
is_var DB "whole-$SS" "AWS_TOKEN=file://PATH"
ws AWS_TOKEN=wrong -c aws.ini -f aws.env -e development -- true
is_rc 77 "a bad token (the agent's 403)"
# awsfails ID WANT DESCRIPTION
awsfails() {
	printf 'X=aws-sm:%s\n' "$1" >af.env
	ws AWS_TOKEN=tok-123 -c aws.ini -f af.env -e development -- true
	is_rc "$2" "$3"
}
awsfails prod/missing 66 "ResourceNotFoundException"
awsfails prod/old 66 "InvalidRequestException (scheduled for deletion)"
awsfails prod/kms 77 "DecryptionFailure"
awsfails prod/no 77 "AccessDeniedException"
awsfails prod/throttled 75 "ThrottlingException"
awsfails prod/down 75 "502 (AWS unreachable)"
awsfails prod/blob 65 "a binary secret"
awsfails 'prod/api#nope' 66 "a key the JSON does not have"
awsfails 'prod/api#n' 65 "a key whose value is not a string"
awsfails 'prod/db#k' 65 "a key of a SecretString that is not JSON"

done_testing
