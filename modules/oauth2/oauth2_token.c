/* SPDX-License-Identifier: MIT */
/* The token endpoint: RFC 6749 sections 2.3.1 (client authentication),
 * 4.1.3 and 6 (the grants), 5.1 and 5.2 (the answers). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "oauth2_pkce.h"
#include "oauth2_token.h"

#define OAUTH2_WORDS_MAX 200 /* of the provider's error text we repeat */

bool oauth2_token_can_refresh(lk_call *call)
{
	const char *u = lk_call_setting(call, "refresh_token_url");
	return u && *u;
}

static bool setting_is(lk_call *call, const char *key, const char *value)
{
	const char *v = lk_call_setting(call, key);
	return v && strcmp(v, value) == 0;
}

void oauth2_words(char *out, size_t size, const char *s)
{
	size_t o = 0;

	for (; s && *s && o + 1 < size; s++)
		out[o++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
	out[o] = '\0';
}

/* RFC 6749 section 2.3.1: "Basic " base64(enc(id) ":" enc(secret)),
 * each form-encoded first (appendix B). */
static lk_status basic_header(char **out, const char *id, const char *secret)
{
	struct oauth2_params p = {0};
	char *eid = NULL, *esec = NULL, *pair = NULL, *hdr = NULL;
	lk_status rc = oauth2_params_add(&p, "x", id);

	*out = NULL;
	if (rc == LK_OK)
		rc = oauth2_params_encode(&eid, &p);
	p.value[0] = secret ? secret : "";
	if (rc == LK_OK)
		rc = oauth2_params_encode(&esec, &p);
	if (rc != LK_OK)
		goto out;
	/* Both start with "x=". */
	size_t li = strlen(eid + 2), ls = strlen(esec + 2);
	pair = lk_malloc(li + 1 + ls + 1);
	hdr = lk_malloc(6 + 4 * ((li + 1 + ls + 2) / 3) + 1);
	if (!pair || !hdr) {
		rc = LK_ENOMEM;
		goto out;
	}
	memcpy(pair, eid + 2, li);
	pair[li] = ':';
	memcpy(pair + li + 1, esec + 2, ls + 1);
	memcpy(hdr, "Basic ", 6);
	EVP_EncodeBlock((unsigned char *)hdr + 6, (unsigned char *)pair,
			(int)(li + 1 + ls));
	*out = hdr;
	hdr = NULL;
out:
	lk_str_wipe_free(eid);
	lk_str_wipe_free(esec);
	lk_str_wipe_free(pair);
	lk_str_wipe_free(hdr);
	return rc;
}

/* One POST of the grant: parameters in the query or in a form body. */
static lk_status send_once(lk_response **out, lk_call *call, const char *url,
			   const struct oauth2_params *p, bool in_query,
			   const char *authorization)
{
	lk_request *req = NULL;
	char *body = NULL;
	lk_status rc = lk_request_new(&req, "POST", url);

	*out = NULL;
	if (rc == LK_OK)
		rc = lk_request_set_header(req, "Accept", "application/json");
	if (rc == LK_OK && authorization)
		rc = lk_request_set_header(req, "Authorization", authorization);
	if (rc == LK_OK && in_query)
		rc = oauth2_params_to_query(req, p);
	if (rc == LK_OK && !in_query) {
		rc = oauth2_params_encode(&body, p);
		if (rc == LK_OK)
			rc = lk_request_set_header(
			    req, "Content-Type",
			    "application/x-www-form-urlencoded");
		if (rc == LK_OK)
			rc = lk_request_set_body(req, body, strlen(body));
	}
	if (rc != LK_OK)
		rc = lk_call_error(call, rc,
				   "oauth2: the token request could not be "
				   "built (a parameter the URL API refused)");
	else
		rc = lk_http_send(out, call, req);
	lk_str_wipe_free(body);
	lk_request_free(req);
	return rc;
}

/* The OAuth error code of an answer, copied, or NULL. */
static char *error_code(lk_call *call, const lk_response *resp)
{
	lk_fields *f = NULL;
	char *code = NULL;

	if (lk_token_response_parse(&f, call, resp) == LK_OK &&
	    lk_fields_get(f, "error"))
		code = lk_strdup(lk_fields_get(f, "error"));
	lk_fields_free(f);
	return code;
}

/* RFC 6749 section 5.2, and what each refusal means for a connection. */
static lk_status refused(lk_call *call, const lk_fields *f, long status,
			 const char *url_key, enum oauth2_grant grant)
{
	char code[OAUTH2_WORDS_MAX + 1], desc[OAUTH2_WORDS_MAX + 1];
	const char *d = lk_fields_get(f, "error_description");

	oauth2_words(code, sizeof code, lk_fields_get(f, "error"));
	oauth2_words(desc, sizeof desc, d);
	const char *sep = d && *d ? ": " : "";
	if (strcmp(code, "invalid_client") == 0 ||
	    strcmp(code, "unauthorized_client") == 0)
		/* The app's client credentials, not this user's grant: one
		 * rotated secret must not expire every connection. */
		return lk_call_error(call, LK_ECONFIG,
				     "oauth2: %s refused the client (%s%s%s, "
				     "HTTP %ld): check client_id, "
				     "client_secret and client_auth at %s",
				     url_key, code, sep, desc, status,
				     lk_call_setting_where(call, "client_id"));
	if (grant == OAUTH2_GRANT_REFRESH && strcmp(code, "invalid_grant") == 0)
		return lk_call_error(call, LK_EEXPIRED,
				     "oauth2: the provider refused the refresh "
				     "token (%s%s%s)",
				     code, sep, desc);
	return lk_call_error(
	    call, LK_EAUTH, "oauth2: %s refused the %s (%s%s%s, HTTP %ld)",
	    url_key,
	    grant == OAUTH2_GRANT_REFRESH ? "refresh" : "authorization code",
	    code, sep, desc, status);
}

/* Turn an answer into parsed fields or the status it deserves. */
static lk_status judge(lk_fields **out, lk_call *call, const lk_response *resp,
		       const char *url_key, enum oauth2_grant grant)
{
	lk_fields *f = NULL;
	long status = lk_response_status(resp);
	lk_status prc = lk_token_response_parse(&f, call, resp);
	lk_status rc = LK_OK;

	*out = NULL;
	const char *err = prc == LK_OK ? lk_fields_get(f, "error") : NULL;
	/* A 5xx is transient whatever its body says (a proxy's error page,
	 * a JSON "server_error"): the grant may well be fine. */
	if (status >= 500 ||
	    (err && (strcmp(err, "server_error") == 0 ||
		     strcmp(err, "temporarily_unavailable") == 0))) {
		rc = lk_call_error(call, LK_EHTTP,
				   "oauth2: %s answered HTTP %ld%s%s: the "
				   "provider has a problem; try again later",
				   url_key, status, err ? " " : "",
				   err ? "with an error" : "");
		goto out;
	}
	/* An error code wins over a 2xx: some providers answer 200 with an
	 * error body. */
	if (err && *err) {
		rc = refused(call, f, status, url_key, grant);
		goto out;
	}
	if (status < 200 || status >= 300) {
		rc = lk_call_error(call, LK_EAUTH,
				   "oauth2: %s answered HTTP %ld without an "
				   "OAuth error code: check the URL and the "
				   "client credentials",
				   url_key, status);
		goto out;
	}
	if (prc != LK_OK) {
		char *why = lk_strdup(lk_errmsg(lk_call_ctx(call)));
		rc = lk_call_error(call, LK_EPROTO, "oauth2: %s: %s", url_key,
				   why ? why : "unparsable token response");
		lk_free(why);
		goto out;
	}
	if (!lk_fields_get(f, "access_token") ||
	    !*lk_fields_get(f, "access_token")) {
		rc = lk_call_error(call, LK_EPROTO,
				   "oauth2: %s answered without an "
				   "access_token (RFC 6749 section 5.1)",
				   url_key);
		goto out;
	}
	*out = f;
	f = NULL;
out:
	lk_fields_free(f);
	return rc;
}

lk_status oauth2_token_request(lk_fields **out, lk_call *call,
			       const char *url_key, struct oauth2_params *p,
			       enum oauth2_grant grant)
{
	const char *id = lk_call_setting(call, "client_id");
	const char *secret = lk_call_setting(call, "client_secret");
	bool basic = setting_is(call, "client_auth", "basic");
	bool query = setting_is(call, "token_request", "query");
	bool autom = setting_is(call, "token_request", "auto");
	char *url = NULL, *authz = NULL, *code = NULL;
	lk_response *resp = NULL;
	lk_status rc = LK_OK;

	*out = NULL;
	if (secret)
		lk_call_add_secret(call, secret);
	rc = lk_call_render(&url, call, lk_call_setting(call, url_key),
			    LK_RENDER_URL);
	if (rc != LK_OK)
		goto out;
	if (basic) {
		rc = basic_header(&authz, id, secret);
	} else {
		/* client_secret_post (RFC 6749 section 2.3.1). */
		rc = oauth2_params_add(p, "client_id", id);
		if (rc == LK_OK)
			rc = oauth2_params_add(p, "client_secret", secret);
	}
	if (rc != LK_OK)
		goto out;
	rc = send_once(&resp, call, url, p, query || autom, authz);
	if (rc == LK_OK && autom && lk_response_status(resp) >= 400 &&
	    lk_response_status(resp) < 500) {
		/* "auto": a server that wants the body refuses the query
		 * style with a 4xx; a refused grant is an answer, though,
		 * and the code must not be spent twice. */
		code = error_code(call, resp);
		if (!code || strcmp(code, "invalid_grant") != 0) {
			lk_call_log(call, LK_LOG_INFO,
				    "oauth2: %s refused the query-string "
				    "request (HTTP %ld); sending it again in "
				    "the body",
				    url_key, lk_response_status(resp));
			lk_response_free(resp);
			resp = NULL;
			rc = send_once(&resp, call, url, p, false, authz);
		}
	}
	if (rc == LK_OK)
		rc = judge(out, call, resp, url_key, grant);
out:
	lk_free(code);
	lk_response_free(resp);
	lk_str_wipe_free(authz);
	lk_str_wipe_free(url);
	return rc;
}

/* expires_in as a non-negative count of seconds, or -1. Capped at ten
 * years so now + expires_in cannot overflow. */
static long long seconds(const char *s)
{
	const long long cap = 10LL * 366 * 24 * 3600;
	char *end = NULL;

	if (!s || !*s)
		return -1;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	/* "3600.0" from providers that emit floats is still 3600. */
	if (end == s || v < 0 || (*end && *end != '.'))
		return -1;
	return errno == ERANGE || v > cap ? cap : v;
}

static lk_status keep_one(lk_fields *dst, const lk_fields *parsed,
			  const char *key)
{
	const char *v = lk_fields_get(parsed, key);

	if (!v)
		return LK_OK;
	return lk_fields_set(dst, key, v, lk_fields_is_secret(parsed, key));
}

lk_status oauth2_token_keep(lk_fields *dst, lk_call *call,
			    const lk_fields *parsed)
{
	static const char *const standard[] = {"access_token", "refresh_token",
					       "token_type", "scope", NULL};
	char num[32];
	lk_status rc = LK_OK;
	int64_t now = lk_now();

	for (size_t i = 0; rc == LK_OK && standard[i]; i++)
		rc = keep_one(dst, parsed, standard[i]);
	/* The access token is a secret whatever the parser thought. */
	if (rc == LK_OK)
		rc = lk_fields_set(dst, "access_token",
				   lk_fields_get(parsed, "access_token"), true);
	if (rc == LK_OK && lk_fields_get(parsed, "refresh_token"))
		rc =
		    lk_fields_set(dst, "refresh_token",
				  lk_fields_get(parsed, "refresh_token"), true);
	long long ttl = seconds(lk_fields_get(parsed, "expires_in"));
	bool has_rt = lk_fields_get(parsed, "refresh_token") ||
		      (lk_call_field(call, "refresh_token") &&
		       *lk_call_field(call, "refresh_token"));
	snprintf(num, sizeof num, "%lld", (long long)now);
	if (rc == LK_OK)
		rc = lk_fields_set(dst, "issued_at", num, false);
	snprintf(num, sizeof num, "%lld", ttl);
	if (rc == LK_OK)
		rc = lk_fields_set(dst, "expires_in", ttl >= 0 ? num : "",
				   false);
	/* expires_at drives proactive refresh: only when one is possible,
	 * else every call would try a refresh that cannot happen. */
	snprintf(num, sizeof num, "%lld", (long long)now + ttl);
	if (rc == LK_OK)
		rc = lk_fields_set(
		    dst, "expires_at",
		    ttl >= 0 && has_rt && oauth2_token_can_refresh(call) ? num
									 : "",
		    false);
	size_t n = lk_call_setting_list_count(call, "extra_fields");
	for (size_t i = 0; rc == LK_OK && i < n; i++) {
		const char *key =
		    lk_call_setting_list_at(call, "extra_fields", i);
		if (!key)
			continue;
		if (!lk_fields_get(parsed, key)) {
			lk_call_log(call, LK_LOG_DEBUG,
				    "oauth2: extra field \"%s\" is not in the "
				    "token response",
				    key);
			continue;
		}
		rc = keep_one(dst, parsed, key);
	}
	return rc;
}
