#!/bin/sh
# serve_connect.sh: the connect pages of `latchkey serve` driven with curl:
# a signed link spent once for an HttpOnly SameSite cookie, the form
# (password inputs for secrets, CSRF token, CSP frame-ancestors 'none'),
# a failed test shown in the form with nothing stored, the final page's
# message to the configured origin only, and the OAuth 2.0 and 1.0a
# redirects through public_url/connect/callback against lk-provider.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/provider/start.sh"
. "$top_srcdir/tests/serve/start.sh"
T=${KEEP_T:-$(mktemp -d)}
cleanup() { serve_stop; lkp_stop; [ -n "${KEEP_T:-}" ] || rm -rf "$T"; }
trap cleanup EXIT

has() { case "$1" in *"$2"*) return 0 ;; esac; return 1; }
lacks() { ! has "$@"; }
py() { python3 -c "$@"; }
requests() { curl -s --max-time 5 "$LKP_BASE/_/requests"; }
reset() { curl -s --max-time 5 -o /dev/null -X POST "$LKP_BASE/_/reset"; }
v1() { curl -s --max-time 10 -H "Authorization: Bearer $KEY1" "$SERVE_BASE$1"; }
link_for() { # link_for OWNER APP: a fresh connect link
	v1 "/v1/apps?owner=$1" | py 'import json,sys; print([a for a in json.load(sys.stdin)["data"] if a["id"]==sys.argv[1]][0]["links"]["connect_new_authentication"])' "$2"
}
# page URL [curl args]: a page with the cookie jar $T/jar; sets CODE,
# HDRS (headers file) and PAGE.
page() {
	local url=$1
	shift
	CODE=$(curl -s --max-time 10 -b "$T/jar" -c "$T/jar" -D "$T/hdrs" \
		-o "$T/page" -w '%{http_code}' "$@" "$url")
	PAGE=$(cat "$T/page")
}
hdr() { grep -i "^$1:" "$T/hdrs" | head -n 1 | cut -d' ' -f2- | tr -d '\r'; }
csrf() { printf '%s' "$PAGE" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p'; }

lkp_start "$T" 300 || exit 1
B=$LKP_BASE
HOST_ORIGIN=http://127.0.0.1:4711
. "$top_srcdir/tests/serve/setup.sh"
# An OAuth app that asks a field first: the form, then the redirect.
cat > "$T/apps/demo_tenant.conf" <<EOC
app = { id = "demo_tenant"; title = "Tenant OAuth"; scheme = "oauth2";
  fields = ( { key = "tenant"; label = "Tenant"; } );
  oauth2 = { authorize_url = "$B/oauth2/authorize?tenant={{tenant}}";
    access_token_url = "$B/oauth2/token";
    client_id = "lk-client"; client_secret = "lk-secret"; };
  base_urls = [ "$B/oauth2/" ]; allow_http = true;
  test = { method = "GET"; url = "$B/oauth2/me"; }; label = "{{login}}"; };
EOC
# OAuth 1.0a (RFC 5849): the same popup, through request token,
# authorize and access token.
cp "$top_builddir/modules/oauth1/.libs/oauth1.so" "$T/mods/" && chmod 644 "$T/mods/oauth1.so"
cat > "$T/apps/demo_oauth1.conf" <<EOC
app = { id = "demo_oauth1"; title = "Demo OAuth1"; scheme = "oauth1";
  oauth1 = { request_token_url = "$B/oauth1/request_token";
    authorize_url = "$B/oauth1/authorize";
    access_token_url = "$B/oauth1/access_token";
    consumer_key = "lk-consumer"; consumer_secret = "cs&+/ %\xc3\xa9";
    callback_url = "http://127.0.0.1:8765/callback"; };
  base_urls = [ "$B/oauth1/" ]; allow_http = true;
  test = { method = "GET"; url = "$B/oauth1/me"; }; label = "{{screen_name}}"; };
EOC
serve_start "$T" || exit 1

# --- the link ---------------------------------------------------------
L=$(link_for alice demo_basic)
check "link points at the server" has "$L" "$SERVE_BASE/connect/start?t="
page "$L"
check "link: 303 to the form" sh -c "[ '$CODE' = 303 ] && [ '$(hdr Location)' = '$SERVE_BASE/connect/form' ]"
cookie=$(hdr Set-Cookie)
check "link: cookie is HttpOnly, SameSite=Lax, Path=/connect" sh -c "echo '$cookie' | grep -q '^lk_connect=[A-Za-z0-9_-]\{43\}; Path=/connect; Max-Age=600; HttpOnly; SameSite=Lax\$'"
check "link: no Secure flag over plain http" lacks "$cookie" Secure
CODE=$(curl -s -o "$T/p2" -w '%{http_code}' "$L")
check "reused link: 403" [ "$CODE" = 403 ]
check "reused link: says it was used" grep -q "already used" "$T/p2"
check "refusal page has CSP too" sh -c "curl -s -D - -o /dev/null '$L' | grep -qi \"^Content-Security-Policy:.*frame-ancestors 'none'\""
L2=$(link_for alice demo_basic)
bad=$(printf '%s' "$L2" | py 'import sys; s=sys.stdin.read(); print(s[:-2] + ("A" if s[-2] != "A" else "B") + s[-1])')
CODE=$(curl -s -o "$T/p2" -w '%{http_code}' "$bad")
check "tampered signature: 403 not valid" sh -c "[ '$CODE' = 403 ] && grep -q 'not valid' '$T/p2'"
# Another owner in the payload, signature kept: refused.
forged=$(printf '%s' "$L2" | py '
import sys,base64
u=sys.stdin.read(); base,t=u.split("?t=")
p,s=t.split(".")
raw=base64.urlsafe_b64decode(p+"="*(-len(p)%4)).replace(b"\nalice\n", b"\nmallory\n")
print(base+"?t="+base64.urlsafe_b64encode(raw).decode().rstrip("=")+"."+s)')
CODE=$(curl -s -o "$T/p2" -w '%{http_code}' "$forged")
check "payload changed to another owner: 403" [ "$CODE" = 403 ]
CODE=$(curl -s -o /dev/null -w '%{http_code}' "$SERVE_BASE/connect/start")
check "no token: 403" [ "$CODE" = 403 ]
CODE=$(curl -s -o /dev/null -w '%{http_code}' "$SERVE_BASE/connect/start?t=....")
check "garbage token: 403" [ "$CODE" = 403 ]

# --- the form -----------------------------------------------------------
page "$SERVE_BASE/connect/form"
check "form: 200 HTML" [ "$CODE $(hdr Content-Type)" = "200 text/html; charset=utf-8" ]
csp=$(hdr Content-Security-Policy)
check "form: CSP frame-ancestors 'none'" has "$csp" "frame-ancestors 'none'"
check "form: CSP allows only this page's nonce" py '
import sys,re
csp,page=sys.argv[1],sys.argv[2]
m=re.search(r"script-src '"'"'nonce-([A-Za-z0-9_-]+)'"'"'", csp)
assert m and "default-src '"'"'none'"'"'" in csp
assert "nonce=\""+m.group(1)+"\"" in page' "$csp" "$PAGE"
check "form: X-Frame-Options DENY" [ "$(hdr X-Frame-Options)" = DENY ]
check "form: the title" has "$PAGE" "<h1>Connect Demo Basic</h1>"
check "form: username is a text input with its label" has "$PAGE" '<label for="f_username">Username</label><input id="f_username" name="username" type="text" required>'
check "form: password is a password input" has "$PAGE" '<input id="f_password" name="password" type="password" autocomplete="off" required>'
TOKEN=$(csrf)
check "form: a CSRF token" [ ${#TOKEN} -eq 43 ]
page "$SERVE_BASE/connect/form" -d username=alice -d password=wonderland
check "POST without CSRF token: 403" sh -c "[ '$CODE' = 403 ] && echo '$PAGE' | grep -q 'security token'"
page "$SERVE_BASE/connect/form" -d "csrf=${TOKEN}x" -d username=alice -d password=wonderland
check "POST with a wrong CSRF token: 403" [ "$CODE" = 403 ]
check "nothing stored after CSRF refusals" [ "$(v1 '/v1/authentications?owner=alice')" = '{"data":[]}' ]
CODE=$(curl -s -o /dev/null -w '%{http_code}' -d "csrf=$TOKEN" -d username=alice -d password=wonderland "$SERVE_BASE/connect/form")
check "POST without the cookie: 403" [ "$CODE" = 403 ]

page "$SERVE_BASE/connect/form" -d "csrf=$TOKEN" -d username=alice -d password=wrong-pw
check "failed test: 422 form with the message" sh -c "[ '$CODE' = 422 ] && echo '$PAGE' | grep -q 'role=\"alert\" id=\"error\">connect demo_basic: nothing was stored: test: GET $B/basic/user answered 401: the credentials are incorrect'"
check "failed test: username kept, password not" sh -c "echo '$PAGE' | grep -q 'name=\"username\" type=\"text\" required value=\"alice\"' && ! echo '$PAGE' | grep -q wrong-pw"
check "failed test: nothing stored" [ "$(v1 '/v1/authentications?owner=alice')" = '{"data":[]}' ]
page "$SERVE_BASE/connect/form" -d "csrf=$TOKEN" -d username=alice -d password=wonderland
check "connected: 200" [ "$CODE" = 200 ]
ID=$(v1 '/v1/authentications?owner=alice&app=demo_basic' | py 'import json,sys; d=json.load(sys.stdin)["data"]; assert len(d)==1; print(d[0]["id"])')
check "final page: message with the listed id, to the host origin" py '
import sys,re,json
page,id=sys.argv[1],sys.argv[2]
m=re.search(r"var m=(\{.*?\}),o=(\[.*?\]);", page)
assert m, page
assert json.loads(m.group(1))=={"type":"latchkey.popup.close","authentication_id":id}
assert json.loads(m.group(2))==["http://127.0.0.1:4711"]
assert "window.opener.postMessage(m,o[i])" in page and "\"*\"" not in page and "window.close()" in page' "$PAGE" "$ID"
check "final page: the label" has "$PAGE" "Demo Basic alice is connected"
page "$SERVE_BASE/connect/form" -d "csrf=$TOKEN" -d username=alice -d password=wonderland
check "the session ends with the connection: 403" [ "$CODE" = 403 ]
check "still one connection" [ "$(v1 '/v1/authentications?owner=alice&app=demo_basic' | py 'import json,sys; print(len(json.load(sys.stdin)["data"]))')" = 1 ]
# A link is bound to its owner: bob's link connects for bob only.
rm -f "$T/jar"
page "$(link_for bob demo_apikey)"
page "$SERVE_BASE/connect/form"
check "apikey form: secret key is a password, team optional" sh -c "echo '$PAGE' | grep -q 'name=\"api_key\" type=\"password\" autocomplete=\"off\" required>' && echo '$PAGE' | grep -q 'name=\"team\" type=\"text\">'"
page "$SERVE_BASE/connect/form" -d "csrf=$(csrf)" -d api_key=key-456 --data-urlencode "team=R&D <x>"
check "bob connected" [ "$CODE" = 200 ]
check "bob has it" has "$(v1 '/v1/authentications?owner=bob')" '"label":"Demo API key Globex"'
check "alice does not" lacks "$(v1 '/v1/authentications?owner=alice')" demo_apikey

# --- OAuth 2.0: the redirect and the callback on public_url -------------
rm -f "$T/jar"
reset
page "$(link_for alice demo_oauth2)" -L --max-redirs 5
check "oauth2: popup ends on the final page" sh -c "[ '$CODE' = 200 ] && echo '$PAGE' | grep -q 'latchkey.popup.close'"
check "oauth2: authorize got redirect_uri = public_url/connect/callback" py '
import json,sys,urllib.parse
r=[x for x in json.loads(sys.argv[1]) if x["path"]=="/oauth2/authorize"]
q=urllib.parse.parse_qs(r[0]["query"])
assert q["redirect_uri"]==[sys.argv[2]+"/connect/callback"] and q["code_challenge_method"]==["S256"], q' "$(requests)" "$SERVE_BASE"
check "oauth2: token exchange with the same redirect_uri" py '
import json,sys,urllib.parse
r=[x for x in json.loads(sys.argv[1]) if x["path"]=="/oauth2/token"]
q=urllib.parse.parse_qs(r[0]["body"])
assert q["grant_type"]==["authorization_code"] and q["redirect_uri"]==[sys.argv[2]+"/connect/callback"], q' "$(requests)" "$SERVE_BASE"
OID=$(v1 '/v1/authentications?owner=alice&app=demo_oauth2' | py 'import json,sys; d=json.load(sys.stdin)["data"]; assert len(d)==1 and d[0]["label"]=="Demo OAuth octocat", d; print(d[0]["id"])')
check "oauth2: the page's id is the listed one" has "$PAGE" "\"authentication_id\":\"$OID\""
CODE=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $KEY1" "$SERVE_BASE/v1/authentications/$OID/refresh?owner=alice")
check "oauth2: refresh through the API: 200" [ "$CODE" = 200 ]
check "oauth2: the provider saw one refresh" sh -c "curl -s '$B/oauth2/_/stats' | grep -q '\"refreshes\":1'"
out=$(curl -s -H "Authorization: Bearer $KEY1" -d '{"method":"GET","url":"'"$B"'/oauth2/me"}' "$SERVE_BASE/v1/authentications/$OID/request?owner=alice")
check "oauth2: request with the token" py 'import json,sys; d=json.loads(sys.argv[1]); assert d["status"]==200 and json.loads(d["body"])["login"]=="octocat", d' "$out"
rm -f "$T/jar"
page "$(link_for alice demo_oauth1)" -L --max-redirs 5
check "oauth1: popup ends on the final page" sh -c "[ '$CODE' = 200 ] && echo '$PAGE' | grep -q 'latchkey.popup.close'"
check "oauth1: oauth_callback = public_url/connect/callback" py '
import json,sys,urllib.parse,re
r=[x for x in json.loads(sys.argv[1]) if x["path"]=="/oauth1/request_token"][0]
h=r["headers"]["authorization"]
cb=urllib.parse.unquote(re.search(r"oauth_callback=\"([^\"]*)\"", h).group(1))
assert cb.startswith(sys.argv[2]+"/connect/callback?"), cb' "$(requests)" "$SERVE_BASE"
O1=$(v1 '/v1/authentications?owner=alice&app=demo_oauth1')
check "oauth1: listed with its label" has "$O1" '"label":"Demo OAuth1 alice"'
check "oauth1: the page's id is the listed one" has "$PAGE" "\"authentication_id\":\"$(printf '%s' "$O1" | py 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')\""

# The provider forgets the tokens: the connection expires (409).
curl -s -o /dev/null -X POST "$B/oauth2/_/expire"
curl -s -o /dev/null -X POST "$B/oauth2/_/revoke"
out=$(curl -s -w '\n%{http_code}' -H "Authorization: Bearer $KEY1" -d '{"method":"GET","url":"'"$B"'/oauth2/me"}' "$SERVE_BASE/v1/authentications/$OID/request?owner=alice")
check "oauth2: refused refresh: 409 expired" sh -c "echo '$out' | tail -n 1 | grep -q 409 && echo '$out' | grep -q '\"code\":\"expired\"'"
check "oauth2: listed as expired" has "$(v1 '/v1/authentications?owner=alice&app=demo_oauth2')" '"status":"expired"'
# A failed test after the provider's round trip: shown, nothing stored.
reset
curl -s -o /dev/null -d 'path=/oauth2/me&status=403' "$B/_/fault"
rm -f "$T/jar"
page "$(link_for gina demo_oauth2)" -L --max-redirs 5
check "oauth2 failed test: the page says why" sh -c "[ '$CODE' = 422 ] && echo '$PAGE' | grep -q 'answered 403'"
check "oauth2 failed test: nothing stored" [ "$(v1 '/v1/authentications?owner=gina')" = '{"data":[]}' ]
# A field first, then the redirect with it.
rm -f "$T/jar"
page "$(link_for hank demo_tenant)" -L
check "oauth2 with a field: the form asks it" has "$PAGE" 'name="tenant" type="text" required>'
page "$SERVE_BASE/connect/form" -d "csrf=$(csrf)" -d tenant=acme
check "oauth2 with a field: 303 to the provider with it" sh -c "[ '$CODE' = 303 ] && echo '$(hdr Location)' | grep -q '^$B/oauth2/authorize?tenant=acme&'"
page "$(hdr Location)" -L --max-redirs 3
check "oauth2 with a field: connected" sh -c "[ '$CODE' = 200 ] && echo '$PAGE' | grep -q 'latchkey.popup.close'"
check "oauth2 with a field: listed" has "$(v1 '/v1/authentications?owner=hank&app=demo_tenant')" '"number":1'
CODE=$(curl -s -o "$T/p2" -w '%{http_code}' "$SERVE_BASE/connect/callback?code=code-1&state=x")
check "callback without a session: 403" [ "$CODE" = 403 ]
# The user denies: the page says so, nothing stored.
curl -s -o /dev/null -d deny=1 "$B/oauth2/_/config"
rm -f "$T/jar"
page "$(link_for dave demo_oauth2)" -L --max-redirs 5
check "oauth2 denied: not connected, with the reason" sh -c "[ '$CODE' != 200 ] && echo '$PAGE' | grep -q 'Not connected' && echo '$PAGE' | grep -q 'access_denied'"
check "oauth2 denied: nothing stored" [ "$(v1 '/v1/authentications?owner=dave')" = '{"data":[]}' ]
CODE=$(curl -s -b "$T/jar" -o /dev/null -w '%{http_code}' "$SERVE_BASE/connect/callback?code=code-9&state=x")
check "oauth2: a second callback finds no flow" [ "$CODE" = 400 ]

check "log: no link token, no cookie, no password" sh -c "! grep -e 't=' -e lk_connect= -e wonderland -e key-456 -e wrong-pw '$T/serve.log'"
lk_done
