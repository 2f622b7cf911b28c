#!/bin/sh
# cli_session.sh: session.so end to end through the latchkey command and
# lk-provider: connect (JSON body, JSON answer, nested token path; form
# body, XML and form answers; header and query placement), calls, re-login
# on 401 with exactly one retry (the exact requests the provider got),
# one login for concurrent processes, a refused login expires the
# connection (exit 4), 5xx and timeouts are transient, hostile login
# answers store nothing, and no secret reaches -v output.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/provider/start.sh"
LK="$top_builddir/tools/latchkey"
T=${KEEP_T:-$(mktemp -d)}
cleanup() { lkp_stop; [ -n "${KEEP_T:-}" ] || rm -rf "$T"; }
trap cleanup EXIT

lkp_start "$T" 120 || { not_ok "lk-provider starts"; lk_done; }
B=$LKP_BASE

# The provider's request log as "METHOD PATH?QUERY | header | body"
# lines, one per request since the last mark; $1: headers to show.
MARK=0
requests() {
	curl -s "$B/_/requests" | python3 -c '
import json, sys
want = sys.argv[1].split(",") if sys.argv[1] else []
for e in json.load(sys.stdin)[int(sys.argv[2]):]:
    if e["path"].startswith("/session/ctl/"):
        continue  # the test controls
    q = "?" + e["query"] if e["query"] else ""
    hs = " ".join("%s=%s" % (h, e["headers"].get(h, "-")) for h in want)
    print("%s %s%s | %s | %s" % (e["method"], e["path"], q, hs, e["body"]))
' "${1:-authorization}" "$MARK"
}
reset() { curl -s -X POST "$B/_/reset" >/dev/null; MARK=0; }
# Later requests only; the provider keeps its sessions (a reset would not).
mark() { MARK=$(curl -s "$B/_/requests" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'); }
# The token the provider handed out last, and the one it will hand next.
tok() { echo "sess-$(logins)"; }
next_tok() { echo "sess-$(($(logins) + 1))"; }
fault() { curl -s -X POST "$B/_/fault" -d "$1" >/dev/null; }
ctl() { curl -s -X POST "$B/session/ctl/$1" ${2:+-d "$2"} >/dev/null; }
logins() { curl -s "$B/session/ctl/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["logins"])'; }
conn_id() { # newest connection of app $1
	"$LK" --json connections "$1" | python3 -c 'import json,sys; d=json.load(sys.stdin)["data"]; print(d[-1]["id"] if d else "")'
}
conn_status() {
	"$LK" --json connections | python3 -c 'import json,sys
for c in json.load(sys.stdin)["data"]:
    if c["id"] == sys.argv[1]: print(c["status"])' "$1"
}

mkdir -p "$T/mods" "$T/apps" "$T/store"
cp "$top_builddir/modules/session/.libs/session.so" "$T/mods/"
chmod 755 "$T/mods"; chmod 644 "$T/mods/session.so"
cat > "$T/latchkey.conf" <<EOC
module_path = "$T/mods";
apps_dir = "apps";
store = { path = "$T/store"; key_file = "$T/master.key"; };
http = { timeout = 2; connect_timeout = 2; };
EOC
FIELDS='fields = ( { key = "username"; label = "Username"; },
                   { key = "password"; label = "Password"; secret = true; } );'
# app ID LOGIN_QUERY BODY_FORMAT TOKEN_PATH PLACEMENT [MORE] [APP-LEVEL]
app() {
	if [ "$3" = form ]; then
		body='username={{username}}&password={{password}}'
	else
		body='{\"username\": \"{{username}}\", \"password\": \"{{password}}\"}'
	fi
	cat > "$T/apps/$1.conf" <<EOC
app = {
  id = "$1"; title = "Session $1"; scheme = "session";
  $FIELDS
  session = {
    request = { url = "$B/session/login$2"; format = "$3";
                body = "$body"; };
    token_path = "$4";
    $5
    $6
  };
  base_urls = [ "$B/session/" ];
  allow_http = true;
  test = { method = "GET"; url = "$B/session/me"; };
  label = "{{login}}";
  $7
};
EOC
}
app sj "" json data.session.key \
	'headers = [ "Authorization: Bearer {{session_key}}" ];' \
	'extra_fields = [ "data.user.id", "data.user.name", "data.nothing" ];'
app sx "?reply=xml" form token 'query = [ "session={{session_key}}" ];'
app sf "?reply=form" form session_key 'field = "sid";
    headers = [ "X-Session: {{sid}}" ];'
app sr "" json data.session.key \
	'headers = [ "Authorization: Bearer {{session_key}}" ];' "" \
	'refresh_on = { status = [ 419 ]; json_error = [ "fault" ]; };'
app sw "" json data.session.key 'headers = [ "X-Wrong: {{session_key}}" ];'
app so "" json data.session.key 'field = "password";
    headers = [ "X-Session: {{password}}" ];'
for h in missing object array ctl html huge; do
	app "h_$h" "?hostile=$h" json data.session.key \
		'headers = [ "Authorization: Bearer {{session_key}}" ];'
done
export LATCHKEY_CONFIG="$T/latchkey.conf"
check "check-config accepts the session apps" "$LK" check-config

# ---- connect: JSON body, JSON answer, nested token path, header
reset
"$LK" -v connect sj -f username=alice -f password=wonderland \
	>"$T/out" 2>"$T/verbose"; rc=$?
check "connect (JSON login) exits 0" [ $rc -eq 0 ]
requests authorization,content-type >"$T/req"
cat >"$T/want" <<EOW
POST /session/login | authorization=- content-type=application/json | {"username": "alice", "password": "wonderland"}
GET /session/me | authorization=Bearer sess-1 content-type=- | 
EOW
check "connect sent exactly the login and the test request" diff "$T/req" "$T/want"
check "-v output has no password" sh -c "! grep -q wonderland '$T/verbose'"
check "-v output has no session token" sh -c "! grep -q 'sess-1' '$T/verbose'"
SJ=$(conn_id sj)
"$LK" show "$SJ" >"$T/show"
check "show: the token is a secret" grep -q '^  session_key: (secret)$' "$T/show"
check "show: extra field data.user.id stored as data_user_id" grep -q '^  data_user_id: 7$' "$T/show"
check "show: extra field data.user.name" grep -q '^  data_user_name: Alice$' "$T/show"
check "show: an absent extra field is skipped" sh -c "! grep -q data_nothing '$T/show'"
check "show never prints the token" sh -c "! grep -q sess-1 '$T/show'"

# ---- calls reuse the stored token
mark
out=$("$LK" call "$SJ" GET "$B/session/me"); rc=$?
check "call exits 0 and prints the body" [ $rc -eq 0 -a "$out" = '{"id":7,"login":"alice","name":"Alice"}' ]
printf 'GET /session/me | authorization=Bearer %s | \n' "$(tok)" >"$T/want"
requests >"$T/req"
check "call: one request, no login" diff "$T/req" "$T/want"

# ---- 401: log in again, store, retry once
mark
out=$("$LK" connect sj -f username=alice -f password=wonderland 2>&1)
SJ2=$(conn_id sj)
T1=$(tok) T2=$(next_tok)
mark
ctl expire
out=$("$LK" -v call "$SJ2" GET "$B/session/me" 2>"$T/verbose"); rc=$?
check "call after expiry exits 0 with the resource" [ $rc -eq 0 -a "$out" = '{"id":7,"login":"alice","name":"Alice"}' ]
cat >"$T/want" <<EOW
GET /session/me | authorization=Bearer $T1 | 
POST /session/login | authorization=- | {"username": "alice", "password": "wonderland"}
GET /session/me | authorization=Bearer $T2 | 
EOW
requests >"$T/req"
check "401 -> exactly login + one retry with the new token" diff "$T/req" "$T/want"
check "re-login -v output: no password, no old or new token" sh -c "grep -q 'POST' '$T/verbose' && ! grep -q -e wonderland -e '$T1' -e '$T2' '$T/verbose'"
mark
"$LK" call "$SJ2" GET "$B/session/me" >/dev/null
printf 'GET /session/me | authorization=Bearer %s | \n' "$T2" >"$T/want"
requests >"$T/req"
check "the new token was stored durably (next process uses it)" diff "$T/req" "$T/want"

# ---- a 401 that persists: one login, one retry, then the 401 comes back
T3=$(next_tok)
mark
fault 'path=/session/me&status=401&count=2'
out=$("$LK" call -i "$SJ2" GET "$B/session/me" 2>&1); rc=$?
check "persisting 401: call exits 0 (an HTTP answer)" [ $rc -eq 0 ]
requests >"$T/req"
cat >"$T/want" <<EOW
GET /session/me | authorization=Bearer $T2 | 
POST /session/login | authorization=- | {"username": "alice", "password": "wonderland"}
GET /session/me | authorization=Bearer $T3 | 
EOW
check "persisting 401: exactly one login and one retry" diff "$T/req" "$T/want"
check "persisting 401 left the connection active" [ "$(conn_status "$SJ2")" = active ]

# ---- the app's refresh_on signals: a status, an error code in a body
"$LK" connect sr -f username=alice -f password=wonderland >/dev/null 2>&1
SR=$(conn_id sr)
for sig in 'status=419' 'status=200'; do
	T1=$(tok) T2=$(next_tok)
	mark
	fault "path=/session/me&$sig&count=1"
	out=$("$LK" call "$SR" GET "$B/session/me"); rc=$?
	check "refresh_on $sig: the call gets the resource" [ $rc -eq 0 -a "$out" = '{"id":7,"login":"alice","name":"Alice"}' ]
	cat >"$T/want" <<EOW
GET /session/me | authorization=Bearer $T1 | 
POST /session/login | authorization=- | {"username": "alice", "password": "wonderland"}
GET /session/me | authorization=Bearer $T2 | 
EOW
	requests >"$T/req"
	check "refresh_on $sig: login and one retry" diff "$T/req" "$T/want"
done

# ---- concurrent processes with an expired token: one login
"$LK" connect sj -f username=alice -f password=wonderland >/dev/null 2>&1
SJ3=$(conn_id sj)
OLD=$(tok)
ctl expire
n0=$(logins)
mark
fault 'path=/session/login&delay_ms=400&count=1'
pids=
for i in 1 2 3 4 5 6; do
	"$LK" call "$SJ3" GET "$B/session/me" >"$T/par$i" 2>&1 &
	pids="$pids $!"
done
fails=0
for p in $pids; do wait "$p" || fails=$((fails + 1)); done
check "6 concurrent calls all succeed" [ $fails -eq 0 ]
check "6 concurrent calls all got the resource" sh -c "cat '$T'/par? | grep -o '\"login\":\"alice\"' | wc -l | grep -qx 6"
check "6 concurrent calls caused exactly one login" [ $(($(logins) - n0)) -eq 1 ]
check "... and the provider saw exactly one POST /session/login" [ "$(requests | grep -c '^POST /session/login')" -eq 1 ]
# The login is held 400 ms, so several processes met the expired token
# and waited for the one login rather than each logging in.
check "several processes met the expired token" [ "$(requests | grep -c "^GET /session/me | authorization=Bearer $OLD |")" -ge 2 ]

# ---- concurrent threads of one process: one login
OLD=$(tok)
ctl expire
n0=$(logins)
mark
fault 'path=/session/login&delay_ms=300&count=1'
out=$("$top_builddir/tests/modules/session/session_threads" \
	"$T/latchkey.conf" default "$SJ3" "$B/session/me" 8 2>&1); rc=$?
check "8 threads: every call got 200" [ $rc -eq 0 -a "$out" = "200 x 8" ]
check "8 threads caused exactly one login" [ $(($(logins) - n0)) -eq 1 ]
check "8 threads: the provider saw exactly one POST /session/login" [ "$(requests | grep -c '^POST /session/login')" -eq 1 ]
check "8 threads: several met the expired token" [ "$(requests | grep -c "^GET /session/me | authorization=Bearer $OLD |")" -ge 2 ]

# ---- latchkey refresh and latchkey test log in again too
T2=$(next_tok)
mark
out=$("$LK" refresh "$SJ3"); rc=$?
check "refresh exits 0 and says so" [ $rc -eq 0 -a "$out" = "Session sj #3 alice: refreshed" ]
printf 'POST /session/login | authorization=- | {"username": "alice", "password": "wonderland"}\n' >"$T/want"
requests >"$T/req"
check "refresh: exactly one login" diff "$T/req" "$T/want"
ctl expire
T3=$(next_tok)
mark
out=$("$LK" test "$SJ3"); rc=$?
check "test after expiry exits 0" [ $rc -eq 0 -a "$out" = "Session sj #3 alice: ok" ]
cat >"$T/want" <<EOW
GET /session/me | authorization=Bearer $T2 | 
POST /session/login | authorization=- | {"username": "alice", "password": "wonderland"}
GET /session/me | authorization=Bearer $T3 | 
EOW
requests >"$T/req"
check "test: login and one retry with the new token" diff "$T/req" "$T/want"

# ---- 5xx and timeouts are transient
mark
"$LK" connect sj -f username=alice -f password=wonderland >/dev/null 2>&1
SJ4=$(conn_id sj)
ctl expire
fault 'path=/session/login&status=503&count=1'
out=$("$LK" call "$SJ4" GET "$B/session/me" 2>&1); rc=$?
check "login 503: exit 1" [ $rc -eq 1 ]
check "login 503: message says the provider failed" sh -c "echo '$out' | grep -q 'failed with HTTP 503; try again later'"
check "login 503: connection still active" [ "$(conn_status "$SJ4")" = active ]
fault 'path=/session/login&delay_ms=3000&count=1'
out=$("$LK" call "$SJ4" GET "$B/session/me" 2>&1); rc=$?
check "login timeout: exit 3" [ $rc -eq 3 ]
check "login timeout: connection still active" [ "$(conn_status "$SJ4")" = active ]
sleep 1 # let the delayed handler finish before counting
out=$("$LK" call "$SJ4" GET "$B/session/me" 2>&1); rc=$?
check "after the outage the next call logs in and succeeds" [ $rc -eq 0 -a "$out" = '{"id":7,"login":"alice","name":"Alice"}' ]

# ---- a refused login expires the connection: exit 4
mark
"$LK" connect sj -f username=alice -f password=wonderland >/dev/null 2>&1
SJ5=$(conn_id sj)
ctl password password=changed
ctl expire
out=$("$LK" call "$SJ5" GET "$B/session/me" 2>&1); rc=$?
check "refused re-login: exit 4" [ $rc -eq 4 ]
check "refused re-login: the message says why" sh -c "echo '$out' | grep -q 'refused with HTTP 401'"
check "refused re-login: connection expired" [ "$(conn_status "$SJ5")" = expired ]
check "refused re-login: no secret in the message" sh -c "! echo '$out' | grep -q -e wonderland -e changed -e sess-"
mark
out=$("$LK" call "$SJ5" GET "$B/session/me" 2>&1); rc=$?
check "expired connection: exit 4 again" [ $rc -eq 4 ]
check "expired connection: nothing was sent" [ -z "$(requests)" ]
ctl password password=wonderland

# ---- connect refused or failing stores nothing
before=$("$LK" --json connections)
out=$("$LK" connect sj -f username=alice -f password=nope 2>&1); rc=$?
check "connect with a wrong password: exit 1" [ $rc -eq 1 ]
check "connect refused: message" sh -c "echo '$out' | grep -q 'refused with HTTP 401: the credentials are incorrect'"
mark
out=$("$LK" connect sw -f username=alice -f password=wonderland 2>&1); rc=$?
check "connect whose test gets 401: exit 1" [ $rc -eq 1 ]
check "... the test's 401 is reported" sh -c 'echo "$1" | grep -qF "nothing was stored: test: GET $2/session/me answered 401"' - "$out" "$B"
check "... after one login, without a second" [ "$(requests | cut -d' ' -f1,2 | tr '\n' ,)" = "POST /session/login,GET /session/me," ]
fault 'path=/session/login&status=500&count=1'
out=$("$LK" connect sj -f username=alice -f password=wonderland 2>&1); rc=$?
check "connect while the login fails (500): exit 1" [ $rc -eq 1 ]
check "failed connects stored nothing" [ "$("$LK" --json connections)" = "$before" ]

out=$("$LK" connect so -f username=alice -f password=wonderland 2>&1); rc=$?
check "a token field named like a user field: exit 2" [ $rc -eq 2 ]
check "... says it would overwrite the user's field" sh -c 'echo "$1" | grep -qF "so.conf:9: session: the login would store \"password\" over the field of that name the user gives; rename it in session.field"' - "$out"
check "... and stored nothing" [ "$("$LK" --json connections)" = "$before" ]

# ---- form body, XML answer, token in the query
T1=$(next_tok)
mark
out=$("$LK" connect sx -f username=alice -f 'password=wonderland' 2>&1); rc=$?
check "connect (form login, XML answer) exits 0" [ $rc -eq 0 ]
requests content-type >"$T/req"
cat >"$T/want" <<EOW
POST /session/login?reply=xml | content-type=application/x-www-form-urlencoded | username=alice&password=wonderland
GET /session/me?session=$T1 | content-type=- | 
EOW
check "form login + query placement: exact requests" diff "$T/req" "$T/want"
SX=$(conn_id sx)
T2=$(next_tok)
mark
ctl expire
out=$("$LK" call "$SX" GET "$B/session/me?x=1"); rc=$?
check "query placement re-logs in on 401" [ $rc -eq 0 -a "$(tok)" = "$T2" ]
requests >"$T/req"
cat >"$T/want" <<EOW
GET /session/me?x=1&session=$T1 | authorization=- | 
POST /session/login?reply=xml | authorization=- | username=alice&password=wonderland
GET /session/me?x=1&session=$T2 | authorization=- | 
EOW
check "query placement: the retry carries only the new token" diff "$T/req" "$T/want"

# ---- form answer, custom field name, X-Session header; a password that
# needs form encoding
T1=$(next_tok)
mark
ctl password 'password=p%26ss+w%3Drd%22'
out=$("$LK" connect sf -f username=alice -f 'password=p&ss w=rd"' 2>&1); rc=$?
check "connect (form answer, field sid) exits 0" [ $rc -eq 0 ]
requests x-session >"$T/req"
cat >"$T/want" <<EOW
POST /session/login?reply=form | x-session=- | username=alice&password=p%26ss%20w%3Drd%22
GET /session/me | x-session=$T1 | 
EOW
check "form-encoded password, X-Session placement: exact requests" diff "$T/req" "$T/want"
"$LK" show "$(conn_id sf)" >"$T/show"
check "form answer: token stored as the secret field sid" grep -q '^  sid: (secret)$' "$T/show"
mark
ctl password 'password=q"uote\\'
out=$("$LK" connect sj -f username=alice -f 'password=q"uote\\' 2>&1); rc=$?
requests >"$T/req"
check "JSON login escapes the password" sh -c "[ $rc -eq 0 ] && grep -qF '\"password\": \"q\\\"uote\\\\\\\\\"}' '$T/req'"
ctl password password=wonderland

# ---- hostile login answers: a clear error, nothing stored
before=$("$LK" --json connections)
n0=$(logins)
hostile() { # KIND EXPECTED-MESSAGE-PART
	out=$("$LK" connect "h_$1" -f username=alice -f password=wonderland 2>&1); rc=$?
	check "hostile $1: exit 1" [ $rc -eq 1 ]
	check "hostile $1: says '$2'" sh -c 'echo "$1" | grep -qF -- "$2"' - "$out" "$2"
	check "hostile $1: no secret in the message" sh -c 'echo "$1" | grep -qv -e wonderland -e sess-' - "$out"
}
hostile missing 'token "data.session.key" (token_path) is missing'
hostile object 'token "data.session.key" (token_path) is an object or an array, not a string'
hostile array 'token "data.session.key" (token_path) is an object or an array, not a string'
hostile ctl 'token "data.session.key" (token_path) holds a space, a control or a non-ASCII character'
hostile html "session: login (POST $B/session/login?hostile=html): token response: JSON: malformed at offset 0"
hostile huge 'larger than 1048576 bytes'
check "hostile answers stored nothing" [ "$("$LK" --json connections)" = "$before" ]
check "hostile answers: no login counted" [ "$(logins)" -eq "$n0" ]

# ---- check-config: bad session blocks, each with file:line
mkdir -p "$T/bad/apps"
sed "s|apps_dir = \"apps\"|apps_dir = \"$T/bad/apps\"|" "$T/latchkey.conf" >"$T/bad/latchkey.conf"
bad() { # NAME EXPECTED-MESSAGE SESSION-BLOCK-LINES
	rm -f "$T/bad/apps/"*
	cat >"$T/bad/apps/b.conf" <<EOC
app = {
  id = "b"; title = "B"; scheme = "session";
  $FIELDS
  session = {
    $3
  };
  base_urls = [ "$B/session/" ];
  allow_http = true;
};
EOC
	out=$("$LK" -c "$T/bad/latchkey.conf" check-config 2>&1); rc=$?
	check "check-config $1: exit 2" [ $rc -eq 2 ]
	check "check-config $1: says '$2'" sh -c 'echo "$1" | grep -qF -- "$2"' - "$out" "$2"
}
U="request = { url = \"$B/session/login\"; };"
bad "no placement" "b.conf:6: session: at least one of \"headers\" or \"query\" is required" \
	"$U token_path = \"k\";"
bad "no token_path" "b.conf:5: missing required key 'token_path' in session block" \
	"$U headers = [ \"X: {{session_key}}\" ];"
bad "no request.url" "missing required key 'request.url' in session block" \
	"token_path = \"k\"; headers = [ \"X: {{session_key}}\" ];"
bad "bad format" "b.conf:7: 'session.request.format' must be one of: json, form" \
	"token_path = \"k\"; headers = [ \"X: {{session_key}}\" ];
    request = { url = \"$B/session/login\"; format = \"xml\"; };"
bad "bad field name" "b.conf:7: session.field must be a field name ([a-z0-9_]+)" \
	"$U token_path = \"k\"; headers = [ \"X: {{session_key}}\" ];
    field = \"Session-Key\";"
bad "bad token_path" "b.conf:6: session.token_path must be a dotted path" \
	"$U token_path = \"data.\"; headers = [ \"X: {{session_key}}\" ];"
bad "header without colon" "b.conf:6: session.headers[0] must be \"Name: value\"" \
	"$U token_path = \"k\"; headers = [ \"X {{session_key}}\" ];"
bad "query without =" "b.conf:6: session.query[0] must be \"name=value\"" \
	"$U token_path = \"k\"; query = [ \"=x\" ];"
bad "extra field over the token" "b.conf:6: session.extra_fields[1] would be stored over the token (session.field)" \
	"$U token_path = \"k\"; headers = [ \"X: {{sid}}\" ]; field = \"sid\"; extra_fields = [ \"a.b\", \"sid\" ];"
bad "unknown key" "b.conf:7: unknown key 'reqest' in session block" \
	"$U token_path = \"k\"; headers = [ \"X: {{session_key}}\" ];
    reqest = { url = \"x\"; };"
bad "unknown key in request" "b.conf:6: unknown key 'uri' in session.request block" \
	"request = { uri = \"x\"; }; token_path = \"k\"; headers = [ \"X: {{session_key}}\" ];"
bad "http login URL without allow_http" "session.request.url" \
	"request = { url = \"ftp://127.0.0.1/login\"; }; token_path = \"k\"; headers = [ \"X: {{session_key}}\" ];"

lk_done
