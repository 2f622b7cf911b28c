# tests/modules: known answers of the shipped modules, and each module end
# to end through the core against a recording server (tests/loader/harness).
LK_MODTEST_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/core -I$(top_srcdir)/tests \
	$(CUNIT_CFLAGS) $(MHD_CFLAGS) -pthread
LK_MODTEST_HARNESS = tests/loader/harness.c tests/loader/harness.h

check_PROGRAMS += tests/modules/test_basic tests/modules/test_apikey \
	tests/modules/test_none
TESTS += tests/modules/test_basic tests/modules/test_apikey \
	tests/modules/test_none
tests_modules_test_basic_SOURCES = tests/modules/test_basic.c \
	$(LK_MODTEST_HARNESS)
tests_modules_test_basic_CFLAGS = $(LK_MODTEST_CFLAGS)
tests_modules_test_basic_LDADD = core/libcore.la $(CUNIT_LIBS) $(MHD_LIBS) \
	-lpthread
tests_modules_test_apikey_SOURCES = tests/modules/test_apikey.c \
	$(LK_MODTEST_HARNESS)
tests_modules_test_apikey_CFLAGS = $(LK_MODTEST_CFLAGS)
tests_modules_test_apikey_LDADD = core/liblatchkey.la $(CUNIT_LIBS) \
	$(MHD_LIBS) -lpthread
tests_modules_test_none_SOURCES = tests/modules/test_none.c \
	$(LK_MODTEST_HARNESS)
tests_modules_test_none_CFLAGS = $(LK_MODTEST_CFLAGS)
tests_modules_test_none_LDADD = core/liblatchkey.la $(CUNIT_LIBS) \
	$(MHD_LIBS) -lpthread
