# tests/loader: the loader refuses bad modules with exact messages.
LK_BADMOD_LDFLAGS = -module -avoid-version -rpath /nowhere -shared
LK_BADMOD_CFLAGS = $(AM_CFLAGS) -Wno-override-init
check_LTLIBRARIES += tests/loader/bad_nosym.la tests/loader/bad_abi.la \
	tests/loader/bad_small.la tests/loader/bad_ssmall.la \
	tests/loader/bad_init.la tests/loader/bad_name.la
tests_loader_bad_nosym_la_SOURCES = tests/loader/bad_module.c
tests_loader_bad_nosym_la_CFLAGS = $(LK_BADMOD_CFLAGS) -DBAD_NOSYM
tests_loader_bad_nosym_la_LDFLAGS = $(LK_BADMOD_LDFLAGS)
tests_loader_bad_abi_la_SOURCES = tests/loader/bad_module.c
tests_loader_bad_abi_la_CFLAGS = $(LK_BADMOD_CFLAGS) -DBAD_ABI2 \
	-DBAD_NAME='"bad_abi"'
tests_loader_bad_abi_la_LDFLAGS = $(LK_BADMOD_LDFLAGS)
tests_loader_bad_small_la_SOURCES = tests/loader/bad_module.c
tests_loader_bad_small_la_CFLAGS = $(LK_BADMOD_CFLAGS) -DBAD_SMALL \
	-DBAD_NAME='"bad_small"'
tests_loader_bad_small_la_LDFLAGS = $(LK_BADMOD_LDFLAGS)
tests_loader_bad_ssmall_la_SOURCES = tests/loader/bad_module.c
tests_loader_bad_ssmall_la_CFLAGS = $(LK_BADMOD_CFLAGS) -DBAD_SCHEME_SMALL \
	-DBAD_NAME='"bad_ssmall"'
tests_loader_bad_ssmall_la_LDFLAGS = $(LK_BADMOD_LDFLAGS)
tests_loader_bad_init_la_SOURCES = tests/loader/bad_module.c
tests_loader_bad_init_la_CFLAGS = $(LK_BADMOD_CFLAGS) -DBAD_INIT \
	-DBAD_NAME='"bad_init"'
tests_loader_bad_init_la_LDFLAGS = $(LK_BADMOD_LDFLAGS)
tests_loader_bad_name_la_SOURCES = tests/loader/bad_module.c
tests_loader_bad_name_la_CFLAGS = $(LK_BADMOD_CFLAGS) -DBAD_NAME='"wrong"'
tests_loader_bad_name_la_LDFLAGS = $(LK_BADMOD_LDFLAGS)

check_PROGRAMS += tests/loader/test_loader
TESTS += tests/loader/test_loader
tests_loader_test_loader_SOURCES = tests/loader/test_loader.c
tests_loader_test_loader_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/core \
	-I$(top_srcdir)/tests $(CUNIT_CFLAGS) -pthread
tests_loader_test_loader_LDADD = core/libcore.la $(CUNIT_LIBS) -lpthread
