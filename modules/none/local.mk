# none.so: see modules/none/README.md.
pkglib_LTLIBRARIES += modules/none/none.la
modules_none_none_la_SOURCES = modules/none/none.c
modules_none_none_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared \
	-no-undefined -Wl,--version-script=$(top_srcdir)/modules/module.map
modules_none_none_la_LIBADD = core/liblatchkey.la
EXTRA_DIST += modules/none/README.md
