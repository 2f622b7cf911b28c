# tests/e2e/cli_*.sh: the latchkey command end to end against the provider
# emulator (tests/provider); cli_env.sh is their shared set-up.
dist_check_SCRIPTS += tests/e2e/cli_commands.sh
TESTS += tests/e2e/cli_commands.sh
EXTRA_DIST += tests/e2e/cli_env.sh
dist_check_SCRIPTS += tests/e2e/cli_labels.sh tests/e2e/cli_prompt.sh
TESTS += tests/e2e/cli_labels.sh tests/e2e/cli_prompt.sh
# connect APP for an OAuth 2.0 app: the loopback redirect (RFC 8252).
dist_check_SCRIPTS += tests/e2e/cli_oauth2_loopback.sh
TESTS += tests/e2e/cli_oauth2_loopback.sh
