#!/usr/bin/env bash
# contrib/systemd, contrib/kubernetes and contrib/demo/.env.example: each
# example file is read as its platform reads it and its command is run on
# the directory that platform would give it.
. "$WS_SRCDIR/tests/e2e/lib.sh"

UNIT=$WS_SRCDIR/contrib/systemd/app.service
K8S=$WS_SRCDIR/contrib/kubernetes
hex32() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# =============================================================== systemd
# unit_values KEY: the values of KEY= in the unit, one a line.
unit_values() { sed -n "s/^$1=//p" "$UNIT"; }

exec_start=$(unit_values ExecStart)
case $exec_start in
"/usr/bin/withsecrets -- "?*) ok 0 "ExecStart=/usr/bin/withsecrets -- COMMAND" ;;
*) ok 1 "ExecStart=/usr/bin/withsecrets -- COMMAND (got: $exec_start)" ;;
esac
unit_values Environment | grep -qx 'ENVIRONMENT=production'
ok $? "Environment=ENVIRONMENT=production"
is "$(unit_values RestartPreventExitStatus)" 78 "RestartPreventExitStatus=78"
wd=$(unit_values WorkingDirectory)
case $wd in
/?*) ok 0 "WorkingDirectory= names the directory of the layers ($wd)" ;;
*) ok 1 "WorkingDirectory= names the directory of the layers (got: $wd)" ;;
esac
# The path the Debian package installs (debian/rules: --prefix=/usr) is
# the one ExecStart names.
if [ -f "$WS_SRCDIR/debian/rules" ]; then
	grep -q 'withsecrets' "$WS_SRCDIR/debian/control" &&
	    ! grep -q -- '--prefix' "$WS_SRCDIR/debian/rules"
	ok $? "the package installs /usr/bin/withsecrets (dh's --prefix=/usr)"
else
	ok 0 "# SKIP no debian/ in this tree"
fi
[ -n "$(unit_values LoadCredential)" ]
ok $? "LoadCredential= lines"
missing=
for d in NoNewPrivileges=yes ProtectSystem=strict PrivateTmp=yes \
    ProtectHome=yes PrivateDevices=yes CapabilityBoundingSet= \
    RestrictSUIDSGID=yes SystemCallFilter=@system-service; do
	grep -qx -- "$d" "$UNIT" || missing="$missing $d"
done
is "$missing" "" "the hardening directives"

# systemd-analyze verify checks every section, key and value; it also
# wants ExecStart's programs to exist, so the copy it reads names the
# binary under test and a stand-in for the application.
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir -p sd
	printf '#!/bin/sh\nexit 0\n' >sd/app
	chmod +x sd/app
	sed -e "s#^ExecStart=/usr/bin/withsecrets -- [^ ]*#ExecStart=$WS -- $T/sd/app#" \
	    "$UNIT" >sd/app.service
	run systemd-analyze verify --man=no sd/app.service
	is_rc 0 "systemd-analyze verify"
	is "$(cat "$T/err" "$T/out")" "" "with nothing to say"
	# The check is real: a misspelt directive is reported.
	sed 's/^NoNewPrivileges=/NoNewPrivilegs=/' sd/app.service >sd/typo.service
	run systemd-analyze verify --man=no sd/typo.service
	stderr_has "Unknown key" "systemd-analyze verify reports a misspelt key"
	if systemd-analyze security --help 2>/dev/null | grep -q -- --offline; then
		run systemd-analyze security --offline=yes --threshold=20 \
		    --no-pager sd/app.service
		is_rc 0 "systemd-analyze security: exposure 2.0 or less"
	else
		ok 0 "# SKIP this systemd-analyze has no security --offline"
	fi
else
	ok 0 "# SKIP systemd-analyze is not installed (Debian package systemd)"
fi

# LoadCredential=: systemd copies each credential into a directory of its
# own (0500, files 0400) and sets CREDENTIALS_DIRECTORY.  Lay one out and
# run ExecStart's withsecrets on it with the unit's Environment=.
mkdir -p creds
declare -A CRED
while IFS= read -r spec; do
	id=${spec%%:*}
	CRED[$id]=$(hex32)
	printf '%s' "${CRED[$id]}" >"creds/$id"
	chmod 0400 "creds/$id"
done < <(unit_values LoadCredential)
chmod 0500 creds
envs=("CREDENTIALS_DIRECTORY=$T/creds")
while IFS= read -r e; do envs+=("$e"); done < <(unit_values Environment)

