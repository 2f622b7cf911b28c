# basic.so: see modules/basic/README.md.
pkglib_LTLIBRARIES += modules/basic/basic.la
modules_basic_basic_la_SOURCES = modules/basic/basic.c
modules_basic_basic_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared \
	-no-undefined -Wl,--version-script=$(top_srcdir)/modules/module.map
modules_basic_basic_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
modules_basic_basic_la_LIBADD = core/liblatchkey.la $(CRYPTO_LIBS)
EXTRA_DIST += modules/basic/README.md
