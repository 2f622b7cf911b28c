# tests/modules: known-answer tests of the shipped modules.
check_PROGRAMS += tests/modules/test_basic
TESTS += tests/modules/test_basic
tests_modules_test_basic_SOURCES = tests/modules/test_basic.c
tests_modules_test_basic_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/core \
	-I$(top_srcdir)/tests $(CUNIT_CFLAGS) -pthread
tests_modules_test_basic_LDADD = core/libcore.la $(CUNIT_LIBS) -lpthread
