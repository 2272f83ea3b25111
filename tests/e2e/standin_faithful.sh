#!/usr/bin/env bash
# The stand-ins of tests/helpers (vault_standin.py, awssm_standin.py) are
# what the secret-store tests run withsecrets against; this test checks
# that they answer as the real thing does.  The Vault stand-in is read by
# a real Vault client, Debian's python3-hvac, over its TCP and its Unix
# listener; the AWS Secrets Manager Agent has no client library, so its
# stand-in is checked with curl against what the agent's documentation
# and source say.  Then every --fault kind, --log, --lifetime and SIGTERM.
# Every server is started with a --lifetime (5 min at most, whatever the
# load) and killed by the EXIT trap.
. "$WS_SRCDIR/tests/e2e/lib.sh"

. "$WS_SRCDIR/tests/e2e/standins.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"

# start NAME SCRIPT ARGS...: a stand-in, waited for (standins.sh), and a
# test that it started; its address is then in ADDR, its process id in PID.
start() {
	standin "$@"
	ok $? "$1: ready ($ADDR)"
	if [ -z "$ADDR" ]; then sed 's/^/#   /' "$T/$1.out"; fi
}

# gone PID: the process has exited (waits at most 10 s).
gone() {
	local _
	for _ in $(seq 100); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# jq-like: jv FILE EXPR prints EXPR evaluated on the JSON in FILE as d.
jv() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
print(eval(sys.argv[2]))' "$1" "$2" 2>&1
}

cat >vault.json <<'EOF'
{
  "mounts": {
    "secret": {"version": 2, "secrets": {
      "app/production": [
        {"data": {"DB_PASSWORD": "first-version"}},
        {"data": {"DB_PASSWORD": "current-version", "API_KEY": "k-123"},
         "custom_metadata": {"owner": "ops"}}
      ],
      "app/deleted": [{"data": {"K": "v1"}}, {"data": {"K": "v2"}, "deleted": true}],
      "app/destroyed": [{"data": {"K": "v1"}, "destroyed": true}],
      "app/faulty": {"K": "normal value"}
    }},
    "kv": {"version": 1, "secrets": {"legacy/app": {"TOKEN": "v1-token"}}}
  },
  "deny": ["secret/data/forbidden"],
  "namespaces": {
    "team-a": {"mounts": {"secret": {"version": 2, "secrets": {
      "app/production": {"DB_PASSWORD": "team-a-password"}}}}}
  }
}
EOF

# ================================================= Vault, with hvac
PYHVAC=
for py in python3 /usr/bin/python3; do
	if "$py" -c 'import hvac' 2>/dev/null; then PYHVAC=$py; break; fi
done
FAULTS=()
for s in 400 403 404 412 429 500 502 503; do
	FAULTS+=(--fault "/v1/secret/data/status/$s=$s")
done
start vault-tcp vault_standin.py --listen tcp:127.0.0.1:0 --data vault.json \
    --require-token test-token --log vault-tcp.log --lifetime 300 "${FAULTS[@]}"
VTCP=$ADDR
start vault-unix vault_standin.py --listen "unix:$T/agent.sock" \
    --data vault.json --log vault-unix.log --lifetime 300
VUNIX=$ADDR
is "$VUNIX" "unix:$T/agent.sock" "the Unix listener's ready line"

if [ -z "$PYHVAC" ]; then
	skip_one "hvac reads the Vault stand-in" \
	    "python3-hvac is not installed (Debian package python3-hvac)"
else
	cat >hvac_check.py <<'EOF'
# Reads the Vault stand-in with hvac; prints "PASS<TAB>what" or
# "FAIL<TAB>what<TAB>why" for each check.
import socket
import sys

import hvac
import requests
import urllib3
from urllib3.connection import HTTPConnection
from urllib3.connectionpool import HTTPConnectionPool

url, sock_path = sys.argv[1], sys.argv[2]


class UnixConnection(HTTPConnection):
    def __init__(self, path, timeout):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect(self.unix_path)
        self.sock = s


class UnixPool(HTTPConnectionPool):
    def __init__(self, path):
        super().__init__("localhost")
        self.unix_path = path

    def _new_conn(self):
        return UnixConnection(self.unix_path, 10)


