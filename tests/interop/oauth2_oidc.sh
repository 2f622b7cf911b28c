#!/bin/sh
# oauth2_oidc.sh: oauth2.so against a real authorization server, the
# certified oidc-provider from npm (pinned by tests/interop/oidc/
# package-lock.json, installed here with `npm ci` into the build folder),
# started on 127.0.0.1 on a free port by tests/interop/oidc/server.mjs.
# Through the latchkey command: connect --begin, the browser's part (curl
# with a cookie jar through the self-approving login and consent), connect
# --finish, calls to the userinfo endpoint, `refresh ID` with refresh-token
# rotation, the old refresh token refused, and what the provider recorded
# of every request. node or npm missing, or the install failing, is a
# failure, not a skip.
. "$top_srcdir/tests/lib.sh"
LK="$top_builddir/tools/latchkey"
OIDC_SRC="$top_srcdir/tests/interop/oidc"
OIDC="$top_builddir/tests/interop/oidc"
REDIRECT="http://127.0.0.1:8765/callback"
T=$(mktemp -d)
NPID=
cleanup() {
	if [ -n "$NPID" ]; then
		kill "$NPID" 2>/dev/null
		wait "$NPID" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT

NODE=$(command -v node)
NPM=$(command -v npm)
if [ -z "$NODE" ] || [ -z "$NPM" ]; then
	not_ok "node and npm are installed (Debian packages nodejs, npm)"
	lk_done
fi
ok "node $("$NODE" --version) and npm are installed"

# Install the pinned server into the build folder, once per lockfile.
mkdir -p "$OIDC"
if [ "$(cd "$OIDC" && pwd)" != "$(cd "$OIDC_SRC" && pwd)" ]; then
	cp "$OIDC_SRC/package.json" "$OIDC_SRC/package-lock.json" \
		"$OIDC_SRC/server.mjs" "$OIDC/"
fi
LOCKSUM=$(sha256sum "$OIDC/package-lock.json" | cut -d' ' -f1)
if [ ! -f "$OIDC/node_modules/oidc-provider/package.json" ] ||
	[ "$(cat "$OIDC/node_modules/.lk-lock-sha256" 2>/dev/null)" != "$LOCKSUM" ]; then
	(cd "$OIDC" && timeout 300 "$NPM" ci --no-audit --no-fund \
		--loglevel=error) >"$T/npm.log" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		cat "$T/npm.log"
		not_ok "npm ci installs the pinned oidc-provider (exit $rc)"
		lk_done
	fi
	echo "$LOCKSUM" >"$OIDC/node_modules/.lk-lock-sha256"
fi
PINNED=$(sed -n 's/.*"oidc-provider": "\(.*\)".*/\1/p' "$OIDC_SRC/package.json")
check "oidc-provider $PINNED installed as pinned" \
	grep -q "\"version\": \"$PINNED\"" "$OIDC/node_modules/oidc-provider/package.json"

# A random client secret, known to the server and to latchkey's app file.
SECRET=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
printf '%s' "$SECRET" >"$T/client.secret"
chmod 600 "$T/client.secret"
REC="$T/record.jsonl"
(cd "$OIDC" && exec "$NODE" server.mjs --port-file "$T/port" \
	--record "$REC" --client-secret "$SECRET" --lifetime 120 \
	--redirect-uri "$REDIRECT") >"$T/server.log" 2>&1 &
NPID=$!
i=0
while [ ! -s "$T/port" ] && [ $i -lt 150 ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ ! -s "$T/port" ]; then
	cat "$T/server.log"
	not_ok "oidc-provider started on 127.0.0.1"
	lk_done
fi
BASE="http://127.0.0.1:$(cat "$T/port")"
ok "oidc-provider started at $BASE"

mkdir -p "$T/apps"
cat >"$T/latchkey.conf" <<EOC
module_path = "$(cd "$top_builddir/tests/moddir" && pwd)";
apps_dir = "apps";
store = { path = "$T/store"; key_file = "$T/master.key"; };
http = { timeout = 10; connect_timeout = 5; };
EOC
cat >"$T/apps/oidc.conf" <<EOC
app = {
  id = "oidc"; title = "OIDC"; scheme = "oauth2";
  oauth2 = {
    authorize_url = "$BASE/auth";
    access_token_url = "$BASE/token";
    refresh_token_url = "$BASE/token";
    client_id = "lk-client"; client_secret_file = "../client.secret";
    scope = "openid profile";
    redirect_uri = "$REDIRECT";
  };
  base_urls = [ "$BASE/" ];
  allow_http = true;
  test = { method = "GET"; url = "$BASE/me"; };
  label = "{{preferred_username}}";
};
EOC
export LATCHKEY_CONFIG="$T/latchkey.conf"
# json TEXT EXPR: EXPR over the document `d`; a tuple prints space-joined.
SHOW='def show(v): print(" ".join(map(str, v)) if isinstance(v, tuple) else v)'
json() { python3 -c "$SHOW"'
import json,sys; d=json.loads(sys.argv[1]); show(eval(sys.argv[2]))' "$@"; }
# rec PATH EXPR [ARG]: EXPR over the list `r` of recorded requests to PATH.
rec() { python3 -c "$SHOW"'
import json,sys; r=[json.loads(l) for l in open(sys.argv[1]) if json.loads(l)["path"]==sys.argv[2]]; show(eval(sys.argv[3]))' "$REC" "$@"; }

"$LK" check-config >"$T/out" 2>&1
check "check-config accepts the app" [ $? -eq 0 ]

# Connect: the authorize URL, the browser's part, the callback.
out=$("$LK" --json connect oidc --begin); rc=$?
check "connect --begin exits 0" [ $rc -eq 0 ]
FLOW=$(json "$out" 'd["flow"]')
URL=$(json "$out" 'd["authorize_url"]')
check "authorize URL: code flow with PKCE S256" sh -c "echo '$URL' | grep -q '^$BASE/auth?response_type=code&client_id=lk-client&redirect_uri=http%3a%2f%2f127.0.0.1%3a8765%2fcallback&scope=openid+profile&state=[A-Za-z0-9_-]*&code_challenge=[A-Za-z0-9_-]\{43\}&code_challenge_method=S256\$'"
CB=
hop=$URL
for i in 1 2 3 4 5 6 7 8; do
	next=$(curl -s -m 10 -b "$T/jar" -c "$T/jar" -o "$T/page" \
		-w '%{redirect_url}' "$hop")
	case "$next" in
	"$REDIRECT"*) CB=$next; break ;;
	"") cat "$T/page"; break ;;
	esac
	hop=$next
done
check "login and consent approve, redirect with code and state" \
	sh -c "echo '$CB' | grep -q '^$REDIRECT?code=[^&]*&state=[^&]*&iss='"
check "the provider saw PKCE S256 and a state" \
	[ "$(rec /auth 'r[0]["code_challenge_method"], r[0]["has_code_challenge"], r[0]["has_state"], r[0]["scope"]')" = "S256 True True openid profile" ]

"$LK" connect --finish "$FLOW" --callback-url "$CB" >"$T/out" 2>&1; rc=$?
[ $rc -eq 0 ] || cat "$T/out" "$T/server.log"
check "connect --finish exits 0" [ $rc -eq 0 ]
check "code exchange: authorization_code with a 43-char code_verifier, client_secret_post, 200" \
	[ "$(rec /token 'r[0]["grant_type"], r[0]["code_verifier_length"], r[0]["basic_auth"], r[0]["status"]')" = "authorization_code 43 False 200" ]
out=$("$LK" --json connections oidc)
ID=$(json "$out" 'd["data"][0]["id"]')
check "connection labelled from the userinfo answer" \
	[ "$(json "$out" 'd["data"][0]["label"], d["data"][0]["status"]')" = "OIDC octocat active" ]
AT1=$(rec /token 'r[0]["access_token"]')
RT1=$(rec /token 'r[0]["refresh_token"]')
check "the provider issued a refresh token" [ -n "$RT1" -a "$RT1" != None ]

# Calls to the protected resource with the access token.
out=$("$LK" call "$ID" GET "$BASE/me" --fail); rc=$?
check "call userinfo: exit 0, the account's claims" \
	[ $rc -eq 0 -a "$(json "$out" 'd["sub"], d["preferred_username"]')" = "octocat octocat" ]
check "the call carried the issued access token" \
	[ "$(rec /me 'r[-1]["bearer"], r[-1]["status"]')" = "$AT1 200" ]

# A forced refresh: rotation gives a new refresh token.
"$LK" -v refresh "$ID" >"$T/out" 2>&1; rc=$?
[ $rc -eq 0 ] || cat "$T/out"
check "refresh ID exits 0" [ $rc -eq 0 ]
check "refresh request: refresh_token grant with the issued token, 200" \
	[ "$(rec /token 'len(r), r[1]["grant_type"], r[1]["sent_refresh_token"] == sys.argv[4], r[1]["status"]' "$RT1")" = "2 refresh_token True 200" ]
AT2=$(rec /token 'r[1]["access_token"]')
RT2=$(rec /token 'r[1]["refresh_token"]')
check "the refresh token rotated" [ -n "$RT2" -a "$RT2" != None -a "$RT2" != "$RT1" ]
check "-v shows the exchange" grep -q "^latchkey: > POST $BASE/token\$" "$T/out"
check "-v output shows no secret" sh -c "! grep -q -e '$SECRET' -e '$RT1' -e '$RT2' -e '$AT2' '$T/out'"
out=$("$LK" call "$ID" GET "$BASE/me" --fail); rc=$?
check "call after the refresh: exit 0" [ $rc -eq 0 -a "$(json "$out" 'd["sub"]')" = octocat ]
check "the call carried the new access token" \
	[ "$(rec /me 'r[-1]["bearer"], r[-1]["status"]')" = "$AT2 200" ]

# A second rotation: latchkey stored RT2 and uses it.
"$LK" refresh "$ID" >"$T/out" 2>&1; rc=$?
check "second refresh exits 0, sends the rotated token, gets a new one" \
	[ $rc -eq 0 -a "$(rec /token 'len(r), r[2]["sent_refresh_token"] == sys.argv[4], r[2]["refresh_token"] not in (sys.argv[4], None)' "$RT2")" = "3 True True" ]

# The old refresh token is refused (RFC 6749 10.4, OAuth 2.0 Security BCP
# 4.14.2). oidc-provider then revokes the whole grant (reuse detection).
code=$(curl -s -m 10 -o "$T/old" -w '%{http_code}' \
	--data-urlencode grant_type=refresh_token \
	--data-urlencode "refresh_token=$RT1" \
	--data-urlencode client_id=lk-client \
	--data-urlencode "client_secret=$SECRET" "$BASE/token")
check "the replaced refresh token is refused: 400 invalid_grant" \
	[ "$code" = 400 -a "$(json "$(cat "$T/old")" 'd["error"]')" = invalid_grant ]

# The grant is gone: the next call gets a 401, the refresh invalid_grant,
# and the connection expires (exit 4).
"$LK" call "$ID" GET "$BASE/me" >"$T/out" 2>&1; rc=$?
check "after the grant's revocation: exit 4" [ $rc -eq 4 ]
check "the call got a 401, the refresh invalid_grant" \
	[ "$(rec /me 'r[-1]["status"]')" = 401 -a "$(rec /token 'r[-1]["grant_type"], r[-1]["error"]')" = "refresh_token invalid_grant" ]
out=$("$LK" --json connections oidc)
check "the connection is expired" [ "$(json "$out" 'd["data"][0]["status"]')" = expired ]
if [ "$lk_fail" -ne 0 ]; then
	echo "# authorize URL: $URL"
	echo "# what the provider recorded:"
	sed 's/^/# /' "$REC"
fi
lk_done
