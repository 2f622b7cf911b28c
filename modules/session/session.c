/* SPDX-License-Identifier: MIT */
/* session.so: the user's fields exchanged at a login URL for a session
 * token, placed by header or query templates; on a 401 (or the app's
 * refresh_on signals) the login runs again, single-flight in the core,
 * and the request is retried once. */
#include <stdio.h>
#include <string.h>

#include <latchkey/module.h>

#include "session_exchange.h"
#include "session_place.h"
#include "session_token.h"

static lk_scheme_validate_fn session_validate;
static lk_scheme_authorize_fn session_authorize;
static lk_scheme_connect_fields_fn session_connect_fields;
static lk_scheme_on_response_fn session_on_response;
static lk_scheme_refresh_fn session_refresh;

static const struct lk_config_key session_keys[] = {
    {"request.method", LK_KEY_ENUM, false, "POST", "POST|PUT|PATCH|GET"},
    {"request.url", LK_KEY_URL, true, NULL, NULL},
    {"request.headers", LK_KEY_STRING_LIST, false, NULL, NULL},
    {"request.body", LK_KEY_STRING, false, NULL, NULL},
    {"request.format", LK_KEY_ENUM, false, "json", "json|form"},
    {"token_path", LK_KEY_STRING, true, NULL, NULL},
    {"field", LK_KEY_STRING, false, "session_key", NULL},
    {"headers", LK_KEY_STRING_LIST, false, NULL, NULL},
    {"query", LK_KEY_STRING_LIST, false, NULL, NULL},
    {"extra_fields", LK_KEY_STRING_LIST, false, NULL, NULL},
    {NULL, 0, false, NULL, NULL},
};

static bool is_field_name(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '_'))
			return false;
	return true;
}

static lk_status check_list(lk_call *call, const char *key, char sep)
{
	size_t n = lk_call_setting_list_count(call, key);

	for (size_t i = 0; i < n; i++) {
		const char *t = lk_call_setting_list_at(call, key, i);
		const char *c = t ? strchr(t, sep) : NULL;
		if (!c || c == t)
			return lk_call_error(
			    call, LK_ECONFIG,
			    "%s: session.%s[%zu] must be \"%s\"",
			    lk_call_setting_where(call, key), key, i,
			    sep == ':' ? "Name: value" : "name=value");
	}
	return LK_OK;
}

static lk_status session_validate(lk_call *call)
{
	const char *field = lk_call_setting(call, "field");
	const char *path = lk_call_setting(call, "token_path");
	lk_status rc = LK_OK;

	if (lk_call_setting_list_count(call, "headers") +
		lk_call_setting_list_count(call, "query") ==
	    0)
		return lk_call_error(call, LK_ECONFIG,
				     "%s: session: at least one of \"headers\" "
				     "or \"query\" is required to place the "
				     "token",
				     lk_call_setting_where(call, "token_path"));
	if (!is_field_name(field))
		return lk_call_error(call, LK_ECONFIG,
				     "%s: session.field must be a field name "
				     "([a-z0-9_]+)",
				     lk_call_setting_where(call, "field"));
	if (!path || !*path || *path == '.' || path[strlen(path) - 1] == '.')
		return lk_call_error(call, LK_ECONFIG,
				     "%s: session.token_path must be a dotted "
				     "path such as \"data.session.key\"",
				     lk_call_setting_where(call, "token_path"));
	for (size_t i = 0; i < lk_call_setting_list_count(call, "extra_fields");
	     i++) {
		const char *x =
		    lk_call_setting_list_at(call, "extra_fields", i);
		char *name = x ? session_token_extra_name(x) : NULL;
		bool clash = name && strcmp(name, field) == 0;
		lk_free(name);
		if (!x || !*x || clash)
			return lk_call_error(
			    call, LK_ECONFIG,
			    "%s: session.extra_fields[%zu] %s",
			    lk_call_setting_where(call, "extra_fields"), i,
			    clash ? "would be stored over the token "
				    "(session.field)"
				  : "must be a dotted path");
	}
	rc = check_list(call, "request.headers", ':');
	if (rc == LK_OK)
		rc = check_list(call, "headers", ':');
	if (rc == LK_OK)
		rc = check_list(call, "query", '=');
	return rc;
}

