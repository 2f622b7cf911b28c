#!/bin/sh
# dlopen_host.sh: a host that dlopens liblatchkey.so RTLD_LOCAL connects an
# apikey account and calls the provider emulator with it, then calls an
# app of scheme none; the provider's record shows what was sent.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/provider/start.sh"
T=$(mktemp -d)
cleanup() { lkp_stop; rm -rf "$T"; }
trap cleanup EXIT

lkp_start "$T" 60 || { not_ok "provider started"; lk_done; }
mkdir -p "$T/mods" "$T/apps"
chmod 755 "$T/mods"
for m in apikey none; do
	cp "$top_builddir/modules/$m/.libs/$m.so" "$T/mods/"
	chmod 644 "$T/mods/$m.so"
done
cat > "$T/latchkey.conf" <<EOC
module_path = "$T/mods";
apps_dir = "apps";
store = { path = "$T/store"; key_file = "$T/master.key"; };
http = { timeout = 5; connect_timeout = 2; };
EOC
cat > "$T/apps/acme.conf" <<EOC
app = { id = "acme"; title = "Acme"; scheme = "apikey";
  fields = ( { key = "api_key"; label = "API key"; secret = true; } );
  apikey = { headers = [ "X-Api-Key: {{api_key}}" ]; };
  base_urls = [ "$LKP_BASE/apikey/" ]; allow_http = true;
  test = { method = "GET"; url = "$LKP_BASE/apikey/me"; };
  label = "{{account.name}}"; };
EOC
cat > "$T/apps/public.conf" <<EOC
app = { id = "public"; title = "Public"; scheme = "none"; allow_http = true; };
EOC

out=$("$top_builddir/tests/host/dlopen_host" \
	"$top_builddir/core/.libs/liblatchkey.so" "$T/latchkey.conf" \
	acme key-123 "$LKP_BASE/apikey/items" \
	public "$LKP_BASE/_/count?path=/apikey/" 2>"$T/err")
rc=$?
check "host exits 0" [ $rc -eq 0 ]
[ $rc -eq 0 ] || cat "$T/err"
check "connected with a label from the test response" \
	[ "$(echo "$out" | sed -n 1p)" = "connected Acme Acme" ]
check "the apikey call got 200" [ "$(echo "$out" | sed -n 2p)" = "status 200" ]
check "the apikey call's body" sh -c "echo '$out' | sed -n 3p | grep -q 'Acme widget'"
check "the none call got 200" [ "$(echo "$out" | sed -n 4p)" = "status 200" ]
check "the none call saw both apikey requests" \
	[ "$(echo "$out" | sed -n 5p)" = '{"count":2}' ]
reqs=$(curl -s "$LKP_BASE/_/requests")
check "the provider got the key in the header, twice" python3 -c '
import json, sys
r = json.loads(sys.argv[1])
assert [x["path"] for x in r] == ["/apikey/me", "/apikey/items"], r
assert all(x["headers"].get("x-api-key") == "key-123" for x in r)
' "$reqs"
check "nothing on stderr" [ ! -s "$T/err" ]
lk_done
