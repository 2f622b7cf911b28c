/* SPDX-License-Identifier: MIT */
/*
 * serve_link.c: connect links. A link is minted for one owner and one
 * app, signed with HMAC-SHA256 under the server's link key, expires
 * after serve.link_ttl seconds and is consumed by its first opening.
 * Token: base64url(payload) "." base64url(HMAC(payload)), where payload
 * is "1\nOWNER\nAPP\nEXPIRES\nNONCE".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "serve_int.h"

#define NONCE_LEN 16
#define MAX_TOKEN 2048

struct serve_used {
	struct serve_used *next;
	char nonce[32];
	int64_t expires;
};

char *serve_b64url(const unsigned char *p, size_t len)
{
	char *out = lk_malloc(4 * ((len + 2) / 3) + 1);
	int n;

	if (!out)
		return NULL;
	n = EVP_EncodeBlock((unsigned char *)out, p, (int)len);
	for (int i = 0; i < n; i++) {
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
	}
	while (n > 0 && out[n - 1] == '=')
		n--;
	out[n] = '\0';
	return out;
}

/* Decode base64url (no padding); NULL when malformed. */
static unsigned char *b64url_decode(const char *s, size_t n, size_t *out_len)
{
	size_t padded = (n + 3) / 4 * 4, pad = padded - n;
	char *t;
	unsigned char *out;
	int len;

	if (n == 0 || pad == 3)
		return NULL;
	t = lk_malloc(padded + 1);
	out = lk_malloc(padded / 4 * 3 + 1);
	if (!t || !out)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if (ch == '-')
			ch = '+';
		else if (ch == '_')
			ch = '/';
		else if (ch == '+' || ch == '/' || ch == '=')
			goto fail;
		t[i] = ch;
	}
	memset(t + n, '=', pad);
	t[padded] = '\0';
	len = EVP_DecodeBlock(out, (unsigned char *)t, (int)padded);
	if (len < 0)
		goto fail;
	lk_free(t);
	t = NULL;
	*out_len = (size_t)len - pad;
	/* Only the canonical spelling: the unused low bits of the last
	 * character would otherwise give one token several spellings. */
	t = serve_b64url(out, *out_len);
	if (!t || strlen(t) != n || memcmp(t, s, n) != 0)
		goto fail;
	lk_free(t);
	return out;
fail:
	lk_free(t);
	lk_free(out);
	return NULL;
}

static bool mac(unsigned char out[32], const struct serve *srv,
		const char *data, size_t n)
{
	unsigned int len = 0;

	return HMAC(EVP_sha256(), srv->link_key, sizeof(srv->link_key),
		    (const unsigned char *)data, n, out, &len) &&
	       len == 32;
}

char *serve_link_mint(struct serve *srv, const char *owner, const char *app)
{
	unsigned char nonce[NONCE_LEN], sig[32];
	char *nonce_s = NULL, *payload = NULL, *p64 = NULL, *s64 = NULL;
	char *link = NULL;

	if (lk_random_bytes(nonce, sizeof(nonce)) != LK_OK)
		return NULL;
	nonce_s = serve_b64url(nonce, sizeof(nonce));
	if (nonce_s)
		payload = serve_strdupf(
		    "1\n%s\n%s\n%lld\n%s", owner, app,
		    (long long)(lk_now() + srv->conf.link_ttl), nonce_s);
	if (payload && mac(sig, srv, payload, strlen(payload))) {
		p64 = serve_b64url((unsigned char *)payload, strlen(payload));
		s64 = serve_b64url(sig, sizeof(sig));
	}
	if (p64 && s64)
		link = serve_strdupf("%s/connect/start?t=%s.%s",
				     srv->conf.public_url, p64, s64);
	lk_free(nonce_s);
	lk_free(payload);
	lk_free(p64);
	lk_free(s64);
	return link;
}

/* Remember a nonce until its link would have expired anyway; false when
 * it was seen already (the link was opened before). */
static bool consume(struct serve *srv, const char *nonce, int64_t expires)
{
	int64_t now = lk_now();
	struct serve_used **pp = &srv->used, *u;
	bool fresh = true;

	pthread_mutex_lock(&srv->lock);
	while ((u = *pp)) {
		if (u->expires < now) {
			*pp = u->next;
			lk_free(u);
			continue;
		}
		if (!strcmp(u->nonce, nonce))
			fresh = false;
		pp = &u->next;
	}
	if (fresh) {
		u = lk_calloc(1, sizeof(*u));
		if (u) {
			snprintf(u->nonce, sizeof(u->nonce), "%s", nonce);
			u->expires = expires;
			u->next = srv->used;
			srv->used = u;
		} else {
			fresh = false;
		}
	}
	pthread_mutex_unlock(&srv->lock);
	return fresh;
}

lk_status serve_link_take(struct serve *srv, const char *token, char **owner,
			  char **app, const char **why)
{
	const char *dot = token ? strchr(token, '.') : NULL;
	unsigned char *payload = NULL, *sig = NULL, want[32];
	size_t plen = 0, slen = 0;
	char *f[5] = {0}, *save = NULL, *end;
	long long expires;
	lk_status rc = LK_EDENIED;

	*owner = *app = NULL;
	*why = "this connect link is not valid";
	if (!dot || strlen(token) > MAX_TOKEN)
		goto out;
	payload = b64url_decode(token, (size_t)(dot - token), &plen);
	sig = b64url_decode(dot + 1, strlen(dot + 1), &slen);
	if (!payload || !sig || slen != 32 || memchr(payload, 0, plen))
		goto out;
	if (!mac(want, srv, (char *)payload, plen) ||
	    CRYPTO_memcmp(want, sig, 32) != 0)
		goto out;
	payload[plen] = '\0';
	/* Signed by us: the layout is ours, but still checked. */
	f[0] = strtok_r((char *)payload, "\n", &save);
	for (int i = 1; i < 5 && f[i - 1]; i++)
		f[i] = strtok_r(NULL, "\n", &save);
	if (!f[4] || strcmp(f[0], "1") != 0)
		goto out;
	expires = strtoll(f[3], &end, 10);
	if (*end || expires < lk_now()) {
		*why = "this connect link has expired: ask the application "
		       "for a new one";
		goto out;
	}
	if (!consume(srv, f[4], expires)) {
		*why = "this connect link was already used: ask the "
		       "application for a new one";
		goto out;
	}
	*owner = lk_strdup(f[1]);
	*app = lk_strdup(f[2]);
	if (!*owner || !*app) {
		lk_free(*owner);
		lk_free(*app);
		*owner = *app = NULL;
		rc = LK_ENOMEM;
		goto out;
	}
	rc = LK_OK;
out:
	lk_free(payload);
	lk_free(sig);
	return rc;
}

void serve_link_free_all(struct serve *srv)
{
	while (srv->used) {
		struct serve_used *u = srv->used;

		srv->used = u->next;
		lk_free(u);
	}
}
