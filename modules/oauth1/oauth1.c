/* SPDX-License-Identifier: MIT */
/* oauth1.so: OAuth 1.0a (RFC 5849): the three-legged flow and signing
 * every request with HMAC-SHA1, HMAC-SHA256, RSA-SHA1 or PLAINTEXT. The
 * only file defining latchkey_module; thin glue over oauth1_*.c. */
#include <pthread.h>

#include <latchkey/module.h>

#include "oauth1_flow.h"
#include "oauth1_request.h"

static lk_scheme_validate_fn oauth1_validate;
static lk_scheme_authorize_fn oauth1_authorize;
static lk_scheme_state_new_fn oauth1_state_new;
static lk_scheme_state_free_fn oauth1_state_free;

static const struct lk_config_key oauth1_keys[] = {
    {"request_token_url", LK_KEY_URL, true, NULL, NULL},
    {"authorize_url", LK_KEY_URL, true, NULL, NULL},
    {"access_token_url", LK_KEY_URL, true, NULL, NULL},
    {"consumer_key", LK_KEY_STRING, true, NULL, NULL},
    {"consumer_secret", LK_KEY_SECRET, false, NULL, NULL},
    {"signature_method", LK_KEY_ENUM, false, "HMAC-SHA1",
     "HMAC-SHA1|HMAC-SHA256|RSA-SHA1|PLAINTEXT"},
    /* A secret, so `private_key_file` is read (mode-checked, relative
     * to its config file) by the core. */
    {"private_key", LK_KEY_SECRET, false, NULL, NULL},
    {"callback_url", LK_KEY_STRING, false, NULL, NULL},
    {"placement", LK_KEY_ENUM, false, "header", "header|query|body"},
    {"realm", LK_KEY_STRING, false, NULL, NULL},
    {"body_hash", LK_KEY_BOOL, false, "false", NULL},
    {"send_version", LK_KEY_BOOL, false, "true", NULL},
    {"extra_fields", LK_KEY_STRING_LIST, false, NULL, NULL},
    {NULL, 0, false, NULL, NULL},
};

/* Per connection: the HMAC context keyed once and the parsed RSA key,
 * so a signature costs no key setup; a lock because callbacks for one
 * connection may run on several threads. */
struct oauth1_state {
	pthread_mutex_t lock;
	struct oauth1_signer signer;
	EVP_PKEY *rsa_key;
};

static lk_status oauth1_validate(lk_call *call)
{
	struct oauth1_config c;
	EVP_PKEY *rsa = NULL;
	lk_status rc = oauth1_config_read(&c, call);

	if (rc == LK_OK && c.method == OAUTH1_RSA_SHA1) {
		rc = oauth1_config_rsa_key(&rsa, call);
		EVP_PKEY_free(rsa);
	}
	return rc;
}

static lk_status oauth1_state_new(void **out, lk_call *call)
{
	struct oauth1_state *st = lk_calloc(1, sizeof(*st));

	(void)call;
	*out = NULL;
	if (!st)
		return LK_ENOMEM;
	if (pthread_mutex_init(&st->lock, NULL) != 0) {
		lk_free(st);
		return LK_ENOMEM;
	}
	*out = st;
	return LK_OK;
}

static void oauth1_state_free(void *p)
{
	struct oauth1_state *st = p;

	if (!st)
		return;
	oauth1_signer_clear(&st->signer);
	EVP_PKEY_free(st->rsa_key);
	pthread_mutex_destroy(&st->lock);
	lk_free(st);
}

static lk_status sign_with(lk_call *call, lk_request *req,
			   const struct oauth1_config *c,
			   struct oauth1_state *st, const char *token,
			   const char *secret)
{
	EVP_PKEY *once = NULL;
	lk_status rc = LK_OK;

	if (!st) {
		if (c->method == OAUTH1_RSA_SHA1)
			rc = oauth1_config_rsa_key(&once, call);
		if (rc == LK_OK)
			rc = oauth1_request_sign(call, req, c, once, NULL,
						 token, secret, NULL, NULL);
		EVP_PKEY_free(once);
		return rc;
	}
	pthread_mutex_lock(&st->lock);
	if (c->method == OAUTH1_RSA_SHA1 && !st->rsa_key)
		rc = oauth1_config_rsa_key(&st->rsa_key, call);
	if (rc == LK_OK)
		rc = oauth1_request_sign(call, req, c, st->rsa_key, &st->signer,
					 token, secret, NULL, NULL);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

static lk_status oauth1_authorize(lk_call *call, lk_request *req)
{
	const char *token = lk_call_field(call, "oauth_token");
	const char *secret = lk_call_field(call, "oauth_token_secret");
	struct oauth1_config c;
	lk_status rc;

	if (!token || !*token || !secret)
		return lk_call_error(call, LK_EAUTH,
				     "oauth1: the connection holds no access "
				     "token; connect it again");
	rc = oauth1_config_read(&c, call);
	if (rc != LK_OK)
		return rc;
	return sign_with(call, req, &c, lk_call_state(call), token, secret);
}

static const struct lk_scheme_ops oauth1_scheme = {
    LK_OPS_HEADER(struct lk_scheme_ops),
    .flags = LK_SCHEME_REDIRECT_FLOW,
    .config_keys = oauth1_keys,
    .validate = oauth1_validate,
    .authorize = oauth1_authorize,
    .connect_begin = oauth1_flow_begin,
    .connect_finish = oauth1_flow_finish,
    .state_new = oauth1_state_new,
    .state_free = oauth1_state_free,
    .redirect_key = "callback_url",
};

LK_MODULE_EXPORT const struct lk_module latchkey_module = {
    LK_MODULE_HEADER("oauth1", "1.0"),
    .scheme = &oauth1_scheme,
};
