# tests/bench/store.mk: the file store's speed (save+load, create, list
# of 1000). Links core/libcore.la to reach the store's internals.
bench_programs += tests/bench/bench_store
EXTRA_PROGRAMS += tests/bench/bench_store
tests_bench_bench_store_SOURCES = tests/bench/bench_store.c
tests_bench_bench_store_CFLAGS = $(AM_CFLAGS) -pthread
tests_bench_bench_store_LDADD = core/libcore.la -lpthread
