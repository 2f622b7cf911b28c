# tests/serve/setup.sh: the configuration the serve tests share: the
# provider emulator's basic, apikey, none and oauth2 areas as apps, two
# service keys (rotation), a serve block. Source after lib.sh and
# tests/provider/start.sh, with $T a fresh folder and $B the emulator's
# base URL. Sets KEY1, KEY2, LATCHKEY_CONFIG.
mkdir -p "$T/mods" "$T/apps" "$T/store" "$T/keys"
for m in basic apikey none oauth2 session; do
	cp "$top_builddir/modules/$m/.libs/$m.so" "$T/mods/"
	chmod 644 "$T/mods/$m.so"
done
chmod 755 "$T/mods"
chmod 700 "$T/keys"
KEY1=sk-test-0123456789abcdef-one
KEY2=sk-test-0123456789abcdef-two
printf '%s\n' "$KEY1" > "$T/keys/k1"
printf '%s' "$KEY2" > "$T/keys/k2"
chmod 600 "$T/keys/k1" "$T/keys/k2"
head -c 48 /dev/urandom > "$T/keys/link.secret"
chmod 600 "$T/keys/link.secret"
cat > "$T/latchkey.conf" <<EOC
module_path = "$T/mods";
apps_dir = "apps";
store = { path = "$T/store"; key_file = "$T/master.key"; };
http = { timeout = 2; connect_timeout = 2; };
serve = { listen = "127.0.0.1:0";
  service_key_files = [ "keys/k1", "keys/k2" ];
  origins = [ "${HOST_ORIGIN:-http://127.0.0.1:9}" ];
  link_secret_file = "keys/link.secret"; link_ttl = ${LINK_TTL:-600};
  max_body_bytes = 4096; threads = 8; };
EOC
cat > "$T/apps/demo_basic.conf" <<EOC
app = { id = "demo_basic"; title = "Demo Basic"; scheme = "basic";
  base_urls = [ "$B/basic/" ]; allow_http = true;
  test = { method = "GET"; url = "$B/basic/user"; }; label = "{{login}}"; };
EOC
cat > "$T/apps/demo_apikey.conf" <<EOC
app = { id = "demo_apikey"; title = "Demo API key"; scheme = "apikey";
  fields = ( { key = "api_key"; label = "API key"; secret = true; },
             { key = "team"; label = "Team"; required = false; } );
  apikey = { headers = [ "X-Api-Key: {{api_key}}" ]; };
  base_urls = [ "$B/apikey/" ]; allow_http = true;
  test = { method = "GET"; url = "$B/apikey/me"; };
  label = "{{account.name}}"; };
EOC
cat > "$T/apps/demo_session.conf" <<EOC
app = { id = "demo_session"; title = "Demo Session"; scheme = "session";
  fields = ( { key = "username"; label = "Username"; },
             { key = "password"; label = "Password"; secret = true; } );
  session = { request = { method = "POST"; url = "$B/session/login"; format = "json";
      body = "{\\"username\\": \\"{{username}}\\", \\"password\\": \\"{{password}}\\"}"; };
    token_path = "data.session.key"; field = "session_key";
    headers = [ "Authorization: Bearer {{session_key}}" ]; };
  base_urls = [ "$B/session/" ]; allow_http = true;
  test = { method = "GET"; url = "$B/session/me"; }; };
EOC
cat > "$T/apps/demo_none.conf" <<EOC
app = { id = "demo_none"; title = "Public feed"; scheme = "none";
  base_urls = [ "$B/apikey/" ]; allow_http = true; };
EOC
cat > "$T/apps/demo_oauth2.conf" <<EOC
app = { id = "demo_oauth2"; title = "Demo OAuth"; scheme = "oauth2";
  oauth2 = { authorize_url = "$B/oauth2/authorize";
    access_token_url = "$B/oauth2/token";
    refresh_token_url = "$B/oauth2/token";
    client_id = "lk-client"; client_secret = "lk-secret";
    scope = "read"; pkce = true;
    redirect_uri = "http://127.0.0.1:8765/callback"; };
  base_urls = [ "$B/oauth2/" ]; allow_http = true;
  test = { method = "GET"; url = "$B/oauth2/me"; }; label = "{{login}}"; };
EOC
export LATCHKEY_CONFIG="$T/latchkey.conf"
