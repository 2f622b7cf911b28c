#!/bin/sh
# oauth1_oauthlib.sh: oauth1.so against a provider built on Debian's
# python3-oauthlib (oauthlib_provider.py), through the latchkey command:
# the three legs (connect --begin, the authorize URL fetched without
# following the redirect, connect --finish) and signed calls with query
# and form parameters, for HMAC-SHA1 (header), HMAC-SHA256 (query),
# RSA-SHA1 (body) and PLAINTEXT (header, and query: values holding '%').
. "$top_srcdir/tests/lib.sh"
LK="$top_builddir/tools/latchkey"
PY=/usr/bin/python3
T=$(mktemp -d)
PID=
cleanup() {
	if [ -n "$PID" ]; then kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; fi
	rm -rf "$T"
}
trap cleanup EXIT

if ! "$PY" -c 'import oauthlib, jwt, cryptography' 2>/dev/null; then
	not_ok "python3-oauthlib, python3-jwt and python3-cryptography are installed"
	lk_done
fi
"$PY" "$top_srcdir/tests/interop/oauth1_oauthlib_provider.py" \
	"$T/port" 120 >"$T/provider.log" 2>&1 &
PID=$!
i=0
while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
check "the oauthlib provider started" test -s "$T/port"
[ -s "$T/port" ] || lk_done
B="http://127.0.0.1:$(cat "$T/port")"

mkdir -p "$T/mods" "$T/apps" "$T/store"
cp "$top_builddir/modules/oauth1/.libs/oauth1.so" "$T/mods/"
chmod 755 "$T/mods"
chmod 644 "$T/mods/oauth1.so"
cp "$top_srcdir/tests/modules/oauth1/wiki-oauth-net-rsa.pem" "$T/rsa.pem"
chmod 600 "$T/rsa.pem"
cat > "$T/latchkey.conf" <<EOC
module_path = "$T/mods";
apps_dir = "apps";
store = { path = "$T/store"; key_file = "$T/master.key"; };
http = { timeout = 10; connect_timeout = 5; };
EOC
app() { # app ID EXTRA
	cat > "$T/apps/$1.conf" <<EOC
app = { id = "$1"; title = "Interop"; scheme = "oauth1";
  oauth1 = {
    request_token_url = "$B/request_token";
    authorize_url = "$B/authorize";
    access_token_url = "$B/access_token";
    consumer_key = "lk-consumer";
    consumer_secret = "cs&+/ %é";
    callback_url = "http://127.0.0.1:8765/callback";
    extra_fields = [ "screen_name" ];
    $2
  };
  base_urls = [ "$B/" ]; allow_http = true;
  test = { method = "GET"; url = "$B/me"; };
  label = "{{screen_name}}"; };
EOC
}
app i_hmac 'realm = "Photos";'
app i_sha256 'signature_method = "HMAC-SHA256"; placement = "query";'
app i_rsa 'signature_method = "RSA-SHA1"; private_key_file = "../rsa.pem"; placement = "body";'
app i_plain 'signature_method = "PLAINTEXT";'
app i_plain_query 'signature_method = "PLAINTEXT"; placement = "query";'

lk() { "$LK" -c "$T/latchkey.conf" "$@"; }
json() { "$PY" -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

for a in i_hmac i_sha256 i_rsa i_plain i_plain_query; do
	out=$(lk --json connect "$a" --begin 2>"$T/err")
	flow=$(printf '%s' "$out" | json flow 2>/dev/null)
	[ -n "$flow" ] || printf '%s\n' "$out"
	url=$(printf '%s' "$out" | json authorize_url 2>/dev/null)
	check "$a: connect --begin gives a flow and an authorize URL" \
		test -n "$flow" -a -n "$url"
	loc=$(curl -s --max-time 10 -o /dev/null -w '%{redirect_url}' "$url")
	case "$loc" in
	"http://127.0.0.1:8765/callback?state=$flow&oauth_token="*"&oauth_verifier="*) ok "$a: oauthlib redirects to the callback with the flow id, token and verifier" ;;
	*) not_ok "$a: oauthlib redirects to the callback ($loc)"; cat "$T/err" ;;
	esac
	out=$(lk --json connect --finish "$flow" --callback-url "$loc" 2>"$T/err")
	id=$(printf '%s' "$out" | json id 2>/dev/null)
	check "$a: connect --finish stores a connection (test passed at oauthlib)" test -n "$id"
	[ -n "$id" ] || { cat "$T/err"; continue; }
	label=$(printf '%s' "$out" | json label)
	check "$a: label from the access token answer's screen_name" test "$label" = "Interop alice"
	body=$(lk call "$id" GET "$B/me?b=2&a=1+x&a=%7E%2A&q=caf%C3%A9%21" --fail 2>"$T/err")
	check "$a: signed GET with query parameters verifies" test "$body" = '{"screen_name":"alice","user_id":42}'
	body=$(lk call "$id" POST "$B/me?z=1" -H 'Content-Type: application/x-www-form-urlencoded' \
		-d 'c=3&d=%7E+x&e=%25' --fail 2>"$T/err")
	check "$a: signed POST with form parameters verifies" test "$body" = '{"screen_name":"alice","user_id":42}'
done

# The provider's own verdicts: every request answered as expected, and
# a refused one is refused for real (a tampered call is 401).
id=$(lk --json connections i_hmac | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
code=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' \
	-H 'Authorization: OAuth oauth_consumer_key="lk-consumer", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1", oauth_nonce="0123456789abcdef0123", oauth_signature="x"' "$B/me")
check "oauthlib refuses a forged call" test "$code" = 401
log=$(curl -s --max-time 10 "$B/_/log")
n401=$(printf '%s' "$log" | "$PY" -c 'import json,sys; print(sum(1 for r in json.load(sys.stdin) if r["status"] >= 400))')
check "oauthlib refused nothing latchkey signed (only the forged call)" test "$n401" = 1
lk_done
