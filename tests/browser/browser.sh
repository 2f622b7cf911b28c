#!/bin/sh
# browser.sh: the connect popup in a real browser: Debian's chromium
# driven by playwright-core from npm (tests/browser/package.json), with
# lk-provider, latchkey serve and two host pages on free ports; see
# connect_popup.mjs for what it checks. Screenshots go to
# $top_builddir/tests/browser/shots.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/provider/start.sh"
. "$top_srcdir/tests/serve/start.sh"
T=${KEEP_T:-$(mktemp -d)}
HOST_PIDS=
SHORT_PID=
cleanup() {
	serve_stop
	lkp_stop
	for p in $HOST_PIDS $SHORT_PID; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	[ -n "${KEEP_T:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

# playwright-core: the source tree's install, else `npm ci` in the build
# tree from the recorded package-lock.json.
NM="$top_srcdir/tests/browser/node_modules"
if [ ! -d "$NM/playwright-core" ]; then
	mkdir -p "$top_builddir/tests/browser"
	cp "$top_srcdir/tests/browser/package.json" \
		"$top_srcdir/tests/browser/package-lock.json" "$top_builddir/tests/browser/"
	(cd "$top_builddir/tests/browser" && npm ci --no-audit --no-fund >/dev/null 2>&1)
	NM="$top_builddir/tests/browser/node_modules"
fi
check "playwright-core is installed" [ -d "$NM/playwright-core" ]
check "chromium is installed" [ -x "${CHROMIUM:-/usr/bin/chromium}" ]

host_start() { # host_start NAME: a host server; sets HOST_PORT
	rm -f "$T/$1.port"
	node "$top_srcdir/tests/browser/host_server.mjs" "$T/$1.port" \
		"http://127.0.0.1:$SERVE_PORT_WANTED" "$T/keys/k1" 300 >"$T/$1.log" 2>&1 &
	HOST_PIDS="$HOST_PIDS $!"
	i=0
	while [ ! -s "$T/$1.port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	HOST_PORT=$(cat "$T/$1.port" 2>/dev/null)
}

lkp_start "$T" 300 || exit 1
B=$LKP_BASE
# The host origin goes into serve.origins, so the hosts start first; they
# reach serve on a port chosen now and passed to serve with --port.
SERVE_PORT_WANTED=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
mkdir -p "$T/keys"
host_start host; HOST_BASE="http://127.0.0.1:$HOST_PORT"
host_start third; THIRD_BASE="http://127.0.0.1:$HOST_PORT"
HOST_ORIGIN=$HOST_BASE
. "$top_srcdir/tests/serve/setup.sh"
serve_start "$T" --port "$SERVE_PORT_WANTED" || exit 1
# A second server whose links live 10 s, for the expired link.
sed 's/link_ttl = 600;/link_ttl = 10;/' "$T/latchkey.conf" > "$T/short.conf"
rm -f "$T/short.port"
LATCHKEY_CONFIG="$T/short.conf" $SERVE_BIN serve --port 0 --port-file "$T/short.port" \
	--lifetime 300 >"$T/short.log" 2>&1 &
SHORT_PID=$!
i=0
while [ ! -s "$T/short.port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done

SHOTS="$top_builddir/tests/browser/shots"
mkdir -p "$SHOTS"
LK_NODE_MODULES="$NM" SERVE_BASE="$SERVE_BASE" SERVICE_KEY="$KEY1" \
	LKP_BASE="$B" HOST_BASE="$HOST_BASE" THIRD_BASE="$THIRD_BASE" \
	SHORT_SERVE_BASE="http://127.0.0.1:$(cat "$T/short.port")" \
	SHOT_DIR="$SHOTS" timeout 180 node "$top_srcdir/tests/browser/connect_popup.mjs" \
	>"$T/node.out" 2>&1
rc=$?
grep -v '^BROWSER ' "$T/node.out"
n_ok=$(grep -c '^ok - ' "$T/node.out")
n_bad=$(grep -c '^not ok - ' "$T/node.out")
lk_pass=$((lk_pass + n_ok))
lk_fail=$((lk_fail + n_bad))
check "the browser test ran to its end (exit $rc)" grep -q "^BROWSER pass=$n_ok fail=$n_bad\$" "$T/node.out"
check "log: no password, key or link token" sh -c "! grep -e wonderland -e not-the-password -e key-123 -e 't=' '$T/serve.log'"
lk_done
