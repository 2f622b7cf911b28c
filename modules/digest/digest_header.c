/* SPDX-License-Identifier: MIT */
/* digest.so: write the Authorization header value (RFC 7616 section 3.4;
 * quoted-string escaping of RFC 7230 section 3.2.6; username* of RFC 8187
 * section 3.2.1 as RFC 7616 section 3.4.4 asks). */
#include <string.h>

#include "digest_header.h"

struct out {
	char *p;
	size_t len, cap;
};

static void put(struct out *o, const char *s, size_t n)
{
	/* the capacity is computed up front: never exceeded */
	if (o->len + n < o->cap) {
		memcpy(o->p + o->len, s, n);
		o->len += n;
	}
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void put_quoted(struct out *o, const char *name, const char *value)
{
	if (o->len > 7) /* after "Digest ": a separator */
		puts_(o, ", ");
	puts_(o, name);
	puts_(o, "=\"");
	/* copy runs between the characters that need a backslash */
	for (const char *s = value; *s;) {
		size_t run = strcspn(s, "\"\\");
		put(o, s, run);
		s += run;
		if (*s) {
			char esc[2] = {'\\', *s++};
			put(o, esc, 2);
		}
	}
	put(o, "\"", 1);
}

static void put_plain(struct out *o, const char *name, const char *value)
{
	puts_(o, ", ");
	puts_(o, name);
	put(o, "=", 1);
	puts_(o, value);
}

/* Printable ASCII only: a quoted-string can carry it. */
static bool is_plain_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

/* RFC 8187 section 3.2.1 attr-char */
static bool is_attr_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("!#$&+-.^_`|~", c));
}

static void put_ext_value(struct out *o, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";

	puts_(o, "username*=UTF-8''");
	for (const unsigned char *s = (const unsigned char *)value; *s; s++) {
		if (is_attr_char(*s)) {
			put(o, (const char *)s, 1);
		} else {
			char pct[3] = {'%', hex[*s >> 4], hex[*s & 15]};
			put(o, pct, 3);
		}
	}
}

lk_status digest_header_format(char **out, char *buf, size_t buflen,
			       const struct digest_header *h)
{
	static const char hex[] = "0123456789abcdef";
	struct out o = {NULL, 0, 0};
	char nc[9];

	*out = NULL;
	/* worst case: every byte escaped (x2) or percent-encoded (x3) */
	o.cap = 3 * strlen(h->username) + 2 * strlen(h->realm) +
		2 * strlen(h->uri) + 2 * strlen(h->nonce) +
		(h->cnonce ? 2 * strlen(h->cnonce) : 0) + strlen(h->response) +
		(h->opaque ? 2 * strlen(h->opaque) : 0) + strlen(h->algorithm) +
		200;
	/* the caller's buffer when it is large enough: no allocation */
	o.p = o.cap <= buflen ? buf : lk_malloc(o.cap);
	if (!o.p)
		return LK_ENOMEM;
	puts_(&o, "Digest ");
	if (h->userhash || is_plain_ascii(h->username)) {
		put_quoted(&o, "username", h->username);
	} else {
		put_ext_value(&o, h->username);
	}
	put_quoted(&o, "realm", h->realm);
	put_quoted(&o, "uri", h->uri);
	put_plain(&o, "algorithm", h->algorithm);
	put_quoted(&o, "nonce", h->nonce);
	if (h->qop != DIGEST_QOP_NONE) {
		for (int i = 0; i < 8; i++)
			nc[i] = hex[(h->nc >> (28 - 4 * i)) & 15];
		nc[8] = '\0';
		put_plain(&o, "nc", nc);
		put_quoted(&o, "cnonce", h->cnonce);
		put_plain(&o, "qop",
			  h->qop == DIGEST_QOP_AUTH ? "auth" : "auth-int");
	}
	put_quoted(&o, "response", h->response);
	if (h->opaque)
		put_quoted(&o, "opaque", h->opaque);
	if (h->userhash)
		put_plain(&o, "userhash", "true");
	o.p[o.len] = '\0';
	*out = o.p;
	return LK_OK;
}