class UnixAdapter(requests.adapters.HTTPAdapter):
    """requests over a Unix socket: hvac takes any requests session."""

    def __init__(self, path):
        super().__init__()
        self.pool = UnixPool(path)

    def get_connection(self, url, proxies=None):
        return self.pool

    def get_connection_with_tls_context(self, request, verify, proxies=None,
                                        cert=None):
        return self.pool


def check(what, cond, why=""):
    print("%s\t%s\t%s" % ("PASS" if cond else "FAIL", what, why))


def raises(what, exc, fn):
    try:
        fn()
    except exc:
        check(what, True)
    except Exception as e:  # noqa: BLE001 - any other is the failure
        check(what, False, "raised %r" % e)
    else:
        check(what, False, "raised nothing")


ENVELOPE = {"request_id", "lease_id", "renewable", "lease_duration", "data",
            "wrap_info", "warnings", "auth"}


def reads(c, where):
    r = c.secrets.kv.v2.read_secret_version(path="app/production",
                                            mount_point="secret")
    check(where + "kv v2 latest: data.data",
          r["data"]["data"] == {"DB_PASSWORD": "current-version",
                                "API_KEY": "k-123"}, repr(r["data"]))
    check(where + "kv v2 latest: metadata version 2",
          r["data"]["metadata"]["version"] == 2, repr(r["data"]["metadata"]))
    check(where + "kv v2: custom_metadata",
          r["data"]["metadata"]["custom_metadata"] == {"owner": "ops"})
    check(where + "kv v2: the envelope's fields",
          ENVELOPE <= set(r) and r["lease_id"] == "" and
          r["renewable"] is False and r["wrap_info"] is None, repr(set(r)))
    check(where + "kv v2: metadata fields",
          {"created_time", "custom_metadata", "deletion_time", "destroyed",
           "version"} <= set(r["data"]["metadata"]))
    r = c.secrets.kv.v2.read_secret_version(path="app/production", version=1,
                                            mount_point="secret")
    check(where + "kv v2 ?version=1",
          r["data"]["data"] == {"DB_PASSWORD": "first-version"} and
          r["data"]["metadata"]["version"] == 1, repr(r["data"]))
    r = c.secrets.kv.v1.read_secret(path="legacy/app", mount_point="kv")
    check(where + "kv v1 read_secret: data",
          r["data"] == {"TOKEN": "v1-token"}, repr(r))
    check(where + "kv v1: the envelope's fields", ENVELOPE <= set(r))
    raises(where + "a missing path: InvalidPath", hvac.exceptions.InvalidPath,
           lambda: c.secrets.kv.v2.read_secret_version(
               path="app/missing", mount_point="secret"))
    raises(where + "a missing version: InvalidPath",
           hvac.exceptions.InvalidPath,
           lambda: c.secrets.kv.v2.read_secret_version(
               path="app/production", version=9, mount_point="secret"))
    raises(where + "a deleted version: InvalidPath",
           hvac.exceptions.InvalidPath,
           lambda: c.secrets.kv.v2.read_secret_version(
               path="app/deleted", mount_point="secret"))
    raises(where + "a destroyed version: InvalidPath",
           hvac.exceptions.InvalidPath,
           lambda: c.secrets.kv.v2.read_secret_version(
               path="app/destroyed", mount_point="secret"))
    raises(where + "kv v1, a missing path: InvalidPath",
           hvac.exceptions.InvalidPath,
           lambda: c.secrets.kv.v1.read_secret(path="nope",
                                               mount_point="kv"))
    raises(where + "a denied path: Forbidden", hvac.exceptions.Forbidden,
           lambda: c.secrets.kv.v2.read_secret_version(
               path="forbidden/x", mount_point="secret"))
    raises(where + "an unknown mount: InvalidPath",
           hvac.exceptions.InvalidPath,
           lambda: c.secrets.kv.v2.read_secret_version(
               path="x", mount_point="nomount"))


# TCP, with the token the stand-in requires.
c = hvac.Client(url=url, token="test-token")
reads(c, "tcp: ")
raises("tcp: a wrong token: Forbidden", hvac.exceptions.Forbidden,
       lambda: hvac.Client(url=url, token="wrong").secrets.kv.v2
       .read_secret_version(path="app/production", mount_point="secret"))
