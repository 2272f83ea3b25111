#!/usr/bin/env bash
# contrib/docker: no Docker engine runs here, so this test does what the
# engine would do with the parts that can run without one.
#  - The build stage's RUN commands run, as written, on a copy of the tree
#    made as BuildKit makes the build context (Dockerfile.dockerignore),
#    and leave the files the runtime stage copies.
#  - The runtime stage's packages are the ones the built binary links with.
#  - compose.yaml is valid YAML with what the Compose specification needs.
#  - The image's ENTRYPOINT and CMD, with the Dockerfile's ENV and the
#    service's environment, run on a directory laid out as Compose lays
#    out /run/secrets.
. "$WS_SRCDIR/tests/e2e/lib.sh"

D=$WS_SRCDIR/contrib/docker
DF=$D/Dockerfile

# ------------------------------------------------------- the Dockerfile
# dockerfile_lines: one instruction a line, continuations joined,
# comments and blank lines dropped, prefixed with the stage's name
# ("build" or "runtime") and a tab.
dockerfile_lines() {
	awk '
	function flush() {
		if (cur != "") { print stage "\t" cur; cur = "" }
	}
	/^[ \t]*#/ && cur == "" { next }
	/^[ \t]*$/ { next }
	{
		line = $0
		sub(/^[ \t]+/, "", line)
		cont = sub(/[ \t]*\\$/, "", line)
		cur = (cur == "" ? line : cur " " line)
		if (cont) next
		if (toupper(substr(cur, 1, 5)) == "FROM ")
			stage = (cur ~ / [Aa][Ss] build$/) ? "build" : "runtime"
		flush()
	}
	END { flush() }' "$DF"
}
dockerfile_lines >lines
grep -c . lines >/dev/null || { echo "Bail out! cannot read $DF"; exit 99; }

stage_of() { grep "^$1	" lines | cut -f2-; }
stage_of build >build.lines
stage_of runtime >runtime.lines

grep -qx 'FROM debian:bookworm-slim AS build' build.lines
ok $? "the build stage is debian:bookworm-slim AS build"
grep -qx 'FROM debian:bookworm-slim' runtime.lines
ok $? "the runtime stage is debian:bookworm-slim"
grep -qxF 'ENTRYPOINT ["tini", "--", "withsecrets", "--"]' runtime.lines
ok $? "ENTRYPOINT is tini -- withsecrets --"
grep -qxF 'ENV ENVIRONMENT=production' runtime.lines
ok $? "ENV ENVIRONMENT=production"
grep -q '^CMD \[' runtime.lines
ok $? "a CMD in exec form"
grep -q '^USER ' runtime.lines && ! grep -qE '^USER (root|0)$' runtime.lines
ok $? "the application does not run as root"

# json_words JSON: the words of an exec-form array, one a line.
json_words() {
	python3 -c 'import json, sys; print("\n".join(json.loads(sys.argv[1])))' "$1"
}

# apt_packages FILE: the packages of the apt-get install in FILE.
apt_packages() {
	sed -n 's/.*apt-get install \([^&]*\).*/\1/p' "$1" | tr ' ' '\n' |
	    grep -v '^-' | grep -v '^$'
}
apt_packages build.lines >build.pkgs
apt_packages runtime.lines >runtime.pkgs
for p in build-essential autoconf automake pkg-config libsodium-dev \
    libinih-dev; do
	grep -qx "$p" build.pkgs || echo "$p"
done >missing
is "$(cat missing)" "" "the build stage installs the build dependencies"
for p in libsodium23 libinih1 tini; do
	grep -qx "$p" runtime.pkgs || echo "$p"
done >missing
is "$(cat missing)" "" "the runtime stage installs libsodium23 libinih1 tini"
if command -v dpkg-query >/dev/null 2>&1; then
	# This machine built withsecrets, so it has the build stage's
	# packages: the list names real packages that suffice.
	: >missing
	while read -r p; do
		dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null |
		    grep -q ' installed$' || echo "$p" >>missing
	done <build.pkgs
	is "$(cat missing)" "" "the build stage's packages are the ones this build used"
