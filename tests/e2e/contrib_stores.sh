#!/usr/bin/env bash
# The secret stores' contrib set-ups (SPEC §13): contrib/vault/agent.hcl,
# contrib/systemd/vault-agent.service + app-vault.service,
# contrib/kubernetes/vault-agent-sidecar.yaml and contrib/aws-sm/.  Each is
# read as its tool reads it where the tool is here (systemd-analyze
# verify, a YAML, TOML and JSON parser); the HCL, with no Vault here, is
# checked for balance and for the stanzas it must have; the parts must
# fit together (the socket's path, the port, the token's file).  When the
# build has the stores (withsecrets --version names them), the units' and
# the pod's commands run against the stand-ins of tests/helpers.
. "$WS_SRCDIR/tests/e2e/lib.sh"

C=$WS_SRCDIR/contrib
HCL=$C/vault/agent.hcl
AGENT_UNIT=$C/systemd/vault-agent.service
APP_UNIT=$C/systemd/app-vault.service
POD=$C/kubernetes/vault-agent-sidecar.yaml
AWS=$C/aws-sm
. "$WS_SRCDIR/tests/e2e/standins.sh"

for f in "$HCL" "$AGENT_UNIT" "$APP_UNIT" "$POD" "$AWS/config.toml" \
    "$AWS/withsecrets.ini" "$AWS/ecs-task-definition.json" "$AWS/README.md"; do
	test -s "$f"
	ok $? "${f#"$WS_SRCDIR"/} exists"
done
command -v python3 >/dev/null 2>&1 || { skip_one "the set-ups' contents" \
    "python3 is not installed"; done_testing; }

# hcl_facts FILE: "error: ..." for unbalanced braces, brackets or quotes,
# then one line per fact the tests need (KEY<TAB>VALUE), read from the
# HCL with comments and strings taken into account.
hcl_facts() {
	python3 - "$1" <<'EOF'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
stack, i, line = [], 0, 1
pairs = {"{": "}", "[": "]", "(": ")"}
while i < len(text):
    c = text[i]
    if c == "\n":
        line += 1
    elif c == "#" or text.startswith("//", i):
        while i < len(text) and text[i] != "\n":
            i += 1
        continue
    elif text.startswith("/*", i):
        end = text.find("*/", i + 2)
        if end < 0:
            print("error: line %d: unterminated comment" % line); break
        line += text.count("\n", i, end); i = end + 2; continue
    elif c == '"':
        j = i + 1
        while j < len(text) and text[j] != '"':
            if text[j] == "\\": j += 1
            if j < len(text) and text[j] == "\n":
                print("error: line %d: newline in a string" % line); break
            j += 1
        if j >= len(text):
            print("error: line %d: unterminated string" % line); break
        i = j + 1; continue
    elif c in pairs:
        stack.append((pairs[c], line))
    elif c in pairs.values():
        if not stack or stack[-1][0] != c:
            print("error: line %d: unbalanced %s" % (line, c)); break
        stack.pop()
    i += 1
for want, opened in stack:
    print("error: line %d: %s never closed" % (opened, want))
# The facts: blocks by their header, and key = value inside each.
plain = re.sub(r'#[^\n]*', '', text)
for m in re.finditer(r'(?m)^(\s*)(\w+)\s*("([^"]*)")?\s*\{', plain):
    name, label = m.group(2), m.group(4) or ""
    depth, j = 1, m.end()
    while depth and j < len(plain):
        depth += {"{": 1, "}": -1}.get(plain[j], 0); j += 1
    body = plain[m.end():j - 1]
    print("block\t%s %s" % (name, label))
    for k, v in re.findall(r'(?m)^\s*(\w+)\s*=\s*"?([^"\n]*?)"?\s*$', body):
        print("%s.%s\t%s\t%s" % (name, label, k, v))
EOF
}
# fact FILE KEY [NAME]: the value of KEY in block NAME (e.g. listener.unix).
fact() { awk -F'\t' -v b="$3" -v k="$2" '$1 == b && $2 == k { print $3; exit }' "$1"; }

