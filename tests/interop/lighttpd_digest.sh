#!/bin/sh
# lighttpd_digest.sh: digest.so against a real server, lighttpd's mod_auth
# (Debian package lighttpd), started here on 127.0.0.1 on a free port:
# one location with algorithm MD5 and one with SHA-256, both qop=auth.
# Through the latchkey command: connect (the test request), calls, a
# wrong password refused, and the exact statuses lighttpd logged.
# lighttpd missing is a failure, not a skip.
. "$top_srcdir/tests/lib.sh"
LK="$top_builddir/tools/latchkey"
T=$(mktemp -d)
LPID=
cleanup() {
	if [ -n "$LPID" ]; then
		kill "$LPID" 2>/dev/null
		wait "$LPID" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT

LIGHTTPD=$(command -v lighttpd || ls /usr/sbin/lighttpd 2>/dev/null)
if [ -z "$LIGHTTPD" ]; then
	not_ok "lighttpd is installed (Debian package lighttpd)"
	lk_done
fi
ok "lighttpd is installed ($LIGHTTPD)"

mkdir -p "$T/www/md5" "$T/www/sha256" "$T/mods" "$T/apps" "$T/store"
for d in md5 sha256; do
	printf '{"login":"Mufasa","where":"%s"}\n' "$d" > "$T/www/$d/user.json"
	printf '[{"id":1},{"id":2}]\n' > "$T/www/$d/items.json"
done
# the plain backend: lighttpd computes H(A1) for any algorithm
printf 'Mufasa:Circle of Life\n' > "$T/users"

start_lighttpd() {
	PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
	cat > "$T/lighttpd.conf" <<EOC
server.modules = ( "mod_auth", "mod_authn_file", "mod_accesslog" )
server.document-root = "$T/www"
server.bind = "127.0.0.1"
server.port = $PORT
server.errorlog = "$T/error.log"
# a piped logger gets each line at once (a file is flushed lazily)
accesslog.filename = "|exec cat >> $T/access.log"
accesslog.format = "%r %s"
mimetype.assign = ( ".json" => "application/json" )
auth.backend = "plain"
auth.backend.plain.userfile = "$T/users"
auth.require = (
  "/md5/" => ( "method" => "digest", "algorithm" => "MD5",
               "realm" => "lk-interop", "require" => "valid-user" ),
  "/sha256/" => ( "method" => "digest", "algorithm" => "SHA-256",
                  "realm" => "lk-interop", "require" => "valid-user" ),
)
EOC
	"$LIGHTTPD" -D -f "$T/lighttpd.conf" >"$T/lighttpd.out" 2>&1 &
	LPID=$!
	i=0
	while [ $i -lt 50 ]; do
		curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/" && return 0
		kill -0 "$LPID" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	kill "$LPID" 2>/dev/null
	wait "$LPID" 2>/dev/null
	LPID=
	return 1
}
# a free port can be taken between the probe and the bind: try again
started=false
for attempt in 1 2 3; do
	if start_lighttpd; then started=true; break; fi
done
if ! $started; then
	not_ok "lighttpd starts on 127.0.0.1"
	cat "$T/lighttpd.out" "$T/error.log" 2>/dev/null
	lk_done
fi
ok "lighttpd starts on 127.0.0.1:$PORT"
B="http://127.0.0.1:$PORT"

cp "$top_builddir/modules/digest/.libs/digest.so" "$T/mods/"
chmod 755 "$T/mods" "$T/mods/digest.so"
cat > "$T/latchkey.conf" <<EOC
module_path = "$T/mods";
apps_dir = "apps";
store = { path = "$T/store"; key_file = "$T/master.key"; };
http = { timeout = 5; connect_timeout = 5; };
EOC
for d in md5 sha256; do
	cat > "$T/apps/$d.conf" <<EOC
app = {
  id = "l_$d"; title = "lighttpd $d"; scheme = "digest";
  base_urls = [ "$B/$d/" ];
  allow_http = true;
  test = { method = "GET"; url = "$B/$d/user.json"; };
  label = "{{login}}";
  digest = { };
};
EOC
done
export LATCHKEY_CONFIG="$T/latchkey.conf"
check "check-config accepts the digest apps" "$LK" check-config

# lighttpd's access log ("GET /md5/user.json 401"), the start-up probes
# (GET /) left out. It is written lazily: wait for the lines expected.
MARK=0
logged() { grep -v '^GET / ' "$T/access.log" 2>/dev/null | sed 's/ HTTP\/1\.1//'; }
# log_is LINE...: the next lines logged are exactly these
log_is() {
	want=$(printf '%s\n' "$@")
	i=0
	while [ "$(logged | wc -l)" -lt $((MARK + $#)) ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	got=$(logged | tail -n +$((MARK + 1)))
	MARK=$(logged | wc -l)
	[ "$got" = "$want" ] && return 0
	printf 'got:\n%s\nwant:\n%s\n' "$got" "$want"
	return 1
}

for d in md5 sha256; do
	out=$("$LK" connect "l_$d" -f username=Mufasa -f 'password=Circle of Life' 2>&1)
	check "$d: connect succeeds" [ $? -eq 0 ]
	check "$d: connect prints the label" sh -c "echo '$out' | grep -q 'lighttpd $d Mufasa'"
	check "$d: connect sent a bare request, then the answer" \
		log_is "GET /$d/user.json 401" "GET /$d/user.json 200"
	id=$("$LK" --json connections "l_$d" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][-1]["id"])')
	body=$("$LK" call "$id" GET "$B/$d/items.json")
	check "$d: call returns the body" [ "$body" = '[{"id":1},{"id":2}]' ]
	check "$d: a call in a new process: 401, then 200" \
		log_is "GET /$d/items.json 401" "GET /$d/items.json 200"
	"$LK" -v call "$id" GET "$B/$d/items.json" >"$T/v.out" 2>&1
	check "$d: -v output holds no password" sh -c "! grep -q 'Circle of Life' '$T/v.out'"
	check "$d: -v call: 401, then 200" \
		log_is "GET /$d/items.json 401" "GET /$d/items.json 200"
	"$LK" call --fail "$id" GET "$B/$d/missing.json" >/dev/null 2>&1
	check "$d: a 404 behind digest is a 404 (exit 1 with --fail)" [ $? -eq 1 ]
	check "$d: the 404 came after the digest answer" \
		log_is "GET /$d/missing.json 401" "GET /$d/missing.json 404"
	out=$("$LK" connect "l_$d" -f username=Mufasa -f 'password=wrong pass' 2>&1)
	rc=$?
	check "$d: wrong password: exit 1" [ $rc -eq 1 ]
	check "$d: wrong password: no password in the message" sh -c "! echo '$out' | grep -q 'wrong pass'"
	check "$d: wrong password: exactly two requests, both 401" \
		log_is "GET /$d/user.json 401" "GET /$d/user.json 401"
	n=$("$LK" --json connections "l_$d" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["data"]))')
	check "$d: the refused connect stored nothing" [ "$n" = 1 ]
done
# the algorithm lighttpd saw: SHA-256 where it asked for it
check "lighttpd logged no authentication error" sh -c "! grep -qi 'digest.*mismatch\|nonce.*invalid' '$T/error.log'"
lk_done
