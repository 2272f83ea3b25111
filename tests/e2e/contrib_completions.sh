#!/usr/bin/env bash
# The shell completions of contrib/completions: they parse, they offer
# every option of withsecrets --help and the values each option takes,
# and "make install" puts them where each shell looks, under the prefix.
. "$WS_SRCDIR/tests/e2e/lib.sh"

C=$WS_SRCDIR/contrib/completions
BASH_C=$C/bash/withsecrets
ZSH_C=$C/zsh/_withsecrets
FISH_C=$C/fish/withsecrets.fish

# The long options of the binary, from its own --help.
"$WS" --help >help.txt
help_opts=$(grep -oE -- '--[a-z][a-z-]+' help.txt | LC_ALL=C sort -u)
[ -n "$help_opts" ] || { echo "Bail out! no options in --help"; exit 99; }
# the options of gen are offered after "gen" (anywhere else they are a
# usage error): the files name them, and "withsecrets gen --" offers them
gen_opts="--dry-run --force --mode"
all_opts=$help_opts
help_opts=$(for o in $help_opts; do case " $gen_opts " in *" $o "*) ;; *) echo "$o" ;; esac; done)

# A directory to complete in: a file, a directory, a .env with keys.
mkdir -p work/secrets.d
: >work/layer.env
printf 'FROM_DOTENV=1\nexport EXPORTED_ONE=2\n# COMMENTED=3\n' >work/.env
cd work || exit 99

# ---------------------------------------------------------------- bash
run bash -n "$BASH_C"
is_rc 0 "bash: the completion parses"

# bcomp WORD...: the candidates the bash completion gives when the cursor
# ends the last WORD, one a line, sorted and unique.  It runs in a bash
# without the bash-completion package, unless BASHCOMP_FULL is set.
bcomp() {
	bash --norc --noprofile -c '
		[ -n "${BASHCOMP_FULL:-}" ] && . /usr/share/bash-completion/bash_completion
		. "$0" || exit 1
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		COMPREPLY=()
		_withsecrets withsecrets "${COMP_WORDS[COMP_CWORD]}" \
		    "${COMP_WORDS[COMP_CWORD - 1]}" || exit 1
		printf "%s\n" "${COMPREPLY[@]}"' "$BASH_C" "$@" | LC_ALL=C sort -u
}
# has LIST WORD...: every WORD is a line of LIST
has() {
	local l=$1 w
	shift
	for w; do grep -qxF -- "$w" <<<"$l" || return 1; done
}
lacks() {
	local l=$1 w
	shift
	for w; do grep -qxF -- "$w" <<<"$l" && return 1; done
	return 0
}

run bash --norc -c '. "$1" && complete -p withsecrets' _ "$BASH_C"
is_rc 0 "bash: it sources cleanly"
is "$(cat "$T/out")" "complete -F _withsecrets withsecrets" \
    "bash: complete -F _withsecrets withsecrets"

got=$(bcomp withsecrets '')
has "$got" check explain defaults --; ok $? "bash: the verbs and -- come first"

got=$(bcomp withsecrets --)
missing=
for o in $help_opts; do
	has "$got" "$o" || missing="$missing $o"
done
is "$missing" "" "bash: every long option of --help is offered"
extra=
for o in $(grep -E '^--' <<<"$got"); do
	[ "$o" = -- ] && continue
	grep -qxF -- "$o" <<<"$help_opts" || extra="$extra $o"
done
is "$extra" "" "bash: no option that --help does not list"
got=$(bcomp withsecrets gen --)
has "$got" $gen_opts; ok $? "bash: gen offers its options"
got=$(bcomp withsecrets -)
has "$got" -f -C -e -s -c -i -k -u -o -q -v -h -V
ok $? "bash: the short options too"

is "$(bcomp withsecrets --format '' | tr '\n' ' ')" "json text " \
    "bash: --format VALUE"
is "$(bcomp withsecrets --format = | tr '\n' ' ')" "json text " \
    "bash: --format=VALUE (readline splits at =)"
is "$(bcomp withsecrets --format = j)" "json" "bash: --format=j"
is "$(bcomp withsecrets --format=j)" "--format=json" \
    "bash: --format=j as one word"