else
	ok 0 "# SKIP dpkg-query is not installed (not Debian)"
fi

# ------------------------------------------------ Dockerfile.static
# Its build stage is run as written by tests/ci/build-stage.sh (CI, in a
# debootstrapped root); here, what users copy from it.
DFS=$D/Dockerfile.static
grep -qx 'FROM debian:bookworm-slim AS build' "$DFS"
ok $? "Dockerfile.static: the build stage is debian:bookworm-slim AS build"
grep -q -- '--enable-static-binary' "$DFS"
ok $? "Dockerfile.static: configure --enable-static-binary"
grep -qx 'FROM scratch' "$DFS" &&
    grep -qx 'COPY --from=build /withsecrets /usr/local/bin/withsecrets' "$DFS"
ok $? "Dockerfile.static: COPY --from=build /withsecrets into FROM scratch"
grep -q 'LD_PRELOAD' "$DFS" && grep -q 'LD_PRELOAD' "$WS_SRCDIR/README.md"
ok $? "the static binary's trade-off (LD_PRELOAD) is stated where users choose"
grep -q '^USER [1-9]' "$DFS"
ok $? "Dockerfile.static: the application does not run as root"
# BuildKit reads DOCKERFILE.dockerignore next to each Dockerfile.
is "$(grep -v '^#' "$DFS.dockerignore")" "$(grep -v '^#' "$DF.dockerignore")" \
    "Dockerfile.static.dockerignore sends what Dockerfile.dockerignore sends"

# ----------------------------------------------- the build stage, for real
# copy_context SRC DST: copy SRC as BuildKit sends it (Dockerfile.dockerignore
# next to the Dockerfile: patterns match from the top of the context,
# "**" any number of directories, the last matching pattern decides, "!"
# re-includes), leaving out a build directory inside SRC (distcheck's).
copy_context() {
	python3 - "$1" "$2" "$D/Dockerfile.dockerignore" "${3:-}" <<'EOF'
import os, re, shutil, sys
src, dst, ignore, extra = sys.argv[1:5]

def compile(p):
    rx = ''
    i = 0
    while i < len(p):
        if p.startswith('**', i):
            rx += '.*'
            i += 2
            if p.startswith('/', i):
                rx = rx[:-2] + '(?:.*/)?'
                i += 1
        elif p[i] == '*':
            rx += '[^/]*'
            i += 1
        elif p[i] == '?':
            rx += '[^/]'
            i += 1
        else:
            rx += re.escape(p[i])
            i += 1
    return re.compile(rx + r'\Z')

rules = []
for line in open(ignore):
    line = line.strip()
    if not line or line.startswith('#'):
        continue
    neg = line.startswith('!')
    pat = os.path.normpath(line.lstrip('!').lstrip('/'))
    rules.append((neg, compile(pat)))
for e in extra.split():
    rules.append((False, compile(e)))

def excluded(rel):
    parts = rel.split('/')
    out = False
    for neg, rx in rules:
        # A pattern excludes a path or any directory above it.
        if any(rx.match('/'.join(parts[:n])) for n in range(1, len(parts) + 1)):
            out = not neg
    return out

for root, dirs, files in os.walk(src):
    relroot = os.path.relpath(root, src)
    relroot = '' if relroot == '.' else relroot + '/'
    for name in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
        rel = relroot + name
        if excluded(rel):
            continue
        os.makedirs(os.path.join(dst, relroot), exist_ok=True)
        shutil.copy2(os.path.join(src, rel), os.path.join(dst, rel),
                     follow_symlinks=False)
EOF
}

need=
for tool in python3 autoreconf make cc pkg-config; do
	command -v "$tool" >/dev/null 2>&1 || need="$need $tool"
done
if [ -n "$need" ]; then
	ok 0 "# SKIP the build stage needs:$need"
