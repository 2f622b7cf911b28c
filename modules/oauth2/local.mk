# oauth2.so: see modules/oauth2/README.md.
pkglib_LTLIBRARIES += modules/oauth2/oauth2.la
modules_oauth2_oauth2_la_SOURCES = modules/oauth2/oauth2.c \
	modules/oauth2/oauth2_pkce.c modules/oauth2/oauth2_pkce.h \
	modules/oauth2/oauth2_params.c modules/oauth2/oauth2_params.h \
	modules/oauth2/oauth2_callback.c modules/oauth2/oauth2_callback.h \
	modules/oauth2/oauth2_token.c modules/oauth2/oauth2_token.h
modules_oauth2_oauth2_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared \
	-no-undefined -Wl,--version-script=$(top_srcdir)/modules/module.map
modules_oauth2_oauth2_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
modules_oauth2_oauth2_la_LIBADD = core/liblatchkey.la $(CRYPTO_LIBS)
EXTRA_DIST += modules/oauth2/README.md

# Tests (tests/modules/oauth2/): the pure parts compiled in (they are
# hidden in the .so), and the flow end to end through liblatchkey, one
# copy of the core shared with the loaded module.
check_PROGRAMS += tests/modules/oauth2/test_oauth2_unit
TESTS += tests/modules/oauth2/test_oauth2_unit
tests_modules_oauth2_test_oauth2_unit_SOURCES = \
	tests/modules/oauth2/test_oauth2_unit.c modules/oauth2/oauth2_pkce.c \
	modules/oauth2/oauth2_params.c modules/oauth2/oauth2_callback.c
tests_modules_oauth2_test_oauth2_unit_CFLAGS = $(AM_CFLAGS) \
	-I$(top_srcdir)/modules/oauth2 -I$(top_srcdir)/tests \
	$(CUNIT_CFLAGS) $(CRYPTO_CFLAGS) -pthread
tests_modules_oauth2_test_oauth2_unit_LDADD = core/libcore.la $(CUNIT_LIBS) \
	$(CRYPTO_LIBS) -lpthread

check_PROGRAMS += tests/modules/oauth2/test_oauth2_flow
TESTS += tests/modules/oauth2/test_oauth2_flow
tests_modules_oauth2_test_oauth2_flow_SOURCES = \
	tests/modules/oauth2/test_oauth2_flow.c tests/modules/oauth2/o2_harness.h
tests_modules_oauth2_test_oauth2_flow_CFLAGS = $(AM_CFLAGS) \
	-I$(top_srcdir)/tests $(CUNIT_CFLAGS) $(CJSON_CFLAGS) $(CURL_CFLAGS)
tests_modules_oauth2_test_oauth2_flow_LDADD = core/liblatchkey.la \
	$(CUNIT_LIBS) $(CJSON_LIBS) $(CURL_LIBS)

check_PROGRAMS += tests/modules/oauth2/test_oauth2_race
TESTS += tests/modules/oauth2/test_oauth2_race
tests_modules_oauth2_test_oauth2_race_SOURCES = \
	tests/modules/oauth2/test_oauth2_race.c tests/modules/oauth2/o2_harness.h
tests_modules_oauth2_test_oauth2_race_CFLAGS = \
	$(tests_modules_oauth2_test_oauth2_flow_CFLAGS) -pthread
tests_modules_oauth2_test_oauth2_race_LDADD = \
	$(tests_modules_oauth2_test_oauth2_flow_LDADD) -lpthread

# The latchkey command end to end with oauth2.so and lk-provider.
TESTS += tests/modules/oauth2/cli_oauth2.sh
dist_check_SCRIPTS += tests/modules/oauth2/cli_oauth2.sh

# Benchmark (make bench): tests/bench/bench_oauth2.c. It links libcore to reach
# the bound app's authorize without the network.
bench_programs += tests/bench/bench_oauth2
EXTRA_PROGRAMS += tests/bench/bench_oauth2
tests_bench_bench_oauth2_SOURCES = tests/bench/bench_oauth2.c \
	tests/modules/oauth2/o2_harness.h
tests_bench_bench_oauth2_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(CURL_CFLAGS) \
	-pthread
tests_bench_bench_oauth2_LDADD = core/libcore.la $(CJSON_LIBS) $(CURL_LIBS) \
	-lpthread
