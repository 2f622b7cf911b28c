#!/bin/sh
# cli_basic.sh: the latchkey command end to end against lk-provider with
# the basic and apikey schemes: usage errors, connect, list, show, test,
# call, owner isolation, remove; the test classification of DESIGN.md
# (404, 401/403, 400, an HTML page, timeout, 5xx, no server) with exit
# codes, messages and nothing stored; -v with secrets redacted; redirects.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/provider/start.sh"
LK="$top_builddir/tools/latchkey"
T=${KEEP_T:-$(mktemp -d)}
cleanup() { lkp_stop; [ -n "${KEEP_T:-}" ] || rm -rf "$T"; }
trap cleanup EXIT

has() { case "$1" in *"$2"*) return 0 ;; esac; return 1; } # has TEXT PART
lacks() { ! has "$@"; }
first_id() { # first_id APP: the id of the APP's first connection
	"$LK" --json connections "$1" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])'
}
fault() { curl -s --max-time 5 -o /dev/null -d "$1" "$LKP_BASE/_/fault"; }
reset() { curl -s --max-time 5 -o /dev/null -X POST "$LKP_BASE/_/reset"; }
requests() { curl -s --max-time 5 "$LKP_BASE/_/requests"; }

lkp_start "$T" 120 || { not_ok "lk-provider starts"; lk_done; }
PORT=$LKP_PORT
B=$LKP_BASE

mkdir -p "$T/mods" "$T/apps" "$T/store"
cp "$top_builddir/modules/basic/.libs/basic.so" \
	"$top_builddir/modules/apikey/.libs/apikey.so" "$T/mods/"
chmod 755 "$T/mods"
chmod 644 "$T/mods/basic.so" "$T/mods/apikey.so"
cat > "$T/latchkey.conf" <<EOC
module_path = "$T/mods";
apps_dir = "apps";
store = { path = "$T/store"; key_file = "$T/master.key"; };
http = { timeout = 5; connect_timeout = 2; };
EOC
# The same, with a timeout shorter than a delayed answer.
sed 's/timeout = 5;/timeout = 1;/' "$T/latchkey.conf" > "$T/short.conf"
cat > "$T/apps/demo_basic.conf" <<EOC
app = {
  id = "demo_basic";
  title = "Demo Basic";
  scheme = "basic";
  base_urls = [ "$B/basic/" ];
  allow_http = true;
  test = { method = "GET"; url = "$B/basic/user"; };
  label = "{{login}}";
};
EOC
cat > "$T/apps/demo_apikey.conf" <<EOC
app = { id = "demo_apikey"; title = "Demo API key"; scheme = "apikey";
  fields = ( { key = "api_key"; label = "API key"; secret = true; } );
  apikey = { headers = [ "X-Api-Key: {{api_key}}" ]; };
  base_urls = [ "$B/apikey/" ]; allow_http = true;
  test = { method = "GET"; url = "$B/apikey/me"; };
  label = "{{account.name}}"; };
EOC
cat > "$T/apps/demo_apikey_query.conf" <<EOC
app = { id = "demo_apikey_query"; title = "Query key"; scheme = "apikey";
  fields = ( { key = "api_key"; label = "API key"; secret = true; } );
  apikey = { query = [ "api_key={{api_key}}" ]; };
  base_urls = [ "$B/apikey/" ]; allow_http = true;
  test = { method = "GET"; url = "$B/apikey/me"; };
  label = "{{account.name}}"; };
EOC
cat > "$T/apps/demo_follow.conf" <<EOC
app = { id = "demo_follow"; title = "Follow"; scheme = "basic";
  base_urls = [ "$B/" ]; allow_http = true; follow_redirects = true;
  test = { method = "GET"; url = "$B/basic/user"; }; label = "{{login}}"; };
EOC
# Both host names under base_urls: a hop between them is still another
# host, and the credentials must not follow it.
cat > "$T/apps/demo_follow2.conf" <<EOC
app = { id = "demo_follow2"; title = "Follow two"; scheme = "basic";
  base_urls = [ "$B/", "http://localhost:$PORT/" ]; allow_http = true;
  follow_redirects = true;
  test = { method = "GET"; url = "$B/basic/user"; }; label = "{{login}}"; };