got=$(bcomp withsecrets -e '')
has "$got" development production staging test
ok $? "bash: environment names for -e"
is "$(bcomp withsecrets -s '')" "secrets.d" "bash: -s completes directories only"
is "$(bcomp withsecrets --dir '')" "secrets.d" "bash: --dir completes directories only"
got=$(bcomp withsecrets -f '')
has "$got" layer.env secrets.d; ok $? "bash: -f completes files"
got=$(bcomp withsecrets check -c '')
has "$got" layer.env; ok $? "bash: check -c completes files"
got=$(bcomp withsecrets check --)
has "$got" --format --strict --env-file && lacks "$got" --
ok $? "bash: check takes the options, not --"
is "$(bcomp withsecrets defaults -)" "--help" "bash: defaults takes no option"
got=$(bcomp withsecrets explain '')
has "$got" FROM_DOTENV EXPORTED_ONE PATH && lacks "$got" COMMENTED
ok $? "bash: explain offers the names of .env and the environment"
is "$(bcomp withsecrets explain -C .. EXP)" "" \
    "bash: explain reads the .env of -C DIR"
got=$(bcomp withsecrets -- ech)
has "$got" echo; ok $? "bash: after -- the command names"
got=$(bcomp withsecrets -s secrets.d -- ech)
has "$got" echo; ok $? "bash: after options and --, the command names"
got=$(bcomp withsecrets -- env --)
lacks "$got" --format; ok $? "bash: the command's words are not ours"
if [ -r /usr/share/bash-completion/bash_completion ]; then
	got=$(BASHCOMP_FULL=1 bcomp withsecrets -- env --ignore-e)
	is "$got" "--ignore-environment" \
	    "bash: the command's own completion (bash-completion loaded)"
else
	ok 0 "# SKIP bash-completion is not installed"
fi

