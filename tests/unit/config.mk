# tests/unit/config.mk: the configuration loader (core/config.c,
# core/settings.c) and the bad-config cases, through the library and
# through `latchkey check-config`.
check_PROGRAMS += tests/unit/test_config
TESTS += tests/unit/test_config
tests_unit_test_config_SOURCES = tests/unit/test_config.c
tests_unit_test_config_CFLAGS = $(LK_UNIT_CFLAGS)
tests_unit_test_config_LDADD = $(LK_UNIT_LDADD)

TESTS += tests/unit/bad_config_cli.sh
dist_check_SCRIPTS += tests/unit/bad_config_cli.sh
EXTRA_DIST += tests/data/bad-config

# The shipped samples stay valid.
TESTS += tests/unit/etc_samples.sh
dist_check_SCRIPTS += tests/unit/etc_samples.sh