# ExecStart, with the application replaced by env -0 and no policy file
# from this machine.
read -r -a words <<<"$exec_start"
ws_args=("${words[@]:1}")
sep=
for i in "${!ws_args[@]}"; do
	[ "${ws_args[i]}" = -- ] && { sep=$i; break; }
done
unit_run() {	# unit_run: the unit's ExecStart, its application replaced,
	# in a directory standing for WorkingDirectory=
	cd "$T/wd" || exit 99
	ws "${envs[@]}" --no-config "${ws_args[@]:0:sep}" -- "$@"
	cd "$T" || exit 99
}
mkdir -p wd
printf 'LOG_LEVEL=info\n' >wd/.env
unit_run env -0
is_rc 0 "ExecStart runs the application with the credentials"
is_var LOG_LEVEL info "the .env of WorkingDirectory= is read"
for id in "${!CRED[@]}"; do
	name=$(printf '%s' "$id" | tr 'a-z.-' 'A-Z__')
	is_var "$name" "${CRED[$id]}" "credential $id is $name"
	no_leak "${CRED[$id]}" "credential $id is not printed" stdout-is-env
done
is_var CREDENTIALS_DIRECTORY "$T/creds" "CREDENTIALS_DIRECTORY is passed on"
is_var ENVIRONMENT production "Environment= reaches the application"

# A credential that the rules refuse ends the service with the status the
# unit does not restart on.
chmod 0700 creds
chmod 0600 creds/secret_key
printf 'too-short' >creds/secret_key
chmod 0400 creds/secret_key
chmod 0500 creds
unit_run env -0
is "$RC" "$(unit_values RestartPreventExitStatus)" \
    "a refused credential exits with RestartPreventExitStatus"
stderr_has SECRET_KEY "and names the credential"
no_leak too-short "without its value"
chmod 0700 creds

# ============================================================ Kubernetes
if ! python3 -c 'import yaml' 2>/dev/null; then
	ok 0 "# SKIP PyYAML is not installed (Debian package python3-yaml)"
else
	# k8s_facts: what the test needs from the two manifests, and an
	# "error: ..." line for each thing the API server would refuse or that
	# does not fit together.
	python3 - "$K8S/deployment.yaml" "$K8S/secret.yaml" \
	    "$WS_SRCDIR/contrib/docker/compose.yaml" >k8s.facts <<'EOF'
import json, sys, yaml
dep = yaml.safe_load(open(sys.argv[1]))
sec = yaml.safe_load(open(sys.argv[2]))
compose = yaml.safe_load(open(sys.argv[3]))
def err(m): print("error: " + m)
def out(*f): print("\t".join(str(x) for x in f))
if dep.get("apiVersion") != "apps/v1" or dep.get("kind") != "Deployment":
    err("deployment.yaml is not an apps/v1 Deployment")
if sec.get("apiVersion") != "v1" or sec.get("kind") != "Secret":
    err("secret.yaml is not a v1 Secret")
spec = dep["spec"]
labels = spec["template"]["metadata"]["labels"]
for k, v in spec["selector"]["matchLabels"].items():
    if labels.get(k) != v:
        err("the selector does not match the template's labels")
pod = spec["template"]["spec"]
(c,) = pod["containers"]
for k in ("name", "image"):
    if k not in c:
        err("the container has no " + k)
if c.get("image") != compose["services"]["app"]["image"]:
    err("the container's image is not the one contrib/docker builds")
vols = {v["name"]: v for v in pod.get("volumes", [])}
mounts = [m for m in c.get("volumeMounts", []) if "secret" in vols.get(m["name"], {})]
if len(mounts) != 1:
    err("not one Secret volume mounted")
m = mounts[0]
vs = vols[m["name"]]["secret"]
if vs["secretName"] != sec["metadata"]["name"]:
    err("the volume's secretName is not the Secret's name")
if not m.get("readOnly"):
    err("the Secret volume is not mounted readOnly")
out("mount", m["mountPath"])
out("mode", "%04o" % vs.get("defaultMode", 0o644))
out("fsgroup", pod.get("securityContext", {}).get("fsGroup", ""))
out("command", json.dumps(c.get("command", [])))
out("args", json.dumps(c.get("args", [])))
for e in c.get("env", []):
    out("env", e["name"], e["value"])
