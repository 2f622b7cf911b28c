# tests/unit/net.mk: URL policy, requests/responses and HTTP (core/url.c,
# core/request.c, core/http.c). test_http runs a libmicrohttpd server on
# 127.0.0.1:0 inside the test.
check_PROGRAMS += tests/unit/test_url tests/unit/test_request \
	tests/unit/test_http
TESTS += tests/unit/test_url tests/unit/test_request tests/unit/test_http
tests_unit_test_url_SOURCES = tests/unit/test_url.c
tests_unit_test_url_CFLAGS = $(LK_UNIT_CFLAGS)
tests_unit_test_url_LDADD = $(LK_UNIT_LDADD)
tests_unit_test_request_SOURCES = tests/unit/test_request.c
tests_unit_test_request_CFLAGS = $(LK_UNIT_CFLAGS) $(CURL_CFLAGS)
tests_unit_test_request_LDADD = $(LK_UNIT_LDADD) $(CURL_LIBS)
tests_unit_test_http_SOURCES = tests/unit/test_http.c
tests_unit_test_http_CFLAGS = $(LK_UNIT_CFLAGS) $(MHD_CFLAGS)
tests_unit_test_http_LDADD = $(LK_UNIT_LDADD) $(MHD_LIBS)
