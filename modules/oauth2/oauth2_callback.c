/* SPDX-License-Identifier: MIT */
/* One parameter of a redirect's query (RFC 6749 section 4.1.2). The core
 * offers modules no URL parser (libcurl stays in the core), so this
 * small decoder lives here, checked by tests and the fuzz corpus. */
#include <string.h>

#include "oauth2_callback.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode @p len bytes of a form component into a new string. */
static lk_status decode(char **out, const char *s, size_t len)
{
	char *d = lk_malloc(len + 1);
	size_t o = 0;

	*out = NULL;
	if (!d)
		return LK_ENOMEM;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '+') {
			d[o++] = ' ';
			continue;
		}
		if (s[i] != '%') {
			d[o++] = s[i];
			continue;
		}
		/* "%XX" needs two hex digits; %00 would cut the value. */
		int hi = i + 2 < len ? hexval(s[i + 1]) : -1;
		int lo = i + 2 < len ? hexval(s[i + 2]) : -1;
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
			d[o] = '\0';
			lk_str_wipe_free(d);
			return LK_EINVAL;
		}
		d[o++] = (char)(hi * 16 + lo);
		i += 2;
	}
	d[o] = '\0';
	*out = d;
	return LK_OK;
}

lk_status oauth2_callback_param(char **out, const char *url, const char *name)
{
	const char *q = url ? strchr(url, '?') : NULL;
	const char *end;
	size_t nlen = name ? strlen(name) : 0;

	*out = NULL;
	if (!q || !nlen)
		return LK_OK;
	q++;
	end = q + strcspn(q, "#");
	while (q < end) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		const char *stop = amp ? amp : end;
		const char *eq = memchr(q, '=', (size_t)(stop - q));
		const char *kend = eq ? eq : stop;
		char *key = NULL;
		lk_status rc = decode(&key, q, (size_t)(kend - q));
		if (rc != LK_OK)
			return rc;
		bool match = strcmp(key, name) == 0;
		lk_free(key);
		if (match)
			return decode(out, eq ? eq + 1 : stop,
				      eq ? (size_t)(stop - eq - 1) : 0);
		q = amp ? amp + 1 : end;
	}
	return LK_OK;
}
