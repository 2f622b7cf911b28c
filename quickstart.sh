#!/bin/sh
# latchkey quick start.
#   ./quickstart.sh         install what is missing, build, run the demo
#   ./quickstart.sh check   build plainly and with ASan/UBSan, run every
#                           test in both, then make distcheck
set -eu
cd "$(dirname "$0")"
top=$(pwd)

# Debian packages: build, libraries, and what the tests drive.
PKGS="build-essential autoconf automake libtool libltdl-dev pkg-config
libcurl4-openssl-dev libssl-dev libcjson-dev libxml2-dev libconfig-dev
libcunit1-dev libmicrohttpd-dev curl python3 tmux lighttpd binutils
python3-oauthlib python3-jwt python3-cryptography openssl chromium wrk"

install_deps() {
	missing=""
	for p in $PKGS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q "install ok installed" || missing="$missing $p"
	done
	# Node.js (>= 20, for the OAuth 2.0 interop server) may come from
	# elsewhere than Debian (its npm then conflicts with Debian's):
	# Debian's packages only when there is no node at all.
	command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 ||
		missing="$missing nodejs npm"
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "latchkey needs these Debian packages; run as root:" >&2
		echo "  apt-get update && apt-get install -y$missing" >&2
		exit 2
	fi
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
}

jobs=$(nproc 2>/dev/null || echo 2)

build() { # build DIR [configure options...]
	dir=$1
	shift
	[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi)
	mkdir -p "$dir"
	(cd "$dir" && { [ -f Makefile ] || "$top/configure" --enable-werror "$@"; } &&
		make -j"$jobs")
}

demo() {
	b="$top/build/plain"
	work=$(mktemp -d)
	trap 'kill "$ppid" 2>/dev/null; wait "$ppid" 2>/dev/null; rm -rf "$work"' EXIT
	"$b/tests/provider/lk-provider" --port-file "$work/port" --lifetime 120 >/dev/null &
	ppid=$!
	i=0
	while [ ! -s "$work/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	port=$(cat "$work/port")
	base="http://127.0.0.1:$port"
	mkdir -p "$work/apps.d"
	cat >"$work/latchkey.conf" <<CONF
module_path = "$b/tests/moddir";
apps_dir = "apps.d";
store = { path = "$work/store"; key_file = "$work/master.key"; };
http = { timeout = 5; };
CONF
	cat >"$work/apps.d/demo_basic.conf" <<CONF
app = { id = "demo_basic"; title = "Demo Basic"; scheme = "basic";
  base_urls = [ "$base/basic/" ]; allow_http = true;
  test = { method = "GET"; url = "$base/basic/user"; };
  label = "{{login}}"; };
CONF
	cat >"$work/apps.d/demo_apikey.conf" <<CONF
app = { id = "demo_apikey"; title = "Demo API key"; scheme = "apikey";
  fields = ( { key = "api_key"; label = "API key"; secret = true; } );
  apikey = { headers = [ "X-Api-Key: {{api_key}}" ]; };
  base_urls = [ "$base/apikey/" ]; allow_http = true;
  test = { method = "GET"; url = "$base/apikey/me"; };
  label = "{{account.name}}"; };
CONF
	lk() { echo "\$ latchkey $*" >&2; "$b/tools/latchkey" -c "$work/latchkey.conf" "$@"; }
	echo "== latchkey demo against the provider emulator on 127.0.0.1:$port"
	lk apps
	lk connect demo_basic -f username=alice -f password=wonderland
	lk connect demo_basic -f username=alice -f password=wonderland
	lk connect demo_apikey -f api_key=key-123
	lk connections
	id=$(lk --json connections demo_apikey | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
	lk test "$id"
	lk call "$id" GET "$base/apikey/items"
	echo
	echo "== demo done; the provider emulator is stopped"
}

case "${1:-demo}" in
demo)
	install_deps
	build "$top/build/plain"
	demo
	;;
check)
	# A failed install still ends with the count: what is missing then
	# fails as tests.
	install_deps || echo "quickstart: installing packages failed; going on" >&2
	# Every step runs even when an earlier one failed, so that the
	# summary line always counts what ran; a build that fails counts
	# as one failed test.
	status=0
	build_fail=0
	if build "$top/build/plain"; then
		(cd "$top/build/plain" && make -j"$jobs" check) || status=1
	else
		status=1
		build_fail=$((build_fail + 1))
	fi
	if build "$top/build/asan" --enable-sanitizers; then
		(cd "$top/build/asan" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
			UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 make -j"$jobs" check) || status=1
	else
		status=1
		build_fail=$((build_fail + 1))
	fi
	distcheck=pass
	(cd "$top/build/plain" && make -j"$jobs" distcheck) || { distcheck=fail; status=1; }
	LK_BUILD_FAILURES=$build_fail sh "$top/tests/count.sh" "$distcheck" "$top/build/plain" "$top/build/asan"
	exit $status
	;;
*)
	echo "usage: $0 [check]" >&2
	exit 2
	;;
esac
