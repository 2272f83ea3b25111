#!/usr/bin/env bash
# build-stage.sh DOCKERFILE CACHE: run the build stage of DOCKERFILE (the
# stage "AS build") as written, in a clean Debian 12 root, as a Docker
# engine would run it on debian:bookworm-slim: each RUN in order, as
# root, in WORKDIR, with ARG defaults in the environment, on a copy of the
# build context (the tracked files of this tree: what
# Dockerfile.dockerignore lets through), then check what the runtime
# stage copies.  For a runtime stage FROM scratch (Dockerfile.static) it
# also assembles that root from the COPY lines and runs its ENTRYPOINT.
#
# The root comes from debootstrap --variant=minbase (close to
# bookworm-slim), with this machine's apt mirror, made once under CACHE
# and copied for each run.  Needs root, debootstrap and the network to
# the mirror; skips (exit 77) otherwise.  Used by .ci/run, not make check.
set -euo pipefail
df=$(realpath "$1")
cache=$(realpath -m "$2")
top=$(cd "$(dirname "$0")/../.." && pwd)
say() { echo "build-stage: $*"; }
skip() { say "SKIP: $*"; exit 77; }

[ "$(id -u)" -eq 0 ] || skip "needs root (debootstrap, chroot)"
command -v debootstrap >/dev/null 2>&1 || skip "debootstrap is not installed"
command -v git >/dev/null 2>&1 || skip "git is not installed"

# The mirror apt uses here (deb822 URIs: or a one-line deb entry).
mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
    sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\)\/*$/\1/p' | head -n 1)
[ -n "$mirror" ] || mirror=$(sed -n 's/^deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]*\)\{0,1\}\([^[:space:]]*\/debian\)\/*[[:space:]].*/\2/p' \
    /etc/apt/sources.list 2>/dev/null | head -n 1)
[ -n "$mirror" ] || skip "no Debian mirror in /etc/apt/sources.list*"

base=$cache/bookworm-minbase
if [ ! -f "$base/.complete" ]; then
	say "debootstrap bookworm from $mirror into $base"
	rm -rf "$base"
	mkdir -p "$cache"
	debootstrap --variant=minbase bookworm "$base" "$mirror" \
	    >"$cache/debootstrap.log" 2>&1 || {
		tail -n 20 "$cache/debootstrap.log"
		say "debootstrap failed"; exit 1; }
	# the image's apt sources: the same mirror, updates and security
	if [ -f /etc/apt/sources.list.d/debian.sources ]; then
		rm -f "$base/etc/apt/sources.list"
		cp /etc/apt/sources.list.d/debian.sources "$base/etc/apt/sources.list.d/"
	fi
	apt-get -q clean 2>/dev/null || :
	rm -rf "$base/var/cache/apt/archives/"*.deb
	touch "$base/.complete"
fi

# dockerfile_lines: one instruction a line, continuations joined,
# comments dropped, each prefixed by its stage (build or runtime) and a tab.
dockerfile_lines() {
	awk '
	function flush() { if (cur != "") { print stage "\t" cur; cur = "" } }
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
	END { flush() }' "$df"
}
lines=$(dockerfile_lines)
build=$(grep '^build	' <<<"$lines" | cut -f2-)
runtime=$(grep '^runtime	' <<<"$lines" | cut -f2- || :)
grep -qx 'FROM debian:bookworm-slim AS build' <<<"$build" ||
    { say "the build stage is not FROM debian:bookworm-slim AS build"; exit 1; }

root=$cache/root.$(basename "$df")
cleanup() {
	if mountpoint -q "$root/proc" 2>/dev/null; then umount "$root/proc" || umount -l "$root/proc"; fi
	if mountpoint -q "$root/proc" 2>/dev/null; then
		say "$root/proc is still mounted: not removing $root"
	else
		rm -rf "$root"
	fi
}
trap cleanup EXIT
cleanup
cp -a "$base" "$root"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || :
mount -t proc proc "$root/proc"

workdir=/
envs=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
    HOME=/root DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8)