ns = hvac.Client(url=url, token="test-token", namespace="team-a")
r = ns.secrets.kv.v2.read_secret_version(path="app/production",
                                         mount_point="secret")
check("tcp: namespace team-a (X-Vault-Namespace)",
      r["data"]["data"] == {"DB_PASSWORD": "team-a-password"}, repr(r))
r = c.secrets.kv.v2.read_secret_version(path="app/production",
                                        mount_point="team-a/secret")
check("tcp: namespace team-a as the path's first segment",
      r["data"]["data"] == {"DB_PASSWORD": "team-a-password"}, repr(r))
raises("tcp: an unknown namespace: InvalidPath", hvac.exceptions.InvalidPath,
       lambda: hvac.Client(url=url, token="test-token", namespace="team-z")
       .secrets.kv.v2.read_secret_version(path="app/production",
                                          mount_point="secret"))
for status, exc in ((400, hvac.exceptions.InvalidRequest),
                    (403, hvac.exceptions.Forbidden),
                    (404, hvac.exceptions.InvalidPath),
                    (412, hvac.exceptions.UnexpectedError),
                    (429, hvac.exceptions.RateLimitExceeded),
                    (500, hvac.exceptions.InternalServerError),
                    (502, hvac.exceptions.BadGateway),
                    (503, hvac.exceptions.VaultDown)):
    raises("tcp: --fault %d: hvac's %s" % (status, exc.__name__), exc,
           lambda: c.secrets.kv.v2.read_secret_version(
               path="status/%d" % status, mount_point="secret"))
try:
    c.secrets.kv.v2.read_secret_version(path="status/503", mount_point="secret")
except hvac.exceptions.VaultDown as e:
    check("tcp: 503's errors are Vault's sealed message",
          e.errors == ["Vault is sealed"], repr(e.errors))

# The Unix listener, through a requests session on the socket.
s = requests.Session()
s.mount("http://", UnixAdapter(sock_path))
reads(hvac.Client(url="http://localhost", session=s), "unix: ")
EOF
	"$PYHVAC" hvac_check.py "$VTCP" "$T/agent.sock" >hvac.out 2>hvac.err
	is "$?" 0 "the hvac checks ran to their end"
	sed 's/^/#   /' hvac.err | head -n 20
	while IFS=$'\t' read -r verdict what why; do
		if [ "$verdict" = PASS ]; then ok 0 "hvac: $what"; else
			ok 1 "hvac: $what"; echo "#   $why"; fi
	done <hvac.out
	# hvac sent X-Vault-Request: true (what a listener with
	# require_request_header demands) and the namespace header; the log
	# recorded both.
	n=$(grep -c '"X-Vault-Request": "true"' vault-tcp.log)
	is "$n" "$(wc -l <vault-tcp.log | tr -d ' ')" \
	    "--log records hvac's X-Vault-Request: true on every request"
	grep -q '"X-Vault-Namespace": "team-a"' vault-tcp.log
	ok $? "--log records X-Vault-Namespace"
	grep -q '"path": "/v1/secret/data/app/production?version=1"' vault-tcp.log
	ok $? "--log records the path with its query"
fi

# ================================================= curl: Vault and AWS
if ! command -v curl >/dev/null 2>&1; then
	skip_one "the stand-ins' answers, faults, logs and lifetimes" \
	    "curl is not installed (Debian package curl)"
	done_testing
fi

# get URL [CURL ARGS...]: the answer in $T/body, its headers in $T/hdr,
# its status in CODE, curl's exit status in CRC (bounded: 5 s).
get() {
	local url=$1
	shift
	local where=(--max-time 5)
	case $url in
	unix:*)
		local rest=${url#unix:}
		where+=(--unix-socket "${rest%%|*}")
		url="http://localhost${rest#*|}"
		;;
	esac
	CODE=$(curl -sS -o "$T/body" -D "$T/hdr" -w '%{http_code}' \
	    "${where[@]}" "$@" "$url" 2>"$T/curl.err")
	CRC=$?
}

# The Unix listener with curl (also what hvac read above through its
# adapter): a v2 read, with X-Vault-Request and a namespace.
get "unix:$T/agent.sock|/v1/secret/data/app/production" -H 'X-Vault-Request: true'
is "$CODE" 200 "curl --unix-socket: kv v2 read"
is "$(jv body 'd["data"]["data"]["DB_PASSWORD"]')" current-version \
    "curl --unix-socket: data.data"
