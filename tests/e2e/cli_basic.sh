#!/bin/sh
# cli_basic.sh: the latchkey command end to end with the basic scheme:
# usage errors, connect, list, show, test, call, owner isolation, remove.
. "$top_srcdir/tests/lib.sh"
LK="$top_builddir/tools/latchkey"
T=${KEEP_T:-$(mktemp -d)}
PROV_PID=
cleanup() { [ -n "$PROV_PID" ] && kill "$PROV_PID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT

python3 "$top_srcdir/tests/e2e/fake_provider.py" "$T/port" 60 &
PROV_PID=$!
i=0
while [ ! -s "$T/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
PORT=$(cat "$T/port")

mkdir -p "$T/mods" "$T/apps" "$T/store"
cp "$top_builddir/modules/basic/.libs/basic.so" "$T/mods/"
chmod 755 "$T/mods"; chmod 644 "$T/mods/basic.so"
cat > "$T/latchkey.conf" <<EOC
module_path = "$T/mods";
apps_dir = "apps";
store = { path = "$T/store"; key_file = "$T/master.key"; };
http = { timeout = 5; connect_timeout = 2; };
EOC
cat > "$T/apps/demo_basic.conf" <<EOC
app = {
  id = "demo_basic";
  title = "Demo Basic";
  scheme = "basic";
  base_urls = [ "http://127.0.0.1:$PORT/basic/" ];
  allow_http = true;
  test = { method = "GET"; url = "http://127.0.0.1:$PORT/basic/user"; };
  label = "{{login}}";
};
EOC
export LATCHKEY_CONFIG="$T/latchkey.conf"

check "--version exits 0" "$LK" --version
out=$("$LK" bogus 2>&1); rc=$?
check "unknown command exits 2" [ $rc -eq 2 ]
check "unknown command message" [ "$out" = "latchkey: unknown command 'bogus' (see latchkey --help)" ]
out=$("$LK" --json bogus 2>/dev/null)
check "--json error shape" python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["error"]["code"]=="EINVAL" and "bogus" in d["error"]["message"]' "$out"
out=$("$LK" serve 2>&1); rc=$?
check "serve not available, exit 2" [ $rc -eq 2 -a "$out" = "latchkey: serve: not available yet" ]
check "apps lists demo_basic" sh -c "'$LK' apps | grep -q '^demo_basic  *Demo Basic  *basic  *yes\$'"

out=$("$LK" connect demo_basic -f username=alice </dev/null 2>&1); rc=$?
check "missing field without a terminal: exit 2" [ $rc -eq 2 ]
check "missing field named" sh -c "echo '$out' | grep -q password"

out=$("$LK" connect demo_basic -f username=alice -f password=wrong 2>&1); rc=$?
check "wrong password: exit 1" [ $rc -eq 1 ]
out=$("$LK" --json connections)
check "failed connect stored nothing" [ "$out" = '{"data":[]}' ]

out=$("$LK" -v connect demo_basic -f username=alice -f password=wonderland 2>"$T/verbose"); rc=$?
check "connect exits 0" [ $rc -eq 0 ]
check "-v output shows the exchange" grep -q '^latchkey: > Authorization: \[REDACTED\]$' "$T/verbose"
check "-v output has no password" sh -c "! grep -q wonderland '$T/verbose'"
check "-v output has no basic credential" sh -c "! grep -q YWxpY2U6d29uZGVybGFuZA '$T/verbose'"
json=$("$LK" --json connections)
check "connections --json shape" python3 -c '
import json,sys,re
d=json.loads(sys.argv[1])["data"]
assert len(d)==1
e=d[0]
assert sorted(e)==sorted(["id","app","owner","number","label","status","created","updated"])
assert e["app"]=="demo_basic" and e["owner"]=="default" and e["number"]==1 and e["status"]=="active"
assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", e["created"])
' "$json"
ID=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["data"][0]["id"])' "$json")
out=$("$LK" show "$ID")
check "show hides the password" sh -c "echo '$out' | grep -q '  password: (secret)' && ! echo '$out' | grep -q wonderland"
check "show prints the test response" sh -c "echo '$out' | grep -q alice"
check "test exits 0" "$LK" test "$ID"
out=$("$LK" call "$ID" GET "http://127.0.0.1:$PORT/basic/user")
check "call prints the body" python3 -c 'import json,sys; assert json.loads(sys.argv[1])["login"]=="alice"' "$out"

"$LK" call "$ID" GET "http://127.0.0.1:$PORT/other/x" >/dev/null 2>&1; rc=$?
check "call outside base_urls: exit 2" [ $rc -eq 2 ]
reqs=$(curl -s "http://127.0.0.1:$PORT/_/requests")
check "nothing sent outside base_urls" sh -c "! echo '$reqs' | grep -q /other/x"

out=$("$LK" --owner bob show "$ID" 2>&1); rc=$?
check "bob cannot show alice's connection" [ $rc -eq 2 ]
"$LK" --owner bob call "$ID" GET "http://127.0.0.1:$PORT/basic/user" >/dev/null 2>&1; rc=$?
check "bob cannot call" [ $rc -eq 2 ]
"$LK" --owner bob remove "$ID" >/dev/null 2>&1; rc=$?
check "bob cannot remove" [ $rc -eq 2 ]
check "bob sees no connections" [ "$("$LK" --json --owner bob connections)" = '{"data":[]}' ]

check "remove exits 0" "$LK" remove "$ID"
check "removed" [ "$("$LK" --json connections)" = '{"data":[]}' ]
lk_done
