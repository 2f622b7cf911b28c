# The latchkey command: a thin client of liblatchkey.
bin_PROGRAMS += tools/latchkey
tools_latchkey_SOURCES = tools/latchkey.c tools/cli.h tools/cli_output.c \
	tools/cli_prompt.c tools/cli_connect.c tools/cli_conn.c \
	tools/cli_call.c tools/cli_help.c tools/cli_loopback.c \
	tools/cli_loopback.h
tools_latchkey_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(MHD_CFLAGS) \
	$(CURL_CFLAGS) $(AX_PTHREAD_LIBS)
tools_latchkey_LDADD = tools/serve/libserve.la core/liblatchkey.la \
	$(CJSON_LIBS) $(MHD_LIBS) \
	$(CURL_LIBS) $(AX_PTHREAD_LIBS)
dist_man_MANS = man/latchkey.1
