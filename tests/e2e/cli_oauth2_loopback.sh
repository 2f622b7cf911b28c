#!/bin/sh
# cli_oauth2_loopback.sh: `latchkey connect APP` for an OAuth 2.0 (and 1.0a) app
# receives the redirect on its loopback redirect_uri (RFC 8252 section
# 7.3: no port in the URI means any free one), against lk-provider: the
# browser's part is curl following the authorize redirect. Also: the
# provider's refusal, a forged state, a wrong path, the timeout, Ctrl-C,
# a fixed port already taken, and the check-config warning of
# token_request = "auto" shown without -v.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/provider/start.sh"
LK="$top_builddir/tools/latchkey"
T=$(mktemp -d)
CPID=
cleanup() {
	# Only the latchkey started here, by its PID.
	[ -n "$CPID" ] && kill "$CPID" 2>/dev/null
	lkp_stop
	rm -rf "$T"
}
trap cleanup EXIT

lkp_start "$T" 180 || { not_ok "lk-provider started"; lk_done; }
mkdir -p "$T/apps"
cat > "$T/latchkey.conf" <<EOC
module_path = "$(cd "$top_builddir/tests/moddir" && pwd)";
apps_dir = "apps";
store = { path = "$T/store"; key_file = "$T/master.key"; };
http = { timeout = 5; connect_timeout = 2; };
EOC
write_app() { # write_app ID REDIRECT_URI [EXTRA]
	cat > "$T/apps/$1.conf" <<EOC
app = {
  id = "$1"; title = "Demo OAuth2"; scheme = "oauth2";
  oauth2 = {
    authorize_url = "$LKP_BASE/oauth2/authorize";
    access_token_url = "$LKP_BASE/oauth2/token";
    client_id = "lk-client"; client_secret = "lk-secret";
    redirect_uri = "$2";
    $3
  };
  base_urls = [ "$LKP_BASE/oauth2/" ];
  allow_http = true;
  test = { method = "GET"; url = "$LKP_BASE/oauth2/me"; };
  label = "{{login}}";
};
EOC
}
write_app demo_oauth2 "http://127.0.0.1/callback"
export LATCHKEY_CONFIG="$T/latchkey.conf"
unset LATCHKEY_OWNER DISPLAY WAYLAND_DISPLAY
py() { python3 -c "$@"; }
has() { case "$1" in *"$2"*) return 0 ;; esac; return 1; } # has TEXT PART
nconn() { "$LK" --json connections demo_oauth2 | py 'import json,sys; print(len(json.load(sys.stdin)["data"]))'; }

# start_connect ID [ARGS]: latchkey connect in the background; sets CPID
# and URL (the authorize URL it printed on stderr), empty when none came.
start_connect() {
	local app=$1 i=0
	shift
	rm -f "$T/c.out" "$T/c.err"
	"$LK" connect "$app" "$@" >"$T/c.out" 2>"$T/c.err" &
	CPID=$!
	URL=
	while [ $i -lt 100 ]; do
		URL=$(sed -n 's/^Open this URL in a browser: //p' "$T/c.err" 2>/dev/null)
		[ -n "$URL" ] && break
		kill -0 "$CPID" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
}
# end_connect: wait for it; sets RC.
end_connect() {
	wait "$CPID"
	RC=$?
	CPID=
	cat "$T/c.err" >>"$T/all.err"
}
# The redirect_uri the authorize URL carries, decoded.
redirect_of() {
	py 'import sys, urllib.parse as u; print(u.parse_qs(u.urlsplit(sys.argv[1]).query)["redirect_uri"][0])' "$1"
}

# --- token_request = "auto": check-config warns without -v, exits 0.
write_app demo_auto "http://127.0.0.1/callback" 'token_request = "auto";'
"$LK" check-config >"$T/cc.out" 2>"$T/cc.err"; rc=$?
check "check-config with token_request auto: exit 0" [ $rc -eq 0 ]
check "check-config warns about auto without -v" grep -q '^latchkey: warning: .*token_request = "auto" sends the authorization code and the client secret' "$T/cc.err"
rm -f "$T/apps/demo_auto.conf"
"$LK" check-config >/dev/null 2>"$T/cc.err"; rc=$?
check "no warning once auto is gone" [ $rc -eq 0 -a ! -s "$T/cc.err" ]

