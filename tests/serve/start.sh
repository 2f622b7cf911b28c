# tests/serve/start.sh: start and stop `latchkey serve` from a test.
# Source it after tests/lib.sh; needs $top_builddir and LATCHKEY_CONFIG.
#   serve_start DIR [OPTION]...  start it on a free port, its port file
#                                and log in DIR; sets SERVE_PID,
#                                SERVE_PORT, SERVE_BASE; returns 1 when
#                                no port appears within 5 s
#   serve_stop                   SIGTERM the one started (by its PID)
# SERVE_BIN is the command before "serve".
SERVE_BIN=${SERVE_BIN:-$top_builddir/tools/latchkey}
SERVE_SCHEME=${SERVE_SCHEME:-http}

serve_start() {
	local dir=$1 i=0
	shift
	rm -f "$dir/serve.port"
	$SERVE_BIN serve --port 0 --port-file "$dir/serve.port" \
		--lifetime 300 "$@" >>"$dir/serve.log" 2>&1 &
	SERVE_PID=$!
	while [ ! -s "$dir/serve.port" ] && [ $i -lt 100 ]; do
		kill -0 "$SERVE_PID" 2>/dev/null || break
		sleep 0.05
		i=$((i + 1))
	done
	if [ ! -s "$dir/serve.port" ]; then
		echo "serve_start: latchkey serve did not start:" >&2
		tail -5 "$dir/serve.log" >&2
		serve_stop
		return 1
	fi
	SERVE_PORT=$(cat "$dir/serve.port")
	SERVE_BASE="$SERVE_SCHEME://127.0.0.1:$SERVE_PORT"
}

serve_stop() {
	if [ -n "${SERVE_PID:-}" ]; then
		kill "$SERVE_PID" 2>/dev/null
		wait "$SERVE_PID" 2>/dev/null
		SERVE_RC=$?
		SERVE_PID=
	fi
	return 0
}