EOC
cat > "$T/apps/demo_nofollow.conf" <<EOC
app = { id = "demo_nofollow"; title = "No follow"; scheme = "basic";
  base_urls = [ "$B/" ]; allow_http = true;
  test = { method = "GET"; url = "$B/basic/user"; }; label = "{{login}}"; };
EOC
# Nothing listens on port 1: a connect fails before any HTTP answer.
cat > "$T/apps/demo_down.conf" <<EOC
app = { id = "demo_down"; title = "Down"; scheme = "basic";
  base_urls = [ "http://127.0.0.1:1/" ]; allow_http = true;
  test = { method = "GET"; url = "http://127.0.0.1:1/user"; }; };
EOC
export LATCHKEY_CONFIG="$T/latchkey.conf"

check "--version exits 0" "$LK" --version
out=$("$LK" bogus 2>&1); rc=$?
check "unknown command exits 2" [ $rc -eq 2 ]
check "unknown command message" [ "$out" = "latchkey: unknown command 'bogus' (see latchkey --help)" ]
out=$("$LK" --json bogus 2>/dev/null)
check "--json error shape" python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["error"]["code"]=="EINVAL" and "bogus" in d["error"]["message"]' "$out"
check "apps lists demo_basic" sh -c "'$LK' apps | grep -q '^demo_basic  *Demo Basic  *basic  *yes\$'"

out=$("$LK" connect demo_basic -f username=alice </dev/null 2>&1); rc=$?
check "missing field without a terminal: exit 2" [ $rc -eq 2 ]
check "missing field named" has "$out" password

out=$("$LK" connect demo_basic -f username=alice -f password=wrong 2>&1); rc=$?
check "wrong password: exit 1" [ $rc -eq 1 ]
check "wrong password: 401 message" has "$out" "answered 401: the credentials are incorrect, expired or revoked"
check "wrong password: message has no password" lacks "$out" wrong
out=$("$LK" --json connections)
check "failed connect stored nothing" [ "$out" = '{"data":[]}' ]

# The test classification, each on a connect: exit code, message, and
# nothing stored. The faults answer the test request instead of the API.
# Each runs twice: as text, then --json for the error code.
classify() { # classify FAULT EXIT CODE MESSAGE [CONFIG]
	fault "path=/basic/user&$1&count=2"
	out=$("$LK" -c "${5:-$T/latchkey.conf}" connect demo_basic \
		-f username=alice -f password=wonderland 2>&1)
	rc=$?
	check "$1: exit $2" [ $rc -eq "$2" ]
	check "$1: message" has "$out" "$4"
	check "$1: says nothing was stored" has "$out" "nothing was stored"
	check "$1: no password in the message" lacks "$out" wonderland
	out=$("$LK" -c "${5:-$T/latchkey.conf}" --json connect demo_basic \
		-f username=alice -f password=wonderland 2>/dev/null)
	check "$1: --json code $3" python3 -c 'import json,sys; assert json.loads(sys.argv[1])["error"]["code"]==sys.argv[2]' "$out" "$3"
	check "$1: nothing stored" [ "$("$LK" --json connections)" = '{"data":[]}' ]
}
classify status=404 1 EHTTP "GET $B/basic/user answered 404: check the app's test URL and method"
classify status=401 1 EAUTH "answered 401: the credentials are incorrect, expired or revoked"
classify status=403 1 EAUTH "answered 403: the credentials are incorrect, expired or revoked"
classify status=400 1 EHTTP "answered 400: check the client id and secret, or the token exchange"
classify html=1 1 EPROTO "the answer is a web page (Content-Type text/html), not JSON"
classify status=500 1 EHTTP "answered 500: the provider is failing; try again later"
classify status=503 1 EHTTP "answered 503: the provider is failing; try again later"
classify delay_ms=2500 3 ETIMEOUT "no answer in time (http.timeout is 1 s)" "$T/short.conf"
out=$("$LK" --json connect demo_down -f username=alice -f password=wonderland 2>&1); rc=$?
check "no server: exit 3" [ $rc -eq 3 ]
check "no server: --json ENET error" python3 -c 'import json,sys; d=json.loads(sys.argv[1])["error"]; assert d["code"]=="ENET" and "nothing was stored" in d["message"] and "127.0.0.1" in d["message"]' "$out"
check "no server: nothing stored" [ "$("$LK" --json connections)" = '{"data":[]}' ]
reset

