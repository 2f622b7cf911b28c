#!/bin/sh
# cli_oauth2.sh: the latchkey command with oauth2.so against lk-provider:
# connect --begin / --finish through the authorize redirect, call with a
# refresh on 401, refresh ID, exit 4 on invalid_grant, exit 2 on
# invalid_client (the connection stays active), the "auto" warning.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/provider/start.sh"
LK="$top_builddir/tools/latchkey"
T=$(mktemp -d)
cleanup() { lkp_stop; rm -rf "$T"; }
trap cleanup EXIT

lkp_start "$T" 120 || { not_ok "lk-provider started"; lk_done; }
mkdir -p "$T/apps"
cat > "$T/latchkey.conf" <<EOC
module_path = "$(cd "$top_builddir/tests/moddir" && pwd)";
apps_dir = "apps";
store = { path = "$T/store"; key_file = "$T/master.key"; };
http = { timeout = 5; connect_timeout = 2; };
EOC
write_app() { # write_app SECRET [EXTRA]
	cat > "$T/apps/o2.conf" <<EOC
app = {
  id = "o2"; title = "Demo OAuth2"; scheme = "oauth2";
  oauth2 = {
    authorize_url = "$LKP_BASE/oauth2/authorize";
    access_token_url = "$LKP_BASE/oauth2/token";
    refresh_token_url = "$LKP_BASE/oauth2/token";
    client_id = "lk-client"; client_secret = "$1";
    redirect_uri = "http://127.0.0.1:8765/callback";
    extra_fields = [ "user_id" ];
    $2
  };
  base_urls = [ "$LKP_BASE/oauth2/" ];
  allow_http = true;
  test = { method = "GET"; url = "$LKP_BASE/oauth2/me"; };
  label = "{{login}} {{user_id}}";
};
EOC
}
write_app lk-secret
export LATCHKEY_CONFIG="$T/latchkey.conf"
json() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$@"; }
tokens() { curl -s "$LKP_BASE/_/count?path=/oauth2/token" | sed 's/[^0-9]//g'; }

out=$("$LK" --json connect o2 --begin); rc=$?
check "connect --begin exits 0" [ $rc -eq 0 ]
FLOW=$(json "$out" 'd["flow"]')
URL=$(json "$out" 'd["authorize_url"]')
check "authorize URL asks for a code with PKCE S256" sh -c "echo '$URL' | grep -q '^$LKP_BASE/oauth2/authorize?response_type=code&client_id=lk-client&redirect_uri=http%3a%2f%2f127.0.0.1%3a8765%2fcallback&state=.*&code_challenge=.*&code_challenge_method=S256\$'"
CB=$(curl -s -o /dev/null -w '%{redirect_url}' "$URL")
check "the emulator redirects with code and state" sh -c "echo '$CB' | grep -q '^http://127.0.0.1:8765/callback?code=code-1&state='"
"$LK" connect --finish "$FLOW" --callback-url "$CB" >"$T/out" 2>&1; rc=$?
check "connect --finish exits 0" [ $rc -eq 0 ]
out=$("$LK" connect --finish "$FLOW" --callback-url "$CB" 2>&1); rc=$?
check "the same callback again: exit 2 (flow used)" [ $rc -eq 2 ]
out=$("$LK" --json connections o2)
ID=$(json "$out" 'd["data"][0]["id"]')
check "label from the test answer and extra_fields" [ "$(json "$out" 'd["data"][0]["label"]')" = "Demo OAuth2 octocat u-42" ]

out=$("$LK" call "$ID" GET "$LKP_BASE/oauth2/me"); rc=$?
check "call exits 0 with the body" [ $rc -eq 0 -a "$out" = '{"login":"octocat","id":42}' ]
curl -s -X POST "$LKP_BASE/oauth2/_/expire" >/dev/null
before=$(tokens)
out=$("$LK" call "$ID" GET "$LKP_BASE/oauth2/me"); rc=$?
check "expired token: refreshed and retried, exit 0" [ $rc -eq 0 -a "$out" = '{"login":"octocat","id":42}' ]
check "exactly one refresh request" [ "$(tokens)" -eq $((before + 1)) ]
"$LK" refresh "$ID" >/dev/null; rc=$?
check "refresh ID exits 0" [ $rc -eq 0 ]
check "refresh ID sent one refresh request" [ "$(tokens)" -eq $((before + 2)) ]
out=$("$LK" --json show "$ID" 2>&1)
check "show hides the tokens" sh -c "! echo '$out' | grep -q 'at-[0-9]\\|rt-[0-9]'"

# A rotated client secret: exit 2, the connection stays active.
write_app wrong-secret
curl -s -X POST "$LKP_BASE/oauth2/_/expire" >/dev/null
out=$("$LK" call "$ID" GET "$LKP_BASE/oauth2/me" 2>&1); rc=$?
check "invalid_client: exit 2" [ $rc -eq 2 ]
check "invalid_client: named, secret not shown" sh -c "echo '$out' | grep -q invalid_client && ! echo '$out' | grep -q wrong-secret"
out=$("$LK" --json connections o2)
check "invalid_client: connection still active" [ "$(json "$out" 'd["data"][0]["status"]')" = active ]

# The refresh token revoked: exit 4, expired.
write_app lk-secret
curl -s -X POST "$LKP_BASE/oauth2/_/revoke" >/dev/null
out=$("$LK" call "$ID" GET "$LKP_BASE/oauth2/me" 2>&1); rc=$?
check "invalid_grant: exit 4" [ $rc -eq 4 ]
out=$("$LK" --json connections o2)
check "invalid_grant: connection expired" [ "$(json "$out" 'd["data"][0]["status"]')" = expired ]
before=$(curl -s "$LKP_BASE/_/count?path=/oauth2/" | sed 's/[^0-9]//g')
"$LK" call "$ID" GET "$LKP_BASE/oauth2/me" >/dev/null 2>&1; rc=$?
check "expired connection: exit 4, nothing sent" [ $rc -eq 4 -a "$(curl -s "$LKP_BASE/_/count?path=/oauth2/" | sed 's/[^0-9]//g')" -eq "$before" ]

# token_request = "auto" is accepted with a warning (shown with or without -v).
write_app lk-secret 'token_request = "auto";'
"$LK" check-config >/dev/null 2>&1; rc=$?
check "check-config accepts auto" [ $rc -eq 0 ]
"$LK" -v check-config >/dev/null 2>"$T/warn"
check "check-config -v warns about auto" grep -q 'token_request = "auto" sends the authorization code and the client secret' "$T/warn"
write_app lk-secret 'token_request = "sometimes";'
out=$("$LK" check-config 2>&1); rc=$?
check "a bad token_request: exit 2, file:line" sh -c "[ $rc -eq 2 ] && echo '$out' | grep -q 'o2.conf:[0-9]'"
lk_done
