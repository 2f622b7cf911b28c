# cli_env.sh: shared set-up of the cli_*.sh tests (sourced): the provider
# emulator, a module folder, latchkey.conf, and apps of the basic, apikey
# and none schemes against it. Sets LK, T, LKP_BASE; cleans up on exit.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/provider/start.sh"
LK="$top_builddir/tools/latchkey"
T=$(mktemp -d)
cli_cleanup() { lkp_stop; rm -rf "$T"; }
trap cli_cleanup EXIT
lkp_start "$T" 120 || { not_ok "provider started"; lk_done; }

mkdir -p "$T/mods" "$T/apps" "$T/store"
chmod 755 "$T/mods"
for m in basic apikey none; do
	cp "$top_builddir/modules/$m/.libs/$m.so" "$T/mods/"
done
cp "$top_builddir/tests/hooks/.libs/vendor_hooks.so" "$T/mods/"
chmod 644 "$T/mods/"*.so
cat > "$T/latchkey.conf" <<EOC
module_path = "$T/mods";
apps_dir = "apps";
store = { path = "$T/store"; key_file = "$T/master.key"; };
http = { timeout = 2; connect_timeout = 2; };
EOC
# No label template: "Plain", "Plain #2"...
cat > "$T/apps/plain.conf" <<EOC
app = { id = "plain"; title = "Plain"; scheme = "basic";
  base_urls = [ "$LKP_BASE/basic/" ]; allow_http = true;
  test = { method = "GET"; url = "$LKP_BASE/basic/user"; }; };
EOC
# A label template from the test response: "GitHub #2 alice".
cat > "$T/apps/github.conf" <<EOC
app = { id = "github"; title = "GitHub"; scheme = "basic";
  base_urls = [ "$LKP_BASE/basic/" ]; allow_http = true;
  test = { method = "GET"; url = "$LKP_BASE/basic/user"; };
  label = "{{login}}"; };
EOC
cat > "$T/apps/acme.conf" <<EOC
app = { id = "acme"; title = "Acme"; scheme = "apikey";
  fields = ( { key = "api_key"; label = "API key"; secret = true; } );
  apikey = { headers = [ "X-Api-Key: {{api_key}}" ]; };
  base_urls = [ "$LKP_BASE/apikey/" ]; allow_http = true;
  test = { method = "GET"; url = "$LKP_BASE/apikey/me"; };
  label = "{{account.name}}"; };
EOC
cat > "$T/apps/feed.conf" <<EOC
app = { id = "feed"; title = "Feed"; scheme = "none"; allow_http = true; };
EOC
# The sample hooks module says "expired" on a 410 (tests/hooks).
cat > "$T/apps/vendor.conf" <<EOC
app = { id = "vendor"; title = "Vendor"; scheme = "basic";
  hooks = [ "vendor_hooks" ];
  base_urls = [ "$LKP_BASE/basic/" ]; allow_http = true;
  test = { method = "GET"; url = "$LKP_BASE/basic/user"; }; };
EOC
export LATCHKEY_CONFIG="$T/latchkey.conf"
unset LATCHKEY_OWNER

# json_get JSON PYTHON-EXPRESSION-ON-d: print a value of a JSON document.
json_get() {
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"
}
# is_json TEXT: one JSON document.
is_json() { python3 -c 'import json,sys; json.loads(sys.argv[1])' "$1" 2>/dev/null; }
# has TEXT PATTERN: a line of TEXT matches the grep PATTERN.
has() { printf '%s\n' "$1" | grep -q -- "$2"; }
# lacks TEXT STRING: TEXT does not hold STRING.
lacks() { ! printf '%s\n' "$1" | grep -qF -- "$2"; }
