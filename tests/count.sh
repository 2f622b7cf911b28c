#!/bin/sh
# Sum every test's "LK-COUNT pass=N fail=N" line over the build folders
# given, plus distcheck as one test, into one "N passed, N failed" line.
# A test that failed without printing its count counts as one failure.
distcheck=$1
shift
pass=0
fail=${LK_BUILD_FAILURES:-0}
for dir in "$@"; do
	for trs in $(find "$dir" -name '*.trs' 2>/dev/null); do
		log=${trs%.trs}.log
		line=$(grep -a '^LK-COUNT pass=' "$log" 2>/dev/null | tail -n 1)
		result=$(sed -n 's/^:test-result: //p' "$trs" | head -n 1)
		if [ -n "$line" ]; then
			p=$(echo "$line" | sed 's/.*pass=\([0-9]*\).*/\1/')
			f=$(echo "$line" | sed 's/.*fail=\([0-9]*\).*/\1/')
			pass=$((pass + p))
			fail=$((fail + f))
			if [ "$result" != PASS ] && [ "$f" -eq 0 ]; then
				fail=$((fail + 1))
			fi
		elif [ "$result" = PASS ]; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
		fi
	done
done
if [ "$distcheck" = pass ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
echo "$pass passed, $fail failed"
