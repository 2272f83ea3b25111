. "$WS_SRCDIR/tests/e2e/lib.sh"
done_testing