# --- The whole flow: authorize URL printed, redirect received, stored.
start_connect demo_oauth2 --timeout 20
check "the authorize URL is printed on stderr (no display)" [ -n "$URL" ]
REDIR=$(redirect_of "$URL")
PORT=$(printf '%s' "$REDIR" | sed -n 's|^http://127\.0\.0\.1:\([0-9]*\)/callback$|\1|p')
check "a free port was put into the redirect_uri: $REDIR" [ -n "$PORT" ]
check "the authorize URL asks for a code with PKCE" sh -c "printf '%s' '$URL' | grep -q '^$LKP_BASE/oauth2/authorize?response_type=code&client_id=lk-client&redirect_uri=.*&state=.*&code_challenge=.*&code_challenge_method=S256\$'"
last=$(curl -s -L --max-redirs 3 --max-time 10 -o "$T/page" -w '%{http_code} %{url_effective}' "$URL")
end_connect
check "the browser gets the closing page" grep -q 'You can close this window' "$T/page"
check "from the loopback, with 200: $last" sh -c "printf '%s' '$last' | grep -q '^200 http://127.0.0.1:$PORT/callback?code=code-1&state='"
check "the page echoes neither code nor state" sh -c "! grep -q 'code-1\|state' '$T/page'"
check "connect exits 0" [ $RC -eq 0 ]
check "connect says what it stored" grep -q '^connected Demo OAuth2 octocat (' "$T/c.out"
out=$("$LK" --json connections demo_oauth2)
check "one connection stored, active, labelled" [ "$(printf '%s' "$out" | py 'import json,sys; d=json.load(sys.stdin)["data"]; print(len(d), d[0]["status"], d[0]["label"])')" = "1 active Demo OAuth2 octocat" ]
check "nothing secret on stderr" sh -c "! grep -q 'code-1\|at-[0-9]\|lk-secret' '$T/c.err'"
# What the provider received: one code exchange with the same
# redirect_uri as the authorize request (RFC 6749 section 4.1.3).
curl -s "$LKP_BASE/_/requests" >"$T/req.json"
check "the token request carries the code, verifier and redirect_uri" py '
import json, sys, urllib.parse as u
log = json.load(open(sys.argv[1]))
tok = [r for r in log if r["path"] == "/oauth2/token"]
assert len(tok) == 1, tok
b = u.parse_qs(tok[0]["body"])
assert tok[0]["method"] == "POST"
assert b["grant_type"] == ["authorization_code"], b
assert b["code"] == ["code-1"], b
assert b["redirect_uri"] == [sys.argv[2]], b
assert b["client_id"] == ["lk-client"] and b["client_secret"] == ["lk-secret"], b
assert len(b["code_verifier"][0]) >= 43, b
auth = [r for r in log if r["path"] == "/oauth2/authorize"]
assert len(auth) == 1 and u.parse_qs(auth[0]["query"])["redirect_uri"] == [sys.argv[2]], auth
' "$T/req.json" "$REDIR"

# --- With a display, xdg-open gets the URL: here a stand-in that plays
# the browser, so the connect completes by itself.
mkdir -p "$T/bin"
cat > "$T/bin/xdg-open" <<EOC
#!/bin/sh
printf '%s\n' "\$1" > "$T/xdg.url"
exec curl -s -L --max-redirs 3 --max-time 10 -o "$T/xdg.page" "\$1"
EOC
chmod 755 "$T/bin/xdg-open"
PATH="$T/bin:$PATH" DISPLAY=:99 "$LK" connect demo_oauth2 --timeout 20 >"$T/c.out" 2>"$T/c.err"; rc=$?
cat "$T/c.err" >>"$T/all.err"
check "display set: xdg-open got the authorize URL" grep -q "^$LKP_BASE/oauth2/authorize?response_type=code&" "$T/xdg.url"
check "display set: stderr says the browser was opened" grep -q '^Opened the browser; if nothing opened, open this URL in a browser: ' "$T/c.err"
check "display set: connected, exit 0" [ $rc -eq 0 ]
check "display set: the stand-in browser got the page" grep -q 'You can close this window' "$T/xdg.page"
check "display set: second connection stored" [ "$(nconn)" -eq 2 ]

