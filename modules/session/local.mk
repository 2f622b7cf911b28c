# session.so: see modules/session/README.md.
pkglib_LTLIBRARIES += modules/session/session.la
modules_session_session_la_SOURCES = modules/session/session.c \
	modules/session/session_exchange.c modules/session/session_exchange.h \
	modules/session/session_place.c modules/session/session_place.h \
	modules/session/session_token.c modules/session/session_token.h
modules_session_session_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version \
	-shared -no-undefined \
	-Wl,--version-script=$(top_srcdir)/modules/module.map
modules_session_session_la_LIBADD = core/liblatchkey.la
EXTRA_DIST += modules/session/README.md
