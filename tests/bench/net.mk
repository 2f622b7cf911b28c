# tests/bench/net.mk: HTTP requests/second over one reused handle
# (keep-alive) against fresh connections, to a local MHD server.
bench_programs += tests/bench/bench_http
EXTRA_PROGRAMS += tests/bench/bench_http
tests_bench_bench_http_SOURCES = tests/bench/bench_http.c
tests_bench_bench_http_CFLAGS = $(AM_CFLAGS) \
	$(CURL_CFLAGS) $(MHD_CFLAGS) -pthread
tests_bench_bench_http_LDADD = core/libcore.la $(CURL_LIBS) $(MHD_LIBS) \
	-lpthread