# --- The provider refuses: its words, exit 1, nothing stored.
curl -s -X POST -d deny=1 "$LKP_BASE/oauth2/_/config" >/dev/null
start_connect demo_oauth2 --timeout 20
curl -s -L --max-redirs 3 --max-time 10 -o "$T/page" "$URL"
end_connect
check "access_denied: exit 1" [ $RC -eq 1 ]
check "access_denied: the provider's words" grep -q 'access_denied: The user denied the request' "$T/c.err"
check "access_denied: the browser still gets the closing page" grep -q 'You can close this window' "$T/page"
check "access_denied: nothing stored" [ "$(nconn)" -eq 2 ]
curl -s -X POST -d deny=0 "$LKP_BASE/oauth2/_/config" >/dev/null

# --- A wrong path gets a 404 and is not taken; a forged state is refused
# by the core's check, and nothing is exchanged.
before=$(curl -s "$LKP_BASE/_/count?path=/oauth2/token" | sed 's/[^0-9]//g')
start_connect demo_oauth2 --timeout 20
LB=$(redirect_of "$URL" | sed 's|/callback$||')
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$LB/elsewhere?code=x&state=y")
check "a wrong path: 404" [ "$code" = 404 ]
check "a wrong path does not end the wait" kill -0 "$CPID"
code=$(curl -s -o "$T/page" -w '%{http_code}' --max-time 5 "$LB/callback?code=code-forged&state=forged")
end_connect
check "a forged state: the page is served" [ "$code" = 200 ]
check "a forged state: exit 2" [ $RC -eq 2 ]
check "a forged state: named" grep -q "state does not match" "$T/c.err"
check "a forged state: no code exchanged" [ "$(curl -s "$LKP_BASE/_/count?path=/oauth2/token" | sed 's/[^0-9]//g')" -eq "$before" ]
check "a forged state: nothing stored" [ "$(nconn)" -eq 2 ]

# --- Nobody comes: --timeout 2 ends it with a clear message, exit 3.
start=$(date +%s)
"$LK" connect demo_oauth2 --timeout 2 >"$T/c.out" 2>"$T/c.err"; rc=$?
took=$(( $(date +%s) - start ))
check "timeout: exit 3" [ $rc -eq 3 ]
check "timeout: says so" grep -q '^latchkey: connect demo_oauth2: no redirect reached http://127.0.0.1:[0-9]*/callback within 2 s (--timeout N waits longer): nothing was stored$' "$T/c.err"
check "timeout: ended after about 2 s ($took s)" [ $took -ge 2 -a $took -le 6 ]
check "timeout: nothing stored" [ "$(nconn)" -eq 2 ]
"$LK" connect demo_oauth2 --timeout 0 >/dev/null 2>"$T/c.err"; rc=$?
check "--timeout 0: usage error" sh -c "[ $rc -eq 2 ] && grep -q 'timeout needs whole seconds' '$T/c.err'"

# --- Ctrl-C: a clean stop, the port released.
start_connect demo_oauth2 --timeout 20
LB=$(redirect_of "$URL" | sed 's|/callback$||')
kill -INT "$CPID"
end_connect
check "Ctrl-C: exit 130" [ $RC -eq 130 ]
check "Ctrl-C: says so" grep -q '^latchkey: connect demo_oauth2: interrupted: nothing was stored$' "$T/c.err"
check "Ctrl-C: the listener is gone" sh -c "! curl -s -o /dev/null --max-time 2 '$LB/callback'"

