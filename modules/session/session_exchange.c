/* SPDX-License-Identifier: MIT */
/* session.so: the login exchange, from request template to token. */
#include <stdio.h>
#include <string.h>

#include "session_exchange.h"
#include "session_place.h"
#include "session_token.h"

/* Re-set the ctx's message as "session: login (METHOD URL): why",
 * keeping the status. The URL is the template: it holds no value. */
static lk_status login_error(lk_call *call, lk_status st, const char *why)
{
	return lk_call_error(call, st, "session: login (%s %s): %s",
			     lk_call_setting(call, "request.method"),
			     lk_call_setting(call, "request.url"), why);
}

/* The same, with the message the core left on the ctx as the reason. */
static lk_status login_error_from_core(lk_call *call, lk_status st)
{
	char *why = lk_strdup(lk_errmsg(lk_call_ctx(call)));

	st = login_error(call, st, why ? why : lk_strerror(st));
	lk_free(why);
	return st;
}

static lk_status build_body(lk_call *call, lk_request *req)
{
	const char *tmpl = lk_call_setting(call, "request.body");
	const char *format = lk_call_setting(call, "request.format");
	bool form = format && strcmp(format, "form") == 0;
	char *body = NULL;
	lk_status rc = LK_OK;

	if (!tmpl)
		return LK_OK;
	rc = lk_call_render(&body, call, tmpl,
			    form ? LK_RENDER_FORM : LK_RENDER_JSON);
	if (rc != LK_OK)
		return login_error_from_core(call, rc);
	rc = lk_request_set_body(req, body, strlen(body));
	lk_str_wipe_free(body);
	if (rc == LK_OK && !lk_request_header(req, "Content-Type"))
		rc = lk_request_set_header(
		    req, "Content-Type",
		    form ? "application/x-www-form-urlencoded"
			 : "application/json");
	return rc;
}

static lk_status build_request(lk_request **out, lk_call *call)
{
	const char *method = lk_call_setting(call, "request.method");
	size_t nh = lk_call_setting_list_count(call, "request.headers");
	lk_request *req = NULL;
	char *url = NULL;
	char what[64];
	lk_status rc = lk_call_render(
	    &url, call, lk_call_setting(call, "request.url"), LK_RENDER_URL);

	*out = NULL;
	if (rc != LK_OK)
		return login_error_from_core(call, rc);
	rc = lk_request_new(&req, method, url);
	lk_str_wipe_free(url);
	if (rc != LK_OK)
		return login_error(call, rc, "the request cannot be built");
	for (size_t i = 0; rc == LK_OK && i < nh; i++) {
		snprintf(what, sizeof what, "session.request.headers[%zu]", i);
		rc = session_place_header(
		    call, req,
		    lk_call_setting_list_at(call, "request.headers", i), what);
	}
	if (rc == LK_OK)
		rc = build_body(call, req);
	if (rc != LK_OK) {
		lk_request_free(req);
		return rc;
	}
	*out = req;
	return LK_OK;
}

/* What an error status of the login means (DESIGN.md, issue 6 item 8). */
static lk_status classify(lk_call *call, long status, bool refreshing)
{
	char why[160];

	if (status == 401 || status == 403) {
		snprintf(why, sizeof why,
			 "refused with HTTP %ld: the credentials are "
			 "incorrect, expired or revoked%s",
			 status, refreshing ? "; reconnect" : "");
		return login_error(call, refreshing ? LK_EEXPIRED : LK_EAUTH,
				   why);
	}
	if (status >= 500) {
		snprintf(why, sizeof why,
			 "the provider failed with HTTP %ld; try again later",
			 status);
		return login_error(call, LK_EHTTP, why);
	}
	snprintf(why, sizeof why,
		 "answered HTTP %ld; check session.request (a malformed "
		 "login request)",
		 status);
	return login_error(call, LK_EHTTP, why);
}

/* The token spec from the app's block; extras lent from the settings. */
static lk_status token_spec(struct session_token_spec *spec,
			    const char ***extras, lk_call *call)
{
	size_t n = lk_call_setting_list_count(call, "extra_fields");

	*extras = NULL;
	if (n) {
		*extras = lk_calloc(n, sizeof(**extras));
		if (!*extras)
			return LK_ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		(*extras)[i] = lk_call_setting_list_at(call, "extra_fields", i);
	spec->token_path = lk_call_setting(call, "token_path");
	spec->field = lk_call_setting(call, "field");
	spec->extras = *extras;
	spec->nextras = n;
	return LK_OK;
}

lk_status session_exchange_run(lk_fields **out, lk_call *call, bool refreshing)
{
	struct session_token_spec spec;
	const char **extras = NULL;
	lk_request *req = NULL;
	lk_response *resp = NULL;
	lk_fields *parsed = NULL, *take = NULL;
	char err[256];
	long status = 0;
	lk_status rc = build_request(&req, call);

	*out = NULL;
	if (rc != LK_OK)
		goto out;
	rc = lk_http_send(&resp, call, req);
	if (rc != LK_OK) {
		rc = login_error_from_core(call, rc);
		goto out;
	}
	status = lk_response_status(resp);
	if (status < 200 || status >= 300) {
		rc = classify(call, status, refreshing);
		goto out;
	}
	rc = lk_token_response_parse(&parsed, call, resp);
	if (rc != LK_OK) {
		rc = login_error_from_core(call, rc);
		goto out;
	}
	rc = token_spec(&spec, &extras, call);
	if (rc != LK_OK)
		goto out;
	rc = session_token_take(&take, parsed, &spec, err, sizeof err);
	if (rc != LK_OK) {
		rc = login_error(call, rc, err);
		goto out;
	}
	/* -v and the log must never show the new token. */
	lk_call_add_secret(call, lk_fields_get(take, spec.field));
	*out = take;
out:
	lk_free(extras);
	lk_fields_free(parsed);
	lk_response_free(resp);
	lk_request_free(req);
	return rc;
}