n=0
while IFS= read -r ins; do
	case $ins in
	FROM*) ;;
	"WORKDIR "*) workdir=${ins#WORKDIR }; mkdir -p "$root$workdir" ;;
	"ARG "*=*) a=${ins#ARG }; envs+=("$a") ;;
	"ENV "*=*) envs+=("${ins#ENV }") ;;
	"COPY . .")
		# the context: the tracked files of this tree, as they are
		(cd "$top" && git ls-files -z | tar --null -T - -cf -) |
		    tar -xf - -C "$root$workdir"
		;;
	"RUN "*)
		n=$((n + 1))
		cmd=${ins#RUN }
		say "RUN $cmd"
		start=$(date +%s)
		if ! chroot "$root" /usr/bin/env -i "${envs[@]}" /bin/sh -c \
		    "cd '$workdir' && $cmd" >"$cache/run.$(basename "$df").$n.log" 2>&1; then
			tail -n 60 "$cache/run.$(basename "$df").$n.log"
			grep -E '^(FAIL|ERROR|# [A-Z]+:)' \
			    "$cache/run.$(basename "$df").$n.log" | head -n 40 || :
			say "FAILED: RUN $cmd"
			exit 1
		fi
		grep -E '^(# [A-Z]+:|SKIP:)' "$cache/run.$(basename "$df").$n.log" || :
		say "ok ($(($(date +%s) - start)) s)"
		;;
	*) say "unknown instruction in the build stage: $ins"; exit 1 ;;
	esac
done <<<"$build"

# What the runtime stage copies from the build stage is there.
status=0
while IFS= read -r ins; do
	set -- $ins
	[ "$2" = --from=build ] || continue
	if [ -e "$root$3" ]; then say "ok: COPY --from=build $3"; else
		say "missing: COPY --from=build $3"; status=1; fi
done < <(grep '^COPY --from=build ' <<<"$runtime" || :)
[ "$status" -eq 0 ] || exit 1

# A runtime stage FROM scratch: build that root, run the image.
if grep -qx 'FROM scratch' <<<"$runtime"; then
	img=$cache/image.$(basename "$df")
	rm -rf "$img"
	mkdir -p "$img"
	chmod 0755 "$img"
	uid=0 wd=/ ienvs=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
	entry='' cmdj=''
	while IFS= read -r ins; do
		set -- $ins
		case $1 in
		FROM) ;;
		COPY)
			if [ "$2" = --from=build ]; then src=$root$3 dst=$4; else src=$top/$2 dst=$3; fi
			mkdir -p "$img$(dirname "$dst")"
			cp -p "$src" "$img$dst"
			;;
		RUN)
			# exec form: ["prog", "arg", ...]
			mapfile -t w < <(sed -e 's/^RUN \[//' -e 's/\][[:space:]]*$//' <<<"$ins" |
			    tr ',' '\n' | sed -e 's/^[[:space:]]*"//' -e 's/"[[:space:]]*$//')
			chroot "$img" "${w[@]}"
			;;
		USER) uid=$2 ;;
		WORKDIR) wd=$2; mkdir -p "$img$wd" ;;
		ENV) ienvs+=("${ins#ENV }") ;;
		ENTRYPOINT) entry=${ins#ENTRYPOINT } ;;
		CMD) cmdj=${ins#CMD } ;;
		*) say "unknown instruction in the runtime stage: $ins"; exit 1 ;;
		esac
	done <<<"$runtime"
	words() { sed -e 's/^\[//' -e 's/\][[:space:]]*$//' <<<"$1" | tr ',' '\n' |
	    sed -e 's/^[[:space:]]*"//' -e 's/"[[:space:]]*$//'; }
	mapfile -t argv < <(words "$entry"; words "$cmdj")
	mkdir -p "$img/run/secrets"
	for s in secret_key api_token db_password; do
		head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$img/run/secrets/$s"
	done
	chmod 0755 "$img/run" "$img/run/secrets"
	chmod 0444 "$img/run/secrets/"*
	say "docker run: ${argv[*]} (as $uid, in $wd, only $(find "$img" -type f | wc -l) files in the root)"
	out=$(chroot --userspec="$uid" "$img" /bin/env -i "${ienvs[@]}" \
	    /bin/sh -c 'cd "$0" && exec "$@"' "$wd" "${argv[@]}" 2>&1) || {
		echo "$out"; say "the image's entry point failed"; exit 1; }
	echo "$out"
	grep -qE 'SECRET_KEY +64 characters' <<<"$out" ||
	    { say "the application did not get SECRET_KEY"; exit 1; }
	rm -rf "$img"
fi
say "done: $(basename "$df")"
