/* SPDX-License-Identifier: MIT */
/* apikey.so: an API key and other fields placed in headers or the query. */
#include <string.h>

#include <latchkey/module.h>

static lk_scheme_validate_fn apikey_validate;
static lk_scheme_authorize_fn apikey_authorize;

static const struct lk_config_key apikey_keys[] = {
	{"headers", LK_KEY_STRING_LIST, false, NULL, NULL},
	{"query", LK_KEY_STRING_LIST, false, NULL, NULL},
	{NULL, 0, false, NULL, NULL},
};

static lk_status apikey_validate(lk_call *call)
{
	size_t nh = lk_call_setting_list_count(call, "headers");
	size_t nq = lk_call_setting_list_count(call, "query");

	if (nh + nq == 0)
		return lk_call_error(call, LK_ECONFIG,
				     "apikey: at least one of \"headers\" or "
				     "\"query\" is required");
	for (size_t i = 0; i < nh; i++) {
		const char *t = lk_call_setting_list_at(call, "headers", i);
		const char *c = t ? strchr(t, ':') : NULL;
		if (!c || c == t)
			return lk_call_error(call, LK_ECONFIG,
					     "%s: apikey.headers[%zu] must be "
					     "\"Name: value\"",
					     lk_call_setting_where(call,
								   "headers"),
					     i);
	}
	for (size_t i = 0; i < nq; i++) {
		const char *t = lk_call_setting_list_at(call, "query", i);
		if (!t || !*t || *t == '=')
			return lk_call_error(call, LK_ECONFIG,
					     "%s: apikey.query[%zu] must be "
					     "\"name=value\"",
					     lk_call_setting_where(call,
								   "query"),
					     i);
	}
	return LK_OK;
}

static lk_status apikey_header(lk_call *call, lk_request *req,
			       const char *tmpl)
{
	char *line = NULL, *colon, *val;
	lk_status rc;

	rc = lk_call_render(&line, call, tmpl, LK_RENDER_HEADER);
	if (rc != LK_OK)
		return rc;
	colon = strchr(line, ':');
	if (!colon || colon == line) {
		lk_str_wipe_free(line);
		return lk_call_error(call, LK_ECONFIG,
				     "apikey: header template is not "
				     "\"Name: value\"");
	}
	*colon = '\0';
	for (val = colon + 1; *val == ' ' || *val == '\t'; val++)
		;
	rc = lk_request_set_header(req, line, val);
	lk_str_wipe_free(line);
	return rc;
}

/* Rendered behind a '?' so values are escaped as query components. */
static lk_status apikey_query(lk_call *call, lk_request *req,
			      const char *tmpl)
{
	const char *url = lk_request_url(req);
	char *q = NULL, *t = NULL, *nu = NULL;
	size_t tl = strlen(tmpl), ul, ql;
	lk_status rc;

	t = lk_malloc(tl + 2);
	if (!t)
		return LK_ENOMEM;
	t[0] = '?';
	memcpy(t + 1, tmpl, tl + 1);
	rc = lk_call_render(&q, call, t, LK_RENDER_URL);
	lk_free(t);
	if (rc != LK_OK)
		return rc;
	ul = strlen(url);
	ql = strlen(q + 1);
	nu = lk_malloc(ul + 1 + ql + 1);
	if (!nu) {
		lk_str_wipe_free(q);
		return LK_ENOMEM;
	}
	{
		/* Before any fragment; '?' or '&' as the URL needs. */
		const char *hash = strchr(url, '#');
		size_t base = hash ? (size_t)(hash - url) : ul;
		bool has_q = memchr(url, '?', base) != NULL;
		char sep = has_q ? (base > 0 && (url[base - 1] == '?' ||
						 url[base - 1] == '&')
					    ? '\0'
					    : '&')
				 : '?';
		size_t o = 0;
		memcpy(nu, url, base);
		o = base;
		if (sep)
			nu[o++] = sep;
		memcpy(nu + o, q + 1, ql);
		o += ql;
		nu[o] = '\0';
	}
	lk_str_wipe_free(q);
	rc = lk_request_set_url(req, nu);
	lk_str_wipe_free(nu);
	return rc;
}

static lk_status apikey_authorize(lk_call *call, lk_request *req)
{
	size_t nh = lk_call_setting_list_count(call, "headers");
	size_t nq = lk_call_setting_list_count(call, "query");
	lk_status rc = LK_OK;

	for (size_t i = 0; rc == LK_OK && i < nh; i++)
		rc = apikey_header(call, req,
				   lk_call_setting_list_at(call, "headers", i));
	for (size_t i = 0; rc == LK_OK && i < nq; i++)
		rc = apikey_query(call, req,
				  lk_call_setting_list_at(call, "query", i));
	return rc;
}

static const struct lk_scheme_ops apikey_scheme = {
	LK_OPS_HEADER(struct lk_scheme_ops),
	.config_keys = apikey_keys,
	.validate = apikey_validate,
	.authorize = apikey_authorize,
};

LK_MODULE_EXPORT const struct lk_module latchkey_module = {
	LK_MODULE_HEADER("apikey", "1.0"),
	.scheme = &apikey_scheme,
};
