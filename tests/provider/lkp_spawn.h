/* SPDX-License-Identifier: MIT */
/* Starting and stopping lk-provider from a C test (tests/provider/
 * start.sh is the shell side): one place for the fork, the log file and
 * the wait on the port file. Needs _XOPEN_SOURCE or _POSIX_C_SOURCE. */
#ifndef LKP_SPAWN_H
#define LKP_SPAWN_H
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* SIGTERM the provider started by lkp_spawn and reap it; *pid = -1. */
static inline void lkp_reap(pid_t *pid)
{
	if (*pid > 0) {
		kill(*pid, SIGTERM);
		waitpid(*pid, NULL, 0);
	}
	*pid = -1;
}

/* Start $top_builddir/tests/provider/lk-provider on a free port of
 * 127.0.0.1, its port file and log in @p dir, stopping by itself after
 * @p lifetime seconds; @p base gets "http://127.0.0.1:PORT". @return its
 * pid, or -1 when it is not up within 5 s (then it is stopped). */
static inline pid_t lkp_spawn(const char *dir, int lifetime, char *base,
			      size_t base_len)
{
	const char *top = getenv("top_builddir");
	char portfile[300], logf[300], life[16], bin[512];
	pid_t pid;

	snprintf(portfile, sizeof portfile, "%s/lkp.port", dir);
	snprintf(logf, sizeof logf, "%s/lkp.log", dir);
	snprintf(life, sizeof life, "%d", lifetime);
	snprintf(bin, sizeof bin, "%s/tests/provider/lk-provider",
		 top && *top ? top : ".");
	unlink(portfile);
	fflush(NULL); /* the child must not write our buffered output */
	pid = fork();
	if (pid == 0) {
		if (!freopen(logf, "w", stdout) || !freopen(logf, "a", stderr))
			_exit(127);
		execl(bin, bin, "--port-file", portfile, "--lifetime", life,
		      (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		return -1;
	/* The port file appears by rename: present means complete. */
	for (int i = 0; i < 100; i++) {
		FILE *f = fopen(portfile, "r");
		unsigned port = 0;
		int got = f ? fscanf(f, "%u", &port) : 0;
		if (f)
			fclose(f);
		if (got == 1 && port) {
			snprintf(base, base_len, "http://127.0.0.1:%u", port);
			return pid;
		}
		struct timespec ts = {0, 50 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	lkp_reap(&pid);
	return -1;
}
#endif