/* What the login stores must never replace a field the user gave (the
 * password used for the next login, say). Checked here, not in validate:
 * the app's field list is not readable while the app is being bound. */
static lk_status check_no_overwrite(lk_call *call, const lk_fields *got)
{
	lk_ctx *ctx = lk_call_ctx(call);
	const lk_app *app = lk_call_app(call);
	size_t nf = lk_app_field_count(ctx, app);
	const char *name = NULL, *user = NULL;

	for (size_t i = 0; i < lk_fields_count(got); i++) {
		if (lk_fields_at(got, i, &name, NULL, NULL) != LK_OK)
			continue;
		for (size_t j = 0; j < nf; j++) {
			if (lk_app_field_at(ctx, app, j, &user, NULL, NULL,
					    NULL) != LK_OK ||
			    strcmp(name, user) != 0)
				continue;
			bool is_token = i == 0;
			return lk_call_error(
			    call, LK_ECONFIG,
			    "%s: session: the login would store \"%s\" over "
			    "the field of that name the user gives; rename "
			    "it in %s",
			    lk_call_setting_where(
				call, is_token ? "field" : "extra_fields"),
			    name,
			    is_token ? "session.field"
				     : "session.extra_fields");
		}
	}
	return LK_OK;
}

static lk_status login_and_store(lk_call *call, bool refreshing)
{
	lk_fields *got = NULL;
	lk_status rc = session_exchange_run(&got, call, refreshing);

	if (rc == LK_OK)
		rc = check_no_overwrite(call, got);
	if (rc == LK_OK)
		rc = lk_call_fields_update(call, got);
	lk_fields_free(got);
	return rc;
}

static lk_status session_connect_fields(lk_call *call, lk_fields *fields)
{
	(void)fields; /* the call's fields: the update merges into them */
	return login_and_store(call, false);
}

/* Called by the core under the connection's lock, single-flight. */
static lk_status session_refresh(lk_call *call)
{
	return login_and_store(call, true);
}

static lk_status session_authorize(lk_call *call, lk_request *req)
{
	size_t nh = lk_call_setting_list_count(call, "headers");
	size_t nq = lk_call_setting_list_count(call, "query");
	char what[48];
	lk_status rc = LK_OK;

	for (size_t i = 0; rc == LK_OK && i < nh; i++) {
		snprintf(what, sizeof what, "session.headers[%zu]", i);
		rc = session_place_header(
		    call, req, lk_call_setting_list_at(call, "headers", i),
		    what);
	}
	for (size_t i = 0; rc == LK_OK && i < nq; i++)
		rc = session_place_query(
		    call, req, lk_call_setting_list_at(call, "query", i));
	return rc;
}

/* A 401 always means the session ended, whatever refresh_on lists; the
 * core refreshes at most once per call, so this never loops. */
static lk_status session_on_response(lk_verdict *out, lk_call *call,
				     const lk_request *req,
				     const lk_response *resp, unsigned attempt)
{
	(void)call;
	(void)req;
	*out = lk_response_status(resp) == 401 && attempt == 0
		   ? LK_VERDICT_REFRESH
		   : LK_VERDICT_DONE;
	return LK_OK;
}

static const struct lk_scheme_ops session_scheme = {
    LK_OPS_HEADER(struct lk_scheme_ops),
    .config_keys = session_keys,
    .validate = session_validate,
    .authorize = session_authorize,
    .connect_fields = session_connect_fields,
    .on_response = session_on_response,
    .refresh = session_refresh,
};

LK_MODULE_EXPORT const struct lk_module latchkey_module = {
    LK_MODULE_HEADER("session", "1.0"),
    .scheme = &session_scheme,
};