"$LK" -v connect demo_basic -f username=alice -f password=wonderland >"$T/vout" 2>"$T/verbose"; rc=$?
check "connect exits 0" [ $rc -eq 0 ]
check "-v output shows the request" grep -q "^latchkey: > GET $B/basic/user\$" "$T/verbose"
check "-v output shows the answer" grep -q '^latchkey: < 200$' "$T/verbose"
check "-v output shows the exchange" grep -q '^latchkey: > Authorization: \[REDACTED\]$' "$T/verbose"
check "-v output has no password" sh -c "! grep -q wonderland '$T/verbose' '$T/vout'"
check "-v output has no basic credential" sh -c "! grep -q YWxpY2U6d29uZGVybGFuZA '$T/verbose' '$T/vout'"
check "the provider got the credential" has "$(requests)" '"authorization":"Basic YWxpY2U6d29uZGVybGFuZA=="'
json=$("$LK" --json connections)
check "connections --json shape" python3 -c '
import json,sys,re
d=json.loads(sys.argv[1])["data"]
assert len(d)==1
e=d[0]
assert sorted(e)==sorted(["id","app","owner","number","label","status","created","updated"])
assert e["app"]=="demo_basic" and e["owner"]=="default" and e["number"]==1 and e["status"]=="active"
assert e["label"]=="Demo Basic alice"
assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", e["created"])
' "$json"
ID=$(first_id demo_basic)
out=$("$LK" show "$ID")
check "show hides the password" sh -c "echo '$out' | grep -q '  password: (secret)' && ! echo '$out' | grep -q wonderland"
check "show prints the test response" has "$out" alice
check "test exits 0" "$LK" test "$ID"
out=$("$LK" call "$ID" GET "$B/basic/user")
check "call prints the body" python3 -c 'import json,sys; assert json.loads(sys.argv[1])["login"]=="alice"' "$out"

# test on a stored connection: the same classification, nothing changed.
fault "path=/basic/user&status=403"
out=$("$LK" test "$ID" 2>&1); rc=$?
check "test 403: exit 1 with message" [ $rc -eq 1 ]
check "test 403: message" has "$out" "answered 403: the credentials are incorrect"
fault "path=/basic/user&html=1"
out=$("$LK" test "$ID" 2>&1); rc=$?
check "test HTML page: exit 1" [ $rc -eq 1 ]
check "test HTML page: message" has "$out" "not JSON: maybe a login or error page"
fault "path=/basic/user&delay_ms=2500"
out=$("$LK" -c "$T/short.conf" test "$ID" 2>&1); rc=$?
check "test timeout: exit 3" [ $rc -eq 3 ]
check "test timeout: message" has "$out" "no answer in time"
fault "path=/basic/user&status=502"
out=$("$LK" test "$ID" 2>&1); rc=$?
check "test 502: exit 1" [ $rc -eq 1 ]
check "test 502: message" has "$out" "answered 502: the provider is failing"
check "test passes again, still active" sh -c "'$LK' test '$ID' && '$LK' --json connections | grep -q '\"status\":\"active\"'"

# call: any HTTP answer exits 0 unless --fail.
out=$("$LK" call "$ID" GET "$B/basic/nothing" 2>&1); rc=$?
check "call to a 404: exit 0, body printed" [ $rc -eq 0 ]
check "call 404 body" has "$out" not_found
"$LK" call --fail "$ID" GET "$B/basic/nothing" >/dev/null 2>&1; rc=$?
check "call --fail to a 404: exit 1" [ $rc -eq 1 ]

