# session.so: its area of lk-provider, and its tests (tests/modules/session/,
# built here: this is the session fragment the top Makefile.am includes).
tests_provider_lk_provider_SOURCES += tests/provider/session.c

# Pure token extraction, the loaded module's table and its 401 verdict.
check_PROGRAMS += tests/modules/session/test_session
TESTS += tests/modules/session/test_session
tests_modules_session_test_session_SOURCES = \
	tests/modules/session/test_session.c \
	modules/session/session_token.c modules/session/session_token.h
tests_modules_session_test_session_CFLAGS = $(AM_CFLAGS) \
	-I$(top_srcdir)/core -I$(top_srcdir)/tests $(CUNIT_CFLAGS) -pthread
tests_modules_session_test_session_LDADD = core/libcore.la $(CUNIT_LIBS) \
	-lpthread

# Threads of one process sharing a ctx (run by cli_session.sh).
check_PROGRAMS += tests/modules/session/session_threads
tests_modules_session_session_threads_SOURCES = \
	tests/modules/session/session_threads.c
tests_modules_session_session_threads_CFLAGS = $(AM_CFLAGS) -pthread
tests_modules_session_session_threads_LDADD = core/liblatchkey.la -lpthread

# End to end through the latchkey command against lk-provider.
dist_check_SCRIPTS += tests/modules/session/cli_session.sh
TESTS += tests/modules/session/cli_session.sh
