/* SPDX-License-Identifier: MIT */
/*
 * vendor_policy.so: a third-party refresh policy, built as a vendor would
 * build it (only <latchkey/module.h>, linked to liblatchkey). Its API
 * reports token trouble in a 200 body instead of a 401:
 *   {"error":{"code":"E_STALE"}}  the token must be renewed: "refresh"
 *                                 (the legacy RefreshTokenException);
 *   {"error":{"code":"E_GONE"}}   the account is gone: "expired"
 *                                 (the legacy ExpiredAuthException).
 * Config block: vendor_policy = { refresh_code = "..."; expired_code =
 * "..."; };  (defaults E_STALE and E_GONE). It never refreshes ahead.
 */
#include <stdio.h>
#include <string.h>

#include <latchkey/module.h>

static lk_refresh_should_fn vendor_should_refresh;
static lk_refresh_on_response_fn vendor_on_response;

static const struct lk_config_key vendor_keys[] = {
    {"refresh_code", LK_KEY_STRING, false, "E_STALE", NULL},
    {"expired_code", LK_KEY_STRING, false, "E_GONE", NULL},
    {NULL, 0, false, NULL, NULL},
};

static lk_status vendor_should_refresh(bool *out, lk_call *call, int64_t now)
{
	(void)call;
	(void)now;
	*out = false;
	return LK_OK;
}

/* Does the body carry "CODE" as a JSON string? A sample: a real vendor
 * would parse its JSON. */
static bool body_has_code(const lk_response *resp, const char *code)
{
	size_t len = 0;
	const char *body = lk_response_body(resp, &len);
	char quoted[128];
	int n = snprintf(quoted, sizeof quoted, "\"%s\"", code ? code : "");

	if (!body || !code || !*code || n < 0 || (size_t)n >= sizeof quoted)
		return false;
	for (size_t i = 0; i + (size_t)n <= len; i++)
		if (memcmp(body + i, quoted, (size_t)n) == 0)
			return true;
	return false;
}

static lk_status vendor_on_response(lk_verdict *out, lk_call *call,
				    const lk_response *resp)
{
	*out = LK_VERDICT_DONE;
	if (lk_response_status(resp) != 200)
		return LK_OK;
	if (body_has_code(resp, lk_call_setting(call, "expired_code")))
		*out = LK_VERDICT_EXPIRED;
	else if (body_has_code(resp, lk_call_setting(call, "refresh_code")))
		*out = LK_VERDICT_REFRESH;
	return LK_OK;
}

static const struct lk_refresh_ops vendor_ops = {
    LK_OPS_HEADER(struct lk_refresh_ops),
    .config_keys = vendor_keys,
    .should_refresh = vendor_should_refresh,
    .on_response = vendor_on_response,
};

LK_MODULE_EXPORT const struct lk_module latchkey_module = {
    LK_MODULE_HEADER("vendor_policy", "0.1"),
    .refresh = &vendor_ops,
};
