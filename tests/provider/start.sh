# tests/provider/start.sh: start and stop lk-provider from a shell test.
# Source it after tests/lib.sh; needs $top_builddir.
#   lkp_start DIR [LIFETIME]   start it in the background, its port file in
#                              DIR; sets LKP_PID, LKP_PORT, LKP_BASE; fails
#                              (returns 1) when no port appears within 5 s
#   lkp_stop                   stop the one started (by its PID only)
LKP_BIN=${LKP_BIN:-$top_builddir/tests/provider/lk-provider}

lkp_start() {
	local dir=$1 lifetime=${2:-120} i=0
	rm -f "$dir/lkp.port"
	"$LKP_BIN" --port-file "$dir/lkp.port" --lifetime "$lifetime" \
		>"$dir/lkp.log" 2>&1 &
	LKP_PID=$!
	# The port file is written with a rename: present means complete.
	while [ ! -s "$dir/lkp.port" ] && [ $i -lt 100 ]; do
		kill -0 "$LKP_PID" 2>/dev/null || break
		sleep 0.05
		i=$((i + 1))
	done
	if [ ! -s "$dir/lkp.port" ]; then
		echo "lkp_start: lk-provider did not start:" >&2
		cat "$dir/lkp.log" >&2
		lkp_stop
		return 1
	fi
	LKP_PORT=$(cat "$dir/lkp.port")
	LKP_BASE="http://127.0.0.1:$LKP_PORT"
}

lkp_stop() {
	if [ -n "${LKP_PID:-}" ]; then
		kill "$LKP_PID" 2>/dev/null
		wait "$LKP_PID" 2>/dev/null
		LKP_PID=
	fi
	return 0
}
