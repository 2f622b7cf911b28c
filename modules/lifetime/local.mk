# lifetime.so: see modules/lifetime/README.md.
pkglib_LTLIBRARIES += modules/lifetime/lifetime.la
modules_lifetime_lifetime_la_SOURCES = modules/lifetime/lifetime.c
modules_lifetime_lifetime_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared \
	-no-undefined -Wl,--version-script=$(top_srcdir)/modules/module.map
modules_lifetime_lifetime_la_LIBADD = core/liblatchkey.la
EXTRA_DIST += modules/lifetime/README.md

# Tests (tests/policy/): lifetime.so's decisions at exact boundaries and
# its refresh at 90 % of life, through the core against lk-provider.
check_PROGRAMS += tests/policy/test_lifetime
TESTS += tests/policy/test_lifetime
tests_policy_test_lifetime_SOURCES = tests/policy/test_lifetime.c \
	tests/modules/oauth2/o2_harness.h
tests_policy_test_lifetime_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/tests \
	$(CUNIT_CFLAGS) $(CJSON_CFLAGS) $(CURL_CFLAGS)
tests_policy_test_lifetime_LDADD = core/liblatchkey.la $(CUNIT_LIBS) \
	$(CJSON_LIBS) $(CURL_LIBS)

# tests/policy/vendor_policy.so: a third-party refresh policy, built as a
# vendor would build it; its test loads it from a module folder of its own.
check_LTLIBRARIES += tests/policy/vendor_policy.la
tests_policy_vendor_policy_la_SOURCES = tests/policy/vendor_policy.c
tests_policy_vendor_policy_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version \
	-shared -rpath /nowhere -no-undefined \
	-Wl,--version-script=$(top_srcdir)/modules/module.map
tests_policy_vendor_policy_la_LIBADD = core/liblatchkey.la
check_PROGRAMS += tests/policy/test_vendor_policy
TESTS += tests/policy/test_vendor_policy
tests_policy_test_vendor_policy_SOURCES = tests/policy/test_vendor_policy.c \
	tests/modules/oauth2/o2_harness.h
tests_policy_test_vendor_policy_CFLAGS = $(tests_policy_test_lifetime_CFLAGS)
tests_policy_test_vendor_policy_LDADD = $(tests_policy_test_lifetime_LDADD)