# ============================================================ agent.hcl
hcl_facts "$HCL" >hcl.facts
is "$(grep '^error' hcl.facts)" "" "agent.hcl: braces, brackets and strings balanced"
grep -qx $'block\tauto_auth ' hcl.facts && grep -q $'^block\tmethod ' hcl.facts
ok $? "agent.hcl: auto_auth with a method"
is "$(fact hcl.facts use_auto_auth_token cache.)" true \
    "agent.hcl: cache { use_auto_auth_token = true }"
sock=$(fact hcl.facts address listener.unix)
case $sock in /?*.sock) ok 0 "agent.hcl: a unix listener ($sock)" ;;
*) ok 1 "agent.hcl: a unix listener (got: $sock)" ;; esac
tcp=$(fact hcl.facts address listener.tcp)
case $tcp in 127.0.0.1:[0-9]*) ok 0 "agent.hcl: a loopback tcp listener ($tcp)" ;;
*) ok 1 "agent.hcl: a loopback tcp listener (got: $tcp)" ;; esac
is "$(fact hcl.facts tls_disable listener.tcp) $(fact hcl.facts tls_disable listener.unix)" \
    "true true" "agent.hcl: no TLS on loopback and the socket"
is "$(fact hcl.facts require_request_header listener.tcp) $(fact hcl.facts require_request_header listener.unix)" \
    "true true" "agent.hcl: both listeners require X-Vault-Request"
# The check is real: a lost brace is reported.
sed '0,/^}/s/^}//' "$HCL" >broken.hcl
hcl_facts broken.hcl >broken.facts
grep -q '^error' broken.facts
ok $? "the balance check finds a lost brace"

# ============================================================ systemd
unit_value() { sed -n "s/^$2=//p" "$1"; }
is "$(unit_value "$APP_UNIT" Requires)" vault-agent.service "app-vault.service: Requires=vault-agent.service"
case " $(unit_value "$APP_UNIT" After) " in
*" vault-agent.service "*) ok 0 "app-vault.service: After=vault-agent.service" ;;
*) ok 1 "app-vault.service: After=vault-agent.service" ;; esac
addr=$(unit_value "$APP_UNIT" Environment | sed -n 's/^VAULT_AGENT_ADDR=//p')
is "$addr" "unix:$sock" "app-vault.service: VAULT_AGENT_ADDR is agent.hcl's socket"
is "/run/$(unit_value "$AGENT_UNIT" RuntimeDirectory)" "$(dirname "$sock")" \
    "vault-agent.service: RuntimeDirectory= holds the socket"
is "$(unit_value "$APP_UNIT" SupplementaryGroups)" "$(unit_value "$AGENT_UNIT" Group)" \
    "app-vault.service: in the agent's group (the socket is 0660)"
is "$(fact hcl.facts socket_mode listener.unix)" 0660 "agent.hcl: the socket is 0660"
case " $(unit_value "$APP_UNIT" RestartPreventExitStatus) " in
*" 78 "*) ok 0 "app-vault.service: RestartPreventExitStatus has 78" ;;
*) ok 1 "app-vault.service: RestartPreventExitStatus has 78" ;; esac
case $(unit_value "$AGENT_UNIT" ExecStart) in
*"-config=/etc/vault.d/agent.hcl"*) ok 0 "vault-agent.service: runs agent.hcl" ;;
*) ok 1 "vault-agent.service: runs agent.hcl" ;; esac
is "$(unit_value "$AGENT_UNIT" Type)" notify \
    "vault-agent.service: Type=notify (the agent notifies once listening)"

if command -v systemd-analyze >/dev/null 2>&1; then
	# verify wants ExecStart's programs to exist: the copies name the
	# binary under test and a stand-in for vault and for the application.
	mkdir -p sd
	printf '#!/bin/sh\nexit 0\n' >sd/stub
	chmod +x sd/stub
	sed "s#/usr/bin/vault #$T/sd/stub #" "$AGENT_UNIT" >sd/vault-agent.service
	sed "s#^ExecStart=/usr/bin/withsecrets -- [^ ]*#ExecStart=$WS -- $T/sd/stub#" \
	    "$APP_UNIT" >sd/app-vault.service
	run systemd-analyze verify --man=no sd/vault-agent.service sd/app-vault.service
	is_rc 0 "systemd-analyze verify: both units"
	is "$(cat "$T/err" "$T/out")" "" "with nothing to say"
	sed 's/^Requires=vault-agent/Requires=vault-agnt/' sd/app-vault.service >sd/typo.service
	run systemd-analyze verify --man=no sd/typo.service
	stderr_has "vault-agnt.service" "verify reports a Requires= on a unit that is not there"