keys = list((sec.get("stringData") or {}).keys()) + list((sec.get("data") or {}).keys())
for k in keys:
    out("key", k, (sec.get("stringData") or {}).get(k, ""))
EOF
	is "$(grep '^error: ' k8s.facts)" "" "the manifests are well-formed and fit together"
	fact() { awk -F'\t' -v k="$1" '$1 == k { print $2 }' "$T/k8s.facts"; }
	mount=$(fact mount)
	mode=$(fact mode)
	mapfile -t command < <(python3 -c 'import json,sys; print("\n".join(json.loads(sys.argv[1])))' "$(fact command)")
	case " ${command[*]} " in
	*" withsecrets -s $mount -- "*) ok 0 "the command is withsecrets -s $mount --" ;;
	*) ok 1 "the command is withsecrets -s $mount -- (got: ${command[*]})" ;;
	esac
	[ "${command[0]}" = tini ]
	ok $? "behind tini, as in the image's ENTRYPOINT"

	# layout DIR TS KEY=VALUE...: what the kubelet's atomic writer makes:
	# the files in a timestamped directory, ..data pointing at it, and
	# each key a symbolic link through ..data.
	layout() {
		local dir=$1 ts=$2 kv k
		shift 2
		mkdir -p "$dir/$ts"
		for kv; do
			k=${kv%%=*}
			printf '%s' "${kv#*=}" >"$dir/$ts/$k"
			chmod "$file_mode" "$dir/$ts/$k"
			[ -L "$dir/$k" ] || ln -s "..data/$k" "$dir/$k"
		done
		chmod 0755 "$dir/$ts"
		ln -s "$ts" "$dir/..data_tmp"
		mv -T "$dir/..data_tmp" "$dir/..data"
	}
	# The container's command on DIR: tini when installed, withsecrets
	# under test (without this machine's policy or secret directories),
	# the mount path mapped to DIR, and the Deployment's env.
	pod_run() {
		local dir=$1 w envs=()
		shift
		local argv=()
		for w in "${command[@]}"; do
			case $w in
			tini) command -v tini >/dev/null 2>&1 && argv+=(tini) ;;
			--) [ ${#argv[@]} -eq 0 ] || argv+=(--) ;;
			withsecrets) argv+=("$WS" --no-config --no-default-secrets-dirs) ;;
			"$mount") argv+=("$dir") ;;
			*) argv+=("$w") ;;
			esac
		done
		while IFS=$'\t' read -r kind k v; do
			[ "$kind" = env ] && envs+=("$k=$v")
		done <"$T/k8s.facts"
		command -v tini >/dev/null 2>&1 && envs+=(TINI_SUBREAPER=1)
		run "${BASE_ENV[@]}" "${envs[@]}" "${argv[@]}" "$@"
	}

	for file_mode in 0644 "$mode"; do
		rm -rf "$T/pod"
		kvs=()
		declare -A KV=()
		while IFS=$'\t' read -r kind k v; do
			[ "$kind" = key ] || continue
			KV[$k]=$(hex32)
			kvs+=("$k=${KV[$k]}")
		done <"$T/k8s.facts"
		layout "$T/pod" ..2026_01_01_00_00_00.000000001 "${kvs[@]}"
		pod_run "$T/pod" env -0
		is_rc 0 "files $file_mode: the container's command runs in production"
		for k in "${!KV[@]}"; do
			name=$(printf '%s' "$k" | tr 'a-z.-' 'A-Z__')
			is_var "$name" "${KV[$k]}" "files $file_mode: key $k is $name"
			no_leak "${KV[$k]}" "files $file_mode: $k not printed" stdout-is-env
		done
		if childnames | grep -qE '^__(DATA|2026)'; then ok 1 "$file_mode: ..data"; else
			ok 0 "files $file_mode: ..data and the timestamped directory give no variable"
		fi
	done

	# An update: the kubelet writes a new timestamped directory and swaps
	# ..data; the next start sees the new values.
	kvs=()
	for k in "${!KV[@]}"; do KV[$k]=$(hex32); kvs+=("$k=${KV[$k]}"); done
	layout "$T/pod" ..2026_01_02_00_00_00.000000002 "${kvs[@]}"
	rm -rf "$T/pod/..2026_01_01_00_00_00.000000001"
	pod_run "$T/pod" env -0
	is_rc 0 "after an update of the Secret"
	k=${!KV[*]}; k=${k%% *}
	is_var "$(printf '%s' "$k" | tr 'a-z.-' 'A-Z__')" "${KV[$k]}" \
	    "the new value is read through the swapped ..data"

	# The Secret as committed holds placeholders: applied unchanged, the
	# application does not start.
	rm -rf "$T/pod"
	kvs=()
	while IFS=$'\t' read -r kind k v; do
		[ "$kind" = key ] && kvs+=("$k=$v")
	done <"$T/k8s.facts"
	file_mode=0644
	layout "$T/pod" ..2026_01_01_00_00_00.000000001 "${kvs[@]}"
	pod_run "$T/pod" env -0
	is_rc 78 "the committed placeholders are refused in production"
	stderr_has "placeholder" "by the placeholder rule"

	# A link out of the mount (never made by the kubelet) is refused.
	rm -rf "$T/pod" "$T/outside"
	mkdir -p "$T/outside/ts"
	printf 'x' >"$T/outside/ts/db_password"
	layout "$T/pod" ..2026_01_01_00_00_00.000000001
	rm "$T/pod/..data"
	ln -s ../outside/ts "$T/pod/..data"
	ln -s ..data/db_password "$T/pod/db_password"
	pod_run "$T/pod" env -0
	is_rc 77 "a symbolic link that leaves the mount is refused"
