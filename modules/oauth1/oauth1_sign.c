/* SPDX-License-Identifier: MIT */
/* Signing a request from its raw parts, RFC 5849 sections 3.1-3.4. */
#include <inttypes.h>
#include <stdio.h>

#include <openssl/crypto.h>

#include <latchkey/module.h>

#include "oauth1_sign.h"

static void put(struct oauth1_signed *s, const char *name, const char *value)
{
	s->params[s->count].name = name;
	s->params[s->count].value = value;
	s->count++;
}

/* Section 3.3: a nonce unique per timestamp; 128 bits from the CSPRNG
 * (lk_random_bytes, replaceable by tests), as hex. */
static lk_status make_nonce(char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[16];
	lk_status rc;

	if (outlen < 2 * sizeof(raw) + 1)
		return LK_EINVAL;
	rc = lk_random_bytes(raw, sizeof(raw));
	if (rc != LK_OK)
		return rc;
	for (size_t i = 0; i < sizeof(raw); i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[2 * sizeof(raw)] = '\0';
	return LK_OK;
}

lk_status oauth1_sign(struct oauth1_signed *out, struct oauth1_signer *signer,
		      const struct oauth1_keys *keys,
		      const struct oauth1_message *msg,
		      const struct oauth1_options *opt, const char **why)
{
	struct oauth1_buf local_base;
	char base_store[1024];
	struct oauth1_buf *base = opt->keep_base ? &out->base : &local_base;
	const char *nonce = opt->nonce, *ts = opt->timestamp;
	lk_status rc;

	*why = NULL;
	/* Field by field, not a memset: this runs for every request. */
	out->count = 0;
	out->nonce[0] = out->timestamp[0] = out->body_hash[0] = '\0';
	memset(&out->base, 0, sizeof(out->base));
	oauth1_buf_init(&local_base, base_store, sizeof(base_store));
	oauth1_buf_init(&out->signature, out->signature_store,
			sizeof(out->signature_store));
	if (!keys->consumer_key || !*keys->consumer_key) {
		*why = "no consumer key";
		return LK_EINVAL;
	}
	if (!nonce) {
		rc = make_nonce(out->nonce, sizeof(out->nonce));
		if (rc != LK_OK)
			return rc;
		nonce = out->nonce;
	}
	if (!ts) {
		snprintf(out->timestamp, sizeof(out->timestamp), "%" PRId64,
			 lk_now());
		ts = out->timestamp;
	}
	put(out, "oauth_consumer_key", keys->consumer_key);
	if (keys->token)
		put(out, "oauth_token", keys->token);
	put(out, "oauth_signature_method", oauth1_method_name(keys->method));
	put(out, "oauth_timestamp", ts);
	put(out, "oauth_nonce", nonce);
	if (opt->version)
		put(out, "oauth_version", "1.0");
	if (opt->callback)
		put(out, "oauth_callback", opt->callback);
	if (opt->verifier)
		put(out, "oauth_verifier", opt->verifier);
	/* The body hash extension covers bodies the base string does not:
	 * never sent with a form-encoded body. */
	if (opt->body_hash && !oauth1_is_form(msg->content_type)) {
		rc = oauth1_body_hash(out->body_hash, sizeof(out->body_hash),
				      keys->method, msg->body, msg->body_len);
		if (rc != LK_OK)
			return rc;
		put(out, "oauth_body_hash", out->body_hash);
	}
	/* PLAINTEXT needs no base string (section 3.4.4), but tests may
	 * still ask for it. */
	if (keys->method != OAUTH1_PLAINTEXT || opt->keep_base) {
		rc =
		    oauth1_base_string(base, msg, out->params, out->count, why);
		if (rc != LK_OK)
			goto out;
	}
	rc = oauth1_signature(&out->signature, signer, keys->method,
			      &keys->secrets, base->data ? base->data : "",
			      base->len, why);
	if (rc != LK_OK)
		goto out;
	put(out, "oauth_signature", out->signature.data);
out:
	oauth1_buf_wipe(&local_base);
	return rc;
}

/* Only the signature holds secrets (PLAINTEXT); the rest is sent in the
 * clear anyway. */
void oauth1_signed_clear(struct oauth1_signed *s)
{
	oauth1_buf_wipe(&s->signature);
	oauth1_buf_wipe(&s->base);
	s->count = 0;
}

const char *oauth1_signed_get(const struct oauth1_signed *s, const char *name)
{
	for (size_t i = 0; i < s->count; i++)
		if (strcmp(s->params[i].name, name) == 0)
			return s->params[i].value;
	return NULL;
}
