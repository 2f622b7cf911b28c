#!/bin/sh
# exports.sh: oauth1.so exports latchkey_module and nothing else of its
# own (STYLE.md B11; modules/module.map), and links no libcurl (a module
# sends HTTP only through the core).
. "$top_srcdir/tests/lib.sh"
SO="$top_builddir/modules/oauth1/.libs/oauth1.so"
check "oauth1.so is built" test -f "$SO"
syms=$(nm -D --defined-only "$SO" | awk '{print $3}' | sort | tr '\n' ' ')
check "only latchkey_module is exported (got: $syms)" test "$syms" = "latchkey_module "
check "oauth1.so does not link libcurl" sh -c "! objdump -p '$SO' | grep -q 'NEEDED.*libcurl'"
check "oauth1.so links liblatchkey" sh -c "objdump -p '$SO' | grep -q 'NEEDED.*liblatchkey'"
lk_done
