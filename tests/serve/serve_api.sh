#!/bin/sh
# serve_api.sh: `latchkey serve` over HTTP against lk-provider: the serve
# block's refusals, service keys (rotation, 401s), owners (400s, 404 for
# another owner's connection), every /v1 route and its errors, the
# 422/502/504 classification of a failed create with nothing stored,
# base_urls enforced, request limits, 64 concurrent creates, the request
# log without secrets, TLS, and SIGTERM finishing a request in flight.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/provider/start.sh"
. "$top_srcdir/tests/serve/start.sh"
T=${KEEP_T:-$(mktemp -d)}
cleanup() { serve_stop; lkp_stop; [ -n "${KEEP_T:-}" ] || rm -rf "$T"; }
trap cleanup EXIT

has() { case "$1" in *"$2"*) return 0 ;; esac; return 1; }
lacks() { ! has "$@"; }
py() { python3 -c "$@"; }
fault() { curl -s --max-time 5 -o /dev/null -d "$1" "$LKP_BASE/_/fault"; }
reset() { curl -s --max-time 5 -o /dev/null -X POST "$LKP_BASE/_/reset"; }
requests() { curl -s --max-time 5 "$LKP_BASE/_/requests"; }
# api METHOD PATH [DATA] [curl args...]: sets CODE and BODY.
api() {
	local m=$1 p=$2 d=
	shift 2
	if [ $# -gt 0 ]; then d=$1; shift; fi
	if [ -n "$d" ]; then
		BODY=$(curl -s --max-time 10 -o - -w '\n%{http_code}' -X "$m" \
			-H "Authorization: Bearer $KEY1" \
			-H 'Content-Type: application/json' --data-binary "$d" \
			"$@" "$SERVE_BASE$p")
	else
		BODY=$(curl -s --max-time 10 -o - -w '\n%{http_code}' -X "$m" \
			-H "Authorization: Bearer $KEY1" "$@" "$SERVE_BASE$p")
	fi
	CODE=$(printf '%s' "$BODY" | tail -n 1)
	BODY=$(printf '%s' "$BODY" | sed '$d')
}
jget() { # jget EXPR: evaluate EXPR on d = the JSON in $BODY
	py "import json,sys; d=json.loads(sys.argv[1]); print($1)" "$BODY"
}
err_is() { # err_is STATUS CODE MESSAGE-PART
	[ "$CODE" = "$1" ] && [ "$(jget 'd["error"]["code"]')" = "$2" ] &&
		has "$(jget 'd["error"]["message"]')" "$3"
}

lkp_start "$T" 300 || exit 1
B=$LKP_BASE
. "$top_srcdir/tests/serve/setup.sh"

# --- step 1: the serve block -------------------------------------------
chmod 640 "$T/keys/k2"
out=$($SERVE_BIN serve --port 0 2>&1); rc=$?
check "group-readable key file refused, exit 2" [ $rc -eq 2 ]
check "refusal names the file and the mode" has "$out" "$T/keys/k2: refused: group- or world-accessible (mode 0640)"
chmod 600 "$T/keys/k2"
out=$($SERVE_BIN serve --listen 0.0.0.0:0 2>&1); rc=$?
check "non-loopback without TLS refused, exit 2" [ $rc -eq 2 ]
check "refusal says how to allow it" has "$out" "refusing to listen on 0.0.0.0 without TLS"
out=$($SERVE_BIN serve --listen nowhere 2>&1); rc=$?
check "bad --listen: exit 2" [ $rc -eq 2 ]
check "bad --listen named" has "$out" '--listen: "nowhere" is not ADDR:PORT'
cp "$T/latchkey.conf" "$T/good.conf"
sed 's/threads = 8;/threads = 8; colour = "red";/' "$T/good.conf" > "$T/bad.conf"
out=$(LATCHKEY_CONFIG="$T/bad.conf" $SERVE_BIN serve 2>&1); rc=$?
check "unknown serve key: exit 2" [ $rc -eq 2 ]
check "unknown serve key: file:line" has "$out" "bad.conf:9: serve: unknown key \"colour\""
sed 's/threads = 8;/threads = "many";/' "$T/good.conf" > "$T/bad.conf"
out=$(LATCHKEY_CONFIG="$T/bad.conf" $SERVE_BIN serve 2>&1)
check "wrong type named" has "$out" "serve.threads must be an integer, not a string"
sed 's/service_key_files = .*;$//' "$T/good.conf" > "$T/bad.conf"
out=$(LATCHKEY_CONFIG="$T/bad.conf" $SERVE_BIN serve 2>&1); rc=$?
check "no service key file: exit 2 and why" sh -c "[ $rc -eq 2 ] && echo '$out' | grep -q 'service_key_files is required'"
printf short > "$T/keys/k3"; chmod 600 "$T/keys/k3"
sed 's|"keys/k2" ]|"keys/k3" ]|' "$T/good.conf" > "$T/bad.conf"
out=$(LATCHKEY_CONFIG="$T/bad.conf" $SERVE_BIN serve 2>&1)
check "too short a key refused" has "$out" "at least 16 characters"

serve_start "$T" || exit 1
check "port file written" [ "$SERVE_PORT" -gt 0 ]
check "startup line names the thread pool" grep -q "listening on 127.0.0.1 port $SERVE_PORT (plain, 8 threads)" "$T/serve.log"

# --- step 2: host authentication and owners -----------------------------
CODE=$(curl -s -o "$T/b" -w '%{http_code}' "$SERVE_BASE/v1/apps?owner=alice"); BODY=$(cat "$T/b")
check "no key: 401" err_is 401 unauthorized "missing or wrong service key"
CODE=$(curl -s -o "$T/b" -w '%{http_code}' -D "$T/h" -H "Authorization: Bearer ${KEY1}x" "$SERVE_BASE/v1/apps?owner=alice"); BODY=$(cat "$T/b")
check "wrong key: 401 JSON" err_is 401 unauthorized "service key"
check "401 has WWW-Authenticate Bearer" grep -qi '^WWW-Authenticate: Bearer realm="latchkey"' "$T/h"
CODE=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Basic $KEY1" "$SERVE_BASE/v1/apps?owner=alice")
check "not Bearer: 401" [ "$CODE" = 401 ]
CODE=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY2" "$SERVE_BASE/v1/apps?owner=alice")
check "second key (rotation) accepted" [ "$CODE" = 200 ]
CODE=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer sk-test-0123456789abcdef-on" "$SERVE_BASE/v1/apps?owner=alice")
check "a key's prefix is refused" [ "$CODE" = 401 ]
api GET /v1/apps
check "no owner: 400" err_is 400 invalid_request "missing owner"
api GET "/v1/apps?owner=alice" "" -H "X-Latchkey-Owner: bob"
check "owner param and header differ: 400" err_is 400 invalid_request "differ"
api GET "/v1/apps?owner=alice" "" -H "X-Latchkey-Owner: alice"
check "owner param and header equal: 200" [ "$CODE" = 200 ]
api GET "/v1/apps" "" -H "X-Latchkey-Owner: alice"
check "owner by header: 200" [ "$CODE" = 200 ]
api GET "/v1/nothing?owner=alice"
check "unknown API path: 404 JSON" err_is 404 not_found "no such API path"

# --- step 3: the API ----------------------------------------------------
api GET "/v1/apps?owner=alice"
check "apps: every app listed" [ "$(jget '",".join(a["id"] for a in d["data"])')" = "demo_apikey,demo_basic,demo_none,demo_oauth2,demo_session" ]
check "apps: basic asks username and secret password" [ "$(jget '[(f["key"],f["secret"],f["required"]) for a in d["data"] if a["id"]=="demo_basic" for f in a["fields"]]')" = "[('username', False, True), ('password', True, True)]" ]
check "apps: connect link for an app that needs auth" has "$(jget '[a["links"]["connect_new_authentication"] for a in d["data"] if a["id"]=="demo_basic"][0]')" "$SERVE_BASE/connect/start?t="
check "apps: null link for an app without auth" [ "$(jget '[a["links"]["connect_new_authentication"] for a in d["data"] if a["id"]=="demo_none"][0]')" = None ]
check "apps: oauth2 is a redirect flow" [ "$(jget '[a["redirect_flow"] for a in d["data"] if a["id"]=="demo_oauth2"][0]')" = True ]

api GET "/v1/authentications?owner=alice&app=demo_basic"
check "no connections: empty data list" sh -c "[ '$CODE' = 200 ] && [ '$BODY' = '{\"data\":[]}' ]"
api GET "/v1/authentications?owner=alice&app=nope"
check "list of an unknown app: 404" err_is 404 not_found 'no app "nope"'

create() { api POST "/v1/authentications?owner=${2:-alice}" "$1"; }
nothing_stored() { [ "$(curl -s -H "Authorization: Bearer $KEY1" "$SERVE_BASE/v1/authentications?owner=alice")" = '{"data":[]}' ]; }
create '{"app":"demo_basic","fields":{"username":"alice","password":"wrong"}}'
check "wrong password: 422 test_failed" err_is 422 test_failed "answered 401: the credentials are incorrect"
check "wrong password: not in the message" lacks "$BODY" wrong
check "wrong password: nothing stored" nothing_stored
classify() { # classify FAULT STATUS CODE MESSAGE
	fault "path=/basic/user&$1"
	create '{"app":"demo_basic","fields":{"username":"alice","password":"wonderland"}}'
	check "$1: $2 $3" err_is "$2" "$3" "$4"
	check "$1: nothing stored" nothing_stored
}
classify status=404 422 test_failed "answered 404: check the app's test URL"
classify status=403 422 test_failed "answered 403"
classify status=400 422 test_failed "answered 400"
classify status=500 502 provider_error "answered 500: the provider is failing"
classify status=503 502 provider_error "answered 503"
classify html=1 502 provider_unparsable "the answer is a web page"
classify delay_ms=3000 504 provider_timeout "no answer in time"
reset
create '{"app":"demo_basic","fields":{"username":"alice"}}'
check "missing field: 400 naming it" err_is 400 invalid_request "missing required field password"
create '{"app":"demo_basic","fields":{"username":"alice","password":"x","pin":"1"}}'
check "unknown field: 400 naming it" err_is 400 invalid_request 'unknown field "pin"'
create '{"app":"nope","fields":{}}'
check "create for an unknown app: 404" err_is 404 not_found 'no app "nope"'
create '{"app":"demo_none"}'
check "create for an app without auth: 400" err_is 400 no_auth_needed "POST /v1/apps/demo_none/request"
create '{"app":"demo_oauth2"}'
check "create for a redirect app: 400 pointing at the link" err_is 400 redirect_flow "connect_new_authentication"

# Malformed bodies: a 400 naming the problem.
create '{"app":"demo_basic",'
check "malformed JSON: 400" err_is 400 invalid_request "not valid JSON"
create '["demo_basic"]'
check "not an object: 400" err_is 400 invalid_request "must be a JSON object"
create '{"app":"demo_basic","fields":{},"colour":"red"}'
check "unknown member: 400 naming it" err_is 400 invalid_request 'unknown member "colour"'
create '{"app":7}'
check "wrong type: 400 naming the member" err_is 400 invalid_request 'member "app" must be a string'
create '{"app":"demo_basic","fields":["alice"]}'
check "fields not an object: 400" err_is 400 invalid_request 'member "fields" must be an object'
create '{"app":"demo_basic","fields":{"username":1}}'
check "field value not a string: 400" err_is 400 invalid_request "fields.username must be a string"
api POST "/v1/authentications?owner=alice"
check "empty body: 400" err_is 400 invalid_request "body is empty"
big=$(py 'print("{\"app\":\"" + "x"*5000 + "\"}")')
create "$big"
check "oversized body: 400 naming the cap" err_is 400 body_too_large "max_body_bytes (4096 bytes)"
big=$(py 'print("{\"app\":\"" + "x"*5000 + "\"}")')
CODE=$(printf '%s' "$big" | curl -s -o "$T/b" -w '%{http_code}' -H "Authorization: Bearer $KEY1" -H 'Transfer-Encoding: chunked' --data-binary @- "$SERVE_BASE/v1/authentications?owner=alice"); BODY=$(cat "$T/b")
check "oversized chunked body: 400" err_is 400 body_too_large "max_body_bytes"
check "the server still answers" sh -c "curl -sf -H 'Authorization: Bearer $KEY1' '$SERVE_BASE/v1/apps?owner=alice' >/dev/null"

reset
create '{"app":"demo_basic","fields":{"username":"alice","password":"wonderland"}}'
check "create: 201" [ "$CODE" = 201 ]
check "create: the connection, no secret" py '
import json,sys,re
e=json.loads(sys.argv[1])
assert sorted(e)==sorted(["id","app","owner","number","label","status","created","updated"]), e
assert e["app"]=="demo_basic" and e["owner"]=="alice" and e["number"]==1 and e["status"]=="active"
assert e["label"]=="Demo Basic alice", e["label"]
assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", e["created"])
assert "wonderland" not in sys.argv[1]' "$BODY"
ID=$(jget 'd["id"]')
check "the provider got the credential" has "$(requests)" '"authorization":"Basic YWxpY2U6d29uZGVybGFuZA=="'
api GET "/v1/authentications?owner=alice&app=demo_basic"
check "list: the new connection" [ "$(jget '[c["id"] for c in d["data"]]')" = "['$ID']" ]
api GET "/v1/authentications?owner=alice"
check "list without app: every app's" [ "$(jget 'len(d["data"])')" = 1 ]
api GET "/v1/authentications/$ID?owner=alice"
check "get: 200 with the id" sh -c "[ '$CODE' = 200 ] && [ '$(jget 'd["id"]')' = '$ID' ]"
api POST "/v1/authentications/$ID/test?owner=alice"
check "test: 200" [ "$CODE" = 200 ]
fault "path=/basic/user&status=403"
api POST "/v1/authentications/$ID/test?owner=alice"
check "test 403: 422 with the classification" err_is 422 test_failed "answered 403: the credentials are incorrect"
fault "path=/basic/user&status=502"
api POST "/v1/authentications/$ID/test?owner=alice"
check "test 502: 502" err_is 502 provider_error "answered 502"
fault "path=/basic/user&delay_ms=3000"
api POST "/v1/authentications/$ID/test?owner=alice"
check "test timeout: 504" err_is 504 provider_timeout "no answer in time"
api POST "/v1/authentications/$ID/refresh?owner=alice"
check "refresh of basic: 400 nothing to refresh" err_is 400 invalid_request "nothing to refresh"
api GET "/v1/authentications/$ID/test?owner=alice"
check "GET on test: 405" [ "$CODE" = 405 ]

reset
api POST "/v1/authentications/$ID/request?owner=alice" '{"method":"GET","url":"'"$B"'/basic/items","headers":{"X-Trace":"t-1"}}'
check "request: 200 with the provider's answer" sh -c "[ '$CODE' = 200 ] && [ '$(jget 'd["status"]')' = 200 ]"
check "request: the provider's body" [ "$(jget 'json.loads(d["body"])[1]["name"]')" = beta ]
check "request: the provider's headers, lower-cased" [ "$(jget 'd["headers"]["content-type"]')" = application/json ]
check "request: sent with the credential and the header" py '
import json,sys
r=[x for x in json.loads(sys.argv[1]) if x["path"]=="/basic/items"]
assert len(r)==1 and r[0]["headers"]["authorization"]=="Basic YWxpY2U6d29uZGVybGFuZA==" and r[0]["headers"]["x-trace"]=="t-1", r' "$(requests)"
api POST "/v1/authentications/$ID/request?owner=alice" '{"method":"GET","url":"'"$B"'/basic/nothing"}'
check "request: a provider 404 comes back as its status" sh -c "[ '$CODE' = 200 ] && [ '$(jget 'd["status"]')' = 404 ]"
reset
api POST "/v1/authentications/$ID/request?owner=alice" '{"method":"GET","url":"'"$B"'/apikey/me"}'
check "request outside base_urls: 403" err_is 403 denied ""
check "request outside base_urls: nothing sent" [ "$(requests)" = "[]" ]
api POST "/v1/authentications/$ID/request?owner=alice" '{"method":"GET","url":"http://127.0.0.1:1/basic/x"}'
check "request to another port: 403, no open proxy" [ "$CODE" = 403 ]
api POST "/v1/authentications/$ID/request?owner=alice" '{"method":"GET","url":"'"$B"'/basic/user","headers":{"X-Bad":"a\r\nInjected: 1"}}'
check "header with CR LF: 400" err_is 400 invalid_request 'header "X-Bad"'
api POST "/v1/authentications/$ID/request?owner=alice" '{"method":"get","url":"'"$B"'/basic/user"}'
check "lower-case method: 400" err_is 400 invalid_request "method must be"
api POST "/v1/authentications/$ID/request?owner=alice" '{"url":"'"$B"'/basic/user"}'
check "request without method: 400" err_is 400 invalid_request 'missing member "method"'
api POST "/v1/authentications/$ID/request?owner=alice" '{"method":"GET","url":"'"$B"'/basic/user","body":{}}'
check "request body not a string: 400" err_is 400 invalid_request 'member "body" must be a string'
fault "path=/basic/items&redirect"
api POST "/v1/apps/demo_none/request?owner=alice" '{"method":"GET","url":"'"$B"'/apikey/bad-request"}'
check "app request without auth: the provider's 400 comes back" sh -c "[ '$CODE' = 200 ] && [ '$(jget 'd["status"]')' = 400 ]"
check "app request: body relayed" has "$(jget 'd["body"]')" bad_request
api POST "/v1/apps/demo_basic/request?owner=alice" '{"method":"GET","url":"'"$B"'/basic/user"}'
check "app request for an app that needs auth: 400" err_is 400 auth_needed "needs a connection"
api POST "/v1/apps/nope/request?owner=alice" '{"method":"GET","url":"'"$B"'/basic/user"}'
check "app request for an unknown app: 404" err_is 404 not_found 'no app "nope"'

# A session app: created with fields; an ended session logs in again
# and the relayed request is retried.
create '{"app":"demo_session","fields":{"username":"alice","password":"wonderland"}}'
check "session: create 201" [ "$CODE" = 201 ]
SID=$(jget 'd["id"]')
curl -s -o /dev/null -X POST "$B/session/ctl/expire"
api POST "/v1/authentications/$SID/request?owner=alice" '{"method":"GET","url":"'"$B"'/session/me"}'
check "session: request after expiry is 200 (login again, retried)" sh -c "[ '$CODE' = 200 ] && [ '$(jget 'd["status"]')' = 200 ]"
check "session: two logins" has "$(curl -s "$B/session/ctl/stats")" '"logins":2'
api DELETE "/v1/authentications/$SID?owner=alice"

# Owners: another owner's connection is a 404, like an unknown id.
api GET "/v1/authentications/$ID?owner=bob"; bob_get=$BODY
check "bob gets a 404 for alice's connection" err_is 404 not_found "no such authentication"
api GET "/v1/authentications/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA?owner=alice"
check "the same answer as an unknown id" [ "$BODY" = "$bob_get" ]
reset
api POST "/v1/authentications/$ID/test?owner=bob"
check "bob cannot test it: 404" err_is 404 not_found ""
api POST "/v1/authentications/$ID/request?owner=bob" '{"method":"GET","url":"'"$B"'/basic/user"}'
check "bob cannot use it: 404" err_is 404 not_found ""
check "nothing was sent for bob" [ "$(requests)" = "[]" ]
api DELETE "/v1/authentications/$ID?owner=bob"
check "bob cannot remove it: 404" err_is 404 not_found ""
api GET "/v1/authentications?owner=bob&app=demo_basic"
check "bob lists nothing" [ "$BODY" = '{"data":[]}' ]
api GET "/v1/authentications/..%2f..%2fetc?owner=alice"
check "an id that is a path: 404" [ "$CODE" = 404 ]

# 64 concurrent creates for one owner and app: 64 distinct numbers.
seq 1 64 | xargs -P 64 -I {} curl -s --max-time 30 -o "$T/c.{}" -w '%{http_code}\n' \
	-H "Authorization: Bearer $KEY1" -H "X-Latchkey-Owner: carol" \
	--data-binary '{"app":"demo_apikey","fields":{"api_key":"key-123"}}' \
	"$SERVE_BASE/v1/authentications" > "$T/codes"
check "64 concurrent creates: all 201" [ "$(grep -c '^201$' "$T/codes")" = 64 ]
check "64 distinct numbers, 1 to 64" py '
import json,sys,glob
n=sorted(json.load(open(f))["number"] for f in glob.glob(sys.argv[1]+"/c.*"))
assert n==list(range(1,65)), n' "$T"
api GET "/v1/authentications?owner=carol&app=demo_apikey"
check "64 listed, newest with the highest number" [ "$(jget 'len(d["data"]), max(c["number"] for c in d["data"])')" = "64 64" ]

# JSON whatever the Content-Type: curl -d sends a form type.
CODE=$(curl -s -o "$T/b" -w '%{http_code}' -H "Authorization: Bearer $KEY1" \
	-d '{"app":"demo_basic","fields":{"username":"alice","password":"a&b=c"}}' \
	"$SERVE_BASE/v1/authentications?owner=alice"); BODY=$(cat "$T/b")
check "a JSON body sent as a form type is still JSON" err_is 422 test_failed "answered 401"
curl -s -o /dev/null -H "Authorization: Bearer $KEY1" "$SERVE_BASE/v1/x%0Alatchkey%20serve:%20FORGED?owner=a"

api DELETE "/v1/authentications/$ID?owner=alice"
check "delete: 204" [ "$CODE" = 204 ]
api GET "/v1/authentications/$ID?owner=alice"
check "deleted: 404" [ "$CODE" = 404 ]
api DELETE "/v1/authentications/$ID?owner=alice"
check "delete again: 404" [ "$CODE" = 404 ]
create '{"app":"demo_basic","fields":{"username":"alice","password":"wonderland"}}'
check "a number is never reused" [ "$(jget 'd["number"]')" = 2 ]

# SIGTERM: a request in flight finishes, then the server stops.
ID2=$(jget 'd["id"]')
fault "path=/basic/user&delay_ms=1000"
curl -s --max-time 10 -o "$T/inflight" -w '%{http_code}' -H "Authorization: Bearer $KEY1" \
	-d '{"method":"GET","url":"'"$B"'/basic/user"}' \
	"$SERVE_BASE/v1/authentications/$ID2/request?owner=alice" > "$T/inflight.code" &
CURL_PID=$!
sleep 0.4
kill "$SERVE_PID"
wait "$CURL_PID"
wait "$SERVE_PID"; SERVE_RC=$?; SERVE_PID=
check "SIGTERM: the request in flight got its answer" sh -c "[ \"\$(cat '$T/inflight.code')\" = 200 ] && grep -q alice '$T/inflight'"
check "SIGTERM: exit 0" [ "$SERVE_RC" = 0 ]
check "SIGTERM: stopped cleanly" grep -q "latchkey serve: stopped" "$T/serve.log"

# The log: one line per request, no secret, no query.
check "log: one line per request" grep -q "^latchkey serve: POST /v1/authentications 201 " "$T/serve.log"
check "log: the 401s are logged" grep -q "^latchkey serve: GET /v1/apps 401 " "$T/serve.log"
check "log: no password, no key, no link token" sh -c "! grep -e wonderland -e '$KEY1' -e '$KEY2' -e key-123 -e 't=' -e YWxpY2U6 '$T/serve.log'"
check "log: a control character in the path cannot forge a line" sh -c "! grep -q '^latchkey serve: FORGED' '$T/serve.log' && grep -q '^latchkey serve: GET /v1/x?latchkey serve: FORGED 404' '$T/serve.log'"
check "log: 64 creates, 64 lines" [ "$(grep -c '^latchkey serve: POST /v1/authentications 201' "$T/serve.log")" -ge 66 ]

# TLS: the same API over HTTPS with the configured certificate.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$T/keys/tls.key" \
	-out "$T/tls.crt" >/dev/null 2>&1
chmod 600 "$T/keys/tls.key"
sed 's|threads = 8;|threads = 2; tls = { cert_file = "tls.crt"; key_file = "keys/tls.key"; };|' "$T/good.conf" > "$T/tls.conf"
LATCHKEY_CONFIG="$T/tls.conf" SERVE_SCHEME=https serve_start "$T" || exit 1
out=$(curl -s --max-time 5 --cacert "$T/tls.crt" -H "Authorization: Bearer $KEY1" "https://127.0.0.1:$SERVE_PORT/v1/authentications?owner=alice&app=demo_basic")
check "TLS: the API over https" py 'import json,sys; assert json.loads(sys.argv[1])["data"][0]["number"]==2' "$out"
check "TLS: links use the https public URL" sh -c "curl -s --cacert '$T/tls.crt' -H 'Authorization: Bearer $KEY1' 'https://127.0.0.1:$SERVE_PORT/v1/apps?owner=a' | grep -q 'https://127.0.0.1:$SERVE_PORT/connect/start'"
check "TLS: plain HTTP gets no API answer" sh -c "! curl -s --max-time 3 -H 'Authorization: Bearer $KEY1' 'http://127.0.0.1:$SERVE_PORT/v1/apps?owner=a' | grep -q data"
serve_stop
chmod 644 "$T/keys/tls.key"
out=$(LATCHKEY_CONFIG="$T/tls.conf" $SERVE_BIN serve 2>&1)
check "TLS: a readable private key is refused" has "$out" "tls.key: refused: group- or world-accessible"
lk_done