# --- A fixed port is used as given; taken, it is a clear network error.
FIXED=$(py 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
write_app demo_oauth2 "http://127.0.0.1:$FIXED/callback"
start_connect demo_oauth2 --timeout 20
check "a fixed port: kept in the redirect_uri" [ "$(redirect_of "$URL")" = "http://127.0.0.1:$FIXED/callback" ]
curl -s -L --max-redirs 3 --max-time 10 -o /dev/null "$URL"
end_connect
check "a fixed port: connected, exit 0" [ $RC -eq 0 ]
check "a fixed port: third connection stored" [ "$(nconn)" -eq 3 ]
py '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past TIME_WAIT
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1)
open(sys.argv[2], "w").close(); time.sleep(8)' "$FIXED" "$T/held" &
HPID=$!
i=0; while [ ! -e "$T/held" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
"$LK" connect demo_oauth2 --timeout 5 >/dev/null 2>"$T/c.err"; rc=$?
kill "$HPID" 2>/dev/null; wait "$HPID" 2>/dev/null
check "a taken port: exit 3" [ $rc -eq 3 ]
check "a taken port: named" grep -q "cannot receive the redirect on http://127.0.0.1:$FIXED/callback: cannot listen on 127.0.0.1:$FIXED: Address already in use" "$T/c.err"

# --- OAuth 1.0a the same way: callback_url without a port (read through
# lk_app_redirect_uri, since it never appears in the authorize URL).
python3 - "$T/apps/demo_oauth1.conf" "$LKP_BASE" <<'PYEOF'
import sys
path, base = sys.argv[1], sys.argv[2]
secret = "cs&+/ %\u00e9"  # the emulator's consumer secret
open(path, "w", encoding="utf-8").write(f"""app = {{
  id = "demo_oauth1"; title = "Demo OAuth1"; scheme = "oauth1";
  oauth1 = {{
    request_token_url = "{base}/oauth1/request_token";
    authorize_url = "{base}/oauth1/authorize";
    access_token_url = "{base}/oauth1/access_token";
    consumer_key = "lk-consumer";
    consumer_secret = "{secret}";
    callback_url = "http://127.0.0.1/callback";
    extra_fields = [ "user_id", "screen_name" ];
  }};
  base_urls = [ "{base}/oauth1/" ]; allow_http = true;
  test = {{ method = "GET"; url = "{base}/oauth1/me"; }};
  label = "{{{{screen_name}}}}";
}};
""")
PYEOF
curl -s --max-time 5 -o /dev/null -X POST "$LKP_BASE/_/reset"
start_connect demo_oauth1 --timeout 20
check "oauth1: an authorize URL is printed" has "$URL" "$LKP_BASE/oauth1/authorize?oauth_token="
page=$(curl -s -L --max-redirs 3 --max-time 10 "$URL")
check "oauth1: the browser gets the closing page" has "$page" "You can close this window"
end_connect
check "oauth1: connected through the loopback, exit 0" [ $RC -eq 0 ]
check "oauth1: stored with its label" sh -c "'$LK' --json connections demo_oauth1 | grep -q '\"label\": *\"Demo OAuth1 alice\"'"
check "oauth1: one request token (one flow), one access token" py '
import json, sys
d = json.loads(sys.argv[1])
paths = [r["path"] for r in d]
assert paths.count("/oauth1/request_token") == 1, paths
assert paths.count("/oauth1/access_token") == 1, paths
rt = [r for r in d if r["path"] == "/oauth1/request_token"][0]
auth = rt["headers"]["authorization"]
# the callback carries the port chosen, percent-encoded in the header
assert "oauth_callback=\"http%3A%2F%2F127.0.0.1%3A" in auth, auth
' "$(curl -s --max-time 5 "$LKP_BASE/_/requests")"

# --- A redirect_uri elsewhere (a web back end): the two steps, as before.
write_app demo_oauth2 "https://app.example.com/oauth/callback"
out=$("$LK" connect demo_oauth2 --timeout 2 2>&1); rc=$?
check "a non-loopback redirect_uri: exit 0 with the --finish hint" sh -c "[ $rc -eq 0 ] && printf '%s' '$out' | grep -q '^open the URL, then run: latchkey connect --finish '"
# Under --enable-sanitizers a report would be on these stderrs.
check "no sanitizer report from the background connects" sh -c "! grep -q 'Sanitizer\|runtime error' '$T/all.err'"
lk_done
