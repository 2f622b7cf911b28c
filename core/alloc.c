/* SPDX-License-Identifier: MIT */
/* The allocator shared by the core, modules and hosts; secret wiping. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core.h"

void *lk_malloc(size_t n)
{
	return malloc(n ? n : 1);
}

void *lk_calloc(size_t n, size_t size)
{
	return calloc(n ? n : 1, size ? size : 1);
}

char *lk_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

void lk_free(void *p)
{
	free(p);
}

void lk_secret_free(void *p, size_t len)
{
	if (!p)
		return;
	/* OPENSSL_cleanse, not memset: the compiler may drop a memset of
	 * memory about to be freed (why PAM deprecated _pam_overwrite). */
	OPENSSL_cleanse(p, len);
	free(p);
}

void lk_str_wipe_free(char *s)
{
	if (s)
		lk_secret_free(s, strlen(s));
}

char *lk_vstrdupf(const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return NULL;
	char *s = malloc((size_t)n + 1);
	if (s && vsnprintf(s, (size_t)n + 1, fmt, ap) != n) {
		free(s);
		s = NULL;
	}
	return s;
}

char *lk_strdupf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = lk_vstrdupf(fmt, ap);
	va_end(ap);
	return s;
}
