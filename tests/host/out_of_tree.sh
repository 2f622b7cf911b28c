#!/bin/sh
# out_of_tree.sh: a third party builds a module against an installed
# latchkey: the library, headers and latchkey.pc staged into a root as
# `make install DESTDIR` lays them out, then cc with pkg-config's flags (the staging root
# given as PKG_CONFIG_SYSROOT_DIR), and nothing from the source tree. The
# latchkey command then loads that module and uses it against the
# provider emulator.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/provider/start.sh"
T=$(mktemp -d)
cleanup() { lkp_stop; rm -rf "$T"; }
trap cleanup EXIT
LK="$top_builddir/tools/latchkey"
CC=${CC:-cc}

# Stage what a -dev package ships (library, headers, latchkey.pc) where
# `make install` puts them, by copying: running libtool's install here
# would relink liblatchkey in the build folder while other tests load it
# (seen as "cannot open shared object file"). The install rules
# themselves are exercised by make distcheck.
pcsrc="$top_builddir/latchkey.pc"
libdir=$(PKG_CONFIG_PATH="$top_builddir" pkg-config --variable=libdir latchkey)
incdir=$(PKG_CONFIG_PATH="$top_builddir" pkg-config --variable=includedir latchkey)
mkdir -p "$T/stage$libdir/pkgconfig" "$T/stage$incdir/latchkey" &&
	cp "$top_srcdir"/include/latchkey/*.h "$T/stage$incdir/latchkey/" &&
	cp -P "$top_builddir"/core/.libs/liblatchkey.so* "$T/stage$libdir/" &&
	cp "$pcsrc" "$T/stage$libdir/pkgconfig/"
check "staged install (library, headers, latchkey.pc)" [ $? -eq 0 ]
pc=$(find "$T/stage" -name latchkey.pc)
check "latchkey.pc installed" [ -n "$pc" ]
check "headers installed" [ -n "$(find "$T/stage" -path '*/latchkey/module.h')" ]

export PKG_CONFIG_PATH="$(dirname "$pc")" PKG_CONFIG_LIBDIR="$(dirname "$pc")"
export PKG_CONFIG_SYSROOT_DIR="$T/stage"
cflags=$(pkg-config --cflags latchkey)
libs=$(pkg-config --libs latchkey)
check "pkg-config --cflags points into the staging root" \
	sh -c "echo '$cflags' | grep -q -- '-I$T/stage/'"
mkdir -p "$T/mods" "$T/apps"
chmod 755 "$T/mods"
printf '{ global: latchkey_module; local: *; };\n' >"$T/module.map"
# -nostdinc would also drop libc: instead make sure the source tree's
# include folder is not on the line.
case "$cflags $libs" in *"$top_srcdir"*) not_ok "flags name the source tree" ;; esac
$CC -std=c11 -Wall -Wextra -Werror -fPIC -shared -fvisibility=hidden $cflags \
	-o "$T/mods/oot_token.so" "$top_srcdir/tests/host/oot_token.c" $libs \
	-Wl,--version-script="$T/module.map" 2>"$T/cc.log"
check "the module builds against the installed headers" [ $? -eq 0 ]
cat "$T/cc.log"
chmod 644 "$T/mods/oot_token.so"
check "it exports latchkey_module and nothing else" [ \
	"$(nm -D --defined-only "$T/mods/oot_token.so" | awk '{print $3}' | grep -v '^_' | tr '\n' ' ')" = "latchkey_module " ]

lkp_start "$T" 60 || { not_ok "provider started"; lk_done; }
cat > "$T/latchkey.conf" <<EOC
module_path = "$T/mods";
apps_dir = "apps";
store = { path = "$T/store"; key_file = "$T/master.key"; };
http = { timeout = 5; connect_timeout = 2; };
EOC
cat > "$T/apps/vendor.conf" <<EOC
app = { id = "vendor"; title = "Vendor"; scheme = "oot_token";
  oot_token = { header = "X-Api-Key"; };
  base_urls = [ "$LKP_BASE/apikey/" ]; allow_http = true;
  test = { method = "GET"; url = "$LKP_BASE/apikey/me"; };
  label = "{{account.name}}"; };
EOC
export LATCHKEY_CONFIG="$T/latchkey.conf"
check "check-config accepts the app" "$LK" check-config
out=$("$LK" --json modules)
check "modules lists it" python3 -c '
import json, sys
m = json.loads(sys.argv[1])["data"]
assert m == [{"name": "oot_token", "version": "2.5", "abi": "1.1",
              "scheme": True, "refresh": False, "hooks": False}], m
' "$out"
out=$("$LK" --json connect vendor -f token=key-456)
check "connect through the module" python3 -c '
import json, sys
c = json.loads(sys.argv[1])
assert c["label"] == "Vendor Globex" and c["number"] == 1, c
' "$out"
ID=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$out")
out=$("$LK" call "$ID" GET "$LKP_BASE/apikey/items")
check "call through the module" sh -c "echo '$out' | grep -q Globex"
reqs=$(curl -s "$LKP_BASE/_/requests")
check "the provider saw the token in the module's header" python3 -c '
import json, sys
r = json.loads(sys.argv[1])
assert [x["path"] for x in r] == ["/apikey/me", "/apikey/items"], r
assert all(x["headers"].get("x-api-key") == "key-456" for x in r), r
' "$reqs"
out=$("$LK" show "$ID")
check "the token is a secret field" sh -c "echo '$out' | grep -q '  token: (secret)' && ! echo '$out' | grep -q key-456"
lk_done
