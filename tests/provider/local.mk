# tests/provider: lk-provider, the provider emulator the end-to-end tests
# and the quick start demo talk to (see tests/provider/README.md). Built by
# plain `make` (noinst) because ./quickstart.sh runs it after `make`. Each
# scheme's area adds its file from its own .mk:
#   tests_provider_lk_provider_SOURCES += tests/provider/oauth2.c
noinst_PROGRAMS += tests/provider/lk-provider
tests_provider_lk_provider_SOURCES = tests/provider/provider.c \
	tests/provider/provider.h tests/provider/basic_apikey.c
tests_provider_lk_provider_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) \
	$(CJSON_CFLAGS) $(CRYPTO_CFLAGS) $(CURL_CFLAGS) $(AX_PTHREAD_LIBS)
tests_provider_lk_provider_LDADD = $(MHD_LIBS) $(CJSON_LIBS) \
	$(CRYPTO_LIBS) $(CURL_LIBS) $(AX_PTHREAD_LIBS)
EXTRA_DIST += tests/provider/lkp_spawn.h tests/provider/README.md tests/provider/start.sh
TESTS += tests/provider/smoke.sh
dist_check_SCRIPTS += tests/provider/smoke.sh