fi

# ======================================================= the demo's example
EX=$WS_SRCDIR/contrib/demo/.env.example
test -f "$EX"
ok $? "contrib/demo/.env.example exists"
# example_names FILE: the names a .env file sets, one a line, sorted.
example_names() {
	sed -n 's/^[[:space:]]*\(export[[:space:]]\{1,\}\)\{0,1\}\([A-Za-z_][A-Za-z0-9_]*\)=.*/\2/p' "$1" |
	    LC_ALL=C sort -u
}
# The demo's application prints a line for each name it reads; all but
# ENVIRONMENT, the environment's name, which -e gives without setting it.
app_names=$(sed -n '/^for name in/,/; do/p' "$WS_SRCDIR/contrib/demo/app.sh" |
    sed -e 's/^for name in//' -e 's/; do//' -e 's/\\//' | tr ' ' '\n' |
    grep -v '^$' | grep -vx ENVIRONMENT | LC_ALL=C sort -u)
is "$(example_names "$EX")" "$app_names" \
    ".env.example declares the settings the demo's application reads"

# It is not a layer (the development run ignores it), and it states the
# production contract: every setting it names must be there.
demo() {	# demo [VAR=x...] VERB ARGS...: the demo's invocation (run.sh)
	local envs=()
	while [[ $1 == *=* ]]; do envs+=("$1"); shift; done
	ws "${envs[@]}" "$1" -C "$DEMO" --no-config --no-default-secrets-dirs \
	    -s "$DEMO/secrets" "${@:2}"
}
# The demo's files as run.sh copies them (umask 022): a checkout made
# under umask 002 has group-writable files, refused in production.
cp -R "$WS_SRCDIR/contrib/demo" demo-src
chmod -R u+rw,go-w demo-src
DEMO=$T/demo-src
demo check -e development
is_rc 0 "the demo checks clean in development"
demo check -e production
is_rc 78 "production stops the demo (DEBUG=true in .env)"
stderr_has "debug" "by the debug rule"
demo DEBUG=false check -e production
is_rc 0 "with DEBUG=false the demo meets .env.example's contract"
cp -R "$T/demo-src" demo-copy
chmod -R u+w demo-copy
rm demo-copy/secrets/api_token
DEMO=$T/demo-copy
demo DEBUG=false check -e production
is_rc 78 "production requires what .env.example declares"
stderr_has "API_TOKEN" "and names the missing setting"
stderr_has "required" "by the required rule"
DEMO=$T/demo-src

# make demo's script, unchanged, still passes with the example in place.
run sh "$WS_SRCDIR/contrib/demo/run.sh" "$WS"
is_rc 0 "contrib/demo/run.sh passes"
# ... whatever the modes of the checkout's files: under umask 002 a
# user's checkout is group-writable (make demo copies it first).
rm -rf demo-gw
cp -R "$WS_SRCDIR/contrib/demo" demo-gw
chmod -R g+w demo-gw
run sh demo-gw/run.sh "$WS"
is_rc 0 "contrib/demo/run.sh passes on group-writable files (umask 002)"
grep -q 'withsecrets exited 78' "$T/out"
ok $? "and production stops it by a rule (78), not by the files' modes"

done_testing