"$LK" call "$ID" GET "$B/other/x" >/dev/null 2>&1; rc=$?
check "call outside base_urls: exit 2" [ $rc -eq 2 ]
check "nothing sent outside base_urls" lacks "$(requests)" /other/x

out=$("$LK" --owner bob show "$ID" 2>&1); rc=$?
check "bob cannot show alice's connection" [ $rc -eq 2 ]
"$LK" --owner bob call "$ID" GET "$B/basic/user" >/dev/null 2>&1; rc=$?
check "bob cannot call" [ $rc -eq 2 ]
"$LK" --owner bob remove "$ID" >/dev/null 2>&1; rc=$?
check "bob cannot remove" [ $rc -eq 2 ]
check "bob sees no connections" [ "$("$LK" --json --owner bob connections)" = '{"data":[]}' ]

check "remove exits 0" "$LK" remove "$ID"
check "removed" [ "$("$LK" --json connections)" = '{"data":[]}' ]

# Redirects. follow_redirects: a same-host hop is followed and authorized
# afresh; a hop to another host name (localhost) is refused and nothing
# reaches it. Without follow_redirects the 3xx comes back as it is.
"$LK" connect demo_follow -f username=alice -f password=wonderland >/dev/null
"$LK" connect demo_nofollow -f username=alice -f password=wonderland >/dev/null
FID=$(first_id demo_follow)
NID=$(first_id demo_nofollow)
reset
out=$("$LK" call "$FID" GET "$B/redirect/same?to=/basic/items"); rc=$?
check "same-host redirect followed" [ $rc -eq 0 -a "$out" = '[{"id":1,"name":"alpha"},{"id":2,"name":"beta"}]' ]
check "same-host hop carried the credential" python3 -c '
import json,sys
d=json.loads(sys.argv[1])
assert [r["path"] for r in d]==["/redirect/same","/basic/items"], d
assert all(r["headers"]["authorization"]=="Basic YWxpY2U6d29uZGVybGFuZA==" for r in d)
' "$(requests)"
out=$("$LK" call "$FID" POST "$B/redirect/same?to=/echo&status=307" -d 'a=1'); rc=$?
check "307 after POST: followed with method and body" python3 -c '
import json,sys
d=json.loads(sys.argv[1])
assert d["method"]=="POST" and d["body"]=="a=1" and d["path"]=="/echo", d
' "$out"
out=$("$LK" call "$FID" POST "$B/redirect/same?to=/echo&status=303" -d 'a=1'); rc=$?
check "303 after POST: followed as a GET without body" python3 -c '
import json,sys
d=json.loads(sys.argv[1])
assert d["method"]=="GET" and d["body"]=="", d
' "$out"
check "each hop authorized afresh" python3 -c '
import json,sys
d=json.loads(sys.argv[1])
assert [r["path"] for r in d][2:]==["/redirect/same","/echo","/redirect/same","/echo"], d
assert all(r["headers"].get("authorization")=="Basic YWxpY2U6d29uZGVybGFuZA==" for r in d)
' "$(requests)"
reset
out=$("$LK" call "$FID" GET "$B/redirect/other?to=/basic/items" 2>&1); rc=$?
check "other-host redirect refused: exit 2" [ $rc -eq 2 ]
check "other-host redirect: message" has "$out" "redirect refused"
check "nothing reached the other host" python3 -c '
import json,sys
d=json.loads(sys.argv[1])
assert [r["path"] for r in d]==["/redirect/other"], d
assert all(r["headers"]["host"]=="127.0.0.1:%s" % sys.argv[2] for r in d)
' "$(requests)" "$PORT"
"$LK" connect demo_follow2 -f username=alice -f password=wonderland >/dev/null
F2ID=$(first_id demo_follow2)
reset
out=$("$LK" call -i "$F2ID" GET "$B/redirect/other?to=/basic/items" 2>&1); rc=$?
check "redirect to another host under base_urls: the 3xx comes back" [ $rc -eq 0 ]
check "the 302 is shown with -i" has "$out" "HTTP 302"
check "credentials never went to the other host" python3 -c '
import json,sys
d=json.loads(sys.argv[1])
assert [r["path"] for r in d]==["/redirect/other"], d
assert not any(r["headers"]["host"].startswith("localhost") for r in d), d
' "$(requests)"
"$LK" remove "$F2ID"
reset
out=$("$LK" call -i "$NID" GET "$B/redirect/same?to=/basic/items"); rc=$?
check "without follow_redirects the 302 comes back" [ $rc -eq 0 ]
check "302 shown with -i" has "$out" "HTTP 302"
check "without follow_redirects nothing else is sent" python3 -c '
import json,sys
assert [r["path"] for r in json.loads(sys.argv[1])]==["/redirect/same"]
' "$(requests)"
"$LK" remove "$FID" && "$LK" remove "$NID"

