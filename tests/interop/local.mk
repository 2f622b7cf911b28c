# tests/interop: latchkey against real servers, started by the test on
# 127.0.0.1 (a missing server fails the test: install it, see README).
# lighttpd_digest.sh: digest.so against lighttpd's mod_auth (MD5, SHA-256).
TESTS += tests/interop/lighttpd_digest.sh
dist_check_SCRIPTS += tests/interop/lighttpd_digest.sh
