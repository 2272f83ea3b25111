#!/usr/bin/env bash
# check, explain and defaults (SPEC §2, §6): text and JSON, the exit
# status of check against the exec form, and never a value.
. "$WS_SRCDIR/tests/e2e/lib.sh"
# strict mode refuses group-writable files: whatever umask runs the tests
umask 022

if command -v jq >/dev/null; then
	jqq() { jq -r "$1" "$T/out"; }
elif command -v python3 >/dev/null; then
	# a small stand-in: only the paths these tests use
	jqq() { python3 -c '
import json, sys
d = json.load(open(sys.argv[2]))
for part in sys.argv[1].replace(" | length", ".length").lstrip(".").split("."):
    if part == "": continue
    if part == "length": d = len(d); break
    if part.endswith("]"):
        k, i = part[:-1].split("[")
        d = d[k] if k else d
        d = d[int(i)]
    else: d = d[part]
print(json.dumps(d) if isinstance(d, (dict, list)) else
      ("true" if d is True else "false" if d is False else
       "null" if d is None else d))
' "$1" "$T/out"; }
else
	skip_all "neither jq nor python3 to read JSON"
fi
json_valid() {	# json_valid DESCRIPTION: $T/out is one JSON document
	if [ -s "$T/out" ] && jqq . >/dev/null 2>&1; then ok 0 "$1"; else ok 1 "$1"; sed 's/^/#   /' "$T/out" | head -5; fi
}

S1=$(random_secret)
S2=$(random_secret)
K=$(od -An -vtx1 -N32 /dev/urandom | tr -d ' \n')
printf '%s\n' "$S1" >db_pw
printf '%s\n' "$K" >key
cat >p.ini <<'EOF'
[defaults]
LOG_LEVEL = INFO
API_URL = http://localhost
[var API_URL]
required = always
EOF

# ------------------------------------------- check: exit status = exec's
cases=(
	"-e production"
	"-e production DEBUG=1"
	"-e development DEBUG=1"
	"-e production SECRET_KEY=short"
	"-e development SECRET_KEY=short"
	"-e production DB_PASSWORD_FILE=db_pw DB_PASSWORD=x"
	"-e development DB_PASSWORD_FILE=missing"
	"-e production SECRET_KEY_FILE=key JWT_SECRET_KEY_FILE=key"
	"-e staging --lenient API_TOKEN=changeme"
	"-e development --strict API_TOKEN=changeme"
	"-e production -c p.ini"
	"-e production -c p.ini API_URL="
	"-e production -c missing.ini"
	"-e production -c p.ini -u API_URL"
)
for c in "${cases[@]}"; do
	read -r -a words <<<"$c"
	opts=() envs=()
	for w in "${words[@]}"; do
		if [[ "$w" == *=* && "$w" != -* ]]; then envs+=("$w"); else opts+=("$w"); fi
	done
	[[ " ${opts[*]} " == *" -c "* ]] || opts+=(--no-config)
	ws "${envs[@]}" "${opts[@]}" -- true
	exec_rc=$RC
	ws "${envs[@]}" check "${opts[@]}"
	is "$RC" "$exec_rc" "check exits as the exec form would: $c"
	ws "${envs[@]}" check --format=json "${opts[@]}"
	is "$RC" "$exec_rc" "check --format=json too: $c"
	json_valid "valid JSON: $c"
done

# ------------------------------------------------------- check, text
ws DEBUG=1 DB_PASSWORD_FILE=db_pw "TOKEN=$S2" check -e production --no-config
is_rc 78 "check: 78"
stderr_has "withsecrets: error: debug: DEBUG (environment): " "findings on stderr"
stderr_has "check: production (strict): " "a summary on stderr"
is "$(cat "$T/out")" "" "nothing on stdout"
no_leak "$S1" "check text (file secret)"
no_leak "$S2" "check text (inherited secret)"
ws DEBUG=1 check -e production --no-config -q
is "$(grep -c . "$T/err")" 1 "-q: the error only"

# ------------------------------------------------------- check, JSON
ws DEBUG=1 DB_PASSWORD_FILE=db_pw "TOKEN=$S2" LOG_LEVEL=WARN check \
    -e production --format=json -c p.ini
is_rc 78 "check --format=json: 78"
json_valid "one JSON object on stdout"
is "$(jqq .environment)" production "environment"
is "$(jqq .strict)" true "strict"
finding() {	# finding RULE FIELD: FIELD of the first finding of RULE
	if command -v jq >/dev/null; then
		jq -r --arg r "$1" --arg f "$2" '[.findings[] | select(.rule == $r)][0][$f]' "$T/out"
	else
		python3 -c 'import json,sys; d=json.load(open(sys.argv[3]))
print([f for f in d["findings"] if f["rule"] == sys.argv[1]][0][sys.argv[2]])' "$1" "$2" "$T/out"
	fi
}
cp "$T/out" check.json
# what the exec form gives the command, counted
ws DEBUG=1 DB_PASSWORD_FILE=db_pw "TOKEN=$S2" LOG_LEVEL=WARN -e production --lenient -c p.ini -- env -0
nvars=$(tr -cd '\0' <"$T/out" | wc -c)
cp check.json "$T/out"
is "$(jqq .variables)" "$nvars" "variables: what the command would get ($nvars)"
is "$(finding debug severity)" error "findings: severity"
is "$(finding debug name)" DEBUG "findings: name"
is "$(finding debug source)" environment "findings: source"
finding debug message | grep -q 'debug mode is on'
ok $? "findings: message"
if command -v jq >/dev/null; then
	is "$(jq -r '[.findings[] | keys | sort | join(",")] | unique | .[]' "$T/out")" \
	    "message,name,rule,severity,source" "every finding has the five fields"
	is "$(jq -r '[.findings[] | select(.rule == "shadowed")] | length' "$T/out")" 1 \
	    "shadowed sources are information in JSON too"
else
	ok 0 "# SKIP jq not installed"
	ok 0 "# SKIP jq not installed"
fi
no_leak "$S1" "check JSON (file secret)"
no_leak "$S2" "check JSON (inherited secret)"
ws check -e development --format=json --no-config
is_rc 0 "clean: 0"
is "$(jqq .strict)" false "lenient"
is "$(jqq '.findings | length')" 0 "no findings"
ws API_URL= check -e production --format=json -c p.ini
json_valid "JSON when the run stops on a required name"
printf '[bogus]\n' >bad.ini
ws check --format=json -c bad.ini
is_rc 78 "a broken policy: 78"
json_valid "still one JSON object"
is "$(jqq .findings[0].source)" "bad.ini:1" "with the error at FILE:LINE"

# JSON strings are escaped: a path with a quote, a backslash and a tab
d=$'we"ird\\dir\tx'
mkdir -p "$d"
printf 'short\n' >"$d/s"
ws "SECRET_KEY_FILE=$d/s" check -e production --format=json --no-config
json_valid "quotes, backslashes and control characters are escaped"
is "$(finding min-length source)" "$d/s" "and come back intact"
ws "SECRET_KEY_FILE=$d/s" check -e production --no-config
stderr_has 'SECRET_KEY (we"ird\dir\x09x/s)' "text escapes control characters"
ws "SECRET_KEY_FILE=$d/s" explain --format=json --no-config
json_valid "explain JSON escapes too"
ws "$(printf 'N\xffX')=1" explain --format=json --no-config
json_valid "a name that is not UTF-8 still makes valid JSON"

# ---------------------------------------------------------- explain
ws LOG_LEVEL=WARN DB_PASSWORD_FILE=db_pw "TOKEN=$S2" explain -e development -c p.ini
is_rc 0 "explain"
head -n1 "$T/out" | grep -q '^NAME  *SOURCE  *KIND  *SECRET  *LENGTH  *SHADOWS$'
ok $? "a table with a header"
line() { grep "^$1 " "$T/out" | tr -s ' '; }
is "$(line DB_PASSWORD)" "DB_PASSWORD db_pw (via environment) file-var yes ${#S1} -" \
    "a NAME_FILE: its file, kind file-var, secret, length"
is "$(line LOG_LEVEL)" "LOG_LEVEL environment inherited no 4 p.ini:2" \
    "an inherited variable shadowing a default"
is "$(line API_URL)" "API_URL p.ini:3 default no 16 -" "a default"
is "$(line TOKEN)" "TOKEN environment inherited yes ${#S2} -" "a secret by name"
if grep -q '^DB_PASSWORD_FILE ' "$T/out"; then ok 1 "the pointer is not listed"; else ok 0 "the pointer is not listed"; fi
no_leak "$S1" "explain (file secret)"
no_leak "$S2" "explain (inherited secret)"

ws LOG_LEVEL=WARN DB_PASSWORD_FILE=db_pw "TOKEN=$S2" explain -e development -c p.ini TOKEN LOG_LEVEL NOPE DB_PASSWORD_FILE
is_rc 0 "explain NAME..."
is "$(tail -n +2 "$T/out" | cut -d' ' -f1 | tr '\n' ' ')" "TOKEN LOG_LEVEL " "only those, in that order"
stderr_has "NOPE: is not set" "an unset name is said so"
stderr_has "DB_PASSWORD_FILE: is a pointer" "a pointer is said so"

ws LOG_LEVEL=WARN DB_PASSWORD_FILE=db_pw "TOKEN=$S2" explain --format=json -e development -c p.ini
is_rc 0 "explain --format=json"
json_valid "an array"
if command -v jq >/dev/null; then
	q() { jq -r "$1" "$T/out"; }
	is "$(q '.[] | select(.name == "DB_PASSWORD") | [.source, .kind, .secret, .length] | join(" ")')" \
	    "db_pw file-var true ${#S1}" "file-var"
	is "$(q '.[] | select(.name == "LOG_LEVEL") | [.kind, (.shadows | join(","))] | join(" ")')" \
	    "inherited p.ini:2" "inherited, shadows"
	is "$(q '.[] | select(.name == "API_URL") | .kind')" default "default"
	is "$(q '[.[] | keys | sort | .[0:6] | join(",")] | unique | .[]')" \
	    "kind,length,name,secret,shadows,source" "every entry has the six fields"
	is "$(q '[.[].kind] | unique | join(" ")')" "default file-var inherited" "the kinds"
else
	for _ in 1 2 3 4 5; do ok 0 "# SKIP jq not installed"; done
fi
no_leak "$S1" "explain JSON (file secret)"
no_leak "$S2" "explain JSON (inherited secret)"

mkdir -p sd
printf '%s\n' "$S1" >sd/api_token
printf 'x\n' >'sd/bad name'
ws "API_TOKEN=$S2" explain --format=json -e development --no-config --no-default-secrets-dirs -s sd
json_valid "explain with a secret directory"
if command -v jq >/dev/null; then
	is "$(jq -r '.[] | select(.name == "API_TOKEN") | [.kind, (.shadows | join(","))] | join(" ")' "$T/out")" \
	    "inherited sd/api_token" "an inherited secret shadowing a mounted one"
	is "$(jq -r '.[] | select(.skipped) | [.name, .kind] | join(" ")' "$T/out")" \
	    "BAD NAME secret-dir" "a skipped entry is shown, marked"
else
	ok 0 "# SKIP jq not installed"
	ok 0 "# SKIP jq not installed"
fi
ws "API_TOKEN=$S2" explain -e development --no-config --no-default-secrets-dirs -s sd
grep -q '^BAD NAME  *sd/bad name  *skipped: not a valid name' "$T/out"
ok $? "the table shows the skipped entry"
no_leak "$S1" "explain with a secret directory"
no_leak "$S2" "explain with a secret directory (2)"

ws DEBUG=1 explain -e production --no-config
is_rc 0 "explain shows the table when a rule fails, and exits 0 (check's job)"
grep -q '^DEBUG ' "$T/out"
ok $? "the table is there"

# ------------------------------------------------- every rule, no value
cat >all.ini <<'EOF'
[var FORBIDDEN]
forbid = zq7Uc3vN1mR8pX2w
[var PATTERNED]
pattern = ^[0-9]+$
[var MUST]
required = always
[defaults]
LOG_LEVEL = INFO
EOF
printf '%s\n' "$K" >k1
chmod 664 k1
n=0
secrets=("$S1" "$S2" "$K" "aAbBcCdDeEfFgGhHaAbBcCdDeEfFgGhH" "zq7Uc3vN1mR8pX2w" "Yh8fQ2vX9pLmN3kR" "placeholder-zZ9")
for fmt in text json; do
	for e in production development; do
		ws DEBUG=on "SECRET_KEY=${S1:0:20}" "APP_SECRET=aAbBcCdDeEfFgGhHaAbBcCdDeEfFgGhH" \
		    "API_TOKEN=your_placeholder-zZ9_here" "JWT_SECRET_KEY_FILE=k1" \
		    "SESSION_SECRET=$K" FORBIDDEN=zq7Uc3vN1mR8pX2w PATTERNED=Yh8fQ2vX9pLmN3kR \
		    "DB_PASSWORD=$S2" DB_PASSWORD_FILE=db_pw LD_X_FILE=db_pw "X_TOKEN=$S2" LOG_LEVEL=WARN \
		    check -v --format=$fmt -e $e -c all.ini
		rules=$(grep -o '\(error\|warning\|info\): [a-z-]*' "$T/err" | sed 's/^[a-z]*//' | sort -u | tr '\n' ' ')
		all="debug min-length weak placeholder distinct forbid pattern required both-set denied-name file-mode shadowed"
		[ $e = production ] && all="$all plaintext-secret"
		for r in $all; do
			case "$rules" in *": $r "*) ok 0 "$fmt $e: $r reported" ;;
			*) ok 1 "$fmt $e: $r reported"; echo "#   rules: $rules" ;; esac
		done
		for s in "${secrets[@]}"; do
			n=$((n + 1))
			no_leak "$s" "$fmt $e: no value ($n)"
		done
	done
done

# ---------------------------------------------------------- defaults
run "$WS" defaults
is_rc 0 "defaults: 0"
grep -q '^\[withsecrets\]$' "$T/out"
ok $? "the [withsecrets] section"
grep -q '^min-length = 32$' "$T/out"
ok $? "the rules"
grep -q '^\[placeholders\]$' "$T/out"
ok $? "the placeholders"
run "$WS" defaults extra
is_rc 64 "defaults takes no argument"

done_testing
