#!/bin/sh
# cli_commands.sh: every command of DESIGN.md exists, has a complete
# `COMMAND --help`, answers --json with one JSON document, and exits with
# DESIGN.md's codes: 0 success, 1 authentication or test failure, 2 usage
# or configuration, 3 network error or timeout, 4 connection expired.
. "$top_srcdir/tests/e2e/cli_env.sh"

# --- help -----------------------------------------------------------------
out=$("$LK" --help); rc=$?
check "--help exits 0" [ $rc -eq 0 ]
for c in apps modules check-config connect connections show test call \
	refresh remove serve; do
	check "--help lists $c" has "$out" "^  $c"
	h=$("$LK" "$c" --help); rc=$?
	check "$c --help exits 0" [ $rc -eq 0 ]
	check "$c --help starts with its usage" \
		has "$(printf '%s\n' "$h" | head -1)" "^usage: latchkey.* $c"
	case $c in serve) ;; *)
		check "$c --help gives the exit codes" has "$h" '^exit: '
		check "$c --help gives the --json shape" has "$h" '^--json' ;;
	esac
	# --help needs no configuration
	LATCHKEY_CONFIG=/nonexistent "$LK" "$c" --help >/dev/null; rc=$?
	check "$c --help without a configuration" [ $rc -eq 0 ]
