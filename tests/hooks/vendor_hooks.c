/* SPDX-License-Identifier: MIT */
/*
 * vendor_hooks.so: a sample module of the hooks kind, the "code mode" of
 * an app. It shows what a vendor ships beside a config file:
 *  - pre_authorize adds X-Vendor-Tag (from its own config block) before
 *    the scheme signs, and records whether credentials were there yet;
 *  - post_authorize adds X-Vendor-Signed after the scheme, where no
 *    signature covers it;
 *  - after_response declares the connection expired when the vendor's
 *    API answers 410 Gone (its way of saying the account was deleted:
 *    no refresh can help);
 *  - label computes the label from the test response in code.
 * Config block: vendor_hooks = { tag = "..."; };  (tag defaults to "v1")
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <latchkey/module.h>

static lk_hook_request_fn vendor_pre_authorize;
static lk_hook_request_fn vendor_post_authorize;
static lk_hook_after_response_fn vendor_after_response;
static lk_hook_label_fn vendor_label;

static const struct lk_config_key vendor_keys[] = {
    {"tag", LK_KEY_STRING, false, "v1", NULL},
    {NULL, 0, false, NULL, NULL},
};

/* Whether the scheme has put its credentials on @p req yet. */
static const char *has_credentials(const lk_request *req)
{
	return lk_request_header(req, "Authorization") ? "yes" : "no";
}

static lk_status vendor_pre_authorize(lk_call *call, lk_request *req)
{
	lk_status rc = lk_request_set_header(req, "X-Vendor-Tag",
					     lk_call_setting(call, "tag"));

	if (rc == LK_OK)
		rc = lk_request_set_header(req, "X-Vendor-Pre-Saw-Auth",
					   has_credentials(req));
	return rc;
}

static lk_status vendor_post_authorize(lk_call *call, lk_request *req)
{
	(void)call;
	return lk_request_set_header(req, "X-Vendor-Signed",
				     has_credentials(req));
}

static lk_status vendor_after_response(lk_verdict *out, lk_call *call,
				       const lk_request *req,
				       const lk_response *resp)
{
	(void)call;
	(void)req;
	*out = lk_response_status(resp) == 410 ? LK_VERDICT_EXPIRED
					       : LK_VERDICT_DONE;
	return LK_OK;
}

/* "@LOGIN (Name)": computed, not a template; never from a secret field,
 * since LK_RENDER_TEXT refuses those. */
static lk_status vendor_label(char **out, lk_call *call)
{
	char *login = NULL, *name = NULL;
	lk_status rc;

	*out = NULL;
	rc = lk_call_render(&login, call, "{{login}}", LK_RENDER_TEXT);
	if (rc == LK_OK)
		rc = lk_call_render(&name, call, "{{name}}", LK_RENDER_TEXT);
	if (rc != LK_OK) {
		/* no test response to read: leave the label to the app */
		rc = LK_OK;
	} else if (login && *login) {
		for (char *p = login; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		size_t n = strlen(login) + strlen(name) + 5;
		*out = lk_malloc(n);
		if (*out)
			snprintf(*out, n, "@%s (%s)", login, name);
		else
			rc = LK_ENOMEM;
	}
	lk_free(login);
	lk_free(name);
	return rc;
}

static const struct lk_hooks_ops vendor_hooks = {
    LK_OPS_HEADER(struct lk_hooks_ops),
    .config_keys = vendor_keys,
    .pre_authorize = vendor_pre_authorize,
    .post_authorize = vendor_post_authorize,
    .after_response = vendor_after_response,
    .label = vendor_label,
};

LK_MODULE_EXPORT const struct lk_module latchkey_module = {
    LK_MODULE_HEADER("vendor_hooks", "1.0"),
    .hooks = &vendor_hooks,
};
