#!/usr/bin/env bash
# The module graph goes one way (HACKING.md): a module uses only modules
# of lower layers, never one of its own layer or above, so there is no
# cycle.  Read from the built objects: who defines each symbol (nm), and
# who uses it.  A module missing from the table below is a failure too:
# a new module is given its layer here and in HACKING.md.
set -u
LAYERS=(
	"util unicode_names secmem ere"		# 0 base
	"out names vars http json via refs"	# 1 output, names, the store; a store agent's HTTP, JSON, address; references
	"diag policy dirlist"			# 2 findings, the policy as data, listings
	"file values frozen builtin opts gen-value config-words"	# 3 reader, judgments, options
	"config-keys interp inherit secretdir supervise-options"	# 4 parsers and sources; supervision's option values
	"config dotenv"				# 5 loaders
	"example"				# 6 declarations
	"resolve stores"			# 7 NAME_FILE; secret stores
	"layers effective stores-fetch"		# 8 .env layers; what wins; a store's requests and answers
	"rules envbuild report exec gen-write audit handoff"	# 9 the last steps
	"gen supervise"				# 10 gen; --init, --watch
	"main withsecrets-main withsecrets_full-main gen-builtin"	# 11 programs
)
objdir=${WS_BUILDDIR:-.}/src
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi; }

command -v nm >/dev/null 2>&1 || { echo "1..0 # SKIP nm (binutils) is not installed"; exit 0; }
shopt -s nullglob
objs=("$objdir"/*.o)
[ ${#objs[@]} -gt 0 ] || { echo "1..0 # SKIP no objects in $objdir (build first)"; exit 0; }

declare -A layer
for i in "${!LAYERS[@]}"; do
	for m in ${LAYERS[$i]}; do layer[$m]=$i; done
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ws-modgraph.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# "symbol module" for every definition, then "module symbol" for every use
for o in "${objs[@]}"; do
	m=$(basename "$o" .o)
	nm "$o" | awk -v m="$m" 'NF == 3 && $2 ~ /^[TDBRCGSV]$/ { print $3, m }' >>"$tmp/defs"
	nm "$o" | awk -v m="$m" 'NF == 2 && $1 == "U" { print $2, m }' >>"$tmp/uses"
done
sort -u -k1,1 "$tmp/defs" >"$tmp/defs.s"
sort -k1,1 "$tmp/uses" >"$tmp/uses.s"
# "user definer" edges between modules
join "$tmp/uses.s" "$tmp/defs.s" | awk '$2 != $3 { print $2, $3 }' | sort -u >"$tmp/edges"

echo "1..$((${#objs[@]} + 1))"
unlisted=
for o in "${objs[@]}"; do
	m=$(basename "$o" .o)
	[ -n "${layer[$m]:-}" ] || unlisted="$unlisted $m"
done
ok "$([ -z "$unlisted" ]; echo $?)" "every module has a layer${unlisted:+ (missing:$unlisted)}"
for o in "${objs[@]}"; do
	m=$(basename "$o" .o)
	bad=
	while read -r user definer; do
		[ "$user" = "$m" ] || continue
		if [ -z "${layer[$definer]:-}" ] || [ -z "${layer[$m]:-}" ] ||
		    [ "${layer[$definer]}" -ge "${layer[$m]}" ]; then
			bad="$bad $definer"
		fi
	done <"$tmp/edges"
	ok "$([ -z "$bad" ]; echo $?)" "$m (layer ${layer[$m]:-?}) uses only lower layers${bad:+ (not:$bad)}"
done
exit $failed
