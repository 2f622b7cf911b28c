#!/bin/sh
# smoke.sh: lk-provider as the end-to-end tests use it, through curl:
# every built-in endpoint and area, auth failures, the request log,
# faults (status, HTML page, delay), reset, and exiting by itself.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/provider/start.sh"
T=$(mktemp -d)
trap 'lkp_stop; rm -rf "$T"' EXIT

# get URL [curl args...]: body in $body, status in $code, headers in $T/h
get() {
	local url=$1
	shift
	body=$(curl -s --max-time 10 -D "$T/h" -o "$T/b" -w '%{http_code}' "$@" "$url")
	code=$body
	body=$(cat "$T/b")
}
header() { # header NAME: its value in the last response, CR stripped
	grep -i "^$1:" "$T/h" | head -n 1 | sed 's/^[^:]*: *//' | tr -d '\r'
}
json() { # json EXPR: evaluate a Python expression over d = the body
	python3 -c 'import json,sys; d=json.loads(sys.argv[2]); sys.exit(0 if eval(sys.argv[1].replace("\n", " ")) else 1)' "$1" "$body" "${2:-}"
}
code_json() { [ "$code" = "$1" ] && json "$2"; } # code_json STATUS EXPR
body_has() { case "$body" in *"$1"*) return 0 ;; esac; return 1; }

"$LKP_BIN" >/dev/null 2>&1
check "no --port-file: usage, exit 2" [ $? -eq 2 ]
"$LKP_BIN" --port-file "$T/x" --lifetime abc >/dev/null 2>&1
check "bad --lifetime: exit 2" [ $? -eq 2 ]

check "starts and writes its port" lkp_start "$T"
check "port is a number" sh -c "grep -qx '[0-9][0-9]*' '$T/lkp.port'"
check "no temporary port file left" [ ! -e "$T/lkp.port.tmp" ]
hexport=$(printf '%04X' "$LKP_PORT")
check "listens on 127.0.0.1 only" sh -c "grep -q ' 0100007F:$hexport 00000000:0000 0A' /proc/net/tcp && ! grep -q ' 00000000:$hexport 00000000:0000 0A' /proc/net/tcp"

# basic
get "$LKP_BASE/basic/user" -u alice:wonderland
check "basic alice: 200" [ "$code" = 200 ]
check "basic alice: body" [ "$body" = '{"login":"alice","id":1}' ]
get "$LKP_BASE/basic/user" -H 'Authorization: basic YWxpY2U6d29uZGVybGFuZA=='
check "basic: scheme name case-insensitive" [ "$code" = 200 ]
get "$LKP_BASE/basic/user" -u 'jürgen:pässwörd'
check "basic UTF-8 user: 200" [ "$code" = 200 ]
check "basic UTF-8 user: body" [ "$body" = '{"login":"jürgen","id":2}' ]
get "$LKP_BASE/basic/user" -u alice:wrong
check "basic wrong password: 401" [ "$code" = 401 ]
check "basic 401: WWW-Authenticate" [ "$(header WWW-Authenticate)" = 'Basic realm="lk", charset="UTF-8"' ]
check "basic 401: JSON error" json 'd["error"]=="unauthorized" and d["error_description"]=="bad credentials"'
get "$LKP_BASE/basic/user" -u 'jürgen:wonderland'
check "basic UTF-8 user, wrong password: 401" [ "$code" = 401 ]
get "$LKP_BASE/basic/user"
check "basic no credentials: 401" [ "$code" = 401 ]
check "basic no credentials: message" json 'd["error_description"]=="credentials required"'
get "$LKP_BASE/basic/items" -u alice:wonderland
check "basic items: 200 list" json 'd==[{"id":1,"name":"alpha"},{"id":2,"name":"beta"}]'
get "$LKP_BASE/basic/items"
check "basic items without credentials: 401" [ "$code" = 401 ]
get "$LKP_BASE/basic/user/extra" -u alice:wonderland
check "basic: a longer path is 404" [ "$code" = 404 ]

# apikey
get "$LKP_BASE/apikey/me" -H 'X-Api-Key: key-123'
check "apikey header key-123: Acme" [ "$code" = 200 -a "$body" = '{"account":{"name":"Acme","id":7}}' ]
get "$LKP_BASE/apikey/me" -H 'x-api-key: key-456'
check "apikey header key-456: Globex" [ "$code" = 200 -a "$body" = '{"account":{"name":"Globex","id":8}}' ]
get "$LKP_BASE/apikey/me?api_key=key-123"
check "apikey query api_key: Acme" code_json 200 'd["account"]["name"]=="Acme"'
get "$LKP_BASE/apikey/me" -H 'X-Api-Key: key-999'
check "apikey wrong key: 401" code_json 401 'd["error_description"]=="invalid API key"'
get "$LKP_BASE/apikey/me"
check "apikey no key: 401" [ "$code" = 401 ]
get "$LKP_BASE/apikey/items" -H 'X-Api-Key: key-456'
check "apikey items" json 'd=={"items":[{"id":1,"name":"Globex widget"},{"id":2,"name":"Globex gadget"}]}'
get "$LKP_BASE/apikey/bad-request"
check "apikey bad-request: 400" code_json 400 'd=={"error":"bad_request","message":"the request is malformed"}'
get "$LKP_BASE/nowhere"
check "unknown path: 404 JSON" code_json 404 'd["error"]=="not_found"'

