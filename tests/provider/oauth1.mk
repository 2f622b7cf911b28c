# The OAuth 1.0a area of lk-provider (see tests/provider/oauth1.c).
tests_provider_lk_provider_SOURCES += tests/provider/oauth1.c
