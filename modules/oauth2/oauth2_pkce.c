/* SPDX-License-Identifier: MIT */
/* PKCE S256 (RFC 7636 section 4) and random state values, on OpenSSL. */
#include <string.h>

#include <openssl/evp.h>

#include "oauth2_pkce.h"

void oauth2_pkce_b64url(char *out, const unsigned char *in, size_t len)
{
	int n = EVP_EncodeBlock((unsigned char *)out, in, (int)len);

	/* RFC 7636 appendix A: base64url, no padding. */
	while (n > 0 && out[n - 1] == '=')
		n--;
	for (int i = 0; i < n; i++)
		out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	out[n] = '\0';
}

lk_status oauth2_pkce_random(char out[OAUTH2_RANDOM_LEN + 1])
{
	unsigned char raw[32];
	char b64[45];
	lk_status rc = lk_random_bytes(raw, sizeof raw);

	if (rc != LK_OK)
		return rc;
	oauth2_pkce_b64url(b64, raw, sizeof raw);
	memcpy(out, b64, OAUTH2_RANDOM_LEN + 1);
	OPENSSL_cleanse(raw, sizeof raw);
	OPENSSL_cleanse(b64, sizeof b64);
	return LK_OK;
}

/* RFC 7636 section 4.1: ALPHA / DIGIT / "-" / "." / "_" / "~". */
static bool verifier_ok(const char *v)
{
	size_t n = strlen(v);

	if (n < 43 || n > 128)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = v[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			  (c >= '0' && c <= '9') || c == '-' || c == '.' ||
			  c == '_' || c == '~';
		if (!ok)
			return false;
	}
	return true;
}

lk_status oauth2_pkce_challenge(char out[44], const char *verifier)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	out[0] = '\0';
	if (!verifier || !verifier_ok(verifier))
		return LK_EINVAL;
	if (!EVP_Digest(verifier, strlen(verifier), md, &mdlen, EVP_sha256(),
			NULL) ||
	    mdlen != 32)
		return LK_ENOMEM;
	oauth2_pkce_b64url(out, md, mdlen);
	return LK_OK;
}
