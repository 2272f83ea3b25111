#!/usr/bin/env bash
# The audit record (SPEC §12), for real: in a private mount namespace a
# listener of this test's own is bound at /run/systemd/journal/socket and
# at /dev/log (each on a tmpfs of the namespace: nothing outside it is
# touched); withsecrets runs with --audit or the policy's audit; what
# arrives is parsed (the journal's native protocol, the syslog line) and
# each field is checked, and so is the absence of every planted value.
# Where systemd-journald is installed, it is run in the namespace too,
# and journalctl reads back a record withsecrets wrote.
if [ -z "${WS_AUDIT_NS:-}" ]; then
	self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
	ws0=${WS:-}	# lib.sh may point WS at valgrind's wrapper, removed below
	. "$WS_SRCDIR/tests/e2e/lib.sh"
	[ "$(id -u)" = 0 ] || skip_all "needs root for a mount namespace (CI runs as root)"
	command -v unshare >/dev/null || skip_all "unshare (util-linux) is not installed"
	command -v python3 >/dev/null || skip_all "python3 is not installed"
	unshare -m --propagation private true 2>/dev/null ||
	    skip_all "no mount namespace here (unshare -m fails)"
	cd / && ws_cleanup
	trap - EXIT
	WS=$ws0 WS_AUDIT_NS=1 exec unshare -m --propagation private bash "$self" "$@"
fi
. "$WS_SRCDIR/tests/e2e/lib.sh"

# --------------------------------------------- the namespace's sockets
# /run: a tmpfs of this namespace.  /dev: a tmpfs too, with the devices
# the tests use bound back from the real one (kept under the new /run,
# out of $T, which is removed at the end).
mount -t tmpfs -o mode=755 tmpfs /run || { echo "Bail out! mount /run"; exit 99; }
mkdir -p /run/systemd/journal /run/ws-dev
mount --bind /dev /run/ws-dev
mount -t tmpfs -o mode=755 tmpfs /dev
for d in null zero random urandom; do
	: >"/dev/$d" && mount --bind "/run/ws-dev/$d" "/dev/$d"
done
ln -s /proc/self/fd /dev/fd

cat >"$T/listen.py" <<'EOF'
# listen.py PATH DIR: every datagram at the unix socket PATH into DIR/N
import os, socket, sys
path, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o666)
open(os.path.join(out, "ready"), "w").close()
n = 0
while True:
    data = s.recv(1 << 20)
    with open(os.path.join(out, "%d" % n), "wb") as f:
        f.write(data)
    n += 1
EOF
cat >"$T/parse.py" <<'EOF'
# parse.py FILE: a native journal datagram as KEY<TAB>FORM<TAB>value
# lines (FORM: text or binary; a value's newlines as \n); exit 1 when
# the datagram does not follow the protocol.
import struct, sys
d = open(sys.argv[1], "rb").read()
i = 0
while i < len(d):
    nl = d.index(b"\n", i)
    line = d[i:nl]
    if b"=" in line:
        k, v = line.split(b"=", 1)
        form = "text"
        i = nl + 1
    else:
        k = line
        (n,) = struct.unpack("<Q", d[nl + 1:nl + 9])
        v = d[nl + 9:nl + 9 + n]
        if d[nl + 9 + n:nl + 10 + n] != b"\n":
            sys.exit("no newline after a binary field")
        form = "binary"
        i = nl + 10 + n
    if not k or not all(c.isupper() or c.isdigit() or c == "_" for c in k.decode("ascii", "replace")):
        sys.exit("not a field name: %r" % k)
    print("%s\t%s\t%s" % (k.decode(), form, v.decode().replace("\n", "\\n")))
EOF

start_listener() {	# start_listener PATH DIR
	python3 "$T/listen.py" "$1" "$2" &
	LISTENERS="${LISTENERS:-} $!"
	for _ in $(seq 100); do [ -e "$2/ready" ] && return 0; sleep 0.05; done
	echo "Bail out! the listener at $1 did not start"; exit 99
}
stop_listeners() {
	# shellcheck disable=SC2086
	[ -n "${LISTENERS:-}" ] && kill $LISTENERS 2>/dev/null
	# shellcheck disable=SC2086
	[ -n "${LISTENERS:-}" ] && wait $LISTENERS 2>/dev/null
	LISTENERS=
}
trap 'stop_listeners; ws_cleanup' EXIT
start_listener /run/systemd/journal/socket "$T/j"
start_listener /dev/log "$T/s"

