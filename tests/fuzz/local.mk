# tests/fuzz: fuzz targets (STYLE.md B10), replayed in `make check` by
# tests/fuzz/replay; `make fuzz` builds them for libFuzzer with clang.
# Adding a target: a line in tests/fuzz/targets.h, its sources on one
# `tests_fuzz_replay_SOURCES +=` line below, and a corpus folder
# tests/fuzz/corpus/<name>/ (see tests/fuzz/README.md).
check_PROGRAMS += tests/fuzz/replay
TESTS += tests/fuzz/replay
tests_fuzz_replay_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz.h \
	tests/fuzz/targets.h
tests_fuzz_replay_SOURCES += tests/fuzz/fuzz_token_response.c
tests_fuzz_replay_SOURCES += tests/fuzz/fuzz_template.c
tests_fuzz_replay_SOURCES += tests/fuzz/fuzz_digest_challenge.c modules/digest/digest_challenge.c
tests_fuzz_replay_SOURCES += tests/fuzz/fuzz_oauth2_callback.c modules/oauth2/oauth2_callback.c
tests_fuzz_replay_SOURCES += tests/fuzz/fuzz_oauth1_encode.c modules/oauth1/oauth1_encode.c modules/oauth1/oauth1_buf.c
tests_fuzz_replay_CPPFLAGS = $(AM_CPPFLAGS) \
	-DLK_FUZZ_SRCDIR='"$(abs_top_srcdir)"'
tests_fuzz_replay_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) -pthread
tests_fuzz_replay_LDADD = core/libcore.la $(CJSON_LIBS) -lpthread
EXTRA_DIST += tests/fuzz/README.md tests/fuzz/corpus

# `make fuzz` (not part of check): every target in targets.h as a
# libFuzzer binary tests/fuzz/fuzz_<name>.fuzzer, with the core's sources and
# any extra .c listed above compiled in, all instrumented.
LK_FUZZ_CC = clang
LK_FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined
fuzz:
	@command -v $(LK_FUZZ_CC) >/dev/null 2>&1 || { \
	  echo "fuzz: $(LK_FUZZ_CC) not found; set LK_FUZZ_CC=clang-NN" >&2; \
	  exit 1; }
	@mkdir -p tests/fuzz; core=; extra=; \
	for s in $(core_libcore_la_SOURCES); do case $$s in \
	  *.c) core="$$core $(srcdir)/$$s";; esac; done; \
	for s in $(tests_fuzz_replay_SOURCES); do case $$s in \
	  tests/fuzz/*) ;; *.c) extra="$$extra $(srcdir)/$$s";; esac; done; \
	for t in `sed -n 's/^LK_FUZZ_TARGET(\(.*\))$$/\1/p' \
	    $(srcdir)/tests/fuzz/targets.h`; do \
	  echo "  FUZZ     tests/fuzz/fuzz_$$t.fuzzer"; \
	  $(LK_FUZZ_CC) $(LK_FUZZ_FLAGS) -DLK_FUZZ_LIBFUZZER $(DEFS) \
	    $(DEFAULT_INCLUDES) $(AM_CPPFLAGS) $(CPPFLAGS) -std=c11 \
	    -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	    -fvisibility=hidden $(CURL_CFLAGS) $(CRYPTO_CFLAGS) \
	    $(CJSON_CFLAGS) $(XML_CFLAGS) $(LIBCONFIG_CFLAGS) -pthread \
	    -o tests/fuzz/fuzz_$$t.fuzzer $(srcdir)/tests/fuzz/fuzz_$$t.c \
	    $$core $$extra $(CURL_LIBS) $(CRYPTO_LIBS) $(CJSON_LIBS) \
	    $(XML_LIBS) $(LIBCONFIG_LIBS) $(LTDL_LIBS) -lpthread || exit 1; \
	done
.PHONY: fuzz
CLEANFILES += tests/fuzz/*.fuzzer
