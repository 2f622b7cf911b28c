/* SPDX-License-Identifier: MIT */
/* bench_serve.c: `make bench` runs programs; this one runs
 * tests/bench/bench_serve.sh (wrk against latchkey serve) from the
 * source tree, with top_srcdir set as `make check` sets it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef LK_TOP_SRCDIR
#define LK_TOP_SRCDIR "."
#endif

int main(void)
{
	static const char script[] =
	    LK_TOP_SRCDIR "/tests/bench/bench_serve.sh";

	if (!getenv("top_srcdir") && setenv("top_srcdir", LK_TOP_SRCDIR, 1))
		return 2;
	if (!getenv("top_builddir") && setenv("top_builddir", ".", 1))
		return 2;
	execl("/bin/sh", "sh", script, (char *)NULL);
	perror("bench_serve: /bin/sh");
	return 2;
}