count() { find "$1" -maxdepth 1 -name '[0-9]*' | wc -l; }
# shellcheck disable=SC2010 # the listener names its files by number
last() { ls -v "$1" | grep -E '^[0-9]+$' | tail -n 1 | sed "s|^|$1/|"; }
# fieldof KEY: the value of KEY in the last journal record, "\n" escaped
fieldof() { awk -F '\t' -v k="$1" '$1 == k { print $3; found = 1 } END { exit !found }' "$T/rec"; }
formof() { awk -F '\t' -v k="$1" '$1 == k { print $2 }' "$T/rec"; }
got_record() {	# got_record DIR BEFORE DESCRIPTION: exactly one new datagram
	local n
	n=$(count "$1")
	is "$n" "$(($2 + 1))" "$3"
}
# no_planted FILE DESCRIPTION: no planted value (nor its hex) in FILE
no_planted() {
	local v bad=
	for v in "${PLANTED[@]}"; do
		grep -qF -- "$v" "$1" && bad="$bad ${v:0:4}..."
		grep -qF -- "$(printf '%s' "$v" | od -An -tx1 | tr -d ' \n')" "$1" && bad="$bad hex"
	done
	is "$bad" "" "$2"
}

VERSION=$("$WS" --version | awk 'NR == 1 { print $2 }')
SH=$(PATH=/usr/local/bin:/usr/bin:/bin command -v sh)
S_DIR=$(random_secret)
S_ENV=$(random_secret)
S_FILE=$(random_secret)
S_INH=$(random_secret)
S_ARG=$(random_secret)
PLANTED=("$S_DIR" "$S_ENV" "$S_FILE" "$S_INH" "$S_ARG")
mkdir -p app/secrets
printf '%s\n' "$S_DIR" >app/secrets/db_password
printf 'SECRET_KEY=%s\nLOG_LEVEL=info\nAPI_TOKEN_FILE=token\n' "$S_ENV" >app/.env
printf '%s' "$S_FILE" >app/token

# ------------------------------------------------------------- journal
n=$(count "$T/j")
ws GITHUB_TOKEN="$S_INH" --audit=journal --no-default-secrets-dirs -C app \
    -s app/secrets -- sh -c 'exit 0' "$S_ARG"
is_rc 0 "exec with --audit=journal"
got_record "$T/j" "$n" "one datagram at /run/systemd/journal/socket"
J=$(last "$T/j")
python3 "$T/parse.py" "$J" >"$T/rec"
ok $? "it follows the native protocol"
is "$(fieldof MESSAGE)" "exec $SH (development, lenient, 4 secrets)" "MESSAGE"
is "$(fieldof PRIORITY)" 6 "PRIORITY 6 for an exec"
is "$(fieldof SYSLOG_IDENTIFIER)" withsecrets "SYSLOG_IDENTIFIER"
is "$(fieldof SYSLOG_FACILITY)" 10 "SYSLOG_FACILITY 10 (authpriv)"
is "$(fieldof WITHSECRETS_VERSION)" "$VERSION" "WITHSECRETS_VERSION"
is "$(fieldof WITHSECRETS_ENVIRONMENT)" development "WITHSECRETS_ENVIRONMENT"
is "$(fieldof WITHSECRETS_STRICT)" no "WITHSECRETS_STRICT"
is "$(fieldof WITHSECRETS_COMMAND)" sh "WITHSECRETS_COMMAND: argv[0] as given"
is "$(fieldof WITHSECRETS_COMMAND_PATH)" "$SH" "WITHSECRETS_COMMAND_PATH: the resolved path"
is "$(fieldof WITHSECRETS_DECISION)" exec "WITHSECRETS_DECISION"
fieldof WITHSECRETS_STATUS >/dev/null; ok $((! $?)) "no WITHSECRETS_STATUS for an exec"
is "$(fieldof WITHSECRETS_SECRETS | sed 's/\\n/\n/g' | LC_ALL=C sort)" \
    "$(printf '%s\n' 'API_TOKEN file-var:app/token' 'DB_PASSWORD secret-dir:app/secrets/db_password' \
    'GITHUB_TOKEN inherited:environment' 'SECRET_KEY env-file:app/.env:1' | LC_ALL=C sort)" \
    "WITHSECRETS_SECRETS: each secret's name, kind and source"