done
for o in connect:-f connect:--begin connect:--finish connect:--callback-url \
	call:-H call:-d call:-i call:--fail call:--app; do
	c=${o%%:*} f=${o#*:}
	check "$c --help documents $f" has "$("$LK" "$c" --help)" "$f"
done
# every command has its own entry in the man page's COMMANDS
for c in apps modules check-config connect connections show test call \
	refresh remove serve; do
	m=$(printf '%s' "$c" | sed 's/-/\\\\-/g')
	check "the man page documents $c" grep -q "^\.B[IR]* \"*$m[ \"]*" "$top_srcdir/man/latchkey.1"
done

# --- --json on every command, and the exit codes ---------------------------
out=$("$LK" --json apps); rc=$?
check "apps --json" [ $rc -eq 0 -a "$(json_get "$out" '[a["id"] for a in d["data"]]')" = "['acme', 'feed', 'github', 'plain', 'vendor']" ]
check "apps --json needs_auth" [ "$(json_get "$out" '[a["needs_auth"] for a in d["data"]]')" = "[True, False, True, True, True]" ]
out=$("$LK" --json modules); rc=$?
check "modules --json" [ $rc -eq 0 -a "$(json_get "$out" '[(m["name"], m["abi"], m["hooks"]) for m in d["data"]]')" = "[('apikey', '1.1', False), ('basic', '1.1', False), ('none', '1.1', False), ('vendor_hooks', '1.1', True)]" ]
out=$("$LK" --json check-config); rc=$?
check "check-config --json" [ $rc -eq 0 -a "$(json_get "$out" 'd["ok"]')" = True ]

out=$("$LK" --json connect plain -f username=alice -f password=wonderland); rc=$?
check "connect --json exits 0" [ $rc -eq 0 ]
check "connect --json shape" [ "$(json_get "$out" 'sorted(d)')" = "['app', 'id', 'label', 'number']" ]
ID=$(json_get "$out" 'd["id"]')
out=$("$LK" --json connections plain); rc=$?
check "connections --json" [ $rc -eq 0 -a "$(json_get "$out" 'd["data"][0]["id"]')" = "$ID" ]
out=$("$LK" --json show "$ID"); rc=$?
check "show --json" [ $rc -eq 0 -a "$(json_get "$out" '(d["fields"]["password"], d["test"]["login"])')" = "('(secret)', 'alice')" ]
out=$("$LK" --json test "$ID"); rc=$?
check "test --json" [ $rc -eq 0 -a "$(json_get "$out" 'd["status"]')" = active ]
out=$("$LK" --json call "$ID" GET "$LKP_BASE/basic/items"); rc=$?
check "call --json exits 0" [ $rc -eq 0 ]
check "call --json status and body" [ "$(json_get "$out" '(d["status"], json.loads(d["body"])[1]["name"])')" = "(200, 'beta')" ]
check "call --json headers as pairs" [ "$(json_get "$out" '[v for n, v in d["headers"] if n.lower() == "content-type"]')" = "['application/json']" ]
out=$("$LK" --json call --app feed GET "$LKP_BASE/_/count?path=/basic/"); rc=$?
check "call --app --json" [ $rc -eq 0 -a "$(json_get "$out" 'json.loads(d["body"])["count"]')" = 3 ]
out=$("$LK" --json refresh "$ID"); rc=$?
check "refresh of a basic connection: exit 2, JSON error" [ $rc -eq 2 -a -n "$(json_get "$out" 'd["error"]["code"]')" ]
# serve's output is its request log: its start-up errors stay text on
# stderr, --json or not (see latchkey.1).
out=$("$LK" --json serve 2>"$T/serve.err"); rc=$?
check "serve without a serve block: exit 2, nothing on stdout" [ $rc -eq 2 -a -z "$out" ]
check "serve without a serve block: names the missing key" grep -q 'serve.service_key_files is required' "$T/serve.err"

# call: -H, -d @file and -i, as the provider received them
printf 'line one\nline "two"' >"$T/body.txt"
curl -s -X POST "$LKP_BASE/_/reset" >/dev/null
"$LK" call "$ID" POST "$LKP_BASE/basic/items" -H 'X-Trace: t-1' \
	-H 'Content-Type: text/plain' -d @"$T/body.txt" >/dev/null; rc=$?
check "call POST -d @file exits 0" [ $rc -eq 0 ]
reqs=$(curl -s "$LKP_BASE/_/requests")
check "the provider got the method, headers and the file's bytes" python3 -c '
import json, sys
r = json.loads(sys.argv[1])
assert len(r) == 1, r
r = r[0]
assert r["method"] == "POST" and r["path"] == "/basic/items", r
assert r["headers"]["x-trace"] == "t-1", r
assert r["headers"]["content-type"] == "text/plain", r
assert r["headers"]["authorization"].startswith("Basic "), r
assert r["body"] == "line one\nline \"two\"", r
' "$reqs"
out=$("$LK" call "$ID" GET "$LKP_BASE/basic/items" -i); rc=$?
check "call -i exits 0" [ $rc -eq 0 ]
check "call -i: the status line first" [ "$(printf '%s\n' "$out" | head -1 | tr -d '\r')" = "HTTP 200" ]
check "call -i: the headers" has "$out" '^Content-Type: application/json'
check "call -i: a blank line, then the body" [ "$(printf '%s\n' "$out" | tr -d '\r' | sed -n '/^$/,$p' | sed 1d | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["name"])')" = alpha ]
"$LK" call "$ID" GET "$LKP_BASE/basic/items" -H 'Bad Header' >/dev/null 2>&1; rc=$?
check "call -H without a colon: exit 2" [ $rc -eq 2 ]
"$LK" call "$ID" GET "$LKP_BASE/basic/items" -d @"$T/no-such-file" >/dev/null 2>&1; rc=$?
check "call -d @missing: exit 2" [ $rc -eq 2 ]
out=$("$LK" --json show); rc=$?
check "usage errors are JSON with --json" [ $rc -eq 2 -a "$(json_get "$out" 'd["error"]["message"]')" = "show needs one connection ID" ]
out=$("$LK" connect plain --begin 2>&1); rc=$?
check "connect --begin on a fields app: exit 2" [ $rc -eq 2 -a "$out" = "latchkey: connect --begin: the app does not use a redirect flow" ]

# -v: the exchange on stderr, the key redacted wherever it appears
out=$("$LK" --json connect acme -f api_key=key-456)
AID=$(json_get "$out" 'd["id"]')
"$LK" -v call "$AID" GET "$LKP_BASE/apikey/items?api_key=key-456" >/dev/null 2>"$T/v.err"; rc=$?
v=$(cat "$T/v.err")
check "-v call exits 0" [ $rc -eq 0 ]
check "-v shows the request line, query redacted" has "$v" "^latchkey: > GET $LKP_BASE/apikey/items?api_key=\[REDACTED\]\$"
check "-v shows the header, redacted" has "$v" '^latchkey: > X-Api-Key: \[REDACTED\]$'
check "-v shows the answer" has "$v" '^latchkey: < 200$'
check "-v never shows the key" lacks "$v" key-456
"$LK" -v --json connect acme -f api_key=key-123 >"$T/v.out" 2>"$T/v.err"
check "-v --json: stdout is one JSON document" is_json "$(cat "$T/v.out")"
check "-v connect never shows the key" lacks "$(cat "$T/v.err" "$T/v.out")" key-123

# exit 1: a failed test, and call --fail on a 4xx
out=$("$LK" --json connect plain -f username=alice -f password=nope); rc=$?
check "wrong password: exit 1" [ $rc -eq 1 ]
check "wrong password: JSON error EAUTH" [ "$(json_get "$out" 'd["error"]["code"]')" = EAUTH ]
"$LK" call "$ID" GET "$LKP_BASE/basic/nothing-here" >/dev/null; rc=$?
check "call of a 404: exit 0" [ $rc -eq 0 ]
"$LK" call "$ID" GET "$LKP_BASE/basic/nothing-here" --fail >/dev/null 2>&1; rc=$?
check "call --fail of a 404: exit 1" [ $rc -eq 1 ]
curl -s -d path=/basic/user -d status=503 "$LKP_BASE/_/fault" >/dev/null
"$LK" test "$ID" >/dev/null 2>&1; rc=$?
check "test on a 503: exit 1" [ $rc -eq 1 ]

# exit 2: usage and configuration
"$LK" show >/dev/null 2>&1; rc=$?
check "show without ID: exit 2" [ $rc -eq 2 ]
"$LK" show no-such-id >/dev/null 2>&1; rc=$?
check "show of an unknown id: exit 2" [ $rc -eq 2 ]
"$LK" -c "$T/missing.conf" apps >/dev/null 2>&1; rc=$?
check "missing configuration: exit 2" [ $rc -eq 2 ]
out=$("$LK" connect feed 2>&1); rc=$?
check "connect to an app without auth: exit 2" [ $rc -eq 2 ]
check "... with a clear message" [ "$out" = "latchkey: feed needs no authentication: there is nothing to connect (call it with \`latchkey call --app feed\`)" ]

# exit 3: a closed port (bound, then released: nobody listens there)
CLOSED=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
cat > "$T/apps/closed.conf" <<EOC
app = { id = "closed"; title = "Closed"; scheme = "basic";
  base_urls = [ "http://127.0.0.1:$CLOSED/" ]; allow_http = true;
  test = { method = "GET"; url = "http://127.0.0.1:$CLOSED/user"; }; };
EOC
out=$("$LK" --json connect closed -f username=a -f password=b); rc=$?
check "connect to a closed port: exit 3" [ $rc -eq 3 ]
check "... JSON error ENET" [ "$(json_get "$out" 'd["error"]["code"]')" = ENET ]
"$LK" call --app feed GET "http://127.0.0.1:$CLOSED/x" >/dev/null 2>&1; rc=$?
check "call to a closed port: exit 3" [ $rc -eq 3 ]
check "nothing stored by the failed connect" [ "$("$LK" --json connections closed)" = '{"data":[]}' ]
# exit 3: a timeout (the provider answers after 4 s, the timeout is 2 s)
curl -s -d path=/basic/user -d delay_ms=4000 "$LKP_BASE/_/fault" >/dev/null
out=$("$LK" --json test "$ID"); rc=$?
check "test slower than the timeout: exit 3" [ $rc -eq 3 ]
check "... JSON error ETIMEOUT" [ "$(json_get "$out" 'd["error"]["code"]')" = ETIMEOUT ]

# exit 4: a connection expired (the hooks module's verdict on a 410)
out=$("$LK" --json connect vendor -f username=alice -f password=wonderland); rc=$?
check "connect vendor" [ $rc -eq 0 ]
VID=$(json_get "$out" 'd["id"]')
curl -s -d path=/basic/items -d status=410 "$LKP_BASE/_/fault" >/dev/null
out=$("$LK" call "$VID" GET "$LKP_BASE/basic/items" 2>&1); rc=$?
check "call answered 410 Gone: exit 4" [ $rc -eq 4 ]
check "... says reconnect" has "$out" 'has expired: .*reconnect it$'
check "listed as expired" [ "$(json_get "$("$LK" --json connections vendor)" 'd["data"][0]["status"]')" = expired ]
before=$(json_get "$(curl -s "$LKP_BASE/_/count?path=/basic/")" 'd["count"]')
"$LK" call "$VID" GET "$LKP_BASE/basic/items" >/dev/null 2>&1; rc=$?
check "call on an expired connection: exit 4" [ $rc -eq 4 ]
"$LK" test "$VID" >/dev/null 2>&1; rc=$?
check "test on an expired connection: exit 4" [ $rc -eq 4 ]
after=$(json_get "$(curl -s "$LKP_BASE/_/count?path=/basic/")" 'd["count"]')
check "an expired connection sends nothing" [ "$before" = "$after" ]
lk_done
