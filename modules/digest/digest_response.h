/* SPDX-License-Identifier: MIT */
/* digest.so: the response value of RFC 7616 section 3.4.1 (and RFC 2069's
 * form), hashed only through OpenSSL's EVP. Pure: known-answer tested. */
#ifndef DIGEST_RESPONSE_H
#define DIGEST_RESPONSE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include <latchkey/module.h>

/* Lower-case hex of the longest hash (32 bytes), NUL-terminated. */
#define DIGEST_HEX_MAX (2 * 32 + 1)

enum digest_qop {
	DIGEST_QOP_NONE = 0, /* RFC 2069: no nc, no cnonce */
	DIGEST_QOP_AUTH = 1,
	DIGEST_QOP_AUTH_INT = 2,
};

/* Everything one response depends on; borrowed. */
struct digest_input {
	const EVP_MD *md; /* MD5, SHA2-256 or SHA512-256 */
	bool sess;	  /* the -sess variant (RFC 7616 section 3.4.2) */
	enum digest_qop qop;
	const char *username; /* the real name, even with userhash */
	const char *password;
	const char *realm;
	const char *nonce;
	const char *cnonce; /* unused with DIGEST_QOP_NONE */
	uint32_t nc;
	const char *method;
	const char *uri;
	const void *body; /* auth-int: the entity body (may be NULL) */
	size_t body_len;
};

/**
 * H(part0 ":" part1 ":" ...) in lower-case hex.
 * @param[out] out    DIGEST_HEX_MAX bytes
 * @param[in]  mdctx  a context to reuse, or NULL (one is made)
 * @return LK_OK, LK_ENOMEM (OpenSSL failed).
 */
lk_status digest_response_hash(char *out, EVP_MD_CTX *mdctx, const EVP_MD *md,
			       const char *const *parts, size_t nparts);

/**
 * The `response` value (RFC 7616 section 3.4.1), with the -sess A1 of
 * section 3.4.2 and the auth-int A2 of section 3.4.3.
 * @param[out] out DIGEST_HEX_MAX bytes
 * @return LK_OK, LK_ENOMEM. Intermediate values are wiped.
 */
lk_status digest_response_compute(char *out, EVP_MD_CTX *mdctx,
				  const struct digest_input *in);

/** The hashed username of RFC 7616 section 3.4.4: H(username ":" realm). */
lk_status digest_response_userhash(char *out, EVP_MD_CTX *mdctx,
				   const EVP_MD *md, const char *username,
				   const char *realm);

#endif