# the request API handlers see (/echo)
get "$LKP_BASE/echo?q=a%20b%2Bc+d&z=1" -H 'X-Echo-In: hi' --data-urlencode 'f=ü & more'
check "echo: what the handler saw" json '
d=={"method":"POST","path":"/echo","raw_query":"q=a%20b%2Bc+d&z=1",
"q":"a b+c d","f":"\u00fc & more","h":"hi","body":"f=%C3%BC+%26+more",
"base":sys.argv[3]}' "$LKP_BASE"
check "echo: lkp_set_header adds" [ "$(grep -ci '^X-Echo:' "$T/h")" = 2 ]
get "$LKP_BASE/echo" -X PUT -H 'Content-Type: application/json' -d '{"f":"x"}'
check "echo: no query, no form" json 'd["q"] is None and d["f"] is None and d["h"] is None and d["raw_query"]=="" and d["method"]=="PUT" and d["body"]=="{\"f\":\"x\"}"'
head -c 1048577 /dev/zero | tr '\0' a > "$T/big"
get "$LKP_BASE/echo" --data-binary @"$T/big"
check "a body over 1 MiB: 413" code_json 413 'd["error"]=="too_large"'

# redirects
get "$LKP_BASE/redirect/same?to=/basic/items"
check "redirect same: 302" [ "$code" = 302 ]
check "redirect same: Location on this host" [ "$(header Location)" = "$LKP_BASE/basic/items" ]
get "$LKP_BASE/redirect/other?to=/basic/items"
check "redirect other: Location on another host name" [ "$code" = 302 -a "$(header Location)" = "http://localhost:$LKP_PORT/basic/items" ]
get "$LKP_BASE/redirect/same?to=/echo&status=307" -X POST -d x=1
check "redirect: any method, chosen status" [ "$code" = 307 -a "$(header Location)" = "$LKP_BASE/echo" ]
for s in 301 303 308; do
	get "$LKP_BASE/redirect/other?status=$s"
	check "redirect other status $s" [ "$code" = $s -a "$(header Location)" = "http://localhost:$LKP_PORT/basic/user" ]
done
get "$LKP_BASE/redirect/same?status=3070"
check "redirect: unknown status 400" [ "$code" = 400 ]
get "$LKP_BASE/redirect/same?to=//evil.example/"
check "redirect: to must be a path" [ "$code" = 400 ]

# the request log
get "$LKP_BASE/_/reset" -X POST
check "reset: 204" [ "$code" = 204 ]
get "$LKP_BASE/_/requests"
check "log empty after reset" [ "$body" = '[]' ]
get "$LKP_BASE/apikey/bad-request?x=1&y=%20z" -H 'X-Trace: abc' -d 'a=b%20c&d=%C3%BC'
get "$LKP_BASE/_/requests"
check "log records the request exactly" json '
len(d)==1 and d[0]["method"]=="POST" and d[0]["path"]=="/apikey/bad-request"
and d[0]["query"]=="x=1&y=%20z" and d[0]["body"]=="a=b%20c&d=%C3%BC"
and d[0]["headers"]["x-trace"]=="abc"
and d[0]["headers"]["content-type"]=="application/x-www-form-urlencoded"'
get "$LKP_BASE/_/count?path=/apikey/"
check "count by prefix" [ "$body" = '{"count":1}' ]
get "$LKP_BASE/_/count?path=/basic/"
check "count of another prefix" [ "$body" = '{"count":0}' ]
# Eight clients at once: the thread pool serves and logs them all.
pids=
for i in 1 2 3 4 5 6 7 8; do
	curl -s --max-time 10 -o /dev/null -u alice:wonderland "$LKP_BASE/basic/user" &
	pids="$pids $!"
done
for p in $pids; do wait "$p"; done
get "$LKP_BASE/_/count?path=/basic/user"
check "concurrent requests all logged" [ "$body" = '{"count":8}' ]