is "$(formof WITHSECRETS_SECRETS)" binary "the secrets field, with its newlines, in the length-prefixed form"
grep -q 'LOG_LEVEL' "$J"; ok $((! $?)) "a variable that is not a secret is not listed"
no_planted "$J" "no planted value in the datagram, argv[1] included"

# refused
n=$(count "$T/j")
ws DEBUG=true --audit=journal --no-default-secrets-dirs -C app -s app/secrets \
    -e production -- sh -c 'echo ran' "$S_ARG"
is_rc 78 "a refusal"
is "$(cat "$T/out")" "" "the command did not run"
got_record "$T/j" "$n" "a refusal writes one record too"
python3 "$T/parse.py" "$(last "$T/j")" >"$T/rec"
is "$(fieldof WITHSECRETS_DECISION)" refused "WITHSECRETS_DECISION refused"
is "$(fieldof PRIORITY)" 4 "PRIORITY 4 for a refusal"
is "$(fieldof WITHSECRETS_STATUS)" 78 "WITHSECRETS_STATUS"
case " $(fieldof WITHSECRETS_RULES) " in *" debug "*) ok 0 "WITHSECRETS_RULES names debug" ;;
*) ok 1 "WITHSECRETS_RULES names debug" ;; esac
is "$(fieldof WITHSECRETS_ENVIRONMENT) $(fieldof WITHSECRETS_STRICT)" "production yes" "production, strict"
case "$(fieldof MESSAGE)" in "refused $SH (production, strict, 3 secrets): exit 78, "*debug*) ok 0 "MESSAGE of a refusal" ;;
*) ok 1 "MESSAGE of a refusal"; fieldof MESSAGE | sed 's/^/#   /' ;; esac
no_planted "$(last "$T/j")" "no planted value in a refusal's record"

# a command whose argv[0] has a newline: the binary form, escaped MESSAGE
n=$(count "$T/j")
ws --audit=journal --no-default-secrets-dirs --no-layers -- $'no\nsuch-command'
is_rc 127 "a command that is not found"
python3 "$T/parse.py" "$(last "$T/j")" >"$T/rec"
is "$(formof WITHSECRETS_COMMAND)" binary "argv[0] with a newline: the length-prefixed form"
is "$(fieldof WITHSECRETS_COMMAND)" 'no\nsuch-command' "argv[0] exactly"
fieldof WITHSECRETS_COMMAND_PATH >/dev/null; ok $((! $?)) "no path for a command that is not found"

# the policy's audit, and what writes none
printf '[withsecrets]\naudit = journal\n' >app/withsecrets.ini
n=$(count "$T/j")
ws --no-default-secrets-dirs -C app -s app/secrets -- true
is_rc 0 "audit = journal in withsecrets.ini"
got_record "$T/j" "$n" "the policy's audit writes the record"
n=$(count "$T/j")
ws --no-default-secrets-dirs -C app -s app/secrets --audit=off -- true
is "$(count "$T/j")" "$n" "--audit=off overrides the policy"
ws check --no-default-secrets-dirs -C app -s app/secrets
ws explain --no-default-secrets-dirs -C app -s app/secrets
ws gen --no-default-secrets-dirs -C app -s app/gen SESSION_SECRET
ws --no-default-secrets-dirs -C app --bogus -- true
is "$(count "$T/j")" "$n" "check, explain, gen and a usage error write none"
rm app/withsecrets.ini
ws --no-default-secrets-dirs -C app -- true
is "$(count "$T/j")" "$n" "audit is off by default"

# the socket is closed before the exec: the command inherits none
ws --audit=journal --no-default-secrets-dirs --no-layers -- sh -c \
    'for f in /proc/$$/fd/*; do readlink "$f"; done; true'
is_rc 0 "exec with audit"
grep -q 'socket:' "$T/out"; ok $((! $?)) "the command inherits no socket"

# ------------------------------------------------------------- syslog
n=$(count "$T/s")
ws GITHUB_TOKEN="$S_INH" --audit=syslog --no-default-secrets-dirs -C app \
    -s app/secrets -- sh -c 'exit 0' "$S_ARG"
