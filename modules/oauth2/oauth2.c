/* SPDX-License-Identifier: MIT */
/* oauth2.so: OAuth 2.0 authorization code grant (RFC 6749 section 4.1)
 * with PKCE S256 (RFC 7636), bearer tokens (RFC 6750 section 2), refresh
 * (RFC 6749 section 6) with rotation. Glue over oauth2_pkce.c,
 * oauth2_callback.c, oauth2_params.c and oauth2_token.c; single-flight
 * refresh and the refresh policies are the core's. */
#include <string.h>

#include <openssl/crypto.h>

#include "oauth2_callback.h"
#include "oauth2_params.h"
#include "oauth2_pkce.h"
#include "oauth2_token.h"

static lk_scheme_validate_fn oauth2_validate;
static lk_scheme_authorize_fn oauth2_authorize;
static lk_scheme_connect_begin_fn oauth2_connect_begin;
static lk_scheme_connect_finish_fn oauth2_connect_finish;
static lk_scheme_on_response_fn oauth2_on_response;
static lk_scheme_refresh_fn oauth2_refresh;

static const struct lk_config_key oauth2_keys[] = {
    {"authorize_url", LK_KEY_URL, true, NULL, NULL},
    {"access_token_url", LK_KEY_URL, true, NULL, NULL},
    {"refresh_token_url", LK_KEY_URL, false, NULL, NULL},
    {"client_id", LK_KEY_STRING, true, NULL, NULL},
    {"client_secret", LK_KEY_SECRET, false, NULL, NULL},
    {"scope", LK_KEY_STRING, false, NULL, NULL},
    {"pkce", LK_KEY_BOOL, false, "true", NULL},
    {"redirect_uri", LK_KEY_STRING, false, NULL, NULL},
    {"token_placement", LK_KEY_ENUM, false, "header",
     "header|querystring|both"},
    {"token_request", LK_KEY_ENUM, false, "body", "body|query|auto"},
    {"client_auth", LK_KEY_ENUM, false, "post", "post|basic"},
    {"extra_fields", LK_KEY_STRING_LIST, false, NULL, NULL},
    {"refresh_margin", LK_KEY_INT, false, "60", NULL},
    {"policy", LK_KEY_STRING, false, "default", NULL},
    {NULL, 0, false, NULL, NULL},
};

static bool setting_is(lk_call *call, const char *key, const char *value)
{
	const char *v = lk_call_setting(call, key);
	return v && strcmp(v, value) == 0;
}

static lk_status oauth2_validate(lk_call *call)
{
	const char *secret = lk_call_setting(call, "client_secret");

	if (lk_call_setting_int(call, "refresh_margin") < 0)
		return lk_call_error(
		    call, LK_ECONFIG,
		    "%s: oauth2.refresh_margin must be 0 or "
		    "more seconds",
		    lk_call_setting_where(call, "refresh_margin"));
	if (setting_is(call, "client_auth", "basic") && !secret)
		return lk_call_error(
		    call, LK_ECONFIG,
		    "%s: oauth2.client_auth = \"basic\" needs "
		    "client_secret (or client_secret_file)",
		    lk_call_setting_where(call, "client_auth"));
	if (setting_is(call, "token_request", "auto"))
		/* Opt-in only: legacy providers need it, but it puts the
		 * code and the client secret where servers log URLs. */
		lk_call_log(call, LK_LOG_WARN,
			    "%s: oauth2.token_request = \"auto\" sends the "
			    "authorization code%s in the token URL's query "
			    "string, which servers and proxies log; use "
			    "\"body\" unless the provider needs it",
			    lk_call_setting_where(call, "token_request"),
			    secret && !setting_is(call, "client_auth", "basic")
				? " and the client secret"
				: "");
	return LK_OK;
}

/* RFC 6750 section 2.1 (header) and 2.3 (query). */
static lk_status oauth2_authorize(lk_call *call, lk_request *req)
{
	const char *token = lk_call_field(call, "access_token");
	bool header = !setting_is(call, "token_placement", "querystring");
	bool query = !setting_is(call, "token_placement", "header");
	lk_status rc = LK_OK;

	if (!token || !*token)
		return lk_call_error(call, LK_EAUTH,
				     "oauth2: the connection holds no access "
				     "token: reconnect it");
	if (header) {
		size_t n = strlen(token);
		char *value = lk_malloc(7 + n + 1);
		if (!value)
			return LK_ENOMEM;
		memcpy(value, "Bearer ", 7);
		memcpy(value + 7, token, n + 1);
		rc = lk_request_set_header(req, "Authorization", value);
		lk_str_wipe_free(value);
	}
	if (rc == LK_OK && query)
		rc = lk_request_add_query(req, "access_token", token);
	if (rc != LK_OK)
		return lk_call_error(call, rc,
				     "oauth2: the access token cannot be "
				     "placed in the request (a character a "
				     "header or URL refuses)");
	return LK_OK;
}