# apikey: two accounts of one app, numbered 1 and 2, labelled from the
# test response; the key goes in X-Api-Key and never in -v output.
reset
"$LK" -v connect demo_apikey -f api_key=key-123 >"$T/vout" 2>"$T/verbose"; rc=$?
check "apikey connect Acme: exit 0" [ $rc -eq 0 ]
check "apikey -v shows X-Api-Key redacted" grep -q '^latchkey: > X-Api-Key: \[REDACTED\]$' "$T/verbose"
check "apikey -v output has no key" sh -c "! grep -q key-123 '$T/verbose' '$T/vout'"
out=$("$LK" connect demo_apikey -f api_key=key-456); rc=$?
check "apikey connect Globex: exit 0" [ $rc -eq 0 ]
check "apikey connect prints the label" has "$out" "Demo API key #2 Globex"
out=$("$LK" connect demo_apikey -f api_key=key-999 2>&1); rc=$?
check "apikey wrong key: exit 1" [ $rc -eq 1 ]
check "apikey wrong key: message without the key" lacks "$out" key-999
json=$("$LK" --json connections demo_apikey)
check "apikey: numbers 1 and 2, labels Acme and Globex" python3 -c '
import json,sys
d=json.loads(sys.argv[1])["data"]
got=sorted((e["number"], e["label"]) for e in d)
assert got==[(1,"Demo API key Acme"),(2,"Demo API key #2 Globex")], got
' "$json"
AID=$(python3 -c 'import json,sys; print([e["id"] for e in json.loads(sys.argv[1])["data"] if e["number"]==2][0])' "$json")
reset
out=$("$LK" -v call "$AID" GET "$B/apikey/items" 2>"$T/verbose"); rc=$?
check "apikey call: exit 0" [ $rc -eq 0 ]
check "apikey call: Globex's items" python3 -c 'import json,sys; assert json.loads(sys.argv[1])["items"][0]["name"]=="Globex widget"' "$out"
check "apikey call -v has no key" sh -c "! grep -q key-456 '$T/verbose'"
check "the provider received X-Api-Key" python3 -c '
import json,sys
d=json.loads(sys.argv[1])
assert len(d)==1 and d[0]["path"]=="/apikey/items" and d[0]["headers"]["x-api-key"]=="key-456", d
assert d[0]["query"]=="" and "authorization" not in d[0]["headers"]
' "$(requests)"
"$LK" -v connect demo_apikey_query -f api_key=key-123 >"$T/vout" 2>"$T/verbose"; rc=$?
check "apikey in the query: connect exit 0" [ $rc -eq 0 ]
check "apikey in the query: -v shows it redacted" grep -q "^latchkey: > GET $B/apikey/me?api_key=\[REDACTED\]\$" "$T/verbose"
check "apikey in the query: -v has no key" sh -c "! grep -q key-123 '$T/verbose' '$T/vout'"
check "apikey in the query: the provider got it" python3 -c '
import json,sys
d=json.loads(sys.argv[1])
assert d[-1]["path"]=="/apikey/me" and d[-1]["query"]=="api_key=key-123" and "x-api-key" not in d[-1]["headers"], d
' "$(requests)"
lkp_stop
check "the provider wrote nothing to stderr (no sanitizer report)" [ ! -s "$T/lkp.log" ]
lk_done