is_rc 0 "exec with --audit=syslog"
got_record "$T/s" "$n" "one message at /dev/log"
L=$(last "$T/s")
line=$(tr -d '\0' <"$L")
case $line in "<86>"*) ok 0 "facility authpriv, priority info (<86>)" ;;
*) ok 1 "facility authpriv, priority info (<86>)"; echo "#   $line" ;; esac
case $line in "<86>withsecrets["[0-9]*"]: exec $SH (development, lenient, 4 secrets) version=$VERSION environment=development strict=no command=sh command_path=$SH decision=exec secrets: "*)
	ok 0 "identifier, pid, the MESSAGE text, then key=value words" ;;
*) ok 1 "identifier, pid, the MESSAGE text, then key=value words"; echo "#   $line" ;; esac
secrets=${line#*secrets: }
is "$(printf '%s\n' "$secrets" | sed 's/; /\n/g' | LC_ALL=C sort)" \
    "$(printf '%s\n' 'API_TOKEN file-var:app/token' 'DB_PASSWORD secret-dir:app/secrets/db_password' \
    'GITHUB_TOKEN inherited:environment' 'SECRET_KEY env-file:app/.env:1' | LC_ALL=C sort)" \
    "secrets: separated by '; '"
no_planted "$L" "no planted value in the syslog message"
n=$(count "$T/s")
ws DEBUG=true --audit=syslog --no-default-secrets-dirs --no-layers -e production -- true
is_rc 78 "a refusal, to syslog"
line=$(tr -d '\0' <"$(last "$T/s")")
case $line in "<84>"*"decision=refused status=78 rules="*debug*) ok 0 "warning (<84>), refused, status and rules" ;;
*) ok 1 "warning (<84>), refused, status and rules"; echo "#   $line" ;; esac

# ------------------------------------------------------------- required
printf '[withsecrets]\naudit = journal\naudit-required = yes\n' >req.ini
ws -c req.ini --no-default-secrets-dirs --no-layers -- sh -c 'echo ran'
is_rc 0 "audit-required with the journal there"
is "$(cat "$T/out")" ran "the command runs"
stop_listeners
rm -f /run/systemd/journal/socket /dev/log
ws -c req.ini --no-default-secrets-dirs --no-layers -- sh -c 'echo ran'
is_rc 69 "audit-required, and no journal: 69"
is "$(cat "$T/out")" "" "no exec"
stderr_has "withsecrets: error: audit: /run/systemd/journal/socket: the audit record could not be delivered" "says why"
ws --audit=syslog -c req.ini --no-default-secrets-dirs --no-layers -- sh -c 'echo ran'
is_rc 69 "audit-required, and no /dev/log: 69"
ws --audit=journal --no-default-secrets-dirs --no-layers -- sh -c 'echo ran'
is_rc 0 "without audit-required, an undelivered record is a warning"
stderr_has "withsecrets: warning: audit: " "the warning"
printf '[withsecrets]\naudit-required = yes\n' >off.ini
ws -c off.ini --no-default-secrets-dirs --no-layers -- true
is_rc 78 "audit-required = yes with audit = off"
stderr_has "off.ini:2: audit-required = yes, but audit is off" "a policy error at its line"
ws check -c off.ini --no-default-secrets-dirs --no-layers
is_rc 78 "check says so too"
printf '[withsecrets]\naudit = loud\n' >bad.ini
ws -c bad.ini --no-default-secrets-dirs --no-layers -- true
is_rc 78 "audit = loud"
ws --audit=loud --no-layers -- true
is_rc 64 "--audit=loud"

# ------------------------------------------------------------- journald
# journalctl's own parser reads what withsecrets wrote: systemd-journald
# in this namespace (its sockets and journal on the namespace's /run).
JOURNALD=
for j in /lib/systemd/systemd-journald /usr/lib/systemd/systemd-journald; do
	[ -x "$j" ] && JOURNALD=$j && break