elif [ -n "${WS_IN_DOCKER_TEST:-}" ]; then
	ok 0 "# SKIP already inside the build stage's own test"
elif [ -n "${WS_VALGRIND:-}" ]; then
	ok 0 "# SKIP the build stage does not run withsecrets (make check-valgrind)"
else
	# A build directory inside the source tree is not part of the context.
	extra=
	case $WS_BUILDDIR/ in
	"$WS_SRCDIR"/?*)
		rel=${WS_BUILDDIR#"$WS_SRCDIR"/}
		extra="${rel%%/*} _inst"
		;;
	esac
	copy_context "$WS_SRCDIR" "$T/src" "$extra"
	ok $? "the build context is copied as BuildKit sends it"
	test -f "$T/src/configure.ac" && test -f "$T/src/src/main.c" &&
	    test -f "$T/src/contrib/demo/app.sh" &&
	    test -f "$T/src/tests/unit/t_file.c" &&
	    ! test -e "$T/src/config.status" && ! test -e "$T/src/Makefile" &&
	    ! test -e "$T/src/withsecrets" &&
	    [ -z "$(find "$T/src" -name '*.o' -o -name .git | head -n 1)" ]
	ok $? "it has the sources and none of a configured tree"

	# Each RUN of the build stage, in order, from the context's copy
	# (WORKDIR /src), with the ARG STAGE given its value here.  The
	# apt-get line was checked above; "make check" is the suite this test
	# is part of, so it is not run a second time.
	grep '^RUN ' build.lines | sed 's/^RUN //' >build.runs
	n_runs=0
	status=0
	while IFS= read -r cmd; do
		case $cmd in
		apt-get*) continue ;;
		"make check") continue ;;
		esac
		n_runs=$((n_runs + 1))
		(cd "$T/src" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		    STAGE="$T/stage" WS_IN_DOCKER_TEST=1 sh -c "$cmd") \
		    </dev/null >"$T/build.$n_runs.log" 2>&1 || {
			status=$?
			echo "# RUN failed: $cmd"
			tail -n 20 "$T/build.$n_runs.log" | sed 's/^/#   /'
			break
		}
	done <build.runs
	is "$status" 0 "the build stage's RUN commands succeed ($n_runs run)"
	grep -qx 'make check' build.runs
	ok $? "the build stage runs make check"
	grep -q '^ARG STAGE=/stage$' build.lines
	ok $? "STAGE defaults to /stage"

	bin=$T/stage/usr/bin/withsecrets
	run "$bin" --version
	is "$(head -n 1 "$T/out")" "withsecrets $(sed -n 's/^AC_INIT(\[withsecrets\], \[\([^]]*\)\].*/\1/p' "$WS_SRCDIR/configure.ac")" \
	    "the staged binary runs and says its version"
	run "$bin" -- sh -c 'echo ran'
	is "$(cat "$T/out")" ran "the staged binary execs a command"

	# Every COPY of the runtime stage has its source: from the build
	# stage's files, or from the context (and not ignored).
	while IFS= read -r line; do
		set -- $line
		shift
		from=
		case $1 in
		--from=*) from=${1#--from=}; shift ;;
		esac
		src=$1
		if [ "$from" = build ]; then
			test -e "$T$src"
			ok $? "COPY --from=build $src exists after make install"
		else
			test -e "$T/src/$src"
			ok $? "COPY $src is in the build context"
		fi
	done < <(grep '^COPY ' runtime.lines)

	# The runtime stage has what the binary links with.
	if command -v ldd >/dev/null 2>&1 && command -v dpkg >/dev/null 2>&1; then
		: >missing
		for lib in $(ldd "$bin" | awk '/=>/ { print $3 }'); do
			pkg=$( (dpkg -S "$lib" || dpkg -S "$(realpath "$lib")") \
			    2>/dev/null | head -n 1 | cut -d: -f1)
			case $pkg in
			libc6) ;;
			"") echo "$lib (no package)" >>missing ;;
			*) grep -qx "$pkg" runtime.pkgs || echo "$pkg" >>missing ;;
			esac
		done
		is "$(cat missing)" "" "the runtime stage installs every library the binary needs"
	else
		ok 0 "# SKIP ldd or dpkg is not installed"
	fi
