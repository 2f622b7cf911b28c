/* SPDX-License-Identifier: MIT */
/* cli_prompt.c: ask for a connect field on the terminal; secrets without echo.
 */
#include <stdio.h>
#include <string.h>
#include <termios.h>

#include "cli.h"

char *cli_prompt(const char *label, bool secret)
{
	FILE *tty = fopen("/dev/tty", "r+");
	struct termios old, raw;
	bool restore = false;
	char buf[4096];
	char *out = NULL;

	if (!tty)
		return NULL;
	/* Echo goes off before the prompt shows: keys typed as soon as it
	 * appears must not echo. */
	if (secret && tcgetattr(fileno(tty), &old) == 0) {
		raw = old;
		raw.c_lflag &= ~(tcflag_t)ECHO;
		restore = tcsetattr(fileno(tty), TCSAFLUSH, &raw) == 0;
	}
	fprintf(tty, "%s: ", label);
	fflush(tty);
	if (fgets(buf, sizeof(buf), tty)) {
		buf[strcspn(buf, "\r\n")] = '\0';
		out = lk_strdup(buf);
	}
	if (restore) {
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
		fputc('\n', tty);
	}
	/* The buffer may hold a secret. */
	memset(buf, 0, sizeof(buf));
	__asm__ __volatile__("" : : "r"(buf) : "memory");
	fclose(tty);
	return out;
}
