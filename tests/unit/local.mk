# tests/unit: the core's own small pieces (the other suites have their
# own .mk next to this one). Unit tests link core/libcore.la to reach
# internal functions.
LK_UNIT_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/tests $(CUNIT_CFLAGS) \
	$(CJSON_CFLAGS) -pthread
LK_UNIT_LDADD = core/libcore.la $(CUNIT_LIBS) $(CJSON_LIBS) -lpthread

check_PROGRAMS += tests/unit/test_core
TESTS += tests/unit/test_core
tests_unit_test_core_SOURCES = tests/unit/test_core.c
tests_unit_test_core_CFLAGS = $(LK_UNIT_CFLAGS)
tests_unit_test_core_LDADD = $(LK_UNIT_LDADD)
