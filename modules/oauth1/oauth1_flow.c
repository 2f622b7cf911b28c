/* SPDX-License-Identifier: MIT */
/* The three-legged flow, RFC 5849 section 2: temporary credentials
 * (2.1), resource owner authorization (2.2), token credentials (2.3).
 * The pending flow is found by its id, which latchkey puts in the
 * oauth_callback URL as `state` (some providers send back only the
 * verifier, not the token). */
#include "oauth1_flow.h"
#include "oauth1_encode.h"
#include "oauth1_request.h"

#define FLOW_TOKEN "oauth_token"
#define FLOW_SECRET "oauth_token_secret"

lk_status oauth1_flow_query_get(char **out, const char *url, const char *name)
{
	const char *q = strchr(url, '?');
	size_t nlen = strlen(name), qlen;
	struct oauth1_buf val = {0};
	bool found = false;

	*out = NULL;
	if (!q)
		return LK_OK;
	q++;
	qlen = strcspn(q, "#");
	for (size_t i = 0; i < qlen;) {
		const char *seg = q + i, *amp = memchr(seg, '&', qlen - i);
		size_t len = amp ? (size_t)(amp - seg) : qlen - i;
		const char *eq = memchr(seg, '=', len);
		size_t kl = eq ? (size_t)(eq - seg) : len;
		i += len + 1;
		if (kl != nlen || memcmp(seg, name, nlen) != 0)
			continue;
		if (found) {
			oauth1_buf_wipe(&val);
			return LK_EPROTO;
		}
		found = true;
		oauth1_buf_add(&val, "", 0);
		if (eq)
			oauth1_decode_form(&val, eq + 1, len - kl - 1);
	}
	if (!found)
		return LK_OK;
	*out = oauth1_buf_take(&val);
	return *out ? LK_OK : LK_ENOMEM;
}

/* URL template of the app, rendered and checked against its hosts. */
static lk_status render_url(char **out, lk_call *call, const char *key)
{
	const char *tmpl = lk_call_setting(call, key);

	*out = NULL;
	if (!tmpl)
		return lk_call_error(call, LK_ECONFIG, "oauth1.%s is required",
				     key);
	return lk_call_render(out, call, tmpl, LK_RENDER_URL);
}

/* @p url with name=value (value encoded) added to its query. */
static lk_status url_with_param(char **out, const char *url, const char *name,
				const char *value)
{
	const char *hash = strchr(url, '#');
	size_t base = hash ? (size_t)(hash - url) : strlen(url);
	const char *q = memchr(url, '?', base);
	struct oauth1_buf b = {0};

	oauth1_buf_add(&b, url, base);
	if (!q)
		oauth1_buf_add(&b, "?", 1);
	else if (url[base - 1] != '?' && url[base - 1] != '&')
		oauth1_buf_add(&b, "&", 1);
	oauth1_buf_str(&b, name);
	oauth1_buf_add(&b, "=", 1);
	oauth1_encode(&b, value, strlen(value));
	if (hash)
		oauth1_buf_str(&b, hash);
	*out = oauth1_buf_take(&b);
	return *out ? LK_OK : LK_ENOMEM;
}

/* POST a signed request to the app's @p url_key endpoint and parse the
 * answer: a 2xx carrying oauth_token and oauth_token_secret. */
static lk_status leg(lk_fields **out, lk_call *call, const char *url_key,
		     const char *token, const char *token_secret,
		     const char *callback, const char *verifier)
{
	struct oauth1_config c;
	EVP_PKEY *rsa = NULL;
	lk_request *req = NULL;
	lk_response *resp = NULL;
	lk_fields *f = NULL;
	char *url = NULL;
	const char *t, *s;
	long status;
	lk_status rc;

	*out = NULL;
	rc = oauth1_config_read(&c, call);
	if (rc == LK_OK && c.method == OAUTH1_RSA_SHA1)
		rc = oauth1_config_rsa_key(&rsa, call);
	if (rc == LK_OK)
		rc = render_url(&url, call, url_key);
	if (rc == LK_OK)
		rc = lk_request_new(&req, "POST", url);
	if (rc == LK_OK)
		rc = oauth1_request_sign(call, req, &c, rsa, NULL, token,
					 token_secret, callback, verifier);
	if (rc == LK_OK)
		rc = lk_http_send(&resp, call, req);
	if (rc != LK_OK)
		goto out;
	status = lk_response_status(resp);
	if (status < 200 || status > 299) {
		rc = lk_call_error(
		    call, status == 401 || status == 403 ? LK_EAUTH : LK_EHTTP,
		    "oauth1: %s answered HTTP %ld", url_key, status);
		goto out;
	}
	rc = lk_token_response_parse(&f, call, resp);
	if (rc != LK_OK) {
		/* Copied: the message is formatted into the same slot. */
		char *why = lk_strdup(lk_errmsg(lk_call_ctx(call)));
		lk_call_error(call, rc, "oauth1: %s: %s", url_key,
			      why ? why : "unparsable answer");
		lk_free(why);
		goto out;
	}
	t = lk_fields_get(f, "oauth_token");
	s = lk_fields_get(f, "oauth_token_secret");
	if (!t || !*t || !s) {
		rc = lk_call_error(
		    call, LK_EPROTO, "oauth1: %s: the answer has no %s",
		    url_key, !t || !*t ? "oauth_token" : "oauth_token_secret");
		goto out;
	}
	lk_call_add_secret(call, t);
	if (*s)
		lk_call_add_secret(call, s);
	*out = f;
	f = NULL;
out:
	lk_fields_free(f);
	lk_response_free(resp);
	lk_request_free(req);
	lk_free(url);
	EVP_PKEY_free(rsa);
	return rc;
}

