/* SPDX-License-Identifier: MIT */
/* PKCE (RFC 7636) and random URL-safe values for oauth2.so: pure code,
 * no request and no network, so the tests check it against RFC vectors. */
#ifndef OAUTH2_PKCE_H
#define OAUTH2_PKCE_H
#include <stddef.h>

#include <latchkey/module.h>

/* 32 random bytes in base64url without padding: 43 characters. */
#define OAUTH2_RANDOM_LEN 43

/* base64url without padding (RFC 7636 appendix A) of @p len bytes into
 * @p out, which holds 4 * ceil(len / 3) + 1 bytes. */
void oauth2_pkce_b64url(char *out, const unsigned char *in, size_t len);

/* A fresh value of 32 random bytes (code_verifier, state): high-entropy
 * as RFC 7636 section 7.1 asks. @p out holds OAUTH2_RANDOM_LEN + 1. */
lk_status oauth2_pkce_random(char out[OAUTH2_RANDOM_LEN + 1]);

/* code_challenge = BASE64URL(SHA256(ASCII(code_verifier))), RFC 7636
 * section 4.2. @p verifier must be 43 to 128 unreserved characters
 * (section 4.1): otherwise LK_EINVAL. @p out holds 44 bytes. */
lk_status oauth2_pkce_challenge(char out[44], const char *verifier);

#endif
