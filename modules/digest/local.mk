# digest.so: see modules/digest/README.md.
pkglib_LTLIBRARIES += modules/digest/digest.la
modules_digest_digest_la_SOURCES = modules/digest/digest.c \
	modules/digest/digest_challenge.c modules/digest/digest_challenge.h \
	modules/digest/digest_response.c modules/digest/digest_response.h \
	modules/digest/digest_header.c modules/digest/digest_header.h
modules_digest_digest_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version \
	-shared -no-undefined \
	-Wl,--version-script=$(top_srcdir)/modules/module.map
modules_digest_digest_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) -pthread
modules_digest_digest_la_LIBADD = core/liblatchkey.la $(CRYPTO_LIBS) -lpthread
EXTRA_DIST += modules/digest/README.md

# tests/modules/digest: KATs, parser and nonce cache, through the loader.
check_PROGRAMS += tests/modules/digest/test_digest
TESTS += tests/modules/digest/test_digest
tests_modules_digest_test_digest_SOURCES = \
	tests/modules/digest/test_digest.c \
	modules/digest/digest_challenge.c modules/digest/digest_response.c \
	modules/digest/digest_header.c
tests_modules_digest_test_digest_CFLAGS = $(AM_CFLAGS) \
	-I$(top_srcdir)/core -I$(top_srcdir)/tests $(CRYPTO_CFLAGS) \
	$(CUNIT_CFLAGS) -pthread
# The module binds its lk_* upcalls to this program's core (one copy, so
# the lk_test_set_entropy hook reaches it).
tests_modules_digest_test_digest_LDFLAGS = $(AM_LDFLAGS) -export-dynamic
tests_modules_digest_test_digest_LDADD = core/libcore.la $(CRYPTO_LIBS) \
	$(CUNIT_LIBS) -lpthread

# End to end against lk-provider's Digest area (tests/provider/digest.c).
check_PROGRAMS += tests/modules/digest/test_digest_provider
TESTS += tests/modules/digest/test_digest_provider
tests_modules_digest_test_digest_provider_SOURCES = \
	tests/modules/digest/test_digest_provider.c \
	tests/modules/digest/digest_harness.h
tests_modules_digest_test_digest_provider_CFLAGS = $(AM_CFLAGS) \
	-I$(top_srcdir)/tests $(CUNIT_CFLAGS) $(CURL_CFLAGS) $(CJSON_CFLAGS) \
	-pthread
tests_modules_digest_test_digest_provider_LDADD = core/liblatchkey.la \
	$(CUNIT_LIBS) $(CURL_LIBS) $(CJSON_LIBS) -lpthread

# `make bench`: headers/s next to bare EVP, requests per call.
bench_programs += tests/bench/bench_digest
EXTRA_PROGRAMS += tests/bench/bench_digest
tests_bench_bench_digest_SOURCES = \
	tests/bench/bench_digest.c \
	tests/modules/digest/digest_harness.h
tests_bench_bench_digest_CFLAGS = $(AM_CFLAGS) \
	-I$(top_srcdir)/core $(CRYPTO_CFLAGS) $(CURL_CFLAGS) $(CJSON_CFLAGS) \
	-pthread
tests_bench_bench_digest_LDFLAGS = $(AM_LDFLAGS) -export-dynamic
tests_bench_bench_digest_LDADD = core/libcore.la $(CRYPTO_LIBS) \
	$(CURL_LIBS) $(CJSON_LIBS) -lpthread