lk_status oauth1_flow_begin(char **out_url, lk_call *call, lk_flow *flow,
			    const char *redirect_uri)
{
	const char *cb =
	    redirect_uri ? redirect_uri : lk_call_setting(call, "callback_url");
	char *callback = NULL, *auth = NULL;
	lk_fields *f = NULL;
	const char *confirmed;
	lk_status rc;

	*out_url = NULL;
	if (!cb || !*cb)
		return lk_call_error(call, LK_ECONFIG,
				     "oauth1: no callback: set oauth1."
				     "callback_url or pass a redirect URI");
	/* Section 2.1: oauth_callback; it carries the flow id back. */
	rc = url_with_param(&callback, cb, "state", lk_flow_id(flow));
	if (rc == LK_OK)
		rc = leg(&f, call, "request_token_url", NULL, NULL, callback,
			 NULL);
	if (rc != LK_OK)
		goto out;
	confirmed = lk_fields_get(f, "oauth_callback_confirmed");
	if (!confirmed || strcmp(confirmed, "true") != 0) {
		rc = lk_call_error(call, LK_EPROTO,
				   "oauth1: request_token_url: the answer "
				   "lacks oauth_callback_confirmed=true "
				   "(RFC 5849 section 2.1)");
		goto out;
	}
	rc = lk_flow_set(flow, FLOW_TOKEN, lk_fields_get(f, "oauth_token"));
	if (rc == LK_OK)
		rc = lk_flow_set(flow, FLOW_SECRET,
				 lk_fields_get(f, "oauth_token_secret"));
	if (rc == LK_OK)
		rc = render_url(&auth, call, "authorize_url");
	/* Section 2.2: the user goes to authorize_url?oauth_token=... */
	if (rc == LK_OK)
		rc = url_with_param(out_url, auth, "oauth_token",
				    lk_fields_get(f, "oauth_token"));
out:
	lk_free(auth);
	lk_free(callback);
	lk_fields_free(f);
	return rc;
}

/* The access token, its secret and the app's extra_fields go to the
 * connection; everything else of the answer is dropped. */
static lk_status keep_fields(lk_call *call, lk_fields *fields,
			     const lk_fields *answer)
{
	size_t n = lk_call_setting_list_count(call, "extra_fields");
	lk_status rc;

	rc = lk_fields_set(fields, "oauth_token",
			   lk_fields_get(answer, "oauth_token"), true);
	if (rc == LK_OK)
		rc = lk_fields_set(fields, "oauth_token_secret",
				   lk_fields_get(answer, "oauth_token_secret"),
				   true);
	for (size_t i = 0; rc == LK_OK && i < n; i++) {
		const char *k =
		    lk_call_setting_list_at(call, "extra_fields", i);
		const char *v = k ? lk_fields_get(answer, k) : NULL;
		if (v)
			rc = lk_fields_set(fields, k, v,
					   lk_fields_is_secret(answer, k));
	}
	return rc;
}

lk_status oauth1_flow_finish(lk_call *call, lk_flow *flow,
			     const char *callback_url, lk_fields *fields)
{
	const char *tmp = lk_flow_get(flow, FLOW_TOKEN);
	const char *tmp_secret = lk_flow_get(flow, FLOW_SECRET);
	char *verifier = NULL, *token = NULL, *denied = NULL, *state = NULL;
	lk_fields *f = NULL;
	lk_status rc;

	if (!tmp || !tmp_secret)
		return lk_call_error(call, LK_ESTATE,
				     "oauth1: the pending flow holds no "
				     "temporary credentials");
	if (!callback_url)
		return lk_call_error(call, LK_EINVAL,
				     "oauth1: no callback URL");
	rc = oauth1_flow_query_get(&verifier, callback_url, "oauth_verifier");
	if (rc == LK_OK)
		rc = oauth1_flow_query_get(&token, callback_url, "oauth_token");
	if (rc == LK_OK)
		rc = oauth1_flow_query_get(&denied, callback_url, "denied");
	if (rc == LK_OK)
		rc = oauth1_flow_query_get(&state, callback_url, "state");
	if (rc == LK_EPROTO) {
		lk_call_error(call, rc,
			      "oauth1: the callback URL repeats "
			      "oauth_verifier, oauth_token, denied or state");
		goto out;
	}
	if (rc != LK_OK)
		goto out;
	/* The flow id we put in oauth_callback: a callback carrying another
	 * one was meant for another flow. */
	if (state && strcmp(state, lk_flow_id(flow)) != 0) {
		rc = lk_call_error(call, LK_ESTATE,
				   "oauth1: the callback belongs to another "
				   "flow (its state is not this flow's id)");
		goto out;
	}
	if (!verifier || !*verifier) {
		rc = lk_call_error(call, denied ? LK_EAUTH : LK_EPROTO,
				   denied ? "oauth1: the user denied access"
					  : "oauth1: the callback carries no "
					    "oauth_verifier (RFC 5849 "
					    "section 2.2)");
		goto out;
	}
	/* Section 2.2: where the provider sends the token, it must be the
	 * one this flow asked for. */
	if (token && (strlen(token) != strlen(tmp) ||
		      !lk_secure_equal(token, tmp, strlen(tmp)))) {
		rc = lk_call_error(call, LK_EAUTH,
				   "oauth1: the callback's oauth_token is not "
				   "the one this flow was given");
		goto out;
	}
	lk_call_add_secret(call, verifier);
	rc = leg(&f, call, "access_token_url", tmp, tmp_secret, NULL, verifier);
	if (rc == LK_OK)
		rc = keep_fields(call, fields, f);
out:
	lk_fields_free(f);
	lk_str_wipe_free(verifier);
	lk_str_wipe_free(token);
	lk_free(denied);
	lk_free(state);
	return rc;
}