get "unix:$T/agent.sock|/v1/secret/data/app/production" -H 'X-Vault-Namespace: team-a'
is "$(jv body 'd["data"]["data"]["DB_PASSWORD"]')" team-a-password \
    "curl --unix-socket: X-Vault-Namespace"
get "unix:$T/agent.sock|/v1/secret/data/app/missing"
is "$CODE $(cat body)" '404 {"errors":[]}' "a missing path: 404 {\"errors\":[]}"
get "unix:$T/agent.sock|/v1/secret/data/app/deleted"
is "$CODE" 404 "a deleted version: 404"
is "$(jv body 'd["data"]["data"], bool(d["data"]["metadata"]["deletion_time"])')" \
    "(None, True)" "with data.data null and deletion_time set"
get "unix:$T/agent.sock|/v1/secret/data/app/production?version=x"
is "$CODE" 400 "?version=x: 400"
get "unix:$T/agent.sock|/v1/secret/app/production"
is "$CODE" 404 "a v2 mount read without data/: 404"
get "unix:$T/agent.sock|/v1/secret/data/app/production" -X POST
is "$CODE" 405 "a method other than GET: 405"
grep -q '"X-Vault-Request": "true"' vault-unix.log
ok $? "the Unix listener's --log records X-Vault-Request"

# --require-request-header: a Vault Agent listener's require_request_header.
start vault-rrh vault_standin.py --listen tcp:127.0.0.1:0 --data vault.json \
    --require-request-header --lifetime 300
get "$ADDR/v1/secret/data/app/production"
is "$CODE" 412 "--require-request-header: 412 without X-Vault-Request"
get "$ADDR/v1/secret/data/app/production" -H 'X-Vault-Request: true'
is "$CODE" 200 "--require-request-header: 200 with it"

# ------------------------------------------------- every --fault kind
F=/v1/secret/data/app/faulty
start vault-faults vault_standin.py --listen tcp:127.0.0.1:0 --data vault.json \
    --log faults.log --lifetime 300 --slow-seconds 20 --oversized-bytes 5000000 \
    --fault "$F?s=503:2" --fault "$F?redirect=redirect" \
    --fault "$F?chunked=chunked" --fault "$F?oversized=oversized" \
    --fault "$F?malformed=malformed" --fault "$F?nonstring=nonstring" \
    --fault "$F?nul=nul" --fault "$F?slow=slow" --fault "$F?close=close" \
    --fault "$F?s429=429" --fault "$F?s412=412" --fault "$F?s204=204"
VF=$ADDR
nreq=0
get "$VF$F?s=1"; nreq=$((nreq + 1))
is "$CODE $(cat body)" '503 {"errors":["Vault is sealed"]}' "fault 503:2, 1st: sealed"
get "$VF$F?s=1"; nreq=$((nreq + 1))
is "$CODE" 503 "fault 503:2, 2nd: 503"
get "$VF$F?s=1"; nreq=$((nreq + 1))
is "$CODE" 200 "fault 503:2, 3rd: answers normally"
get "$VF$F?s429"; nreq=$((nreq + 1))
is "$CODE" 429 "fault 429"
get "$VF$F?s412"; nreq=$((nreq + 1))
is "$CODE" 412 "fault 412"
get "$VF$F?s204"; nreq=$((nreq + 1))
is "$CODE $(wc -c <body | tr -d ' ')" "204 0" "fault 204: no body"
! grep -qi '^Content-Length' hdr
ok $? "fault 204: no Content-Length"
get "$VF$F?redirect"; nreq=$((nreq + 1))
is "$CODE" 307 "fault redirect: 307"
grep -qi "^Location: $F?redirect" hdr
ok $? "fault redirect: with Location"
get "$VF$F?chunked"; nreq=$((nreq + 1))
grep -qi '^Transfer-Encoding: chunked' hdr && ! grep -qi '^Content-Length' hdr
ok $? "fault chunked: Transfer-Encoding: chunked, no Content-Length"
is "$(jv body 'd["data"]["data"]["K"]')" "normal value" "fault chunked: the body, dechunked"
get "$VF$F?oversized"; nreq=$((nreq + 1))
size=$(wc -c <body)
[ "$size" -gt 5000000 ]
ok $? "fault oversized: a body of $size bytes"
is "$(jv body 'd["data"]["data"]["K"]')" "normal value" "fault oversized: still the answer"
get "$VF$F?malformed"; nreq=$((nreq + 1))
is "$CODE" 200 "fault malformed: 200"
if python3 -c 'import json,sys; json.load(open(sys.argv[1]))' body 2>/dev/null
then ok 1 "fault malformed: not JSON"; else ok 0 "fault malformed: not JSON"; fi
get "$VF$F?nonstring"; nreq=$((nreq + 1))
is "$(jv body 'type(d["data"]["data"]["K"]).__name__')" int "fault nonstring: a number"
get "$VF$F?nul"; nreq=$((nreq + 1))
grep -qF '\u0000' body
ok $? "fault nul: the JSON holds \\u0000"
is "$(jv body 'd["data"]["data"]["K"].replace(chr(0), "<NUL>")')" "normal<NUL> value" \
    "fault nul: in the value's middle"
