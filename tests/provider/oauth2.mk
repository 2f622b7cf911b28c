# The OAuth 2.0 area of lk-provider (see tests/provider/oauth2.c).
tests_provider_lk_provider_SOURCES += tests/provider/oauth2.c
