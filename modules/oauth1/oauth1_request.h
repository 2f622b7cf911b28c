/* SPDX-License-Identifier: MIT */
/* Signing an lk_request with an app's oauth1 settings: the glue between
 * the module's callbacks and the pure signing code. */
#ifndef OAUTH1_REQUEST_H
#define OAUTH1_REQUEST_H
#include <latchkey/module.h>

#include "oauth1_place.h"

/* The app's settings, read once per call (strings lent by the core). */
struct oauth1_config {
	enum oauth1_method method;
	enum oauth1_placement placement;
	const char *consumer_key;
	const char *consumer_secret;
	const char *realm;
	bool version;
	bool body_hash;
};

/* Read and check the settings. @return LK_OK or LK_ECONFIG (message
 * names the setting and where it is written). */
lk_status oauth1_config_read(struct oauth1_config *c, lk_call *call);

/* Load the app's RSA private key (`private_key` / `private_key_file`).
 * @return LK_OK or LK_ECONFIG naming the setting. */
lk_status oauth1_config_rsa_key(EVP_PKEY **out, lk_call *call);

/* Sign @p req in place and add the protocol parameters where the app
 * says. @p rsa_key is needed for RSA-SHA1; @p signer may be NULL;
 * @p token, @p callback, @p verifier may be NULL. */
lk_status oauth1_request_sign(lk_call *call, lk_request *req,
			      const struct oauth1_config *c, EVP_PKEY *rsa_key,
			      struct oauth1_signer *signer, const char *token,
			      const char *token_secret, const char *callback,
			      const char *verifier);
#endif
