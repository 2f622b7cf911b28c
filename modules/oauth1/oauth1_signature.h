/* SPDX-License-Identifier: MIT */
/* The signature methods of RFC 5849 section 3.4 (HMAC-SHA1 3.4.2,
 * RSA-SHA1 3.4.3, PLAINTEXT 3.4.4) and HMAC-SHA256, over a base string,
 * and the oauth_body_hash extension. Pure; OpenSSL 3 EVP only. */
#ifndef OAUTH1_SIGNATURE_H
#define OAUTH1_SIGNATURE_H
#include <openssl/evp.h>

#include "oauth1_buf.h"

enum oauth1_method {
	OAUTH1_HMAC_SHA1 = 0,
	OAUTH1_HMAC_SHA256,
	OAUTH1_RSA_SHA1,
	OAUTH1_PLAINTEXT,
};

/* "HMAC-SHA1" ... as sent in oauth_signature_method. */
const char *oauth1_method_name(enum oauth1_method m);
/* Parse a method name (exact, upper case). @return false if unknown. */
bool oauth1_method_parse(enum oauth1_method *out, const char *name);

/* The secrets a signature uses. */
struct oauth1_secrets {
	const char *consumer_secret; /* HMAC, PLAINTEXT; NULL is "" */
	const char *token_secret;    /* NULL is "" (no token yet) */
	EVP_PKEY *rsa_key;	     /* RSA-SHA1: the private key */
};

/* Reusable HMAC state: the fetched MAC and a context keyed once, reset
 * (cheaply) for each signature while the key stays the same. Use from one
 * thread at a time. Zero it before first use. */
struct oauth1_signer {
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx;
	enum oauth1_method keyed_method;
	struct oauth1_buf key; /* the key the context holds (wiped) */
	bool keyed;
};
void oauth1_signer_clear(struct oauth1_signer *s);

/* Compute oauth_signature (base64, or for PLAINTEXT the key itself)
 * of @p base (@p len bytes) into @p out (wiped and freed by the caller
 * with oauth1_buf_wipe). PLAINTEXT ignores @p base. @p s may be NULL
 * (a one-off signer is used).
 * @return LK_OK, LK_EINVAL (*why: e.g. no RSA key), LK_ENOMEM. */
lk_status oauth1_signature(struct oauth1_buf *out, struct oauth1_signer *s,
			   enum oauth1_method m,
			   const struct oauth1_secrets *sec, const char *base,
			   size_t len, const char **why);

/* oauth_body_hash: base64 of the body's SHA-256 for HMAC-SHA256, of its
 * SHA-1 otherwise. @p out holds at least 45 bytes. */
lk_status oauth1_body_hash(char *out, size_t outlen, enum oauth1_method m,
			   const void *body, size_t len);

/* Load a PEM private key (PKCS#8 or PKCS#1, RSA only) from memory.
 * @return LK_OK, LK_EINVAL (*why) or LK_ENOMEM. */
lk_status oauth1_rsa_key_load(EVP_PKEY **out, const char *pem,
			      const char **why);
#endif