# faults
get "$LKP_BASE/_/fault" -d 'path=/basic/&status=503'
check "fault set: 204" [ "$code" = 204 ]
get "$LKP_BASE/basic/user" -u alice:wonderland
check "fault status 503" code_json 503 'd["error"]=="fault"'
get "$LKP_BASE/basic/user" -u alice:wonderland
check "fault used once by default" [ "$code" = 200 ]
get "$LKP_BASE/_/fault" -d 'path=/apikey/me&status=404&count=2'
get "$LKP_BASE/apikey/me" -H 'X-Api-Key: key-123'
c1=$code
get "$LKP_BASE/apikey/me" -H 'X-Api-Key: key-123'
c2=$code
get "$LKP_BASE/apikey/me" -H 'X-Api-Key: key-123'
check "fault count=2: two 404 then 200" [ "$c1$c2$code" = 404404200 ]
get "$LKP_BASE/_/fault" -d 'path=/basic/user&html=1'
get "$LKP_BASE/basic/user" -u alice:wonderland
check "fault html: 200 text/html" [ "$code" = 200 -a "$(header Content-Type)" = text/html ]
check "fault html: a web page" body_has '<html>'
get "$LKP_BASE/_/fault" -d 'path=/basic/&html=1&status=503'
get "$LKP_BASE/basic/items" -u alice:wonderland
check "fault html with status: a 503 web page" [ "$code" = 503 -a "$(header Content-Type)" = text/html ]
get "$LKP_BASE/_/fault" -d 'path=/basic/user&delay_ms=1500'
start=$(date +%s%N)
curl -s --max-time 0.5 -o /dev/null -u alice:wonderland "$LKP_BASE/basic/user"
rc=$?
check "fault delay: a 0.5 s client times out (curl 28)" [ $rc -eq 28 ]
get "$LKP_BASE/_/fault" -d 'path=/basic/user&delay_ms=700'
start=$(date +%s%N)
get "$LKP_BASE/basic/user" -u alice:wonderland
ms=$((($(date +%s%N) - start) / 1000000))
check "fault delay alone: the handler answers late ($ms ms)" [ "$code" = 200 -a $ms -ge 700 ]
# A form value longer than the post processor's buffer arrives in pieces.
long=/basic/$(head -c 20000 /dev/zero | tr '\0' a)
get "$LKP_BASE/_/fault" -d "path=$long&status=418"
get "$LKP_BASE${long%aaaaaaaaaa}"
check "a 20000-byte form value is whole: a shorter path does not match" [ "$code" = 404 ]
get "$LKP_BASE$long"
check "a 20000-byte form value is whole: the path matches" [ "$code" = 418 ]
for bad in 'status=503' 'path=/x&status=99' 'path=/x&status=abc' 'path=/x' 'path=/x&delay_ms=70000' 'path=/x&status=500&count=0'; do
	get "$LKP_BASE/_/fault" -d "$bad"
	check "bad fault '$bad': 400" code_json 400 'd["error"]=="bad_fault"'
done
get "$LKP_BASE/_/fault" -d 'path=/basic/&status=500&count=5'
get "$LKP_BASE/_/reset" -X POST
get "$LKP_BASE/basic/user" -u alice:wonderland
check "reset clears faults" [ "$code" = 200 ]
get "$LKP_BASE/_/requests"
check "log after reset holds only the new request" json 'len(d)==1 and d[0]["path"]=="/basic/user"'
get "$LKP_BASE/_/nothing"
check "unknown /_/ endpoint: 404" [ "$code" = 404 ]
get "$LKP_BASE/_/count"
check "/_/ requests are not logged" [ "$body" = '{"count":1}' ]

# ports and exiting
"$LKP_BIN" --port-file "$T/busy" --port "$LKP_PORT" --lifetime 5 2>"$T/busy.err"
rc=$?
check "port in use: exit 1" [ $rc -eq 1 ]
check "port in use: message" [ "$(cat "$T/busy.err")" = "lk-provider: cannot listen on 127.0.0.1:$LKP_PORT" ]
check "port in use: no port file" [ ! -e "$T/busy" ]
pid=$LKP_PID
old=$LKP_PORT
# A client waits on a 60 s delay: stopping does not wait for it.
get "$LKP_BASE/_/fault" -d 'path=/basic/user&delay_ms=60000'
curl -s --max-time 20 -o /dev/null "$LKP_BASE/basic/user" &
cpid=$!
sleep 0.3
start=$(date +%s%N)
lkp_stop
ms=$((($(date +%s%N) - start) / 1000000))
wait $cpid
check "SIGTERM stops it" sh -c "! kill -0 $pid 2>/dev/null"
check "SIGTERM during a 60 s delay stops it at once ($ms ms)" [ $ms -lt 2000 ]
# Its stderr stays empty: no error, no sanitizer or leak report.
check "nothing on stderr after SIGTERM" [ ! -s "$T/lkp.log" ]
"$LKP_BIN" --port-file "$T/p1" --port "$old" --lifetime 5 >"$T/p1.log" 2>&1 &
pid=$!
i=0
while [ ! -s "$T/p1" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
check "--port N listens on N" [ "$(cat "$T/p1" 2>/dev/null)" = "$old" ]
body=$(curl -s --max-time 5 -u alice:wonderland "http://127.0.0.1:$old/basic/user")
check "--port N serves" [ "$body" = '{"login":"alice","id":1}' ]
kill -INT $pid
wait $pid
check "SIGINT stops it, status 0" [ $? -eq 0 ]
check "nothing on stderr after SIGINT" [ ! -s "$T/p1.log" ]
"$LKP_BIN" --port-file "$T/p2" --lifetime 1 >"$T/p2.log" 2>&1 &
pid=$!
i=0
while kill -0 $pid 2>/dev/null && [ $i -lt 60 ]; do sleep 0.1; i=$((i + 1)); done
check "exits by itself after --lifetime" sh -c "! kill -0 $pid 2>/dev/null"
wait $pid
check "lifetime exit status 0" [ $? -eq 0 ]
check "nothing on stderr after --lifetime" [ ! -s "$T/p2.log" ]
lk_done
