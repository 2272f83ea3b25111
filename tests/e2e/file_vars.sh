#!/usr/bin/env bash
# NAME_FILE and FILE__NAME in the inherited environment (SPEC §4.1, §5.2).
. "$WS_SRCDIR/tests/e2e/lib.sh"

S=$(random_secret)
printf '%s\n' "$S" >pw
chmod 0400 pw

ws DB_PASSWORD_FILE="$T/pw" -- env -0
is_rc 0 "NAME_FILE resolves"
is_var DB_PASSWORD "$S" "NAME is the file's content, trailing newline removed"
unset_var DB_PASSWORD_FILE "the pointer is removed"
no_leak "$S" "nothing printed" stdout-is-env

ws FILE__API_TOKEN="$T/pw" -- env -0
is_var API_TOKEN "$S" "FILE__NAME resolves"
unset_var FILE__API_TOKEN "the FILE__ pointer is removed"

ws DB_PASSWORD_FILE=pw -- env -0
is_var DB_PASSWORD "$S" "a relative path is relative to the current directory"

printf 'a\r\n\r\n\n' >crlf
ws X_FILE=crlf -- env -0
is_var X a "every trailing \\n and \\r\\n removed"
printf '  spaced  \n\n' >spaced
ws X_FILE=spaced -- env -0
is_var X "  spaced  " "nothing else is removed"
printf '' >empty
ws X_FILE=empty -- env -0
is_var X "" "an empty file gives an empty value"

# One level deep: A_FILE_FILE sets A_FILE to a path and stops there.
printf '%s' "$T/pw" >path-of-pw
ws A_FILE_FILE=path-of-pw -- env -0
is_var A_FILE "$T/pw" "A_FILE_FILE sets A_FILE to the content"
unset_var A "and A is not resolved from it"

# Both set in one source.
ws DB_PASSWORD=x DB_PASSWORD_FILE=pw -- env -0
is_rc 78 "NAME and NAME_FILE in one source"
stderr_has "both DB_PASSWORD and DB_PASSWORD_FILE are set (but are exclusive)" \
    "with the docker-library wording"
ws DB_PASSWORD_FILE=pw FILE__DB_PASSWORD=pw -- true
is_rc 78 "both pointer forms in one source"
ws DB_PASSWORD= DB_PASSWORD_FILE=pw -- env -0
is_rc 0 "an empty NAME does not conflict"
ws DB_PASSWORD=x DB_PASSWORD_FILE= -- env -0
is_rc 0 "an empty pointer counts as unset"
is_var DB_PASSWORD x "and NAME stays"
unset_var DB_PASSWORD_FILE "the empty pointer is removed"

# Paths programs read themselves pass through untouched.
ws SSL_CERT_FILE=/nonexistent APP_LOG_FILE=/var/log/x NGINX_PID_FILE=/run/x \
    APP_CONFIG_FILE=/etc/x COMPOSE_FILE=a.yml -- env -0
is_rc 0 "never-resolve names are not read"
is_var SSL_CERT_FILE /nonexistent "SSL_CERT_FILE passes"
is_var APP_LOG_FILE /var/log/x "*_LOG_FILE passes"
is_var NGINX_PID_FILE /run/x "*_PID_FILE passes"
is_var APP_CONFIG_FILE /etc/x "*_CONFIG_FILE passes"
is_var COMPOSE_FILE a.yml "COMPOSE_FILE passes"
unset_var SSL_CERT "no SSL_CERT appears"

# The paths TLS and cloud clients read themselves (SPEC §4.1, revision
# 2): real files, so that a resolution would show as their content.
printf -- '-----BEGIN PRIVATE KEY-----\n%s\n' "$S" >tls.key
printf '{"type": "service_account", "k": "%s"}\n' "$S" >sa.json
printf '%s\n' "$S" >auth-token
never_names=(TLS_KEY_FILE SSL_KEY_FILE APP_TLS_KEY_FILE NGINX_SSL_KEY_FILE
	APP_CERT_FILE PG_CA_FILE SERVICE_ACCOUNT_FILE
	GOOGLE_APPLICATION_CREDENTIALS_FILE AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE)
assign=()
for n in "${never_names[@]}"; do assign+=("$n=$T/tls.key"); done
ws "${assign[@]}" -- env -0
is_rc 0 "the TLS and cloud paths are not read"
for n in "${never_names[@]}"; do
	is_var "$n" "$T/tls.key" "$n passes through as a path"
	unset_var "${n%_FILE}" "and sets no ${n%_FILE}"
done
no_leak "$S" "the key is not printed" stdout-is-env
printf 'TLS_KEY_FILE=tls.key\nSERVICE_ACCOUNT_FILE=sa.json\n' >paths.env
ws --no-layers -f paths.env -- env -0
is_var TLS_KEY_FILE tls.key "TLS_KEY_FILE from a .env file stays the path as written"
is_var SERVICE_ACCOUNT_FILE sa.json "and SERVICE_ACCOUNT_FILE"
unset_var TLS_KEY "no TLS_KEY from the key's content"
ws TLS_KEY_FILE=tls.key -v -- true
if grep -q 'file-var' "$T/err"; then ok 1 "-v: TLS_KEY_FILE is not a resolution"
else ok 0 "-v: TLS_KEY_FILE is not a resolution"; fi

# -v names each pointer resolved and the path read, never the content.
mkdir -p vdir/sub
printf '%s\n' "$S" >vdir/sub/db_password
printf 'DB_PASSWORD_FILE=sub/db_password\n' >vdir/.env
ws FILE__API_TOKEN=auth-token -C vdir -v -- true
is_rc 0 "-v with two pointers"
stderr_has "info: file-var: DB_PASSWORD (vdir/.env:1): DB_PASSWORD_FILE -> vdir/sub/db_password" \
    "-v: the pointer, where it is set and the path read (relative to its .env)"
