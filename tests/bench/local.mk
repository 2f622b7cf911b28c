# tests/bench: benchmarks, built and run by `make bench`, never by check.
bench_programs += tests/bench/bench_perform
EXTRA_PROGRAMS += tests/bench/bench_perform
tests_bench_bench_perform_SOURCES = tests/bench/bench_perform.c
tests_bench_bench_perform_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS)
tests_bench_bench_perform_LDADD = core/liblatchkey.la $(MHD_LIBS)
