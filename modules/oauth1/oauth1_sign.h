/* SPDX-License-Identifier: MIT */
/* Sign a request from its raw parts (RFC 5849 section 3): the protocol
 * parameters (3.1), the base string (3.4.1) and the signature (3.4).
 * Pure: randomness and time come from lk_random_bytes / lk_now unless
 * given. */
#ifndef OAUTH1_SIGN_H
#define OAUTH1_SIGN_H
#include "oauth1_base.h"
#include "oauth1_signature.h"

/* Who signs. */
struct oauth1_keys {
	enum oauth1_method method;
	const char *consumer_key;
	struct oauth1_secrets secrets;
	const char *token; /* NULL: no oauth_token (temporary credentials) */
};

/* Protocol parameters beyond the keys. */
struct oauth1_options {
	const char *nonce;     /* NULL: 128 random bits, hex */
	const char *timestamp; /* NULL: lk_now() */
	const char *callback;  /* oauth_callback (section 2.1), or NULL */
	const char *verifier;  /* oauth_verifier (section 2.3), or NULL */
	bool version;	       /* send oauth_version=1.0 */
	bool body_hash;	       /* oauth_body_hash on a request whose body is
				  not form-encoded */
	bool keep_base;	       /* keep the base string in the result */
};

#define OAUTH1_MAX_PROTOCOL 10

/* The protocol parameters to send, oauth_signature last; names are
 * static, values point into this struct or the inputs (keep those
 * alive). */
struct oauth1_signed {
	struct oauth1_pair params[OAUTH1_MAX_PROTOCOL];
	size_t count;
	char nonce[40];
	char timestamp[24];
	char body_hash[48];
	struct oauth1_buf signature; /* PLAINTEXT: holds the secrets */
	char signature_store[128];
	struct oauth1_buf base; /* when keep_base */
};

/* Sign. @p signer may be NULL. On failure *why (static text, no secret)
 * says what is wrong, for an LK_EINVAL. Clear @p out afterwards in
 * every case. */
lk_status oauth1_sign(struct oauth1_signed *out, struct oauth1_signer *signer,
		      const struct oauth1_keys *keys,
		      const struct oauth1_message *msg,
		      const struct oauth1_options *opt, const char **why);

/* Wipe and free what oauth1_sign put in @p s. */
void oauth1_signed_clear(struct oauth1_signed *s);

/* The value of parameter @p name in @p s, or NULL. */
const char *oauth1_signed_get(const struct oauth1_signed *s, const char *name);
#endif
