# tests/unit/parse.mk: template and token-response tests (CUnit against
# core/libcore.la; LK_UNIT_* come from tests/unit/local.mk).
check_PROGRAMS += tests/unit/test_template tests/unit/test_token_response
TESTS += tests/unit/test_template tests/unit/test_token_response

tests_unit_test_template_SOURCES = tests/unit/test_template.c
tests_unit_test_template_CFLAGS = $(LK_UNIT_CFLAGS)
tests_unit_test_template_LDADD = $(LK_UNIT_LDADD)

tests_unit_test_token_response_SOURCES = tests/unit/test_token_response.c
tests_unit_test_token_response_CFLAGS = $(LK_UNIT_CFLAGS) $(XML_CFLAGS)
tests_unit_test_token_response_LDADD = $(LK_UNIT_LDADD) $(XML_LIBS)
