# tests/loader: the loader refuses bad modules with exact messages.
LK_BADMOD_LDFLAGS = -module -avoid-version -rpath /nowhere -shared
LK_BADMOD_CFLAGS = $(AM_CFLAGS) -Wno-override-init
check_LTLIBRARIES += tests/loader/bad_nosym.la tests/loader/bad_abi.la \
	tests/loader/bad_small.la tests/loader/bad_ssmall.la \
	tests/loader/bad_init.la tests/loader/bad_name.la \
	tests/loader/bad_nokind.la tests/loader/bad_noauth.la \
	tests/loader/bad_begin.la tests/loader/bad_state.la \
	tests/loader/bad_refresh.la tests/loader/bad_undef.la \
	tests/loader/bad_newer.la tests/loader/bad_older.la
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
# one variant per inconsistency the loader must refuse, one it must accept
tests_loader_bad_nokind_la_SOURCES = tests/loader/bad_module.c
tests_loader_bad_nokind_la_CFLAGS = $(LK_BADMOD_CFLAGS) -DBAD_NOKIND \
	-DBAD_NAME='"bad_nokind"'
tests_loader_bad_nokind_la_LDFLAGS = $(LK_BADMOD_LDFLAGS)
tests_loader_bad_noauth_la_SOURCES = tests/loader/bad_module.c
tests_loader_bad_noauth_la_CFLAGS = $(LK_BADMOD_CFLAGS) -DBAD_NOAUTH \
	-DBAD_NAME='"bad_noauth"'
tests_loader_bad_noauth_la_LDFLAGS = $(LK_BADMOD_LDFLAGS)
tests_loader_bad_begin_la_SOURCES = tests/loader/bad_module.c
tests_loader_bad_begin_la_CFLAGS = $(LK_BADMOD_CFLAGS) -DBAD_BEGIN \
	-DBAD_NAME='"bad_begin"'
tests_loader_bad_begin_la_LDFLAGS = $(LK_BADMOD_LDFLAGS)
tests_loader_bad_state_la_SOURCES = tests/loader/bad_module.c
tests_loader_bad_state_la_CFLAGS = $(LK_BADMOD_CFLAGS) -DBAD_STATE \
	-DBAD_NAME='"bad_state"'
tests_loader_bad_state_la_LDFLAGS = $(LK_BADMOD_LDFLAGS)
tests_loader_bad_refresh_la_SOURCES = tests/loader/bad_module.c
tests_loader_bad_refresh_la_CFLAGS = $(LK_BADMOD_CFLAGS) -DBAD_REFRESH \
	-DBAD_NAME='"bad_refresh"'
tests_loader_bad_refresh_la_LDFLAGS = $(LK_BADMOD_LDFLAGS)
tests_loader_bad_undef_la_SOURCES = tests/loader/bad_module.c
tests_loader_bad_undef_la_CFLAGS = $(LK_BADMOD_CFLAGS) -DBAD_UNDEF \
	-DBAD_NAME='"bad_undef"'
tests_loader_bad_undef_la_LDFLAGS = $(LK_BADMOD_LDFLAGS)
tests_loader_bad_newer_la_SOURCES = tests/loader/bad_module.c
tests_loader_bad_newer_la_CFLAGS = $(LK_BADMOD_CFLAGS) -DBAD_NEWER \
	-DBAD_NAME='"bad_newer"'
tests_loader_bad_newer_la_LDFLAGS = $(LK_BADMOD_LDFLAGS)
tests_loader_bad_older_la_SOURCES = tests/loader/bad_module.c
tests_loader_bad_older_la_CFLAGS = $(LK_BADMOD_CFLAGS) -DBAD_OLDER \
	-DBAD_NAME='"bad_older"'
tests_loader_bad_older_la_LDFLAGS = $(LK_BADMOD_LDFLAGS)

check_PROGRAMS += tests/loader/test_loader
TESTS += tests/loader/test_loader
tests_loader_test_loader_SOURCES = tests/loader/test_loader.c
tests_loader_test_loader_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/core \
	-I$(top_srcdir)/tests $(CUNIT_CFLAGS) -pthread
tests_loader_test_loader_LDADD = core/libcore.la $(CUNIT_LIBS) -lpthread

# The in-process test world (harness.h) shared by tests/modules,
# tests/hooks and the lazy-loading test.
LK_HARNESS_SOURCES = tests/loader/harness.c tests/loader/harness.h
LK_HARNESS_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/tests $(CUNIT_CFLAGS) \
	$(MHD_CFLAGS) -pthread
LK_HARNESS_LDADD = core/liblatchkey.la $(CUNIT_LIBS) $(MHD_LIBS) -lpthread

# Modules load lazily, the first time an app of their scheme is used.
check_PROGRAMS += tests/loader/test_lazy
TESTS += tests/loader/test_lazy
tests_loader_test_lazy_SOURCES = tests/loader/test_lazy.c $(LK_HARNESS_SOURCES)
tests_loader_test_lazy_CFLAGS = $(LK_HARNESS_CFLAGS)
tests_loader_test_lazy_LDADD = $(LK_HARNESS_LDADD)

# tests/hooks (its rules live here: Makefile.am includes this file): the
# sample hooks module, built as a vendor would build it, and its test.
check_LTLIBRARIES += tests/hooks/vendor_hooks.la
tests_hooks_vendor_hooks_la_SOURCES = tests/hooks/vendor_hooks.c
tests_hooks_vendor_hooks_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version \
	-shared -rpath /nowhere -no-undefined \
	-Wl,--version-script=$(top_srcdir)/modules/module.map
tests_hooks_vendor_hooks_la_LIBADD = core/liblatchkey.la
check_PROGRAMS += tests/hooks/test_hooks
TESTS += tests/hooks/test_hooks
tests_hooks_test_hooks_SOURCES = tests/hooks/test_hooks.c \
	$(LK_HARNESS_SOURCES)
tests_hooks_test_hooks_CFLAGS = $(LK_HARNESS_CFLAGS)
tests_hooks_test_hooks_LDADD = $(LK_HARNESS_LDADD)

# tests/host (rules here too): a host that dlopens liblatchkey.so
# RTLD_LOCAL and links nothing of it, and a module built out of tree
# against the installed headers found with pkg-config.
check_PROGRAMS += tests/host/dlopen_host
tests_host_dlopen_host_SOURCES = tests/host/dlopen_host.c
tests_host_dlopen_host_LDADD = -ldl
TESTS += tests/host/dlopen_host.sh tests/host/out_of_tree.sh
dist_check_SCRIPTS += tests/host/dlopen_host.sh tests/host/out_of_tree.sh
EXTRA_DIST += tests/host/oot_token.c
