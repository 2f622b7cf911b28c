/* SPDX-License-Identifier: MIT */
/* Signing an lk_request with an app's oauth1 settings (RFC 5849 section
 * 3), for the protected resources and the three legs alike. */
#include "oauth1_request.h"
#include "oauth1_encode.h"

static lk_status config_error(lk_call *call, const char *key, const char *what)
{
	const char *where = lk_call_setting_where(call, key);

	return lk_call_error(call, LK_ECONFIG, "%s%soauth1.%s: %s",
			     where ? where : "", where ? ": " : "", key, what);
}

lk_status oauth1_config_read(struct oauth1_config *c, lk_call *call)
{
	const char *realm;

	memset(c, 0, sizeof(*c));
	if (!oauth1_method_parse(&c->method,
				 lk_call_setting(call, "signature_method")))
		return config_error(call, "signature_method",
				    "must be one of HMAC-SHA1, HMAC-SHA256, "
				    "RSA-SHA1, PLAINTEXT");
	if (!oauth1_placement_parse(&c->placement,
				    lk_call_setting(call, "placement")))
		return config_error(call, "placement",
				    "must be one of header, query, body");
	c->consumer_key = lk_call_setting(call, "consumer_key");
	if (!c->consumer_key || !*c->consumer_key)
		return config_error(call, "consumer_key", "is required");
	c->consumer_secret = lk_call_setting(call, "consumer_secret");
	if (c->method != OAUTH1_RSA_SHA1 && !c->consumer_secret)
		return config_error(call, "consumer_secret",
				    "is required (or consumer_secret_file) "
				    "for this signature_method");
	realm = lk_call_setting(call, "realm");
	/* A quoted-string in the header (section 3.5.1): no quote,
	 * backslash or control character. */
	for (const char *p = realm; p && *p; p++)
		if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20 ||
		    *p == 0x7f)
			return config_error(call, "realm",
					    "must not hold '\"', '\\' or "
					    "control characters");
	c->realm = realm;
	c->version = lk_call_setting_bool(call, "send_version");
	c->body_hash = lk_call_setting_bool(call, "body_hash");
	return LK_OK;
}

lk_status oauth1_config_rsa_key(EVP_PKEY **out, lk_call *call)
{
	const char *pem = lk_call_setting(call, "private_key");
	const char *why = NULL;
	lk_status rc;

	*out = NULL;
	if (!pem)
		return config_error(call, "private_key_file",
				    "is required for RSA-SHA1");
	rc = oauth1_rsa_key_load(out, pem, &why);
	if (rc == LK_EINVAL)
		return config_error(call, "private_key_file", why);
	return rc;
}

/* A PLAINTEXT signature is the secrets themselves, encoded (section
 * 3.4.4), and encoded once more where it is sent: both forms of each
 * secret are redacted from every log line. Each secret on its own, not
 * the whole signature, so a redaction of one cannot hide the other's. */
static void redact_encoded(lk_call *call, const char *secret)
{
	struct oauth1_buf once = {0}, twice = {0};

	if (!secret || !*secret)
		return;
	oauth1_encode(&once, secret, strlen(secret));
	if (!once.failed)
		oauth1_encode(&twice, once.data, once.len);
	if (!once.failed)
		lk_call_add_secret(call, once.data);
	if (!twice.failed && twice.data)
		lk_call_add_secret(call, twice.data);
	oauth1_buf_wipe(&once);
	oauth1_buf_wipe(&twice);
}

lk_status oauth1_request_sign(lk_call *call, lk_request *req,
			      const struct oauth1_config *c, EVP_PKEY *rsa_key,
			      struct oauth1_signer *signer, const char *token,
			      const char *token_secret, const char *callback,
			      const char *verifier)
{
	struct oauth1_keys keys = {
	    .method = c->method,
	    .consumer_key = c->consumer_key,
	    .secrets = {.consumer_secret = c->consumer_secret,
			.token_secret = token_secret,
			.rsa_key = rsa_key},
	    .token = token,
	};
	struct oauth1_options opt = {
	    .callback = callback,
	    .verifier = verifier,
	    .version = c->version,
	    .body_hash = c->body_hash,
	};
	struct oauth1_message msg = {
	    .method = lk_request_method(req),
	    .url = lk_request_url(req),
	    .content_type = lk_request_header(req, "Content-Type"),
	};
	struct oauth1_signed s;
	const char *why = NULL;
	lk_status rc;

	msg.body = lk_request_body(req, &msg.body_len);
	rc = oauth1_sign(&s, signer, &keys, &msg, &opt, &why);
	if (rc == LK_OK && c->method == OAUTH1_PLAINTEXT) {
		redact_encoded(call, c->consumer_secret);
		redact_encoded(call, token_secret);
	}
	if (rc == LK_OK)
		rc = oauth1_place(req, &s, c->placement, c->realm, &why);
	oauth1_signed_clear(&s);
	if (rc == LK_EINVAL)
		return lk_call_error(call, LK_EINVAL,
				     "oauth1: cannot sign the %s request: %s",
				     lk_request_method(req), why);
	return rc;
}
