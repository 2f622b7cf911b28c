# The Digest area of lk-provider (tests/provider/digest.c: every algorithm
# and qop, userhash, stale nonces on demand, a request counter).
tests_provider_lk_provider_SOURCES += tests/provider/digest.c
