#!/bin/sh
# Every tests/data/bad-config case through `latchkey -c CASE/latchkey.conf
# check-config`: exit code 2 and the case's expected message on stderr.
. "$top_srcdir/tests/lib.sh"

cases="$top_srcdir/tests/data/bad-config"
moddir="$top_builddir/tests/moddir"
latchkey="$top_builddir/tools/latchkey"
work=$(mktemp -d "${TMPDIR:-/tmp}/lk-badcli.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT

n=0
for src in "$cases"/*/; do
	name=$(basename "$src")
	dst="$work/$name"
	mkdir -p "$dst"
	(cd "$src" && find . -type d) | while read -r d; do
		mkdir -p "$dst/$d"
	done
	(cd "$src" && find . -type f ! -path ./expected ! -path ./modes) |
		while read -r f; do
			sed -e "s|@MODDIR@|$moddir|g" -e "s|@DIR@|$dst|g" \
				"$src/$f" >"$dst/$f"
			chmod 600 "$dst/$f"
		done
	if [ -f "$src/modes" ]; then
		while read -r f m; do chmod "$m" "$dst/$f"; done <"$src/modes"
	fi
	expected=$(sed -e "s|@DIR@|$dst|g" "$src/expected")
	"$latchkey" -c "$dst/latchkey.conf" check-config \
		>"$work/out" 2>"$work/err"
	rc=$?
	check "$name: exit code 2 (got $rc)" [ "$rc" -eq 2 ]
	if grep -qF -- "$expected" "$work/err"; then
		ok "$name: stderr names the problem"
	else
		not_ok "$name: stderr lacks: $expected"
		sed 's/^/#   /' "$work/err"
	fi
	n=$((n + 1))
done
check "at least 24 cases ran ($n)" [ "$n" -ge 24 ]
lk_done
