# liblatchkey. core/libcore.la holds every core object so that unit tests
# can reach internal functions; liblatchkey.la exports only lk_* (map).
noinst_LTLIBRARIES += core/libcore.la
core_libcore_la_SOURCES = \
	core/core.h core/settings.h core/error.h core/log.h core/fields.h \
	core/config.h core/loader.h core/template.h core/url.h core/http.h \
	core/token_response.h core/store.h core/conn.h core/bind.h \
	core/perform.h core/testreq.h core/ctx.h \
	core/status.c core/alloc.c core/fields.c core/error.c core/log.c \
	core/random.c core/settings.c core/config.c core/template.c \
	core/url.c core/request.c core/http.c core/token_response.c \
	core/loader.c core/bind.c core/call.c core/store_file.c core/conn.c \
	core/conn_codec.c core/connect.c core/testreq.c core/perform.c \
	core/ctx.c core/app.c
core_libcore_la_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(CRYPTO_CFLAGS) \
	$(CJSON_CFLAGS) $(XML_CFLAGS) $(LIBCONFIG_CFLAGS) -pthread
core_libcore_la_LIBADD = $(CURL_LIBS) $(CRYPTO_LIBS) $(CJSON_LIBS) \
	$(XML_LIBS) $(LIBCONFIG_LIBS) $(LTDL_LIBS) -lpthread

# libtool version-info C:R:A. Source changed: R++. Interfaces added:
# C++, R=0, A++. Interfaces removed or changed: C++, R=0, A=0.
LK_LT_VERSION = 1:0:1
lib_LTLIBRARIES += core/liblatchkey.la
core_liblatchkey_la_SOURCES =
core_liblatchkey_la_LIBADD = core/libcore.la
if SANITIZE
LK_ZDEFS =
else
LK_ZDEFS = -Wl,-z,defs
endif
core_liblatchkey_la_LDFLAGS = $(AM_LDFLAGS) -version-info $(LK_LT_VERSION) \
	-no-undefined $(LK_ZDEFS) \
	-Wl,--version-script=$(top_srcdir)/core/liblatchkey.map
EXTRA_core_liblatchkey_la_DEPENDENCIES = $(top_srcdir)/core/liblatchkey.map