fi

# -------------------------------------------------------- compose.yaml
if ! python3 -c 'import yaml' 2>/dev/null; then
	ok 0 "# SKIP PyYAML is not installed (Debian package python3-yaml)"
	done_testing
fi

# compose_facts: what this test needs from compose.yaml, checked against
# the Compose specification's rules on the way; "error: ..." lines for
# each rule broken.
python3 - "$D/compose.yaml" >facts <<'EOF'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
def err(m): print("error: " + m)
if not isinstance(doc, dict):
    err("not a mapping"); sys.exit()
services = doc.get("services")
if not isinstance(services, dict) or not services:
    err("no services mapping"); sys.exit()
top = doc.get("secrets") or {}
for name, s in top.items():
    if not isinstance(s, dict) or not any(k in s for k in ("file", "environment", "external")):
        err("secret %s has no file" % name)
    if "file" not in s:
        err("secret %s is not file-based" % name)
for name, svc in services.items():
    if not isinstance(svc, dict) or not ("image" in svc or "build" in svc):
        err("service %s has neither image nor build" % name)
    b = svc.get("build")
    if isinstance(b, dict) and "context" not in b:
        err("service %s: build without context" % name)
    env = svc.get("environment") or {}
    if isinstance(env, list):
        env = dict(e.split("=", 1) for e in env)
    for s in svc.get("secrets") or []:
        src = s if isinstance(s, str) else s.get("source")
        if src not in top:
            err("service %s uses undeclared secret %s" % (name, src))
    for k, v in env.items():
        if k.endswith("_FILE") and not str(v).startswith("/run/secrets/"):
            err("service %s: %s does not point into /run/secrets" % (name, k))
    if name != "app":
        continue
    b = svc.get("build") or {}
    print("build\t%s\t%s" % (b.get("context", ""), b.get("dockerfile", "Dockerfile")))
    for k, v in env.items():
        print("env\t%s\t%s" % (k, v))
    for s in svc.get("secrets") or []:
        src = s if isinstance(s, str) else s.get("source")
        tgt = src if isinstance(s, str) else s.get("target", src)
        print("secret\t%s\t%s\t%s" % (src, tgt, top.get(src, {}).get("file", "")))
EOF
is "$(grep '^error: ' facts)" "" "compose.yaml follows the Compose specification's rules"
grep -q '^secret	' facts
ok $? "the app service uses file-based secrets"
grep -qE '^env	[A-Z_]+_FILE	/run/secrets/' facts
ok $? "and a NAME_FILE variable pointing into /run/secrets"
grep -qx 'env	ENVIRONMENT	production' facts
ok $? "ENVIRONMENT=production in the service"
ctx=$(awk -F'\t' '$1 == "build" { print $2 }' facts)
dfile=$(awk -F'\t' '$1 == "build" { print $3 }' facts)
[ "$(cd "$D/$ctx" 2>/dev/null && pwd)" = "$(cd "$WS_SRCDIR" && pwd)" ] &&
    [ "$dfile" = contrib/docker/Dockerfile ]
ok $? "the build context is the repository, with contrib/docker/Dockerfile"
grep -qx '/secrets/' "$D/.gitignore" && grep -qx contrib/docker/secrets \
    "$D/Dockerfile.dockerignore"
ok $? "the secret files are neither committed nor sent to the build"

# ------------------------------------ the image's entry point, on /run/secrets
# Compose mounts each secret file at /run/secrets/TARGET with the host
# file's mode; "openssl rand -hex 32 >file" makes it 0644.
mkdir -p run/secrets srv
hex32() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
declare -A VALUE
while IFS=$'\t' read -r kind src tgt _; do
	[ "$kind" = secret ] || continue
	VALUE[$tgt]=$(hex32)
	printf '%s\n' "${VALUE[$tgt]}" >"run/secrets/$tgt"
	chmod 0644 "run/secrets/$tgt"
