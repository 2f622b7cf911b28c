# oauth1.so: see modules/oauth1/README.md. The pure pieces (encoding,
# base string, signatures, placement) build once as a convenience
# library that the module, the tests and the benchmark share.
noinst_LTLIBRARIES += modules/oauth1/liboauth1sign.la
modules_oauth1_liboauth1sign_la_SOURCES = modules/oauth1/oauth1_buf.c \
	modules/oauth1/oauth1_buf.h modules/oauth1/oauth1_encode.c \
	modules/oauth1/oauth1_encode.h modules/oauth1/oauth1_base.c \
	modules/oauth1/oauth1_base.h modules/oauth1/oauth1_signature.c \
	modules/oauth1/oauth1_signature.h modules/oauth1/oauth1_sign.c \
	modules/oauth1/oauth1_sign.h modules/oauth1/oauth1_place.c \
	modules/oauth1/oauth1_place.h
modules_oauth1_liboauth1sign_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)

pkglib_LTLIBRARIES += modules/oauth1/oauth1.la
modules_oauth1_oauth1_la_SOURCES = modules/oauth1/oauth1.c \
	modules/oauth1/oauth1_request.c modules/oauth1/oauth1_request.h \
	modules/oauth1/oauth1_flow.c modules/oauth1/oauth1_flow.h
modules_oauth1_oauth1_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared \
	-no-undefined -Wl,--version-script=$(top_srcdir)/modules/module.map
modules_oauth1_oauth1_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) -pthread
modules_oauth1_oauth1_la_LIBADD = modules/oauth1/liboauth1sign.la \
	core/liblatchkey.la $(CRYPTO_LIBS) -lpthread
EXTRA_DIST += modules/oauth1/README.md

# Tests: known answers of the pure pieces (tests/modules/oauth1/).
LK_OAUTH1_TEST_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/modules/oauth1 \
	-I$(top_srcdir)/tests $(CUNIT_CFLAGS) $(CRYPTO_CFLAGS) -pthread
check_PROGRAMS += tests/modules/oauth1/test_oauth1_sign
TESTS += tests/modules/oauth1/test_oauth1_sign
tests_modules_oauth1_test_oauth1_sign_SOURCES = \
	tests/modules/oauth1/test_oauth1_sign.c
tests_modules_oauth1_test_oauth1_sign_CFLAGS = $(LK_OAUTH1_TEST_CFLAGS)
tests_modules_oauth1_test_oauth1_sign_LDADD = modules/oauth1/liboauth1sign.la \
	core/libcore.la $(CUNIT_LIBS) $(CRYPTO_LIBS) -lpthread
EXTRA_DIST += tests/modules/oauth1/wiki-oauth-net-rsa.pem \
	tests/modules/oauth1/wiki-oauth-net-rsa.pub.pem

# Benchmark (make bench): signing speed against the HMAC-SHA1 limit.
bench_programs += tests/bench/bench_oauth1
EXTRA_PROGRAMS += tests/bench/bench_oauth1
tests_bench_bench_oauth1_SOURCES = tests/bench/bench_oauth1.c
tests_bench_bench_oauth1_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/modules/oauth1 \
	$(CRYPTO_CFLAGS)
tests_bench_bench_oauth1_LDADD = modules/oauth1/liboauth1sign.la \
	core/liblatchkey.la $(CRYPTO_LIBS)

# Tests: the whole flow against lk-provider on 127.0.0.1.
check_PROGRAMS += tests/modules/oauth1/test_oauth1_flow
TESTS += tests/modules/oauth1/test_oauth1_flow
tests_modules_oauth1_test_oauth1_flow_SOURCES = \
	tests/modules/oauth1/test_oauth1_flow.c
tests_modules_oauth1_test_oauth1_flow_CFLAGS = $(AM_CFLAGS) \
	-I$(top_srcdir)/tests $(CUNIT_CFLAGS) $(CURL_CFLAGS) $(CJSON_CFLAGS)
tests_modules_oauth1_test_oauth1_flow_LDADD = core/liblatchkey.la \
	$(CUNIT_LIBS) $(CURL_LIBS) $(CJSON_LIBS)
tests_modules_oauth1_test_oauth1_flow_DEPENDENCIES = core/liblatchkey.la \
	tests/provider/lk-provider tests/moddir/.stamp

# Tests: the module loads; bad oauth1 blocks are refused by check-config.
check_PROGRAMS += tests/modules/oauth1/test_oauth1_config
TESTS += tests/modules/oauth1/test_oauth1_config
tests_modules_oauth1_test_oauth1_config_SOURCES = \
	tests/modules/oauth1/test_oauth1_config.c
tests_modules_oauth1_test_oauth1_config_CFLAGS = $(AM_CFLAGS) \
	-I$(top_srcdir)/tests $(CUNIT_CFLAGS)
tests_modules_oauth1_test_oauth1_config_LDADD = core/liblatchkey.la \
	$(CUNIT_LIBS)
tests_modules_oauth1_test_oauth1_config_DEPENDENCIES = core/liblatchkey.la \
	tests/moddir/.stamp

# Interop: the whole flow against a provider built on python3-oauthlib.
# Interop with Debian's python3-oauthlib lives with the other interop tests.
TESTS += tests/interop/oauth1_oauthlib.sh
dist_check_SCRIPTS += tests/interop/oauth1_oauthlib.sh
EXTRA_DIST += tests/interop/oauth1_oauthlib_provider.py

# The module's exports and links.
TESTS += tests/modules/oauth1/exports.sh
dist_check_SCRIPTS += tests/modules/oauth1/exports.sh
