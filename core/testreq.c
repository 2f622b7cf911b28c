/* SPDX-License-Identifier: MIT */
/* The app's test request, and failures classified into messages that
 * tell the user what to check. */
#include <string.h>
#include <strings.h>

#include "error.h"
#include "http.h"
#include "perform.h"
#include "template.h"
#include "testreq.h"
#include "token_response.h"

static lk_status build_request(lk_request **out, lk_ctx *ctx,
			       const lk_app *app, const lk_conn *conn)
{
	struct lk_tmpl_scope scope = {.fields = conn->fields,
				      .test_data = NULL};
	lk_request *req = NULL;
	char *url = NULL;
	char *v = NULL;
	lk_status rc = lk_template__render(&url, ctx, app->test_url,
					   LK_RENDER_URL, &scope, app->id);

	if (rc == LK_OK)
		rc = lk_request_new(&req, app->test_method, url);
	for (size_t i = 0; rc == LK_OK && i < app->ntest_headers; i++) {
		rc = lk_template__render(&v, ctx, app->test_headers[i],
					 LK_RENDER_HEADER, &scope, app->id);
		char *colon = rc == LK_OK ? strchr(v, ':') : NULL;
		if (rc == LK_OK && !colon)
			rc = lk_error__set(ctx, LK_ECONFIG,
					   "%s: test header without ':'",
					   app->id);
		if (rc == LK_OK) {
			*colon = '\0';
			const char *val = colon + 1;
			while (*val == ' ' || *val == '\t')
				val++;
			rc = lk_request_add_header(req, v, val);
			if (rc != LK_OK)
				rc = lk_error__set(ctx, rc, "%s: test header: %s",
						   app->id,
						   lk_request__error());
		}
		lk_str_wipe_free(v);
		v = NULL;
	}
	if (rc == LK_OK && app->test_body) {
		rc = lk_template__render(&v, ctx, app->test_body, LK_RENDER_RAW,
					 &scope, app->id);
		if (rc == LK_OK)
			rc = lk_request_set_body(req, v, strlen(v));
		lk_str_wipe_free(v);
	}
	lk_free(url);
	if (rc != LK_OK) {
		lk_request_free(req);
		req = NULL;
	}
	*out = req;
	return rc;
}

static const char *hint_for(long status, lk_status *st)
{
	if (status == 404) {
		*st = LK_EHTTP;
		return "check the app's test URL and method";
	}
	if (status == 401 || status == 403) {
		*st = LK_EAUTH;
		return "the credentials are incorrect, expired or revoked";
	}
	if (status == 400) {
		*st = LK_EHTTP;
		return "check the client id and secret, or the token "
		       "exchange (a malformed request)";
	}
	if (status >= 500) {
		*st = LK_EHTTP;
		return "the provider is failing; try again later";
	}
	*st = LK_EHTTP;
	return "the test request did not succeed";
}

/* Custom parsing by a hooks module, else the core's parser; an HTML
 * page is never a test answer (it is a login or error page). */
static lk_status parse_answer(char **out, lk_ctx *ctx, const lk_app *app,
			      lk_conn *conn, const lk_response *resp)
{
	for (size_t i = 0; i < app->nhook_blocks; i++) {
		const struct lk_hooks_ops *h = &app->hook_blocks[i].mod->hooks;
		if (!h->parse_test_response)
			continue;
		lk_call call = {.ctx = ctx,
				.app = app,
				.block = &app->hook_blocks[i],
				.conn = conn};
		return h->parse_test_response(out, &call, resp);
	}
	const char *ct = lk_response_header(resp, "Content-Type");
	if (ct && strncasecmp(ct, "text/html", 9) == 0)
		return lk_error__set(ctx, LK_EPROTO,
				     "the answer is a web page (Content-Type "
				     "text/html), not JSON: maybe a login or "
				     "error page; check the test URL");
	if (resp->body_len == 0)
		return lk_token_response__to_json(out, ctx, "application/json",
						  "{}", 2);
	lk_status rc = lk_token_response__to_json(out, ctx, ct, resp->body,
						  resp->body_len);
	if (rc != LK_OK)
		lk_error__prefix(ctx, "the answer is not JSON (maybe a web "
				      "page); check the test URL");
	return rc;
}

lk_status lk_testreq__run(char **out_json, lk_ctx *ctx, lk_app *app,
			  lk_conn *conn)
{
	lk_request *req = NULL;
	lk_response *resp = NULL;
	lk_status rc = LK_OK;

	*out_json = NULL;
	if (!app->test_url) /* no test configured: nothing to learn */
		return lk_token_response__to_json(out_json, ctx,
						  "application/json", "{}", 2);
	rc = build_request(&req, ctx, app, conn);
	if (rc == LK_OK)
		rc = lk_perform__run(&resp, ctx, app, conn, req, 0);
	if (rc == LK_ETIMEOUT) {
		lk_error__prefix(ctx, "test: no answer in time (http.timeout "
				      "is %ld s); check the URL and the "
				      "network",
				 ctx->http_timeout);
		goto out;
	}
	if (rc != LK_OK) {
		lk_error__prefix(ctx, "test");
		goto out;
	}
	long status = lk_response_status(resp);
	if (status < 200 || status >= 300) {
		const char *hint = hint_for(status, &rc);
		rc = lk_error__set(ctx, rc, "test: %s %s answered %ld: %s",
				   app->test_method, app->test_url, status,
				   hint);
		goto out;
	}
	rc = parse_answer(out_json, ctx, app, conn, resp);
	if (rc != LK_OK)
		lk_error__prefix(ctx, "test: %s %s", app->test_method,
				 app->test_url);
out:
	lk_response_free(resp);
	lk_request_free(req);
	return rc;
}
