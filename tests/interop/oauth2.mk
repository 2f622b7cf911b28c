# OAuth 2.0 interop: oauth2.so against oidc-provider (npm, pinned by
# tests/interop/oidc/package-lock.json, installed by the test with npm ci
# into $(top_builddir)/tests/interop/oidc; needs node >= 20 and npm).
TESTS += tests/interop/oauth2_oidc.sh
dist_check_SCRIPTS += tests/interop/oauth2_oidc.sh
EXTRA_DIST += tests/interop/oidc/package.json \
	tests/interop/oidc/package-lock.json tests/interop/oidc/server.mjs

# npm ci leaves node_modules (and, out of tree, copies of the package
# files) in the build folder; the source folder keeps its own files.
clean-local: clean-local-oidc
clean-local-oidc:
	rm -rf tests/interop/oidc/node_modules
	test "$(srcdir)" = . || rm -rf tests/interop/oidc
.PHONY: clean-local-oidc