else
	skip_one "systemd-analyze verify" "systemd-analyze is not installed (Debian package systemd)"
fi

# ============================================================ Kubernetes
if ! python3 -c 'import yaml' 2>/dev/null; then
	skip_one "the pod manifest" "PyYAML is not installed (Debian package python3-yaml)"
else
	python3 - "$POD" "$C/docker/compose.yaml" >pod.facts <<'EOF'
import json, sys, yaml
docs = list(yaml.safe_load_all(open(sys.argv[1])))
compose = yaml.safe_load(open(sys.argv[2]))
def err(m): print("error: " + m)
def out(*f): print("\t".join(str(x) for x in f))
kinds = {d["kind"]: d for d in docs}
for k, v in (("ServiceAccount", "v1"), ("ConfigMap", "v1"), ("Pod", "v1")):
    if kinds.get(k, {}).get("apiVersion") != v:
        err("no %s %s" % (v, k))
pod, cm, sa = kinds["Pod"], kinds["ConfigMap"], kinds["ServiceAccount"]
spec = pod["spec"]
if spec.get("serviceAccountName") != sa["metadata"]["name"]:
    err("the pod's serviceAccountName is not the ServiceAccount")
(agent,) = spec.get("initContainers", [])
(app,) = spec["containers"]
if agent.get("restartPolicy") != "Always":
    err("the agent is not a native sidecar (restartPolicy: Always)")
if agent["command"][:2] != ["vault", "agent"]:
    err("the sidecar does not run vault agent")
vols = {v["name"]: v for v in spec["volumes"]}
def mounts(c):
    return {m["name"]: m["mountPath"] for m in c.get("volumeMounts", [])}
cfg = [n for n, v in vols.items() if "configMap" in v]
if len(cfg) != 1 or vols[cfg[0]]["configMap"]["name"] != cm["metadata"]["name"]:
    err("the agent's configuration volume is not the ConfigMap")
cfgdir = mounts(agent).get(cfg[0], "")
conf = [a.split("=", 1)[1] for a in agent["command"] if a.startswith("-config=")]
if not conf or conf[0].rsplit("/", 1)[0] != cfgdir or \
        conf[0].rsplit("/", 1)[1] not in cm["data"]:
    err("vault agent -config= is not the ConfigMap's file")
shared = [n for n, v in vols.items() if "emptyDir" in v]
if len(shared) != 1 or vols[shared[0]]["emptyDir"].get("medium") != "Memory":
    err("not one memory-backed emptyDir for the socket")
if mounts(agent).get(shared[0]) != mounts(app).get(shared[0]):
    err("the socket's volume is not at one path in both containers")
if app.get("image") != compose["services"]["app"]["image"]:
    err("the app's image is not the one contrib/docker builds")
env = {e["name"]: e.get("value") for e in app.get("env", [])}
probe = " ".join(agent.get("startupProbe", {}).get("exec", {}).get("command", []))
sc = spec.get("securityContext", {})
if "runAsGroup" not in sc:
    err("no pod-wide runAsGroup: the socket's group")
out("socketdir", mounts(app).get(shared[0]))
out("addr", env.get("VAULT_AGENT_ADDR", ""))
out("probe", probe)
out("command", json.dumps(app.get("command", [])))
out("args", json.dumps(app.get("args", [])))
for k, v in env.items():
    out("env", k, v)