t0=$(date +%s)
get "$VF$F?slow" --max-time 1; nreq=$((nreq + 1))
is "$CRC" 28 "fault slow: a 1 s client times out (curl 28)"
[ $(($(date +%s) - t0)) -lt 10 ]
ok $? "fault slow: the client, not the server, ended it"
get "$VF$F?close"; nreq=$((nreq + 1))
is "$CRC" 52 "fault close: no answer at all (curl 52)"
get "$VF$F?plain"; nreq=$((nreq + 1))
is "$CODE" 200 "a path no fault matches answers normally"
is "$(wc -l <faults.log | tr -d ' ')" "$nreq" "--log: one line per request"
first=$(head -n 1 faults.log)
is "$(printf '%s' "$first" | python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); print(d["status"], d["fault"], d["method"], d["path"], "Host" in d["headers"])')" \
    "503 503 GET $F?s=1 True" "--log: status, fault, method, path, headers"
is "$(grep '"fault": "close"' faults.log | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["status"])')" \
    None "--log: a closed connection's status is null"

# ------------------------------------------------- AWS Secrets Manager Agent
cat >aws.json <<'EOF'
{
  "region": "eu-west-1", "account": "111122223333",
  "secrets": {
    "prod/db": "db-password-value",
    "prod/app": {"versions": [
      {"string": "previous-value", "stages": ["AWSPREVIOUS"]},
      {"string": "{\"password\": \"json-password\", \"port\": 5432}",
       "stages": ["AWSCURRENT"], "id": "01234567-89ab-cdef-0123-456789abcdef"}]},
    "prod/blob": {"binary": "aGVsbG8="},
    "prod/deleted": {"string": "x", "deleted": true},
    "prod/denied": {"string": "x", "error": "AccessDeniedException"},
    "prod/kms": {"string": "x", "error": "DecryptionFailure"}
  }
}
EOF
printf 'aws-ssrf-token\n' >token
G=/secretsmanager/get
start aws awssm_standin.py --listen tcp:127.0.0.1:0 --data aws.json \
    --token aws-ssrf-token --log aws.log --lifetime 300 \
    --fault "$G?secretId=throttled=ThrottlingException" \
    --fault "$G?secretId=internal=InternalServiceError" \
    --fault "$G?secretId=gateway=502" --fault "$G?secretId=timeout=504" \
    --fault "$G?secretId=prod/db&x=close" \
    --fault "$G?secretId=s403=403" --fault "$G?secretId=s429=429" \
    --fault "$G?secretId=s400=400" --fault "$G?secretId=s500=500" \
    --fault "$G?secretId=prod/db&refreshNow=true=chunked" \
    --fault "$G?secretId=prod/db&refreshNow=1=malformed" \
    --fault "$G?secretId=prod/db&refreshNow=false=redirect"
