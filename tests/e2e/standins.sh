# Sourced after lib.sh by the tests that talk to the secret stores'
# stand-ins (tests/helpers, STANDINS.md): each stand-in is started with
# --ready, waited for, and killed when the test ends.
# shellcheck shell=bash
HELPERS=$WS_SRCDIR/tests/helpers
PIDS=()
stop_all() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
}
trap 'stop_all; ws_cleanup' EXIT

# standin NAME SCRIPT ARGS...: run tests/helpers/SCRIPT with --ready and
# ARGS (its output in $T/NAME.out), and wait for it: at most 10 s, less
# when it exits first.  PID is its process id, ADDR its address (empty
# when it did not start); 0 when it started.
standin() {
	local name=$1 script=$2 _
	shift 2
	rm -f "$T/$name.ready"
	python3 "$HELPERS/$script" --ready "$T/$name.ready" "$@" \
	    >"$T/$name.out" 2>&1 &
	PID=$!
	PIDS+=("$PID")
	for _ in $(seq 100); do
		[ -s "$T/$name.ready" ] && break
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.1
	done
	ADDR=$(cat "$T/$name.ready" 2>/dev/null)
	[ -n "$ADDR" ]
}
