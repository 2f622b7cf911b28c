# tests/unit/store.mk: the file store and connection records
# (core/store_file.c, core/conn_codec.c). test_store: sealing, owners,
# ids, numbering, flows, modes; test_store_crash: SIGKILLed writers,
# numbering races and locks between threads and processes.
check_PROGRAMS += tests/unit/test_store tests/unit/test_store_crash
TESTS += tests/unit/test_store tests/unit/test_store_crash
tests_unit_test_store_SOURCES = tests/unit/test_store.c \
	tests/unit/test_store_util.h
tests_unit_test_store_CFLAGS = $(LK_UNIT_CFLAGS)
tests_unit_test_store_LDADD = $(LK_UNIT_LDADD)
tests_unit_test_store_crash_SOURCES = tests/unit/test_store_crash.c \
	tests/unit/test_store_util.h
tests_unit_test_store_crash_CFLAGS = $(LK_UNIT_CFLAGS)
tests_unit_test_store_crash_LDADD = $(LK_UNIT_LDADD)