done
if [ -n "$JOURNALD" ] && command -v journalctl >/dev/null; then
	rm -f /run/systemd/journal/socket
	mkdir -p /run/log/journal
	# its journal stays on the namespace's tmpfs, never /var/log/journal
	mount -t tmpfs -o mode=755 tmpfs /var/log
	"$JOURNALD" >"$T/journald.log" 2>&1 &
	JPID=$!
	for _ in $(seq 100); do [ -S /run/systemd/journal/socket ] && break; sleep 0.05; done
	ws GITHUB_TOKEN="$S_INH" --audit=journal --no-default-secrets-dirs -C app \
	    -s app/secrets -- sh -c 'exit 0' "$S_ARG"
	is_rc 0 "exec, with systemd-journald listening"
	got=
	for _ in $(seq 50); do
		journalctl -D /run/log/journal --no-pager -o export SYSLOG_IDENTIFIER=withsecrets \
		    >"$T/export" 2>/dev/null
		grep -q '^WITHSECRETS_DECISION=exec' "$T/export" && { got=1; break; }
		sleep 0.1
	done
	ok $((! ${got:-0})) "journalctl reads the record back"
	journalctl -D /run/log/journal --no-pager -o json SYSLOG_IDENTIFIER=withsecrets >"$T/json" 2>/dev/null
	python3 - "$T/json" "$SH" <<'EOF' >"$T/jcheck"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
r = recs[-1]
want = {"SYSLOG_IDENTIFIER": "withsecrets", "PRIORITY": "6", "SYSLOG_FACILITY": "10",
        "WITHSECRETS_DECISION": "exec", "WITHSECRETS_COMMAND": "sh",
        "WITHSECRETS_COMMAND_PATH": sys.argv[2], "WITHSECRETS_STRICT": "no"}
bad = [k for k, v in want.items() if r.get(k) != v]
sec = r.get("WITHSECRETS_SECRETS")
if isinstance(sec, list):
    sec = bytes(sec).decode()
if sorted((sec or "").split("\n")) != sorted(["API_TOKEN file-var:app/token",
        "DB_PASSWORD secret-dir:app/secrets/db_password",
        "GITHUB_TOKEN inherited:environment", "SECRET_KEY env-file:app/.env:1"]):
    bad.append("WITHSECRETS_SECRETS")
print(" ".join(bad))
EOF
	is "$(cat "$T/jcheck")" "" "journalctl -o json: every field as withsecrets wrote it"
	journalctl -D /run/log/journal --no-pager -o export >"$T/all" 2>/dev/null
	if [ -n "${WS_VALGRIND:-}" ]; then
		# valgrind keeps the guest's arguments in its own command
		# line, which journald reads for _CMDLINE: leave that out
		grep -av '^_CMDLINE=' "$T/all" >"$T/all.nocmd"
		no_planted "$T/all.nocmd" "no planted value in the journal (but valgrind's _CMDLINE)"
	else
		no_planted "$T/all" "no planted value in the journal, _CMDLINE included"
	fi
	# the syslog line, as journald's /dev/log reads it
	stop_listeners
	rm -f /dev/log
	for _ in $(seq 100); do [ -S /run/systemd/journal/dev-log ] && break; sleep 0.05; done
	ln -s /run/systemd/journal/dev-log /dev/log
	ws GITHUB_TOKEN="$S_INH" --audit=syslog --no-default-secrets-dirs -C app \
	    -s app/secrets -- sh -c 'exit 0' "$S_ARG"
	is_rc 0 "exec with --audit=syslog, journald at /dev/log"
	got=
	for _ in $(seq 50); do
		journalctl -D /run/log/journal --no-pager -o json SYSLOG_IDENTIFIER=withsecrets \
		    SYSLOG_FACILITY=10 PRIORITY=6 >"$T/sjson" 2>/dev/null
		grep -q 'decision=exec' "$T/sjson" && { got=1; break; }
		sleep 0.1
	done
	ok $((! ${got:-0})) "journald parses the syslog line: identifier, facility, priority"
	python3 - "$T/sjson" <<'EOF' >"$T/scheck"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][-1]
bad = []
if not r.get("MESSAGE", "").startswith("exec "):
    bad.append("MESSAGE")
if r.get("SYSLOG_PID") != r.get("_PID"):
    bad.append("SYSLOG_PID")
print(" ".join(bad))
EOF
	is "$(cat "$T/scheck")" "" "journald: the MESSAGE text, and the pid of the sender"
	kill "$JPID" 2>/dev/null
	wait "$JPID" 2>/dev/null
else
	ok 0 "# SKIP systemd-journald is not installed (Debian package systemd)"
	ok 0 "# SKIP systemd-journald is not installed (Debian package systemd)"
	ok 0 "# SKIP systemd-journald is not installed (Debian package systemd)"
fi

done_testing