static lk_status oauth2_connect_begin(char **out_url, lk_call *call,
				      lk_flow *flow, const char *redirect_uri)
{
	char state[OAUTH2_RANDOM_LEN + 1], verifier[OAUTH2_RANDOM_LEN + 1];
	char challenge[44];
	struct oauth2_params p = {0};
	const char *scope = lk_call_setting(call, "scope");
	bool pkce = lk_call_setting_bool(call, "pkce");
	char *url = NULL;
	lk_request *req = NULL;
	lk_status rc = LK_OK;

	*out_url = NULL;
	if (!redirect_uri || !*redirect_uri)
		redirect_uri = lk_call_setting(call, "redirect_uri");
	if (!redirect_uri || !*redirect_uri)
		return lk_call_error(
		    call, LK_ECONFIG,
		    "%s: oauth2: no redirect_uri: set "
		    "oauth2.redirect_uri",
		    lk_call_setting_where(call, "authorize_url"));
	rc = oauth2_pkce_random(state);
	if (rc == LK_OK && pkce)
		rc = oauth2_pkce_random(verifier);
	if (rc == LK_OK && pkce)
		rc = oauth2_pkce_challenge(challenge, verifier);
	if (rc != LK_OK)
		goto out;
	/* RFC 6749 section 4.1.1; RFC 7636 section 4.3. */
	oauth2_params_add(&p, "response_type", "code");
	oauth2_params_add(&p, "client_id", lk_call_setting(call, "client_id"));
	oauth2_params_add(&p, "redirect_uri", redirect_uri);
	oauth2_params_add(&p, "scope", scope && *scope ? scope : NULL);
	oauth2_params_add(&p, "state", state);
	oauth2_params_add(&p, "code_challenge", pkce ? challenge : NULL);
	oauth2_params_add(&p, "code_challenge_method", pkce ? "S256" : NULL);
	rc = lk_call_render(&url, call, lk_call_setting(call, "authorize_url"),
			    LK_RENDER_URL);
	if (rc == LK_OK)
		rc = lk_request_new(&req, "GET", url);
	if (rc == LK_OK)
		rc = oauth2_params_to_query(req, &p);
	if (rc == LK_OK)
		rc = lk_flow_set(flow, "state", state);
	if (rc == LK_OK)
		rc = lk_flow_set(flow, "redirect_uri", redirect_uri);
	if (rc == LK_OK && pkce)
		rc = lk_flow_set(flow, "code_verifier", verifier);
	if (rc != LK_OK)
		goto out;
	*out_url = lk_strdup(lk_request_url(req));
	rc = *out_url ? LK_OK : LK_ENOMEM;
out:
	lk_free(url);
	lk_request_free(req);
	OPENSSL_cleanse(verifier, sizeof verifier);
	return rc;
}

/* RFC 6749 section 10.12: the state binds the callback to this flow.
 * Single use and the 10-minute expiry come from the core's flow store. */
static bool state_matches(const lk_flow *flow, const char *got)
{
	const char *want = lk_flow_get(flow, "state");

	return want && got && strlen(want) == strlen(got) &&
	       lk_secure_equal(want, got, strlen(want));
}

