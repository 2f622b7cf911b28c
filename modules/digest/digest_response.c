/* SPDX-License-Identifier: MIT */
/* digest.so: compute the Digest response value (RFC 7616 section 3.4.1-
 * 3.4.4; RFC 2617 section 3.2.2; RFC 2069 when no qop is offered). Every
 * hash goes through EVP; parts are fed one by one, nothing is joined. */
#include <string.h>

#include <openssl/crypto.h>

#include "digest_response.h"

static void to_hex(char *out, const unsigned char *h, unsigned len)
{
	static const char hex[] = "0123456789abcdef";
	for (unsigned i = 0; i < len; i++) {
		out[2 * i] = hex[h[i] >> 4];
		out[2 * i + 1] = hex[h[i] & 15];
	}
	out[2 * len] = '\0';
}

static lk_status hash_parts(char *out, EVP_MD_CTX *mdctx, const EVP_MD *md,
			    const char *const *parts, size_t nparts,
			    const void *tail, size_t tail_len, bool has_tail,
			    bool secret)
{
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned hlen = 0;
	EVP_MD_CTX *own = NULL;
	lk_status rc = LK_ENOMEM;

	if (!mdctx) {
		own = EVP_MD_CTX_new();
		mdctx = own;
		if (!mdctx)
			return LK_ENOMEM;
	}
	if (!EVP_DigestInit_ex(mdctx, md, NULL))
		goto out;
	for (size_t i = 0; i < nparts; i++) {
		if (i && !EVP_DigestUpdate(mdctx, ":", 1))
			goto out;
		if (!EVP_DigestUpdate(mdctx, parts[i], strlen(parts[i])))
			goto out;
	}
	if (has_tail && tail_len && !EVP_DigestUpdate(mdctx, tail, tail_len))
		goto out;
	if (!EVP_DigestFinal_ex(mdctx, h, &hlen) || hlen > 32)
		goto out;
	to_hex(out, h, hlen);
	rc = LK_OK;
out:
	if (secret)
		OPENSSL_cleanse(h, sizeof h); /* H(A1): password-equivalent */
	EVP_MD_CTX_free(own);
	return rc;
}

lk_status digest_response_hash(char *out, EVP_MD_CTX *mdctx, const EVP_MD *md,
			       const char *const *parts, size_t nparts)
{
	return hash_parts(out, mdctx, md, parts, nparts, NULL, 0, false, false);
}

lk_status digest_response_userhash(char *out, EVP_MD_CTX *mdctx,
				   const EVP_MD *md, const char *username,
				   const char *realm)
{
	const char *parts[] = {username, realm};
	return digest_response_hash(out, mdctx, md, parts, 2);
}

lk_status digest_response_compute(char *out, EVP_MD_CTX *mdctx,
				  const struct digest_input *in)
{
	char ha1[DIGEST_HEX_MAX], ha2[DIGEST_HEX_MAX], nc[9],
	    hbody[DIGEST_HEX_MAX];
	lk_status rc;

	/* A1 = username ":" realm ":" passwd (section 3.4.2) */
	const char *a1[] = {in->username, in->realm, in->password};
	rc = hash_parts(ha1, mdctx, in->md, a1, 3, NULL, 0, false, true);
	if (rc == LK_OK && in->sess) {
		/* -sess: A1 = H(user:realm:pass) ":" nonce ":" cnonce */
		const char *s1[] = {ha1, in->nonce, in->cnonce};
		rc =
		    hash_parts(ha1, mdctx, in->md, s1, 3, NULL, 0, false, true);
	}
	if (rc != LK_OK)
		goto out;
	if (in->qop == DIGEST_QOP_AUTH_INT) {
		/* A2 = Method ":" request-uri ":" H(entity-body), 3.4.3 */
		rc = hash_parts(hbody, mdctx, in->md, NULL, 0, in->body,
				in->body_len, true, false);
		const char *a2[] = {in->method, in->uri, hbody};
		if (rc == LK_OK)
			rc = digest_response_hash(ha2, mdctx, in->md, a2, 3);
	} else {
		const char *a2[] = {in->method, in->uri};
		rc = digest_response_hash(ha2, mdctx, in->md, a2, 2);
	}
	if (rc != LK_OK)
		goto out;
	if (in->qop == DIGEST_QOP_NONE) {
		/* RFC 2069 section 2.1.2: H(H(A1) ":" nonce ":" H(A2)) */
		const char *r[] = {ha1, in->nonce, ha2};
		rc = digest_response_hash(out, mdctx, in->md, r, 3);
		goto out;
	}
	/* nc is 8 hex digits (section 3.4) */
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < 8; i++)
		nc[i] = hex[(in->nc >> (28 - 4 * i)) & 15];
	nc[8] = '\0';
	const char *r[] = {ha1,
			   in->nonce,
			   nc,
			   in->cnonce,
			   in->qop == DIGEST_QOP_AUTH ? "auth" : "auth-int",
			   ha2};
	rc = digest_response_hash(out, mdctx, in->md, r, 6);
out:
	OPENSSL_cleanse(ha1, sizeof ha1);
	return rc;
}