open("pod-agent.hcl", "w").write(cm["data"][conf[0].rsplit("/", 1)[1]])
EOF
	is "$(grep '^error: ' pod.facts)" "" "the pod manifest parses and its parts fit together"
	pf() { awk -F'\t' -v k="$1" '$1 == k { print $2; exit }' "$T/pod.facts"; }
	hcl_facts pod-agent.hcl >pod-hcl.facts
	is "$(grep '^error' pod-hcl.facts)" "" "the ConfigMap's agent.hcl: balanced"
	grep -q $'^block\tmethod kubernetes' pod-hcl.facts
	ok $? "the ConfigMap's agent.hcl: auto_auth with the kubernetes method"
	is "$(fact pod-hcl.facts use_auto_auth_token cache.)" true \
	    "the ConfigMap's agent.hcl: use_auto_auth_token"
	psock=$(fact pod-hcl.facts address listener.unix)
	is "$(pf addr)" "unix:$psock" "the app's VAULT_AGENT_ADDR is the agent's socket"
	is "$(dirname "$psock")" "$(pf socketdir)" "the socket is in the shared volume"
	case $(pf probe) in *"-S $psock"*) ok 0 "the startup probe waits for the socket" ;;
	*) ok 1 "the startup probe waits for the socket (got: $(pf probe))" ;; esac
	case $(pf command) in *'"withsecrets", "--"]') ok 0 "the app's entrypoint is withsecrets --" ;;
	*) ok 1 "the app's entrypoint is withsecrets -- (got: $(pf command))" ;; esac
	ref=$(awk -F'\t' '$1 == "env" && $3 ~ /^vault:.*#/ { print $2; exit }' pod.facts)
	[ -n "$ref" ]
	ok $? "the app's environment has a vault: reference ($ref)"
fi

# ============================================================ AWS
python3 - "$AWS/config.toml" "$AWS/ecs-task-definition.json" "$AWS/withsecrets.ini" \
    >aws.facts <<'EOF'
import configparser, json, sys
try:
    import tomllib
except ImportError:
    tomllib = None
def err(m): print("error: " + m)
def out(*f): print("\t".join(str(x) for x in f))
# The keys the agent's configuration accepts (it refuses others).
KNOWN = {"log_level", "http_address", "log_to_file", "http_port",
         "ttl_seconds", "cache_size", "ssrf_headers", "ssrf_env_variables",
         "path_prefix", "max_conn", "region", "ignore_transient_errors",
         "validate_credentials"}
if tomllib is None:
    out("skip", "toml")
else:
    cfg = tomllib.load(open(sys.argv[1], "rb"))
    for k in sorted(set(cfg) - KNOWN):
        err("config.toml: a key the agent does not know: " + k)
    if cfg.get("http_address", "127.0.0.1") != "127.0.0.1":
        err("config.toml: not on loopback")
    out("port", cfg.get("http_port", "2773"))
    if "X-Aws-Parameters-Secrets-Token" not in cfg.get("ssrf_headers", []):
        err("config.toml: not the header withsecrets sends")
    out("tokenvars", " ".join(cfg.get("ssrf_env_variables", [])))
task = json.load(open(sys.argv[2]))
cs = {c["name"]: c for c in task["containerDefinitions"]}
if task.get("networkMode") != "awsvpc":
    err("the task does not share one network namespace (awsvpc)")
agent, app = cs.get("secrets-manager-agent"), cs.get("app")
if not agent or not app:
    err("no agent or no app container")
deps = {d["containerName"]: d["condition"] for d in app.get("dependsOn", [])}
if deps.get("secrets-manager-agent") != "HEALTHY":
    err("the app does not wait for the agent to be healthy")
hc = " ".join(agent.get("healthCheck", {}).get("command", []))
if "/ping" not in hc or "2773" not in hc:
    err("the agent's health check does not ask /ping on 2773")
aenv = {e["name"]: e["value"] for e in agent.get("environment", [])}
penv = {e["name"]: e["value"] for e in app.get("environment", [])}
if aenv.get("AWS_TOKEN") != penv.get("AWS_TOKEN") or \
        not aenv.get("AWS_TOKEN", "").startswith("file://"):
    err("the agent and the app do not read one token file")
vols = {v["name"] for v in task.get("volumes", [])}
for c in cs.values():
    for m in c.get("mountPoints", []):
        if m["sourceVolume"] not in vols:
            err("%s mounts an undeclared volume" % c["name"])
if app.get("entryPoint", [])[-2:] != ["withsecrets", "--"]:
    err("the app's entryPoint does not end with withsecrets --")
if not any(v.startswith("aws-sm:") for v in penv.values()):
    err("the app has no aws-sm: reference")