AWS=$ADDR
TOK=(-H 'X-Aws-Parameters-Secrets-Token: aws-ssrf-token')
get "$AWS/ping"
is "$CODE $(cat body)" "200 healthy" "aws: /ping answers healthy without a token"
get "$AWS$G?secretId=prod/db"
is "$CODE $(cat body)" "403 Bad Token" "aws: no token: 403 Bad Token (the agent's answer)"
get "$AWS$G?secretId=prod/db" -H 'X-Aws-Parameters-Secrets-Token: wrong'
is "$CODE $(cat body)" "403 Bad Token" "aws: a wrong token: 403 Bad Token"
get "$AWS$G?secretId=prod/db" "${TOK[@]}"
is "$CODE" 200 "aws: GetSecretValue with the token"
is "$(jv body 'sorted(d)')" \
    "['ARN', 'CreatedDate', 'Name', 'SecretString', 'VersionId', 'VersionStages']" \
    "aws: the GetSecretValue fields"
is "$(jv body 'd["SecretString"], d["Name"], d["VersionStages"]')" \
    "('db-password-value', 'prod/db', ['AWSCURRENT'])" "aws: the value, name, stage"
arn=$(jv body 'd["ARN"]')
[[ $arn =~ ^arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-[A-Za-z0-9]{6}$ ]]
ok $? "aws: the ARN, with its six-character suffix ($arn)"
jv body 'float(d["CreatedDate"])' >/dev/null
ok $? "aws: CreatedDate, seconds as a string"
! grep -qi '^Content-Type' hdr
ok $? "aws: no Content-Type (the agent sets none)"
get "$AWS$G?secretId=$arn" "${TOK[@]}"
is "$(jv body 'd["SecretString"]')" db-password-value "aws: found by its full ARN"
get "$AWS$G?secretId=arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db" "${TOK[@]}"
is "$(jv body 'd["SecretString"]')" db-password-value "aws: found by its partial ARN"
get "$AWS$G?secretId=prod/app" "${TOK[@]}"
is "$(jv body '__import__("json").loads(d["SecretString"])["password"]')" \
    json-password "aws: a JSON SecretString"
get "$AWS$G?secretId=prod/app&versionStage=AWSPREVIOUS" "${TOK[@]}"
is "$(jv body 'd["SecretString"], d["VersionStages"]')" "('previous-value', ['AWSPREVIOUS'])" \
    "aws: versionStage=AWSPREVIOUS"
get "$AWS$G?secretId=prod/app&versionId=01234567-89ab-cdef-0123-456789abcdef" "${TOK[@]}"
is "$(jv body 'd["VersionId"]')" 01234567-89ab-cdef-0123-456789abcdef "aws: versionId"
get "$AWS$G?secretId=prod/app&versionStage=AWSPENDING" "${TOK[@]}"
is "$CODE $(jv body 'd["__type"]')" "400 ResourceNotFoundException" "aws: an unknown stage"
get "$AWS/v1/prod/db" "${TOK[@]}"
is "$CODE $(jv body 'd["SecretString"]')" "200 db-password-value" "aws: the path style /v1/ID"
get "$AWS$G?secretId=prod/blob" "${TOK[@]}"
is "$(jv body 'd.get("SecretBinary"), "SecretString" in d')" "('aGVsbG8=', False)" \
    "aws: SecretBinary, base64, no SecretString"
# Secrets Manager's errors, passed on by the agent: status and
# {"__type": ..., "message": ...}.
for case in "nope ResourceNotFoundException 400" \
    "prod/deleted InvalidRequestException 400" \
    "prod/denied AccessDeniedException 400" "prod/kms DecryptionFailure 400" \
    "throttled ThrottlingException 400" "internal InternalServiceError 500" \
    "gateway ConnectionError 502" "timeout TimeoutError 504"; do
	read -r id type status <<<"$case"
	get "$AWS$G?secretId=$id" "${TOK[@]}"
	is "$CODE $(jv body 'd["__type"], bool(d["message"])')" \
	    "$status ('$type', True)" "aws: $id: $status $type with a message"
