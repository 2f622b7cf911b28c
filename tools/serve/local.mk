# latchkey serve: the HTTP API and connect pages (DESIGN.md "Serving host
# programs"), a convenience library the latchkey command links; it also
# carries tools/conn_json.c, the connection JSON both of them print.
noinst_LTLIBRARIES += tools/serve/libserve.la
tools_serve_libserve_la_SOURCES = tools/serve/serve.h tools/serve/serve_int.h \
	tools/serve/serve_main.c tools/serve/serve_config.c \
	tools/serve/serve_auth.c tools/serve/serve_json.c \
	tools/serve/serve_api.c tools/serve/serve_link.c \
	tools/serve/serve_connect.c \
	tools/conn_json.h tools/conn_json.c
EXTRA_DIST += tools/serve/README.md
tools_serve_libserve_la_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) $(CJSON_CFLAGS) \
	$(CRYPTO_CFLAGS) $(CURL_CFLAGS) -pthread
tools_serve_libserve_la_LIBADD = core/liblatchkey.la $(MHD_LIBS) \
	$(CJSON_LIBS) $(CRYPTO_LIBS) $(CURL_LIBS) -lpthread

# Tests: tests/serve/start.sh starts "$SERVE_BIN serve" (tools/latchkey).
TESTS += tests/serve/serve_api.sh
dist_check_SCRIPTS += tests/serve/serve_api.sh tests/serve/start.sh \
	tests/serve/setup.sh
TESTS += tests/serve/serve_connect.sh
dist_check_SCRIPTS += tests/serve/serve_connect.sh

check_PROGRAMS += tests/serve/test_serve_link
TESTS += tests/serve/test_serve_link
tests_serve_test_serve_link_SOURCES = tests/serve/test_serve_link.c
tests_serve_test_serve_link_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/tools/serve $(CUNIT_CFLAGS) $(MHD_CFLAGS) \
	$(CJSON_CFLAGS) -pthread
tests_serve_test_serve_link_LDADD = tools/serve/libserve.la \
	core/liblatchkey.la $(CUNIT_LIBS) -lpthread

# The connect popup in Debian's chromium via playwright-core (npm; see
# tests/browser/package.json): CI installs chromium, nodejs and npm.
TESTS += tests/browser/browser.sh
dist_check_SCRIPTS += tests/browser/browser.sh
EXTRA_DIST += tests/browser/connect_popup.mjs tests/browser/host_server.mjs \
	tests/browser/host.html tests/browser/package.json \
	tests/browser/package-lock.json


# `make bench`: wrk against latchkey serve (tests/bench/bench_serve.sh).
bench_programs += tests/bench/bench_serve
EXTRA_PROGRAMS += tests/bench/bench_serve
tests_bench_bench_serve_SOURCES = tests/bench/bench_serve.c
tests_bench_bench_serve_CPPFLAGS = $(AM_CPPFLAGS) \
	-DLK_TOP_SRCDIR=\"$(abs_top_srcdir)\"
EXTRA_DIST += tests/bench/bench_serve.sh

# npm ci (when the source tree has no node_modules) and the screenshots
# stay in the build folder; the source folder keeps its own files.
clean-local: clean-local-browser
clean-local-browser:
	rm -rf tests/browser/shots
	test "$(srcdir)" = . || rm -rf tests/browser/node_modules \
		tests/browser/package.json tests/browser/package-lock.json
.PHONY: clean-local-browser
