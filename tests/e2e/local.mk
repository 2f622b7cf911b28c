# tests/e2e: the latchkey command end to end.
dist_check_SCRIPTS += tests/e2e/cli_basic.sh
TESTS += tests/e2e/cli_basic.sh