done <facts

# The environment: the Dockerfile's ENV, then the service's (which wins);
# paths into /run/secrets lead to the directory made here.
envs=()
while IFS= read -r line; do
	envs+=("${line#ENV }")
done < <(grep '^ENV ' runtime.lines)
while IFS=$'\t' read -r kind k v; do
	[ "$kind" = env ] || continue
	envs+=("$k=${v//\/run\/secrets\//$T\/run\/secrets\/}")
done <facts

# The entry point, with withsecrets told to read the directory made here
# instead of /run/secrets (and no policy file from this machine).
mapfile -t entry < <(json_words "$(sed -n 's/^ENTRYPOINT //p' runtime.lines)")
mapfile -t cmd < <(json_words "$(sed -n 's/^CMD //p' runtime.lines)")
argv=()
for w in "${entry[@]}"; do
	case $w in
	tini)
		if command -v tini >/dev/null 2>&1; then argv+=(tini); else
			skip_tini=1; fi
		;;
	withsecrets)
		argv+=("$WS" --no-config --no-default-secrets-dirs \
		    -s "$T/run/secrets")
		;;
	--)
		if [ -n "${skip_tini:-}" ] && [ ${#argv[@]} -eq 0 ]; then
			continue
		fi
		argv+=(--)
		;;
	*)	argv+=("$w") ;;
	esac
done

# tini is PID 1 in a container; here it is not, and would say so.
[ -n "${skip_tini:-}" ] || envs+=(TINI_SUBREAPER=1)

cd srv || exit 99
# docker compose run app env -0: what the application gets.
ws_entry() { run "${BASE_ENV[@]}" "${envs[@]}" "${argv[@]}" "$@"; }
ws_entry env -0
is_rc 0 "the entry point runs the command in production"
for tgt in "${!VALUE[@]}"; do
	name=$(printf '%s' "$tgt" | tr 'a-z.-' 'A-Z__')
	is_var "$name" "${VALUE[$tgt]}" "/run/secrets/$tgt is $name"
done
while IFS=$'\t' read -r kind k v; do
	[ "$kind" = env ] || continue
	case $k in
	*_FILE)
		is_var "${k%_FILE}" "${VALUE[${v#/run/secrets/}]}" \
		    "$k=$v gives ${k%_FILE} that file's content"
		unset_var "$k" "and $k itself is gone"
		;;
	*)	is_var "$k" "$v" "the service's $k" ;;
	esac
done <"$T/facts"
for tgt in "${!VALUE[@]}"; do
	no_leak "${VALUE[$tgt]}" "no value of $tgt printed" stdout-is-env
done

# The image's own CMD: the program COPY put in /usr/local/bin.
app=$(sed -n 's#^COPY \([^-][^ ]*\) \(/.*\)$#\2 \1#p' "$T/runtime.lines" |
    awk -v want="${cmd[0]}" '$1 == want { print $2 }')
if [ -n "$app" ] && [ -x "$WS_SRCDIR/$app" ]; then
	ws_entry "$WS_SRCDIR/$app" "${cmd[@]:1}"
	is_rc 0 "the image's CMD runs"
	grep -qE 'SECRET_KEY +64 characters' "$T/out"
	ok $? "and receives the secrets"
	for tgt in "${!VALUE[@]}"; do
		no_leak "${VALUE[$tgt]}" "the CMD prints no value of $tgt"
	done
else
	ok 1 "CMD ${cmd[0]} is a program COPY puts in the image"
fi

# A short secret stops the container before the application starts.
printf 'short\n' >"$T/run/secrets/secret_key"
ws_entry env -0
is_rc 78 "a weak secret in /run/secrets stops the container"
stderr_has "SECRET_KEY" "and the message names it"
no_leak short "the refused value is not printed"

done_testing