done
get "$AWS$G?secretId=prod/db" "${TOK[@]}" -H 'X-Forwarded-For: 10.0.0.1'
is "$CODE $(cat body)" "400 Forwarded" "aws: X-Forwarded-For: 400"
get "$AWS$G?secretId=prod/db" "${TOK[@]}" -X POST
is "$CODE $(cat body)" "405 Not allowed" "aws: POST: 405"
get "$AWS$G?secretId=prod/db&bogus=1" "${TOK[@]}"
is "$CODE $(cat body)" "400 unknown parameter: bogus" "aws: an unknown parameter: 400"
get "$AWS$G" "${TOK[@]}"
is "$CODE $(cat body)" "400 missing parameter secretId" "aws: no secretId: 400"
get "$AWS$G?secretId=prod/db&refreshNow=maybe" "${TOK[@]}"
is "$CODE" 400 "aws: a bad refreshNow: 400"
get "$AWS/other" "${TOK[@]}"
is "$CODE $(cat body)" "404 Not found" "aws: another path: 404"
get "$AWS$G?secretId=prod/db&x" "${TOK[@]}"
is "$CRC" 52 "aws: fault close (a prefix with & in it)"
# The AWS stand-in's status faults give the agent's own answers.
get "$AWS$G?secretId=s403" "${TOK[@]}"
is "$CODE $(cat body)" "403 Bad Token" "aws: fault 403: the agent's Bad Token"
get "$AWS$G?secretId=s429" "${TOK[@]}"
is "$CODE $(cat body)" "429 Connection limit exceeded" "aws: fault 429: the agent's connection limit"
get "$AWS$G?secretId=s400" "${TOK[@]}"
is "$CODE $(jv body 'd["__type"]')" "400 ResourceNotFoundException" "aws: fault 400"
get "$AWS$G?secretId=s500" "${TOK[@]}"
is "$CODE $(cat body)" '500 {"__type":"InternalFailure"}' "aws: fault 500: InternalFailure"
get "$AWS$G?secretId=prod/db&refreshNow=true" "${TOK[@]}"
grep -qi '^Transfer-Encoding: chunked' hdr
ok $? "aws: fault chunked"
is "$(jv body 'd["SecretString"]')" db-password-value "aws: fault chunked: the body, dechunked"
get "$AWS$G?secretId=prod/db&refreshNow=1" "${TOK[@]}"
if python3 -c 'import json,sys; json.load(open(sys.argv[1]))' body 2>/dev/null
then ok 1 "aws: fault malformed: not JSON"; else ok 0 "aws: fault malformed: not JSON"; fi
get "$AWS$G?secretId=prod/db&refreshNow=false" "${TOK[@]}"
is "$CODE" 307 "aws: fault redirect: 307"
grep -q '"X-Aws-Parameters-Secrets-Token": "aws-ssrf-token"' aws.log
ok $? "aws: --log records the token header"

# The AWS stand-in's faults that change the value.
start aws-faults awssm_standin.py --listen "unix:$T/aws.sock" --data aws.json \
    --token aws-ssrf-token --lifetime 300 \
    --fault "$G?secretId=prod/db=nonstring" --fault "$G?secretId=prod/app=nul"
get "unix:$T/aws.sock|$G?secretId=prod/db" "${TOK[@]}"
is "$(jv body 'd["SecretString"]')" 42 "aws: fault nonstring: SecretString a number"
get "unix:$T/aws.sock|$G?secretId=prod/app" "${TOK[@]}"
is "$(jv body '__import__("json").loads(d["SecretString"])["password"].replace(chr(0), "<NUL>")')" \
    "json-p<NUL>assword" "aws: fault nul: in the JSON SecretString's values"

# ------------------------------------------------- one command line
# The stand-ins share their command line, faults, log and server
# (standin_common.py): each takes them from there.
grep -q '^from standin_common import' "$HELPERS/vault_standin.py" &&
    grep -q '^from standin_common import' "$HELPERS/awssm_standin.py"
ok $? "the two stand-ins share one common part (standin_common.py)"

# ------------------------------------------------- --lifetime and SIGTERM
start short vault_standin.py --listen "unix:$T/short.sock" --lifetime 1
p=$PID
gone "$p"
ok $? "--lifetime 1: exits by itself"
[ ! -e "$T/short.sock" ]
ok $? "--lifetime: the Unix socket is removed"
start term awssm_standin.py --listen tcp:127.0.0.1:0 --token t --lifetime 300
kill -TERM "$PID"
gone "$PID"
ok $? "SIGTERM: exits"
run python3 "$HELPERS/vault_standin.py" --listen tcp:127.0.0.1:0 --fault nokind
[ "$RC" -ne 0 ] && grep -q 'PATHPREFIX=KIND' "$T/err"
ok $? "a malformed --fault is refused"

done_testing