static lk_status oauth2_connect_finish(lk_call *call, lk_flow *flow,
				       const char *callback_url,
				       lk_fields *fields)
{
	char *error = NULL, *desc = NULL, *state = NULL, *code = NULL;
	struct oauth2_params p = {0};
	lk_fields *parsed = NULL;
	lk_status rc = oauth2_callback_param(&error, callback_url, "error");

	if (rc == LK_OK)
		rc = oauth2_callback_param(&desc, callback_url,
					   "error_description");
	if (rc == LK_OK)
		rc = oauth2_callback_param(&state, callback_url, "state");
	if (rc == LK_OK)
		rc = oauth2_callback_param(&code, callback_url, "code");
	if (rc != LK_OK) {
		rc = lk_call_error(call, LK_EINVAL,
				   "oauth2: the callback URL's query is "
				   "malformed (a bad %%-escape)");
		goto out;
	}
	/* RFC 6749 section 4.1.2.1: some servers omit the state on an
	 * error; a state that is there must still match. */
	if (error && (!state || state_matches(flow, state))) {
		char e[201], d[201];
		oauth2_words(e, sizeof e, error);
		oauth2_words(d, sizeof d, desc);
		rc = lk_call_error(call, LK_EAUTH,
				   "oauth2: the provider ended the "
				   "authorization: %s%s%s",
				   e, desc && *desc ? ": " : "", d);
		goto out;
	}
	if (!state_matches(flow, state)) {
		rc = lk_call_error(call, LK_ESTATE,
				   "oauth2: the callback's state %s this "
				   "connect flow (a stale or forged "
				   "redirect): start the connect again",
				   state ? "does not match" : "is missing for");
		goto out;
	}
	if (!code || !*code) {
		rc = lk_call_error(call, LK_EPROTO,
				   "oauth2: the callback carries no code "
				   "(RFC 6749 section 4.1.2)");
		goto out;
	}
	lk_call_add_secret(call, code);
	/* RFC 6749 section 4.1.3; RFC 7636 section 4.5. */
	oauth2_params_add(&p, "grant_type", "authorization_code");
	oauth2_params_add(&p, "code", code);
	oauth2_params_add(&p, "redirect_uri",
			  lk_flow_get(flow, "redirect_uri"));
	oauth2_params_add(&p, "code_verifier",
			  lk_flow_get(flow, "code_verifier"));
	rc = oauth2_token_request(&parsed, call, "access_token_url", &p,
				  OAUTH2_GRANT_CODE);
	if (rc == LK_OK)
		rc = oauth2_token_keep(fields, call, parsed);
out:
	lk_fields_free(parsed);
	lk_free(error);
	lk_free(desc);
	lk_free(state);
	lk_str_wipe_free(code);
	return rc;
}

/* RFC 6750 section 3.1: 401 is an invalid (expired) token. The app's
 * refresh_on adds its own signals in the core. */
static lk_status oauth2_on_response(lk_verdict *out, lk_call *call,
				    const lk_request *req,
				    const lk_response *resp, unsigned attempt)
{
	(void)call;
	(void)req;
	(void)attempt;
	*out = lk_response_status(resp) == 401 ? LK_VERDICT_REFRESH
					       : LK_VERDICT_DONE;
	return LK_OK;
}

/* RFC 6749 section 6. Runs under the connection's lock (single-flight
 * is the core's); the new refresh token, when the provider rotates it,
 * is stored in the same durable write as the new access token. */
static lk_status oauth2_refresh(lk_call *call)
{
	const char *rt = lk_call_field(call, "refresh_token");
	struct oauth2_params p = {0};
	lk_fields *parsed = NULL, *updates = NULL;
	lk_status rc = LK_OK;

	if (!oauth2_token_can_refresh(call))
		return lk_call_error(
		    call, LK_EEXPIRED,
		    "oauth2: the provider refused the access "
		    "token and refresh is off (no "
		    "refresh_token_url at %s)",
		    lk_call_setting_where(call, "access_token_url"));
	if (!rt || !*rt)
		return lk_call_error(call, LK_EEXPIRED,
				     "oauth2: the access token is no longer "
				     "valid and the provider issued no "
				     "refresh token");
	oauth2_params_add(&p, "grant_type", "refresh_token");
	oauth2_params_add(&p, "refresh_token", rt);
	rc = oauth2_token_request(&parsed, call, "refresh_token_url", &p,
				  OAUTH2_GRANT_REFRESH);
	if (rc == LK_OK)
		rc = lk_fields_new(&updates);
	if (rc == LK_OK)
		rc = oauth2_token_keep(updates, call, parsed);
	/* An absent refresh_token keeps the old one (RFC 6749 6): merge. */
	if (rc == LK_OK)
		rc = lk_call_fields_update(call, updates);
	lk_fields_free(parsed);
	lk_fields_free(updates);
	return rc;
}

static const struct lk_scheme_ops oauth2_scheme = {
    LK_OPS_HEADER(struct lk_scheme_ops),
    .flags = LK_SCHEME_REDIRECT_FLOW,
    .config_keys = oauth2_keys,
    .validate = oauth2_validate,
    .authorize = oauth2_authorize,
    .connect_begin = oauth2_connect_begin,
    .connect_finish = oauth2_connect_finish,
    .on_response = oauth2_on_response,
    .refresh = oauth2_refresh,
    .redirect_key = "redirect_uri",
};

LK_MODULE_EXPORT const struct lk_module latchkey_module = {
    LK_MODULE_HEADER("oauth2", "1.0"),
    .scheme = &oauth2_scheme,
};
