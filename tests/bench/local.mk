# tests/bench: benchmarks, built and run by `make bench`, never by check.
bench_programs += tests/bench/bench_perform
EXTRA_PROGRAMS += tests/bench/bench_perform
tests_bench_bench_perform_SOURCES = tests/bench/bench_perform.c
tests_bench_bench_perform_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) $(CURL_CFLAGS)
tests_bench_bench_perform_LDADD = core/liblatchkey.la $(MHD_LIBS) $(CURL_LIBS)

bench_programs += tests/bench/bench_config
EXTRA_PROGRAMS += tests/bench/bench_config
tests_bench_bench_config_SOURCES = tests/bench/bench_config.c
tests_bench_bench_config_LDADD = core/liblatchkey.la