stderr_has "info: file-var: API_TOKEN (environment): FILE__API_TOKEN -> auth-token" \
    "-v: a FILE__NAME pointer of the inherited environment"
is "$(grep -c 'file-var' "$T/err")" 2 "one line each"
no_leak "$S" "no content in the -v lines"
one_line_stderr "every -v line is one message"
ws FILE__API_TOKEN=auth-token -C vdir -- true
is "$(cat "$T/err")" "" "without -v: nothing said"
ws FILE__API_TOKEN=auth-token -C vdir check --format=json
case $(cat "$T/out") in
*'"rule":"file-var","severity":"info","name":"API_TOKEN","source":"environment","message":"FILE__API_TOKEN -> auth-token"'*)
	ok 0 "check --format=json: the resolution as an info finding";;
*)	ok 1 "check --format=json: the resolution as an info finding";;
esac
no_leak "$S" "and no content in check's JSON"
ws DB_PASSWORD=higher -C vdir -v -- true
if grep -q 'DB_PASSWORD_FILE ->' "$T/err"; then
	ok 1 "-v: a shadowed pointer is not read, and not said to be"
else ok 0 "-v: a shadowed pointer is not read, and not said to be"; fi

# Errors.
ws X_FILE=/nonexistent/file -- true
is_rc 66 "a missing target"
stderr_has "X_FILE (/nonexistent/file)" "names the pointer and the path"
mkfifo fifo
run timeout 5 "${BASE_ENV[@]}" X_FILE=fifo "$WS" -- true
is_rc 66 "a FIFO is refused without hanging"
ws X_FILE=/dev/null -- true
is_rc 66 "a device is refused"
ws X_FILE=. -- true
is_rc 66 "a directory is refused"
printf 'ab\0cd' >nul
ws X_FILE=nul -- true
is_rc 65 "a NUL byte"
{ printf '%s' "$S"; head -c 70000 /dev/zero | tr '\0' 'z'; } >big
ws X_FILE=big -- true
is_rc 65 "over max-secret-size"
no_leak "$S" "the oversized secret is not printed"
printf '%s' "$S" >ww
chmod 0666 ww
ws X_FILE=ww -- true
is_rc 77 "a world-writable target"
mkdir -m 0777 openDir
printf 'x' >openDir/f
ws X_FILE=openDir/f -- true
is_rc 77 "a world-writable directory without the sticky bit"
mkdir -m 1777 stickyDir
printf 'x' >stickyDir/f
ws X_FILE=stickyDir/f -- env -0
is_rc 0 "a sticky world-writable directory (like /tmp) is fine"
if [ "$(id -u)" -ne 0 ]; then
	printf 'x' >unreadable
	chmod 000 unreadable
	ws X_FILE=unreadable -- true
	is_rc 66 "an unreadable target"
else
	ok 0 "# SKIP root reads everything"
fi

# All findings are reported before exiting; the first code wins.
ws A_FILE=/nonexistent B=x B_FILE=pw C_FILE=nul -- true
is_rc 65 "the first of 65, 66, 78 among several findings"
stderr_has "A_FILE" "the missing file is reported"
stderr_has "both B and B_FILE" "the conflict is reported"
stderr_has "C_FILE" "the NUL byte is reported"

# Deny names may not come from a file.
printf '/tmp/evil' >preload
ws GCONV_PATH_FILE=preload -- true
is_rc 78 "GCONV_PATH from a NAME_FILE is refused"
stderr_has "denied-name" "by the deny rule"
if [ -z "${WS_VALGRIND:-}" ]; then	# valgrind sets LD_PRELOAD itself
	ws LD_PRELOAD_FILE=preload -- true
	is_rc 78 "LD_PRELOAD from a NAME_FILE is refused"
	ws LD_PRELOAD=/nonexistent.so -- true
	is_rc 0 "the operator's own inherited LD_PRELOAD passes"
fi

# A NAME_FILE given twice in one .env keeps its last value, even when
# an interpolation between them read the first (SPEC §4.4: a name has
# the value it has at that point; Compose's rule): the interpolation
# keeps what it saw, the command gets the last file's content.
mkdir twice
printf 'first-token\n' >twice/p1
printf 'second-token\n' >twice/p2
printf 'TOKEN_FILE=p1\nURL=x${TOKEN}\nTOKEN_FILE=p2\nLATER=y${TOKEN}\n' \
    >twice/.env
ws -C twice --no-config --no-default-secrets-dirs -- env -0
is_rc 0 "a NAME_FILE set again after an interpolation read it"
is_var TOKEN second-token "the last NAME_FILE decides NAME"
is_var URL xfirst-token "the interpolation above kept what it saw"
is_var LATER ysecond-token "an interpolation below sees the last one"
unset_var TOKEN_FILE "the pointer is removed"
printf 'TOKEN_FILE=p1\nURL=x${TOKEN}\nTOKEN_FILE=\n' >twice/.env
ws -C twice --no-config --no-default-secrets-dirs -- env -0
is_rc 0 "a NAME_FILE emptied after an interpolation read it"
unset_var TOKEN "an empty last pointer leaves NAME unset"
printf 'FILE__TOKEN=p1\nURL=x${TOKEN}\nFILE__TOKEN=p2\n' >twice/.env
ws -C twice --no-config --no-default-secrets-dirs -- env -0
is_var TOKEN second-token "FILE__NAME given twice: the last decides"
printf 'TOKEN_FILE=p1\nURL=x${TOKEN}\nTOKEN=literal\n' >twice/.env
ws -C twice --no-config --no-default-secrets-dirs -- env -0
is_rc 78 "NAME after its resolved NAME_FILE is still both-set"

done_testing