# ---------------------------------------------------------------- zsh
# zcomp LINE: the candidates zsh offers for LINE, one a line.  A real
# interactive zsh in a pseudo-terminal, with compinit and our file first
# in $fpath, records every match compadd is given.
zcomp() {
	rm -f "$T/zout"
	zsh -f "$T/zcomp.zsh" "$(dirname "$ZSH_C")" "$T/zout" "$1" 2>/dev/null
	grep -v '^<done>$' "$T/zout" 2>/dev/null | grep -v '^$' | LC_ALL=C sort -u
}
cat >"$T/zcomp.zsh" <<'EOF'
fdir=$1 out=$2 line=$3
zmodload zsh/zpty || exit 2
zpty z zsh -f -i
zpty -w z "fpath=(${(q)fdir} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z "_ct_show() { local -a __m; function compadd { builtin compadd -O __m \"\$@\"; print -rl -- \$__m >>${(q)out}; builtin compadd \"\$@\" }; _main_complete; unfunction compadd; print -r -- '<done>' >>${(q)out} }"
zpty -w z 'zle -C ct-complete complete-word _ct_show; bindkey "^X" ct-complete'
zpty -n -w z "$line"$'\C-X'
for i in {1..100}; do
  [[ -f $out ]] && grep -q '^<done>$' $out && break
  sleep 0.1
done
zpty -d z
EOF
if command -v zsh >/dev/null 2>&1; then
	run zsh -n "$ZSH_C"
	is_rc 0 "zsh: the completion parses"
	got=$(zcomp 'withsecrets ')
	has "$got" check explain defaults --; ok $? "zsh: the verbs and --"
	got=$(zcomp 'withsecrets --')
	missing=
	for o in $help_opts; do
		has "$got" "$o" || missing="$missing $o"
	done
	is "$missing" "" "zsh: every long option of --help is offered"
	got=$(zcomp 'withsecrets gen --')
	has "$got" $gen_opts; ok $? "zsh: gen offers its options"
	is "$(zcomp 'withsecrets --format=' | tr '\n' ' ')" "json text " \
	    "zsh: --format=VALUE"
	is "$(zcomp 'withsecrets -s ')" "secrets.d" "zsh: -s completes directories"
	got=$(zcomp 'withsecrets -f ')
	has "$got" layer.env; ok $? "zsh: -f completes files"
	got=$(zcomp 'withsecrets explain ')
	has "$got" FROM_DOTENV EXPORTED_ONE && lacks "$got" COMMENTED
	ok $? "zsh: explain offers the names of .env"
	is "$(zcomp 'withsecrets defaults --')" "--help" "zsh: defaults"
	got=$(zcomp 'withsecrets -s secrets.d -- ech')
	has "$got" echo; ok $? "zsh: after -- the command names"
	got=$(zcomp 'withsecrets -- env --ignore-e')
	is "$got" "--ignore-environment" "zsh: then the command's own completion"
else
	ok 0 "# SKIP zsh is not installed (Debian package zsh)"
fi
# Without zsh, at least every option is spelt in the file.
missing=
for o in $all_opts; do
	grep -qF -- "$o" "$ZSH_C" || missing="$missing $o"
done
is "$missing" "" "zsh: the file names every long option"

# ---------------------------------------------------------------- fish
fcomp() {	# fcomp LINE: candidates, descriptions removed
	# Not --no-config: that drops the other commands' completions too;
	# an empty home keeps the user's configuration out instead.
	HOME=$T XDG_CONFIG_HOME=$T/xdg XDG_DATA_HOME=$T/xdg fish -c 'source $argv[1]; complete -C $argv[2]' \
	    "$FISH_C" "$1" 2>/dev/null | cut -f1 | LC_ALL=C sort -u
}
if command -v fish >/dev/null 2>&1; then
	run fish --no-config -n "$FISH_C"
	is_rc 0 "fish: the completion parses"
	got=$(fcomp 'withsecrets ')
	has "$got" check explain defaults --; ok $? "fish: the verbs and --"
	got=$(fcomp 'withsecrets --')
	missing=
	for o in $help_opts; do
		has "$got" "$o" || missing="$missing $o"
	done
	is "$missing" "" "fish: every long option of --help is offered"
	got=$(fcomp 'withsecrets gen --')
	has "$got" $gen_opts; ok $? "fish: gen offers its options"
	is "$(fcomp 'withsecrets --format ' | tr '\n' ' ')" "json text " \
	    "fish: --format VALUE"
	is "$(fcomp 'withsecrets -s ')" "secrets.d/" "fish: -s completes directories"
	got=$(fcomp 'withsecrets -f ')
	has "$got" layer.env; ok $? "fish: -f completes files"
	got=$(fcomp 'withsecrets explain ')
	has "$got" FROM_DOTENV EXPORTED_ONE && lacks "$got" COMMENTED
	ok $? "fish: explain offers the names of .env"
	got=$(fcomp 'withsecrets -- ech')
	has "$got" echo; ok $? "fish: after -- the command names"
	got=$(fcomp 'withsecrets -- env --ignore-e')
	is "$got" "--ignore-environment" "fish: then the command's own completion"
else
	ok 0 "# SKIP fish is not installed (Debian package fish)"
fi
missing=
for o in $all_opts; do
	grep -qF -- "-l ${o#--}" "$FISH_C" || missing="$missing $o"
done
is "$missing" "" "fish: the file names every long option"

# ---------------------------------------------------------- make install
# The three files land under the prefix given at make time (distcheck
# and --prefix=$HOME/.local rely on it), and uninstall removes them.
cd "$T" || exit 99
mk=$WS_BUILDDIR/Makefile
dirs=$(sed -n 's/^\(bash\|zsh\|fish\)completiondir = //p' "$mk")
if [ ! -f "$mk" ] || ! command -v make >/dev/null 2>&1; then
	ok 0 "# SKIP no Makefile or make to install with"
elif grep -qv '^\${' <<<"$dirs"; then
	ok 0 "# SKIP configured with completion directories outside the prefix"
else
	targets='install-dist_bashcompletionDATA install-dist_zshcompletionDATA install-dist_fishcompletionDATA'
	run env -u MAKEFLAGS -u MFLAGS make -s -C "$WS_BUILDDIR" $targets \
	    prefix=/opt/ws-test DESTDIR="$T/stage"
	is_rc 0 "make install-*completionDATA"
	base=$T/stage/opt/ws-test/share
	bcdir=$(sed -n 's/^bashcompletiondir = //p' "$mk" |
	    sed -e "s#\${datadir}#$base#" -e "s#\${prefix}#$T/stage/opt/ws-test#")
	cmp -s "$bcdir/withsecrets" "$BASH_C"
	ok $? "bash completion in ${bcdir#"$T"/stage}"
	cmp -s "$base/zsh/site-functions/_withsecrets" "$ZSH_C"
	ok $? "zsh completion in /opt/ws-test/share/zsh/site-functions"
	cmp -s "$base/fish/vendor_completions.d/withsecrets.fish" "$FISH_C"
	ok $? "fish completion in /opt/ws-test/share/fish/vendor_completions.d"
	run env -u MAKEFLAGS -u MFLAGS make -s -C "$WS_BUILDDIR" \
	    ${targets//install-/uninstall-} prefix=/opt/ws-test DESTDIR="$T/stage"
	is "$(find "$T/stage" -type f | wc -l)" 0 "make uninstall removes them"
fi

done_testing
