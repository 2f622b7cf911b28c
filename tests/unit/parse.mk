# tests/unit/parse.mk: template and token-response tests