ini = configparser.ConfigParser(comment_prefixes=(";", "#"))
ini.read(sys.argv[3])
st = ini["store aws-sm"] if ini.has_section("store aws-sm") else {}
if st.get("type") != "aws-sm":
    err("withsecrets.ini: no [store aws-sm] of type aws-sm")
out("via", st.get("via", ""))
out("tokenfile", st.get("token-file", ""))
EOF
is "$(grep '^error: ' aws.facts)" "" "contrib/aws-sm: the files parse and fit together"
af() { awk -F'\t' -v k="$1" '$1 == k { print $2; exit }' "$T/aws.facts"; }
if grep -q $'^skip\ttoml' aws.facts; then
	skip_one "config.toml's port is withsecrets.ini's" "this python3 has no tomllib (3.11 or later)"
else
	is "$(af via)" "http://127.0.0.1:$(af port)" "withsecrets.ini's via is the agent's port"
	is "$(af tokenvars)" AWS_TOKEN "the agent reads its token from AWS_TOKEN only"
fi
is "$(af tokenfile)" /var/run/awssmatoken "token-file: the agent's install script's file (EC2)"

# ============================================================ with the stores
# The set-ups' commands against the stand-ins, when this build has the
# stores (SPEC §13: --version lists the store types it has).
version=$("$WS" --version 2>&1)
hex32() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
start() {	# start NAME SCRIPT ARGS...: a stand-in (standins.sh); ADDR once ready
	standin "$1" "$2" --lifetime 300 "${@:3}"
}
if ! grep -qw vault <<<"$version"; then
	skip_one "app-vault.service's ExecStart against the Vault stand-in" \
	    "this build has no vault store (withsecrets --version)"
else
	# The unit's command, its socket under $T, with a production .env.
	db=$(hex32)
	mkdir -p run/vault wd
	printf '{"mounts": {"secret": {"version": 2, "secrets": {"app/production": {"db_password": "%s"}}}}}\n' \
	    "$db" >vault.json
	start vault vault_standin.py --listen "unix:$T${sock}" --data vault.json \
	    --require-request-header --log vault.log
	printf 'DB_PASSWORD=vault:secret/data/app/production#db_password\n' \
	    >wd/.env.production
	envs=()
	while IFS= read -r e; do envs+=("${e/unix:\//unix:$T/}"); done \
	    < <(unit_value "$APP_UNIT" Environment)
	cd wd || exit 99
	ws "${envs[@]}" --no-config --no-default-secrets-dirs -- env -0
	cd "$T" || exit 99
	is_rc 0 "app-vault.service's command reads through the agent's socket"
	is_var DB_PASSWORD "$db" "the reference is replaced by the value"
	no_leak "$db" "and the value is not printed" stdout-is-env
	grep -q '"X-Vault-Request": "true"' vault.log
	ok $? "withsecrets sent X-Vault-Request (the listeners require it)"
fi
if ! grep -qw aws-sm <<<"$version"; then
	skip_one "contrib/aws-sm/withsecrets.ini against the agent's stand-in" \
	    "this build has no aws-sm store (withsecrets --version)"
else
	tok=$(hex32)
	printf '%s' "$tok" >awssmatoken
	chmod 0600 awssmatoken
	pw=$(hex32)
	printf '{"secrets": {"prod/app/db": "{\\"password\\": \\"%s\\"}"}}\n' "$pw" >aws.json
	start aws awssm_standin.py --listen tcp:127.0.0.1:0 --data aws.json \
	    --token "$tok" --log aws.log
	sed -e "s#^via .*#via = $ADDR#" -e "s#^token-file .*#token-file = $T/awssmatoken#" \
	    "$AWS/withsecrets.ini" >aws.ini
	ws ENVIRONMENT=production DB_PASSWORD=aws-sm:prod/app/db#password \
	    --config "$T/aws.ini" --no-default-secrets-dirs -- env -0
	is_rc 0 "withsecrets.ini's [store aws-sm] reads through the agent"
	is_var DB_PASSWORD "$pw" "the key of the JSON SecretString"
	no_leak "$pw" "and the value is not printed" stdout-is-env
	no_leak "$tok" "nor the agent's token" stdout-is-env
fi

done_testing
