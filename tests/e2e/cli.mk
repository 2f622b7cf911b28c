# tests/e2e/cli_*.sh: the latchkey command end to end against the provider
# emulator (tests/provider); cli_env.sh is their shared set-up.
dist_check_SCRIPTS += tests/e2e/cli_commands.sh
TESTS += tests/e2e/cli_commands.sh
EXTRA_DIST += tests/e2e/cli_env.sh
dist_check_SCRIPTS += tests/e2e/cli_labels.sh tests/e2e/cli_prompt.sh
TESTS += tests/e2e/cli_labels.sh tests/e2e/cli_prompt.sh
