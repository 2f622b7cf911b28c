#!/bin/sh
# STYLE.md B9: these calls are banned from the sources.
. "$top_srcdir/tests/lib.sh"
for f in strcpy strcat sprintf vsprintf strtok atoi atol gets rand system popen; do
	hits=$(grep -rnE "(^|[^a-z_>.])$f[[:space:]]*\(" "$top_srcdir/core" "$top_srcdir/modules" "$top_srcdir/tools" --include='*.c' --include='*.h' || true)
	if [ -n "$hits" ]; then not_ok "no $f() in the sources"; echo "$hits"; else ok "no $f() in the sources"; fi
done
lk_done
