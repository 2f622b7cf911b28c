# Shared by the shell tests: counting, assertions, temp dirs, and the
# provider emulator started and stopped by PID. Every test ends with
# one "LK-COUNT pass=N fail=N" line that .ci/run sums.
lk_pass=0
lk_fail=0
ok() { lk_pass=$((lk_pass + 1)); echo "ok - $*"; }
not_ok() { lk_fail=$((lk_fail + 1)); echo "not ok - $*"; }
check() { # check "description" command...
	local d=$1; shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
lk_done() {
	echo "LK-COUNT pass=$lk_pass fail=$lk_fail"
	[ "$lk_fail" -eq 0 ]
	exit $?
}
