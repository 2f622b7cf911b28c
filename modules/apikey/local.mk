# apikey.so: see modules/apikey/README.md.
pkglib_LTLIBRARIES += modules/apikey/apikey.la
modules_apikey_apikey_la_SOURCES = modules/apikey/apikey.c
modules_apikey_apikey_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared \
	-no-undefined -Wl,--version-script=$(top_srcdir)/modules/module.map
modules_apikey_apikey_la_LIBADD = core/liblatchkey.la
EXTRA_DIST += modules/apikey/README.md
